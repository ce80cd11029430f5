"""Durable server state (accounts, buddy lists, requests, queued messages) behind an interface."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qqdesk.protocol import (
    MIN_UIN,
    AuthMode,
    BloodType,
    Constellation,
    MessageType,
    Profile,
    Sex,
    Zodiac,
)


class StoreError(Exception):
    """The store cannot be opened or used."""


@dataclass(frozen=True)
class Account:
    """An account as the service sees it: profile, auth mode and search opt-in."""

    profile: Profile
    auth: AuthMode
    searchable: bool


@dataclass(frozen=True)
class StoredMessage:
    """A message waiting for its recipient."""

    id: int
    recipient: int
    sender: int
    kind: int
    text: str
    time: int


#: Profile attributes kept as integers (the rest are text).
_INT_FIELDS = {"face", "age", "sex", "blood_type", "constellation", "zodiac"}
_ENUMS: dict[str, type[int]] = {
    "sex": Sex,
    "blood_type": BloodType,
    "constellation": Constellation,
    "zodiac": Zodiac,
}
#: Every Profile field but uin, in column order.
PROFILE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Profile) if f.name != "uin"
)


#: scrypt's cost (CPU and memory); stored with each hash, so it can change later.
SCRYPT_N = 2**14


def hash_password(password_md5: str, *, salt: bytes | None = None, n: int = SCRYPT_N) -> str:
    """A salted scrypt hash of the lower-case MD5 hex the protocol sends."""
    salt = os.urandom(16) if salt is None else salt
    r, p = 8, 1
    digest = hashlib.scrypt(
        password_md5.strip().lower().encode("ascii", "replace"), salt=salt, n=n, r=r, p=p
    )
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password_md5: str, stored: str) -> bool:
    """True when the MD5 hex (either case) matches a stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password_md5.strip().lower().encode("ascii", "replace"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def md5_hex(password: str) -> str:
    """What a classic client sends as PS for a plain-text password."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()


class Store(Protocol):
    """What the service needs from storage; every method is one short transaction."""

    def close(self) -> None: ...

    # accounts
    def create_account(
        self,
        uin: int | None,
        password_hash: str,
        profile: Profile,
        auth: AuthMode,
        searchable: bool,
    ) -> int: ...
    def account(self, uin: int) -> Account | None: ...
    def password_hash(self, uin: int) -> str | None: ...
    def set_password_hash(self, uin: int, password_hash: str) -> bool: ...
    def update_account(
        self, uin: int, fields: dict[str, Any], auth: AuthMode | None, searchable: bool | None
    ) -> bool: ...
    def list_accounts(self) -> list[Account]: ...
    def search(
        self, exclude: int, age: int, sex: int | None, province: str, offset: int, limit: int
    ) -> list[Account]: ...

    # buddy lists
    def buddies(self, owner: int, offset: int = 0, limit: int = -1) -> list[int]: ...
    def buddy_count(self, owner: int) -> int: ...
    def buddies_with_faces(self, owner: int) -> list[tuple[int, str, int]]: ...
    def watchers(self, uin: int) -> list[int]: ...
    def add_buddy(self, owner: int, buddy: int) -> bool: ...
    def remove_buddy(self, owner: int, buddy: int) -> bool: ...

    # add requests
    def put_request(self, requester: int, target: int, reason: str) -> None: ...
    def take_request(self, requester: int, target: int) -> str | None: ...

    # messages
    def enqueue(self, messages: Sequence[tuple[int, int, int, str]]) -> list[int]: ...
    def pending(self, recipient: int, limit: int) -> list[StoredMessage]: ...
    def delete_upto(self, recipient: int, last_id: int) -> None: ...
    def ack_and_fetch(self, recipient: int, ack: int | None, limit: int) -> list[StoredMessage]: ...
    def deliver_and_delete(self, recipient: int, limit: int) -> list[StoredMessage]: ...
    def drop_kind(self, recipient: int, kind: int) -> None: ...


def _column(name: str) -> str:
    kind = "INTEGER NOT NULL DEFAULT 0" if name in _INT_FIELDS else "TEXT NOT NULL DEFAULT ''"
    return f"{name} {kind}"


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS accounts (
    uin INTEGER PRIMARY KEY,
    password_hash TEXT NOT NULL,
    auth INTEGER NOT NULL DEFAULT 0,
    searchable INTEGER NOT NULL DEFAULT 1,
    created INTEGER NOT NULL,
    {", ".join(_column(name) for name in PROFILE_FIELDS)}
);
CREATE INDEX IF NOT EXISTS accounts_search_pv ON accounts (searchable, province, age, sex, uin);
CREATE INDEX IF NOT EXISTS accounts_search_ag ON accounts (searchable, age, sex, uin);
CREATE TABLE IF NOT EXISTS buddies (
    owner INTEGER NOT NULL,
    buddy INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (owner, buddy)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS buddies_order ON buddies (owner, position);
CREATE INDEX IF NOT EXISTS buddies_reverse ON buddies (buddy, owner);
CREATE TABLE IF NOT EXISTS requests (
    requester INTEGER NOT NULL,
    target INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (requester, target)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    text TEXT NOT NULL,
    time INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_queue ON messages (recipient, id);
"""

_ACCOUNT_COLUMNS = "uin, auth, searchable, " + ", ".join(PROFILE_FIELDS)


def _account(row: sqlite3.Row) -> Account:
    values: dict[str, Any] = {"uin": row["uin"]}
    for name in PROFILE_FIELDS:
        value = row[name]
        enum_type = _ENUMS.get(name)
        if enum_type is not None:
            try:
                value = enum_type(value)
            except ValueError:
                value = enum_type(0)
        values[name] = value
    auth = AuthMode(row["auth"]) if row["auth"] in (0, 1, 2, 3) else AuthMode.NOBODY
    return Account(profile=Profile(**values), auth=auth, searchable=bool(row["searchable"]))


def normalize_profile_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check profile keyword arguments and convert them to column values."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"unknown profile field {name!r}")
        if name in _INT_FIELDS:
            number = int(value)
            if number < 0:
                raise ValueError(f"{name} must not be negative")
            enum_type = _ENUMS.get(name)
            if enum_type is not None:
                enum_type(number)  # raises ValueError when out of range
            out[name] = number
        else:
            out[name] = str(value)
    return out


class SqliteStore:
    """The store in one SQLite file: WAL, ``synchronous=FULL``; nothing acknowledged is lost.

    Safe to call from several threads (one connection behind a lock); every
    method is a single short transaction on indexed columns.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db: sqlite3.Connection | None = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=OFF")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    # -- plumbing --

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the store is closed")
        return self._db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @property
    def closed(self) -> bool:
        return self._db is None

    # -- accounts --

    def create_account(
        self,
        uin: int | None,
        password_hash: str,
        profile: Profile,
        auth: AuthMode,
        searchable: bool,
    ) -> int:
        values = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        values = {k: int(v) if k in _INT_FIELDS else v for k, v in values.items()}
        with self._tx() as db:
            if uin is None:
                row = db.execute("SELECT MAX(uin) FROM accounts").fetchone()
                uin = max(MIN_UIN, (row[0] or 0) + 1)
            elif db.execute("SELECT 1 FROM accounts WHERE uin=?", (uin,)).fetchone():
                raise ValueError(f"account {uin} already exists")
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            db.execute(
                f"INSERT INTO accounts (uin, password_hash, auth, searchable, created, {columns})"
                f" VALUES (?, ?, ?, ?, ?, {marks})",
                (
                    uin,
                    password_hash,
                    int(auth),
                    int(searchable),
                    int(time.time()),
                    *values.values(),
                ),
            )
        return uin

    def account(self, uin: int) -> Account | None:
        rows = self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE uin=?", (uin,))
        return _account(rows[0]) if rows else None

    def password_hash(self, uin: int) -> str | None:
        rows = self._query("SELECT password_hash FROM accounts WHERE uin=?", (uin,))
        return str(rows[0][0]) if rows else None

    def set_password_hash(self, uin: int, password_hash: str) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE accounts SET password_hash=? WHERE uin=?", (password_hash, uin)
            )
            return cur.rowcount > 0

    def update_account(
        self,
        uin: int,
        fields: dict[str, Any],
        auth: AuthMode | None = None,
        searchable: bool | None = None,
    ) -> bool:
        values = dict(normalize_profile_fields(fields))
        if auth is not None:
            values["auth"] = int(auth)
        if searchable is not None:
            values["searchable"] = int(searchable)
        with self._tx() as db:
            if not values:
                return (
                    db.execute("SELECT 1 FROM accounts WHERE uin=?", (uin,)).fetchone() is not None
                )
            sets = ", ".join(f"{k}=?" for k in values)
            cur = db.execute(f"UPDATE accounts SET {sets} WHERE uin=?", (*values.values(), uin))
            return cur.rowcount > 0

    def list_accounts(self) -> list[Account]:
        rows = self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY uin")
        return [_account(r) for r in rows]

    def search(
        self, exclude: int, age: int, sex: int | None, province: str, offset: int, limit: int
    ) -> list[Account]:
        where = ["searchable=1", "uin<>?"]
        args: list[object] = [exclude]
        if province:
            where.append("province=?")
            args.append(province)
        if age:
            where.append("age=?")
            args.append(age)
        if sex is not None:
            where.append("sex=?")
            args.append(sex)
        rows = self._query(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {' AND '.join(where)}"
            " ORDER BY uin LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [_account(r) for r in rows]

    # -- buddy lists --

    def buddies(self, owner: int, offset: int = 0, limit: int = -1) -> list[int]:
        rows = self._query(
            "SELECT buddy FROM buddies WHERE owner=? ORDER BY position LIMIT ? OFFSET ?",
            (owner, limit, offset),
        )
        return [int(r[0]) for r in rows]

    def buddy_count(self, owner: int) -> int:
        return int(self._query("SELECT COUNT(*) FROM buddies WHERE owner=?", (owner,))[0][0])

    def buddies_with_faces(self, owner: int) -> list[tuple[int, str, int]]:
        rows = self._query(
            "SELECT b.buddy, a.nick, a.face FROM buddies b JOIN accounts a ON a.uin=b.buddy"
            " WHERE b.owner=? ORDER BY b.position",
            (owner,),
        )
        return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    def watchers(self, uin: int) -> list[int]:
        return [int(r[0]) for r in self._query("SELECT owner FROM buddies WHERE buddy=?", (uin,))]

    def add_buddy(self, owner: int, buddy: int) -> bool:
        with self._tx() as db:
            if db.execute(
                "SELECT 1 FROM buddies WHERE owner=? AND buddy=?", (owner, buddy)
            ).fetchone():
                return False
            row = db.execute("SELECT MAX(position) FROM buddies WHERE owner=?", (owner,)).fetchone()
            position = (row[0] if row[0] is not None else -1) + 1
            db.execute(
                "INSERT INTO buddies (owner, buddy, position) VALUES (?, ?, ?)",
                (owner, buddy, position),
            )
            return True

    def remove_buddy(self, owner: int, buddy: int) -> bool:
        with self._tx() as db:
            cur = db.execute("DELETE FROM buddies WHERE owner=? AND buddy=?", (owner, buddy))
            return cur.rowcount > 0

    # -- add requests --

    def put_request(self, requester: int, target: int, reason: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO requests (requester, target, reason, created)"
                " VALUES (?, ?, ?, ?)",
                (requester, target, reason, int(time.time())),
            )

    def take_request(self, requester: int, target: int) -> str | None:
        with self._tx() as db:
            row = db.execute(
                "DELETE FROM requests WHERE requester=? AND target=? RETURNING reason",
                (requester, target),
            ).fetchone()
            return None if row is None else str(row[0])

    # -- messages --

    def enqueue(self, messages: Sequence[tuple[int, int, int, str]]) -> list[int]:
        """Queue (recipient, sender, kind, text) messages; returns their ids once durable."""
        now = int(time.time())
        ids: list[int] = []
        with self._tx() as db:
            for recipient, sender, kind, text in messages:
                cur = db.execute(
                    "INSERT INTO messages (recipient, sender, kind, text, time)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (recipient, sender, int(kind), text, now),
                )
                ids.append(int(cur.lastrowid or 0))
        return ids

    def pending(self, recipient: int, limit: int) -> list[StoredMessage]:
        rows = self._query(
            "SELECT id, recipient, sender, kind, text, time FROM messages"
            " WHERE recipient=? ORDER BY id LIMIT ?",
            (recipient, limit),
        )
        return [StoredMessage(*r) for r in rows]

    def delete_upto(self, recipient: int, last_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM messages WHERE recipient=? AND id<=?", (recipient, last_id))

    def ack_and_fetch(self, recipient: int, ack: int | None, limit: int) -> list[StoredMessage]:
        """Forget messages up to ``ack`` (if given), then the oldest ``limit`` still queued."""
        with self._tx() as db:
            if ack is not None:
                db.execute("DELETE FROM messages WHERE recipient=? AND id<=?", (recipient, ack))
            rows = db.execute(
                "SELECT id, recipient, sender, kind, text, time FROM messages"
                " WHERE recipient=? ORDER BY id LIMIT ?",
                (recipient, limit),
            ).fetchall()
        return [StoredMessage(*r) for r in rows]

    def deliver_and_delete(self, recipient: int, limit: int) -> list[StoredMessage]:
        """Legacy delivery: the oldest ``limit`` messages, gone from the queue."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, recipient, sender, kind, text, time FROM messages"
                " WHERE recipient=? ORDER BY id LIMIT ?",
                (recipient, limit),
            ).fetchall()
            if rows:
                db.execute(
                    "DELETE FROM messages WHERE recipient=? AND id<=?", (recipient, rows[-1][0])
                )
        return [StoredMessage(*r) for r in rows]

    def drop_kind(self, recipient: int, kind: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM messages WHERE recipient=? AND kind=?", (recipient, kind))


__all__ = [
    "PROFILE_FIELDS",
    "Account",
    "MessageType",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredMessage",
    "check_password",
    "hash_password",
    "md5_hex",
    "normalize_profile_fields",
]
