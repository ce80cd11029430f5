"""Colour emoji: the system's font where there is one, else the bundled one, else a note."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from qqdesk.ui import emoji
from qqdesk.ui.dialogs.settings_dialog import SettingsDialog
from qqdesk.ui.settings import Settings

#: Debian's fonts-noto-color-emoji (.ci/run installs it; the Linux bundle ships it).
SYSTEM_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
needs_font = pytest.mark.skipif(
    not SYSTEM_FONT.is_file(), reason="needs fonts-noto-color-emoji (.ci/run installs it)"
)


def colourful_pixels(label: QLabel) -> int:
    """How many pixels of the label are clearly coloured (not grey, black or white)."""
    image = label.grab().toImage()
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = QColor(image.pixel(x, y))
            if colour.hsvSaturation() > 120 and colour.value() > 80:
                count += 1
    return count


@needs_font
def test_the_bundled_font_is_loaded_where_the_system_has_none(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emoji, "_installed", None)
    monkeypatch.setattr(emoji, "_system_family", lambda: None)
    found = emoji.install_emoji_font(bundled=SYSTEM_FONT)
    assert found == emoji.EmojiFont("Noto Color Emoji", "bundled")
    assert "Noto Color Emoji" in QFontDatabase.applicationEmojiFontFamilies()
    assert emoji.installed() == found


@needs_font
def test_emoji_in_text_are_drawn_in_colour(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emoji, "_installed", None)
    assert emoji.install_emoji_font().family == "Noto Color Emoji"
    label = QLabel("hi 😀👍🏽 你好")
    label.setFont(QFont(label.font().family(), 20))
    qtbot.addWidget(label)
    label.adjustSize()
    # A yellow face and a brown thumb: hundreds of coloured pixels, where a box or a
    # monochrome glyph has none.
    assert colourful_pixels(label) > 200


def test_without_any_emoji_font_settings_say_how_to_get_one(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(emoji, "_installed", None)
    monkeypatch.setattr(emoji, "_system_family", lambda: None)
    monkeypatch.setattr(emoji, "bundled_font_file", lambda: None)
    assert emoji.install_emoji_font() == emoji.EmojiFont(None, "none")
    dialog = SettingsDialog(Settings(path=tmp_path / "settings.json"))
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "emojiFont")
    assert note is not None
    assert "fonts-noto-color-emoji" in note.text()


def test_a_broken_bundled_font_is_reported_not_fatal(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(emoji, "_installed", None)
    monkeypatch.setattr(emoji, "_system_family", lambda: None)
    broken = tmp_path / "NotoColorEmoji.ttf"
    broken.write_bytes(b"not a font")
    assert emoji.install_emoji_font(bundled=broken) == emoji.EmojiFont(None, "none")
