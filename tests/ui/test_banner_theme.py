"""Banners follow a live theme switch; in-window notices punctuate as their language does."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.theme import apply_theme
from qqdesk.ui.widgets import BANNER_COLOURS, Banner

from .conftest import FakeHub, FakeSession


def test_a_banner_in_a_window_follows_a_theme_switch(qtbot: Any, qapp: Any) -> None:
    apply_theme(qapp, "light")
    window = QWidget()
    qtbot.addWidget(window)
    banner = Banner("info")
    QVBoxLayout(window).addWidget(banner)
    window.show()
    banner.show_message("Message from Bob: hello", kind="info")
    light_background = BANNER_COLOURS["light"]["info"][0]
    assert light_background in banner.styleSheet()
    try:
        # A style sheet keeps palette events from the banner: it still must turn dark.
        apply_theme(qapp, "dark")
        assert BANNER_COLOURS["dark"]["info"][0] in banner.styleSheet()
    finally:
        apply_theme(qapp, "light")
    assert light_background in banner.styleSheet()


def test_the_in_window_notice_in_chinese(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub, chinese: None
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    window = MainWindow(alice, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window._in_app_notice(10002, "来自 Bob 的消息", "你好")
    assert window.notice_banner.text() == "来自 Bob 的消息：你好"
