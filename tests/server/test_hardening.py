"""Issue 12: no user can starve, flood or impersonate another, and nothing is lost or
doubled; each against the real server on loopback."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading

import pytest

import qqdesk.server.service as service_module
from qqdesk.core import AuthMode
from qqdesk.server import QQServer
from qqdesk.server.frontends.classic import MAX_LEGACY_BODY
from qqdesk.server.http import Limits
from qqdesk.server.service import MAX_REASON
from qqdesk.server.store import check_password
from tests.support.wire import open_connection, post, send_raw

from .conftest import FakeClock, MakeServer, Raw, fields, polls, wait_until

# -- what one user may store for others ---------------------------------------------


async def test_add_requests_are_rate_limited_like_messages(
    live: QQServer, alice: Raw, clock: FakeClock
) -> None:
    for uin in range(30000, 30012):
        await live.async_admin.create_account(uin, "pw", auth=AuthMode.VERIFY)
    for uin in range(30000, 30010):
        assert (await alice.send("Ack_AddToList", UN=uin, CD=2, RS="hi")).endswith(b"&RES=0&")
    # the 11th within 10 s: RES=3 and the penalty, and nothing queued for 30010
    assert (await alice.send("Ack_AddToList", UN=30010, CD=2, RS="hi")).endswith(b"&RES=3")
    assert await live.store.open_request(10001, 30010) is None
    assert (await alice.send("Ack_AddToList", UN=30011, CD=2, RS="hi")).endswith(b"&RES=3")
    # messages have a count of their own
    assert (await alice.send("CLTMSG", UN=10002, MG="still here")).endswith(b"&RES=0&")
    clock.advance(21)
    assert (await alice.send("Ack_AddToList", UN=30010, CD=2, RS="hi")).endswith(b"&RES=0&")


async def test_a_long_reason_is_cut_to_the_cap(live: QQServer, alice: Raw) -> None:
    await live.async_admin.create_account(30001, "pw", auth=AuthMode.VERIFY)
    reply = await alice.send("Ack_AddToList", UN=30001, CD=2, RS="理" * 5000)
    assert reply.endswith(b"&RES=0&")
    assert await live.store.open_request(10001, 30001) == "理" * MAX_REASON
    careful = Raw(live.url, 30001)
    await careful.login()
    assert fields(await careful.send("GetMsgEx"))["MG"] == "理" * MAX_REASON + ","
    # the answer's reason too
    await careful.send("Ack_AddToList", UN=10001, CD=1, RS="不" * 4000)
    assert fields(await alice.send("GetMsgEx"))["MG"] == "不" * MAX_REASON + ","


async def test_strangers_cannot_fill_a_recipients_queue(
    make_server: MakeServer, clock: FakeClock
) -> None:
    srv = await make_server(max_from_strangers=3)
    admin = srv.async_admin
    for uin in (10001, 10002, 10003, 10004):
        await admin.create_account(uin, "pw", auth=AuthMode.VERIFY)
    await admin.add_buddy(10004, 10003)  # 10003 is on the recipient's list
    mallory, eve, friend = Raw(srv.url, 10001), Raw(srv.url, 10002), Raw(srv.url, 10003)
    for client in (mallory, eve, friend):
        await client.login()
    assert (await mallory.send("CLTMSG", UN=10004, MG="one")).endswith(b"&RES=0&")
    assert (await mallory.send("Ack_AddToList", UN=10004, CD=2, RS="two")).endswith(b"&RES=0&")
    assert (await eve.send("CLTMSG", UN=10004, MG="three")).endswith(b"&RES=0&")
    # full of strangers: every stranger is refused, with RES=3 and no penalty
    assert (await eve.send("CLTMSG", UN=10004, MG="four")).endswith(b"&RES=3")
    assert (await mallory.send("Ack_AddToList", UN=10004, CD=2, RS="5")).endswith(b"&RES=3")
    assert (await mallory.send("CLTMSG", UN=10002, MG="not penalized")).endswith(b"&RES=0&")
    # a buddy always gets through
    for n in range(5):
        assert (await friend.send("CLTMSG", UN=10004, MG=f"friend {n}")).endswith(b"&RES=0&")
    recipient = Raw(srv.url, 10004)
    await recipient.login()
    got = fields(await recipient.send("GetMsgEx"))
    assert got["MG"] == "one,two,three," + "".join(f"friend {n}," for n in range(5))
    # once read (the next poll says so), strangers may write again
    assert (await eve.send("CLTMSG", UN=10004, MG="four")).endswith(b"&RES=3")
    assert (await recipient.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")
    assert (await eve.send("CLTMSG", UN=10004, MG="four")).endswith(b"&RES=0&")


# -- connection slots ------------------------------------------------------------------

LOGOUT = b"VER=1.1&CMD=Logout&SEQ=7&UIN=10001"
NULL_REQUEST = b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"


async def test_one_address_cannot_take_every_connection(make_server: MakeServer) -> None:
    srv = await make_server(limits=Limits(max_per_address=20))
    held = [await open_connection(srv.url) for _ in range(20)]
    await wait_until(lambda: srv.front_end.connection_count == 20)
    refused = await send_raw(srv.url, NULL_REQUEST)
    assert refused.startswith(b"HTTP/1.1 503 ")
    # another address is served (loopback counts like any address)
    status, _headers, body = await post(srv.url, LOGOUT, source="127.0.0.2")
    assert status == 200 and body.endswith(b"RES=0")
    held.pop()[1].close()
    await wait_until(lambda: srv.front_end.connection_count == 19)
    assert (await post(srv.url, LOGOUT))[0] == 200
    for _reader, writer in held:
        writer.close()


async def test_a_newer_poll_ends_the_older_one_held(live: QQServer, alice: Raw, bob: Raw) -> None:
    await alice.send("GetMsgEx")  # (Bob came online: that news is taken first)
    held: list[asyncio.Task[bytes]] = []
    for n in range(1, 6):
        held.append(asyncio.create_task(alice.send("GetMsgEx", WT=30)))
        if n > 1:
            # the older one answers at once, empty
            older = await asyncio.wait_for(held[-2], 10)
            assert older.endswith(b"&MN=0&MT=&UN=&MG=")
        await wait_until(lambda: polls(live, 10001) == 1)
    assert (await bob.send("CLTMSG", UN=10001, MG="to the newest")).endswith(b"&RES=0&")
    newest = await asyncio.wait_for(held[-1], 10)
    assert newest.endswith(b"&MN=1&MT=9,&UN=10002,&MG=to the newest,")
    assert polls(live, 10001) == 0


async def test_a_client_that_never_reads_loses_its_connection(make_server: MakeServer) -> None:
    srv = await make_server(limits=Limits(write_timeout=0.5))
    host, port = srv.host, srv.port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, port))
    _reader, writer = await asyncio.open_connection(sock=sock)
    try:
        # pipelined requests whose replies are never read: more than every buffer holds
        writer.write(NULL_REQUEST * 40_000)
        await wait_until(lambda: srv.front_end.connection_count == 1)
        await wait_until(lambda: srv.front_end.connection_count == 0, timeout=30)
    finally:
        writer.transport.abort()


# -- password guesses -----------------------------------------------------------------


async def test_guesses_sent_at_once_are_counted_before_they_are_checked(live: QQServer) -> None:
    attacker = "127.0.0.2"

    async def guess(password: str) -> bytes:
        return await Raw(live.url, 10001, source=attacker).login(password)

    answers = await asyncio.gather(*(guess(f"guess {n}") for n in range(100)))
    checked = [a for a in answers if b"&RS=1&" in a]
    assert len(checked) == 5  # only five were ever evaluated
    assert sum(a.endswith(b"&RES=3") for a in answers) == 95
    assert (await guess("pw")).endswith(b"&RES=3")  # the right one, 101st: refused


async def test_many_people_behind_one_address_sign_in_at_once(live: QQServer) -> None:
    """A school's NAT: 50 first sign-ins at the same moment from one address all succeed
    (attempts in flight count against each number, not against the address)."""
    numbers = range(21000, 21050)
    for uin in numbers:
        await live.async_admin.create_account(uin, "pw")
    answers = await asyncio.gather(
        *(Raw(live.url, uin, source="127.0.0.4").login("pw") for uin in numbers)
    )
    assert all(b"RES=0&RS=0" in answer for answer in answers)


async def test_the_owner_is_not_locked_out_by_an_attacker(live: QQServer) -> None:
    owner = Raw(live.url, 10001)
    assert b"RES=0&RS=0" in await owner.login()  # 127.0.0.1 is now a known address
    for _ in range(10):
        await Raw(live.url, 10001, source="127.0.0.2").login("bad")
    assert (await Raw(live.url, 10001, source="127.0.0.2").login("pw")).endswith(b"&RES=3")
    assert b"RES=0&RS=0" in await owner.login()
    # 30 bad guesses from a shared address leave alone those who signed in there before
    bob = Raw(live.url, 10002, source="127.0.0.3")
    assert b"RES=0&RS=0" in await bob.login()
    for uin in range(20000, 20030):
        await live.async_admin.create_account(uin, "pw")
        await Raw(live.url, uin, source="127.0.0.3").login("bad")
    await live.async_admin.create_account(10003, "pw")
    assert (await Raw(live.url, 10003, source="127.0.0.3").login("pw")).endswith(b"&RES=3")
    assert b"RES=0&RS=0" in await bob.login()
    # the owner's own address is still held to five wrong ones
    for _ in range(5):
        assert b"&RS=1&" in await owner.login("typo")
    assert (await owner.login("pw")).endswith(b"&RES=3")


async def test_passwords_are_checked_on_two_threads_of_their_own(
    live: QQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: set[str] = set()
    check = check_password  # (what the service calls, as it imported it)

    def recording(password_md5: str, stored: str) -> bool:
        threads.add(threading.current_thread().name)
        return check(password_md5, stored)

    monkeypatch.setattr(service_module, "check_password", recording)
    for uin in range(20000, 20020):
        await live.async_admin.create_account(uin, "pw")
    answers = await asyncio.gather(*(Raw(live.url, uin).login() for uin in range(20000, 20020)))
    assert all(b"RES=0&RS=0" in a for a in answers)
    assert threads and all(name.startswith("qqdesk-password") for name in threads)
    assert len(threads) <= service_module.PASSWORD_THREADS == 2


async def test_a_login_whose_client_left_is_never_hashed_for(
    live: QQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    hashed: list[str] = []
    check = check_password

    def held(password_md5: str, stored: str) -> bool:
        hashed.append(threading.current_thread().name)
        release.wait(10)  # (set below; the bound only ends a failing test)
        return check(password_md5, stored)

    monkeypatch.setattr(service_module, "check_password", held)
    for uin in range(20000, 20007):
        await live.async_admin.create_account(uin, "pw")
    try:
        # two logins take both password threads ...
        waiting = [asyncio.create_task(Raw(live.url, uin).login()) for uin in (20000, 20001)]
        await wait_until(lambda: len(hashed) == service_module.PASSWORD_THREADS == 2)
        # ... five more queue behind them, and their clients give up
        gone = [asyncio.create_task(Raw(live.url, uin).login()) for uin in range(20002, 20007)]
        await wait_until(lambda: live.front_end.connection_count == 7)
        for task in gone:
            task.cancel()  # (closes its connection)
        await asyncio.gather(*gone, return_exceptions=True)
        # their requests end without waiting for a thread: their slots are free
        await wait_until(lambda: live.front_end.connection_count == 2)
    finally:
        release.set()
    assert all(b"RES=0&RS=0" in answer for answer in await asyncio.gather(*waiting))
    assert len(hashed) == 2
    # a login after them is served at once, and none of theirs counted as a failure
    assert b"RES=0&RS=0" in await Raw(live.url, 20002).login()


async def test_a_burst_of_logins_waits_before_its_reads(
    live: QQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A thousand logins at once made the loop read and hand off every one of them in
    # one go (most of a second in which nobody else was answered): now only those
    # a password thread will take next get that far; the rest wait, unread.
    release = threading.Event()
    check = check_password

    def held(password_md5: str, stored: str) -> bool:
        release.wait(10)  # (set below; the bound only ends a failing test)
        return check(password_md5, stored)

    reads: list[int] = []
    password_hash = live.store.password_hash

    async def counted(uin: int) -> str | None:
        reads.append(uin)
        return await password_hash(uin)

    alice = Raw(live.url, 10001)
    assert b"RES=0&RS=0" in await alice.login()
    monkeypatch.setattr(service_module, "check_password", held)
    monkeypatch.setattr(live.store, "password_hash", counted)
    uins = range(20000, 20020)
    for uin in uins:
        await live.async_admin.create_account(uin, "pw")
    try:
        logins = [asyncio.create_task(Raw(live.url, uin).login()) for uin in uins]
        await wait_until(lambda: live.front_end.connection_count == len(uins))
        gate = service_module.PASSWORD_GATE
        await wait_until(lambda: len(reads) == gate)
        # the others are in, waiting without a read; another user is served meanwhile
        assert b"&RES=0&" in await alice.send("Query_Stat", TN=50, UN=0)
        assert len(reads) == gate < len(uins)
    finally:
        release.set()
    assert all(b"RES=0&RS=0" in answer for answer in await asyncio.gather(*logins))
    assert sorted(reads) == list(uins)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority: Linux")
async def test_password_threads_yield_the_cores_to_the_loop(
    live: QQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a burst of logins must slow the logins, not every other user's requests)
    seen: list[int] = []
    check = check_password

    def recording(password_md5: str, stored: str) -> bool:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return check(password_md5, stored)

    monkeypatch.setattr(service_module, "check_password", recording)
    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert b"RES=0&RS=0" in await Raw(live.url, 10001).login()
    lower = min(19, loop_niceness + service_module.PASSWORD_NICENESS)
    assert (seen == [lower] and lower > loop_niceness) or loop_niceness == 19
    # the loop's own thread keeps its priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_niceness


# -- legacy delivery ----------------------------------------------------------------


async def test_a_legacy_reply_stays_under_8_kib(alice: Raw, bob: Raw) -> None:
    await bob.send("GetMsgEx")  # (Alice came online: that news first)
    texts = [str(n) + "中" * 1499 for n in range(4)]  # 4,500 bytes each in UTF-8
    for text in texts:
        assert (await alice.send("CLTMSG", UN=10002, MG=text)).endswith(b"&RES=0&")
    got: list[str] = []
    while len(got) < 4:
        body = await bob.send("GetMsgEx")
        assert len(body) <= MAX_LEGACY_BODY
        reply = fields(body)
        assert reply["MN"] != "0"
        got += reply["MG"].split(",")[:-1]
    assert got == texts
    assert (await bob.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")
    # the largest message there is (8,000 bytes) goes alone, the next one after it
    huge, small = "😀" * 2000, "中" * 200
    for text in (huge, small):
        assert (await alice.send("CLTMSG", UN=10002, MG=text)).endswith(b"&RES=0&")
    assert fields(await bob.send("GetMsgEx"))["MG"] == huge + ","
    assert fields(await bob.send("GetMsgEx"))["MG"] == small + ","


async def test_a_legacy_client_keeps_its_last_answer_until_it_asks_again(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    await bob.send("GetMsgEx")
    assert (await alice.send("CLTMSG", UN=10002, MG="kept")).endswith(b"&RES=0&")
    assert fields(await bob.send("GetMsgEx"))["MG"] == "kept,"
    assert [m.id for m in await live.store.queued(10002, 10)]  # still on disk
    # signing out says the answer came: nothing again at the next login
    assert (await bob.send("Logout")).endswith(b"&RES=0")
    assert b"RES=0&RS=0" in await bob.login()
    assert (await bob.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")
