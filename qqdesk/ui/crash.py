"""Unexpected errors are logged and shown in a dialog instead of the app vanishing silently."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger(__name__)

# After this many dialogs in one run, errors are only logged (a broken timer must not
# bury the desktop in message boxes).
MAX_DIALOGS = 3

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


class CrashReporter(QObject):
    """Installs ``sys.excepthook`` and the asyncio loop's exception handler.

    Each unexpected error is logged with its traceback; when a QApplication exists a
    message box says so and where the log is. While a report is being shown or made,
    errors are only logged (errors inside the reporting itself go to stderr), so a
    failure cannot loop.
    """

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.dialogs_shown = 0
        self._busy = False
        self._showing = False
        # A dialog is queued to show once the failing code has returned.
        self._queued = False
        self._previous_hook: ExceptHook | None = None

    @property
    def idle(self) -> bool:
        """True when no dialog is waiting to be shown or showing: nothing more will pop up."""
        return not (self._queued or self._showing)

    # -- installing ------------------------------------------------------------------

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if self._previous_hook is None:
            self._previous_hook = sys.excepthook
            sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception)

    def uninstall(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if self._previous_hook is not None and sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        self._previous_hook = None
        if loop is not None and loop.get_exception_handler() == self.loop_exception:
            loop.set_exception_handler(None)

    # -- the hooks -------------------------------------------------------------------

    def excepthook(
        self,
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            (self._previous_hook or sys.__excepthook__)(kind, value, tb)
            return
        self.report(value, tb, "unexpected error")

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message") or "asyncio error")
        if not isinstance(exc, BaseException) or isinstance(
            exc, asyncio.CancelledError | ConnectionError
        ):
            # Contexts without an exception, and dropped connections, are noise to a user.
            loop.default_exception_handler(context)
            return
        self.report(exc, exc.__traceback__, message)

    # -- reporting -------------------------------------------------------------------

    def report(self, exc: BaseException, tb: TracebackType | None, what: str) -> None:
        """Log ``exc`` and, once the current report is done, show the dialog."""
        if self._busy:
            # An error while reporting: only the log, with the bare traceback module.
            with contextlib.suppress(Exception):
                text = "".join(traceback.format_exception(type(exc), exc, tb))
                sys.stderr.write(f"qqdesk: error while reporting an error:\n{text}")
            return
        self._busy = True
        try:
            log.critical("%s", what, exc_info=(type(exc), exc, tb))
            details = "".join(traceback.format_exception(type(exc), exc, tb))
            show = self._may_show()
        except Exception:
            with contextlib.suppress(Exception):
                sys.stderr.write("qqdesk: could not report an error:\n" + traceback.format_exc())
            return
        finally:
            self._busy = False
        if not show:
            return
        if QThread.currentThread().loopLevel() > 0:
            # Out of the failing slot or task first: a modal loop inside it could run
            # the very code that failed again.
            self._queued = True
            QTimer.singleShot(0, lambda: self.show_dialog(details))
        else:
            self.show_dialog(details)

    def _may_show(self) -> bool:
        if threading.current_thread() is not threading.main_thread():
            return False
        if not isinstance(QApplication.instance(), QApplication):
            return False
        return not (self._showing or self._queued) and self.dialogs_shown < MAX_DIALOGS

    def message(self) -> str:
        where = str(self.log_file) if self.log_file is not None else self.tr("(no log file)")
        return self.tr("qqdesk ran into a problem. The log is at {path}.").format(path=where)

    def show_dialog(self, details: str) -> None:
        """The modal message box; errors shown while it is open are only logged."""
        self._queued = False
        if self._showing:
            return
        self.dialogs_shown += 1
        self._showing = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, self.tr("qqdesk"), self.message())
            box.setDetailedText(details)
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            folder = None
            if self.log_file is not None:
                folder = box.addButton(
                    self.tr("Open Log Folder"), QMessageBox.ButtonRole.ActionRole
                )
            box.exec()
            if folder is not None and box.clickedButton() is folder and self.log_file:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_file.parent)))
        except Exception:
            with contextlib.suppress(Exception):
                sys.stderr.write("qqdesk: could not show the error:\n" + traceback.format_exc())
        finally:
            self._showing = False
