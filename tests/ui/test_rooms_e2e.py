"""Groups and discussions end to end: two app windows and one library session on the real
server (its Smart QQ channel), faces included; muting stops notifications."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from qqdesk.client.events import DeliveryState
from qqdesk.client.links.smartqq import SmartQQLink
from qqdesk.core import Conversation, Face
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import GroupKind, Roles
from qqdesk.ui.roomchat import NotifyRule, RoomChatWindow

from ..server.smartqq_web import Web
from .conftest import ALICE, make_session
from .test_e2e_gui import app_window
from .test_rooms_ui import Notices, section_rows

CAROL = (10003, "carol-pw", "Carol")


def bubbles(chat: RoomChatWindow) -> list[tuple[str, str, bool]]:
    m = chat.model
    return [
        (
            str(m.index(r, 0).data(Roles.SENDER_NAME)),
            str(m.index(r, 0).data()),
            bool(m.index(r, 0).data(Roles.OUTGOING)),
        )
        for r in range(m.rowCount())
        if not m.index(r, 0).data(Roles.IS_SYSTEM)
    ]


def test_three_accounts_chat_in_a_group_and_a_discussion(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any, bob_session: Any, tmp_path: Any
) -> None:
    server.create_account(*CAROL[:2], nick=CAROL[2])
    admin = server.server.admin
    group = server.call(admin.create_group, "Hiking 徒步", 10001)
    server.call(admin.add_members, group, [10002, 10003])
    server.call(admin.set_card, group, 10002, "Bob the guide")
    talk = server.call(admin.create_discussion, "Saturday", [10001, 10002])
    carol = make_session(server, CAROL, tmp_path)
    qt_run(carol.login())
    try:
        assert carol.rooms_available
        alice = app_window(qtbot, alice_session)
        bob = app_window(qtbot, bob_session)
        for window in (alice, bob):
            qtbot.waitUntil(
                lambda w=window: section_rows(w, GroupKind.GROUPS) == ["Hiking 徒步"],
                timeout=10_000,
            )
            assert section_rows(window, GroupKind.DISCUSSIONS) == ["Saturday"]
        alice_notices, bob_notices = Notices(alice), Notices(bob)
        bob.set_notify_rule(group, NotifyRule.MUTED)

        # Carol (a library session) writes with a face: both windows count it.
        qt_run(carol.send_message(group, ("morning ", Face(14))))
        qtbot.waitUntil(
            lambda: alice.model.room_index(group).data(Roles.UNREAD) == 1, timeout=10_000
        )
        qtbot.waitUntil(lambda: bob.model.room_index(group).data(Roles.UNREAD) == 1)
        # The notice names Carol (not a friend of Alice: the group's members say who).
        qtbot.waitUntil(
            lambda: [t for _u, t, _b in alice_notices.shown] == ["Carol in Hiking 徒步"]
        )
        assert bob_notices.shown == []  # muted

        # Alice opens the group: Carol's line, named, with the face.
        alice_chat = alice.open_room(group)
        qtbot.waitUntil(lambda: alice_chat.members_model.rowCount() == 3, timeout=10_000)
        qtbot.waitUntil(lambda: len(bubbles(alice_chat)) == 1)
        assert bubbles(alice_chat) == [("Carol", "morning /微笑", False)]
        assert alice_chat.model.index(0, 0).data(Roles.CONTENT) == ("morning ", Face(14))

        # Bob answers from his window; Alice sees his card over his nickname.
        bob_chat = bob.open_room(group)
        qtbot.waitUntil(lambda: bob_chat.members_model.rowCount() == 3, timeout=10_000)
        bob_chat.input.insertPlainText("on my way /强")
        qtbot.keyClick(bob_chat.input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(bubbles(alice_chat)) == 2, timeout=10_000)
        assert bubbles(alice_chat)[1] == ("Bob the guide", "on my way /强", False)
        qtbot.waitUntil(
            lambda: bob_chat.model.index(1, 0).data(Roles.DELIVERY) is DeliveryState.SENT
        )
        assert bubbles(bob_chat) == [
            ("Carol", "morning /微笑", False),
            ("", "on my way /强", True),
        ]
        # Nothing shown twice.
        qtbot.wait(300)
        assert len(bubbles(alice_chat)) == 2 and len(bubbles(bob_chat)) == 2

        # The discussion, both ways between the windows.
        alice_talk = alice.open_room(talk)
        alice_talk.send_text("9 o'clock?")
        qtbot.waitUntil(lambda: bob.model.room_index(talk).data(Roles.UNREAD) == 1, timeout=10_000)
        assert [body for _u, _t, body in bob_notices.shown] == ["9 o'clock?"]
        history = bob_session.history(talk)
        assert [(m.sender, m.text) for m in history] == [(10001, "9 o'clock?")]
    finally:
        qt_run(carol.close(), timeout_ms=5000)


def test_create_invite_card_leave_through_the_app(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any, bob_session: Any
) -> None:
    alice = app_window(qtbot, alice_session)
    bob = app_window(qtbot, bob_session)
    qtbot.waitUntil(lambda: 10002 in alice.model, timeout=10_000)
    alice.create_room(True, "Book club 读书会", [10002])
    qtbot.waitUntil(
        lambda: section_rows(alice, GroupKind.GROUPS) == ["Book club 读书会"], timeout=10_000
    )
    created: Conversation = alice.model.rooms()[0].conversation
    qtbot.waitUntil(lambda: isinstance(alice.chats.room_chat(created), RoomChatWindow))
    chat = alice.chats.room_chat(created)
    assert isinstance(chat, RoomChatWindow)
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 2, timeout=10_000)
    # Bob learns of it with its first message.
    chat.send_text("welcome")
    qtbot.waitUntil(
        lambda: section_rows(bob, GroupKind.GROUPS) == ["Book club 读书会"], timeout=10_000
    )
    chat.set_card("Chair")
    qtbot.waitUntil(lambda: chat.sender_name(10001) == "Chair", timeout=10_000)
    bob_chat = bob.open_room(created)
    qtbot.waitUntil(lambda: bob_chat.members_model.rowCount() == 2, timeout=10_000)
    assert bob_chat.sender_name(10001) == "Chair"
    bob_chat.leave()
    qtbot.waitUntil(lambda: section_rows(bob, GroupKind.GROUPS) == [], timeout=10_000)
    chat.reload_members()
    qtbot.waitUntil(lambda: chat.members_model.rowCount() == 1, timeout=10_000)


def test_classic_only_server_app_shows_no_room_sections(
    qtbot: Any, qt_run: Any, server: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """The app as today against a server without the channel: its sign-in there is
    answered as a classic server answers any POST (no JSON), so no group section."""

    async def classic_answer(self: Any, path: str, form: Any, **kwargs: Any) -> bytes:
        return b"VER=1.1&CMD=&SEQ=&UIN=&RES=20"

    monkeypatch.setattr(SmartQQLink, "_post", classic_answer)
    session = make_session(server, ALICE, tmp_path)
    qt_run(session.login())
    try:
        assert not session.rooms_available
        window = MainWindow(session, use_tray=False, use_dbus=False)
        qtbot.addWidget(window)
        window.show()
        window.start()
        qtbot.waitUntil(lambda: 10002 in window.model, timeout=10_000)
        qtbot.wait(100)
        assert window.model.rowCount() == 2
        assert not window.new_group_action.isVisible()
    finally:
        qt_run(session.close(), timeout_ms=5000)


def test_web_sign_in_approved_and_refused_from_the_app(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any
) -> None:
    alice = app_window(qtbot, alice_session)
    qtbot.waitUntil(lambda: alice.model.rooms_shown, timeout=10_000)
    browser = Web(url=server.url)
    qt_run(browser.qr_show())
    # The app asks at once; nothing is approved without me.
    qtbot.waitUntil(lambda: len(alice._web_notices) == 1, timeout=10_000)
    code, notice = next(iter(alice._web_notices.items()))
    assert code in notice.text()
    assert "ptuiCB('0'" not in qt_run(browser.qr_login())
    with qtbot.waitSignal(notice.decided, timeout=10_000) as decided:
        notice.approve_button.click()
    assert decided.args == [code, True]
    assert qt_run(browser.qr_login()).startswith("ptuiCB('0'")

    other = Web(url=server.url)
    qt_run(other.qr_show())
    qtbot.waitUntil(lambda: any(c != code for c in alice._web_notices), timeout=10_000)
    refused = next(c for c in alice._web_notices if c != code)
    alice._web_notices[refused].later_button.click()
    # Later: the dialog where the code shown beside the QR is typed refuses it.
    dialog = alice.show_web_login()
    qtbot.keyClicks(dialog.code_edit, refused)
    dialog.refuse_button.click()
    qtbot.waitUntil(lambda: "Refused" in dialog.status.text(), timeout=10_000)
    assert qt_run(other.qr_login()).startswith("ptuiCB('68'")
