"""SessionBridge: session events as typed Qt signals, buffered until the UI listens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, Signal, SignalInstance

from qqdesk.client.events import (
    AddRequestReceived,
    BuddyStatusChanged,
    ConnectionStateChanged,
    Event,
    MessageReceived,
    MessageStateChanged,
    RequestApproved,
    RequestRefused,
    RoomsAvailability,
    RoomsChanged,
    WebLoginWaiting,
)

log = logging.getLogger(__name__)


class EventSource(Protocol):
    def events(self) -> AsyncIterator[Event]: ...


class SessionBridge(QObject):
    """Turns ``session.events()`` into Qt signals (after qutebrowser's message bridge).

    Events that arrive before the UI has connected its slots are kept and emitted,
    in order, by :meth:`flush`; after that, events are emitted as they come.
    """

    # Each signal carries the session's event itself (a frozen dataclass), typed.
    messageReceived = Signal(MessageReceived)
    buddyStatusChanged = Signal(BuddyStatusChanged)
    addRequestReceived = Signal(AddRequestReceived)
    requestApproved = Signal(RequestApproved)
    requestRefused = Signal(RequestRefused)
    connectionStateChanged = Signal(ConnectionStateChanged)
    messageStateChanged = Signal(MessageStateChanged)
    webLoginWaiting = Signal(WebLoginWaiting)
    roomsChanged = Signal(RoomsChanged)
    roomsAvailability = Signal(RoomsAvailability)

    def __init__(self, session: EventSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._buffer: list[Event] = []
        self._flushed = False
        self._task: asyncio.Task[None] | None = None

    # -- life ---------------------------------------------------------------------

    def start(self) -> None:
        """Start reading the session's events under the running (qasync) loop."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._pump())

    async def stop(self) -> None:
        """Stop reading events (the session keeps running)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def flush(self) -> None:
        """The UI is connected: emit what was kept, then pass events straight through."""
        self._flushed = True
        buffered, self._buffer = self._buffer, []
        for event in buffered:
            self._emit(event)

    async def _pump(self) -> None:
        try:
            async for event in self._session.events():
                self.deliver(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("session event stream failed")

    # -- dispatch -------------------------------------------------------------

    def deliver(self, event: Event) -> None:
        """Emit ``event`` now, or keep it until :meth:`flush` when the UI is not there yet."""
        if not shiboken6.isValid(self):
            # The window that owned the bridge is gone; stop reading for it.
            if self._task is not None:
                self._task.cancel()
            return
        if self._flushed:
            self._emit(event)
        else:
            self._buffer.append(event)

    def _emit(self, event: Event) -> None:
        signal = _EMITTERS.get(type(event))
        if signal is None:
            log.debug("bridge: no signal for %r", event)
            return
        try:
            signal(self).emit(event)
        except Exception:
            log.exception("bridge: a slot failed on %r", event)


_EMITTERS: dict[type, Callable[[SessionBridge], SignalInstance]] = {
    MessageReceived: lambda b: b.messageReceived,
    BuddyStatusChanged: lambda b: b.buddyStatusChanged,
    AddRequestReceived: lambda b: b.addRequestReceived,
    RequestApproved: lambda b: b.requestApproved,
    RequestRefused: lambda b: b.requestRefused,
    ConnectionStateChanged: lambda b: b.connectionStateChanged,
    MessageStateChanged: lambda b: b.messageStateChanged,
    WebLoginWaiting: lambda b: b.webLoginWaiting,
    RoomsChanged: lambda b: b.roomsChanged,
    RoomsAvailability: lambda b: b.roomsAvailability,
}
