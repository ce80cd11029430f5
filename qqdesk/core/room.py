"""Groups (qun) and discussions (discu): a room, its members and the messages it keeps."""

from __future__ import annotations

from dataclasses import dataclass

from .content import Content
from .conversation import Conversation


@dataclass(frozen=True)
class Room:
    """A group or a discussion, named by its conversation (``Conversation.group(n)`` or
    ``Conversation.discussion(n)``; groups and discussions never share a number)."""

    conversation: Conversation
    name: str
    #: A group's owner; None for a discussion.
    owner: int | None
    #: The announcement ("" for discussions).
    memo: str
    #: When it was made (seconds since the epoch).
    created: int


@dataclass(frozen=True)
class Member:
    """One member of a room."""

    uin: int
    #: The group card (群名片): the name shown in this group; "" when unset.
    card: str
    #: When they joined (seconds since the epoch).
    joined: int


@dataclass(frozen=True)
class RoomMessage:
    """A message said in a room, kept once for every member.

    Its id comes from the same sequence as queued messages, so that the two sort
    together and acknowledging an id covers both.
    """

    id: int
    conversation: Conversation
    sender: int
    content: Content
    #: When it was kept (seconds since the epoch).
    time: int


#: Messages kept per room (the newest); none is kept longer than ROOM_HISTORY_AGE either.
ROOM_HISTORY = 1000
#: Seconds a room message is kept at most (30 days).
ROOM_HISTORY_AGE = 30 * 24 * 3600
#: Most members a room may have.
MAX_ROOM_MEMBERS = 500
