"""A user's own way of keeping their buddy list: categories (分组) and remarks (备注)."""

from __future__ import annotations

from dataclasses import dataclass

#: The category every buddy is in until moved: it always exists and cannot be deleted.
DEFAULT_CATEGORY = 0
#: Most categories one user may have, the default one included.
MAX_CATEGORIES = 100
#: Longest category name and remark (characters); longer ones are cut to it.
MAX_CATEGORY_NAME = 32
MAX_REMARK = 32


@dataclass(frozen=True)
class Category:
    """One of a user's buddy categories.

    ``index`` names it for good (Smart QQ's ``categories[].index``); the order of a
    list of them is the order the user chose. ``name`` is "" for the default
    category until its owner renames it: each side names it in its own language then
    ("My friends", 我的好友).
    """

    index: int
    name: str = ""

    @property
    def is_default(self) -> bool:
        return self.index == DEFAULT_CATEGORY


@dataclass(frozen=True)
class BuddyEntry:
    """One buddy of a list with what a list shows of them, as their owner keeps it."""

    uin: int
    nick: str
    face: int
    remark: str = ""
    category: int = DEFAULT_CATEGORY


def clip_name(text: str, limit: int) -> str:
    """A name as kept: trimmed, without line breaks, at most ``limit`` characters."""
    return " ".join(text.split())[:limit]
