"""Switching the language in Settings retranslates the open windows without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from qqdesk.core import Presence
from qqdesk.ui import i18n
from qqdesk.ui.dialogs import SettingsDialog
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import GroupKind
from qqdesk.ui.settings import Settings
from qqdesk.ui.tray import Tray

from .conftest import FakeHub, FakeSession


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[None]:
    yield
    i18n.install_translator(qapp, "en")


def texts(window: MainWindow, dialog: SettingsDialog) -> dict[str, str]:
    tray = window.tray
    assert tray is not None
    online = window.status_selector.findData(Presence.ONLINE.value)
    return {
        "menu": window.app_menu.title(),
        "add": window.add_friend_action.text(),
        "filter": window.filter_edit.placeholderText(),
        "group": str(window.model.group_index(GroupKind.FRIENDS).data()),
        "status": window.status_selector.itemText(online),
        "tray quit": tray.quit_action.text(),
        "settings title": dialog.windowTitle(),
        "general tab": dialog.tabs.tabText(0),
        "chat tab": dialog.tabs.tabText(1),
        "sounds": dialog.sounds_check.text(),
    }


def test_language_switches_live(
    qtbot: Any,
    qt_run: Any,
    fake_hub: FakeHub,
    tmp_path: Path,
    english_after: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Tray, "show", lambda self: None)  # no icon in the test desktop
    settings = Settings(tmp_path / "settings.json")
    settings.language = "en"
    session = FakeSession(fake_hub, 10001, "Alice")
    qt_run(session.login())
    window = MainWindow(session, settings=settings, use_tray=True, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.model.group_index(GroupKind.FRIENDS).data().endswith("/2)"))
    dialog = SettingsDialog(settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    english = texts(window, dialog)
    assert english["add"] == "&Add friend…" and english["general tab"] == "General"

    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: texts(window, dialog)["add"] == "添加好友(&A)…")
    chinese = texts(window, dialog)
    assert chinese == {
        "menu": chinese["menu"],
        "add": "添加好友(&A)…",
        "filter": "搜索好友昵称或号码",
        "group": "我的好友 (0/2)",
        "status": "在线",
        "tray quit": "退出(&Q)",
        "settings title": chinese["settings title"],
        "general tab": "常规",
        "chat tab": chinese["chat tab"],
        "sounds": chinese["sounds"],
    }
    for key in ("settings title", "chat tab", "sounds"):
        assert chinese[key] != english[key], key
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: texts(window, dialog) == english)
