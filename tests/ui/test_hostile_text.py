"""User-controlled text (nicknames, reasons, messages) is shown as text, never as markup."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from qqdesk.client.events import DeliveryState
from qqdesk.core import Presence
from qqdesk.ui.chat import ChatWindow
from qqdesk.ui.desktop_notify import DesktopNotifications
from qqdesk.ui.dialogs.profile import ProfileDialog
from qqdesk.ui.dialogs.requests import IncomingRequestDialog, RefuseReasonDialog
from qqdesk.ui.models import BuddyTreeModel, ChatEntry, EntryKind

from .conftest import FakeHub, FakeSession
from .test_desktop_notify import NotificationService, session_bus
from .test_mainwindow import make_window

__all__ = ["session_bus"]  # the private-bus fixture, shared

PICTURE = '<img src="file:///usr/share/pixmaps/debian-logo.png" width=1500 height=1500>'
HEADLINE = '<h1>Security alert</h1><a href="https://evil.example/">Verify your account</a>'
STRANGER = 20001


def rendered(text: str) -> QTextDocument:
    """``text`` in a document the way Qt shows a string of unknown format (AutoText)."""
    document = QTextDocument()
    if QtGui_Qt.mightBeRichText(text):
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document


def assert_shows_literally(label: QLabel, hostile: str) -> None:
    """The label shows ``hostile``'s characters as they are, markup loads nothing."""
    assert hostile in label.text()
    assert label.textFormat() == Qt.TextFormat.PlainText
    hint = label.sizeHint()
    assert hint.height() < 300, hint  # no 1500 px picture, no headline


def test_profile_shows_a_hostile_nickname_as_text(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    FakeSession(fake_hub, STRANGER, PICTURE)
    dialog = ProfileDialog(FakeSession(fake_hub, 10001, "Alice"), STRANGER)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.nick_label.text() == PICTURE)
    assert_shows_literally(dialog.nick_label, PICTURE)
    assert dialog.windowTitle() == f"Profile of {PICTURE}"


def test_request_dialogs_show_hostile_names_and_reasons_as_text(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    FakeSession(fake_hub, STRANGER, HEADLINE)
    alice = FakeSession(fake_hub, 10001, "Alice")
    dialog = IncomingRequestDialog(alice, STRANGER, PICTURE)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: HEADLINE in dialog.headline.text())
    assert_shows_literally(dialog.headline, HEADLINE)
    assert_shows_literally(dialog.reason_label, PICTURE)
    with qtbot.waitSignal(dialog.answered):
        dialog.approve_button.click()
    assert_shows_literally(dialog.message, HEADLINE)

    refuse = RefuseReasonDialog(PICTURE)
    qtbot.addWidget(refuse)
    (label,) = [child for child in refuse.findChildren(QLabel) if PICTURE in child.text()]
    assert_shows_literally(label, PICTURE)


def test_buddy_tooltip_escapes_the_nickname(qtbot: Any) -> None:
    model = BuddyTreeModel()
    model.add_buddy(STRANGER, PICTURE, 0, Presence.ONLINE)
    tooltip = model.index_of(STRANGER).data(Qt.ItemDataRole.ToolTipRole)
    document = rendered(tooltip)
    assert document.toPlainText() == f"{PICTURE} ({STRANGER})"
    assert "<img" not in document.toHtml()
    model.add_buddy(STRANGER + 1, HEADLINE, 0, Presence.ONLINE)
    document = rendered(model.index_of(STRANGER + 1).data(Qt.ItemDataRole.ToolTipRole))
    assert document.toPlainText() == f"{HEADLINE} ({STRANGER + 1})"
    assert "<a " not in document.toHtml() and "<h1" not in document.toHtml()


def test_a_hostile_message_is_text_in_its_bubble(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    alice = FakeSession(fake_hub, 10001, "Alice")
    chat = ChatWindow(alice, STRANGER, PICTURE, 0, Presence.ONLINE)
    qtbot.addWidget(chat)
    assert_shows_literally(chat.name_label, PICTURE)
    for text in (PICTURE, HEADLINE + " /微笑"):
        chat.model.append(ChatEntry(EntryKind.MESSAGE, text, 0.0, False, None, DeliveryState.SENT))
        index = chat.view.model().index(chat.view.model().rowCount() - 1, 0)
        option = chat._option_for(index)
        document, _width = chat.delegate._document(index, option.font, 300)
        assert document.toPlainText().startswith(text.removesuffix(" /微笑"))
        assert "<h1" not in document.toHtml() and "<a " not in document.toHtml()
        assert "debian-logo" not in document.toHtml().replace(html.escape(PICTURE), "")
        assert chat.delegate.sizeHint(option, index).height() < 200


def notify_over_the_bus(session_bus: str, capabilities: tuple[str, ...], body: str) -> str:
    """Send one notification to a service with ``capabilities``; the body it received."""
    service = NotificationService(session_bus, capabilities)
    service.start()

    async def scenario() -> None:
        notifications = DesktopNotifications(lambda key: None)
        assert await notifications.connect()
        await notifications.notify(STRANGER, "Message from a stranger", body)
        await notifications.close()

    try:
        asyncio.run(scenario())
    finally:
        service.stop()
    return str(service.calls[0][4])


def test_desktop_notification_body_is_escaped_for_a_markup_service(session_bus: str) -> None:
    body = f"{PICTURE} {HEADLINE} & more"
    received = notify_over_the_bus(session_bus, ("body", "body-markup", "actions"), body)
    assert received == html.escape(body, quote=False)
    assert "<" not in received


def test_desktop_notification_body_is_untouched_for_a_plain_text_service(
    session_bus: str,
) -> None:
    body = f"{PICTURE} & more"
    assert notify_over_the_bus(session_bus, ("body", "actions"), body) == body


def test_removing_a_hostile_buddy_asks_in_plain_text(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    FakeSession(fake_hub, 10002, PICTURE)
    window = make_window(qtbot, qt_run, FakeSession(fake_hub, 10001, "Alice"))
    qtbot.waitUntil(lambda: window.model.buddy_item(10002) is not None)
    qtbot.waitUntil(lambda: window.model.index_of(10002).data() == PICTURE)
    window.confirm_remove(10002)
    (box,) = window.findChildren(QMessageBox)
    label = box.findChild(QLabel, "qt_msgbox_label")
    assert label is not None
    assert_shows_literally(label, PICTURE)
    box.reject()
