"""How often a user may do what: rate limits on what is stored, penalties and the login
throttle."""

from __future__ import annotations

import collections
import enum
import itertools
from collections.abc import Callable

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


class Action(enum.Enum):
    """What a penalty stops (a front-end names the request it stands for)."""

    SEND_MESSAGE = "send_message"
    ANSWER_REQUEST = "answer_request"
    #: Own profile changes (SetInfo) and password changes (SetPassword): stored too.
    SET_PROFILE = "set_profile"
    SET_PASSWORD = "set_password"


class Limits:
    """Per-user counters on a monotonic ``clock`` (injectable: tests move time by hand)."""

    def __init__(self, clock: Callable[[], float], *, rate_limit: int = RATE_LIMIT) -> None:
        self.clock = clock
        self.rate_limit = rate_limit
        self._sent: dict[tuple[int, Action], collections.deque[float]] = {}
        self._penalties: dict[tuple[int, Action], float] = {}
        self._login_failures: dict[object, collections.deque[float]] = {}
        #: Pairs (number, address) that signed in, with when (oldest first).
        self._trusted: dict[tuple[int, str], float] = {}

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

    # The login throttle. An attempt counts as a failure from the moment it starts
    # (so guesses sent at once cannot all be checked) and is taken back if the password
    # was right. A pair (number, address) that signed in before is trusted: it is held
    # to its own count only, so that an attacker elsewhere, or 30 bad guesses from a
    # shared address, cannot lock the owner out.

    def _login_keys(self, uin: int, ip: str) -> tuple[tuple[object, ...], ...]:
        if (uin, ip) in self._trusted:
            return (("pair", uin, ip),)
        return (("uin", uin), ("ip", ip))

    def login_blocked(self, uin: int, ip: str) -> bool:
        now = self.clock()
        limits = {"pair": LOGIN_FAILURES_PER_UIN, "uin": LOGIN_FAILURES_PER_UIN}
        return any(
            self._too_many(key, limits.get(str(key[0]), LOGIN_FAILURES_PER_IP), now)
            for key in self._login_keys(uin, ip)
        )

    def login_started(self, uin: int, ip: str) -> tuple[float, tuple[tuple[object, ...], ...]]:
        """Count an attempt now, before its password is checked; a ticket to take it
        back with login_succeeded."""
        now = self.clock()
        # Only the number's own count (or the trusted pair's) takes attempts in flight:
        # the address's counts failures once they are known, or fifty people signing in
        # at once behind one address (a school's NAT) would lock each other out.
        keys = tuple(key for key in self._login_keys(uin, ip) if key[0] != "ip")
        for key in keys:
            self._login_failures.setdefault(key, collections.deque()).append(now)
        return now, keys

    def login_failed(self, uin: int, ip: str) -> None:
        """A wrong password from ``ip``: the address's count grows (unless the pair is trusted)."""
        for key in self._login_keys(uin, ip):
            if key[0] == "ip":
                self._login_failures.setdefault(key, collections.deque()).append(self.clock())

    def login_succeeded(
        self, uin: int, ip: str, ticket: tuple[float, tuple[tuple[object, ...], ...]]
    ) -> None:
        """The password was right: the attempt is no failure, and the pair is trusted."""
        started, keys = ticket
        for key in keys:
            failures = self._login_failures.get(key)
            if failures is not None and started in failures:
                failures.remove(started)
        self._login_failures.pop(("pair", uin, ip), None)
        self._trusted.pop((uin, ip), None)
        self._trusted[(uin, ip)] = self.clock()
        while len(self._trusted) > MAX_TRUSTED:
            del self._trusted[next(iter(self._trusted))]

    def login_abandoned(self, ticket: tuple[float, tuple[tuple[object, ...], ...]]) -> None:
        """The client left before its password was checked: the attempt is taken back
        (neither a failure nor a success)."""
        started, keys = ticket
        for key in keys:
            failures = self._login_failures.get(key)
            if failures is not None and started in failures:
                failures.remove(started)

    def _too_many(self, key: object, limit: int, now: float) -> bool:
        failures = self._login_failures.get(key)
        if not failures:
            return False
        while failures and failures[0] <= now - LOGIN_WINDOW:
            failures.popleft()
        return len(failures) >= limit

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
        stale = itertools.takewhile(lambda p: self._trusted[p] < now - TRUST_TIME, self._trusted)
        for pair in list(stale):
            del self._trusted[pair]
