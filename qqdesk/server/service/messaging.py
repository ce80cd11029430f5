"""Messages: sending (durable before it counts), offline queues and delivery, long polls
and acknowledged delivery; presence changes join the answers in the order things happened.

An account's durable inbox has one reader: its classic session if live, else its web
session. The other live session gets in-memory copies of what is queued for the
account, pushed when the write commits (DESIGN-SMARTQQ §3).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any, TypeAlias, TypeVar

from qqdesk.core import Content, Conversation, RoomMessage, is_account_number

from ..store import MessageKind, NewMessage, QueuedMessage, Store, StoreError
from .limits import Limits
from .presence import PresenceHub
from .sessions import Refusal, Refused, Session, StatusChange, WebLoginNotice

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
#: One entry of a web session's answer: those, a room message, or a QR sign-in
#: waiting for approval.
WebEntry: TypeAlias = QueuedMessage | StatusChange | RoomMessage | WebLoginNotice

#: A web poll never answers empty sooner than this (a Node client counts quick empty
#: answers and gives up after three, SMARTQQ-NOTES §6.2), nor holds longer than the most.
MIN_WEB_HOLD = 3.0
MAX_WEB_HOLD = 60.0
#: Copies kept in memory for a session that does not read the inbox (the oldest go).
MAX_COPIES = 1000


class Messaging:
    """Queues and delivery for every signed-in session."""

    def __init__(
        self,
        store: Store,
        presence: PresenceHub,
        limits: Limits,
        clock: Callable[[], float],
        long_poll: int,
        max_from_strangers: int = MAX_FROM_STRANGERS,
    ) -> None:
        self._store = store
        self.max_from_strangers = max_from_strangers
        self._presence = presence
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
            written = self._store.enqueue([message])
        else:
            # (a resend of one already stored queues nothing, and copies nothing)
            written = self._store.enqueue_once(message, client_id)
        await self.track(written, {target}, [message])

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

    def track(
        self,
        written: Any,
        recipients: Collection[int],
        messages: Sequence[NewMessage] = (),
    ) -> asyncio.Future[Any]:
        """Fetches of ``recipients`` wait for ``written`` (a write queueing messages for
        them), and they are woken once it is committed; the write as a future.

        ``messages`` are what ``written`` queues (it answers their ids): a recipient's
        live session that does not read the inbox gets copies of them then."""
        future: asyncio.Future[Any] = asyncio.ensure_future(written)
        for recipient in recipients:
            self._queued[recipient] = future
        future.add_done_callback(partial(self._enqueued, recipients, messages))
        return future

    def _enqueued(
        self,
        recipients: Collection[int],
        messages: Sequence[NewMessage],
        written: asyncio.Future[Any],
    ) -> None:
        # (cancelled means the request was cut off at stop(); the write goes on)
        error = None if written.cancelled() else written.exception()
        if error is not None and not isinstance(error, StoreError):  # (the store logs its own)
            log.error("queueing messages for %s failed: %s", recipients, error)
        if error is None and messages and not written.cancelled():
            self._copy(messages, written.result())
        for recipient in recipients:
            if self._queued.get(recipient) is written:
                del self._queued[recipient]
            for session in self._presence.live(recipient):
                session.wakeup.set()

    def _copy(self, messages: Sequence[NewMessage], ids: Sequence[int]) -> None:
        """Copies of just-committed messages for the sessions that do not read the inbox."""
        now = int(time.time())
        for message, message_id in zip(messages, ids, strict=False):
            for session in self._presence.live(message.recipient):
                # (the web one, beside a classic one reading here or on another node)
                if not _takes_buddy_messages(session) or message.kind is not MessageKind.TEXT:
                    continue
                if self.reads_inbox(session):
                    continue
                if len(session.copies) >= MAX_COPIES:
                    session.copies.popleft()
                session.copies.append(
                    QueuedMessage(
                        id=message_id,
                        recipient=message.recipient,
                        sender=message.sender,
                        conversation=message.conversation,
                        kind=message.kind,
                        content=message.content,
                        time=now,
                    )
                )

    async def rooms_of(self, uin: int) -> list[Conversation]:
        """The groups and discussions ``uin`` reads."""
        return [room.conversation for room in await self._store.rooms_of(uin)]

    async def post(
        self,
        session: Session,
        conversation: Conversation,
        content: Content,
        client_id: str | None = None,
    ) -> RoomMessage | None:
        """A message said in a room by a member: kept once (durable before this returns),
        read by every member's web session with its own cursor; no per-member rows.
        Rate-limited with buddy messages (one count).

        ``client_id`` (the client's own id for the message) makes a resend of it a
        no-op, as for buddy messages: None then (nothing new was kept)."""
        uin = session.uin
        if not self._limits.may_send(uin):
            raise Refused(Refusal.TOO_FREQUENT)
        if not await self._store.is_member(conversation, uin):
            raise Refused(Refusal.NOT_A_MEMBER)
        self._limits.sent(uin)
        message: RoomMessage | None
        if client_id is None:
            message = await self._store.post(conversation, uin, content)
        else:
            message = await self._store.post_once(conversation, uin, content, client_id)
        if message is None:
            return None  # a resend of a message kept already
        for member in await self._store.members(conversation):
            for each in self._presence.live(member.uin):
                if each.is_web and member.uin != uin:
                    each.wakeup.set()
        return message

    def reads_inbox(self, session: Session) -> bool:
        """True when ``session`` reads its account's durable inbox (see the module)."""
        if not session.is_web:
            return True
        return (
            self._presence.session_of(session.uin) is session
            and _takes_buddy_messages(session)
            and not session.reader_elsewhere
        )

    # ------------------------------------------------------------------ delivery

    async def fetch(
        self,
        session: Session,
        wait: float,
        ack: int | None,
        fit: Callable[[Sequence[Entry]], int] | None = None,
        abandoned: asyncio.Future[None] | None = None,
    ) -> list[Entry] | None:
        """What ``session`` has waiting, after waiting up to ``wait`` seconds for something.

        ``ack`` (the newest id the client has kept) switches the session to
        acknowledged delivery: entries stay until acknowledged. A client that never
        acknowledges has its previous answer acknowledged by this fetch (or by
        Logout): what it was given stays queued until it asks again, so a crash
        after the answer loses nothing (it may bring a message twice). ``fit``
        says how many of an answer's entries such a client can take (at least
        one); the rest waits. None when the session ended (replaced or signed
        out) before anything was given to it. ``abandoned`` done (the client closed
        its connection) ends the wait at once, with what is there (nothing, as a
        rule): a held poll nobody reads must not keep its connection's slot.
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
                # Acknowledged is never given again, even while its deletion is not
                # committed, or when it failed (the database connection was lost: the
                # client's next AK deletes it then), as a web session's floor.
                session.floor = max(session.floor, ack)
                await self._forget(session, ack)
            elif not session.acks:
                self.delivered(session)
            return await self._poll(session, wait, turn, fit, abandoned)
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
        acked = self._acked.get(uin, 0)
        if upto <= acked:
            return
        if acked < session.stored_given <= upto:
            # it acknowledges a stored message this session was given: there is
            # something to delete (or, if another session's deletion came first, the
            # write does nothing), so no read to find out; the same AK again reads
            session.stored_given = 0
            self._delete(uin, upto)
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
        abandoned: asyncio.Future[None] | None = None,
    ) -> list[Entry] | None:
        deadline = self._clock() + min(wait, self.long_poll)
        entries: list[Entry] = []

        def gone(_: object) -> None:
            session.wakeup.set()

        if abandoned is not None:
            abandoned.add_done_callback(gone)
        try:
            while not session.ended and turn == session.poll_turn:
                session.wakeup.clear()
                entries = await self._take(session, fit)
                remaining = deadline - self._clock()
                if entries or remaining <= 0 or session.ended or self._closing:
                    break
                if turn != session.poll_turn:
                    break  # a newer fetch came while this one looked
                if abandoned is not None and abandoned.done():
                    break
                try:
                    await asyncio.wait_for(session.wakeup.wait(), remaining)
                except TimeoutError:
                    # one last look, then answer whatever is there
                    deadline = self._clock()
        finally:
            if abandoned is not None:
                abandoned.remove_done_callback(gone)
        session.last_seen = max(session.last_seen, self._clock())
        if session.ended and self._presence.session_of(session.uin) is not session:
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
            after = max(self._acked.get(uin, 0), session.unacked, session.floor)
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
            if stored:
                session.stored_given = max(session.stored_given, stored[-1].id)
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

    # ------------------------------------------------------------------ web delivery

    async def fetch_web(
        self,
        session: Session,
        wait: float,
        ack: int | None,
        abandoned: asyncio.Future[None] | None = None,
    ) -> list[WebEntry] | None:
        """A web session's poll: what it has waiting, after holding up to ``wait``
        seconds (at least MIN_WEB_HOLD when nothing comes); None once it ended.

        Without acks (historical clients) an answer holds one entry, and the next
        poll takes it as received; with acks (``ack`` is the newest id the client
        kept) entries stay until acknowledged and an answer holds up to MAX_PER_ANSWER.
        ``abandoned`` done (the client closed its connection) ends the hold at once,
        as fetch's does.
        """

        def gone(_: object) -> None:
            session.wakeup.set()

        if abandoned is not None:
            abandoned.add_done_callback(gone)
        session.polls += 1
        session.poll_turn += 1
        turn = session.poll_turn
        if session.polls > 1:
            session.wakeup.set()
        try:
            if session.acks:
                if ack is not None and ack > session.floor:
                    session.floor = ack
                    self._drop_given(session)
                    if self.reads_inbox(session):
                        await self._web_forget(session, ack)
            elif self.reads_inbox(session):
                await self.web_delivered(session)
            hold = max(MIN_WEB_HOLD, min(wait, self.long_poll, MAX_WEB_HOLD))
            deadline = self._clock() + hold
            started = asyncio.get_running_loop().time()
            entries: list[WebEntry] = []
            while not session.ended and turn == session.poll_turn and not self._closing:
                session.wakeup.clear()
                entries = await self._take_web(session)
                if entries or session.ended or turn != session.poll_turn:
                    break
                remaining = deadline - self._clock()
                # (the fake clocks of tests stand still: real time bounds the hold too)
                real_left = hold - (asyncio.get_running_loop().time() - started)
                remaining = min(remaining, real_left)
                if remaining <= 0 or (abandoned is not None and abandoned.done()):
                    break
                try:
                    await asyncio.wait_for(session.wakeup.wait(), remaining)
                except TimeoutError:
                    entries = await self._take_web(session)
                    break
            session.last_seen = max(session.last_seen, self._clock())
            if session.ended:
                return None
            return entries
        finally:
            session.polls -= 1
            if abandoned is not None:
                abandoned.remove_done_callback(gone)

    async def _take_web(self, session: Session) -> list[WebEntry]:
        """The next entries of a web session, oldest first: a prefix (by id) of all it
        has waiting, so that acknowledging the last covers everything before it."""
        limit = MAX_PER_ANSWER if session.acks else 1
        floor = session.floor
        found: dict[int, WebEntry] = {}
        # Each source gives up to ``limit`` entries; one that had more says up to which id
        # it gave all (``bound``): the answer stops there, so that it is a prefix by id
        # of everything waiting and acknowledging its last id covers all before it.
        bound: int | None = None

        def covered(last: int) -> None:
            nonlocal bound
            bound = last if bound is None else min(bound, last)

        if self.reads_inbox(session):
            queued = self._queued.get(session.uin)
            if queued is not None:
                await asyncio.wait([queued])
            after = max(floor, self._acked.get(session.uin, 0), session.unacked)
            batch = await self._store.queued(session.uin, limit, after=after)
            # add requests and their answers have no web form: they wait in the inbox
            # for the classic client (see _web_forget), and are read past
            while batch and all(m.kind is not MessageKind.TEXT for m in batch):
                if len(batch) < limit:
                    batch = []
                    break
                batch = await self._store.queued(session.uin, limit, after=batch[-1].id)
            for message in batch:
                if message.kind is MessageKind.TEXT:
                    found[message.id] = message
            if len(batch) == limit:
                covered(batch[-1].id)
        await self._room_entries(session, limit, found, covered)
        for pending in (session.copies, session.status_changes, session.notices):
            taken = list(itertools.islice((e for e in pending if e.id > floor), limit + 1))
            if len(taken) > limit:
                covered(taken[limit - 1].id)
            for entry in taken[:limit]:
                found.setdefault(entry.id, entry)
        entries = [found[key] for key in sorted(found) if bound is None or key <= bound]
        entries = entries[:limit]
        if not entries or session.acks:
            return entries
        last = entries[-1].id
        session.floor = max(session.floor, last)
        self._drop_given(session)
        stored = [e for e in entries if isinstance(e, QueuedMessage)]
        if stored and self.reads_inbox(session):
            # (its next poll takes it as received: the inbox forgets it then)
            session.unacked = max(session.unacked, stored[-1].id)
        return entries

    async def _room_entries(
        self,
        session: Session,
        limit: int,
        found: dict[int, WebEntry],
        covered: Callable[[int], None],
    ) -> None:
        """Room messages for ``session`` past its cursor (read with its own cursor from
        the rooms it is a member of now, so that changes made elsewhere count at once).
        Its own messages are not given back: the cursor steps over them."""
        rooms = await self.rooms_of(session.uin)
        if not rooms:
            return
        while True:
            after = max(session.floor, session.room_cursor)
            batch = await self._store.room_messages(rooms, after, limit)
            leading = True
            for message in batch:
                if message.sender == session.uin:
                    if leading:
                        session.room_cursor = max(session.room_cursor, message.id)
                    continue
                leading = False
                found.setdefault(message.id, message)
            if len(batch) == limit and not leading:
                covered(batch[-1].id)
            # a full batch of one's own messages only: look past them
            if not leading or len(batch) < limit:
                return

    async def web_delivered(self, session: Session) -> None:
        """A historical web client polled again (or signed out): what its previous
        answer gave it from the inbox can go."""
        upto, session.unacked = session.unacked, 0
        if upto:
            await self._web_forget(session, upto)

    async def _web_forget(self, session: Session, upto: int) -> None:
        """Forget the inbox up to ``upto`` for a web reader, but never an add request
        or its answer (no web form: the classic client gets them), nor what follows
        one (the inbox forgets a prefix)."""
        uin = session.uin
        done = self._acked.get(uin, 0)
        head = await self._store.queued(uin, MAX_PER_ANSWER, after=done)
        kept = next((m.id for m in head if m.kind is not MessageKind.TEXT), None)
        if kept is not None:
            upto = min(upto, kept - 1)
        if upto > self._acked.get(uin, 0) and head and head[0].id <= upto:
            self._delete(uin, upto)

    def _drop_given(self, session: Session) -> None:
        """Forget in-memory entries at or below the session's floor."""
        floor = session.floor
        for pending in (session.copies, session.status_changes, session.notices):
            while pending and pending[0].id <= floor:
                pending.popleft()

    def notify_web_login(self, code: str, created: int, sessions: Collection[Session]) -> None:
        """A QR sign-in waits: web sessions that opted in hear of it."""
        listeners = [s for s in sessions if s.wants("web_login")]
        if not listeners:
            return
        ids = self._store.reserve_message_ids(len(listeners))
        for session, notice_id in zip(listeners, ids, strict=True):
            session.notices.append(WebLoginNotice(notice_id, code, created))
            session.wakeup.set()

    def close(self) -> None:
        """Wake every waiting long poll so that it answers now."""
        self._closing = True
        for session in self._presence.all_sessions():
            session.wakeup.set()


def _takes_buddy_messages(session: Session) -> bool:
    return session.options is None or session.options.buddy_messages
