"""What the app's main window does as a window: hide to the tray, keep its place, quit."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from .tray import Tray


class TopLevelWindow(QMainWindow):
    """A main window that closes to the tray (when there is one) and quits otherwise.

    The buddy list of one account (mainwindow.MainWindow) and the window of several
    (accounts.AccountsWindow) are both one; a subclass sets ``tray`` and closes what
    it owns in :meth:`closing`.
    """

    #: the user asked to quit (menu, tray, or closing without a tray)
    quitRequested = Signal()

    def __init__(self, settings: Any | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.tray: Tray | None = None
        # Set once quitting: closing then really closes, and late events are ignored.
        self._quitting = False

    def changeEvent(self, event: QEvent) -> None:
        # A closed window's sessions (and history files) are gone: nothing to retranslate.
        if event.type() == QEvent.Type.LanguageChange and not self._quitting:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text of the window in the language installed now."""

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def request_quit(self) -> None:
        self._quitting = True
        self.quitRequested.emit()

    def closing(self) -> None:
        """The window really closes (not to the tray): close what belongs to it."""

    def closeEvent(self, event: QCloseEvent) -> None:
        # A page inside another window (ui/accounts.py) has no geometry of its own.
        if self.isWindow() and self.settings is not None and hasattr(self.settings, "set_geometry"):
            with contextlib.suppress(Exception):
                self.settings.set_geometry("main", bytes(self.saveGeometry().data()))
        if not self._quitting and self.tray is not None and Tray.available():
            # Hiding to the tray keeps the sessions; the tray brings the window back.
            event.ignore()
            self.hide()
            return
        self.closing()
        if self.tray is not None:
            self.tray.dispose()
        if not self._quitting:
            self._quitting = True
            self.quitRequested.emit()
        event.accept()
