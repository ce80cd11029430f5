"""Write failures logged once per spell, not per request (both stores' writers use it)."""

from __future__ import annotations

import logging
import time
from typing import Any

from .interface import StoreError

log = logging.getLogger("qqdesk.server.store")


class FailureLog:
    """A full disk or a lost database fails every write until it is fixed: log that
    once, again after ``again`` seconds, and once when a durable write works again."""

    def __init__(self, where: str, again: float = 300.0) -> None:
        self.where = where
        self.again = again
        #: The last failure logged and when; whether no durable write has worked since.
        self._reported: tuple[str, float] | None = None
        self._unresolved = False

    def report(self, outcomes: list[tuple[BaseException | None, Any]], durable: bool) -> None:
        problem = next((str(e) for e, _ in outcomes if isinstance(e, StoreError)), None)
        if problem is not None:
            now = time.monotonic()
            last = self._reported
            if last is None or last[0] != problem or now - last[1] >= self.again:
                log.error("%s; writes fail until this is fixed, reads go on", problem)
                self._reported = (problem, now)
                self._unresolved = True
        elif durable and self._unresolved:
            log.warning("writing to %s works again", self.where)
            self._unresolved = False
