"""Every store (SQLite and PostgreSQL, each test runs on both): hashing, ordering, queues,
transactions, group commit; SQLite's durability settings and indexes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from qqdesk.core import AuthMode, Conversation, Face, Profile, Sex
from qqdesk.server import SqliteStore, StoreError
from qqdesk.server.store import MessageKind, NewMessage, check_password, hash_password, md5_hex
from qqdesk.server.store.postgres import PostgresStore

from .conftest import AnyStore, StoreOpener, close, text, words

FAST = 2**8


def _hash(password: str) -> str:
    return hash_password(md5_hex(password), n=FAST)


async def test_password_is_kept_only_as_a_salted_slow_hash(tmp_path: Path) -> None:
    # SQLite only: it reads the file's raw bytes (hashing is the same for every store)
    store = SqliteStore(tmp_path / "s.sqlite3")
    await store.create_account(10001, _hash("secret"), Profile(uin=10001), AuthMode.ANYONE, True)
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


@pytest.mark.parametrize("on_loop", [False, True])
async def test_accounts_profiles_and_next_free_number(stores: StoreOpener, on_loop: bool) -> None:
    if on_loop and stores.kind != "sqlite":
        pytest.skip("reads on the loop's thread is an SQLite mode")
    store = await stores(reads_on_loop=on_loop)
    anyone, verify = AuthMode.ANYONE, AuthMode.VERIFY
    first = await store.create_account(None, _hash("a"), Profile(uin=0, nick="A"), anyone, True)
    assert first == 10000
    await store.create_account(50000, _hash("b"), Profile(uin=0), verify, True)
    assert await store.create_account(None, _hash("c"), Profile(uin=0), anyone, True) == 50001
    with pytest.raises(ValueError):
        await store.create_account(50000, _hash("b"), Profile(uin=0), anyone, True)
    assert await store.update_account(
        50000, {"nick": "新", "sex": 1, "intro": "a,b"}, AuthMode.NOBODY
    )
    account = await store.account(50000)
    assert account is not None
    assert (account.profile.nick, account.profile.sex, account.profile.intro) == (
        "新",
        Sex.FEMALE,
        "a,b",
    )
    assert account.auth is AuthMode.NOBODY and account.searchable
    assert not await store.update_account(77777, {"nick": "x"})
    with pytest.raises(ValueError):
        await store.update_account(50000, {"colour": "red"})
    with pytest.raises(ValueError):
        await store.update_account(50000, {"blood_type": 9})
    assert [a.profile.uin for a in await store.list_accounts()] == [10000, 50000, 50001]
    assert await store.account(12345) is None
    assert await store.is_account(50000) and not await store.is_account(12345)
    assert (await store.password_hash(50000) or "").startswith("scrypt$")
    await close(store)


async def test_buddy_lists_keep_order_and_reverse_index(store: AnyStore) -> None:
    for uin in (10001, 10002, 10003, 10004):
        profile = Profile(uin=uin, nick=f"n{uin}", face=uin % 7)
        await store.create_account(uin, _hash("x"), profile, AuthMode.ANYONE, True)
    for buddy in (10004, 10002, 10003):
        assert await store.add_buddy(10001, buddy)
    assert not await store.add_buddy(10001, 10002)
    assert await store.buddies(10001) == [10004, 10002, 10003]
    assert await store.buddies(10001, 1, 1) == [10002]
    assert await store.buddy_count(10001) == 3
    assert await store.watchers(10002) == [10001]
    assert await store.remove_buddy(10001, 10002) and not await store.remove_buddy(10001, 10002)
    await store.add_buddy(10001, 10002)
    assert await store.buddies(10001) == [10004, 10003, 10002]
    await close(store)


async def test_queue_order_ack_and_legacy_delivery(store: AnyStore) -> None:
    ids = await store.enqueue([text(10002, 10001, f"m{i}") for i in range(5)])
    assert ids == sorted(ids)
    assert [words(m) for m in await store.queued(10002, 2)] == ["m0", "m1"]
    await store.delete_upto(10002, ids[1])
    assert [words(m) for m in await store.queued(10002, 10)] == ["m2", "m3", "m4"]
    assert [words(m) for m in await store.queued(10002, 10, after=ids[3])] == ["m4"]
    assert [words(m) for m in await store.take(10002, 2)] == ["m2", "m3"]
    assert [words(m) for m in await store.queued(10002, 10)] == ["m4"]
    # an id handed out without a row sorts between the rows queued before and after it
    reserved = store.reserve_message_ids(2)
    (later,) = await store.enqueue([text(10002, 10001, "m5")])
    assert ids[-1] < reserved[0] < reserved[1] < later
    await store.request(10001, 10002, "hi")
    await store.request(10001, 10002, "again")
    assert await store.open_request(10001, 10002) == "again"
    await close(store)


async def test_messages_from_strangers_are_counted_up_to_a_limit(store: AnyStore) -> None:
    await store.add_buddy(10002, 10003)
    await store.enqueue([text(10002, 10001, f"m{i}") for i in range(3)])
    await store.enqueue([text(10002, 10003, "from a buddy"), text(10001, 10004, "elsewhere")])
    await store.request(10004, 10002, "let me in")
    assert await store.from_strangers(10002, 10) == 4
    assert await store.from_strangers(10002, 2) == 2
    assert await store.from_strangers(10003, 10) == 0
    first = (await store.queued(10002, 1))[0].id
    assert await store.from_strangers(10002, 10, after=first) == 3
    await close(store)


async def test_content_parts_and_conversations_are_kept(store: AnyStore) -> None:
    content = ("你好 ", Face(14), " a,b&c=d% ", Face(999), '"quoted" {"face": 1}')
    group = NewMessage(10002, 10001, Conversation.group(4242), MessageKind.TEXT, content)
    await store.enqueue([group, text(10002, 10003, "/微笑")])
    first, second = await store.queued(10002, 10)
    assert (first.conversation, first.sender, first.content) == (group.conversation, 10001, content)
    assert second.conversation == Conversation.buddy(10003) and second.content == (Face(14),)
    await close(store)


async def test_durability_settings_and_indexes(tmp_path: Path) -> None:
    # SQLite only: its pragmas, fsync counting and query plans (PostgreSQL's commits wait
    # for the WAL flush by its own setting; test_postgres checks the counters)
    store = SqliteStore(tmp_path / "s.sqlite3")
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # messages and account changes are synced before they count as written
    synced = store.synced_commits
    await store.enqueue([text(10002, 10001, "m")])
    await store.create_account(10001, _hash("x"), Profile(uin=10001), AuthMode.ANYONE, True)
    assert store.synced_commits == synced + 2
    # taking delivered messages off a queue is committed but not synced (see Store)
    commits, synced = store.commits, store.synced_commits
    await store.delete_upto(10002, 1)
    await store.take(10002, 10)
    assert (store.commits, store.synced_commits) == (commits + 2, synced)
    plans = {
        "SELECT buddy FROM buddies WHERE owner=1 ORDER BY position": "buddies_order",
        "SELECT owner FROM buddies WHERE buddy=1": "buddies_reverse",
        "SELECT * FROM messages WHERE recipient=1 AND id>0 ORDER BY id LIMIT 50": (
            "messages_queue"
        ),
        "SELECT uin FROM accounts WHERE searchable=1 AND province='x' ORDER BY uin LIMIT 21": (
            "accounts_search_pv"
        ),
        "SELECT uin FROM accounts WHERE searchable=1 AND age=3 ORDER BY uin LIMIT 21": (
            "accounts_search"
        ),
    }
    for sql, index in plans.items():
        plan = " ".join(str(r[-1]) for r in db.execute("EXPLAIN QUERY PLAN " + sql))
        assert index in plan, (sql, plan)
    db.close()
    store.close()
    assert store.closed
    with pytest.raises(StoreError):
        await store.account(1)


async def test_search_filters_and_opt_out(store: AnyStore) -> None:
    for i in range(6):
        profile = Profile(uin=0, age=20 + i % 2, sex=Sex(i % 2), province="甘肃" if i < 4 else "")
        await store.create_account(20000 + i, _hash("x"), profile, AuthMode.ANYONE, i != 0)
    found = await store.search(20001, 0, None, "甘肃", 0, 10)
    assert [a.profile.uin for a in found] == [20002, 20003]
    assert [a.profile.uin for a in await store.search(0, 21, 1, "", 0, 10)] == [
        20001,
        20003,
        20005,
    ]
    assert [a.profile.uin for a in await store.search(0, 0, None, "", 1, 2)] == [20002, 20003]
    await close(store)


def test_unopenable_store_is_a_store_error(tmp_path: Path) -> None:
    # SQLite only: files (test_postgres opens a database that is not there)
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(StoreError, match="cannot open store"):
        SqliteStore(tmp_path / "dir.sqlite3")
    (tmp_path / "junk.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        SqliteStore(tmp_path / "junk.sqlite3")


async def test_concurrent_writes_share_one_commit_and_keep_call_order(store: AnyStore) -> None:
    before = store.commits
    futures = [store.enqueue([text(10002, 10001, f"m{i}")]) for i in range(200)]
    ids = [ids[0] for ids in await asyncio.gather(*futures)]
    assert ids == sorted(ids) and len(set(ids)) == 200  # applied in call order
    # writes queued while one commit syncs go together into the next one
    assert store.commits - before < 200
    assert [words(m) for m in await store.queued(10002, 500)] == [f"m{i}" for i in range(200)]
    await close(store)


async def test_a_failing_write_does_not_undo_the_others_in_its_commit(store: AnyStore) -> None:
    await store.create_account(10001, _hash("x"), Profile(uin=10001), AuthMode.ANYONE, True)
    insert = (
        "INSERT INTO messages (id, recipient, sender, conversation_kind, conversation_number,"
        " kind, content, time) VALUES (-1, 1, 1, 'buddy', 1, 'text', '[]', 0)"
    )

    def half_then_fail(db: sqlite3.Connection) -> None:
        db.execute(insert)
        raise ValueError("no")

    async def half_then_fail_pg(db: Any) -> None:
        await db.execute(insert)
        raise ValueError("no")

    first = store.enqueue([text(10002, 10001, "kept")])
    failing: asyncio.Future[None]
    if isinstance(store, PostgresStore):
        failing = store._writer.submit(half_then_fail_pg, True)
    else:
        failing = store._writer.submit(half_then_fail, True)
    last = store.add_buddy(10002, 10001)
    assert await last
    with pytest.raises(ValueError, match="no"):
        await failing
    assert await first
    assert [words(m) for m in await store.queued(10002, 10)] == ["kept"]
    assert not await store.queued(1, 10)
    with pytest.raises(ValueError, match="already exists"):
        await store.create_account(10001, _hash("x"), Profile(uin=10001), AuthMode.ANYONE, True)
    await close(store)


async def test_close_commits_what_is_queued_then_refuses_writes(stores: StoreOpener) -> None:
    store = await stores()
    queued = [store.enqueue([text(10002, 10001, f"m{i}")]) for i in range(50)]
    store.close()  # nobody awaited them: they are committed all the same
    with pytest.raises(StoreError):
        await store.enqueue([text(10002, 10001, "late")])
    with pytest.raises(StoreError):
        await store.queued(10002, 10)
    await asyncio.gather(*queued)
    store.close()  # twice is fine
    again = await stores()
    assert [words(m) for m in await again.queued(10002, 100)] == [f"m{i}" for i in range(50)]
    # ids go on after the last one given out, never again
    (next_id,) = await again.enqueue([text(10002, 10001, "next")])
    assert next_id > max(m.id for m in await again.queued(10002, 50))
    await close(again)


async def test_answering_a_request_is_one_transaction(
    store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request goes, the buddy is added and the answer is queued, or none of it."""
    from qqdesk.server.store import postgres, sqlite

    for uin in (10001, 10002):
        await store.create_account(uin, _hash("x"), Profile(uin=uin), AuthMode.VERIFY, True)
    assert await store.request(10001, 10002, "hi")
    got = [(m.sender, m.kind, words(m)) for m in await store.queued(10002, 10)]
    assert got == [(10001, MessageKind.ADD_REQUEST, "hi")]

    def broken_enqueue(*_: object) -> list[int]:
        raise sqlite3.OperationalError("disk I/O error")

    async def broken_enqueue_pg(*_: object) -> list[int]:
        raise asyncpg.exceptions.DataCorruptedError("disk I/O error")

    with monkeypatch.context() as patch:
        if isinstance(store, PostgresStore):
            patch.setattr(postgres, "_enqueue", broken_enqueue_pg)
        else:
            patch.setattr(sqlite, "_enqueue", broken_enqueue)
        with pytest.raises(StoreError, match="disk I/O error"):
            await store.answer_request(10001, 10002, True, "")
    # Nothing of the failed answer stuck: the request is still there, no buddy added.
    assert await store.buddies(10001) == [] and await store.queued(10001, 10) == []
    assert await store.open_request(10001, 10002) == "hi"
    assert await store.answer_request(10001, 10002, True, "welcome")
    assert await store.buddies(10001) == [10002]
    got = [(m.sender, m.kind, words(m)) for m in await store.queued(10001, 10)]
    assert got == [(10002, MessageKind.REQUEST_APPROVED, "welcome")]
    # Answered once: a second answer finds no request and changes nothing.
    assert await store.answer_request(10001, 10002, False, "no") is None
    assert len(await store.queued(10001, 10)) == 1
    await close(store)


async def test_sqlite_reads_no_inbox_it_knows_is_empty(tmp_path: Path) -> None:
    """SQLite answers queued() without a read when nothing can be past ``after``: every
    message stored before the store opened has a smaller id than any it hands out, and
    it stamps every one it queues. Messages from before a restart, new ones and rows
    copied in by load() are still found."""
    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path)
    [old] = await store.enqueue([text(10001, 10002, "before the restart")])
    store.close()

    store = SqliteStore(path)
    reads = 0
    query = store._query

    async def counted(sql: str, args: Any = ()) -> Any:
        nonlocal reads
        reads += 1
        return await query(sql, args)

    store._query = counted  # type: ignore[method-assign]
    assert [words(m) for m in await store.queued(10001, 10)] == ["before the restart"]
    assert [words(m) for m in await store.queued(10001, 10, after=old - 1)] == [
        "before the restart"
    ]
    assert reads == 2
    # past everything (older than this run, and nothing queued since): no read
    assert await store.queued(10001, 10, after=old) == []
    assert await store.queued(10003, 10, after=old) == []
    assert reads == 2
    written = store.enqueue([text(10001, 10002, "new")])
    [new] = await written
    assert [words(m) for m in await store.queued(10001, 10, after=old)] == ["new"]
    assert reads == 3
    assert await store.queued(10001, 10, after=new) == []
    assert await store.queued(10002, 10, after=old) == []  # (queued for 10001 only)
    assert reads == 3
    # rows copied in keep their ids: ids go on after them, and they are read
    columns = ["id", "recipient", "sender", "conversation_kind", "conversation_number"]
    columns += ["kind", "content", "time"]
    copied = (new + 100, 10004, 10002, "buddy", 10002, "text", '["copied"]', 0)
    await store.load("messages", columns, [copied])
    assert [m.id for m in await store.queued(10004, 10, after=new)] == [new + 100]
    [later] = await store.enqueue([text(10001, 10002, "later")])
    assert later > new + 100
    assert [words(m) for m in await store.queued(10001, 10, after=new)] == ["later"]
    store.close()
