"""The history store's schema versions: a file written by the previous release opens,
every row intact and searchable; a newer file is refused; a failed step changes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from qqdesk.client import (
    Buddy,
    Conversation,
    DeliveryState,
    Face,
    HistoryStore,
    HistoryTooNew,
    MessageReceived,
    Presence,
    split_text,
)
from qqdesk.client import store as store_module
from qqdesk.core import Category
from qqdesk.server import QQServer

from .conftest import ALICE, BOB, next_event
from .test_real_server import NewSession

FIXTURE = Path(__file__).parent / "fixtures" / "history-v1.sqlite"
# The values make_v1_history.py wrote (it needs the old code, so it is not imported).
BUDDY, STRANGER = 10002, 55555
LONG = "长" * 1500 + " " + "long text " * 100
buddy = Conversation.buddy


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


def schema(path: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """The file's user_version and every schema object, as SQLite lists them."""
    db = sqlite3.connect(path)
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        objects = db.execute(
            "SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        db.close()
    return version, [(str(t), str(n), str(s)) for t, n, s in objects]


def rows(path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        found: list[tuple[object, ...]] = []
        for table in ("messages", "buddies", "requests", "settings"):
            found += [(table, *r) for r in db.execute(f"SELECT * FROM {table} ORDER BY 1")]
    finally:
        db.close()
    return found


def test_the_fixture_is_version_1_as_the_old_code_wrote_it() -> None:
    version, objects = schema(FIXTURE)
    assert version == 0  # the old code kept no version: that is version 1
    names = {name for _, name, _ in objects}
    assert {"messages", "buddies", "requests", "settings", "messages_fts"} <= names
    assert "messages_by_peer" in names


def test_a_version_1_file_opens_with_every_row_intact(v1_file: Path) -> None:
    store = HistoryStore(v1_file)
    try:
        assert store.version == store_module.schema_version() == 3
        chat = list(reversed(store.history(buddy(BUDDY))))
        parts = split_text(LONG)
        assert [(m.outgoing, m.text, m.state, m.server_id) for m in chat] == [
            (False, "你好，小明！", DeliveryState.SENT, 7),
            (False, "hello /微笑 there", DeliveryState.SENT, 8),
            (True, "sent and delivered", DeliveryState.SENT, None),
            (True, "still pending 等待", DeliveryState.PENDING, None),
            (True, parts[0], DeliveryState.SENT, None),
            (True, parts[1], DeliveryState.FAILED, None),
        ]
        assert [m.time for m in chat] == [
            1_700_000_000.0,
            1_700_000_001.0,
            1_700_000_010.0,
            1_700_000_020.0,
            1_700_000_040.0,
            1_700_000_040.0,
        ]
        # The face written in text form is a face part now.
        assert chat[1].content == ("hello ", Face(14), " there")
        assert all(m.conversation == buddy(BUDDY) and m.sender is None for m in chat)
        # The split text's parts still fail together.
        assert [m.local_id for m in store.chain_of(chat[4].local_id)] == [
            chat[4].local_id,
            chat[5].local_id,
        ]
        stranger = list(reversed(store.history(buddy(STRANGER))))
        assert [(m.outgoing, m.text, m.state) for m in stranger] == [
            (False, "a legacy server gives no ids", DeliveryState.SENT),
            (True, "this one failed", DeliveryState.FAILED),
        ]
        assert store.count() == 8
        assert [m.text for m in store.pending()] == ["still pending 等待"]
        assert store.buddies() == [
            Buddy(BUDDY, "Bob 小明", 3, Presence.ONLINE),
            Buddy(10003, "Carol", 270, Presence.BUSY),
            Buddy(10004, "隐身的人", 0, Presence.HIDDEN),
            Buddy(10005, "", 0, Presence.OFFLINE),
        ]
        assert [(r.uin, r.reason, r.time) for r in store.requests()] == [
            (STRANGER, "请加我", 1_700_000_100.0),
            (10006, "", 1_700_000_101.0),
        ]
        assert store.last_status() is Presence.BUSY
        # The full-text index of version 1 still answers (3+ characters), and LIKE too.
        assert store.full_text
        assert [m.text for m in store.search("小明！")] == ["你好，小明！"]
        assert [m.text for m in store.search("legacy server")] == ["a legacy server gives no ids"]
        assert [m.text for m in store.search("长长长")] == [parts[0]]
        assert [m.text for m in store.search("等待")] == ["still pending 等待"]
        assert store.search("failed", buddy(BUDDY)) == []
        # A server id seen before is still known: the same delivery is not kept twice.
        assert (
            store.add_incoming(
                buddy(BUDDY), ("你好，小明！",), 1.0, server_id=7, server_time=1_700_000_000
            )
            is None
        )
    finally:
        store.close()


def test_opening_a_migrated_file_again_changes_nothing(v1_file: Path) -> None:
    HistoryStore(v1_file).close()
    before = schema(v1_file), rows(v1_file)
    HistoryStore(v1_file).close()
    assert (schema(v1_file), rows(v1_file)) == before


async def test_sending_and_receiving_go_on_in_a_migrated_file(
    v1_file: Path, real: QQServer, new_session: NewSession
) -> None:
    """The fixture is Alice's history (her buddy 10002 is Bob)."""
    assert BUDDY == BOB
    alice = new_session(real.url, ALICE, "alice-pw", store=v1_file)
    bob = new_session(real.url, BOB, "bob-pw")
    await alice.login()
    await bob.login()
    alice_events, bob_events = alice.events(), bob.events()
    # The message left pending in the old file is sent at login.
    (old_pending,) = [m for m in alice.history(BOB) if m.text == "still pending 等待"]
    assert await alice.wait_delivered(old_pending.local_id) is DeliveryState.SENT
    assert (await next_event(bob_events, MessageReceived)).text == "still pending 等待"
    sent = await alice.send_message(BOB, "新的消息 /微笑")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    got = await next_event(bob_events, MessageReceived)
    assert (got.conversation, got.content) == (buddy(ALICE), ("新的消息 ", Face(14)))
    await bob.send_message(ALICE, "回复 from Bob")
    got = await next_event(alice_events, MessageReceived)
    assert (got.conversation, got.text) == (buddy(BOB), "回复 from Bob")
    texts = [m.text for m in alice.history(BOB, limit=3)]
    assert texts == ["回复 from Bob", "新的消息 /微笑", split_text(LONG)[1]]
    assert alice.history(BOB)[1].content == ("新的消息 ", Face(14))
    assert [m.text for m in alice.search_history("from Bob")] == ["回复 from Bob"]
    assert alice.count() == 10 and alice.count(BOB) == 8


def test_a_file_from_a_newer_version_is_refused(v1_file: Path) -> None:
    db = sqlite3.connect(v1_file)
    db.execute(f"PRAGMA user_version = {store_module.schema_version() + 1}")
    db.close()
    before = schema(v1_file), rows(v1_file)
    with pytest.raises(HistoryTooNew, match="newer qqdesk"):
        HistoryStore(v1_file)
    assert (schema(v1_file), rows(v1_file)) == before


def test_a_failed_migration_leaves_the_file_unchanged(
    v1_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = schema(v1_file), rows(v1_file)
    calls = 0
    real_json = store_module.content_json

    def failing(content: tuple[str | Face, ...]) -> str:
        nonlocal calls
        calls += 1
        if calls == 5:  # half way through the rows, after the tables have changed
            raise RuntimeError("power cut")
        return real_json(content)

    monkeypatch.setattr(store_module, "content_json", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        HistoryStore(v1_file)
    assert (schema(v1_file), rows(v1_file)) == before
    monkeypatch.undo()
    store = HistoryStore(v1_file)  # and it migrates fine later
    assert store.version == store_module.schema_version() and store.count() == 8
    store.close()


def test_a_new_file_starts_at_the_newest_version(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "new.sqlite3")
    assert store.version == store_module.schema_version()
    store.close()


def test_a_version_2_file_gets_remarks_and_categories_with_every_row_intact(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history-v2.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in store_module.MIGRATIONS[:2]:  # the schema the release before wrote
        step(db)
    db.execute("PRAGMA user_version = 2")
    db.executemany(
        "INSERT INTO buddies (uin, nick, face, presence, position) VALUES (?, ?, ?, ?, ?)",
        [(10002, "Bob 小明", 270, "busy", 0), (10003, "Carol", 0, "offline", 1)],
    )
    db.execute("INSERT INTO settings (key, value) VALUES ('status', 'busy')")
    db.close()
    before = rows(path)
    store = HistoryStore(path)
    try:
        assert store.version == store_module.schema_version() == 3
        assert store.buddies() == [
            Buddy(10002, "Bob 小明", 270, Presence.BUSY),
            Buddy(10003, "Carol", 0, Presence.OFFLINE),
        ]
        assert store.categories() == [Category(0)]
        assert store.last_status() is Presence.BUSY
        # what a later sign-in keeps, read back at the next start
        store.save_buddies([Buddy(10002, "Bob 小明", 270, Presence.BUSY, "老板", 1)])
        store.save_categories([Category(0), Category(1, "同学, 朋友")])
        assert store.buddies() == [Buddy(10002, "Bob 小明", 270, Presence.BUSY, "老板", 1)]
        assert store.categories() == [Category(0), Category(1, "同学, 朋友")]
    finally:
        store.close()
    # every old value where it was (the new columns come last)
    after = rows(path)
    assert [r for r in after if r[0] != "buddies" and r[:2] != ("settings", "categories")] == [
        r for r in before if r[0] != "buddies"
    ]
    # and the buddies' columns are a new file's
    HistoryStore(tmp_path / "fresh.sqlite3").close()
    assert columns(path, "buddies") == columns(tmp_path / "fresh.sqlite3", "buddies")


def columns(path: Path, table: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return [tuple(r) for r in db.execute(f"PRAGMA table_info({table})")]
    finally:
        db.close()


def test_a_damaged_categories_setting_reads_as_the_default_one(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    try:
        store._set_setting("categories", "{not json")
        assert store.categories() == [Category(0)]
    finally:
        store.close()
