"""Demo bots: real client sessions on the built-in server that chat, change status and add."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from qqdesk.client import AccountSession
from qqdesk.client.events import (
    AddRequestReceived,
    MessageReceived,
    RequestApproved,
    RequestRefused,
)
from qqdesk.core import Conversation, Presence
from qqdesk.protocol.classic import MAX_MESSAGE_CHARS

from .data import Behaviour, DemoPerson, DemoRoom

log = logging.getLogger(__name__)

#: Seconds (before the speed factor) a bot "types" before it answers.
TYPING_DELAY = 1.0
#: Seconds (before the speed factor) before the rooms' first line, between lines, and
#: between one round of a room's talk and the next.
ROOM_FIRST_LINE = 3.0
ROOM_LINE_GAP = 12.0
ROOM_ROUND_GAP = 180.0
#: Seconds (before the speed factor) until the moody bot first changes its status.
FIRST_MOOD_CHANGE = 8.0
#: The moody bot's statuses in turn, each with how long (before the speed factor) it stays.
MOODS: tuple[tuple[Presence, float], ...] = (
    (Presence.BUSY, 20.0),
    (Presence.ONLINE, 15.0),
    (Presence.HIDDEN, 15.0),
    (Presence.ONLINE, 20.0),
)

_WEEKDAYS_ZH = "一二三四五六日"


class Bot:
    """One demo person logged in with a real :class:`AccountSession`.

    Subclasses answer events (``on_message``, ``on_add_request``...) and may run a
    ``routine`` beside them. A failing handler is logged and the bot goes on.
    """

    def __init__(
        self,
        person: DemoPerson,
        server_url: str,
        *,
        owner: int,
        store_dir: Path,
        speed: float = 1.0,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.person = person
        self.server_url = server_url
        #: The number of the user the demo is for.
        self.owner = owner
        self.speed = speed
        #: Where the bot keeps its client history (one SQLite file per bot).
        self.store_dir = store_dir
        self.status = person.status.presence
        self.session: AccountSession | None = None
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        #: The bot's cards in rooms (it answers to "@card" there too).
        self.cards: dict[Conversation, tuple[str, ...]] = {}

    @property
    def uin(self) -> int:
        return self.person.uin

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uin} {self.person.nick!r}>"

    # -- life -------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Log in and run in the background; ``ready`` is set once logged in."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"demo bot {self.uin}")
        return self._task

    async def stop(self) -> None:
        """Log out and end the bot's tasks."""
        for handler in list(self._handlers):
            handler.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _run(self) -> None:
        # The bot's history goes beside the demo store, never to the user's data.
        store = self.store_dir / f"{self.uin}.sqlite3"
        try:
            # Entering the session logs in; leaving it logs out and closes the store.
            async with AccountSession(
                self.server_url, self.uin, self.person.password, store=store
            ) as session:
                self.session = session
                if self.status is not Presence.ONLINE:
                    await session.set_status(self.status)
                self.ready.set()
                routine = asyncio.create_task(self._guard(self.routine()))
                try:
                    await self._listen(session)
                finally:
                    routine.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await routine
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%r stopped", self)

    async def _listen(self, session: AccountSession) -> None:
        async for event in session.events():
            match event:
                case MessageReceived(conversation=conversation, sender=sender, text=text) if (
                    not conversation.is_buddy
                ):
                    # In a group or discussion a bot speaks only when spoken to.
                    if sender != self.uin and self.mentioned(conversation, text):
                        self._spawn(self.on_mention(conversation, sender, text))
                case MessageReceived(sender=sender, text=text):
                    self._spawn(self.on_message(sender, text))
                case AddRequestReceived(uin=uin, reason=reason):
                    self._spawn(self.on_add_request(uin, reason))
                case RequestApproved(uin=uin):
                    self._spawn(self.on_approved(uin))
                case RequestRefused(uin=uin, reason=reason):
                    self._spawn(self.on_refused(uin, reason))
                case _:
                    pass

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._guard(coro))
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)

    async def _guard(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%r: a handler failed", self)

    # -- helpers for behaviours ----------------------------------------------------------

    async def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` scaled by the demo's speed factor."""
        await asyncio.sleep(seconds / self.speed)

    async def say(self, uin: int, text: str) -> None:
        """Send a message after a short typing pause."""
        assert self.session is not None
        await self.pause(TYPING_DELAY)
        await self.session.send_message(uin, text[:MAX_MESSAGE_CHARS])

    async def say_in(self, conversation: Conversation, text: str) -> None:
        """Say ``text`` in a group or discussion after a short typing pause."""
        assert self.session is not None
        await self.pause(TYPING_DELAY)
        await self.session.send_message(conversation, text[:MAX_MESSAGE_CHARS])

    def mentioned(self, conversation: Conversation, text: str) -> bool:
        """Whether ``text`` mentions this bot: "@" and its nickname or card (plain text)."""
        names = [self.person.nick, *self.cards.get(conversation, ())]
        return any(f"@{name}" in text for name in names if name)

    async def set_status(self, status: Presence) -> None:
        assert self.session is not None
        await self.session.set_status(status)
        self.status = status

    # -- behaviour (override) ---------------------------------------------------------

    async def routine(self) -> None:
        """What the bot does by itself, beside answering events."""

    async def on_message(self, sender: int, text: str) -> None:
        """A message arrived."""

    async def on_add_request(self, uin: int, reason: str) -> None:
        """Someone asks to add the bot; by default it says yes."""
        assert self.session is not None
        await self.pause(TYPING_DELAY)
        await self.session.approve(uin)

    async def on_mention(self, conversation: Conversation, sender: int, text: str) -> None:
        """Somebody mentioned the bot in a room: it answers there, naming them."""
        assert self.session is not None
        members = {m.uin: m.name for m in await self.session.members(conversation)}
        await self.say_in(conversation, f"@{members.get(sender, sender)} {self.room_answer(text)}")

    def room_answer(self, text: str) -> str:
        """What the bot says when mentioned in a room."""
        return self.person.answer or echo_reply(text)

    async def on_approved(self, uin: int) -> None:
        """Someone the bot asked approved."""

    async def on_refused(self, uin: int, reason: str) -> None:
        """Someone the bot asked refused."""


class EchoBot(Bot):
    """Friendly bot that greets, helps, and otherwise repeats what it hears."""

    def room_answer(self, text: str) -> str:
        return echo_reply(re.sub(r"@\S+\s*", "", text, count=1))

    async def on_message(self, sender: int, text: str) -> None:
        await self.say(sender, echo_reply(text))


def echo_reply(text: str) -> str:
    """The echo bot's answer to ``text``."""
    words = text.strip().lower()
    if not words:
        return "你好像什么都没说？\nYou didn't say anything?"
    if words in ("help", "?", "？", "帮助", "/help"):
        return (
            "我会重复你说的话。想知道时间，问「报时鸟」；留意「李雷」的状态变化。\n"
            "I repeat what you say. Ask Clock for the time; watch Li Lei's status change."
        )
    if _GREETING.search(words):
        return "你好！我是小回声，很高兴认识你。\nHello! I'm Echo, nice to meet you."
    if _TIME_QUESTION.search(words):
        return "问时间请找「报时鸟」。\nFor the time, ask Clock."
    quote = _quote(text.strip())
    return f"你说：「{quote}」\nYou said: “{quote}”"


#: Longest piece of the user's text the echo bot quotes back.
ECHO_QUOTE_CHARS = 200

_GREETING = re.compile(r"你好|您好|嗨|\b(hello|hi|hey)\b")
_TIME_QUESTION = re.compile(r"时间|几点|\btime\b")


def _quote(text: str) -> str:
    # The answer holds the text twice; a long text is cut so both halves stay readable.
    return text if len(text) <= ECHO_QUOTE_CHARS else text[:ECHO_QUOTE_CHARS] + "…"


class ClockBot(Bot):
    """Tells the local time and date, whatever it is asked."""

    def room_answer(self, text: str) -> str:
        return clock_reply(datetime.datetime.now())

    async def on_message(self, sender: int, text: str) -> None:
        await self.say(sender, clock_reply(datetime.datetime.now()))


def clock_reply(now: datetime.datetime) -> str:
    """The clock bot's answer at ``now``."""
    weekday = _WEEKDAYS_ZH[now.weekday()]
    return (
        f"现在是 {now.year}年{now.month}月{now.day}日 星期{weekday} {now:%H:%M:%S}。\n"
        f"It is {now:%H:%M:%S} on {now:%A}, {now.day} {now:%B %Y}."
    )


class MoodyBot(Bot):
    """Goes busy, back online, invisible and online again, over and over."""

    async def routine(self) -> None:
        await self.pause(FIRST_MOOD_CHANGE)
        while True:
            for status, stay in MOODS:
                await self.set_status(status)
                await self.pause(stay)

    async def on_message(self, sender: int, text: str) -> None:
        if self.status is Presence.BUSY:
            reply = "[自动回复] 我在开会，稍后回复。\n[Auto-reply] In a meeting, back soon."
        elif self.status is Presence.HIDDEN:
            reply = "嘘，我隐身了，别告诉别人！\nShh, I'm invisible, don't tell anyone!"
        else:
            reply = "在的！有什么事？\nHere! What's up?"
        await self.say(sender, reply)


class ResidentBot(Bot):
    """Stays online (or busy) and answers each person once with an auto-reply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered: set[int] = set()

    async def on_message(self, sender: int, text: str) -> None:
        if sender in self._answered:
            return
        self._answered.add(sender)
        await self.say(sender, self.person.answer)


class StrangerBot(Bot):
    """Somebody not in the list who writes first, and thanks once for an answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._thanked = False

    async def routine(self) -> None:
        await self.pause(self.person.delay)
        assert self.session is not None
        await self.session.send_message(self.owner, self.person.opening)

    async def on_message(self, sender: int, text: str) -> None:
        if sender == self.owner and not self._thanked:
            self._thanked = True
            await self.say(sender, self.person.answer)


class RequesterBot(Bot):
    """Asks to be added to the user's list after a delay; says thanks when approved."""

    async def routine(self) -> None:
        await self.pause(self.person.delay)
        assert self.session is not None
        await self.session.request_buddy(self.owner, self.person.opening)

    async def on_approved(self, uin: int) -> None:
        if uin == self.owner:
            await self.say(uin, self.person.answer)


class ApproverBot(Bot):
    """Needs verification, and approves every request after a few seconds."""

    async def on_add_request(self, uin: int, reason: str) -> None:
        assert self.session is not None
        await self.pause(self.person.delay)
        await self.session.approve(uin)
        await self.say(uin, self.person.answer)


class RefuserBot(Bot):
    """Needs verification, then refuses every request, saying why."""

    async def on_add_request(self, uin: int, reason: str) -> None:
        assert self.session is not None
        await self.pause(TYPING_DELAY)
        await self.session.refuse(uin, self.person.answer)

    async def on_message(self, sender: int, text: str) -> None:
        await self.say(sender, self.person.answer)


BOT_CLASSES: dict[Behaviour, Callable[..., Bot]] = {
    Behaviour.ECHO: EchoBot,
    Behaviour.CLOCK: ClockBot,
    Behaviour.MOODY: MoodyBot,
    Behaviour.RESIDENT: ResidentBot,
    Behaviour.STRANGER: StrangerBot,
    Behaviour.REQUESTER: RequesterBot,
    Behaviour.APPROVER: ApproverBot,
    Behaviour.REFUSER: RefuserBot,
}


def make_bot(
    person: DemoPerson, server_url: str, *, owner: int, store_dir: Path, speed: float = 1.0
) -> Bot | None:
    """The bot that drives ``person``; None for people who stay offline."""
    factory = BOT_CLASSES.get(person.behaviour)
    if factory is None:
        return None
    return factory(person, server_url, owner=owner, store_dir=store_dir, speed=speed)


class RoomTalk:
    """The demo's rooms come alive: their members' bots say their lines in turn, then
    again after a while (what a user joining the demo sees in the group chats)."""

    def __init__(
        self, rooms: dict[Conversation, DemoRoom], bots: dict[int, Bot], *, speed: float = 1.0
    ) -> None:
        self.rooms = rooms
        self.bots = bots
        self.speed = speed
        self._tasks: list[asyncio.Task[None]] = []
        for conversation, room in rooms.items():
            for uin, card in room.cards:
                bot = bots.get(uin)
                if bot is not None:
                    bot.cards[conversation] = (*bot.cards.get(conversation, ()), card)

    def start(self) -> None:
        for conversation, room in self.rooms.items():
            self._tasks.append(
                asyncio.create_task(self._talk(conversation, room), name=f"demo talk {room.name}")
            )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _talk(self, conversation: Conversation, room: DemoRoom) -> None:
        await asyncio.sleep(ROOM_FIRST_LINE / self.speed)
        while True:
            for speaker, text in room.talk:
                bot = self.bots.get(speaker)
                if bot is not None and bot.session is not None:
                    try:
                        await bot.session.send_message(conversation, text)
                    except Exception as exc:  # a bot that went away: the others go on
                        log.info("%r could not talk in %s: %s", bot, room.name, exc)
                await asyncio.sleep(ROOM_LINE_GAP / self.speed)
            await asyncio.sleep(ROOM_ROUND_GAP / self.speed)
