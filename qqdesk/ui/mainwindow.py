"""The main window: own face and status, the buddy list, and everything that opens from it."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.client.events import (
    AddRequestReceived,
    BuddyStatusChanged,
    ConnectionState,
    ConnectionStateChanged,
    MessageReceived,
    MessageStateChanged,
    RequestApproved,
    RequestRefused,
    RoomsAvailability,
    RoomsChanged,
    Trouble,
    WebLoginWaiting,
)
from qqdesk.client.types import Buddy
from qqdesk.core import Conversation, ConversationKind, Presence, Profile

from . import icons
from .bridge import SessionBridge
from .chat import ChatManager
from .contacts_menu import ContactsEditor
from .delegates import BuddyDelegate
from .drafts import DraftKeeper
from .errors import describe_error
from .idle import DEFAULT_MINUTES, AutoAway
from .models import BuddyFilterProxyModel, BuddyTreeModel, GroupKind, Roles
from .notifications import Notifier
from .qtcompat import forget_module_sources
from .roomchat import NotifyRule, RoomChatWindow, mentions
from .tasks import spawn
from .toplevel import TopLevelWindow
from .tray import Tray
from .widgets import Banner, ElidedLabel, StatusSelector

if TYPE_CHECKING:
    # The dialogs and the search window load when first opened: not at start-up.
    from .dialogs import (
        ChooseBuddiesDialog,
        RequestsDialog,
        WebLoginDialog,
        WebLoginNotice,
    )
    from .dialogs.own_profile import OwnProfileDialog
    from .history_search import HistorySearchWindow

log = logging.getLogger(__name__)

# How long a stranger's message notice waits for their nickname before it shows.
STRANGER_LOOKUP_SECONDS = 3.0


class MainWindow(TopLevelWindow):
    """Own face, nick and status on top, the buddy tree below; chats open from here."""

    #: my own face, nickname or status changed (the account switcher shows them)
    accountChanged = Signal()

    def __init__(
        self,
        session: ChatSession,
        bridge: SessionBridge | None = None,
        settings: Any | None = None,
        parent: QWidget | None = None,
        *,
        use_tray: bool | None = None,
        use_dbus: bool = True,
    ) -> None:
        super().__init__(settings, parent)
        self.session = session
        self.own_uin = session.uin
        self.own_nick = session.nick
        self.own_face = session.face
        self.bridge = bridge if bridge is not None else SessionBridge(session, self)
        self.model = BuddyTreeModel(self)
        self.proxy = BuddyFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.chats = ChatManager(
            session,
            own_uin=self.own_uin,
            history=session.history,
            buddy_info=self._buddy_info,
            parent=self,
        )
        self.chats.chatActivated.connect(self._chat_activated)
        self.drafts: DraftKeeper | None = None
        if settings is not None:
            self.drafts = DraftKeeper(settings, self.own_uin, self)
            self.chats.chatCreated.connect(self.drafts.attach)
        self.chats.room_factory = self._make_room_chat
        self.chats.roomActivated.connect(self._room_activated)
        # Notices about rooms carry negative stand-in numbers (the notifier speaks uins).
        self._room_notices: dict[int, Conversation] = {}
        self._web_notices: dict[str, WebLoginNotice] = {}
        #: Notification rules when there are no settings to keep them in.
        self._rules_here: dict[str, str] = {}
        #: Senders' names (card or nickname) per room, for notices while its chat is closed.
        self._member_names: dict[Conversation, dict[int, str]] = {}
        self._dialogs: list[QWidget] = []
        # My own status is Offline: buddies show offline and their changes wait.
        self._offline = False

        self.setWindowTitle(self.tr("qqdesk"))
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(280, 420)
        self.resize(320, 640)
        self._build_menus()
        self._build_body()

        if use_tray is None:
            use_tray = Tray.available()
        if use_tray:
            self.tray = Tray(self)
            self.tray.openRequested.connect(self.bring_to_front)
            self.tray.quitRequested.connect(self.request_quit)
            self.tray.statusRequested.connect(self.choose_status)
            self.tray.doNotDisturbToggled.connect(self.set_do_not_disturb)
            self.model.unreadChanged.connect(self.tray.set_unread)
            self.tray.set_status(Presence.ONLINE)
            self.tray.show()
        self.notifier = Notifier(
            self.tray.icon if self.tray else None, self._in_app_notice, self, use_dbus=use_dbus
        )
        self.notifier.chatRequested.connect(self.open_chat)
        self.notifier.replyRequested.connect(self.reply_from_notification)
        self._do_not_disturb = False
        self.model.unreadChanged.connect(self._update_title)

        # Signed out (the session stopped): auto-away must not sign in again.
        self._signed_out = False
        self.auto_away = AutoAway(
            self._auto_away_minutes,
            self.status_selector.status,
            self._change_status,
            self._may_change_status,
            self,
            use_dbus=use_dbus,
        )
        self._connect_bridge()
        self._apply_settings()
        self.update_requests()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusWindowChanged.connect(self._focus_changed)
        if settings is not None and hasattr(settings, "subscribe"):
            self._unsubscribe = settings.subscribe(self._setting_changed)
            self.destroyed.connect(lambda *_: self._unsubscribe())

    # -- building ------------------------------------------------------------------

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&qqdesk"))
        self.app_menu = menu
        self.add_friend_action = QAction(self.tr("&Add friend…"), self)
        self.add_friend_action.setShortcut(QKeySequence("Ctrl+N"))
        self.add_friend_action.triggered.connect(self.show_add_friend)
        # Requests closed with Esc or Later wait here; the count says how many are open.
        self.requests_action = QAction(self)
        self.requests_action.triggered.connect(self.show_requests)
        self.requests_dialog: RequestsDialog | None = None
        # Sent requests when there are no settings to keep them in: number -> nickname.
        self._sent_here: dict[int, str] = {}
        self.search_action = QAction(self.tr("Search all &messages…"), self)
        self.search_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.search_action.triggered.connect(self.show_search)
        self.search_window: HistorySearchWindow | None = None
        self.dnd_action = QAction(self.tr("&Do not disturb"), self)
        self.dnd_action.setCheckable(True)
        self.dnd_action.toggled.connect(self.set_do_not_disturb)
        self.own_profile_action = QAction(self.tr("My &profile…"), self)
        self.own_profile_action.triggered.connect(self.show_own_profile)
        self.own_profile_dialog: OwnProfileDialog | None = None
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.show_settings)
        self.new_group_action = QAction(self.tr("New &group…"), self)
        self.new_group_action.triggered.connect(lambda: self.show_create_room(True))
        self.new_discussion_action = QAction(self.tr("New &discussion…"), self)
        self.new_discussion_action.triggered.connect(lambda: self.show_create_room(False))
        self.web_login_action = QAction(self.tr("Approve a &web sign-in…"), self)
        self.web_login_action.triggered.connect(self.show_web_login)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.request_quit)
        menu.addAction(self.add_friend_action)
        menu.addAction(self.requests_action)
        menu.addAction(self.search_action)
        menu.addAction(self.dnd_action)
        menu.addSeparator()
        menu.addAction(self.new_group_action)
        menu.addAction(self.new_discussion_action)
        menu.addAction(self.web_login_action)
        menu.addSeparator()
        menu.addAction(self.own_profile_action)
        menu.addAction(self.settings_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)

    def _build_body(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.reconnect_banner = Banner("warning")
        self.reconnect_banner.setObjectName("reconnectBanner")
        self.notice_banner = Banner("info")
        self.notice_banner.setObjectName("noticeBanner")
        self.notice_banner.actionClicked.connect(self._notice_clicked)
        self._notice_uin: int | None = None

        header = QWidget()
        header.setObjectName("header")
        head = QHBoxLayout(header)
        head.setContentsMargins(10, 10, 10, 6)
        self.face_label = QLabel()
        self.face_label.setFixedSize(48, 48)
        self.nick_label = ElidedLabel()
        font = self.nick_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.nick_label.setFont(font)
        self.number_label = QLabel()
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_selector = StatusSelector()
        self.status_selector.setToolTip(self.tr("Your status, as your friends see it"))
        self.status_selector.statusChosen.connect(self.choose_status)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.nick_label)
        texts.addWidget(self.number_label)
        # My face and nickname open my profile (as in QQ).
        for widget in (self.face_label, self.nick_label):
            widget.setCursor(Qt.CursorShape.PointingHandCursor)
            widget.installEventFilter(self)
        head.addWidget(self.face_label)
        head.addLayout(texts, 1)
        head.addWidget(self.status_selector, 0, Qt.AlignmentFlag.AlignTop)

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("buddyFilter")
        self.filter_edit.setPlaceholderText(self._filter_hint())
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_changed)
        self.filter_edit.returnPressed.connect(self.open_first_match)
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(8, 2, 8, 6)
        filter_row.addWidget(self.filter_edit)

        self.tree = QTreeView()
        self.tree.setObjectName("buddyTree")
        self.tree.setModel(self.proxy)
        self.tree.setItemDelegate(BuddyDelegate(self.tree))
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setIndentation(12)
        self.tree.setAnimated(False)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # a friend dragged onto a category's header moves there (ContactsEditor)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDropIndicatorShown(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._buddy_menu)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.activated.connect(self._double_clicked)
        self.proxy.modelReset.connect(self._expand_sections)
        self.proxy.rowsInserted.connect(lambda parent, *_: self.tree.expand(parent))
        self.proxy.layoutChanged.connect(self._expand_sections)
        self._expand_sections()
        self.contacts_editor = ContactsEditor(self.session, self.model, self, self._show_error)

        tools = QHBoxLayout()
        tools.setContentsMargins(6, 4, 6, 6)
        for action in (self.add_friend_action, self.settings_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAutoRaise(True)
            tools.addWidget(button)
        tools.addStretch(1)

        layout.addWidget(self.reconnect_banner)
        layout.addWidget(header)
        layout.addLayout(filter_row)
        layout.addWidget(self.notice_banner)
        layout.addWidget(self.tree, 1)
        layout.addLayout(tools)
        self.setCentralWidget(central)
        self._update_header()

    def retranslate(self) -> None:
        """Every text of the window (and of the tray and buddy list) in the new language."""
        self.app_menu.setTitle(self.tr("&qqdesk"))
        self.add_friend_action.setText(self.tr("&Add friend…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.own_profile_action.setText(self.tr("My &profile…"))
        self.search_action.setText(self.tr("Search all &messages…"))
        self.dnd_action.setText(self.tr("&Do not disturb"))
        self.quit_action.setText(self.tr("&Quit"))
        self.new_group_action.setText(self.tr("New &group…"))
        self.new_discussion_action.setText(self.tr("New &discussion…"))
        self.web_login_action.setText(self.tr("Approve a &web sign-in…"))
        self.status_selector.setToolTip(self.tr("Your status, as your friends see it"))
        self.filter_edit.setPlaceholderText(self._filter_hint())
        self.model.retranslate()
        self.update_requests()
        if self.tray is not None:
            self.tray.retranslate()
        self._update_header()

    def _filter_hint(self) -> str:
        if self.model.rooms_shown:
            return self.tr("Search friends and groups by name or number")
        return self.tr("Search friends by name or number")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched in (self.face_label, self.nick_label)
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self.show_own_profile()
            return True
        return super().eventFilter(watched, event)

    def show_own_profile(self) -> OwnProfileDialog:
        """My profile editor (one at a time); a save shows here at once."""
        if self.own_profile_dialog is None:
            from .dialogs.own_profile import OwnProfileDialog

            dialog = OwnProfileDialog(self.session, self)
            dialog.saved.connect(self._own_profile_saved)
            dialog.destroyed.connect(lambda *_: setattr(self, "own_profile_dialog", None))
            self.own_profile_dialog = dialog
        self.own_profile_dialog.show()
        self.own_profile_dialog.raise_()
        self.own_profile_dialog.activateWindow()
        return self.own_profile_dialog

    def _own_profile_saved(self, profile: Profile) -> None:
        self.own_nick, self.own_face = profile.nick, profile.face
        self._update_header()

    def _expand_sections(self, *_: Any) -> None:
        """Open every section of the tree. Only sections have children: expandAll would
        also visit (and remember as open) each of 10,000 buddy rows, about 0.4 s each time
        a row moves."""
        for row in range(self.proxy.rowCount()):
            self.tree.expand(self.proxy.index(row, 0))

    def _update_header(self) -> None:
        nick = self.own_nick or str(self.own_uin)
        self.nick_label.setText(nick)
        self.face_label.setToolTip(self.tr("Your profile: click to edit it"))
        self.number_label.setText(self.tr("Number: {uin}").format(uin=self.own_uin))
        self.face_label.setPixmap(
            icons.face_picture(
                self.own_face,
                48,
                nick,
                status=self.status_selector.status(),
                ratio=self.devicePixelRatioF(),
            )
        )
        self._update_title()
        self.accountChanged.emit()

    def _update_title(self, *_: Any) -> None:
        nick = self.own_nick or str(self.own_uin)
        unread = self.model.total_unread()
        title = f"{nick} — qqdesk" if nick else "qqdesk"
        self.setWindowTitle(f"({unread}) {title}" if unread else title)

    # -- settings ------------------------------------------------------------------

    def _setting(self, name: str, default: Any) -> Any:
        if self.settings is None:
            return default
        return getattr(self.settings, name, default)

    def _apply_settings(self) -> None:
        self.chats.chats_in_tabs = bool(self._setting("chats_in_tabs", False))
        self.chats.set_send_with_ctrl_enter(bool(self._setting("send_with_ctrl_enter", False)))
        self.notifier.enabled = bool(self._setting("notifications", True))
        self.notifier.sounds = bool(self._setting("sounds", True))
        if self.settings is not None:
            self._show_do_not_disturb(bool(self._setting("do_not_disturb", False)))

    def set_do_not_disturb(self, on: bool) -> None:
        """Do not disturb on or off (menu, tray): no popups, no sounds; kept in settings."""
        self._show_do_not_disturb(on)
        if self.settings is not None and getattr(self.settings, "do_not_disturb", on) != on:
            self.settings.do_not_disturb = on
            self._save_settings()

    def _show_do_not_disturb(self, on: bool) -> None:
        self._do_not_disturb = on
        self.notifier.do_not_disturb = on
        blocked = self.dnd_action.blockSignals(True)
        self.dnd_action.setChecked(on)
        self.dnd_action.blockSignals(blocked)
        if self.tray is not None:
            self.tray.set_do_not_disturb(on)

    def _setting_changed(self, name: str) -> None:
        self._apply_settings()

    # -- loading -------------------------------------------------------------------

    def start(self) -> None:
        """Connect to the session's events and load the buddy list."""
        # Everything a signed-in app needs is imported by now: before the buddy list
        # comes in, let go of the sources PySide6's import hook read.
        forget_module_sources()
        self.bridge.start()
        self.bridge.flush()
        # The list of the last run at once, everyone offline until the server says.
        self.model.set_categories(self.session.cached_categories())
        self._show_buddies(
            [dataclasses.replace(b, status=Presence.OFFLINE) for b in self.session.cached_buddies()]
        )
        spawn(self.reload_buddies(), on_error=self._show_error)
        spawn(self._load_own_profile(), on_error=lambda exc: log.info("own profile: %s", exc))
        self.set_rooms_available(self.session.rooms_available)

    # -- groups and discussions --------------------------------------------------------

    def set_rooms_available(self, available: bool) -> None:
        """Show the Groups and Discussions sections and their actions, or hide them
        (a classic-only server has none)."""
        self.model.set_rooms_shown(available)
        for action in (self.new_group_action, self.new_discussion_action, self.web_login_action):
            action.setVisible(available)
        self.filter_edit.setPlaceholderText(self._filter_hint())
        if available:
            spawn(self.reload_rooms(), on_error=lambda exc: log.info("rooms: %s", exc))
        self._expand_sections()

    async def reload_rooms(self) -> None:
        """List my groups and discussions again (names in open room windows too)."""
        rooms = await self.session.rooms()
        self.model.set_rooms(rooms)
        self._expand_sections()
        for room in rooms:
            chat = self.chats.room_chat(room.conversation)
            if isinstance(chat, RoomChatWindow):
                chat.set_name(room.name)

    def _rule_key(self, conversation: Conversation) -> str:
        return f"{self.own_uin}:{conversation.key}"

    def notify_rule(self, conversation: Conversation) -> NotifyRule:
        """When ``conversation`` notifies me (kept in the settings across runs)."""
        kept: dict[str, str] = self._setting("room_notifications", self._rules_here)
        try:
            return NotifyRule(kept.get(self._rule_key(conversation), NotifyRule.ALL.value))
        except ValueError:
            return NotifyRule.ALL

    def set_notify_rule(self, conversation: Conversation, rule: NotifyRule) -> None:
        kept = dict(self._setting("room_notifications", self._rules_here))
        if rule is NotifyRule.ALL:
            kept.pop(self._rule_key(conversation), None)
        else:
            kept[self._rule_key(conversation)] = rule.value
        if self.settings is None:
            self._rules_here = kept
        else:
            self.settings.room_notifications = kept
            self._save_settings()
        chat = self.chats.room_chat(conversation)
        if isinstance(chat, RoomChatWindow) and chat.rule is not rule:
            chat.rule_box.setCurrentIndex(list(NotifyRule).index(rule))

    def _room_name(self, conversation: Conversation) -> str:
        room = self.model.room_item(conversation)
        return room.name if room is not None and room.name else str(conversation.number)

    def _make_room_chat(self, conversation: Conversation) -> RoomChatWindow:
        chat = RoomChatWindow(
            self.session,
            conversation,
            self._room_name(conversation),
            history=self.session.history,
            own_uin=self.own_uin,
            rule=self.notify_rule(conversation),
            buddy_name=lambda uin: self._buddy_info(uin)[0],
            buddy_face=lambda uin: self._buddy_info(uin)[1],
            choose_buddies=self._choose_to_invite,
        )
        chat.ruleChanged.connect(self.set_notify_rule)
        chat.left.connect(self._left_room)
        return chat

    def open_room(self, conversation: Conversation) -> RoomChatWindow:
        chat = self.chats.open_room(conversation)
        assert isinstance(chat, RoomChatWindow)
        return chat

    def _room_activated(self, conversation: Conversation) -> None:
        self._focus_changed()
        self.model.set_room_unread(conversation, 0)
        if (
            self._notice_uin is not None
            and self._room_notices.get(self._notice_uin) == conversation
        ):
            self.notice_banner.hide()

    def _left_room(self, conversation: Conversation) -> None:
        spawn(self.reload_rooms(), on_error=self._show_error)

    def _friends_to_choose(self) -> list[tuple[int, str]]:
        friends = self.model.friends()
        return [(b.uin, b.name) for b in friends if b.uin != self.own_uin]

    def _choose_to_invite(self, parent: QWidget, present: list[int]) -> list[int] | None:
        from .dialogs import ChooseBuddiesDialog

        dialog = ChooseBuddiesDialog(
            self.tr("Invite friends"),
            [(uin, name) for uin, name in self._friends_to_choose() if uin not in present],
            ask_name=False,
            parent=parent,
        )
        if dialog.exec() != ChooseBuddiesDialog.DialogCode.Accepted:
            return None
        return dialog.chosen()

    def create_room_dialog(self, group: bool) -> ChooseBuddiesDialog:
        """The dialog that makes a group (or a discussion) of chosen friends."""
        from .dialogs import ChooseBuddiesDialog

        dialog = ChooseBuddiesDialog(
            self.tr("New group") if group else self.tr("New discussion"),
            self._friends_to_choose(),
            ask_name=True,
            name_label=self.tr("Group name:") if group else self.tr("Discussion name:"),
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self.create_room(group, dialog.name(), dialog.chosen()))
        return dialog

    def show_create_room(self, group: bool) -> None:
        self.create_room_dialog(group).show()

    def create_room(self, group: bool, name: str, members: list[int]) -> None:
        make = self.session.create_group if group else self.session.create_discussion

        def done(conversation: Conversation) -> None:
            def opened(_: Any) -> None:
                self.open_room(conversation)

            spawn(self.reload_rooms(), on_done=opened, on_error=self._show_error)

        spawn(make(name, members), on_done=done, on_error=self._show_error)

    def show_web_login(self) -> WebLoginDialog:
        from .dialogs import WebLoginDialog

        dialog = WebLoginDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        return dialog

    def on_web_login(self, event: WebLoginWaiting) -> None:
        """A QR sign-in waits: ask me (nothing is approved without me)."""
        if event.code in self._web_notices:
            return
        from .dialogs import WebLoginNotice

        notice = WebLoginNotice(self.session, event.code, self)  # it deletes itself
        self._web_notices[event.code] = notice
        notice.finished.connect(lambda _r, code=event.code: self._web_notices.pop(code, None))
        notice.open()
        self.notifier.notify_without_sound(
            0, self.tr("Web sign-in waiting"), self.tr("Code {code}").format(code=event.code)
        )

    def on_rooms_changed(self, event: RoomsChanged) -> None:
        spawn(self.reload_rooms(), on_error=lambda exc: log.info("rooms: %s", exc))
        if event.conversation is not None:
            chat = self.chats.room_chat(event.conversation)
            if isinstance(chat, RoomChatWindow):
                chat.reload_members()

    def on_rooms_availability(self, event: RoomsAvailability) -> None:
        if self.model.rooms_shown and not event.available and event.reason:
            self.notice_banner.show_message(
                self.tr(
                    "Groups and discussions are closed here: your account signed in on the"
                    " web elsewhere. Sign in again to get them back."
                ),
                kind="warning",
            )
        self.set_rooms_available(event.available)

    def on_room_message(self, event: MessageReceived) -> None:
        conversation = event.conversation
        if self.model.room_item(conversation) is None:
            # A room I was just added to: list them again (the message still shows).
            spawn(self.reload_rooms(), on_error=lambda exc: log.info("rooms: %s", exc))
        chat = self.chats.room_chat(conversation)
        if chat is not None:
            chat.add_incoming(event.content, event.time, event.local_id, event.sender)
            if chat.is_in_front():
                return
        self.model.add_room_unread(conversation)
        if event.sender == self.own_uin:
            return
        rule = self.notify_rule(conversation)
        if rule is NotifyRule.MUTED:
            return
        if rule is NotifyRule.MENTIONS and not mentions(event.text, self._my_names(conversation)):
            return
        names = self._member_names.get(conversation)
        known = names is not None and event.sender in names
        if isinstance(chat, RoomChatWindow) or known or event.sender in self.model:
            self._notify_room(event)
            return
        # Name the sender: the members (cards, nicknames) once, then the notice.
        lookup = spawn(self._load_member_names(conversation), on_error=lambda exc: None)
        lookup.add_done_callback(lambda _task: self._notify_room(event))

    async def _load_member_names(self, conversation: Conversation) -> None:
        async with asyncio.timeout(STRANGER_LOOKUP_SECONDS):
            members = await self.session.members(conversation)
        self._member_names[conversation] = {m.uin: m.name for m in members}

    def _notify_room(self, event: MessageReceived) -> None:
        conversation = event.conversation
        chat = self.chats.room_chat(conversation)
        if isinstance(chat, RoomChatWindow):
            sender = chat.sender_name(event.sender)
        else:
            known = self._member_names.get(conversation, {}).get(event.sender)
            sender = known or self._buddy_info(event.sender)[0]
        key = -(len(self._room_notices) + 1)
        for known_key, room in self._room_notices.items():
            if room == conversation:
                key = known_key
        self._room_notices[key] = conversation
        self.notifier.notify(
            key,
            self.tr("{sender} in {room}").format(sender=sender, room=self._room_name(conversation)),
            event.text,
        )

    def _my_names(self, conversation: Conversation) -> list[str]:
        chat = self.chats.room_chat(conversation)
        if isinstance(chat, RoomChatWindow):
            return chat.my_names()
        return [n for n in (self.own_nick, str(self.own_uin)) if n]

    async def reload_buddies(self) -> None:
        """Ask the server for the list; a long first one shows before its nicknames."""
        buddies = list(await self.session.buddies(partial=self._show_buddies))
        self.model.set_categories(await self.session.categories())
        self._show_buddies(buddies)

    def _show_buddies(self, buddies: list[Buddy]) -> None:
        if self._offline:
            buddies = [dataclasses.replace(b, status=Presence.OFFLINE) for b in buddies]
        self.model.set_buddies(buddies)
        for buddy in buddies:
            chat = self.chats.chat(buddy.uin)
            if chat is not None:
                chat.set_status(buddy.status)
        # (set_buddies resets the model: the proxy's modelReset has opened the sections)

    async def _load_own_profile(self) -> None:
        if self.own_nick and self.own_face:
            return
        profile = await self.session.profile(self.own_uin, 1)
        self.own_nick = self.own_nick or profile.nick
        self.own_face = profile.face or self.own_face
        self._update_header()

    def _buddy_info(self, uin: int) -> tuple[str, int, Presence]:
        buddy = self.model.buddy_item(uin)
        if buddy is None:
            return (str(uin), 0, Presence.OFFLINE)
        return (buddy.nick or str(uin), buddy.face, buddy.status)

    # -- events from the session -----------------------------------------------------

    def _connect_bridge(self) -> None:
        b = self.bridge
        b.messageReceived.connect(self.on_message)
        b.buddyStatusChanged.connect(self.on_buddy_status)
        b.addRequestReceived.connect(self.on_add_request)
        b.requestApproved.connect(self.on_request_approved)
        b.requestRefused.connect(self.on_request_refused)
        b.connectionStateChanged.connect(self.on_connection_state)
        b.messageStateChanged.connect(self.on_message_state)
        b.webLoginWaiting.connect(self.on_web_login)
        b.roomsChanged.connect(self.on_rooms_changed)
        b.roomsAvailability.connect(self.on_rooms_availability)

    def on_message(self, event: MessageReceived) -> None:
        if not event.conversation.is_buddy:
            self.on_room_message(event)
            return
        sender, text, when, local_id = event.sender, event.text, event.time, event.local_id
        lookup: asyncio.Task[None] | None = None
        if sender not in self.model:
            # They just wrote, so they are online (unless I am not, and cannot know).
            status = Presence.OFFLINE if self._offline else Presence.ONLINE
            self.model.add_buddy(sender, str(sender), status=status, kind=GroupKind.STRANGERS)
            lookup = spawn(self._fill_in_stranger(sender), on_error=lambda exc: None)
        chat = self.chats.chat(sender)
        if chat is not None:
            chat.add_incoming(event.content, when, local_id)
            if chat.is_in_front():
                return
        self.model.add_unread(sender)
        if lookup is None:
            self._notify_message(sender, text)
        else:
            # A stranger's notice waits (briefly) for their nickname, so it names them.
            lookup.add_done_callback(lambda _task: self._notify_message(sender, text))

    def _notify_message(self, sender: int, text: str) -> None:
        nick, _face, _status = self._buddy_info(sender)
        self.notifier.notify(sender, self.tr("Message from {name}").format(name=nick), text)

    async def _fill_in_stranger(self, uin: int) -> None:
        async with asyncio.timeout(STRANGER_LOOKUP_SECONDS):
            profile = await self.session.profile(uin, 1)
        if uin in self.model:
            self.model.update_buddy(uin, nick=profile.nick or str(uin), face=profile.face)
            chat = self.chats.chat(uin)
            if chat is not None:
                chat.set_buddy(profile.nick, profile.face)

    def on_buddy_status(self, event: BuddyStatusChanged) -> None:
        uin, status = event.uin, event.status
        if self._offline:
            return
        for room_chat in self.chats.room_chats():
            if isinstance(room_chat, RoomChatWindow):
                room_chat.set_member_status(uin, status)
        if not self.model.set_status(uin, status):
            return
        chat = self.chats.chat(uin)
        if chat is not None:
            chat.set_status(status)
            self.chats.update_tab(chat)

    def on_add_request(self, event: AddRequestReceived) -> None:
        uin, reason = event.uin, event.reason
        if uin == self.session.uin:
            # Approving it would make me my own friend; a server that lets it through errs.
            log.warning("ignored a friend request from my own number")
            return
        self.update_requests()
        if self._do_not_disturb:
            # No window pops up now: the request waits in Friend requests (counted there).
            return
        from .dialogs import IncomingRequestDialog

        dialog = IncomingRequestDialog(self.session, uin, reason, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.answered.connect(self._request_answered)
        dialog.show()
        self.notifier.notify(uin, self.tr("Friend request"), reason or str(uin))

    def on_request_approved(self, event: RequestApproved) -> None:
        uin = event.uin
        self._forget_sent(uin)
        spawn(self.reload_buddies(), on_error=self._show_error)

        def tell(name: str) -> None:
            self.notice_banner.show_message(
                self.tr("{name} accepted your friend request.").format(name=name), kind="info"
            )

        spawn(self._name_of(uin), on_done=tell, on_error=lambda _exc: tell(str(uin)))

    def on_request_refused(self, event: RequestRefused) -> None:
        uin, reason = event.uin, event.reason
        self._forget_sent(uin)

        def tell(name: str) -> None:
            text = self.tr("{name} declined your friend request.").format(name=name)
            if reason:
                text += " " + self.tr("Reason: {reason}").format(reason=reason)
            self.notice_banner.show_message(text, kind="warning")

        spawn(self._name_of(uin), on_done=tell, on_error=lambda _exc: tell(str(uin)))

    async def _name_of(self, uin: int) -> str:
        """ "Nick (number)" from the list, else from the server; the number if neither knows."""
        nick, _face, _status = self._buddy_info(uin)
        if nick == str(uin):
            async with asyncio.timeout(STRANGER_LOOKUP_SECONDS):
                nick = (await self.session.profile(uin, 1)).nick or nick
        return nick if nick == str(uin) else f"{nick} ({uin})"

    def on_connection_state(self, event: ConnectionStateChanged) -> None:
        state, detail, trouble = event.state, event.detail, event.trouble
        if state is ConnectionState.RECONNECTING and trouble is Trouble.STORAGE:
            self.reconnect_banner.show_message(
                self.tr(
                    "Cannot save messages: the disk may be full. New messages wait on "
                    "the server until there is room again."
                ),
                kind="error",
                closable=False,
            )
        elif state is ConnectionState.RECONNECTING:
            self.reconnect_banner.show_message(
                self.tr("Connection lost — reconnecting…"), kind="warning", closable=False
            )
        elif state is ConnectionState.CONNECTED:
            self._signed_out = False
            was_lost = self.reconnect_banner.isVisible()
            self.reconnect_banner.hide()
            if was_lost:
                spawn(self.reload_buddies(), on_error=self._show_error)
                if self.model.rooms_shown:
                    spawn(self.reload_rooms(), on_error=lambda exc: log.info("rooms: %s", exc))
        elif state is ConnectionState.STOPPED:
            self._signed_out = True
            text = self.tr("You are signed out.")
            if detail:
                text += " " + detail
            self.reconnect_banner.show_message(text, kind="error", closable=False)

    def on_message_state(self, event: MessageStateChanged) -> None:
        if not event.conversation.is_buddy:
            chat = self.chats.room_chat(event.conversation)
        else:
            chat = self.chats.chat(event.peer)
        if chat is not None:
            chat.set_delivery_state(event.local_id, event.state)

    # -- actions -------------------------------------------------------------------

    def _auto_away_minutes(self) -> int:
        return int(self._setting("auto_away_minutes", DEFAULT_MINUTES))

    def _may_change_status(self) -> bool:
        return not self._signed_out and not self._quitting

    def choose_status(self, status: Presence) -> None:
        """The user picked a status (selector or tray): theirs until they pick another."""
        self.auto_away.chosen_by_hand()
        self._change_status(status)

    def _change_status(self, status: Presence) -> None:
        """Tell the server ``status``, show the result (by hand, or by auto-away)."""
        previous = self.status_selector.status()
        self.status_selector.set_status(status)
        if self.tray is not None:
            self.tray.set_status(status)
        self._update_header()

        def failed(exc: BaseException) -> None:
            self.status_selector.set_status(previous)
            if self.tray is not None:
                self.tray.set_status(previous)
            self._update_header()
            self._set_offline(previous is Presence.OFFLINE)
            self._show_error(exc)

        spawn(self.session.set_status(status), on_error=failed)
        self._set_offline(status is Presence.OFFLINE)

    def _set_offline(self, offline: bool) -> None:
        if offline == self._offline:
            return
        self._offline = offline
        if offline:
            self.model.set_everyone_offline()
        else:
            # Back: what changed meanwhile comes with the list.
            spawn(self.reload_buddies(), on_error=self._show_error)

    def open_chat(self, uin: int) -> None:
        room = self._room_notices.get(int(uin))
        if room is not None:
            self.open_room(room)
            return
        if int(uin) <= 0:
            return  # a notice about no chat (a web sign-in)
        self.chats.open_chat(int(uin))

    def reply_from_notification(self, uin: int, text: str) -> None:
        """Text typed in a notification's reply field: sent as from the chat."""
        chat = self.chats.chat(int(uin))
        if chat is not None:
            chat.send_text(text)
        else:
            spawn(self.session.send_message(int(uin), text), on_error=self._show_error)
        # Answering is reading.
        self.model.set_unread(int(uin), 0)

    def _focus_changed(self, *_: Any) -> None:
        # The session polls fast while the user is in a conversation (short polling).
        chats = [*self.chats.chats(), *self.chats.room_chats()]
        self.session.set_active(any(chat.is_in_front() for chat in chats))

    def _chat_activated(self, uin: int) -> None:
        self._focus_changed()
        buddy = self.model.buddy_item(int(uin))
        chat = self.chats.chat(int(uin))
        if buddy is not None and buddy.unread and chat is not None:
            # What came while the chat was away starts under a "new messages" line.
            chat.unread.mark(buddy.unread)
        self.model.set_unread(int(uin), 0)
        if self._notice_uin == uin:
            self.notice_banner.hide()

    def _selected_uin(self, index: QModelIndex) -> int | None:
        if not index.isValid() or index.data(Roles.IS_GROUP) or index.data(Roles.IS_ROOM):
            return None
        return int(index.data(Roles.UIN))

    def _selected_room(self, index: QModelIndex) -> Conversation | None:
        if not index.isValid() or not index.data(Roles.IS_ROOM):
            return None
        conversation = index.data(Roles.CONVERSATION)
        return conversation if isinstance(conversation, Conversation) else None

    def _double_clicked(self, index: QModelIndex) -> None:
        room = self._selected_room(index)
        if room is not None:
            self.open_room(room)
            return
        uin = self._selected_uin(index)
        if uin is not None:
            self.open_chat(uin)

    def _buddy_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        room = self._selected_room(index)
        if room is not None:
            self.room_menu(room).popup(self.tree.viewport().mapToGlobal(pos))
            return
        category = index.data(Roles.CATEGORY) if index.data(Roles.IS_GROUP) else None
        if category is not None:
            menu = self.contacts_editor.category_menu(int(category))
            menu.popup(self.tree.viewport().mapToGlobal(pos))
            return
        uin = self._selected_uin(index)
        if uin is None:
            return
        menu = self.buddy_menu(uin)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def room_menu(self, conversation: Conversation) -> QMenu:
        """Open, the notification rule, Leave — for a group or discussion."""
        menu = QMenu(self)
        chat = menu.addAction(self.tr("&Open"))
        chat.triggered.connect(lambda: self.open_room(conversation))
        menu.setDefaultAction(chat)
        rules = menu.addMenu(self.tr("&Notifications"))
        current = self.notify_rule(conversation)
        words = {
            NotifyRule.ALL: self.tr("Every message"),
            NotifyRule.MENTIONS: self.tr("Only @mentions"),
            NotifyRule.MUTED: self.tr("Never (muted)"),
        }
        for rule in NotifyRule:
            action = rules.addAction(words[rule])
            action.setCheckable(True)
            action.setChecked(rule is current)
            action.triggered.connect(
                lambda _checked=False, r=rule: self.set_notify_rule(conversation, r)
            )
        menu.addSeparator()
        leave = menu.addAction(self.tr("&Leave…"))
        leave.triggered.connect(lambda: self.open_room(conversation).confirm_leave())
        return menu

    def buddy_menu(self, uin: int) -> QMenu:
        """Chat, View profile, Mark as (un)read, Remove — for the buddy ``uin``."""
        menu = QMenu(self)
        chat = menu.addAction(self.tr("&Chat"))
        chat.triggered.connect(lambda: self.open_chat(uin))
        menu.setDefaultAction(chat)
        profile = menu.addAction(self.tr("View &profile"))
        profile.triggered.connect(lambda: self.show_profile(uin))
        buddy = self.model.buddy_item(uin)
        if buddy is not None and buddy.unread:
            read = menu.addAction(self.tr("Mark as &read"))
            read.triggered.connect(lambda: self.model.set_unread(uin, 0))
        else:
            unread = menu.addAction(self.tr("Mark as &unread"))
            unread.triggered.connect(lambda: self.model.set_unread(uin, 1))
        self.contacts_editor.add_buddy_actions(menu, uin)
        menu.addSeparator()
        remove = menu.addAction(self.tr("&Remove from list…"))
        remove.triggered.connect(lambda: self.confirm_remove(uin))
        return menu

    def show_profile(self, uin: int) -> None:
        from .dialogs import ProfileDialog

        dialog = ProfileDialog(self.session, uin, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()

    def confirm_remove(self, uin: int) -> None:
        nick, _face, _status = self._buddy_info(uin)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove friend"),
            self.tr("Remove {name} ({uin}) from your list?").format(name=nick, uin=uin),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the nickname is theirs: text only
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.accepted.connect(lambda: self.remove_buddy(uin))
        box.open()

    def remove_buddy(self, uin: int) -> None:
        def done(_: Any) -> None:
            self.model.remove_buddy(uin)

        spawn(self.session.remove_buddy(uin), on_done=done, on_error=self._show_error)

    def show_add_friend(self) -> None:
        from .dialogs import AddBuddyDialog

        dialog = AddBuddyDialog(
            self.session, self, friends=lambda: [buddy.uin for buddy in self.model.friends()]
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.finished_add.connect(self._added)
        dialog.show()

    def _added(self, uin: int, outcome: str) -> None:
        if outcome == "requested":
            self._remember_sent(uin)
        else:
            self._forget_sent(uin)
        spawn(self.reload_buddies())

    # -- open friend requests --------------------------------------------------------

    def _sent_key(self, uin: int) -> str:
        return f"{self.own_uin}:{uin}"

    def sent_requests(self) -> list[tuple[int, str]]:
        """(number, nickname) of my requests not answered yet, kept across runs."""
        if self.settings is None:
            return sorted(self._sent_here.items())
        prefix = f"{self.own_uin}:"
        kept: dict[str, str] = getattr(self.settings, "sent_requests", {})
        return sorted(
            (int(key[len(prefix) :]), nick)
            for key, nick in kept.items()
            if key.startswith(prefix) and key[len(prefix) :].isdigit()
        )

    def _remember_sent(self, uin: int) -> None:
        nick, _face, _status = self._buddy_info(uin)
        nick = "" if nick == str(uin) else nick
        if self.settings is None:
            self._sent_here[uin] = nick
        else:
            kept = dict(getattr(self.settings, "sent_requests", {}))
            kept[self._sent_key(uin)] = nick
            self.settings.sent_requests = kept
            self._save_settings()
        self.update_requests()

    def _forget_sent(self, uin: int) -> None:
        if self.settings is None:
            self._sent_here.pop(uin, None)
        else:
            kept = dict(getattr(self.settings, "sent_requests", {}))
            if kept.pop(self._sent_key(uin), None) is not None:
                self.settings.sent_requests = kept
                self._save_settings()
        self.update_requests()

    def _save_settings(self) -> None:
        try:
            self.settings.save()  # type: ignore[union-attr]  # callers checked it
        except Exception as exc:  # a full disk must not stop the window
            log.warning("settings not saved: %s", exc)

    def open_requests(self) -> int:
        """How many friend requests wait: theirs unanswered and mine unanswered."""
        theirs = [r for r in self.session.add_requests() if r.uin != self.own_uin]
        return len(theirs) + len(self.sent_requests())

    def update_requests(self) -> None:
        self.requests_action.setText(
            self.tr("Friend &requests ({count})").format(count=self.open_requests())
        )
        if self.requests_dialog is not None:
            self.requests_dialog.refresh()

    def _request_answered(self, *_: Any) -> None:
        spawn(self.reload_buddies())
        self.update_requests()

    def show_requests(self) -> RequestsDialog:
        if self.requests_dialog is None:
            from .dialogs import RequestsDialog

            dialog = RequestsDialog(
                self.session, self.sent_requests, lambda uin: self._known_nick(uin), self
            )
            dialog.answered.connect(self._request_answered)
            dialog.finished.connect(self._requests_closed)
            self.requests_dialog = dialog
        self.requests_dialog.refresh()
        self.requests_dialog.show()
        self.requests_dialog.raise_()
        return self.requests_dialog

    def _requests_closed(self, _result: int) -> None:
        if self.requests_dialog is not None:
            self.requests_dialog.deleteLater()
            self.requests_dialog = None

    def _known_nick(self, uin: int) -> str:
        nick, _face, _status = self._buddy_info(uin)
        if nick != str(uin):
            return nick
        return dict(self.sent_requests()).get(uin, "")

    def show_search(self) -> HistorySearchWindow:
        """The search over all kept messages (one window, brought to the front)."""
        if self.search_window is None:
            from .history_search import HistorySearchWindow

            window = HistorySearchWindow(self.session, self._conversation_name, self)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            window.openRequested.connect(self.open_found_message)
            window.destroyed.connect(lambda *_: setattr(self, "search_window", None))
            self.search_window = window
        self.search_window.show()
        self.search_window.raise_()
        self.search_window.activateWindow()
        self.search_window.edit.setFocus()
        return self.search_window

    def _conversation_name(self, conversation: Conversation) -> str:
        if conversation.kind is ConversationKind.BUDDY:
            nick, _face, _status = self._buddy_info(conversation.number)
            return nick if nick == str(conversation.number) else f"{nick} ({conversation.number})"
        return str(conversation.number)

    def open_found_message(self, conversation: Conversation, local_id: int, text: str) -> None:
        """A search result was chosen: its chat, scrolled to the message, the text marked."""
        if conversation.kind is not ConversationKind.BUDDY:
            return
        chat = self.chats.open_chat(conversation.number)
        chat.show_message(local_id, text)

    def show_settings(self) -> None:
        if self.settings is None:
            return
        from .dialogs import SettingsDialog

        dialog = SettingsDialog(
            self.settings, self, idle_source=self.auto_away.source, account=self.own_uin
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._expand_sections()

    def first_match(self) -> int | None:
        """The number of the first buddy the filter shows (friends, then strangers)."""
        for group_row in range(self.proxy.rowCount()):
            group = self.proxy.index(group_row, 0)
            if self.proxy.rowCount(group):
                return self._selected_uin(self.proxy.index(0, 0, group))
        return None

    def open_first_match(self) -> None:
        """Enter in the filter box: chat with the first match (if something is typed)."""
        if not self.filter_edit.text().strip():
            return
        for group_row in range(self.proxy.rowCount()):
            group = self.proxy.index(group_row, 0)
            if self.proxy.rowCount(group):
                self._double_clicked(self.proxy.index(0, 0, group))
                return

    def _in_app_notice(self, uin: int, title: str, body: str) -> None:
        self._notice_uin = uin
        #: An in-window notice: "Message from Bob: hello" (a full-width colon in Chinese).
        notice = self.tr("{title}: {body}").format(title=title, body=body)
        self.notice_banner.show_message(notice, kind="info", action=self.tr("Open"))

    def _notice_clicked(self) -> None:
        if self._notice_uin is not None:
            self.open_chat(self._notice_uin)
        self.notice_banner.hide()

    def _show_error(self, exc: BaseException) -> None:
        self.notice_banner.show_message(describe_error(exc), kind="error")

    # -- window life ---------------------------------------------------------------

    def closing(self) -> None:
        self.chats.close_all()

    def shutdown(self) -> None:
        """Close every window without asking (used after logout)."""
        self._quitting = True
        spawn(self.notifier.close())
        self.auto_away.stop()
        spawn(self.auto_away.close())
        self.close()
