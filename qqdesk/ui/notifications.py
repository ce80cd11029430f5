"""Message notifications: the desktop notification service, else the tray, else in-app."""

from __future__ import annotations

import contextlib
import enum
import logging
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from .desktop_notify import DesktopNotifications
from .facepicker import readable_text
from .qtcompat import UIN
from .tasks import spawn

log = logging.getLogger(__name__)

try:  # QtMultimedia is not part of PySide6-Essentials
    from PySide6.QtMultimedia import QSoundEffect

    HAVE_SOUND = True
except ImportError:
    HAVE_SOUND = False


#: Which notifier showed the last balloon of each tray icon.
_LAST_ON_TRAY: weakref.WeakKeyDictionary[QSystemTrayIcon, Notifier] = weakref.WeakKeyDictionary()


class Backend(enum.Enum):
    #: org.freedesktop.Notifications on the session bus (desktop_notify.py).
    DBUS = "dbus"
    #: QSystemTrayIcon.showMessage, where a tray exists.
    TRAY = "tray"
    IN_APP = "in-app"


class Notifier(QObject):
    """Tells the user about a message and reports which chat they clicked.

    With ``use_dbus`` it first connects (in the background) to the desktop's
    notification service on the session bus; until that succeeds, or where there
    is none, the tray shows the message, and without a tray ``in_app`` (the main
    window's banner) does.
    """

    #: the user clicked a notification about the chat with uin
    chatRequested = Signal(UIN)
    #: the look for the desktop's notification service (use_dbus) ended: found or not
    desktopChecked = Signal(bool)
    #: the user answered in a notification's reply field: (uin, text)
    replyRequested = Signal(UIN, str)

    def __init__(
        self,
        tray: QSystemTrayIcon | None = None,
        in_app: Callable[[int, str, str], None] | None = None,
        parent: QObject | None = None,
        *,
        use_dbus: bool = False,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        #: Shows a notice inside the app: (uin, title, body); replaceable (ui/accounts.py).
        self.in_app = in_app
        #: Names my account in each title while several are signed in ("" or None: not).
        self.account_label: Callable[[], str] | None = None
        self._tray_uin: int | None = None
        self.enabled = True
        self.sounds = True
        #: Do not disturb: no popups and no sounds (unread counts still show).
        self.do_not_disturb = False
        self._sound: object | None = None
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)
        self._desktop: DesktopNotifications | None = None
        if use_dbus:
            desktop = DesktopNotifications(
                self.chatRequested.emit,
                replied=self.replyRequested.emit,
                reply_label=lambda: self.tr("Reply"),
            )
            spawn(
                desktop.connect(),
                on_done=lambda ok: self._desktop_ready(desktop, ok),
                on_error=self._desktop_unreachable,
            )

    def _desktop_unreachable(self, exc: BaseException) -> None:
        log.warning("looking for the desktop's notification service failed: %s", exc)
        self.desktopChecked.emit(False)

    def _desktop_ready(self, desktop: DesktopNotifications, connected: bool) -> None:
        if connected:
            self._desktop = desktop
            log.info("notifications go to the desktop's notification service")
        self.desktopChecked.emit(connected)

    async def close(self) -> None:
        """Let go of the session bus connection, if any."""
        if self._desktop is not None:
            desktop, self._desktop = self._desktop, None
            await desktop.close()

    @property
    def backend(self) -> Backend:
        if self._desktop is not None and self._desktop.connected:
            return Backend.DBUS
        if self._tray is not None and self._tray.isVisible() and QSystemTrayIcon.supportsMessages():
            return Backend.TRAY
        return Backend.IN_APP

    @property
    def inline_reply(self) -> bool:
        """Notifications carry a reply field (the desktop's service can show one)."""
        return (
            self.backend is Backend.DBUS
            and self._desktop is not None
            and (self._desktop.inline_reply)
        )

    def set_tray(self, tray: QSystemTrayIcon | None) -> None:
        if self._tray is not None:
            with contextlib.suppress(RuntimeError):
                self._tray.messageClicked.disconnect(self._tray_clicked)
        self._tray = tray
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)

    def notify(self, uin: int, title: str, body: str) -> Backend | None:
        """Show a notification about a message in the chat with ``uin``; None when off.

        ``body`` is a message's text form: faces (``/微笑``) are shown by name."""
        if self.do_not_disturb:
            return None
        if self.sounds:
            self.play_sound()
        if not self.enabled:
            return None
        label = self.account_label() if self.account_label is not None else ""
        if label:
            #: A notification's title while several accounts are signed in.
            title = self.tr("{title} (for {account})").format(title=title, account=label)
        return self._show(uin, title, body)

    def _show(self, uin: int, title: str, body: str) -> Backend:
        backend = self.backend
        body = readable_text(body)
        short = body if len(body) <= 200 else body[:199] + "…"
        if backend is Backend.DBUS and self._desktop is not None:
            spawn(
                self._desktop.notify(uin, title, short, _icon_name()),
                on_error=lambda exc: self._desktop_failed(exc, uin, title, short),
            )
            return backend
        if backend is Backend.TRAY and self._tray is not None:
            self.show_in_tray(uin, title, short)
            return backend
        if self.in_app is not None:
            self.in_app(uin, title, short)
        return Backend.IN_APP

    def _desktop_failed(self, exc: BaseException, uin: int, title: str, body: str) -> None:
        """The service went away: use the next way from now on, for this message too."""
        log.warning("desktop notification failed, falling back: %s", exc)
        self._desktop = None
        if self.enabled and not self.do_not_disturb:
            self._show(uin, title, body)

    def notify_without_sound(self, uin: int, title: str, body: str) -> Backend | None:
        sounds, self.sounds = self.sounds, False
        try:
            return self.notify(uin, title, body)
        finally:
            self.sounds = sounds

    def show_in_tray(self, uin: int, title: str, body: str) -> None:
        """The tray's balloon about the chat with ``uin``; clicking it asks for that chat."""
        if self._tray is None:
            return
        self._tray_uin = uin
        # Several accounts' notifiers share the tray: a click is about the last balloon.
        _LAST_ON_TRAY[self._tray] = self
        self._tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 6000)

    def _tray_clicked(self) -> None:
        if self._tray is not None and _LAST_ON_TRAY.get(self._tray) is not self:
            self._tray_uin = None  # another notifier's balloon was clicked
            return
        if self._tray_uin is not None:
            self.chatRequested.emit(self._tray_uin)
            self._tray_uin = None

    def play_sound(self) -> None:
        """The new-message sound: QSoundEffect when QtMultimedia exists, else a beep."""
        if HAVE_SOUND:
            if self._sound is None:
                self._sound = _make_sound(self)
            if self._sound is not None:
                self._sound.play()  # type: ignore[attr-defined]
                return
        QApplication.beep()


def _make_sound(parent: QObject) -> object | None:
    try:
        from PySide6.QtCore import QUrl

        from qqdesk import resources

        path = resources.sound_path("message")
    except Exception:
        return None
    effect = QSoundEffect(parent)
    effect.setSource(QUrl.fromLocalFile(str(path)))
    return effect


def _icon_name() -> str:
    """The app icon for the notification: a file path the service can read, else none."""
    try:
        from qqdesk import resources

        return str(resources.app_icon_path(128))
    except Exception:
        return ""
