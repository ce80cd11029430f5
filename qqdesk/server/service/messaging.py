"""Messages: sending (durable before it counts), offline queues and delivery, long polls
and acknowledged delivery; presence changes join the answers in the order things happened."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any, TypeAlias, TypeVar

from qqdesk.core import Content, Conversation, is_account_number

from ..store import MessageKind, NewMessage, QueuedMessage, Store, StoreError
from .limits import Limits
from .sessions import Refusal, Refused, Session, StatusChange

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Most entries (messages and presence changes) in one answer.
MAX_PER_ANSWER = 50

#: Most messages and add requests from users not on the recipient's buddy list that
#: may wait in one recipient's queue: strangers cannot fill a disk through one inbox
#: (at most about 6 MB of 2000-character messages). Room for a busy day of
#: strangers, or thirty of them writing at once. Buddies are never held to it.
MAX_FROM_STRANGERS = 1000

#: One entry of an answer: a queued message or a buddy's presence change.
Entry: TypeAlias = QueuedMessage | StatusChange


class Messaging:
    """Queues and delivery for every signed-in session."""

    def __init__(
        self,
        store: Store,
        sessions: dict[int, Session],
        limits: Limits,
        clock: Callable[[], float],
        long_poll: int,
        max_from_strangers: int = MAX_FROM_STRANGERS,
    ) -> None:
        self._store = store
        self.max_from_strangers = max_from_strangers
        self._sessions = sessions
        self._limits = limits
        self._clock = clock
        self.long_poll = long_poll
        #: Per recipient, the newest write to their queue not yet committed: a fetch
        #: waits for it, so that what was accepted for a user is in their next answer.
        self._queued: dict[int, asyncio.Future[Any]] = {}
        #: Per recipient, the newest acknowledged id whose deletion is not yet committed.
        self._acked: dict[int, int] = {}
        self._closing = False

    # ------------------------------------------------------------------ sending

    async def send(
        self, session: Session, target: int, content: Content, client_id: str | None = None
    ) -> None:
        """A buddy message from ``session`` to ``target``; returns once it is on disk.

        ``client_id`` (the client's own id for the message) makes a resend of it a
        no-op: the store keeps it once however often it comes."""
        if not self._limits.may_send(session.uin):
            raise Refused(Refusal.TOO_FREQUENT)
        if not (is_account_number(target) and await self._store.is_account(target)):
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        await self.check_room(session.uin, target)
        self._limits.sent(session.uin)
        message = NewMessage(
            recipient=target,
            sender=session.uin,
            conversation=Conversation.buddy(session.uin),
            kind=MessageKind.TEXT,
            content=content,
        )
        if client_id is None:
            await self.track(self._store.enqueue([message]), {target})
        else:
            await self.track(self._store.enqueue_once(message, client_id), {target})

    async def check_room(self, sender: int, recipient: int) -> None:
        """Refuse (RECIPIENT_FULL) when ``sender`` is a stranger to ``recipient`` and
        ``recipient`` already has MAX_FROM_STRANGERS waiting from strangers. A bound
        of 0 turns the check off (the benchmark does: its sink never reads).

        (Checked before the write, so senders racing each other may pass it by a
        few; the rate limit keeps that small.)"""
        if not self.max_from_strangers or sender in await self._store.buddies(recipient):
            return
        # (what the recipient acknowledged is gone, its deletion committed or not)
        after = self._acked.get(recipient, 0)
        if await self._store.from_strangers(recipient, self.max_from_strangers, after) >= (
            self.max_from_strangers
        ):
            raise Refused(Refusal.RECIPIENT_FULL)

    def track(self, written: Any, recipients: Collection[int]) -> asyncio.Future[Any]:
        """Fetches of ``recipients`` wait for ``written`` (a write queueing messages for
        them), and they are woken once it is committed; the write as a future."""
        future: asyncio.Future[Any] = asyncio.ensure_future(written)
        for recipient in recipients:
            self._queued[recipient] = future
        future.add_done_callback(partial(self._enqueued, recipients))
        return future

    def _enqueued(self, recipients: Collection[int], written: asyncio.Future[Any]) -> None:
        # (cancelled means the request was cut off at stop(); the write goes on)
        error = None if written.cancelled() else written.exception()
        if error is not None and not isinstance(error, StoreError):  # (the store logs its own)
            log.error("queueing messages for %s failed: %s", recipients, error)
        for recipient in recipients:
            if self._queued.get(recipient) is written:
                del self._queued[recipient]
            session = self._sessions.get(recipient)
            if session is not None:
                session.wakeup.set()

    # ------------------------------------------------------------------ delivery

    async def fetch(
        self,
        session: Session,
        wait: float,
        ack: int | None,
        fit: Callable[[Sequence[Entry]], int] | None = None,
    ) -> list[Entry] | None:
        """What ``session`` has waiting, after waiting up to ``wait`` seconds for something.

        ``ack`` (the newest id the client has kept) switches the session to
        acknowledged delivery: entries stay until acknowledged. A client that never
        acknowledges has its previous answer acknowledged by this fetch (or by
        Logout): what it was given stays queued until it asks again, so a crash
        after the answer loses nothing (it may bring a message twice). ``fit``
        says how many of an answer's entries such a client can take (at least
        one); the rest waits. None when the session ended (replaced or signed
        out) before anything was given to it.
        """
        session.polls += 1
        # One held poll per session: a newer fetch ends an older one held still, with
        # an empty answer (one account cannot hold every connection slot).
        session.poll_turn += 1
        turn = session.poll_turn
        if session.polls > 1:
            session.wakeup.set()
        try:
            if ack is not None:
                session.acks = True
                await self._forget(session, ack)
            elif not session.acks:
                self.delivered(session)
            return await self._poll(session, wait, turn, fit)
        finally:
            session.polls -= 1

    async def _forget(self, session: Session, upto: int) -> None:
        """Drop what ``session`` acknowledged up to ``upto``, without waiting for the disk.

        Only clients that acknowledge get here, and they drop a message whose id they
        have seen; so if a crash undoes the deletion, the redelivery is harmless and
        the answer need not wait for the disk. Until the deletion is committed,
        fetches skip those ids.
        """
        changes = session.status_changes
        while changes and changes[0].id <= upto:
            changes.popleft()
        uin = session.uin
        if upto <= self._acked.get(uin, 0):
            return
        oldest = await self._store.queued(uin, 1)
        if not oldest or oldest[0].id > upto or upto <= self._acked.get(uin, 0):
            return  # nothing to delete
        self._delete(uin, upto)

    def delivered(self, session: Session) -> None:
        """A client that does not acknowledge asked again (or signed out): it has what
        the previous answer gave it, which can go now.

        Not waited for: if a crash undoes the deletion, those messages come again
        (the one duplicate a legacy client can see, and only after a crash)."""
        upto, session.unacked = session.unacked, 0
        if upto > self._acked.get(session.uin, 0):
            self._delete(session.uin, upto)

    def _delete(self, uin: int, upto: int) -> None:
        """Delete ``uin``'s queue up to ``upto`` in the background; fetches skip those ids
        until it is committed."""
        self._acked[uin] = upto
        deleted = asyncio.ensure_future(self._store.delete_upto(uin, upto))
        deleted.add_done_callback(partial(self._forgotten, uin, upto))

    def _forgotten(self, uin: int, upto: int, deleted: asyncio.Future[None]) -> None:
        if self._acked.get(uin) == upto:
            del self._acked[uin]
        error = None if deleted.cancelled() else deleted.exception()
        if error is not None and not isinstance(error, StoreError):  # (the store logs its own)
            log.warning("dropping acknowledged messages of %d failed: %s", uin, error)

    async def _poll(
        self,
        session: Session,
        wait: float,
        turn: int,
        fit: Callable[[Sequence[Entry]], int] | None,
    ) -> list[Entry] | None:
        deadline = self._clock() + min(wait, self.long_poll)
        entries: list[Entry] = []
        while not session.ended and turn == session.poll_turn:
            session.wakeup.clear()
            entries = await self._take(session, fit)
            remaining = deadline - self._clock()
            if entries or remaining <= 0 or session.ended or self._closing:
                break
            if turn != session.poll_turn:
                break  # a newer fetch came while this one looked
            try:
                await asyncio.wait_for(session.wakeup.wait(), remaining)
            except TimeoutError:
                # one last look, then answer whatever is there
                deadline = self._clock()
        session.last_seen = max(session.last_seen, self._clock())
        if session.ended and self._sessions.get(session.uin) is not session:
            # (nothing was taken off the queue: a later session gets it all)
            return None
        return entries

    async def _take(
        self, session: Session, fit: Callable[[Sequence[Entry]], int] | None
    ) -> list[Entry]:
        """This answer's entries, messages and presence changes in the order they happened,
        kept until acknowledged (by AK, or for other clients by their next fetch)."""
        uin = session.uin
        queued = self._queued.get(uin)
        if queued is not None:
            await asyncio.wait([queued])
        pending = session.status_changes
        # presence changes take up to half an answer; messages fill the rest
        changes = list(itertools.islice(pending, MAX_PER_ANSWER // 2))
        limit = MAX_PER_ANSWER - len(changes)
        # (decided before any await: changes that come meanwhile wait for the next answer)
        later = pending[len(changes)].id if len(pending) > len(changes) else None
        stored: list[QueuedMessage]
        if session.ended and not session.acks:
            stored = []
        else:
            # (past what an older answer of this session gave and its next fetch will
            # acknowledge: a poll that ended as this one came may have just given it)
            after = max(self._acked.get(uin, 0), session.unacked)
            stored = await self._store.queued(uin, limit, after=after)
        # what follows a change left for a later answer is left too (order, and acks' range)
        full = len(stored) == limit
        if later is not None:
            full = full or any(m.id > later for m in stored)
            stored = [m for m in stored if m.id < later]
        # a change after messages not read yet waits for them
        last = stored[-1].id if full and stored else None
        due = [c for c in changes if last is None or c.id < last]
        entries: list[Entry] = [*stored, *due]
        entries.sort(key=lambda entry: entry.id)
        if session.acks:
            return entries
        if fit is not None and len(entries) > 1:
            # the rest waits for the next answer (a prefix: order is kept)
            entries = entries[: max(1, fit(entries))]
        given = [e for e in entries if not isinstance(e, StatusChange)]
        if given:
            session.unacked = max(session.unacked, given[-1].id)
        told = [e for e in entries if isinstance(e, StatusChange)]
        # presence changes live in memory only: gone once given (a crash loses them anyway)
        while told and pending and pending[0].id <= told[-1].id:
            pending.popleft()
        return entries

    def close(self) -> None:
        """Wake every waiting long poll so that it answers now."""
        self._closing = True
        for session in self._sessions.values():
            session.wakeup.set()
