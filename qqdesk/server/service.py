"""Every rule of the classic protocol server (sessions, presence, buddies, messages); no HTTP."""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

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

from .store import (
    PROFILE_FIELDS,
    SCRYPT_N,
    Account,
    Store,
    StoredMessage,
    StoreError,
    check_password,
    hash_password,
    md5_hex,
    normalize_profile_fields,
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
        self._sent: dict[int, collections.deque[float]] = {}
        self._penalties: dict[tuple[int, Command], float] = {}
        self._login_failures: dict[object, collections.deque[float]] = {}
        #: Per recipient, the newest write to their queue not yet committed: a fetch
        #: waits for it, so that what was accepted for a user is in their next answer.
        self._queued: dict[int, asyncio.Future[Any]] = {}
        #: Per recipient, the newest acknowledged id whose deletion is not yet committed.
        self._acked: dict[int, int] = {}
        self._closing = False
        self.admin = Admin(self)

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
            if uin not in self.sessions and not self.store.is_account(uin):
                return self._error(Result.NO_SUCH_NUMBER, request)
            return self._error(Result.NOT_LOGGED_IN, request)
        reply: Reply
        match request:
            case BuddyListRequest():
                reply = self._list(session, request)
            case OnlineBuddiesRequest():
                reply = self._query_stat(session, request)
            case ProfileRequest():
                reply = self._get_info(request)
            case AddBuddyRequest():
                reply = await self._add(session, request)
            case AddBuddyAnswerRequest():
                reply = await self._ack(session, request)
            case RemoveBuddyRequest():
                await self.store.aremove_buddy(session.uin, request.target)
                reply = Done(command=command)
            case ChangeStatusRequest():
                self._set_status(session, request.status)
                reply = Done(command=command)
            case FetchMessagesRequest():
                reply = await self._fetch(session, request)
            case SendMessageRequest():
                reply = await self._send(session, request)
            case SearchRequest():
                reply = self._search(session, request)
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

    def _is_account(self, uin: int) -> bool:
        return MIN_UIN <= uin <= MAX_UIN and self.store.is_account(uin)

    # ------------------------------------------------------------------ presence

    def visible_status(self, uin: int) -> Status:
        """What others see of ``uin`` right now."""
        session = self.sessions.get(uin)
        return Status.OFFLINE if session is None else session.status.visible

    def _broadcast_status(self, uin: int, status: Status) -> None:
        """Tell every online user who has ``uin`` in their list (MT=99, MG=status).

        Nobody waits for these to reach the disk: a status is news, not a message.
        """
        watchers = [w for w in self.store.watchers(uin) if w in self.sessions and w != uin]
        if watchers:
            self._enqueue([(w, uin, MessageType.STATUS, str(int(status))) for w in watchers])

    def _set_status(self, session: Session, status: Status) -> None:
        before = session.status.visible
        session.status = status
        if status.visible != before:
            self._broadcast_status(session.uin, status.visible)

    def _end(self, session: Session, *, expired: bool = False) -> None:
        """End a session; buddies see the user go offline."""
        if self.sessions.get(session.uin) is session:
            del self.sessions[session.uin]
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

    def _enqueue(self, messages: list[tuple[int, int, int, str]]) -> asyncio.Future[list[int]]:
        """Queue messages; the future completes once they are durable and recipients are woken."""
        recipients = {recipient for recipient, *_ in messages}
        return self._track(self.store.aenqueue(messages), recipients)

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

    def _forget(self, uin: int, upto: int) -> None:
        """Drop messages up to ``upto`` that ``uin`` acknowledged (AK), without waiting.

        Only clients that send AK get here, and they drop a message whose id they
        have seen; so if a crash undoes the deletion, the redelivery is harmless
        and the reply need not wait for the disk. Until the deletion is committed,
        fetches skip those ids.
        """
        if upto <= self._acked.get(uin, 0):
            return
        oldest = self.store.pending(uin, 1)
        if not oldest or oldest[0].id > upto:
            return  # nothing to delete
        self._acked[uin] = upto
        deleted = self.store.adelete_upto(uin, upto)
        deleted.add_done_callback(partial(self._forgotten, uin, upto))

    def _forgotten(self, uin: int, upto: int, deleted: asyncio.Future[None]) -> None:
        if self._acked.get(uin) == upto:
            del self._acked[uin]
        error = None if deleted.cancelled() else deleted.exception()
        if error is not None and not isinstance(error, StoreError):  # (the store logs its own)
            log.warning("dropping acknowledged messages of %d failed: %s", uin, error)

    async def _fetch(self, session: Session, request: FetchMessagesRequest) -> Reply:
        if request.ack is not None:
            session.acks = True
            self._forget(session.uin, request.ack)
        session.polls += 1
        try:
            return await self._poll(session, request)
        finally:
            session.polls -= 1

    async def _poll(self, session: Session, request: FetchMessagesRequest) -> Reply:
        wait = min(request.wait or 0, self.long_poll)
        deadline = self.clock() + wait
        stored: list[StoredMessage] = []
        while not session.ended:
            session.wakeup.clear()
            stored = await self._take(session)
            remaining = deadline - self.clock()
            if stored or remaining <= 0 or session.ended or self._closing:
                break
            try:
                await asyncio.wait_for(session.wakeup.wait(), remaining)
            except TimeoutError:
                # one last look, then answer whatever is there
                deadline = self.clock()
        session.last_seen = max(session.last_seen, self.clock())
        # messages already taken off a legacy queue go to this client, replaced or not
        taken = bool(stored) and not session.acks
        if session.ended and self.sessions.get(session.uin) is not session and not taken:
            return ErrorReply(command=Command.GET_MSG_EX, result=Result.NOT_LOGGED_IN)
        messages = [
            Message(kind=m.kind, sender=m.sender, text=m.text, id=m.id, time=m.time) for m in stored
        ]
        return MessagesReply(messages=messages, extended=request.extended or session.acks)

    async def _take(self, session: Session) -> list[StoredMessage]:
        """The messages for this answer: kept until acknowledged (AK), or taken off the queue."""
        uin = session.uin
        queued = self._queued.get(uin)
        if queued is not None:
            await asyncio.wait([queued])
        if session.acks:
            return self.store.pending(uin, MAX_MESSAGES_PER_REPLY, after=self._acked.get(uin, 0))
        if session.ended or not self.store.pending(uin, 1):
            return []
        # Legacy clients cannot tell a repeat: the deletion is committed before the
        # answer goes out (a crash cannot bring these back; only a power cut can).
        return await self.store.adeliver_and_delete(uin, MAX_MESSAGES_PER_REPLY)

    async def _send(self, session: Session, request: SendMessageRequest) -> Reply:
        now = self.clock()
        sent = self._sent.setdefault(session.uin, collections.deque())
        while sent and sent[0] <= now - RATE_WINDOW:
            sent.popleft()
        if len(sent) >= RATE_LIMIT:
            return self._penalize(session.uin, Command.CLTMSG)
        if not self._is_account(request.target):
            return ErrorReply(command=Command.CLTMSG, result=Result.NO_SUCH_NUMBER)
        sent.append(now)
        # RES=0 only once the message is on disk
        await self._enqueue([(request.target, session.uin, MessageType.TEXT, request.text)])
        return Done(command=Command.CLTMSG)

    # ------------------------------------------------------------------ commands

    async def _login(self, request: LoginRequest, ip: str) -> Answer:
        now = self.clock()
        if self._too_many_failures(("uin", request.uin), LOGIN_FAILURES_PER_UIN, now) or (
            self._too_many_failures(("ip", ip), LOGIN_FAILURES_PER_IP, now)
        ):
            return self._error(Result.TOO_FREQUENT, request)
        account = self.store.account(request.uin)
        stored = self.store.password_hash(request.uin) if account else None
        if account is None or stored is None:
            return self._error(Result.NO_SUCH_NUMBER, request)
        # scrypt is slow on purpose; keep the loop free for everybody else
        ok = await asyncio.to_thread(check_password, request.password_md5, stored)
        if not ok:
            for key in (("uin", request.uin), ("ip", ip)):
                self._login_failures.setdefault(key, collections.deque()).append(self.clock())
            return self._reply(LoginRefused(reason=WRONG_PASSWORD), request)
        self._login_failures.pop(("uin", request.uin), None)
        # status messages queued for an earlier login are stale; Query_Stat tells the truth
        # (tidying only: a store that cannot write, a full disk, must not stop a login)
        try:
            await self.store.adrop_kind(request.uin, MessageType.STATUS)
        except StoreError as exc:
            log.debug("stale status messages of %d kept: %s", request.uin, exc)
        old = self.sessions.pop(request.uin, None)
        if old is not None:
            old.ended = True
            old.wakeup.set()
        profile = account.profile
        session = Session(
            uin=request.uin,
            ip=ip,
            token=secrets.token_urlsafe(24),
            last_seen=self.clock(),
            nick=profile.nick,
            face=profile.face,
        )
        self.sessions[request.uin] = session
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

    def _list(self, session: Session, request: BuddyListRequest) -> Reply:
        if request.page_size == 0:
            return BuddyCount(count=self.store.buddy_count(session.uin))
        page = self.store.buddies(session.uin, request.offset, request.page_size + 1)
        last = len(page) <= request.page_size
        return BuddyPage(last=last, uins=page[: request.page_size])

    def _query_stat(self, session: Session, request: OnlineBuddiesRequest) -> Reply:
        online = []
        for uin in self.store.buddies(session.uin):
            other = self.sessions.get(uin)
            if other is not None and other.status.is_online:
                online.append(
                    OnlineBuddy(uin=uin, status=other.status, face=other.face, nick=other.nick)
                )
        if request.page_size == 0:
            return OnlineCount(count=len(online))
        end = request.offset + request.page_size
        return OnlinePage(last=end >= len(online), buddies=online[request.offset : end])

    def _get_info(self, request: ProfileRequest) -> Reply:
        account = (
            self.store.account(request.target) if MIN_UIN <= request.target <= MAX_UIN else None
        )
        if account is None:
            return ErrorReply(command=Command.GET_INFO, result=Result.NO_SUCH_NUMBER)
        return ProfileReply(level=request.level, profile=account.profile)

    async def _add(self, session: Session, request: AddBuddyRequest) -> Reply:
        target = request.target
        account = self.store.account(target) if MIN_UIN <= target <= MAX_UIN else None
        if account is None:
            return ErrorReply(command=Command.ADD_TO_LIST, result=Result.NO_SUCH_NUMBER)
        auth = account.auth
        if auth is AuthMode.ANYONE:
            await self.store.aadd_buddy(session.uin, target)
        elif auth.refuses_everyone:
            auth = AuthMode.NOBODY
        return AddBuddyReply(target=target, auth=int(auth))

    async def _ack(self, session: Session, request: AddBuddyAnswerRequest) -> Reply:
        me, other = session.uin, request.target
        if request.code > AckCode.REQUEST:
            return self._penalize(me, Command.ACK_ADD_TO_LIST)
        account = self.store.account(other) if MIN_UIN <= other <= MAX_UIN else None
        if account is None:
            return ErrorReply(command=Command.ACK_ADD_TO_LIST, result=Result.NO_SUCH_NUMBER)
        done = Done(command=Command.ACK_ADD_TO_LIST)
        if request.code == AckCode.REQUEST:
            if account.auth.refuses_everyone:
                return done  # nobody may add this user: the request goes nowhere
            requested = self.store.arequest(me, other, request.reason, MessageType.ADD_REQUEST)
            await self._track(requested, {other})
            return done
        approve = request.code == AckCode.APPROVE
        kind = MessageType.REQUEST_APPROVED if approve else MessageType.REQUEST_REFUSED
        # One transaction: the request goes, the buddy is added and the answer queued.
        # Without such a request nothing changes (and nothing is queued).
        answered = self.store.aanswer_request(other, me, approve, request.reason, kind)
        await self._track(answered, {other})
        return done

    def _search(self, session: Session, request: SearchRequest) -> Reply:
        size = min(request.page_size, MAX_SEARCH_PAGE)
        sex = None if request.sex is None else int(request.sex)
        found = self.store.search(
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

    def refresh_presence(self, uin: int, profile: Profile) -> None:
        session = self.sessions.get(uin)
        if session is not None:
            session.nick, session.face = profile.nick, profile.face


class Admin:
    """Account management for the CLI, the app's "create account" page and demo mode.

    Synchronous; call it from the thread that runs the server's loop (or before
    the server starts). Never reachable over the wire.
    """

    def __init__(self, service: Service) -> None:
        self._service = service

    @property
    def _store(self) -> Store:
        return self._service.store

    def create_account(
        self,
        uin: int | None,
        password: str,
        nick: str = "",
        auth: AuthMode | int = AuthMode.ANYONE,
        face: int = 0,
        *,
        searchable: bool = True,
        **profile: Any,
    ) -> int:
        """Make an account; ``uin=None`` picks the next free number >= 10000. Returns it."""
        if uin is not None and not MIN_UIN <= uin <= MAX_UIN:
            raise ValueError(f"a QQ number must be between {MIN_UIN} and {MAX_UIN}")
        if not password:
            raise ValueError("the password must not be empty")
        mode = _auth_mode(auth)
        values = normalize_profile_fields({"nick": nick, "face": face, **profile})
        full = Profile(uin=uin or 0, **values)
        return self._store.create_account(
            uin, hash_password(md5_hex(password), n=self._service.scrypt_n), full, mode, searchable
        )

    def set_password(self, uin: int, password: str) -> None:
        if not password:
            raise ValueError("the password must not be empty")
        if not self._store.set_password_hash(
            uin, hash_password(md5_hex(password), n=self._service.scrypt_n)
        ):
            raise KeyError(uin)

    def set_profile(
        self,
        uin: int,
        *,
        auth: AuthMode | int | None = None,
        searchable: bool | None = None,
        **fields: Any,
    ) -> Profile:
        """Change profile fields (Profile attribute names), auth mode or search opt-in."""
        mode = None if auth is None else _auth_mode(auth)
        if not self._store.update_account(uin, fields, mode, searchable):
            raise KeyError(uin)
        account = self._store.account(uin)
        assert account is not None
        self._service.refresh_presence(uin, account.profile)
        return account.profile

    def account(self, uin: int) -> Account | None:
        return self._store.account(uin)

    def add_buddy(self, uin: int, buddy: int) -> bool:
        """Put ``buddy`` at the end of ``uin``'s list; False if already there."""
        for number in (uin, buddy):
            if self._store.account(number) is None:
                raise KeyError(number)
        return self._store.add_buddy(uin, buddy)

    def remove_buddy(self, uin: int, buddy: int) -> bool:
        return self._store.remove_buddy(uin, buddy)

    def buddies(self, uin: int) -> list[int]:
        return self._store.buddies(uin)

    def list_accounts(self) -> list[Account]:
        return self._store.list_accounts()


def _auth_mode(value: AuthMode | int) -> AuthMode:
    mode = AuthMode(int(value))
    # 2 is what the legacy server sent for "nobody"; we keep one spelling
    return AuthMode.NOBODY if mode.refuses_everyone else mode


__all__ = [
    "COOKIE_PREFIX",
    "NULL",
    "PROFILE_FIELDS",
    "Admin",
    "Answer",
    "Service",
    "Session",
    "Unavailable",
]
