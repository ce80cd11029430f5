"""What a link hands the session core from a poll: neutral values, no wire codes."""

from __future__ import annotations

from dataclasses import dataclass

from qqdesk.core import Content, Conversation, Presence


@dataclass(frozen=True)
class IncomingMessage:
    conversation: Conversation
    sender: int
    content: Content
    #: The server's stamp (Unix time), None when it sent none.
    server_time: int | None
    #: The server's id for acknowledged delivery, None from servers without it.
    server_id: int | None


@dataclass(frozen=True)
class PresenceChange:
    uin: int
    presence: Presence


@dataclass(frozen=True)
class AddRequestIncoming:
    uin: int
    reason: str


@dataclass(frozen=True)
class ApprovalIncoming:
    uin: int


@dataclass(frozen=True)
class RefusalIncoming:
    uin: int
    reason: str


@dataclass(frozen=True)
class WebLoginIncoming:
    """A QR (web) sign-in waits for the owner's approval."""

    code: str
    created: int


Incoming = (
    IncomingMessage
    | PresenceChange
    | AddRequestIncoming
    | ApprovalIncoming
    | RefusalIncoming
    | WebLoginIncoming
)


@dataclass(frozen=True)
class Delivery:
    """One item of a poll; ``key`` identifies it for dedupe and acknowledgement."""

    item: Incoming | None
    #: (server id, server time) when the server numbers what it delivers, else None.
    key: tuple[int, int | None] | None
    #: What the server sent when the link could not read it (for the log).
    raw: str = ""


@dataclass(frozen=True)
class Poll:
    """What one poll brought."""

    deliveries: list[Delivery]
