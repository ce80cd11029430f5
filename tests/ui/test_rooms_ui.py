"""Groups and discussions in the app: the tree's sections, the room chat window, the
notification rule, create / invite / card / leave, and web sign-in approval (FakeSession)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from qqdesk.client import RoomMember, RoomsAvailability, RoomsUnavailable
from qqdesk.core import Conversation, ConversationKind, Presence
from qqdesk.ui.dialogs import ChooseBuddiesDialog, WebLoginDialog, WebLoginNotice
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import GroupKind, Roles
from qqdesk.ui.roomchat import NotifyRule, RoomChatWindow, RoomMembersModel, mentions
from qqdesk.ui.settings import Settings, load_settings

from .conftest import FakeHub, FakeSession
from .test_mainwindow import make_window

ALICE, BOB, CAROL = 10001, 10002, 10003


def section_rows(window: MainWindow, kind: GroupKind) -> list[str]:
    parent = window.model.group_index(kind)
    return [
        str(window.model.index(r, 0, parent).data()) for r in range(window.model.rowCount(parent))
    ]


@pytest.fixture
def world(fake_hub: FakeHub) -> tuple[FakeHub, Conversation, Conversation]:
    """Alice, Bob and Carol in the group "Hiking 徒步"; Alice and Bob in a discussion."""
    fake_hub.rooms_available = True
    fake_hub.nicks[BOB] = "Bob"
    fake_hub.nicks[CAROL] = "Carol"
    group = fake_hub.add_room(ConversationKind.GROUP, "Hiking 徒步", ALICE, [ALICE, BOB, CAROL])
    talk = fake_hub.add_room(ConversationKind.DISCUSSION, "Saturday", None, [ALICE, BOB])
    fake_hub.add_room(ConversationKind.GROUP, "Not mine", BOB, [BOB])
    return fake_hub, group, talk


def filtered(window: MainWindow) -> dict[str, int]:
    """Rows the filter leaves in each section shown (sections without any are gone)."""
    proxy = window.proxy
    return {
        str(proxy.index(r, 0).data(Roles.GROUP_KEY)): proxy.rowCount(proxy.index(r, 0))
        for r in range(proxy.rowCount())
    }


class Notices:
    """What a main window's notifier was asked to show."""

    def __init__(self, window: MainWindow) -> None:
        self.shown: list[tuple[int, str, str]] = []
        original = window.notifier.notify

        def notify(uin: int, title: str, body: str) -> Any:
            self.shown.append((uin, title, body))
            return original(uin, title, body)

        window.notifier.notify = notify  # type: ignore[method-assign]


def test_tree_lists_groups_and_discussions_with_counts_and_unread(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, group, talk = world
    hub.remarks[(ALICE, BOB)] = "Bobby (work)"
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"))
    bob_session = FakeSession(hub, BOB, "Bob")
    qt_run(bob_session.login())
    qtbot.waitUntil(lambda: section_rows(alice, GroupKind.GROUPS) == ["Hiking 徒步"])
    assert section_rows(alice, GroupKind.DISCUSSIONS) == ["Saturday"]
    assert alice.model.group_index(GroupKind.GROUPS).data() == "Groups (1)"
    assert alice.model.group_index(GroupKind.DISCUSSIONS).data() == "Discussions (1)"
    # A remark stands over the nickname.
    qtbot.waitUntil(lambda: "Bobby (work)" in section_rows(alice, GroupKind.FRIENDS))

    qt_run(bob_session.send_message(group, "hello everyone /微笑"))
    index = alice.model.room_index(group)
    qtbot.waitUntil(lambda: index.data(Roles.UNREAD) == 1)
    assert alice.model.group_index(GroupKind.GROUPS).data(Roles.UNREAD) == 1
    assert alice.model.total_unread() == 1
    assert alice.windowTitle().startswith("(1)")

    # The filter covers room names, numbers and remarks.
    alice.filter_edit.setText("hik")
    assert filtered(alice) == {"groups": 1}
    alice.filter_edit.setText(str(talk.number))
    assert filtered(alice) == {"discussions": 1}
    alice.filter_edit.setText("bobby")
    assert filtered(alice) == {"friends": 1}
    # Enter opens the first match: the group, read now.
    alice.filter_edit.setText("hik")
    alice.open_first_match()
    chat = alice.chats.room_chat(group)
    assert isinstance(chat, RoomChatWindow)
    qtbot.waitUntil(lambda: alice.model.total_unread() == 0)


def test_classic_only_server_shows_no_room_sections(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    fake_hub.rooms_available = False
    alice = make_window(qtbot, qt_run, FakeSession(fake_hub, ALICE, "Alice"))
    qtbot.waitUntil(lambda: len(section_rows(alice, GroupKind.FRIENDS)) == 2)
    assert alice.model.rowCount() == 2
    assert not alice.new_group_action.isVisible()
    assert not alice.web_login_action.isVisible()
    assert "groups" not in alice.filter_edit.placeholderText()
    with pytest.raises(RoomsUnavailable):
        qt_run(alice.session.rooms())


def test_group_chat_between_two_windows_names_senders(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, group, _talk = world
    hub.cards[(group, BOB)] = "Bob the guide"
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"))
    bob = make_window(qtbot, qt_run, FakeSession(hub, BOB, "Bob"))
    qtbot.waitUntil(lambda: alice.model.room_item(group) is not None)
    qtbot.waitUntil(lambda: bob.model.room_item(group) is not None)
    alice_chat = alice.open_room(group)
    bob_chat = bob.open_room(group)
    # Members: online first (Alice, Bob), the card over the nickname, then Carol offline.
    qtbot.waitUntil(lambda: alice_chat.members_model.rowCount() == 3)
    names = [
        alice_chat.members_model.index(r, 0).data()
        for r in range(alice_chat.members_model.rowCount())
    ]
    assert names[2] == "Carol"
    assert set(names[:2]) == {"Alice", "Bob the guide"}
    assert alice_chat.members_label.text() == "Members (2/3)"

    bob_chat.send_text("hi all /微笑")
    qtbot.waitUntil(lambda: alice_chat.model.rowCount() == 1)
    index = alice_chat.model.index(0, 0)
    assert index.data(Roles.SENDER_NAME) == "Bob the guide"
    assert index.data(Roles.TEXT) == "hi all /微笑"
    # My own bubble carries no name.
    assert bob_chat.model.index(0, 0).data(Roles.SENDER_NAME) == ""
    # The history, reopened, still names the sender.
    alice_chat.close()
    qtbot.waitUntil(lambda: alice.chats.room_chat(group) is None)
    again = alice.open_room(group)
    qtbot.waitUntil(lambda: again.members_model.rowCount() == 3)
    qtbot.waitUntil(lambda: again.model.rowCount() == 1)
    assert again.model.index(0, 0).data(Roles.SENDER_NAME) == "Bob the guide"


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the (keyboard|mouse)")
def test_mention_completion_offers_members(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, group, _talk = world
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"))
    qtbot.waitUntil(lambda: alice.model.room_item(group) is not None)
    chat = alice.open_room(group)
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 3)
    chat.input.setFocus()
    qtbot.keyClicks(chat.input, "hello @car")
    popup = chat.completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    assert chat.completer.currentCompletion() == "Carol"
    # Enter picks the name (it does not send).
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chat.input.toPlainText() == "hello @Carol ")
    assert chat.model.rowCount() == 0
    assert not popup.isVisible()


def test_mentions_match_names_as_plain_text() -> None:
    assert mentions("hey @Bob the guide look", ["Bob the guide"])
    assert mentions("@bob", ["Bob"])
    assert not mentions("bob, hi", ["Bob"])
    assert not mentions("@", [""])


def test_notification_rule_all_mentions_muted_and_kept(
    qtbot: Any, qt_run: Any, tmp_path: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, group, talk = world
    settings = Settings(tmp_path / "settings.json")
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"), settings=settings)
    notices = Notices(alice)
    bob = FakeSession(hub, BOB, "Bob")
    qt_run(bob.login())
    qtbot.waitUntil(lambda: alice.model.room_item(group) is not None)

    qt_run(bob.send_message(group, "one"))
    qtbot.waitUntil(lambda: len(notices.shown) == 1)
    assert notices.shown[0][1] == "Bob in Hiking 徒步"

    alice.set_notify_rule(group, NotifyRule.MUTED)
    alice.set_notify_rule(talk, NotifyRule.MENTIONS)
    qt_run(bob.send_message(group, "two"))
    qt_run(bob.send_message(talk, "three"))
    qt_run(bob.send_message(talk, "four @Alice"))
    qtbot.waitUntil(lambda: alice.model.total_unread() == 4)
    assert [body for _uin, _title, body in notices.shown] == ["one", "four @Alice"]

    # Clicking the notice opens the discussion.
    alice.open_chat(notices.shown[-1][0])
    assert alice.chats.room_chat(talk) is not None

    # Kept across restarts: a new window on the saved settings reads the same rules.
    again = load_settings(tmp_path / "settings.json")
    later = MainWindow(alice.session, use_tray=False, use_dbus=False, settings=again)
    qtbot.addWidget(later)
    assert later.notify_rule(group) is NotifyRule.MUTED
    assert later.notify_rule(talk) is NotifyRule.MENTIONS
    chat = later.open_room(group)
    assert chat.rule_box.currentIndex() == list(NotifyRule).index(NotifyRule.MUTED)
    chat.rule_box.setCurrentIndex(0)
    assert later.notify_rule(group) is NotifyRule.ALL


def test_create_group_invite_card_and_leave(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation], monkeypatch: Any
) -> None:
    hub, _group, _talk = world
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"))
    bob = make_window(qtbot, qt_run, FakeSession(hub, BOB, "Bob"))
    qtbot.waitUntil(lambda: len(section_rows(alice, GroupKind.FRIENDS)) == 2)

    dialog = alice.create_room_dialog(True)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.name_edit.setText("Book club 读书会")
    dialog.set_checked([BOB])
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: "Book club 读书会" in section_rows(alice, GroupKind.GROUPS))
    created = next(c for c, r in hub.rooms.items() if r.name == "Book club 读书会")
    assert hub.members[created] == [ALICE, BOB]
    # Bob is told, and lists it too.
    qtbot.waitUntil(lambda: "Book club 读书会" in section_rows(bob, GroupKind.GROUPS))
    # The new group's chat opens for its maker.
    qtbot.waitUntil(lambda: alice.chats.room_chat(created) is not None)
    chat = alice.chats.room_chat(created)
    assert isinstance(chat, RoomChatWindow)
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 2)

    # Invite Carol (the chooser is answered as a user would).
    monkeypatch.setattr(ChooseBuddiesDialog, "exec", lambda self: (self.set_checked([CAROL]), 1)[1])
    chat.invite()
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 3)
    assert hub.members[created] == [ALICE, BOB, CAROL]

    # My card.
    chat.set_card("Chair")
    qtbot.waitUntil(lambda: chat.sender_name(ALICE) == "Chair")

    # Bob leaves the group: it goes from his tree; Alice's member list follows.
    bob_chat = bob.open_room(created)
    bob_chat.leave()
    qtbot.waitUntil(lambda: "Book club 读书会" not in section_rows(bob, GroupKind.GROUPS))
    assert bob.chats.room_chat(created) is None
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 2)


def test_leave_asks_first(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, _group, talk = world
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"))
    qtbot.waitUntil(lambda: alice.model.room_item(talk) is not None)
    chat = alice.open_room(talk)
    chat.confirm_leave()
    box = next(w for w in chat.findChildren(QMessageBox) if w.isVisible())
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert ALICE in hub.members[talk]
    assert chat.leave_action.text() == "&Leave the discussion…"
    assert not chat.card_action.isVisible()


def test_web_sign_in_notice_approves_and_dialog_refuses(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    fake_hub.rooms_available = True
    alice = make_window(qtbot, qt_run, FakeSession(fake_hub, ALICE, "Alice"))
    fake_hub.web_login_waiting("ABCD2345")
    qtbot.waitUntil(lambda: "ABCD2345" in alice._web_notices)
    notice = alice._web_notices["ABCD2345"]
    assert isinstance(notice, WebLoginNotice)
    assert "ABCD2345" in notice.text()
    assert fake_hub.decided == []  # nothing is approved without me
    notice.approve_button.click()
    qtbot.waitUntil(lambda: fake_hub.decided == [("ABCD2345", True, ALICE)])

    fake_hub.web_login_waiting("WXYZ6789")
    qtbot.waitUntil(lambda: "WXYZ6789" in alice._web_notices)
    alice._web_notices["WXYZ6789"].later_button.click()
    assert fake_hub.decided == [("ABCD2345", True, ALICE)]
    dialog = alice.show_web_login()
    assert isinstance(dialog, WebLoginDialog)
    qtbot.waitUntil(lambda: "1" in dialog.pending_label.text())
    assert not dialog.refuse_button.isEnabled()
    qtbot.keyClicks(dialog.code_edit, "wxyz6789")
    assert dialog.refuse_button.isEnabled()
    dialog.refuse_button.click()
    qtbot.waitUntil(lambda: fake_hub.decided[-1] == ("WXYZ6789", False, ALICE))
    qtbot.waitUntil(dialog.status.isVisible)
    assert "Refused" in dialog.status.text()
    # A wrong code is the server's to refuse; the dialog says so.
    qtbot.keyClicks(dialog.code_edit, "NOPE1234")
    dialog.approve_button.click()
    qtbot.waitUntil(
        lambda: "not a member" in dialog.status.text() or "refused" in dialog.status.text()
    )
    assert len(fake_hub.decided) == 2


def test_room_member_status_follows_buddy_status(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, group, _talk = world
    alice = make_window(qtbot, qt_run, FakeSession(hub, ALICE, "Alice"))
    qtbot.waitUntil(lambda: alice.model.room_item(group) is not None)
    chat = alice.open_room(group)
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 3)
    carol = FakeSession(hub, CAROL, "Carol")
    qt_run(carol.login())

    def carol_online() -> bool:
        member = chat.members_model.member(CAROL)
        return member is not None and member.status is Presence.ONLINE

    qtbot.waitUntil(carol_online)
    # Online first: Carol moved up beside Alice (Bob is not signed in here).
    assert chat.members_label.text() == "Members (2/3)"
    assert chat.members_model.index(2, 0).data() == "Bob"


def test_rooms_closed_by_a_web_sign_in_elsewhere_are_hidden_with_a_notice(
    qtbot: Any, qt_run: Any, world: tuple[FakeHub, Conversation, Conversation]
) -> None:
    hub, group, _talk = world
    session = FakeSession(hub, ALICE, "Alice")
    alice = make_window(qtbot, qt_run, session)
    qtbot.waitUntil(lambda: alice.model.room_item(group) is not None)
    hub.rooms_available = False
    session.queue.put_nowait(
        RoomsAvailability(account=ALICE, available=False, reason="signed in elsewhere")
    )
    qtbot.waitUntil(lambda: alice.model.rowCount() == 2)
    assert alice.notice_banner.isVisible()
    assert "web elsewhere" in alice.notice_banner.label.text()
    assert not alice.new_group_action.isVisible()


@pytest.mark.parametrize("locale", ["en_US", "zh_CN", "C"])
def test_room_members_in_name_order_ties_by_number_and_any_case(
    qapp: QApplication, locale: str
) -> None:
    previous = QLocale()
    QLocale.setDefault(QLocale(locale))
    try:
        model = RoomMembersModel()
        online = Presence.ONLINE
        model.set_members(
            [
                RoomMember(30003, "Sam", status=online),
                RoomMember(30001, "Bob", status=online),
                RoomMember(30005, "alice", status=online),
                RoomMember(30002, "Sam", status=online),
                RoomMember(30004, "zed"),
            ]
        )
        order = [model.index(r, 0).data(Roles.UIN) for r in range(model.rowCount())]
        # online first; then alice before Bob whatever the case; the two Sams by number
        assert order == [30005, 30001, 30002, 30003, 30004]
    finally:
        QLocale.setDefault(previous)
