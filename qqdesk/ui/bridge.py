"""SessionBridge: session events as typed Qt signals, buffered until the UI listens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QObject, Signal

from qqdesk.client.events import (
    AddRequestReceived,
    BuddyStatusChanged,
    ConnectionStateChanged,
    Event,
    MessageReceived,
    MessageStateChanged,
    RequestApproved,
    RequestRefused,
)

from .qtcompat import UIN

log = logging.getLogger(__name__)


class EventSource(Protocol):
    def events(self) -> AsyncIterator[Event]: ...


class SessionBridge(QObject):
    """Turns ``session.events()`` into Qt signals (after qutebrowser's message bridge).

    Events that arrive before the UI has connected its slots are kept and emitted,
    in order, by :meth:`flush`; after that, events are emitted as they come.
    """

    # QQ numbers reach 2**32 - 1, beyond Qt's 32-bit int: they travel as qlonglong.
    #: sender, text, unix time, local history id
    messageReceived = Signal(UIN, str, float, UIN)
    #: uin, status (a qqdesk.protocol.Status value)
    buddyStatusChanged = Signal(UIN, int)
    #: uin, reason
    addRequestReceived = Signal(UIN, str)
    requestApproved = Signal(UIN)
    #: uin, reason
    requestRefused = Signal(UIN, str)
    #: ConnectionState, detail, Trouble
    connectionStateChanged = Signal(object, str, object)
    #: local id, peer, DeliveryState
    messageStateChanged = Signal(UIN, UIN, object)

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
        handler = _EMITTERS.get(type(event))
        if handler is None:
            log.debug("bridge: no signal for %r", event)
            return
        try:
            handler(self, event)
        except Exception:
            log.exception("bridge: a slot failed on %r", event)


def _message(bridge: SessionBridge, e: Any) -> None:
    bridge.messageReceived.emit(e.sender, e.text, float(e.time), e.local_id)


_EMITTERS: dict[type, Callable[[SessionBridge, Any], None]] = {
    MessageReceived: _message,
    BuddyStatusChanged: lambda b, e: b.buddyStatusChanged.emit(e.uin, int(e.status)),
    AddRequestReceived: lambda b, e: b.addRequestReceived.emit(e.uin, e.reason),
    RequestApproved: lambda b, e: b.requestApproved.emit(e.uin),
    RequestRefused: lambda b, e: b.requestRefused.emit(e.uin, e.reason),
    ConnectionStateChanged: lambda b, e: b.connectionStateChanged.emit(
        e.state, e.detail, e.trouble
    ),
    MessageStateChanged: lambda b, e: b.messageStateChanged.emit(e.local_id, e.peer, e.state),
}
