"""The PROXY protocol header (v1 text, v2 binary): the parser on bytes, and the server
reading it only from the front doors it trusts (``serve --proxy-from``)."""

from __future__ import annotations

import asyncio
import ipaddress
import struct

import pytest

from qqdesk.protocol.classic import LOGIN_CODE
from qqdesk.server.cli import build_parser
from qqdesk.server.proxyproto import (
    V1_MAX,
    V2_SIGNATURE,
    ProxyHeader,
    ProxyHeaderError,
    TrustedProxies,
    header_size,
    parse,
)
from tests.support.wire import open_connection, read_response, request_bytes

from .conftest import MakeServer, md5

# -- the parser ----------------------------------------------------------------------


def v2(command: int = 1, family: int = 0x11, addresses: bytes = b"", tlvs: bytes = b"") -> bytes:
    """A v2 header: version 2 and ``command``, ``family`` (high nibble) and transport."""
    payload = addresses + tlvs
    fixed = bytes([0x20 | command, family]) + struct.pack("!H", len(payload))
    return V2_SIGNATURE + fixed + payload


def inet(source: str, destination: str, sport: int, dport: int) -> bytes:
    packed = [ipaddress.ip_address(a).packed for a in (source, destination)]
    return packed[0] + packed[1] + struct.pack("!HH", sport, dport)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"PROXY TCP4 192.0.2.7 10.0.0.11 51234 8000\r\n", ProxyHeader("192.0.2.7", 51234)),
        (b"PROXY TCP6 2001:db8::7 2001:db8::1 0 8000\r\n", ProxyHeader("2001:db8::7", 0)),
        # a v4 client seen through a v6 listener is named as v4
        (b"PROXY TCP6 ::ffff:192.0.2.7 ::1 65535 8000\r\n", ProxyHeader("192.0.2.7", 65535)),
        (b"PROXY UNKNOWN\r\n", ProxyHeader(None)),
        (b"PROXY UNKNOWN anything at all\r\n", ProxyHeader(None)),
        (
            v2(addresses=inet("192.0.2.7", "10.0.0.11", 51234, 8000)),
            ProxyHeader("192.0.2.7", 51234),
        ),
        (
            v2(family=0x21, addresses=inet("2001:db8::7", "2001:db8::1", 443, 8000)),
            ProxyHeader("2001:db8::7", 443),
        ),
        # TLVs after the addresses (HAProxy's unique id, SSL, ...) are skipped
        (
            v2(addresses=inet("192.0.2.8", "10.0.0.11", 1, 2), tlvs=b"\x05\x00\x03abc"),
            ProxyHeader("192.0.2.8", 1),
        ),
        # LOCAL: the proxy's own health check, naming nobody
        (v2(command=0, family=0x00), ProxyHeader(None)),
        (v2(command=0, addresses=inet("192.0.2.7", "10.0.0.11", 1, 2)), ProxyHeader(None)),
        # PROXY with an unspecified or Unix family: no IP address to name
        (v2(family=0x00), ProxyHeader(None)),
        (v2(family=0x31, addresses=bytes(216)), ProxyHeader(None)),
    ],
)
def test_a_valid_header_names_the_client(header: bytes, expected: ProxyHeader) -> None:
    assert parse(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        b"PROXY TCP4 192.0.2.7 10.0.0.11 51234 8000\n",  # LF only
        b"PROXY TCP4 192.0.2.7 10.0.0.11 51234\r\n",  # a field short
        b"PROXY TCP4 192.0.2.7  10.0.0.11 51234 8000\r\n",  # two spaces
        b"PROXY TCP4 2001:db8::7 10.0.0.11 1 2\r\n",  # family and address differ
        b"PROXY TCP6 192.0.2.7 ::1 1 2\r\n",
        b"PROXY TCP4 192.0.2.300 10.0.0.11 1 2\r\n",
        b"PROXY TCP4 192.0.2.7 10.0.0.11 65536 8000\r\n",
        b"PROXY TCP4 192.0.2.7 10.0.0.11 0123 8000\r\n",  # leading zero
        b"PROXY TCP4 192.0.2.7 10.0.0.11 -1 8000\r\n",
        b"PROXY UDP4 192.0.2.7 10.0.0.11 1 2\r\n",
        b"PROXY\r\n",
        b"proxy TCP4 192.0.2.7 10.0.0.11 1 2\r\n",
        b"PROXY UNKNOWN " + b"x" * 100 + b"\r\n",  # over 107 bytes
        b"PROXY TCP4 \xff.0.2.7 10.0.0.11 1 2\r\n",
        b"POST / HTTP/1.1\r\n",
        v2()[:-1],  # shorter than its length says
        v2(addresses=inet("192.0.2.7", "10.0.0.11", 1, 2))[:-1],
        v2(addresses=bytes(11)),  # too short for two v4 addresses and ports
        v2(family=0x21, addresses=bytes(12)),
        v2(command=2),  # no such command
        b"\r\n\r\n\x00\r\nQUIT\n\x11\x11\x00\x00",  # version 1 in a v2 frame
        V2_SIGNATURE + b"\x21\x11\xff\xff" + bytes(65535),  # more than any proxy sends
    ],
)
def test_anything_else_is_refused(header: bytes) -> None:
    with pytest.raises(ProxyHeaderError):
        parse(header)


def test_the_size_takes_the_header_and_nothing_of_the_request() -> None:
    request = b"POST  HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
    for header in (
        b"PROXY TCP4 192.0.2.7 10.0.0.11 51234 8000\r\n",
        v2(addresses=inet("192.0.2.7", "10.0.0.11", 51234, 8000)),
    ):
        data = header + request
        # (a connection's bytes come in any pieces: nothing is told before the end)
        assert [header_size(data[:n]) for n in range(len(header))] == [None] * len(header)
        assert header_size(data) == len(header)
        assert parse(data[: len(header)]).client == "192.0.2.7"
    with pytest.raises(ProxyHeaderError):
        header_size(request)
    with pytest.raises(ProxyHeaderError):
        header_size(b"PROXY TCP4 " + b"1" * V1_MAX)  # no line end within a v1 header's limit


def test_trusted_front_doors_are_addresses_or_networks() -> None:
    proxies = TrustedProxies.parse("10.0.0.0/24, 127.0.0.9,2001:db8::/32")
    assert proxies.trusts("10.0.0.200") and proxies.trusts("127.0.0.9")
    assert proxies.trusts("2001:db8::5")
    assert not proxies.trusts("10.0.1.1") and not proxies.trusts("127.0.0.1")
    assert not proxies.trusts("unknown")
    with pytest.raises(ValueError, match="'haproxy'"):
        TrustedProxies.parse("10.0.0.1,haproxy")
    with pytest.raises(ValueError):
        TrustedProxies.parse(",")
    args = build_parser().parse_args(["serve", "--proxy-from", "10.0.0.11,10.0.0.12"])
    assert args.proxy_from.trusts("10.0.0.12")
    assert build_parser().parse_args(["serve"]).proxy_from is None


# -- the server ------------------------------------------------------------------------

FRONT_DOOR = "127.0.0.9"
LOGIN = f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={md5('pw')}&M5=1&LC={LOGIN_CODE}".encode()


async def exchange(url: str, data: bytes, source: str) -> bytes:
    """Write ``data`` from ``source``; what the server answers until it closes."""
    reader, writer = await open_connection(url, source=source)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(10):
            return await reader.read()
    finally:
        writer.close()


async def test_a_trusted_front_door_names_the_client(make_server: MakeServer) -> None:
    srv = await make_server(proxies=TrustedProxies([FRONT_DOOR]))
    await srv.async_admin.create_account(10001, "pw")
    for n, header in enumerate(
        [
            v2(addresses=inet("192.0.2.7", "127.0.0.1", 40000, srv.port)),
            f"PROXY TCP4 192.0.2.8 127.0.0.1 40000 {srv.port}\r\n".encode(),
        ]
    ):
        reader, writer = await open_connection(srv.url, source=FRONT_DOOR)
        writer.write(header + request_bytes(LOGIN))
        status, _headers, body = await read_response(reader)
        assert status == 200 and b"&RES=0&" in body
        assert srv.service.sessions[10001].ip == f"192.0.2.{7 + n}"
        writer.close()
    # a health check (LOCAL) is the front door itself
    reader, writer = await open_connection(srv.url, source=FRONT_DOOR)
    writer.write(v2(command=0, family=0) + request_bytes(LOGIN))
    assert (await read_response(reader))[0] == 200
    assert srv.service.sessions[10001].ip == FRONT_DOOR
    writer.close()


async def test_a_trusted_front_door_without_a_header_is_closed(make_server: MakeServer) -> None:
    srv = await make_server(proxies=TrustedProxies([FRONT_DOOR]))
    await srv.async_admin.create_account(10001, "pw")
    assert await exchange(srv.url, request_bytes(LOGIN), FRONT_DOOR) == b""
    assert await exchange(srv.url, b"PROXY TCP4 192.0.2.7 nowhere 1 2\r\n", FRONT_DOOR) == b""
    assert 10001 not in srv.service.sessions
    # everyone else speaks HTTP as before
    closing = request_bytes(LOGIN, {"Connection": "close"})
    assert b"&RES=0&" in await exchange(srv.url, closing, "127.0.0.1")


async def test_a_header_from_anyone_else_is_a_bad_request(make_server: MakeServer) -> None:
    srv = await make_server(proxies=TrustedProxies([FRONT_DOOR]))
    await srv.async_admin.create_account(10001, "pw")
    spoofed = f"PROXY TCP4 192.0.2.7 127.0.0.1 1 {srv.port}\r\n".encode() + request_bytes(LOGIN)
    assert (await exchange(srv.url, spoofed, "127.0.0.1")).startswith(b"HTTP/1.1 400 ")
    binary = v2(addresses=inet("192.0.2.7", "127.0.0.1", 1, srv.port)) + request_bytes(LOGIN)
    assert (await exchange(srv.url, binary, "127.0.0.1")).startswith(b"HTTP/1.1 400 ")
    assert 10001 not in srv.service.sessions
    # and a server trusting nobody reads no header from anyone
    plain = await make_server()
    assert (await exchange(plain.url, binary, FRONT_DOOR)).startswith(b"HTTP/1.1 400 ")
