"""The store in one SQLite file: a group-commit writer thread; reads on the caller's thread
(or, as an option, on reader threads)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from qqdesk.core import (
    DEFAULT_CATEGORY,
    MIN_UIN,
    ROOM_HISTORY,
    ROOM_HISTORY_AGE,
    AuthMode,
    BloodType,
    BuddyEntry,
    Category,
    Constellation,
    Content,
    Conversation,
    ConversationKind,
    Face,
    Member,
    Part,
    Profile,
    ProfilePrivacy,
    Room,
    RoomMessage,
    Sex,
    Zodiac,
)

from .failures import FailureLog
from .interface import (
    WEB_LOGIN_TTL,
    Account,
    MessageKind,
    NewMessage,
    QueuedMessage,
    StoreError,
    WebLogin,
)
from .migrations import (
    INT_FIELDS,
    PRIVACY_COLUMNS,
    PROFILE_FIELDS,
    SENT_IDS_KEPT,
    categories_in_order,
    content_json,
    migrate,
    privacy_of,
    privacy_values,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

_ENUMS: dict[str, type[int]] = {
    "sex": Sex,
    "blood_type": BloodType,
    "constellation": Constellation,
    "zodiac": Zodiac,
}
#: Seconds between deletions of expired client message ids.
PRUNE_EVERY = 600
_ACCOUNT_COLUMNS = "uin, auth, searchable, " + ", ".join(PROFILE_FIELDS)
_MESSAGE_COLUMNS = (
    "id, recipient, sender, conversation_kind, conversation_number, kind, content, time"
)
_ROOM_COLUMNS = "kind, number, name, owner, memo, created"
_ROOM_MESSAGE_COLUMNS = "id, conversation_kind, conversation_number, sender, content, time"
_WEB_LOGIN_COLUMNS = "code, token, created, state, uin"
#: The kinds of conversation that are rooms.
ROOM_KINDS = (ConversationKind.GROUP, ConversationKind.DISCUSSION)
#: Old room messages pruned at most per post (the rest go with the next posts).
PRUNE_BATCH = 100


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


def _content(raw: str) -> Content:
    parts: list[Part] = []
    for item in json.loads(raw):
        parts.append(Face(int(item["face"])) if isinstance(item, dict) else str(item))
    return tuple(parts)


def _message(row: Sequence[Any]) -> QueuedMessage:
    return QueuedMessage(
        id=row[0],
        recipient=row[1],
        sender=row[2],
        conversation=Conversation(ConversationKind(row[3]), row[4]),
        kind=MessageKind(row[5]),
        content=_content(row[6]),
        time=row[7],
    )


def _room(row: Sequence[Any]) -> Room:
    return Room(Conversation(ConversationKind(row[0]), row[1]), row[2], row[3], row[4], row[5])


def _room_message(row: Sequence[Any]) -> RoomMessage:
    conversation = Conversation(ConversationKind(row[1]), row[2])
    return RoomMessage(row[0], conversation, row[3], _content(row[4]), row[5])


def _web_login(row: Sequence[Any]) -> WebLogin:
    return WebLogin(row[0], row[1], row[2], row[3], row[4])


def room_kind(conversation: Conversation | ConversationKind) -> str:
    """A room's kind as stored; ValueError for a buddy chat (it is not a room)."""
    kind = conversation.kind if isinstance(conversation, Conversation) else conversation
    if kind not in ROOM_KINDS:
        raise ValueError(f"{kind.value} is not a kind of room")
    return kind.value


def room_changes(**fields: str | int | None) -> dict[str, str | int]:
    """The room fields an update gives (None leaves a field alone)."""
    return {name: value for name, value in fields.items() if value is not None}


def room_members(owner: int | None, members: Sequence[int]) -> list[int]:
    """Who a new room starts with: the owner (a member too) first, each number once."""
    return list(dict.fromkeys([*([] if owner is None else [owner]), *members]))


def normalize_profile_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Check profile keyword arguments and convert them to column values."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"unknown profile field {name!r}")
        if name in INT_FIELDS:
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
    #: True for writes that touch no table the read cache keeps (accounts, buddy
    #: lists): messages, acknowledgements, requests, room posts, web sign-ins. Any
    #: other write ends the cache's generation (see SqliteStore._cache).
    keeps_cache: bool = False


def _settle(outcomes: list[tuple[asyncio.Future[Any], BaseException | None, Any]]) -> None:
    """Complete a batch's futures on their loop (a cancelled caller has stopped waiting)."""
    for future, error, value in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


@dataclass(eq=False)
class _ReadCache:
    """What the hot requests read most (accounts, their privacy, buddy lists), decoded,
    for one generation of the store (see _GroupCommitter.generation).

    The store stays the source of truth: a cache lives only until the next write
    that may touch what it keeps, so it needs no rule per write. Values are
    immutable (frozen dataclasses, tuples); absent accounts are never kept.
    """

    generation: int
    accounts: dict[int, Account] = field(default_factory=dict)
    known: dict[int, bool] = field(default_factory=dict)
    privacies: dict[int, ProfilePrivacy] = field(default_factory=dict)
    buddies: dict[int, tuple[int, ...]] = field(default_factory=dict)

    #: Entries kept per table at most (a table that grows past it starts again).
    LIMIT: ClassVar[int] = 20_000

    def keep(self, table: dict[int, V], key: int, value: V) -> V:
        if len(table) >= self.LIMIT:
            table.clear()
        table[key] = value
        return value


class _NoCache(_ReadCache):
    """The read cache of a store opened without one: it never keeps anything."""

    def keep(self, table: dict[int, V], key: int, value: V) -> V:
        return value


_NO_CACHE = _NoCache(-1)


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
    #: How often an idle writer looks for a commit by another process (the command
    #: line beside ``serve``), which the read cache must not outlive.
    EXTERNAL_CHECK = 0.1

    def __init__(self, db: sqlite3.Connection, path: Path, *, watch_others: bool = False) -> None:
        self._db = db
        #: How long the idle writer waits before it looks for others' commits (None:
        #: it never looks while idle; no read cache depends on it).
        self._idle_look = self.EXTERNAL_CHECK if watch_others else None
        self._path = path
        self._jobs: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._synchronous = ""
        self._failures = FailureLog(str(path), self.REPORT_AGAIN)
        #: Transactions committed, and how many of them were synced (for tests and benchmarks).
        self.commits = 0
        self.synced_commits = 0
        #: Bumped after every commit that may have changed what the read cache keeps:
        #: a write not marked keeps_cache, or another process's commit (SQLite's
        #: data_version of this connection moves only for other connections' commits).
        #: Bumped before anyone waiting is told, so nobody told "done" reads old data.
        self.generation = 0
        self._data_version = self._version()
        self._thread = threading.Thread(target=self._run, name="qqdesk-store-writer", daemon=True)
        self._thread.start()

    def submit(
        self, run: Callable[[sqlite3.Connection], T], durable: bool, keeps_cache: bool = False
    ) -> asyncio.Future[T]:
        """Queue a write from the running loop; the future completes once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        try:
            self._put(_Write(run, durable, loop=loop, future=future, keeps_cache=keeps_cache))
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

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _check_external(self) -> None:
        """Another process committed since the last look: the read cache must go."""
        try:
            version = self._version()
        except sqlite3.Error:  # cannot tell: assume it did
            version = self._data_version + 1
        if version != self._data_version:
            self._data_version = version
            self.generation += 1

    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:
                job = self._jobs.get(timeout=self._idle_look)
            except queue.Empty:
                self._check_external()
                continue
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
        if not all(job.keeps_cache for job in batch):
            self.generation += 1
        if self._idle_look is not None:  # (only a read cache needs to know)
            self._check_external()
        self._failures.report(outcomes, durable)
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


class SqliteStore:
    """The store in one SQLite file (WAL); nothing acknowledged is lost.

    Writes go to one writing connection on its own thread that commits concurrent
    writes together (group commit, see _GroupCommitter): durable ones with
    ``synchronous=FULL``, so a write that completed survives a crash or a power
    cut. Reads run on reading connections of their own (WAL lets them see every
    committed write): by default on the caller's thread (the event loop), or with
    ``reads_on_loop=False`` on a small pool of reader threads. Every read is one
    indexed lookup of well under a millisecond, cheaper than the hop to a thread
    and back: tests/bench/bench_server.py --reads loop|thread measured the loop
    about 1.5 times the throughput of the pool (2 CPUs) with lower delivery
    latency; the pool is kept for a store whose reads could be slow (they must
    not stall the loop). Each thread that reads has a connection of its own.
    Message ids are handed out when a write is queued (see reserve_message_ids),
    so only one process may queue or post messages in a file at a time (others,
    such as the command line beside ``serve``, may change anything else).
    """

    #: Reader threads (each with its own connection).
    READERS = 2

    def __init__(
        self, path: str | Path, *, reads_on_loop: bool = True, read_cache: bool = False
    ) -> None:
        self.path = Path(path)
        self.reads_on_loop = reads_on_loop
        #: Keep decoded accounts, privacy and buddy lists between writes (see
        #: _ReadCache): for a server, which is the file's main writer. A change made
        #: by another process (the command line beside ``serve``) is then seen within
        #: _GroupCommitter.EXTERNAL_CHECK seconds instead of at once, so a store
        #: opened for a one-off command does without.
        self.read_cache = read_cache
        self._lock = threading.Lock()
        self._readers: list[sqlite3.Connection] = []
        self._local = threading.local()
        self._closed = False
        writer: sqlite3.Connection | None = None
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            writer = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
            )
            # the version is checked (and a newer file refused) before anything is written
            migrate(writer, self.path)
            self._setup(writer)
            row = writer.execute(
                "SELECT MAX(COALESCE((SELECT MAX(seq) FROM sqlite_sequence"
                " WHERE name IN ('messages', 'room_messages')), 0),"
                " COALESCE((SELECT MAX(id) FROM messages), 0),"
                " COALESCE((SELECT MAX(id) FROM room_messages), 0))"
            ).fetchone()
            self._start_ids(int(row[0]) + 1)
        except (sqlite3.Error, OSError, StoreError) as exc:
            if writer is not None:
                writer.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        self._writer = _GroupCommitter(writer, self.path, watch_others=read_cache)
        self._read_cache = _ReadCache(self._writer.generation)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            self.READERS, thread_name_prefix="qqdesk-store-reader"
        )
        #: When the writer next deletes expired client message ids (see enqueue_once).
        self._next_prune = 0
        #: SQLite's own page cap, kept while limit_pages() has set another.
        self._max_pages: int | None = None
        #: The wall clock (seconds since the epoch) that rooms, room messages and web
        #: sign-ins are stamped and expired by; tests move it instead of waiting.
        self.clock: Callable[[], float] = time.time

    @staticmethod
    def _setup(db: sqlite3.Connection) -> None:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=OFF")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=10.0
        )
        self._setup(db)
        with self._lock:
            self._readers.append(db)
        return db

    # -- plumbing --

    @property
    def commits(self) -> int:
        """Write transactions committed so far (each holds one or more writes)."""
        return self._writer.commits

    @property
    def synced_commits(self) -> int:
        """Of those, the ones synced to disk (one fsync each)."""
        return self._writer.synced_commits

    @property
    def closed(self) -> bool:
        return self._closed

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _rows(self, sql: str, args: Sequence[object]) -> list[sqlite3.Row]:
        return self._reader().execute(sql, args).fetchall()

    async def _query(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        if self.reads_on_loop:
            return self._rows(sql, args)
        if self._closed:
            raise StoreError("the store is closed")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, self._rows, sql, args)
        except RuntimeError as exc:  # the pool was shut down meanwhile
            raise StoreError("the store is closed") from exc

    def _write(
        self,
        run: Callable[[sqlite3.Connection], T],
        *,
        durable: bool = True,
        keeps_cache: bool = False,
    ) -> asyncio.Future[T]:
        return self._writer.submit(run, durable, keeps_cache)

    def _cache(self) -> _ReadCache:
        """The read cache of this generation of the store (a new, empty one after any
        write that may have changed an account or a buddy list, ours or another
        process's: see _GroupCommitter.generation)."""
        if not self.read_cache:
            return _NO_CACHE
        cache = self._read_cache
        if cache.generation != self._writer.generation:
            cache = self._read_cache = _ReadCache(self._writer.generation)
        return cache

    def limit_pages(self, pages: int | None) -> int:
        """For tests and drills: a full disk, without filling one (blocking).

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

        return self._writer.call(run, False)

    def pending(self, recipient: int, limit: int) -> list[QueuedMessage]:
        """For tests and drills on a thread without a loop: a blocking look at a queue.

        Not part of the Store interface (the service uses ``queued``)."""
        rows = self._rows(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE recipient=? ORDER BY id LIMIT ?",
            (recipient, limit),
        )
        return [_message(r) for r in rows]

    def close(self) -> None:
        """Commit the writes still queued, then close every connection; idempotent."""
        self._writer.close()
        self._closed = True
        self._pool.shutdown(wait=True)
        with self._lock:
            readers, self._readers = self._readers, []
        for db in readers:
            db.close()

    async def room_cursor_now(self) -> int:
        # (one writer gives ids in call order: a fresh one is above all queued before it)
        return self.reserve_message_ids(1).start

    def _start_ids(self, first: int) -> None:
        """Hand out message ids from ``first`` on: every message stored before has a
        smaller one, and every later one is stamped here (see queued)."""
        self._ids = itertools.count(first)
        self._ids_start = first
        #: The newest message id queued for each recipient since _start_ids.
        self._newest: dict[int, int] = {}

    def reserve_message_ids(self, count: int) -> range:
        first = next(self._ids)
        for _ in range(count - 1):
            next(self._ids)
        return range(first, first + count)

    # -- whole tables, for transfer.copy_store --

    async def rows(
        self, table: str, columns: Sequence[str], order: str, limit: int = -1
    ) -> list[tuple[Any, ...]]:
        """Rows of one table as stored, in ``order`` (transfer.TABLES names them)."""
        rows = await self._query(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order} LIMIT ?", (limit,)
        )
        return [tuple(r) for r in rows]

    async def load(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Rows into one table as they are (ids and times kept); for an empty store."""
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        await self._write(lambda db: db.executemany(sql, rows))
        if table in ("messages", "room_messages") and rows:  # ids go on after those copied in
            newest = self._newest
            self._start_ids(max(next(self._ids), max(r[0] for r in rows) + 1))
            self._newest.update(newest)

    # -- accounts --

    def create_account(
        self,
        uin: int | None,
        password_hash: str,
        profile: Profile,
        auth: AuthMode,
        searchable: bool,
    ) -> asyncio.Future[int]:
        values = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        values = {k: int(v) if k in INT_FIELDS else v for k, v in values.items()}

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

    async def account(self, uin: int) -> Account | None:
        cache = self._cache()
        account = cache.accounts.get(uin)
        if account is None:
            rows = await self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE uin=?", (uin,))
            if not rows:
                return None  # not kept: an account made meanwhile must be found
            account = cache.keep(cache.accounts, uin, _account(rows[0]))
        return account

    async def is_account(self, uin: int) -> bool:
        """Whether ``uin`` is an account (cheaper than account(): nothing is decoded)."""
        cache = self._cache()
        if uin in cache.accounts or uin in cache.known:
            return True
        if not await self._query("SELECT 1 FROM accounts WHERE uin=?", (uin,)):
            return False
        cache.keep(cache.known, uin, True)
        return True

    async def password_hash(self, uin: int) -> str | None:
        rows = await self._query("SELECT password_hash FROM accounts WHERE uin=?", (uin,))
        return str(rows[0][0]) if rows else None

    def set_password_hash(self, uin: int, password_hash: str) -> asyncio.Future[bool]:
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
    ) -> asyncio.Future[bool]:
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

    async def privacy(self, uin: int) -> ProfilePrivacy | None:
        cache = self._cache()
        privacy = cache.privacies.get(uin)
        if privacy is None:
            rows = await self._query(
                f"SELECT {', '.join(PRIVACY_COLUMNS)} FROM accounts WHERE uin=?", (uin,)
            )
            if not rows:
                return None
            privacy = cache.keep(cache.privacies, uin, privacy_of(tuple(rows[0])))
        return privacy

    def set_privacy(self, uin: int, privacy: ProfilePrivacy) -> asyncio.Future[bool]:
        sets = ", ".join(f"{column}=?" for column in PRIVACY_COLUMNS)
        values = privacy_values(privacy)

        def run(db: sqlite3.Connection) -> bool:
            cur = db.execute(f"UPDATE accounts SET {sets} WHERE uin=?", (*values, uin))
            return cur.rowcount > 0

        return self._write(run)

    async def list_accounts(self) -> list[Account]:
        rows = await self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY uin")
        return [_account(r) for r in rows]

    async def search(
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
        rows = await self._query(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {' AND '.join(where)}"
            " ORDER BY uin LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [_account(r) for r in rows]

    # -- buddy lists --

    async def _buddy_list(self, owner: int) -> tuple[int, ...]:
        cache = self._cache()
        buddies = cache.buddies.get(owner)
        if buddies is None:
            rows = await self._query(
                "SELECT buddy FROM buddies WHERE owner=? ORDER BY position", (owner,)
            )
            buddies = cache.keep(cache.buddies, owner, tuple(int(r[0]) for r in rows))
        return buddies

    async def buddies(self, owner: int, offset: int = 0, limit: int = -1) -> list[int]:
        buddies = await self._buddy_list(owner)
        start = max(0, offset)  # as SQL's OFFSET: a negative one is none
        return list(buddies[start:] if limit < 0 else buddies[start : start + limit])

    async def buddy_count(self, owner: int) -> int:
        return len(await self._buddy_list(owner))

    async def watchers(self, uin: int) -> list[int]:
        rows = await self._query("SELECT owner FROM buddies WHERE buddy=?", (uin,))
        return [int(r[0]) for r in rows]

    def add_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]:
        return self._write(lambda db: _add_buddy(db, owner, buddy))

    def remove_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]:
        return self._write(lambda db: _remove_buddy(db, owner, buddy))

    # -- add requests --

    def request(self, requester: int, target: int, reason: str) -> asyncio.Future[list[int]]:
        """Keep ``requester``'s request to ``target`` and queue ``target``'s notice, at once."""
        notice = self._stamp([_notice(target, requester, MessageKind.ADD_REQUEST, reason)])

        def run(db: sqlite3.Connection) -> list[int]:
            _put_request(db, requester, target, reason)
            return _enqueue(db, notice)

        return self._write(run, keeps_cache=True)

    def answer_request(
        self, requester: int, target: int, approve: bool, reason: str
    ) -> asyncio.Future[list[int] | None]:
        """``target`` answers ``requester``'s request, in one transaction.

        The request goes; if approved, ``target`` joins ``requester``'s list; the
        answer (from ``target``, with ``reason``) is queued for ``requester``. None,
        and nothing changed, when there was no such request. A crash can never
        leave the request gone but the buddy not added.
        """
        kind = MessageKind.REQUEST_APPROVED if approve else MessageKind.REQUEST_REFUSED
        notice = self._stamp([_notice(requester, target, kind, reason)])

        def run(db: sqlite3.Connection) -> list[int] | None:
            if _take_request(db, requester, target) is None:
                return None
            if approve:
                _add_buddy(db, requester, target)
            return _enqueue(db, notice)

        return self._write(run)

    async def open_request(self, requester: int, target: int) -> str | None:
        rows = await self._query(
            "SELECT reason FROM requests WHERE requester=? AND target=?", (requester, target)
        )
        return str(rows[0][0]) if rows else None

    # -- messages --

    def _stamp(self, messages: Sequence[NewMessage]) -> list[tuple[int, NewMessage]]:
        """Give messages their ids now, when queued: ids follow the order of calls."""
        ids = self.reserve_message_ids(len(messages)) if messages else range(0)
        stamped = list(zip(ids, messages, strict=True))
        newest = self._newest
        for message_id, message in stamped:
            newest[message.recipient] = message_id
        return stamped

    def enqueue(self, messages: Sequence[NewMessage]) -> asyncio.Future[list[int]]:
        """Queue messages; their ids once they are durable."""
        stamped = self._stamp(messages)
        return self._write(lambda db: _enqueue(db, stamped), keeps_cache=True)

    def enqueue_once(self, message: NewMessage, client_id: str) -> asyncio.Future[list[int]]:
        """Queue ``message`` unless its sender sent ``client_id`` before (within
        SENT_IDS_KEPT); the record and the message in one transaction. Its id; none
        for a resend (nothing queued)."""
        stamped = self._stamp([message])

        def run(db: sqlite3.Connection) -> list[int]:
            self._prune_sent_ids(db)
            if not _note_sent(db, message.sender, client_id, int(time.time())):
                return []
            return _enqueue(db, stamped)

        return self._write(run, keeps_cache=True)

    def _prune_sent_ids(self, db: sqlite3.Connection) -> None:
        """Now and then, forget client ids older than SENT_IDS_KEPT."""
        now = int(time.time())
        if now >= self._next_prune:
            db.execute("DELETE FROM sent_ids WHERE time<?", (now - SENT_IDS_KEPT,))
            self._next_prune = now + PRUNE_EVERY

    async def queued(self, recipient: int, limit: int, after: int = 0) -> list[QueuedMessage]:
        if after >= self._ids_start - 1 and after >= self._newest.get(recipient, 0):
            # Nothing can be there: older messages have ids below _ids_start, and every
            # message queued since is stamped here (this process alone queues messages:
            # see the class's docstring). A poll after its acknowledgement, and the
            # look before a held poll waits, need no read.
            return []
        rows = await self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages"
            " WHERE recipient=? AND id>? ORDER BY id LIMIT ?",
            (recipient, after, limit),
        )
        return [_message(r) for r in rows]

    async def from_strangers(self, recipient: int, limit: int, after: int = 0) -> int:
        rows = await self._query(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.recipient=? AND m.id>?"
            " AND NOT EXISTS (SELECT 1 FROM buddies b WHERE b.owner=? AND b.buddy=m.sender)"
            " LIMIT ?)",
            (recipient, after, recipient, limit),
        )
        return int(rows[0][0])

    def delete_upto(self, recipient: int, last_id: int) -> asyncio.Future[None]:
        return self._write(
            lambda db: _delete_upto(db, recipient, last_id), durable=False, keeps_cache=True
        )

    def take(self, recipient: int, limit: int) -> asyncio.Future[list[QueuedMessage]]:
        return self._write(lambda db: _take(db, recipient, limit), durable=False, keeps_cache=True)

    # -- rooms --

    def create_room(
        self, kind: ConversationKind, name: str, owner: int | None, members: Sequence[int]
    ) -> asyncio.Future[Conversation]:
        stored_kind = room_kind(kind)
        joining = room_members(owner, members)

        def run(db: sqlite3.Connection) -> Conversation:
            now = int(self.clock())
            number = db.execute(
                "INSERT INTO rooms (kind, name, owner, memo, created) VALUES (?, ?, ?, '', ?)"
                " RETURNING number",
                (stored_kind, name, owner, now),
            ).fetchone()[0]
            _add_members(db, number, joining, now)
            return Conversation(kind, int(number))

        return self._write(run)

    async def room(self, conversation: Conversation) -> Room | None:
        rows = await self._query(
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE number=? AND kind=?",
            (conversation.number, conversation.kind.value),
        )
        return _room(rows[0]) if rows else None

    async def list_rooms(self, kind: ConversationKind) -> list[Room]:
        rows = await self._query(
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE kind=? ORDER BY number", (room_kind(kind),)
        )
        return [_room(r) for r in rows]

    async def rooms_of(self, uin: int) -> list[Room]:
        rows = await self._query(
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE number IN"
            " (SELECT number FROM room_members WHERE uin=?)"
            " ORDER BY kind='discussion', number",
            (uin,),
        )
        return [_room(r) for r in rows]

    async def members(self, conversation: Conversation) -> list[Member]:
        rows = await self._query(
            "SELECT m.uin, m.card, m.joined FROM room_members m"
            " JOIN rooms r ON r.number=m.number AND r.kind=?"
            " WHERE m.number=? ORDER BY m.joined, m.uin",
            (conversation.kind.value, conversation.number),
        )
        return [Member(r[0], r[1], r[2]) for r in rows]

    async def is_member(self, conversation: Conversation, uin: int) -> bool:
        return bool(
            await self._query(
                "SELECT 1 FROM room_members m JOIN rooms r ON r.number=m.number AND r.kind=?"
                " WHERE m.number=? AND m.uin=?",
                (conversation.kind.value, conversation.number, uin),
            )
        )

    def add_members(
        self, conversation: Conversation, uins: Sequence[int]
    ) -> asyncio.Future[list[int]]:
        joining = list(dict.fromkeys(uins))

        def run(db: sqlite3.Connection) -> list[int]:
            if not _is_room(db, conversation):
                return []
            return _add_members(db, conversation.number, joining, int(self.clock()))

        return self._write(run)

    def remove_member(self, conversation: Conversation, uin: int) -> asyncio.Future[bool]:
        def run(db: sqlite3.Connection) -> bool:
            if not _is_room(db, conversation):
                return False
            cur = db.execute(
                "DELETE FROM room_members WHERE number=? AND uin=?", (conversation.number, uin)
            )
            return cur.rowcount > 0

        return self._write(run)

    def set_card(self, conversation: Conversation, uin: int, card: str) -> asyncio.Future[bool]:
        def run(db: sqlite3.Connection) -> bool:
            if not _is_room(db, conversation):
                return False
            cur = db.execute(
                "UPDATE room_members SET card=? WHERE number=? AND uin=?",
                (card, conversation.number, uin),
            )
            return cur.rowcount > 0

        return self._write(run)

    def update_room(
        self,
        conversation: Conversation,
        *,
        name: str | None = None,
        memo: str | None = None,
        owner: int | None = None,
    ) -> asyncio.Future[bool]:
        values = room_changes(name=name, memo=memo, owner=owner)

        def run(db: sqlite3.Connection) -> bool:
            sets = ", ".join(f"{k}=?" for k in values) or "number=number"
            cur = db.execute(
                f"UPDATE rooms SET {sets} WHERE number=? AND kind=?",
                (*values.values(), conversation.number, conversation.kind.value),
            )
            return cur.rowcount > 0

        return self._write(run)

    def post(
        self, conversation: Conversation, sender: int, content: Content
    ) -> asyncio.Future[RoomMessage]:
        return cast("asyncio.Future[RoomMessage]", self._post(conversation, sender, content, None))

    def post_once(
        self, conversation: Conversation, sender: int, content: Content, client_id: str
    ) -> asyncio.Future[RoomMessage | None]:
        return self._post(conversation, sender, content, client_id)

    def _post(
        self, conversation: Conversation, sender: int, content: Content, client_id: str | None
    ) -> asyncio.Future[RoomMessage | None]:
        kind = room_kind(conversation)
        (message_id,) = self.reserve_message_ids(1)
        stored = content_json(content)

        def run(db: sqlite3.Connection) -> RoomMessage | None:
            now = int(self.clock())
            if client_id is not None:
                self._prune_sent_ids(db)
                if not _note_sent(db, sender, client_id, int(time.time())):
                    return None  # a resend: kept already
            db.execute(
                f"INSERT INTO room_messages ({_ROOM_MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (message_id, kind, conversation.number, sender, stored, now),
            )
            _prune_room(db, conversation.number, now)
            return RoomMessage(message_id, conversation, sender, content, now)

        return self._write(run, keeps_cache=True)

    async def room_messages(
        self, conversations: Sequence[Conversation], after: int, limit: int
    ) -> list[RoomMessage]:
        where, args = _rooms_filter(conversations)
        if not where:
            return []
        rows = await self._query(
            f"SELECT {_ROOM_MESSAGE_COLUMNS} FROM room_messages"
            f" WHERE ({where}) AND id>? AND time>? ORDER BY id LIMIT ?",
            (*args, after, int(self.clock()) - ROOM_HISTORY_AGE, limit),
        )
        return [_room_message(r) for r in rows]

    # -- remarks --

    def set_remark(self, owner: int, buddy: int, remark: str) -> asyncio.Future[bool]:
        def run(db: sqlite3.Connection) -> bool:
            if not remark:
                sql = "DELETE FROM remarks WHERE owner=? AND buddy=?"
                return db.execute(sql, (owner, buddy)).rowcount > 0
            cur = db.execute(
                "INSERT INTO remarks (owner, buddy, remark) VALUES (?, ?, ?)"
                " ON CONFLICT (owner, buddy) DO UPDATE SET remark=excluded.remark"
                " WHERE remark<>excluded.remark",
                (owner, buddy, remark),
            )
            return cur.rowcount > 0

        return self._write(run)

    async def remarks(self, owner: int) -> dict[int, str]:
        rows = await self._query("SELECT buddy, remark FROM remarks WHERE owner=?", (owner,))
        return {int(r[0]): str(r[1]) for r in rows}

    # -- categories --

    async def categories(self, owner: int) -> list[Category]:
        rows = await self._query(
            "SELECT number, name FROM categories WHERE owner=? ORDER BY position, number",
            (owner,),
        )
        return categories_in_order(rows)

    def add_category(self, owner: int, name: str, limit: int) -> asyncio.Future[int | None]:
        def run(db: sqlite3.Connection) -> int | None:
            numbers = [
                int(r[0])
                for r in db.execute("SELECT number FROM categories WHERE owner=?", (owner,))
            ]
            if len([n for n in numbers if n != DEFAULT_CATEGORY]) + 1 >= limit:
                return None
            number = max(numbers, default=DEFAULT_CATEGORY) + 1
            position = db.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM categories WHERE owner=?", (owner,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO categories (owner, number, position, name) VALUES (?, ?, ?, ?)",
                (owner, number, position, name),
            )
            return number

        return self._write(run)

    def rename_category(self, owner: int, index: int, name: str) -> asyncio.Future[bool]:
        def run(db: sqlite3.Connection) -> bool:
            if index == DEFAULT_CATEGORY:
                # the default category has a row only once it has a name of its own
                cur = db.execute(
                    "INSERT INTO categories (owner, number, position, name) VALUES (?, ?, 0, ?)"
                    " ON CONFLICT (owner, number) DO UPDATE SET name=excluded.name"
                    " WHERE name<>excluded.name",
                    (owner, index, name),
                )
            else:
                cur = db.execute(
                    "UPDATE categories SET name=? WHERE owner=? AND number=? AND name<>?",
                    (name, owner, index, name),
                )
            return cur.rowcount > 0

        return self._write(run)

    def delete_category(self, owner: int, index: int) -> asyncio.Future[bool]:
        def run(db: sqlite3.Connection) -> bool:
            if index == DEFAULT_CATEGORY:
                return False
            cur = db.execute("DELETE FROM categories WHERE owner=? AND number=?", (owner, index))
            if cur.rowcount == 0:
                return False
            db.execute(
                "UPDATE buddies SET category=? WHERE owner=? AND category=?",
                (DEFAULT_CATEGORY, owner, index),
            )
            return True

        return self._write(run)

    def order_categories(self, owner: int, indexes: Sequence[int]) -> asyncio.Future[bool]:
        wanted = [i for i in indexes if i != DEFAULT_CATEGORY]

        def run(db: sqlite3.Connection) -> bool:
            have = {
                int(r[0])
                for r in db.execute(
                    "SELECT number FROM categories WHERE owner=? AND number<>?",
                    (owner, DEFAULT_CATEGORY),
                )
            }
            if len(wanted) != len(have) or set(wanted) != have:
                return False
            db.executemany(
                "UPDATE categories SET position=? WHERE owner=? AND number=?",
                [(position, owner, number) for position, number in enumerate(wanted, 1)],
            )
            return True

        return self._write(run)

    def set_category(self, owner: int, buddy: int, index: int) -> asyncio.Future[bool]:
        def run(db: sqlite3.Connection) -> bool:
            if (
                index != DEFAULT_CATEGORY
                and not db.execute(
                    "SELECT 1 FROM categories WHERE owner=? AND number=?", (owner, index)
                ).fetchone()
            ):
                return False
            cur = db.execute(
                "UPDATE buddies SET category=? WHERE owner=? AND buddy=? AND category<>?",
                (index, owner, buddy, index),
            )
            return cur.rowcount > 0

        return self._write(run)

    async def buddy_entries(self, owner: int, offset: int, limit: int) -> list[BuddyEntry]:
        rows = await self._query(
            "SELECT b.buddy, a.nick, a.face, COALESCE(r.remark, ''), b.category"
            " FROM buddies b JOIN accounts a ON a.uin=b.buddy"
            " LEFT JOIN remarks r ON r.owner=b.owner AND r.buddy=b.buddy"
            " WHERE b.owner=? ORDER BY b.position LIMIT ? OFFSET ?",
            (owner, limit, offset),
        )
        return [BuddyEntry(int(r[0]), str(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in rows]

    # -- web sign-ins --

    def _unexpired(self) -> int:
        """Sign-ins made after this second are still alive."""
        return int(self.clock()) - WEB_LOGIN_TTL

    def add_web_login(self, code: str, token: int) -> asyncio.Future[None]:
        def run(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM web_logins WHERE created<=?", (self._unexpired(),))
            if db.execute("SELECT 1 FROM web_logins WHERE code=?", (code,)).fetchone():
                raise ValueError(f"web sign-in code {code} is in use")
            db.execute(
                "INSERT INTO web_logins (code, token, created, state) VALUES (?, ?, ?, 'pending')",
                (code, token, int(self.clock())),
            )

        return self._write(run)

    async def web_login(self, token: int) -> WebLogin | None:
        rows = await self._query(
            f"SELECT {_WEB_LOGIN_COLUMNS} FROM web_logins WHERE token=? AND created>?"
            " ORDER BY created DESC, code LIMIT 1",
            (token, self._unexpired()),
        )
        return _web_login(rows[0]) if rows else None

    async def web_logins(self) -> list[WebLogin]:
        rows = await self._query(
            f"SELECT {_WEB_LOGIN_COLUMNS} FROM web_logins WHERE state='pending' AND created>?"
            " ORDER BY created, code",
            (self._unexpired(),),
        )
        return [_web_login(r) for r in rows]

    def decide_web_login(self, code: str, uin: int | None) -> asyncio.Future[bool]:
        state = "refused" if uin is None else "approved"

        def run(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE web_logins SET state=?, uin=?"
                " WHERE code=? AND state='pending' AND created>?",
                (state, uin, code, self._unexpired()),
            )
            return cur.rowcount > 0

        return self._write(run)

    def drop_web_login(self, code: str) -> asyncio.Future[None]:
        def run(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM web_logins WHERE code=?", (code,))

        return self._write(run, durable=False)


# The writes themselves; each runs on the writing connection inside a transaction.


def _notice(recipient: int, sender: int, kind: MessageKind, reason: str) -> NewMessage:
    return NewMessage(
        recipient, sender, Conversation.buddy(sender), kind, (reason,) if reason else ()
    )


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
    db.execute("DELETE FROM remarks WHERE owner=? AND buddy=?", (owner, buddy))
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


def _enqueue(db: sqlite3.Connection, messages: Sequence[tuple[int, NewMessage]]) -> list[int]:
    now = int(time.time())
    # one execute per row: executemany costs several times more for the usual one row
    for message_id, m in messages:
        db.execute(
            "INSERT INTO messages (id, recipient, sender, conversation_kind, conversation_number,"
            " kind, content, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message_id,
                m.recipient,
                m.sender,
                m.conversation.kind.value,
                m.conversation.number,
                m.kind.value,
                content_json(m.content),
                now,
            ),
        )
    return [message_id for message_id, _ in messages]


def _note_sent(db: sqlite3.Connection, sender: int, client_id: str, now: int) -> bool:
    """Record ``sender``'s ``client_id``; False when it is recorded already (and younger
    than SENT_IDS_KEPT: an expired record not yet deleted is taken over)."""
    cur = db.execute(
        "INSERT INTO sent_ids (sender, client_id, time) VALUES (?, ?, ?)"
        " ON CONFLICT (sender, client_id) DO UPDATE SET time=excluded.time"
        " WHERE sent_ids.time<?",
        (sender, client_id, now, now - SENT_IDS_KEPT),
    )
    return cur.rowcount > 0


def _delete_upto(db: sqlite3.Connection, recipient: int, last_id: int) -> None:
    db.execute("DELETE FROM messages WHERE recipient=? AND id<=?", (recipient, last_id))


def _take(db: sqlite3.Connection, recipient: int, limit: int) -> list[QueuedMessage]:
    rows = db.execute(
        f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE recipient=? ORDER BY id LIMIT ?",
        (recipient, limit),
    ).fetchall()
    if rows:
        _delete_upto(db, recipient, rows[-1][0])
    return [_message(r) for r in rows]


def _is_room(db: sqlite3.Connection, conversation: Conversation) -> bool:
    row = db.execute(
        "SELECT 1 FROM rooms WHERE number=? AND kind=?",
        (conversation.number, conversation.kind.value),
    ).fetchone()
    return row is not None


def _add_members(db: sqlite3.Connection, number: int, uins: Sequence[int], now: int) -> list[int]:
    added = []
    for uin in uins:
        cur = db.execute(
            "INSERT OR IGNORE INTO room_members (number, uin, card, joined) VALUES (?, ?, '', ?)",
            (number, uin, now),
        )
        if cur.rowcount > 0:
            added.append(uin)
    return added


def _prune_room(db: sqlite3.Connection, number: int, now: int) -> None:
    """Keep a room's newest ROOM_HISTORY messages, and none older than ROOM_HISTORY_AGE.

    Cheap for the usual post: one indexed look at the room's oldest kept message,
    and at the store's oldest (ids grow with time, so the oldest by id is the
    oldest): old messages of quiet rooms go too, a batch at a time.
    """
    row = db.execute(
        "SELECT id FROM room_messages WHERE conversation_number=?"
        " ORDER BY id DESC LIMIT 1 OFFSET ?",
        (number, ROOM_HISTORY),
    ).fetchone()
    if row is not None:
        db.execute(
            "DELETE FROM room_messages WHERE conversation_number=? AND id<=?", (number, row[0])
        )
    cutoff = now - ROOM_HISTORY_AGE
    db.execute(
        "DELETE FROM room_messages WHERE id IN"
        " (SELECT id FROM room_messages ORDER BY id LIMIT ?) AND time<=?",
        (PRUNE_BATCH, cutoff),
    )


def _rooms_filter(conversations: Sequence[Conversation]) -> tuple[str, list[int | str]]:
    """A WHERE clause (``?`` placeholders) matching room messages of these conversations."""
    clauses: list[str] = []
    args: list[int | str] = []
    for kind in ROOM_KINDS:
        numbers = sorted({c.number for c in conversations if c.kind is kind})
        if numbers:
            marks = ", ".join("?" for _ in numbers)
            clauses.append(f"(conversation_kind=? AND conversation_number IN ({marks}))")
            args += [kind.value, *numbers]
    return " OR ".join(clauses), args
