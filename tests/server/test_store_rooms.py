"""Rooms, remarks and web sign-ins in every store (each test runs on SQLite and PostgreSQL):
numbers, members and cards, room messages on the messages' id sequence, pruning, expiry."""

from __future__ import annotations

import asyncio

import pytest

from qqdesk.core import (
    ROOM_HISTORY,
    ROOM_HISTORY_AGE,
    Conversation,
    ConversationKind,
    Face,
    Member,
    Room,
)
from qqdesk.server.store import WEB_LOGIN_TTL, WebLogin

from .conftest import AnyStore, StoreOpener, close, text

GROUP, DISCUSSION = ConversationKind.GROUP, ConversationKind.DISCUSSION
T0 = 1_800_000_000


class Clock:
    """The store's wall clock, moved by hand."""

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


@pytest.fixture
def clock(store: AnyStore) -> Clock:
    clock = Clock()
    store.clock = clock
    return clock


async def test_rooms_share_one_number_sequence_from_100000(store: AnyStore, clock: Clock) -> None:
    group = await store.create_room(GROUP, "家人 群", 10001, [10002, 10001, 10003])
    talk = await store.create_room(DISCUSSION, "", None, [10003, 10002])
    other = await store.create_room(GROUP, "work", 10002, [])
    assert (group, talk, other) == (
        Conversation.group(100000),
        Conversation.discussion(100001),
        Conversation.group(100002),
    )
    assert await store.room(group) == Room(group, "家人 群", 10001, "", T0)
    assert await store.room(talk) == Room(talk, "", None, "", T0)
    # a number names one kind of room only
    assert await store.room(Conversation.discussion(100000)) is None
    assert await store.room(Conversation.group(999)) is None
    assert not await store.is_member(Conversation.discussion(100000), 10001)
    assert await store.is_member(group, 10001) and not await store.is_member(group, 10004)
    # the owner is a member; each number once
    assert [m.uin for m in await store.members(group)] == [10001, 10002, 10003]
    assert await store.members(other) == [Member(10002, "", T0)]
    assert await store.members(Conversation.discussion(100000)) == []
    # groups first, then discussions, each by number
    assert [r.conversation for r in await store.rooms_of(10002)] == [group, other, talk]
    assert [r.conversation for r in await store.rooms_of(10003)] == [group, talk]
    assert await store.rooms_of(10009) == []
    assert [r.conversation for r in await store.list_rooms(GROUP)] == [group, other]
    assert [r.conversation for r in await store.list_rooms(DISCUSSION)] == [talk]
    with pytest.raises(ValueError, match="not a kind of room"):
        store.create_room(ConversationKind.BUDDY, "x", 10001, [])
    await close(store)


async def test_members_join_leave_and_carry_cards(store: AnyStore, clock: Clock) -> None:
    group = await store.create_room(GROUP, "g", 10003, [10002])
    clock.now += 60
    assert await store.add_members(group, [10005, 10002, 10004, 10005]) == [10005, 10004]
    assert await store.add_members(group, [10002]) == []
    assert await store.add_members(Conversation.discussion(group.number), [10009]) == []
    assert [(m.uin, m.joined) for m in await store.members(group)] == [
        (10002, T0),
        (10003, T0),
        (10004, T0 + 60),
        (10005, T0 + 60),
    ]  # the longest-standing first, then by number
    assert await store.set_card(group, 10004, "小四 ,&=")
    assert not await store.set_card(group, 10009, "x")
    assert not await store.set_card(Conversation.discussion(group.number), 10004, "x")
    assert Member(10004, "小四 ,&=", T0 + 60) in await store.members(group)
    assert await store.set_card(group, 10004, "")
    assert Member(10004, "", T0 + 60) in await store.members(group)
    assert await store.remove_member(group, 10003)
    assert not await store.remove_member(group, 10003)
    assert not await store.remove_member(Conversation.discussion(group.number), 10002)
    assert await store.rooms_of(10003) == []
    # the room stays, without members too (nothing about it is deleted)
    for uin in (10002, 10004, 10005):
        await store.remove_member(group, uin)
    assert await store.members(group) == []
    assert await store.room(group) == Room(group, "g", 10003, "", T0)

    assert await store.update_room(group, name="新名字", memo="公告！")
    assert await store.update_room(group, owner=10002)
    assert await store.update_room(group)  # nothing to change, but the room is there
    assert await store.room(group) == Room(group, "新名字", 10002, "公告！", T0)
    assert not await store.update_room(Conversation.group(123456), name="x")
    await close(store)


async def test_room_messages_share_the_message_id_sequence(store: AnyStore, clock: Clock) -> None:
    group = await store.create_room(GROUP, "g", 10001, [10002])
    talk = await store.create_room(DISCUSSION, "d", None, [10001, 10003])
    other = await store.create_room(GROUP, "o", 10003, [])
    (first,) = await store.enqueue([text(10002, 10001, "buddy")])
    said = await store.post(group, 10001, ("你好 ", Face(14), " a,b&c"))
    clock.now += 1
    (queued,) = await store.enqueue([text(10002, 10001, "buddy again")])
    # posts queued at once keep their call order
    posts = await asyncio.gather(
        store.post(talk, 10003, ("d1",)),
        store.post(other, 10003, ("elsewhere",)),
        store.post(group, 10002, ("g2",)),
    )
    assert first < said.id < queued < posts[0].id < posts[1].id < posts[2].id
    assert (said.conversation, said.sender, said.content, said.time) == (
        group,
        10001,
        ("你好 ", Face(14), " a,b&c"),
        T0,
    )
    rooms = [group, talk]
    assert await store.room_messages(rooms, 0, 10) == [said, posts[0], posts[2]]
    assert await store.room_messages(rooms, said.id, 10) == [posts[0], posts[2]]
    assert await store.room_messages(rooms, 0, 1) == [said]
    assert await store.room_messages([Conversation.discussion(group.number)], 0, 10) == []
    assert await store.room_messages([], 0, 10) == []
    with pytest.raises(ValueError):
        store.post(Conversation.buddy(10002), 10001, ("no",))
    await close(store)


async def test_ids_go_on_after_room_messages_when_the_store_opens_again(
    stores: StoreOpener,
) -> None:
    store = await stores()
    (queued,) = await store.enqueue([text(10002, 10001, "a")])
    await store.delete_upto(10002, queued)
    group = await store.create_room(GROUP, "g", 10001, [])
    said = await store.post(group, 10001, ("last",))
    await close(store)
    again = await stores()
    (later,) = await again.enqueue([text(10002, 10001, "b")])
    assert later > said.id > queued
    assert await again.create_room(DISCUSSION, "", None, [10001]) == Conversation.discussion(
        group.number + 1
    )
    await close(again)


async def test_a_room_keeps_its_newest_messages_and_none_too_old(
    store: AnyStore, clock: Clock
) -> None:
    group = await store.create_room(GROUP, "busy", 10001, [])
    quiet = await store.create_room(GROUP, "quiet", 10001, [])
    old = await store.post(quiet, 10001, ("old",))
    posts = await asyncio.gather(
        *(store.post(group, 10001, (f"m{i}",)) for i in range(ROOM_HISTORY + 3))
    )
    kept = await store.room_messages([group], 0, ROOM_HISTORY + 10)
    assert kept == posts[3:]
    assert await store.room_messages([quiet], 0, 10) == [old]
    # thirty days on: nothing of then is read; the next post takes the old rows away
    clock.now += ROOM_HISTORY_AGE
    assert await store.room_messages([group, quiet], 0, 10) == []
    new = await store.post(quiet, 10002, ("new",))
    assert await store.room_messages([group, quiet], 0, 10) == [new]
    rows = await store.rows("room_messages", ("id",), "id")
    assert (old.id,) not in rows and len(rows) < ROOM_HISTORY + 1
    await close(store)


async def test_remarks(store: AnyStore) -> None:
    await store.add_buddy(10001, 10002)
    await store.add_buddy(10001, 10003)
    assert await store.set_remark(10001, 10002, "老板 ,&=")
    assert await store.set_remark(10001, 10003, "c")
    assert not await store.set_remark(10001, 10003, "c")  # the same again changes nothing
    assert await store.set_remark(10001, 10003, "Carol")
    assert await store.remarks(10001) == {10002: "老板 ,&=", 10003: "Carol"}
    assert await store.remarks(10002) == {}
    assert await store.set_remark(10001, 10003, "")
    assert not await store.set_remark(10001, 10003, "")
    assert await store.remarks(10001) == {10002: "老板 ,&="}
    # a buddy taken off the list takes the remark along
    assert await store.remove_buddy(10001, 10002)
    assert await store.remarks(10001) == {}
    await close(store)


async def test_web_logins_are_decided_once_and_expire(store: AnyStore, clock: Clock) -> None:
    await store.add_web_login("ABCD2345", 1_234_567)
    clock.now += 5
    await store.add_web_login("WXYZ6789", 7_654_321)
    pending = [WebLogin("ABCD2345", 1_234_567, T0, "pending", None)]
    pending.append(WebLogin("WXYZ6789", 7_654_321, T0 + 5, "pending", None))
    assert await store.web_logins() == pending
    assert await store.web_login(1_234_567) == pending[0]
    assert await store.web_login(42) is None
    with pytest.raises(ValueError, match="in use"):
        await store.add_web_login("ABCD2345", 1)

    assert await store.decide_web_login("ABCD2345", 10001)
    assert not await store.decide_web_login("ABCD2345", 10002)  # decided already
    assert not await store.decide_web_login("NOSUCH00", None)
    assert await store.decide_web_login("WXYZ6789", None)
    assert await store.web_logins() == []
    assert await store.web_login(1_234_567) == WebLogin(
        "ABCD2345", 1_234_567, T0, "approved", 10001
    )
    assert await store.web_login(7_654_321) == WebLogin(
        "WXYZ6789", 7_654_321, T0 + 5, "refused", None
    )
    await store.drop_web_login("ABCD2345")
    assert await store.web_login(1_234_567) is None

    await store.add_web_login("LATE2345", 5)
    clock.now += WEB_LOGIN_TTL - 1
    assert [w.code for w in await store.web_logins()] == ["LATE2345"]
    clock.now += 1  # two minutes after it was made: gone, and it cannot be approved
    assert await store.web_logins() == []
    assert await store.web_login(5) is None
    assert not await store.decide_web_login("LATE2345", 10001)
    # expired rows go when the next one is added
    await store.add_web_login("NEXT2345", 6)
    assert [r[0] for r in await store.rows("web_logins", ("code",), "code")] == ["NEXT2345"]
    await close(store)
