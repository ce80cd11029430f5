"""Small widgets the main window is made of: banners and the status selector."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from qqdesk.core import Presence

from . import icons
from .chat import status_words
from .tray import STATUS_ORDER

_BANNER_STYLES = {
    "warning": "background:#fff3cd; color:#664d03; border-bottom:1px solid #e6d39a;",
    "error": "background:#f8d7da; color:#842029; border-bottom:1px solid #e6b3b8;",
    "info": "background:#dbeafe; color:#1e3a5f; border-bottom:1px solid #b6cdef;",
}


class Banner(QFrame):
    """A strip across the window with a message and an optional button."""

    actionClicked = Signal()

    def __init__(self, kind: str = "info", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.kind = kind
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton()
        self.button.setFlat(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.actionClicked)
        self.button.hide()
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(28)
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.close_button)
        self.set_kind(kind)
        self.hide()

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        # A type selector, not an object name, so windows may name their banners.
        self.setStyleSheet(f"Banner {{{_BANNER_STYLES[kind]}}} QLabel {{ border: none; }}")

    def show_message(
        self, text: str, *, kind: str | None = None, action: str = "", closable: bool = True
    ) -> None:
        if kind is not None:
            self.set_kind(kind)
        self.label.setText(text)
        self.button.setText(action)
        self.button.setVisible(bool(action))
        self.close_button.setVisible(closable)
        self.show()

    def text(self) -> str:
        return self.label.text()


class StatusSelector(QComboBox):
    """Online, Busy, Invisible, Offline, each with its badge; ``statusChosen`` on user choice."""

    statusChosen = Signal(Presence)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusSelector")
        for status in STATUS_ORDER:
            self.addItem(icons.status_icon(status), status_words(status), status.value)
        self._quiet = False
        self.activated.connect(self._chosen)

    def status(self) -> Presence:
        return Presence(self.currentData())

    def set_status(self, status: Presence) -> None:
        """Show ``status`` without reporting it as the user's choice."""
        index = self.findData(status.value)
        if index >= 0:
            self._quiet = True
            self.setCurrentIndex(index)
            self._quiet = False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            for index, status in enumerate(STATUS_ORDER):
                self.setItemText(index, status_words(status))
        super().changeEvent(event)

    def _chosen(self, index: int) -> None:
        if not self._quiet:
            self.statusChosen.emit(Presence(self.itemData(index)))
