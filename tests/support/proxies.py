"""Tiny loopback proxies for tests: HTTP (forwarding and CONNECT) and SOCKS5, in a thread."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Seen:
    """One request the proxy passed on: how, where to, and the user it authenticated."""

    method: str
    target: str
    user: str | None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()


async def _splice(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int
) -> None:
    up_reader, up_writer = await asyncio.open_connection(host, port)
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


class ProxyThread:
    """A proxy on 127.0.0.1:<free port> with its own loop in a thread.

    ``kind`` is "http" (absolute-form requests are forwarded one by one; CONNECT is
    spliced) or "socks5" (CONNECT only). With ``credentials`` it asks for them
    (HTTP 407 / SOCKS5 user-password) and refuses anything else. ``seen`` lists what
    went through.
    """

    def __init__(self, kind: str = "http", credentials: tuple[str, str] | None = None) -> None:
        self.kind = kind
        self.credentials = credentials
        self.seen: list[Seen] = []
        self.refused = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._run, name="test-proxy", daemon=True)
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"{self.kind}://127.0.0.1:{self.port}"

    def __enter__(self) -> ProxyThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test proxy did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        handler = self._http if self.kind == "http" else self._socks5
        self._server = self._loop.run_until_complete(asyncio.start_server(handler, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        for task in asyncio.all_tasks(self._loop):
            task.cancel()
        with contextlib.suppress(Exception):
            self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()

    # -- HTTP ----------------------------------------------------------------------

    def _user(self, authorization: str | None) -> str | None:
        """The user a Proxy-Authorization names, when it is the expected one."""
        if self.credentials is None:
            return None
        user, password = self.credentials
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return user if authorization == expected else ""

    async def _http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, version = request_line.split(" ", 2)
                headers = [tuple(line.split(":", 1)) for line in lines if ":" in line]
                named = {name.strip().lower(): value.strip() for name, value in headers}
                length = int(named.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                user = self._user(named.get("proxy-authorization"))
                if user == "":
                    self.refused += 1
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                    )
                    await writer.drain()
                    continue
                self.seen.append(Seen(method, target, user))
                if method == "CONNECT":
                    host, _, port = target.rpartition(":")
                    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    await writer.drain()
                    await _splice(reader, writer, host, int(port))
                    return
                url = urlsplit(target)
                path = (url.path or "/") + (f"?{url.query}" if url.query else "")
                kept = [
                    f"{name}:{value}"
                    for name, value in headers
                    if not name.strip().lower().startswith("proxy-")
                    and name.strip().lower() != "connection"
                ]
                forwarded = "\r\n".join(
                    [f"{method} {path} {version}", *kept, "Connection: close", "", ""]
                )
                up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
                up_writer.write(forwarded.encode("latin-1") + body)
                await up_writer.drain()
                reply = await up_reader.read(-1)
                up_writer.close()
                writer.write(reply)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    # -- SOCKS5 --------------------------------------------------------------------

    async def _socks5(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            _version, count = await reader.readexactly(2)
            methods = await reader.readexactly(count)
            user: str | None = None
            if self.credentials is not None:
                if 2 not in methods:
                    writer.write(b"\x05\xff")
                    self.refused += 1
                    return
                writer.write(b"\x05\x02")
                _sub, size = await reader.readexactly(2)
                name = (await reader.readexactly(size)).decode()
                (size,) = await reader.readexactly(1)
                password = (await reader.readexactly(size)).decode()
                if (name, password) != self.credentials:
                    writer.write(b"\x01\x01")
                    self.refused += 1
                    return
                writer.write(b"\x01\x00")
                user = name
            else:
                writer.write(b"\x05\x00")
            _version, command, _reserved, address_type = await reader.readexactly(4)
            if address_type == 1:
                host = ".".join(str(b) for b in await reader.readexactly(4))
            elif address_type == 3:
                (size,) = await reader.readexactly(1)
                host = (await reader.readexactly(size)).decode()
            else:
                writer.write(b"\x05\x08\x00\x01" + bytes(6))
                return
            port = int.from_bytes(await reader.readexactly(2), "big")
            if command != 1:
                writer.write(b"\x05\x07\x00\x01" + bytes(6))
                return
            self.seen.append(Seen("CONNECT", f"{host}:{port}", user))
            writer.write(b"\x05\x00\x00\x01" + bytes(6))
            await writer.drain()
            await _splice(reader, writer, host, port)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()
