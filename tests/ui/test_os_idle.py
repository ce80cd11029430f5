"""The Windows and macOS idle readers, over stand-ins for their system libraries.

The calls themselves only exist on those systems; what is tested here is the part
that is ours: the structure handed to GetLastInputInfo, the tick arithmetic across a
wrap, the CoreGraphics arguments and units, and that auto-away uses the reader.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from qqdesk.core import Presence
from qqdesk.ui.idle import AutoAway, IdleSource
from qqdesk.ui.os_idle import macos_reader, native_reader, windows_reader


class Windows:
    """user32 and kernel32 as far as the reader uses them."""

    def __init__(self, now: int, last_input: int, ok: bool = True) -> None:
        self.now, self.last_input, self.ok = now, last_input, ok
        self.sizes: list[int] = []

        def get_last_input_info(ref: Any) -> int:
            info = ref._obj  # what ctypes.byref points at
            self.sizes.append(info.cbSize)
            info.dwTime = self.last_input
            return 1 if self.ok else 0

        def get_tick_count() -> int:
            return self.now

        self.user32 = SimpleNamespace(GetLastInputInfo=get_last_input_info)
        self.kernel32 = SimpleNamespace(GetTickCount=get_tick_count)


def test_windows_idle_is_ticks_since_the_last_input() -> None:
    system = Windows(now=5_000_000, last_input=4_880_000)
    read = windows_reader(system.user32, system.kernel32)
    assert read() == 120_000
    assert system.sizes == [8]  # cbSize must be set, or the call fails


def test_windows_idle_across_the_49_day_tick_wrap() -> None:
    system = Windows(now=1_000, last_input=2**32 - 2_000)
    assert windows_reader(system.user32, system.kernel32)() == 3_000


def test_windows_failure_is_an_os_error() -> None:
    system = Windows(now=1, last_input=0, ok=False)
    with pytest.raises(OSError):
        windows_reader(system.user32, system.kernel32)()


def test_macos_idle_asks_for_any_input_in_seconds() -> None:
    calls: list[tuple[int, int]] = []

    def seconds_since(state: int, event_type: int) -> float:
        calls.append((state, event_type))
        return 61.25

    read = macos_reader(SimpleNamespace(CGEventSourceSecondsSinceLastEventType=seconds_since))
    assert read() == 61_250
    assert calls == [(1, 0xFFFFFFFF)]  # HID system state, any input event


def test_no_native_reader_on_linux() -> None:
    assert native_reader("linux") is None


def test_auto_away_uses_the_system_idle_time(qtbot: Any) -> None:
    status = [Presence.ONLINE]
    idle = [0]
    auto = AutoAway(
        lambda: 10,
        lambda: status[-1],
        status.append,
        use_dbus=False,
        native=lambda: idle[0],
    )
    assert auto.source is IdleSource.SYSTEM
    idle[0] = 10 * 60_000
    auto.check()
    assert status == [Presence.ONLINE, Presence.BUSY]
    idle[0] = 500  # input anywhere on the desktop
    auto.check()
    assert status == [Presence.ONLINE, Presence.BUSY, Presence.ONLINE]
    auto.stop()


def test_a_failing_system_call_falls_back_to_the_apps_input(qtbot: Any) -> None:
    def broken() -> int:
        raise OSError("GetLastInputInfo failed")

    auto = AutoAway(lambda: 10, lambda: Presence.ONLINE, lambda _: None, native=broken)
    auto.check()
    assert auto.source is IdleSource.APP
    auto.stop()
