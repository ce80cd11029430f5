"""Light, dark and follow-the-system colour themes for the whole app."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

THEMES = ("system", "light", "dark")

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

# The app's own dark colours: neutral greys with QQ's blue as the accent.
_DARK = {
    _Role.Window: "#2b2d31",
    _Role.WindowText: "#e8e8e8",
    _Role.Base: "#1f2023",
    _Role.AlternateBase: "#292a2e",
    _Role.ToolTipBase: "#3a3c41",
    _Role.ToolTipText: "#f0f0f0",
    _Role.PlaceholderText: "#8b8e94",
    _Role.Text: "#e8e8e8",
    _Role.Button: "#35373c",
    _Role.ButtonText: "#e8e8e8",
    _Role.BrightText: "#ff6b6b",
    _Role.Light: "#4a4c52",
    _Role.Midlight: "#3f4146",
    _Role.Mid: "#2f3135",
    _Role.Dark: "#1a1b1e",
    _Role.Shadow: "#0d0d0f",
    _Role.Highlight: "#2f81e0",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#6cb2ff",
    _Role.LinkVisited: "#b48cff",
}
_DARK_DISABLED = {
    _Role.WindowText: "#7c7f85",
    _Role.Text: "#7c7f85",
    _Role.ButtonText: "#7c7f85",
    _Role.Highlight: "#45484e",
    _Role.HighlightedText: "#a0a3a8",
}

_LIGHT_ACCENT = {
    _Role.Highlight: "#2b7de0",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#1a66c7",
}

# Fusion draws a check box's or radio button's border in the window colour made darker,
# which on a dark window is the field's own colour (the box vanishes) and on a light one
# a pale grey. The indicators get these "window" colours instead, so that the border has
# the 3:1 WCAG 1.4.11 asks of a control's boundary; in the dark theme the mark is blue.
_DARK_INDICATOR_OUTLINE = "#c3c7cf"  # darker(140) by Fusion: #8b8e94 on #1f2023
_LIGHT_INDICATOR_OUTLINE = "#a2a2a2"  # darker(140) by Fusion: #747474 on white
_DARK_INDICATOR_MARK = "#9ccaff"  # darker(120) by Fusion: a clear blue on #1f2023
_INDICATORS = (
    QStyle.PrimitiveElement.PE_IndicatorCheckBox,
    QStyle.PrimitiveElement.PE_IndicatorRadioButton,
)


class AppStyle(QProxyStyle):
    """Fusion, with check and radio indicators that stay visible on dark windows."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element in _INDICATORS:
            dark = option.palette.color(_Role.Window).lightness() < 128
            option = type(option)(option)  # a copy: the caller keeps its own palette
            palette = QPalette(option.palette)
            palette.setColor(
                _Role.Window, QColor(_DARK_INDICATOR_OUTLINE if dark else _LIGHT_INDICATOR_OUTLINE)
            )
            if dark:
                palette.setColor(_Role.Text, QColor(_DARK_INDICATOR_MARK))
            option.palette = palette
        super().drawPrimitive(element, option, painter, widget)


_following_system = False
_connected = False


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(_Group.Disabled, role, QColor(colour))
    return palette


def light_palette(app: QApplication) -> QPalette:
    palette = app.style().standardPalette()
    for role, colour in _LIGHT_ACCENT.items():
        palette.setColor(_Group.Active, role, QColor(colour))
        palette.setColor(_Group.Inactive, role, QColor(colour))
    return palette


def system_is_dark() -> bool:
    """True when the desktop asks for dark colours (Qt 6.5+ colour scheme)."""
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def apply_theme(app: QApplication, theme: str) -> str:
    """Give ``app`` the palette for ``theme``; returns "light" or "dark".

    "system" follows the desktop, now and whenever it switches.
    """
    global _following_system, _connected
    if theme not in THEMES:
        theme = "system"
    if not isinstance(app.style(), AppStyle):
        app.setStyle(AppStyle())
    _following_system = theme == "system"
    if _following_system and not _connected:
        QGuiApplication.styleHints().colorSchemeChanged.connect(_on_scheme_changed)
        _connected = True
    resolved = theme
    if theme == "system":
        resolved = "dark" if system_is_dark() else "light"
    app.setPalette(dark_palette() if resolved == "dark" else light_palette(app))
    app.setProperty("qqdesk_theme", resolved)
    return resolved


def current_theme(app: QApplication) -> str:
    """The palette in use ("light" or "dark"), as set by :func:`apply_theme`."""
    value = app.property("qqdesk_theme")
    return value if isinstance(value, str) else "light"


def _on_scheme_changed(_scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    if _following_system and isinstance(app, QApplication):
        apply_theme(app, "system")
