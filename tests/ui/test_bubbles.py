"""Chat bubbles as painted: line breaks, faces, long messages split as the wire splits them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QFontMetrics

from qqdesk.client.events import DeliveryState
from qqdesk.core import Presence
from qqdesk.ui.chat import ChatWindow
from qqdesk.ui.models import ChatEntry, EntryKind

from .conftest import FakeHub, FakeSession


def open_chat(qtbot: Any, session: Any, peer: int = 10002) -> ChatWindow:
    chat = ChatWindow(session, peer, "Bob", 0, Presence.ONLINE, history=session.history)
    qtbot.addWidget(chat)
    chat.show()
    qtbot.waitExposed(chat)
    return chat


def add(chat: ChatWindow, text: str, outgoing: bool) -> QModelIndex:
    chat.model.append(ChatEntry(EntryKind.MESSAGE, text, 0.0, outgoing, None, DeliveryState.SENT))
    return chat.model.index(chat.model.rowCount() - 1, 0)


def bubble_height(chat: ChatWindow, index: QModelIndex) -> int:
    return chat.delegate.bubble_rect(chat._option_for(index), index).height()


def test_line_breaks_show_in_sent_and_received_bubbles(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    chat = open_chat(qtbot, alice)
    line = QFontMetrics(chat.view.font()).lineSpacing()
    for outgoing in (True, False):
        one = add(chat, "first line", outgoing)
        two = add(chat, "first line\nsecond line", outgoing)
        three = add(chat, "a\r\nb\nc", outgoing)
        assert bubble_height(chat, two) >= bubble_height(chat, one) + line - 1
        assert bubble_height(chat, three) >= bubble_height(chat, one) + 2 * line - 2
        # The row is as tall as its bubble needs.
        option = chat._option_for(two)
        assert chat.delegate.sizeHint(option, two).height() > bubble_height(chat, two)
        # Each line is as wide as itself, not the two joined.
        joined = add(chat, "first line second line", outgoing)
        option = chat._option_for(joined)
        assert (
            chat.delegate.bubble_rect(option, two).width()
            < chat.delegate.bubble_rect(option, joined).width()
        )
