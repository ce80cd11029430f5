"""How often a user may do what: rate limits on what is stored, penalties and the login
throttle, counted on every node of a shared store (see Limits.heard)."""

from __future__ import annotations

import collections
import enum
import itertools
import secrets
from collections.abc import Callable, Iterable

from ..bus.wakeup import LimitEvent

#: Messages (and, counted apart, add requests and their answers) one user may send
#: within RATE_WINDOW seconds before they are refused.
RATE_LIMIT = 10
RATE_WINDOW = 10.0
#: How long a penalty lasts for the same action by the same user.
PENALTY = 20.0
#: Wrong passwords allowed within LOGIN_WINDOW seconds, per number and per address.
LOGIN_FAILURES_PER_UIN = 5
LOGIN_FAILURES_PER_IP = 30
LOGIN_WINDOW = 300.0
#: How long a good sign-in makes its (number, address) pair trusted, and how many
#: such pairs are remembered (in memory; the oldest go first).
TRUST_TIME = 30 * 24 * 3600.0
MAX_TRUSTED = 100_000


#: Failures allowed per count, by its kind ("i": an address; a number, or a pair: 5).
_LOGIN_LIMIT = {"i": LOGIN_FAILURES_PER_IP}


class Action(enum.Enum):
    """What a penalty stops (a front-end names the request it stands for)."""

    SEND_MESSAGE = "send_message"
    ANSWER_REQUEST = "answer_request"
    #: Own profile changes (SetInfo) and password changes (SetPassword): stored too.
    SET_PROFILE = "set_profile"
    SET_PASSWORD = "set_password"


#: An action's name in the events nodes tell each other (short: a NOTIFY carries many).
_CODE = {
    Action.SEND_MESSAGE: "m",
    Action.ANSWER_REQUEST: "r",
    Action.SET_PROFILE: "p",
    Action.SET_PASSWORD: "w",
}
_ACTION = {code: action for action, code in _CODE.items()}

#: The events (see Limits.heard): an action counted, a penalty, a sign-in attempt
#: started (with the counts it is in), a failure on an address's count, an attempt
#: that was right (the pair is trusted), an attempt taken back.
SENT, PENALTY_EVENT, ATTEMPT, FAILED, SIGNED_IN, TAKEN_BACK = "s", "x", "a", "f", "ok", "t"


class Limits:
    """Per-user counters on a monotonic ``clock`` (injectable: tests move time by hand).

    ``tell`` (set by the service when several nodes share the store) hears every event
    that changes a count here; the other nodes' Limits replay them with ``heard``, so
    every node counts what every node saw. An event is stamped with the hearing node's
    own clock (nodes' monotonic clocks do not compare): a count elsewhere starts the
    NOTIFY's delivery later, milliseconds.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        rate_limit: int = RATE_LIMIT,
        tell: Callable[[LimitEvent], None] | None = None,
    ) -> None:
        self.clock = clock
        self.rate_limit = rate_limit
        self.tell = tell
        self._sent: dict[tuple[int, Action], collections.deque[float]] = {}
        self._penalties: dict[tuple[int, Action], float] = {}
        #: Failures (attempts in flight too) by count: "u:NUMBER", "i:ADDRESS" and, for
        #: a trusted pair, "p:NUMBER:ADDRESS".
        self._login_failures: dict[str, collections.deque[float]] = {}
        #: Sign-in attempts whose password is being checked, here or on another node:
        #: when they were counted and in which counts (to take them back).
        self._attempts: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._attempt_ids = map(f"{secrets.token_hex(4)}.{{}}".format, itertools.count(1))
        #: Pairs (number, address) that signed in, with when (oldest first).
        self._trusted: dict[tuple[int, str], float] = {}

    def _told(self, event: LimitEvent) -> None:
        if self.tell is not None:
            self.tell(event)

    def penalized(self, uin: int, action: Action) -> bool:
        until = self._penalties.get((uin, action))
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._penalties[(uin, action)]
        return False

    def penalize(self, uin: int, action: Action) -> None:
        self._penalties[(uin, action)] = self.clock() + PENALTY
        self._told((PENALTY_EVENT, uin, _CODE[action]))

    def may_send(self, uin: int, action: Action = Action.SEND_MESSAGE) -> bool:
        """False (and a penalty) when ``uin`` did ``action`` RATE_LIMIT times within the
        window. Every action that stores something for someone else is limited so."""
        now = self.clock()
        sent = self._sent.setdefault((uin, action), collections.deque())
        while sent and sent[0] <= now - RATE_WINDOW:
            sent.popleft()
        if len(sent) >= self.rate_limit:
            self.penalize(uin, action)
            return False
        return True

    def sent(self, uin: int, action: Action = Action.SEND_MESSAGE) -> None:
        """Count an ``action`` of ``uin`` (after may_send said yes and it was accepted)."""
        self._sent.setdefault((uin, action), collections.deque()).append(self.clock())
        self._told((SENT, uin, _CODE[action]))

    # The login throttle. An attempt counts as a failure from the moment it starts
    # (so guesses sent at once cannot all be checked) and is taken back if the password
    # was right. A pair (number, address) that signed in before is trusted: it is held
    # to its own count only, so that an attacker elsewhere, or 30 bad guesses from a
    # shared address, cannot lock the owner out.

    def _login_keys(self, uin: int, ip: str) -> tuple[str, ...]:
        if (uin, ip) in self._trusted:
            return (f"p:{uin}:{ip}",)
        return (f"u:{uin}", f"i:{ip}")

    def login_blocked(self, uin: int, ip: str) -> bool:
        now = self.clock()
        return any(
            self._too_many(
                key, LOGIN_FAILURES_PER_IP if key[0] == "i" else LOGIN_FAILURES_PER_UIN, now
            )
            for key in self._login_keys(uin, ip)
        )

    def login_started(self, uin: int, ip: str) -> str:
        """Count an attempt now, before its password is checked; a ticket to take it
        back with login_succeeded or login_abandoned."""
        # Only the number's own count (or the trusted pair's) takes attempts in flight:
        # the address's counts failures once they are known, or fifty people signing in
        # at once behind one address (a school's NAT) would lock each other out.
        keys = tuple(key for key in self._login_keys(uin, ip) if key[0] != "i")
        ticket = next(self._attempt_ids)
        self._count_attempt(ticket, keys)
        self._told((ATTEMPT, ticket, *keys))
        return ticket

    def _count_attempt(self, ticket: str, keys: tuple[str, ...]) -> None:
        now = self.clock()
        for key in keys:
            self._login_failures.setdefault(key, collections.deque()).append(now)
        self._attempts[ticket] = (now, keys)

    def login_failed(self, uin: int, ip: str) -> None:
        """A wrong password from ``ip``: the address's count grows (unless the pair is trusted)."""
        for key in self._login_keys(uin, ip):
            if key[0] == "i":
                self._failure(key)
                self._told((FAILED, key))

    def _failure(self, key: str) -> None:
        self._login_failures.setdefault(key, collections.deque()).append(self.clock())

    def login_succeeded(self, uin: int, ip: str, ticket: str) -> None:
        """The password was right: the attempt is no failure, and the pair is trusted."""
        self._signed_in(uin, ip, ticket)
        self._told((SIGNED_IN, ticket, uin, ip))

    def _signed_in(self, uin: int, ip: str, ticket: str) -> None:
        self._take_back(ticket)
        self._login_failures.pop(f"p:{uin}:{ip}", None)
        self._trusted.pop((uin, ip), None)
        self._trusted[(uin, ip)] = self.clock()
        while len(self._trusted) > MAX_TRUSTED:
            del self._trusted[next(iter(self._trusted))]

    def login_abandoned(self, ticket: str) -> None:
        """The client left before its password was checked: the attempt is taken back
        (neither a failure nor a success)."""
        self._take_back(ticket)
        self._told((TAKEN_BACK, ticket))

    def _take_back(self, ticket: str) -> None:
        started, keys = self._attempts.pop(ticket, (0.0, ()))
        for key in keys:
            failures = self._login_failures.get(key)
            if failures is not None and started in failures:
                failures.remove(started)

    def _too_many(self, key: str, limit: int, now: float) -> bool:
        failures = self._login_failures.get(key)
        if not failures:
            return False
        while failures and failures[0] <= now - LOGIN_WINDOW:
            failures.popleft()
        return len(failures) >= limit

    # ------------------------------------------------------------------ other nodes

    def heard(self, events: Iterable[LimitEvent]) -> None:
        """Count what another node told (see ``tell``), as if done here, and tell no one.
        An event this node cannot read is skipped (a newer node's, say)."""
        for event in events:
            try:
                self._replay(event)
            except (KeyError, ValueError, TypeError, IndexError):
                continue

    def _replay(self, event: LimitEvent) -> None:
        kind = event[0]
        if kind == SENT:
            uin, action = int(event[1]), _ACTION[str(event[2])]
            self._sent.setdefault((uin, action), collections.deque()).append(self.clock())
        elif kind == PENALTY_EVENT:
            uin, action = int(event[1]), _ACTION[str(event[2])]
            self._penalties[(uin, action)] = self.clock() + PENALTY
        elif kind == ATTEMPT:
            self._count_attempt(str(event[1]), tuple(str(key) for key in event[2:]))
        elif kind == FAILED:
            self._failure(str(event[1]))
        elif kind == SIGNED_IN:
            self._signed_in(int(event[2]), str(event[3]), str(event[1]))
        elif kind == TAKEN_BACK:
            self._take_back(str(event[1]))

    def prune(self) -> None:
        """Forget bookkeeping that can no longer matter."""
        now = self.clock()
        for key, until in list(self._penalties.items()):
            if until <= now:
                del self._penalties[key]
        for key, sent in list(self._sent.items()):
            if not sent or sent[-1] < now - RATE_WINDOW:
                del self._sent[key]
        for who, failures in list(self._login_failures.items()):
            if not failures or failures[-1] < now - LOGIN_WINDOW:
                del self._login_failures[who]
        for ticket, (started, _keys) in list(self._attempts.items()):
            if started < now - LOGIN_WINDOW:  # (failed, or its end never came)
                del self._attempts[ticket]
        stale = itertools.takewhile(lambda p: self._trusted[p] < now - TRUST_TIME, self._trusted)
        for pair in list(stale):
            del self._trusted[pair]
