"""Signed-in users: per number one classic session (bound to the client's address and
a token) and one web session (Smart QQ, named by its psessionid)."""

from __future__ import annotations

import asyncio
import collections
import enum
import json
from dataclasses import dataclass, field

from qqdesk.core import Presence

from ..store import QueuedMessage


class Refusal(enum.Enum):
    """Why the service did not do what was asked (each front-end words it its own way)."""

    NO_SUCH_ACCOUNT = "no_such_account"
    NOT_SIGNED_IN = "not_signed_in"
    TOO_FREQUENT = "too_frequent"
    #: The recipient has as much waiting from strangers as they may (see Messaging).
    RECIPIENT_FULL = "recipient_full"
    WRONG_PASSWORD = "wrong_password"
    #: Not a member of that room, or no such room (see service/rooms.py).
    NOT_A_MEMBER = "not_a_member"
    #: Only one's own buddies may be brought into a room.
    NOT_A_BUDDY = "not_a_buddy"
    #: The room has as many members as it may (MAX_ROOM_MEMBERS).
    ROOM_FULL = "room_full"
    #: The request makes no sense (a group without a name, a card in a discussion).
    BAD_REQUEST = "bad_request"


class Refused(Exception):
    """The service refused a request; nothing was done."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


class ClientGone(Exception):
    """The client closed its connection before the work it asked for began; not done
    (nobody reads the answer)."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A buddy's new visible presence, waiting for one watcher's next fetch.

    Its id comes from the store's message id sequence (without a row), so that it
    sorts among queued messages in the order things happened and acknowledging
    an id covers it.
    """

    id: int
    buddy: int
    presence: Presence
    #: When it happened (seconds since the epoch).
    time: int


class Family(enum.Enum):
    """The protocol family a session speaks."""

    CLASSIC = "classic"
    WEB = "web"


@dataclass(frozen=True)
class WebOptions:
    """What a web session opted into at login2 (DESIGN §4.2); the defaults are historical."""

    #: Entries stay until acknowledged; an answer may carry up to MAX_PER_ANSWER.
    ack: bool = False
    #: Event kinds besides messages: "status" (buddies_status_change), "kick"
    #: (kick_message), "web_login" (qqdesk_web_login, which any of them brings too).
    events: frozenset[str] = frozenset()
    #: Buddy messages in poll2 (our own client with a classic link turns them off).
    buddy_messages: bool = True
    #: Real numbers instead of opaque ids (the front-end's business).
    plain_ids: bool = False
    #: Room messages above this id are delivered (catching up); None: from login2 on.
    since: int | None = None


def options_json(options: WebOptions) -> str:
    """``options`` as the shared store keeps them (see options_from_json)."""
    return json.dumps(
        {
            "ack": options.ack,
            "events": sorted(options.events),
            "buddy_messages": options.buddy_messages,
            "plain_ids": options.plain_ids,
            "since": options.since,
        },
        separators=(",", ":"),
    )


def options_from_json(text: str) -> WebOptions:
    raw = json.loads(text)
    return WebOptions(
        ack=bool(raw["ack"]),
        events=frozenset(str(e) for e in raw["events"]),
        buddy_messages=bool(raw["buddy_messages"]),
        plain_ids=bool(raw["plain_ids"]),
        since=None if raw["since"] is None else int(raw["since"]),
    )


@dataclass(frozen=True, slots=True)
class WebLoginNotice:
    """A QR sign-in now waits for approval (told to web sessions that opted in)."""

    id: int
    code: str
    created: int


@dataclass(eq=False)
class Session:
    """A signed-in user: the pair (number, client address), plus what presence needs."""

    uin: int
    ip: str
    token: str
    last_seen: float
    presence: Presence = Presence.ONLINE
    nick: str = ""
    face: int = 0
    #: Set once the client acknowledges what it fetched: it then gets at-least-once delivery.
    acks: bool = False
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    ended: bool = False
    #: Fetches now waiting (a held long poll keeps the session alive).
    polls: int = 0
    #: The newest message id given to a client that does not acknowledge, not yet
    #: taken as received (its next fetch, or Logout, does that).
    unacked: int = 0
    #: The newest message read from the store that this session (acknowledging) was
    #: given and has not acknowledged yet: its acknowledgement needs no read to know
    #: there is something to delete.
    stored_given: int = 0
    #: Counts this session's fetches: only the newest may be held (see Messaging.fetch).
    poll_turn: int = 0
    #: Buddies' presence changes not yet fetched (or, with acks, not yet acknowledged).
    status_changes: collections.deque[StatusChange] = field(default_factory=collections.deque)
    #: The buddy list as of login, kept up to date (whose presence this session watches).
    buddies: set[int] = field(default_factory=set)
    family: Family = Family.CLASSIC
    #: A web session's opt-ins (None for classic sessions).
    options: WebOptions | None = None
    #: A replaced web session: its poll is told (kick_message, then 121).
    kicked: bool = False
    #: Everything with an id at or below this was given (legacy web) or acknowledged
    #: (web with acks, classic AK): a session skips those ids, so a switch of reader, or
    #: a deletion the store failed to commit, never doubles.
    floor: int = 0
    #: Copies of what is queued for the account while another session reads the
    #: inbox (the classic one): the same messages, same ids, in memory.
    copies: collections.deque[QueuedMessage] = field(default_factory=collections.deque)
    #: Room messages above this id are this web session's to read.
    room_cursor: int = 0
    #: QR sign-ins waiting for approval, not yet given (opted-in web sessions).
    notices: collections.deque[WebLoginNotice] = field(default_factory=collections.deque)
    #: Held by this node (it ends it when idle); False for a copy of a classic session
    #: another node holds, which took it up later (forgotten here, not ended, when idle
    #: here: the client may be talking to the node that holds it).
    home: bool = True
    #: When this node last claimed this classic session, or heard another node did (see
    #: Service._claim and expire_idle).
    settled: float = float("-inf")
    #: A web session another node took up: the poll held here answers empty (its client
    #: goes on there), and the session is forgotten here, not ended.
    moved: bool = False
    #: A web session whose account's classic session another node holds: that one reads
    #: the inbox, and this one gets copies (from this node's commits, and read from the
    #: store when another node's NOTIFY names the account; see Service.woken).
    reader_elsewhere: bool = False
    #: Of those read from the store, the newest id copied (commit order).
    copied: int = 0
    #: What the shared store last heard of this web session (floor, room cursor,
    #: presence), so that only a change is written.
    shared_state: tuple[int, int, str] | None = None

    @property
    def is_web(self) -> bool:
        return self.family is Family.WEB

    def wants(self, event: str) -> bool:
        """True for classic sessions (they get presence changes) and opted-in web ones."""
        if self.options is None:
            return event == "status"
        if event == "web_login":
            # DESIGN-SMARTQQ §4.2: any events opted in bring the sign-in notices too
            return bool(self.options.events)
        return event in self.options.events
