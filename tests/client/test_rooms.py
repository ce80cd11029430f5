"""Groups, discussions and web sign-in approval through the library, against the real
server on loopback (its Smart QQ channel, signed in with the password extension)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from qqdesk.client import (
    AccountSession,
    ConnectionState,
    DeliveryState,
    Face,
    MessageReceived,
    NotAMember,
    RoomsAvailability,
    RoomsUnavailable,
    ServerUnavailable,
    Timing,
    WebLoginWaiting,
)
from qqdesk.client.links.smartqq import SmartQQLink
from qqdesk.core import Content, Conversation, ConversationKind
from qqdesk.server import QQServer, SqliteStore

from ..server.smartqq_web import Web
from .conftest import (
    ALICE,
    BOB,
    CAROL,
    before_first_call,
    next_event,
    next_state,
    populate,
    wait_for,
)
from .scripted import ScriptedServer

NewSession = Callable[..., AccountSession]


async def signed_in(new_session: NewSession, url: str, uin: int, password: str) -> AccountSession:
    session = new_session(url, uin, password)
    await session.login()
    assert session.rooms_available
    return session


async def test_group_chat_between_members_with_faces(
    real: QQServer, new_session: NewSession
) -> None:
    alice = await signed_in(new_session, real.url, ALICE, "alice-pw")
    bob = await signed_in(new_session, real.url, BOB, "bob-pw")
    bob_events = bob.events()
    alice_events = alice.events()
    assert (await next_event(bob_events, RoomsAvailability)).available

    group = await alice.create_group("Hiking 徒步", [BOB])
    assert group.kind is ConversationKind.GROUP
    rooms = await bob.rooms()
    assert [(r.conversation, r.name) for r in rooms] == [(group, "Hiking 徒步")]
    members = await alice.members(group)
    assert [m.uin for m in members] == [ALICE, BOB]
    assert {m.uin: m.nick for m in members} == {ALICE: "Alice", BOB: "Bob 小明"}

    sent = await alice.send_message(group, "hi all /微笑")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    got = await next_event(bob_events, MessageReceived)
    assert got.conversation == group
    assert got.sender == ALICE
    assert got.content == ("hi all ", Face(14))
    kept = bob.history(group)
    assert [(m.sender, m.text, m.outgoing) for m in kept] == [(ALICE, "hi all /微笑", False)]

    reply = await bob.send_message(group, ("ok ", Face(13)))
    assert await bob.wait_delivered(reply.local_id) is DeliveryState.SENT
    back = await next_event(alice_events, MessageReceived)
    assert (back.conversation, back.sender, back.content) == (group, BOB, ("ok ", Face(13)))
    # My own message is not delivered back to me as someone else's.
    assert [m.outgoing for m in reversed(alice.history(group))] == [True, False]


async def test_discussion_invite_card_and_leave_are_seen_by_others(
    real: QQServer, new_session: NewSession
) -> None:
    alice = await signed_in(new_session, real.url, ALICE, "alice-pw")
    bob = await signed_in(new_session, real.url, BOB, "bob-pw")
    carol = await signed_in(new_session, real.url, CAROL, "carol-pw")
    carol_events = carol.events()

    talk = await alice.create_discussion("Saturday", [BOB])
    assert talk.kind is ConversationKind.DISCUSSION
    assert [r.conversation for r in await bob.rooms()] == [talk]
    assert await carol.rooms() == []
    # Only a member may speak.
    with pytest.raises(NotAMember):
        await carol.members(talk)

    assert await alice.invite(talk, [CAROL]) == [CAROL]
    assert [r.conversation for r in await carol.rooms()] == [talk]
    said = await bob.send_message(talk, "welcome Carol")
    assert await bob.wait_delivered(said.local_id) is DeliveryState.SENT
    got = await next_event(carol_events, MessageReceived)
    assert (got.conversation, got.sender, got.text) == (talk, BOB, "welcome Carol")

    group = await alice.create_group("Book club", [BOB])
    await bob.set_card(group, "Reader Bob")
    cards = {m.uin: m.card for m in await alice.members(group)}
    assert cards == {ALICE: "", BOB: "Reader Bob"}
    assert [m.name for m in await alice.members(group)] == ["Alice", "Reader Bob"]

    await bob.leave(group)
    assert [m.uin for m in await alice.members(group)] == [ALICE]
    assert [r.conversation for r in await bob.rooms()] == [talk]
    with pytest.raises(RoomsUnavailable.__mro__[1]):  # any QQError: no longer a member
        await bob.members(group)


async def test_catching_up_after_being_away_neither_loses_nor_repeats(
    real: QQServer, new_session: NewSession, tmp_path: object
) -> None:
    alice = await signed_in(new_session, real.url, ALICE, "alice-pw")
    bob = await signed_in(new_session, real.url, BOB, "bob-pw")
    group = await alice.create_group("Team", [BOB])
    first = await alice.send_message(group, "one")
    assert await alice.wait_delivered(first.local_id) is DeliveryState.SENT
    await wait_for(lambda: bob.count(group) == 1)
    await bob.logout()

    for text in ("two", "three"):
        sent = await alice.send_message(group, text)
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    # Bob again, with his history: what came while he was away, once.
    await bob.login()
    await wait_for(lambda: bob.count(group) == 3)
    await bob.logout()
    await bob.login()
    late = await alice.send_message(group, "four")
    assert await alice.wait_delivered(late.local_id) is DeliveryState.SENT
    await wait_for(lambda: bob.count(group) == 4)
    assert [m.text for m in reversed(bob.history(group))] == ["one", "two", "three", "four"]


async def test_web_sign_in_is_approved_and_refused_by_its_owner(
    real: QQServer, new_session: NewSession
) -> None:
    alice = await signed_in(new_session, real.url, ALICE, "alice-pw")
    events = alice.events()
    browser = Web(real)
    await browser.qr_show()
    code = await browser.pending_code()
    waiting = await next_event(events, WebLoginWaiting, timeout=10)
    assert waiting.code == code
    assert [w.code for w in await alice.web_logins()] == [code]
    # Nothing is approved by itself: the QR still waits.
    assert "ptuiCB('0'" not in await browser.qr_login()
    await alice.approve_web_login(code.lower(), True)
    ptui = await browser.qr_login()
    assert ptui.startswith("ptuiCB('0'")
    await browser.finish(ptui)
    assert browser.uin == ALICE

    other = Web(real)
    await other.qr_show()
    refused = await other.pending_code()
    await alice.approve_web_login(refused, False)
    assert (await other.qr_login()).startswith("ptuiCB('68'")
    # A code that is not waiting is the server's to refuse.
    with pytest.raises(NotAMember):
        await alice.approve_web_login("ZZZZ9999", True)

    # The approved web client takes the account's web session: the app does not throw
    # it out again; its rooms close (saying why) until it signs in anew.
    await browser.login2()
    closed = await next_event(events, RoomsAvailability, timeout=10)
    assert not closed.available and "elsewhere" in closed.reason
    assert not alice.rooms_available
    with pytest.raises(RoomsUnavailable, match="elsewhere"):
        await alice.rooms()
    assert (await browser.poll())["retcode"] == 0  # still signed in
    await alice.logout()
    await alice.login()
    assert alice.rooms_available
    assert await alice.rooms() == []


async def test_a_classic_only_server_has_no_rooms(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    """A server without the channel answers /qqdesk/signin with a classic reply."""
    session = new_session(scripted.url)
    events = session.events()
    await session.login()
    assert not (await next_event(events, RoomsAvailability)).available
    assert not session.rooms_available
    for call in (
        session.rooms(),
        session.members(Conversation.group(100000)),
        session.create_group("x", [10002]),
        session.web_logins(),
        session.approve_web_login("ABCD2345", True),
    ):
        with pytest.raises(RoomsUnavailable):
            await call
    with pytest.raises(RoomsUnavailable):
        await session.send_message(Conversation.discussion(100001), "hello")


async def test_remarks_come_with_the_buddy_list(real: QQServer, new_session: NewSession) -> None:
    real.admin.mark_buddy(ALICE, BOB, "Bobby (work)")
    alice = await signed_in(new_session, real.url, ALICE, "alice-pw")
    buddies = {b.uin: b for b in await alice.buddies()}
    assert buddies[BOB].remark == "Bobby (work)"
    assert buddies[BOB].name == "Bobby (work)"
    assert buddies[CAROL].remark == "" and buddies[CAROL].name == "Carol, Esq."


async def test_rooms_announced_when_the_web_channel_opens_after_login(
    real: QQServer, new_session: NewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web sign-in failing at login (the network) is tried again with back-off; the
    rooms are announced when it opens."""
    real_login = SmartQQLink.login
    tries = 0

    async def flaky(self: SmartQQLink, generation: int | None = None) -> None:
        nonlocal tries
        tries += 1
        if tries == 1:
            raise ServerUnavailable("the web channel did not answer")
        await real_login(self, generation)

    monkeypatch.setattr(SmartQQLink, "login", flaky)
    alice = new_session(real.url, ALICE, "alice-pw")
    events = alice.events()
    await alice.login()
    assert not alice.rooms_available
    opened = await next_event(events, RoomsAvailability, timeout=5)
    assert opened.available and alice.rooms_available
    assert tries == 2


async def test_sign_ins_at_once_for_a_closed_channel_make_one_web_session(
    real: QQServer,
) -> None:
    """The session's loop and its login may both find the channel closed: the second
    waits for the first and keeps its session. (The server keeps one web session per
    account: a second sign-in threw out the first, and a send still carrying it heard
    "kicked", closing the rooms as if another client had taken them.)"""
    link = SmartQQLink(real.url, ALICE, "alice-pw", Timing())
    try:
        closed = link.generation
        await asyncio.gather(link.login(closed), link.login(closed))
        assert link.generation == closed + 1 and link.logged_in.is_set()
        await link.send(real.admin.create_group("Once 一次", ALICE), ("one session",))
    finally:
        await link.logout()


async def test_a_call_carrying_a_session_the_link_itself_replaced_is_replayed(
    real: QQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send was out with the old session when the link signed in again (its check
    after a sleep, say): the server answers it "kicked", which is the link's own doing,
    not another client's; the send goes again with the new session."""
    link = SmartQQLink(real.url, ALICE, "alice-pw", Timing())
    group = real.admin.create_group("Replay 重发", ALICE)
    try:
        await link.login()
        signed_in_meanwhile = before_first_call(
            monkeypatch,
            link,
            lambda path: path.endswith("send_qun_msg2"),
            lambda: link.relogin(link.generation),  # while this call "is out"
        )
        await link.send(group, ("sent once, with the new session",))
        assert signed_in_meanwhile.is_set() and link.generation == 2 and link.logged_in.is_set()
    finally:
        await link.logout()


async def test_a_room_message_refused_while_the_web_session_signs_in_again_goes_after(
    tmp_path: Path, new_session: NewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restarted server forgot the web session: the poll signs in again (103), and a
    room message sent meanwhile finds the channel closed. It stays pending, and goes
    when that sign-in opens the channel, not at some later login."""
    db = tmp_path / "s.sqlite3"
    server = QQServer(SqliteStore(db), long_poll=5)
    populate(server.admin)
    group = server.admin.create_group("Again 又", ALICE)
    await server.start("127.0.0.1", 0)
    port = server.port
    alice = await signed_in(new_session, server.url, ALICE, "alice-pw")
    events = alice.events()
    signing_in, go_on, tried = asyncio.Event(), asyncio.Event(), asyncio.Event()
    real_sign_in, real_send = alice.web._sign_in, alice.web.send

    async def held_sign_in() -> None:  # (every sign-in, first or again, goes through it)
        signing_in.set()
        await go_on.wait()
        await real_sign_in()

    async def noted_send(
        conversation: Conversation, content: Content, client_id: str | None = None
    ) -> None:
        try:
            await real_send(conversation, content, client_id)
        finally:
            tried.set()

    monkeypatch.setattr(alice.web, "_sign_in", held_sign_in)
    monkeypatch.setattr(alice.web, "send", noted_send)
    await server.stop()
    await next_state(events, ConnectionState.RECONNECTING)
    server = QQServer(SqliteStore(db), long_poll=5)
    await server.start("127.0.0.1", port)
    try:
        await asyncio.wait_for(signing_in.wait(), 10)
        await next_state(events, ConnectionState.CONNECTED, timeout=10)
        sent = await alice.send_message(group, "while signing in again")
        await asyncio.wait_for(tried.wait(), 5)
        go_on.set()
        delivered = asyncio.wait_for(alice.wait_delivered(sent.local_id), 5)
        assert await delivered is DeliveryState.SENT
    finally:
        await alice.logout()
        await server.stop()
