"""Schema versions: a store written by the release before versions (schema 1), and one
written by the release before rooms (schema 2), open with every row intact; a newer file
is refused; a failing step leaves the file as it was."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from qqdesk.core import (
    AuthMode,
    BloodType,
    BuddyEntry,
    Category,
    Constellation,
    Conversation,
    ConversationKind,
    Face,
    Profile,
    ProfilePrivacy,
    Sex,
    Zodiac,
    render_text,
)
from qqdesk.server import SqliteStore, StoreError
from qqdesk.server.store import MessageKind, check_password, latest_version, md5_hex, migrations

from .conftest import text
from .fixtures.v1_data import LONG, WEI_PROFILE

FIXTURE = Path(__file__).parent / "fixtures" / "store-v1.sqlite"
FIXTURE_V2 = Path(__file__).parent / "fixtures" / "store-v2.sqlite"
_ENUMS: dict[str, Any] = {
    "sex": Sex,
    "blood_type": BloodType,
    "constellation": Constellation,
    "zodiac": Zodiac,
}
_WEI_FIELDS: dict[str, Any] = {
    k: _ENUMS[k](v) if k in _ENUMS else v for k, v in WEI_PROFILE.items()
}
WEI = Profile(uin=24259132, **_WEI_FIELDS)


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    copy = tmp_path / "store-v1.sqlite"
    shutil.copyfile(FIXTURE, copy)
    return copy


def _dump(path: Path) -> tuple[int, list[str]]:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0]), list(db.iterdump())
    finally:
        db.close()


async def test_a_version_1_store_opens_with_every_row_intact(v1_file: Path) -> None:
    assert _dump(v1_file)[0] == 0  # the release before versions never set one
    store = SqliteStore(v1_file)
    try:
        assert _dump(v1_file)[0] == latest_version() == len(migrations.MIGRATIONS)
        accounts = {a.profile.uin: a for a in await store.list_accounts()}
        assert sorted(accounts) == [10001, 10002, 24259132]
        wei = accounts[24259132]
        assert (wei.profile, wei.auth, wei.searchable) == (WEI, AuthMode.VERIFY, True)
        alice, bob = accounts[10001], accounts[10002]
        assert (alice.profile, alice.auth) == (
            Profile(10001, nick="Alice", face=3),
            AuthMode.ANYONE,
        )
        assert bob.profile == Profile(10002, nick="Bob 小明", province="西藏", age=40)
        assert (bob.auth, bob.searchable) == (AuthMode.NOBODY, False)
        for uin, password in ((24259132, "wei-pw"), (10001, "alice-pw"), (10002, "bob-pw")):
            assert check_password(md5_hex(password), await store.password_hash(uin) or "")
        assert await store.buddies(10001) == [10002, 24259132]
        assert await store.buddies(10002) == [10001]
        assert await store.buddies(24259132) == [10001]
        assert await store.open_request(10002, 24259132) == "请加我, please"

        alice_queue = await store.queued(10001, 10)
        assert [(m.id, m.sender, m.kind) for m in alice_queue] == [
            (1, 10002, MessageKind.TEXT),
            (3, 24259132, MessageKind.TEXT),
        ]  # the MT=99 rows 2 and 7 are gone (see migrations._to_v2)
        assert alice_queue[0].content == ("hello 你好 ", Face(14), " a,b&c=d%")
        assert render_text(alice_queue[1].content) == LONG
        assert alice_queue[1].content[:2] == (
            "长消息 long message, 逗号,和&符号=百分号% ",
            Face(14),
        )
        assert all(m.conversation == Conversation.buddy(m.sender) for m in alice_queue)
        (request,) = await store.queued(24259132, 10)
        assert (request.id, request.sender, request.kind, request.content) == (
            4,
            10002,
            MessageKind.ADD_REQUEST,
            ("请加我, please",),
        )
        bob_queue = await store.queued(10002, 10)
        assert [(m.id, m.sender, m.kind, m.content) for m in bob_queue] == [
            (5, 24259132, MessageKind.REQUEST_APPROVED, ("欢迎",)),
            (6, 10001, MessageKind.REQUEST_REFUSED, ()),
            (8, 10001, MessageKind.TEXT, ("last ", Face(3), "/face99 /unknown")),
        ]
        assert all(m.time == bob_queue[0].time > 1_700_000_000 for m in bob_queue)
        # the client-id and privacy step: every account shows everything, as before
        for uin in accounts:
            assert await store.privacy(uin) == ProfilePrivacy()
        # new ids follow the old ones, the dropped rows' ids included
        (next_id,) = await store.enqueue([text(10002, 10001, "new")])
        assert next_id == 9
        assert await store.enqueue_once(text(10002, 10001, "once"), "c1")
        assert not await store.enqueue_once(text(10002, 10001, "once"), "c1")
    finally:
        store.close()
    # a second open finds the latest version and changes nothing
    before = _dump(v1_file)
    SqliteStore(v1_file).close()
    assert _dump(v1_file) == before


async def test_the_old_texts_read_back_as_they_were_sent(v1_file: Path) -> None:
    store = SqliteStore(v1_file)
    try:
        texts = [render_text(m.content) for m in await store.queued(10001, 10)]
        texts += [render_text(m.content) for m in await store.queued(10002, 10)]
    finally:
        store.close()
    assert texts == ["hello 你好 /微笑 a,b&c=d%", LONG, "欢迎", "", "last /发呆/face99 /unknown"]


def test_a_store_from_a_newer_release_is_refused_untouched(v1_file: Path) -> None:
    db = sqlite3.connect(v1_file)
    db.execute(f"PRAGMA user_version={latest_version() + 1}")
    db.close()
    before = _dump(v1_file)
    latest = latest_version()
    newer = rf"schema version {latest + 1}, newer than this qqdesk knows \({latest}\)"
    with pytest.raises(StoreError, match=newer):
        SqliteStore(v1_file)
    assert _dump(v1_file) == before


def test_a_failing_step_leaves_the_file_as_it_was(
    v1_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite3.connect(v1_file)
    db.execute("PRAGMA user_version=1")  # as step 1 leaves it (it changes no table)
    db.close()
    before = _dump(v1_file)

    def half_then_fail(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM accounts")
        db.execute("DROP TABLE buddies")
        raise sqlite3.OperationalError("disk I/O error")

    steps = [*migrations.MIGRATIONS[:1], half_then_fail]
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    with pytest.raises(StoreError, match=r"cannot upgrade .* to version 2: disk I/O error"):
        SqliteStore(v1_file)
    assert _dump(v1_file) == before
    monkeypatch.undo()
    SqliteStore(v1_file).close()  # and the real step still works on it
    assert _dump(v1_file)[0] == latest_version()


def test_a_new_file_starts_at_the_latest_version(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "new.sqlite3").close()
    version, dump = _dump(tmp_path / "new.sqlite3")
    assert version == latest_version()
    assert any("conversation_kind" in line for line in dump)


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
    finally:
        db.close()


def _schema(path: Path) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    finally:
        db.close()


async def test_a_version_2_store_gets_rooms_with_every_row_intact(tmp_path: Path) -> None:
    v2_file = tmp_path / "store-v2.sqlite"
    shutil.copyfile(FIXTURE_V2, v2_file)
    assert _dump(v2_file)[0] == 2
    tables = ("accounts", "buddies", "requests", "messages")
    before = {table: _rows(v2_file, table) for table in tables}
    assert [len(rows) for rows in before.values()] == [4, 5, 1, 6]
    store = SqliteStore(v2_file)
    try:
        assert _dump(v2_file)[0] == latest_version()
        after = {table: _rows(v2_file, table) for table in tables}
        # (later steps add columns at the end: every old value is where it was)
        assert {
            t: [row[: len(before[t][0])] for row in rows] for t, rows in after.items()
        } == before
        # and through the interface
        assert [a.profile.nick for a in await store.list_accounts()] == [
            "Alice",
            "Bob 小明",
            "Carol",
            "微程",
        ]
        assert check_password(md5_hex("pw10002"), await store.password_hash(10002) or "")
        assert await store.buddies(10002) == [10001, 24259132]
        assert await store.open_request(10003, 10001) == "请加我, please"
        bob = await store.queued(10002, 10)
        assert [(m.id, m.conversation, m.content) for m in bob] == [
            (4, Conversation.buddy(10001), ("hi",)),
            (5, Conversation.group(100000), ("群", Face(3))),
            (6, Conversation.buddy(24259132), ("欢迎",)),
        ]
        # the new tables start empty; numbers and ids go on from where they were
        assert await store.rooms_of(10001) == [] and await store.remarks(10001) == {}
        assert await store.web_logins() == []
        group = await store.create_room(ConversationKind.GROUP, "群", 10001, [10002])
        assert group == Conversation.group(100000)
        said = await store.post(group, 10001, ("hello",))
        (queued,) = await store.enqueue([text(10001, 10002, "next")])
        assert 6 < said.id < queued
    finally:
        store.close()
    # the upgraded file has the schema a new file gets
    SqliteStore(tmp_path / "new.sqlite3").close()
    assert _schema(v2_file) == _schema(tmp_path / "new.sqlite3")


async def test_a_version_4_store_gets_categories_with_every_row_intact(tmp_path: Path) -> None:
    v4_file = tmp_path / "store-v4.sqlite"
    db = sqlite3.connect(v4_file, isolation_level=None)
    for step in migrations.MIGRATIONS[:4]:  # the schema the release before categories wrote
        step(db)
    db.execute("PRAGMA user_version=4")
    for uin, nick, face in ((10001, "Alice", 3), (10002, "小明", 270), (10003, "C", 0)):
        db.execute(
            "INSERT INTO accounts (uin, password_hash, created, nick, face)"
            " VALUES (?, 'h', 1, ?, ?)",
            (uin, nick, face),
        )
    db.executemany(
        "INSERT INTO buddies VALUES (?, ?, ?)",
        [(10001, 10003, 0), (10001, 10002, 1), (10002, 10001, 0)],
    )
    db.execute("INSERT INTO remarks VALUES (10001, 10002, '老板')")
    db.close()
    tables = ("accounts", "buddies", "remarks")
    before = {table: _rows(v4_file, table) for table in tables}
    store = SqliteStore(v4_file)
    try:
        assert _dump(v4_file)[0] == latest_version() == 5
        after = {table: _rows(v4_file, table) for table in tables}
        assert {
            t: [row[: len(before[t][0])] for row in rows] for t, rows in after.items()
        } == before
        assert await store.categories(10001) == [Category(0)]
        assert await store.buddy_entries(10001, 0, -1) == [
            BuddyEntry(10003, "C", 0),
            BuddyEntry(10002, "小明", 270, "老板"),
        ]
        assert await store.add_category(10001, "同学", 100) == 1
        assert await store.set_category(10001, 10002, 1)
    finally:
        store.close()
    SqliteStore(tmp_path / "new.sqlite3").close()
    # the new table and column as a new file has them (step 2 rewrote "messages" quoted)
    new = [t for t in _schema(tmp_path / "new.sqlite3") if t[1] != "messages"]
    assert [t for t in _schema(v4_file) if t[1] != "messages"] == new
