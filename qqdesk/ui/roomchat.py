"""A group's or discussion's chat: the chat window in room mode, with members and actions."""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.client.types import RoomMember
from qqdesk.core import Conversation, ConversationKind, Presence

from . import icons
from .chat import ChatWindow
from .errors import describe_error
from .models import Roles, sort_by_name
from .tasks import spawn

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex


class NotifyRule(enum.Enum):
    """When a group's or discussion's messages notify me."""

    ALL = "all"
    MENTIONS = "mentions"
    MUTED = "muted"


def mentions(text: str, names: list[str]) -> bool:
    """True when ``text`` mentions one of ``names`` as ``@name`` (plain text, as QQ did)."""
    folded = text.casefold()
    return any(name and f"@{name.casefold()}" in folded for name in names)


# -- the member list -------------------------------------------------------------------


class RoomMembersModel(QAbstractListModel):
    """A room's members: online first, then by card-or-nickname in the UI's language."""

    def __init__(
        self, parent: QObject | None = None, *, face_of: Callable[[int], int] | None = None
    ) -> None:
        super().__init__(parent)
        #: A member's face picture id where known (buddies'), else 0.
        self._face_of = face_of or (lambda uin: 0)
        self._members: list[RoomMember] = []
        self._by_uin: dict[int, RoomMember] = {}

    def set_members(self, members: list[RoomMember]) -> None:
        self.beginResetModel()
        self._members = _in_member_order(members)
        self._by_uin = {m.uin: m for m in self._members}
        self.endResetModel()

    def set_status(self, uin: int, status: Presence) -> None:
        member = self._by_uin.get(uin)
        if member is None:
            return
        changed = RoomMember(member.uin, member.nick, member.card, status, member.joined)
        self.set_members([changed if m.uin == uin else m for m in self._members])

    def member(self, uin: int) -> RoomMember | None:
        return self._by_uin.get(uin)

    def members(self) -> list[RoomMember]:
        return list(self._members)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._members)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._members):
            return None
        member = self._members[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return member.name
        if role == Qt.ItemDataRole.DecorationRole:
            face = self._face_of(member.uin)
            return icons.face_picture(face, 24, member.name, status=member.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{member.nick} ({member.uin})"
        if role == Roles.UIN:
            return member.uin
        if role == Roles.NICK:
            return member.nick
        if role == Roles.STATUS:
            return member.status
        return None


def _member_order(member: RoomMember, name_key: Callable[[str], Any]) -> tuple[int, Any, int]:
    return (0 if member.status.visible.is_online else 1, name_key(member.name), member.uin)


def _in_member_order(members: list[RoomMember]) -> list[RoomMember]:
    """Online first, then by name in the UI's language, then by number."""
    ordered = list(members)
    sort_by_name(ordered, _member_order, lambda member: member.uin)
    return ordered


# -- the window ------------------------------------------------------------------------


class RoomChatWindow(ChatWindow):
    """The chat window in room mode: members beside the history, senders on bubbles,
    @mention completion, the notification rule, invite, my card, leave."""

    #: the user chose another notification rule (conversation, rule)
    ruleChanged = Signal(object, object)
    #: I left the room
    left = Signal(object)

    def __init__(
        self,
        session: ChatSession,
        conversation: Conversation,
        name: str,
        *,
        history: Callable[..., Any] | None = None,
        own_uin: int | None = None,
        rule: NotifyRule = NotifyRule.ALL,
        buddy_name: Callable[[int], str] | None = None,
        buddy_face: Callable[[int], int] | None = None,
        choose_buddies: Callable[[QWidget, list[int]], list[int] | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            session,
            conversation.number,
            name,
            history=history,
            own_uin=own_uin,
            parent=parent,
            conversation=conversation,
            names=self.sender_name,
        )
        self.members_model = RoomMembersModel(self, face_of=buddy_face)
        self._buddy_name = buddy_name or str
        self._choose_buddies = choose_buddies
        self.rule = rule
        self.setWindowIcon(QIcon(icons.room_picture(self.is_group, 32)))

        # Members beside the history.
        self.members_label = QLabel()
        self.members_label.setObjectName("membersTitle")
        self.members_view = QListView()
        self.members_view.setObjectName("members")
        self.members_view.setModel(self.members_model)
        self.members_view.setIconSize(QSize(24, 24))
        self.members_view.setUniformItemSizes(True)
        self.members_view.doubleClicked.connect(self._mention_member)
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.addWidget(self.members_label)
        panel_layout.addWidget(self.members_view, 1)
        sideways = QSplitter(Qt.Orientation.Horizontal)
        layout = self.layout()
        assert layout is not None
        layout.replaceWidget(self.body_splitter, sideways)
        sideways.addWidget(self.body_splitter)
        sideways.addWidget(panel)
        sideways.setStretchFactor(0, 3)
        sideways.setStretchFactor(1, 1)
        sideways.setSizes([480, 170])
        sideways.setChildrenCollapsible(False)
        self.resize(700, 580)

        # The rule and the actions in the header.
        self.rule_box = QComboBox()
        self.rule_box.setObjectName("notifyRule")
        for _ in NotifyRule:
            self.rule_box.addItem("")
        self.rule_box.setCurrentIndex(list(NotifyRule).index(rule))
        self.rule_box.currentIndexChanged.connect(self._rule_chosen)
        self.actions_button = QToolButton()
        self.actions_button.setObjectName("roomActions")
        self.actions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.actions_menu = QMenu(self)
        self.invite_action = self.actions_menu.addAction("")
        self.invite_action.triggered.connect(self.invite)
        self.card_action = self.actions_menu.addAction("")
        self.card_action.triggered.connect(self.ask_card)
        self.card_action.setVisible(self.is_group)
        self.actions_menu.addSeparator()
        self.leave_action = self.actions_menu.addAction("")
        self.leave_action.triggered.connect(self.confirm_leave)
        self.actions_button.setMenu(self.actions_menu)
        self.header_layout.addWidget(self.rule_box)
        self.header_layout.addWidget(self.actions_button)

        # @mentions: typing "@" offers the members' names.
        self.mention_names = QStringListModel(self)
        self.completer = QCompleter(self.mention_names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setWidget(self.input)
        self.completer.activated.connect(self.insert_mention)
        self.input.completer = self.completer
        self.input.textChanged.connect(self._maybe_complete)

        self._retranslate()
        self.reload_members()

    # -- what it is ------------------------------------------------------------------

    @property
    def is_group(self) -> bool:
        return self.conversation.kind is ConversationKind.GROUP

    def sender_name(self, uin: int) -> str:
        """A sender as the room shows them: card, else nickname, else my remark or number."""
        members: RoomMembersModel | None = getattr(self, "members_model", None)
        member = members.member(uin) if members is not None else None
        if member is not None and (member.card or member.nick):
            return member.name
        buddy_name: Callable[[int], str] = getattr(self, "_buddy_name", str)
        return buddy_name(uin)

    def my_names(self) -> list[str]:
        """What others type to mention me: my card, my nickname, my number."""
        names = [str(self.session.uin)]
        me = self.members_model.member(self.session.uin)
        if me is not None:
            names += [me.card, me.nick]
        if self.session.nick:
            names.append(self.session.nick)
        return [n for n in names if n]

    # -- appearance ------------------------------------------------------------------

    def _retranslate(self) -> None:
        super()._retranslate()
        if not hasattr(self, "rule_box"):
            return  # the base class's constructor: the room's widgets come next
        words = {
            NotifyRule.ALL: self.tr("Notify: every message"),
            NotifyRule.MENTIONS: self.tr("Notify: only @mentions"),
            NotifyRule.MUTED: self.tr("Notify: never (muted)"),
        }
        for row, rule in enumerate(NotifyRule):
            self.rule_box.setItemText(row, words[rule])
        self.rule_box.setToolTip(self.tr("When messages here notify you"))
        self.actions_button.setText(self.tr("More"))
        self.invite_action.setText(self.tr("&Invite friends…"))
        self.card_action.setText(self.tr("Set my &card…"))
        self.leave_action.setText(
            self.tr("&Leave the group…") if self.is_group else self.tr("&Leave the discussion…")
        )
        self._update_members_label()

    def _update_header(self) -> None:
        self.name_label.setText(self.title())
        self.face_label.setPixmap(
            icons.room_picture(self.is_group, 40, ratio=self.devicePixelRatioF())
        )
        count = self.members_model.rowCount() if hasattr(self, "members_model") else 0
        kind = self.tr("Group") if self.is_group else self.tr("Discussion")
        self.status_label.setText(
            self.tr("{kind} · {count} members").format(kind=kind, count=count)
        )
        self.show_title(self.nick)

    def _update_members_label(self) -> None:
        online = sum(1 for m in self.members_model.members() if m.status.visible.is_online)
        self.members_label.setText(
            self.tr("Members ({online}/{count})").format(
                online=online, count=self.members_model.rowCount()
            )
        )

    def set_status(self, status: Presence) -> None:
        """A room has no status of its own (members have theirs)."""

    def set_member_status(self, uin: int, status: Presence) -> None:
        self.members_model.set_status(uin, status)
        self._update_members_label()

    def set_name(self, name: str) -> None:
        self.nick = name or str(self.conversation.number)
        self._update_header()

    # -- members ---------------------------------------------------------------------

    def reload_members(self) -> None:
        spawn(
            self.session.members(self.conversation),
            on_done=self.show_members,
            on_error=lambda exc: log.info("members of %s: %s", self.conversation, exc),
        )

    def show_members(self, members: list[RoomMember]) -> None:
        self.members_model.set_members(members)
        self.mention_names.setStringList([m.name for m in self.members_model.members()])
        self.model.names_changed()
        self.view.scheduleDelayedItemsLayout()
        self._update_members_label()
        self._update_header()

    def _mention_member(self, index: QModelIndex) -> None:
        name = str(index.data() or "")
        if name:
            self.input.insertPlainText(f"@{name} ")
            self.input.setFocus()

    # -- @mention completion ---------------------------------------------------------

    def _mention_prefix(self) -> str | None:
        """The text typed after an "@" right before the cursor (None when not mentioning)."""
        cursor = self.input.textCursor()
        before = self.input.toPlainText()[: cursor.position()]
        found = re.search(r"@([^\s@]*)$", before)
        return found.group(1) if found else None

    def _maybe_complete(self) -> None:
        prefix = self._mention_prefix()
        popup = self.completer.popup()
        assert popup is not None  # a QCompleter always has one
        if prefix is None or not self.mention_names.rowCount():
            popup.hide()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0:
            popup.hide()
            return
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.input.cursorRect()
        rect.setWidth(max(160, popup.sizeHintForColumn(0) + 24))
        self.completer.complete(rect)

    def insert_mention(self, name: str) -> None:
        """Replace the "@prefix" before the cursor by "@name "."""
        prefix = self._mention_prefix()
        if prefix is None:
            return
        cursor = self.input.textCursor()
        cursor.movePosition(cursor.MoveOperation.Left, cursor.MoveMode.KeepAnchor, len(prefix) + 1)
        cursor.insertText(f"@{name} ")
        self.input.setTextCursor(cursor)
        popup = self.completer.popup()
        if popup is not None:
            popup.hide()

    # -- the rule and the actions ------------------------------------------------------

    def _rule_chosen(self, row: int) -> None:
        self.rule = list(NotifyRule)[row]
        self.ruleChanged.emit(self.conversation, self.rule)

    def invite(self) -> None:
        if self._choose_buddies is None:
            return
        present = [m.uin for m in self.members_model.members()]
        chosen = self._choose_buddies(self, present)
        if not chosen:
            return

        def done(added: list[int]) -> None:
            self.reload_members()
            if added:
                names = "、".join(self._buddy_name(u) for u in added)
                self.add_system(self.tr("You invited {names}").format(names=names))

        spawn(self.session.invite(self.conversation, chosen), on_done=done, on_error=self._failed)

    def ask_card(self) -> None:
        me = self.members_model.member(self.session.uin)
        card, ok = QInputDialog.getText(
            self,
            self.tr("My card in {name}").format(name=self.nick),
            self.tr("The name members see for you here (empty: your nickname):"),
            QLineEdit.EchoMode.Normal,
            me.card if me is not None else "",
        )
        if ok:
            self.set_card(card.strip())

    def set_card(self, card: str) -> None:
        spawn(
            self.session.set_card(self.conversation, card),
            on_done=lambda _: self.reload_members(),
            on_error=self._failed,
        )

    def confirm_leave(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Leave"),
            self.tr("Leave {name}? You will no longer get its messages.").format(name=self.nick),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Leave"))
        box.accepted.connect(self.leave)
        box.open()

    def leave(self) -> None:
        def done(_: Any) -> None:
            self.left.emit(self.conversation)
            self.close_chat()

        spawn(self.session.leave(self.conversation), on_done=done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.add_system(describe_error(exc))
