"""How often a user may do what: rate limits on what is stored, penalties and the login
throttle."""

from __future__ import annotations

import collections
import enum
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


class Action(enum.Enum):
    """What a penalty stops (a front-end names the request it stands for)."""

    SEND_MESSAGE = "send_message"
    ANSWER_REQUEST = "answer_request"


class Limits:
    """Per-user counters on a monotonic ``clock`` (injectable: tests move time by hand)."""

    def __init__(self, clock: Callable[[], float], *, rate_limit: int = RATE_LIMIT) -> None:
        self.clock = clock
        self.rate_limit = rate_limit
        self._sent: dict[tuple[int, Action], collections.deque[float]] = {}
        self._penalties: dict[tuple[int, Action], float] = {}
        self._login_failures: dict[object, collections.deque[float]] = {}

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

    def login_blocked(self, uin: int, ip: str) -> bool:
        now = self.clock()
        return self._too_many(("uin", uin), LOGIN_FAILURES_PER_UIN, now) or self._too_many(
            ("ip", ip), LOGIN_FAILURES_PER_IP, now
        )

    def login_failed(self, uin: int, ip: str) -> None:
        for key in (("uin", uin), ("ip", ip)):
            self._login_failures.setdefault(key, collections.deque()).append(self.clock())

    def login_succeeded(self, uin: int) -> None:
        self._login_failures.pop(("uin", uin), None)

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
