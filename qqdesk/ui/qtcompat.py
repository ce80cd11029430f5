"""Work-arounds for Qt binding limits: 64-bit signal numbers, None refcounts, GC threads,
the module sources PySide6's import hook leaves in memory."""

from __future__ import annotations

import ctypes
import gc
import linecache
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: Signal argument type for QQ numbers: they reach 2**32 - 1, beyond Qt's 32-bit int.
UIN: Any = "qlonglong"

#: How many references protect_none() adds: more than a process ever drops.
_PADDING = 1 << 40

_done = False


def protect_none() -> None:
    """Keep ``None`` (and the bools) alive although PySide6 drops references to them.

    PySide6 6.12 on CPython 3.11 releases one reference to ``None`` each time a Qt
    method without a return value is called from Python (``update()``, ``show()``,
    ``processEvents()``...). None starts with some thousands of references, so after
    a few minutes of use CPython aborts with "deallocating None". Adding 2**40
    references up front outlasts any session. From CPython 3.12 on, None is
    immortal and nothing needs doing. pyproject.toml excludes 6.12.0, so this only
    acts where that build was installed anyway (a bundle or --no-deps install).
    """
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import PySide6

    if PySide6.__version__ != "6.12.0":
        return
    # True and False lose references the same way on some calls (seen at exit).
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _PADDING
    _done = True


def forget_module_sources() -> None:
    """Drop the source lines of imported modules that PySide6's import hook left behind.

    Once PySide6 is imported, shiboken's ``__feature__`` support checks every module
    imported from a .py file for the word "PySide6" with ``inspect.getsource``, and
    ``linecache`` keeps each whole file as a list of lines: about 10 MiB for what the
    app imports by the time its main window starts (6 MiB of the peak of a first
    sign-in with 10,000 buddies, tests/bench/bench_signin.py). It is only a cache: a
    traceback reads the lines it shows again.
    """
    linecache.clearcache()


class MainThreadGarbageCollector(QObject):
    """Runs Python's cyclic garbage collector in the GUI thread only.

    Left automatic, the collector runs in whichever thread happens to allocate when
    a threshold is crossed: a server thread, the store's writer thread, an executor
    worker. If it then frees a cycle holding a Qt object, that object's C++ side is
    destroyed in the wrong thread ("QObject::~QObject: Timers cannot be stopped from
    another thread") and the process may crash. So automatic collection is switched
    off and this timer does the same generational work from the Qt event loop.
    """

    def __init__(self, parent: QObject, interval_ms: int = 250) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> int:
        """Collect the generations whose allocation counts passed their thresholds."""
        counts = gc.get_count()
        generation = -1
        for gen, (count, threshold) in enumerate(zip(counts, self._thresholds, strict=True)):
            if threshold and count > threshold:
                generation = gen
            else:
                break
        return gc.collect(generation) if generation >= 0 else 0

    def stop(self) -> None:
        """Hand collection back to Python (for tests and for shutting down)."""
        self._timer.stop()
        gc.enable()


def collect_garbage_in_gui_thread(app: QCoreApplication) -> MainThreadGarbageCollector:
    """Install the collector on ``app`` once; later calls return the same one."""
    existing = app.findChild(MainThreadGarbageCollector)
    if isinstance(existing, MainThreadGarbageCollector):
        return existing
    return MainThreadGarbageCollector(app)
