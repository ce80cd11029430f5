"""The client core: an account session over asyncio + httpx that emits typed events (no Qt)."""

from qqdesk.core import (
    Audience,
    AuthMode,
    Content,
    Conversation,
    ConversationKind,
    Face,
    Presence,
    Profile,
    ProfilePrivacy,
    Sex,
)

from .api import ChatSession
from .errors import (
    HistoryTooNew,
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
from .links.classic import split_text
from .session import AccountSession
from .store import HistoryStore
from .timing import Timing
from .types import AddRequest, Buddy, FoundUser, OutgoingMessage, SearchResults, StoredMessage

__all__ = [
    "AccountSession",
    "AddRequest",
    "AddRequestReceived",
    "Audience",
    "AuthMode",
    "Buddy",
    "BuddyStatusChanged",
    "ChatSession",
    "ConnectionState",
    "ConnectionStateChanged",
    "Content",
    "Conversation",
    "ConversationKind",
    "DeliveryState",
    "Event",
    "Face",
    "FoundUser",
    "HistoryStore",
    "HistoryTooNew",
    "HistoryUnavailable",
    "LoginFailed",
    "MessageReceived",
    "MessageStateChanged",
    "NoSuchUser",
    "NotLoggedIn",
    "OutgoingMessage",
    "Presence",
    "Profile",
    "ProfilePrivacy",
    "QQError",
    "RequestApproved",
    "RequestRefused",
    "RequestRefusedEvent",
    "SearchResults",
    "ServerBusy",
    "ServerUnavailable",
    "SessionClosed",
    "Sex",
    "StoredMessage",
    "Timing",
    "TooFrequent",
    "Trouble",
    "WrongPassword",
    "split_text",
]
