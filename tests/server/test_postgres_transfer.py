"""copy_store: a populated SQLite store into PostgreSQL and back, every row field by field."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from qqdesk.core import (
    Audience,
    AuthMode,
    BloodType,
    Conversation,
    ConversationKind,
    Face,
    Profile,
    ProfilePrivacy,
    Sex,
)
from qqdesk.server.store import (
    MessageKind,
    NewMessage,
    SqliteStore,
    StoreError,
    copy_store,
    hash_password,
    md5_hex,
)
from qqdesk.server.store.postgres import PostgresStore
from qqdesk.server.store.transfer import TABLES

from .conftest import FAST_SCRYPT, text

PEOPLE = (10001, 10002, 10003, 10004, 60000)


async def populate(store: SqliteStore) -> None:
    """Every kind of row, with values that a copy could garble."""
    for uin in PEOPLE:
        profile = Profile(
            uin=uin,
            nick=f"昵称 {uin} ' \" \\",
            face=uin % 300,
            age=uin % 90,
            sex=Sex(uin % 2),
            province="甘肃",
            intro="a,b&c=d%\n第二行",
            blood_type=BloodType(uin % 5),
        )
        await store.create_account(
            uin,
            hash_password(md5_hex(f"pw{uin}"), n=FAST_SCRYPT),
            profile,
            AuthMode(uin % 4),
            uin != 10003,
        )
    for buddy in (10004, 60000, 10002):  # not in number order: the order must survive
        await store.add_buddy(10001, buddy)
    await store.add_buddy(10002, 10001)
    await store.remove_buddy(10001, 60000)
    await store.add_buddy(10001, 10003)
    await store.request(10003, 10001, "我是 Wei")
    await store.request(10004, 10002, "")
    content = ("你好 ", Face(14), ' {"face": 1} ', Face(999))
    group = NewMessage(10002, 10001, Conversation.group(4242), MessageKind.TEXT, content)
    ids = await store.enqueue([text(10002, 10001, f"m{i} /微笑") for i in range(5)])
    await store.enqueue([group, text(60000, 10004, "hi")])
    await store.delete_upto(10002, ids[1])  # delivered ones are gone: a gap in the ids
    # rooms, members with cards, what was said in them, remarks, a pending web sign-in
    qun = await store.create_room(ConversationKind.GROUP, "群 ' \"", 10001, [10002, 10004])
    talk = await store.create_room(ConversationKind.DISCUSSION, "", None, [10003, 10001])
    await store.update_room(qun, memo="公告\n第二行")
    await store.set_card(qun, 10002, "小明 ,&=")
    await store.post(qun, 10001, content)
    await store.post(talk, 10003, ("讨论",))
    await store.enqueue([text(10001, 10002, "after the rooms")])
    await store.set_remark(10001, 10004, "老四")
    classmates = await store.add_category(10001, "同学 ,&=", 100)
    assert classmates is not None
    await store.add_category(10001, "家人", 100)
    await store.rename_category(10001, 0, "好友")
    await store.set_category(10001, 10003, classmates)
    await store.add_web_login("ABCD2345", 2**31 - 1)
    await store.enqueue_once(text(10003, 10001, "with a client id"), "ci-1")
    await store.set_privacy(10002, ProfilePrivacy(mobile=Audience.NOBODY, phone=Audience.BUDDIES))


async def dump(store: SqliteStore | PostgresStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every table, searchable as 0/1 whichever store keeps it."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table, columns, order in TABLES:
        rows = await store.rows(table, columns, order)
        tables[table] = [
            tuple(int(v) if c == "searchable" else v for c, v in zip(columns, r, strict=True))
            for r in rows
        ]
    return tables


async def test_sqlite_to_postgresql_and_back_keeps_every_row(
    tmp_path: Path, postgres_url: str
) -> None:
    source = SqliteStore(tmp_path / "source.sqlite3")
    await populate(source)
    target = await PostgresStore.open(postgres_url)
    counts = await copy_store(source, target)
    assert counts == {
        "accounts": 5,
        "buddies": 4,
        "requests": 2,
        "messages": 8,
        "rooms": 2,
        "room_members": 5,
        "room_messages": 2,
        "remarks": 1,
        "categories": 3,
        "web_logins": 1,
        "sent_ids": 1,
    }
    expected = await dump(source)
    assert await dump(target) == expected
    # and through the interface, field by field (dataclasses compare every field)
    assert await target.list_accounts() == await source.list_accounts()
    for uin in PEOPLE:
        assert await target.password_hash(uin) == await source.password_hash(uin)
        assert await target.buddies(uin) == await source.buddies(uin)
        assert await target.watchers(uin) == await source.watchers(uin)
        assert await target.queued(uin, 100) == await source.queued(uin, 100)
        assert await target.rooms_of(uin) == await source.rooms_of(uin)
        assert await target.remarks(uin) == await source.remarks(uin)
        assert await target.categories(uin) == await source.categories(uin)
        assert await target.buddy_entries(uin, 0, -1) == await source.buddy_entries(uin, 0, -1)
    rooms = [r.conversation for r in await source.rooms_of(10001)]
    assert len(rooms) == 2
    for room in rooms:
        assert await target.members(room) == await source.members(room)
    said = await source.room_messages(rooms, 0, 10)
    assert len(said) == 2 and await target.room_messages(rooms, 0, 10) == said
    assert await target.web_logins() == await source.web_logins() != []
    assert await target.open_request(10003, 10001) == "我是 Wei"
    assert await target.privacy(10002) == await source.privacy(10002) != ProfilePrivacy()
    assert not await target.enqueue_once(text(10003, 10001, "with a client id"), "ci-1")
    assert await target.search(0, 0, None, "甘肃", 0, 10) == await source.search(
        0, 0, None, "甘肃", 0, 10
    )
    # what the target hands out next comes after what was copied in
    top = max(row[0] for row in expected["messages"] + expected["room_messages"])
    (next_id,) = await target.enqueue([text(10002, 10001, "new")])
    assert next_id > top and target.reserve_message_ids(1)[0] > next_id
    number = await target.create_account(None, "h", Profile(uin=0), AuthMode.ANYONE, True)
    assert number == 60001
    new_room = await target.create_room(ConversationKind.GROUP, "new", 10001, [])
    assert new_room == Conversation.group(rooms[-1].number + 1)

    # a target with rows is refused, and left alone
    with pytest.raises(StoreError, match="not empty"):
        await copy_store(source, target)
    assert len(await target.list_accounts()) == 6

    # and back into a new SQLite file: the same rows again (plus those added above)
    back = SqliteStore(tmp_path / "back.sqlite3")
    await copy_store(target, back)
    again = await dump(back)
    assert again["buddies"] == expected["buddies"]
    assert again["requests"] == expected["requests"]
    assert again["accounts"][:5] == expected["accounts"]
    assert again["messages"][:8] == expected["messages"]
    for table in ("room_messages", "remarks", "web_logins"):
        assert again[table] == expected[table]
    assert again["rooms"][:2] == expected["rooms"]
    assert again["room_members"][:5] == expected["room_members"]
    (after,) = await back.enqueue([text(10002, 10001, "newer")])
    assert after > next_id
    assert (await back.post(new_room, 10001, ("x",))).id > after
    assert await back.create_room(ConversationKind.DISCUSSION, "", None, [10001]) == (
        Conversation.discussion(new_room.number + 1)
    )
    await target.aclose()
    for store in (source, back):
        await asyncio.to_thread(store.close)
