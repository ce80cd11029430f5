"""Qt test fixtures: the one event-loop story for GUI tests, and real logged-in sessions.

The story: each Qt test gets a qasync loop that counts as *running* for the whole
test (``already_running=True``). Tests stay plain synchronous functions; whenever
Qt processes events (``qtbot.wait``, ``qtbot.waitUntil``, ``qtbot.waitSignal``)
asyncio callbacks, tasks and sockets run too, exactly as in the app. To run a
coroutine to completion use ``qt_run(coro)``; never ``asyncio.run`` in a Qt test.
Do not mark Qt tests ``async``: pytest-asyncio's loop is a different loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

T = TypeVar("T")

#: Default patience for anything that crosses the loopback network.
NETWORK_TIMEOUT_MS = 10_000


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop installed on the QApplication for one test, then closed."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # Let cancelled tasks finish their clean-up under the same loop.
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            deadline = loop.time() + 5
            while any(not t.done() for t in pending) and loop.time() < deadline:
                qapp.processEvents()
        with contextlib.suppress(RuntimeError, TypeError):
            qapp.aboutToQuit.disconnect(loop._after_run_forever)
        loop._after_run_forever()
        asyncio.events._set_running_loop(None)
        # close() refuses a loop that believes it runs; stop() would also call
        # QApplication.exit(), which makes the next test's nested loops return at once.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def qt_run(qt_loop: qasync.QEventLoop, qtbot: Any) -> Callable[..., Any]:
    """``qt_run(coro, timeout_ms=...)``: run a coroutine under the Qt loop, return its result."""

    def run(coro: Awaitable[T], timeout_ms: int = NETWORK_TIMEOUT_MS) -> T:
        task = asyncio.ensure_future(coro, loop=qt_loop)
        try:
            qtbot.waitUntil(task.done, timeout=timeout_ms)
        except Exception:
            task.cancel()
            raise
        return task.result()

    return run


# -- the real server and real sessions ------------------------------------------


def _server_thread_class() -> Any:
    try:
        module = importlib.import_module("tests.support.servers")
    except ImportError:
        pytest.skip("tests.support.servers (ServerThread) has not landed yet")
    return module.ServerThread


def _session_class() -> Any:
    try:
        from qqdesk.client import AccountSession
    except ImportError:
        pytest.skip("qqdesk.client.AccountSession has not landed yet")
    return AccountSession


ALICE = (10001, "alice-pw", "Alice")
BOB = (10002, "bob-pw", "Bob 小明")


@pytest.fixture
def server(tmp_path: Any) -> Iterator[Any]:
    """A real qqdesk server on a loopback port, with Alice and Bob as mutual buddies."""
    server_thread_cls = _server_thread_class()
    srv = server_thread_cls(db_path=tmp_path / "server.sqlite3")
    with contextlib.ExitStack() as stack:
        if hasattr(srv, "__enter__"):
            srv = stack.enter_context(srv)
        else:
            srv.start()
            stack.callback(srv.stop)
        for uin, password, nick in (ALICE, BOB):
            srv.create_account(uin, password, nick=nick)
        srv.add_buddy(ALICE[0], BOB[0])
        srv.add_buddy(BOB[0], ALICE[0])
        yield srv


def make_session(server: Any, account: tuple[int, str, str], store_dir: Any) -> Any:
    """An AccountSession for ``account`` on ``server`` (not logged in yet)."""
    session_cls = _session_class()
    uin, password, _nick = account
    store = None
    try:
        from qqdesk.client.store import HistoryStore  # type: ignore[import-not-found]

        store = HistoryStore(store_dir / f"{uin}.sqlite3")
    except ImportError:
        store = None
    return session_cls(server.url, uin, password, store=store)


@pytest.fixture
def alice_session(server: Any, qt_run: Callable[..., Any], tmp_path: Any) -> Iterator[Any]:
    """Alice, logged in against ``server`` under the Qt loop; logged out afterwards."""
    session = make_session(server, ALICE, tmp_path)
    qt_run(session.login())
    yield session
    with contextlib.suppress(Exception):
        qt_run(session.logout(), timeout_ms=3000)


@pytest.fixture
def bob_session(server: Any, qt_run: Callable[..., Any], tmp_path: Any) -> Iterator[Any]:
    """Bob, logged in against ``server`` under the Qt loop; logged out afterwards."""
    session = make_session(server, BOB, tmp_path)
    qt_run(session.login())
    yield session
    with contextlib.suppress(Exception):
        qt_run(session.logout(), timeout_ms=3000)
