"""AccountSession against the real qqdesk server on loopback: every method and failure case."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qqdesk.client import (
    AccountSession,
    AddRequestReceived,
    AuthMode,
    Buddy,
    BuddyStatusChanged,
    ConnectionState,
    DeliveryState,
    MessageReceived,
    NoSuchUser,
    Presence,
    RequestApproved,
    RequestRefusedEvent,
    Sex,
    WrongPassword,
)
from qqdesk.protocol.classic import MAX_MESSAGE_CHARS, Result
from qqdesk.server import QQServer, SqliteStore
from qqdesk.server.service.limits import Action

from .conftest import (
    ALICE,
    BOB,
    CAROL,
    FAST,
    NOLAN,
    VERA,
    Clock,
    next_event,
    next_state,
    populate,
    wait_for,
)

pytestmark = pytest.mark.timeout(30)

NewSession = Callable[..., AccountSession]


async def test_login_logout_and_errors(real: QQServer, new_session: NewSession) -> None:
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    assert alice.state is ConnectionState.CONNECTED
    assert (alice.nick, alice.face, alice.long_poll) == ("Alice", 3, 5)
    await alice.logout()
    # mypy narrowed ``state`` above; logout() changed it.
    assert alice.state is ConnectionState.STOPPED  # type: ignore[comparison-overlap]
    with pytest.raises(WrongPassword):
        await new_session(real.url, ALICE, "wrong").login()
    with pytest.raises(NoSuchUser):
        await new_session(real.url, 55555, "x").login()


async def test_strict_sessions_need_the_cookie(tmp_path: Path, new_session: NewSession) -> None:
    server = QQServer(SqliteStore(tmp_path / "s.sqlite3"), strict_sessions=True, long_poll=5)
    populate(server.admin)
    await server.start("127.0.0.1", 0)
    try:
        alice = new_session(server.url, ALICE, "alice-pw")
        await alice.login()
        await alice.set_status(Presence.BUSY)
        assert [b.uin for b in await alice.buddies()] == [BOB, CAROL]
    finally:
        await alice.logout()
        await server.stop()


async def test_buddies_profiles_and_search(real: QQServer, new_session: NewSession) -> None:
    bob = new_session(real.url, BOB, "bob-pw")
    await bob.login()
    await bob.set_status(Presence.BUSY)
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    buddies = await alice.buddies()
    assert [(b.uin, b.nick, b.status) for b in buddies] == [
        (BOB, "Bob 小明", Presence.BUSY),
        (CAROL, "Carol, Esq.", Presence.OFFLINE),
    ]
    assert buddies[0].face == 270
    assert [b.uin for b in await alice.online_buddies()] == [BOB]
    assert alice.cached_buddies() == buddies
    carol = await alice.profile(CAROL)
    assert carol.intro == "网络为媒,关系为本" and carol.nick == "Carol, Esq."
    assert (await alice.profile(BOB, level=1)).nick == "Bob 小明"
    with pytest.raises(NoSuchUser):
        await alice.profile(77777)
    found = await alice.search(age=30, sex=Sex.MALE, province="云南省")
    assert [r.uin for r in found.results] == [BOB] and found.last
    everyone = await alice.search()
    assert {r.uin for r in everyone.results} >= {BOB, CAROL, VERA, NOLAN}


async def test_messages_both_ways_and_status_changes(
    real: QQServer, new_session: NewSession
) -> None:
    alice = new_session(real.url, ALICE, "alice-pw")
    bob = new_session(real.url, BOB, "bob-pw")
    await alice.login()
    await bob.login()
    alice_events, bob_events = alice.events(), bob.events()
    sent = await alice.send_message(BOB, "你好, Bob & co = friends")
    got = await next_event(bob_events, MessageReceived)
    assert (got.sender, got.text) == (ALICE, "你好, Bob & co = friends")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert bob.history(ALICE)[0].text == got.text
    assert alice.history(BOB)[0].state is DeliveryState.SENT and alice.history(BOB)[0].outgoing
    await bob.send_message(ALICE, "hi back")
    assert (await next_event(alice_events, MessageReceived)).text == "hi back"
    await bob.set_status(Presence.BUSY)
    assert await next_event(alice_events, BuddyStatusChanged) == BuddyStatusChanged(
        account=ALICE, uin=BOB, status=Presence.BUSY
    )
    await bob.set_status(Presence.HIDDEN)
    assert await next_event(alice_events, BuddyStatusChanged) == BuddyStatusChanged(
        account=ALICE, uin=BOB, status=Presence.OFFLINE
    )
    long_text = "长" * (MAX_MESSAGE_CHARS + 10)
    parts = await alice.send_message(BOB, long_text)
    assert len(parts.local_ids) == 2
    first = await next_event(bob_events, MessageReceived)
    second = await next_event(bob_events, MessageReceived)
    assert first.text + second.text == long_text
    assert alice.search_history("Bob & co")[0].peer == BOB


async def test_offline_message_waits_for_login(real: QQServer, new_session: NewSession) -> None:
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    sent = await alice.send_message(CAROL, "while you were out")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    async with new_session(real.url, CAROL, "carol-pw") as carol:
        got = await next_event(carol.events(), MessageReceived)
        assert got.text == "while you were out"
    # Sending to a number that is no account fails at once.
    bad = await alice.send_message(99999, "nobody")
    assert await alice.wait_delivered(bad.local_id) is DeliveryState.FAILED


async def test_add_buddy_every_auth_mode_and_requests(
    real: QQServer, new_session: NewSession
) -> None:
    carol = new_session(real.url, CAROL, "carol-pw")
    vera = new_session(real.url, VERA, "vera-pw")
    await carol.login()
    await vera.login()
    carol_events, vera_events = carol.events(), vera.events()
    assert await carol.add_buddy(BOB) is AuthMode.ANYONE
    assert await carol.add_buddy(NOLAN) is AuthMode.NOBODY
    assert await carol.add_buddy(VERA) is AuthMode.VERIFY
    with pytest.raises(NoSuchUser):
        await carol.add_buddy(66666)
    await carol.request_buddy(VERA, "我是 Carol, 你好")
    request = await next_event(vera_events, AddRequestReceived)
    assert request == AddRequestReceived(account=VERA, uin=CAROL, reason="我是 Carol, 你好")
    assert [r.uin for r in vera.add_requests()] == [CAROL]
    await vera.refuse(CAROL, "不认识")
    assert await next_event(carol_events, RequestRefusedEvent) == RequestRefusedEvent(
        account=CAROL, uin=VERA, reason="不认识"
    )
    assert vera.add_requests() == []
    await carol.request_buddy(VERA, "again")
    await next_event(vera_events, AddRequestReceived)
    await vera.approve(CAROL)
    assert await next_event(carol_events, RequestApproved) == RequestApproved(
        account=CAROL, uin=VERA
    )
    assert {b.uin for b in await carol.buddies()} == {BOB, VERA}
    await carol.remove_buddy(BOB)
    assert [b.uin for b in await carol.buddies()] == [VERA]


async def test_too_frequent_waits_out_the_penalty(tmp_path: Path, new_session: NewSession) -> None:
    # The server's clock runs 50x fast: its 20 s penalty lasts 0.4 s here.
    clock = Clock(speed=50.0)
    server = QQServer(
        SqliteStore(tmp_path / "s.sqlite3"), clock=clock, long_poll=5, idle_timeout=10**6
    )
    populate(server.admin)
    await server.start("127.0.0.1", 0)
    try:
        # Alice's own penalty wait, scaled the same way; no pacing, so that the limit
        # is reached (as when another client of the account sends too).
        timing = dataclasses.replace(FAST, penalty=0.45, send_window=0.0)
        alice = new_session(server.url, ALICE, "alice-pw", timing=timing)
        await alice.login()
        await _send_all_in_order(alice, new_session, 14)
        await alice.logout()
    finally:
        await server.stop()


async def test_the_outbox_stays_below_the_rate_limit(
    tmp_path: Path, new_session: NewSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server's clock runs 10x fast: its 10 messages per 10 s are 10 per 1 s here.
    server = QQServer(
        SqliteStore(tmp_path / "s.sqlite3"),
        clock=Clock(speed=10.0),
        long_poll=5,
        idle_timeout=10**6,
    )
    populate(server.admin)
    penalties: list[int] = []
    penalize = server.service.limits.penalize

    def counted(uin: int, action: Action) -> None:
        penalties.append(uin)
        penalize(uin, action)

    monkeypatch.setattr(server.service.limits, "penalize", counted)
    await server.start("127.0.0.1", 0)
    try:
        # The default pace (9 per 10 s), scaled like the server's clock.
        timing = dataclasses.replace(FAST, send_limit=9, send_window=1.0, penalty=2.0)
        alice = new_session(server.url, ALICE, "alice-pw", timing=timing)
        too_frequent = _count_too_frequent(alice)
        await alice.login()
        await _send_all_in_order(alice, new_session, 25)
        assert penalties == [] and too_frequent == []
        await alice.logout()
    finally:
        await server.stop()


async def _send_all_in_order(alice: AccountSession, new_session: NewSession, count: int) -> None:
    """Alice queues ``count`` messages to Bob at once: all sent, all received in order."""
    sent = [await alice.send_message(BOB, f"m{i}") for i in range(count)]
    states = [await alice.wait_delivered(s.local_id) for s in sent]
    assert states == [DeliveryState.SENT] * count
    async with new_session(alice.server_url, BOB, "bob-pw") as bob:
        await wait_for(lambda: bob.count(ALICE) == count)
        assert [m.text for m in reversed(bob.history(ALICE))] == [f"m{i}" for i in range(count)]


def _count_too_frequent(session: AccountSession) -> list[str]:
    """The RES=3 answers the session's link reads, as they come."""
    seen: list[str] = []
    exchange = session.link._exchange

    async def counting(request: Any, timeout: float | None = None) -> Any:
        reply = await exchange(request, timeout)
        if getattr(reply, "result", None) is Result.TOO_FREQUENT:
            seen.append(request.seq)
        return reply

    session.link._exchange = counting  # type: ignore[method-assign]
    return seen


async def test_expired_session_logs_in_again_and_replays(
    real: QQServer, new_session: NewSession
) -> None:
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    await alice.set_status(Presence.BUSY)
    real.test_clock.offset += 1000  # type: ignore[attr-defined]
    assert real.service.expire_idle() == 1
    assert (await alice.profile(BOB, level=1)).nick == "Bob 小明"
    # Logged in again, with the chosen status restored.
    async with new_session(real.url, BOB, "bob-pw") as bob:
        online = {b.uin: b.status for b in await bob.online_buddies()}
        assert online == {ALICE: Presence.BUSY}


async def test_server_restart_on_the_same_port_reconnects(
    tmp_path: Path, new_session: NewSession
) -> None:
    db = tmp_path / "s.sqlite3"
    server = QQServer(SqliteStore(db), long_poll=5)
    populate(server.admin)
    await server.start("127.0.0.1", 0)
    port = server.port
    alice = new_session(server.url, ALICE, "alice-pw")
    await alice.login()
    events = alice.events()
    await server.stop()
    await next_state(events, ConnectionState.RECONNECTING)
    server = QQServer(SqliteStore(db), long_poll=5)
    await server.start("127.0.0.1", port)
    try:
        await next_state(events, ConnectionState.CONNECTED, timeout=5)
        sent = await alice.send_message(BOB, "after restart")
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    finally:
        await alice.logout()
        await server.stop()


async def test_logged_in_elsewhere_stops(tmp_path: Path, new_session: NewSession) -> None:
    # Strict sessions tell the two clients apart by cookie, though both are on 127.0.0.1.
    server = QQServer(SqliteStore(tmp_path / "s.sqlite3"), strict_sessions=True, long_poll=5)
    populate(server.admin)
    await server.start("127.0.0.1", 0)
    try:
        first = new_session(server.url, ALICE, "alice-pw")
        second = new_session(server.url, ALICE, "alice-pw")
        await first.login()
        first_events, second_events = first.events(), second.events()
        await second.login()
        # Each would take the account back in turn; one of them gives up.
        done, pending = await asyncio.wait(
            [
                asyncio.ensure_future(next_state(first_events, ConnectionState.STOPPED, 10)),
                asyncio.ensure_future(next_state(second_events, ConnectionState.STOPPED, 10)),
            ],
            return_when=asyncio.FIRST_COMPLETED,
        )
        for task in pending:
            task.cancel()
        assert "elsewhere" in done.pop().result().detail
    finally:
        await first.logout()
        await second.logout()
        await server.stop()


async def test_after_the_machine_sleeps_it_logs_in_again_within_seconds(
    real: QQServer, new_session: NewSession
) -> None:
    jump = [0.0]
    timing = dataclasses.replace(FAST, wall=lambda: time.time() + jump[0])
    alice = new_session(real.url, ALICE, "alice-pw", timing=timing)
    await alice.login()
    events = alice.events()
    generation = alice.link.generation
    # The long poll (5 s) is held now.
    sessions = real.service.sessions
    await wait_for(lambda: ALICE in sessions and sessions[ALICE].polls > 0)
    # Asleep for an hour: the held request cannot be trusted; check the session at once.
    jump[0] = 3600.0
    started = time.monotonic()
    await wait_for(lambda: alice.link.generation > generation, timeout=3)
    assert time.monotonic() - started < 2.0
    async with new_session(real.url, BOB, "bob-pw") as bob:
        await bob.send_message(ALICE, "good morning")
        assert (await next_event(events, MessageReceived)).text == "good morning"


async def test_a_first_long_list_shows_before_its_nicknames(
    real: QQServer, new_session: NewSession
) -> None:
    """``partial`` gets the list before the GetInfo round for offline nicknames, only then."""
    bob = new_session(real.url, BOB, "bob-pw")
    await bob.login()
    await bob.set_status(Presence.BUSY)
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    # the path for a server without the ListEx extension (List, Query_Stat, GetInfo)
    alice.link.offers = frozenset()
    early: list[list[tuple[int, str, Presence]]] = []

    def partial(buddies: list[Buddy]) -> None:
        early.append([(b.uin, b.nick, b.status) for b in buddies])

    full = await alice.buddies(partial=partial)
    # Bob is online, so his nickname came with Query_Stat; offline Carol's is not known yet.
    assert early == [[(BOB, "Bob 小明", Presence.BUSY), (CAROL, "", Presence.OFFLINE)]]
    assert [(b.uin, b.nick) for b in full] == [(BOB, "Bob 小明"), (CAROL, "Carol, Esq.")]
    early.clear()
    await alice.buddies(partial=partial)  # every nickname is cached now: nothing early
    assert early == []
