"""Work-arounds for the Qt binding: Python's garbage collector stays in the GUI thread;
module sources read at import are not kept."""

from __future__ import annotations

import gc
import importlib
import linecache
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from qqdesk.ui.qtcompat import collect_garbage_in_gui_thread, forget_module_sources


class Cycle:
    """An object that keeps itself alive until the cyclic collector runs, with a timer."""

    def __init__(self) -> None:
        self.me = self
        self.timer = QTimer()  # a QObject with a timer: the kind that crashed
        self.timer.start(60_000)


def test_the_collector_is_installed_once_and_automatic_gc_is_off(qapp: QApplication) -> None:
    first = collect_garbage_in_gui_thread(qapp)
    assert collect_garbage_in_gui_thread(qapp) is first
    assert not gc.isenabled()


def test_cycles_holding_qt_objects_are_freed_in_the_gui_thread(
    qtbot: Any, qapp: QApplication
) -> None:
    collect_garbage_in_gui_thread(qapp)
    freed_in: list[int] = []
    cycle = Cycle()
    cycle.timer.destroyed.connect(lambda *_: freed_in.append(threading.get_ident()))
    del cycle

    def allocate() -> None:
        # Far past the generation-0 threshold: an enabled collector would run here.
        junk = []
        for _ in range(50_000):
            item: list[Any] = []
            item.append(item)
            junk.append(item)
        del junk

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert freed_in == []  # nothing was collected in the worker
    qtbot.waitUntil(lambda: bool(freed_in), timeout=5000)
    assert freed_in == [threading.get_ident()]


def test_collect_only_when_a_threshold_is_passed(qapp: QApplication) -> None:
    collector = collect_garbage_in_gui_thread(qapp)
    gc.collect()
    assert collector.collect() == 0  # counts are back at zero
    garbage = QObject()
    holder: list[Any] = [garbage]
    holder.append(holder)
    del garbage, holder
    for _ in range(gc.get_threshold()[0] + 10):
        extra: list[Any] = []
        extra.append(extra)
    del extra
    assert collector.collect() > 0


def test_module_sources_read_at_import_are_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module imported now, with PySide6 loaded: shiboken's import hook reads its
    # source (inspect.getsource), and linecache would keep it for good.
    module = tmp_path / "qqdesk_imported_late.py"
    module.write_text("VALUE = 1\n" + "# a line of the module's source\n" * 1000)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "qqdesk_imported_late", raising=False)
    importlib.import_module("qqdesk_imported_late")
    linecache.getlines(str(module))  # (kept whether or not the hook read it)
    assert str(module) in linecache.cache
    forget_module_sources()
    assert str(module) not in linecache.cache
    # a traceback still finds its lines: read again on demand
    assert linecache.getline(str(module), 1) == "VALUE = 1\n"
