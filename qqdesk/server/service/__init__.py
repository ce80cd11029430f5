"""The server's rules, once for every protocol family: sessions, presence, contacts,
rooms, messaging and limits. No wire format here: core values in, core values out."""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import ctypes
import functools
import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from qqdesk.core import Conversation, Presence, Profile

from ..admin import Admin
from ..bus import Bus, LocalBus, WakeUp
from ..bus.wakeup import LimitEvent
from ..store import (
    SCRYPT_N,
    Account,
    MessageKind,
    Store,
    StoreError,
    check_password,
    hash_password,
)
from ..store.interface import (
    SessionRecord,
    SharedSessions,
    SharedWebSessions,
    WebSessionRecord,
)
from .contacts import MAX_REASON, MAX_SEARCH_PAGE, Contacts
from .limits import RATE_LIMIT, Action, Limits
from .messaging import MAX_COPIES, MAX_FROM_STRANGERS, MAX_PER_ANSWER, Entry, Messaging
from .presence import PresenceHub
from .rooms import MAX_CARD, MAX_ROOM_NAME, Rooms
from .sessions import (
    ClientGone,
    Family,
    Refusal,
    Refused,
    Session,
    StatusChange,
    WebLoginNotice,
    WebOptions,
    options_from_json,
    options_json,
)

log = logging.getLogger(__name__)

#: QR sign-in codes remembered as told (pending ones live two minutes; see
#: _tell_web_logins).
MAX_TOLD_CODES = 10_000
#: Threads that check passwords (scrypt): a burst of logins waits for these two and
#: leaves the loop's default pool to everything else.
PASSWORD_THREADS = 2
#: How much lower than the rest of the server the password threads run (niceness).
PASSWORD_NICENESS = 10
#: Logins past the first reads at once: one hashing and one ready per thread.
PASSWORD_GATE = 2 * PASSWORD_THREADS


#: Allocations at least this big get memory of their own from the system, given back
#: when freed (glibc's M_MMAP_THRESHOLD): see _give_back_scrypt_memory.
MMAP_THRESHOLD = 4 * 1024 * 1024
_M_MMAP_THRESHOLD = -3


def _yield_to_the_loop() -> None:
    """Lower this password thread's CPU priority below the event loop's, and see that
    its scrypt memory goes back to the system.

    During a burst of logins the scrypt threads would otherwise take the cores from
    the loop, and every other user's requests would wait: this way the logins slow
    down instead. Linux sets priority per thread; elsewhere nothing changes.
    """
    if sys.platform.startswith("linux"):
        tid = threading.get_native_id()
        with contextlib.suppress(OSError):  # (already at the lowest priority)
            niceness = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(19, niceness + PASSWORD_NICENESS))
    _give_back_scrypt_memory()


@functools.cache
def _give_back_scrypt_memory() -> bool:
    """Each scrypt check takes 16 MiB (N=16384, r=8). glibc raises its mmap threshold
    after the first such block is freed, so later ones come from the thread's arena
    and stay there: each password thread kept 16 MiB for good (32 MiB in all; the
    app's built-in server too). A fixed threshold keeps every block that big in an
    mmap of its own, unmapped when freed. Python's own small objects are unaffected
    (its allocator takes 1 MiB arenas). Whether it was set (glibc only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


class Service:
    """Sessions and the rooms that work on them.

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
        rate_limit: int = RATE_LIMIT,
        max_from_strangers: int = MAX_FROM_STRANGERS,
        bus: Bus | None = None,
    ) -> None:
        self.store = store
        #: Wake-ups from the other nodes on the store (none on the in-process bus).
        self.bus: Bus = bus or LocalBus()
        #: Classic sessions every node sees (a shared store), or None (one node).
        self.shared: SharedSessions | None = store if isinstance(store, SharedSessions) else None
        #: Web sign-ins and sessions every node sees (a shared store), or None (one node).
        self.shared_web: SharedWebSessions | None = (
            store if isinstance(store, SharedWebSessions) else None
        )
        self._node = str(getattr(store, "node", ""))
        self._background: set[asyncio.Future[None]] = set()
        self.idle_timeout = idle_timeout
        self.keepalive = keepalive
        self.long_poll = long_poll
        self.strict_sessions = strict_sessions
        self.clock = clock
        #: Classic sessions by number.
        self.sessions: dict[int, Session] = {}
        #: Web (Smart QQ) sessions by number: at most one per account, beside the classic one.
        self.web_sessions: dict[int, Session] = {}
        self.limits = Limits(clock, rate_limit=rate_limit)
        #: The last news of the limits' counts sent to the other nodes (see _tell_limits).
        self._limits_told: asyncio.Future[None] | None = None
        if self.shared is not None:
            self.limits.tell = self._tell_limits
        self.presence = PresenceHub(store, self.sessions, self.web_sessions)
        self.presence.bus = self.bus
        self.messaging = Messaging(
            store, self.presence, self.limits, clock, long_poll, max_from_strangers
        )
        self.contacts = Contacts(store, self.sessions, self.presence, self.messaging, self.limits)
        self.rooms = Rooms(store)
        self.admin = Admin(store, watcher=self, scrypt_n=scrypt_n, rooms=self.rooms)
        self._waking: set[asyncio.Task[None]] = set()
        #: QR sign-ins this node's web sessions were told of (see web_login_waits).
        self._told_codes: set[str] = set()
        self._hashing = concurrent.futures.ThreadPoolExecutor(
            PASSWORD_THREADS, thread_name_prefix="qqdesk-password", initializer=_yield_to_the_loop
        )
        #: Password checks under way or next in line (see authenticate).
        self._checking = asyncio.Semaphore(PASSWORD_GATE)

    # ------------------------------------------------------------------ sessions

    async def authenticate(
        self,
        uin: int,
        password_md5: str,
        ip: str,
        abandoned: asyncio.Future[None] | None = None,
    ) -> Account:
        """``uin``'s account if ``password_md5`` is its password (throttled as Login).

        ``abandoned`` done (the client closed its connection) while the check still
        waits for a password thread: ClientGone, and the password is never hashed.
        After a burst, logins nobody waits for would otherwise keep both threads busy
        for minutes, and every new login would queue behind them."""
        if self.limits.login_blocked(uin, ip):
            raise Refused(Refusal.TOO_FREQUENT)
        # A burst of logins waits here, before its reads: the loop does each one's
        # share (the reads, the hand-off to a thread) as a password thread comes
        # free, not a thousand at once when the burst arrives, which held every
        # other request up for most of a second.
        async with self._checking:
            if abandoned is not None and abandoned.done():
                raise ClientGone()
            return await self._check_password(uin, password_md5, ip, abandoned)

    async def _check_password(
        self, uin: int, password_md5: str, ip: str, abandoned: asyncio.Future[None] | None
    ) -> Account:
        account = await self.store.account(uin)
        stored = await self.store.password_hash(uin) if account else None
        if account is None or stored is None:
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        # Looked at again and counted with no await between: attempts in flight count.
        if self.limits.login_blocked(uin, ip):
            raise Refused(Refusal.TOO_FREQUENT)
        ticket = self.limits.login_started(uin, ip)
        # scrypt is slow on purpose: on threads of its own (not the loop, and not the
        # default pool, which a burst of logins would otherwise take whole)
        loop = asyncio.get_running_loop()
        checked = loop.run_in_executor(self._hashing, check_password, password_md5, stored)
        if abandoned is not None:
            either: list[asyncio.Future[Any]] = [checked, abandoned]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            # (cancelling stops a check still queued; one already hashing ends unread)
            if not checked.done() and checked.cancel():
                self.limits.login_abandoned(ticket)
                raise ClientGone()
        if not await checked:
            self.limits.login_failed(uin, ip)
            # (the other nodes count it before the guesser hears the answer; a wrong
            # password can wait for that, a right one need not)
            await self._limits_heard()
            raise Refused(Refusal.WRONG_PASSWORD)
        self.limits.login_succeeded(uin, ip, ticket)
        return account

    def _tell_limits(self, event: LimitEvent) -> None:
        """A change of the limits' counts goes to the other nodes with the next commit's
        NOTIFY (a shared store): every node counts what every node saw."""
        assert self.shared is not None
        told = asyncio.ensure_future(self.shared.tell(WakeUp(limits=(event,))))
        self._limits_told = told
        self._later(told)

    async def _limits_heard(self) -> None:
        """Wait (a few seconds at most) until the news of the limits' counts is sent."""
        told = self._limits_told
        if told is not None and not told.done():
            with contextlib.suppress(StoreError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(told), 5.0)

    async def login(
        self,
        uin: int,
        password_md5: str,
        ip: str,
        abandoned: asyncio.Future[None] | None = None,
    ) -> Session:
        """Sign ``uin`` in from ``ip`` (replacing a classic session from anywhere else;
        a web session of the account stays); ``abandoned``: see authenticate."""
        account = await self.authenticate(uin, password_md5, ip, abandoned)
        buddies = await self.store.buddies(uin)
        # From here on nothing waits: the session, its audience and the news go together.
        # (Presence changes meant for an earlier session are stale: they go with it.)
        before = self.presence.visible(uin)
        old = self.sessions.pop(uin, None)
        if old is not None:
            old.ended = True
            old.wakeup.set()
            self.presence.unwatch(old)
        session = Session(
            uin=uin,
            ip=ip,
            token=secrets.token_urlsafe(24),
            last_seen=self.clock(),
            nick=account.profile.nick,
            face=account.profile.face,
        )
        self.sessions[uin] = session
        self._reader_here(uin)
        self.presence.watch(session, buddies)
        self._arrived(session, Presence.ONLINE, before)
        if self.shared is not None:
            # (awaited: the client's next request may land on any node)
            record = SessionRecord(uin, ip, session.token, session.presence.value, self._node)
            try:
                await self.shared.keep_session(record)
            except StoreError as exc:
                log.warning("session of %d not shared with other nodes: %s", uin, exc)
        return session

    async def adopt(self, uin: int, ip: str, token: str | None) -> None:
        """Take up ``uin``'s classic session from the shared store when another node signed
        it in and the caller is its client (same address, and token when strict)."""
        if self.shared is None or uin in self.sessions:
            return
        try:
            record = await self.shared.find_session(uin)
            if record is None or record.ip != ip:
                return
            if self.strict_sessions and token != record.token:
                return
            account = await self.store.account(uin)
            buddies = await self.store.buddies(uin)
        except StoreError as exc:
            log.warning("cannot look up the session of %d: %s", uin, exc)
            return
        if account is None or uin in self.sessions:
            return
        session = Session(
            uin=uin,
            ip=ip,
            token=record.token,
            last_seen=self.clock(),
            presence=Presence(record.presence),
            nick=account.profile.nick,
            face=account.profile.face,
            home=False,
        )
        self.sessions[uin] = session
        self._reader_here(uin)
        self.presence.elsewhere.pop(uin, None)
        self.presence.watch(session, buddies)
        await self._claim(session)

    async def _claim(self, session: Session) -> None:
        """Hold a copy of a classic session here from now on (its client talks here):
        this node ends it when it goes idle, as the node that signed it in would
        (which keeps a copy, see _look_elsewhere: a client whose requests are spread
        over nodes costs no take-up per request)."""
        assert self.shared is not None
        session.settled = self.clock()
        try:
            held = await self.shared.claim_session(session.uin, session.token, self._node)
        except StoreError as exc:
            log.warning("cannot tell other nodes of the session of %d: %s", session.uin, exc)
            return  # (a copy still: the next sweep tries again)
        if held:
            session.home = True
        else:  # it ended (or was replaced) while this node took it up
            self._forget(session)

    async def web_login(
        self,
        uin: int,
        ip: str,
        options: WebOptions,
        presence: Presence = Presence.ONLINE,
        ticket: str = "",
    ) -> Session:
        """A web session for ``uin`` (already authenticated by the front-end); a
        previous web session is replaced (kicked), a classic one stays. ``ticket`` is
        the front-end's name for the sign-in (kept with the session on a shared store,
        for the node that takes it up)."""
        account = await self.store.account(uin)
        if account is None:
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        buddies = await self.store.buddies(uin)
        # room messages from now on (or from ``since``): a fresh id is above every one
        # (read before the replacement below, which must not wait: a poll of the old
        # session would find none in between)
        start = await self.store.room_cursor_now() if options.since is None else options.since
        before = self.presence.visible(uin)
        old = self.web_sessions.pop(uin, None)
        if old is not None:
            old.ended = old.kicked = True
            old.wakeup.set()
            self.presence.unwatch(old)
        session = Session(
            uin=uin,
            ip=ip,
            token=secrets.token_hex(32),
            last_seen=self.clock(),
            nick=account.profile.nick,
            face=account.profile.face,
            family=Family.WEB,
            options=options,
            acks=options.ack,
            room_cursor=start,
        )
        self.web_sessions[uin] = session
        self.presence.watch(session, buddies)
        self._arrived(session, presence, before)
        if self.shared_web is not None:
            # (awaited: the client's next request may land on any node)
            record = WebSessionRecord(
                token=session.token,
                uin=uin,
                ip=ip,
                ticket=ticket,
                options=options_json(options),
                floor=session.floor,
                room_cursor=session.room_cursor,
                presence=session.presence.value,
                kicked=False,
                node=self._node,
            )
            session.shared_state = (session.floor, session.room_cursor, session.presence.value)
            try:
                await self.shared_web.keep_web_session(record)
            except StoreError as exc:
                log.warning("web session of %d not shared with other nodes: %s", uin, exc)
            await self._find_reader(session)
        return session

    async def take_up_web(
        self, *, token: str = "", uin: int | None = None
    ) -> WebSessionRecord | None:
        """Take up a web session another node signed in (by psessionid, or ``uin``'s live
        one) from the shared store, when a request for it lands here; its record (a
        kicked one is not taken up), or None when the store has none. The node that
        held it lets go (see _look_web)."""
        if self.shared_web is None:
            return None
        try:
            record = await self.shared_web.find_web_session(token=token, uin=uin)
            if record is None or record.kicked:
                return record
            account = await self.store.account(record.uin)
            buddies = await self.store.buddies(record.uin)
        except StoreError as exc:
            log.warning("cannot look up a web session: %s", exc)
            return None
        if account is None:
            return None
        current = self.web_sessions.get(record.uin)
        if current is not None and current.token == record.token:
            return record  # (taken up meanwhile by another request here)
        if current is not None:
            self._let_go_web(current, kicked=True)  # (replaced elsewhere; not heard yet)
        options = options_from_json(record.options)
        session = Session(
            uin=record.uin,
            ip=record.ip,
            token=record.token,
            last_seen=self.clock(),
            presence=Presence(record.presence),
            nick=account.profile.nick,
            face=account.profile.face,
            family=Family.WEB,
            options=options,
            acks=options.ack,
            floor=record.floor,
            room_cursor=record.room_cursor,
            # (a historical client polling here got what its last answer there gave:
            # its next poll takes that as received, as on the node that gave it)
            unacked=0 if options.ack else record.floor,
            home=False,
            shared_state=(record.floor, record.room_cursor, record.presence),
        )
        self.web_sessions[record.uin] = session
        self.presence.elsewhere.pop(record.uin, None)
        self.presence.watch(session, buddies)
        try:
            held = await self.shared_web.claim_web_session(record.token, self._node)
        except StoreError as exc:
            log.warning("cannot tell other nodes of the web session of %d: %s", record.uin, exc)
            held = True  # (the store is away: serve it here; the next request tries again)
        if not held:  # it ended (or was replaced) while this node took it up
            self._let_go_web(session)
            return await self.take_up_web(token=token, uin=uin) if token else None
        await self._find_reader(session)
        return record

    async def share_web_state(self, session: Session) -> None:
        """Write how far a web session has read (and its presence) to the shared store,
        when changed: a node taking it up goes on from there (awaited before the
        answer that moved it, since the client's next poll may land on any node)."""
        if self.shared_web is None or session.ended:
            return
        state = (session.floor, session.room_cursor, session.presence.value)
        if state == session.shared_state:
            return
        try:
            await self.shared_web.update_web_session(session.token, *state)
        except StoreError as exc:
            log.debug("web session of %d: progress not shared: %s", session.uin, exc)
            return
        session.shared_state = state

    def _let_go_web(self, session: Session, *, kicked: bool = False, moved: bool = False) -> None:
        """Drop this node's copy of a web session that was replaced (``kicked``), taken
        up (``moved``) or ended on another node: no news, no store."""
        if self.web_sessions.get(session.uin) is session:
            del self.web_sessions[session.uin]
            self.presence.unwatch(session)
            if moved and session.uin not in self.sessions:
                shown = session.presence.visible
                if shown is not Presence.OFFLINE:
                    self.presence.elsewhere[session.uin] = shown
        session.kicked = session.kicked or kicked
        session.moved = moved
        session.ended = True
        session.wakeup.set()

    def _arrived(self, session: Session, presence: Presence, before: Presence) -> None:
        """A new session of an account: the account's presence is ``presence`` now."""
        for each in self.presence.live(session.uin):
            each.presence = presence
        if presence.visible != before:
            self.presence.announce(session.uin, presence.visible)
        # the other session may read the inbox no more, or have to now
        for each in self.presence.live(session.uin):
            each.wakeup.set()

    async def end_web(self, session: Session) -> None:
        """A web session signs out (logout2, ptlogin2 logout)."""
        if not session.acks and session.unacked and self.messaging.reads_inbox(session):
            await self.messaging.web_delivered(session)  # signing out says the last answer came
        if self.shared_web is None or session.kicked:
            self._end(session)
            return
        # (awaited: the client's next request may land on another node, which must find
        # it ended)
        dropped = self.shared_web.drop_web_session(session.token)
        self._end(session, shared=False)
        try:
            await dropped
        except StoreError as exc:
            log.warning("the sign-out of %d not shared with other nodes: %s", session.uin, exc)

    def signed_in(self, uin: int) -> bool:
        return uin in self.sessions

    async def is_account(self, uin: int) -> bool:
        return await self.store.is_account(uin)

    def session(self, uin: int, ip: str, token: str | None) -> Session | None:
        """The caller's live session, touched; None when not signed in from there.

        With ``strict_sessions`` the session's token (a cookie) must come along too.
        """
        session = self.sessions.get(uin)
        if session is None or session.ip != ip:
            return None
        if self.strict_sessions and token != session.token:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle_timeout:
            self._end(session, expired=True)
            return None
        session.last_seen = now
        return session

    def logout(self, uin: int, ip: str, token: str | None) -> None:
        """End ``uin``'s session, if it is the caller's own (same address; the token
        too, or any when sessions are not strict)."""
        session = self.sessions.get(uin)
        own = session is not None and session.ip == ip
        if session is not None and own and (token == session.token or not self.strict_sessions):
            if not session.acks:
                self.messaging.delivered(session)  # signing out says the last answer came
            self._end(session)

    def set_presence(self, session: Session, presence: Presence) -> None:
        self.presence.set(session, presence)
        if self.shared is not None and not session.is_web:
            self._later(self.shared.session_presence(session.uin, session.token, presence.value))

    def _later(self, write: Awaitable[None]) -> None:
        """A write nobody waits for (its failure is logged by the store)."""
        future = asyncio.ensure_future(write)
        self._background.add(future)
        future.add_done_callback(self._written)

    def _written(self, future: asyncio.Future[None]) -> None:
        self._background.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.debug("a shared session write failed: %s", future.exception())

    def _forget(self, session: Session) -> None:
        """Let go of a copy of a session that lives on (elsewhere): no news, no store."""
        if self.sessions.get(session.uin) is session:
            del self.sessions[session.uin]
            self.presence.unwatch(session)
        session.ended = True
        session.wakeup.set()

    def _end(self, session: Session, *, expired: bool = False, shared: bool = True) -> None:
        """End a session; buddies see the user go offline when no session is left."""
        if self.shared is not None and not session.is_web:
            if expired and not session.home:
                self._forget(session)  # (idle here; its client may be talking elsewhere)
                return
            if self.sessions.get(session.uin) is session:
                self._later(self.shared.drop_session(session.uin, session.token))
        if self.shared_web is not None and session.is_web and not session.kicked and shared:
            # (expired: only if this node still holds it; a client gone quiet here may
            # be talking to another node)
            node = self._node if expired else None
            self._later(self.shared_web.drop_web_session(session.token, node))
        sessions = self.web_sessions if session.is_web else self.sessions
        if sessions.get(session.uin) is session:
            del sessions[session.uin]
            self.presence.unwatch(session)
        was_visible = session.presence.visible != Presence.OFFLINE
        self.presence.elsewhere.pop(session.uin, None)
        session.ended = True
        session.wakeup.set()
        if expired:
            log.info(
                "%s session of %d from %s expired", session.family.value, session.uin, session.ip
            )
        others = self.presence.live(session.uin)
        for other in others:
            other.wakeup.set()  # (a web session may be the inbox's reader now)
        if was_visible and not others:
            self.presence.announce(session.uin, Presence.OFFLINE)

    def expire_idle(self) -> int:
        """End every session silent for longer than the idle timeout; how many ended."""
        now = self.clock()
        stale = [
            s
            for s in [*self.sessions.values(), *self.web_sessions.values()]
            if now - s.last_seen > self.idle_timeout and not s.polls
        ]
        for session in stale:
            self._end(session, expired=True)
        if self.shared is not None:
            for session in list(self.sessions.values()):
                # a copy whose client talked here since another node took it up: that
                # node may hear nothing more, so this one holds it (a client spread over
                # nodes makes a claim per sweep, not per request)
                if not session.home and session.last_seen > session.settled:
                    self._later(self._claim(session))
        self.limits.prune()
        return len(stale)

    def close(self) -> None:
        """Wake every waiting long poll so that it answers now."""
        self.messaging.close()

    # ------------------------------------------------------------------ other nodes

    def woken(self, wake: WakeUp) -> None:
        """Another node committed something (or lost track: ``everyone``): the polls held
        here for those accounts and rooms look again; presence news is handed on."""
        if wake.limits:
            # (first: a message counted there comes with the wake-up of its recipient)
            self.limits.heard(wake.limits)
        for uin in wake.sessions:
            # signed in or out on another node: a copy here is stale (taken up again
            # from the store if its client comes back here)
            # signed in, out or taken up on another node: a copy here is stale, or no
            # longer the one that ends it (read from the store)
            self._later(self._look_elsewhere(uin))
            web = self.web_sessions.get(uin)
            if web is not None:
                self._later(self._find_reader(web))
        for uin in wake.web:
            self._later(self._look_web(uin))
        for uin in wake.profiles:
            self._later(self._reload_profile(uin))
        if wake.web_logins:
            self._later(self._tell_web_logins())
        if wake.everyone:
            for session in self.presence.all_sessions():
                session.wakeup.set()
            for uin, web in list(self.web_sessions.items()):
                self._later(self._look_web(uin))  # (a web session moved meanwhile?)
                self._later(self._find_reader(web))
            if self.shared is not None:
                self._later(self.load_elsewhere())
        for uin in wake.accounts:
            for session in self.presence.live(uin):
                session.wakeup.set()
                if session.reader_elsewhere:
                    self._later(self._copy_elsewhere(session))
        for uin, presence in wake.presence:
            # a copy of the account's session here follows (shown offline while signed
            # in: hidden; a sign-out elsewhere comes as ``sessions`` and ends the copy)
            chosen = Presence.HIDDEN if presence is Presence.OFFLINE else presence
            for session in self.presence.live(uin):
                session.presence = chosen
            self.presence.announce(uin, presence, here_only=True)
        if wake.rooms and not wake.everyone and self.web_sessions:
            task = asyncio.get_running_loop().create_task(self._wake_rooms(wake.rooms))
            self._waking.add(task)
            task.add_done_callback(self._waking.discard)

    async def load_elsewhere(self) -> None:
        """Who is signed in on other nodes, from the shared store (at start, and after
        the bus lost its connection: news may have been missed)."""
        if self.shared is None:
            return
        try:
            online = await self.shared.online()
        except StoreError as exc:
            log.warning("cannot read who is online elsewhere: %s", exc)
            return
        self.presence.elsewhere = {
            uin: Presence(value).visible
            for uin, value in online.items()
            if Presence(value).visible is not Presence.OFFLINE and uin not in self.sessions
        }

    async def _look_elsewhere(self, uin: int) -> None:
        """``uin``'s session changed on another node: a copy here is forgotten when it was
        signed out or replaced there (taken up again from the store if its client comes
        back here), or no longer held here when taken up there; what it shows now."""
        if self.shared is None:
            return
        try:
            record = await self.shared.find_session(uin)
        except StoreError:
            return
        local = self.sessions.get(uin)
        if local is not None:
            if record is not None and record.token == local.token:
                # (taken up there: that node ends it when it goes idle; this copy serves
                # its client here still, and is only forgotten when idle here)
                here = record.node == self._node
                if local.home and not here:
                    local.settled = self.clock()
                local.home = here
                return
            self._forget(local)
        if uin in self.sessions or uin in self.web_sessions:
            return
        shown = Presence.OFFLINE if record is None else Presence(record.presence).visible
        if shown is Presence.OFFLINE:
            self.presence.elsewhere.pop(uin, None)
        else:
            self.presence.elsewhere[uin] = shown

    async def _look_web(self, uin: int) -> None:
        """``uin``'s web session was signed in, taken up or ended on another node: a copy
        here lets go unless the store says this node still holds it."""
        local = self.web_sessions.get(uin)
        if local is None or self.shared_web is None:
            return
        try:
            record = await self.shared_web.find_web_session(uin=uin)
        except StoreError:
            return
        if self.web_sessions.get(uin) is not local:
            return
        if record is None:
            self._let_go_web(local)  # signed out (or expired) there
        elif record.token != local.token:
            self._let_go_web(local, kicked=True)  # replaced there
        elif record.node != self._node:
            self._let_go_web(local, moved=True)  # its client talks to that node now

    def _reader_here(self, uin: int) -> None:
        """``uin``'s classic session is this node's now: it reads the inbox here (and
        copies of what is queued go to the web session here at commit)."""
        web = self.web_sessions.get(uin)
        if web is not None:
            web.reader_elsewhere = False

    async def _find_reader(self, session: Session) -> None:
        """Whether another node holds the classic session of ``session``'s account (a web
        session here): then that one reads the inbox, and this one gets copies."""
        if self.shared is None:
            return
        try:
            # (from this id on, copies; read first: nothing committed meanwhile is missed)
            start = await self.store.room_cursor_now() if not session.reader_elsewhere else 0
            record = await self.shared.find_session(session.uin)
        except StoreError as exc:
            log.debug("cannot look up the classic session of %d: %s", session.uin, exc)
            return
        if session.ended or session.uin in self.sessions:
            return
        elsewhere = record is not None and record.node != self._node
        if elsewhere and not session.reader_elsewhere:
            session.copied = max(session.copied, start)
        if elsewhere != session.reader_elsewhere:
            session.reader_elsewhere = elsewhere
            session.wakeup.set()

    async def _copy_elsewhere(self, session: Session) -> None:
        """Another node queued messages for ``session``'s account, whose classic session
        another node holds: copies of them, read from the store (a message that session
        took and acknowledged before this read is missed: see docs/scaling.md)."""
        try:
            queued = await self.store.queued(session.uin, MAX_COPIES, after=session.copied)
        except StoreError as exc:
            log.debug("no copies for the web session of %d: %s", session.uin, exc)
            return
        have = {copy.id for copy in session.copies}
        added = False
        for message in queued:
            if message.id <= session.copied:
                continue  # (copied by a read that finished first)
            session.copied = message.id
            if message.kind is MessageKind.TEXT and message.id not in have | {0}:
                if message.id <= session.floor:
                    continue  # (given already, as this node's own copy)
                session.copies.append(message)
                added = True
        if added:
            # (copies of this node's own commits may have come first: in id order)
            ordered = sorted(session.copies, key=lambda copy: copy.id)[-MAX_COPIES:]
            session.copies = collections.deque(ordered)
            session.wakeup.set()

    def web_login_waits(self, code: str, created: int) -> None:
        """A QR sign-in waits for approval: the web sessions that opted in hear of it,
        here and on the other nodes (which read it from the store)."""
        if len(self._told_codes) >= MAX_TOLD_CODES:
            self._told_codes.clear()  # (pending ones live two minutes: long expired)
        self._told_codes.add(code)
        self.messaging.notify_web_login(code, created, list(self.web_sessions.values()))
        self.bus.publish(WakeUp(web_logins=True))

    async def _tell_web_logins(self) -> None:
        """QR sign-ins were started on another node: tell this node's web sessions of
        the pending ones not told here yet."""
        if not any(s.wants("web_login") for s in self.web_sessions.values()):
            return
        try:
            pending = await self.store.web_logins()
        except StoreError:
            return
        if len(self._told_codes) > MAX_TOLD_CODES:
            self._told_codes = {row.code for row in pending}  # (the rest expired)
        for row in pending:
            if row.code not in self._told_codes:
                self._told_codes.add(row.code)
                self.messaging.notify_web_login(
                    row.code, row.created, list(self.web_sessions.values())
                )

    async def _wake_rooms(self, rooms: Collection[Conversation]) -> None:
        """The web sessions here of the members of ``rooms`` look again."""
        try:
            for room in rooms:
                for member in await self.store.members(room):
                    session = self.web_sessions.get(member.uin)
                    if session is not None:
                        session.wakeup.set()
        except StoreError:
            # (the store is away: every web poll looks again rather than miss one)
            for session in self.web_sessions.values():
                session.wakeup.set()

    # ------------------------------------------------------------------ own account

    async def set_own_profile(self, session: Session, changes: dict[str, str | int]) -> Profile:
        """Change ``session``'s own profile fields (checked by the front-end's codec);
        the whole profile afterwards. Buddies see a new nickname and face in their next
        Query_Stat, GetInfo or web friend list. Rate-limited as everything stored is."""
        if not self.limits.may_send(session.uin, Action.SET_PROFILE):
            raise Refused(Refusal.TOO_FREQUENT)
        if not await self.store.update_account(session.uin, dict(changes)):
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        self.limits.sent(session.uin, Action.SET_PROFILE)
        account = await self.store.account(session.uin)
        if account is None:
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        self.profile_changed(account.profile)
        return account.profile

    async def change_password(self, session: Session, old_md5: str, new_md5: str, ip: str) -> None:
        """Replace ``session``'s password when ``old_md5`` is the current one (checked and
        throttled as Login: a wrong one counts toward the throttle, Refused WRONG_PASSWORD
        or TOO_FREQUENT). Every session of the account goes on (docs/protocol.md 4.15)."""
        if not self.limits.may_send(session.uin, Action.SET_PASSWORD):
            raise Refused(Refusal.TOO_FREQUENT)
        await self.authenticate(session.uin, old_md5, ip)
        self.limits.sent(session.uin, Action.SET_PASSWORD)
        hashing = functools.partial(hash_password, new_md5, n=self.admin.scrypt_n)
        stored = await asyncio.get_running_loop().run_in_executor(self._hashing, hashing)
        if not await self.store.set_password_hash(session.uin, stored):
            raise Refused(Refusal.NO_SUCH_ACCOUNT)

    def shut_down(self) -> None:
        """Let the password threads go (after close(), once requests are answered)."""
        self._hashing.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ administration

    def buddy_added(self, owner: int, buddy: int) -> None:
        self.presence.buddy_added(owner, buddy)

    def buddy_removed(self, owner: int, buddy: int) -> None:
        self.presence.buddy_removed(owner, buddy)

    def profile_changed(self, profile: Profile) -> None:
        """``profile`` changed here: the live sessions of its account show it, here and
        on the other nodes (told by the bus: news, as presence is)."""
        self._profile_here(profile)
        self.bus.publish(WakeUp(profiles=frozenset({profile.uin})))

    def _profile_here(self, profile: Profile) -> None:
        for session in self.presence.live(profile.uin):
            session.nick, session.face = profile.nick, profile.face

    async def _reload_profile(self, uin: int) -> None:
        """``uin``'s profile changed on another node: read it (its sessions here show it)."""
        if not self.presence.live(uin):
            return
        try:
            account = await self.store.account(uin)
        except StoreError:
            return
        if account is not None:
            self._profile_here(account.profile)


__all__ = [
    "MAX_CARD",
    "MAX_FROM_STRANGERS",
    "MAX_PER_ANSWER",
    "MAX_REASON",
    "MAX_ROOM_NAME",
    "MAX_SEARCH_PAGE",
    "Action",
    "ClientGone",
    "Entry",
    "Family",
    "Refusal",
    "Refused",
    "Rooms",
    "Service",
    "Session",
    "StatusChange",
    "WebLoginNotice",
    "WebOptions",
]
