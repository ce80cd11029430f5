"""Unread marker, jump to the first unread message, mark as (un)read, scroll position kept."""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qqdesk.core import Conversation
from qqdesk.ui.chat import ChatWindow
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import Roles


@pytest.fixture(autouse=True)
def english(qapp: Any) -> None:
    """Plural forms ("1 message", "2 messages") come from the English translation."""
    from qqdesk.ui import i18n

    assert i18n.install_translator(qapp, "en") == "en"


def real_window(qtbot: Any, session: Any) -> MainWindow:
    window = MainWindow(session, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: 10002 in window.model, timeout=10_000)
    return window


def unread(window: MainWindow, uin: int = 10002) -> int:
    return int(window.model.index_of(uin).data(Roles.UNREAD) or 0)


def stored(session: Any, count: int, text: str = "old news {n}") -> None:
    """``count`` received messages straight into the session's history file, a day old
    (older than what the server delivers now)."""
    for number in range(count):
        when = time.time() - 86400 + number
        session.store.add_incoming(Conversation.buddy(10002), (text.format(n=number),), when)


def shown(chat: ChatWindow) -> None:
    chat.view.doItemsLayout()


def test_what_came_while_away_starts_under_a_new_messages_line(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    window = real_window(qtbot, alice_session)
    stored(alice_session, 3, "read before {n}")
    for text in ("one", "two", "three"):
        qt_run(bob_session.send_message(10001, text))
    qtbot.waitUntil(lambda: unread(window) == 3, timeout=10_000)
    chat = window.chats.open_chat(10002)
    assert unread(window) == 0
    marked = chat.unread.marked_row()
    assert marked >= 0 and chat.model.entry(marked).text == "one"
    assert chat.delegate.marker_text == "New messages"
    # The marked row is taller by the line; its bubble sits below it.
    index = chat.view.model().index(marked, 0)
    plain = chat.view.model().index(marked + 1, 0)
    option = chat._option_for(index)
    assert (
        chat.delegate.sizeHint(option, index).height()
        > chat.delegate.sizeHint(chat._option_for(plain), plain).height()
    )
    # Everything fits: no jump button.
    qtbot.waitUntil(lambda: chat.unread.marker_visible())
    assert not chat.unread.jump_button.isVisible()
    # Sending a reply: the conversation is read, the line goes.
    qtbot.keyClicks(chat.input, "hi")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.unread.marked_row() == -1


def test_jump_to_the_first_unread_message(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    window = real_window(qtbot, alice_session)
    stored(alice_session, 45)
    # As "Mark as unread" would, with a count: the newest 30 are unread.
    window.model.set_unread(10002, 30)
    chat = window.chats.open_chat(10002)
    qtbot.waitUntil(lambda: chat._history_shown)
    shown(chat)
    assert chat.model.entry(chat.unread.marked_row()).text == "old news 15"
    qtbot.waitUntil(chat.unread.jump_button.isVisible)
    assert chat.unread.jump_button.text() == "↑ 30 unread messages"
    qtbot.mouseClick(chat.unread.jump_button, Qt.MouseButton.LeftButton)
    shown(chat)
    rect = chat.view.visualRect(chat.view.model().index(chat.unread.marked_row(), 0))
    assert 0 <= rect.top() < 40
    qtbot.waitUntil(lambda: not chat.unread.jump_button.isVisible())


def test_scrolled_up_the_chat_stays_put_when_messages_arrive(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    window = real_window(qtbot, alice_session)
    stored(alice_session, 60)
    chat = window.chats.open_chat(10002)
    qtbot.waitUntil(lambda: chat._history_shown)
    shown(chat)
    bar = chat.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    bar.setValue(bar.maximum() // 2)
    where = bar.value()
    top_row = chat.view.indexAt(chat.view.viewport().rect().topLeft()).row()
    rows = chat.model.rowCount()
    qt_run(bob_session.send_message(10001, "while you read older things"))
    qtbot.waitUntil(lambda: chat.model.rowCount() == rows + 1, timeout=10_000)
    qtbot.wait(50)  # the view lays out on its next turn; it must not move then either
    shown(chat)
    assert bar.value() == where
    assert chat.view.indexAt(chat.view.viewport().rect().topLeft()).row() == top_row
    # At the end, the view follows new messages.
    chat.view.scrollToBottom()
    qt_run(bob_session.send_message(10001, "and now at the end"))
    qtbot.waitUntil(lambda: chat.model.rowCount() == rows + 2, timeout=10_000)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() and bar.maximum() > where)


def test_mark_as_unread_and_read_from_the_list(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    window = real_window(qtbot, alice_session)
    stored(alice_session, 2, "kept {n}")
    menu = window.buddy_menu(10002)
    action = next(a for a in menu.actions() if a.text() == "Mark as &unread")
    action.trigger()
    assert unread(window) == 1
    assert window.windowTitle().startswith("(1) ")
    menu = window.buddy_menu(10002)
    assert [a.text() for a in menu.actions() if "read" in a.text()] == ["Mark as &read"]
    menu.actions()[2].trigger()
    assert unread(window) == 0
    # Marked unread, then opened: the newest received message is under the line.
    window.model.set_unread(10002, 1)
    chat = window.chats.open_chat(10002)
    assert chat.model.entry(chat.unread.marked_row()).text == "kept 1"
    assert unread(window) == 0
