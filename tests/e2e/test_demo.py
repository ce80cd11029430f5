"""``qqdesk --demo``: seeded profiles and bots that really chat, on one demo per module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest
import pytest_asyncio

from qqdesk.client import (
    AddRequestReceived,
    BuddyStatusChanged,
    MessageReceived,
    RequestApproved,
    RequestRefusedEvent,
)
from qqdesk.core import AuthMode, Conversation, ConversationKind, Face, Presence
from qqdesk.demo import Demo, start_demo
from qqdesk.demo.data import BUDDIES, EVERYONE, ME, ROOMS, Behaviour, Role, person

from .conftest import EventLog

#: Bots wait seconds in real use; tests hurry them twenty-fold.
SPEED = 20.0

# Starting a demo (seeding, a dozen bot logins) is the slow part: do it once here.
pytestmark = pytest.mark.asyncio(loop_scope="module")


def _uin(behaviour: Behaviour) -> int:
    return next(p.uin for p in EVERYONE if p.behaviour is behaviour)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    running = await start_demo(tmp_path_factory.mktemp("demo"), speed=SPEED)
    try:
        yield running
    finally:
        await running.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def me(demo: Demo) -> AsyncIterator[Any]:
    session = await demo.sign_in()
    try:
        yield session
    finally:
        await session.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def log(me: Any) -> AsyncIterator[EventLog]:
    """Everything my session heard since it logged in (shared: tests wait, never consume)."""
    recorder = EventLog(me)
    try:
        yield recorder
    finally:
        await recorder.close()


async def test_demo_seeds_every_profile_field(demo: Demo, me: Any) -> None:
    for p in EVERYONE:
        got = await me.profile(p.uin)
        assert got == p.profile, p.uin


async def test_buddy_lists_are_seeded(demo: Demo, me: Any) -> None:
    buddies = {b.uin for b in await me.buddies()}
    assert {b.uin for b in BUDDIES} <= buddies
    strangers = {p.uin for p in EVERYONE if p.role in (Role.STRANGER, Role.REQUESTER)}
    assert not buddies & strangers
    for p in EVERYONE:
        account = demo.server.server.admin.account(p.uin)
        assert account is not None and account.auth is p.auth


async def test_echo_and_clock_bots_answer(me: Any, log: EventLog) -> None:
    echo, clock = _uin(Behaviour.ECHO), _uin(Behaviour.CLOCK)
    await me.send_message(echo, "今天天气不错, nice day")
    await me.send_message(clock, "几点了? what time is it?")
    # (their answers in our chats: the hiking group's talk may come from them first)
    said = await log.wait_for(MessageReceived, lambda e: e.conversation == Conversation.buddy(echo))
    assert "今天天气不错, nice day" in said.text and "You said" in said.text
    told = await log.wait_for(
        MessageReceived, lambda e: e.conversation == Conversation.buddy(clock)
    )
    assert "现在是" in told.text and "It is" in told.text


async def test_moody_bot_changes_status(me: Any, log: EventLog) -> None:
    moody = _uin(Behaviour.MOODY)
    await log.wait_for(BuddyStatusChanged, lambda e: e.uin == moody and e.status is Presence.BUSY)
    # Invisible reads as offline to buddies.
    await log.wait_for(
        BuddyStatusChanged, lambda e: e.uin == moody and e.status is Presence.OFFLINE
    )


def _from(uin: int, event: MessageReceived) -> bool:
    return event.sender == uin


async def test_strangers_write_and_a_requester_asks(me: Any, log: EventLog) -> None:
    strangers = [p.uin for p in EVERYONE if p.behaviour is Behaviour.STRANGER]
    for uin in strangers:
        hello = await log.wait_for(MessageReceived, partial(_from, uin))
        assert hello.text == person(uin).opening
    requester = _uin(Behaviour.REQUESTER)
    request = await log.wait_for(AddRequestReceived, lambda e: e.uin == requester)
    assert request.reason == person(requester).opening
    await me.approve(requester)
    thanks = await log.wait_for(MessageReceived, lambda e: e.sender == requester)
    assert thanks.text == person(requester).answer


async def test_verification_approves_the_picky_refuses_the_hermit_adds_nobody(
    me: Any, log: EventLog
) -> None:
    approver = _uin(Behaviour.APPROVER)
    picky = _uin(Behaviour.REFUSER)
    hermit = next(p.uin for p in EVERYONE if p.auth is AuthMode.NOBODY)
    assert await me.add_buddy(approver) is AuthMode.VERIFY
    assert await me.add_buddy(picky) is AuthMode.VERIFY
    assert await me.add_buddy(hermit) is AuthMode.NOBODY
    await me.request_buddy(approver, "我是演示用户 I'm the demo user")
    await me.request_buddy(picky, "交个朋友? Friends?")
    await log.wait_for(RequestApproved, lambda e: e.uin == approver)
    hello = await log.wait_for(MessageReceived, lambda e: e.sender == approver)
    assert hello.text == person(approver).answer
    refused = await log.wait_for(RequestRefusedEvent, lambda e: e.uin == picky)
    assert refused.reason == person(picky).answer
    buddies = {b.uin for b in await me.buddies()}
    assert approver in buddies and picky not in buddies and hermit not in buddies


# -- groups and discussions -----------------------------------------------------------


async def test_rooms_are_seeded_with_members_and_cards(demo: Demo, me: Any) -> None:
    assert me.rooms_available
    rooms = await me.rooms()
    assert [(r.conversation.kind, r.name) for r in rooms] == [
        (room.kind, room.name) for room in ROOMS
    ]
    assert [r.conversation.kind for r in rooms].count(ConversationKind.GROUP) == 2
    hiking = rooms[0].conversation
    members = {m.uin: m for m in await me.members(hiking)}
    assert set(members) == set(ROOMS[0].members)
    assert members[10005].name == "领队梅梅 Leader Meimei"
    assert members[10004].name == "李雷 Li Lei"


async def test_bots_talk_in_the_rooms_and_answer_a_mention(demo: Demo, me: Any) -> None:
    log = EventLog(me)
    try:
        hiking = next(c for c, r in demo.rooms.items() if r is ROOMS[0])
        dinner = next(c for c, r in demo.rooms.items() if r is ROOMS[2])
        said = await log.wait_for(
            MessageReceived, lambda e: e.conversation == hiking and e.sender == 10005
        )
        lines = [text for uin, text in ROOMS[0].talk if uin == 10005]
        assert said.text in lines
        assert any(isinstance(part, Face) for part in said.content)
        await log.wait_for(MessageReceived, lambda e: e.conversation == dinner)
        # Mentioned, the echo bot answers in the group, naming me.
        await me.send_message(hiking, "@小回声 Echo 你好")
        answer = await log.wait_for(
            MessageReceived,
            lambda e: e.conversation == hiking and e.sender == 10002 and e.text.startswith("@"),
        )
        assert answer.text.startswith(f"@{ME.nick} 你好！我是小回声")
    finally:
        await log.close()
