"""A small, strict-where-it-matters HTTP/1.x server on asyncio streams that routes requests
by method and path to the protocol front-ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

from .proxyproto import ProxyHeaderError, TrustedProxies, read_header

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


class _Connection:
    """What one connection keeps between its requests: its deadline, and a byte of the
    next request read early while watching for the client's end."""

    __slots__ = ("_watch", "deadline", "pending", "reader")

    def __init__(self, reader: asyncio.StreamReader, deadline: _Deadline) -> None:
        self.reader = reader
        self.deadline = deadline
        #: The next request's first byte, when the watch read it.
        self.pending = b""
        self._watch: asyncio.Task[None] | None = None

    @property
    def watching(self) -> bool:
        return self._watch is not None

    def closed(self) -> asyncio.Future[None]:
        """Done when the client ends the connection (EOF or reset) while a handler runs.

        The watch reads one byte: a pipelined next request's first byte is kept for
        it (the watch then stays pending). Ended when the handler returns (end_watch).
        """
        if self._watch is None:
            self._watch = asyncio.ensure_future(self._read_end())
        return self._watch

    async def _read_end(self) -> None:
        while True:
            try:
                byte = await self.reader.read(1)
            except ConnectionError:
                return
            if not byte:
                return
            # (stray CR LF after a body, see _first_byte: skipped, as there)
            if byte not in (b"\r", b"\n"):
                self.pending = byte
                await asyncio.Future()  # the client is still there: never done

    async def end_watch(self) -> None:
        """Stop watching, once the handler has returned; returns when the watch has let
        go of the reader: a cancelled read is only over at the loop's next turn, and a
        StreamReader takes one waiting reader at a time."""
        watch, self._watch = self._watch, None
        if watch is not None and not watch.done():
            watch.cancel()
            await asyncio.wait([watch])

    def drop_watch(self) -> None:
        """Stop watching as the connection ends (nobody reads after it)."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None


@dataclass
class _Head:
    method: str
    target: str
    version: str
    headers: dict[str, str]


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
    """Serves connections: reads requests one after another, routes each and writes the answer."""

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
        self._writers: set[asyncio.StreamWriter] = set()
        #: Connections inside the handler (their answer is still to be written).
        self._busy: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        ip = _client_ip(writer.get_extra_info("peername"))
        if self.proxies is not None and self.proxies.trusts(ip):
            forwarded = await self._forwarded_client(reader, ip)
            if forwarded is None:
                await self._close(writer)
                return
            ip = forwarded
        from_ip = self._per_address.get(ip, 0)
        if (
            len(self._connections) >= self.limits.max_connections
            or from_ip >= self.limits.max_per_address
        ):
            with contextlib.suppress(Exception):
                writer.write(_response(503, keep_alive=False))
                await asyncio.wait_for(writer.drain(), 1.0)
            await self._close(writer)
            return
        self._connections.add(task)
        self._writers.add(writer)
        self._per_address[ip] = from_ip + 1
        try:
            await self._serve(reader, writer, ip)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug must cost one connection, never the server
            log.exception("connection failed")
        finally:
            self._connections.discard(task)
            self._writers.discard(writer)
            left = self._per_address[ip] - 1
            if left:
                self._per_address[ip] = left
            else:
                del self._per_address[ip]
            await self._close(writer)

    async def _forwarded_client(self, reader: asyncio.StreamReader, peer: str) -> str | None:
        """The client a trusted front door names in its PROXY header; None (the
        connection is to be closed) without a valid header in time."""
        try:
            async with asyncio.timeout(self.limits.header_timeout):
                header = await read_header(reader)
        except (ProxyHeaderError, asyncio.IncompleteReadError, OSError) as exc:
            log.debug("no valid PROXY header from %s: %s", peer, exc)
            return None
        return header.client or peer

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)

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

    async def _drain(self, writer: asyncio.StreamWriter) -> None:
        """Wait until the client took what was written, up to the write timeout.

        A client that stops reading loses its connection: aborted, since close()
        would wait for the unread buffer to flush, forever.
        """
        transport = writer.transport
        if transport.get_write_buffer_size() == 0:
            # (all sent: nothing to wait for, and no timer; a lost connection shows
            # as the end of the next read)
            if transport.is_closing():
                await writer.drain()  # (raises the loss)
            return
        try:
            async with asyncio.timeout(self.limits.write_timeout):
                await writer.drain()
        except TimeoutError:
            writer.transport.abort()
            raise

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ip: str
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        cookies = _CookieCache()
        connection = _Connection(reader, _Deadline(asyncio.get_running_loop(), task))
        try:
            await self._serve_requests(connection, writer, ip, cookies)
        finally:
            connection.deadline.stop()
            connection.drop_watch()

    async def _serve_requests(
        self,
        connection: _Connection,
        writer: asyncio.StreamWriter,
        ip: str,
        cookies: _CookieCache,
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        reader = connection.reader
        while True:
            try:
                request = await self._read_request(connection, writer)
            except HttpError as exc:
                response = _response(exc.status, keep_alive=False, allow=exc.allow)
                if exc.linger:
                    await self._refuse(reader, writer, response)
                else:
                    writer.write(response)
                    await self._drain(writer)
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
                writer.write(_response(500, keep_alive=False))
                await self._drain(writer)
                return
            finally:
                self._busy.discard(task)
                if connection.watching:
                    await connection.end_watch()
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
            writer.write(response)
            await self._drain(writer)
            if not keep_alive:
                return

    async def _refuse(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: bytes
    ) -> None:
        """Answer an error and close, without letting unread input reset the connection.

        Closing a socket with unread bytes sends RST, which can destroy the answer
        before the client reads it; so the write side is shut first and what the
        client still sends is read and dropped for a moment.
        """
        writer.write(response)
        await self._drain(writer)
        if writer.can_write_eof():
            try:
                writer.write_eof()
            except OSError:
                # The client reset the connection (it gave up on the request) before
                # the write side could be shut: nothing more to say, nor to read.
                return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(LINGER_SECONDS):
                dropped = 0
                while dropped < LINGER_BYTES:
                    chunk = await reader.read(65536)
                    if not chunk:
                        break
                    dropped += len(chunk)

    async def _read_request(
        self, connection: _Connection, writer: asyncio.StreamWriter
    ) -> tuple[_Head, Handler, bytes] | None:
        """The next request's head, handler and body; None at a clean end of the connection.

        The connection's deadline moves as the request comes in (idle until its
        first byte, then the head's limit, then the body's) and is off while the
        handler runs.
        """
        limits = self.limits
        reader = connection.reader
        deadline = connection.deadline
        loop = asyncio.get_running_loop()
        phase = "idle"
        try:
            deadline.move(loop.time() + limits.idle_timeout)
            first: bytes | None = connection.pending
            connection.pending = b""
            if not first:
                first = await self._first_byte(reader)
            if first is None:
                return None
            phase = "head"
            deadline.move(loop.time() + limits.header_timeout)
            head = _parse_head(await self._read_lines(reader, first))
            path = head.target.split("?", 1)[0]
            handler = self.router.resolve(head.method, path)
            if handler is None:
                raise HttpError(405, allow=", ".join(self.router.allowed(path)))
            length = _content_length(head.headers, limits.max_body_bytes, head.method)
            if head.headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await self._drain(writer)
            phase = "body"
            deadline.move(loop.time() + limits.body_timeout)
            body = await reader.readexactly(length) if length else b""
        except asyncio.CancelledError:
            if not deadline.expire_seen():
                raise
            if phase == "idle":
                return None
            raise HttpError(408, linger=phase == "head") from None
        finally:
            deadline.move(math.inf)
        return head, handler, body

    async def _first_byte(self, reader: asyncio.StreamReader) -> bytes | None:
        """The request's first byte; None at the end of the connection.

        Stray CR and LF bytes are skipped: a PHP client appends CR LF CR LF after
        its body that Content-Length does not count.
        """
        skipped = 0
        while True:
            first = await reader.read(1)
            if not first:
                return None
            if first not in (b"\r", b"\n"):
                return first
            skipped += 1
            if skipped > self.limits.max_header_bytes:
                raise HttpError(400)

    async def _read_lines(self, reader: asyncio.StreamReader, first: bytes) -> list[bytes]:
        budget = self.limits.max_header_bytes
        lines: list[bytes] = []
        pending = first
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.LimitOverrunError:
                raise HttpError(431) from None
            except asyncio.IncompleteReadError:
                raise ConnectionResetError("connection closed inside a request head") from None
            line = pending + line
            pending = b""
            budget -= len(line)
            if budget < 0:
                raise HttpError(431)
            line = line.rstrip(b"\r\n")
            if not line:
                if not lines:
                    continue
                return lines
            lines.append(line)


def _parse_head(lines: list[bytes]) -> _Head:
    """A request head from its lines (request line first); HttpError if it is malformed."""
    request_line = lines[0].decode("latin-1")
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
        name, sep, value = raw.decode("latin-1").partition(":")
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
