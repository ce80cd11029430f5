"""End-to-end fixtures: a private data folder per test and a recorder of session events."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

NewSession = Callable[[str, int, str], Any]

#: Patience for anything that crosses the loopback network.
PATIENCE = 10.0


@pytest.fixture(autouse=True)
def private_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point platformdirs at a temporary folder, so no test can reach the user's real data."""
    home = tmp_path / "xdg-data"
    home.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    yield home


class EventLog:
    """Reads a session's events in the background so tests can wait for the one they need."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.events: list[Any] = []
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.session.events():
            async with self._changed:
                self.events.append(event)
                self._changed.notify_all()

    async def wait_for(
        self, kind: type, check: Callable[[Any], bool] = lambda e: True, timeout: float = PATIENCE
    ) -> Any:
        """The first event of ``kind`` passing ``check``, already seen or still to come."""

        def found() -> Any:
            return next((e for e in self.events if isinstance(e, kind) and check(e)), None)

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: found() is not None)
        return found()

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


@pytest.fixture
def new_session(tmp_path: Path) -> NewSession:
    """``new_session(url, uin, password)``: an AccountSession whose history stays in tmp_path."""
    from qqdesk.client import AccountSession

    made = itertools.count()

    def make(url: str, uin: int, password: str) -> AccountSession:
        store = tmp_path / "histories" / f"{uin}-{next(made)}.sqlite3"
        return AccountSession(url, uin, password, store=store)

    return make


@pytest.fixture
async def event_log() -> AsyncIterator[Callable[[Any], EventLog]]:
    """``event_log(session)`` starts recording a session's events; stopped after the test."""
    logs: list[EventLog] = []

    def start(session: Any) -> EventLog:
        log = EventLog(session)
        logs.append(log)
        return log

    yield start
    for log in logs:
        await log.close()
