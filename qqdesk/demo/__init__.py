"""``qqdesk --demo``: a built-in server with a seeded demo world and bots, apart from real data."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from pathlib import Path
from typing import Any

import platformdirs

from qqdesk.builtin import STORE_NAME, BuiltinServer
from qqdesk.client import AccountSession
from qqdesk.core import Conversation, ConversationKind, Presence

from .bots import Bot, RoomTalk, make_bot
from .data import BUDDIES, ME, PEOPLE, ROOMS, DemoPerson, DemoRoom, Role, profile_fields

__all__ = ["Demo", "default_demo_dir", "seed", "start_demo"]

log = logging.getLogger(__name__)

#: Folder (inside the demo folder) of the bots' client histories.
BOTS_DIR = "bots"
#: The demo account's client history, inside the demo folder.
HISTORY_NAME = "history.sqlite3"
#: Seconds to wait for every bot to log in before the demo is handed over.
BOTS_READY_TIMEOUT = 10.0


def default_demo_dir() -> Path:
    """The demo's own folder: beside, never inside, the real server's store."""
    return Path(platformdirs.user_data_dir("qqdesk")) / "demo"


class Demo:
    """A running demo: the built-in server, the user's account on it, and the bots."""

    def __init__(
        self,
        server: BuiltinServer,
        bots: list[Bot],
        rooms: dict[Conversation, DemoRoom] | None = None,
        talk: RoomTalk | None = None,
    ) -> None:
        self.server = server
        self.bots = bots
        #: The demo's groups and discussions (empty on a server without them).
        self.rooms = rooms or {}
        self._talk = talk
        self.uin = ME.uin
        self.password = ME.password
        self.nick = ME.nick

    @property
    def server_url(self) -> str:
        return self.server.url

    @property
    def address(self) -> str:
        """``host:port`` of the demo server, as the app's server setting writes it."""
        return self.server.address

    @property
    def data_dir(self) -> Path:
        """The demo's folder; the app may keep the demo account's history under it."""
        return self.server.data_dir

    @property
    def history_path(self) -> Path:
        """The demo account's client history: inside the demo folder, reset with it."""
        return self.server.data_dir / HISTORY_NAME

    def new_session(self) -> AccountSession:
        """An AccountSession for the demo account (not logged in), history kept in the demo."""
        return AccountSession(self.server_url, self.uin, self.password, store=self.history_path)

    async def sign_in(self, status: Presence = Presence.ONLINE) -> AccountSession:
        """The demo account, logged in with ``status``; the caller logs it out."""
        session = self.new_session()
        try:
            await session.login()
            if status is not Presence.ONLINE:
                await session.set_status(status)
        except BaseException:
            await session.close()
            raise
        return session

    def bot(self, uin: int) -> Bot:
        """The bot playing ``uin``; KeyError when nobody does."""
        for bot in self.bots:
            if bot.uin == uin:
                return bot
        raise KeyError(uin)

    async def stop(self) -> None:
        """Log every bot out, then stop the server; safe to call twice."""
        bots, self.bots = self.bots, []
        talk, self._talk = self._talk, None
        if talk is not None:
            await talk.stop()
        await asyncio.gather(*(bot.stop() for bot in bots), return_exceptions=True)
        await self.server.stop()

    async def __aenter__(self) -> Demo:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


_SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def reset(directory: Path) -> None:
    """Forget the previous demo run: remove its store (and SQLite's side files)."""
    sqlite_files = [
        base + suffix for base in (STORE_NAME, HISTORY_NAME) for suffix in _SQLITE_SUFFIXES
    ]
    for name in (*sqlite_files, BOTS_DIR):
        path = directory / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


async def seed(server: BuiltinServer) -> None:
    """Create every demo account and the buddy lists, through the server's admin API."""
    admin = server.server.async_admin
    everyone: tuple[DemoPerson, ...] = (ME, *PEOPLE)
    for person in everyone:
        fields: dict[str, Any] = profile_fields(person.profile)
        created = await admin.create_account(
            person.uin,
            person.password,
            nick=person.nick,
            auth=person.auth,
            face=person.profile.face,
            **fields,
        )
        if created != person.uin:
            raise RuntimeError(f"demo account {person.uin} was created as {created}")
    for buddy in BUDDIES:
        await admin.add_buddy(ME.uin, buddy.uin)
        await admin.add_buddy(buddy.uin, ME.uin)
    for person in PEOPLE:
        # Strangers and requesters know the user; the user does not know them.
        if person.role in (Role.STRANGER, Role.REQUESTER):
            await admin.add_buddy(person.uin, ME.uin)


async def seed_rooms(server: BuiltinServer) -> dict[Conversation, DemoRoom]:
    """Create the demo's groups and discussions (with cards), through the server's admin."""
    admin = server.server.async_admin
    made: dict[Conversation, DemoRoom] = {}
    for room in ROOMS:
        if room.kind is ConversationKind.GROUP:
            assert room.owner is not None
            conversation = await admin.create_group(room.name, room.owner)
            await admin.add_members(conversation, [u for u in room.members if u != room.owner])
        else:
            conversation = await admin.create_discussion(room.name, room.members)
        for uin, card in room.cards:
            await admin.set_card(conversation, uin, card)
        made[conversation] = room
    return made


async def start_demo(
    base_dir: Path | str | None = None, *, speed: float = 1.0, port: int = 0, lan: bool = False
) -> Demo:
    """Reset and seed the demo store, start its server and bots; ``speed`` > 1 hurries bots.

    The demo lives in ``base_dir`` (default: the ``demo`` folder beside the user's
    data) and listens on loopback only (every interface with ``lan``), on a free port
    unless ``port`` says otherwise.
    """
    directory = Path(base_dir) if base_dir is not None else default_demo_dir()
    directory.mkdir(parents=True, exist_ok=True)
    reset(directory)
    server = await BuiltinServer.start(directory, port=port, lan=lan)
    bots: list[Bot] = []
    rooms: dict[Conversation, DemoRoom] = {}
    talk: RoomTalk | None = None
    try:
        await seed(server)
        rooms = await seed_rooms(server)
        for person in PEOPLE:
            bot = make_bot(
                person, server.url, owner=ME.uin, store_dir=directory / BOTS_DIR, speed=speed
            )
            if bot is not None:
                bots.append(bot)
                bot.start()
        waits = [asyncio.wait_for(bot.ready.wait(), BOTS_READY_TIMEOUT) for bot in bots]
        results = await asyncio.gather(*waits, return_exceptions=True)
        late = [bot for bot, r in zip(bots, results, strict=True) if isinstance(r, BaseException)]
        if late:
            # The demo still works without them; the log says who is missing.
            log.warning("demo bots not logged in in time: %s", late)
        talk = RoomTalk(rooms, {bot.uin: bot for bot in bots}, speed=speed)
        talk.start()
    except BaseException:
        with contextlib.suppress(Exception):
            await Demo(server, bots, rooms, talk).stop()
        raise
    log.info(
        "demo runs on %s with %d bots and %d rooms (store %s)",
        server.url,
        len(bots),
        len(rooms),
        directory,
    )
    return Demo(server, bots, rooms, talk)
