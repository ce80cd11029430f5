"""Two app windows, two accounts, one real server: chat through the GUIs both ways."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qqdesk.client.events import DeliveryState
from qqdesk.core import Presence
from qqdesk.ui.chat import ChatWindow
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import GroupKind, Roles

from .conftest import SamePortServer, lose_server


def app_window(qtbot: Any, session: Any) -> MainWindow:
    window = MainWindow(session, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def texts(chat: ChatWindow) -> list[tuple[str, bool]]:
    m = chat.model
    return [
        (m.index(r, 0).data(), bool(m.index(r, 0).data(Roles.OUTGOING)))
        for r in range(m.rowCount())
        if not m.index(r, 0).data(Roles.IS_SYSTEM)
    ]


def open_by_double_click(qtbot: Any, window: MainWindow, uin: int) -> ChatWindow:
    index = window.proxy.mapFromSource(window.model.index_of(uin))
    rect = window.tree.visualRect(index)
    # QTest's double click is only the second click's events; a real one starts with a click.
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chat = window.chats.chat(uin)
    assert chat is not None
    return chat


def test_two_windows_chat_both_ways(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    alice = app_window(qtbot, alice_session)
    bob = app_window(qtbot, bob_session)
    qtbot.waitUntil(lambda: 10002 in alice.model and 10001 in bob.model, timeout=10_000)
    qtbot.waitUntil(
        lambda: alice.model.index_of(10002).data(Roles.STATUS) == Presence.ONLINE, timeout=10_000
    )

    to_bob = open_by_double_click(qtbot, alice, 10002)
    # QTest can only type ASCII; Chinese arrives as an input method commits it.
    to_bob.input.insertPlainText("你好 ")
    qtbot.keyClicks(to_bob.input, "Bob, lunch?")
    qtbot.keyClick(to_bob.input, Qt.Key.Key_Return)
    assert to_bob.input.toPlainText() == ""
    qtbot.waitUntil(
        lambda: to_bob.model.index(0, 0).data(Roles.DELIVERY) is DeliveryState.SENT,
        timeout=10_000,
    )

    # Bob has no chat open: unread count on Alice's row, then he opens it and sees it.
    qtbot.waitUntil(lambda: bob.model.index_of(10001).data(Roles.UNREAD) == 1, timeout=10_000)
    assert bob.notice_banner.isVisible()
    to_alice = open_by_double_click(qtbot, bob, 10001)
    assert texts(to_alice) == [("你好 Bob, lunch?", False)]
    assert bob.model.index_of(10001).data(Roles.UNREAD) == 0

    qtbot.keyClicks(to_alice.input, "Sure!")
    qtbot.keyClick(to_alice.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(to_alice.input, "12:30?")
    qtbot.keyClick(to_alice.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ("Sure!\n12:30?", False) in texts(to_bob), timeout=10_000)
    assert texts(to_bob) == [("你好 Bob, lunch?", True), ("Sure!\n12:30?", False)]
    assert texts(to_alice) == [("你好 Bob, lunch?", False), ("Sure!\n12:30?", True)]

    # Bob signs out: Alice's tree and open chat say so.
    qt_run(bob_session.logout())
    qtbot.waitUntil(
        lambda: alice.model.index_of(10002).data(Roles.STATUS) == Presence.OFFLINE, timeout=10_000
    )
    assert to_bob.status_label.text() == "Offline"
    assert alice.model.group_index(GroupKind.FRIENDS).data() == "My friends (0/1)"


def test_failed_send_then_resend_after_server_returns(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any, bob_session: Any
) -> None:
    alice = app_window(qtbot, alice_session)
    bob = app_window(qtbot, bob_session)
    qtbot.waitUntil(lambda: 10002 in alice.model and 10001 in bob.model, timeout=10_000)
    to_bob = alice.chats.open_chat(10002)
    port, db_path = server.port, server.db_path
    lose_server(server)
    qtbot.waitUntil(alice.reconnect_banner.isVisible, timeout=15_000)
    qtbot.keyClicks(to_bob.input, "are you there?")
    qtbot.keyClick(to_bob.input, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: to_bob.model.index(0, 0).data(Roles.DELIVERY) is DeliveryState.FAILED,
        timeout=20_000,
    )
    again = SamePortServer(db_path, port)
    try:
        qtbot.waitUntil(lambda: not alice.reconnect_banner.isVisible(), timeout=20_000)
        # One click on the failed bubble, as soon as the window says it is connected:
        # it goes again (the session logs in again first if the server forgot it) and
        # arrives. No click-until-it-works: a resend failing here is a bug.
        rect = to_bob.view.visualRect(to_bob.view.model().index(0, 0))
        qtbot.mouseClick(to_bob.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(
            lambda: to_bob.model.index(0, 0).data(Roles.DELIVERY) is DeliveryState.SENT,
            timeout=20_000,
        )
        qtbot.waitUntil(lambda: bob.model.index_of(10001).data(Roles.UNREAD) == 1, timeout=20_000)
    finally:
        qt_run(alice_session.close(), timeout_ms=5000)
        qt_run(bob_session.close(), timeout_ms=5000)
        again.stop()


def test_two_windows_multi_line_text_a_kept_draft_and_search(
    qtbot: Any, qt_run: Any, tmp_path: Any, alice_session: Any, bob_session: Any
) -> None:
    from PySide6.QtGui import QKeySequence

    from qqdesk.ui.settings import load_settings

    settings = load_settings(tmp_path / "alice-settings.json")
    alice = MainWindow(alice_session, settings=settings, use_tray=False, use_dbus=False)
    qtbot.addWidget(alice)
    alice.show()
    alice.start()
    bob = app_window(qtbot, bob_session)
    qtbot.waitUntil(lambda: 10002 in alice.model and 10001 in bob.model, timeout=10_000)

    # A draft of two lines, the chat closed in between: it waits in the input.
    to_bob = alice.chats.open_chat(10002)
    qtbot.keyClicks(to_bob.input, "Shopping list:")
    qtbot.keyClick(to_bob.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(to_bob.input, "apples")
    to_bob.close_chat()
    qtbot.waitUntil(lambda: alice.chats.chat(10002) is None)
    to_bob = alice.chats.open_chat(10002)
    assert to_bob.input.toPlainText() == "Shopping list:\napples"
    qtbot.keyClick(to_bob.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(to_bob.input, "pears")
    qtbot.keyClick(to_bob.input, Qt.Key.Key_Return)
    assert to_bob.input.toPlainText() == ""
    qtbot.waitUntil(lambda: settings.drafts == {})

    # Bob gets the lines as lines, then finds them again in all his history.
    qtbot.waitUntil(lambda: bob.model.total_unread() == 1, timeout=10_000)
    bob.activateWindow()
    qtbot.waitUntil(bob.isActiveWindow)
    qtbot.keySequence(bob, QKeySequence("Ctrl+Shift+F"))
    search = bob.search_window
    assert search is not None
    qtbot.keyClicks(search.edit, "pears")
    qtbot.keyClick(search.edit, Qt.Key.Key_Return)
    assert search.results.rowCount() == 1
    assert search.results.index(0, 2).data() == "Shopping list: apples pears"
    qtbot.keyClick(search.view, Qt.Key.Key_Return)
    from_alice = bob.chats.chat(10001)
    assert from_alice is not None
    row = from_alice.find_bar.current_row()
    assert from_alice.model.entry(row).text == "Shopping list:\napples\npears"
    assert from_alice.find_bar.count_label.text() == "1 of 1"
    assert from_alice.delegate.highlight == "pears"
