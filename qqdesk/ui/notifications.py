"""Desktop notifications for new messages: freedesktop D-Bus, else the tray, else in-app."""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

log = logging.getLogger(__name__)

try:
    from PySide6.QtDBus import QDBus, QDBusConnection, QDBusInterface

    HAVE_DBUS = True
except ImportError:  # some Qt builds come without D-Bus
    HAVE_DBUS = False

try:  # QtMultimedia is not part of PySide6-Essentials
    from PySide6.QtMultimedia import QSoundEffect  # type: ignore[attr-defined]

    HAVE_SOUND = True
except ImportError:
    HAVE_SOUND = False

_SERVICE = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"


class Backend(enum.Enum):
    DBUS = "dbus"
    TRAY = "tray"
    IN_APP = "in-app"


class Notifier(QObject):
    """Tells the user about a message and reports which chat they clicked.

    ``in_app`` is the main window's banner, used when neither a notification
    service nor a tray is there.
    """

    #: the user clicked a notification about the chat with uin
    chatRequested = Signal("qlonglong")

    def __init__(
        self,
        tray: QSystemTrayIcon | None = None,
        in_app: Callable[[int, str, str], None] | None = None,
        parent: QObject | None = None,
        *,
        use_dbus: bool = True,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        self._in_app = in_app
        self._dbus: QDBusInterface | None = None  # type: ignore[no-any-unimported]
        self._by_id: dict[int, int] = {}
        self._tray_uin: int | None = None
        self.enabled = True
        self.sounds = True
        self._sound: object | None = None
        if use_dbus and HAVE_DBUS:
            self._connect_dbus()
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)

    def _connect_dbus(self) -> None:
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return
        registered = bus.interface().isServiceRegistered(_SERVICE)
        if not registered.isValid() or not registered.value():
            return
        interface = QDBusInterface(_SERVICE, _PATH, _SERVICE, bus, self)
        if not interface.isValid():
            return
        self._dbus = interface
        bus.connect(
            _SERVICE, _PATH, _SERVICE, "ActionInvoked", self, "2_action_invoked(uint,QString)"
        )

    @property
    def backend(self) -> Backend:
        if self._dbus is not None:
            return Backend.DBUS
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
        if backend is Backend.DBUS and self._notify_dbus(uin, title, short):
            return backend
        if backend is Backend.DBUS:
            backend = Backend.TRAY if self._tray is not None else Backend.IN_APP
        if backend is Backend.TRAY and self._tray is not None:
            self._tray_uin = uin
            self._tray.showMessage(title, short, QSystemTrayIcon.MessageIcon.Information, 6000)
            return backend
        if self._in_app is not None:
            self._in_app(uin, title, short)
        return Backend.IN_APP

    def _notify_dbus(self, uin: int, title: str, body: str) -> bool:
        assert self._dbus is not None
        actions = ["default", self.tr("Open chat")]
        reply = self._dbus.call(
            QDBus.CallMode.Block,
            "Notify",
            "qqdesk",
            0,
            "io.github.qqdesk.Qqdesk",
            title,
            body,
            actions,
            {"desktop-entry": "io.github.qqdesk.Qqdesk"},
            -1,
        )
        arguments = reply.arguments()
        if reply.errorName() or not arguments:
            log.warning("notification service refused: %s", reply.errorMessage())
            return False
        with contextlib.suppress(TypeError, ValueError):
            self._by_id[int(arguments[0])] = uin
        return True

    @Slot("uint", str)
    def _action_invoked(self, notification_id: int, action: str) -> None:
        uin = self._by_id.pop(int(notification_id), None)
        if uin is not None:
            self.chatRequested.emit(uin)

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

        from qqdesk import resources  # type: ignore[attr-defined]

        path = resources.sound_path("message")
    except Exception:
        return None
    effect = QSoundEffect(parent)
    effect.setSource(QUrl.fromLocalFile(str(path)))
    return effect
