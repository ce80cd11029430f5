"""Drafts: unsent text is kept per conversation across closing the chat and restarting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.settings import Settings, load_settings


def signed_in_window(qtbot: Any, session: Any, settings: Settings) -> MainWindow:
    window = MainWindow(session, settings=settings, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def kept(path: Path) -> dict[str, str]:
    drafts: dict[str, str] = json.loads(path.read_text(encoding="utf-8")).get("drafts", {})
    return drafts


def test_a_draft_survives_closing_the_chat_and_a_restart_and_goes_on_send(
    qtbot: Any, qt_run: Any, tmp_path: Path, alice_session: Any, bob_session: Any
) -> None:
    path = tmp_path / "settings.json"
    window = signed_in_window(qtbot, alice_session, load_settings(path))
    chat = window.chats.open_chat(10002)
    qtbot.keyClicks(chat.input, "half a thought")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(chat.input, "and more")
    # A pause in typing writes it (a crash loses at most that pause).
    qtbot.waitUntil(
        lambda: path.exists() and kept(path) == {"10001:buddy:10002": "half a thought\nand more"}
    )

    chat.close_chat()
    qtbot.waitUntil(lambda: window.chats.chat(10002) is None)
    chat = window.chats.open_chat(10002)
    assert chat.input.toPlainText() == "half a thought\nand more"
    # The cursor is at the end, to go on typing.
    assert chat.input.textCursor().atEnd()
    # Another chat has its own (empty) draft.
    assert window.chats.open_chat(10003).input.toPlainText() == ""

    # Typing then quitting at once: closing writes what the pause would have.
    qtbot.keyClicks(chat.input, "!")
    window.shutdown()
    assert kept(path) == {"10001:buddy:10002": "half a thought\nand more!"}

    # Restart: a new window on the file the last one wrote.
    again = signed_in_window(qtbot, alice_session, load_settings(path))
    chat = again.chats.open_chat(10002)
    assert chat.input.toPlainText() == "half a thought\nand more!"
    # Sending (over the real server) clears it, here and in the file.
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.input.toPlainText() == ""
    qtbot.waitUntil(lambda: bob_session.count(10001) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: kept(path) == {})
    chat.close_chat()
    assert again.chats.open_chat(10002).input.toPlainText() == ""


def test_drafts_are_per_account(qtbot: Any, tmp_path: Path, alice_session: Any) -> None:
    settings = load_settings(tmp_path / "settings.json")
    settings.drafts = {"10009:buddy:10002": "someone else's"}
    window = signed_in_window(qtbot, alice_session, settings)
    assert window.chats.open_chat(10002).input.toPlainText() == ""
