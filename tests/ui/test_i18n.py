"""Translations: complete, compiled, and really shown once the translator is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from qqdesk.core import Presence
from qqdesk.ui import i18n
from qqdesk.ui.dialogs import SettingsDialog
from qqdesk.ui.dialogs.common import blood_type_text, sex_text, status_text
from qqdesk.ui.settings import Settings
from qqdesk.ui.translations import update

TS = update.ts_path("zh_CN")
LANGUAGES = pytest.mark.parametrize("language", update.LANGUAGES)
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) of every message in a .ts file."""
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found.append((name, message.findtext("source") or "", translation))
    return found


def translated_text(translation: ET.Element) -> str:
    forms = translation.findall("numerusform")
    return " ".join(f.text or "" for f in forms) if forms else (translation.text or "")


@LANGUAGES
def test_every_string_is_translated(language: str) -> None:
    problems = []
    for context, source, translation in messages(update.ts_path(language)):
        if translation.get("type") in ("unfinished", "obsolete", "vanished"):
            problems.append(f"{context}: {source!r} is {translation.get('type')}")
        elif not translated_text(translation).strip() or any(
            not (form.text or "").strip() for form in translation.findall("numerusform")
        ):
            problems.append(f"{context}: {source!r} has no translation")
    assert not problems, "\n".join(problems)


@LANGUAGES
def test_translations_keep_placeholders(language: str) -> None:
    for context, source, translation in messages(update.ts_path(language)):
        expected = sorted(PLACEHOLDER.findall(source))
        got = sorted(PLACEHOLDER.findall(translated_text(translation)))
        assert got == expected, f"{context}: {source!r}"


def _tools_available() -> bool:
    try:
        update.tool("pyside6-lrelease")
        update.tool("pyside6-lupdate")
    except SystemExit:
        return False
    return True


needs_tools = pytest.mark.skipif(not _tools_available(), reason="PySide6 tools not installed")


@needs_tools
@LANGUAGES
def test_ts_has_every_source_string(language: str, tmp_path: Path) -> None:
    """A string added to the UI but not to the .ts would show in English."""
    ts = update.ts_path(language)
    copy = tmp_path / ts.name
    shutil.copy(ts, copy)
    update.lupdate(copy, markers=tmp_path / update.MARKERS.name)
    fresh = {(c, s) for c, s, _ in messages(copy)}
    committed = {(c, s) for c, s, _ in messages(ts)}
    missing = sorted(fresh - committed)
    assert not missing, (
        f"strings missing from {ts.name} (run {sys.executable} qqdesk/ui/translations/update.py"
        f" and translate them): {missing}"
    )


@needs_tools
@LANGUAGES
def test_qm_is_compiled_from_current_ts(language: str, tmp_path: Path) -> None:
    qm = update.qm_path(language)
    fresh = tmp_path / qm.name
    update.lrelease(update.ts_path(language), fresh)
    assert qm.read_bytes() == fresh.read_bytes(), "run qqdesk/ui/translations/update.py"


def test_update_script_runs_standalone() -> None:
    result = subprocess.run(
        [sys.executable, str(Path(update.__file__)), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--release-only" in result.stdout


@pytest.mark.parametrize(
    ("setting", "locale", "expected"),
    [
        ("en", "zh_CN", "en"),
        ("zh_CN", "en_US", "zh_CN"),
        ("system", "zh_CN", "zh_CN"),
        ("system", "zh_TW", "zh_CN"),
        ("system", "de_DE", "en"),
        ("klingon", "en_GB", "en"),
    ],
)
def test_resolve_language(setting: str, locale: str, expected: str) -> None:
    assert i18n.resolve_language(setting, QLocale(locale)) == expected


def test_chinese_words(chinese: None) -> None:
    assert sex_text(1) == "女"
    assert status_text(Presence.BUSY) == "忙碌"
    assert blood_type_text(4) == "AB型"


def test_chinese_settings_dialog(chinese: None, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(Settings(tmp_path / "settings.json"))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "系统设置"
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "常规",
        "聊天",
        "提醒",
        "服务器",
    ]
    # Qt's own strings come from Qt's catalogue.
    assert dialog.buttons.button(dialog.buttons.StandardButton.Cancel).text() != "Cancel"


def test_english_is_the_source(qapp: QApplication, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    i18n.install_translator(qapp, "en")
    dialog = SettingsDialog(Settings(tmp_path / "settings.json"))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Settings"


def test_wrapped_strings_are_found(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from PySide6.QtCore import QCoreApplication\n"
        "def _tr(text):\n"
        "    return QCoreApplication.translate('Model', text)\n"
        "def words(key):\n"
        "    table = {1: 'Online', 2: 'Busy'}\n"
        "    return QCoreApplication.translate('Status', table[key])\n"
        "GROUP = _tr('My friends')\n"
        "OTHER = _tr(GROUP)\n",
        encoding="utf-8",
    )
    assert sorted(update.wrapped_strings(source)) == [
        ("Model", "My friends"),
        ("Status", "Busy"),
        ("Status", "Online"),
    ]


def test_english_plurals(qapp: QApplication) -> None:
    """English needs a catalogue too: "%n message(s)" must read "1 message", "4 messages"."""
    from PySide6.QtCore import QCoreApplication

    i18n.install_translator(qapp, "en")
    plurals = [(c, s, t) for c, s, t in messages(update.ts_path("en")) if "%n" in s]
    for context, source, translation in plurals:
        one, many = (form.text or "" for form in translation.findall("numerusform"))
        assert QCoreApplication.translate(context, source, "", 1) == one.replace("%n", "1")
        assert QCoreApplication.translate(context, source, "", 4) == many.replace("%n", "4")
