"""Fixtures for client tests: a scripted legacy server and sessions with scaled-down timing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from qqdesk.client import AccountSession, AuthMode, Event, HistoryStore, Timing
from qqdesk.client.links.smartqq import SmartQQLink
from qqdesk.server import QQServer, SqliteStore

from .scripted import ScriptedServer

ALICE, BOB, CAROL, VERA, NOLAN = 10001, 10002, 10003, 10004, 10005


def populate(admin: Any) -> None:
    admin.create_account(ALICE, "alice-pw", nick="Alice", face=3)
    admin.create_account(BOB, "bob-pw", nick="Bob 小明", face=270, province="云南省", age=30)
    admin.create_account(CAROL, "carol-pw", nick="Carol, Esq.", intro="网络为媒,关系为本")
    admin.create_account(VERA, "vera-pw", nick="Vera", auth=AuthMode.VERIFY)
    admin.create_account(NOLAN, "nolan-pw", nick="Nolan", auth=AuthMode.NOBODY)
    for a, b in ((ALICE, BOB), (BOB, ALICE), (ALICE, CAROL)):
        admin.add_buddy(a, b)


class Clock:
    """The server's clock, movable by the test (idle expiry, penalties)."""

    def __init__(self, speed: float = 1.0) -> None:
        self.offset = 0.0
        self.speed = speed
        self.start = time.monotonic()

    def __call__(self) -> float:
        return self.start + (time.monotonic() - self.start) * self.speed + self.offset


@pytest.fixture
async def real(tmp_path: Path) -> AsyncIterator[QQServer]:
    """A real server in the test's loop with a movable clock and the cast above."""
    clock = Clock()
    server = QQServer(
        SqliteStore(tmp_path / "server.sqlite3", read_cache=True), clock=clock, long_poll=5
    )
    server.test_clock = clock  # type: ignore[attr-defined]
    populate(server.admin)
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.stop()


#: Every delay scaled down so no test waits long.
FAST = Timing(
    penalty=0.2,
    request_timeout=3.0,
    long_poll_margin=2.0,
    fast_poll=0.05,
    backoff_first=0.05,
    backoff_max=0.2,
    send_attempts=3,
    send_window=1.0,
    watchdog=0.05,
    clock_jump=5.0,
    logout_timeout=1.0,
)


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    server = await ScriptedServer().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def new_session(tmp_path: Path) -> AsyncIterator[Callable[..., AccountSession]]:
    """``new_session(url, uin=10001, password="pw", timing=FAST, store=None)``, closed after."""
    made: list[AccountSession] = []

    def make(
        url: str,
        uin: int = 10001,
        password: str = "pw",
        timing: Timing = FAST,
        store: HistoryStore | Path | None = None,
    ) -> AccountSession:
        where = store if store is not None else tmp_path / f"{uin}-{len(made)}.sqlite3"
        session = AccountSession(url, uin, password, store=where, timing=timing)
        made.append(session)
        return session

    yield make
    for session in made:
        await session.close()


async def next_event(events: AsyncIterator[Event], kind: type[Any], timeout: float = 3.0) -> Any:
    """The next event of ``kind`` (others are skipped)."""

    async def find() -> Any:
        async for event in events:
            if isinstance(event, kind):
                return event
        raise AssertionError(f"events ended before a {kind.__name__}")

    return await asyncio.wait_for(find(), timeout)


async def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def before_first_call(
    monkeypatch: pytest.MonkeyPatch,
    link: SmartQQLink,
    path_matches: Callable[[str], bool],
    action: Callable[[], Awaitable[object]],
) -> asyncio.Event:
    """The first call of ``link`` whose path matches runs ``action`` before it is
    answered (as if it happened while the call was out); the event says it ran."""
    real_answer = link._answer
    ran = asyncio.Event()

    async def answer(path: str, form: dict[str, str], timeout: float | None = None) -> Any:
        if not ran.is_set() and path_matches(path):
            ran.set()
            await action()
        return await real_answer(path, form, timeout)

    monkeypatch.setattr(link, "_answer", answer)
    return ran


async def next_state(events: AsyncIterator[Event], state: Any, timeout: float = 3.0) -> Any:
    """Skip events until the connection reaches ``state``; that event."""

    async def find() -> Any:
        async for event in events:
            if getattr(event, "state", None) is state and hasattr(event, "detail"):
                return event
        raise AssertionError(f"events ended before {state}")

    return await asyncio.wait_for(find(), timeout)
