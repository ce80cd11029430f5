"""Search: the find bar of a chat (Ctrl+F) and the search over all history (Ctrl+Shift+F)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from qqdesk.client import DeliveryState
from qqdesk.core import Conversation, Presence
from qqdesk.ui.chat import ChatWindow
from qqdesk.ui.history_search import snippet
from qqdesk.ui.mainwindow import MainWindow

from .conftest import FakeHub, FakeSession


@pytest.fixture(autouse=True)
def english(qapp: Any) -> None:
    """Plural forms ("1 message", "2 messages") come from the English translation."""
    from qqdesk.ui import i18n

    assert i18n.install_translator(qapp, "en") == "en"


def row_visible(chat: ChatWindow, row: int) -> bool:
    rect = chat.view.visualRect(chat.view.model().index(row, 0))
    return rect.isValid() and chat.view.viewport().rect().intersects(rect)


def test_find_bar_marks_steps_and_loads_older_history(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    # The oldest match lies beyond the first page of history (50 messages).
    alice.store_message(10002, "the Apple tree, long ago", False, DeliveryState.SENT)
    for number in range(80):
        alice.store_message(10002, f"filler {number}", number % 2 == 0, DeliveryState.SENT)
    alice.store_message(10002, "an apple a day", True, DeliveryState.SENT)
    alice.store_message(10002, "APPLE pie\nwith cream", False, DeliveryState.SENT)
    chat = ChatWindow(alice, 10002, "Bob", 0, Presence.ONLINE, history=alice.history)
    qtbot.addWidget(chat)
    chat.show()
    qtbot.waitUntil(lambda: chat._history_shown)
    assert chat.model.rowCount() < 83
    assert not chat.find_bar.isVisible()

    qtbot.keySequence(chat.input, QKeySequence.StandardKey.Find)
    assert chat.find_bar.isVisible()
    qtbot.waitUntil(chat.find_bar.edit.hasFocus)
    qtbot.keyClicks(chat.find_bar.edit, "apple")
    # Newest first, marked in every bubble, and in view; the count knows the kept
    # match that is not loaded yet.
    assert chat.delegate.highlight == "apple"
    assert chat.find_bar.count_label.text() == "3 of 3"
    row = chat.find_bar.current_row()
    assert chat.model.entry(row).text == "APPLE pie\nwith cream"
    assert chat.view.currentIndex().row() == row
    # Shift+Enter: older; then past the loaded part, the older page loads.
    qtbot.keyClick(chat.find_bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert chat.model.entry(chat.find_bar.current_row()).text == "an apple a day"
    assert chat.find_bar.count_label.text() == "2 of 3"
    qtbot.mouseClick(chat.find_bar.previous_button, Qt.MouseButton.LeftButton)
    row = chat.find_bar.current_row()
    assert chat.model.entry(row).text == "the Apple tree, long ago"
    assert chat.find_bar.count_label.text() == "1 of 3"
    chat.view.doItemsLayout()
    qtbot.waitUntil(lambda: row_visible(chat, chat.find_bar.current_row()))
    # Enter: newer again.
    qtbot.keyClick(chat.find_bar.edit, Qt.Key.Key_Return)
    assert chat.find_bar.count_label.text() == "2 of 3"
    # Nothing found says so, without reading the whole history into the window.
    rows = chat.model.rowCount()
    chat.find_bar.edit.setText("pear")
    assert chat.find_bar.count_label.text() == "No matches"
    assert chat.model.rowCount() == rows
    assert not chat.find_bar.next_button.isEnabled()
    # Esc closes the bar, not the chat; the marks go.
    qtbot.keyClick(chat.find_bar.edit, Qt.Key.Key_Escape)
    assert not chat.find_bar.isVisible()
    assert chat.isVisible()
    assert chat.delegate.highlight == ""
    qtbot.waitUntil(chat.input.hasFocus)
    # A second Esc (in the input) closes the chat as before.
    qtbot.keyClick(chat.input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not chat.isVisible())


def test_a_text_that_is_not_there_loads_no_history(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    for number in range(300):
        alice.store_message(10002, f"message {number}", False, DeliveryState.SENT)
    chat = ChatWindow(alice, 10002, "Bob", 0, Presence.ONLINE, history=alice.history)
    qtbot.addWidget(chat)
    chat.show()
    qtbot.waitUntil(lambda: chat._history_shown)
    rows = chat.model.rowCount()
    chat.find_bar.open_bar("nowhere")
    chat.find_bar.find_previous()
    assert chat.model.rowCount() == rows < 300
    # A match far back loads only as far as it.
    chat.find_bar.edit.setText("message 120")
    assert chat.model.entry(chat.find_bar.current_row()).text == "message 120"
    assert chat.model.rowCount() < 300


def test_find_bar_in_chinese(qtbot: Any, qt_run: Any, fake_hub: FakeHub, chinese: None) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    alice.store_message(10002, "你好，明天见", False, DeliveryState.SENT)
    chat = ChatWindow(alice, 10002, "Bob", 0, Presence.ONLINE, history=alice.history)
    qtbot.addWidget(chat)
    chat.show()
    chat.find_bar.open_bar("明天")
    assert chat.find_bar.count_label.text() == "第 1 个，共 1 个"
    assert chat.find_bar.edit.placeholderText() == "在此对话中查找"
    chat.find_bar.edit.setText("后天")
    assert chat.find_bar.count_label.text() == "无匹配"


def test_snippet_cuts_around_the_match() -> None:
    text = "x" * 100 + " needle\nhere " + "y" * 100
    cut = snippet(text, "NEEDLE")
    assert cut.startswith("…") and cut.endswith("…")
    assert "needle here" in cut
    assert snippet("short", "zz") == "short"


def test_search_all_history_opens_the_chat_at_the_message(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    """Against the real server: Bob writes, Alice searches all her history and jumps there."""
    window = MainWindow(alice_session, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qt_run(bob_session.send_message(10001, "the secret word is 橘子 and more"))
    qtbot.waitUntil(lambda: alice_session.count(10002) == 1, timeout=10_000)
    # Later talk, straight into Alice's history file (the server paces a flood of sends):
    # the found message is then beyond the first page a chat loads.
    for number in range(70):
        alice_session.store.add_incoming(
            Conversation.buddy(10002), (f"later message {number}",), time.time()
        )

    qtbot.keySequence(window, QKeySequence("Ctrl+Shift+F"))
    search = window.search_window
    assert search is not None and search.isVisible()
    search.edit.setText("橘子")  # QTest types Latin keys only
    qtbot.waitUntil(lambda: search.results.rowCount() == 1)
    assert search.status.text() == "1 message found"
    model = search.results
    assert model.index(0, 0).data() == "Bob 小明 (10002)"
    assert "橘子" in model.index(0, 2).data()
    assert model.index(0, 1).data()
    qtbot.keyClick(search.edit, Qt.Key.Key_Return)
    assert search.view.currentIndex().row() == 0
    qtbot.keyClick(search.view, Qt.Key.Key_Return)

    chat = window.chats.chat(10002)
    assert chat is not None
    qtbot.waitUntil(lambda: chat._history_shown)
    row = chat.find_bar.current_row()
    assert row >= 0 and "橘子" in chat.model.entry(row).text
    assert chat.find_bar.isVisible() and chat.find_bar.edit.text() == "橘子"
    qtbot.waitUntil(lambda: row_visible(chat, row))
    assert not row_visible(chat, chat.model.rowCount() - 1)

    search.edit.setText("no such words")
    search.run_search()
    assert search.results.rowCount() == 0
    assert search.status.text() == "No message contains “no such words”."
