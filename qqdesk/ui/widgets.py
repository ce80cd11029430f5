"""Small widgets the main window is made of: banners and the status selector."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from qqdesk.core import Presence

from . import icons
from .chat import status_words
from .tray import STATUS_ORDER

# (background, text, border) per kind and theme; every text is >= 4.5:1 on its background.
BANNER_COLOURS = {
    "light": {
        "warning": ("#fff3cd", "#664d03", "#e6d39a"),
        "error": ("#f8d7da", "#842029", "#e6b3b8"),
        "info": ("#dbeafe", "#1e3a5f", "#b6cdef"),
    },
    "dark": {
        "warning": ("#3d3108", "#ffe69c", "#5c4a0c"),
        "error": ("#4a1b20", "#ffc9cf", "#6e2a31"),
        "info": ("#1c3350", "#d6e8ff", "#2c4c75"),
    },
}


def _app_theme() -> str:
    """ "dark" or "light", from the app's palette (a banner's own is its style sheet's)."""
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    return "dark" if window.lightness() < 128 else "light"


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
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.paletteChanged.connect(self._app_palette_changed)
        self.hide()

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self._theme = _app_theme()
        background, text, border = BANNER_COLOURS[self._theme][kind]
        # A type selector, not an object name, so windows may name their banners. Child
        # widgets do not inherit a style sheet's colour: the label and buttons get it too.
        self.setStyleSheet(
            f"Banner {{ background: {background}; border-bottom: 1px solid {border}; }}"
            f" Banner QLabel, Banner QPushButton {{ color: {text}; border: none; }}"
        )

    def _app_palette_changed(self, *_: object) -> None:
        # A new app palette is a theme switch. A widget with a style sheet (this one)
        # gets no palette event for it, so the app's signal tells; the check skips
        # palette changes that keep the theme.
        if _app_theme() != self._theme:
            self.set_kind(self.kind)

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


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when it is wider than the label.

    ``text()`` is what shows; ``full_text()`` (also the tooltip) is all of it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Any width will do: the text shortens instead of the window growing.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width())
        super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


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
