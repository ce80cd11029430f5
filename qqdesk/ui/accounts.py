"""Several accounts signed in at once: a switcher on top, one buddy-list page per account."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.core import Presence

from . import icons
from .chat import status_words
from .mainwindow import MainWindow
from .models import Roles
from .toplevel import TopLevelWindow
from .tray import Tray
from .widgets import Banner

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex

# Shows a notice in a window: (uin, title, body), as Notifier.in_app.
InAppNotice = Callable[[int, str, str], None]

# The face size in the switcher (logical pixels).
FACE = 32


def account_name(page: MainWindow) -> str:
    """ "Alice (10001)": how the app names one of my accounts."""
    if not page.own_nick:
        return str(page.own_uin)
    #: One of my accounts, in chat titles, notices and the Switch account menu.
    return QCoreApplication.translate("AccountsWindow", "{nick} ({number})").format(
        nick=page.own_nick, number=page.own_uin
    )


class AccountListModel(QAbstractListModel):
    """The signed-in accounts, in the order they signed in: face, nick, status, unread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pages: list[MainWindow] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._pages)

    def pages(self) -> list[MainWindow]:
        return list(self._pages)

    def page(self, row: int) -> MainWindow:
        return self._pages[row]

    def row_of(self, page: MainWindow) -> int:
        return self._pages.index(page)

    def add(self, page: MainWindow) -> None:
        row = len(self._pages)
        self.beginInsertRows(QModelIndex(), row, row)
        self._pages.append(page)
        self.endInsertRows()

    def remove(self, page: MainWindow) -> None:
        if page not in self._pages:
            return
        row = self._pages.index(page)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._pages[row]
        self.endRemoveRows()

    def refresh(self, page: MainWindow) -> None:
        """The page's face, nick, status or unread count changed."""
        if page in self._pages:
            index = self.index(self._pages.index(page), 0)
            self.dataChanged.emit(index, index)

    def total_unread(self) -> int:
        return sum(page.model.total_unread() for page in self._pages)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._pages):
            return None
        page = self._pages[index.row()]
        nick = page.own_nick or str(page.own_uin)
        status = page.status_selector.status()
        unread = page.model.total_unread()
        if role == Qt.ItemDataRole.DisplayRole or role == Roles.NICK:
            return nick
        if role == Qt.ItemDataRole.DecorationRole:
            face = icons.face_picture(page.own_face, FACE, nick, status=status)
            return icons.with_unread_badge(face, unread) if unread else face
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.tr("{account} — {status}").format(
                account=account_name(page), status=status_words(status)
            )
            if unread:
                text += "\n" + self.tr("%n unread message(s)", "", unread)
            return text
        if role == Roles.UIN:
            return page.own_uin
        if role == Roles.STATUS:
            return status
        if role == Roles.UNREAD:
            return unread
        if role == Roles.FACE:
            return page.own_face
        return None


class AccountsWindow(TopLevelWindow):
    """The main window once several accounts may sign in: the switcher, then the chosen
    account's page (a :class:`MainWindow` each, shown one at a time).

    The header, status selector, buddy tree, requests, search and menu of the page
    shown act on that account. The switcher shows only while two or more are signed
    in, so with one account the window looks as it always did.
    """

    # "Add account…" was chosen
    addAccountRequested = Signal()
    # "Sign out" was chosen for this page (MainWindow); the app signs its session out
    signOutRequested = Signal(object)
    # another account is shown now (its MainWindow)
    currentChanged = Signal(object)
    # "Sign in…" on the notice about an account that did not sign in again (its number)
    notSignedInClicked = Signal(int)

    def __init__(
        self,
        settings: Any | None = None,
        parent: QWidget | None = None,
        *,
        use_tray: bool | None = None,
        use_dbus: bool = True,
    ) -> None:
        super().__init__(settings, parent)
        self.use_dbus = use_dbus
        self.accounts = AccountListModel(self)

        self.add_account_action = QAction(self)
        self.add_account_action.setObjectName("addAccount")
        self.add_account_action.triggered.connect(self.addAccountRequested)
        self.switch_menu = QMenu(self)
        self.switch_menu.aboutToShow.connect(self._fill_switch_menu)
        self.sign_out_action = QAction(self)
        self.sign_out_action.setObjectName("signOut")
        self.sign_out_action.triggered.connect(self.sign_out_current)

        self.switcher = QListView()
        self.switcher.setObjectName("accountSwitcher")
        self.switcher.setModel(self.accounts)
        self.switcher.setFlow(QListView.Flow.LeftToRight)
        self.switcher.setWrapping(False)
        self.switcher.setIconSize(QSize(FACE, FACE))
        self.switcher.setSpacing(2)
        self.switcher.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.switcher.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.switcher.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.switcher.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.switcher.setFixedHeight(FACE + 20)
        # A strip of the window, not a white box: the chosen account is the highlighted one.
        self.switcher.setFrameShape(QFrame.Shape.NoFrame)
        self.switcher.setBackgroundRole(QPalette.ColorRole.Window)
        self.switcher.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.switcher.selectionModel().currentChanged.connect(self._switcher_moved)
        self.switcher.hide()

        # Notices about the accounts not shown (where no desktop service or tray shows them).
        self.banner = Banner("info")
        self.banner.setObjectName("accountsBanner")
        self.banner.actionClicked.connect(self._banner_clicked)
        # What the banner's button does, and the page its notice is about (if any).
        self._banner_action: Callable[[], None] | None = None
        self._banner_page: MainWindow | None = None

        self.stack = QStackedWidget()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.switcher)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(280, 420)
        self.resize(320, 640)
        self.setWindowTitle(self.tr("qqdesk"))

        if use_tray is None:
            use_tray = Tray.available()
        if use_tray:
            self.tray = Tray(self)
            self.tray.openRequested.connect(self.bring_to_front)
            self.tray.quitRequested.connect(self.request_quit)
            self.tray.statusRequested.connect(self.choose_status_everywhere)
            self.tray.doNotDisturbToggled.connect(self._do_not_disturb)
            self.tray.set_status(Presence.ONLINE)
            self.tray.show()
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.add_account_action.setText(self.tr("Add &account…"))
        self.switch_menu.setTitle(self.tr("S&witch account"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        if self.tray is not None:
            self.tray.retranslate()
        self._update_labels()

    # -- the pages -----------------------------------------------------------------------

    def pages(self) -> list[MainWindow]:
        return self.accounts.pages()

    def numbers(self) -> list[int]:
        """The numbers signed in, in the switcher's order."""
        return [page.own_uin for page in self.accounts.pages()]

    def page_of(self, uin: int) -> MainWindow | None:
        return next((page for page in self.accounts.pages() if page.own_uin == uin), None)

    def current_page(self) -> MainWindow | None:
        page = self.stack.currentWidget()
        return page if isinstance(page, MainWindow) else None

    def add_session(self, session: ChatSession) -> MainWindow:
        """A page for a signed-in session; it becomes the one shown."""
        page = MainWindow(session, settings=self.settings, use_tray=False, use_dbus=self.use_dbus)
        self.add_page(page)
        return page

    def add_page(self, page: MainWindow) -> None:
        # A main window of its own until now: from here on a page of this one.
        page.setWindowFlags(Qt.WindowType.Widget)
        page.menuBar().hide()
        page.quitRequested.connect(self.request_quit)
        page.accountChanged.connect(lambda p=page: self._page_changed(p))
        page.model.unreadChanged.connect(lambda _n, p=page: self._page_changed(p))
        page.windowTitleChanged.connect(lambda _t, p=page: self._title_changed(p))
        page.notifier.chatRequested.connect(lambda _uin, p=page: self.show_page(p))
        page.notifier.account_label = lambda p=page: self._notice_label(p)
        own_notice = page.notifier.in_app
        page.notifier.in_app = lambda uin, title, body, p=page: self._in_app_notice(
            p, own_notice, uin, title, body
        )
        if self.tray is not None:
            page.notifier.set_tray(self.tray.icon)
        # The account's own actions sit in its menu, above Quit.
        page.app_menu.insertAction(page.quit_action, self.add_account_action)
        page.app_menu.insertMenu(page.quit_action, self.switch_menu)
        page.app_menu.insertAction(page.quit_action, self.sign_out_action)
        page.app_menu.insertSeparator(page.quit_action)
        self.accounts.add(page)
        self.stack.addWidget(page)
        self.show_page(page)
        self._update_labels()

    def remove_page(self, page: MainWindow) -> None:
        """Take an account's page away (it signed out): its windows close."""
        if page not in self.accounts.pages():
            return
        if self._banner_page is page:
            self._hide_banner()
        was_current = page is self.current_page()
        page.notifier.set_tray(None)
        page.shutdown()
        # Its dialogs (profile, requests, search…) are windows of their own: they go too.
        for child in page.findChildren(QWidget):
            if child.isWindow() and child.isVisible():
                child.close()
        self.stack.removeWidget(page)
        self.accounts.remove(page)
        for action in (
            self.add_account_action,
            self.switch_menu.menuAction(),
            self.sign_out_action,
        ):
            page.app_menu.removeAction(action)
        remaining = self.accounts.pages()
        if was_current and remaining:
            self.show_page(remaining[0])
        self._update_labels()
        self._update_tray()

    def show_page(self, page: MainWindow) -> None:
        """Show ``page``'s account: its header, list and menu are the window's now."""
        if page not in self.accounts.pages():
            return
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
        row = self.accounts.row_of(page)
        if self.switcher.currentIndex().row() != row:
            self.switcher.setCurrentIndex(self.accounts.index(row, 0))
        # The window's menu bar is the page's (its own one is hidden in the page).
        self.menuBar().clear()
        for action in page.menuBar().actions():
            self.menuBar().addAction(action)
        self.setWindowTitle(page.windowTitle())
        if self._banner_page is page:
            self._hide_banner()
        self._update_labels()
        self.currentChanged.emit(page)

    def _switcher_moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_page(self.accounts.page(current.row()))

    def _fill_switch_menu(self) -> None:
        self.switch_menu.clear()
        current = self.current_page()
        for page in self.accounts.pages():
            action = self.switch_menu.addAction(
                icons.face_picture(
                    page.own_face,
                    16,
                    page.own_nick or str(page.own_uin),
                    status=page.status_selector.status(),
                ),
                account_name(page),
            )
            action.setCheckable(True)
            action.setChecked(page is current)
            action.triggered.connect(lambda _=False, p=page: self.show_page(p))

    def switch_to(self, uin: int) -> bool:
        """ "Switch account": show the signed-in account ``uin``; False when it is not."""
        page = self.page_of(uin)
        if page is None:
            return False
        self.show_page(page)
        return True

    def sign_out_current(self) -> None:
        page = self.current_page()
        if page is not None:
            self.signOutRequested.emit(page)

    # -- what follows the accounts ---------------------------------------------------------

    def _page_changed(self, page: MainWindow) -> None:
        self.accounts.refresh(page)
        self._update_tray()
        self._update_labels()

    def _title_changed(self, page: MainWindow) -> None:
        if page is self.current_page():
            self.setWindowTitle(page.windowTitle())

    def _update_labels(self) -> None:
        several = len(self.accounts.pages()) > 1
        self.switcher.setVisible(several)
        self.switch_menu.menuAction().setEnabled(several)
        for page in self.accounts.pages():
            page.chats.set_account_label(account_name(page) if several else "")

    def _update_tray(self) -> None:
        if self.tray is not None:
            self.tray.set_unread(self.accounts.total_unread())

    def _notice_label(self, page: MainWindow) -> str:
        """The account a notification names: only one not shown, of several."""
        if len(self.accounts.pages()) < 2 or page is self.current_page():
            return ""
        return account_name(page)

    def _in_app_notice(
        self, page: MainWindow, own: InAppNotice | None, uin: int, title: str, body: str
    ) -> None:
        if page is self.current_page():
            if own is not None:
                own(uin, title, body)  # the page's own banner
            return

        def open_chat() -> None:
            self.show_page(page)
            page.open_chat(uin)

        self._banner_page = page
        self._banner_action = open_chat
        #: An in-window notice about another account: "Message from Bob (for Ann): hello".
        notice = self.tr("{title}: {body}").format(title=title, body=body)
        self.banner.show_message(notice, kind="info", action=self.tr("Open"))

    def tell_not_signed_in(self, numbers: list[int], reason: str) -> None:
        """Accounts of the last run that did not sign in again by themselves."""
        self._banner_page = None
        self._banner_action = lambda: self.notSignedInClicked.emit(numbers[0])
        text = self.tr("Not signed in again: {numbers}.").format(
            numbers=", ".join(str(uin) for uin in numbers)
        )
        if reason:
            text += " " + reason
        self.banner.show_message(text, kind="warning", action=self.tr("Sign in…"))

    def _hide_banner(self) -> None:
        self.banner.hide()
        self._banner_page = None
        self._banner_action = None

    def _banner_clicked(self) -> None:
        action = self._banner_action
        self._hide_banner()
        if action is not None:
            action()

    def choose_status_everywhere(self, status: Presence) -> None:
        """The tray's status is every account's (as in Pidgin)."""
        for page in self.accounts.pages():
            page.choose_status(status)
        if self.tray is not None:
            self.tray.set_status(status)

    def _do_not_disturb(self, on: bool) -> None:
        for page in self.accounts.pages():
            page.set_do_not_disturb(on)

    # -- window life -----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Close every page and the window without asking (the app is quitting)."""
        self._quitting = True
        for page in self.accounts.pages():
            page.shutdown()
        self.close()
