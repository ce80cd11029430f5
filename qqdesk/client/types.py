"""Plain values an account session hands out: buddies, stored messages, requests, users."""

from __future__ import annotations

from dataclasses import dataclass

from qqdesk.core import Content, Conversation, Presence, Sex, render_text

from .events import DeliveryState


@dataclass(frozen=True)
class Buddy:
    """A user in my buddy list, as last heard from the server."""

    uin: int
    nick: str = ""
    face: int = 0
    status: Presence = Presence.OFFLINE


@dataclass(frozen=True, kw_only=True)
class StoredMessage:
    """One message of the local history, in either direction."""

    local_id: int
    conversation: Conversation
    outgoing: bool
    content: Content
    #: Unix time: the server's stamp for incoming messages, the send time for outgoing.
    time: float
    state: DeliveryState
    #: The server's message id (incoming, with acknowledged delivery), for dedupe.
    server_id: int | None = None
    #: Who wrote an incoming group or discussion message (None in buddy chats and
    #: for my own messages: the conversation says who).
    sender: int | None = None

    @property
    def text(self) -> str:
        """The plain-text form of the content (faces as ``/微笑``)."""
        return render_text(self.content)

    @property
    def peer(self) -> int:
        """The conversation's number (the buddy's, in a buddy chat)."""
        return self.conversation.number


@dataclass(frozen=True)
class AddRequest:
    """Someone asked to add me and I have not answered yet."""

    uin: int
    reason: str
    time: float


@dataclass(frozen=True)
class FoundUser:
    """One user a search found."""

    uin: int
    nick: str
    face: int
    age: int
    #: None when the server sent a value that is no sex we know.
    sex: Sex | None
    province: str
    status: Presence


@dataclass(frozen=True)
class SearchResults:
    """One page of a user search; ``last`` is False when more pages follow."""

    results: list[FoundUser]
    last: bool


@dataclass(frozen=True)
class OutgoingMessage:
    """What ``send_message`` queued: one local id per part of a long text.

    ``local_id`` is the last part: parts go out in order and a failed part fails
    the parts after it, so the last part is sent only when the whole text is.
    """

    conversation: Conversation
    local_ids: tuple[int, ...]

    @property
    def local_id(self) -> int:
        return self.local_ids[-1]

    @property
    def peer(self) -> int:
        return self.conversation.number
