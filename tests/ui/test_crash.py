"""Unexpected errors land in the log file and in a dialog, never in a loop of dialogs."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from qqdesk.ui import crash
from qqdesk.ui.crash import CrashReporter
from qqdesk.ui.logs import configure_logging, current_log_file, log_path

from .conftest import logging_put_back


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """qqdesk's logging configured with its folders in tmp_path; put back afterwards."""
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    with logging_put_back():
        path = configure_logging()
        assert path is not None
        yield path


class Boxes:
    """QMessageBox.exec replaced: the modal part is the only thing not run for real."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shown: list[QMessageBox] = []
        self.during: Any = None
        boxes = self

        def exec_(box: QMessageBox) -> int:
            boxes.shown.append(box)
            if boxes.during is not None:
                boxes.during()
            return int(QMessageBox.StandardButton.Ok.value)

        monkeypatch.setattr(QMessageBox, "exec", exec_)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    return Boxes(monkeypatch)


def raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def flush_log() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_logging_writes_the_file_at_info_and_debug_with_debug(log_file: Path) -> None:
    assert log_file == log_path()
    assert log_file.name == "qqdesk.log"
    assert "xdg_state_home" in str(log_file)
    logging.getLogger("qqdesk.test").info("an info line")
    logging.getLogger("qqdesk.test").debug("a debug line")
    logging.getLogger("httpx").info("HTTP Request: POST ...")
    flush_log()
    text = log_file.read_text(encoding="utf-8")
    assert "an info line" in text
    assert "a debug line" not in text
    assert "HTTP Request" not in text

    # Configured again (--debug): still one file handler, now at DEBUG.
    assert configure_logging(debug=True) == log_file
    assert current_log_file() == log_file
    names = [h.get_name() for h in logging.getLogger().handlers]
    assert names.count("qqdesk-file") == 1
    logging.getLogger("qqdesk.test").debug("a debug line")
    flush_log()
    assert log_file.read_text(encoding="utf-8").count("a debug line") == 1


def test_excepthook_logs_the_traceback_and_shows_the_dialog(
    qtbot: Any, qapp: QApplication, log_file: Path, boxes: Boxes
) -> None:
    reporter = CrashReporter(log_file)
    reporter.install()
    try:
        assert sys.excepthook == reporter.excepthook
        exc = raised(RuntimeError("the buddy list fell over"))
        sys.excepthook(type(exc), exc, exc.__traceback__)
        qtbot.waitUntil(lambda: bool(boxes.shown))
    finally:
        reporter.uninstall()
    assert sys.excepthook != reporter.excepthook
    flush_log()
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "the buddy list fell over" in text
    box = boxes.shown[0]
    assert "qqdesk ran into a problem" in box.text()
    assert str(log_file) in box.text()
    assert "the buddy list fell over" in box.detailedText()


def test_errors_while_the_dialog_shows_are_logged_not_shown_again(
    qtbot: Any, qapp: QApplication, log_file: Path, boxes: Boxes
) -> None:
    reporter = CrashReporter(log_file)
    second = raised(ValueError("second problem"))
    # An error raised while the box is up (say, by a timer it lets run).
    boxes.during = lambda: reporter.excepthook(type(second), second, second.__traceback__)
    first = raised(RuntimeError("first problem"))
    reporter.excepthook(type(first), first, first.__traceback__)
    qtbot.waitUntil(lambda: bool(boxes.shown))
    qtbot.waitUntil(lambda: reporter.idle)  # no further dialog is on its way
    assert len(boxes.shown) == 1
    flush_log()
    text = log_file.read_text(encoding="utf-8")
    assert "first problem" in text and "second problem" in text


def test_a_failing_dialog_does_not_loop(
    qtbot: Any,
    qapp: QApplication,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[int] = []

    def broken_exec(box: QMessageBox) -> int:
        calls.append(1)
        raise RuntimeError("the message box itself broke")

    monkeypatch.setattr(QMessageBox, "exec", broken_exec)
    reporter = CrashReporter(log_file)
    reporter.install()
    try:
        for _ in range(crash.MAX_DIALOGS + 3):
            exc = raised(RuntimeError("again"))
            sys.excepthook(type(exc), exc, exc.__traceback__)
        qtbot.waitUntil(lambda: reporter.idle)  # no further dialog is on its way
    finally:
        reporter.uninstall()
    assert len(calls) == crash.MAX_DIALOGS
    assert "could not show the error" in capsys.readouterr().err


def test_unhandled_task_error_goes_through_the_loop_handler(
    qtbot: Any, qapp: QApplication, qt_loop: asyncio.AbstractEventLoop, log_file: Path, boxes: Boxes
) -> None:
    reporter = CrashReporter(log_file)
    reporter.install(qt_loop)
    try:

        async def fails() -> None:
            raise LookupError("nobody awaited me")

        task = qt_loop.create_task(fails())
        qtbot.waitUntil(task.done)
        del task
        gc.collect()
        qtbot.waitUntil(lambda: bool(boxes.shown))
        # Contexts without an exception (and dropped connections) are only logged.
        qt_loop.call_exception_handler({"message": "just a note"})
        reset = raised(ConnectionResetError(104, "reset"))
        qt_loop.call_exception_handler({"message": "socket", "exception": reset})
        qtbot.waitUntil(lambda: reporter.idle)  # no further dialog is on its way
    finally:
        reporter.uninstall(qt_loop)
    assert len(boxes.shown) == 1
    assert qt_loop.get_exception_handler() is None
    flush_log()
    assert "nobody awaited me" in log_file.read_text(encoding="utf-8")


def test_errors_in_a_running_loop_show_one_dialog_after_the_failing_code(
    qtbot: Any, qapp: QApplication, qt_loop: asyncio.AbstractEventLoop, log_file: Path, boxes: Boxes
) -> None:
    from PySide6.QtCore import QTimer

    reporter = CrashReporter(log_file)

    def failing_slot() -> None:
        for number in range(3):
            exc = raised(RuntimeError(f"burst {number}"))
            reporter.excepthook(type(exc), exc, exc.__traceback__)
        # Still inside the failing code: the dialog waits for it to return.
        assert boxes.shown == []

    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: bool(boxes.shown))
    qtbot.waitUntil(lambda: reporter.idle)  # no further dialog is on its way
    assert len(boxes.shown) == 1
