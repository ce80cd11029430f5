"""A full disk under the local history store: nothing sent unkept, nothing received lost.

SQLite's ``max_page_count`` makes the store fail exactly as a full disk does
(SQLITE_FULL, "database or disk is full"); raising it again is space coming back.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from qqdesk.client import (
    AccountSession,
    ConnectionState,
    Conversation,
    DeliveryState,
    Event,
    HistoryStore,
    HistoryUnavailable,
    MessageReceived,
)
from qqdesk.protocol.classic import MAX_MESSAGE_CHARS
from qqdesk.server import QQServer, SqliteStore

from .conftest import ALICE, BOB, FAST, next_event, next_state, wait_for
from .scripted import ScriptedServer
from .test_real_server import NewSession

pytestmark = pytest.mark.timeout(30)

buddy = Conversation.buddy

#: More than a database page (4,500 bytes in UTF-8), so that keeping it needs a page
#: the disk does not have; still one message (under MAX_MESSAGE_CHARS).
LONG = "满" * 1500


assert len(LONG) <= MAX_MESSAGE_CHARS


def fill_disk(store: HistoryStore) -> None:
    store._db.execute("PRAGMA max_page_count=1")  # SQLite keeps the pages already used


def free_disk(store: HistoryStore) -> None:
    store._db.execute("PRAGMA max_page_count=1073741823")


async def alice_and_bob(
    real: QQServer, new_session: NewSession
) -> tuple[AccountSession, AccountSession, AsyncIterator[Event]]:
    """Both signed in; Bob's events."""
    alice = new_session(real.url, ALICE, "alice-pw")
    bob = new_session(real.url, BOB, "bob-pw")
    await alice.login()
    await bob.login()
    return alice, bob, bob.events()


async def test_a_message_that_cannot_be_kept_is_not_sent(
    real: QQServer, new_session: NewSession
) -> None:
    alice, _bob, events = await alice_and_bob(real, new_session)
    fill_disk(alice.store)
    with pytest.raises(HistoryUnavailable, match="database or disk is full"):
        await alice.send_message(BOB, LONG)
    assert alice.store.pending() == []
    free_disk(alice.store)
    sent = await alice.send_message(BOB, "after the disk was freed")
    received = await next_event(events, MessageReceived)
    assert received.text == "after the disk was freed"  # the unkept one never went out
    assert alice.store.message(sent.local_id) is not None


async def test_received_messages_wait_on_the_server_until_they_can_be_kept(
    real: QQServer, new_session: NewSession
) -> None:
    alice, bob, events = await alice_and_bob(real, new_session)
    server_store = real.service.store
    assert isinstance(server_store, SqliteStore)
    fill_disk(bob.store)
    for text in ("first", LONG, "third"):
        sent = await alice.send_message(BOB, text)
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    # Bob keeps the first, cannot keep the long one: he says so, and acknowledges
    # only what he kept.
    first = await next_event(events, MessageReceived)
    assert first.text == "first"
    lost = await next_state(events, ConnectionState.RECONNECTING)
    assert "cannot keep received messages" in lost.detail and "disk is full" in lost.detail
    await wait_for(lambda: len(server_store.pending(BOB, 10)) == 2, timeout=5)
    free_disk(bob.store)
    await next_state(events, ConnectionState.CONNECTED, timeout=5)
    got = [await next_event(events, MessageReceived) for _ in range(2)]
    assert [m.text for m in got] == [LONG, "third"]
    kept = [m.text for m in bob.store.history(buddy(ALICE))]
    assert sorted(kept) == sorted(["first", LONG, "third"])  # each exactly once
    await wait_for(lambda: server_store.pending(BOB, 10) == [], timeout=5)


def test_fill_disk_really_fills_it(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    fill_disk(store)
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        store.add_incoming(buddy(ALICE), (LONG,), 0.0)
    store.close()


async def test_a_legacy_server_s_message_is_shown_though_it_cannot_be_kept(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    """Without acknowledged delivery the server has dropped it: show it at least."""
    scripted.acked = False  # no MI/AK: a message is gone once delivered
    session = new_session(scripted.url)
    await session.login()
    events = session.events()
    fill_disk(session.store)
    scripted.push(10001, 9, 24259132, LONG)
    scripted.push(10001, 9, 24259132, LONG + "!")
    got = [await next_event(events, MessageReceived) for _ in range(2)]
    assert [m.text for m in got] == [LONG, LONG + "!"]
    assert got[0].local_id < 0 and got[1].local_id < got[0].local_id  # not store rows
    assert session.history(24259132) == []
    assert session.state is ConnectionState.CONNECTED


def busy_answers(caplog: pytest.LogCaptureFixture) -> int:
    """How many times the outbox was told the server is busy (HTTP 503)."""
    return sum(" waits: " in r.getMessage() for r in caplog.records)


async def test_a_message_stays_pending_while_the_server_s_disk_is_full(
    real: QQServer, new_session: NewSession, caplog: pytest.LogCaptureFixture
) -> None:
    """HTTP 503 (ServerBusy) is not a failed try: the message waits, then goes once."""
    caplog.set_level(logging.INFO, logger="qqdesk.client")
    alice, bob, events = await alice_and_bob(real, new_session)
    store = real.service.store
    assert isinstance(store, SqliteStore)
    store.limit_pages(0)  # the server's disk is full
    sent = await alice.send_message(BOB, LONG)
    # More busy answers than FAST timing's send attempts: a failed try would have
    # failed it by now.
    await wait_for(lambda: busy_answers(caplog) > FAST.send_attempts, timeout=10)
    assert alice.store.message(sent.local_id).state is DeliveryState.PENDING  # type: ignore[union-attr]
    store.limit_pages(None)  # space is back
    assert await asyncio.wait_for(alice.wait_delivered(sent.local_id), 5) is DeliveryState.SENT
    received = await next_event(events, MessageReceived)
    assert received.text == LONG
    # Bob acknowledged it: the server will not deliver it again.
    await wait_for(lambda: store.pending(BOB, 10) == [], timeout=5)
    assert [m.text for m in bob.store.history(buddy(ALICE))] == [LONG]  # once
