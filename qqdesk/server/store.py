"""Durable server state (accounts, buddy lists, requests, queued messages) behind an interface."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import hmac
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from qqdesk.protocol.classic import (
    MIN_UIN,
    AuthMode,
    BloodType,
    Constellation,
    MessageType,
    Profile,
    Sex,
    Zodiac,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    """What the service needs from storage; every method is one short transaction.

    Reads answer at once. Plain write methods return once their transaction is
    committed (for admin tools, which may block). The ``a``-prefixed writes are for
    the server's event loop: the write is queued when the method is called (queued
    writes are applied in call order) and the returned future completes once it is
    committed. Writes that create or change data are synced to disk before they
    count as committed; deleting delivered messages (``delete_upto``,
    ``deliver_and_delete``, ``drop_kind``) is committed without waiting for the
    disk: a power cut can bring such messages back, but never lose one. A write
    that cannot be committed (a full disk) fails with StoreError, and nothing of
    it is kept.
    """

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
    def is_account(self, uin: int) -> bool: ...
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
    def pending(self, recipient: int, limit: int, after: int = 0) -> list[StoredMessage]: ...
    def delete_upto(self, recipient: int, last_id: int) -> None: ...
    def ack_and_fetch(self, recipient: int, ack: int | None, limit: int) -> list[StoredMessage]: ...
    def deliver_and_delete(self, recipient: int, limit: int) -> list[StoredMessage]: ...
    def drop_kind(self, recipient: int, kind: int) -> None: ...

    # writes from the event loop (see above)
    def aadd_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]: ...
    def aremove_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]: ...
    def arequest(
        self, requester: int, target: int, reason: str, notice: int
    ) -> asyncio.Future[list[int]]: ...
    def aanswer_request(
        self, requester: int, target: int, approve: bool, reason: str, notice: int
    ) -> asyncio.Future[list[int] | None]: ...
    def aenqueue(
        self, messages: Sequence[tuple[int, int, int, str]]
    ) -> asyncio.Future[list[int]]: ...
    def adelete_upto(self, recipient: int, last_id: int) -> asyncio.Future[None]: ...
    def adeliver_and_delete(
        self, recipient: int, limit: int
    ) -> asyncio.Future[list[StoredMessage]]: ...
    def adrop_kind(self, recipient: int, kind: int) -> asyncio.Future[None]: ...


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


@dataclass(eq=False, slots=True)
class _Write:
    """One queued write: what to run, whether it must reach the disk, who waits for it."""

    run: Callable[[sqlite3.Connection], Any]
    durable: bool
    #: A caller on an event loop waits here (completed on that loop) ...
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future[Any] | None = None
    #: ... or a blocking caller waits here.
    waiter: concurrent.futures.Future[Any] | None = None


def _settle(outcomes: list[tuple[asyncio.Future[Any], BaseException | None, Any]]) -> None:
    """Complete a batch's futures on their loop (a cancelled caller has stopped waiting)."""
    for future, error, value in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


class _GroupCommitter:
    """The store's only writing connection, on a thread of its own, committing in groups.

    Writes queued while a commit (and its fsync) is under way go together into the
    next transaction; one failing write does not undo the others (see _apply). N
    concurrent writers thus cost one fsync instead of N, and nobody's event loop
    waits for the disk. A batch with any durable write commits with
    ``synchronous=FULL``; a batch of deletions only with NORMAL (committed to the
    WAL, synced with the next durable batch). Nothing waiting is told "done"
    before its batch is committed.
    """

    #: Most writes in one transaction (bounds the time one commit holds the lock).
    MAX_BATCH = 1000
    #: Seconds before the same write failure is logged again.
    REPORT_AGAIN = 300.0

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path
        self._jobs: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._synchronous = ""
        #: The last failure logged and when; whether no durable write has worked since.
        self._reported: tuple[str, float] | None = None
        self._unresolved = False
        #: Transactions committed, and how many of them were synced (for tests and benchmarks).
        self.commits = 0
        self.synced_commits = 0
        self._thread = threading.Thread(target=self._run, name="qqdesk-store-writer", daemon=True)
        self._thread.start()

    def submit(self, run: Callable[[sqlite3.Connection], T], durable: bool) -> asyncio.Future[T]:
        """Queue a write from the running loop; the future completes once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        try:
            self._put(_Write(run, durable, loop=loop, future=future))
        except StoreError as exc:
            future.set_exception(exc)
        return future

    def call(self, run: Callable[[sqlite3.Connection], T], durable: bool) -> T:
        """Queue a write and block until it is committed; its result or its exception."""
        waiter: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._put(_Write(run, durable, waiter=waiter))
        return waiter.result()

    def _put(self, job: _Write) -> None:
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            self._jobs.put(job)

    def close(self) -> None:
        """Commit what is queued, then end the thread and close the connection; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._jobs.put(None)
        self._thread.join()
        self._db.close()

    def _apply(
        self, batch: list[_Write], *, guarded: bool
    ) -> list[tuple[BaseException | None, Any]] | None:
        """Run a batch in one transaction and commit it: each write's (error, result).

        Unguarded, a failing write undoes the whole batch and the answer is None
        (unless it was alone). Guarded, each write runs in a savepoint, so that a
        failing one is undone alone; that costs two statements a write, and
        writes rarely fail, so it is only the second attempt. When SQLite itself
        undid the transaction (it does on SQLITE_FULL and on I/O errors), a
        guarded batch fails as a whole with that error: nothing of it was kept.
        """
        db = self._db
        outcomes: list[tuple[BaseException | None, Any]] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for job in batch:
                if guarded:
                    db.execute("SAVEPOINT job")
                try:
                    value = job.run(db)
                except Exception as exc:
                    if not guarded:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                        return [(exc, None)] if len(batch) == 1 else None
                    if not db.in_transaction:
                        raise
                    db.execute("ROLLBACK TO job")
                    outcomes.append((exc, None))
                else:
                    outcomes.append((None, value))
                if guarded:
                    db.execute("RELEASE job")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise
        return outcomes

    def _run(self) -> None:
        stopping = False
        while not stopping:
            job = self._jobs.get()
            if job is None:
                break
            batch = [job]
            while len(batch) < self.MAX_BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._commit(batch)

    def _commit(self, batch: list[_Write]) -> None:
        durable = any(job.durable for job in batch)
        outcomes: list[tuple[BaseException | None, Any]] | None
        try:
            synchronous = "FULL" if durable else "NORMAL"
            if synchronous != self._synchronous:
                self._db.execute(f"PRAGMA synchronous={synchronous}")
                self._synchronous = synchronous
            outcomes = self._apply(batch, guarded=False)
            if outcomes is None:  # a write failed and all were undone: again, one by one
                outcomes = self._apply(batch, guarded=True)
            assert outcomes is not None
        except Exception as exc:  # nothing of the batch was committed
            outcomes = [(self._failed(exc, always=True), None) for _ in batch]
        else:
            self.commits += 1
            self.synced_commits += durable
            outcomes = [(self._failed(error), value) for error, value in outcomes]
        self._report(outcomes, durable)
        waiting: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, Any]]] = {}
        for job, (error, value) in zip(batch, outcomes, strict=True):
            if job.waiter is not None:
                if error is not None:
                    job.waiter.set_exception(error)
                else:
                    job.waiter.set_result(value)
            elif job.loop is not None and job.future is not None:
                waiting.setdefault(job.loop, []).append((job.future, error, value))
        for loop, items in waiting.items():
            # one wake-up per loop and batch, not one per write
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_settle, items)

    def _failed(self, error: BaseException | None, *, always: bool = False) -> BaseException | None:
        """A write's error as its caller sees it: SQLite's own errors (a full disk: "database
        or disk is full") become StoreError, and so does any error that undid a whole batch."""
        if isinstance(error, sqlite3.Error) or (always and error is not None):
            failed = StoreError(f"cannot write to {self._path}: {error}")
            failed.__cause__ = error
            return failed
        return error

    def _report(self, outcomes: list[tuple[BaseException | None, Any]], durable: bool) -> None:
        """Log failing writes once, not per request: a full disk fails every write that
        needs room until it is fixed. The same failure is logged again after
        REPORT_AGAIN seconds; once a durable write works again, that is logged too."""
        problem = next((str(e) for e, _ in outcomes if isinstance(e, StoreError)), None)
        if problem is not None:
            now = time.monotonic()
            last = self._reported
            if last is None or last[0] != problem or now - last[1] >= self.REPORT_AGAIN:
                log.error("%s; writes fail until this is fixed, reads go on", problem)
                self._reported = (problem, now)
                self._unresolved = True
        elif durable and self._unresolved:
            log.warning("writing to %s works again", self._path)
            self._unresolved = False


class SqliteStore:
    """The store in one SQLite file (WAL); nothing acknowledged is lost.

    Reads run on the caller's thread on a reading connection (WAL lets it see
    every committed write). Writes go to one writing connection on its own thread
    that commits concurrent writes together (group commit, see _GroupCommitter):
    durable ones with ``synchronous=FULL``, so a write that returned survives a
    crash or a power cut. Safe to call from several threads; every method is a
    single short transaction on indexed columns.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        writer: sqlite3.Connection | None = None
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            writer = self._connect()
            writer.executescript(_SCHEMA)
            self._db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            for db in (writer, self._db):
                if db is not None:
                    db.close()
            self._db = None
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        self._writer = _GroupCommitter(writer, self.path)
        #: SQLite's own page cap, kept while limit_pages() has set another.
        self._max_pages: int | None = None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
        )
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=OFF")
        return db

    # -- plumbing --

    @property
    def db(self) -> sqlite3.Connection:
        """The reading connection."""
        if self._db is None:
            raise StoreError("the store is closed")
        return self._db

    @property
    def commits(self) -> int:
        """Write transactions committed so far (each holds one or more writes)."""
        return self._writer.commits

    @property
    def synced_commits(self) -> int:
        """Of those, the ones synced to disk (one fsync each)."""
        return self._writer.synced_commits

    def limit_pages(self, pages: int | None) -> int:
        """For tests and drills: a full disk, without filling one.

        Caps the database at ``pages`` pages on the writing connection (SQLite's
        ``max_page_count``; a cap below the current size means the current size):
        a write that needs a new page then fails with SQLITE_FULL, "database or
        disk is full", exactly as when the disk is full. None lifts the cap
        ("space is back"). Returns the cap now in force. Queued like any write.
        """

        def run(db: sqlite3.Connection) -> int:
            if self._max_pages is None:
                self._max_pages = int(db.execute("PRAGMA max_page_count").fetchone()[0])
            cap = self._max_pages if pages is None else max(1, pages)
            return int(db.execute(f"PRAGMA max_page_count={int(cap)}").fetchone()[0])

        return self._write(run, durable=False)

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, args).fetchall()

    def _write(self, run: Callable[[sqlite3.Connection], T], *, durable: bool = True) -> T:
        return self._writer.call(run, durable)

    def _awrite(
        self, run: Callable[[sqlite3.Connection], T], *, durable: bool = True
    ) -> asyncio.Future[T]:
        return self._writer.submit(run, durable)

    def close(self) -> None:
        """Commit the writes still queued, then close; idempotent."""
        self._writer.close()
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

        def run(db: sqlite3.Connection) -> int:
            number = uin
            if number is None:
                row = db.execute("SELECT MAX(uin) FROM accounts").fetchone()
                number = max(MIN_UIN, (row[0] or 0) + 1)
            elif db.execute("SELECT 1 FROM accounts WHERE uin=?", (number,)).fetchone():
                raise ValueError(f"account {number} already exists")
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            db.execute(
                f"INSERT INTO accounts (uin, password_hash, auth, searchable, created, {columns})"
                f" VALUES (?, ?, ?, ?, ?, {marks})",
                (
                    number,
                    password_hash,
                    int(auth),
                    int(searchable),
                    int(time.time()),
                    *values.values(),
                ),
            )
            return number

        return self._write(run)

    def account(self, uin: int) -> Account | None:
        rows = self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE uin=?", (uin,))
        return _account(rows[0]) if rows else None

    def is_account(self, uin: int) -> bool:
        """Whether ``uin`` is an account (cheaper than account(): nothing is decoded)."""
        return bool(self._query("SELECT 1 FROM accounts WHERE uin=?", (uin,)))

    def password_hash(self, uin: int) -> str | None:
        rows = self._query("SELECT password_hash FROM accounts WHERE uin=?", (uin,))
        return str(rows[0][0]) if rows else None

    def set_password_hash(self, uin: int, password_hash: str) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE accounts SET password_hash=? WHERE uin=?", (password_hash, uin)
            )
            return cur.rowcount > 0

        return self._write(run)

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

        def run(db: sqlite3.Connection) -> bool:
            if not values:
                return (
                    db.execute("SELECT 1 FROM accounts WHERE uin=?", (uin,)).fetchone() is not None
                )
            sets = ", ".join(f"{k}=?" for k in values)
            cur = db.execute(f"UPDATE accounts SET {sets} WHERE uin=?", (*values.values(), uin))
            return cur.rowcount > 0

        return self._write(run)

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
        return self._write(lambda db: _add_buddy(db, owner, buddy))

    def aadd_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]:
        return self._awrite(lambda db: _add_buddy(db, owner, buddy))

    def remove_buddy(self, owner: int, buddy: int) -> bool:
        return self._write(lambda db: _remove_buddy(db, owner, buddy))

    def aremove_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]:
        return self._awrite(lambda db: _remove_buddy(db, owner, buddy))

    # -- add requests --

    def put_request(self, requester: int, target: int, reason: str) -> None:
        self._write(lambda db: _put_request(db, requester, target, reason))

    def arequest(
        self, requester: int, target: int, reason: str, notice: int
    ) -> asyncio.Future[list[int]]:
        """Keep ``requester``'s request to ``target`` and queue ``target``'s notice, at once."""

        def run(db: sqlite3.Connection) -> list[int]:
            _put_request(db, requester, target, reason)
            return _enqueue(db, [(target, requester, notice, reason)])

        return self._awrite(run)

    def take_request(self, requester: int, target: int) -> str | None:
        return self._write(lambda db: _take_request(db, requester, target))

    def aanswer_request(
        self, requester: int, target: int, approve: bool, reason: str, notice: int
    ) -> asyncio.Future[list[int] | None]:
        """``target`` answers ``requester``'s request, in one transaction.

        The request goes; if approved, ``target`` joins ``requester``'s list; the
        ``notice`` message (from ``target``, with ``reason``) is queued for
        ``requester``. None, and nothing changed, when there was no such request. A
        crash can never leave the request gone but the buddy not added.
        """

        def run(db: sqlite3.Connection) -> list[int] | None:
            if _take_request(db, requester, target) is None:
                return None
            if approve:
                _add_buddy(db, requester, target)
            return _enqueue(db, [(requester, target, notice, reason)])

        return self._awrite(run)

    # -- messages --

    def enqueue(self, messages: Sequence[tuple[int, int, int, str]]) -> list[int]:
        """Queue (recipient, sender, kind, text) messages; returns their ids once durable."""
        return self._write(lambda db: _enqueue(db, messages))

    def aenqueue(self, messages: Sequence[tuple[int, int, int, str]]) -> asyncio.Future[list[int]]:
        return self._awrite(lambda db: _enqueue(db, messages))

    def pending(self, recipient: int, limit: int, after: int = 0) -> list[StoredMessage]:
        """The oldest ``limit`` messages queued for ``recipient`` with an id above ``after``."""
        rows = self._query(
            "SELECT id, recipient, sender, kind, text, time FROM messages"
            " WHERE recipient=? AND id>? ORDER BY id LIMIT ?",
            (recipient, after, limit),
        )
        return [StoredMessage(*r) for r in rows]

    def delete_upto(self, recipient: int, last_id: int) -> None:
        self._write(lambda db: _delete_upto(db, recipient, last_id), durable=False)

    def adelete_upto(self, recipient: int, last_id: int) -> asyncio.Future[None]:
        return self._awrite(lambda db: _delete_upto(db, recipient, last_id), durable=False)

    def ack_and_fetch(self, recipient: int, ack: int | None, limit: int) -> list[StoredMessage]:
        """Forget messages up to ``ack`` (if given), then the oldest ``limit`` still queued."""
        if ack is not None:
            self.delete_upto(recipient, ack)
        return self.pending(recipient, limit)

    def deliver_and_delete(self, recipient: int, limit: int) -> list[StoredMessage]:
        """Legacy delivery: the oldest ``limit`` messages, gone from the queue."""
        return self._write(lambda db: _deliver_and_delete(db, recipient, limit), durable=False)

    def adeliver_and_delete(
        self, recipient: int, limit: int
    ) -> asyncio.Future[list[StoredMessage]]:
        return self._awrite(lambda db: _deliver_and_delete(db, recipient, limit), durable=False)

    def drop_kind(self, recipient: int, kind: int) -> None:
        self._write(lambda db: _drop_kind(db, recipient, kind), durable=False)

    def adrop_kind(self, recipient: int, kind: int) -> asyncio.Future[None]:
        return self._awrite(lambda db: _drop_kind(db, recipient, kind), durable=False)


# The writes themselves; each runs on the writing connection inside a transaction.


def _add_buddy(db: sqlite3.Connection, owner: int, buddy: int) -> bool:
    if db.execute("SELECT 1 FROM buddies WHERE owner=? AND buddy=?", (owner, buddy)).fetchone():
        return False
    row = db.execute("SELECT MAX(position) FROM buddies WHERE owner=?", (owner,)).fetchone()
    position = (row[0] if row[0] is not None else -1) + 1
    db.execute(
        "INSERT INTO buddies (owner, buddy, position) VALUES (?, ?, ?)", (owner, buddy, position)
    )
    return True


def _remove_buddy(db: sqlite3.Connection, owner: int, buddy: int) -> bool:
    cur = db.execute("DELETE FROM buddies WHERE owner=? AND buddy=?", (owner, buddy))
    return cur.rowcount > 0


def _put_request(db: sqlite3.Connection, requester: int, target: int, reason: str) -> None:
    db.execute(
        "INSERT OR REPLACE INTO requests (requester, target, reason, created) VALUES (?, ?, ?, ?)",
        (requester, target, reason, int(time.time())),
    )


def _take_request(db: sqlite3.Connection, requester: int, target: int) -> str | None:
    row = db.execute(
        "DELETE FROM requests WHERE requester=? AND target=? RETURNING reason",
        (requester, target),
    ).fetchone()
    return None if row is None else str(row[0])


def _enqueue(db: sqlite3.Connection, messages: Sequence[tuple[int, int, int, str]]) -> list[int]:
    now = int(time.time())
    ids: list[int] = []
    for recipient, sender, kind, text in messages:
        cur = db.execute(
            "INSERT INTO messages (recipient, sender, kind, text, time) VALUES (?, ?, ?, ?, ?)",
            (recipient, sender, int(kind), text, now),
        )
        ids.append(int(cur.lastrowid or 0))
    return ids


def _delete_upto(db: sqlite3.Connection, recipient: int, last_id: int) -> None:
    db.execute("DELETE FROM messages WHERE recipient=? AND id<=?", (recipient, last_id))


def _deliver_and_delete(db: sqlite3.Connection, recipient: int, limit: int) -> list[StoredMessage]:
    rows = db.execute(
        "SELECT id, recipient, sender, kind, text, time FROM messages"
        " WHERE recipient=? ORDER BY id LIMIT ?",
        (recipient, limit),
    ).fetchall()
    if rows:
        _delete_upto(db, recipient, rows[-1][0])
    return [StoredMessage(*r) for r in rows]


def _drop_kind(db: sqlite3.Connection, recipient: int, kind: int) -> None:
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
