"""Events an account session emits, as plain dataclasses (no Qt, no I/O).

Every event names the account it belongs to, and message events their
conversation, so that one listener can serve several accounts and, later,
groups and discussions. The desktop app turns them into Qt signals; bots read
them from ``AccountSession.events()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from qqdesk.core import Content, Conversation, Presence, render_text


class ConnectionState(enum.Enum):
    """Where the session's link to the server stands."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    #: Lost the server; retrying with back-off. The UI shows a banner.
    RECONNECTING = "reconnecting"
    #: Stopped for good (wrong password, logged out, replaced elsewhere).
    STOPPED = "stopped"


class Trouble(enum.Enum):
    """Why a session is RECONNECTING."""

    #: The server cannot be reached (or answers nonsense).
    NETWORK = "network"
    #: The local history store cannot be written (disk full...); received messages
    #: wait on the server until it can.
    STORAGE = "storage"


class DeliveryState(enum.Enum):
    """Life of an outgoing message in the outbox."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class MessageReceived:
    """A message in a conversation (already stored locally).

    For a buddy chat ``conversation`` is ``Conversation.buddy(sender)``.
    """

    #: The account that received it.
    account: int
    conversation: Conversation
    #: Who wrote it.
    sender: int
    content: Content
    #: Unix time the server stamped (TM), else the time it arrived.
    time: float
    #: Row id of the message in the local history store (negative: not kept).
    local_id: int

    @property
    def text(self) -> str:
        """The plain-text form of the content (faces as ``/微笑``)."""
        return render_text(self.content)


@dataclass(frozen=True, kw_only=True)
class BuddyStatusChanged:
    account: int
    uin: int
    #: What the buddy shows (never HIDDEN: others see a hidden user as offline).
    status: Presence


@dataclass(frozen=True, kw_only=True)
class AddRequestReceived:
    """Someone asks to add me to their list; approve() or refuse() answers."""

    account: int
    uin: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class RequestApproved:
    """A user I asked approved; they are in my buddy list now."""

    account: int
    uin: int


@dataclass(frozen=True, kw_only=True)
class RequestRefused:
    account: int
    uin: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ConnectionStateChanged:
    account: int
    state: ConnectionState
    #: A short human-readable reason (English; the UI words its own text).
    detail: str = ""
    #: What is wrong, while RECONNECTING.
    trouble: Trouble = Trouble.NETWORK


@dataclass(frozen=True, kw_only=True)
class MessageStateChanged:
    """An outgoing message moved between pending, sent and failed."""

    account: int
    local_id: int
    conversation: Conversation
    state: DeliveryState

    @property
    def peer(self) -> int:
        """The conversation's number (the buddy's, in a buddy chat)."""
        return self.conversation.number


@dataclass(frozen=True, kw_only=True)
class WebLoginWaiting:
    """A QR (web) sign-in is waiting to be approved or refused by me."""

    account: int
    #: The code shown beside the QR picture.
    code: str
    #: Unix time the QR was shown.
    created: int


@dataclass(frozen=True, kw_only=True)
class RoomsChanged:
    """My groups or discussions changed (created, joined, left, renamed): list them again.

    ``conversation`` is the room concerned, when one is.
    """

    account: int
    conversation: Conversation | None = None


@dataclass(frozen=True, kw_only=True)
class RoomsAvailability:
    """Whether groups and discussions can be used (the Smart QQ channel is open)."""

    account: int
    available: bool
    #: Why they closed (English; "" when the server simply has none): another web
    #: sign-in of the account took the web channel, or it gave up.
    reason: str = ""


Event = (
    MessageReceived
    | BuddyStatusChanged
    | AddRequestReceived
    | RequestApproved
    | RequestRefused
    | ConnectionStateChanged
    | MessageStateChanged
    | WebLoginWaiting
    | RoomsChanged
    | RoomsAvailability
)
