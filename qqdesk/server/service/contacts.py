"""Buddy lists, who may add whom, add requests and their answers, profiles and search."""

from __future__ import annotations

from qqdesk.core import (
    MAX_CATEGORIES,
    MAX_CATEGORY_NAME,
    MAX_REMARK,
    AuthMode,
    BuddyEntry,
    Category,
    Presence,
    Profile,
    clip_name,
    is_account_number,
)

from ..store import Account, Store
from .limits import Action, Limits
from .messaging import Messaging
from .presence import PresenceHub
from .sessions import Refusal, Refused, Session

#: Largest page a search answers with, whatever is asked for.
MAX_SEARCH_PAGE = 100
#: Longest reason (characters) kept with an add request or its answer; longer ones are
#: cut to it. The same as a message's text (MG): a request then never costs more than
#: a message, which the rate limit and the strangers' bound already hold (and request
#: texts of up to 2000 characters, which clients send today, stay whole).
MAX_REASON = 2000


def _elsewhere(account: Account, presence: Presence) -> Session:
    """A stand-in for a session on another node (never registered here)."""
    profile = account.profile
    return Session(
        uin=profile.uin,
        ip="",
        token="",
        last_seen=0.0,
        presence=presence,
        nick=profile.nick,
        face=profile.face,
        home=False,
        ended=True,
    )


class Contacts:
    """The rules of buddy lists, on the store; presence hears of every change."""

    def __init__(
        self,
        store: Store,
        sessions: dict[int, Session],
        presence: PresenceHub,
        messaging: Messaging,
        limits: Limits,
    ) -> None:
        self._limits = limits
        self._store = store
        self._sessions = sessions
        self._presence = presence
        self._messaging = messaging

    async def _account(self, uin: int) -> Account:
        account = await self._store.account(uin) if is_account_number(uin) else None
        if account is None:
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
        return account

    async def buddy_count(self, session: Session) -> int:
        return await self._store.buddy_count(session.uin)

    async def buddies(self, session: Session, offset: int = 0, limit: int = -1) -> list[int]:
        """``session``'s buddy list in its order (a page of it)."""
        return await self._store.buddies(session.uin, offset, limit)

    async def online_buddies(self, session: Session) -> list[Session]:
        """The sessions of ``session``'s buddies whom others see online, in list order."""
        online = []
        for uin in await self._store.buddies(session.uin):
            other = self._presence.session_of(uin)
            if other is not None and other.presence.is_online:
                online.append(other)
            elif other is None and uin in self._presence.elsewhere:
                # signed in on another node: a stand-in with what a list shows
                account = await self._store.account(uin)
                if account is not None and uin in self._presence.elsewhere:
                    online.append(_elsewhere(account, self._presence.elsewhere[uin]))
        return online

    async def profile(self, uin: int) -> Profile:
        return (await self._account(uin)).profile

    async def add_buddy(self, session: Session, target: int) -> AuthMode:
        """Add ``target`` if they let anyone; what they ask for either way (NOBODY for
        both spellings of "nobody"). Nobody is their own buddy: adding oneself is
        answered as by a user whom nobody may add, and changes nothing."""
        auth = (await self._account(target)).auth
        if target == session.uin:
            return AuthMode.NOBODY
        if auth is AuthMode.ANYONE:
            if await self._store.add_buddy(session.uin, target):
                self._presence.buddy_added(session.uin, target)
        elif auth.refuses_everyone:
            auth = AuthMode.NOBODY
        return auth

    async def remove_buddy(self, session: Session, target: int) -> None:
        if await self._store.remove_buddy(session.uin, target):
            self._presence.buddy_removed(session.uin, target)

    async def request(self, session: Session, target: int, reason: str) -> None:
        """Ask ``target`` to be added; a user whom nobody may add never hears of it."""
        self._may_write(session)
        account = await self._account(target)
        if account.auth.refuses_everyone or target == session.uin:
            return
        await self._messaging.check_room(session.uin, target)
        self._limits.sent(session.uin, Action.ANSWER_REQUEST)
        written = self._store.request(session.uin, target, reason[:MAX_REASON])
        await self._messaging.track(written, {target})

    async def answer(self, session: Session, requester: int, approve: bool, reason: str) -> None:
        """Answer ``requester``'s request to add ``session``'s user.

        One transaction: the request goes, the buddy is added and the answer queued.
        Without such a request nothing changes (and nothing is queued).
        """
        self._may_write(session)
        await self._account(requester)
        if requester == session.uin:
            return  # no one can have asked themselves (request() keeps no such request)
        self._limits.sent(session.uin, Action.ANSWER_REQUEST)
        written = self._store.answer_request(requester, session.uin, approve, reason[:MAX_REASON])
        if await self._messaging.track(written, {requester}) is not None and approve:
            self._presence.buddy_added(requester, session.uin)

    def _may_write(self, session: Session) -> None:
        """Requests and answers store something for someone else: rate-limited like
        messages (a count of their own), TOO_FREQUENT and a penalty beyond it."""
        if not self._limits.may_send(session.uin, Action.ANSWER_REQUEST):
            raise Refused(Refusal.TOO_FREQUENT)

    async def search(
        self,
        session: Session,
        *,
        age: int,
        sex: int | None,
        province: str,
        offset: int,
        size: int,
    ) -> tuple[list[tuple[Account, Presence]], bool]:
        """Searchable users but ``session``'s own, with what others see of their presence;
        and whether this is the last page."""
        size = min(size, MAX_SEARCH_PAGE)
        found = await self._store.search(session.uin, age, sex, province, offset, size + 1)
        page = [(a, self._presence.visible(a.profile.uin)) for a in found[:size]]
        return page, len(found) <= size

    # -- a user's own keeping of their list: remarks and categories -----------------------
    # (both protocol families read and change the same rows: Smart QQ's marknames and
    # categories are these)

    async def buddy_entries(
        self, session: Session, offset: int, limit: int
    ) -> list[tuple[BuddyEntry, Presence]]:
        """A page of ``session``'s list with what a list shows, and what others see of
        each buddy's presence."""
        entries = await self._store.buddy_entries(session.uin, offset, limit)
        return [(e, self._presence.visible(e.uin)) for e in entries]

    async def set_remark(self, session: Session, buddy: int, remark: str) -> str:
        """``session``'s remark for a buddy on their list ("" removes it), as kept."""
        await self._on_list(session, buddy)
        kept = clip_name(remark, MAX_REMARK)
        await self._store.set_remark(session.uin, buddy, kept)
        return kept

    async def categories(self, session: Session) -> list[Category]:
        return await self._store.categories(session.uin)

    async def add_category(self, session: Session, name: str) -> int | None:
        """A new category last in the order; its index, None when the user has
        MAX_CATEGORIES already (or the name is blank)."""
        kept = clip_name(name, MAX_CATEGORY_NAME)
        if not kept:
            return None
        return await self._store.add_category(session.uin, kept, MAX_CATEGORIES)

    async def rename_category(self, session: Session, index: int, name: str) -> None:
        """Rename one (the default one too); a blank name or no such category changes nothing."""
        kept = clip_name(name, MAX_CATEGORY_NAME)
        if kept:
            await self._store.rename_category(session.uin, index, kept)

    async def delete_category(self, session: Session, index: int) -> None:
        """Its buddies go to the default category; the default one is never deleted."""
        await self._store.delete_category(session.uin, index)

    async def order_categories(self, session: Session, order: list[int]) -> None:
        """The categories in this order (the default one stays first); an order that does
        not name each of them once changes nothing."""
        await self._store.order_categories(session.uin, order)

    async def move_buddy(self, session: Session, buddy: int, index: int) -> None:
        """Move a buddy on the list to a category (no such category: nothing changes)."""
        await self._on_list(session, buddy)
        await self._store.set_category(session.uin, buddy, index)

    async def _on_list(self, session: Session, buddy: int) -> None:
        """NO_SUCH_ACCOUNT unless ``buddy`` is on ``session``'s list (a remark or a
        category is kept only for one's buddies)."""
        if buddy not in session.buddies and buddy not in await self._store.buddies(session.uin):
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
