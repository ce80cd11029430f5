"""Groups and discussions: who may make one, whom a member may bring in, cards, leaving.

Rules only, on core values; what is said in a room and who is told is messaging's.
Nothing is cached here: membership is read from the store on every call, so that a
change made by another process on the same store (the command line beside ``serve``)
counts at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from qqdesk.core import (
    MAX_ROOM_MEMBERS,
    Conversation,
    ConversationKind,
    Member,
    Room,
    is_account_number,
)

from ..store import Store
from .sessions import Refusal, Refused

#: Longest room name and card (characters); longer ones are cut to it, as add-request
#: reasons are (QQ's own limits were about this long).
MAX_ROOM_NAME = 60
MAX_CARD = 60


def _name(name: str) -> str:
    return name.strip()[:MAX_ROOM_NAME]


class Rooms:
    """The rules of groups and discussions, on the store.

    A group has an owner (its maker, a member); a discussion has none. Any member
    may bring in their own buddies; a member sets their own card (groups only) and
    may leave: an owner leaving hands the group to the longest-standing member
    left, and the last member leaving deletes nothing (the room just has no
    members). Refusals: NOT_A_MEMBER (also for a room that does not exist: a
    non-member cannot tell the two apart), NOT_A_BUDDY, NO_SUCH_ACCOUNT, ROOM_FULL,
    BAD_REQUEST (a group without a name, a card in a discussion).
    """

    def __init__(self, store: Store, *, max_members: int = MAX_ROOM_MEMBERS) -> None:
        self._store = store
        self.max_members = max_members

    # ------------------------------------------------------------------ members' calls

    async def create_group(self, owner: int, name: str, members: Sequence[int]) -> Room:
        """A new group owned by ``owner`` with ``owner``'s buddies ``members``."""
        if not _name(name):
            raise Refused(Refusal.BAD_REQUEST)
        return await self._create(ConversationKind.GROUP, owner, name, members)

    async def create_discussion(self, creator: int, name: str, members: Sequence[int]) -> Room:
        """A new discussion of ``creator`` and their buddies ``members`` (a name may be
        empty: clients then show the members' names)."""
        return await self._create(ConversationKind.DISCUSSION, creator, name, members)

    async def invite(self, by: int, conversation: Conversation, uins: Sequence[int]) -> list[int]:
        """``by`` brings their buddies ``uins`` in; the ones newly added (members already
        there are left alone)."""
        members = await self._members_for(by, conversation)
        present = {m.uin for m in members}
        joining = [uin for uin in dict.fromkeys(uins) if uin not in present]
        await self._may_bring(by, joining)
        if len(present) + len(joining) > self.max_members:
            raise Refused(Refusal.ROOM_FULL)
        return await self._store.add_members(conversation, joining) if joining else []

    async def set_card(self, uin: int, conversation: Conversation, card: str) -> None:
        """``uin``'s own card in a group ("" unsets it)."""
        if conversation.kind is not ConversationKind.GROUP:
            raise Refused(Refusal.BAD_REQUEST)
        if not await self._store.set_card(conversation, uin, card.strip()[:MAX_CARD]):
            raise Refused(Refusal.NOT_A_MEMBER)

    async def leave(self, uin: int, conversation: Conversation) -> None:
        if not await self.remove(conversation, uin):
            raise Refused(Refusal.NOT_A_MEMBER)

    async def rooms_of(self, uin: int) -> list[Room]:
        """``uin``'s groups, then discussions, each by number."""
        return await self._store.rooms_of(uin)

    async def room(self, viewer: int, conversation: Conversation) -> Room:
        """A room as one of its members sees it."""
        room = await self._store.room(conversation)
        if room is None or not await self._store.is_member(conversation, viewer):
            raise Refused(Refusal.NOT_A_MEMBER)
        return room

    async def members(self, viewer: int, conversation: Conversation) -> list[Member]:
        """A room's members (the longest-standing first), for one of them."""
        return await self._members_for(viewer, conversation)

    # ------------------------------------------------------------------ also administration's

    async def remove(self, conversation: Conversation, uin: int) -> bool:
        """Take ``uin`` out of a room (a group's owner hands it on first); False when
        they were not a member."""
        room = await self._store.room(conversation)
        if room is None:
            return False
        members = [m.uin for m in await self._store.members(conversation)]
        if uin not in members:
            return False
        successor = next((m for m in members if m != uin), None)
        handing = None
        if room.owner == uin and successor is not None:
            # queued before the removal, so committed first: a crash between the two
            # leaves the old owner a plain member, never a group whose owner is gone
            handing = self._store.update_room(conversation, owner=successor)
        removed = self._store.remove_member(conversation, uin)
        if handing is not None:
            await handing
        return await removed

    # ------------------------------------------------------------------ helpers

    async def _create(
        self, kind: ConversationKind, creator: int, name: str, members: Sequence[int]
    ) -> Room:
        await self._account(creator)
        joining = [uin for uin in dict.fromkeys(members) if uin != creator]
        await self._may_bring(creator, joining)
        if 1 + len(joining) > self.max_members:
            raise Refused(Refusal.ROOM_FULL)
        owner = creator if kind is ConversationKind.GROUP else None
        conversation = await self._store.create_room(kind, _name(name), owner, [creator, *joining])
        room = await self._store.room(conversation)
        assert room is not None
        return room

    async def _account(self, uin: int) -> None:
        if not is_account_number(uin) or not await self._store.is_account(uin):
            raise Refused(Refusal.NO_SUCH_ACCOUNT)

    async def _may_bring(self, by: int, uins: Sequence[int]) -> None:
        """Refuses unless every one of ``uins`` is an account on ``by``'s buddy list."""
        if not uins:
            return
        buddies = set(await self._store.buddies(by))
        for uin in uins:
            if uin not in buddies:
                await self._account(uin)  # a number that is no account says so
                raise Refused(Refusal.NOT_A_BUDDY)

    async def _members_for(self, viewer: int, conversation: Conversation) -> list[Member]:
        members = await self._store.members(conversation)
        if not any(m.uin == viewer for m in members):
            raise Refused(Refusal.NOT_A_MEMBER)
        return members
