"""The HTTP front-end: legacy request forms, keep-alive, and limits, over raw sockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import threading
import time

import pytest

from qqdesk.server import QQServer
from qqdesk.server.http import Limits
from tests.support.wire import open_connection, post, read_response, request_bytes, send_raw

from .conftest import MakeServer, Raw, md5, polls, wait_until

LOGOUT = b"VER=1.1&CMD=Logout&SEQ=7&UIN=10001"
LOGOUT_REPLY = b"VER=1.1&CMD=LOGOUT&SEQ=7&UIN=10001&RES=0"


async def test_reply_headers(live: QQServer) -> None:
    status, headers, body = await post(live.url, LOGOUT)
    assert status == 200 and body == LOGOUT_REPLY
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert headers["content-length"] == str(len(body))


async def test_null_is_200_with_an_empty_body(live: QQServer) -> None:
    status, headers, body = await post(live.url, b"VER=1.1&CMD=Nonsense&SEQ=1&UIN=10001")
    assert (status, body, headers["content-length"]) == (200, b"", "0")
    assert (await post(live.url, b""))[:3:2] == (200, b"")
    assert (await post(live.url, b"VER=1.1&CMD=List&SEQ=1&UIN=abc"))[2] == b""


async def test_legacy_php_request_empty_target_no_content_type_stray_crlf(live: QQServer) -> None:
    # the request line of a well-known PHP client: "POST  HTTP/1.1", body followed by CRLFCRLF
    request = (
        b"POST  HTTP/1.1\r\nHost: tqq.tencent.com:8000\r\nContent-length: %d\r\n\r\n%s\r\n\r\n"
        % (len(LOGOUT), LOGOUT)
    )
    reader, writer = await open_connection(live.url)
    try:
        writer.write(request + request)  # twice on one connection
        await writer.drain()
        for _ in range(2):
            status, _headers, body = await asyncio.wait_for(read_response(reader), 5)
            assert (status, body) == (200, LOGOUT_REPLY)
    finally:
        writer.close()


async def test_any_target_and_http_1_0(live: QQServer) -> None:
    for target in ("/", "/anything?x=1", "*"):
        raw = request_bytes(LOGOUT, {"Connection": "close"}, target=target)
        assert (await send_raw(live.url, raw)).endswith(b"\r\n\r\n" + LOGOUT_REPLY)
    answer = await send_raw(live.url, request_bytes(LOGOUT, version="HTTP/1.0"))
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(LOGOUT_REPLY)
    assert b"Connection: close" in answer  # 1.0 without keep-alive: closed after the reply


async def test_http_1_0_keep_alive_and_1_1_pipelining(live: QQServer) -> None:
    reader, writer = await open_connection(live.url)
    try:
        one = request_bytes(LOGOUT, {"Connection": "keep-alive"}, version="HTTP/1.0")
        writer.write(one + request_bytes(LOGOUT) + request_bytes(LOGOUT, {"Connection": "close"}))
        await writer.drain()
        for _ in range(3):
            status, _h, body = await asyncio.wait_for(read_response(reader), 5)
            assert (status, body) == (200, LOGOUT_REPLY)
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed after Connection: close
    finally:
        writer.close()


async def test_bare_lf_heads_and_requests_in_pieces(live: QQServer) -> None:
    # Lines may end in a bare LF; a head and body may come a few bytes at a time, split
    # anywhere (the head's end, "\r\n\r\n", too), and the next request right behind.
    bare = b"POST / HTTP/1.1\nHost: x\nContent-Length: %d\n\n%s" % (len(LOGOUT), LOGOUT)
    reader, writer = await open_connection(live.url)
    try:
        for request in (bare, request_bytes(LOGOUT), bare):
            for i in range(0, len(request), 3):
                writer.write(request[i : i + 3])
                await writer.drain()
                # (pacing, not a wait for a result: each piece reaches the server in a
                # read of its own instead of being coalesced by the socket)
                await asyncio.sleep(0.001)
            status, _h, body = await asyncio.wait_for(read_response(reader), 5)
            assert (status, body) == (200, LOGOUT_REPLY)
    finally:
        writer.close()


async def test_plus_is_a_space_only_for_form_bodies(alice: Raw, bob: Raw, live: QQServer) -> None:
    body = b"VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=a+b%2Bc"
    await post(live.url, body, {"Content-Type": "text/plain; charset=UTF-8"})
    await post(live.url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    await post(live.url, body.replace(b"a+b", "中+文".encode()))  # raw UTF-8, no Content-Type
    got = await bob.send("GetMsgEx")
    assert got.endswith("&MG=a+b+c,a b+c,中+文+c,".encode())


async def test_whitespace_around_fields_is_trimmed(live: QQServer) -> None:
    body = f"VER=1.1&CMD=Login&SEQ=3&UIN=10001&PS={md5('pw')} &M5=1&LC=9326B87B234E7235"
    assert b"RES=0&RS=0" in (await post(live.url, body.encode()))[2]


async def test_get_gets_405_with_allow(live: QQServer) -> None:
    # (GET / is the web channel's proxy page; any other unknown path is classic, POST only)
    answer = await send_raw(live.url, b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: POST\r\n" in answer


async def test_length_problems(live: QQServer) -> None:
    no_length = b"POST / HTTP/1.1\r\nHost: x\r\n\r\n" + LOGOUT
    assert (await send_raw(live.url, no_length)).startswith(b"HTTP/1.1 411 ")
    bad = request_bytes(LOGOUT, {"Content-Length": "12x"})
    assert (await send_raw(live.url, bad)).startswith(b"HTTP/1.1 400 ")
    chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    assert (await send_raw(live.url, chunked)).startswith(b"HTTP/1.1 411 ")
    garbage = b"\x00\x01 nonsense\r\n\r\n"
    assert (await send_raw(live.url, garbage)).startswith(b"HTTP/1.1 400 ")
    assert (await send_raw(live.url, b"POST / HTTP/2.0\r\n\r\n")).startswith(b"HTTP/1.1 505 ")


async def test_big_body_is_refused_without_reading_it(live: QQServer) -> None:
    reader, writer = await open_connection(live.url)
    try:
        writer.write(b"POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n")  # and no body at all
        await writer.drain()
        status, _h, _b = await asyncio.wait_for(read_response(reader), 5)
        assert status == 413
    finally:
        writer.close()
    # a client that sends the whole big body anyway still reads the 413
    too_big = b"VER=1.1&CMD=Logout&SEQ=7&UIN=10001&XX=" + b"y" * 200_000
    status, headers, _body = await post(live.url, too_big)
    assert status == 413 and headers["connection"] == "close"
    exactly = b"VER=1.1&CMD=Logout&SEQ=7&UIN=10001&XX=" + b"y" * (65536 - 38)
    assert len(exactly) == 65536
    assert (await post(live.url, exactly))[2] == LOGOUT_REPLY


async def test_huge_headers_get_431(live: QQServer) -> None:
    big = request_bytes(LOGOUT, {"X-Filler": "z" * 9000})
    assert (await send_raw(live.url, big)).startswith(b"HTTP/1.1 431 ")
    many = request_bytes(LOGOUT, {f"X-{i}": "z" * 100 for i in range(100)})
    assert (await send_raw(live.url, many)).startswith(b"HTTP/1.1 431 ")


async def test_slow_clients_are_cut_off_and_others_served(make_server: MakeServer) -> None:
    srv = await make_server(limits=Limits(header_timeout=0.5, body_timeout=0.5, idle_timeout=1.0))
    started = time.monotonic()
    # a head that never ends
    answer = await send_raw(srv.url, b"POST / HTTP/1.1\r\nHost: slow", timeout=5)
    assert answer.startswith(b"HTTP/1.1 408 ")
    # a body that never comes
    slow_reader, slow_writer = await open_connection(srv.url)
    slow_writer.write(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nVER=")
    assert (await post(srv.url, LOGOUT))[2] == LOGOUT_REPLY  # meanwhile, others are served
    status, _h, _b = await asyncio.wait_for(read_response(slow_reader), 5)
    assert status == 408
    slow_writer.close()
    # an idle keep-alive connection is closed quietly
    idle_reader, idle_writer = await open_connection(srv.url)
    assert await asyncio.wait_for(idle_reader.read(), 5) == b""
    idle_writer.close()
    assert time.monotonic() - started < 5


async def test_stray_crlf_trickling_in_do_not_keep_an_idle_connection(
    make_server: MakeServer,
) -> None:
    srv = await make_server(limits=Limits(idle_timeout=1.0))
    reader, writer = await open_connection(srv.url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < 5:
            with contextlib.suppress(ConnectionError):
                writer.write(b"\r\n")
                await writer.drain()
            with contextlib.suppress(TimeoutError):
                if await asyncio.wait_for(reader.read(), 0.3) == b"":
                    break
        assert time.monotonic() - started < 2.5  # closed once idle_timeout passed
    finally:
        writer.close()


async def test_connection_limit(make_server: MakeServer) -> None:
    srv = await make_server(limits=Limits(max_connections=2))
    held = [await open_connection(srv.url) for _ in range(2)]
    await wait_until(lambda: srv.front_end.connection_count == 2)
    answer = await send_raw(srv.url, request_bytes(LOGOUT))
    assert answer.startswith(b"HTTP/1.1 503 ")
    for _reader, writer in held:
        writer.close()
    await wait_until(lambda: srv.front_end.connection_count == 0)
    assert (await post(srv.url, LOGOUT))[2] == LOGOUT_REPLY


async def test_expect_100_continue(live: QQServer) -> None:
    reader, writer = await open_connection(live.url)
    try:
        head = b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(
            LOGOUT
        )
        writer.write(head)
        await writer.drain()
        assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == (
            b"HTTP/1.1 100 Continue\r\n\r\n"
        )
        writer.write(LOGOUT)
        status, _h, body = await asyncio.wait_for(read_response(reader), 5)
        assert (status, body) == (200, LOGOUT_REPLY)
    finally:
        writer.close()


async def test_each_request_on_a_connection_is_judged_by_its_own_cookie(
    make_server: MakeServer,
) -> None:
    srv = await make_server(strict_sessions=True)
    await srv.async_admin.create_account(10001, "pw")
    raw = Raw(srv.url, 10001)
    await raw.login()
    assert raw.cookie is not None
    reader, writer = await open_connection(srv.url)
    try:
        for cookie, result in [
            (raw.cookie, b"&RES=0&FN=0"),
            (raw.cookie, b"&RES=0&FN=0"),
            ("QQS_10001=forged", b"&RES=20"),
            (None, b"&RES=20"),
            (raw.cookie, b"&RES=0&FN=0"),
        ]:
            body = b"VER=1.1&CMD=List&SEQ=1&UIN=10001"
            writer.write(request_bytes(body, {"Cookie": cookie} if cookie else None))
            await writer.drain()
            _status, _h, reply = await asyncio.wait_for(read_response(reader), 5)
            assert reply.endswith(result), (cookie, reply)
    finally:
        writer.close()


async def test_routes_by_method_and_path_with_the_classic_family_as_post_fallback(
    live: QQServer,
) -> None:
    from qqdesk.server.http import Answer, Request

    seen: list[tuple[str, str, bytes]] = []

    async def ping(request: Request) -> Answer:
        seen.append((request.method, request.target, request.body))
        return Answer(b"pong")

    live.router.add("GET", "/ping", ping)
    live.router.add("POST", "/ping", ping)
    answer = await send_raw(
        live.url, request_bytes(b"", {"Connection": "close"}, method="GET", target="/ping?x=1")
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\npong")
    answer = await send_raw(live.url, request_bytes(b"hi", {"Connection": "close"}, target="/ping"))
    assert answer.endswith(b"\r\n\r\npong")
    assert seen == [("GET", "/ping?x=1", b""), ("POST", "/ping", b"hi")]
    # any other path is the classic family's, as before
    raw = request_bytes(LOGOUT, {"Connection": "close"}, target="/pong")
    assert (await send_raw(live.url, raw)).endswith(b"\r\n\r\n" + LOGOUT_REPLY)
    # an unknown method: 405, naming what that path takes
    answer = await send_raw(live.url, request_bytes(b"", method="PUT", target="/ping"))
    assert answer.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: GET, POST\r\n" in answer


def _refused_then_reset(port: int, count: int) -> None:
    """Requests the server refuses (413 unread, 405), each connection then reset (RST)
    at once: the client gives up mid-request."""
    for i in range(count):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.connect(("127.0.0.1", port))
            with contextlib.suppress(OSError):
                if i % 2:
                    s.sendall(b"POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n")
                else:
                    s.sendall(b"GET / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + b"x" * 100)
                s.recv(5)


async def test_a_client_reset_during_a_refused_request_logs_no_traceback(
    live: QQServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12 item 11: the answer goes out, the client resets, and shutting the write
    side of the dead socket (write_eof) must not log a traceback per connection."""
    caplog.set_level(logging.WARNING)
    threads = [
        threading.Thread(target=_refused_then_reset, args=(live.port, 200)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    await wait_until(lambda: not any(t.is_alive() for t in threads), timeout=60)
    await wait_until(lambda: live.front_end.connection_count == 0)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # and the server still serves
    assert b"RES=0&RS=0" in await Raw(live.url, 10001).login()


def _held_poll(client: Raw) -> bytes:
    """A GetMsgEx that waits (WT=30) from ``client``, with its session cookie."""
    body = b"VER=1.1&CMD=GetMsgEx&SEQ=50&UIN=%d&WT=30" % client.uin
    assert client.cookie is not None
    return request_bytes(body, {"Cookie": client.cookie})


async def test_an_abandoned_held_poll_frees_its_slot_at_once(
    make_server: MakeServer,
) -> None:
    # The hand-driven clock stands still: only the client's end can answer the poll.
    srv = await make_server(limits=Limits(max_connections=1))
    await srv.async_admin.create_account(10001, "pw", nick="Alice")
    alice = Raw(srv.url, 10001)
    assert b"RES=0&RS=0" in await alice.login()
    await alice.send("GetMsgEx")  # (what is waiting since the login, taken first)
    _reader, writer = await open_connection(srv.url)
    writer.write(_held_poll(alice))
    await writer.drain()
    await wait_until(lambda: polls(srv, 10001) == 1)
    assert (await send_raw(srv.url, b"POST / HTTP/1.1\r\n\r\n")).startswith(b"HTTP/1.1 503 ")
    writer.close()  # the client gives up on its poll
    await wait_until(lambda: srv.front_end.connection_count == 0 and polls(srv, 10001) == 0)
    status, _headers, body = await post(srv.url, LOGOUT)  # the one slot is free again
    assert (status, body) == (200, LOGOUT_REPLY)


async def test_a_request_pipelined_behind_a_held_poll_is_answered_after_it(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    await alice.send("GetMsgEx")
    reader, writer = await open_connection(live.url)
    try:
        # the held poll, a legacy client's stray CR LF, and the next request at once:
        # watching for the client's end must keep the next request's bytes for it
        writer.write(_held_poll(alice) + b"\r\n\r\n" + request_bytes(LOGOUT))
        await writer.drain()
        await wait_until(lambda: polls(live, 10001) == 1)
        assert (await bob.send("CLTMSG", UN=10001, MG="hi")).endswith(b"&RES=0&")
        status, _headers, body = await asyncio.wait_for(read_response(reader), 10)
        assert status == 200 and body.endswith(b"&MN=1&MT=9,&UN=10002,&MG=hi,")
        status, _headers, body = await asyncio.wait_for(read_response(reader), 10)
        assert (status, body) == (200, LOGOUT_REPLY)
    finally:
        writer.close()


async def test_held_polls_one_after_another_on_one_connection(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    # The next request comes only after the answer was read: the watch of the poll
    # before must have let go of the connection's reader by then.
    await alice.send("GetMsgEx")
    reader, writer = await open_connection(live.url)
    try:
        for n in range(3):
            writer.write(_held_poll(alice))
            await writer.drain()
            await wait_until(lambda: polls(live, 10001) == 1)
            assert (await bob.send("CLTMSG", UN=10001, MG=f"hi {n}")).endswith(b"&RES=0&")
            status, _headers, body = await asyncio.wait_for(read_response(reader), 10)
            assert status == 200 and body.endswith(b"&UN=10002,&MG=hi %d," % n)
    finally:
        writer.close()
