"""Both themes stay readable: banner text and check/radio indicators (WCAG contrast)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from qqdesk.ui.theme import apply_theme
from qqdesk.ui.widgets import Banner


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture(params=["light", "dark"])
def theme(request: Any, qapp: QApplication) -> Iterator[str]:
    apply_theme(qapp, request.param)
    yield str(request.param)
    apply_theme(qapp, "light")


@pytest.mark.parametrize("kind", ["info", "warning", "error"])
def test_banner_text_is_readable(qtbot: Any, theme: str, kind: str) -> None:
    banner = Banner(kind)
    qtbot.addWidget(banner)
    banner.show_message("Bob sent you a message", action="Open")
    banner.resize(300, banner.sizeHint().height())
    image = banner.grab().toImage()
    background = image.pixelColor(2, 2)
    for child in (banner.label, banner.button):
        text = child.palette().color(child.foregroundRole())
        assert contrast(text, background) >= 4.5, (theme, kind, text.name(), background.name())
    # The banner is drawn in its theme's colours, not the other theme's.
    window = QApplication.palette().color(QApplication.palette().ColorRole.Window)
    assert (background.lightness() < 128) == (window.lightness() < 128)


def indicator_image(widget: QCheckBox | QRadioButton) -> tuple[QImage, QRect]:
    option = QStyleOptionButton()
    widget.initStyleOption(option)
    element = (
        QStyle.SubElement.SE_CheckBoxIndicator
        if isinstance(widget, QCheckBox)
        else QStyle.SubElement.SE_RadioButtonIndicator
    )
    rect = widget.style().subElementRect(element, option, widget)
    return widget.grab().toImage(), rect


def strongest_contrast(image: QImage, rect: QRect, against: QColor) -> float:
    return max(
        contrast(image.pixelColor(x, y), against)
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    )


def test_check_and_radio_indicators_are_visible(qtbot: Any, theme: str) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    boxes: list[QCheckBox | QRadioButton] = [QCheckBox("Play sounds"), QRadioButton("Enter sends")]
    for box in boxes:
        layout.addWidget(box)
    page.show()
    window = page.palette().color(page.backgroundRole())
    base = page.palette().color(page.palette().ColorRole.Base)
    for checked in (False, True):
        for box in boxes:
            box.setChecked(checked)
            image, rect = indicator_image(box)
            # Its outline stands out from the window (WCAG 1.4.11: 3:1)...
            assert strongest_contrast(image, rect, window) >= 3, (theme, box.text(), checked)
            if checked:
                # ...and so does the mark inside it.
                inner = rect.adjusted(3, 3, -3, -3)
                assert strongest_contrast(image, inner, base) >= 4.5, (theme, box.text())


def test_banner_follows_a_theme_switch(qtbot: Any, qapp: QApplication) -> None:
    apply_theme(qapp, "light")
    banner = Banner("info")
    qtbot.addWidget(banner)
    banner.show_message("Bob sent you a message")
    try:
        apply_theme(qapp, "dark")
        qtbot.waitUntil(lambda: banner.grab().toImage().pixelColor(2, 2).lightness() < 128)
        text = banner.label.palette().color(banner.label.foregroundRole())
        assert contrast(text, banner.grab().toImage().pixelColor(2, 2)) >= 4.5
    finally:
        apply_theme(qapp, "light")
