"""What the demo bots say, without a network."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest

from qqdesk.demo.bots import (
    ECHO_QUOTE_CHARS,
    Bot,
    EchoBot,
    clock_reply,
    echo_reply,
    make_bot,
)
from qqdesk.demo.data import BUDDIES, EVERYONE, ME, Behaviour
from qqdesk.protocol.classic import MAX_MESSAGE_CHARS


def test_echo_repeats_in_both_languages() -> None:
    answer = echo_reply("今天吃饭了吗, eaten yet?")
    assert "「今天吃饭了吗, eaten yet?」" in answer and "You said:" in answer


@pytest.mark.parametrize("text", ["你好", "Hello there", "hi", "Hey!"])
def test_echo_greets(text: str) -> None:
    assert "Echo" in echo_reply(text) and "小回声" in echo_reply(text)


@pytest.mark.parametrize("text", ["sushi bar", "this is it", "which one"])
def test_echo_does_not_hear_greetings_inside_words(text: str) -> None:
    assert "You said" in echo_reply(text)


def test_echo_helps_and_points_to_the_clock() -> None:
    assert "Clock" in echo_reply("help") and "报时鸟" in echo_reply("帮助")
    assert "Clock" in echo_reply("what time is it") and "Clock" in echo_reply("现在几点")
    assert "didn't say" in echo_reply("   ")


def test_echo_quotes_a_long_text_shortened() -> None:
    answer = echo_reply("字" * MAX_MESSAGE_CHARS)
    assert len(answer) < MAX_MESSAGE_CHARS
    assert "字" * ECHO_QUOTE_CHARS + "…" in answer


def test_clock_tells_date_weekday_and_time_in_both_languages() -> None:
    answer = clock_reply(datetime.datetime(2026, 11, 23, 14, 5, 9))
    assert "2026年11月23日" in answer and "星期一" in answer and "14:05:09" in answer
    assert "Monday" in answer and "23 November 2026" in answer


def test_every_behaviour_has_a_bot(tmp_path: Path) -> None:
    for person in EVERYONE:
        bot = make_bot(person, "http://127.0.0.1:1", owner=ME.uin, store_dir=tmp_path)
        assert (bot is None) == (person.behaviour is Behaviour.NONE)
    with pytest.raises(ValueError):
        EchoBot(BUDDIES[0], "http://127.0.0.1:1", owner=ME.uin, store_dir=tmp_path, speed=0)


async def test_speed_scales_pauses(tmp_path: Path) -> None:
    bot = Bot(BUDDIES[0], "http://127.0.0.1:1", owner=ME.uin, store_dir=tmp_path, speed=1000)
    started = time.monotonic()
    await bot.pause(5.0)
    assert time.monotonic() - started < 1.0
