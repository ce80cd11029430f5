"""Main window: buddy list with statuses, status selector, banners, strangers, menus."""

from __future__ import annotations

import linecache
import sys
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from qqdesk.client import AddRequest
from qqdesk.client.events import (
    AddRequestReceived,
    ConnectionState,
    ConnectionStateChanged,
    MessageReceived,
    RequestApproved,
    RequestRefused,
    Trouble,
)
from qqdesk.core import Conversation, Presence
from qqdesk.ui.dialogs import IncomingRequestDialog
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import GroupKind, Roles
from qqdesk.ui.settings import Settings
from tests.support.processes import run_python

from .conftest import FakeHub, FakeSession

T = TypeVar("T", bound=QWidget)


def fake(window: MainWindow) -> FakeSession:
    """The in-memory session behind ``window`` (for what the test told it to do)."""
    assert isinstance(window.session, FakeSession)
    return window.session


def make_window(qtbot: Any, qt_run: Any, session: Any, **kwargs: Any) -> MainWindow:
    qt_run(session.login())
    window = MainWindow(session, use_tray=False, use_dbus=False, **kwargs)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def test_starting_lets_go_of_the_module_sources_read_at_import(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    # PySide6's import hook leaves every imported module's source in linecache
    # (about 10 MiB by the time a main window starts): gone before the buddy list.
    models = sys.modules["qqdesk.ui.models"].__file__
    assert models is not None
    linecache.getlines(models)
    assert models in linecache.cache
    make_window(qtbot, qt_run, FakeSession(fake_hub, 10001, "Alice"))
    assert models not in linecache.cache


def tree_rows(
    window: MainWindow, kind: GroupKind = GroupKind.FRIENDS
) -> list[tuple[str, Presence]]:
    model = window.model
    parent = model.group_index(kind)
    return [
        (model.index(r, 0, parent).data(), model.index(r, 0, parent).data(Roles.STATUS))
        for r in range(model.rowCount(parent))
    ]


@pytest.fixture
def alice_bob(qtbot: Any, qt_run: Any, fake_hub: FakeHub) -> tuple[MainWindow, MainWindow]:
    bob = make_window(qtbot, qt_run, FakeSession(fake_hub, 10002, "Bob"))
    alice = make_window(qtbot, qt_run, FakeSession(fake_hub, 10001, "Alice"))
    qtbot.waitUntil(lambda: len(tree_rows(alice)) == 2)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.ONLINE)])
    return alice, bob


def test_buddies_with_statuses_and_header(alice_bob: tuple[MainWindow, MainWindow]) -> None:
    alice, _bob = alice_bob
    assert tree_rows(alice) == [("Bob", Presence.ONLINE), ("Carol", Presence.OFFLINE)]
    assert alice.model.group_index(GroupKind.FRIENDS).data() == "My friends (1/2)"
    assert alice.nick_label.text() == "Alice"
    assert "10001" in alice.number_label.text()
    assert alice.tree.isExpanded(alice.proxy.index(0, 0))


def test_only_the_sections_open_not_each_buddy_row(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    """Sections open (again after a status change reorders a section, after a filter);
    buddy rows are never remembered as open: with 10,000 of them the tree's layout and
    every row move cost a multiple otherwise."""
    alice, bob = alice_bob

    def opened() -> tuple[list[bool], list[bool]]:
        tree, proxy = alice.tree, alice.proxy
        sections = [proxy.index(r, 0) for r in range(proxy.rowCount())]
        rows = [proxy.index(r, 0, s) for s in sections for r in range(proxy.rowCount(s))]
        return [tree.isExpanded(s) for s in sections], [tree.isExpanded(r) for r in rows]

    sections, rows = opened()
    assert sections and all(sections)
    assert rows and not any(rows)
    alice.tree.collapse(alice.proxy.index(0, 0))
    index = bob.status_selector.findData(Presence.HIDDEN.value)
    bob.status_selector.setCurrentIndex(index)
    bob.status_selector.activated.emit(index)
    qtbot.waitUntil(lambda: tree_rows(alice)[0] == ("Bob", Presence.OFFLINE))
    carol = alice.model.index(1, 0, alice.model.group_index(GroupKind.FRIENDS)).data(Roles.UIN)
    alice.model.set_status(carol, Presence.ONLINE)  # Carol's row moves up, past Bob's
    assert tree_rows(alice)[0] == ("Carol", Presence.ONLINE)
    sections, rows = opened()
    assert sections and all(sections)
    assert rows and not any(rows)
    alice.filter_edit.setText("o")
    sections, rows = opened()
    assert sections and all(sections)
    assert rows and not any(rows)


def test_status_change_shows_in_the_other_tree(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, bob = alice_bob
    index = alice.status_selector.findData(Presence.BUSY.value)
    alice.status_selector.activated.emit(index)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.BUSY)])
    assert fake(alice).status_calls == [Presence.BUSY]
    index = alice.status_selector.findData(Presence.HIDDEN.value)
    alice.status_selector.setCurrentIndex(index)
    alice.status_selector.activated.emit(index)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.OFFLINE)])
    assert bob.model.group_index(GroupKind.FRIENDS).data() == "My friends (0/1)"


def test_reconnect_banner_follows_connection_state(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    assert not alice.reconnect_banner.isVisible()
    alice.bridge.deliver(
        ConnectionStateChanged(account=10001, state=ConnectionState.RECONNECTING, detail="timeout")
    )
    assert alice.reconnect_banner.isVisible()
    assert alice.reconnect_banner.text() == "Connection lost — reconnecting…"
    alice.bridge.deliver(ConnectionStateChanged(account=10001, state=ConnectionState.CONNECTED))
    assert not alice.reconnect_banner.isVisible()
    full = "cannot keep received messages: database or disk is full"
    alice.bridge.deliver(
        ConnectionStateChanged(
            account=10001,
            state=ConnectionState.RECONNECTING,
            detail=full,
            trouble=Trouble.STORAGE,
        )
    )
    assert alice.reconnect_banner.text().startswith("Cannot save messages: the disk may be full.")
    alice.bridge.deliver(ConnectionStateChanged(account=10001, state=ConnectionState.CONNECTED))
    assert not alice.reconnect_banner.isVisible()


def test_stranger_message_adds_stranger_and_unread(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    fake(alice).hub.nicks[55555] = "Zed"
    alice.bridge.deliver(
        MessageReceived(
            account=10001,
            conversation=Conversation.buddy(55555),
            sender=55555,
            content=("hi, remember me?",),
            time=1_700_000_000.0,
            local_id=77,
        )
    )
    assert 55555 in alice.model
    assert alice.model.index_of(55555).parent().data(Roles.GROUP_KEY) == "strangers"
    assert alice.model.index_of(55555).data(Roles.UNREAD) == 1
    # No tray, no notification service: the notice shows in the window and opens the chat;
    # it names the stranger once their nickname has been looked up.
    qtbot.waitUntil(alice.notice_banner.isVisible)
    assert alice.notice_banner.text() == "Message from Zed: hi, remember me?"
    assert alice.model.index_of(55555).data() == "Zed"
    qtbot.mouseClick(alice.notice_banner.button, Qt.MouseButton.LeftButton)
    chat = alice.chats.chat(55555)
    assert chat is not None
    assert alice.model.index_of(55555).data(Roles.UNREAD) == 0
    # They just wrote: online, in the badge and the count.
    assert alice.model.index_of(55555).data(Roles.STATUS) is Presence.ONLINE
    assert alice.model.group_index(GroupKind.STRANGERS).data() == "Strangers (1/1)"
    chat.close()


def test_request_answers_name_who_answered(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    fake(alice).hub.nicks[66666] = "Yuki"
    alice.bridge.deliver(RequestRefused(account=10001, uin=66666, reason="not now"))
    qtbot.waitUntil(alice.notice_banner.isVisible)
    assert alice.notice_banner.text() == (
        "Yuki (66666) declined your friend request. Reason: not now"
    )
    alice.bridge.deliver(RequestApproved(account=10001, uin=10003))  # Carol is in the list already
    qtbot.waitUntil(lambda: "accepted" in alice.notice_banner.text())
    assert alice.notice_banner.text() == "Carol (10003) accepted your friend request."
    alice.bridge.deliver(
        RequestApproved(account=10001, uin=77777)
    )  # nobody knows this one's nickname
    qtbot.waitUntil(lambda: "77777" in alice.notice_banner.text())
    assert alice.notice_banner.text() == "77777 accepted your friend request."


def test_filter_box_filters_tree(qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]) -> None:
    alice, _bob = alice_bob
    qtbot.keyClicks(alice.filter_edit, "car")
    friends = alice.proxy.index(0, 0)
    assert alice.proxy.rowCount(friends) == 1
    assert alice.proxy.index(0, 0, friends).data() == "Carol"
    alice.filter_edit.clear()
    assert alice.proxy.rowCount(alice.proxy.index(0, 0)) == 2


def test_context_menu_offers_chat_profile_remove(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    menu = alice.buddy_menu(10003)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "&Chat",
        "View &profile",
        "Mark as &unread",
        "Set re&mark…",
        "Mo&ve to",
        "&Remove from list…",
    ]
    alice.remove_buddy(10003)
    qtbot.waitUntil(lambda: 10003 not in alice.model)
    assert fake(alice).removed == [10003]
    menu.actions()[0].trigger()
    chat = alice.chats.chat(10003)
    assert chat is not None and chat.isVisible()
    chat.close()
    menu.deleteLater()


def test_double_click_opens_chat_and_close_without_tray_quits(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    bob_index = alice.proxy.mapFromSource(alice.model.index_of(10002))
    alice.tree.doubleClicked.emit(bob_index)
    chat = alice.chats.chat(10002)
    assert chat is not None and chat.isVisible()
    assert chat.name_label.text() == "Bob (10002)"
    with qtbot.waitSignal(alice.quitRequested):
        alice.close()
    assert alice.chats.chat(10002) is None


# -- against the real server ----------------------------------------------------------------


def real_window(qtbot: Any, session: Any) -> MainWindow:
    window = MainWindow(session, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    return window


def test_real_server_buddies_statuses_and_status_change(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    alice = real_window(qtbot, alice_session)
    bob = real_window(qtbot, bob_session)
    qtbot.waitUntil(lambda: tree_rows(alice) == [("Bob 小明", Presence.ONLINE)], timeout=10_000)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.ONLINE)], timeout=10_000)
    assert alice.model.group_index(GroupKind.FRIENDS).data() == "My friends (1/1)"
    qtbot.waitUntil(lambda: alice.nick_label.text() == "Alice")

    index = alice.status_selector.findData(Presence.BUSY.value)
    alice.status_selector.setCurrentIndex(index)
    alice.status_selector.activated.emit(index)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.BUSY)], timeout=10_000)
    index = alice.status_selector.findData(Presence.HIDDEN.value)
    alice.status_selector.setCurrentIndex(index)
    alice.status_selector.activated.emit(index)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.OFFLINE)], timeout=10_000)
    index = alice.status_selector.findData(Presence.ONLINE.value)
    alice.status_selector.setCurrentIndex(index)
    alice.status_selector.activated.emit(index)
    qtbot.waitUntil(lambda: tree_rows(bob) == [("Alice", Presence.ONLINE)], timeout=10_000)


def test_the_last_list_shows_at_once_everyone_offline_until_the_server_answers(
    qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    first = real_window(qtbot, alice_session)
    qtbot.waitUntil(lambda: tree_rows(first) == [("Bob 小明", Presence.ONLINE)], timeout=10_000)
    first.shutdown()
    again = real_window(qtbot, alice_session)
    # Before any reply: the cached list, nobody shown online on old news.
    assert tree_rows(again) == [("Bob 小明", Presence.OFFLINE)]
    qtbot.waitUntil(lambda: tree_rows(again) == [("Bob 小明", Presence.ONLINE)], timeout=10_000)


def test_real_server_lost_and_back_shows_then_hides_banner(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any
) -> None:
    from .conftest import SamePortServer, lose_server

    alice = real_window(qtbot, alice_session)
    qtbot.waitUntil(lambda: len(tree_rows(alice)) == 1, timeout=10_000)
    port, db_path = server.port, server.db_path
    lose_server(server)
    qtbot.waitUntil(alice.reconnect_banner.isVisible, timeout=15_000)
    assert alice.reconnect_banner.text() == "Connection lost — reconnecting…"
    again = SamePortServer(db_path, port)
    try:
        qtbot.waitUntil(lambda: not alice.reconnect_banner.isVisible(), timeout=20_000)
    finally:
        qt_run(alice_session.close(), timeout_ms=5000)
        again.stop()


def test_menus_open_the_dialogs(
    qtbot: Any, tmp_path: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    from qqdesk.ui.dialogs.profile import ProfileDialog
    from qqdesk.ui.dialogs.requests import IncomingRequestDialog
    from qqdesk.ui.dialogs.search import AddBuddyDialog
    from qqdesk.ui.dialogs.settings_dialog import SettingsDialog
    from qqdesk.ui.settings import Settings

    alice, _bob = alice_bob
    alice.settings = Settings(tmp_path / "settings.json")

    def opened(cls: type[QWidget]) -> list[QWidget]:
        return [w for w in alice.findChildren(cls) if w.isVisible()]

    alice.add_friend_action.trigger()
    assert len(opened(AddBuddyDialog)) == 1
    alice.settings_action.trigger()
    assert len(opened(SettingsDialog)) == 1
    alice.show_profile(10002)
    assert len(opened(ProfileDialog)) == 1
    alice.on_add_request(
        AddRequestReceived(account=10001, uin=30000, reason="we met at the conference")
    )
    assert len(opened(IncomingRequestDialog)) == 1
    for cls in (AddBuddyDialog, SettingsDialog, ProfileDialog, IncomingRequestDialog):
        for dialog in opened(cls):
            dialog.close()


def test_a_long_own_nickname_ends_in_an_ellipsis(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    nick = "一个非常非常长的昵称 with a very long English tail that cannot fit"
    window = make_window(qtbot, qt_run, FakeSession(fake_hub, 10001, nick))
    window.resize(300, 640)
    label = window.nick_label
    qtbot.waitUntil(lambda: label.text() != nick)
    shown = label.text()
    assert shown.endswith("…")
    assert nick.startswith(shown[:-1])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.width()
    assert label.full_text() == nick and label.toolTip() == nick
    # Wider, it shows more; wide enough, all of it.
    window.resize(2000, 640)
    qtbot.waitUntil(lambda: label.text() == nick)
    assert label.toolTip() == ""


def test_requests_closed_with_later_can_be_found_again(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub, tmp_path: Any
) -> None:
    settings = Settings(tmp_path / "settings.json")
    window = make_window(qtbot, qt_run, FakeSession(fake_hub, 10001, "Alice"), settings=settings)
    assert window.requests_action.text() == "Friend &requests (0)"
    assert window.requests_action in window.app_menu.actions()
    # Dave asks; the user closes the request with Esc.
    fake(window).requests.append(AddRequest(40004, "hi, it is Dave", 0.0))
    window.bridge.deliver(AddRequestReceived(account=10001, uin=40004, reason="hi, it is Dave"))
    qtbot.waitUntil(lambda: bool(visible_children(window, IncomingRequestDialog)))
    incoming = visible_children(window, IncomingRequestDialog)[0]
    qtbot.keyClick(incoming, Qt.Key.Key_Escape)
    assert not incoming.isVisible()
    # I asked Erin, who has not answered.
    window._added(50005, "requested")
    assert window.requests_action.text() == "Friend &requests (2)"
    # The list is kept per account across runs.
    assert Settings(settings.path).path.read_text().count("10001:50005") == 1

    window.requests_action.trigger()
    dialog = window.requests_dialog
    assert dialog is not None and dialog.isVisible()
    rows = [dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount())]
    assert rows[0] == "They asked to be my friend (1)"
    assert rows[1].startswith("40004") and "hi, it is Dave" in rows[1]
    assert rows[2] == "I asked, waiting for their answer (1)"
    assert rows[3] == "50005"
    assert dialog.selected() == (40004, True)
    assert dialog.approve_button.isEnabled() and dialog.refuse_button.isEnabled()
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: fake(window).approved == [40004])
    qtbot.waitUntil(lambda: window.requests_action.text() == "Friend &requests (1)")
    assert "You approved 40004." in dialog.message.text()
    # Mine cannot be approved from here; its answer takes it off the list.
    rows = [dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount())]
    assert rows == [
        "They asked to be my friend (0)",
        "I asked, waiting for their answer (1)",
        "50005",
    ]
    dialog.view.setCurrentIndex(dialog.model.index(2, 0))
    assert dialog.selected() == (50005, False)
    assert not dialog.approve_button.isEnabled()
    window.bridge.deliver(RequestRefused(account=10001, uin=50005, reason=""))
    qtbot.waitUntil(lambda: window.requests_action.text() == "Friend &requests (0)")
    assert "10001:50005" not in settings.path.read_text()
    dialog.close()


def visible_children(window: MainWindow, cls: type[T]) -> list[T]:
    return [w for w in window.findChildren(cls) if w.isVisible()]


def test_while_i_am_offline_everyone_shows_offline(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, bob = alice_bob
    offline = alice.status_selector.findData(Presence.OFFLINE.value)
    alice.status_selector.activated.emit(offline)
    qtbot.waitUntil(lambda: fake(alice).status_calls == [Presence.OFFLINE])
    assert tree_rows(alice) == [("Bob", Presence.OFFLINE), ("Carol", Presence.OFFLINE)]
    assert alice.model.group_index(GroupKind.FRIENDS).data() == "My friends (0/2)"
    # Bob's change reaches Alice's session, and waits.
    bob.status_selector.activated.emit(bob.status_selector.findData(Presence.BUSY.value))
    qtbot.waitUntil(lambda: fake(bob).status_calls == [Presence.BUSY])
    qtbot.waitUntil(fake(alice).queue.empty)
    assert tree_rows(alice) == [("Bob", Presence.OFFLINE), ("Carol", Presence.OFFLINE)]
    # Back online: the list is asked again and shows what changed.
    alice.status_selector.activated.emit(alice.status_selector.findData(Presence.ONLINE.value))
    qtbot.waitUntil(
        lambda: tree_rows(alice) == [("Bob", Presence.BUSY), ("Carol", Presence.OFFLINE)]
    )


def test_enter_in_the_filter_opens_the_first_match(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    qtbot.keyClick(alice.filter_edit, Qt.Key.Key_Return)  # nothing typed: nothing opens
    assert alice.chats.chats() == []
    qtbot.keyClicks(alice.filter_edit, "car")
    qtbot.keyClick(alice.filter_edit, Qt.Key.Key_Return)
    chat = alice.chats.chat(10003)
    assert chat is not None and chat.isVisible()
    assert [c.uin for c in alice.chats.chats()] == [10003]
    alice.filter_edit.clear()
    qtbot.keyClicks(alice.filter_edit, "nobody")
    qtbot.keyClick(alice.filter_edit, Qt.Key.Key_Return)
    assert [c.uin for c in alice.chats.chats()] == [10003]
    chat.close()


def test_the_dialogs_load_when_first_opened_not_at_start() -> None:
    """Start-up imports no dialog nor the search window (a fifth of the app's imports);
    opening one imports it then."""
    code = (
        "import sys, qqdesk.ui.mainwindow;"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('qqdesk.ui.dialogs', 'qqdesk.ui.history_search'))))"
    )
    assert run_python(code).strip() == "[]"


def test_a_dialog_opens_from_the_window(
    qtbot: Any, alice_bob: tuple[MainWindow, MainWindow]
) -> None:
    alice, _bob = alice_bob
    window = alice.show_search()
    assert type(window).__name__ == "HistorySearchWindow" and window.isVisible()
    profile = alice.show_own_profile()
    assert type(profile).__name__ == "OwnProfileDialog" and profile.isVisible()
    profile.close()
    window.close()
