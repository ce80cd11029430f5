"""The client core: an account session over asyncio + httpx that emits typed events (no Qt)."""

from qqdesk.protocol.classic import AuthMode, Profile, SearchResult, Sex, Status

from .errors import (
    HistoryUnavailable,
    LoginFailed,
    NoSuchUser,
    NotLoggedIn,
    QQError,
    RequestRefused,
    ServerBusy,
    ServerUnavailable,
    SessionClosed,
    TooFrequent,
    WrongPassword,
)
from .events import (
    AddRequestReceived,
    BuddyStatusChanged,
    ConnectionState,
    ConnectionStateChanged,
    DeliveryState,
    Event,
    MessageReceived,
    MessageStateChanged,
    RequestApproved,
    Trouble,
)
from .events import (
    RequestRefused as RequestRefusedEvent,
)
from .session import AccountSession, Timing, split_text
from .store import HistoryStore
from .types import AddRequest, Buddy, OutgoingMessage, SearchResults, StoredMessage

__all__ = [
    "AccountSession",
    "AddRequest",
    "AddRequestReceived",
    "AuthMode",
    "Buddy",
    "BuddyStatusChanged",
    "ConnectionState",
    "ConnectionStateChanged",
    "DeliveryState",
    "Event",
    "HistoryStore",
    "HistoryUnavailable",
    "LoginFailed",
    "MessageReceived",
    "MessageStateChanged",
    "NoSuchUser",
    "NotLoggedIn",
    "OutgoingMessage",
    "Profile",
    "QQError",
    "RequestApproved",
    "RequestRefused",
    "RequestRefusedEvent",
    "SearchResult",
    "SearchResults",
    "ServerBusy",
    "ServerUnavailable",
    "SessionClosed",
    "Sex",
    "Status",
    "StoredMessage",
    "Timing",
    "TooFrequent",
    "Trouble",
    "WrongPassword",
    "split_text",
]
