"""HistoryStore: paging, counting, full-text and LIKE search, dedupe, caches."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qqdesk.client import Buddy, Conversation, DeliveryState, HistoryStore, Presence
from qqdesk.client.store import default_path

buddy = Conversation.buddy


@pytest.fixture(params=[True, False], ids=["fts5", "like"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "h.sqlite3", full_text=request.param)
    yield s
    s.close()


def test_default_path_is_per_account() -> None:
    path = default_path(12345)
    assert path.parts[-3:] == ("accounts", "12345", "history.sqlite3")
    assert "qqdesk" in str(path)


def test_wal_and_reopen_keeps_everything(tmp_path: Path) -> None:
    s = HistoryStore(tmp_path / "h.sqlite3")
    assert s._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    first = s.add_incoming(buddy(10002), ("你好",), 1.0)
    s.close()
    again = HistoryStore(tmp_path / "h.sqlite3")
    assert [m.local_id for m in again.history(buddy(10002))] == [first]
    again.close()


def test_history_pages_backwards_newest_first(store: HistoryStore) -> None:
    ids = [store.add_incoming(buddy(10002), (f"m{i}",), float(i)) for i in range(120)]
    store.add_incoming(buddy(10003), ("other peer",), 5.0)
    page = store.history(buddy(10002), limit=50)
    assert [m.text for m in page[:2]] == ["m119", "m118"]
    older = store.history(buddy(10002), before_id=page[-1].local_id, limit=50)
    assert older[0].text == "m69"
    last = store.history(buddy(10002), before_id=older[-1].local_id, limit=50)
    assert len(last) == 20 and last[-1].local_id == ids[0]
    assert store.count(buddy(10002)) == 120 and store.count() == 121


def test_search_finds_chinese_and_latin(store: HistoryStore) -> None:
    store.add_incoming(buddy(10002), ("网络为媒,关系为本",), 1.0)
    store.add_outgoing(buddy(10002), [("See you at the Station",)], 2.0)
    store.add_incoming(buddy(10003), ("nothing here",), 3.0)
    assert [m.text for m in store.search("关系为本")] == ["网络为媒,关系为本"]
    assert [m.text for m in store.search("关系")] == ["网络为媒,关系为本"]  # 2 chars: LIKE
    assert [m.text for m in store.search("station")] == ["See you at the Station"]
    assert store.search("station", conversation=buddy(10003)) == []
    assert store.search("100%") == []
    assert store.search("  ") == []


def test_incoming_dedupe_by_server_id_and_time(store: HistoryStore) -> None:
    first = store.add_incoming(buddy(10002), ("hi",), 1.0, server_id=7, server_time=100)
    assert first is not None
    assert store.add_incoming(buddy(10002), ("hi",), 1.0, server_id=7, server_time=100) is None
    # A server that restarted empty reuses id 7 at another time: a new message.
    assert (
        store.add_incoming(buddy(10002), ("again",), 2.0, server_id=7, server_time=200) is not None
    )
    # Legacy servers give no ids: every message is new.
    assert store.add_incoming(buddy(10002), ("hi",), 1.0) is not None
    assert store.count(buddy(10002)) == 3


def test_outgoing_states_and_chains(store: HistoryStore) -> None:
    ids = store.add_outgoing(buddy(10002), [("a",), ("b",), ("c",)])
    single = store.add_outgoing(buddy(10002), [("d",)])
    assert [m.local_id for m in store.pending()] == ids + single
    assert [m.local_id for m in store.chain_after(ids[0])] == ids[1:]
    assert [m.local_id for m in store.chain_of(ids[2])] == ids
    assert [m.local_id for m in store.chain_of(single[0])] == single
    assert store.chain_after(single[0]) == []
    store.set_state(ids[0], DeliveryState.SENT)
    message = store.message(ids[0])
    assert message is not None and message.state is DeliveryState.SENT and message.outgoing
    assert store.message(9999) is None


def test_buddy_cache_status_and_requests(store: HistoryStore) -> None:
    store.save_buddies([Buddy(3, "c"), Buddy(1, "a", 3, Presence.ONLINE)])
    assert [b.uin for b in store.buddies()] == [3, 1]
    store.set_buddy_status(3, Presence.BUSY)
    store.put_buddy(Buddy(9))
    store.put_buddy(Buddy(1, "A", 6, Presence.OFFLINE))
    assert store.buddies() == [
        Buddy(3, "c", 0, Presence.BUSY),
        Buddy(1, "A", 6, Presence.OFFLINE),
        Buddy(9),
    ]
    store.remove_buddy(9)
    assert len(store.buddies()) == 2
    assert store.last_status() is None
    store.set_last_status(Presence.HIDDEN)
    assert store.last_status() is Presence.HIDDEN
    store.add_request(5, "let me in", 1.0)
    store.add_request(6, "me too", 2.0)
    store.remove_request(5)
    assert [(r.uin, r.reason) for r in store.requests()] == [(6, "me too")]


def test_100k_messages_page_without_loading_all(tmp_path: Path) -> None:
    s = HistoryStore(tmp_path / "big.sqlite3")
    s._db.execute("BEGIN")
    s._db.executemany(
        "INSERT INTO messages (kind, number, outgoing, text, content, time, state)"
        " VALUES ('buddy', ?, 0, ?, ?, ?, 'sent')",
        (
            (10002 + i % 10, f"message number {i}", f'["message number {i}"]', float(i))
            for i in range(100_000)
        ),
    )
    s._db.execute("COMMIT")
    plan = " ".join(
        str(r)
        for r in s._db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE kind = ? AND number = ? AND id < ?"
            " ORDER BY id DESC LIMIT 50",
            ("buddy", 10002, 5000),
        )
    )
    assert "messages_by_conversation" in plan
    started = time.perf_counter()
    before = None
    for _ in range(20):
        page = s.history(buddy(10005), before_id=before, limit=50)
        before = page[-1].local_id
    assert time.perf_counter() - started < 2.0
    assert s.count(buddy(10005)) == 10_000
    assert len(s.search("number 99999")) == 1
    s.close()
