"""Copy a whole store into another, empty one (SQLite to PostgreSQL, or back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .interface import Store, StoreError
from .migrations import PRIVACY_COLUMNS, PROFILE_FIELDS


class Copyable(Store, Protocol):
    """A store whose tables can be read and loaded whole (both stores of this package)."""

    async def rows(
        self, table: str, columns: Sequence[str], order: str, limit: int = -1
    ) -> list[tuple[Any, ...]]: ...

    async def load(
        self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None: ...


#: Every table of the latest schema: its columns (all of them) and its key order.
TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "accounts",
        (
            "uin",
            "password_hash",
            "auth",
            "searchable",
            "created",
            *PROFILE_FIELDS,
            *PRIVACY_COLUMNS,
        ),
        "uin",
    ),
    ("buddies", ("owner", "buddy", "position", "category"), "owner, position, buddy"),
    ("requests", ("requester", "target", "reason", "created"), "requester, target"),
    (
        "messages",
        (
            "id",
            "recipient",
            "sender",
            "conversation_kind",
            "conversation_number",
            "kind",
            "content",
            "time",
        ),
        "id",
    ),
    ("rooms", ("number", "kind", "name", "owner", "memo", "created"), "number"),
    ("room_members", ("number", "uin", "card", "joined"), "number, uin"),
    (
        "room_messages",
        ("id", "conversation_kind", "conversation_number", "sender", "content", "time"),
        "id",
    ),
    ("remarks", ("owner", "buddy", "remark"), "owner, buddy"),
    ("categories", ("owner", "number", "position", "name"), "owner, number"),
    ("web_logins", ("code", "token", "created", "state", "uin"), "code"),
    ("sent_ids", ("sender", "client_id", "time"), "sender, client_id"),
)


async def copy_store(source: Copyable, target: Copyable) -> dict[str, int]:
    """Copy every account (with its password hash), buddy list (in order), open request,
    queued message, room (members, cards, kept messages), remark, category and pending web sign-in
    from ``source`` into ``target``, ids, numbers and times kept; rows per table.

    ``target`` must be empty (a StoreError says so otherwise): a copy never merges.
    Stop the server first: a write during the copy may be missed. Each table is copied
    in one write; if one fails, the target holds part of the source: empty it (a new
    database or file) and copy again.
    """
    for table, columns, order in TABLES:
        if await target.rows(table, columns[:1], order, limit=1):
            raise StoreError(
                f"the target store is not empty (its {table} table has rows):"
                " copy into a new, empty store"
            )
    counts: dict[str, int] = {}
    for table, columns, order in TABLES:
        rows = await source.rows(table, columns, order)
        if rows:
            await target.load(table, columns, rows)
        counts[table] = len(rows)
    return counts
