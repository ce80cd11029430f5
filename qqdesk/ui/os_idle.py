"""Idle time from the operating system's own call on Windows and macOS (ctypes, no Qt).

Windows: ``GetLastInputInfo`` (user32) against ``GetTickCount`` (kernel32), both
32-bit millisecond tick counts that wrap every 49.7 days. macOS:
``CGEventSourceSecondsSinceLastEventType`` (CoreGraphics) for any input event in the
HID system state, which covers every app's input. Linux asks the desktop over D-Bus
instead (:mod:`qqdesk.ui.idle`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Milliseconds since the last input anywhere on the desktop.
IdleReader = Callable[[], int]

_TICK_WRAP = 1 << 32
# CoreGraphics: kCGEventSourceStateHIDSystemState and kCGAnyInputEventType (~0).
_HID_SYSTEM_STATE = 1
_ANY_INPUT_EVENT = 0xFFFFFFFF


class _LastInputInfo(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]


def windows_reader(user32: Any, kernel32: Any) -> IdleReader:
    """A reader over ``user32``/``kernel32`` (ctypes.windll's, or a test's stand-ins)."""
    kernel32.GetTickCount.restype = ctypes.c_uint

    def idle_ms() -> int:
        info = _LastInputInfo()
        info.cbSize = ctypes.sizeof(_LastInputInfo)
        if not user32.GetLastInputInfo(ctypes.byref(info)):
            raise OSError("GetLastInputInfo failed")
        # Both are 32-bit tick counts: the difference is right across a wrap.
        return (int(kernel32.GetTickCount()) - int(info.dwTime)) % _TICK_WRAP

    return idle_ms


def macos_reader(core_graphics: Any) -> IdleReader:
    """A reader over the CoreGraphics library (ctypes.CDLL's, or a test's stand-in)."""
    call = core_graphics.CGEventSourceSecondsSinceLastEventType
    call.restype = ctypes.c_double
    call.argtypes = [ctypes.c_int32, ctypes.c_uint32]

    def idle_ms() -> int:
        return max(0, int(float(call(_HID_SYSTEM_STATE, _ANY_INPUT_EVENT)) * 1000))

    return idle_ms


def native_reader(platform: str = sys.platform) -> IdleReader | None:
    """This OS's idle reader, checked by one call; None on other systems or on failure."""
    try:
        if platform == "win32":
            windll = ctypes.windll  # type: ignore[attr-defined,unused-ignore]
            reader = windows_reader(windll.user32, windll.kernel32)
        elif platform == "darwin":
            path = ctypes.util.find_library("CoreGraphics") or (
                "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"
            )
            reader = macos_reader(ctypes.CDLL(path))
        else:
            return None
        reader()
    except (OSError, AttributeError) as exc:
        log.info("the system's idle time is not available: %s", exc)
        return None
    return reader
