"""Colour emoji: the font that draws them, found on the system or shipped in the bundle.

Messages from the Smart QQ channel and from other clients carry Unicode emoji. Qt
draws them with whatever font has the glyph; without a colour emoji font that is an
empty box. Windows (Segoe UI Emoji) and macOS (Apple Color Emoji) always have one;
Linux desktops usually have Noto Color Emoji, minimal systems do not, so the Linux
bundle carries Noto Color Emoji (SIL Open Font License) in ``resources/fonts``.
Qt 6.9 and later are told which family is the emoji font, so emoji sequences (skin
tones, ZWJ families, keycaps) stay in one font instead of falling apart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontDatabase

from qqdesk.resources import resource_path

log = logging.getLogger(__name__)

# The file the Linux bundle ships (from Debian's fonts-noto-color-emoji).
BUNDLED_FILE = "NotoColorEmoji.ttf"

# Colour emoji families as the desktops name them, best first.
KNOWN_FAMILIES = (
    "Noto Color Emoji",
    "Apple Color Emoji",
    "Segoe UI Emoji",
    "Twemoji",
    "Twitter Color Emoji",
    "JoyPixels",
    "EmojiOne Color",
)


@dataclass(frozen=True)
class EmojiFont:
    """Which family draws emoji, and where it came from."""

    family: str | None
    # "bundled", "system" or "none"
    source: str


def bundled_font_file() -> Path | None:
    """The emoji font shipped with the app, if this install has one."""
    try:
        path = resource_path("fonts", BUNDLED_FILE)
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def _system_family() -> str | None:
    present = set(QFontDatabase.families())
    return next((family for family in KNOWN_FAMILIES if family in present), None)


_installed: EmojiFont | None = None


def installed() -> EmojiFont:
    """What :func:`install_emoji_font` found (or would find, if it has not run)."""
    if _installed is not None:
        return _installed
    family = _system_family()
    return EmojiFont(family, "system" if family else "none")


def install_emoji_font(bundled: Path | None = None) -> EmojiFont:
    """Make Qt draw emoji in colour where a colour emoji font can be had.

    The system's font is preferred (it matches the desktop and may be newer); the
    bundled file is loaded only where the system has none. Call once, after the
    QGuiApplication exists.
    """
    family = _system_family()
    source = "system"
    if family is None:
        path = bundled if bundled is not None else bundled_font_file()
        if path is not None:
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                family, source = families[0], "bundled"
            else:
                log.warning("the bundled emoji font %s could not be loaded", path)
    global _installed
    if family is None:
        log.info("no colour emoji font: emoji show as the text fonts draw them")
        _installed = EmojiFont(None, "none")
        return _installed
    # Qt 6.9+: sequences are shaped with this family first.
    add_family = getattr(QFontDatabase, "addApplicationEmojiFontFamily", None)
    if add_family is not None and family not in QFontDatabase.applicationEmojiFontFamilies():
        add_family(family)
    log.info("emoji drawn with %s (%s)", family, source)
    _installed = EmojiFont(family, source)
    return _installed


def describe(font: EmojiFont) -> str:
    """One line for the settings page and the self-check (translated)."""
    if font.family is None:
        return QCoreApplication.translate(
            "Emoji",
            "No colour emoji font is installed: emoji may show as boxes. "
            "Install Noto Color Emoji (fonts-noto-color-emoji) to see them.",
        )
    return QCoreApplication.translate("Emoji", "Emoji are drawn with %1.").replace(
        "%1", font.family
    )
