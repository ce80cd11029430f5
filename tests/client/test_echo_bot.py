"""The README's echo bot, run from docs/examples/echo_bot.py against the real server."""

from __future__ import annotations

import asyncio
import runpy
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qqdesk.client import AccountSession, MessageReceived
from qqdesk.server import QQServer

from .conftest import ALICE, BOB, next_event, wait_for

pytestmark = pytest.mark.timeout(30)

BOT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "echo_bot.py"


async def test_echo_bot_echoes(
    real: QQServer,
    new_session: Callable[..., AccountSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The bot keeps its history where every session does by default; keep it in tmp.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    bot = runpy.run_path(str(BOT))
    task = asyncio.create_task(bot["echo"](real.url, BOB, "bob-pw"))
    try:
        alice = new_session(real.url, ALICE, "alice-pw")
        await alice.login()
        events = alice.events()
        await wait_for(lambda: "online" in capsys.readouterr().out or task.done(), timeout=5)
        assert not task.done()
        for text in ("hello bot", "第二条, with commas & more"):
            await alice.send_message(BOB, text)
            reply = await next_event(events, MessageReceived, timeout=5)
            assert (reply.sender, reply.text) == (BOB, text)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert (tmp_path / "data" / "qqdesk" / "accounts" / str(BOB) / "history.sqlite3").exists()


def test_echo_bot_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["echo_bot.py"])
    bot = runpy.run_path(str(BOT))
    with pytest.raises(SystemExit) as caught:
        bot["main"]()
    assert "Usage" in str(caught.value.code)


GROUP_BOT = BOT.with_name("group_echo_bot.py")


async def test_group_echo_bot_answers_when_mentioned(
    real: QQServer,
    new_session: Callable[..., AccountSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    group = real.admin.create_group("Bots 机器人", ALICE)
    real.admin.add_members(group, [BOB])
    real.admin.set_card(group, BOB, "echo")
    bot = runpy.run_path(str(GROUP_BOT))
    task = asyncio.create_task(bot["group_echo"](real.url, BOB, "bob-pw"))
    try:
        alice = new_session(real.url, ALICE, "alice-pw")
        await alice.login()
        events = alice.events()
        await wait_for(lambda: "in 1 rooms" in capsys.readouterr().out or task.done(), timeout=5)
        assert not task.done()
        await alice.send_message(group, "nobody is mentioned here")
        await alice.send_message(group, "@echo hello /微笑")
        reply = await next_event(events, MessageReceived, timeout=5)
        assert (reply.conversation, reply.sender, reply.text) == (group, BOB, "@Alice hello /微笑")
        # By nickname too; and the buddy echo bot's buddy chats are not its business.
        await alice.send_message(group, "@Bob 小明 again")
        reply = await next_event(events, MessageReceived, timeout=5)
        assert reply.text == "@Alice again"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_echo_bot_keeps_out_of_groups(
    real: QQServer,
    new_session: Callable[..., AccountSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    group = real.admin.create_group("Quiet", ALICE)
    real.admin.add_members(group, [BOB])
    bot = runpy.run_path(str(BOT))
    task = asyncio.create_task(bot["echo"](real.url, BOB, "bob-pw"))
    try:
        alice = new_session(real.url, ALICE, "alice-pw")
        await alice.login()
        events = alice.events()
        await wait_for(lambda: "online" in capsys.readouterr().out or task.done(), timeout=5)
        await alice.send_message(group, "not for echoing")
        await alice.send_message(BOB, "for echoing")
        reply = await next_event(events, MessageReceived, timeout=5)
        assert (reply.conversation.is_buddy, reply.text) == (True, "for echoing")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
