"""Chooses the interface language and installs qqdesk's and Qt's translations."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

#: Languages the interface speaks; English is the source language.
LANGUAGES = ("en", "zh_CN")

# Kept here so a second call can take the previous language's translators out.
_installed: list[QTranslator] = []


def resolve_language(language: str, locale: QLocale | None = None) -> str:
    """Turn a setting ("system", "en", "zh_CN") into a language we ship."""
    if language in LANGUAGES:
        return language
    locale = locale if locale is not None else QLocale.system()
    # Simplified Chinese is closer than English for every Chinese reader.
    if locale.language() == QLocale.Language.Chinese:
        return "zh_CN"
    for name in locale.uiLanguages():
        if name.lower().startswith("zh"):
            return "zh_CN"
    return "en"


def install_translator(app: QCoreApplication, language: str) -> str:
    """Install the translations for ``language``; returns the language in use.

    Replaces whatever an earlier call installed, so the setting can change
    while the app runs: windows opened afterwards (and any that handle
    QEvent.LanguageChange) speak the new language.
    """
    resolved = resolve_language(language)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    own = QTranslator(app)
    if own.load(f"qqdesk_{resolved}", str(TRANSLATIONS_DIR)):
        app.installTranslator(own)
        _installed.append(own)
    else:
        log.warning("no qqdesk translation for %s in %s", resolved, TRANSLATIONS_DIR)
    if resolved == "en":
        # English is the source; its catalogue only has plural forms ("1 message").
        QLocale.setDefault(QLocale("en_US"))
        return resolved

    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    # Qt's own strings (button boxes, context menus); qtbase_ is the newer split
    # catalogue, qt_ the meta one some builds ship instead.
    for catalogue in ("qtbase", "qt"):
        qt = QTranslator(app)
        if qt.load(f"{catalogue}_{resolved}", qt_dir):
            app.installTranslator(qt)
            _installed.append(qt)
            break
    QLocale.setDefault(QLocale(resolved))
    return resolved
