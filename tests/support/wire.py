"""Raw-socket HTTP for tests: send exactly the bytes a legacy client would send."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from urllib.parse import urlsplit

Headers = dict[str, str]


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url if "://" in url else "http://" + url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def read_response(reader: asyncio.StreamReader) -> tuple[int, Headers, bytes]:
    """One HTTP response: status, headers (lower-case names), body (by Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: Headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return status, headers, body


async def open_connection(
    url: str, *, source: str | None = None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection to the server at ``url``, optionally from address ``source``."""
    host, port = _address(url)
    local = (source, 0) if source else None
    return await asyncio.open_connection(host, port, local_addr=local)


def request_bytes(
    body: bytes,
    headers: Headers | None = None,
    *,
    target: str = "/",
    version: str = "HTTP/1.1",
    method: str = "POST",
) -> bytes:
    """A request as bytes; Content-Length is added unless ``headers`` sets it (or None)."""
    all_headers: dict[str, str] = {"Host": "127.0.0.1"}
    all_headers.update(headers or {})
    if not any(k.lower() == "content-length" for k in all_headers):
        all_headers["Content-Length"] = str(len(body))
    lines = [f"{method} {target} {version}"]
    lines += [f"{k}: {v}" for k, v in all_headers.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def post(
    url: str,
    body: bytes,
    headers: Headers | None = None,
    *,
    source: str | None = None,
    timeout: float = 10.0,
) -> tuple[int, Headers, bytes]:
    """POST ``body`` on a fresh connection (closed afterwards): (status, headers, body)."""
    reader, writer = await open_connection(url, source=source)
    try:
        all_headers = {"Connection": "close"}
        all_headers.update(headers or {})
        writer.write(request_bytes(body, all_headers))
        await writer.drain()
        return await asyncio.wait_for(read_response(reader), timeout)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def send_raw(url: str, data: bytes, *, timeout: float = 10.0) -> bytes:
    """Write ``data`` as it is, then read everything until the server closes."""
    reader, writer = await open_connection(url)
    try:
        writer.write(data)
        await writer.drain()
        chunks = []
        async with asyncio.timeout(timeout):
            while chunk := await reader.read(65536):
                chunks.append(chunk)
        return b"".join(chunks)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on ``host:port``."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
