"""The store's one interface (every operation awaited), its values and its errors."""

from __future__ import annotations

import enum
import hashlib
import hmac
import os
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from qqdesk.core import (
    AuthMode,
    BuddyEntry,
    Category,
    Content,
    Conversation,
    ConversationKind,
    Member,
    Profile,
    ProfilePrivacy,
    Room,
    RoomMessage,
)

from ..bus.wakeup import WakeUp


class StoreError(Exception):
    """The store cannot be opened or used (a full disk, a file from a newer release...)."""


class MessageKind(enum.Enum):
    """What a queued message is, in words; each front-end maps these to its own codes."""

    TEXT = "text"
    ADD_REQUEST = "add_request"
    REQUEST_APPROVED = "request_approved"
    REQUEST_REFUSED = "request_refused"


@dataclass(frozen=True)
class Account:
    """An account as the service sees it: profile, auth mode and search opt-in."""

    profile: Profile
    auth: AuthMode
    searchable: bool


@dataclass(frozen=True)
class NewMessage:
    """A message to queue for one recipient.

    ``conversation`` is seen from the recipient: a buddy chat is named by the
    sender's number; a group or discussion message is fanned out as one row per
    member, each naming the group, with the author as ``sender``.
    """

    recipient: int
    sender: int
    conversation: Conversation
    kind: MessageKind
    content: Content


@dataclass(frozen=True)
class QueuedMessage:
    """A message waiting for its recipient, with the id and time the store gave it."""

    id: int
    recipient: int
    sender: int
    conversation: Conversation
    kind: MessageKind
    content: Content
    time: int


#: Seconds a QR sign-in waits to be approved (and an approved one to be taken up).
WEB_LOGIN_TTL = 120


@dataclass(frozen=True)
class WebLogin:
    """A QR sign-in of the Smart QQ channel, kept in the store so that every process on
    it sees it (the command line approves while ``serve`` runs).

    ``state`` is "pending", "approved" (``uin`` is the account it signs in) or
    "refused"; ``code`` is what the QR carries and its owner types to approve it,
    ``token`` the QR's ptqrtoken, by which the web client asks about it.
    """

    code: str
    token: int
    created: int
    state: str
    uin: int | None


class Store(Protocol):
    """What the service needs from storage: one awaitable per operation, one transaction each.

    Reads are ``async def``. Writes return an awaitable that is queued when the
    method is called (queued writes are applied in call order, which the service
    relies on: a message accepted before a status change is delivered before it)
    and completes once the write is committed. Writes that create or change data
    are on disk before they count as committed; deleting delivered messages
    (``delete_upto``, ``take``) is committed without its own fsync: a power cut
    can bring such messages back, but never lose one. A write that cannot be
    committed (a full disk) fails with StoreError, and nothing of it is kept.
    """

    def close(self) -> None:
        """Commit what is queued and let go of the file (lifecycle, not an operation;
        blocking, called once at shutdown)."""
        ...

    def reserve_message_ids(self, count: int) -> range:
        """``count`` ids from the message id sequence without queueing anything (no I/O):
        what the service gives status changes it hands out in memory, so that they sort
        and are acknowledged among the stored messages."""
        ...

    async def room_cursor_now(self) -> int:
        """An id at or above every message committed so far, and below every one
        committed later (by any node): where a new reader of rooms starts."""
        ...

    # accounts
    def create_account(
        self,
        uin: int | None,
        password_hash: str,
        profile: Profile,
        auth: AuthMode,
        searchable: bool,
    ) -> Awaitable[int]: ...
    async def account(self, uin: int) -> Account | None: ...
    async def is_account(self, uin: int) -> bool: ...
    async def password_hash(self, uin: int) -> str | None: ...
    def set_password_hash(self, uin: int, password_hash: str) -> Awaitable[bool]: ...
    def update_account(
        self,
        uin: int,
        fields: dict[str, Any],
        auth: AuthMode | None = None,
        searchable: bool | None = None,
    ) -> Awaitable[bool]: ...
    async def privacy(self, uin: int) -> ProfilePrivacy | None:
        """Who may see ``uin``'s private profile fields; None if no such account."""
        ...

    def set_privacy(self, uin: int, privacy: ProfilePrivacy) -> Awaitable[bool]: ...
    async def list_accounts(self) -> list[Account]: ...
    async def search(
        self, exclude: int, age: int, sex: int | None, province: str, offset: int, limit: int
    ) -> list[Account]: ...

    # buddy lists
    async def buddies(self, owner: int, offset: int = 0, limit: int = -1) -> list[int]: ...
    async def buddy_count(self, owner: int) -> int: ...
    async def watchers(self, uin: int) -> list[int]: ...
    def add_buddy(self, owner: int, buddy: int) -> Awaitable[bool]: ...
    def remove_buddy(self, owner: int, buddy: int) -> Awaitable[bool]: ...

    # add requests
    def request(self, requester: int, target: int, reason: str) -> Awaitable[list[int]]:
        """Keep ``requester``'s request to ``target`` and queue its notice, at once."""
        ...

    def answer_request(
        self, requester: int, target: int, approve: bool, reason: str
    ) -> Awaitable[list[int] | None]:
        """``target`` answers: the request goes, the buddy is added if approved and the
        answer is queued for ``requester``, in one transaction; None (nothing changed)
        when there was no such request."""
        ...

    async def open_request(self, requester: int, target: int) -> str | None:
        """The reason of ``requester``'s open request to ``target``; None if none."""
        ...

    # messages
    def enqueue(self, messages: Sequence[NewMessage]) -> Awaitable[list[int]]: ...
    def enqueue_once(self, message: NewMessage, client_id: str) -> Awaitable[list[int]]:
        """Queue ``message`` unless its sender already sent one with ``client_id`` in the
        last day: the record of the id and the message in one transaction, so a resend
        after a lost answer is stored once, even across a crash. Its id; none for a
        resend (nothing queued)."""
        ...

    async def queued(self, recipient: int, limit: int, after: int = 0) -> list[QueuedMessage]:
        """The oldest ``limit`` messages queued for ``recipient`` with an id above ``after``."""
        ...

    async def from_strangers(self, recipient: int, limit: int, after: int = 0) -> int:
        """How many messages queued for ``recipient`` with an id above ``after`` come from
        users not on their buddy list (add requests included), counted up to ``limit``
        (so it stays cheap)."""
        ...

    def delete_upto(self, recipient: int, last_id: int) -> Awaitable[None]:
        """Forget ``recipient``'s messages up to ``last_id`` (acknowledged ones)."""
        ...

    def take(self, recipient: int, limit: int) -> Awaitable[list[QueuedMessage]]:
        """Legacy delivery: the oldest ``limit`` messages, gone from the queue."""
        ...

    # rooms (groups and discussions); the service's rules are in service/rooms.py
    def create_room(
        self, kind: ConversationKind, name: str, owner: int | None, members: Sequence[int]
    ) -> Awaitable[Conversation]:
        """A new group or discussion, numbered from one sequence for both (from 100000),
        with ``members`` (and ``owner``, who is one) joined now."""
        ...

    async def room(self, conversation: Conversation) -> Room | None: ...
    async def list_rooms(self, kind: ConversationKind) -> list[Room]:
        """Every group, or every discussion, by number (for administration)."""
        ...

    async def rooms_of(self, uin: int) -> list[Room]:
        """The rooms ``uin`` is a member of: groups, then discussions, each by number."""
        ...

    async def members(self, conversation: Conversation) -> list[Member]:
        """A room's members, the longest-standing first (by joined, then number)."""
        ...

    async def is_member(self, conversation: Conversation, uin: int) -> bool: ...
    def add_members(self, conversation: Conversation, uins: Sequence[int]) -> Awaitable[list[int]]:
        """Join ``uins`` to a room; the ones newly added (members already there, and
        everyone when there is no such room, are left alone)."""
        ...

    def remove_member(self, conversation: Conversation, uin: int) -> Awaitable[bool]: ...
    def set_card(self, conversation: Conversation, uin: int, card: str) -> Awaitable[bool]:
        """A member's card ("" unsets it); False when ``uin`` is not a member."""
        ...

    def update_room(
        self,
        conversation: Conversation,
        *,
        name: str | None = None,
        memo: str | None = None,
        owner: int | None = None,
    ) -> Awaitable[bool]:
        """Change what is given (None leaves a field alone); False when there is no such room."""
        ...

    def post(
        self, conversation: Conversation, sender: int, content: Content
    ) -> Awaitable[RoomMessage]:
        """Keep a message said in a room (durable before it completes), with an id from the
        message id sequence; the room's history beyond ROOM_HISTORY messages and any
        older than ROOM_HISTORY_AGE go."""
        ...

    def post_once(
        self, conversation: Conversation, sender: int, content: Content, client_id: str
    ) -> Awaitable[RoomMessage | None]:
        """``post``, unless ``sender`` sent ``client_id`` before (within SENT_IDS_KEPT;
        one record per sender, shared with enqueue_once): None for such a resend
        (nothing kept). The record and the message in one transaction."""
        ...

    async def room_messages(
        self, conversations: Sequence[Conversation], after: int, limit: int
    ) -> list[RoomMessage]:
        """The oldest ``limit`` kept messages of these rooms with an id above ``after``."""
        ...

    # remarks (a user's own name for a buddy; Smart QQ's markname)
    def set_remark(self, owner: int, buddy: int, remark: str) -> Awaitable[bool]:
        """``owner``'s remark for ``buddy`` ("" removes it); False when nothing changed.
        Removing the buddy removes the remark too."""
        ...

    async def remarks(self, owner: int) -> dict[int, str]: ...

    # categories (a user's own grouping of their buddies; Smart QQ's categories)
    async def categories(self, owner: int) -> list[Category]:
        """``owner``'s categories in their order: the default one (index 0) first, always."""
        ...

    def add_category(self, owner: int, name: str, limit: int) -> Awaitable[int | None]:
        """A new category last in the order; its index (None when ``owner`` already has
        ``limit`` categories, the default one counted)."""
        ...

    def rename_category(self, owner: int, index: int, name: str) -> Awaitable[bool]:
        """False when there is no such category or the name is the same."""
        ...

    def delete_category(self, owner: int, index: int) -> Awaitable[bool]:
        """Its buddies go to the default category, in the same transaction; False for
        the default category and for one that does not exist."""
        ...

    def order_categories(self, owner: int, indexes: Sequence[int]) -> Awaitable[bool]:
        """Put the categories in this order (the default one stays first, wherever it is
        named); False, and nothing changes, unless ``indexes`` names each of ``owner``'s
        other categories exactly once."""
        ...

    def set_category(self, owner: int, buddy: int, index: int) -> Awaitable[bool]:
        """Move ``buddy`` (on ``owner``'s list) to a category; False when ``buddy`` is not
        on the list, the category does not exist or the buddy is already there."""
        ...

    async def buddy_entries(self, owner: int, offset: int, limit: int) -> list[BuddyEntry]:
        """A page of ``owner``'s buddy list in its order, each with nickname, face, remark
        and category, in one read (buddies whose account is gone are left out)."""
        ...

    # pending web (QR) sign-ins, shared by every process on the store
    def add_web_login(self, code: str, token: int) -> Awaitable[None]:
        """A new pending sign-in (expired ones go first); ValueError when ``code`` is taken."""
        ...

    async def web_login(self, token: int) -> WebLogin | None:
        """The newest sign-in with this ptqrtoken, whatever its state; None once expired."""
        ...

    async def web_logins(self) -> list[WebLogin]:
        """The pending, unexpired sign-ins, oldest first."""
        ...

    def decide_web_login(self, code: str, uin: int | None) -> Awaitable[bool]:
        """Approve a pending sign-in for ``uin`` (None refuses it); False when there is
        no such pending, unexpired one."""
        ...

    def drop_web_login(self, code: str) -> Awaitable[None]: ...


@dataclass(frozen=True)
class SessionRecord:
    """A classic session as every node on a shared store sees it (see SharedSessions)."""

    uin: int
    ip: str
    token: str
    #: What the account chose (Presence's value; hidden included).
    presence: str
    #: The node that signed it in (PostgresStore.node).
    node: str


@runtime_checkable
class SharedSessions(Protocol):
    """Classic sessions kept where every node finds them (a store several nodes share:
    PostgreSQL). A store one node owns (SQLite) has none: that node's memory is enough.

    Keeping or dropping a session wakes the other nodes (their copy is stale)."""

    def keep_session(self, record: SessionRecord) -> Awaitable[None]: ...
    def drop_session(self, uin: int, token: str) -> Awaitable[None]:
        """Forget ``uin``'s session if it is still the one with ``token``."""
        ...

    def session_presence(self, uin: int, token: str, presence: str) -> Awaitable[None]:
        """The session's account chose ``presence`` (no wake-up: presence is news)."""
        ...

    def claim_session(self, uin: int, token: str, node: str) -> Awaitable[bool]:
        """``node`` holds ``uin``'s session from now on (its client talks there), if it
        is still the one with ``token``; False when it ended or was replaced."""
        ...

    async def find_session(self, uin: int) -> SessionRecord | None: ...
    async def online(self) -> dict[int, str]:
        """Every kept session's account and presence."""
        ...

    def tell(self, wake: WakeUp) -> Awaitable[None]:
        """Tell the other nodes ``wake`` (news that is no write: what changed the limits'
        counts) with the next commit's NOTIFY, or alone when nothing is being written;
        done once it is sent."""
        ...


@dataclass(frozen=True)
class WebSessionRecord:
    """A web (Smart QQ) session as every node on a shared store sees it (see
    SharedWebSessions): what a node needs to take it up when a request for it lands
    there."""

    #: Its psessionid.
    token: str
    uin: int
    ip: str
    #: The front-end's name for the sign-in it came from (its vfwebqq).
    ticket: str
    #: Its login2 opt-ins (the service's JSON form of WebOptions).
    options: str
    #: Everything at or below this id was given (legacy) or acknowledged (acks).
    floor: int
    #: Room messages above this id are its to read.
    room_cursor: int
    #: What the account chose (Presence's value; hidden included).
    presence: str
    #: Replaced by a newer session of the account (its psessionid answers 121).
    kicked: bool
    #: The node holding it now (the last to take it up).
    node: str


@dataclass(frozen=True)
class TicketRecord:
    """An approved web sign-in's tokens (cookies and vfwebqq), kept where every node
    finds them."""

    uin: int
    skey: str
    ptwebqq: str
    token: str
    vfwebqq: str


@runtime_checkable
class SharedWebSessions(Protocol):
    """Web sign-ins and web sessions every node sees, and the key of the opaque ids
    all nodes show (a store several nodes share: PostgreSQL).

    Keeping, taking up or dropping a web session wakes the other nodes (``web``):
    their copy is stale."""

    async def web_id_key(self) -> bytes:
        """The key behind the web channel's opaque ids, the same for every node."""
        ...

    def keep_ticket(self, ticket: TicketRecord) -> Awaitable[None]: ...
    async def find_ticket(
        self, *, skey: str = "", token: str = "", vfwebqq: str = "", signature: str = ""
    ) -> TicketRecord | None:
        """The ticket with that skey, token, vfwebqq or check_sig signature (a signature
        is used up by finding it)."""
        ...

    def sign_ticket(self, vfwebqq: str, signature: str) -> Awaitable[None]:
        """``signature`` (check_sig's ptsigx) names that ticket now."""
        ...

    def drop_ticket(self, vfwebqq: str) -> Awaitable[None]: ...
    def keep_web_session(self, record: WebSessionRecord) -> Awaitable[None]:
        """A new web session of ``record.uin``; the account's previous one is kicked."""
        ...

    def claim_web_session(self, token: str, node: str) -> Awaitable[bool]:
        """``node`` holds the session now (the one that held it lets go); False when it
        ended or was replaced meanwhile."""
        ...

    def update_web_session(
        self, token: str, floor: int, room_cursor: int, presence: str
    ) -> Awaitable[None]:
        """How far the session has read, and its presence (no wake-up: a node taking it
        up reads them)."""
        ...

    def drop_web_session(self, token: str, node: str | None = None) -> Awaitable[None]:
        """The session ended (only if ``node`` holds it, when given)."""
        ...

    async def find_web_session(
        self, *, token: str = "", uin: int | None = None
    ) -> WebSessionRecord | None:
        """The session with that psessionid (kicked or not), or ``uin``'s live one."""
        ...


#: scrypt's cost (CPU and memory); stored with each hash, so it can change later.
SCRYPT_N = 2**14


def hash_password(password_md5: str, *, salt: bytes | None = None, n: int = SCRYPT_N) -> str:
    """A salted scrypt hash of the lower-case MD5 hex the protocol sends."""
    salt = os.urandom(16) if salt is None else salt
    r, p = 8, 1
    digest = hashlib.scrypt(
        password_md5.strip().lower().encode("ascii", "replace"), salt=salt, n=n, r=r, p=p
    )
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password_md5: str, stored: str) -> bool:
    """True when the MD5 hex (either case) matches a stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password_md5.strip().lower().encode("ascii", "replace"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def md5_hex(password: str) -> str:
    """What a classic client sends as PS for a plain-text password."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()
