"""Timing: every delay an account session and its links use, so tests can scale them down."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timing:
    """Every delay the session uses, so tests can scale them down."""

    #: RES=3: how long the server's penalty lasts, and how often to wait it out.
    penalty: float = 20.0
    penalty_retries: int = 2
    request_timeout: float = 15.0
    #: Added to the long-poll wait for the HTTP timeout.
    long_poll_margin: float = 10.0
    #: Short polling: the fast interval while chatting; it grows by ``slowdown`` up to HI.
    fast_poll: float = 1.0
    slowdown: float = 1.5
    #: Network errors: first back-off and its cap (jitter takes 0-50% off).
    backoff_first: float = 0.5
    backoff_max: float = 5.0
    #: Attempts per outgoing message before it is failed.
    send_attempts: int = 3
    #: At most ``send_limit`` messages within any ``send_window`` s (0: no pacing). The
    #: server allows 10 per 10 s per UIN and answers the 11th with a 20 s penalty
    #: (docs/protocol.md, CLTMSG); one short of its limit keeps a margin.
    send_limit: int = 9
    send_window: float = 10.0
    #: How often to look for a sleep of the machine, and what drift means one.
    watchdog: float = 2.0
    clock_jump: float = 10.0
    #: More re-logins than this within ``relogin_window`` s, each for a server that kept
    #: answering yet forgot us: another client has the account (ClassicLink.relogin).
    relogin_limit: int = 3
    relogin_window: float = 60.0
    logout_timeout: float = 2.0
    wall: Callable[[], float] = field(default=time.time)
    monotonic: Callable[[], float] = field(default=time.monotonic)
