"""Fire-and-forget asyncio tasks for the UI that are kept alive and whose failures are reported."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: asyncio keeps only weak references to tasks; the UI's live here until done.
_RUNNING: set[asyncio.Task[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, T],
    *,
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> asyncio.Task[T]:
    """Run ``coro`` on the running loop; call ``on_done(result)`` or ``on_error(exc)``."""
    task = asyncio.ensure_future(coro)
    _RUNNING.add(task)

    def finished(t: asyncio.Task[T]) -> None:
        _RUNNING.discard(t)
        if t.cancelled():
            return
        exc = t.exception()
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                log.error("background task failed", exc_info=exc)
        elif on_done is not None:
            on_done(t.result())

    task.add_done_callback(finished)
    return task


def running_tasks() -> int:
    """How many UI tasks are still running (for tests and clean shutdown)."""
    return len(_RUNNING)
