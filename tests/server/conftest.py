"""Fixtures for server tests: a live server with a hand-driven clock, and a raw protocol client."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from qqdesk.core import AuthMode, Conversation, Profile, parse_text, render_text
from qqdesk.protocol.classic import LOGIN_CODE
from qqdesk.server import QQServer, SqliteStore
from qqdesk.server.store import MessageKind, NewMessage, QueuedMessage, hash_password, md5_hex
from qqdesk.server.store.postgres import PostgresStore
from tests.support.postgres import Cluster, find_binaries
from tests.support.wire import post

#: A cheap password hash for tests that create many accounts (production uses 2**14).
FAST_SCRYPT = 2**8


class FakeClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def md5(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()


class Raw:
    """Speaks the protocol to a live server exactly as a legacy client would (raw sockets)."""

    def __init__(self, url: str, uin: int, *, source: str | None = None) -> None:
        self.url = url
        self.uin = uin
        self.source = source
        self.cookie: str | None = None
        self.seq = 1000

    async def send(self, cmd: str, ver: str = "1.1", **fields: object) -> bytes:
        """Post ``VER CMD SEQ UIN`` plus fields (percent-encoded); the reply body."""
        self.seq += 1
        parts = [f"VER={ver}", f"CMD={cmd}", f"SEQ={self.seq}", f"UIN={self.uin}"]
        parts += [f"{k}={quote(str(v), safe='')}" for k, v in fields.items()]
        headers = {"Cookie": self.cookie} if self.cookie else None
        status, reply_headers, body = await post(
            self.url, "&".join(parts).encode(), headers, source=self.source
        )
        assert status == 200
        if "set-cookie" in reply_headers:
            self.cookie = reply_headers["set-cookie"].split(";")[0]
        return body

    async def login(self, password: str = "pw") -> bytes:
        return await self.send("Login", PS=md5(password), M5=1, LC=LOGIN_CODE)

    def head(self, cmd: str) -> str:
        """The reply header this client's next request will be answered with."""
        return f"VER=1.1&CMD={cmd}&SEQ={self.seq + 1}&UIN={self.uin}&"


def store_accounts(db: Path, uins: list[int]) -> None:
    """Accounts (password 'pw') straight into a store file, with a cheap password hash.

    Synchronous (for tests that drive server processes): it runs its own loop, on a
    thread of its own so that async tests may call it too."""

    async def create() -> None:
        store = SqliteStore(db)
        for uin in uins:
            await store.create_account(
                uin,
                hash_password(md5_hex("pw"), n=FAST_SCRYPT),
                Profile(uin=uin),
                AuthMode.ANYONE,
                True,
            )
        store.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()


def fields(body: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in body.decode().split("&"):
        key, _, value = part.partition("=")
        if key:
            out.setdefault(key, value)
    return out


MakeServer = Callable[..., Awaitable[QQServer]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_server(tmp_path: Path, clock: FakeClock) -> AsyncIterator[MakeServer]:
    """``await make_server(**kwargs)``: a started QQServer on a hand-driven clock."""
    started: list[QQServer] = []

    async def make(db: Path | None = None, **kwargs: Any) -> QQServer:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("scrypt_n", FAST_SCRYPT)
        srv = QQServer(
            SqliteStore(db or tmp_path / f"s{len(started)}.sqlite3", read_cache=True), **kwargs
        )
        await srv.start("127.0.0.1", 0)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        await srv.stop()


@pytest.fixture
async def live(make_server: MakeServer) -> QQServer:
    """A server with 10001 (Alice) and 10002 (Bob) as mutual buddies, password 'pw'."""
    srv = await make_server()
    await srv.async_admin.create_account(10001, "pw", nick="Alice")
    await srv.async_admin.create_account(10002, "pw", nick="Bob 小明", face=270)
    await srv.async_admin.add_buddy(10001, 10002)
    await srv.async_admin.add_buddy(10002, 10001)
    return srv


@pytest.fixture
async def alice(live: QQServer) -> Raw:
    client = Raw(live.url, 10001)
    assert b"RES=0&RS=0" in await client.login()
    return client


@pytest.fixture
async def bob(live: QQServer) -> Raw:
    client = Raw(live.url, 10002)
    assert b"RES=0&RS=0" in await client.login()
    return client


def text(recipient: int, sender: int, words: str) -> NewMessage:
    """A buddy text message as the classic front-end queues it."""
    return NewMessage(
        recipient, sender, Conversation.buddy(sender), MessageKind.TEXT, parse_text(words)
    )


def words(message: QueuedMessage) -> str:
    """A queued message's text form."""
    return render_text(message.content)


# -- stores of every kind: each store test runs on SQLite and on PostgreSQL ------------

AnyStore = SqliteStore | PostgresStore


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One throwaway cluster for the session (see tests/support/postgres.py).

    Without PostgreSQL's binaries the PostgreSQL tests are skipped, except on CI
    (CI=true), where that is a failure: CI must run them (.ci/run installs them)."""
    binaries = find_binaries()
    if binaries is None:
        reason = "PostgreSQL's binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; on CI they must be (.ci/run installs 'postgresql')")
        pytest.skip(reason)
    cluster = Cluster(binaries)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A fresh, empty database of the session's cluster, dropped after the test."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)


class StoreOpener:
    """Opens stores of one kind on one place (a file, a database); all closed at the end."""

    def __init__(self, kind: str, place: str) -> None:
        self.kind = kind
        self.place = place
        self.opened: list[AnyStore] = []

    async def __call__(self, *, reads_on_loop: bool = False) -> AnyStore:
        store: AnyStore
        if self.kind == "sqlite":
            store = SqliteStore(self.place, reads_on_loop=reads_on_loop, read_cache=True)
        else:
            store = await PostgresStore.open(self.place)
        self.opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in self.opened:
            if isinstance(store, PostgresStore):
                await store.aclose()
            else:
                await asyncio.to_thread(store.close)


@pytest.fixture(params=["sqlite", "postgresql"])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreOpener]:
    """``await stores()``: a store on this test's file or database (the same each call)."""
    if request.param == "sqlite":
        opener = StoreOpener("sqlite", str(tmp_path / "s.sqlite3"))
    else:
        opener = StoreOpener("postgresql", request.getfixturevalue("postgres_url"))
    yield opener
    await opener.close_all()


@pytest.fixture
async def store(stores: StoreOpener) -> AnyStore:
    """A fresh store, SQLite or PostgreSQL (the test runs once with each)."""
    return await stores()


async def close(store: AnyStore) -> None:
    """Close a store as QQServer.stop does (off the loop; it waits for queued writes)."""
    await asyncio.to_thread(store.close)


async def wait_until(predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Wait for a condition to hold, looking again on every turn of the loop.

    It never asserts on elapsed time: ``timeout`` only turns a condition that never
    comes into a failure instead of a hung test.
    """
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


def polls(server: QQServer, uin: int) -> int:
    """How many fetches of ``uin``'s session the server is holding now."""
    session = server.service.sessions.get(uin)
    return 0 if session is None else session.polls
