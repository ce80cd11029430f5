"""A hostile server cannot make the client grow without bound, hang, or take another's replies.

The server here is the test's own (asyncio streams on 127.0.0.1), bounded in the
bytes it sends and the time it takes, so that a client without the fix fails the
memory or time bound instead of exhausting the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from qqdesk.client import AccountSession, ConnectionState, ServerUnavailable
from qqdesk.client.links.classic import MAX_BUDDIES, MAX_REPLY
from qqdesk.protocol.classic.wire import parse_request_body

from .conftest import FAST, next_state

pytestmark = pytest.mark.timeout(30)

NewSession = Callable[..., AccountSession]
#: What the server does with one request: write to the connection (or not).
Attack = Callable[[dict[str, str], asyncio.StreamWriter], Awaitable[None]]

#: Whatever a hostile server sends, the client may grow by at most this much.
GROWTH_LIMIT = 50_000_000
#: The most any attack here writes on one connection, and how long it keeps at it.
MAX_SENT = 64 << 20
MAX_ATTACK_SECONDS = 10.0
#: Every call must fail within its deadline, here 1 s.
TIMING = dataclasses.replace(FAST, request_timeout=1.0)


def response(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in headers) or f"Content-Length: {len(body)}\r\n"
    return f"HTTP/1.1 200 OK\r\n{head}\r\n".encode() + body


def head(f: dict[str, str], command: str, uin: str | None = None) -> str:
    return f"VER=1.1&CMD={command}&SEQ={f.get('SEQ', '')}&UIN={uin or f.get('UIN', '')}"


async def honest(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
    """The plain answers a session needs to log in and poll."""
    command = f.get("CMD", "").upper()
    if command == "LOGIN":
        body = head(f, "Login") + "&RES=0&RS=0&HI=60&LI=300"
    elif command == "GETMSGEX":
        body = head(f, "GETMSGEX") + "&RES=0&MN=0&MT=&UN=&MG="
    elif command == "QUERY_STAT":
        body = head(f, "QUERY_STAT") + "&RES=0&FC=&FN=1&SN=0&ST=&UN=&NK="
    else:
        body = head(f, command) + "&RES=0&"
    writer.write(response(body.encode()))
    await writer.drain()


class HostileServer:
    """Answers honestly, except for the commands given an attack."""

    def __init__(self, attacks: dict[str, Attack]) -> None:
        self.attacks = attacks
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in request.decode("latin-1").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = min(int(value), 1 << 16)
                fields = parse_request_body(await reader.readexactly(length))
                command = fields.get("CMD", "").upper()
                self.requests.append(command)
                attack = self.attacks.get(command, honest)
                await asyncio.wait_for(attack(fields, writer), MAX_ATTACK_SECONDS)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        except TimeoutError:
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """The block must take under ``seconds`` and grow memory by under GROWTH_LIMIT."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    started = time.monotonic()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert peak < GROWTH_LIMIT, f"the client grew by {peak / 1e6:.0f} MB"
    assert elapsed < seconds, f"took {elapsed:.1f} s"


@contextlib.asynccontextmanager
async def hostile(**attacks: Attack) -> AsyncIterator[HostileServer]:
    async with HostileServer({k.upper(): v for k, v in attacks.items()}) as server:
        yield server


async def write_endlessly(writer: asyncio.StreamWriter, chunk: bytes, frame: bool) -> None:
    """Write ``chunk`` again and again (as HTTP chunks if ``frame``), up to MAX_SENT."""
    piece = _chunk(chunk) if frame else chunk
    for _ in range(MAX_SENT // len(chunk)):
        writer.write(piece)
        await writer.drain()


def _chunk(data: bytes) -> bytes:
    """``data`` as one chunk of a chunked HTTP body."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_huge_reply_is_refused_early(new_session: NewSession, declared: bool) -> None:
    async def huge(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
        start = head(f, "Login").encode() + b"&RES=0&RS=0&NK="
        if declared:
            writer.write(response(start, f"Content-Length: {1 << 30}"))
        else:
            writer.write(response(_chunk(start), "Transfer-Encoding: chunked"))
        await write_endlessly(writer, b"a" * (1 << 20), frame=not declared)

    async with hostile(login=huge) as server:
        session = new_session(server.url, timing=TIMING)
        with bounded(5.0), pytest.raises(ServerUnavailable, match=f"larger than {MAX_REPLY} bytes"):
            await session.login()


async def test_a_gzip_bomb_is_not_unpacked_past_the_cap(new_session: NewSession) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(128)) + packer.flush()
    assert len(bomb) < 200_000  # 128 MiB unpacked

    async def gzipped(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
        headers = f"Content-Length: {len(bomb)}", "Content-Encoding: gzip"
        writer.write(response(bomb, *headers))
        await writer.drain()

    async with hostile(login=gzipped) as server:
        session = new_session(server.url, timing=TIMING)
        with bounded(5.0), pytest.raises(ServerUnavailable, match=f"larger than {MAX_REPLY}"):
            await session.login()


async def test_endless_buddy_list_paging_stops_at_the_limit(new_session: NewSession) -> None:
    pages = [0]

    async def endless(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
        if f.get("TN", "0") == "0":
            body = head(f, "LIST") + "&RES=0&FN=1"
        else:
            # Ever new numbers, 1000 a page whatever was asked, never the last page.
            start = 20_000 + pages[0] * 1000
            pages[0] += 1
            numbers = ",".join(str(n) for n in range(start, start + 1000))
            body = head(f, "LIST") + f"&RES=0&FN=0&SN=1000&UN={numbers},"
        writer.write(response(body.encode()))
        await writer.drain()

    async with hostile(list=endless) as server:
        session = new_session(server.url, timing=TIMING)
        await session.login()
        with bounded(15.0), pytest.raises(ServerUnavailable, match=f"more than {MAX_BUDDIES}"):
            await session.buddies()
    assert pages[0] <= MAX_BUDDIES // 1000 + 1


async def test_a_server_that_drips_bytes_cannot_hold_login(new_session: NewSession) -> None:
    async def drip(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
        writer.write(response(b"", "Content-Length: 1000"))
        for _ in range(1000):
            writer.write(b"V")  # always sooner than the per-read timeout
            await writer.drain()
            await asyncio.sleep(TIMING.request_timeout / 4)

    async with hostile(login=drip) as server:
        session = new_session(server.url, timing=TIMING)
        with bounded(3 * TIMING.request_timeout), pytest.raises(ServerUnavailable, match="within"):
            await asyncio.wait_for(session.login(), 10)


async def test_a_login_reply_for_another_number_is_refused(new_session: NewSession) -> None:
    async def other(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
        body = head(f, "Login", uin="10009") + "&RES=0&RS=0&HI=60&LI=300"
        writer.write(response(body.encode()))
        await writer.drain()

    async with hostile(login=other) as server:
        session = new_session(server.url, timing=TIMING)
        with pytest.raises(ServerUnavailable, match="10009"):
            await session.login()
        assert session.state is ConnectionState.DISCONNECTED


async def test_messages_for_another_number_are_never_kept(new_session: NewSession) -> None:
    async def others(f: dict[str, str], writer: asyncio.StreamWriter) -> None:
        tail = "&RES=0&MI=1,&TM=1700000000,&MN=1&MT=9,&UN=10002,&MG=not yours,"
        writer.write(response((head(f, "GETMSGEX", uin="10009") + tail).encode()))
        await writer.drain()

    async with hostile(getmsgex=others) as server:
        session = new_session(server.url, timing=TIMING)
        events = session.events()
        await session.login()
        trouble: Any = await next_state(events, ConnectionState.RECONNECTING)
        assert "10009" in trouble.detail
        assert session.count() == 0
        assert server.requests.count("GETMSGEX") >= 1
