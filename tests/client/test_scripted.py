"""AccountSession against a scripted legacy server that replays the seeds' literal replies."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from typing import Any

import pytest

from qqdesk.client import (
    AccountSession,
    AddRequestReceived,
    AuthMode,
    Buddy,
    BuddyStatusChanged,
    ConnectionState,
    ConnectionStateChanged,
    Conversation,
    DeliveryState,
    Face,
    LoginFailed,
    MessageReceived,
    MessageStateChanged,
    NoSuchUser,
    Presence,
    RequestApproved,
    RequestRefusedEvent,
    RoomsUnavailable,
    ServerUnavailable,
    SessionClosed,
    Sex,
    WrongPassword,
)
from qqdesk.protocol.classic import MAX_MESSAGE_CHARS

from .conftest import FAST, next_event, next_state, wait_for
from .scripted import SEED_PROFILE, SEED_PROFILE_3, Answer, ScriptedServer, md5

NewSession = Callable[..., AccountSession]
pytestmark = pytest.mark.timeout(15)


async def test_login_posts_md5_as_text_plain_and_reads_extensions(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    def login_with_cookie(f: dict[str, str]) -> Answer:
        scripted.sessions.add(10001)
        body = f"VER=1.1&CMD=Login&SEQ={f['SEQ']}&UIN=10001&RES=0&RS=0&HI=60&LI=300&NK=Me&FC=270"
        return Answer(body.encode())

    scripted.script["LOGIN"] = [login_with_cookie]
    session = new_session(scripted.url)
    await session.login()
    assert scripted.log[0]["PS"] == md5("pw")
    assert scripted.log[0]["LC"] == "9326B87B234E7235"
    assert scripted.headers[0]["content-type"] == "text/plain; charset=UTF-8"
    assert session.nick == "Me" and session.face == 270
    assert session.state is ConnectionState.CONNECTED


async def test_cookie_from_login_is_sent_back(new_session: NewSession) -> None:
    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split("content-length:")[1].split("\r\n")[0])
            body = (await reader.readexactly(length)).decode()
            seen.append(head)
            fields = dict(p.split("=", 1) for p in body.split("&"))
            cmd = fields["CMD"]
            if cmd == "Login":
                out = f"VER=1.1&CMD=Login&SEQ={fields['SEQ']}&UIN=10001&RES=0&RS=0&HI=60&LI=300"
                extra = "Set-Cookie: qqsid=s3cret; Path=/\r\n"
            else:
                out = f"VER=1.1&CMD=Change_Stat&SEQ={fields['SEQ']}&UIN=10001&RES=0&"
                extra = ""
            data = out.encode()
            writer.write(
                f"HTTP/1.1 200 OK\r\n{extra}Content-Length: {len(data)}\r\n\r\n".encode() + data
            )
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        session = new_session(f"http://127.0.0.1:{port}")
        await session.login()
        await session.set_status(Presence.BUSY)
        assert "qqsid=s3cret" not in seen[0]
        assert "qqsid=s3cret" in seen[-1]
        await session.logout()
    finally:
        server.close()


async def test_wrong_password_stops_with_a_clear_error(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url, password="nope")
    events = session.events()
    with pytest.raises(WrongPassword) as caught:
        await session.login()
    assert caught.value.reason == "登录失败"
    assert "wrong password" in str(caught.value)
    assert session.state is ConnectionState.STOPPED
    states = [e.state async for e in events if isinstance(e, ConnectionStateChanged)]
    assert states == [ConnectionState.CONNECTING, ConnectionState.STOPPED]


async def test_unknown_number_and_null_login(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    with pytest.raises(NoSuchUser):
        await new_session(scripted.url, uin=12345).login()
    scripted.script["LOGIN"] = [Answer(b"")]
    with pytest.raises(LoginFailed):
        await new_session(scripted.url).login()


async def test_no_server_is_server_unavailable(new_session: NewSession) -> None:
    server = await ScriptedServer().start()
    url = server.url
    await server.stop()
    session = new_session(url)
    with pytest.raises(ServerUnavailable):
        await session.login()
    assert isinstance(ServerUnavailable("x"), ConnectionError)
    assert session.state is ConnectionState.DISCONNECTED


async def test_buddies_page_until_last_and_fill_nicknames(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.buddies = [561256, 1943497, 24259132, 106814, 55555]
    scripted.list_page = 2  # three List pages: FN=0, FN=0, FN=1
    scripted.online = {561256: (141, 10, "在线的人"), 1943497: (270, 30, "Busy, Bee")}
    scripted.profiles = {24259132: SEED_PROFILE, 106814: SEED_PROFILE_3}
    session = new_session(scripted.url)
    await session.login()
    buddies = await session.buddies()
    assert buddies == [
        Buddy(561256, "在线的人", 141, Presence.ONLINE),
        Buddy(1943497, "Busy, Bee", 270, Presence.BUSY),
        Buddy(24259132, "微程", 270, Presence.OFFLINE),
        Buddy(106814, "Hackfan 好", 0, Presence.OFFLINE),
        Buddy(55555, "", 0, Presence.OFFLINE),
    ]
    assert scripted.count("LIST") == 3
    lists = [f for f in scripted.log if f["CMD"] == "List"]
    assert [f["UN"] for f in lists] == ["0", "2", "4"]
    # The cache shows the list at once next time, and known nicknames are not fetched again.
    assert session.cached_buddies() == buddies
    infos = scripted.count("GETINFO")
    await session.buddies()
    assert scripted.count("GETINFO") == infos + 1  # only 55555, whose nickname is unknown


async def test_double_encoded_profile_reads_with_commas(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.profiles = {24259132: SEED_PROFILE, 106814: SEED_PROFILE_3}
    session = new_session(scripted.url)
    await session.login()
    profile = await session.profile(24259132, level=2)
    assert profile.intro == "网络为媒,关系为本,信息为财,客户为主.\r\n"
    assert profile.nick == "微程" and profile.face == 270 and profile.province == "云南省"
    full = await session.profile(106814)
    assert full.city == "苏州" and full.zodiac == 3 and full.nick == "Hackfan 好"
    with pytest.raises(NoSuchUser) as caught:
        await session.profile(99999)
    assert caught.value.uin == 99999


async def test_both_cmd_spellings_are_read(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    scripted.script["LIST"] = [
        lambda f: Answer(
            f"VER=1.1&CMD=List&SEQ={f['SEQ']}&UIN=10001&RES=0&FN=1&SN=2&UN=7,8,".encode()
        )
    ]
    scripted.script["GETINFO"] = [
        lambda f: Answer(
            f"VER=1.1&CMD=GetInfo&SEQ={f['SEQ']}&UIN=10001&RES=0&LV=1&UN=7&NK=Seven".encode()
        ),
        lambda f: Answer(
            f"VER=1.1&CMD=GETINFO&SEQ={f['SEQ']}&UIN=10001&RES=0&LV=1&UN=8&NK=Eight".encode()
        ),
    ]
    numbers = await session.link.buddy_numbers()
    assert numbers == [7, 8]
    assert (await session.profile(7, level=1)).nick == "Seven"
    assert (await session.profile(8, level=1)).nick == "Eight"


async def test_survives_the_query_stat_second_response(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.query_stat_bug = True
    scripted.online = {561256: (141, 10, "A")}
    scripted.profiles = {24259132: SEED_PROFILE}
    session = new_session(scripted.url)
    await session.login()
    for _ in range(3):
        online = await session.online_buddies()
        assert online == [Buddy(561256, "A", 141, Presence.ONLINE)]
        # The stray second response must never be read as the answer to the next request.
        profile = await session.profile(24259132, level=2)
        assert profile.nick == "微程"
        assert await session.online_buddies() == online


async def test_survives_a_server_that_closes_every_connection(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.close_always = True
    scripted.profiles = {24259132: SEED_PROFILE}
    session = new_session(scripted.url)
    await session.login()
    for _ in range(5):
        assert (await session.profile(24259132, level=2)).nick == "微程"


async def test_survives_connections_dropped_without_an_answer(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.profiles = {24259132: SEED_PROFILE}
    session = new_session(scripted.url)
    await session.login()
    scripted.script["GETINFO"] = [Answer(drop=True)]
    # A keep-alive connection closed under us is retried once on a fresh one.
    assert (await session.profile(24259132, level=2)).nick == "微程"
    scripted.script["GETINFO"] = [Answer(drop=True), Answer(drop=True)]
    with pytest.raises(ServerUnavailable):
        await session.profile(24259132, level=2)


async def test_add_request_approve_refuse_remove_status_search(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.profiles = {24259132: SEED_PROFILE, 106814: SEED_PROFILE_3, 31337: SEED_PROFILE}
    session = new_session(scripted.url)
    await session.login()
    assert await session.add_buddy(24259132) is AuthMode.ANYONE
    assert 24259132 in [b.uin for b in session.cached_buddies()]
    assert await session.add_buddy(106814) is AuthMode.VERIFY
    assert await session.add_buddy(31337) is AuthMode.NOBODY  # the legacy 2
    with pytest.raises(NoSuchUser):
        await session.add_buddy(4242)
    await session.request_buddy(106814, "我是, 你的朋友 & more")
    await session.approve(5000)
    await session.refuse(5001, "no=thanks")
    await session.remove_buddy(24259132)
    assert 24259132 not in [b.uin for b in session.cached_buddies()]
    await session.set_status(Presence.HIDDEN)
    assert session.status is Presence.HIDDEN
    assert session.store.last_status() is Presence.HIDDEN
    found = await session.search(age=30, sex=Sex.MALE, province="云南省")
    assert found.last and [(r.uin, r.nick, r.province) for r in found.results] == [
        (24259132, "微程", "云南省")
    ]
    sent = {f["CMD"]: f for f in scripted.log}
    assert sent["Ack_AddToList"]["RS"] == "no=thanks" and sent["Ack_AddToList"]["CD"] == "1"
    assert [f["CD"] for f in scripted.log if f["CMD"] == "Ack_AddToList"] == ["2", "0", "1"]
    acks = [f for f in scripted.log if f["CMD"] == "Ack_AddToList"]
    assert acks[0]["RS"] == "我是, 你的朋友 & more"
    assert sent["Finger"]["AG"] == "30" and sent["Finger"]["SX"] == "0"
    assert sent["Finger"]["PV"] == "云南省"


async def test_short_polling_receives_every_kind_of_message(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    scripted.push(10001, 9, 24259132, "hello, world & more")
    scripted.push(10001, 99, 24259132, "30")
    scripted.push(10001, 2, 106814, "请加我")
    scripted.push(10001, 3, 31337, "")
    scripted.push(10001, 4, 4444, "不行")
    got = await next_event(events, MessageReceived)
    assert (got.sender, got.text) == (24259132, "hello, world & more")
    assert session.history(24259132)[0].local_id == got.local_id  # stored before the event
    assert await next_event(events, BuddyStatusChanged) == BuddyStatusChanged(
        account=10001, uin=24259132, status=Presence.BUSY
    )
    assert await next_event(events, AddRequestReceived) == AddRequestReceived(
        account=10001, uin=106814, reason="请加我"
    )
    assert await next_event(events, RequestApproved) == RequestApproved(account=10001, uin=31337)
    assert await next_event(events, RequestRefusedEvent) == RequestRefusedEvent(
        account=10001, uin=4444, reason="不行"
    )
    assert [r.uin for r in session.add_requests()] == [106814]
    assert all("WT" not in f for f in scripted.log if f["CMD"] == "GetMsgEx")


async def test_the_classic_link_speaks_content_and_conversations_at_its_edge(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    """Faces travel as ``/微笑`` on the classic wire and are face parts everywhere else."""
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    scripted.push(10001, 9, 24259132, "hi /微笑/unknown")
    got = await next_event(events, MessageReceived)
    assert got.account == 10001
    assert got.conversation == Conversation.buddy(24259132)
    assert got.content == ("hi ", Face(14), "/unknown")
    assert got.text == "hi /微笑/unknown"
    assert session.history(Conversation.buddy(24259132))[0].content == got.content
    sent = await session.send_message(Conversation.buddy(24259132), ("ok ", Face(14)))
    assert await session.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert scripted.sent == [(10001, 24259132, "ok /微笑")]
    # A classic-only server has no groups: such a message is refused at once, clearly,
    # and nothing is kept or sent.
    assert not session.rooms_available
    with pytest.raises(RoomsUnavailable):
        await session.send_message(Conversation.group(4242), "hello group")
    assert scripted.count("CLTMSG") == 1
    assert session.history(Conversation.group(4242)) == []


async def test_redelivered_messages_are_shown_once_and_acknowledged(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    first = scripted.push(10001, 9, 24259132, "once")
    # The server forgets the ack once and delivers the same message again.
    original = scripted._getmsgex

    async def forgetful(f: dict[str, str], uin: int) -> Answer:
        return await original({**f, "AK": "0"} if len(scripted.log) < 6 else f, uin)

    scripted._getmsgex = forgetful  # type: ignore[method-assign]
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    await next_event(events, MessageReceived)
    await wait_for(lambda: scripted.count("GETMSGEX") >= 6)
    assert session.count(24259132) == 1
    acks = [f.get("AK") for f in scripted.log if f["CMD"] == "GetMsgEx"]
    assert acks[0] == "0" and str(first.id) in acks
    await wait_for(lambda: not scripted.queue[10001])
    # Across runs too: a new session on the same store does not show it again.
    scripted.queue[10001].append(first)
    store_path = session.store.path
    await session.logout()
    again = new_session(scripted.url, store=store_path)
    await again.login()
    await wait_for(lambda: not scripted.queue[10001])
    assert again.count(24259132) == 1


@pytest.mark.parametrize("stamp", [2**64, 2**63, -5, 10**15])
async def test_an_absurd_server_time_keeps_the_message_with_the_receive_time(
    scripted: ScriptedServer, new_session: NewSession, stamp: int
) -> None:
    queued = scripted.push(10001, 9, 24259132, "when?")
    queued.time = stamp
    session = new_session(scripted.url)
    events = session.events()
    before = time.time()
    await session.login()
    received = await next_event(events, MessageReceived)
    assert received.text == "when?"
    assert before - 1 <= received.time <= time.time() + 1
    # Kept, so acknowledged; and kept only once when the server delivers it again.
    await wait_for(lambda: not scripted.queue[10001])
    [kept] = session.history(24259132)
    assert kept.text == "when?" and before - 1 <= kept.time <= time.time() + 1
    scripted.queue[10001].append(queued)
    scripted.push(10001, 9, 24259132, "after")
    assert (await next_event(events, MessageReceived)).text == "after"
    await wait_for(lambda: not scripted.queue[10001])
    assert session.count(24259132) == 2


async def test_a_message_id_no_history_can_hold_is_refused_not_lost(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.push(10001, 9, 24259132, "id?").id = 2**64
    session = new_session(scripted.url)
    events = session.events()
    await session.login()
    trouble = await next_state(events, ConnectionState.RECONNECTING)
    assert str(2**64) in trouble.detail
    # Never kept, so never acknowledged: the server still holds it.
    assert session.count() == 0 and len(scripted.queue[10001]) == 1


async def test_long_poll_when_offered(scripted: ScriptedServer, new_session: NewSession) -> None:
    scripted.long_poll = 2
    session = new_session(scripted.url)
    await session.login()
    assert session.long_poll == 2
    events = session.events()
    await wait_for(lambda: scripted.holding > 0)  # a long poll is held now
    started = time.monotonic()
    scripted.push(10001, 9, 24259132, "pushed")
    got = await next_event(events, MessageReceived)
    assert got.text == "pushed" and time.monotonic() - started < 1.0
    polls = [f for f in scripted.log if f["CMD"] == "GetMsgEx"]
    assert all(f["WT"] == "2" and "AK" in f for f in polls)
    # Held requests: far fewer polls than short polling would make.
    assert len(polls) <= 3


async def test_null_to_extensions_falls_back_to_legacy_polling(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.null_extensions = True
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    scripted.push(10001, 9, 24259132, "legacy")
    got = await next_event(events, MessageReceived)
    assert got.text == "legacy"
    assert session.state is ConnectionState.CONNECTED
    assert "AK" not in scripted.log[-1]


async def test_short_polling_backs_off_but_not_beyond_hi(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    session.link.keepalive = 60
    assert session._next_interval(False) == pytest.approx(FAST.fast_poll * 1.5)
    for _ in range(100):
        interval = session._next_interval(False)
    assert interval == 60
    assert session._next_interval(True) == FAST.fast_poll
    session.set_active(True)
    assert session._next_interval(False) == FAST.fast_poll


async def test_too_frequent_waits_out_the_penalty_and_retries(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    scripted.script["CLTMSG"] = [
        lambda f: Answer(f"VER=1.1&CMD=CLTMSG&SEQ={f['SEQ']}&UIN=10001&RES=3".encode())
    ]
    started = time.monotonic()
    sent = await session.send_message(24259132, "slowly")
    assert await session.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert time.monotonic() - started >= FAST.penalty
    assert scripted.sent == [(10001, 24259132, "slowly")]


async def test_not_logged_in_logs_in_again_once_and_replays(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.profiles = {24259132: SEED_PROFILE}
    session = new_session(scripted.url)
    await session.login()
    await session.set_status(Presence.BUSY)
    scripted.sessions.clear()  # the server forgot us (restart, expiry)
    assert (await session.profile(24259132, level=2)).nick == "微程"
    assert scripted.count("LOGIN") == 2
    # The status chosen before is restored after logging in again.
    stats = [f["ST"] for f in scripted.log if f["CMD"] == "Change_Stat"]
    assert stats == ["30", "30"]


async def test_logged_in_elsewhere_stops_instead_of_fighting(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    events = session.events()
    await session.login()

    def kicked(f: dict[str, str]) -> Answer:
        return Answer(f"VER=1.1&CMD=GETMSGEX&SEQ={f['SEQ']}&UIN=10001&RES=20".encode())

    scripted.script["GETMSGEX"] = [kicked] * 20
    states = []
    async for event in events:
        if isinstance(event, ConnectionStateChanged):
            states.append(event.state)
    assert states[-1] is ConnectionState.STOPPED
    assert scripted.count("LOGIN") <= 1 + FAST.relogin_limit


async def test_network_loss_reconnects(scripted: ScriptedServer, new_session: NewSession) -> None:
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    await scripted.stop()
    await next_state(events, ConnectionState.RECONNECTING)
    scripted.sessions.clear()
    await scripted.start()  # same port
    await next_state(events, ConnectionState.CONNECTED)
    await wait_for(lambda: scripted.count("LOGIN") == 2)
    scripted.push(10001, 9, 1234567, "after the outage")
    assert (await next_event(events, MessageReceived)).text == "after the outage"


async def test_wrong_password_on_relogin_stops(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    scripted.passwords[10001] = "changed"
    scripted.sessions.clear()
    stopped = await next_state(events, ConnectionState.STOPPED)
    assert "password" in stopped.detail
    assert session.state is ConnectionState.STOPPED


async def test_clock_jump_logs_in_again_at_once(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.long_poll = 30  # a held request that would otherwise hang on
    jump = [0.0]
    timing = dataclasses.replace(FAST, wall=lambda: time.time() + jump[0])
    session = new_session(scripted.url, timing=timing)
    await session.login()
    await wait_for(lambda: scripted.count("GETMSGEX") >= 1)
    jump[0] = 3600.0  # the machine slept for an hour
    started = time.monotonic()
    await wait_for(lambda: scripted.count("LOGIN") == 2, timeout=2.0)
    assert time.monotonic() - started < 1.0
    await wait_for(lambda: scripted.count("GETMSGEX") >= 2)


async def test_outbox_stores_pending_first_and_fails_after_bounded_retries(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    scripted.script["CLTMSG"] = [Answer(drop=True)] * (2 * FAST.send_attempts)
    sent = await session.send_message(24259132, "will fail")
    assert session.history(24259132)[0].state is DeliveryState.PENDING
    assert await next_event(events, MessageStateChanged) == MessageStateChanged(
        account=10001,
        local_id=sent.local_id,
        conversation=Conversation.buddy(24259132),
        state=DeliveryState.PENDING,
    )
    assert (await next_event(events, MessageStateChanged)).state is DeliveryState.FAILED
    assert session.history(24259132)[0].state is DeliveryState.FAILED
    assert scripted.sent == []
    assert await session.resend(sent.local_id) == sent.local_id
    assert (await next_event(events, MessageStateChanged)).state is DeliveryState.PENDING
    assert (await next_event(events, MessageStateChanged)).state is DeliveryState.SENT
    assert scripted.sent == [(10001, 24259132, "will fail")]


async def test_no_such_user_fails_at_once(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    sent = await session.send_message(100, "nobody")
    assert await session.wait_delivered(sent.local_id) is DeliveryState.FAILED
    assert scripted.count("CLTMSG") == 1


async def test_long_text_is_split_in_order_and_parts_fail_together(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    text = "字" * (MAX_MESSAGE_CHARS * 2 + 5)
    sent = await session.send_message(24259132, text)
    assert len(sent.local_ids) == 3
    assert await session.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert "".join(m for _, _, m in scripted.sent) == text
    assert all(len(m) <= MAX_MESSAGE_CHARS for _, _, m in scripted.sent)
    scripted.sent.clear()
    scripted.script["CLTMSG"] = [
        lambda f: Answer(f"VER=1.1&CMD=CLTMSG&SEQ={f['SEQ']}&UIN=10001&RES=5".encode())
    ]
    sent = await session.send_message(24259132, text)
    assert await session.wait_delivered(sent.local_id) is DeliveryState.FAILED
    assert scripted.sent == []  # the later parts were not sent without the first
    await session.resend(sent.local_id)
    assert await session.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert "".join(m for _, _, m in scripted.sent) == text


async def test_pending_messages_of_a_killed_run_go_out_after_login(
    scripted: ScriptedServer, new_session: NewSession, tmp_path: Any
) -> None:
    from qqdesk.client import HistoryStore

    store = HistoryStore(tmp_path / "left.sqlite3")
    left = store.add_outgoing(Conversation.buddy(24259132), [("left behind",)])
    store.close()
    session = new_session(scripted.url, store=tmp_path / "left.sqlite3")
    sent_before_login = await session.send_message(24259132, "queued before login")
    await session.login()
    assert await session.wait_delivered(left[0]) is DeliveryState.SENT
    assert await session.wait_delivered(sent_before_login.local_id) is DeliveryState.SENT
    assert [m for _, _, m in scripted.sent] == ["left behind", "queued before login"]


async def test_events_before_anyone_listens_are_kept(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.push(10001, 9, 24259132, "offline message")
    async with new_session(scripted.url) as session:
        await wait_for(lambda: session.count(24259132) == 1)
        events = session.events()
        first = await next_event(events, ConnectionStateChanged)
        assert first.state is ConnectionState.CONNECTING
        assert (await next_event(events, MessageReceived)).text == "offline message"
    assert session.state is ConnectionState.STOPPED
    assert scripted.commands()[-1] == "LOGOUT"
    assert not session.link.transport_open and not session._tasks


async def test_calls_need_a_login_and_never_log_in_by_themselves(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.profiles = {24259132: SEED_PROFILE}
    session = new_session(scripted.url)
    with pytest.raises(SessionClosed):
        await session.profile(24259132)
    await session.login()
    assert (await session.profile(24259132, level=2)).nick == "微程"
    await session.logout()
    with pytest.raises(SessionClosed):
        await session.set_status(Presence.BUSY)
    assert scripted.count("LOGIN") == 1
