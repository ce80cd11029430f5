"""Local SQLite store of one account: history with full-text search, buddy cache, requests."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import platformdirs

from qqdesk.protocol.classic import Status

from .events import DeliveryState
from .types import AddRequest, Buddy, StoredMessage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
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
);
CREATE INDEX IF NOT EXISTS messages_by_peer ON messages (peer, id);
CREATE INDEX IF NOT EXISTS messages_pending ON messages (state) WHERE state = 'pending';
-- a server that restarts from an empty store reuses ids, so its time is part of the key
CREATE UNIQUE INDEX IF NOT EXISTS messages_server_key
    ON messages (peer, server_id, server_time) WHERE server_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS buddies (
    uin INTEGER PRIMARY KEY,
    nick TEXT NOT NULL,
    face INTEGER NOT NULL,
    status INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    uin INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Trigram tokens find any substring of 3+ characters, Chinese included.
_FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts
    USING fts5(text, content='messages', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

_COLUMNS = "id, peer, outgoing, text, time, state, server_id"


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


def _row(row: Sequence[object]) -> StoredMessage:
    local_id, peer, outgoing, text, when, state, server_id = row
    return StoredMessage(
        local_id=int(local_id),  # type: ignore[call-overload]
        peer=int(peer),  # type: ignore[call-overload]
        outgoing=bool(outgoing),
        text=str(text),
        time=float(when),  # type: ignore[arg-type]
        state=DeliveryState(state),
        server_id=None if server_id is None else int(server_id),  # type: ignore[call-overload]
    )


class HistoryStore:
    """One account's local data in one SQLite file (WAL), used from one thread.

    Pages of history are read by the ``(peer, id)`` index, so 100k messages
    never load at once.
    """

    def __init__(self, path: str | os.PathLike[str], *, full_text: bool | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        wanted = _fts5_available() if full_text is None else full_text
        self.full_text = wanted
        if wanted:
            self._db.executescript(_FTS_SCHEMA)

    @classmethod
    def for_account(cls, uin: int) -> HistoryStore:
        return cls(default_path(uin))

    def close(self) -> None:
        self._db.close()

    # -- messages ---------------------------------------------------------------

    def add_incoming(
        self,
        peer: int,
        text: str,
        when: float,
        *,
        server_id: int | None = None,
        server_time: int | None = None,
    ) -> int | None:
        """Store a received message; None when the server delivered it before."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO messages"
            " (peer, outgoing, text, time, state, server_id, server_time)"
            " VALUES (?, 0, ?, ?, 'sent', ?, ?)",
            (peer, text, when, server_id, server_time if server_id is not None else None),
        )
        return cursor.lastrowid if cursor.rowcount else None

    def add_outgoing(self, peer: int, parts: Sequence[str], when: float | None = None) -> list[int]:
        """Store the parts of an outgoing text as pending, in order, in one transaction."""
        when = time.time() if when is None else when
        ids: list[int] = []
        with self._transaction():
            for text in parts:
                cursor = self._db.execute(
                    "INSERT INTO messages (peer, outgoing, text, time, state, chain)"
                    " VALUES (?, 1, ?, ?, 'pending', ?)",
                    (peer, text, when, ids[0] if ids else None),
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
            f"SELECT {_COLUMNS} FROM messages WHERE id = ?", (local_id,)
        ).fetchone()
        return None if row is None else _row(row)

    def chain_after(self, local_id: int) -> list[StoredMessage]:
        """The later parts of the long text that ``local_id`` belongs to."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE chain = "
            "(SELECT chain FROM messages WHERE id = ?) AND id > ? ORDER BY id",
            (local_id, local_id),
        ).fetchall()
        return [_row(r) for r in rows]

    def chain_of(self, local_id: int) -> list[StoredMessage]:
        """Every part of the long text that ``local_id`` belongs to (just it when unsplit)."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM messages WHERE chain = "
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
            f"SELECT {_COLUMNS} FROM messages WHERE state = 'pending' ORDER BY id"
        ).fetchall()
        return [_row(r) for r in rows]

    def history(
        self, peer: int, before_id: int | None = None, limit: int = 50
    ) -> list[StoredMessage]:
        """A page of the conversation with ``peer``, newest first, older than ``before_id``."""
        if before_id is None:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE peer = ? ORDER BY id DESC LIMIT ?",
                (peer, limit),
            ).fetchall()
        else:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE peer = ? AND id < ?"
                " ORDER BY id DESC LIMIT ?",
                (peer, before_id, limit),
            ).fetchall()
        return [_row(r) for r in rows]

    def count(self, peer: int | None = None) -> int:
        if peer is None:
            row = self._db.execute("SELECT COUNT(*) FROM messages").fetchone()
        else:
            row = self._db.execute(
                "SELECT COUNT(*) FROM messages WHERE peer = ?", (peer,)
            ).fetchone()
        return int(row[0])

    def search(self, text: str, peer: int | None = None, limit: int = 100) -> list[StoredMessage]:
        """Messages containing ``text`` (case-insensitive for Latin letters), newest first."""
        text = text.strip()
        if not text:
            return []
        where_peer = "" if peer is None else " AND m.peer = ?"
        extra: tuple[object, ...] = () if peer is None else (peer,)
        if self.full_text and len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            sql = (
                f"SELECT {', '.join('m.' + c.strip() for c in _COLUMNS.split(','))}"
                " FROM messages_fts f JOIN messages m ON m.id = f.rowid"
                f" WHERE messages_fts MATCH ?{where_peer} ORDER BY m.id DESC LIMIT ?"
            )
            rows = self._db.execute(sql, (phrase, *extra, limit)).fetchall()
        else:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql = (
                f"SELECT {_COLUMNS} FROM messages m WHERE text LIKE ? ESCAPE '\\'"
                f"{where_peer} ORDER BY id DESC LIMIT ?"
            )
            rows = self._db.execute(sql, (pattern, *extra, limit)).fetchall()
        return [_row(r) for r in rows]

    # -- buddies, status, requests -------------------------------------------------

    def buddies(self) -> list[Buddy]:
        """The buddy list as last seen, so it shows at once on start."""
        rows = self._db.execute(
            "SELECT uin, nick, face, status FROM buddies ORDER BY position"
        ).fetchall()
        return [Buddy(int(u), str(n), int(f), _status(int(s))) for u, n, f, s in rows]

    def save_buddies(self, buddies: Iterable[Buddy]) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM buddies")
            self._db.executemany(
                "INSERT OR REPLACE INTO buddies (uin, nick, face, status, position)"
                " VALUES (?, ?, ?, ?, ?)",
                [(b.uin, b.nick, b.face, int(b.status), i) for i, b in enumerate(buddies)],
            )

    def put_buddy(self, buddy: Buddy) -> None:
        self._db.execute(
            "INSERT INTO buddies (uin, nick, face, status, position)"
            " VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM buddies))"
            " ON CONFLICT (uin) DO UPDATE SET nick = excluded.nick, face = excluded.face,"
            " status = excluded.status",
            (buddy.uin, buddy.nick, buddy.face, int(buddy.status)),
        )

    def set_buddy_status(self, uin: int, status: Status) -> None:
        self._db.execute("UPDATE buddies SET status = ? WHERE uin = ?", (int(status), uin))

    def remove_buddy(self, uin: int) -> None:
        self._db.execute("DELETE FROM buddies WHERE uin = ?", (uin,))

    def last_status(self) -> Status | None:
        value = self._setting("status")
        return None if value is None else _status(int(value))

    def set_last_status(self, status: Status) -> None:
        self._set_setting("status", str(int(status)))

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
        self._db.execute("BEGIN")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def _status(value: int) -> Status:
    try:
        return Status(value)
    except ValueError:
        return Status.OFFLINE
