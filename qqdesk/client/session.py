"""AccountSession: one logged-in QQ account as an object that sends, polls and emits events."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import functools
import hashlib
import logging
import os
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

from qqdesk.protocol.classic import (
    MAX_MESSAGE_CHARS,
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
    LogoutRequest,
    Message,
    MessagesReply,
    MessageType,
    OnlineBuddiesRequest,
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
    SendMessageRequest,
    Sex,
    Status,
    decode_reply,
    encode_request,
)

from .errors import (
    HistoryUnavailable,
    LoginFailed,
    NoSuchUser,
    NotLoggedIn,
    QQError,
    RequestRefused,
    ServerBusy,
    ServerUnavailable,
    SessionClosed,
    TooFrequent,
    WrongPassword,
)
from .events import (
    AddRequestReceived,
    BuddyStatusChanged,
    ConnectionState,
    ConnectionStateChanged,
    DeliveryState,
    Event,
    MessageReceived,
    MessageStateChanged,
    RequestApproved,
    Trouble,
)
from .events import (
    RequestRefused as RequestRefusedEvent,
)
from .store import HistoryStore
from .transport import Transport
from .types import AddRequest, Buddy, OutgoingMessage, SearchResults, StoredMessage

log = logging.getLogger(__name__)

#: What the local history store raises when it cannot write (disk full, read-only...).
STORAGE_ERRORS = (sqlite3.Error, OSError)
INF = float("inf")

T = TypeVar("T")
R = TypeVar("R", bound=Reply)

#: Buddy numbers asked for per List page, and online buddies per Query_Stat page.
BUDDY_PAGE = 100
ONLINE_PAGE = 50
#: Profiles fetched at once when the buddy list needs nicknames.
PROFILE_CONCURRENCY = 8
#: Events kept while nobody reads ``events()`` (a bot subscribes after login).
BACKLOG = 10_000


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
    #: How often to look for a sleep of the machine, and what drift means one.
    watchdog: float = 2.0
    clock_jump: float = 10.0
    #: More re-logins than this within ``relogin_window`` s: another client has the account.
    relogin_limit: int = 3
    relogin_window: float = 60.0
    logout_timeout: float = 2.0
    wall: Callable[[], float] = field(default=time.time)
    monotonic: Callable[[], float] = field(default=time.monotonic)


class _Resumed(Exception):
    """The machine slept or the clock jumped: the link must be checked now."""


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut a long text into messages of at most ``limit`` characters, at a space if near."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut < limit * 3 // 4:
            cut = limit
        else:
            cut += 1
        parts.append(text[:cut])
        text = text[cut:]
    if text:
        parts.append(text)
    return parts


class AccountSession:
    """One QQ account on one server: log in, then call methods and read ``events()``.

    ``async with AccountSession(url, uin, password) as s:`` logs in and, on exit,
    logs out and closes the poll loop, the outbox and the HTTP client.
    """

    def __init__(
        self,
        server_url: str,
        uin: int,
        password: str,
        *,
        store: HistoryStore | str | os.PathLike[str] | None = None,
        timing: Timing | None = None,
    ) -> None:
        self.server_url = server_url
        self.uin = int(uin)
        self._password_md5 = hashlib.md5(password.encode("utf-8")).hexdigest()
        self.timing = timing or Timing()
        if store is None:
            self.store = HistoryStore.for_account(self.uin)
            self._own_store = True
        elif isinstance(store, str | os.PathLike):
            self.store = HistoryStore(store)
            self._own_store = True
        else:
            self.store = store
            self._own_store = False
        #: What the server said at login: own nickname and face (extensions, may be empty).
        self.nick = ""
        self.face = 0
        self.status = Status.OFFLINE
        self.state = ConnectionState.DISCONNECTED
        #: HI, LI and LP from the Login reply.
        self.keepalive = 60
        self.idle_timeout = 300
        self.long_poll: int | None = None

        self._transport: Transport | None = None
        self._seq = random.randrange(10_000, 90_000)
        self._recent_seqs: collections.deque[str] = collections.deque(maxlen=64)
        self._generation = 0
        self._login_lock = asyncio.Lock()
        self._relogins: collections.deque[float] = collections.deque()
        self._logged_in = asyncio.Event()
        self._resumed = asyncio.Event()
        self._activity = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribers: list[asyncio.Queue[Event | None]] = []
        self._backlog: collections.deque[Event | None] = collections.deque(maxlen=BACKLOG)
        self._outbox: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._waiters: dict[int, list[asyncio.Future[DeliveryState]]] = {}
        self._extensions = True
        self._ack = 0
        self._seen: collections.OrderedDict[tuple[int, int | None], None] = (
            collections.OrderedDict()
        )
        # Ids for received messages the store could not keep (negative, never a row id).
        self._unsaved = 0
        self._interval = self.timing.fast_poll
        self._active = False
        self._last_poll_wall = 0.0
        self._random = random.Random()

    # -- life ---------------------------------------------------------------------

    async def __aenter__(self) -> AccountSession:
        await self.login()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def login(self) -> None:
        """Log in; raises WrongPassword, NoSuchUser, TooFrequent or ServerUnavailable."""
        self._set_state(ConnectionState.CONNECTING)
        try:
            await self._login_once()
        except LoginFailed as exc:
            self._set_state(ConnectionState.STOPPED, str(exc))
            await self._close_transport()
            raise
        except QQError as exc:
            self._set_state(ConnectionState.DISCONNECTED, str(exc))
            await self._close_transport()
            raise
        self.status = Status.ONLINE
        self._logged_in.set()
        self._set_state(ConnectionState.CONNECTED)
        if not self._tasks or any(t.done() for t in self._tasks):
            await self._stop_tasks()
            self._last_poll_wall = self.timing.wall()
            self._tasks = [
                asyncio.create_task(self._poll_loop(), name=f"qq-poll-{self.uin}"),
                asyncio.create_task(self._outbox_loop(), name=f"qq-outbox-{self.uin}"),
                asyncio.create_task(self._watchdog(), name=f"qq-watchdog-{self.uin}"),
            ]
        self._queue_pending(self.store.pending())

    async def logout(self) -> None:
        """Log out and stop polling and sending; pending messages wait for the next login."""
        await self._stop_tasks()
        was_logged_in = self._logged_in.is_set()
        self._logged_in.clear()
        if was_logged_in and self._transport is not None:
            with contextlib.suppress(QQError):
                await self._exchange(
                    LogoutRequest(uin=self.uin, seq=self._next_seq()),
                    timeout=self.timing.logout_timeout,
                )
        self.status = Status.OFFLINE
        await self._close_transport()
        self._set_state(ConnectionState.STOPPED, "logged out")

    async def close(self) -> None:
        """Log out if logged in, and close the store when the session opened it."""
        await self.logout()
        if self._own_store:
            self.store.close()

    # -- buddies and users ----------------------------------------------------------

    def cached_buddies(self) -> list[Buddy]:
        """The buddy list as last seen (no network), for an instant start."""
        return self.store.buddies()

    async def buddies(self, *, partial: Callable[[list[Buddy]], None] | None = None) -> list[Buddy]:
        """My whole buddy list with nicknames, faces and statuses (paged until the end).

        Buddies that are offline and not in the cache need one GetInfo each for their
        nickname; when there are such, ``partial`` first gets the whole list without
        those nicknames, so that a long list can show at once.
        """
        numbers = await self._buddy_numbers()
        online = {b.uin: b for b in await self.online_buddies()}
        cached = {b.uin: b for b in self.store.buddies()}
        missing = [u for u in numbers if not (online.get(u) or cached.get(u) or Buddy(u)).nick]
        if missing and partial is not None:
            partial(
                [
                    dataclasses.replace(
                        online.get(u) or cached.get(u) or Buddy(u),
                        status=online[u].status if u in online else Status.OFFLINE,
                    )
                    for u in numbers
                ]
            )
        profiles = await self._short_profiles(missing)
        result: list[Buddy] = []
        for uin in numbers:
            known = online.get(uin) or cached.get(uin) or Buddy(uin)
            profile = profiles.get(uin)
            nick = known.nick or (profile.nick if profile else "")
            face = known.face or (profile.face if profile else 0)
            status = online[uin].status if uin in online else Status.OFFLINE
            result.append(Buddy(uin, nick, face, status))
        self.store.save_buddies(result)
        return result

    async def online_buddies(self) -> list[Buddy]:
        """My buddies that others can see online (online or busy)."""
        found: dict[int, Buddy] = {}
        offset = 0
        while True:
            reply = await self._call(
                functools.partial(
                    OnlineBuddiesRequest, uin=self.uin, page_size=ONLINE_PAGE, offset=offset
                )
            )
            if not isinstance(reply, OnlinePage):
                break
            new = [b for b in reply.buddies if b.uin not in found]
            for b in new:
                found[b.uin] = Buddy(b.uin, b.nick, b.face, _status(int(b.status)))
            offset += len(reply.buddies)
            if reply.last or not new:
                break
        return list(found.values())

    async def profile(self, uin: int, level: int = 3) -> Profile:
        """A user's profile; level 0/1 is the nickname only, 2 the usual card, 3 everything."""
        reply = await self._call(
            lambda seq: ProfileRequest(uin=self.uin, seq=seq, target=uin, level=level),
            target=uin,
        )
        return _expect(reply, ProfileReply).profile

    async def search(
        self,
        age: int | None = None,
        sex: Sex | None = None,
        province: str | None = None,
        *,
        offset: int = 0,
        page_size: int = 20,
    ) -> SearchResults:
        """One page of searchable users matching every condition given."""
        reply = await self._call(
            lambda seq: SearchRequest(
                uin=self.uin,
                seq=seq,
                age=age or 0,
                sex=sex,
                province=province or "",
                page_size=page_size,
                offset=offset,
            )
        )
        page = _expect(reply, SearchPage)
        return SearchResults(results=list(page.results), last=page.last)

    async def add_buddy(self, uin: int) -> AuthMode:
        """Ask to add ``uin``; the answer is who the user lets add them.

        ANYONE: added already. VERIFY: send ``request_buddy``. NOBODY: refused
        (a legacy server's 2 reads as NOBODY).
        """
        reply = await self._call(
            lambda seq: AddBuddyRequest(uin=self.uin, seq=seq, target=uin), target=uin
        )
        code = _expect(reply, AddBuddyReply).auth
        mode = AuthMode.ANYONE if code == 0 else AuthMode.VERIFY if code == 1 else AuthMode.NOBODY
        if mode is AuthMode.ANYONE:
            self._remember_buddy(uin)
        return mode

    async def request_buddy(self, uin: int, reason: str) -> None:
        """Ask ``uin`` (who wants verification) to let me add them."""
        await self._answer(uin, AckCode.REQUEST, reason)

    async def approve(self, uin: int) -> None:
        """Let ``uin`` add me, answering their request."""
        await self._answer(uin, AckCode.APPROVE, "")
        self.store.remove_request(uin)

    async def refuse(self, uin: int, reason: str = "") -> None:
        """Refuse ``uin``'s request to add me."""
        await self._answer(uin, AckCode.REFUSE, reason)
        self.store.remove_request(uin)

    def add_requests(self) -> list[AddRequest]:
        """Requests to add me that I have not answered yet (kept across runs)."""
        return self.store.requests()

    async def remove_buddy(self, uin: int) -> None:
        await self._call(lambda seq: RemoveBuddyRequest(uin=self.uin, seq=seq, target=uin))
        self.store.remove_buddy(uin)

    async def set_status(self, status: Status) -> None:
        """Show me as online, busy, invisible or offline; kept after a reconnect."""
        status = Status(status)
        await self._call(lambda seq: ChangeStatusRequest(uin=self.uin, seq=seq, status=status))
        self.status = status
        self.store.set_last_status(status)

    # -- messages -------------------------------------------------------------------

    async def send_message(self, uin: int, text: str) -> OutgoingMessage:
        """Store ``text`` for ``uin`` as pending and queue it; returns its local id(s).

        A text longer than MAX_MESSAGE_CHARS becomes several messages. Each one
        turns sent only when the server accepts it, or failed after a few tries
        (``MessageStateChanged`` events; ``wait_delivered`` to await it).
        """
        if not text:
            raise ValueError("an empty message cannot be sent")
        try:
            ids = self.store.add_outgoing(uin, split_text(text), self.timing.wall())
        except STORAGE_ERRORS as exc:
            raise HistoryUnavailable(f"cannot keep the message to send: {exc}") from exc
        for local_id in ids:
            self._emit(MessageStateChanged(local_id, uin, DeliveryState.PENDING))
        self._queue(ids)
        self._note_activity()
        return OutgoingMessage(peer=uin, local_ids=tuple(ids))

    async def resend(self, local_id: int) -> int:
        """Send a failed message again (with the failed parts of its text); returns its id."""
        message = self.store.message(local_id)
        if message is None or not message.outgoing:
            raise KeyError(f"no outgoing message {local_id}")
        again = [m for m in self.store.chain_of(local_id) if m.state is DeliveryState.FAILED]
        for part in again:
            self.store.set_state(part.local_id, DeliveryState.PENDING)
            self._emit(MessageStateChanged(part.local_id, part.peer, DeliveryState.PENDING))
        self._queue(m.local_id for m in again)
        return local_id

    async def wait_delivered(self, local_id: int) -> DeliveryState:
        """Wait until an outgoing message is sent or failed; its final state."""
        message = self.store.message(local_id)
        if message is None:
            raise KeyError(f"no message {local_id}")
        if message.state is not DeliveryState.PENDING:
            return message.state
        future: asyncio.Future[DeliveryState] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(local_id, []).append(future)
        return await future

    def history(
        self, peer: int, before_id: int | None = None, limit: int = 50
    ) -> list[StoredMessage]:
        """A page of the conversation with ``peer``, newest first, older than ``before_id``."""
        return self.store.history(peer, before_id, limit)

    def count(self, peer: int | None = None) -> int:
        return self.store.count(peer)

    def search_history(self, text: str, peer: int | None = None) -> list[StoredMessage]:
        return self.store.search(text, peer)

    def set_active(self, active: bool) -> None:
        """A chat is open and focused: poll fast (short polling only)."""
        self._active = active
        if active:
            self._note_activity()

    # -- events -----------------------------------------------------------------------

    async def events(self) -> AsyncIterator[Event]:
        """The session's events, in order, until it stops.

        Events that came while nobody listened (say, offline messages fetched
        right after login) are given to the first listener.
        """
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        if not self._subscribers:
            while self._backlog:
                queue.put_nowait(self._backlog.popleft())
        self._subscribers.append(queue)
        try:
            while True:
                event = await queue.get()
                if event is None:
                    return
                yield event
        finally:
            self._subscribers.remove(queue)

    def _emit(self, event: Event) -> None:
        stopped = (
            isinstance(event, ConnectionStateChanged) and event.state is ConnectionState.STOPPED
        )
        if not self._subscribers:
            self._backlog.append(event)
            if stopped:
                self._backlog.append(None)
        for queue in self._subscribers:
            queue.put_nowait(event)
            if stopped:
                queue.put_nowait(None)

    def _set_state(
        self, state: ConnectionState, detail: str = "", trouble: Trouble = Trouble.NETWORK
    ) -> None:
        if state is self.state:
            return
        self.state = state
        log.info("%s: %s %s", self.uin, state.value, detail)
        self._emit(ConnectionStateChanged(state, detail, trouble))

    # -- talking to the server ------------------------------------------------------------

    def _next_seq(self) -> str:
        self._seq = self._seq + 1 if self._seq < 9_999_999 else 10_000
        return str(self._seq)

    async def _exchange(self, request: Request, timeout: float | None = None) -> Reply:
        """Send one request, read its reply. NULL raises RequestRefused."""
        if self._transport is None:
            self._transport = Transport(self.server_url, timeout=self.timing.request_timeout)
        recent = set(self._recent_seqs)
        self._recent_seqs.append(request.seq)

        def belongs(content: bytes) -> bool:
            try:
                reply = decode_reply(content)
            except ProtocolError:
                return True
            if reply is None:
                return True
            if _answers(reply) is not request.command:
                return False
            return reply.echo.seq == request.seq or reply.echo.seq not in recent

        content = await self._transport.post(
            encode_request(request), timeout=timeout, belongs=belongs
        )
        try:
            reply = decode_reply(content)
        except ProtocolError as exc:
            raise ServerUnavailable(f"unreadable reply: {exc}") from exc
        if reply is None:
            raise RequestRefused(f"the server answered NULL to {request.command.request_name}")
        if self.state is ConnectionState.RECONNECTING:
            # Any answer means the server is back; a held long poll must not delay saying so.
            self._set_state(ConnectionState.CONNECTED)
        return reply

    async def _call(
        self,
        make: Callable[..., Request],
        *,
        target: int | None = None,
        timeout: float | None = None,
        relogin: bool = True,
    ) -> Reply:
        """A request with the failure policy: RES=20 logs in again once and replays;
        RES=3 waits out the penalty and retries; RES=5 is NoSuchUser."""
        if not self._logged_in.is_set():
            raise SessionClosed("not logged in")
        replayed = not relogin
        waits = 0
        while True:
            generation = self._generation
            reply = await self._exchange(make(seq=self._next_seq()), timeout)
            if not isinstance(reply, ErrorReply):
                return reply
            if reply.result is Result.NOT_LOGGED_IN and not replayed:
                replayed = True
                await self._relogin(generation)
                continue
            if reply.result is Result.TOO_FREQUENT and waits < self.timing.penalty_retries:
                waits += 1
                log.info("%s: too frequent; waiting %.1f s", self.uin, self.timing.penalty)
                await asyncio.sleep(self.timing.penalty)
                continue
            raise _error(reply, target)

    async def _login_once(self) -> None:
        try:
            reply = await self._exchange(
                LoginRequest(uin=self.uin, seq=self._next_seq(), password_md5=self._password_md5)
            )
        except RequestRefused as exc:
            raise LoginFailed("the server refused the login request") from exc
        match reply:
            case LoginOk():
                self.keepalive = max(1, reply.keepalive)
                self.idle_timeout = max(1, reply.idle_timeout)
                self.long_poll = reply.long_poll if reply.long_poll else None
                self.nick = reply.nick or self.nick
                self.face = reply.face if reply.face is not None else self.face
                self._generation += 1
                self._extensions = True
            case LoginRefused(reason=reason):
                raise WrongPassword(reason)
            case ErrorReply(result=Result.NO_SUCH_NUMBER):
                raise NoSuchUser(self.uin)
            case ErrorReply(result=Result.TOO_FREQUENT):
                raise TooFrequent("too many login attempts; try again later")
            case _:
                raise LoginFailed(f"unexpected login reply {reply!r}")

    async def _relogin(self, generation: int) -> None:
        """Log in again (once, however many calls found the session gone)."""
        async with self._login_lock:
            if generation != self._generation:
                return
            now = self.timing.monotonic()
            while self._relogins and now - self._relogins[0] > self.timing.relogin_window:
                self._relogins.popleft()
            if len(self._relogins) >= self.timing.relogin_limit:
                raise LoginFailed("the account keeps being logged in elsewhere")
            self._relogins.append(now)
            log.info("%s: logging in again", self.uin)
            await self._login_once()
            if self.status is not Status.ONLINE and self.status is not Status.OFFLINE:
                status = self.status
                await self._call(
                    lambda seq: ChangeStatusRequest(uin=self.uin, seq=seq, status=status),
                    relogin=False,
                )

    async def _answer(self, uin: int, code: AckCode, reason: str) -> None:
        await self._call(
            lambda seq: AddBuddyAnswerRequest(
                uin=self.uin, seq=seq, target=uin, code=int(code), reason=reason
            ),
            target=uin,
        )

    async def _buddy_numbers(self) -> list[int]:
        numbers: dict[int, None] = {}
        offset = 0
        while True:
            reply = await self._call(
                functools.partial(
                    BuddyListRequest, uin=self.uin, page_size=BUDDY_PAGE, offset=offset
                )
            )
            if not isinstance(reply, BuddyPage):
                break
            new = [u for u in reply.uins if u and u not in numbers]
            numbers.update(dict.fromkeys(new))
            offset += len(reply.uins)
            # A server that ignores the offset would repeat a page forever.
            if reply.last or not new:
                break
        return list(numbers)

    async def _short_profiles(self, uins: list[int]) -> dict[int, Profile]:
        limit = asyncio.Semaphore(PROFILE_CONCURRENCY)

        async def one(uin: int) -> tuple[int, Profile | None]:
            async with limit:
                try:
                    return uin, await self.profile(uin, level=2)
                except (NoSuchUser, RequestRefused):
                    return uin, None

        found = await asyncio.gather(*(one(u) for u in uins))
        return {u: p for u, p in found if p is not None}

    def _remember_buddy(self, uin: int) -> None:
        if all(b.uin != uin for b in self.store.buddies()):
            self.store.put_buddy(Buddy(uin))

    # -- the poll loop ------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        failures = 0
        while True:
            try:
                if self._resumed.is_set() or self._gap_too_long():
                    self._resumed.clear()
                    log.info("%s: long gap or clock jump; checking the session", self.uin)
                    await self._relogin(self._generation)
                reply = await self._until_resumed(self._fetch())
            except _Resumed:
                continue
            except LoginFailed as exc:
                await self._give_up(str(exc))
                return
            except SessionClosed:
                return
            except RequestRefused:
                # A server that refuses the extension fields gets the legacy request.
                if self._extensions:
                    self._extensions = False
                    continue
                await self._pause(self._interval)
                continue
            except (ServerUnavailable, NotLoggedIn, TooFrequent) as exc:
                failures += 1
                self._set_state(ConnectionState.RECONNECTING, str(exc))
                await self._pause(self._backoff(failures))
                continue
            self._last_poll_wall = self.timing.wall()
            if self.state is not ConnectionState.CONNECTED:
                self._set_state(ConnectionState.CONNECTED)
            try:
                self._receive(reply)
            except HistoryUnavailable as exc:
                # What could not be kept stays on the server; try again after a pause.
                log.error("%s: %s", self.uin, exc)
                failures += 1
                self._set_state(ConnectionState.RECONNECTING, str(exc), Trouble.STORAGE)
                await self._pause(self._backoff(failures))
                continue
            failures = 0
            if self.long_poll is None:
                await self._pause(self._next_interval(bool(reply.messages)))

    async def _fetch(self) -> MessagesReply:
        wait = self._long_poll_wait()
        ack = self._ack if self._extensions else None
        request_wait = wait if self._extensions else None
        timeout = None if request_wait is None else request_wait + self.timing.long_poll_margin
        reply = await self._call(
            lambda seq: FetchMessagesRequest(uin=self.uin, seq=seq, wait=request_wait, ack=ack),
            timeout=timeout,
        )
        return _expect(reply, MessagesReply)

    def _backoff(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row: doubling, capped, jittered."""
        delay = min(self.timing.backoff_max, self.timing.backoff_first * 2.0 ** (failures - 1))
        return delay * self._random.uniform(0.5, 1.0)

    def _long_poll_wait(self) -> int | None:
        if self.long_poll is None:
            return None
        # Never hold the request so long that the server thinks we went away.
        return max(1, min(self.long_poll, self.idle_timeout // 2))

    def _gap_too_long(self) -> bool:
        return self.timing.wall() - self._last_poll_wall > self.idle_timeout

    def _next_interval(self, got_messages: bool) -> float:
        if got_messages or self._active:
            self._interval = self.timing.fast_poll
        else:
            self._interval = min(float(self.keepalive), self._interval * self.timing.slowdown)
        return self._interval

    def _note_activity(self) -> None:
        self._interval = self.timing.fast_poll
        self._activity.set()

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake early for activity or a resume after sleep."""
        self._activity.clear()
        waits = [
            asyncio.ensure_future(self._activity.wait()),
            asyncio.ensure_future(self._resumed.wait()),
        ]
        try:
            await asyncio.wait(waits, timeout=max(0.0, seconds))
        finally:
            for w in waits:
                w.cancel()

    async def _until_resumed(self, work: Awaitable[T]) -> T:
        """Run ``work``; abandon it with _Resumed when the watchdog sees a sleep."""
        task = asyncio.ensure_future(work)
        resumed = asyncio.ensure_future(self._resumed.wait())
        try:
            await asyncio.wait([task, resumed], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            resumed.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        raise _Resumed()

    async def _watchdog(self) -> None:
        wall, mono = self.timing.wall(), self.timing.monotonic()
        while True:
            await asyncio.sleep(self.timing.watchdog)
            now_wall, now_mono = self.timing.wall(), self.timing.monotonic()
            drift = (now_wall - wall) - (now_mono - mono)
            stalled = now_mono - mono > self.timing.watchdog + self.timing.clock_jump
            if abs(drift) > self.timing.clock_jump or stalled:
                log.info("%s: the machine slept (clock moved %.0f s)", self.uin, drift)
                self._resumed.set()
            wall, mono = now_wall, now_mono

    def _receive(self, reply: MessagesReply) -> None:
        """Keep and announce each message; acknowledge (AK) only what was kept.

        Raises HistoryUnavailable when the store cannot keep a message that the
        server holds until acknowledged: it and the ones after it are fetched again.
        """
        newest = 0
        for message in reply.messages:
            key = None if message.id is None else (message.id, message.time)
            if key is None or key not in self._seen:
                try:
                    self._dispatch(message)
                except STORAGE_ERRORS as exc:
                    if key is not None and self._extensions:
                        self._ack = newest
                        raise HistoryUnavailable(f"cannot keep received messages: {exc}") from exc
                    # A server without acknowledged delivery has dropped it already:
                    # show it at least, though it will be missing from the history.
                    log.error("%s: message from %s not kept: %s", self.uin, message.sender, exc)
                    self._dispatch(message, keep=False)
                except Exception:
                    log.exception("%s: could not handle %r", self.uin, message)
            if key is not None:
                newest = max(newest, key[0])
                self._seen[key] = None
                if len(self._seen) > 5000:
                    self._seen.popitem(last=False)
        self._ack = newest

    def _dispatch(self, message: Message, *, keep: bool = True) -> None:
        """Store (unless not ``keep``) and announce one received message."""
        kind, sender, text = message.kind, message.sender, message.text
        if kind == MessageType.TEXT:
            when = float(message.time) if message.time else self.timing.wall()
            if keep:
                local_id = self.store.add_incoming(
                    sender, text, when, server_id=message.id, server_time=message.time
                )
                if local_id is None:
                    return
            else:
                self._unsaved -= 1
                local_id = self._unsaved
            self._note_activity()
            self._emit(MessageReceived(sender, text, when, local_id))
        elif kind == MessageType.STATUS:
            try:
                status = Status(int(text.strip()))
            except ValueError:
                log.info("%s: odd status %r from %s", self.uin, text, sender)
                return
            try:
                self.store.set_buddy_status(sender, status)
            except STORAGE_ERRORS as exc:  # only the cached list's status: not worth a retry
                log.warning("%s: cannot cache the status of %s: %s", self.uin, sender, exc)
            self._emit(BuddyStatusChanged(sender, status))
        elif kind == MessageType.ADD_REQUEST:
            if keep:
                self.store.add_request(sender, text)
            self._emit(AddRequestReceived(sender, text))
        elif kind == MessageType.REQUEST_APPROVED:
            if keep:
                self._remember_buddy(sender)
            self._emit(RequestApproved(sender))
        elif kind == MessageType.REQUEST_REFUSED:
            self._emit(RequestRefusedEvent(sender, text))
        else:
            log.info("%s: unknown message type %r from %s", self.uin, kind, sender)

    async def _give_up(self, reason: str) -> None:
        self._logged_in.clear()
        self._set_state(ConnectionState.STOPPED, reason)
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()

    # -- the outbox ---------------------------------------------------------------------

    def _queue(self, ids: Iterable[int]) -> None:
        for local_id in ids:
            if local_id not in self._queued:
                self._queued.add(local_id)
                self._outbox.put_nowait(local_id)

    def _queue_pending(self, pending: list[StoredMessage]) -> None:
        self._queue(m.local_id for m in pending)

    async def _outbox_loop(self) -> None:
        while True:
            local_id = await self._outbox.get()
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

    async def _deliver(self, message: StoredMessage) -> DeliveryState:
        attempt = 0
        while attempt < self.timing.send_attempts:
            attempt += 1
            try:
                await self._call(
                    lambda seq: SendMessageRequest(
                        uin=self.uin, seq=seq, target=message.peer, text=message.text
                    ),
                    target=message.peer,
                )
                return DeliveryState.SENT
            except (NoSuchUser, RequestRefused, LoginFailed) as exc:
                log.info("%s: message %s failed: %s", self.uin, message.local_id, exc)
                return DeliveryState.FAILED
            except ServerBusy as exc:
                # Up but unable to keep it (its disk is full): it stays pending, not
                # failed, however long that lasts; the server said when to ask again.
                log.info("%s: message %s waits: %s", self.uin, message.local_id, exc)
                attempt -= 1
                await asyncio.sleep(min(exc.retry_after or INF, self.timing.backoff_max))
            except (ServerUnavailable, NotLoggedIn, TooFrequent) as exc:
                log.info("%s: message %s, try %d: %s", self.uin, message.local_id, attempt, exc)
                if attempt < self.timing.send_attempts:
                    await asyncio.sleep(self._backoff(attempt))
        return DeliveryState.FAILED

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
            log.error("%s: cannot store the state of %s: %s", self.uin, message.local_id, exc)
        self._emit(MessageStateChanged(message.local_id, message.peer, state))
        for future in self._waiters.pop(message.local_id, []):
            if not future.done():
                future.set_result(state)

    # -- closing --------------------------------------------------------------------------

    async def _stop_tasks(self) -> None:
        tasks, self._tasks = self._tasks, []
        current = asyncio.current_task()
        for task in tasks:
            if task is not current:
                task.cancel()
        for task in tasks:
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        # Messages not sent yet stay pending in the store for the next login.
        self._queued.clear()
        self._outbox = asyncio.Queue()
        for local_id, futures in list(self._waiters.items()):
            for future in futures:
                if not future.done():
                    future.set_result(DeliveryState.PENDING)
            del self._waiters[local_id]

    async def _close_transport(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()


def _answers(reply: Reply) -> Command:
    """The command a decoded reply answers."""
    if isinstance(reply, ErrorReply | Done):
        return reply.command
    return _REPLY_COMMANDS[type(reply)]


_REPLY_COMMANDS: dict[type[Reply], Command] = {
    LoginOk: Command.LOGIN,
    LoginRefused: Command.LOGIN,
    BuddyCount: Command.LIST,
    BuddyPage: Command.LIST,
    OnlineCount: Command.QUERY_STAT,
    OnlinePage: Command.QUERY_STAT,
    ProfileReply: Command.GET_INFO,
    AddBuddyReply: Command.ADD_TO_LIST,
    MessagesReply: Command.GET_MSG_EX,
    SearchPage: Command.FINGER,
}


def _expect(reply: Reply, kind: type[R]) -> R:
    if not isinstance(reply, kind):
        raise ServerUnavailable(f"expected {kind.__name__}, got {type(reply).__name__}")
    return reply


def _error(reply: ErrorReply, target: int | None) -> QQError:
    if reply.result is Result.NO_SUCH_NUMBER:
        return NoSuchUser(target or 0)
    if reply.result is Result.TOO_FREQUENT:
        return TooFrequent("the server says: too frequent, try later")
    return NotLoggedIn("the server does not know this session")


def _status(value: int) -> Status:
    try:
        return Status(value)
    except ValueError:
        return Status.OFFLINE
