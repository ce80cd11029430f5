"""The server's rules, once for every protocol family: sessions, presence, contacts,
rooms, messaging and limits. No wire format here: core values in, core values out."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import secrets
import time
from collections.abc import Callable

from qqdesk.core import Presence, Profile

from ..admin import Admin
from ..store import SCRYPT_N, Account, Store, check_password
from .contacts import MAX_REASON, MAX_SEARCH_PAGE, Contacts
from .limits import RATE_LIMIT, Action, Limits
from .messaging import MAX_FROM_STRANGERS, MAX_PER_ANSWER, Entry, Messaging
from .presence import PresenceHub
from .rooms import MAX_CARD, MAX_ROOM_NAME, Rooms
from .sessions import (
    Family,
    Refusal,
    Refused,
    Session,
    StatusChange,
    WebLoginNotice,
    WebOptions,
)

log = logging.getLogger(__name__)

#: Threads that check passwords (scrypt): a burst of logins waits for these two and
#: leaves the loop's default pool to everything else.
PASSWORD_THREADS = 2


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
    ) -> None:
        self.store = store
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
        self.presence = PresenceHub(store, self.sessions, self.web_sessions)
        self.messaging = Messaging(
            store, self.presence, self.limits, clock, long_poll, max_from_strangers
        )
        self.contacts = Contacts(store, self.sessions, self.presence, self.messaging, self.limits)
        self.rooms = Rooms(store)
        self.admin = Admin(store, watcher=self, scrypt_n=scrypt_n, rooms=self.rooms)
        self._hashing = concurrent.futures.ThreadPoolExecutor(
            PASSWORD_THREADS, thread_name_prefix="qqdesk-password"
        )

    # ------------------------------------------------------------------ sessions

    async def authenticate(self, uin: int, password_md5: str, ip: str) -> Account:
        """``uin``'s account if ``password_md5`` is its password (throttled as Login)."""
        if self.limits.login_blocked(uin, ip):
            raise Refused(Refusal.TOO_FREQUENT)
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
        if not await loop.run_in_executor(self._hashing, check_password, password_md5, stored):
            self.limits.login_failed(uin, ip)
            raise Refused(Refusal.WRONG_PASSWORD)
        self.limits.login_succeeded(uin, ip, ticket)
        return account

    async def login(self, uin: int, password_md5: str, ip: str) -> Session:
        """Sign ``uin`` in from ``ip`` (replacing a classic session from anywhere else;
        a web session of the account stays)."""
        account = await self.authenticate(uin, password_md5, ip)
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
        self.presence.watch(session, buddies)
        self._arrived(session, Presence.ONLINE, before)
        return session

    async def web_login(
        self, uin: int, ip: str, options: WebOptions, presence: Presence = Presence.ONLINE
    ) -> Session:
        """A web session for ``uin`` (already authenticated by the front-end); a
        previous web session is replaced (kicked), a classic one stays."""
        account = await self.store.account(uin)
        if account is None:
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        buddies = await self.store.buddies(uin)
        before = self.presence.visible(uin)
        old = self.web_sessions.pop(uin, None)
        if old is not None:
            old.ended = old.kicked = True
            old.wakeup.set()
            self.presence.unwatch(old)
        # room messages from now on (or from ``since``): a fresh id is above every one
        start = self.store.reserve_message_ids(1).start if options.since is None else options.since
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
        return session

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
        self._end(session)

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

    def _end(self, session: Session, *, expired: bool = False) -> None:
        """End a session; buddies see the user go offline when no session is left."""
        sessions = self.web_sessions if session.is_web else self.sessions
        if sessions.get(session.uin) is session:
            del sessions[session.uin]
            self.presence.unwatch(session)
        was_visible = session.presence.visible != Presence.OFFLINE
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
        self.limits.prune()
        return len(stale)

    def close(self) -> None:
        """Wake every waiting long poll so that it answers now."""
        self.messaging.close()

    def shut_down(self) -> None:
        """Let the password threads go (after close(), once requests are answered)."""
        self._hashing.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ administration

    def buddy_added(self, owner: int, buddy: int) -> None:
        self.presence.buddy_added(owner, buddy)

    def buddy_removed(self, owner: int, buddy: int) -> None:
        self.presence.buddy_removed(owner, buddy)

    def profile_changed(self, profile: Profile) -> None:
        for session in self.presence.live(profile.uin):
            session.nick, session.face = profile.nick, profile.face


__all__ = [
    "MAX_CARD",
    "MAX_FROM_STRANGERS",
    "MAX_PER_ANSWER",
    "MAX_REASON",
    "MAX_ROOM_NAME",
    "MAX_SEARCH_PAGE",
    "Action",
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
