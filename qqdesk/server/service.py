"""Every rule of the classic protocol server (sessions, presence, buddies, messages); no HTTP."""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import math
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from qqdesk.core import Conversation, parse_text, render_text
from qqdesk.protocol.classic import (
    MAX_MESSAGES_PER_REPLY,
    MAX_UIN,
    MIN_UIN,
    AckCode,
    AddBuddyAnswerRequest,
    AddBuddyReply,
    AddBuddyRequest,
    AuthMode,
    BuddyCount,
    BuddyListRequest,
    BuddyPage,
    ChangeStatusRequest,
    Command,
    Done,
    ErrorReply,
    FetchMessagesRequest,
    LoginOk,
    LoginRefused,
    LoginRequest,
    Message,
    MessagesReply,
    MessageType,
    OnlineBuddiesRequest,
    OnlineBuddy,
    OnlineCount,
    OnlinePage,
    Profile,
    ProfileReply,
    ProfileRequest,
    ProtocolError,
    RemoveBuddyRequest,
    Reply,
    Request,
    Result,
    SearchPage,
    SearchRequest,
    SearchResult,
    SendMessageRequest,
    Status,
    decode_request,
    encode_reply,
    parse_request_body,
)

from .admin import Admin, BlockingAdmin
from .store import (
    SCRYPT_N,
    MessageKind,
    NewMessage,
    Store,
    StoreError,
    check_password,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Cookie the Login reply sets (extension); one name per number so that one
#: browser-like cookie jar can hold several accounts.
COOKIE_PREFIX = "QQS_"

#: Messages one UIN may send within RATE_WINDOW seconds before RES=3.
RATE_LIMIT = 10
RATE_WINDOW = 10.0
#: How long RES=3 lasts for the same command from the same UIN.
PENALTY = 20.0
#: Wrong passwords allowed within LOGIN_WINDOW seconds, per number and per address.
LOGIN_FAILURES_PER_UIN = 5
LOGIN_FAILURES_PER_IP = 30
LOGIN_WINDOW = 300.0
#: Largest page Finger answers with, whatever TN asks for.
MAX_SEARCH_PAGE = 100
#: Wording of a refused Login (RA).
WRONG_PASSWORD = "密码错误"
#: Seconds a client is asked to wait (Retry-After) when the store cannot write.
RETRY_AFTER = 30
#: Status changes kept for one session that has not fetched them (the oldest go first).
MAX_PENDING_STATUS = 1000

#: The classic MT code of each message kind.
_MT = {
    MessageKind.TEXT: MessageType.TEXT,
    MessageKind.ADD_REQUEST: MessageType.ADD_REQUEST,
    MessageKind.REQUEST_APPROVED: MessageType.REQUEST_APPROVED,
    MessageKind.REQUEST_REFUSED: MessageType.REQUEST_REFUSED,
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A buddy's new visible status, waiting for one watcher's next fetch.

    Its id comes from the store's message id sequence (without a row), so that it
    sorts among queued messages in the order things happened and AK covers it.
    """

    id: int
    buddy: int
    status: Status
    #: When it happened (seconds since the epoch), the TM of its entry.
    time: int


class Unavailable(Exception):
    """The request needs a write the store cannot make now (a full disk): it was not done.

    The protocol has no RES for this; the front-end answers HTTP 503 with
    Retry-After, which a client must take as "not delivered, try again later".
    """

    retry_after = RETRY_AFTER


@dataclass
class Session:
    """A logged-in user: the pair (UIN, client IP), plus what presence needs in memory."""

    uin: int
    ip: str
    token: str
    last_seen: float
    status: Status = Status.ONLINE
    nick: str = ""
    face: int = 0
    #: Set once the client sent AK: it then gets at-least-once delivery.
    acks: bool = False
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    ended: bool = False
    #: GetMsgEx requests now waiting (a held long poll keeps the session alive).
    polls: int = 0
    #: Buddies' status changes not yet fetched (or, with AK, not yet acknowledged).
    status_changes: collections.deque[StatusChange] = field(default_factory=collections.deque)
    #: The buddy list as of login, kept up to date (whose status this session watches).
    buddies: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Answer:
    """What the HTTP front-end writes: the body (empty = NULL) and a cookie to set."""

    body: bytes
    set_cookie: str | None = None


NULL = Answer(b"")


class Service:
    """The server's rules; the front-end hands it a body and the client's address.

    ``clock`` is a monotonic clock in seconds (injectable so that tests can move
    time forward instead of sleeping).
    """

    def __init__(
        self,
        store: Store,
        *,
        idle_timeout: float = 300,
        keepalive: int = 60,
        long_poll: int = 55,
        strict_sessions: bool = False,
        clock: Callable[[], float] = time.monotonic,
        scrypt_n: int = SCRYPT_N,
    ) -> None:
        self.store = store
        self.scrypt_n = scrypt_n
        self.idle_timeout = idle_timeout
        self.keepalive = keepalive
        self.long_poll = long_poll
        self.strict_sessions = strict_sessions
        self.clock = clock
        self.sessions: dict[int, Session] = {}
        #: Per user, the logged-in users who have them in their buddy list (presence's
        #: audience, kept in memory so that a status change costs no store read).
        self._watching: dict[int, set[int]] = {}
        self._sent: dict[int, collections.deque[float]] = {}
        self._penalties: dict[tuple[int, Command], float] = {}
        self._login_failures: dict[object, collections.deque[float]] = {}
        #: Per recipient, the newest write to their queue not yet committed: a fetch
        #: waits for it, so that what was accepted for a user is in their next answer.
        self._queued: dict[int, asyncio.Future[Any]] = {}
        #: Per recipient, the newest acknowledged id whose deletion is not yet committed.
        self._acked: dict[int, int] = {}
        self._closing = False
        self.admin = Admin(store, watcher=self, scrypt_n=scrypt_n)

    # ------------------------------------------------------------------ entry

    async def handle(
        self,
        body: bytes,
        ip: str,
        *,
        form_urlencoded: bool = False,
        cookies: dict[str, str] | None = None,
    ) -> Answer:
        """Answer one request body from ``ip``; NULL for anything the protocol refuses."""
        try:
            request = decode_request(parse_request_body(body, form_urlencoded=form_urlencoded))
        except ProtocolError as exc:
            log.debug("NULL for a request from %s: %s", ip, exc)
            return NULL
        try:
            return await self.answer(request, ip, cookies or {})
        except StoreError as exc:
            # the store logged it (once for a spell of failures, not per request)
            log.debug("%s from %s not done: %s", request.command.request_name, ip, exc)
            raise Unavailable(str(exc)) from exc

    async def answer(self, request: Request, ip: str, cookies: dict[str, str]) -> Answer:
        """Answer a decoded request."""
        command = request.command
        uin = request.uin
        if command is Command.LOGOUT:
            return self._reply(self._logout(request, ip, cookies), request)
        if not MIN_UIN <= uin <= MAX_UIN:
            return self._error(Result.NO_SUCH_NUMBER, request)
        if self._penalized(uin, command):
            return self._error(Result.TOO_FREQUENT, request)
        if isinstance(request, LoginRequest):
            return await self._login(request, ip)
        session = self._session(uin, ip, cookies)
        if session is None:
            # only the failure path looks the number up: 5 for no account, else 20
            if uin not in self.sessions and not await self.store.is_account(uin):
                return self._error(Result.NO_SUCH_NUMBER, request)
            return self._error(Result.NOT_LOGGED_IN, request)
        reply: Reply
        match request:
            case BuddyListRequest():
                reply = await self._list(session, request)
            case OnlineBuddiesRequest():
                reply = await self._query_stat(session, request)
            case ProfileRequest():
                reply = await self._get_info(request)
            case AddBuddyRequest():
                reply = await self._add(session, request)
            case AddBuddyAnswerRequest():
                reply = await self._ack(session, request)
            case RemoveBuddyRequest():
                if await self.store.remove_buddy(session.uin, request.target):
                    self.buddy_removed(session.uin, request.target)
                reply = Done(command=command)
            case ChangeStatusRequest():
                self._set_status(session, request.status)
                reply = Done(command=command)
            case FetchMessagesRequest():
                reply = await self._fetch(session, request)
            case SendMessageRequest():
                reply = await self._send(session, request)
            case SearchRequest():
                reply = await self._search(session, request)
            case _:  # pragma: no cover - every command is matched above
                return NULL
        return self._reply(reply, request)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _reply(reply: Reply, request: Request) -> Answer:
        return Answer(encode_reply(reply, request))

    def _error(self, result: Result, request: Request) -> Answer:
        return self._reply(ErrorReply(command=request.command, result=result), request)

    def _penalized(self, uin: int, command: Command) -> bool:
        until = self._penalties.get((uin, command))
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._penalties[(uin, command)]
        return False

    def _penalize(self, uin: int, command: Command) -> ErrorReply:
        self._penalties[(uin, command)] = self.clock() + PENALTY
        return ErrorReply(command=command, result=Result.TOO_FREQUENT)

    def _session(self, uin: int, ip: str, cookies: dict[str, str]) -> Session | None:
        """The caller's live session, touched; None when not logged in from here."""
        session = self.sessions.get(uin)
        if session is None or session.ip != ip:
            return None
        if self.strict_sessions and cookies.get(COOKIE_PREFIX + str(uin)) != session.token:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle_timeout:
            self._end(session, expired=True)
            return None
        session.last_seen = now
        return session

    async def _is_account(self, uin: int) -> bool:
        return MIN_UIN <= uin <= MAX_UIN and await self.store.is_account(uin)

    # ------------------------------------------------------------------ presence

    def visible_status(self, uin: int) -> Status:
        """What others see of ``uin`` right now."""
        session = self.sessions.get(uin)
        return Status.OFFLINE if session is None else session.status.visible

    def buddy_added(self, owner: int, buddy: int) -> None:
        """``buddy`` joined ``owner``'s list: if ``owner`` is online, they now watch ``buddy``."""
        session = self.sessions.get(owner)
        if session is not None:
            session.buddies.add(buddy)
            self._watching.setdefault(buddy, set()).add(owner)

    def buddy_removed(self, owner: int, buddy: int) -> None:
        session = self.sessions.get(owner)
        if session is not None:
            session.buddies.discard(buddy)
        self._unwatch_one(owner, buddy)

    def _unwatch_one(self, owner: int, buddy: int) -> None:
        watchers = self._watching.get(buddy)
        if watchers is not None:
            watchers.discard(owner)
            if not watchers:
                del self._watching[buddy]

    def profile_changed(self, profile: Profile) -> None:
        session = self.sessions.get(profile.uin)
        if session is not None:
            session.nick, session.face = profile.nick, profile.face

    def _watch(self, uin: int, buddies: list[int]) -> None:
        for buddy in buddies:
            self._watching.setdefault(buddy, set()).add(uin)

    def _unwatch(self, uin: int, buddies: Collection[int]) -> None:
        for buddy in buddies:
            self._unwatch_one(uin, buddy)

    def _broadcast_status(self, uin: int, status: Status) -> None:
        """Tell every online user who has ``uin`` in their list (an MT=99 entry, MG=status).

        Nothing is stored: a status is news, not a message; a watcher who is not
        logged in reads the status when they log in (List, Query_Stat).
        """
        watchers = [
            s for w in list(self._watching.get(uin, ())) if w != uin and (s := self.sessions.get(w))
        ]
        if not watchers:
            return
        ids = self.store.reserve_message_ids(len(watchers))
        now = int(time.time())
        for watcher, change_id in zip(watchers, ids, strict=True):
            changes = watcher.status_changes
            if len(changes) >= MAX_PENDING_STATUS:
                changes.popleft()
            changes.append(StatusChange(change_id, uin, status, now))
            watcher.wakeup.set()

    def _set_status(self, session: Session, status: Status) -> None:
        before = session.status.visible
        session.status = status
        if status.visible != before:
            self._broadcast_status(session.uin, status.visible)

    def _end(self, session: Session, *, expired: bool = False) -> None:
        """End a session; buddies see the user go offline."""
        if self.sessions.get(session.uin) is session:
            del self.sessions[session.uin]
            self._unwatch(session.uin, session.buddies)
        was_visible = session.status.visible != Status.OFFLINE
        session.ended = True
        session.wakeup.set()
        if expired:
            log.info("session of %d from %s expired", session.uin, session.ip)
        if was_visible:
            self._broadcast_status(session.uin, Status.OFFLINE)

    def expire_idle(self) -> int:
        """End every session silent for longer than the idle timeout; how many ended."""
        now = self.clock()
        stale = [
            s
            for s in self.sessions.values()
            if now - s.last_seen > self.idle_timeout and not s.polls
        ]
        for session in stale:
            self._end(session, expired=True)
        self._prune(now)
        return len(stale)

    def _prune(self, now: float) -> None:
        """Forget rate-limit bookkeeping that can no longer matter."""
        for key, until in list(self._penalties.items()):
            if until <= now:
                del self._penalties[key]
        for uin, sent in list(self._sent.items()):
            if not sent or sent[-1] < now - RATE_WINDOW:
                del self._sent[uin]
        for who, failures in list(self._login_failures.items()):
            if not failures or failures[-1] < now - LOGIN_WINDOW:
                del self._login_failures[who]

    # ------------------------------------------------------------------ messages

    def _enqueue(self, messages: list[NewMessage]) -> asyncio.Future[list[int]]:
        """Queue messages; the future completes once they are durable and recipients are woken."""
        recipients = {m.recipient for m in messages}
        return self._track(asyncio.ensure_future(self.store.enqueue(messages)), recipients)

    def _track(self, written: asyncio.Future[T], recipients: Collection[int]) -> asyncio.Future[T]:
        """Polls of ``recipients`` wait for ``written`` (a write queueing messages), then wake."""
        for recipient in recipients:
            self._queued[recipient] = written
        written.add_done_callback(partial(self._enqueued, recipients))
        return written

    def _enqueued(self, recipients: Collection[int], written: asyncio.Future[Any]) -> None:
        # (cancelled means the request was cut off at stop(); the write goes on)
        error = None if written.cancelled() else written.exception()
        if error is not None and not isinstance(error, StoreError):  # (the store logs its own)
            log.error("queueing messages for %s failed: %s", recipients, error)
        for recipient in recipients:
            if self._queued.get(recipient) is written:
                del self._queued[recipient]
            session = self.sessions.get(recipient)
            if session is not None:
                session.wakeup.set()

    async def _forget(self, session: Session, upto: int) -> None:
        """Drop what ``session`` acknowledged (AK) up to ``upto``, without waiting for the disk.

        Only clients that send AK get here, and they drop a message whose id they
        have seen; so if a crash undoes the deletion, the redelivery is harmless
        and the reply need not wait for the disk. Until the deletion is committed,
        fetches skip those ids.
        """
        changes = session.status_changes
        while changes and changes[0].id <= upto:
            changes.popleft()
        uin = session.uin
        if upto <= self._acked.get(uin, 0):
            return
        oldest = await self.store.queued(uin, 1)
        if not oldest or oldest[0].id > upto or upto <= self._acked.get(uin, 0):
            return  # nothing to delete
        self._acked[uin] = upto
        deleted = asyncio.ensure_future(self.store.delete_upto(uin, upto))
        deleted.add_done_callback(partial(self._forgotten, uin, upto))

    def _forgotten(self, uin: int, upto: int, deleted: asyncio.Future[None]) -> None:
        if self._acked.get(uin) == upto:
            del self._acked[uin]
        error = None if deleted.cancelled() else deleted.exception()
        if error is not None and not isinstance(error, StoreError):  # (the store logs its own)
            log.warning("dropping acknowledged messages of %d failed: %s", uin, error)

    async def _fetch(self, session: Session, request: FetchMessagesRequest) -> Reply:
        session.polls += 1
        try:
            if request.ack is not None:
                session.acks = True
                await self._forget(session, request.ack)
            return await self._poll(session, request)
        finally:
            session.polls -= 1

    async def _poll(self, session: Session, request: FetchMessagesRequest) -> Reply:
        wait = min(request.wait or 0, self.long_poll)
        deadline = self.clock() + wait
        entries: list[Message] = []
        while not session.ended:
            session.wakeup.clear()
            entries = await self._take(session)
            remaining = deadline - self.clock()
            if entries or remaining <= 0 or session.ended or self._closing:
                break
            try:
                await asyncio.wait_for(session.wakeup.wait(), remaining)
            except TimeoutError:
                # one last look, then answer whatever is there
                deadline = self.clock()
        session.last_seen = max(session.last_seen, self.clock())
        # messages already taken off a legacy queue go to this client, replaced or not
        taken = bool(entries) and not session.acks
        if session.ended and self.sessions.get(session.uin) is not session and not taken:
            return ErrorReply(command=Command.GET_MSG_EX, result=Result.NOT_LOGGED_IN)
        return MessagesReply(messages=entries, extended=request.extended or session.acks)

    async def _take(self, session: Session) -> list[Message]:
        """This answer's entries, messages and status changes in the order they happened:
        kept until acknowledged (AK), or taken off the queue."""
        uin = session.uin
        queued = self._queued.get(uin)
        if queued is not None:
            await asyncio.wait([queued])
        pending = session.status_changes
        # status changes take up to half an answer; messages fill the rest
        changes = list(itertools.islice(pending, MAX_MESSAGES_PER_REPLY // 2))
        limit = MAX_MESSAGES_PER_REPLY - len(changes)
        # (decided before any await: changes that come meanwhile wait for the next answer)
        later = pending[len(changes)].id if len(pending) > len(changes) else None
        after = self._acked.get(uin, 0)
        if session.acks:
            stored = await self.store.queued(uin, limit, after=after)
        elif session.ended or not await self.store.queued(uin, 1):
            stored = []
        elif later is not None:
            # (rare: more changes than fit) see what is there before taking any of it
            stored = await self.store.queued(uin, limit)
        else:
            # Legacy clients cannot tell a repeat: the deletion is committed before the
            # answer goes out (a crash cannot bring these back; only a power cut can).
            stored = await self.store.take(uin, limit)
        # what follows a change left for a later answer is left too (order, and AK's range)
        full = len(stored) == limit
        if later is not None:
            full = full or any(m.id > later for m in stored)
            stored = [m for m in stored if m.id < later]
            if stored and not session.acks:
                stored = await self.store.take(uin, len(stored))
        # a change after messages not read yet waits for them
        last = stored[-1].id if full and stored else None
        due = [c for c in changes if last is None or c.id < last]
        if due and not session.acks:
            while pending and pending[0].id <= due[-1].id:
                pending.popleft()
        entries = [
            Message(
                kind=_MT[m.kind],
                sender=m.sender,
                text=render_text(m.content),
                id=m.id,
                time=m.time,
            )
            for m in stored
        ]
        entries += [
            Message(
                kind=MessageType.STATUS,
                sender=c.buddy,
                text=str(int(c.status)),
                id=c.id,
                time=c.time,
            )
            for c in due
        ]
        entries.sort(key=lambda m: m.id or 0)
        return entries

    async def _send(self, session: Session, request: SendMessageRequest) -> Reply:
        now = self.clock()
        sent = self._sent.setdefault(session.uin, collections.deque())
        while sent and sent[0] <= now - RATE_WINDOW:
            sent.popleft()
        if len(sent) >= RATE_LIMIT:
            return self._penalize(session.uin, Command.CLTMSG)
        if not await self._is_account(request.target):
            return ErrorReply(command=Command.CLTMSG, result=Result.NO_SUCH_NUMBER)
        sent.append(now)
        message = NewMessage(
            recipient=request.target,
            sender=session.uin,
            conversation=Conversation.buddy(session.uin),
            kind=MessageKind.TEXT,
            content=parse_text(request.text),
        )
        # RES=0 only once the message is on disk
        await self._enqueue([message])
        return Done(command=Command.CLTMSG)

    # ------------------------------------------------------------------ commands

    async def _login(self, request: LoginRequest, ip: str) -> Answer:
        now = self.clock()
        if self._too_many_failures(("uin", request.uin), LOGIN_FAILURES_PER_UIN, now) or (
            self._too_many_failures(("ip", ip), LOGIN_FAILURES_PER_IP, now)
        ):
            return self._error(Result.TOO_FREQUENT, request)
        account = await self.store.account(request.uin)
        stored = await self.store.password_hash(request.uin) if account else None
        if account is None or stored is None:
            return self._error(Result.NO_SUCH_NUMBER, request)
        # scrypt is slow on purpose; keep the loop free for everybody else
        ok = await asyncio.to_thread(check_password, request.password_md5, stored)
        if not ok:
            for key in (("uin", request.uin), ("ip", ip)):
                self._login_failures.setdefault(key, collections.deque()).append(self.clock())
            return self._reply(LoginRefused(reason=WRONG_PASSWORD), request)
        self._login_failures.pop(("uin", request.uin), None)
        buddies = await self.store.buddies(request.uin)
        # From here on nothing waits: the session, its audience and the news go together.
        # (Status changes meant for an earlier login are stale: they go with it.)
        old = self.sessions.pop(request.uin, None)
        if old is not None:
            old.ended = True
            old.wakeup.set()
            self._unwatch(old.uin, old.buddies)
        profile = account.profile
        session = Session(
            uin=request.uin,
            ip=ip,
            token=secrets.token_urlsafe(24),
            last_seen=self.clock(),
            nick=profile.nick,
            face=profile.face,
            buddies=set(buddies),
        )
        self.sessions[request.uin] = session
        self._watch(request.uin, buddies)
        if old is None or old.status.visible != Status.ONLINE:
            self._broadcast_status(request.uin, Status.ONLINE)
        reply = LoginOk(
            keepalive=self.keepalive,
            idle_timeout=max(1, math.ceil(self.idle_timeout)),
            long_poll=self.long_poll,
            nick=profile.nick,
            face=profile.face,
        )
        cookie = f"{COOKIE_PREFIX}{request.uin}={session.token}; Path=/; HttpOnly; SameSite=Strict"
        return Answer(encode_reply(reply, request), set_cookie=cookie)

    def _too_many_failures(self, key: object, limit: int, now: float) -> bool:
        failures = self._login_failures.get(key)
        if not failures:
            return False
        while failures and failures[0] <= now - LOGIN_WINDOW:
            failures.popleft()
        return len(failures) >= limit

    def _logout(self, request: Request, ip: str, cookies: dict[str, str]) -> Reply:
        # Always RES=0, but only the session's own client may end it.
        session = self.sessions.get(request.uin)
        if session is not None and session.ip == ip:
            token_ok = cookies.get(COOKIE_PREFIX + str(request.uin)) == session.token
            if token_ok or not self.strict_sessions:
                self._end(session)
        return Done(command=Command.LOGOUT)

    async def _list(self, session: Session, request: BuddyListRequest) -> Reply:
        if request.page_size == 0:
            return BuddyCount(count=await self.store.buddy_count(session.uin))
        page = await self.store.buddies(session.uin, request.offset, request.page_size + 1)
        last = len(page) <= request.page_size
        return BuddyPage(last=last, uins=page[: request.page_size])

    async def _query_stat(self, session: Session, request: OnlineBuddiesRequest) -> Reply:
        online = []
        for uin in await self.store.buddies(session.uin):
            other = self.sessions.get(uin)
            if other is not None and other.status.is_online:
                online.append(
                    OnlineBuddy(uin=uin, status=other.status, face=other.face, nick=other.nick)
                )
        if request.page_size == 0:
            return OnlineCount(count=len(online))
        end = request.offset + request.page_size
        return OnlinePage(last=end >= len(online), buddies=online[request.offset : end])

    async def _get_info(self, request: ProfileRequest) -> Reply:
        account = (
            await self.store.account(request.target)
            if MIN_UIN <= request.target <= MAX_UIN
            else None
        )
        if account is None:
            return ErrorReply(command=Command.GET_INFO, result=Result.NO_SUCH_NUMBER)
        return ProfileReply(level=request.level, profile=account.profile)

    async def _add(self, session: Session, request: AddBuddyRequest) -> Reply:
        target = request.target
        account = await self.store.account(target) if MIN_UIN <= target <= MAX_UIN else None
        if account is None:
            return ErrorReply(command=Command.ADD_TO_LIST, result=Result.NO_SUCH_NUMBER)
        auth = account.auth
        if auth is AuthMode.ANYONE:
            if await self.store.add_buddy(session.uin, target):
                self.buddy_added(session.uin, target)
        elif auth.refuses_everyone:
            auth = AuthMode.NOBODY
        return AddBuddyReply(target=target, auth=int(auth))

    async def _ack(self, session: Session, request: AddBuddyAnswerRequest) -> Reply:
        me, other = session.uin, request.target
        if request.code > AckCode.REQUEST:
            return self._penalize(me, Command.ACK_ADD_TO_LIST)
        account = await self.store.account(other) if MIN_UIN <= other <= MAX_UIN else None
        if account is None:
            return ErrorReply(command=Command.ACK_ADD_TO_LIST, result=Result.NO_SUCH_NUMBER)
        done = Done(command=Command.ACK_ADD_TO_LIST)
        if request.code == AckCode.REQUEST:
            if account.auth.refuses_everyone:
                return done  # nobody may add this user: the request goes nowhere
            requested = asyncio.ensure_future(self.store.request(me, other, request.reason))
            await self._track(requested, {other})
            return done
        approve = request.code == AckCode.APPROVE
        # One transaction: the request goes, the buddy is added and the answer queued.
        # Without such a request nothing changes (and nothing is queued).
        answered = asyncio.ensure_future(
            self.store.answer_request(other, me, approve, request.reason)
        )
        if await self._track(answered, {other}) is not None and approve:
            self.buddy_added(other, me)
        return done

    async def _search(self, session: Session, request: SearchRequest) -> Reply:
        size = min(request.page_size, MAX_SEARCH_PAGE)
        sex = None if request.sex is None else int(request.sex)
        found = await self.store.search(
            session.uin, request.age, sex, request.province, request.offset, size + 1
        )
        results = [
            SearchResult(
                uin=a.profile.uin,
                nick=a.profile.nick,
                face=a.profile.face,
                age=a.profile.age,
                sex=a.profile.sex,
                province=a.profile.province,
                status=self.visible_status(a.profile.uin),
            )
            for a in found[:size]
        ]
        return SearchPage(last=len(found) <= size, results=results)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Wake every waiting long poll so that it answers now."""
        self._closing = True
        for session in self.sessions.values():
            session.wakeup.set()


__all__ = [
    "COOKIE_PREFIX",
    "NULL",
    "Admin",
    "Answer",
    "BlockingAdmin",
    "Service",
    "Session",
    "Unavailable",
]
