"""Plain values an account session hands out: buddies, stored messages, requests."""

from __future__ import annotations

from dataclasses import dataclass

from qqdesk.protocol.classic import SearchResult, Status

from .events import DeliveryState


@dataclass(frozen=True)
class Buddy:
    """A user in my buddy list, as last heard from the server."""

    uin: int
    nick: str = ""
    face: int = 0
    status: Status = Status.OFFLINE


@dataclass(frozen=True)
class StoredMessage:
    """One message of the local history, in either direction."""

    local_id: int
    peer: int
    outgoing: bool
    text: str
    #: Unix time: the server's stamp for incoming messages, the send time for outgoing.
    time: float
    state: DeliveryState
    #: The server's message id (incoming, with acknowledged delivery), for dedupe.
    server_id: int | None = None


@dataclass(frozen=True)
class AddRequest:
    """Someone asked to add me and I have not answered yet."""

    uin: int
    reason: str
    time: float


@dataclass(frozen=True)
class SearchResults:
    """One page of a user search; ``last`` is False when more pages follow."""

    results: list[SearchResult]
    last: bool


@dataclass(frozen=True)
class OutgoingMessage:
    """What ``send_message`` queued: one local id per part of a long text.

    ``local_id`` is the last part: parts go out in order and a failed part fails
    the parts after it, so the last part is sent only when the whole text is.
    """

    peer: int
    local_ids: tuple[int, ...]

    @property
    def local_id(self) -> int:
        return self.local_ids[-1]
