"""The outbox: outgoing messages kept as pending, sent in order, retried, then sent or failed."""

from __future__ import annotations

import asyncio
import collections
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable, Iterable

from qqdesk.core import Content, Conversation

from .errors import (
    LoginFailed,
    NoSuchUser,
    NotLoggedIn,
    RequestRefused,
    ServerBusy,
    ServerUnavailable,
    SessionClosed,
    TooFrequent,
)
from .events import DeliveryState
from .store import HistoryStore
from .timing import Timing
from .types import StoredMessage

log = logging.getLogger(__name__)

#: What the local history store raises when it cannot write (disk full, read-only...).
STORAGE_ERRORS = (sqlite3.Error, OSError)
INF = float("inf")

#: Sends one message over the link, with its client id; raises as the server answers.
Send = Callable[[Conversation, Content, str], Awaitable[None]]
#: Told of every state change: (local id, conversation, new state).
Announce = Callable[[int, Conversation, DeliveryState], None]


def client_id(message: StoredMessage) -> str:
    """The id the server knows an outgoing message by (the CI extension), so that a resend
    after a lost answer is stored once: the same on every try of the message, after a
    restart of the app too. Its creation time (microseconds) beside its local id keeps
    it apart from the message of the same local id in a history started afresh."""
    return f"{message.local_id}-{round(message.time * 1_000_000)}"


def backoff(timing: Timing, failures: int, rng: random.Random) -> float:
    """Seconds to wait after ``failures`` failures in a row: doubling, capped, jittered."""
    delay = min(timing.backoff_max, timing.backoff_first * 2.0 ** (failures - 1))
    return delay * rng.uniform(0.5, 1.0)


class Pace:
    """At most ``timing.send_limit`` sends in any ``timing.send_window`` seconds.

    A sliding window, not a token bucket: a full bucket plus its refill would let
    twice the limit through in one window, which is what the server counts. A send
    counts from when its answer came (the server stamped it before that), so the
    next one cannot reach the server inside the window, whatever the latency.
    """

    def __init__(self, timing: Timing) -> None:
        self.timing = timing
        self._done: collections.deque[float] = collections.deque(maxlen=max(1, timing.send_limit))

    async def wait(self) -> None:
        """Return when one more send stays within the limit."""
        window = self.timing.send_window
        if window > 0 and len(self._done) == self._done.maxlen:
            delay = self._done[0] + window - self.timing.monotonic()
            if delay > 0:
                log.debug("pacing sends: waiting %.2f s", delay)
                await asyncio.sleep(delay)

    def done(self) -> None:
        """A send was answered (accepted or not: the server may have counted it)."""
        self._done.append(self.timing.monotonic())


class Outbox:
    """Messages the store holds as pending, handed to the link one at a time in order.

    ``run()`` is the sending task; it waits while the session is not logged in.
    A message is SENT only when the server accepted it; FAILED after
    ``send_attempts`` network failures or a refusal, and then the later parts of
    its split text fail too. A busy server (HTTP 503) is not a failed try.
    """

    def __init__(
        self,
        store: HistoryStore,
        send: Send,
        logged_in: asyncio.Event,
        timing: Timing,
        announce: Announce,
        uin: int,
    ) -> None:
        self.store = store
        self._send = send
        self._logged_in = logged_in
        self.timing = timing
        self._announce = announce
        self._uin = uin
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._waiters: dict[int, list[asyncio.Future[DeliveryState]]] = {}
        self._random = random.Random()
        self._pace = Pace(timing)

    def queue(self, ids: Iterable[int]) -> None:
        for local_id in ids:
            if local_id not in self._queued:
                self._queued.add(local_id)
                self._queue.put_nowait(local_id)

    def queue_pending(self) -> None:
        """Queue what the store holds as pending (from an earlier run, or a logout)."""
        self.queue(m.local_id for m in self.store.pending())

    def add(self, conversation: Conversation, parts: list[Content], when: float) -> list[int]:
        """Keep ``parts`` as pending and queue them; raises what the store raises."""
        ids = self.store.add_outgoing(conversation, parts, when)
        for local_id in ids:
            self._announce(local_id, conversation, DeliveryState.PENDING)
        self.queue(ids)
        return ids

    def resend(self, local_id: int) -> None:
        """Queue a failed message again, with the failed parts of its text."""
        message = self.store.message(local_id)
        if message is None or not message.outgoing:
            raise KeyError(f"no outgoing message {local_id}")
        again = [m for m in self.store.chain_of(local_id) if m.state is DeliveryState.FAILED]
        for part in again:
            self.store.set_state(part.local_id, DeliveryState.PENDING)
            self._announce(part.local_id, part.conversation, DeliveryState.PENDING)
        self.queue(m.local_id for m in again)

    async def wait_delivered(self, local_id: int) -> DeliveryState:
        message = self.store.message(local_id)
        if message is None:
            raise KeyError(f"no message {local_id}")
        if message.state is not DeliveryState.PENDING:
            return message.state
        future: asyncio.Future[DeliveryState] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(local_id, []).append(future)
        return await future

    async def run(self) -> None:
        while True:
            local_id = await self._queue.get()
            await self._logged_in.wait()
            self._queued.discard(local_id)
            message = self.store.message(local_id)
            if message is None or not message.outgoing:
                continue
            if message.state is not DeliveryState.PENDING:
                continue
            try:
                state = await self._deliver(message)
            except SessionClosed:
                continue  # logged out meanwhile: it stays pending for the next login
            self._finish(message, state)

    def stop(self) -> None:
        """Forget the queue (after the task is cancelled): pending stays in the store."""
        self._queued.clear()
        self._queue = asyncio.Queue()
        for local_id, futures in list(self._waiters.items()):
            for future in futures:
                if not future.done():
                    future.set_result(DeliveryState.PENDING)
            del self._waiters[local_id]

    async def _deliver(self, message: StoredMessage) -> DeliveryState:
        attempt = 0
        while attempt < self.timing.send_attempts:
            attempt += 1
            try:
                await self._paced_send(message)
                return DeliveryState.SENT
            except (NoSuchUser, RequestRefused, LoginFailed) as exc:
                log.info("%s: message %s failed: %s", self._uin, message.local_id, exc)
                return DeliveryState.FAILED
            except ServerBusy as exc:
                # Up but unable to keep it (its disk is full): it stays pending, not
                # failed, however long that lasts; the server said when to ask again.
                log.info("%s: message %s waits: %s", self._uin, message.local_id, exc)
                attempt -= 1
                await asyncio.sleep(min(exc.retry_after or INF, self.timing.backoff_max))
            except (ServerUnavailable, NotLoggedIn, TooFrequent) as exc:
                log.info("%s: message %s, try %d: %s", self._uin, message.local_id, attempt, exc)
                if attempt < self.timing.send_attempts:
                    await asyncio.sleep(backoff(self.timing, attempt, self._random))
        return DeliveryState.FAILED

    async def _paced_send(self, message: StoredMessage) -> None:
        """One try, kept below the server's rate limit (its penalty costs 20 s)."""
        await self._pace.wait()
        try:
            await self._send(message.conversation, message.content, client_id(message))
        finally:
            self._pace.done()

    def _finish(self, message: StoredMessage, state: DeliveryState) -> None:
        self._set_delivery(message, state)
        if state is DeliveryState.FAILED:
            # The rest of a split text must not arrive without this part.
            for later in self.store.chain_after(message.local_id):
                if later.state is DeliveryState.PENDING:
                    self._set_delivery(later, DeliveryState.FAILED)

    def _set_delivery(self, message: StoredMessage, state: DeliveryState) -> None:
        try:
            self.store.set_state(message.local_id, state)
        except STORAGE_ERRORS as exc:
            # The server's answer stands; only the stored state lags (a message left
            # pending in the store would be sent again at the next start).
            log.error("%s: cannot store the state of %s: %s", self._uin, message.local_id, exc)
        self._announce(message.local_id, message.conversation, state)
        for future in self._waiters.pop(message.local_id, []):
            if not future.done():
                future.set_result(state)
