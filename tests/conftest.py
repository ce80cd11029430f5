"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

# Qt must be headless in tests; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# -- live classic-protocol servers (tests/support) ------------------------------------

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def own_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own data, config, state and cache folders: nothing it does
    reads or writes the user's qqdesk history, settings or logs (a history file left
    there by a newer qqdesk once failed a sign-in test)."""
    base = tmp_path_factory.mktemp("user")
    for variable, folder in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(variable, str(base / folder))


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Any]:
    """A started QQServer on 127.0.0.1:<free port> with a fresh SQLite store, in the test's loop."""
    from qqdesk.server import QQServer, SqliteStore
    from tests.support.servers import TEST_SCRYPT_N

    srv = QQServer(
        SqliteStore(tmp_path / "server.sqlite3", read_cache=True), scrypt_n=TEST_SCRYPT_N
    )
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
def server_thread(tmp_path: Path) -> Iterator[Any]:
    """A started ServerThread (own loop in a background thread) with a fresh store."""
    from tests.support.servers import ServerThread

    with ServerThread(db_path=tmp_path / "server-thread.sqlite3") as srv:
        yield srv
