"""A small, strict-where-it-matters HTTP/1.x server on an asyncio protocol that routes
requests by method and path to the protocol front-ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

from .proxyproto import ProxyHeader, ProxyHeaderError, TrustedProxies, header_size, parse

log = logging.getLogger(__name__)

#: Largest body the protocol needs (2000 characters of MG are at most ~18 KiB escaped).
MAX_BODY = 64 * 1024

#: How long, and how much, a refused client's remaining input is read and dropped.
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024

_REASONS = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}

#: Seconds a client is asked to wait (Retry-After) when the store cannot write.
RETRY_AFTER = 30


@dataclass(frozen=True)
class Answer:
    """What a front-end answers: the body (empty = the protocol's NULL) and a cookie to set.

    The web channel also sets a status (302), a content type and more headers
    (several Set-Cookie, Location)."""

    body: bytes
    set_cookie: str | None = None
    status: int = 200
    content_type: str = "text/plain; charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = ()


class Unavailable(Exception):
    """The request needs a write the store cannot make now (a full disk): it was not done.

    Answered with HTTP 503 and Retry-After, which a client must take as "not done,
    try again later" (the classic protocol has no RES for it).
    """

    retry_after = RETRY_AFTER


@dataclass(frozen=True)
class Request:
    """One request as a front-end sees it."""

    method: str
    #: The request target as sent (may be empty: legacy clients send "POST  HTTP/1.1").
    target: str
    body: bytes
    ip: str
    #: Content-Type says application/x-www-form-urlencoded.
    form: bool
    cookies: dict[str, str]
    #: The Host header as sent ("" when absent).
    host: str = ""
    #: Starts watching the connection for the client's end (see _Connection.closed):
    #: a held poll answers at once when its client has gone, freeing the slot.
    closed: Callable[[], asyncio.Future[None]] | None = field(default=None, compare=False)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


Handler = Callable[[Request], Awaitable[Answer]]


class Router:
    """Handlers by method and exact path, with a fallback per method for any other path."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], Handler] = {}
        self._fallbacks: dict[str, Handler] = {}

    def add(self, method: str, path: str, handler: Handler) -> None:
        self._routes[(method, path)] = handler

    def fallback(self, method: str, handler: Handler) -> None:
        """``handler`` takes ``method`` on every path no route names."""
        self._fallbacks[method] = handler

    def resolve(self, method: str, path: str) -> Handler | None:
        return self._routes.get((method, path)) or self._fallbacks.get(method)

    def allowed(self, path: str) -> list[str]:
        """The methods something would take on ``path`` (for a 405's Allow header)."""
        methods = {m for m, p in self._routes if p == path} | set(self._fallbacks)
        return sorted(methods)


@dataclass(frozen=True)
class Limits:
    """What one connection may cost the server."""

    max_header_bytes: int = 8 * 1024
    max_body_bytes: int = MAX_BODY
    #: Seconds for the whole request head once its first byte came.
    header_timeout: float = 10.0
    #: Seconds for the body once the head is read.
    body_timeout: float = 10.0
    #: Seconds an idle keep-alive connection is kept (longer than any long poll).
    idle_timeout: float = 120.0
    #: Seconds a reply may wait for the client to read it (once it is more than the
    #: socket's buffers hold): a client that never reads its replies loses its connection.
    write_timeout: float = 30.0
    max_connections: int = 1024
    #: Connections from one address (loopback too) at a time: one address cannot take
    #: every slot. Generous: a home or office behind one address, the benchmark's 100
    #: clients, the app's own built-in server.
    max_per_address: int = 256


class HttpError(Exception):
    def __init__(self, status: int, *, allow: str | None = None, linger: bool = True) -> None:
        super().__init__(status)
        self.status = status
        self.allow = allow
        #: Read and drop what the client still sends before closing (see _refuse).
        self.linger = linger


class _Deadline:
    """One connection's timeout: one loop timer, moved as the connection goes from idle
    to a request's head, its body and its handler.

    Moving the deadline later only stores a number (the timer, when it fires early,
    sets itself again for the new deadline); only a move earlier (idle -> head) sets a
    new timer. A scope per request (asyncio.timeout, rescheduled per phase) cost three
    timers per request. aiohttp's web_protocol keeps its keep-alive timer the same way.
    On expiry the connection's task is cancelled, and ``expired`` tells that
    cancellation from any other.
    """

    __slots__ = ("_loop", "_task", "_timer", "_timer_at", "_when", "expired")

    def __init__(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[None]) -> None:
        self._loop = loop
        self._task = task
        self._when = math.inf
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self.expired = False

    def move(self, when: float) -> None:
        """Expire at ``when`` (loop time; math.inf: never, e.g. while a handler runs)."""
        self._when = when
        if when < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = when
            self._timer = self._loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._timer, self._timer_at = None, math.inf
        if self._when == math.inf:
            return
        if self._loop.time() + 0.001 < self._when:  # (moved later meanwhile)
            self.move(self._when)
            return
        self.expired = True
        self._task.cancel()

    def expire_seen(self) -> bool:
        """Whether a cancellation of the connection's task was this deadline's; if so the
        cancellation is taken back (the caller answers the timeout instead)."""
        if not self.expired:
            return False
        self.expired = False
        self._task.uncancel()
        return True

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at, self._when = None, math.inf, math.inf


class _Connection(asyncio.Protocol):
    """One connection as the loop sees it: the bytes received and not yet taken, the
    transport's flow control, and the task that serves its requests.

    The loop hands bytes to data_received, which only appends them and wakes the task
    when it waits; the task takes whole requests from the buffer and awaits a future
    only when one is not all there yet (aiohttp's web_protocol works the same way). A
    StreamReader cost a coroutine resumption per header line and per body.
    """

    __slots__ = (
        "_closed",
        "_drain_waiter",
        "_front_end",
        "_gone",
        "_high_water",
        "_over_ssl",
        "_reading_paused",
        "_waiter",
        "buffer",
        "deadline",
        "eof",
        "error",
        "loop",
        "lost",
        "task",
        "transport",
        "writing_paused",
    )

    def __init__(self, front_end: HttpFrontEnd) -> None:
        self._front_end = front_end
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport  # (set by connection_made)
        self.task: asyncio.Task[None] | None = None
        self.deadline: _Deadline | None = None
        self.buffer = bytearray()
        #: The client shut its write side (or the connection is gone).
        self.eof = False
        #: The connection is gone (connection_lost was called).
        self.lost = False
        #: Why, when it was not a clean end (a reset): the next read raises it.
        self.error: BaseException | None = None
        self.writing_paused = False
        self._reading_paused = False
        limits = front_end.limits
        # (a whole request fits below it: reading pauses only for a client far ahead)
        self._high_water = limits.max_header_bytes + limits.max_body_bytes
        self._over_ssl = False
        self._waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._closed: asyncio.Future[None] | None = None
        self._gone: asyncio.Future[None] | None = None

    # -- the loop's side --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._over_ssl = transport.get_extra_info("sslcontext") is not None
        self.task = self.loop.create_task(self._front_end._serve_connection(self))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        self._wake()
        if len(buffer) > self._high_water and not self._reading_paused:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self.transport.pause_reading()
                self._reading_paused = True

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        self._tell_closed()
        # Keep the write side open for the answers still to come (a TLS transport
        # cannot be half-closed: it closes itself, as with asyncio streams).
        return not self._over_ssl

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.lost = True
        if exc is not None:
            self.error = exc
        self._wake()
        self._tell_closed()
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("Connection lost"))
        if self._gone is not None and not self._gone.done():
            self._gone.set_result(None)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- the task's side --------------------------------------------------------------

    async def more(self) -> None:
        """Wait for bytes beyond those buffered, or the end (``eof``); raises a reset."""
        if self.error is not None:
            raise ConnectionResetError("connection reset") from self.error
        if self.eof:
            return
        if self._reading_paused:
            self._reading_paused = False
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self.transport.resume_reading()
        waiter = self._waiter = self.loop.create_future()
        try:
            await waiter
        finally:
            self._waiter = None
        if self.error is not None:
            raise ConnectionResetError("connection reset") from self.error

    async def fill(self, size: int) -> None:
        """Wait until ``size`` bytes are buffered; IncompleteReadError at the end first."""
        while len(self.buffer) < size:
            if self.eof:
                raise asyncio.IncompleteReadError(bytes(self.buffer), size)
            await self.more()

    async def drain(self, timeout: float) -> None:
        """Wait until the transport takes more (it asked to pause), up to ``timeout``.

        A client that stops reading loses its connection: aborted, since close()
        would wait for the unread buffer to flush, forever.
        """
        if self.lost or self.transport.is_closing():
            raise ConnectionResetError("Connection lost")
        if not self.writing_paused:
            return
        waiter = self._drain_waiter = self.loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            self.transport.abort()
            raise

    def closed(self) -> asyncio.Future[None]:
        """Done when the client ends the connection (EOF or reset) while a handler runs.

        Bytes of a pipelined next request buffered before the EOF are kept for it:
        the client is still there for their answer (stray CR LF do not count).
        Cancelled when the handler returns (end_watch).
        """
        closed = self._closed
        if closed is None:
            closed = self._closed = self.loop.create_future()
            self._tell_closed()
        return closed

    def _tell_closed(self) -> None:
        closed = self._closed
        if closed is None or closed.done() or not self.eof:
            return
        if self.error is not None or not self.buffer.lstrip(b"\r\n"):
            closed.set_result(None)

    def end_watch(self) -> None:
        closed, self._closed = self._closed, None
        if closed is not None and not closed.done():
            closed.cancel()

    async def close(self) -> None:
        """Close, and wait (a moment at most) for the connection to be gone."""
        with contextlib.suppress(Exception):
            self.transport.close()
        if self.lost:
            return
        gone = self._gone = self.loop.create_future()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait([gone], timeout=1.0)


@dataclass
class _Head:
    method: str
    target: str
    version: str
    headers: dict[str, str]


#: The end of a request head: an empty line (CR before LF optional, as any line's).
_HEAD_END = re.compile(rb"\n\r*\n")

#: An answer's first lines up to the length, by (status, content type) (see _response).
_STARTS: dict[tuple[int, str], bytes] = {}
_KEEP_ALIVE = b"\r\nConnection: keep-alive\r\n\r\n"
_CLOSE = b"\r\nConnection: close\r\n\r\n"


def _response(
    status: int,
    body: bytes = b"",
    *,
    keep_alive: bool,
    set_cookie: str | None = None,
    allow: str | None = None,
    retry_after: int | None = None,
    content_type: str = "text/plain; charset=UTF-8",
    headers: tuple[tuple[str, str], ...] = (),
) -> bytes:
    if not (headers or set_cookie or allow is not None or retry_after is not None):
        # the usual answer: its first lines made once per status and type
        start = _STARTS.get((status, content_type))
        if start is None:
            start = _STARTS[(status, content_type)] = (
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nServer: qqdesk\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: "
            ).encode("latin-1")
        end = _KEEP_ALIVE if keep_alive else _CLOSE
        return b"%s%d%s%s" % (start, len(body), end, body)
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
        "Server: qqdesk",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        "Connection: keep-alive" if keep_alive else "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in headers]
    if allow is not None:
        lines.append(f"Allow: {allow}")
    if retry_after is not None:
        lines.append(f"Retry-After: {retry_after}")
    if set_cookie:
        lines.append(f"Set-Cookie: {set_cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class HttpFrontEnd:
    """Serves connections: reads requests one after another, routes each and writes the answer.

    ``protocol`` is the protocol factory a listener takes (``loop.create_server``)."""

    def __init__(
        self,
        router: Router,
        limits: Limits | None = None,
        *,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.router = router
        self.limits = limits or Limits()
        #: Front doors whose connections name their client in a PROXY header first.
        self.proxies = proxies
        self._connections: set[asyncio.Task[None]] = set()
        #: Open connections per client address.
        self._per_address: dict[str, int] = {}
        #: Connections inside the handler (their answer is still to be written).
        self._busy: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    def protocol(self) -> asyncio.Protocol:
        """A new connection's protocol (it starts the connection's task once made)."""
        return _Connection(self)

    async def _serve_connection(self, connection: _Connection) -> None:
        task = asyncio.current_task()
        assert task is not None
        ip = _client_ip(connection.transport.get_extra_info("peername"))
        if self.proxies is not None and self.proxies.trusts(ip):
            forwarded = await self._forwarded_client(connection, ip)
            if forwarded is None:
                await connection.close()
                return
            ip = forwarded
        from_ip = self._per_address.get(ip, 0)
        if (
            len(self._connections) >= self.limits.max_connections
            or from_ip >= self.limits.max_per_address
        ):
            with contextlib.suppress(Exception):
                connection.transport.write(_response(503, keep_alive=False))
                # (as a task, as the streams front-end did: its few turns of the loop
                # let the request the client sent at once be read before the close,
                # which would otherwise reset the connection under the answer)
                await asyncio.wait_for(connection.drain(1.0), 1.0)
            await connection.close()
            return
        self._connections.add(task)
        self._per_address[ip] = from_ip + 1
        deadline = connection.deadline = _Deadline(connection.loop, task)
        try:
            await self._serve_requests(connection, ip, _CookieCache())
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug must cost one connection, never the server
            log.exception("connection failed")
        finally:
            deadline.stop()
            connection.end_watch()
            self._connections.discard(task)
            left = self._per_address[ip] - 1
            if left:
                self._per_address[ip] = left
            else:
                del self._per_address[ip]
            await connection.close()

    async def _forwarded_client(self, connection: _Connection, peer: str) -> str | None:
        """The client a trusted front door names in its PROXY header; None (the
        connection is to be closed) without a valid header in time."""
        try:
            async with asyncio.timeout(self.limits.header_timeout):
                header = await _proxy_header(connection)
        except (ProxyHeaderError, asyncio.IncompleteReadError, OSError) as exc:
            log.debug("no valid PROXY header from %s: %s", peer, exc)
            return None
        return header.client or peer

    async def close_all(self, grace: float = 2.0) -> None:
        """End every connection: idle ones now, busy ones once they answered (up to ``grace``).

        Call it after the service woke its long polls, so busy ones answer soon.
        """
        self._closing = True
        for task in self._connections - self._busy:
            task.cancel()
        busy = list(self._busy)
        if busy:
            await asyncio.wait(busy, timeout=grace)
        rest = list(self._connections)
        for task in rest:
            task.cancel()
        if rest:
            await asyncio.wait(rest, timeout=grace)

    async def _serve_requests(
        self, connection: _Connection, ip: str, cookies: _CookieCache
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        transport = connection.transport
        write_timeout = self.limits.write_timeout
        while True:
            try:
                request = await self._read_request(connection)
            except HttpError as exc:
                response = _response(exc.status, keep_alive=False, allow=exc.allow)
                if exc.linger:
                    await self._refuse(connection, response)
                else:
                    transport.write(response)
                    await connection.drain(write_timeout)
                return
            if request is None:
                return
            head, handler, body = request
            keep_alive = _wants_keep_alive(head)
            form = (
                "application/x-www-form-urlencoded" in head.headers.get("content-type", "").lower()
            )
            self._busy.add(task)
            unavailable: Unavailable | None = None
            try:
                answer = await handler(
                    Request(
                        head.method,
                        head.target,
                        body,
                        ip,
                        form,
                        cookies.parse(head.headers),
                        head.headers.get("host", ""),
                        connection.closed,
                    )
                )
            except Unavailable as exc:
                # Not done (the store cannot write): no RES, so the client must not take
                # it as done. The store has logged why, once: no traceback per request.
                unavailable = exc
            except Exception:
                log.exception("request from %s failed", ip)
                transport.write(_response(500, keep_alive=False))
                await connection.drain(write_timeout)
                return
            finally:
                self._busy.discard(task)
                connection.end_watch()
            keep_alive = keep_alive and not self._closing
            if unavailable is not None:
                response = _response(
                    503, keep_alive=keep_alive, retry_after=unavailable.retry_after
                )
            else:
                response = _response(
                    answer.status,
                    answer.body,
                    keep_alive=keep_alive,
                    set_cookie=answer.set_cookie,
                    content_type=answer.content_type,
                    headers=answer.headers,
                )
            transport.write(response)
            # (a lost connection shows here or as the end of the next read)
            if connection.writing_paused or connection.lost:
                await connection.drain(write_timeout)
            if not keep_alive:
                return

    async def _refuse(self, connection: _Connection, response: bytes) -> None:
        """Answer an error and close, without letting unread input reset the connection.

        Closing a socket with unread bytes sends RST, which can destroy the answer
        before the client reads it; so the write side is shut first and what the
        client still sends is read and dropped for a moment.
        """
        transport = connection.transport
        transport.write(response)
        await connection.drain(self.limits.write_timeout)
        if transport.can_write_eof():
            try:
                transport.write_eof()
            except OSError:
                # The client reset the connection (it gave up on the request) before
                # the write side could be shut: nothing more to say, nor to read.
                return
        buffer = connection.buffer
        with contextlib.suppress(Exception):
            async with asyncio.timeout(LINGER_SECONDS):
                dropped = 0
                while True:
                    dropped += len(buffer)
                    buffer.clear()
                    if connection.eof or dropped >= LINGER_BYTES:
                        break
                    await connection.more()

    async def _read_request(self, connection: _Connection) -> tuple[_Head, Handler, bytes] | None:
        """The next request's head, handler and body; None at a clean end of the connection.

        A request already buffered whole is taken without a wait. Only a wait moves the
        connection's deadline (idle until the request's first byte, then the head's
        limit, then the body's); it is off while the handler runs.
        """
        limits = self.limits
        buffer = connection.buffer
        deadline = connection.deadline
        assert deadline is not None
        loop = connection.loop
        phase = "idle"
        waited = False
        try:
            # Stray CR and LF bytes are skipped: a PHP client appends CR LF CR LF after
            # its body that Content-Length does not count.
            skipped = 0
            while True:
                if connection.error is not None:
                    raise ConnectionResetError("connection reset")
                if buffer and buffer[0] in b"\r\n":
                    rest = len(buffer.lstrip(b"\r\n"))
                    skipped += len(buffer) - rest
                    del buffer[: len(buffer) - rest]
                    if skipped > limits.max_header_bytes:
                        raise HttpError(400)
                if buffer:
                    break
                if connection.eof:
                    return None
                if not waited:
                    # (once: stray CR LF trickling in do not keep an idle connection)
                    waited = True
                    deadline.move(loop.time() + limits.idle_timeout)
                await connection.more()
            phase = "head"
            head_by = 0.0
            while True:
                found = _HEAD_END.search(buffer)
                if found is not None:
                    end = found.end()
                    break
                if len(buffer) > limits.max_header_bytes:
                    raise HttpError(431)
                if connection.eof:
                    raise ConnectionResetError("connection closed inside a request head")
                if not head_by:
                    waited = True
                    head_by = loop.time() + limits.header_timeout
                    deadline.move(head_by)
                await connection.more()
            if end > limits.max_header_bytes:
                raise HttpError(431)
            text = buffer[: found.start()].decode("latin-1")
            del buffer[:end]
            head = _parse_head(text.split("\n"))
            path = head.target.split("?", 1)[0]
            handler = self.router.resolve(head.method, path)
            if handler is None:
                raise HttpError(405, allow=", ".join(self.router.allowed(path)))
            length = _content_length(head.headers, limits.max_body_bytes, head.method)
            if head.headers.get("expect", "").lower() == "100-continue":
                connection.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await connection.drain(limits.write_timeout)
            phase = "body"
            if not length:
                body = b""
            else:
                if len(buffer) < length:
                    waited = True
                    deadline.move(loop.time() + limits.body_timeout)
                    await connection.fill(length)
                body = bytes(buffer[:length])
                del buffer[:length]
        except asyncio.CancelledError:
            if not deadline.expire_seen():
                raise
            if phase == "idle":
                return None
            raise HttpError(408, linger=phase == "head") from None
        finally:
            if waited:
                deadline.move(math.inf)
        return head, handler, body


async def _proxy_header(connection: _Connection) -> ProxyHeader:
    """Take exactly one PROXY header off the connection's buffer (nothing of the request
    after it); ProxyHeaderError for anything else, IncompleteReadError at an end first."""
    buffer = connection.buffer
    while (size := header_size(buffer)) is None:
        await connection.fill(len(buffer) + 1)
    header = parse(bytes(buffer[:size]))
    del buffer[:size]
    return header


def _parse_head(lines: list[str]) -> _Head:
    """A request head from its lines (request line first, each may end in CR);
    HttpError if it is malformed."""
    request_line = lines[0].rstrip("\r")
    # "POST  HTTP/1.1" (empty target) is a legacy client's request line.
    parts = request_line.split(" ")
    method = parts[0]
    if not method.isalpha() or not method.isupper():
        raise HttpError(400)
    has_version = len(parts) >= 2 and parts[-1].startswith("HTTP/")
    version = parts[-1] if has_version else "HTTP/1.0"
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise HttpError(505)
    target = " ".join(parts[1:-1] if has_version else parts[1:]).strip()
    headers: dict[str, str] = {}
    for raw in lines[1:]:
        name, sep, value = raw.rstrip("\r").partition(":")
        name = name.strip().lower()
        if not sep or not name or " " in name:
            raise HttpError(400)
        value = value.strip()
        if name in headers:
            if name == "content-length" and headers[name] != value:
                raise HttpError(400)
            if name != "content-length":
                headers[name] = headers[name] + ", " + value
            continue
        headers[name] = value
    return _Head(method=method, target=target, version=version, headers=headers)


def _client_ip(peer: object) -> str:
    if isinstance(peer, tuple) and peer:
        ip = str(peer[0])
        return ip.removeprefix("::ffff:")
    return "unknown"


def _wants_keep_alive(head: _Head) -> bool:
    tokens = {t.strip().lower() for t in head.headers.get("connection", "").split(",")}
    if head.version == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


def _content_length(headers: dict[str, str], limit: int, method: str = "POST") -> int:
    if "transfer-encoding" in headers:
        raise HttpError(411)  # no chunked bodies: every known client sends a length
    raw = headers.get("content-length")
    if raw is None:
        if method in ("GET", "HEAD"):
            return 0  # (the web channel's GETs carry no body and no length)
        raise HttpError(411)
    if not raw.isdigit() or len(raw) > 18:
        raise HttpError(400)
    length = int(raw)
    if length > limit:
        raise HttpError(413)
    return length


def _cookies(raw: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {k: m.value for k, m in jar.items()}


class _CookieCache:
    """A connection's cookies: a client sends the same Cookie header on every request."""

    def __init__(self) -> None:
        self._raw = ""
        self._parsed: dict[str, str] = {}

    def parse(self, headers: dict[str, str]) -> dict[str, str]:
        raw = headers.get("cookie", "")
        if raw != self._raw:
            self._raw, self._parsed = raw, _cookies(raw) if raw else {}
        return dict(self._parsed)
