"""Who sees whose presence: an in-memory audience per user, and changes handed to it.

Nothing here is stored: a presence change is news, not a message. A watcher who
is signed in finds it in their next fetch; one who is not learns presence when
they sign in (their buddy list with who is online).

Presence is the account's: an account may have a classic and a web session at
once, both carry the same presence, and it is offline only when neither is live.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from qqdesk.core import Presence

from ..store import Store
from .sessions import Session, StatusChange

#: Presence changes kept for one session that has not fetched them (the oldest go first).
MAX_PENDING_CHANGES = 1000


class PresenceHub:
    """The audience of each signed-in user's presence, and what it has not fetched yet."""

    def __init__(self, store: Store, sessions: dict[int, Session], web: dict[int, Session]) -> None:
        self._store = store
        self._sessions = sessions
        self._web = web
        #: Per user, the signed-in users who have them in their buddy list.
        self._watching: dict[int, set[int]] = {}

    def live(self, uin: int) -> list[Session]:
        """``uin``'s live sessions: the classic one first, then the web one."""
        return [s for s in (self._sessions.get(uin), self._web.get(uin)) if s is not None]

    def all_sessions(self) -> list[Session]:
        return [*self._sessions.values(), *self._web.values()]

    def session_of(self, uin: int) -> Session | None:
        """One live session of ``uin`` (the classic one if live): it carries the presence."""
        return self._sessions.get(uin) or self._web.get(uin)

    def visible(self, uin: int) -> Presence:
        """What others see of ``uin`` right now."""
        session = self.session_of(uin)
        return Presence.OFFLINE if session is None else session.presence.visible

    def watch(self, session: Session, buddies: Collection[int]) -> None:
        """``session`` (just signed in) watches its buddies."""
        session.buddies = set(buddies)
        for buddy in buddies:
            self._watching.setdefault(buddy, set()).add(session.uin)

    def unwatch(self, session: Session) -> None:
        """``session`` ended: its account stops watching unless another session is live."""
        if any(s is not session for s in self.live(session.uin)):
            return
        for buddy in session.buddies:
            self._forget(session.uin, buddy)

    def buddy_added(self, owner: int, buddy: int) -> None:
        """``buddy`` joined ``owner``'s list: if ``owner`` is signed in, they now watch."""
        sessions = self.live(owner)
        for session in sessions:
            session.buddies.add(buddy)
        if sessions:
            self._watching.setdefault(buddy, set()).add(owner)

    def buddy_removed(self, owner: int, buddy: int) -> None:
        for session in self.live(owner):
            session.buddies.discard(buddy)
        self._forget(owner, buddy)

    def _forget(self, owner: int, buddy: int) -> None:
        watchers = self._watching.get(buddy)
        if watchers is not None:
            watchers.discard(owner)
            if not watchers:
                del self._watching[buddy]

    def set(self, session: Session, presence: Presence) -> None:
        """``session`` chose ``presence`` for its account (every live session of it);
        the audience hears of a visible change."""
        before = self.visible(session.uin)
        for each in {id(s): s for s in [*self.live(session.uin), session]}.values():
            each.presence = presence
        if presence.visible != before:
            self.announce(session.uin, presence.visible)

    def announce(self, uin: int, presence: Presence) -> None:
        """Hand ``uin``'s new visible presence to every signed-in watcher's sessions
        that take presence changes (classic ones, and web ones that opted in)."""
        watchers = [
            s
            for w in list(self._watching.get(uin, ()))
            if w != uin
            for s in self.live(w)
            if s.wants("status")
        ]
        if not watchers:
            return
        ids = self._store.reserve_message_ids(len(watchers))
        now = int(time.time())
        for watcher, change_id in zip(watchers, ids, strict=True):
            changes = watcher.status_changes
            if len(changes) >= MAX_PENDING_CHANGES:
                changes.popleft()
            changes.append(StatusChange(change_id, uin, presence, now))
            watcher.wakeup.set()
