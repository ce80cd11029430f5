"""Plain values an account session hands out: buddies, stored messages, requests, users."""

from __future__ import annotations

from dataclasses import dataclass

from qqdesk.core import Content, Conversation, Presence, Sex, render_text

from .events import DeliveryState


@dataclass(frozen=True, slots=True)
class Buddy:
    """A user in my buddy list, as last heard from the server."""

    uin: int
    nick: str = ""
    face: int = 0
    status: Presence = Presence.OFFLINE
    #: My remark (备注) for them, "" when none; shown over the nickname.
    remark: str = ""
    #: The index of my category (分组) they are in (0: the default one).
    category: int = 0

    @property
    def name(self) -> str:
        """What the app shows: the remark, else the nickname, else the number."""
        return self.remark or self.nick or str(self.uin)


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


@dataclass(frozen=True)
class RoomMember:
    """One member of a group or discussion, as the member list shows them."""

    uin: int
    nick: str = ""
    #: The group card (群名片), "" when unset (discussions have none).
    card: str = ""
    status: Presence = Presence.OFFLINE
    #: Unix time they joined (0 when unknown).
    joined: int = 0

    @property
    def name(self) -> str:
        """Card if set, else nickname, else the number (as Smart QQ showed members)."""
        return self.card or self.nick or str(self.uin)


@dataclass(frozen=True)
class WebLogin:
    """A QR (web) sign-in waiting for the account owner's approval."""

    #: The code shown beside the QR picture (e.g. ``ABCD2345``).
    code: str
    #: Unix time the QR was shown.
    created: int
