"""A session's loops end when they are cancelled, even while they wait for an abandoned
call to wind down (a cancellation swallowed there kept a loop going for ever)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from qqdesk.client import AccountSession
from qqdesk.client.session import _reap
from qqdesk.server import QQServer

from .conftest import ALICE


async def slow_to_stop(stopping: asyncio.Event) -> None:
    """A call that takes its time to wind down when cancelled (as httpx closing a
    connection does)."""
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        stopping.set()
        await asyncio.sleep(0.5)
        raise


async def test_a_loop_cancelled_while_it_abandons_a_call_is_cancelled(
    new_session: Callable[..., AccountSession],
) -> None:
    session = new_session("http://127.0.0.1:9/", 10001, "pw")
    resumed, stopping = asyncio.Event(), asyncio.Event()
    outer = asyncio.create_task(session._until_resumed(slow_to_stop(stopping), resumed))
    await asyncio.sleep(0)
    resumed.set()  # the watchdog saw a sleep: the call is abandoned...
    await asyncio.wait_for(stopping.wait(), 5)
    outer.cancel()  # ...and the loop is cancelled while the call winds down
    with pytest.raises(asyncio.CancelledError):
        await outer


async def test_reaping_swallows_the_reaped_tasks_end_only() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    failed = asyncio.create_task(fails())
    await _reap(failed)  # its failure: not ours
    cancelled = asyncio.create_task(asyncio.sleep(10))
    cancelled.cancel()
    await _reap(cancelled)  # its cancellation: not ours either


async def test_a_reaper_that_is_cancelled_is_cancelled() -> None:
    stopping = asyncio.Event()
    inner = asyncio.create_task(slow_to_stop(stopping))
    await asyncio.sleep(0)

    async def reaper() -> None:
        inner.cancel()
        await _reap(inner)

    outer = asyncio.create_task(reaper())
    await asyncio.wait_for(stopping.wait(), 5)
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer


async def test_closing_cancelled_midway_still_stops_every_loop(
    real: QQServer, new_session: Callable[..., AccountSession]
) -> None:
    """A shutdown's deadline cancels close() while it waits for the first loop to
    end: the web loop is stopped all the same (left running, it was stepped after the
    event loop stopped: "no running event loop", twelve times, in the demo's exit)."""
    session = new_session(real.url, ALICE, "alice-pw")
    await session.login()
    loops = [*session._tasks, session._web_task]
    assert all(t is not None and not t.done() for t in loops)
    closing = asyncio.create_task(session.close())
    await asyncio.sleep(0)
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert all(t is not None and t.done() for t in loops)
