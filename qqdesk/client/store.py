"""Local SQLite store of one account: history by conversation with full-text search,
buddy cache, requests; a schema version with ordered migrations run on open."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import platformdirs

from qqdesk.core import (
    DEFAULT_CATEGORY,
    Category,
    Content,
    Conversation,
    ConversationKind,
    Face,
    Part,
    Presence,
    parse_text,
    render_text,
)

from .errors import HistoryTooNew
from .events import DeliveryState
from .types import AddRequest, Buddy, StoredMessage

# Version 1: the schema qqdesk wrote before versions were kept (user_version 0, or 1).
_V1 = [
    """CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    peer INTEGER NOT NULL,
    outgoing INTEGER NOT NULL,
    text TEXT NOT NULL,
    time REAL NOT NULL,
    state TEXT NOT NULL,
    server_id INTEGER,
    server_time INTEGER,
    -- first part's id when a long text was split; parts fail together
    chain INTEGER
)""",
    "CREATE INDEX IF NOT EXISTS messages_by_peer ON messages (peer, id)",
    "CREATE INDEX IF NOT EXISTS messages_pending ON messages (state) WHERE state = 'pending'",
    # A server that restarts from an empty store reuses ids, so its time is part of the key.
    """CREATE UNIQUE INDEX IF NOT EXISTS messages_server_key
    ON messages (peer, server_id, server_time) WHERE server_id IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS buddies (
    uin INTEGER PRIMARY KEY,
    nick TEXT NOT NULL,
    face INTEGER NOT NULL,
    status INTEGER NOT NULL,
    position INTEGER NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS requests (
    uin INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    time REAL NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)""",
]

# Version 1 kept presence as the classic protocol's codes; version 2 in words.
_PRESENCE_OF_V1_CODE = (
    "CASE {0} WHEN 10 THEN 'online' WHEN 30 THEN 'busy' WHEN 40 THEN 'hidden' ELSE 'offline' END"
)

_V2 = [
    # Messages name their conversation (kind + number) instead of a buddy's number;
    # ``text`` stays as the plain-text form (render_text) that the FTS index reads,
    # ``content`` holds the parts as JSON, ``sender`` who wrote a group message.
    "ALTER TABLE messages RENAME COLUMN peer TO number",
    "ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'buddy'",
    "ALTER TABLE messages ADD COLUMN sender INTEGER",
    "ALTER TABLE messages ADD COLUMN content TEXT NOT NULL DEFAULT '[]'",
    "DROP INDEX IF EXISTS messages_by_peer",
    "CREATE INDEX messages_by_conversation ON messages (kind, number, id)",
    "DROP INDEX IF EXISTS messages_server_key",
    """CREATE UNIQUE INDEX messages_server_key
    ON messages (kind, number, server_id, server_time) WHERE server_id IS NOT NULL""",
    """CREATE TABLE buddies_v2 (
    uin INTEGER PRIMARY KEY,
    nick TEXT NOT NULL,
    face INTEGER NOT NULL,
    presence TEXT NOT NULL,
    position INTEGER NOT NULL
)""",
    "INSERT INTO buddies_v2 (uin, nick, face, presence, position)"
    f" SELECT uin, nick, face, {_PRESENCE_OF_V1_CODE.format('status')}, position FROM buddies",
    "DROP TABLE buddies",
    "ALTER TABLE buddies_v2 RENAME TO buddies",
    f"UPDATE settings SET value = {_PRESENCE_OF_V1_CODE.format('CAST(value AS INTEGER)')}"
    " WHERE key = 'status'",
]


def _v1(db: sqlite3.Connection) -> None:
    for statement in _V1:
        db.execute(statement)


def _v2(db: sqlite3.Connection) -> None:
    for statement in _V2:
        db.execute(statement)
    # The classic protocol's text form is the only one version 1 knew: its faces
    # (``/微笑``) become face parts.
    rows = db.execute("SELECT id, text FROM messages").fetchall()
    db.executemany(
        "UPDATE messages SET content = ? WHERE id = ?",
        [(content_json(parse_text(str(text))), int(i)) for i, text in rows],
    )


_V3 = [
    # My remark for each buddy and the category I put them in, so that the list shows
    # as I keep it at once on start (the categories' names are a setting).
    "ALTER TABLE buddies ADD COLUMN remark TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE buddies ADD COLUMN category INTEGER NOT NULL DEFAULT 0",
]


def _v3(db: sqlite3.Connection) -> None:
    for statement in _V3:
        db.execute(statement)


#: Step n brings a file from version n-1 to n, in one transaction.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]


def schema_version() -> int:
    """The version this code writes."""
    return len(MIGRATIONS)


# Trigram tokens find any substring of 3+ characters, Chinese included.
_FTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts
    USING fts5(text, content='messages', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END""",
]

_COLUMNS = ("id", "kind", "number", "outgoing", "content", "time", "state", "server_id", "sender")
_SELECT = ", ".join(_COLUMNS)
_SELECT_M = ", ".join("m." + c for c in _COLUMNS)


def default_path(uin: int) -> Path:
    """Where an account's history lives unless told otherwise."""
    base = Path(platformdirs.user_data_dir("qqdesk"))
    return base / "accounts" / str(uin) / "history.sqlite3"


def _fts5_available() -> bool:
    try:
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        finally:
            probe.close()
    except sqlite3.OperationalError:
        return False
    return True


def content_json(content: Content) -> str:
    """Content as stored: ``["text", {"face": 14}]``."""
    return json.dumps(
        [part if isinstance(part, str) else {"face": part.id} for part in content],
        ensure_ascii=False,
    )


def content_from_json(stored: str) -> Content:
    parts: list[Part] = []
    for item in json.loads(stored):
        parts.append(item if isinstance(item, str) else Face(int(item["face"])))
    return tuple(parts)


def _row(row: Sequence[object]) -> StoredMessage:
    local_id, kind, number, outgoing, content, when, state, server_id, sender = row
    return StoredMessage(
        local_id=int(local_id),  # type: ignore[call-overload]
        conversation=Conversation(ConversationKind(kind), int(number)),  # type: ignore[call-overload]
        outgoing=bool(outgoing),
        content=content_from_json(str(content)),
        time=float(when),  # type: ignore[arg-type]
        state=DeliveryState(state),
        server_id=None if server_id is None else int(server_id),  # type: ignore[call-overload]
        sender=None if sender is None else int(sender),  # type: ignore[call-overload]
    )


def _presence(value: object) -> Presence:
    try:
        return Presence(value)
    except ValueError:
        return Presence.OFFLINE


class HistoryStore:
    """One account's local data in one SQLite file (WAL), used from one thread.

    Pages of history are read by the ``(kind, number, id)`` index, so 100k
    messages never load at once. Opening a file of an older schema version
    migrates it; a file of a newer version is refused (HistoryTooNew).
    """

    def __init__(self, path: str | os.PathLike[str], *, full_text: bool | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._migrate()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            wanted = _fts5_available() if full_text is None else full_text
            self.full_text = wanted
            if wanted:
                self._add_full_text()
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def for_account(cls, uin: int) -> HistoryStore:
        return cls(default_path(uin))

    def close(self) -> None:
        self._db.close()

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.version
        if version > schema_version():
            raise HistoryTooNew(str(self.path), version, schema_version())
        if version == 0 and self._has_table("messages"):
            # Files from before versions were kept say 0; they are version 1.
            version = 1
        for number in range(version + 1, schema_version() + 1):
            with self._transaction():
                MIGRATIONS[number - 1](self._db)
                self._db.execute(f"PRAGMA user_version = {number}")

    def _has_table(self, name: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def _add_full_text(self) -> None:
        with self._transaction():
            new = not self._has_table("messages_fts")
            for statement in _FTS:
                self._db.execute(statement)
            if new:
                # Messages kept while the index was missing are indexed too.
                self._db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")

    # -- messages ---------------------------------------------------------------

    def add_incoming(
        self,
        conversation: Conversation,
        content: Content,
        when: float,
        *,
        sender: int | None = None,
        server_id: int | None = None,
        server_time: int | None = None,
    ) -> int | None:
        """Store a received message; None when the server delivered it before."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO messages (kind, number, sender, outgoing, text, content,"
            " time, state, server_id, server_time) VALUES (?, ?, ?, 0, ?, ?, ?, 'sent', ?, ?)",
            (
                conversation.kind.value,
                conversation.number,
                None if conversation.is_buddy else sender,
                render_text(content),
                content_json(content),
                when,
                server_id,
                server_time if server_id is not None else None,
            ),
        )
        return cursor.lastrowid if cursor.rowcount else None

    def add_outgoing(
        self, conversation: Conversation, parts: Sequence[Content], when: float | None = None
    ) -> list[int]:
        """Store the parts of an outgoing message as pending, in order, in one transaction."""
        when = time.time() if when is None else when
        ids: list[int] = []
        with self._transaction():
            for content in parts:
                cursor = self._db.execute(
                    "INSERT INTO messages (kind, number, outgoing, text, content, time, state,"
                    " chain) VALUES (?, ?, 1, ?, ?, ?, 'pending', ?)",
                    (
                        conversation.kind.value,
                        conversation.number,
                        render_text(content),
                        content_json(content),
                        when,
                        ids[0] if ids else None,
                    ),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
            if len(ids) > 1:
                self._db.execute("UPDATE messages SET chain = ? WHERE id = ?", (ids[0], ids[0]))
        return ids

    def set_state(self, local_id: int, state: DeliveryState) -> None:
        self._db.execute("UPDATE messages SET state = ? WHERE id = ?", (state.value, local_id))

    def message(self, local_id: int) -> StoredMessage | None:
        row = self._db.execute(
            f"SELECT {_SELECT} FROM messages WHERE id = ?", (local_id,)
        ).fetchone()
        return None if row is None else _row(row)

    def chain_after(self, local_id: int) -> list[StoredMessage]:
        """The later parts of the long text that ``local_id`` belongs to."""
        rows = self._db.execute(
            f"SELECT {_SELECT} FROM messages WHERE chain = "
            "(SELECT chain FROM messages WHERE id = ?) AND id > ? ORDER BY id",
            (local_id, local_id),
        ).fetchall()
        return [_row(r) for r in rows]

    def chain_of(self, local_id: int) -> list[StoredMessage]:
        """Every part of the long text that ``local_id`` belongs to (just it when unsplit)."""
        rows = self._db.execute(
            f"SELECT {_SELECT} FROM messages WHERE chain = "
            "(SELECT chain FROM messages WHERE id = ?) ORDER BY id",
            (local_id,),
        ).fetchall()
        if rows:
            return [_row(r) for r in rows]
        one = self.message(local_id)
        return [] if one is None else [one]

    def pending(self) -> list[StoredMessage]:
        """Outgoing messages not yet accepted by the server, oldest first."""
        rows = self._db.execute(
            f"SELECT {_SELECT} FROM messages WHERE state = 'pending' ORDER BY id"
        ).fetchall()
        return [_row(r) for r in rows]

    def history(
        self, conversation: Conversation, before_id: int | None = None, limit: int = 50
    ) -> list[StoredMessage]:
        """A page of ``conversation``, newest first, older than ``before_id``."""
        key = (conversation.kind.value, conversation.number)
        if before_id is None:
            rows = self._db.execute(
                f"SELECT {_SELECT} FROM messages WHERE kind = ? AND number = ?"
                " ORDER BY id DESC LIMIT ?",
                (*key, limit),
            ).fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {_SELECT} FROM messages WHERE kind = ? AND number = ? AND id < ?"
                " ORDER BY id DESC LIMIT ?",
                (*key, before_id, limit),
            ).fetchall()
        return [_row(r) for r in rows]

    def newest_room_message(self) -> int | None:
        """The server id of the newest group or discussion message kept (None: none yet),
        so that a sign-in is given what came after it."""
        row = self._db.execute(
            "SELECT MAX(server_id) FROM messages WHERE kind != 'buddy' AND outgoing = 0"
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def count(self, conversation: Conversation | None = None) -> int:
        if conversation is None:
            row = self._db.execute("SELECT COUNT(*) FROM messages").fetchone()
        else:
            row = self._db.execute(
                "SELECT COUNT(*) FROM messages WHERE kind = ? AND number = ?",
                (conversation.kind.value, conversation.number),
            ).fetchone()
        return int(row[0])

    def search(
        self, text: str, conversation: Conversation | None = None, limit: int = 100
    ) -> list[StoredMessage]:
        """Messages containing ``text`` (case-insensitive for Latin letters), newest first."""
        text = text.strip()
        if not text:
            return []
        where = "" if conversation is None else " AND m.kind = ? AND m.number = ?"
        extra: tuple[object, ...] = (
            () if conversation is None else (conversation.kind.value, conversation.number)
        )
        if self.full_text and len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            sql = (
                f"SELECT {_SELECT_M} FROM messages_fts f JOIN messages m ON m.id = f.rowid"
                f" WHERE messages_fts MATCH ?{where} ORDER BY m.id DESC LIMIT ?"
            )
            rows = self._db.execute(sql, (phrase, *extra, limit)).fetchall()
        else:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql = (
                f"SELECT {_SELECT_M} FROM messages m WHERE m.text LIKE ? ESCAPE '\\'"
                f"{where} ORDER BY m.id DESC LIMIT ?"
            )
            rows = self._db.execute(sql, (pattern, *extra, limit)).fetchall()
        return [_row(r) for r in rows]

    # -- buddies, status, requests -------------------------------------------------

    def buddies(self) -> list[Buddy]:
        """The buddy list as last seen, so it shows at once on start."""
        rows = self._db.execute(
            "SELECT uin, nick, face, presence, remark, category FROM buddies ORDER BY position"
        ).fetchall()
        return [
            Buddy(int(u), str(n), int(f), _presence(p), str(r), int(c)) for u, n, f, p, r, c in rows
        ]

    def save_buddies(self, buddies: Iterable[Buddy]) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM buddies")
            self._db.executemany(
                "INSERT OR REPLACE INTO buddies"
                " (uin, nick, face, presence, position, remark, category)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (b.uin, b.nick, b.face, b.status.value, i, b.remark, b.category)
                    for i, b in enumerate(buddies)
                ],
            )

    def categories(self) -> list[Category]:
        """My buddy categories as last seen, in their order (the default one if none)."""
        kept = self._setting("categories")
        try:
            pairs = json.loads(kept) if kept else []
            found = [Category(int(i), str(n)) for i, n in pairs]
        except (ValueError, TypeError):
            found = []  # a damaged setting: the list shows without categories until read
        return found or [Category(DEFAULT_CATEGORY)]

    def save_categories(self, categories: Iterable[Category]) -> None:
        pairs = [[c.index, c.name] for c in categories]
        self._set_setting("categories", json.dumps(pairs, ensure_ascii=False))

    def put_buddy(self, buddy: Buddy) -> None:
        self._db.execute(
            "INSERT INTO buddies (uin, nick, face, presence, position)"
            " VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM buddies))"
            " ON CONFLICT (uin) DO UPDATE SET nick = excluded.nick, face = excluded.face,"
            " presence = excluded.presence",
            (buddy.uin, buddy.nick, buddy.face, buddy.status.value),
        )

    def set_buddy_status(self, uin: int, status: Presence) -> None:
        self._db.execute("UPDATE buddies SET presence = ? WHERE uin = ?", (status.value, uin))

    def remove_buddy(self, uin: int) -> None:
        self._db.execute("DELETE FROM buddies WHERE uin = ?", (uin,))

    def last_status(self) -> Presence | None:
        value = self._setting("status")
        return None if value is None else _presence(value)

    def set_last_status(self, status: Presence) -> None:
        self._set_setting("status", status.value)

    def add_request(self, uin: int, reason: str, when: float | None = None) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO requests (uin, reason, time) VALUES (?, ?, ?)",
            (uin, reason, time.time() if when is None else when),
        )

    def remove_request(self, uin: int) -> None:
        self._db.execute("DELETE FROM requests WHERE uin = ?", (uin,))

    def requests(self) -> list[AddRequest]:
        rows = self._db.execute("SELECT uin, reason, time FROM requests ORDER BY time").fetchall()
        return [AddRequest(int(u), str(r), float(t)) for u, r, t in rows]

    # -- helpers -------------------------------------------------------------------

    def _setting(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_setting(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
