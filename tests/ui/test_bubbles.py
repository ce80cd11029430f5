"""Chat bubbles as painted: line breaks, faces, long messages split as the wire splits them."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication

from qqdesk.client.events import DeliveryState, MessageReceived
from qqdesk.core import Conversation, Face, Presence
from qqdesk.ui import i18n
from qqdesk.ui.bridge import SessionBridge
from qqdesk.ui.chat import ChatWindow
from qqdesk.ui.facepicker import FacePicker
from qqdesk.ui.models import ChatEntry, EntryKind, Roles
from qqdesk.ui.notifications import Notifier

from .conftest import FakeHub, FakeSession
from .test_mainwindow import make_window


def open_chat(qtbot: Any, session: Any, peer: int = 10002) -> ChatWindow:
    """A chat window that hears its session's delivery states (as the main window wires it)."""
    chat = ChatWindow(session, peer, "Bob", 0, Presence.ONLINE, history=session.history)
    qtbot.addWidget(chat)
    bridge = SessionBridge(session, chat)
    bridge.messageStateChanged.connect(lambda e: chat.set_delivery_state(e.local_id, e.state))
    bridge.start()
    bridge.flush()
    with qtbot.waitExposed(chat):
        chat.show()
    return chat


def add(chat: ChatWindow, text: str, outgoing: bool) -> QModelIndex:
    chat.model.append(ChatEntry(EntryKind.MESSAGE, text, 0.0, outgoing, None, DeliveryState.SENT))
    return last_row(chat)


def last_row(chat: ChatWindow) -> QModelIndex:
    """The newest row, as the view knows it (its model is a proxy of the history)."""
    return chat.view.model().index(chat.view.model().rowCount() - 1, 0)


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


def _is_face_yellow(colour: QColor) -> bool:
    return colour.red() > 200 and colour.green() > 170 and colour.blue() < 140


def yellow_in_bubble(chat: ChatWindow, index: QModelIndex) -> int:
    """How many face-yellow pixels the painted bubble of ``index`` holds."""
    chat.view.scrollTo(index)
    image = chat.view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    bubble = chat.delegate.bubble_rect(chat._option_for(index), index)
    return sum(
        1
        for y in range(bubble.top(), bubble.bottom())
        for x in range(bubble.left(), bubble.right())
        if _is_face_yellow(image.pixelColor(int(x * ratio), int(y * ratio)))
    )


def test_faces_show_as_pictures_in_bubbles(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    chat = open_chat(qtbot, alice)
    plain = add(chat, "smile", True)
    typed = add(chat, "smile /微笑", True)
    chat.add_incoming(("cool ", Face(51), "\nand", Face(999)), 0.0, 7)
    received = last_row(chat)
    qtbot.waitUntil(lambda: chat.view.visualRect(received).isValid())
    assert yellow_in_bubble(chat, plain) == 0
    assert yellow_in_bubble(chat, typed) > 100
    assert yellow_in_bubble(chat, received) > 100
    # The face counts in the bubble's size: it is wider than the text alone.
    option = chat._option_for(typed)
    assert (
        chat.delegate.bubble_rect(option, typed).width()
        > chat.delegate.bubble_rect(option, plain).width() + 12
    )


def test_history_records_show_their_faces(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    alice.store_message(10002, "from the past /酷", False, DeliveryState.SENT)
    chat = open_chat(qtbot, alice)
    index = chat.view.model().index(0, 0)
    assert index.data(Roles.CONTENT) == ("from the past ", Face(51))
    qtbot.waitUntil(lambda: yellow_in_bubble(chat, index) > 100)


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the (keyboard|mouse)")
def test_face_button_opens_the_picker_above_and_inserts_the_face(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    chat = open_chat(qtbot, alice)
    qtbot.keyClicks(chat.input, "look ")
    qtbot.mouseClick(chat.face_button, Qt.MouseButton.LeftButton)
    picker = chat.findChild(FacePicker)
    assert picker is not None
    qtbot.waitUntil(picker.isVisible)
    button_top = chat.face_button.mapToGlobal(QPoint(0, 0)).y()
    assert picker.frameGeometry().bottom() < button_top
    picker.pick(14)
    assert not picker.isVisible()
    assert chat.input.toPlainText() == "look /微笑"
    assert chat.input.hasFocus() or chat.input.textCursor().position() == len("look /微笑")
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: alice.sent == [(10002, "look /微笑")])


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "hi [Smile][Cool]"), ("zh_CN", "hi [微笑][酷]")]
)
def test_notifications_name_the_faces(
    qapp: QApplication, qt_loop: Any, language: str, expected: str
) -> None:
    shown: list[tuple[int, str, str]] = []
    notifier = Notifier(None, lambda *a: shown.append(a), use_dbus=False)
    notifier.sounds = False
    i18n.install_translator(qapp, language)
    try:
        notifier.notify(10002, "Message from Bob", "hi /微笑/酷")
    finally:
        i18n.install_translator(qapp, "en")
    assert shown == [(10002, "Message from Bob", expected)]


LONG = " ".join(f"word{i:04d}" for i in range(560))  # 5,599 characters: three messages


def test_a_long_text_shows_split_as_the_other_side_gets_it(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    bob = FakeSession(fake_hub, 10002, "Bob")
    qt_run(alice.login())
    qt_run(bob.login())
    chat = open_chat(qtbot, alice)
    assert chat.split_note.isHidden()
    chat.input.setPlainText("short")
    assert chat.split_note.isHidden()
    chat.input.setPlainText(LONG)
    assert chat.split_note.isVisible()
    assert chat.split_note.text() == "This text is long: it will be sent as 3 messages."
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.split_note.isHidden()
    qtbot.waitUntil(lambda: len(bob.records.get(10001, [])) == 3)
    expected = [record.text for record in bob.records[10001]]
    assert "".join(expected) == LONG
    assert all(len(part) <= 2000 for part in expected)
    qtbot.waitUntil(
        lambda: (
            [
                (chat.model.index(r, 0).data(), chat.model.index(r, 0).data(Roles.DELIVERY))
                for r in range(chat.model.rowCount())
            ]
            == [(part, DeliveryState.SENT) for part in expected]
        )
    )
    assert [chat.model.entry(r).local_id for r in range(3)] == [
        record.local_id for record in alice.records[10002]
    ]


def test_split_note_in_chinese(
    qapp: QApplication, qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    chat = open_chat(qtbot, alice)
    chat.input.setPlainText(LONG)
    i18n.install_translator(qapp, "zh_CN")
    try:
        QApplication.processEvents()  # LanguageChange is posted
        assert chat.split_note.text() == "内容较长，将分成 3 条消息发送。"
        assert chat.face_button.toolTip() == "插入表情"
    finally:
        i18n.install_translator(qapp, "en")
    QApplication.processEvents()
    assert chat.split_note.text() == "This text is long: it will be sent as 3 messages."


def test_the_real_session_tells_how_it_splits(alice_session: Any) -> None:
    parts = alice_session.split_message(LONG + " /微笑")
    assert len(parts) == 3
    assert parts[-1][-1] == Face(14)
    assert alice_session.split_message("hi") == [("hi",)]
    assert alice_session.split_message("") == []


def test_a_received_face_stays_a_face_in_an_open_chat(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    """The main window hands the chat the message's parts, not only its text form."""
    window = make_window(qtbot, qt_run, FakeSession(fake_hub, 10001, "Alice"))
    chat = window.chats.open_chat(10002)
    content = ("new face: ", Face(999))  # a face this table has no name for
    window.bridge.deliver(
        MessageReceived(
            account=10001,
            conversation=Conversation.buddy(10002),
            sender=10002,
            content=content,
            time=1_700_000_000.0,
            local_id=78,
        )
    )
    qtbot.waitUntil(lambda: chat.model.rowCount() == 1)
    assert chat.model.index(0, 0).data(Roles.CONTENT) == content
    chat.close()
