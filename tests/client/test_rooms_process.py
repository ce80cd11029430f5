"""kill -9 of the real server process during a group conversation: no acknowledged room
message lost or shown twice, and restarts are never taken for another sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from qqdesk.client import (
    AccountSession,
    ConnectionState,
    DeliveryState,
    LoginFailed,
    MessageReceived,
    NotLoggedIn,
    Timing,
)
from qqdesk.client.links.base import IncomingMessage
from qqdesk.client.links.smartqq import SmartQQLink
from qqdesk.core import Conversation
from qqdesk.server import QQServer, SqliteStore
from tests.support.servers import ServerProcess

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

pytestmark = pytest.mark.timeout(90)

NewSession = Callable[..., AccountSession]


@pytest.fixture
async def room_process(tmp_path: Path) -> AsyncIterator[tuple[ServerProcess, Conversation]]:
    """The real server as a child process, with the cast in one group; killed after."""
    db = tmp_path / "server.sqlite3"
    setup = QQServer(SqliteStore(db))
    populate(setup.admin)
    group = setup.admin.create_group("Durable 不丢", ALICE)
    setup.admin.add_members(group, [BOB, CAROL])
    setup.admin.close()
    setup.store.close()
    process = ServerProcess(db)
    await asyncio.to_thread(process.start)
    try:
        yield process, group
    finally:
        await asyncio.to_thread(process.kill)


async def test_kill_9_during_a_group_conversation(
    tmp_path: Path, room_process: tuple[ServerProcess, Conversation], new_session: NewSession
) -> None:
    process, group = room_process
    alice = new_session(process.url, ALICE, "alice-pw")
    bob = new_session(process.url, BOB, "bob-pw", store=tmp_path / "bob.sqlite3")
    carol = new_session(process.url, CAROL, "carol-pw", store=tmp_path / "carol.sqlite3")
    for session in (alice, bob, carol):
        await session.login()
        assert session.rooms_available
    alice_events, bob_events = alice.events(), bob.events()

    expected: list[str] = []
    for i in range(3):
        sent = await alice.send_message(group, f"before {i}")
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
        expected.append(f"before {i}")
        assert (await next_event(bob_events, MessageReceived)).text == f"before {i}"
    await carol.logout()  # away during the crash: catches up afterwards

    # (web sign-ins after the restart: logged_in stays set through a kill, so it says
    # nothing of whether the new server knows the web session yet)
    signed_in = {s: s.web.generation + 1 for s in (alice, bob)}
    await asyncio.to_thread(process.kill)
    await next_state(alice_events, ConnectionState.RECONNECTING)
    during = await alice.send_message(group, "during")
    # Not shown as sent while no server accepted it.
    assert await alice.wait_delivered(during.local_id) is DeliveryState.FAILED

    await asyncio.to_thread(process.start)  # same port, same store
    await next_state(alice_events, ConnectionState.CONNECTED, timeout=20)
    await wait_for(lambda: all(s.web.generation >= n for s, n in signed_in.items()), 20)
    await alice.resend(during.local_id)
    assert await alice.wait_delivered(during.local_id) is DeliveryState.SENT
    expected.append("during")
    for i in range(2):
        sent = await bob.send_message(group, f"after {i}")
        assert await bob.wait_delivered(sent.local_id) is DeliveryState.SENT
        expected.append(f"after {i}")

    await carol.login()
    await wait_for(lambda: carol.count(group) >= len(expected), timeout=15)
    await wait_for(lambda: bob.count(group) >= len(expected), timeout=15)
    # Ordered delivery: a repeat of any would come before this one.
    last = await alice.send_message(group, "last")
    assert await alice.wait_delivered(last.local_id) is DeliveryState.SENT
    expected.append("last")
    for member in (bob, carol):
        await wait_for(lambda m=member: m.history(group, limit=1)[0].text == "last", 15)  # type: ignore[misc]
        texts = [m.text for m in reversed(member.history(group, limit=100))]
        # Each once; Carol's (all received) in the order said. Bob's own lines are kept
        # when he wrote them, so they may stand before one he received just after.
        assert sorted(texts) == sorted(expected), member.uin
    assert [m.text for m in reversed(carol.history(group, limit=100))] == expected
    assert alice.rooms_available and bob.rooms_available


async def test_restarts_again_and_again_keep_the_rooms(
    room_process: tuple[ServerProcess, Conversation], new_session: NewSession
) -> None:
    process, group = room_process
    alice = new_session(process.url, ALICE, "alice-pw")
    await alice.login()
    events = alice.events()
    for _ in range(alice.timing.relogin_limit + 2):
        signed_in = alice.web.generation + 1
        await asyncio.to_thread(process.kill)
        await next_state(events, ConnectionState.RECONNECTING)
        await asyncio.to_thread(process.start)
        await wait_for(lambda: alice.web.generation >= signed_in, timeout=20)  # noqa: B023
    assert alice.rooms_available
    sent = await alice.send_message(group, "still here")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert [r.conversation for r in await alice.rooms()] == [group]


async def test_quiet_restarts_are_never_taken_for_another_web_sign_in(
    room_process: tuple[ServerProcess, Conversation],
) -> None:
    """Re-logins with no failed request between them (the restart broke no connection
    the link saw): only the server's run id in login2's answer tells a restart, and
    more of them than ``relogin_limit`` do not read as the session being taken."""
    process, group = room_process
    alice = SmartQQLink(process.url, ALICE, "alice-pw", Timing())
    try:
        await alice.login()
        runs = {alice.server_instance}
        for _ in range(alice.timing.relogin_limit + 2):
            await asyncio.to_thread(process.kill)
            await asyncio.to_thread(process.start)
            await alice.relogin(alice.generation)
            runs.add(alice.server_instance)
        assert len(runs) == alice.timing.relogin_limit + 3 and "" not in runs
        await alice.send(group, ("still here",))
    finally:
        await alice.logout()


async def test_the_same_run_forgetting_the_web_session_again_and_again_is_a_takeover(
    room_process: tuple[ServerProcess, Conversation],
) -> None:
    process, _group = room_process
    alice = SmartQQLink(process.url, ALICE, "alice-pw", Timing())
    try:
        await alice.login()
        run = alice.server_instance
        for _ in range(alice.timing.relogin_limit):
            await alice.relogin(alice.generation)
        assert alice.server_instance == run
        with pytest.raises(LoginFailed, match="replaced by another sign-in"):
            await alice.relogin(alice.generation)
    finally:
        await alice.logout()


async def test_a_member_with_nothing_kept_gets_what_was_posted_before_signing_in_again(
    room_process: tuple[ServerProcess, Conversation],
) -> None:
    """Bob has no room message yet (so no id to ask ``since``); the server restarts and
    Alice posts before Bob's link signs in again: Bob still gets it, because the first
    sign-in told him where his room messages start."""
    process, group = room_process
    bob = SmartQQLink(process.url, BOB, "bob-pw", Timing())
    alice = SmartQQLink(process.url, ALICE, "alice-pw", Timing())
    try:
        await bob.login()
        assert bob.room_floor is not None
        await asyncio.to_thread(process.kill)
        await asyncio.to_thread(process.start)
        await alice.login()
        await alice.send(group, ("posted while Bob was away",))
        await bob.login()
        poll = await bob.poll()
        texts = [
            "".join(str(part) for part in d.item.content)
            for d in poll.deliveries
            if isinstance(d.item, IncomingMessage)
        ]
        assert texts == ["posted while Bob was away"]
    finally:
        for link in (alice, bob):
            await link.logout()


@pytest.mark.parametrize("step", ["/api/getvfwebqq", "/channel/login2"])
async def test_a_web_sign_in_forgotten_by_a_restart_between_its_steps_is_retried(
    room_process: tuple[ServerProcess, Conversation], step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """getvfwebqq answering 100000 or login2 100001 (the server restarted after
    /qqdesk/signin and forgot it) is a restart like any other: the web link signs in
    again, it does not give up."""
    process, _group = room_process
    bob = SmartQQLink(process.url, BOB, "bob-pw", Timing())

    async def restart() -> None:
        await asyncio.to_thread(process.kill)
        await asyncio.to_thread(process.start)

    before_first_call(monkeypatch, bob, lambda path: path == step, restart)
    try:
        with pytest.raises(NotLoggedIn):
            await bob.login()
        assert bob.available is not False
        await bob.login()
        assert bob.logged_in.is_set() and bob.available
    finally:
        await bob.logout()
