"""The bus between nodes on one PostgreSQL database: LISTEN on a connection of its own,
NOTIFY for presence (wake-ups of commits are sent by the store, inside the commit)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from ..store.postgres import DATABASE_ERRORS, redact
from . import Deliver
from .wakeup import CHANNEL, WakeUp, decode, encode

log = logging.getLogger(__name__)


class PostgresBus:
    """LISTENs on ``CHANNEL`` and hands other nodes' wake-ups to ``deliver``.

    The listening connection is checked every CHECK seconds (a lost connection that
    the kernel has not noticed yet says nothing by itself); once it is lost the bus
    reconnects (backing off up to MAX_BACKOFF) and then wakes every poll this node
    holds, since NOTIFYs sent meanwhile were never heard: each poll re-reads the
    store, so no wake-up is lost, only late by the outage.
    """

    CHECK = 5.0
    MAX_BACKOFF = 5.0
    #: How the listening connection shows in pg_stat_activity (tests find it so).
    APPLICATION = "qqdesk-bus"

    def __init__(self, url: str, node: str) -> None:
        self.url = url
        self.node = node
        self.where = redact(url)
        self._deliver: Deliver | None = None
        self._db: Any = None
        self._lost = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        #: How many times the bus reconnected (and woke every poll).
        self.reconnects = 0

    async def start(self, deliver: Deliver) -> None:
        """Listen (a first failure is logged and retried in the background)."""
        self._deliver = deliver
        try:
            await self._connect()
        except DATABASE_ERRORS as exc:
            log.warning("cannot listen on %s yet (retrying): %s", self.where, exc)
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="qqdesk-bus")

    async def _connect(self) -> None:
        db = await asyncpg.connect(
            self.url, timeout=10, server_settings={"application_name": self.APPLICATION}
        )
        try:
            self._lost = lost = asyncio.Event()
            db.add_termination_listener(lambda _db: lost.set())
            await db.add_listener(CHANNEL, self._heard)
        except BaseException:
            db.terminate()
            raise
        self._db = db

    def _heard(self, _db: object, _pid: int, _channel: str, payload: object) -> None:
        node, wake = decode(str(payload))
        if node != self.node and self._deliver is not None:
            self._deliver(wake)

    async def _watch(self) -> None:
        backoff = 0.1
        while not self._closed:
            if self._db is None:
                try:
                    await self._connect()
                except DATABASE_ERRORS as exc:
                    log.debug("listening on %s failed: %s", self.where, exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.MAX_BACKOFF)
                    continue
                backoff = 0.1
                self.reconnects += 1
                log.info("listening on %s again: every held poll looks again", self.where)
                if self._deliver is not None:
                    self._deliver(WakeUp(everyone=True))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self.CHECK)
            if self._closed:
                break
            if not self._lost.is_set() and await self._alive():
                continue
            log.warning("lost the listening connection to %s; reconnecting", self.where)
            db, self._db = self._db, None
            db.terminate()

    async def _alive(self) -> bool:
        try:
            async with self._lock:
                await asyncio.wait_for(self._db.execute("SELECT 1"), self.CHECK)
        except (*DATABASE_ERRORS, asyncpg.InterfaceError):
            return False
        return True

    def publish(self, wake: WakeUp) -> None:
        """NOTIFY the other nodes (presence news); a lost connection drops it (news, not
        messages: those travel with their commits)."""
        if self._db is not None and wake and not self._closed:
            asyncio.get_running_loop().create_task(self._notify(encode(self.node, wake)))

    async def _notify(self, payload: str) -> None:
        db = self._db
        if db is None:
            return
        try:
            async with self._lock:
                await db.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except DATABASE_ERRORS as exc:
            log.debug("presence notice to %s dropped: %s", self.where, exc)

    async def close(self) -> None:
        self._closed = True
        self._lost.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        db, self._db = self._db, None
        if db is not None:
            try:
                await asyncio.wait_for(db.close(), 5)
            except (*DATABASE_ERRORS, asyncpg.InterfaceError):
                db.terminate()
