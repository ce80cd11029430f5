"""The service's rules for groups and discussions (service/rooms.py) and their
administration (Admin), on a real store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from qqdesk.core import AuthMode, Conversation, ConversationKind, Profile
from qqdesk.server import Admin, BlockingAdmin, Service, SqliteStore
from qqdesk.server.admin import AdminError
from qqdesk.server.service import MAX_CARD, MAX_ROOM_NAME, Refusal, Refused, Rooms
from qqdesk.server.store import WebLogin

from .conftest import FAST_SCRYPT

ALICE, BOB, CAROL, DAVE, ERIN = 10001, 10002, 10003, 10004, 10005


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """Five accounts: Alice has Bob, Carol and Dave on her list; Bob has Alice and Erin."""
    store = SqliteStore(tmp_path / "s.sqlite3")
    for uin in (ALICE, BOB, CAROL, DAVE, ERIN):
        await store.create_account(uin, "h", Profile(uin=uin), AuthMode.ANYONE, True)
    for buddy in (BOB, CAROL, DAVE):
        await store.add_buddy(ALICE, buddy)
    for buddy in (ALICE, ERIN):
        await store.add_buddy(BOB, buddy)
    yield store
    await asyncio.to_thread(store.close)


@pytest.fixture
def rooms(store: SqliteStore) -> Rooms:
    return Rooms(store)


async def refused(reason: Refusal, call: object) -> None:
    assert asyncio.iscoroutine(call)
    with pytest.raises(Refused) as caught:
        await call
    assert caught.value.reason is reason


async def test_a_group_is_made_with_the_owners_buddies(rooms: Rooms) -> None:
    room = await rooms.create_group(ALICE, "  家人  ", [BOB, CAROL, BOB, ALICE])
    assert (room.conversation, room.name, room.owner) == (Conversation.group(100000), "家人", ALICE)
    assert [m.uin for m in await rooms.members(BOB, room.conversation)] == [ALICE, BOB, CAROL]
    assert await rooms.room(CAROL, room.conversation) == room
    await refused(Refusal.NOT_A_MEMBER, rooms.members(DAVE, room.conversation))
    await refused(Refusal.NOT_A_MEMBER, rooms.room(DAVE, room.conversation))
    await refused(Refusal.NOT_A_MEMBER, rooms.room(ALICE, Conversation.group(999999)))
    # only one's own buddies, only accounts, and a group needs a name
    await refused(Refusal.NOT_A_BUDDY, rooms.create_group(ALICE, "g", [ERIN]))
    await refused(Refusal.NO_SUCH_ACCOUNT, rooms.create_group(ALICE, "g", [12345]))
    await refused(Refusal.NO_SUCH_ACCOUNT, rooms.create_group(99999, "g", []))
    await refused(Refusal.BAD_REQUEST, rooms.create_group(ALICE, "  ", [BOB]))
    long = await rooms.create_group(ALICE, "名" * 100, [])
    assert long.name == "名" * MAX_ROOM_NAME
    assert [r.conversation for r in await rooms.rooms_of(ALICE)] == [
        room.conversation,
        long.conversation,
    ]


async def test_a_discussion_has_no_owner_and_may_be_unnamed(rooms: Rooms) -> None:
    talk = await rooms.create_discussion(BOB, "", [ALICE, ERIN])
    assert (talk.conversation, talk.name, talk.owner) == (Conversation.discussion(100000), "", None)
    assert [m.uin for m in await rooms.members(ERIN, talk.conversation)] == [ALICE, BOB, ERIN]
    await refused(Refusal.NOT_A_BUDDY, rooms.create_discussion(BOB, "", [CAROL]))


async def test_a_member_invites_their_own_buddies(rooms: Rooms) -> None:
    group = (await rooms.create_group(ALICE, "g", [BOB])).conversation
    # Bob brings Erin (his buddy, not Alice's); then Alice brings Carol and Dave
    assert await rooms.invite(BOB, group, [ERIN, ALICE]) == [ERIN]
    await refused(Refusal.NOT_A_BUDDY, rooms.invite(ERIN, group, [CAROL]))
    await refused(Refusal.NOT_A_BUDDY, rooms.invite(BOB, group, [ERIN, CAROL]))
    await refused(Refusal.NO_SUCH_ACCOUNT, rooms.invite(ALICE, group, [77777]))
    assert await rooms.invite(ALICE, group, [CAROL, DAVE, CAROL, BOB]) == [CAROL, DAVE]
    assert await rooms.invite(ALICE, group, [BOB]) == []
    outsider = (await rooms.create_discussion(CAROL, "", [])).conversation
    await refused(Refusal.NOT_A_MEMBER, rooms.invite(ALICE, outsider, [BOB]))
    await refused(Refusal.NOT_A_MEMBER, rooms.invite(ALICE, Conversation.group(1), [BOB]))


async def test_a_room_holds_at_most_max_members(store: SqliteStore) -> None:
    rooms = Rooms(store, max_members=3)
    await refused(Refusal.ROOM_FULL, rooms.create_group(ALICE, "g", [BOB, CAROL, DAVE]))
    group = (await rooms.create_group(ALICE, "g", [BOB])).conversation
    await refused(Refusal.ROOM_FULL, rooms.invite(ALICE, group, [CAROL, DAVE]))
    assert await rooms.invite(ALICE, group, [CAROL, BOB]) == [CAROL]


async def test_cards_are_a_group_members_own(rooms: Rooms) -> None:
    group = (await rooms.create_group(ALICE, "g", [BOB])).conversation
    await rooms.set_card(BOB, group, " 小明 ")
    await rooms.set_card(ALICE, group, "x" * 100)
    cards = {m.uin: m.card for m in await rooms.members(ALICE, group)}
    assert cards == {ALICE: "x" * MAX_CARD, BOB: "小明"}
    await refused(Refusal.NOT_A_MEMBER, rooms.set_card(CAROL, group, "me"))
    talk = (await rooms.create_discussion(ALICE, "", [BOB])).conversation
    await refused(Refusal.BAD_REQUEST, rooms.set_card(ALICE, talk, "me"))


async def test_the_owner_leaving_hands_the_group_to_the_longest_member(
    rooms: Rooms, store: SqliteStore
) -> None:
    clock = [1_800_000_000]
    store.clock = lambda: clock[0]
    group = (await rooms.create_group(ALICE, "g", [CAROL])).conversation
    clock[0] += 10
    await rooms.invite(ALICE, group, [BOB])
    await rooms.leave(ALICE, group)
    room = await rooms.room(CAROL, group)
    assert room.owner == CAROL  # Carol joined before Bob (Bob's number is lower)
    await refused(Refusal.NOT_A_MEMBER, rooms.leave(ALICE, group))
    await rooms.leave(BOB, group)
    assert (await store.room(group)) == room  # a member leaving changes no owner
    await rooms.leave(CAROL, group)
    # the last one out deletes nothing: the room is there without members
    remaining = await store.room(group)
    assert remaining is not None and remaining.owner == CAROL
    assert await store.members(group) == [] and await rooms.rooms_of(CAROL) == []
    talk = (await rooms.create_discussion(ALICE, "", [BOB])).conversation
    await rooms.leave(ALICE, talk)
    assert [m.uin for m in await store.members(talk)] == [BOB]


async def test_administration_of_rooms_remarks_and_web_logins(store: SqliteStore) -> None:
    admin = Admin(store, scrypt_n=FAST_SCRYPT)
    group = await admin.create_group("  Team ", CAROL)
    assert group == Conversation.group(100000)
    # anyone may be added (no buddy rule), again quietly
    assert await admin.add_members(group, [ERIN, DAVE]) == [ERIN, DAVE]
    assert await admin.add_members(group, [DAVE, CAROL]) == []
    await admin.set_card(group, ERIN, "五")
    await admin.remove_member(group, CAROL)  # the owner: Dave has been there as long
    (listed,) = await admin.rooms_with_members(ConversationKind.GROUP)
    assert (listed[0].name, listed[0].owner) == ("Team", DAVE)
    assert [(m.uin, m.card) for m in listed[1]] == [(DAVE, ""), (ERIN, "五")]
    talk = await admin.create_discussion("", [ALICE, ERIN])
    assert await admin.add_members(talk, [BOB]) == [BOB]
    for call, message in (
        (admin.create_group("g", 77777), "no account 77777"),
        (admin.create_group(" ", ALICE), "a group needs a name"),
        (admin.create_discussion("d", []), "a discussion needs a member"),
        (admin.add_members(Conversation.group(123456), [ALICE]), "no group 123456"),
        (admin.add_members(Conversation.discussion(group.number), [ALICE]), "no discussion"),
        (admin.add_members(group, [77777]), "no account 77777"),
        (admin.remove_member(group, CAROL), f"{CAROL} is not a member of group 100000"),
        (admin.set_card(group, ALICE, "x"), f"{ALICE} is not a member of group 100000"),
        (admin.mark_buddy(ALICE, ERIN, "x"), f"{ERIN} is not on the buddy list of {ALICE}"),
        (admin.mark_buddy(ALICE, 77777, "x"), "no account 77777"),
        (admin.approve_web_login("NOSUCH00", ALICE), "no pending web sign-in NOSUCH00"),
        (admin.approve_web_login("NOSUCH00", 77777), "no account 77777"),
        (admin.refuse_web_login("NOSUCH00"), "no pending web sign-in NOSUCH00"),
    ):
        with pytest.raises(AdminError, match=message):
            await call
    full = Admin(store, rooms=Rooms(store, max_members=4))
    with pytest.raises(AdminError, match="would have more than 4 members"):
        await full.add_members(talk, [CAROL, DAVE])

    assert await admin.mark_buddy(ALICE, BOB, " 老板 ")
    assert await admin.remarks(ALICE) == {BOB: "老板"}

    await store.add_web_login("ABCD2345", 11)
    await store.add_web_login("WXYZ6789", 22)
    assert [w.code for w in await admin.web_logins()] == ["ABCD2345", "WXYZ6789"]
    approved = await admin.approve_web_login("abcd2345", BOB)  # as typed, in any case
    assert approved.code == "ABCD2345"
    assert await store.web_login(11) == WebLogin("ABCD2345", 11, approved.created, "approved", BOB)
    await admin.refuse_web_login("WXYZ6789")
    assert await admin.web_logins() == []
    assert (await store.web_login(22) or approved).state == "refused"


async def test_the_blocking_admin_manages_rooms_too(store: SqliteStore) -> None:
    """What the app's built-in server and the demo world call from a thread of their own."""
    blocking = BlockingAdmin(Admin(store))
    try:
        group = await asyncio.to_thread(blocking.create_group, "demo", ALICE)
        assert await asyncio.to_thread(blocking.add_members, group, [BOB, CAROL]) == [BOB, CAROL]
        await asyncio.to_thread(blocking.set_card, group, BOB, "B")
        talk = await asyncio.to_thread(blocking.create_discussion, "d", [ALICE, DAVE])
        assert await asyncio.to_thread(blocking.mark_buddy, ALICE, BOB, "Bobby")
    finally:
        blocking.close()
    assert [(m.uin, m.card) for m in await store.members(group)] == [
        (ALICE, ""),
        (BOB, "B"),
        (CAROL, ""),
    ]
    assert [m.uin for m in await store.members(talk)] == [ALICE, DAVE]
    assert await store.remarks(ALICE) == {BOB: "Bobby"}


def test_the_service_and_its_admin_share_one_set_of_room_rules(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    try:
        service = Service(store)
        assert isinstance(service.rooms, Rooms) and service.admin.rooms is service.rooms
        service.shut_down()
    finally:
        store.close()
