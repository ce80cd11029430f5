"""Idle auto-away: Busy after N minutes without input, Online on input, hands off otherwise."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from qqdesk.client.events import ConnectionState, ConnectionStateChanged
from qqdesk.core import Presence
from qqdesk.ui.dialogs import SettingsDialog
from qqdesk.ui.idle import AutoAway, DesktopIdle, IdleSource
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import Roles
from qqdesk.ui.settings import load_settings

# The private session bus of the notification tests (used by name, not as an argument).
from .test_desktop_notify import session_bus  # noqa: F401


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Status:
    """The status as the window holds it, and what auto-away asked for."""

    def __init__(self, status: Presence = Presence.ONLINE) -> None:
        self.status = status
        self.applied: list[Presence] = []

    def current(self) -> Presence:
        return self.status

    def apply(self, status: Presence) -> None:
        self.applied.append(status)
        self.status = status


def away(status: Status, clock: Clock, minutes: int = 10, **kwargs: Any) -> AutoAway:
    return AutoAway(
        lambda: minutes, status.current, status.apply, use_dbus=False, clock=clock, **kwargs
    )


def test_busy_after_the_idle_minutes_and_online_at_the_first_key(qtbot: Any) -> None:
    status, clock = Status(), Clock()
    auto = away(status, clock)
    assert auto.source is IdleSource.APP
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    clock.now += 9 * 60
    auto.check()
    assert status.applied == []
    clock.now += 61
    auto.check()
    assert status.applied == [Presence.BUSY] and auto.away
    auto.check()  # still idle: nothing more
    assert status.applied == [Presence.BUSY]
    qtbot.keyClick(field, Qt.Key.Key_A)
    assert status.applied == [Presence.BUSY, Presence.ONLINE] and not auto.away


@pytest.mark.parametrize("mine", [Presence.BUSY, Presence.HIDDEN, Presence.OFFLINE])
def test_a_status_picked_by_hand_is_never_changed(qtbot: Any, mine: Presence) -> None:
    status, clock = Status(mine), Clock()
    auto = away(status, clock)
    clock.now += 3600
    auto.check()
    auto.evaluate(0)
    assert status.applied == []


def test_picked_by_hand_while_away_stays(qtbot: Any) -> None:
    status, clock = Status(), Clock()
    auto = away(status, clock)
    auto.evaluate(601)
    assert status.applied == [Presence.BUSY]
    # Away, the user sets Invisible (or Busy) by hand: input does not undo it.
    auto.chosen_by_hand()
    status.status = Presence.BUSY
    auto.evaluate(0)
    assert status.applied == [Presence.BUSY]


def test_off_and_signed_out_do_nothing(qtbot: Any) -> None:
    status, clock = Status(), Clock()
    away(status, clock, minutes=0).evaluate(10**6)
    signed_out = away(status, clock, allowed=lambda: False)
    signed_out.evaluate(10**6)
    assert status.applied == []


def real_window(qtbot: Any, session: Any, settings: Any = None) -> MainWindow:
    window = MainWindow(session, settings=settings, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def seen_by(window: MainWindow, uin: int) -> Presence | None:
    index = window.model.index_of(uin)
    return index.data(Roles.STATUS) if index.isValid() else None


def test_auto_away_in_the_main_window_against_the_server(
    qtbot: Any, qt_run: Any, tmp_path: Path, alice_session: Any, bob_session: Any
) -> None:
    settings = load_settings(tmp_path / "settings.json")
    settings.auto_away_minutes = 1
    alice = real_window(qtbot, alice_session, settings)
    bob = real_window(qtbot, bob_session)
    qtbot.waitUntil(lambda: seen_by(bob, 10001) is Presence.ONLINE, timeout=10_000)
    # A minute without input (the idle time is told, not waited for).
    alice.auto_away.evaluate(61)
    assert alice.status_selector.status() is Presence.BUSY
    qtbot.waitUntil(lambda: seen_by(bob, 10001) is Presence.BUSY, timeout=10_000)
    # A key in any of the app's windows: Online again.
    qtbot.keyClick(alice.filter_edit, Qt.Key.Key_B)
    assert alice.status_selector.status() is Presence.ONLINE
    qtbot.waitUntil(lambda: seen_by(bob, 10001) is Presence.ONLINE, timeout=10_000)

    # Signed out: auto-away never signs the account in again.
    alice.auto_away.evaluate(61)
    qtbot.waitUntil(lambda: seen_by(bob, 10001) is Presence.BUSY, timeout=10_000)
    alice.bridge.connectionStateChanged.emit(
        ConnectionStateChanged(account=10001, state=ConnectionState.STOPPED)
    )
    alice.auto_away.evaluate(0)
    assert alice.status_selector.status() is Presence.BUSY


def test_the_settings_page_says_where_idle_time_comes_from(qtbot: Any, tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "settings.json")
    assert settings.auto_away_minutes == 10
    dialog = SettingsDialog(settings, idle_source=IdleSource.APP)
    qtbot.addWidget(dialog)
    assert dialog.away_spin.value() == 10
    assert "only input in qqdesk's own windows" in dialog.away_note.text()
    dialog.away_spin.setValue(0)
    assert dialog.away_spin.text() == "Never"
    assert dialog.apply()
    assert load_settings(tmp_path / "settings.json").auto_away_minutes == 0
    none = SettingsDialog(settings, idle_source=IdleSource.NONE)
    qtbot.addWidget(none)
    assert "not available" in none.away_note.text()


class IdleMonitorService(threading.Thread):
    """A desktop's idle monitor on the private bus: answers one method with ``idle_ms``."""

    def __init__(self, bus_name: str, member: str, idle_ms: int) -> None:
        super().__init__(daemon=True)
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(os.environ["DBUS_SESSION_BUS_ADDRESS"])
        assert self.conn.send_and_get_reply(message_bus.RequestName(bus_name)).body[0] == 1
        self.member, self.idle_ms = member, idle_ms
        self._halt = threading.Event()

    def run(self) -> None:
        from jeepney import HeaderFields, MessageType, new_error, new_method_return

        while not self._halt.is_set():
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            if msg.header.fields.get(HeaderFields.member) == self.member:
                signature = "t" if self.member == "GetIdletime" else "u"
                self.conn.send(new_method_return(msg, signature, (self.idle_ms,)))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))

    def stop(self) -> None:
        self._halt.set()
        self.join(2)
        self.conn.close()


def probe() -> tuple[IdleSource, int | None]:
    async def scenario() -> tuple[IdleSource, int | None]:
        desktop = DesktopIdle()
        source = await desktop.connect()
        idle = await desktop.idle_ms()
        await desktop.close()
        return source, idle

    return asyncio.run(scenario())


needs_dbus = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="needs dbus-daemon")


@needs_dbus
@pytest.mark.usefixtures("session_bus")
@pytest.mark.parametrize(
    ("bus_name", "member", "source"),
    [
        ("org.gnome.Mutter.IdleMonitor", "GetIdletime", IdleSource.MUTTER),
        ("org.freedesktop.ScreenSaver", "GetSessionIdleTime", IdleSource.SCREENSAVER),
    ],
)
def test_idle_time_from_the_desktop(bus_name: str, member: str, source: IdleSource) -> None:
    service = IdleMonitorService(bus_name, member, 123_000)
    service.start()
    try:
        assert probe() == (source, 123_000)
    finally:
        service.stop()


@needs_dbus
@pytest.mark.usefixtures("session_bus")
def test_no_idle_monitor_on_the_bus() -> None:
    assert probe() == (IdleSource.NONE, None)


@needs_dbus
@pytest.mark.usefixtures("session_bus")
def test_auto_away_reads_the_desktop_idle_time(qtbot: Any, qt_run: Any) -> None:
    service = IdleMonitorService("org.gnome.Mutter.IdleMonitor", "GetIdletime", 11 * 60_000)
    service.start()
    try:
        status, clock = Status(), Clock()
        auto = AutoAway(lambda: 10, status.current, status.apply, clock=clock)
        with qtbot.waitSignal(auto.sourceChanged, timeout=5000):
            pass
        assert auto.source is IdleSource.MUTTER
        auto.check()
        qtbot.waitUntil(lambda: status.applied == [Presence.BUSY], timeout=5000)
        service.idle_ms = 2000  # input somewhere on the desktop
        auto.check()
        qtbot.waitUntil(lambda: status.applied == [Presence.BUSY, Presence.ONLINE], timeout=5000)
        auto.stop()
        qt_run(auto.close())
    finally:
        service.stop()
