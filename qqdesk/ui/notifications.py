"""Desktop notifications for new messages: the tray (freedesktop on Linux), else in-app."""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from .qtcompat import UIN

log = logging.getLogger(__name__)

try:  # QtMultimedia is not part of PySide6-Essentials
    from PySide6.QtMultimedia import QSoundEffect

    HAVE_SOUND = True
except ImportError:
    HAVE_SOUND = False


class Backend(enum.Enum):
    #: QSystemTrayIcon.showMessage; on Linux desktops Qt sends it to the
    #: org.freedesktop.Notifications service itself, clicks included.
    TRAY = "tray"
    IN_APP = "in-app"


class Notifier(QObject):
    """Tells the user about a message and reports which chat they clicked.

    ``in_app`` is the main window's banner, used when there is no tray.

    Notify is not called over QtDBus by hand: PySide6 cannot marshal its uint32
    ``replaces_id`` (a Python int goes out as int32 and daemons reject the call,
    as a test daemon showed), while QSystemTrayIcon.showMessage reaches the same
    service through Qt's own D-Bus tray. ``use_dbus`` is kept for callers and
    ignored.
    """

    #: the user clicked a notification about the chat with uin
    chatRequested = Signal(UIN)

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
        self._in_app = in_app
        self._tray_uin: int | None = None
        self.enabled = True
        self.sounds = True
        self._sound: object | None = None
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)

    @property
    def backend(self) -> Backend:
        if self._tray is not None and self._tray.isVisible() and QSystemTrayIcon.supportsMessages():
            return Backend.TRAY
        return Backend.IN_APP

    def set_tray(self, tray: QSystemTrayIcon | None) -> None:
        if self._tray is not None:
            with contextlib.suppress(RuntimeError):
                self._tray.messageClicked.disconnect(self._tray_clicked)
        self._tray = tray
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)

    def notify(self, uin: int, title: str, body: str) -> Backend | None:
        """Show a notification about a message in the chat with ``uin``; None when off."""
        if self.sounds:
            self.play_sound()
        if not self.enabled:
            return None
        backend = self.backend
        short = body if len(body) <= 200 else body[:199] + "…"
        if backend is Backend.TRAY and self._tray is not None:
            self._tray_uin = uin
            self._tray.showMessage(title, short, QSystemTrayIcon.MessageIcon.Information, 6000)
            return backend
        if self._in_app is not None:
            self._in_app(uin, title, short)
        return Backend.IN_APP

    def _tray_clicked(self) -> None:
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
