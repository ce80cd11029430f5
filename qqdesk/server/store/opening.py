"""Open the store a command line names: an SQLite file or a PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .sqlite import SqliteStore

if TYPE_CHECKING:
    from .postgres import PostgresStore

#: What names a PostgreSQL database (libpq's two spellings).
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def sqlite_path(target: str | Path) -> Path:
    """The file of an SQLite target: a path, or ``sqlite:PATH``."""
    if isinstance(target, str) and target.startswith("sqlite:"):
        target = target.removeprefix("sqlite:")
        if not target:
            raise ValueError("sqlite: needs a path (sqlite:PATH)")
    return Path(target)


async def open_store(
    target: str | Path, *, read_cache: bool = False
) -> SqliteStore | PostgresStore:
    """``postgresql://user@host:port/db`` opens PostgreSQL; a path or ``sqlite:PATH``
    an SQLite file (with a read cache when a server opens it: see SqliteStore).
    StoreError when it cannot be opened or migrated."""
    if is_postgres(target):
        from .postgres import PostgresStore  # asyncpg only for those who use it

        return await PostgresStore.open(str(target))
    return SqliteStore(sqlite_path(target), read_cache=read_cache)
