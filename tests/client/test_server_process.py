"""kill -9 of the real server process, then restarts: nothing lost or doubled, never given up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from qqdesk.client import AccountSession, ConnectionState, DeliveryState, MessageReceived
from qqdesk.server import QQServer, SqliteStore
from tests.support.servers import ServerProcess

from .conftest import ALICE, BOB, next_event, next_state, populate, wait_for

pytestmark = pytest.mark.timeout(60)

NewSession = Callable[..., AccountSession]


@pytest.fixture
async def process(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    """The real server as a child process, with the cast; killed after the test."""
    db = tmp_path / "server.sqlite3"
    setup = QQServer(SqliteStore(db))
    populate(setup.admin)
    setup.store.close()
    process = ServerProcess(db)
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.kill)


async def test_kill_9_mid_conversation_then_restart(
    tmp_path: Path, process: ServerProcess, new_session: NewSession
) -> None:
    alice = new_session(process.url, ALICE, "alice-pw")
    bob = new_session(process.url, BOB, "bob-pw", store=tmp_path / "bob.sqlite3")
    await alice.login()
    await bob.login()
    alice_events, bob_events = alice.events(), bob.events()

    live = [await alice.send_message(BOB, f"live {i}") for i in range(3)]
    for i in range(3):
        assert (await next_event(bob_events, MessageReceived)).text == f"live {i}"
    await bob.logout()
    queued = [await alice.send_message(BOB, f"queued {i}") for i in range(2)]
    for sent in live + queued:
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT

    await asyncio.to_thread(process.kill)
    await next_state(alice_events, ConnectionState.RECONNECTING)
    during = [await alice.send_message(BOB, f"during {i}") for i in range(2)]
    # Nothing is shown as sent that the server did not accept.
    for sent in during:
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.FAILED

    await asyncio.to_thread(process.start)  # same port, same store
    await next_state(alice_events, ConnectionState.CONNECTED, timeout=15)
    for sent in during:
        await alice.resend(sent.local_id)
    after = await alice.send_message(BOB, "after")
    for sent in [*during, after]:
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    assert all(m.state is DeliveryState.SENT for m in alice.history(BOB))

    bob_again = new_session(process.url, BOB, "bob-pw", store=tmp_path / "bob.sqlite3")
    await bob_again.login()
    expected = [
        *(f"live {i}" for i in range(3)),
        *(f"queued {i}" for i in range(2)),
        *(f"during {i}" for i in range(2)),
        "after",
    ]
    await wait_for(lambda: bob_again.count(ALICE) >= len(expected), timeout=10)
    # Delivery is in order: a duplicate of any of them would come before this one.
    await alice.send_message(BOB, "last")
    await wait_for(lambda: bob_again.history(ALICE, limit=1)[0].text == "last", timeout=10)
    texts = [m.text for m in reversed(bob_again.history(ALICE, limit=100))]
    assert texts == [*expected, "last"]
    await bob_again.logout()
    await alice.logout()


async def test_a_server_restarted_again_and_again_is_never_taken_for_a_takeover(
    process: ServerProcess, new_session: NewSession
) -> None:
    alice = new_session(process.url, ALICE, "alice-pw")
    await alice.login()
    events = alice.events()
    # More restarts in a row than re-logins that would read as "logged in elsewhere".
    for _ in range(alice.timing.relogin_limit + 2):
        logins = alice.link.generation + 1
        await asyncio.to_thread(process.kill)
        await next_state(events, ConnectionState.RECONNECTING)
        await asyncio.to_thread(process.start)  # same port, same store
        await wait_for(lambda: alice.link.generation >= logins, timeout=15)  # noqa: B023 (awaited here)
        assert alice.state is not ConnectionState.STOPPED
    sent = await alice.send_message(BOB, "still here")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    bob = new_session(process.url, BOB, "bob-pw")
    await bob.login()
    await wait_for(lambda: bob.count(ALICE) == 1, timeout=10)
    assert bob.history(ALICE)[0].text == "still here"
    await bob.logout()
    await alice.logout()
