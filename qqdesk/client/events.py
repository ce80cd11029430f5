"""Events an account session emits, as plain dataclasses (no Qt, no I/O).

The desktop app turns them into Qt signals; bots read them from
``AccountSession.events()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from qqdesk.protocol.classic import Status


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


@dataclass(frozen=True)
class MessageReceived:
    """A text message from a buddy or a stranger (already stored locally)."""

    sender: int
    text: str
    #: Unix time the server stamped (TM), else the time it arrived.
    time: float
    #: Row id of the message in the local history store.
    local_id: int


@dataclass(frozen=True)
class BuddyStatusChanged:
    uin: int
    status: Status


@dataclass(frozen=True)
class AddRequestReceived:
    """Someone asks to add me to their list; approve() or refuse() answers."""

    uin: int
    reason: str


@dataclass(frozen=True)
class RequestApproved:
    """A user I asked approved; they are in my buddy list now."""

    uin: int


@dataclass(frozen=True)
class RequestRefused:
    uin: int
    reason: str


@dataclass(frozen=True)
class ConnectionStateChanged:
    state: ConnectionState
    #: A short human-readable reason (English; the UI words its own text).
    detail: str = ""
    #: What is wrong, while RECONNECTING.
    trouble: Trouble = Trouble.NETWORK


@dataclass(frozen=True)
class MessageStateChanged:
    """An outgoing message moved between pending, sent and failed."""

    local_id: int
    peer: int
    state: DeliveryState


Event = (
    MessageReceived
    | BuddyStatusChanged
    | AddRequestReceived
    | RequestApproved
    | RequestRefused
    | ConnectionStateChanged
    | MessageStateChanged
)
