"""Wake-ups between server nodes: the in-process bus (one node, SQLite) and PostgreSQL's
LISTEN/NOTIFY (several nodes on one database)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .wakeup import CHANNEL, WakeUp, decode, encode

#: What a bus calls with a wake-up from elsewhere (on the server's loop).
Deliver = Callable[[WakeUp], None]


class Bus(Protocol):
    """Carries wake-ups to the other nodes on the same store.

    Wake-ups of a commit travel with the commit (the PostgreSQL store sends one NOTIFY
    per commit batch); ``publish`` is for news that is not a commit (presence).
    ``deliver`` hears wake-ups from other nodes only: this node's own polls are
    woken in process when its writes commit. After a lost connection ``deliver``
    gets ``WakeUp(everyone=True)``: what was said meanwhile is re-read, not lost.
    """

    async def start(self, deliver: Deliver) -> None: ...
    def publish(self, wake: WakeUp) -> None: ...
    async def close(self) -> None: ...


class LocalBus:
    """One node (a SQLite file has one): every wake-up is this node's own, delivered in
    process at commit (see service.messaging), so nothing needs to travel."""

    def __init__(self) -> None:
        self.deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self.deliver = deliver

    def publish(self, wake: WakeUp) -> None:
        """No other node hears: the service already told this node's sessions."""

    async def close(self) -> None:
        self.deliver = None


__all__ = ["CHANNEL", "Bus", "Deliver", "LocalBus", "WakeUp", "decode", "encode"]
