"""The SQLite store's schema versions and the ordered steps that bring a file up to date."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qqdesk.core import (
    DEFAULT_CATEGORY,
    PRIVATE_FIELDS,
    Audience,
    Category,
    Face,
    Profile,
    ProfilePrivacy,
    parse_text,
)

from .interface import StoreError

#: Seconds a client message id is remembered (a resend comes within minutes; the
#: outbox gives up on a message long before a day).
SENT_IDS_KEPT = 86_400
#: Profile attributes kept as integers (the rest are text).
INT_FIELDS = frozenset({"face", "age", "sex", "blood_type", "constellation", "zodiac"})
#: Every Profile field but uin, in column order.
PROFILE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Profile) if f.name != "uin"
)


def _column(name: str) -> str:
    kind = "INTEGER NOT NULL DEFAULT 0" if name in INT_FIELDS else "TEXT NOT NULL DEFAULT ''"
    return f"{name} {kind}"


#: Version 1: the schema every store had before versions were kept (user_version 0).
#: Frozen: a later change is a new step, never an edit here.
SCHEMA_V1 = (
    f"""CREATE TABLE IF NOT EXISTS accounts (
    uin INTEGER PRIMARY KEY,
    password_hash TEXT NOT NULL,
    auth INTEGER NOT NULL DEFAULT 0,
    searchable INTEGER NOT NULL DEFAULT 1,
    created INTEGER NOT NULL,
    {", ".join(_column(name) for name in PROFILE_FIELDS)}
)""",
    "CREATE INDEX IF NOT EXISTS accounts_search_pv"
    " ON accounts (searchable, province, age, sex, uin)",
    "CREATE INDEX IF NOT EXISTS accounts_search_ag ON accounts (searchable, age, sex, uin)",
    """CREATE TABLE IF NOT EXISTS buddies (
    owner INTEGER NOT NULL,
    buddy INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (owner, buddy)
) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS buddies_order ON buddies (owner, position)",
    "CREATE INDEX IF NOT EXISTS buddies_reverse ON buddies (buddy, owner)",
    """CREATE TABLE IF NOT EXISTS requests (
    requester INTEGER NOT NULL,
    target INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (requester, target)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    text TEXT NOT NULL,
    time INTEGER NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS messages_queue ON messages (recipient, id)",
)


def _to_v1(db: sqlite3.Connection) -> None:
    for statement in SCHEMA_V1:
        db.execute(statement)


#: Version 1's message codes (the classic MT values) by their version-2 names.
_V1_KINDS = {2: "add_request", 3: "request_approved", 4: "request_refused", 9: "text"}
#: Version 1 queued status changes as MT=99 rows; version 2 keeps presence in memory.
_V1_STATUS = 99


def content_json(parts: tuple[str | Face, ...]) -> str:
    """Content as stored: a JSON array of strings and {"face": id} objects."""
    return json.dumps(
        [{"face": p.id} if isinstance(p, Face) else p for p in parts],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def v1_message_to_v2(message_id: int, code: int, text: str) -> tuple[str, str] | None:
    """A version-1 message row's kind and content as version 2 keeps them; None for a
    status row (dropped, see _to_v2). Shared with the PostgreSQL store's step."""
    if code == _V1_STATUS:
        return None
    kind = _V1_KINDS.get(code)
    if kind is None:
        raise StoreError(f"message {message_id} has an unknown kind {code}")
    parts = parse_text(text) if kind == "text" else ((text,) if text else ())
    return kind, content_json(parts)


_MESSAGES_V2 = """CREATE TABLE {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    conversation_kind TEXT NOT NULL,
    conversation_number INTEGER NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    time INTEGER NOT NULL
)"""


#: Version 3: groups and discussions (one number sequence for both, from 100000, kept as
#: rooms' AUTOINCREMENT), their members, the messages said in them (ids from the
#: messages' sequence, see SqliteStore.reserve_message_ids: the AUTOINCREMENT only
#: remembers the largest), remarks, and pending web sign-ins. Frozen, as SCHEMA_V1.
SCHEMA_V3 = (
    """CREATE TABLE rooms (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    owner INTEGER,
    memo TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL
)""",
    "INSERT INTO sqlite_sequence (name, seq) VALUES ('rooms', 99999)",
    """CREATE TABLE room_members (
    number INTEGER NOT NULL,
    uin INTEGER NOT NULL,
    card TEXT NOT NULL DEFAULT '',
    joined INTEGER NOT NULL,
    PRIMARY KEY (number, uin)
) WITHOUT ROWID""",
    "CREATE INDEX room_members_of ON room_members (uin, number)",
    """CREATE TABLE room_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_kind TEXT NOT NULL,
    conversation_number INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    content TEXT NOT NULL,
    time INTEGER NOT NULL
)""",
    "CREATE INDEX room_messages_history ON room_messages (conversation_number, id)",
    """CREATE TABLE remarks (
    owner INTEGER NOT NULL,
    buddy INTEGER NOT NULL,
    remark TEXT NOT NULL,
    PRIMARY KEY (owner, buddy)
) WITHOUT ROWID""",
    """CREATE TABLE web_logins (
    code TEXT PRIMARY KEY,
    token INTEGER NOT NULL,
    created INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    uin INTEGER
) WITHOUT ROWID""",
    "CREATE INDEX web_logins_token ON web_logins (token, created)",
)


def _create_latest(db: sqlite3.Connection) -> None:
    """A new file gets the latest schema at once (no dropped tables leave free pages)."""
    for statement in SCHEMA_V1:
        if "messages" not in statement:
            db.execute(statement)
    db.execute(_MESSAGES_V2.format(name="messages"))
    db.execute("CREATE INDEX messages_queue ON messages (recipient, id)")
    _to_v3(db)
    _sent_ids_and_privacy(db)
    _to_v5(db)


def _to_v2(db: sqlite3.Connection) -> None:
    """Messages keyed by conversation and holding content parts; no status rows.

    A row is one recipient's copy: a buddy message names the sender's number as its
    conversation; a group or discussion message is fanned out as one row per member
    naming the group, the author in ``sender`` (a group's own history will be a table
    of its own, not these per-recipient queues). Text moves from the classic text
    form to parts (``/微笑`` becomes a face), which renders back to the same text.
    Queued MT=99 status rows are dropped: version 1 itself deleted them at the
    recipient's next login, before anything was fetched, and a store is only
    migrated when it opens, before anyone can be logged in; so none of them could
    ever have been delivered (the buddy's status is read at login instead).
    """
    db.execute(_MESSAGES_V2.format(name="messages_v2"))
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name='messages'").fetchone()
    last_id = int(row[0]) if row else 0
    rows = db.execute(
        "SELECT id, recipient, sender, kind, text, time FROM messages ORDER BY id"
    ).fetchall()
    for message_id, recipient, sender, code, text, when in rows:
        converted = v1_message_to_v2(message_id, code, text)
        if converted is None:
            continue
        db.execute(
            "INSERT INTO messages_v2 (id, recipient, sender, conversation_kind,"
            " conversation_number, kind, content, time) VALUES (?, ?, ?, 'buddy', ?, ?, ?, ?)",
            (message_id, recipient, sender, sender, *converted, when),
        )
    db.execute("DROP TABLE messages")
    db.execute("ALTER TABLE messages_v2 RENAME TO messages")
    # ids are never handed out twice, not even those of dropped rows
    db.execute("DELETE FROM sqlite_sequence WHERE name IN ('messages', 'messages_v2')")
    top = db.execute("SELECT MAX(id) FROM messages").fetchone()[0] or 0
    db.execute(
        "INSERT INTO sqlite_sequence (name, seq) VALUES ('messages', ?)", (max(last_id, top),)
    )
    db.execute("CREATE INDEX messages_queue ON messages (recipient, id)")


def _to_v3(db: sqlite3.Connection) -> None:
    """Rooms, their members and messages, remarks and web sign-ins: new tables only, so
    nothing already kept changes."""
    for statement in SCHEMA_V3:
        db.execute(statement)


#: Who may see each private profile field (core.Audience), one column per field.
PRIVACY_COLUMNS = tuple(f"show_{name}" for name in PRIVATE_FIELDS)


def _sent_ids_and_privacy(db: sqlite3.Connection) -> None:
    """Client message ids already stored, and who may see each private profile field.

    ``sent_ids`` holds (sender, client id) for each CLTMSG that carried one (the CI
    extension), written in the same transaction as the message, so that a resend
    after a lost reply is stored once, even across a crash; rows older than
    SENT_IDS_KEPT are deleted as the table is written. Every existing account shows
    its private fields to everyone, as before this step (Audience.EVERYONE).
    """
    db.execute(
        """CREATE TABLE sent_ids (
    sender INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (sender, client_id)
) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX sent_ids_time ON sent_ids (time)")
    for column in PRIVACY_COLUMNS:
        db.execute(f"ALTER TABLE accounts ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")


#: Version 5: each user's buddy categories (the default one, index 0, has a row only
#: once renamed) and each buddy's category. Every buddy already kept is in the
#: default category, as every client showed them before this step.
SCHEMA_V5 = (
    """CREATE TABLE categories (
    owner INTEGER NOT NULL,
    number INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (owner, number)
) WITHOUT ROWID""",
    "ALTER TABLE buddies ADD COLUMN category INTEGER NOT NULL DEFAULT 0",
)


def _to_v5(db: sqlite3.Connection) -> None:
    """Categories: a new table and a column with a default, so nothing kept changes."""
    for statement in SCHEMA_V5:
        db.execute(statement)


def categories_in_order(rows: Sequence[Sequence[Any]]) -> list[Category]:
    """(number, name) rows in their order as categories, the default one first (it has
    a row only once renamed). Shared with the PostgreSQL store."""
    named = {int(r[0]): str(r[1]) for r in rows}
    default = Category(DEFAULT_CATEGORY, named.pop(DEFAULT_CATEGORY, ""))
    return [default, *(Category(number, name) for number, name in named.items())]


def privacy_of(values: Sequence[int]) -> ProfilePrivacy:
    """A row's PRIVACY_COLUMNS as a ProfilePrivacy (a value no release wrote: NOBODY)."""
    audiences = [_audience(int(v)) for v in values]
    return ProfilePrivacy(**dict(zip(PRIVATE_FIELDS, audiences, strict=True)))


def _audience(value: int) -> Audience:
    try:
        return Audience(value)
    except ValueError:
        return Audience.NOBODY


def privacy_values(privacy: ProfilePrivacy) -> list[int]:
    """A ProfilePrivacy as values of PRIVACY_COLUMNS, in their order."""
    return [int(getattr(privacy, name)) for name in PRIVATE_FIELDS]


#: Step n brings a file from version n-1 to version n; each runs in its own transaction.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _to_v1,
    _to_v2,
    _to_v3,
    _sent_ids_and_privacy,
    _to_v5,
]


def latest_version() -> int:
    return len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring the file up to the latest version, one transaction per step; its version.

    A file from a newer release is refused (StoreError) before anything is written;
    a step that fails is undone (the file stays at the version before it).
    """
    version = schema_version(db)
    latest = latest_version()
    if version == 0 and not db.execute("SELECT 1 FROM sqlite_master").fetchone():
        db.execute("BEGIN IMMEDIATE")
        try:
            _create_latest(db)
            db.execute(f"PRAGMA user_version={latest}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return latest
    if version > latest:
        raise StoreError(
            f"{path} has store schema version {version}, newer than this qqdesk knows"
            f" ({latest}); use the release that wrote it or a newer one"
        )
    for number in range(version + 1, latest + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version={number}")
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, StoreError):
                raise
            if isinstance(exc, Exception):
                raise StoreError(f"cannot upgrade {path} to version {number}: {exc}") from exc
            raise
    return latest
