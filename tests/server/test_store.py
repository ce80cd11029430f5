"""SqliteStore on a real file: schema, hashing, ordering, queues, durability settings, indexes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from qqdesk.protocol.classic import AuthMode, Profile, Sex
from qqdesk.server import SqliteStore, StoreError
from qqdesk.server.store import check_password, hash_password, md5_hex

FAST = 2**8


def _hash(password: str) -> str:
    return hash_password(md5_hex(password), n=FAST)


def test_password_is_kept_only_as_a_salted_slow_hash(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    store.create_account(10001, _hash("secret"), Profile(uin=10001), AuthMode.ANYONE, True)
    store.close()
    raw = (tmp_path / "s.sqlite3").read_bytes()
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    stored = db.execute("SELECT password_hash FROM accounts").fetchone()[0]
    db.close()
    digest = md5_hex("secret")
    assert digest not in stored and digest.encode() not in raw and b"secret" not in raw
    assert stored.startswith("scrypt$")
    assert check_password(digest, stored) and check_password(digest.upper(), stored)
    assert not check_password(md5_hex("other"), stored)
    assert _hash("secret") != _hash("secret")  # salted
    assert not check_password(digest, "garbage") and not check_password(digest, "x$1$2$3$4$5")


def test_accounts_profiles_and_next_free_number(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    first = store.create_account(None, _hash("a"), Profile(uin=0, nick="A"), AuthMode.ANYONE, True)
    assert first == 10000
    store.create_account(50000, _hash("b"), Profile(uin=0), AuthMode.VERIFY, True)
    assert store.create_account(None, _hash("c"), Profile(uin=0), AuthMode.ANYONE, True) == 50001
    with pytest.raises(ValueError):
        store.create_account(50000, _hash("b"), Profile(uin=0), AuthMode.ANYONE, True)
    assert store.update_account(50000, {"nick": "新", "sex": 1, "intro": "a,b"}, AuthMode.NOBODY)
    account = store.account(50000)
    assert account is not None
    assert (account.profile.nick, account.profile.sex, account.profile.intro) == (
        "新",
        Sex.FEMALE,
        "a,b",
    )
    assert account.auth is AuthMode.NOBODY and account.searchable
    assert not store.update_account(77777, {"nick": "x"})
    with pytest.raises(ValueError):
        store.update_account(50000, {"colour": "red"})
    with pytest.raises(ValueError):
        store.update_account(50000, {"blood_type": 9})
    assert [a.profile.uin for a in store.list_accounts()] == [10000, 50000, 50001]
    assert store.account(12345) is None
    assert store.is_account(50000) and not store.is_account(12345)


def test_buddy_lists_keep_order_and_reverse_index(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    for uin in (10001, 10002, 10003, 10004):
        store.create_account(
            uin, _hash("x"), Profile(uin=uin, nick=f"n{uin}", face=uin % 7), AuthMode.ANYONE, True
        )
    for buddy in (10004, 10002, 10003):
        assert store.add_buddy(10001, buddy)
    assert not store.add_buddy(10001, 10002)
    assert store.buddies(10001) == [10004, 10002, 10003]
    assert store.buddies(10001, 1, 1) == [10002]
    assert store.buddy_count(10001) == 3
    assert store.buddies_with_faces(10001)[0] == (10004, "n10004", 10004 % 7)
    assert store.watchers(10002) == [10001]
    assert store.remove_buddy(10001, 10002) and not store.remove_buddy(10001, 10002)
    store.add_buddy(10001, 10002)
    assert store.buddies(10001) == [10004, 10003, 10002]


def test_queue_order_ack_and_legacy_delivery(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    ids = store.enqueue([(10002, 10001, 9, f"m{i}") for i in range(5)])
    assert ids == sorted(ids)
    assert [m.text for m in store.ack_and_fetch(10002, None, 2)] == ["m0", "m1"]
    assert [m.text for m in store.ack_and_fetch(10002, ids[1], 10)] == ["m2", "m3", "m4"]
    assert [m.text for m in store.deliver_and_delete(10002, 2)] == ["m2", "m3"]
    assert [m.text for m in store.pending(10002, 10)] == ["m4"]
    store.enqueue([(10002, 10001, 99, "10")])
    store.drop_kind(10002, 99)
    assert [m.kind for m in store.pending(10002, 10)] == [9]
    store.put_request(10001, 10002, "hi")
    store.put_request(10001, 10002, "again")
    assert store.take_request(10001, 10002) == "again"
    assert store.take_request(10001, 10002) is None


def test_durability_settings_and_indexes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    # messages and account changes are synced before they count as written
    synced = store.synced_commits
    store.enqueue([(10002, 10001, 9, "m")])
    store.create_account(10001, _hash("x"), Profile(uin=10001), AuthMode.ANYONE, True)
    assert store.synced_commits == synced + 2
    # taking delivered messages off a queue is committed but not synced (see Store)
    commits, synced = store.commits, store.synced_commits
    store.delete_upto(10002, 1)
    store.deliver_and_delete(10002, 10)
    store.drop_kind(10002, 99)
    assert (store.commits, store.synced_commits) == (commits + 3, synced)
    plans = {
        "SELECT buddy FROM buddies WHERE owner=1 ORDER BY position": "buddies_order",
        "SELECT owner FROM buddies WHERE buddy=1": "buddies_reverse",
        "SELECT * FROM messages WHERE recipient=1 ORDER BY id LIMIT 50": "messages_queue",
        "SELECT uin FROM accounts WHERE searchable=1 AND province='x' ORDER BY uin LIMIT 21": (
            "accounts_search_pv"
        ),
        "SELECT uin FROM accounts WHERE searchable=1 AND age=3 ORDER BY uin LIMIT 21": (
            "accounts_search"
        ),
    }
    for sql, index in plans.items():
        plan = " ".join(str(r[-1]) for r in store.db.execute("EXPLAIN QUERY PLAN " + sql))
        assert index in plan, (sql, plan)
    store.close()
    assert store.closed
    with pytest.raises(StoreError):
        store.account(1)


def test_search_filters_and_opt_out(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    for i in range(6):
        profile = Profile(uin=0, age=20 + i % 2, sex=Sex(i % 2), province="甘肃" if i < 4 else "")
        store.create_account(20000 + i, _hash("x"), profile, AuthMode.ANYONE, i != 0)
    found = store.search(20001, 0, None, "甘肃", 0, 10)
    assert [a.profile.uin for a in found] == [20002, 20003]
    assert [a.profile.uin for a in store.search(0, 21, 1, "", 0, 10)] == [20001, 20003, 20005]
    assert [a.profile.uin for a in store.search(0, 0, None, "", 1, 2)] == [20002, 20003]


def test_unopenable_store_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(StoreError, match="cannot open store"):
        SqliteStore(tmp_path / "dir.sqlite3")
    (tmp_path / "junk.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        SqliteStore(tmp_path / "junk.sqlite3")


async def test_concurrent_writes_share_one_commit_and_keep_call_order(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    before = store.commits
    futures = [store.aenqueue([(10002, 10001, 9, f"m{i}")]) for i in range(200)]
    ids = [ids[0] for ids in await asyncio.gather(*futures)]
    assert ids == sorted(ids) and len(set(ids)) == 200  # applied in call order
    # writes queued while one commit syncs go together into the next one
    assert store.commits - before < 200
    assert [m.text for m in store.pending(10002, 500)] == [f"m{i}" for i in range(200)]
    store.close()


async def test_a_failing_write_does_not_undo_the_others_in_its_commit(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    store.create_account(10001, _hash("x"), Profile(uin=10001), AuthMode.ANYONE, True)

    def half_then_fail(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO messages (recipient, sender, kind, text, time) VALUES (1,1,9,'',0)")
        raise ValueError("no")

    first = store.aenqueue([(10002, 10001, 9, "kept")])
    failing = store._writer.submit(half_then_fail, True)
    last = store.aadd_buddy(10002, 10001)
    assert await last
    with pytest.raises(ValueError, match="no"):
        await failing
    assert await first
    assert [m.text for m in store.pending(10002, 10)] == ["kept"] and not store.pending(1, 10)
    with pytest.raises(ValueError, match="already exists"):
        store.create_account(10001, _hash("x"), Profile(uin=10001), AuthMode.ANYONE, True)
    store.close()


async def test_close_commits_what_is_queued_then_refuses_writes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    queued = [store.aenqueue([(10002, 10001, 9, f"m{i}")]) for i in range(50)]
    store.close()  # nobody awaited them: they are committed all the same
    with pytest.raises(StoreError):
        store.enqueue([(10002, 10001, 9, "late")])
    with pytest.raises(StoreError):
        await store.aenqueue([(10002, 10001, 9, "late")])
    await asyncio.gather(*queued)
    store.close()  # twice is fine
    again = SqliteStore(tmp_path / "s.sqlite3")
    assert [m.text for m in again.pending(10002, 100)] == [f"m{i}" for i in range(50)]
    again.close()


async def test_answering_a_request_is_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request goes, the buddy is added and the answer is queued, or none of it."""
    from qqdesk.server import store as store_module

    store = SqliteStore(tmp_path / "s.sqlite3")
    for uin in (10001, 10002):
        store.create_account(uin, _hash("x"), Profile(uin=uin), AuthMode.VERIFY, True)
    assert await store.arequest(10001, 10002, "hi", 2)
    assert [(m.sender, m.kind, m.text) for m in store.pending(10002, 10)] == [(10001, 2, "hi")]

    def broken_enqueue(*_: object) -> list[int]:
        raise sqlite3.OperationalError("disk I/O error")

    with monkeypatch.context() as patch:
        patch.setattr(store_module, "_enqueue", broken_enqueue)
        with pytest.raises(StoreError, match="disk I/O error"):
            await store.aanswer_request(10001, 10002, True, "", 3)
    # Nothing of the failed answer stuck: the request is still there, no buddy added.
    assert store.buddies(10001) == [] and store.pending(10001, 10) == []
    assert await store.aanswer_request(10001, 10002, True, "welcome", 3)
    assert store.buddies(10001) == [10002]
    assert [(m.sender, m.kind, m.text) for m in store.pending(10001, 10)] == [(10002, 3, "welcome")]
    # Answered once: a second answer finds no request and changes nothing.
    assert await store.aanswer_request(10001, 10002, False, "no", 4) is None
    assert len(store.pending(10001, 10)) == 1
    store.close()
