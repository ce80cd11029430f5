"""Chat windows: one per conversation (a buddy, a group, a discussion), alone or as tabs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyleOptionViewItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.client.events import DeliveryState
from qqdesk.core import Content, Conversation, Presence, parse_text, render_text

from . import icons
from .delegates import BubbleDelegate
from .facepicker import FacePicker, emoticon_icon, insert_face
from .findbar import FindBar, find_shortcut
from .models import ChatEntry, ChatHistoryModel, EntryKind, Roles, visible_status
from .qtcompat import UIN
from .tasks import spawn
from .unread import UnreadMarker

log = logging.getLogger(__name__)


def status_words(status: Presence) -> str:
    """A status as the user reads it (translated)."""
    from PySide6.QtCore import QCoreApplication

    # Away, silent and call-me read as busy, as the classic protocol shows them.
    words = {
        Presence.ONLINE: "Online",
        Presence.AWAY: "Busy",
        Presence.BUSY: "Busy",
        Presence.SILENT: "Busy",
        Presence.CALLME: "Busy",
        Presence.HIDDEN: "Invisible",
        Presence.OFFLINE: "Offline",
    }
    return QCoreApplication.translate("Status", words[status])


_POPUP_KEYS = (
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backtab,
)


class MessageInput(QPlainTextEdit):
    """The typing box: Enter sends and Shift+Enter breaks the line, or with
    ``send_with_ctrl_enter`` Ctrl+Enter sends and Enter breaks the line."""

    sendRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.send_with_ctrl_enter = False
        self.setTabChangesFocus(True)
        #: A completer (group chats: @mentions) whose open popup takes Enter, Tab and Esc.
        self.completer: QCompleter | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.completer.popup() if self.completer is not None else None
        if popup is not None and popup.isVisible() and event.key() in _POPUP_KEYS:
            event.ignore()  # the completer picks (or closes) on these
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = event.modifiers()
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            wants_send = ctrl if self.send_with_ctrl_enter else not (shift or ctrl)
            if wants_send:
                self.sendRequested.emit()
                return
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)


class ChatWindow(QWidget):
    """One conversation: the buddy's face, name and status, the history, the typing box.

    With a group or discussion ``conversation`` the same window serves a room
    (roomchat.RoomChatWindow adds its member list and actions).
    """

    #: the user is looking at this buddy chat (uin); rooms say conversationActivated
    activated = Signal(UIN)
    closed = Signal(UIN)
    #: the user is looking at this chat (its Conversation), buddy or room
    conversationActivated = Signal(object)
    #: the chat closed (its Conversation)
    conversationClosed = Signal(object)

    #: Which of my accounts the chat belongs to while several are signed in ("" with one).
    account_label = ""

    def __init__(
        self,
        session: ChatSession,
        uin: int,
        nick: str = "",
        face: int = 0,
        status: Presence = Presence.OFFLINE,
        *,
        history: Callable[..., Any] | None = None,
        own_uin: int | None = None,
        send_with_ctrl_enter: bool = False,
        parent: QWidget | None = None,
        conversation: Conversation | None = None,
        names: Callable[[int], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.uin = uin
        self.conversation = conversation or Conversation.buddy(uin)
        self.nick = nick or str(uin)
        self.face = face
        self.status = status
        peer: int | Conversation = uin if self.conversation.is_buddy else self.conversation
        self.model = ChatHistoryModel(peer, history, own_uin, self, names=names)
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(380, 360)
        self.resize(520, 560)

        # header
        self.face_label = QLabel()
        self.face_label.setFixedSize(40, 40)
        self.name_label = QLabel()
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.name_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.name_label.setFont(font)
        self.status_label = QLabel()
        self.status_label.setObjectName("chatStatus")
        head_text = QVBoxLayout()
        head_text.setSpacing(0)
        head_text.addWidget(self.name_label)
        head_text.addWidget(self.status_label)
        header = QHBoxLayout()
        header.setContentsMargins(10, 8, 10, 8)
        header.addWidget(self.face_label)
        header.addLayout(head_text, 1)

        # history
        self.view = QListView()
        self.view.setObjectName("chatHistory")
        self._view_model = _OlderOnScrollUp(self)
        self._view_model.setSourceModel(self.model)
        self.view.setModel(self._view_model)
        self.delegate = BubbleDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(False)
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._history_menu)
        self.view.clicked.connect(self._clicked)
        self.view.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.model.rowsInserted.connect(self._rows_inserted)
        self.find_bar = FindBar(
            self.view,
            self.model,
            self.delegate,
            self.load_older,
            stored_matches=self.stored_matches,
        )
        self.find_bar.closed.connect(self._find_closed)
        self.unread = UnreadMarker(self.view, self.model, self.delegate, self)

        # typing box
        self.input = MessageInput()
        self.input.setObjectName("chatInput")
        self.input.send_with_ctrl_enter = send_with_ctrl_enter
        self.input.setPlaceholderText(self._placeholder())
        self.input.sendRequested.connect(self.send_typed)
        self.input.textChanged.connect(self._update_split_note)
        self.split_note = QLabel()
        self.split_note.setObjectName("splitNote")
        self.split_note.setTextFormat(Qt.TextFormat.PlainText)
        self.split_note.setWordWrap(True)
        self.split_note.hide()
        self.send_button = QPushButton()
        self.send_button.setDefault(False)
        self.send_button.setAutoDefault(False)
        self.send_button.clicked.connect(self.send_typed)
        self.face_button = QToolButton()
        self.face_button.setObjectName("faceButton")
        self.face_button.setIcon(emoticon_icon(14))
        self.face_button.setIconSize(QSize(20, 20))
        self.face_button.setAutoRaise(True)
        self.face_button.clicked.connect(self.show_faces)
        self._face_picker: FacePicker | None = None
        self._split_count = 1
        self.close_button = QPushButton()
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close_chat)
        buttons = QHBoxLayout()
        buttons.addWidget(self.face_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.send_button)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.input)
        bottom_layout.addWidget(self.split_note)
        bottom_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 130])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.find_bar)
        layout.addWidget(splitter, 1)
        # Kept for the room window, which puts its member list beside the splitter.
        self.header_layout = header
        self.body_splitter = splitter
        self.buttons_layout = buttons

        self._fetching_older = False
        # Older pages load on scrolling to the top only after the first page is shown.
        self._history_shown = False
        # Esc and Ctrl+W close the conversation (its tab, in tabbed mode): only the
        # visible chat's shortcuts are live, so a tab closes only itself.
        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W")):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.close_chat)
        find = QShortcut(find_shortcut(), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.open_find)

        self._retranslate()
        self.model.load_initial()
        QTimer.singleShot(0, self, self._fill_view)
        self.input.setFocus()

    # -- appearance -------------------------------------------------------------------

    def _retranslate(self) -> None:
        """Every text of the window in the current language (at start, and live when
        the language changes in Settings)."""
        self.send_button.setText(self.tr("&Send"))
        self.close_button.setText(self.tr("Close"))
        self.input.setPlaceholderText(self._placeholder())
        self._update_header()
        if self._split_count > 1:
            self._update_split_note()
        self.unread.retranslate()
        #: The button beside Send that opens the face (emoticon) picker.
        self.face_button.setToolTip(self.tr("Insert a face"))
        self.face_button.setAccessibleName(self.tr("Faces"))

    def _update_split_note(self) -> None:
        """Under the input, when the text is longer than one message: how many it makes."""
        text = self.input.toPlainText().strip()
        count = len(self._split(text)) if text else 0
        self._split_count = count
        if count > 1:
            self.split_note.setText(
                self.tr("This text is long: it will be sent as {count} messages.").format(
                    count=count
                )
            )
        self.split_note.setVisible(count > 1)

    @property
    def face_picker(self) -> FacePicker | None:
        """The face picker, once it was opened."""
        return self._face_picker

    def show_faces(self) -> None:
        """Open the face picker above the face button; a picked face goes into the input."""
        if self._face_picker is None:
            self._face_picker = FacePicker(self)
            self._face_picker.facePicked.connect(lambda face_id: insert_face(self.input, face_id))
        self._face_picker.popup(self.face_button.mapToGlobal(QPoint(0, 0)))

    def _placeholder(self) -> str:
        if self.input.send_with_ctrl_enter:
            return self.tr("Type a message — Ctrl+Enter sends, Enter starts a new line")
        return self.tr("Type a message — Enter sends, Shift+Enter starts a new line")

    def set_send_with_ctrl_enter(self, on: bool) -> None:
        self.input.send_with_ctrl_enter = on
        self.input.setPlaceholderText(self._placeholder())

    def title(self) -> str:
        return f"{self.nick} ({self.uin})"

    def _update_header(self) -> None:
        self.name_label.setText(self.title())
        self.face_label.setPixmap(
            icons.face_picture(
                self.face, 40, self.nick, status=self.status, ratio=self.devicePixelRatioF()
            )
        )
        self.status_label.setText(status_words(visible_status(self.status)))
        self.show_title(self.tr("Chat with {name}").format(name=self.nick))

    def show_title(self, title: str) -> None:
        """The window title, naming my account when several are signed in."""
        if self.account_label:
            #: A chat's title when several accounts are signed in: "Chat with Bob — Alice (10001)".
            title = QCoreApplication.translate("ChatWindow", "{title} — {account}").format(
                title=title, account=self.account_label
            )
        self.setWindowTitle(title)

    def set_account_label(self, label: str) -> None:
        self.account_label = label
        self._update_header()

    def set_buddy(self, nick: str | None = None, face: int | None = None) -> None:
        if nick:
            self.nick = nick
        if face is not None:
            self.face = face
        self._update_header()

    def set_status(self, status: Presence) -> None:
        """The buddy's status changed: header, plus a line in the conversation."""
        old = visible_status(self.status)
        self.status = status
        new = visible_status(self.status)
        self._update_header()
        if old != new:
            if new is Presence.OFFLINE:
                line = self.tr("{name} went offline").format(name=self.nick)
            elif new is Presence.BUSY:
                line = self.tr("{name} is busy").format(name=self.nick)
            else:
                line = self.tr("{name} is online").format(name=self.nick)
            self.model.add_system(line)

    # -- messages ---------------------------------------------------------------------

    def add_incoming(
        self, message: str | Content, when: float, local_id: int | None, sender: int | None = None
    ) -> None:
        """A received message, as its text form or (better: unknown faces stay faces) its
        parts; ``sender`` in a group or discussion."""
        self.model.add_incoming(message, when, local_id, sender)

    def add_system(self, text: str) -> None:
        self.model.add_system(text)

    def set_delivery_state(self, local_id: int, state: DeliveryState) -> None:
        self.model.set_state(local_id, state)

    def send_typed(self) -> None:
        text = self.input.toPlainText().strip()
        if not text:
            return
        self.input.clear()
        self.unread.clear()
        self.send_text(text)

    def _split(self, text: str) -> list[Content]:
        """The messages ``text`` goes out as, as the other side will see them."""
        try:
            parts = self.session.split_message(text)
        except Exception:  # a session that cannot tell: one message, as typed
            log.exception("splitting a message failed")
            parts = []
        return parts or [parse_text(text)]

    def send_text(self, text: str) -> None:
        """Show ``text`` as sending (one bubble per message it goes out as, so my side
        looks like theirs) and hand it to the session."""
        now = _now()
        entries = [
            ChatEntry(
                EntryKind.MESSAGE,
                render_text(part),
                now,
                True,
                None,
                DeliveryState.PENDING,
                content=part,
            )
            for part in self._split(text)
        ]
        for entry in entries:
            self.model.append(entry)
        self.view.scrollToBottom()
        self._send(entries, text)

    def _send(self, entries: list[ChatEntry], message: str) -> None:
        def done(result: Any) -> None:
            ids: tuple[int, ...] = ()
            if isinstance(result, int):
                ids = (result,)
            elif isinstance(getattr(result, "local_ids", None), tuple):
                ids = result.local_ids
            # Parts and ids pair up from the end: the last id is the whole text's.
            for entry, local_id in zip(reversed(entries), reversed(ids), strict=False):
                self._attach_id(entry, local_id)
            for entry in entries[: max(0, len(entries) - len(ids))]:
                if entry.state is DeliveryState.PENDING:
                    self._set_entry_state(entry, DeliveryState.SENT)

        def failed(exc: BaseException) -> None:
            log.warning("sending to %s failed: %s", self.uin, exc)
            for entry in entries:
                self._set_entry_state(entry, DeliveryState.FAILED)

        to: Conversation | int = self.uin if self.conversation.is_buddy else self.conversation
        spawn(self.session.send_message(to, message), on_done=done, on_error=failed)

    def _attach_id(self, entry: ChatEntry, local_id: int) -> None:
        self.model.attach_id(entry, local_id)
        self._entry_changed(entry)

    def _set_entry_state(self, entry: ChatEntry, state: DeliveryState) -> None:
        entry.state = state
        self._entry_changed(entry)

    def _entry_changed(self, entry: ChatEntry) -> None:
        for row in range(self.model.rowCount() - 1, -1, -1):
            if self.model.entry(row) is entry:
                index = self.model.index(row, 0)
                self.model.dataChanged.emit(index, index)
                # The meta line's length changed; let the view measure again.
                self.view.scheduleDelayedItemsLayout()
                return

    def resend(self, row: int) -> None:
        """Send a failed message again (the session's resend when it knows the message)."""
        entry = self.model.entry(row)
        if entry.kind is not EntryKind.MESSAGE or not entry.outgoing:
            return
        if entry.state is not DeliveryState.FAILED:
            return
        self._set_entry_state(entry, DeliveryState.PENDING)
        if entry.local_id is not None:

            def failed(exc: BaseException) -> None:
                log.warning("resending %s failed: %s", entry.local_id, exc)
                self._set_entry_state(entry, DeliveryState.FAILED)

            def done(result: Any) -> None:
                new_id = result if isinstance(result, int) else None
                if new_id is not None and new_id != entry.local_id and entry.local_id is not None:
                    self.model.replace_id(entry.local_id, new_id)

            spawn(self.session.resend(entry.local_id), on_done=done, on_error=failed)
        else:
            self._send([entry], entry.text)

    # -- view behaviour ---------------------------------------------------------------

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if self._fetching_older:
            return
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 40
        if last == self.model.rowCount() - 1 and (at_end or self.model.entry(last).outgoing):
            QTimer.singleShot(0, self.view, self.view.scrollToBottom)

    def _fill_view(self) -> None:
        """Load older pages until the history can scroll (or there is no more), go to the end."""
        bar = self.view.verticalScrollBar()
        self.view.doItemsLayout()
        while bar.maximum() == 0 and self.model.canFetchMore(QModelIndex()):
            rows = self.model.rowCount()
            self.model.fetchMore(QModelIndex())
            self.view.doItemsLayout()
            if self.model.rowCount() == rows:
                break
        shown = self.find_bar.current_row()
        if shown >= 0:  # opened on a message the search found: stay there
            self.find_bar.go_to_row(shown)
        else:
            self.view.scrollToBottom()
        self._history_shown = True

    def _scrolled(self, value: int) -> None:
        # Qt fetches more when a view nears its end; history grows at the top.
        if not self._history_shown or value > 0 or not self.model.canFetchMore(QModelIndex()):
            return
        bar = self.view.verticalScrollBar()
        before_rows = self.model.rowCount()
        before_max = bar.maximum()
        self._fetching_older = True
        try:
            self.model.fetchMore(QModelIndex())
        finally:
            self._fetching_older = False
        if self.model.rowCount() != before_rows:
            self.view.doItemsLayout()
            bar.setValue(bar.maximum() - before_max)

    def open_find(self) -> None:
        """Ctrl+F: the find bar, its text selected."""
        self.find_bar.open_bar()

    def _find_closed(self) -> None:
        self.input.setFocus()

    def stored_matches(self, text: str) -> list[int] | None:
        """Ids of this conversation's kept messages holding ``text``, newest first."""
        try:
            found = self.session.search_history(text, Conversation.buddy(self.uin))
        except Exception:  # a history that cannot search: the find bar pages instead
            log.exception("searching the history failed")
            return None
        return [message.local_id for message in found]

    def load_older(self) -> bool:
        """Load one older page of history (for the find bar); False when there is none."""
        if not self.model.canFetchMore(QModelIndex()):
            return False
        before = self.model.rowCount()
        self._fetching_older = True
        try:
            self.model.fetchMore(QModelIndex())
        finally:
            self._fetching_older = False
        return self.model.rowCount() != before

    def show_message(self, local_id: int, find: str = "") -> bool:
        """Scroll to the kept message ``local_id`` (loading older pages as needed), select
        it, and mark ``find`` in the find bar; False when the history has no such message."""
        while self.model.row_of(local_id) < 0 and self.load_older():
            pass
        row = self.model.row_of(local_id)
        if row < 0:
            return False
        if find:
            self.find_bar.open_bar(find)
        self.view.doItemsLayout()
        self.find_bar.go_to_row(row)
        return True

    def _option_for(self, index: QModelIndex) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        option.initFrom(self.view)
        option.rect = self.view.visualRect(index)
        option.font = self.view.font()
        option.widget = self.view
        return option

    def _clicked(self, index: QModelIndex) -> None:
        if index.data(Roles.DELIVERY) is DeliveryState.FAILED and index.data(Roles.OUTGOING):
            self.resend(index.row())

    def _history_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        copy = QAction(self.tr("&Copy"), menu)
        copy.triggered.connect(
            lambda: QGuiApplication.clipboard().setText(str(index.data(Roles.TEXT)))
        )
        menu.addAction(copy)
        if index.data(Roles.OUTGOING) and index.data(Roles.DELIVERY) is DeliveryState.FAILED:
            resend = QAction(self.tr("&Resend"), menu)
            row = index.row()
            resend.triggered.connect(lambda: self.resend(row))
            menu.addAction(resend)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def is_in_front(self) -> bool:
        """True when the user is looking at this conversation (no notification needed)."""
        window = self.window()
        if not window.isVisible() or window.isMinimized() or not window.isActiveWindow():
            return False
        tabs = _tab_widget_of(self)
        return tabs is None or tabs.currentWidget() is self

    def close_chat(self) -> None:
        """Close this conversation: its tab when chats are in tabs, else its window."""
        tabs = _tab_widget_of(self)
        if tabs is not None:
            tabs.removeTab(tabs.indexOf(self))
            self.announce_closed()
            self.deleteLater()
            if tabs.count() == 0:
                tabs.window().close()
        else:
            self.close()

    def announce_activated(self) -> None:
        """Say the user is looking at this chat (a buddy chat's uin signal too)."""
        if self.conversation.is_buddy:
            self.activated.emit(self.uin)
        self.conversationActivated.emit(self.conversation)

    def announce_closed(self) -> None:
        if self.conversation.is_buddy:
            self.closed.emit(self.uin)
        self.conversationClosed.emit(self.conversation)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.announce_closed()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.announce_activated()
        elif event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)


class _OlderOnScrollUp(QIdentityProxyModel):
    """Hides fetchMore from the view: Qt fetches when a view reaches its *end*, but
    older history belongs at the top, so ChatWindow fetches on scrolling up itself."""

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return False


def _now() -> float:
    import time

    return time.time()


def _tab_widget_of(widget: QWidget) -> QTabWidget | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QTabWidget):
            return parent
        parent = parent.parentWidget()
    return None


class ChatTabsWindow(QWidget):
    """The window that holds every chat as a tab ("chats in tabs")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chats"))
        self.setWindowIcon(icons.app_icon())
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.tabs.currentChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.resize(560, 600)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setWindowTitle(self.tr("Chats"))
        super().changeEvent(event)

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, ChatWindow):
            widget.close_chat()

    def _current_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, ChatWindow):
            self.setWindowTitle(widget.windowTitle())
            widget.announce_activated()

    def closeEvent(self, event: QCloseEvent) -> None:
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if isinstance(widget, ChatWindow):
                widget.announce_closed()
                widget.deleteLater()
        super().closeEvent(event)


class ChatManager(QObject):
    """Opens, finds and routes to chat windows (one per buddy), alone or in tabs."""

    #: the user is now looking at the chat with uin (clear its unread count)
    chatActivated = Signal(UIN)
    #: a chat window was made (before it shows): drafts and unread markers attach here
    chatCreated = Signal(object)
    #: the user is now looking at a group's or discussion's chat (its Conversation)
    roomActivated = Signal(object)

    def __init__(
        self,
        session: ChatSession,
        *,
        own_uin: int | None = None,
        history: Callable[..., Any] | None = None,
        buddy_info: Callable[[int], tuple[str, int, Presence]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.own_uin = own_uin
        self.history = history
        self.buddy_info = buddy_info or (lambda uin: (str(uin), 0, Presence.OFFLINE))
        self.chats_in_tabs = False
        self.send_with_ctrl_enter = False
        self._chats: dict[int, ChatWindow] = {}
        self._rooms: dict[Conversation, ChatWindow] = {}
        self._tabs: ChatTabsWindow | None = None
        #: Makes a group's or discussion's window (set by the main window).
        self.room_factory: Callable[[Conversation], ChatWindow] | None = None
        #: My account, named in the chats' titles while several are signed in.
        self.account_label = ""

    def chat(self, uin: int) -> ChatWindow | None:
        return self._chats.get(uin)

    def room_chat(self, conversation: Conversation) -> ChatWindow | None:
        return self._rooms.get(conversation)

    def room_chats(self) -> list[ChatWindow]:
        return list(self._rooms.values())

    def open_room(self, conversation: Conversation, *, focus: bool = True) -> ChatWindow:
        """Show a group's or discussion's chat (creating it with ``room_factory``)."""
        chat = self._rooms.get(conversation)
        if chat is None:
            if self.room_factory is None:
                raise RuntimeError("no room_factory to open a group chat with")
            chat = self.room_factory(conversation)
            chat.set_send_with_ctrl_enter(self.send_with_ctrl_enter)
            if self.account_label:
                chat.set_account_label(self.account_label)
            chat.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            chat.conversationClosed.connect(self._forget_room)
            chat.conversationActivated.connect(self.roomActivated)
            self._rooms[conversation] = chat
            if self.chats_in_tabs:
                self._tab_window().tabs.addTab(chat, chat.windowIcon(), chat.nick)
        self._show(chat, focus)
        if focus:
            self.roomActivated.emit(conversation)
        return chat

    def _forget_room(self, conversation: Conversation) -> None:
        self._rooms.pop(conversation, None)

    def _show(self, chat: ChatWindow, focus: bool) -> None:
        if self.chats_in_tabs and self._tabs is not None:
            window: QWidget = self._tabs
            if focus:
                self._tabs.tabs.setCurrentWidget(chat)
        else:
            window = chat
        window.show()
        if focus:
            if window.isMinimized():
                window.showNormal()
            window.raise_()
            window.activateWindow()
            chat.input.setFocus()

    @property
    def tabs_window(self) -> ChatTabsWindow | None:
        """The window holding the chats as tabs, while there is one."""
        return self._tabs

    def chats(self) -> list[ChatWindow]:
        return list(self._chats.values())

    def open_chat(self, uin: int, *, focus: bool = True) -> ChatWindow:
        """Show the chat with ``uin`` (creating it), and bring it to the front."""
        chat = self._chats.get(uin)
        if chat is None:
            nick, face, status = self.buddy_info(uin)
            chat = ChatWindow(
                self.session,
                uin,
                nick,
                face,
                status,
                history=self.history,
                own_uin=self.own_uin,
                send_with_ctrl_enter=self.send_with_ctrl_enter,
            )
            if self.account_label:
                chat.set_account_label(self.account_label)
            chat.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            chat.closed.connect(self._forget)
            chat.activated.connect(self.chatActivated)
            self._chats[uin] = chat
            self.chatCreated.emit(chat)
            if self.chats_in_tabs:
                tabs = self._tab_window()
                tabs.tabs.addTab(
                    chat,
                    QIcon(icons.face_picture(chat.face, 16, chat.nick, status=chat.status)),
                    chat.nick,
                )
        self._show(chat, focus)
        if focus:
            self.chatActivated.emit(uin)
        return chat

    def _tab_window(self) -> ChatTabsWindow:
        if self._tabs is None:
            self._tabs = ChatTabsWindow()
            self._tabs.destroyed.connect(lambda: setattr(self, "_tabs", None))
            self._tabs.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        return self._tabs

    def _forget(self, uin: int) -> None:
        self._chats.pop(uin, None)

    def update_tab(self, chat: ChatWindow) -> None:
        if self._tabs is not None:
            index = self._tabs.tabs.indexOf(chat)
            if index >= 0:
                self._tabs.tabs.setTabIcon(
                    index, QIcon(icons.face_picture(chat.face, 16, chat.nick, status=chat.status))
                )

    def set_account_label(self, label: str) -> None:
        """Name my account in every chat's title ("" while it is the only one)."""
        self.account_label = label
        for chat in [*self._chats.values(), *self._rooms.values()]:
            chat.set_account_label(label)

    def set_send_with_ctrl_enter(self, on: bool) -> None:
        self.send_with_ctrl_enter = on
        for chat in [*self._chats.values(), *self._rooms.values()]:
            chat.set_send_with_ctrl_enter(on)

    def close_all(self) -> None:
        if self._tabs is not None:
            self._tabs.close()
        for chat in [*self._chats.values(), *self._rooms.values()]:
            with contextlib.suppress(RuntimeError):
                chat.close()
        self._chats.clear()
        self._rooms.clear()
