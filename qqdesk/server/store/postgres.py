"""The store in a PostgreSQL database (asyncpg): a group-commit writer task, pooled reads."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from qqdesk.core import (
    DEFAULT_CATEGORY,
    ROOM_HISTORY,
    ROOM_HISTORY_AGE,
    AuthMode,
    BuddyEntry,
    Category,
    Content,
    Conversation,
    ConversationKind,
    Member,
    Profile,
    ProfilePrivacy,
    Room,
    RoomMessage,
)

from ..bus.wakeup import CHANNEL, WakeUp, encode
from .failures import FailureLog
from .interface import (
    WEB_LOGIN_TTL,
    Account,
    MessageKind,
    NewMessage,
    QueuedMessage,
    SessionRecord,
    StoreError,
    TicketRecord,
    WebLogin,
    WebSessionRecord,
)
from .migrations import (
    INT_FIELDS,
    PRIVACY_COLUMNS,
    PROFILE_FIELDS,
    SENT_IDS_KEPT,
    categories_in_order,
    content_json,
    privacy_of,
    privacy_values,
)
from .postgres_migrations import SCHEMA_LOCK, Connection, bump_sequence, migrate, seed_sequences
from .sqlite import (
    PRUNE_BATCH,
    PRUNE_EVERY,
    _account,
    _message,
    _notice,
    _room,
    _room_message,
    _web_login,
    normalize_profile_fields,
    room_changes,
    room_kind,
    room_members,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The advisory lock taken to hand out message ids: a block (nextval then setval), or
#: the ids of a commit batch, held until that batch commits, so that ids follow the
#: order of commits across nodes (see _GroupCommitter).
ID_LOCK = SCHEMA_LOCK + 1

_ACCOUNT_COLUMNS = "uin, auth, searchable, " + ", ".join(PROFILE_FIELDS)
_MESSAGE_COLUMNS = (
    "id, recipient, sender, conversation_kind, conversation_number, kind, content, time"
)
_ROOM_COLUMNS = "kind, number, name, owner, memo, created"
_ROOM_MESSAGE_COLUMNS = "id, conversation_kind, conversation_number, sender, content, time"
_WEB_LOGIN_COLUMNS = "code, token, created, state, uin"
_WEB_SESSION_COLUMNS = "token, uin, ip, ticket, options, floor, room_cursor, presence, kicked, node"
#: Seconds a ticket with no live web session is kept (the real ptwebqq lived about two
#: days; a client that signed in a week ago signs in again).
TICKET_AGE = 7 * 86400
#: Seconds a kicked web session's row is kept (its psessionid answers 121, not 103).
KICKED_AGE = 86400

#: What asyncpg raises when the database refuses, fails or is gone. (A query on a
#: pooled connection the server has just terminated, pg_terminate_backend or a
#: restart, can fail with InternalClientError, "another operation is in progress":
#: the connection is as gone as with ConnectionDoesNotExistError.)
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    TimeoutError,
)
#: Of those, the ones that mean "the connection is gone" (worded as such).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    TimeoutError,
)

#: And what a malformed URL raises.
_OPEN_ERRORS: tuple[type[BaseException], ...] = (*DATABASE_ERRORS, ValueError)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def store_error(where: str, error: BaseException, doing: str = "write to") -> StoreError:
    """A database error as callers see it; a lost connection says so."""
    if isinstance(error, CONNECTION_ERRORS):
        text = f"lost the connection to {where} (the next call reconnects): {error!r}"
    else:
        text = f"cannot {doing} {where}: {error}"
    failed = StoreError(text)
    failed.__cause__ = error
    return failed


async def allocate_ids(db: Connection, count: int, *, wait: float | None = None) -> range:
    """``count`` consecutive message ids from the sequence.

    One statement, its own transaction: the lock is taken and let go by the server
    whatever the client does meanwhile (a blocked loop cannot hold it). With
    ``wait``, StoreError-worthy LockNotAvailableError after that many seconds."""
    sql = (
        "WITH locked AS (SELECT pg_advisory_xact_lock($1)),"
        " first AS (SELECT nextval('message_ids') AS v FROM locked)"
        " SELECT v, setval('message_ids', v + $2 - 1, true) FROM first"
    )
    if wait is None:
        first = int(await db.fetchval(sql, ID_LOCK, count))
    else:
        async with db.transaction():
            await db.execute(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'")
            first = int(await db.fetchval(sql, ID_LOCK, count))
    return range(first, first + count)


@dataclass(eq=False, slots=True)
class _Write:
    """One queued write: what to run, whether it must be synced, who waits for it."""

    #: None: news only (its wake-up travels with the batch's NOTIFY; see tell).
    run: Callable[[Connection], Awaitable[Any]] | None
    durable: bool
    future: asyncio.Future[Any]
    #: A plain enqueue's rows: neighbouring ones are inserted with one statement.
    messages: list[NewMessage] | None = None
    #: Who has something new once it commits.
    wake: WakeUp | None = None
    #: It gives message ids in the transaction (under ID_LOCK).
    takes_ids: bool = False


def _steps(batch: list[_Write], merge: bool) -> list[list[_Write]]:
    """The batch as statements to run: with ``merge``, neighbouring plain enqueues go
    together (one INSERT instead of one round trip each: group commit's other half)."""
    steps: list[list[_Write]] = []
    for job in batch:
        if merge and job.messages is not None and steps and steps[-1][-1].messages is not None:
            steps[-1].append(job)
        else:
            steps.append([job])
    return steps


class _GroupCommitter:
    """The writer task: queued writes in call order, committed in groups.

    Writes queued while a transaction commits go together into the next one, as
    in the SQLite store (see sqlite._GroupCommitter): one failing write does not
    undo the others (a second attempt runs each in a savepoint). A batch with a
    durable write commits with ``synchronous_commit=on`` (the WAL is flushed
    before COMMIT returns); a batch of deletions only with ``off``.

    A batch that queues messages or posts room messages takes ID_LOCK first and
    gives them ids from the sequence inside its transaction: the lock is held until
    COMMIT, so a batch committed later, by any node, has higher ids (an
    acknowledgement "up to id" or a room cursor never skips a message committed
    after it). Before COMMIT it sends one NOTIFY naming everyone it woke (delivered
    by PostgreSQL when, and only if, the batch commits). A lost
    connection fails the whole batch with StoreError; the pool connects afresh
    for the next one. (A connection lost during COMMIT itself leaves that batch
    in doubt: its callers see StoreError, yet it may have been committed.)
    """

    MAX_BATCH = 1000
    REPORT_AGAIN = 300.0
    ID_BLOCK = 10_000

    def __init__(self, pool: Any, where: str, node: str) -> None:
        self._pool = pool
        self._where = where
        self._node = node
        self._jobs: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._closed = False
        self._failures = FailureLog(where, self.REPORT_AGAIN)
        self.commits = 0
        self.synced_commits = 0
        #: A block of ids above the last batch that took ids (see PostgresStore).
        self.fresh_ids: range | None = None
        self.task = asyncio.get_running_loop().create_task(self._run(), name="qqdesk-pg-writer")

    def submit(
        self,
        run: Callable[[Connection], Awaitable[T]] | None,
        durable: bool,
        messages: list[NewMessage] | None = None,
        wake: WakeUp | None = None,
        takes_ids: bool = False,
    ) -> asyncio.Future[T]:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_exception(StoreError("the store is closed"))
        else:
            self._jobs.put_nowait(_Write(run, durable, future, messages, wake, takes_ids))
        return future

    def stop(self) -> None:
        """Refuse new writes; the task commits what is queued, then ends."""
        if not self._closed:
            self._closed = True
            self._jobs.put_nowait(None)

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            job = await self._jobs.get()
            if job is None:
                break
            batch = [job]
            while len(batch) < self.MAX_BATCH and not self._jobs.empty():
                job = self._jobs.get_nowait()
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            await self._commit(batch)

    async def _apply(
        self,
        db: Connection,
        batch: list[_Write],
        durable: bool,
        *,
        guarded: bool,
        news: list[WakeUp] | None = None,
    ) -> list[tuple[BaseException | None, Any]] | None:
        """Run a batch in one transaction and commit it: each write's (error, result);
        None when, unguarded, a write failed and the batch was undone (see sqlite).
        ``news`` travels with its NOTIFY."""
        outcomes: list[tuple[BaseException | None, Any]] = []
        woken = [job.wake for job in batch if job.wake is not None] + (news or [])
        takes_ids = any(job.takes_ids for job in batch)
        transaction = db.transaction()
        await transaction.start()
        try:
            if not durable:
                await db.execute("SET LOCAL synchronous_commit = off")
            if takes_ids:
                await db.execute("SELECT pg_advisory_xact_lock($1)", ID_LOCK)
            for step in _steps(batch, merge=not guarded):
                savepoint = db.transaction() if guarded else None
                if savepoint is not None:
                    await savepoint.start()
                try:
                    if len(step) == 1:
                        assert step[0].run is not None  # (news is no step: see _commit)
                        values = [await step[0].run(db)]
                    else:
                        rows = [row for job in step for row in job.messages or ()]
                        ids = iter(await _enqueue(db, rows))
                        values = [[next(ids) for _ in job.messages or ()] for job in step]
                except Exception as exc:
                    if savepoint is None:
                        await transaction.rollback()
                        return [(exc, None)] if len(batch) == 1 else None
                    if isinstance(exc, CONNECTION_ERRORS):
                        raise
                    await savepoint.rollback()
                    outcomes.append((exc, None))
                    continue
                outcomes.extend((None, value) for value in values)
                if savepoint is not None:
                    await savepoint.commit()
            if woken and not takes_ids:
                wake = functools.reduce(WakeUp.merged, woken)
                await db.execute("SELECT pg_notify($1, $2)", CHANNEL, encode(self._node, wake))
            elif woken:
                # (a write that failed in its savepoint wakes someone for nothing: harmless)
                wake = functools.reduce(WakeUp.merged, woken)
                # the NOTIFY, and this node's next block of in-memory ids, above
                # everything this batch committed (so a presence change after it sorts
                # after it), in one round trip
                first = await db.fetchval(
                    "SELECT v FROM (SELECT nextval('message_ids') AS v) AS f,"
                    " LATERAL (SELECT setval('message_ids', v + $3 - 1, true),"
                    " pg_notify($1, $2)) AS done",
                    CHANNEL,
                    encode(self._node, wake),
                    self.ID_BLOCK,
                )
                self.fresh_ids = range(int(first), int(first) + self.ID_BLOCK)
            await transaction.commit()
        except BaseException:
            with contextlib.suppress(*DATABASE_ERRORS):
                await transaction.rollback()
            raise
        return outcomes

    async def _commit(self, jobs: list[_Write]) -> None:
        # news (see PostgresStore.tell) rides on the batch's NOTIFY, or on one of its
        # own when no write came with it
        told = [job for job in jobs if job.run is None]
        news = [job.wake for job in told if job.wake is not None]
        batch = [job for job in jobs if job.run is not None]
        durable = any(job.durable for job in batch)
        outcomes: list[tuple[BaseException | None, Any]] | None
        try:
            async with self._pool.acquire() as db:
                if not batch:
                    wake = functools.reduce(WakeUp.merged, news)
                    await db.execute("SELECT pg_notify($1, $2)", CHANNEL, encode(self._node, wake))
                    outcomes = []
                else:
                    outcomes = await self._apply(db, batch, durable, guarded=False, news=news)
                    if outcomes is None:
                        outcomes = await self._apply(db, batch, durable, guarded=True, news=news)
                assert outcomes is not None
        except Exception as exc:  # nothing of the batch was committed (or it is in doubt)
            error = self._failed(exc, always=True)
            outcomes = [(error, None) for _ in jobs]
        else:
            self.commits += bool(batch)
            self.synced_commits += durable
            outcomes = [(self._failed(error), value) for error, value in outcomes]
            outcomes += [(None, None)] * len(told)
        self._failures.report(outcomes[: len(batch)], durable)
        for job, (error, value) in zip(batch + told, outcomes, strict=True):
            if job.future.done():  # the caller was cancelled: it stopped waiting
                continue
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(value)

    def _failed(self, error: BaseException | None, *, always: bool = False) -> BaseException | None:
        if isinstance(error, DATABASE_ERRORS) or (always and error is not None):
            assert error is not None
            return store_error(self._where, error)
        return error


class PostgresStore:
    """The store in a PostgreSQL database; nothing acknowledged is lost.

    Open it with ``await PostgresStore.open(url)``; it lives on the loop that
    opened it. Writes are queued in call order to one writer task that commits
    concurrent writes together (group commit, see _GroupCommitter); reads run on a
    small connection pool. Several nodes may share one database: migrations and
    sequence moves take advisory locks, auto-assigned account numbers come from a
    sequence, message ids from another: stored messages take theirs in the committing
    transaction (commit order, see _GroupCommitter), in-memory notices in blocks (see
    reserve_message_ids). Each store is one node: ``node`` names it in its NOTIFYs.
    """

    #: Connections in the pool (the writer holds one while it commits).
    POOL_SIZE = 4
    #: The pool's connections' application_name (pg_stat_activity).
    APPLICATION = "qqdesk-store"
    #: Message ids taken from the sequence at a time.
    ID_BLOCK = 10_000
    #: Longest wait for ID_LOCK with the loop blocked (see reserve_message_ids).
    ID_WAIT = 5.0

    def __init__(self, pool: Any, url: str, ids: range) -> None:
        """Use ``open``: this only wires up what it made."""
        self.url = url
        self.where = redact(url)
        self._pool = pool
        self._loop = asyncio.get_running_loop()
        #: This node's name in its wake-ups (a node skips its own: it woke its polls).
        self.node = secrets.token_hex(8)
        self._writer = _GroupCommitter(pool, self.where, self.node)
        self._closed = False
        self._closing: asyncio.Task[None] | None = None
        self._ids = ids
        self._spare: range | None = None
        self._refill: asyncio.Task[None] | None = None
        self._ids_failing = False
        #: The wall clock (seconds since the epoch) that rooms, room messages and web
        #: sign-ins are stamped and expired by; tests move it instead of waiting.
        self.clock: Callable[[], float] = time.time
        #: When the writer next deletes expired client message ids (see enqueue_once).
        self._next_prune = 0
        self._top_up()

    @classmethod
    async def open(cls, url: str, *, pool_size: int | None = None) -> PostgresStore:
        """Connect, bring the schema up to date and take a first block of message ids."""
        where = redact(url)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_size or cls.POOL_SIZE,
                timeout=30,
                # (named, as the bus's connection is: an operator sees which is which)
                server_settings={"application_name": cls.APPLICATION},
            )
        except _OPEN_ERRORS as exc:
            raise StoreError(f"cannot open store {where}: {exc}") from exc
        try:
            async with pool.acquire() as db:
                await migrate(db, where)
                ids = await allocate_ids(db, cls.ID_BLOCK)
        except BaseException as exc:
            pool.terminate()
            if isinstance(exc, DATABASE_ERRORS):
                raise StoreError(f"cannot open store {where}: {exc}") from exc
            raise
        return cls(pool, url, ids)

    # -- plumbing --

    @property
    def commits(self) -> int:
        """Write transactions committed so far (each holds one or more writes)."""
        return self._writer.commits

    @property
    def synced_commits(self) -> int:
        """Of those, the ones that waited for the WAL to be flushed."""
        return self._writer.synced_commits

    @property
    def closed(self) -> bool:
        return self._closed

    async def _query(self, sql: str, *args: object) -> list[Any]:
        if self._closed:
            raise StoreError("the store is closed")
        try:
            rows: list[Any] = await self._pool.fetch(sql, *args)
        except DATABASE_ERRORS as exc:
            raise store_error(self.where, exc, "read from") from exc
        return rows

    def _write(
        self,
        run: Callable[[Connection], Awaitable[T]],
        *,
        durable: bool = True,
        messages: list[NewMessage] | None = None,
        wake: WakeUp | None = None,
        takes_ids: bool = False,
    ) -> asyncio.Future[T]:
        return self._writer.submit(run, durable, messages, wake, takes_ids)

    async def aclose(self) -> None:
        """Commit the writes still queued, then close every connection; idempotent."""
        if self._closing is None:
            self._closed = True
            self._writer.stop()
            self._closing = asyncio.ensure_future(self._shut())
        await asyncio.shield(self._closing)

    async def _shut(self) -> None:
        await self._writer.task
        if self._refill is not None:
            with contextlib.suppress(Exception):
                await self._refill
        try:
            await asyncio.wait_for(self._pool.close(), 10)
        except DATABASE_ERRORS:  # TimeoutError among them
            self._pool.terminate()

    def close(self) -> None:
        """Close from another thread (blocking until done, as QQServer.stop calls it).

        On the store's own loop it cannot block: it stops taking writes and closes in
        the background (await ``aclose()`` there to wait for it)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            if self._closing is None:
                self._closed = True
                self._writer.stop()
                self._closing = self._loop.create_task(self._shut())
        elif self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self.aclose(), self._loop).result()
        else:  # that loop has ended: nothing can be committed any more
            self._closed = True
            self._pool.terminate()

    async def room_cursor_now(self) -> int:
        """Read under ID_LOCK: a batch that took ids and has not committed yet is
        waited for, so its messages are at or below the answer."""
        rows = await self._query(
            "WITH locked AS (SELECT pg_advisory_xact_lock($1))"
            " SELECT last_value FROM message_ids, locked",
            ID_LOCK,
        )
        return int(rows[0][0])

    def reserve_message_ids(self, count: int) -> range:
        """``count`` consecutive ids, at once and without I/O (the Store contract).

        These are for what the service hands out in memory (presence changes, QR
        notices, a web session's first room cursor); stored messages take theirs in
        the committing transaction, and each batch that did so takes the next block
        for these (above what it committed: one node's own order is exact). Ids come
        from the ``message_ids`` sequence in
        blocks of ID_BLOCK taken in advance (a spare block is fetched in the
        background as soon as the current one is in use). A request larger than
        what is on hand (more than ID_BLOCK watchers of one user on one node) blocks
        the loop for one round trip on a connection of its own; should this node's
        writer hold ID_LOCK meanwhile (it cannot let go while the loop is blocked),
        it fails with StoreError after ID_WAIT seconds instead of hanging.
        Unused ids of a block are skipped for good (gaps are harmless).
        Across nodes a block is behind messages another node commits after it was
        taken, so a presence change may sort before a message committed a moment
        earlier there: news sorts approximately, messages exactly (docs/scaling.md).
        """
        fresh, self._writer.fresh_ids = self._writer.fresh_ids, None
        if fresh is not None:
            # this node's latest batch committed messages above the block on hand
            self._ids, self._spare = fresh, None
        if count <= 0:
            return range(self._ids.start, self._ids.start)
        if len(self._ids) < count and self._spare is not None and len(self._spare) >= count:
            self._ids, self._spare = self._spare, None
        if len(self._ids) < count:
            self._ids = self._allocate_now(max(count, self.ID_BLOCK))
            self._spare = None  # taken before this block: its ids would go backwards
        taken = range(self._ids.start, self._ids.start + count)
        self._ids = range(taken.stop, self._ids.stop)
        self._top_up()
        return taken

    def _top_up(self) -> None:
        if self._spare is None and self._refill is None and not self._closed:
            self._refill = self._loop.create_task(self._fetch_spare())

    async def _fetch_spare(self) -> None:
        try:
            async with self._pool.acquire() as db:
                spare = await allocate_ids(db, self.ID_BLOCK)
            # a block taken at once meanwhile (see _allocate_now) may lie beyond this one
            if spare.start >= self._ids.stop:
                self._spare = spare
        except DATABASE_ERRORS as exc:  # the database is away: try again on the next call
            if not self._ids_failing:  # once per outage, not per message
                log.warning("cannot take message ids from %s: %s", self.where, exc)
            self._ids_failing = True
        else:
            self._ids_failing = False
        finally:
            self._refill = None

    def _allocate_now(self, count: int) -> range:
        """Ids with a blocking round trip (a thread and a connection of its own)."""
        result: list[range] = []
        errors: list[BaseException] = []

        async def fetch() -> None:
            db = await asyncpg.connect(self.url, timeout=30)
            try:
                result.append(await allocate_ids(db, count, wait=self.ID_WAIT))
            finally:
                await db.close()

        def run() -> None:
            try:
                asyncio.run(fetch())
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run, name="qqdesk-pg-ids")
        thread.start()
        thread.join()
        if errors:
            raise store_error(self.where, errors[0], "take message ids from")
        return result[0]

    # -- whole tables, for transfer.copy_store --

    async def rows(
        self, table: str, columns: Sequence[str], order: str, limit: int = -1
    ) -> list[tuple[Any, ...]]:
        """Rows of one table as stored, in ``order`` (transfer.TABLES names them)."""
        rows = await self._query(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order} LIMIT $1", _limit(limit)
        )
        return [tuple(r) for r in rows]

    async def load(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Rows into one table as they are (ids and times kept), with COPY; the sequences
        move above what came in, and message ids go on after it."""
        flags = [c == "searchable" for c in columns]  # SQLite keeps 0/1
        records = [
            tuple(bool(v) if flag else v for flag, v in zip(flags, row, strict=True))
            for row in rows
        ]

        async def run(db: Connection) -> None:
            await db.copy_records_to_table(table, records=records, columns=list(columns))
            await db.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await seed_sequences(db)

        await self._write(run)
        if table in ("messages", "room_messages") and rows:
            try:
                async with self._pool.acquire() as db:
                    self._ids = await allocate_ids(db, self.ID_BLOCK)
            except DATABASE_ERRORS as exc:
                raise store_error(self.where, exc, "take message ids from") from exc
            self._spare = None

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
        columns = ", ".join(values)
        marks = ", ".join(f"${i}" for i in range(6, 6 + len(values)))
        insert = (
            f"INSERT INTO accounts (uin, password_hash, auth, searchable, created, {columns})"
            f" VALUES ($1, $2, $3, $4, $5, {marks}) ON CONFLICT (uin) DO NOTHING RETURNING uin"
        )

        async def run(db: Connection) -> int:
            args = (password_hash, int(auth), searchable, int(time.time()), *values.values())
            if uin is None:
                # a number someone chose by hand may lie ahead of the sequence: skip it
                while True:
                    number = int(await db.fetchval("SELECT nextval('account_numbers')"))
                    if await db.fetchval(insert, number, *args) is not None:
                        return number
            if await db.fetchval(insert, uin, *args) is None:
                raise ValueError(f"account {uin} already exists")
            # as in SQLite, the next auto-assigned number comes after the largest
            await db.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK)
            await bump_sequence(db, "account_numbers", uin)
            return uin

        return self._write(run)

    async def account(self, uin: int) -> Account | None:
        rows = await self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE uin=$1", uin)
        return _account(rows[0]) if rows else None

    async def is_account(self, uin: int) -> bool:
        return bool(await self._query("SELECT 1 FROM accounts WHERE uin=$1", uin))

    async def password_hash(self, uin: int) -> str | None:
        rows = await self._query("SELECT password_hash FROM accounts WHERE uin=$1", uin)
        return str(rows[0][0]) if rows else None

    def set_password_hash(self, uin: int, password_hash: str) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            sql = "UPDATE accounts SET password_hash=$1 WHERE uin=$2 RETURNING 1"
            return await db.fetchval(sql, password_hash, uin) is not None

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
            values["searchable"] = bool(searchable)

        async def run(db: Connection) -> bool:
            if not values:
                return await db.fetchval("SELECT 1 FROM accounts WHERE uin=$1", uin) is not None
            sets = ", ".join(f"{k}=${i}" for i, k in enumerate(values, 2))
            sql = f"UPDATE accounts SET {sets} WHERE uin=$1 RETURNING 1"
            return await db.fetchval(sql, uin, *values.values()) is not None

        return self._write(run)

    async def privacy(self, uin: int) -> ProfilePrivacy | None:
        rows = await self._query(
            f"SELECT {', '.join(PRIVACY_COLUMNS)} FROM accounts WHERE uin=$1", uin
        )
        return privacy_of(tuple(rows[0])) if rows else None

    def set_privacy(self, uin: int, privacy: ProfilePrivacy) -> asyncio.Future[bool]:
        sets = ", ".join(f"{column}=${n}" for n, column in enumerate(PRIVACY_COLUMNS, 2))
        values = privacy_values(privacy)

        async def run(db: Connection) -> bool:
            sql = f"UPDATE accounts SET {sets} WHERE uin=$1 RETURNING 1"
            return await db.fetchval(sql, uin, *values) is not None

        return self._write(run)

    async def list_accounts(self) -> list[Account]:
        rows = await self._query(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY uin")
        return [_account(r) for r in rows]

    async def search(
        self, exclude: int, age: int, sex: int | None, province: str, offset: int, limit: int
    ) -> list[Account]:
        where = ["searchable", "uin<>$1"]
        args: list[object] = [exclude]
        # as in SQLite: an empty province and age 0 match anyone, sex None too
        filters = (("province", province or None), ("age", age or None), ("sex", sex))
        for column, value in filters:
            if value is not None:
                args.append(value)
                where.append(f"{column}=${len(args)}")
        rows = await self._query(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {' AND '.join(where)}"
            f" ORDER BY uin LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
            *args,
            _limit(limit),
            max(0, offset),
        )
        return [_account(r) for r in rows]

    # -- buddy lists --

    async def buddies(self, owner: int, offset: int = 0, limit: int = -1) -> list[int]:
        rows = await self._query(
            "SELECT buddy FROM buddies WHERE owner=$1 ORDER BY position LIMIT $2 OFFSET $3",
            owner,
            _limit(limit),
            max(0, offset),
        )
        return [int(r[0]) for r in rows]

    async def buddy_count(self, owner: int) -> int:
        rows = await self._query("SELECT COUNT(*) FROM buddies WHERE owner=$1", owner)
        return int(rows[0][0])

    async def watchers(self, uin: int) -> list[int]:
        rows = await self._query("SELECT owner FROM buddies WHERE buddy=$1 ORDER BY owner", uin)
        return [int(r[0]) for r in rows]

    def add_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]:
        return self._write(lambda db: _add_buddy(db, owner, buddy))

    def remove_buddy(self, owner: int, buddy: int) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            sql = "DELETE FROM buddies WHERE owner=$1 AND buddy=$2 RETURNING 1"
            removed = await db.fetchval(sql, owner, buddy) is not None
            await db.execute("DELETE FROM remarks WHERE owner=$1 AND buddy=$2", owner, buddy)
            return removed

        return self._write(run)

    # -- add requests --

    def request(self, requester: int, target: int, reason: str) -> asyncio.Future[list[int]]:
        """Keep ``requester``'s request to ``target`` and queue ``target``'s notice, at once."""
        notice = [_notice(target, requester, MessageKind.ADD_REQUEST, reason)]

        async def run(db: Connection) -> list[int]:
            await db.execute(
                "INSERT INTO requests (requester, target, reason, created)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (requester, target)"
                " DO UPDATE SET reason=EXCLUDED.reason, created=EXCLUDED.created",
                requester,
                target,
                reason,
                int(time.time()),
            )
            return await _enqueue(db, notice)

        return self._write(run, wake=WakeUp(accounts=frozenset({target})), takes_ids=True)

    def answer_request(
        self, requester: int, target: int, approve: bool, reason: str
    ) -> asyncio.Future[list[int] | None]:
        """``target`` answers ``requester``'s request, in one transaction (see SqliteStore)."""
        kind = MessageKind.REQUEST_APPROVED if approve else MessageKind.REQUEST_REFUSED
        notice = [_notice(requester, target, kind, reason)]

        async def run(db: Connection) -> list[int] | None:
            taken = await db.fetchval(
                "DELETE FROM requests WHERE requester=$1 AND target=$2 RETURNING reason",
                requester,
                target,
            )
            if taken is None:
                return None
            if approve:
                await _add_buddy(db, requester, target)
            return await _enqueue(db, notice)

        return self._write(run, wake=WakeUp(accounts=frozenset({requester})), takes_ids=True)

    async def open_request(self, requester: int, target: int) -> str | None:
        rows = await self._query(
            "SELECT reason FROM requests WHERE requester=$1 AND target=$2", requester, target
        )
        return str(rows[0][0]) if rows else None

    # -- messages --

    def enqueue(self, messages: Sequence[NewMessage]) -> asyncio.Future[list[int]]:
        """Queue messages; their ids (in commit order, see _GroupCommitter) once durable."""
        rows = list(messages)
        wake = WakeUp(accounts=frozenset(m.recipient for m in rows)) if rows else None
        return self._write(
            lambda db: _enqueue(db, rows), messages=rows, wake=wake, takes_ids=bool(rows)
        )

    def enqueue_once(self, message: NewMessage, client_id: str) -> asyncio.Future[list[int]]:
        """Queue ``message`` unless its sender sent ``client_id`` before (see SqliteStore)."""

        async def run(db: Connection) -> list[int]:
            if not await self._note_sent(db, message.sender, client_id):
                return []
            return await _enqueue(db, [message])

        # (not a plain enqueue: the writer must not merge it into another INSERT)
        wake = WakeUp(accounts=frozenset({message.recipient}))
        return self._write(run, wake=wake, takes_ids=True)

    async def _note_sent(self, db: Connection, sender: int, client_id: str) -> bool:
        """Record ``sender``'s ``client_id`` (and now and then forget old ones); False
        when it is recorded already and younger than SENT_IDS_KEPT."""
        now = int(time.time())
        if now >= self._next_prune:
            await db.execute("DELETE FROM sent_ids WHERE time<$1", now - SENT_IDS_KEPT)
            self._next_prune = now + PRUNE_EVERY
        # (a concurrent transaction with the same id waits here for the first to end)
        noted = await db.fetchval(
            "INSERT INTO sent_ids (sender, client_id, time) VALUES ($1, $2, $3)"
            " ON CONFLICT (sender, client_id) DO UPDATE SET time=EXCLUDED.time"
            " WHERE sent_ids.time<$4 RETURNING 1",
            sender,
            client_id,
            now,
            now - SENT_IDS_KEPT,
        )
        return noted is not None

    async def queued(self, recipient: int, limit: int, after: int = 0) -> list[QueuedMessage]:
        rows = await self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages"
            " WHERE recipient=$1 AND id>$2 ORDER BY id LIMIT $3",
            recipient,
            after,
            _limit(limit),
        )
        return [_message(r) for r in rows]

    async def from_strangers(self, recipient: int, limit: int, after: int = 0) -> int:
        rows = await self._query(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.recipient=$1 AND m.id>$2"
            " AND NOT EXISTS (SELECT 1 FROM buddies b WHERE b.owner=$1 AND b.buddy=m.sender)"
            " LIMIT $3) AS s",
            recipient,
            after,
            _limit(limit),
        )
        return int(rows[0][0])

    def delete_upto(self, recipient: int, last_id: int) -> asyncio.Future[None]:
        return self._write(lambda db: _delete_upto(db, recipient, last_id), durable=False)

    def take(self, recipient: int, limit: int) -> asyncio.Future[list[QueuedMessage]]:
        async def run(db: Connection) -> list[QueuedMessage]:
            rows = await db.fetch(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE recipient=$1 ORDER BY id LIMIT $2",
                recipient,
                _limit(limit),
            )
            if rows:
                await _delete_upto(db, recipient, rows[-1][0])
            return [_message(r) for r in rows]

        return self._write(run, durable=False)

    # -- rooms --

    def create_room(
        self, kind: ConversationKind, name: str, owner: int | None, members: Sequence[int]
    ) -> asyncio.Future[Conversation]:
        stored_kind = room_kind(kind)
        joining = room_members(owner, members)

        async def run(db: Connection) -> Conversation:
            now = int(self.clock())
            number = await db.fetchval(
                "INSERT INTO rooms (number, kind, name, owner, memo, created)"
                " VALUES (nextval('room_numbers'), $1, $2, $3, '', $4) RETURNING number",
                stored_kind,
                name,
                owner,
                now,
            )
            await _add_members(db, number, joining, now)
            return Conversation(kind, int(number))

        return self._write(run)

    async def room(self, conversation: Conversation) -> Room | None:
        rows = await self._query(
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE number=$1 AND kind=$2",
            conversation.number,
            conversation.kind.value,
        )
        return _room(rows[0]) if rows else None

    async def list_rooms(self, kind: ConversationKind) -> list[Room]:
        rows = await self._query(
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE kind=$1 ORDER BY number", room_kind(kind)
        )
        return [_room(r) for r in rows]

    async def rooms_of(self, uin: int) -> list[Room]:
        rows = await self._query(
            f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE number IN"
            " (SELECT number FROM room_members WHERE uin=$1)"
            " ORDER BY kind='discussion', number",
            uin,
        )
        return [_room(r) for r in rows]

    async def members(self, conversation: Conversation) -> list[Member]:
        rows = await self._query(
            "SELECT m.uin, m.card, m.joined FROM room_members m"
            " JOIN rooms r ON r.number=m.number AND r.kind=$1"
            " WHERE m.number=$2 ORDER BY m.joined, m.uin",
            conversation.kind.value,
            conversation.number,
        )
        return [Member(r[0], r[1], r[2]) for r in rows]

    async def is_member(self, conversation: Conversation, uin: int) -> bool:
        return bool(
            await self._query(
                "SELECT 1 FROM room_members m JOIN rooms r ON r.number=m.number AND r.kind=$1"
                " WHERE m.number=$2 AND m.uin=$3",
                conversation.kind.value,
                conversation.number,
                uin,
            )
        )

    def add_members(
        self, conversation: Conversation, uins: Sequence[int]
    ) -> asyncio.Future[list[int]]:
        joining = list(dict.fromkeys(uins))

        async def run(db: Connection) -> list[int]:
            if not await _is_room(db, conversation):
                return []
            return await _add_members(db, conversation.number, joining, int(self.clock()))

        return self._write(run)

    def remove_member(self, conversation: Conversation, uin: int) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            if not await _is_room(db, conversation):
                return False
            sql = "DELETE FROM room_members WHERE number=$1 AND uin=$2 RETURNING 1"
            return await db.fetchval(sql, conversation.number, uin) is not None

        return self._write(run)

    def set_card(self, conversation: Conversation, uin: int, card: str) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            if not await _is_room(db, conversation):
                return False
            sql = "UPDATE room_members SET card=$1 WHERE number=$2 AND uin=$3 RETURNING 1"
            return await db.fetchval(sql, card, conversation.number, uin) is not None

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

        async def run(db: Connection) -> bool:
            sets = ", ".join(f"{k}=${i}" for i, k in enumerate(values, 3)) or "number=number"
            sql = f"UPDATE rooms SET {sets} WHERE number=$1 AND kind=$2 RETURNING 1"
            found = await db.fetchval(
                sql, conversation.number, conversation.kind.value, *values.values()
            )
            return found is not None

        return self._write(run)

    def post(
        self, conversation: Conversation, sender: int, content: Content
    ) -> asyncio.Future[RoomMessage]:
        room_kind(conversation)  # (a buddy chat is refused at once, not in the batch)

        async def run(db: Connection) -> RoomMessage:
            return await self._post_in(db, conversation, sender, content)

        return self._write(run, wake=WakeUp(rooms=frozenset({conversation})), takes_ids=True)

    def post_once(
        self, conversation: Conversation, sender: int, content: Content, client_id: str
    ) -> asyncio.Future[RoomMessage | None]:
        room_kind(conversation)

        async def run(db: Connection) -> RoomMessage | None:
            if not await self._note_sent(db, sender, client_id):
                return None  # a resend: kept already
            return await self._post_in(db, conversation, sender, content)

        return self._write(run, wake=WakeUp(rooms=frozenset({conversation})), takes_ids=True)

    async def _post_in(
        self, db: Connection, conversation: Conversation, sender: int, content: Content
    ) -> RoomMessage:
        """A room message kept in the batch's transaction."""
        now = int(self.clock())
        # (under ID_LOCK, held by the batch until it commits: commit order)
        message_id = int(await db.fetchval("SELECT nextval('message_ids')"))
        await db.execute(
            f"INSERT INTO room_messages ({_ROOM_MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)",
            message_id,
            room_kind(conversation),
            conversation.number,
            sender,
            content_json(content),
            now,
        )
        await _prune_room(db, conversation.number, now)
        return RoomMessage(message_id, conversation, sender, content, now)

    # -- classic sessions every node sees (interface.SharedSessions) --

    def tell(self, wake: WakeUp) -> asyncio.Future[None]:
        """Send ``wake`` to the other nodes with the batch being written (the writer
        merges it into that batch's one NOTIFY: no round trip of its own), or alone."""
        told: asyncio.Future[None] = self._writer.submit(None, False, wake=wake)
        return told

    def keep_session(self, record: SessionRecord) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute(
                "INSERT INTO sessions (uin, ip, token, presence, node, started)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (uin) DO UPDATE SET"
                " ip=EXCLUDED.ip, token=EXCLUDED.token, presence=EXCLUDED.presence,"
                " node=EXCLUDED.node, started=EXCLUDED.started",
                record.uin,
                record.ip,
                record.token,
                record.presence,
                record.node,
                int(time.time()),
            )

        wake = WakeUp(sessions=frozenset({record.uin}))
        return self._write(run, durable=False, wake=wake)

    def drop_session(self, uin: int, token: str) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute("DELETE FROM sessions WHERE uin=$1 AND token=$2", uin, token)

        return self._write(run, durable=False, wake=WakeUp(sessions=frozenset({uin})))

    def claim_session(self, uin: int, token: str, node: str) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            status = await db.execute(
                "UPDATE sessions SET node=$3 WHERE uin=$1 AND token=$2", uin, token, node
            )
            return bool(status == "UPDATE 1")

        # (the node that held it hears, and lets go of its copy)
        return self._write(run, durable=False, wake=WakeUp(sessions=frozenset({uin})))

    def session_presence(self, uin: int, token: str, presence: str) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute(
                "UPDATE sessions SET presence=$3 WHERE uin=$1 AND token=$2", uin, token, presence
            )

        return self._write(run, durable=False)

    async def find_session(self, uin: int) -> SessionRecord | None:
        rows = await self._query(
            "SELECT uin, ip, token, presence, node FROM sessions WHERE uin=$1", uin
        )
        return SessionRecord(*rows[0]) if rows else None

    async def online(self) -> dict[int, str]:
        rows = await self._query("SELECT uin, presence FROM sessions")
        return {int(r[0]): str(r[1]) for r in rows}

    # -- web sign-ins and sessions every node sees (interface.SharedWebSessions) --

    async def web_id_key(self) -> bytes:
        rows = await self._query("SELECT key FROM web_id_key WHERE one=1")
        if not rows:
            raise StoreError(f"{self.where} has no web id key (a damaged schema)")
        return bytes(rows[0][0])

    def keep_ticket(self, ticket: TicketRecord) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            # tickets of sign-ins long gone, with no session left, go first
            await db.execute(
                "DELETE FROM web_tickets t WHERE created<$1 AND NOT EXISTS"
                " (SELECT 1 FROM web_sessions s WHERE s.ticket=t.vfwebqq AND NOT s.kicked)",
                int(self.clock()) - TICKET_AGE,
            )
            await db.execute(
                "INSERT INTO web_tickets (vfwebqq, uin, skey, ptwebqq, token, created)"
                " VALUES ($1, $2, $3, $4, $5, $6)",
                ticket.vfwebqq,
                ticket.uin,
                ticket.skey,
                ticket.ptwebqq,
                ticket.token,
                int(self.clock()),
            )

        return self._write(run, durable=False)

    async def find_ticket(
        self, *, skey: str = "", token: str = "", vfwebqq: str = "", signature: str = ""
    ) -> TicketRecord | None:
        columns = "uin, skey, ptwebqq, token, vfwebqq"
        if signature:
            # (used up: a ptsigx is exchanged once; the write waits for nothing else)
            async def run(db: Connection) -> Any:
                return await db.fetchrow(
                    f"UPDATE web_tickets SET signature=NULL WHERE signature=$1 RETURNING {columns}",
                    signature,
                )

            row = await self._write(run, durable=False)
            return TicketRecord(*row) if row is not None else None
        for column, value in (("skey", skey), ("token", token), ("vfwebqq", vfwebqq)):
            if value:
                rows = await self._query(
                    f"SELECT {columns} FROM web_tickets WHERE {column}=$1", value
                )
                return TicketRecord(*rows[0]) if rows else None
        return None

    def sign_ticket(self, vfwebqq: str, signature: str) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute(
                "UPDATE web_tickets SET signature=$2 WHERE vfwebqq=$1", vfwebqq, signature
            )

        # (awaited by the caller: check_sig may land on another node at once)
        return self._write(run, durable=False)

    def drop_ticket(self, vfwebqq: str) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute("DELETE FROM web_tickets WHERE vfwebqq=$1", vfwebqq)

        return self._write(run, durable=False)

    def keep_web_session(self, record: WebSessionRecord) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            now = int(self.clock())
            await db.execute(
                "DELETE FROM web_sessions WHERE kicked AND started<$1", now - KICKED_AGE
            )
            # (``started`` of a kicked row is when it was kicked: kept KICKED_AGE from then)
            await db.execute(
                "UPDATE web_sessions SET kicked=TRUE, started=$2 WHERE uin=$1 AND NOT kicked",
                record.uin,
                now,
            )
            await db.execute(
                f"INSERT INTO web_sessions ({_WEB_SESSION_COLUMNS}, started)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                record.token,
                record.uin,
                record.ip,
                record.ticket,
                record.options,
                record.floor,
                record.room_cursor,
                record.presence,
                record.kicked,
                record.node,
                now,
            )

        return self._write(run, durable=False, wake=WakeUp(web=frozenset({record.uin})))

    def claim_web_session(self, token: str, node: str) -> asyncio.Future[bool]:
        async def run(db: Connection) -> int | None:
            uin = await db.fetchval(
                "UPDATE web_sessions SET node=$2 WHERE token=$1 AND NOT kicked RETURNING uin",
                token,
                node,
            )
            return None if uin is None else int(uin)

        return self._write_naming_web(run)

    def update_web_session(
        self, token: str, floor: int, room_cursor: int, presence: str
    ) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute(
                "UPDATE web_sessions SET floor=GREATEST(floor, $2),"
                " room_cursor=GREATEST(room_cursor, $3), presence=$4 WHERE token=$1",
                token,
                floor,
                room_cursor,
                presence,
            )

        return self._write(run, durable=False)

    def drop_web_session(self, token: str, node: str | None = None) -> asyncio.Future[bool]:
        async def run(db: Connection) -> int | None:
            uin = await db.fetchval(
                "DELETE FROM web_sessions WHERE token=$1 AND NOT kicked"
                " AND ($2::text IS NULL OR node=$2) RETURNING uin",
                token,
                node,
            )
            return None if uin is None else int(uin)

        return self._write_naming_web(run)

    def _write_naming_web(
        self, run: Callable[[Connection], Awaitable[int | None]]
    ) -> asyncio.Future[bool]:
        """A write to one web session that tells the other nodes (their copy is stale);
        whether the session was there."""

        async def with_notice(db: Connection) -> bool:
            uin = await run(db)
            if uin is None:
                return False
            # (the account is known only inside the transaction: its own NOTIFY,
            # delivered at COMMIT as the batch's is)
            wake = WakeUp(web=frozenset({uin}))
            await db.execute("SELECT pg_notify($1, $2)", CHANNEL, encode(self.node, wake))
            return True

        return self._write(with_notice, durable=False)

    async def find_web_session(
        self, *, token: str = "", uin: int | None = None
    ) -> WebSessionRecord | None:
        if token:
            sql = f"SELECT {_WEB_SESSION_COLUMNS} FROM web_sessions WHERE token=$1"
            rows = await self._query(sql, token)
        elif uin is not None:
            sql = f"SELECT {_WEB_SESSION_COLUMNS} FROM web_sessions WHERE uin=$1 AND NOT kicked"
            rows = await self._query(sql, uin)
        else:
            return None
        return WebSessionRecord(*rows[0]) if rows else None

    async def room_messages(
        self, conversations: Sequence[Conversation], after: int, limit: int
    ) -> list[RoomMessage]:
        groups = sorted({c.number for c in conversations if c.kind is ConversationKind.GROUP})
        discussions = sorted(
            {c.number for c in conversations if c.kind is ConversationKind.DISCUSSION}
        )
        if not groups and not discussions:
            return []
        rows = await self._query(
            f"SELECT {_ROOM_MESSAGE_COLUMNS} FROM room_messages"
            " WHERE ((conversation_kind='group' AND conversation_number=ANY($1::bigint[]))"
            " OR (conversation_kind='discussion' AND conversation_number=ANY($2::bigint[])))"
            " AND id>$3 AND time>$4 ORDER BY id LIMIT $5",
            groups,
            discussions,
            after,
            int(self.clock()) - ROOM_HISTORY_AGE,
            _limit(limit),
        )
        return [_room_message(r) for r in rows]

    # -- remarks --

    def set_remark(self, owner: int, buddy: int, remark: str) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            if not remark:
                sql = "DELETE FROM remarks WHERE owner=$1 AND buddy=$2 RETURNING 1"
                return await db.fetchval(sql, owner, buddy) is not None
            changed = await db.fetchval(
                "INSERT INTO remarks AS r (owner, buddy, remark) VALUES ($1, $2, $3)"
                " ON CONFLICT (owner, buddy) DO UPDATE SET remark=EXCLUDED.remark"
                " WHERE r.remark<>EXCLUDED.remark RETURNING 1",
                owner,
                buddy,
                remark,
            )
            return changed is not None

        return self._write(run)

    async def remarks(self, owner: int) -> dict[int, str]:
        rows = await self._query("SELECT buddy, remark FROM remarks WHERE owner=$1", owner)
        return {int(r[0]): str(r[1]) for r in rows}

    # -- categories --

    async def categories(self, owner: int) -> list[Category]:
        rows = await self._query(
            "SELECT number, name FROM categories WHERE owner=$1 ORDER BY position, number", owner
        )
        return categories_in_order(rows)

    def add_category(self, owner: int, name: str, limit: int) -> asyncio.Future[int | None]:
        async def run(db: Connection) -> int | None:
            # nodes adding to one owner's list at once would pick the same number
            await db.execute("SELECT pg_advisory_xact_lock($1)", CATEGORY_LOCK + owner)
            rows = await db.fetch("SELECT number FROM categories WHERE owner=$1", owner)
            numbers = [int(r[0]) for r in rows]
            if len([n for n in numbers if n != DEFAULT_CATEGORY]) + 1 >= limit:
                return None
            number = max(numbers, default=DEFAULT_CATEGORY) + 1
            await db.execute(
                "INSERT INTO categories (owner, number, position, name) VALUES ($1, $2,"
                " (SELECT COALESCE(MAX(position), 0) + 1 FROM categories WHERE owner=$1), $3)",
                owner,
                number,
                name,
            )
            return number

        return self._write(run)

    def rename_category(self, owner: int, index: int, name: str) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            if index == DEFAULT_CATEGORY:
                changed = await db.fetchval(
                    "INSERT INTO categories AS c (owner, number, position, name)"
                    " VALUES ($1, $2, 0, $3) ON CONFLICT (owner, number)"
                    " DO UPDATE SET name=EXCLUDED.name WHERE c.name<>EXCLUDED.name RETURNING 1",
                    owner,
                    index,
                    name,
                )
            else:
                changed = await db.fetchval(
                    "UPDATE categories SET name=$3 WHERE owner=$1 AND number=$2 AND name<>$3"
                    " RETURNING 1",
                    owner,
                    index,
                    name,
                )
            return changed is not None

        return self._write(run)

    def delete_category(self, owner: int, index: int) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            if index == DEFAULT_CATEGORY:
                return False
            gone = await db.fetchval(
                "DELETE FROM categories WHERE owner=$1 AND number=$2 RETURNING 1", owner, index
            )
            if gone is None:
                return False
            await db.execute(
                "UPDATE buddies SET category=$1 WHERE owner=$2 AND category=$3",
                DEFAULT_CATEGORY,
                owner,
                index,
            )
            return True

        return self._write(run)

    def order_categories(self, owner: int, indexes: Sequence[int]) -> asyncio.Future[bool]:
        wanted = [i for i in indexes if i != DEFAULT_CATEGORY]

        async def run(db: Connection) -> bool:
            rows = await db.fetch(
                "SELECT number FROM categories WHERE owner=$1 AND number<>$2 FOR UPDATE",
                owner,
                DEFAULT_CATEGORY,
            )
            have = {int(r[0]) for r in rows}
            if len(wanted) != len(have) or set(wanted) != have:
                return False
            await db.executemany(
                "UPDATE categories SET position=$1 WHERE owner=$2 AND number=$3",
                [(position, owner, number) for position, number in enumerate(wanted, 1)],
            )
            return True

        return self._write(run)

    def set_category(self, owner: int, buddy: int, index: int) -> asyncio.Future[bool]:
        async def run(db: Connection) -> bool:
            changed = await db.fetchval(
                "UPDATE buddies SET category=$3 WHERE owner=$1 AND buddy=$2 AND category<>$3"
                " AND ($3=$4 OR EXISTS (SELECT 1 FROM categories WHERE owner=$1 AND number=$3))"
                " RETURNING 1",
                owner,
                buddy,
                index,
                DEFAULT_CATEGORY,
            )
            return changed is not None

        return self._write(run)

    async def buddy_entries(self, owner: int, offset: int, limit: int) -> list[BuddyEntry]:
        rows = await self._query(
            "SELECT b.buddy, a.nick, a.face, COALESCE(r.remark, ''), b.category"
            " FROM buddies b JOIN accounts a ON a.uin=b.buddy"
            " LEFT JOIN remarks r ON r.owner=b.owner AND r.buddy=b.buddy"
            " WHERE b.owner=$1 ORDER BY b.position LIMIT $2 OFFSET $3",
            owner,
            _limit(limit),
            max(0, offset),
        )
        return [BuddyEntry(int(r[0]), str(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in rows]

    # -- web sign-ins --

    def _unexpired(self) -> int:
        """Sign-ins made after this second are still alive."""
        return int(self.clock()) - WEB_LOGIN_TTL

    def add_web_login(self, code: str, token: int) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute("DELETE FROM web_logins WHERE created<=$1", self._unexpired())
            added = await db.fetchval(
                "INSERT INTO web_logins (code, token, created, state)"
                " VALUES ($1, $2, $3, 'pending') ON CONFLICT (code) DO NOTHING RETURNING 1",
                code,
                token,
                int(self.clock()),
            )
            if added is None:
                raise ValueError(f"web sign-in code {code} is in use")

        return self._write(run)

    async def web_login(self, token: int) -> WebLogin | None:
        rows = await self._query(
            f"SELECT {_WEB_LOGIN_COLUMNS} FROM web_logins WHERE token=$1 AND created>$2"
            " ORDER BY created DESC, code LIMIT 1",
            token,
            self._unexpired(),
        )
        return _web_login(rows[0]) if rows else None

    async def web_logins(self) -> list[WebLogin]:
        rows = await self._query(
            f"SELECT {_WEB_LOGIN_COLUMNS} FROM web_logins WHERE state='pending' AND created>$1"
            " ORDER BY created, code",
            self._unexpired(),
        )
        return [_web_login(r) for r in rows]

    def decide_web_login(self, code: str, uin: int | None) -> asyncio.Future[bool]:
        state = "refused" if uin is None else "approved"

        async def run(db: Connection) -> bool:
            decided = await db.fetchval(
                "UPDATE web_logins SET state=$1, uin=$2"
                " WHERE code=$3 AND state='pending' AND created>$4 RETURNING 1",
                state,
                uin,
                code,
                self._unexpired(),
            )
            return decided is not None

        return self._write(run)

    def drop_web_login(self, code: str) -> asyncio.Future[None]:
        async def run(db: Connection) -> None:
            await db.execute("DELETE FROM web_logins WHERE code=$1", code)

        return self._write(run, durable=False)


#: Advisory lock keys (CATEGORY_LOCK + owner) around adding a category: below
#: postgres_migrations.SCHEMA_LOCK for every possible owner number.
CATEGORY_LOCK = 1 << 40


def _limit(limit: int) -> int | None:
    """SQLite's LIMIT -1 ("no limit") is PostgreSQL's LIMIT NULL."""
    return None if limit < 0 else limit


async def _add_buddy(db: Connection, owner: int, buddy: int) -> bool:
    added = await db.fetchval(
        "INSERT INTO buddies (owner, buddy, position)"
        " SELECT $1, $2, COALESCE(MAX(position), -1) + 1 FROM buddies WHERE owner=$1"
        " ON CONFLICT (owner, buddy) DO NOTHING RETURNING 1",
        owner,
        buddy,
    )
    return added is not None


async def _enqueue(db: Connection, messages: Sequence[NewMessage]) -> list[int]:
    """One statement however many rows (a group's fan-out): arrays, unnested. The ids
    come from the sequence now (the batch holds ID_LOCK until it commits)."""
    now = int(time.time())
    numbers = await db.fetch(
        "SELECT nextval('message_ids') FROM generate_series(1, $1)", len(messages)
    )
    ids = sorted(int(r[0]) for r in numbers)
    await db.execute(
        "INSERT INTO messages (id, recipient, sender, conversation_kind, conversation_number,"
        " kind, content, time) SELECT id, recipient, sender, ck, cn, kind, content, $8"
        " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[],"
        " $6::text[], $7::text[]) AS m(id, recipient, sender, ck, cn, kind, content)",
        ids,
        [m.recipient for m in messages],
        [m.sender for m in messages],
        [m.conversation.kind.value for m in messages],
        [m.conversation.number for m in messages],
        [m.kind.value for m in messages],
        [content_json(m.content) for m in messages],
        now,
    )
    return ids


async def _delete_upto(db: Connection, recipient: int, last_id: int) -> None:
    await db.execute("DELETE FROM messages WHERE recipient=$1 AND id<=$2", recipient, last_id)


async def _is_room(db: Connection, conversation: Conversation) -> bool:
    found = await db.fetchval(
        "SELECT 1 FROM rooms WHERE number=$1 AND kind=$2",
        conversation.number,
        conversation.kind.value,
    )
    return found is not None


async def _add_members(db: Connection, number: int, uins: Sequence[int], now: int) -> list[int]:
    """Join ``uins`` (in their order) to room ``number``; the ones newly added."""
    rows = await db.fetch(
        "INSERT INTO room_members (number, uin, card, joined)"
        " SELECT $1, u, '', $3 FROM unnest($2::bigint[]) WITH ORDINALITY AS j(u, o) ORDER BY o"
        " ON CONFLICT (number, uin) DO NOTHING RETURNING uin",
        number,
        list(uins),
        now,
    )
    added = {int(r[0]) for r in rows}
    return [uin for uin in uins if uin in added]


async def _prune_room(db: Connection, number: int, now: int) -> None:
    """As the SQLite store's _prune_room: the room's newest ROOM_HISTORY, none too old."""
    await db.execute(
        "DELETE FROM room_messages WHERE conversation_number=$1 AND id<="
        " (SELECT id FROM room_messages WHERE conversation_number=$1"
        " ORDER BY id DESC LIMIT 1 OFFSET $2)",
        number,
        ROOM_HISTORY,
    )
    await db.execute(
        "DELETE FROM room_messages WHERE id IN"
        " (SELECT id FROM room_messages ORDER BY id LIMIT $1) AND time<=$2",
        PRUNE_BATCH,
        now - ROOM_HISTORY_AGE,
    )
