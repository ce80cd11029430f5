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


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Any]:
    """A started QQServer on 127.0.0.1:<free port> with a fresh SQLite store, in the test's loop."""
    from qqdesk.server import QQServer, SqliteStore
    from tests.support.servers import TEST_SCRYPT_N

    srv = QQServer(SqliteStore(tmp_path / "server.sqlite3"), scrypt_n=TEST_SCRYPT_N)
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
