"""A wake-up between nodes: who has something new (accounts, rooms, a presence change),
never the messages themselves, what changed the limits' counts, and its text form on
the wire (a NOTIFY payload)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from qqdesk.core import Conversation, ConversationKind, Presence

#: The PostgreSQL channel every node LISTENs on.
CHANNEL = "qqdesk_wake"
#: PostgreSQL refuses payloads of 8000 bytes or more: beyond this, "everyone" instead.
MAX_PAYLOAD = 7900

#: What one node tells the others of what changed its limits' counts (a message
#: counted, a penalty, a sign-in attempt: see service.limits), in a JSON-able form.
LimitEvent = tuple[str | int, ...]

_ROOM_PREFIX = {ConversationKind.GROUP: "g", ConversationKind.DISCUSSION: "d"}
_ROOM_KIND = {v: k for k, v in _ROOM_PREFIX.items()}


@dataclass(frozen=True)
class WakeUp:
    """What a commit (or a presence change) means to the long polls of other nodes."""

    #: Accounts with something new in their queue.
    accounts: frozenset[int] = frozenset()
    #: Rooms with a new message (their members' web sessions look).
    rooms: frozenset[Conversation] = frozenset()
    #: Visible presence changes, in the order they happened (account, presence).
    presence: tuple[tuple[int, Presence], ...] = ()
    #: Every held poll looks again (a payload too big to name everyone).
    everyone: bool = False
    #: Accounts whose classic session was signed in or out elsewhere: a copy here is stale.
    sessions: frozenset[int] = frozenset()
    #: Accounts whose web session was signed in, taken up or ended elsewhere.
    web: frozenset[int] = frozenset()
    #: Accounts whose nickname or face changed (live sessions elsewhere show them).
    profiles: frozenset[int] = frozenset()
    #: A QR sign-in waits for approval (web sessions that opted in hear of it).
    web_logins: bool = False
    #: What changed the limits' counts on the sending node (replayed by every other).
    limits: tuple[LimitEvent, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.accounts
            or self.rooms
            or self.presence
            or self.everyone
            or self.sessions
            or self.web
            or self.profiles
            or self.web_logins
            or self.limits
        )

    def merged(self, other: WakeUp) -> WakeUp:
        return WakeUp(
            self.accounts | other.accounts,
            self.rooms | other.rooms,
            self.presence + other.presence,
            self.everyone or other.everyone,
            self.sessions | other.sessions,
            self.web | other.web,
            self.profiles | other.profiles,
            self.web_logins or other.web_logins,
            self.limits + other.limits,
        )


def encode(node: str, wake: WakeUp) -> str:
    """The payload naming ``wake`` sent by ``node`` (so that a node skips its own)."""
    body: dict[str, object] = {"n": node}
    if wake.accounts:
        body["a"] = sorted(wake.accounts)
    if wake.rooms:
        body["r"] = sorted(f"{_ROOM_PREFIX[r.kind]}{r.number}" for r in wake.rooms)
    if wake.presence:
        body["p"] = [[uin, presence.value] for uin, presence in wake.presence]
    if wake.everyone:
        body["all"] = 1
    if wake.sessions:
        body["s"] = sorted(wake.sessions)
    if wake.web:
        body["w"] = sorted(wake.web)
    if wake.profiles:
        body["f"] = sorted(wake.profiles)
    if wake.web_logins:
        body["q"] = 1
    if wake.limits:
        body["l"] = wake.limits
    text = json.dumps(body, separators=(",", ":"))
    if len(text) <= MAX_PAYLOAD:
        return text
    if "l" in body:
        # counts are the first to go (the other nodes count less for a moment:
        # approximate, see docs/scaling.md), before anyone's wake-up
        del body["l"]
        text = json.dumps(body, separators=(",", ":"))
        if len(text) <= MAX_PAYLOAD:
            return text
    # too many to name: every node wakes every poll it holds (they re-read) and reloads
    # its view of sessions; presence changes that do not fit are dropped (news, not
    # messages: see docs/scaling.md)
    return json.dumps({"n": node, "all": 1}, separators=(",", ":"))


def decode(payload: str) -> tuple[str, WakeUp]:
    """(sending node, wake-up); a payload it cannot read wakes everyone (safe, not lost)."""
    try:
        body = json.loads(payload)
        node = str(body["n"])
        rooms = frozenset(Conversation(_ROOM_KIND[r[0]], int(r[1:])) for r in body.get("r", ()))
        presence = tuple((int(u), Presence(p)) for u, p in body.get("p", ()))
        return node, WakeUp(
            frozenset(int(a) for a in body.get("a", ())),
            rooms,
            presence,
            bool(body.get("all")),
            frozenset(int(s) for s in body.get("s", ())),
            frozenset(int(w) for w in body.get("w", ())),
            frozenset(int(f) for f in body.get("f", ())),
            bool(body.get("q")),
            tuple(_event(e) for e in body.get("l", ())),
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return "", WakeUp(everyone=True)


def _event(item: object) -> LimitEvent:
    if not isinstance(item, list) or not all(isinstance(v, str | int) for v in item):
        raise ValueError(f"not a limits event: {item!r}")
    return tuple(item)
