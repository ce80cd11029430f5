"""``qqdesk --demo``: seeded profiles, bots that really chat, and a store apart from real data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from qqdesk.builtin import STORE_NAME
from qqdesk.client import (
    AddRequestReceived,
    BuddyStatusChanged,
    MessageReceived,
    NoSuchUser,
    RequestApproved,
    RequestRefusedEvent,
)
from qqdesk.demo import Demo, start_demo
from qqdesk.demo.data import BUDDIES, EVERYONE, ME, Behaviour, person
from qqdesk.protocol import AuthMode, Status

from .conftest import EventLog, NewSession

#: Bots wait seconds in real use; tests hurry them twenty-fold.
SPEED = 20.0


def _uin(behaviour: Behaviour) -> int:
    return next(p.uin for p in EVERYONE if p.behaviour is behaviour)


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    running = await start_demo(tmp_path / "demo", speed=SPEED)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def me(demo: Demo, new_session: NewSession) -> AsyncIterator[Any]:
    async with new_session(demo.server_url, demo.uin, demo.password) as session:
        yield session


async def test_demo_seeds_every_profile_field(demo: Demo, me: Any) -> None:
    for p in EVERYONE:
        got = await me.profile(p.uin)
        assert got == p.profile, p.uin


async def test_buddy_lists_are_seeded(demo: Demo, me: Any) -> None:
    buddies = {b.uin for b in await me.buddies()}
    assert buddies == {b.uin for b in BUDDIES}


async def test_echo_and_clock_bots_answer(me: Any, event_log: Callable[[Any], EventLog]) -> None:
    log = event_log(me)
    echo, clock = _uin(Behaviour.ECHO), _uin(Behaviour.CLOCK)
    await me.send_message(echo, "今天天气不错, nice day")
    await me.send_message(clock, "几点了? what time is it?")
    said = await log.wait_for(MessageReceived, lambda e: e.sender == echo)
    assert "今天天气不错, nice day" in said.text and "You said" in said.text
    told = await log.wait_for(MessageReceived, lambda e: e.sender == clock)
    assert "现在是" in told.text and "It is" in told.text


async def test_moody_bot_changes_status(me: Any, event_log: Callable[[Any], EventLog]) -> None:
    log = event_log(me)
    moody = _uin(Behaviour.MOODY)
    await log.wait_for(BuddyStatusChanged, lambda e: e.uin == moody and e.status is Status.BUSY)
    # Invisible reads as offline to buddies.
    await log.wait_for(BuddyStatusChanged, lambda e: e.uin == moody and e.status is Status.OFFLINE)


async def test_strangers_write_and_a_requester_asks(
    me: Any, event_log: Callable[[Any], EventLog]
) -> None:
    log = event_log(me)
    strangers = [p.uin for p in EVERYONE if p.behaviour is Behaviour.STRANGER]
    for uin in strangers:
        hello = await log.wait_for(MessageReceived, lambda e, u=uin: e.sender == u)
        assert hello.text == person(uin).opening
    requester = _uin(Behaviour.REQUESTER)
    request = await log.wait_for(AddRequestReceived, lambda e: e.uin == requester)
    assert request.reason == person(requester).opening
    await me.approve(requester)
    thanks = await log.wait_for(MessageReceived, lambda e: e.sender == requester)
    assert thanks.text == person(requester).answer


async def test_verification_approves_the_picky_refuses_the_hermit_adds_nobody(
    me: Any, event_log: Callable[[Any], EventLog]
) -> None:
    log = event_log(me)
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


async def test_demo_stays_out_of_the_real_store(
    private_data_home: Path, new_session: NewSession
) -> None:
    real = private_data_home / "qqdesk"
    first = await start_demo(speed=SPEED)
    try:
        assert first.data_dir == real / "demo"
        extra = first.server.create_account("x", "Leftover 剩下", uin=55555)
    finally:
        await first.stop()
    assert (real / "demo" / STORE_NAME).exists()
    assert not (real / STORE_NAME).exists()
    assert sorted(p.name for p in real.iterdir()) == ["demo"]
    # Every run starts afresh: the account made in the last run is gone.
    second = await start_demo(speed=SPEED)
    try:
        with pytest.raises(NoSuchUser):
            async with new_session(second.server_url, extra, "x"):
                pass
        assert second.uin == ME.uin
    finally:
        await second.stop()


async def test_demo_with_base_dir_touches_nothing_else(
    tmp_path: Path, private_data_home: Path
) -> None:
    async with await start_demo(tmp_path / "elsewhere", speed=SPEED) as running:
        assert running.data_dir == tmp_path / "elsewhere"
        assert len(running.bots) >= 8 and all(b.ready.is_set() for b in running.bots)
    assert list(private_data_home.iterdir()) == []
