"""Conversation ids: a buddy chat, a group (qun) or a discussion (discu)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConversationKind(enum.Enum):
    """What kind of conversation a message belongs to."""

    BUDDY = "buddy"
    GROUP = "group"
    DISCUSSION = "discussion"


@dataclass(frozen=True, order=True)
class Conversation:
    """One conversation as every layer names it.

    For a buddy chat ``number`` is the other person's account number (seen from
    the side that holds the value); for a group it is the group's number and for a
    discussion the discussion's id. Protocol-specific ids (Smart QQ's opaque gid,
    did and uin) are translated to these at the protocol's edge.
    """

    kind: ConversationKind
    number: int

    @classmethod
    def buddy(cls, uin: int) -> Conversation:
        return cls(ConversationKind.BUDDY, uin)

    @classmethod
    def group(cls, number: int) -> Conversation:
        return cls(ConversationKind.GROUP, number)

    @classmethod
    def discussion(cls, number: int) -> Conversation:
        return cls(ConversationKind.DISCUSSION, number)

    @property
    def is_buddy(self) -> bool:
        return self.kind is ConversationKind.BUDDY

    @property
    def key(self) -> str:
        """A stable text form, e.g. ``buddy:10001`` (for settings and store keys)."""
        return f"{self.kind.value}:{self.number}"

    @classmethod
    def parse(cls, key: str) -> Conversation:
        """The inverse of :attr:`key`; ValueError for anything else."""
        kind, sep, number = key.partition(":")
        if not sep:
            raise ValueError(f"not a conversation key: {key!r}")
        return cls(ConversationKind(kind), int(number))

    def __str__(self) -> str:
        return self.key
