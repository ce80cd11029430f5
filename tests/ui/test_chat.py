"""Chat windows: Enter, Shift+Enter, Ctrl+Enter, delivery states, resend, tabs, paging."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from qqdesk.client import Content, Conversation, OutgoingMessage
from qqdesk.client.events import DeliveryState
from qqdesk.core import Presence
from qqdesk.ui.bridge import SessionBridge
from qqdesk.ui.chat import ChatManager, ChatTabsWindow, ChatWindow
from qqdesk.ui.models import Roles

from .conftest import FakeHub, FakeSession


def rows(chat: ChatWindow) -> list[tuple[str, bool, Any]]:
    m = chat.model
    return [
        (
            m.index(r, 0).data(),
            m.index(r, 0).data(Roles.OUTGOING),
            m.index(r, 0).data(Roles.DELIVERY),
        )
        for r in range(m.rowCount())
    ]


def open_chat(qtbot: Any, session: Any, peer: int = 10002, **kwargs: Any) -> ChatWindow:
    """A chat window that hears its session's delivery states (as the main window wires it)."""
    chat = ChatWindow(session, peer, "Bob", 0, Presence.ONLINE, history=session.history, **kwargs)
    qtbot.addWidget(chat)
    bridge = SessionBridge(session, chat)
    bridge.messageStateChanged.connect(lambda e: chat.set_delivery_state(e.local_id, e.state))
    bridge.start()
    bridge.flush()
    chat.show()
    return chat


def test_enter_sends_shift_enter_breaks_line(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    bob = FakeSession(fake_hub, 10002, "Bob")
    qt_run(alice.login())
    qt_run(bob.login())
    chat = open_chat(qtbot, alice)
    qtbot.keyClicks(chat.input, "first line")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(chat.input, "second line")
    assert chat.input.toPlainText() == "first line\nsecond line"
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.input.toPlainText() == ""
    qtbot.waitUntil(lambda: rows(chat) == [("first line\nsecond line", True, DeliveryState.SENT)])
    assert alice.sent == [(10002, "first line\nsecond line")]
    assert bob.records[10001][0].text == "first line\nsecond line"
    # Blank input sends nothing.
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert len(alice.sent) == 1


def test_ctrl_enter_setting(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    chat = open_chat(qtbot, alice, send_with_ctrl_enter=True)
    assert "Ctrl+Enter" in chat.input.placeholderText()
    qtbot.keyClicks(chat.input, "a")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    qtbot.keyClicks(chat.input, "b")
    assert chat.input.toPlainText() == "a\nb"
    assert alice.sent == []
    qtbot.keyClick(chat.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: alice.sent == [(10002, "a\nb")])
    chat.set_send_with_ctrl_enter(False)
    qtbot.keyClicks(chat.input, "c")
    qtbot.keyClick(chat.input, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: len(alice.sent) == 2)


def test_failed_message_resends_on_click(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    bob = FakeSession(fake_hub, 10002, "Bob")
    qt_run(alice.login())
    qt_run(bob.login())
    fake_hub.failing.add(10001)
    chat = open_chat(qtbot, alice)
    chat.send_text("are you there?")
    qtbot.waitUntil(lambda: rows(chat) == [("are you there?", True, DeliveryState.FAILED)])
    index = chat.model.index(0, 0)
    assert "resend" in chat.delegate.meta_text(index).lower()
    fake_hub.failing.clear()
    chat.view.clicked.emit(index)
    qtbot.waitUntil(lambda: rows(chat) == [("are you there?", True, DeliveryState.SENT)])
    assert bob.records[10001][0].text == "are you there?"


def test_send_error_marks_failed_and_resend_sends_again(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    class Flaky(FakeSession):
        fail = True

        async def send_message(
            self, to: Conversation | int, message: str | Content
        ) -> OutgoingMessage:
            if self.fail:
                raise ConnectionError("server unreachable")
            return await super().send_message(to, message)

    alice = Flaky(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    chat = open_chat(qtbot, alice)
    chat.send_text("hello")
    qtbot.waitUntil(lambda: rows(chat) == [("hello", True, DeliveryState.FAILED)])
    Flaky.fail = False
    chat.resend(0)
    qtbot.waitUntil(lambda: alice.sent == [(10002, "hello")])
    assert chat.model.entry(0).local_id is not None


def test_status_lines_and_header(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    chat = open_chat(qtbot, alice)
    assert chat.status_label.text() == "Online"
    chat.set_status(Presence.OFFLINE)
    chat.set_status(Presence.HIDDEN)  # still offline to us: no second line
    chat.set_status(Presence.BUSY)
    assert chat.status_label.text() == "Busy"
    system = [
        chat.model.index(r, 0).data()
        for r in range(chat.model.rowCount())
        if chat.model.index(r, 0).data(Roles.IS_SYSTEM)
    ]
    assert system == ["Bob went offline", "Bob is busy"]


def test_history_loads_and_pages_when_scrolled_to_top(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    for i in range(130):
        alice.store_message(10002, f"old message {i}", i % 2 == 0, DeliveryState.SENT)
    chat = open_chat(qtbot, alice)
    assert chat.model.rowCount() == 50
    assert chat.model.index(49, 0).data() == "old message 129"
    bar = chat.view.verticalScrollBar()
    # Opens at the newest message.
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(0)
    assert chat.model.rowCount() == 100
    # The view keeps showing what it showed: the new rows are above.
    assert bar.value() > 0
    bar.setValue(0)
    qtbot.waitUntil(lambda: chat.model.rowCount() == 130)
    assert not chat.model.canFetchMore(QModelIndex())
    assert chat.model.index(0, 0).data() == "old message 0"


def two_tabs(
    qtbot: Any, fake_hub: FakeHub
) -> tuple[ChatManager, ChatTabsWindow, ChatWindow, ChatWindow]:
    """Alice's chats with Bob and Carol as tabs of one window (manager, window, chats)."""
    alice = FakeSession(fake_hub, 10001, "Alice")
    manager = ChatManager(alice, own_uin=10001, history=alice.history)
    manager.chats_in_tabs = True
    first = manager.open_chat(10002)
    second = manager.open_chat(10003)
    tabs = manager.tabs_window
    assert tabs is not None
    qtbot.addWidget(tabs)
    return manager, tabs, first, second


def test_chats_in_tabs(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    manager, tabs, first, second = two_tabs(qtbot, fake_hub)
    assert tabs.tabs.count() == 2
    assert tabs.tabs.currentWidget() is second
    assert manager.open_chat(10002) is first
    assert tabs.tabs.currentWidget() is first
    qtbot.mouseClick(first.close_button, Qt.MouseButton.LeftButton)
    assert tabs.tabs.count() == 1
    assert manager.chat(10002) is None
    tabs.close()
    assert manager.chats() == []


@pytest.fixture(params=["Esc", "Ctrl+W"])
def close_key(request: pytest.FixtureRequest) -> tuple[Qt.Key, Qt.KeyboardModifier]:
    """A key that closes a chat, as (key, modifiers) for qtbot.keyClick."""
    if request.param == "Esc":
        return Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier
    return Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier


def test_esc_and_ctrl_w_close_the_chat(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub, close_key: tuple[Qt.Key, Qt.KeyboardModifier]
) -> None:
    manager = ChatManager(FakeSession(fake_hub, 10001, "Alice"), own_uin=10001)
    chat = manager.open_chat(10002)
    qtbot.addWidget(chat)
    chat.activateWindow()
    qtbot.waitUntil(chat.isActiveWindow)
    qtbot.keyClicks(chat.input, "draft")
    with qtbot.waitSignal(chat.closed):
        qtbot.keyClick(chat.input, *close_key)
    assert not chat.isVisible()
    assert manager.chats() == []


def test_esc_and_ctrl_w_close_the_current_tab(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub, close_key: tuple[Qt.Key, Qt.KeyboardModifier]
) -> None:
    manager, tabs, first, second = two_tabs(qtbot, fake_hub)
    tabs.activateWindow()
    qtbot.waitUntil(tabs.isActiveWindow)
    assert tabs.tabs.currentWidget() is second
    qtbot.keyClick(second.input, *close_key)
    assert tabs.tabs.count() == 1
    assert tabs.tabs.currentWidget() is first
    assert manager.chats() == [first]
    assert tabs.isVisible()
    first.input.setFocus()
    qtbot.keyClick(first.input, *close_key)
    assert manager.chats() == []
    # The last tab took its window with it.
    qtbot.waitUntil(lambda: manager.tabs_window is None)


def test_an_open_chat_follows_a_language_switch(
    qtbot: Any, qapp: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    from qqdesk.ui import i18n

    alice = FakeSession(fake_hub, 10001, "Alice")
    i18n.install_translator(qapp, "en")
    try:
        chat = open_chat(qtbot, alice)
        assert chat.send_button.text() == "&Send"
        english = (chat.close_button.text(), chat.input.placeholderText(), chat.windowTitle())
        i18n.install_translator(qapp, "zh_CN")
        qtbot.waitUntil(lambda: chat.send_button.text() != "&Send")
        assert "发送" in chat.send_button.text()
        assert chat.close_button.text() == "关闭"
        assert "发送" in chat.input.placeholderText()
        assert chat.status_label.text() == "在线"
        i18n.install_translator(qapp, "en")
        qtbot.waitUntil(lambda: chat.send_button.text() == "&Send")
        assert (chat.close_button.text(), chat.input.placeholderText(), chat.windowTitle()) == (
            english
        )
    finally:
        i18n.install_translator(qapp, "en")
