"""Idle auto-away: Busy after N minutes without input, Online again on input.

How long the user has been idle comes from the operating system on Windows and macOS
(:mod:`qqdesk.ui.os_idle`), from the desktop on Linux where it says (GNOME's
``org.gnome.Mutter.IdleMonitor``, else ``org.freedesktop.ScreenSaver``'s
``GetSessionIdleTime`` as KDE and others offer, both on the session bus), else from
the input this app's own windows get.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from qqdesk.core import Presence

from .os_idle import IdleReader, native_reader
from .tasks import spawn

log = logging.getLogger(__name__)

#: Default minutes without input before Busy (0 turns auto-away off).
DEFAULT_MINUTES = 10

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleSource(enum.Enum):
    """Where the idle time comes from."""

    SYSTEM = "system"
    MUTTER = "mutter"
    SCREENSAVER = "screensaver"
    APP = "app"
    NONE = "none"


def describe_source(source: IdleSource) -> str:
    """The source as the settings page says it (translated)."""
    words = {
        IdleSource.SYSTEM: "Idle time comes from the operating system.",
        IdleSource.MUTTER: "Idle time comes from the desktop (GNOME idle monitor).",
        IdleSource.SCREENSAVER: "Idle time comes from the desktop (screen saver service).",
        IdleSource.APP: "The desktop does not tell idle time: only input in qqdesk's own "
        "windows counts.",
        IdleSource.NONE: "Idle time is not available here: auto-away cannot work.",
    }
    return QCoreApplication.translate("AutoAway", words[source])


class DesktopIdle:
    """Asks the session bus how long the user has been idle (jeepney, on asyncio)."""

    # (source, bus name, object path, interface, method); both answer in milliseconds
    # (KDE's ScreenSaver does; the draft spec says seconds, nobody ships that).
    CANDIDATES = (
        (
            IdleSource.MUTTER,
            "org.gnome.Mutter.IdleMonitor",
            "/org/gnome/Mutter/IdleMonitor/Core",
            "org.gnome.Mutter.IdleMonitor",
            "GetIdletime",
        ),
        (
            IdleSource.SCREENSAVER,
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver",
            "GetSessionIdleTime",
        ),
    )

    def __init__(self) -> None:
        self.source = IdleSource.NONE
        self._router: Any = None
        self._connection: Any = None
        self._call: tuple[str, str, str, str] | None = None

    async def connect(self) -> IdleSource:
        """Find a monitor that answers; NONE when there is no bus or no monitor."""
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return IdleSource.NONE
        try:
            from jeepney.io.asyncio import DBusRouter, open_dbus_connection
        except ImportError:
            return IdleSource.NONE
        try:
            connection = await asyncio.wait_for(open_dbus_connection("SESSION"), 3)
        except (OSError, TimeoutError, ValueError) as exc:
            log.info("no session bus for idle time: %s", exc)
            return IdleSource.NONE
        router = DBusRouter(connection)
        self._router, self._connection = router, connection
        for source, *call in self.CANDIDATES:
            self._call = (call[0], call[1], call[2], call[3])
            if await self.idle_ms() is not None:
                self.source = source
                log.info("idle time from %s", call[0])
                return source
        self._call = None
        await self.close()
        return IdleSource.NONE

    async def idle_ms(self) -> int | None:
        """Milliseconds since the last input, or None when the monitor does not answer."""
        if self._router is None or self._call is None:
            return None
        from jeepney import DBusAddress, new_method_call

        bus_name, path, interface, method = self._call
        message = new_method_call(DBusAddress(path, bus_name=bus_name, interface=interface), method)
        try:
            reply = await asyncio.wait_for(self._router.send_and_get_reply(message), 3)
        except (OSError, TimeoutError) as exc:
            log.info("idle time: %s did not answer: %s", bus_name, exc)
            return None
        if reply.header.message_type.name == "error" or not reply.body:
            return None
        return int(reply.body[0])

    async def close(self) -> None:
        router, connection, self._router, self._connection = (
            self._router,
            self._connection,
            None,
            None,
        )
        if router is not None:
            with contextlib.suppress(Exception):
                await router.__aexit__(None, None, None)
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()


class AutoAway(QObject):
    """Sets Busy after ``minutes()`` without input and Online when input comes back.

    It only ever leaves Online for Busy, and only goes back to Online from the Busy it
    set itself: a status the user picked by hand (``chosen_by_hand``), Offline and
    Invisible included, is never changed, and nothing happens while ``allowed()`` is
    False (the user signed out).
    """

    #: the idle source is known (or changed)
    sourceChanged = Signal()

    def __init__(
        self,
        minutes: Callable[[], int],
        current: Callable[[], Presence],
        apply: Callable[[Presence], None],
        allowed: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
        *,
        use_dbus: bool = True,
        check_ms: int = 15_000,
        clock: Callable[[], float] = time.monotonic,
        native: IdleReader | None = None,
    ) -> None:
        super().__init__(parent)
        self._minutes = minutes
        self._current = current
        self._apply = apply
        self._allowed = allowed
        self._clock = clock
        self._last_input = clock()
        #: Busy is set by auto-away (not by the user).
        self.away = False
        self._desktop: DesktopIdle | None = None
        self._filtering = False
        # Windows and macOS answer at once; Linux desktops over D-Bus, later.
        self._native = native if native is not None or not use_dbus else native_reader()
        # Until the desktop answers (or where it cannot): the input of this app's windows.
        self.source = IdleSource.APP if QCoreApplication.instance() else IdleSource.NONE
        if self._native is not None:
            self.source = IdleSource.SYSTEM
        self._sync_filter()
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        if use_dbus and self._native is None:
            desktop = DesktopIdle()
            spawn(
                desktop.connect(),
                on_done=lambda source: self._desktop_found(desktop, source),
                on_error=lambda exc: log.info("idle monitor: %s", exc),
            )

    def _desktop_found(self, desktop: DesktopIdle, source: IdleSource) -> None:
        if source is not IdleSource.NONE:
            self._desktop = desktop
            self.source = source
            self._sync_filter()
            self.sourceChanged.emit()

    def _sync_filter(self) -> None:
        """Watch the app's input only when it is the source, or while away (to come back
        at the first key): every event of the app passes through the filter."""
        want = self.source is IdleSource.APP or self.away
        app = QCoreApplication.instance()
        if app is None or want == self._filtering:
            return
        if want:
            self._last_input = self._clock()
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._filtering = want

    def stop(self) -> None:
        """No more checks and no more input watching (the window is going)."""
        self._timer.stop()
        self._minutes = lambda: 0
        self.source = IdleSource.NONE
        self._set_away(False)  # and the input filter goes

    async def close(self) -> None:
        """Let go of the session bus (call :meth:`stop` first, from the GUI thread)."""
        if self._desktop is not None:
            desktop, self._desktop = self._desktop, None
            await desktop.close()

    def chosen_by_hand(self) -> None:
        """The user picked a status: from now on it is theirs, not auto-away's."""
        self._set_away(False)

    def _set_away(self, away: bool) -> None:
        self.away = away
        self._sync_filter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = self._clock()
            if self.away:
                # Back at the keyboard: no need to wait for the next check.
                self.evaluate(0.0)
        return False

    def app_idle_seconds(self) -> float:
        return max(0.0, self._clock() - self._last_input)

    def check(self) -> None:
        """Read the idle time (the desktop's, else this app's) and act on it."""
        if self._minutes() <= 0 and not self.away:
            return
        if self._native is not None:
            try:
                idle_ms: int | None = self._native()
            except OSError as exc:
                log.info("the system's idle time: %s", exc)
                idle_ms = None
            self._desktop_idle(idle_ms)
        elif self._desktop is not None:
            spawn(self._desktop.idle_ms(), on_done=self._desktop_idle)
        elif self.source is IdleSource.APP:
            self.evaluate(self.app_idle_seconds())

    def _desktop_idle(self, idle_ms: int | None) -> None:
        if idle_ms is None:
            # The monitor went away: the app's own input from now on.
            self._desktop = self._native = None
            self.source = IdleSource.APP
            self._sync_filter()
            self.sourceChanged.emit()
            idle = self.app_idle_seconds()
        else:
            # The desktop sees every input, this app's too.
            idle = idle_ms / 1000
        self.evaluate(idle)

    def evaluate(self, idle_seconds: float) -> None:
        """Go Busy or come back, for ``idle_seconds`` without input."""
        minutes = self._minutes()
        if not self._allowed():
            return
        if self.away:
            if minutes <= 0 or idle_seconds < minutes * 60:
                self._set_away(False)
                if self._current() is Presence.BUSY:
                    self._apply(Presence.ONLINE)
            return
        if minutes > 0 and idle_seconds >= minutes * 60 and self._current() is Presence.ONLINE:
            self._set_away(True)
            self._apply(Presence.BUSY)
