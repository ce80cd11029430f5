"""The PostgreSQL store's own behaviour: migrations (alone and with nodes racing), sequences,
message id blocks, and losing the database (a killed connection, a crash, a restart)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from qqdesk.core import (
    MIN_UIN,
    AuthMode,
    BuddyEntry,
    Category,
    Conversation,
    ConversationKind,
    Face,
    Profile,
)
from qqdesk.server.store import MessageKind, SqliteStore, StoreError, open_store
from qqdesk.server.store.postgres import PostgresStore
from qqdesk.server.store.postgres_migrations import MIGRATIONS
from qqdesk.server.store.postgres_migrations import latest_version as pg_latest
from tests.support.postgres import Cluster

from .conftest import text, words

T = TypeVar("T")


@pytest.fixture
async def admin(postgres_url: str) -> AsyncIterator[Any]:
    """A superuser connection to the test's database (autocommit)."""
    db = await asyncpg.connect(postgres_url)
    yield db
    await db.close()


async def until(check: Callable[[], Awaitable[T]], what: str, seconds: float = 30.0) -> T:
    """Wait for a condition the test cannot be told about (another process's state)."""
    try:
        async with asyncio.timeout(seconds):
            while not (value := await check()):
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"timed out waiting until {what}") from None
    return value


def account(uin: int = 0, nick: str = "") -> Profile:
    return Profile(uin=uin, nick=nick)


async def test_an_empty_database_gets_the_latest_schema(postgres_url: str, admin: Any) -> None:
    store = await PostgresStore.open(postgres_url)
    assert await admin.fetchval("SELECT version FROM schema_version") == pg_latest()
    tables = {
        r[0]
        for r in await admin.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1"
        )
    }
    assert tables == {
        "accounts",
        "buddies",
        "requests",
        "messages",
        "schema_version",
        "rooms",
        "room_members",
        "room_messages",
        "remarks",
        "web_logins",
        "sessions",
        "sent_ids",
        "categories",
        "web_id_key",
        "web_tickets",
        "web_sessions",
    }
    columns = {
        r[0]
        for r in await admin.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name='messages'"
        )
    }
    assert {"conversation_kind", "conversation_number", "content"} <= columns
    sequences = {r[0] for r in await admin.fetch("SELECT sequencename FROM pg_sequences")}
    assert sequences == {"account_numbers", "message_ids", "room_numbers"}
    await store.aclose()
    # opening again changes nothing
    again = await PostgresStore.open(postgres_url)
    assert await admin.fetchval("SELECT count(*) FROM schema_version") == 1
    await again.aclose()


async def test_a_version_1_database_is_brought_to_version_2(postgres_url: str, admin: Any) -> None:
    async with admin.transaction():
        await admin.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        await admin.execute("INSERT INTO schema_version VALUES (1)")
        await MIGRATIONS[0](admin)
    await admin.execute(
        "INSERT INTO messages (id, recipient, sender, kind, text, time) VALUES"
        " (7, 10002, 10001, 9, 'hi /微笑', 100), (8, 10002, 10001, 99, '10', 100),"
        " (9, 10002, 10003, 2, 'let me in', 101)"
    )
    store = await PostgresStore.open(postgres_url)
    got = [(m.id, m.sender, m.kind, m.content) for m in await store.queued(10002, 10)]
    assert got == [
        (7, 10001, MessageKind.TEXT, ("hi ", Face(14))),
        (9, 10003, MessageKind.ADD_REQUEST, ("let me in",)),
    ]
    (later,) = await store.enqueue([text(10002, 10001, "new")])
    assert later > 9  # the sequence was moved above the ids already there
    await store.aclose()


async def at_version(admin: Any, version: int) -> None:
    """The database as the release at schema ``version`` left it (its migrations only)."""
    async with admin.transaction():
        await admin.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        await admin.execute(f"INSERT INTO schema_version VALUES ({version})")
        for step in MIGRATIONS[:version]:
            await step(admin)


async def test_a_version_2_database_gets_rooms_with_every_row_intact(
    postgres_url: str, admin: Any
) -> None:
    await at_version(admin, 2)
    await admin.execute(
        "INSERT INTO accounts (uin, password_hash, created, nick) VALUES"
        " (10001, 'h1', 1, 'Alice'), (10002, 'h2', 2, '小明')"
    )
    await admin.execute("INSERT INTO buddies VALUES (10001, 10002, 0), (10002, 10001, 0)")
    await admin.execute("INSERT INTO requests VALUES (10002, 10001, '请加我', 3)")
    await admin.execute(
        "INSERT INTO messages VALUES (41, 10002, 10001, 'buddy', 10001, 'text', '[\"hi\"]', 4),"
        " (42, 10002, 10001, 'group', 100000, 'text', '[{\"face\":3}]', 5)"
    )
    dumps = "SELECT * FROM {} ORDER BY 1, 2"
    tables = ("accounts", "buddies", "requests", "messages")
    before = {t: [tuple(r) for r in await admin.fetch(dumps.format(t))] for t in tables}
    store = await PostgresStore.open(postgres_url)
    assert await admin.fetchval("SELECT version FROM schema_version") == pg_latest()
    after = {t: [tuple(r) for r in await admin.fetch(dumps.format(t))] for t in tables}
    # (later steps add columns at the end: every old value is where it was)
    assert {t: [row[: len(before[t][0])] for row in rows] for t, rows in after.items()} == before
    assert [(m.id, m.content) for m in await store.queued(10002, 10)] == [
        (41, ("hi",)),
        (42, (Face(3),)),
    ]
    group = await store.create_room(ConversationKind.GROUP, "g", 10001, [10002])
    assert group == Conversation.group(100000)
    said = await store.post(group, 10002, ("x",))
    assert said.id > 42
    await store.aclose()


async def test_a_version_5_database_gets_categories_with_every_row_intact(
    postgres_url: str, admin: Any
) -> None:
    await at_version(admin, 5)
    await admin.execute(
        "INSERT INTO accounts (uin, password_hash, created, nick, face) VALUES"
        " (10001, 'h1', 1, 'Alice', 3), (10002, 'h2', 2, '小明', 270), (10003, 'h3', 3, 'C', 0)"
    )
    await admin.execute(
        "INSERT INTO buddies VALUES (10001, 10003, 0), (10001, 10002, 1), (10002, 10001, 0)"
    )
    await admin.execute("INSERT INTO remarks VALUES (10001, 10002, '老板')")
    dumps = "SELECT * FROM {} ORDER BY 1, 2"
    tables = ("accounts", "buddies", "remarks")
    before = {t: [tuple(r) for r in await admin.fetch(dumps.format(t))] for t in tables}
    store = await PostgresStore.open(postgres_url)
    assert await admin.fetchval("SELECT version FROM schema_version") == pg_latest()
    after = {t: [tuple(r) for r in await admin.fetch(dumps.format(t))] for t in tables}
    assert {t: [row[: len(before[t][0])] for row in rows] for t, rows in after.items()} == before
    # every buddy is in the default category, the only one there is
    assert await store.categories(10001) == [Category(0)]
    assert await store.buddy_entries(10001, 0, -1) == [
        BuddyEntry(10003, "C", 0),
        BuddyEntry(10002, "小明", 270, "老板"),
    ]
    assert await store.add_category(10001, "同学", 100) == 1
    assert await store.set_category(10001, 10002, 1)
    await store.aclose()


async def test_a_version_5_database_gets_the_shared_web_channel_with_every_row_intact(
    postgres_url: str, admin: Any
) -> None:
    await at_version(admin, 5)
    await admin.execute(
        "INSERT INTO accounts (uin, password_hash, created, nick) VALUES"
        " (10001, 'h1', 1, 'Alice'), (10002, 'h2', 2, '小明')"
    )
    await admin.execute("INSERT INTO buddies VALUES (10001, 10002, 0)")
    await admin.execute(
        "INSERT INTO messages VALUES (41, 10002, 10001, 'buddy', 10001, 'text', '[\"hi\"]', 4)"
    )
    await admin.execute("INSERT INTO sessions VALUES (10001, '127.0.0.1', 'tok', 'online', 'n', 5)")
    await admin.execute(
        "INSERT INTO web_logins (code, token, created, state) VALUES ('ABCDEFGH', 7, 6, 'pending')"
    )
    dumps = "SELECT * FROM {} ORDER BY 1"
    tables = ("accounts", "buddies", "messages", "sessions", "web_logins")
    before = {t: [tuple(r) for r in await admin.fetch(dumps.format(t))] for t in tables}
    store = await PostgresStore.open(postgres_url)
    try:
        assert await admin.fetchval("SELECT version FROM schema_version") == pg_latest()
        after = {t: [tuple(r) for r in await admin.fetch(dumps.format(t))] for t in tables}
        # (buddies gained a category column at step 6: the old columns are intact)
        assert {
            t: [row[: len(before[t][0])] for row in rows] for t, rows in after.items()
        } == before
        key = await store.web_id_key()
        assert len(key) == 32
    finally:
        await store.aclose()
    again = await PostgresStore.open(postgres_url)  # the key is made once
    try:
        assert await again.web_id_key() == key
    finally:
        await again.aclose()


async def test_a_newer_schema_is_refused(postgres_url: str, admin: Any) -> None:
    await (await PostgresStore.open(postgres_url)).aclose()
    await admin.execute("UPDATE schema_version SET version=99")
    with pytest.raises(StoreError, match="newer than this qqdesk knows"):
        await PostgresStore.open(postgres_url)


async def test_nodes_opening_one_empty_database_at_once_all_succeed(
    postgres_url: str, admin: Any
) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(postgres_url) for _ in range(4)))
    assert await admin.fetchval("SELECT version FROM schema_version") == pg_latest()
    # every node hands out its own account numbers and message ids: never the same twice
    numbers = await asyncio.gather(
        *(
            s.create_account(None, "h", account(), AuthMode.ANYONE, True)
            for s in stores
            for _ in range(5)
        )
    )
    assert len(set(numbers)) == 20 and min(numbers) >= MIN_UIN
    ids = [i for s in stores for i in await s.enqueue([text(10002, 10001, "x")] * 3)]
    assert len(set(ids)) == 12
    # one world: each node reads what the others wrote
    for store in stores:
        assert sorted(m.id for m in await store.queued(10002, 100)) == sorted(ids)
        assert len(await store.list_accounts()) == 20
    for store in stores:
        await store.aclose()


async def test_account_numbers_come_from_a_sequence_above_the_largest(
    postgres_url: str, admin: Any
) -> None:
    store = await PostgresStore.open(postgres_url)
    assert await store.create_account(None, "h", account(), AuthMode.ANYONE, True) == MIN_UIN
    await store.aclose()
    # rows put in by hand (a restore, another tool): the next open moves the sequence on
    await admin.execute("INSERT INTO accounts (uin, password_hash, created) VALUES (70000, 'h', 0)")
    store = await PostgresStore.open(postgres_url)
    assert await store.create_account(None, "h", account(), AuthMode.ANYONE, True) == 70001
    # a number taken behind the sequence's back while open is skipped, not reused
    await admin.execute("INSERT INTO accounts (uin, password_hash, created) VALUES (70002, 'h', 0)")
    assert await store.create_account(None, "h", account(), AuthMode.ANYONE, True) == 70003
    assert await admin.fetchval("SELECT last_value FROM account_numbers") == 70003
    await store.aclose()


async def test_message_ids_keep_call_order_across_blocks(postgres_url: str) -> None:
    store = await PostgresStore.open(postgres_url)
    block = store.ID_BLOCK
    seen: list[int] = []
    # more than two blocks: the spare block arrives in the background, and a request
    # larger than what is on hand is served at once all the same
    seen += store.reserve_message_ids(block - 5)
    seen += await store.enqueue([text(10002, 10001, f"m{i}") for i in range(10)])
    seen += store.reserve_message_ids(3 * block)
    seen += await store.enqueue([text(10002, 10001, "last")])
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    await store.aclose()


async def test_deletions_commit_without_waiting_for_the_flush(postgres_url: str) -> None:
    store = await PostgresStore.open(postgres_url)
    synced = store.synced_commits
    (first,) = await store.enqueue([text(10002, 10001, "m")])
    assert store.synced_commits == synced + 1
    commits, synced = store.commits, store.synced_commits
    await store.delete_upto(10002, first)
    assert await store.take(10002, 10) == []
    assert (store.commits, store.synced_commits) == (commits + 2, synced)
    await store.aclose()
    with pytest.raises(StoreError, match="closed"):
        await store.account(1)


async def test_an_unreachable_database_is_a_store_error_without_its_password(
    postgres_cluster: Cluster,
) -> None:
    wrong = f"postgresql://postgres:s3cret@127.0.0.1:{postgres_cluster.port}/no_such_db"
    with pytest.raises(StoreError, match="cannot open store") as caught:
        await PostgresStore.open(wrong)
    assert "s3cret" not in str(caught.value) and "no_such_db" in str(caught.value)


async def test_open_store_picks_the_store_by_its_name(postgres_url: str, tmp_path: Path) -> None:
    for target in (tmp_path / "a.sqlite3", f"sqlite:{tmp_path / 'b.sqlite3'}"):
        sqlite = await open_store(target)
        assert isinstance(sqlite, SqliteStore)
        await asyncio.to_thread(sqlite.close)
    assert (tmp_path / "b.sqlite3").exists()
    postgres = await open_store(postgres_url)
    assert isinstance(postgres, PostgresStore)
    await asyncio.to_thread(postgres.close)  # as QQServer.stop closes a store
    assert postgres.closed


async def test_a_killed_connection_fails_its_write_once_and_the_store_recovers(
    postgres_url: str, admin: Any
) -> None:
    store = await PostgresStore.open(postgres_url)
    await store.create_account(10001, "h", account(10001), AuthMode.ANYONE, True)
    watcher = await asyncpg.connect(postgres_url)
    # hold the write in flight: it waits for a lock the test holds
    lock = admin.transaction()
    await lock.start()
    await admin.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
    pending = store.update_account(10001, {"nick": "lost"})
    spared = [admin.get_server_pid(), watcher.get_server_pid()]

    async def waiting() -> bool:
        return bool(
            await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname=current_database()"
                " AND wait_event_type='Lock'"
            )
        )

    await until(waiting, "the store's write waits for the lock")
    killed = await watcher.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname=current_database()"
        " AND pid <> ALL($1::int[]) AND pg_terminate_backend(pid, 10000)",
        spared,
    )
    assert killed >= 1
    with pytest.raises(StoreError, match="lost the connection"):
        await pending
    await lock.rollback()
    # the next calls connect afresh
    assert await store.update_account(10001, {"nick": "kept"})
    found = await store.account(10001)
    assert found is not None and found.profile.nick == "kept"
    await watcher.close()
    await store.aclose()


async def test_the_store_works_again_once_the_database_is_back(
    postgres_url: str, postgres_cluster: Cluster
) -> None:
    store = await PostgresStore.open(postgres_url)
    (first,) = await store.enqueue([text(10002, 10001, "before")])
    await asyncio.to_thread(postgres_cluster.stop, "immediate")
    try:
        with pytest.raises(StoreError):
            await store.enqueue([text(10002, 10001, "while down")])
        with pytest.raises(StoreError):
            await store.queued(10002, 10)
    finally:
        await asyncio.to_thread(postgres_cluster.start)
    (after,) = await store.enqueue([text(10002, 10001, "after")])
    assert after > first
    assert [words(m) for m in await store.queued(10002, 10)] == ["before", "after"]
    await store.aclose()


async def test_a_crash_loses_nothing_acknowledged(
    postgres_url: str, postgres_cluster: Cluster
) -> None:
    """``pg_ctl stop -m immediate`` with writes in flight: every write that completed is
    there after recovery (the ones that failed may or may not be: they were in doubt)."""
    store = await PostgresStore.open(postgres_url)
    acked: list[str] = []

    async def write_until_refused() -> None:
        for round_ in range(10**6):
            batch = [f"m{round_}-{i}" for i in range(20)]
            outcomes = await asyncio.gather(
                *(store.enqueue([text(10002, 10001, w)]) for w in batch), return_exceptions=True
            )
            for word, got in zip(batch, outcomes, strict=True):
                if not isinstance(got, BaseException):
                    acked.append(word)
            if any(isinstance(got, StoreError) for got in outcomes):
                return

    writing = asyncio.create_task(write_until_refused())
    try:

        async def flowing() -> bool:
            return len(acked) >= 200

        await until(flowing, "writes are flowing")
        await asyncio.to_thread(postgres_cluster.stop, "immediate")
        await writing  # ends at the first refused write
    finally:
        await asyncio.to_thread(postgres_cluster.start)
    await store.aclose()
    again = await PostgresStore.open(postgres_url)
    stored = {words(m) for m in await again.queued(10002, 1000)}
    assert len(acked) >= 200 and set(acked) <= stored
    await again.aclose()


async def test_a_failing_enqueue_among_merged_ones_fails_alone(
    postgres_url: str, admin: Any
) -> None:
    """Neighbouring enqueues share one INSERT; when it fails, each is tried alone."""
    store = await PostgresStore.open(postgres_url)
    # the database refuses one of them (ids are given in the transaction: no clash of
    # ids can be arranged from outside any more)
    await admin.execute(
        "CREATE FUNCTION refuse_m0() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF NEW.content LIKE '%m0%' THEN RAISE EXCEPTION 'refused m0'; END IF;"
        " RETURN NEW; END $$"
    )
    await admin.execute(
        "CREATE TRIGGER refuse_m0 BEFORE INSERT ON messages"
        " FOR EACH ROW EXECUTE FUNCTION refuse_m0()"
    )
    commits = store.commits
    writes = [store.enqueue([text(10002, 10001, f"m{i}")]) for i in range(5)]
    outcomes = await asyncio.gather(*writes, return_exceptions=True)
    assert isinstance(outcomes[0], StoreError) and "refused m0" in str(outcomes[0])
    ids = [each[0] for each in outcomes[1:] if isinstance(each, list)]
    assert len(ids) == 4 and ids == sorted(ids)
    assert store.commits == commits + 1  # still one transaction for all five
    assert [words(m) for m in await store.queued(10002, 10)] == ["m1", "m2", "m3", "m4"]
    await store.aclose()


async def test_a_write_the_database_refuses_is_a_store_error_and_reads_go_on(
    postgres_url: str, admin: Any
) -> None:
    """A full disk, as PostgreSQL reports it (SQLSTATE 53100), from a trigger: the write
    fails whole with StoreError, reads and other writes go on, and it works once fixed."""
    store = await PostgresStore.open(postgres_url)
    await store.enqueue([text(10002, 10001, "before")])
    await admin.execute(
        "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " RAISE EXCEPTION 'could not extend file: No space left on device'"
        " USING ERRCODE = 'disk_full'; END $$;"
        " CREATE TRIGGER full_disk BEFORE INSERT ON messages"
        " FOR EACH ROW EXECUTE FUNCTION full_disk()"
    )
    with pytest.raises(StoreError, match=r"cannot write to .*No space left on device"):
        await store.request(10001, 10002, "hi")  # its notice cannot be queued
    assert await store.open_request(10001, 10002) is None  # nothing of it was kept
    assert [words(m) for m in await store.queued(10002, 10)] == ["before"]
    assert await store.add_buddy(10001, 10002)
    await admin.execute("DROP TRIGGER full_disk ON messages")
    assert await store.request(10001, 10002, "hi")
    assert [words(m) for m in await store.queued(10002, 10)] == ["before", "hi"]
    await store.aclose()
