"""The PostgreSQL store's schema versions (the SQLite store's, in PostgreSQL's dialect)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from qqdesk.core import MIN_UIN

from .interface import StoreError
from .migrations import INT_FIELDS, PRIVACY_COLUMNS, PROFILE_FIELDS, v1_message_to_v2

#: The advisory lock (a constant key) that nodes opening one database at once take
#: around each migration step and around sequence bumps, so they never race.
SCHEMA_LOCK = 0x71_71_64_65_73_6B  # "qqdesk"

#: asyncpg's connection (asyncpg ships no types; kept as Any at this edge only).
Connection = Any


def _column(name: str) -> str:
    kind = "BIGINT NOT NULL DEFAULT 0" if name in INT_FIELDS else "TEXT NOT NULL DEFAULT ''"
    return f"{name} {kind}"


#: Version 1: SQLite's version-1 tables. Integers are BIGINT (SQLite's are 64-bit);
#: ``searchable`` is a boolean. The two sequences are PostgreSQL's own: account
#: numbers for auto-assigned accounts (never MAX+1, which two nodes would both pick)
#: and message ids (handed out in blocks, see PostgresStore.reserve_message_ids).
#: Frozen: a later change is a new step, never an edit here.
SCHEMA_V1 = (
    f"""CREATE TABLE accounts (
    uin BIGINT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    auth INTEGER NOT NULL DEFAULT 0,
    searchable BOOLEAN NOT NULL DEFAULT TRUE,
    created BIGINT NOT NULL,
    {", ".join(_column(name) for name in PROFILE_FIELDS)}
)""",
    "CREATE INDEX accounts_search_pv ON accounts (searchable, province, age, sex, uin)",
    "CREATE INDEX accounts_search_ag ON accounts (searchable, age, sex, uin)",
    """CREATE TABLE buddies (
    owner BIGINT NOT NULL,
    buddy BIGINT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (owner, buddy)
)""",
    "CREATE INDEX buddies_order ON buddies (owner, position)",
    "CREATE INDEX buddies_reverse ON buddies (buddy, owner)",
    """CREATE TABLE requests (
    requester BIGINT NOT NULL,
    target BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (requester, target)
)""",
    """CREATE TABLE messages (
    id BIGINT PRIMARY KEY,
    recipient BIGINT NOT NULL,
    sender BIGINT NOT NULL,
    kind INTEGER NOT NULL,
    text TEXT NOT NULL,
    time BIGINT NOT NULL
)""",
    "CREATE INDEX messages_queue ON messages (recipient, id)",
    f"CREATE SEQUENCE account_numbers AS BIGINT START WITH {MIN_UIN} MINVALUE 1",
    "CREATE SEQUENCE message_ids AS BIGINT START WITH 1 MINVALUE 1",
)

#: Content is JSON kept as TEXT, not jsonb: jsonb refuses "\u0000" in a string, and
#: nothing queries into it.
_MESSAGES_V2 = """CREATE TABLE {name} (
    id BIGINT PRIMARY KEY,
    recipient BIGINT NOT NULL,
    sender BIGINT NOT NULL,
    conversation_kind TEXT NOT NULL,
    conversation_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    time BIGINT NOT NULL
)"""


async def _to_v1(db: Connection) -> None:
    for statement in SCHEMA_V1:
        await db.execute(statement)


async def _to_v2(db: Connection) -> None:
    """Messages keyed by conversation, holding content parts; no status rows (as SQLite's
    step: see migrations._to_v2 for why dropping queued MT=99 rows loses nothing)."""
    await db.execute(_MESSAGES_V2.format(name="messages_v2"))
    rows = await db.fetch(
        "SELECT id, recipient, sender, kind, text, time FROM messages ORDER BY id"
    )
    converted: list[tuple[int, int, int, int, str, str, int]] = []
    for message_id, recipient, sender, code, text, when in rows:
        v2 = v1_message_to_v2(message_id, code, text)
        if v2 is not None:
            converted.append((message_id, recipient, sender, sender, *v2, when))
    await db.executemany(
        "INSERT INTO messages_v2 (id, recipient, sender, conversation_kind,"
        " conversation_number, kind, content, time) VALUES ($1, $2, $3, 'buddy', $4, $5, $6, $7)",
        converted,
    )
    await db.execute("DROP TABLE messages")
    await db.execute("ALTER TABLE messages_v2 RENAME TO messages")
    await db.execute("ALTER INDEX messages_v2_pkey RENAME TO messages_pkey")
    await db.execute("CREATE INDEX messages_queue ON messages (recipient, id)")


#: Version 3 (SQLite's SCHEMA_V3): rooms numbered from their own sequence (groups and
#: discussions share it), members, room messages (ids from ``message_ids``), remarks
#: and pending web sign-ins. Frozen, as SCHEMA_V1.
SCHEMA_V3 = (
    "CREATE SEQUENCE room_numbers AS BIGINT START WITH 100000 MINVALUE 1",
    """CREATE TABLE rooms (
    number BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner BIGINT,
    memo TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL
)""",
    """CREATE TABLE room_members (
    number BIGINT NOT NULL,
    uin BIGINT NOT NULL,
    card TEXT NOT NULL DEFAULT '',
    joined BIGINT NOT NULL,
    PRIMARY KEY (number, uin)
)""",
    "CREATE INDEX room_members_of ON room_members (uin, number)",
    """CREATE TABLE room_messages (
    id BIGINT PRIMARY KEY,
    conversation_kind TEXT NOT NULL,
    conversation_number BIGINT NOT NULL,
    sender BIGINT NOT NULL,
    content TEXT NOT NULL,
    time BIGINT NOT NULL
)""",
    "CREATE INDEX room_messages_history ON room_messages (conversation_number, id)",
    """CREATE TABLE remarks (
    owner BIGINT NOT NULL,
    buddy BIGINT NOT NULL,
    remark TEXT NOT NULL,
    PRIMARY KEY (owner, buddy)
)""",
    """CREATE TABLE web_logins (
    code TEXT PRIMARY KEY,
    token BIGINT NOT NULL,
    created BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    uin BIGINT
)""",
    "CREATE INDEX web_logins_token ON web_logins (token, created)",
)

#: The largest message id in use (queued or said in a room), for seed_sequence.
LARGEST_MESSAGE_ID = (
    "SELECT GREATEST((SELECT MAX(id) FROM messages), (SELECT MAX(id) FROM room_messages))"
)


async def _to_v3(db: Connection) -> None:
    """New tables only (see migrations._to_v3)."""
    for statement in SCHEMA_V3:
        await db.execute(statement)


async def _sent_ids_and_privacy(db: Connection) -> None:
    """Client message ids already stored, and who may see each private profile field
    (as SQLite's step: see migrations._sent_ids_and_privacy)."""
    await db.execute(
        """CREATE TABLE sent_ids (
    sender BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    time BIGINT NOT NULL,
    PRIMARY KEY (sender, client_id)
)"""
    )
    await db.execute("CREATE INDEX sent_ids_time ON sent_ids (time)")
    for column in PRIVACY_COLUMNS:
        await db.execute(f"ALTER TABLE accounts ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")


#: Version 5 (PostgreSQL only; from here on its versions are one ahead of SQLite's):
#: the classic sessions every node sees. UNLOGGED: a session is not data (after a
#: database crash its clients sign in again), and each sign-in and presence change
#: writes it, so it skips the WAL and its flush.
#: SQLite has no such table: one file, one node, its sessions in that node's memory.
SCHEMA_V5 = (
    """CREATE UNLOGGED TABLE sessions (
    uin BIGINT PRIMARY KEY,
    ip TEXT NOT NULL,
    token TEXT NOT NULL,
    presence TEXT NOT NULL,
    node TEXT NOT NULL,
    started BIGINT NOT NULL
)""",
)


async def _to_v5(db: Connection) -> None:
    for statement in SCHEMA_V5:
        await db.execute(statement)


#: Version 6: SQLite's version 5 (categories, and each buddy's category).
SCHEMA_V6 = (
    """CREATE TABLE categories (
    owner BIGINT NOT NULL,
    number BIGINT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (owner, number)
)""",
    "ALTER TABLE buddies ADD COLUMN category BIGINT NOT NULL DEFAULT 0",
)


async def _to_v6(db: Connection) -> None:
    """A new table and a column with a default (see migrations._to_v5)."""
    for statement in SCHEMA_V6:
        await db.execute(statement)


#: Version 7 (PostgreSQL only): the web channel seen by every node. ``web_id_key``
#: holds the key of the opaque ids, made once, so that every node (and every restart)
#: shows a client the same ids; logged, as data. Tickets (approved sign-ins) and web sessions are
#: UNLOGGED as the classic sessions are: after a database crash web clients sign
#: in again. A kicked session's row stays a while (its psessionid answers 121).
#: Statements are idempotent (IF NOT EXISTS), so renumbering the step at a merge is safe.
SCHEMA_V7 = (
    """CREATE TABLE IF NOT EXISTS web_id_key (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    key BYTEA NOT NULL
)""",
    """CREATE UNLOGGED TABLE IF NOT EXISTS web_tickets (
    vfwebqq TEXT PRIMARY KEY,
    uin BIGINT NOT NULL,
    skey TEXT NOT NULL UNIQUE,
    ptwebqq TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    signature TEXT,
    created BIGINT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS web_tickets_signature ON web_tickets (signature)",
    "CREATE INDEX IF NOT EXISTS web_tickets_created ON web_tickets (created)",
    """CREATE UNLOGGED TABLE IF NOT EXISTS web_sessions (
    token TEXT PRIMARY KEY,
    uin BIGINT NOT NULL,
    ip TEXT NOT NULL,
    ticket TEXT NOT NULL,
    options TEXT NOT NULL,
    floor BIGINT NOT NULL,
    room_cursor BIGINT NOT NULL,
    presence TEXT NOT NULL,
    kicked BOOLEAN NOT NULL DEFAULT FALSE,
    node TEXT NOT NULL,
    started BIGINT NOT NULL
)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS web_sessions_live ON web_sessions (uin) WHERE NOT kicked",
    "CREATE INDEX IF NOT EXISTS web_sessions_kicked ON web_sessions (started) WHERE kicked",
    "CREATE INDEX IF NOT EXISTS web_sessions_ticket ON web_sessions (ticket)",
)


async def _to_v7(db: Connection) -> None:
    for statement in SCHEMA_V7:
        await db.execute(statement)
    await db.execute(
        "INSERT INTO web_id_key (one, key) VALUES (1, $1) ON CONFLICT (one) DO NOTHING",
        secrets.token_bytes(32),
    )


#: Step n brings a database from version n-1 to version n, each in its own transaction.
MIGRATIONS: list[Callable[[Connection], Awaitable[None]]] = [
    _to_v1,
    _to_v2,
    _to_v3,
    _sent_ids_and_privacy,
    _to_v5,
    _to_v6,
    _to_v7,
]


def latest_version() -> int:
    return len(MIGRATIONS)


async def _version(db: Connection) -> int:
    await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    version = await db.fetchval("SELECT version FROM schema_version")
    if version is None:
        await db.execute("INSERT INTO schema_version (version) VALUES (0)")
        return 0
    return int(version)


async def migrate(db: Connection, where: str) -> int:
    """Bring the database up to the latest version, one transaction per step; its version.

    Each step takes SCHEMA_LOCK for its transaction and reads the version again under
    it, so that nodes opening one database at once wait for each other and each step
    runs once. A database from a newer release is refused (StoreError) before
    anything is written; a failing step is undone (the database stays as it was).
    """
    latest = latest_version()
    while True:
        async with db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            version = await _version(db)
            if version > latest:
                raise StoreError(
                    f"{where} has store schema version {version}, newer than this qqdesk"
                    f" knows ({latest}); use the release that wrote it or a newer one"
                )
            if version == latest:
                await seed_sequences(db)
                return latest
            await MIGRATIONS[version](db)
            await db.execute("UPDATE schema_version SET version=$1", version + 1)


async def seed_sequences(db: Connection) -> None:
    """Move every sequence above the numbers in use (call under SCHEMA_LOCK)."""
    await seed_sequence(db, "account_numbers", "SELECT MAX(uin) FROM accounts")
    await seed_sequence(db, "message_ids", LARGEST_MESSAGE_ID)
    await seed_sequence(db, "room_numbers", "SELECT MAX(number) FROM rooms")


async def seed_sequence(db: Connection, sequence: str, largest_sql: str) -> None:
    """Move a sequence above the largest number in use (rows copied in, or written by
    hand): it never hands out a number that is taken. Only ever moves it up."""
    largest = await db.fetchval(largest_sql)
    if largest is not None:
        await bump_sequence(db, sequence, int(largest))


async def bump_sequence(db: Connection, sequence: str, taken: int) -> None:
    """Make ``sequence``'s next value greater than ``taken`` (call under SCHEMA_LOCK:
    setval is not atomic with reading the value, and nothing else ever lowers it)."""
    row = await db.fetchrow(f"SELECT last_value, is_called FROM {sequence}")
    upcoming = int(row["last_value"]) + (1 if row["is_called"] else 0)
    if taken >= upcoming:
        await db.execute("SELECT setval($1, $2, true)", sequence, taken)
