"""Sessions by (UIN, IP), idle expiry on an injected clock, rate limits, long polls and acks."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from qqdesk.server import QQServer, SqliteStore

from .conftest import FakeClock, MakeServer, Raw, fields, polls, text, wait_until


async def test_idle_session_expires_and_buddies_see_offline(
    live: QQServer, alice: Raw, bob: Raw, clock: FakeClock
) -> None:
    await alice.send("GetMsgEx")
    clock.advance(299)
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")  # Alice keeps alive
    clock.advance(2)  # Bob has now been silent for 301 s
    assert live.service.expire_idle() == 1
    assert (await bob.send("List")).endswith(b"&RES=20")
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=1&MT=99,&UN=10002,&MG=20,")
    assert (await alice.send("Query_Stat")).endswith(b"&RES=0&FN=0")


async def test_expiry_is_also_noticed_on_the_next_request(
    live: QQServer, alice: Raw, bob: Raw, clock: FakeClock
) -> None:
    await alice.send("GetMsgEx")
    clock.advance(301)
    assert (await bob.send("GetMsgEx")).endswith(b"&RES=20")
    assert (await alice.send("List")).endswith(b"&RES=20")  # Alice expired too
    await alice.login()
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")  # stale statuses dropped


async def test_short_idle_timeout_is_announced_and_swept(make_server: MakeServer) -> None:
    srv = await make_server(idle_timeout=0.3, clock=time.monotonic)
    await srv.async_admin.create_account(10001, "pw")
    raw = Raw(srv.url, 10001)
    assert b"&HI=60&LI=1&" in await raw.login()
    # the sweeper (every idle_timeout/4) ends it without any request
    await wait_until(lambda: 10001 not in srv.service.sessions)


async def test_login_from_elsewhere_replaces_the_session(live: QQServer, alice: Raw) -> None:
    elsewhere = Raw(live.url, 10001, source="127.0.0.2")
    assert (await elsewhere.send("List")).endswith(b"&RES=20")  # same UIN, other IP: no session
    assert b"RES=0&RS=0" in await elsewhere.login()
    assert (await elsewhere.send("List")).endswith(b"&RES=0&FN=1")
    assert (await alice.send("List")).endswith(b"&RES=20")
    # the old address cannot log the new session out
    assert (await alice.send("Logout")).endswith(b"&RES=0")
    assert (await elsewhere.send("List")).endswith(b"&RES=0&FN=1")


async def test_two_accounts_from_one_address_do_not_interfere(alice: Raw, bob: Raw) -> None:
    assert (await alice.send("List")).endswith(b"&RES=0&FN=1")
    assert (await bob.send("List")).endswith(b"&RES=0&FN=1")
    await bob.send("Logout")
    assert (await alice.send("List")).endswith(b"&RES=0&FN=1")


async def test_strict_sessions_need_the_login_cookie(make_server: MakeServer) -> None:
    srv = await make_server(strict_sessions=True)
    await srv.async_admin.create_account(10001, "pw")
    raw = Raw(srv.url, 10001)
    await raw.login()
    assert raw.cookie is not None and raw.cookie.startswith("QQS_10001=")
    assert (await raw.send("List")).endswith(b"&RES=0&FN=0")
    cookie, raw.cookie = raw.cookie, None
    assert (await raw.send("List")).endswith(b"&RES=20")
    raw.cookie = "QQS_10001=forged"
    assert (await raw.send("List")).endswith(b"&RES=20")
    await raw.send("Logout")  # without the right cookie the session lives on
    raw.cookie = cookie
    assert (await raw.send("List")).endswith(b"&RES=0&FN=0")


async def test_cookie_is_ignored_without_strict_sessions(alice: Raw) -> None:
    alice.cookie = "QQS_10001=whatever"
    assert (await alice.send("List")).endswith(b"&RES=0&FN=1")


async def test_rate_limit_and_per_command_penalty(
    live: QQServer, alice: Raw, clock: FakeClock
) -> None:
    for i in range(10):
        assert (await alice.send("CLTMSG", UN=10002, MG=f"m{i}")).endswith(b"&RES=0&")
    assert (await alice.send("CLTMSG", UN=10002, MG="eleventh")).endswith(b"&RES=3")
    clock.advance(11)  # the window passed, but the 20 s penalty holds
    assert (await alice.send("CLTMSG", UN=10002, MG="still")).endswith(b"&RES=3")
    assert (await alice.send("List")).endswith(b"&RES=0&FN=1")  # other commands unaffected
    bob = Raw(live.url, 10002)
    await bob.login()
    assert (await bob.send("CLTMSG", UN=10001, MG="bob is fine")).endswith(b"&RES=0&")
    clock.advance(10)
    assert (await alice.send("CLTMSG", UN=10002, MG="again")).endswith(b"&RES=0&")
    got = fields(await bob.send("GetMsgEx"))
    assert got["MN"] == "11" and "eleventh" not in got["MG"] and "still" not in got["MG"]


async def test_login_failures_are_throttled_per_number_and_per_address(
    live: QQServer, clock: FakeClock
) -> None:
    raw = Raw(live.url, 10001)
    for _ in range(5):
        assert b"&RS=1&" in await raw.login("bad")
    assert (await raw.login("pw")).endswith(b"&RES=3")  # even the right one, for now
    assert b"RES=0&RS=0" in await Raw(live.url, 10002).login()  # other numbers still fine
    clock.advance(301)
    assert b"RES=0&RS=0" in await raw.login("pw")
    # per address: 30 wrong passwords for 30 different numbers
    for uin in range(20000, 20030):
        await live.async_admin.create_account(uin, "pw")
        assert b"&RS=1&" in await Raw(live.url, uin, source="127.0.0.3").login("bad")
    await live.async_admin.create_account(10003, "pw")
    assert (await Raw(live.url, 10003, source="127.0.0.3").login("pw")).endswith(b"&RES=3")
    assert b"RES=0&RS=0" in await Raw(live.url, 10003).login("pw")


async def test_long_poll_wakes_when_a_message_arrives(make_server: MakeServer) -> None:
    srv = await make_server(clock=time.monotonic)
    await srv.async_admin.create_account(10001, "pw")
    await srv.async_admin.create_account(10002, "pw")
    alice, bob = Raw(srv.url, 10001), Raw(srv.url, 10002)
    login = await alice.login()
    assert b"&LP=55&" in login
    await bob.login()
    started = time.monotonic()
    poll = asyncio.create_task(bob.send("GetMsgEx", WT=30))
    await wait_until(lambda: polls(srv, 10002) == 1)
    assert not poll.done()
    await alice.send("CLTMSG", UN=10002, MG="wake up")
    body = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 5
    got = fields(body)
    assert got["MG"] == "wake up," and got["MI"].endswith(",") and got["TM"].endswith(",")
    assert list(got)[4:7] == ["RES", "MI", "TM"]
    # nothing arrives: the poll answers empty after min(WT, LP)
    started = time.monotonic()
    assert (await bob.send("GetMsgEx", WT=1)).endswith(b"&MN=0&MT=&UN=&MG=")
    assert 0.8 < time.monotonic() - started < 4


async def test_long_poll_is_capped_by_lp_and_woken_by_stop(make_server: MakeServer) -> None:
    srv = await make_server(clock=time.monotonic, long_poll=1)
    await srv.async_admin.create_account(10001, "pw")
    raw = Raw(srv.url, 10001)
    assert b"&LP=1&" in await raw.login()
    started = time.monotonic()
    await raw.send("GetMsgEx", WT=600)
    assert time.monotonic() - started < 4
    srv2 = await make_server(clock=time.monotonic)
    await srv2.async_admin.create_account(10001, "pw")
    raw2 = Raw(srv2.url, 10001)
    await raw2.login()
    poll = asyncio.create_task(raw2.send("GetMsgEx", WT=50))
    await wait_until(lambda: polls(srv2, 10001) == 1)
    started = time.monotonic()
    await srv2.stop()
    body = await asyncio.wait_for(poll, 5)  # answered, not cut off
    assert body.endswith(b"&MN=0&MT=&UN=&MG=")
    assert time.monotonic() - started < 3


async def test_acknowledged_delivery_keeps_messages_until_acked(alice: Raw, bob: Raw) -> None:
    for i in range(3):
        await alice.send("CLTMSG", UN=10002, MG=f"m{i}")
    first = fields(await bob.send("GetMsgEx", AK=0))
    assert first["MN"] == "3" and first["MG"] == "m0,m1,m2,"
    ids = [int(i) for i in first["MI"].split(",")[:-1]]
    assert ids == sorted(ids)
    again = fields(await bob.send("GetMsgEx", AK=0))  # not acked: delivered again
    assert again["MI"] == first["MI"]
    after = fields(await bob.send("GetMsgEx", AK=ids[1]))
    assert after["MG"] == "m2," and after["MI"] == f"{ids[2]},"
    assert fields(await bob.send("GetMsgEx", AK=ids[2]))["MN"] == "0"


async def test_an_acknowledgement_of_what_was_given_deletes_without_a_read(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    """Acknowledging a stored message the session was given queues its deletion with no
    read of the inbox; an acknowledgement of nothing new (the same AK again, after the
    deletion) still reads first and writes nothing."""
    store = live.store
    assert isinstance(store, SqliteStore)
    oldest_reads = 0
    queued = store.queued

    async def counted(recipient: int, limit: int, after: int = 0) -> Any:
        nonlocal oldest_reads
        oldest_reads += limit == 1 and after == 0
        return await queued(recipient, limit, after)

    store.queued = counted  # type: ignore[method-assign]
    await alice.send("CLTMSG", UN=10002, MG="m0")
    first = fields(await bob.send("GetMsgEx", AK=0))
    [given] = [int(i) for i in first["MI"].split(",")[:-1]]
    commits = store._writer.commits
    assert fields(await bob.send("GetMsgEx", AK=given))["MN"] == "0"
    assert oldest_reads == 0
    # the deletion committed and settled on the loop (the writer's count moves on its
    # own thread, before the loop hears of it: until then the AK is known and not read)
    messaging = live.service.messaging
    await wait_until(lambda: store._writer.commits > commits and 10002 not in messaging._acked)
    assert await queued(10002, 10) == []
    commits = store._writer.commits
    assert fields(await bob.send("GetMsgEx", AK=given))["MN"] == "0"
    assert oldest_reads == 1 and store._writer.commits == commits


async def test_at_most_fifty_messages_per_reply_oldest_first(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    await live.service.store.enqueue([text(10002, 10001, f"n{i}") for i in range(120)])
    seen: list[str] = []
    while True:
        got = fields(await bob.send("GetMsgEx"))
        if got["MN"] == "0":
            break
        assert int(got["MN"]) <= 50
        seen += got["MG"].split(",")[:-1]
    assert seen == [f"n{i}" for i in range(120)]


async def test_a_held_long_poll_keeps_the_session_alive(
    live: QQServer, alice: Raw, clock: FakeClock
) -> None:
    poll = asyncio.create_task(alice.send("GetMsgEx", WT=1, AK=0))
    await wait_until(lambda: polls(live, 10001) == 1)
    clock.advance(400)
    assert live.service.expire_idle() == 0
    assert (await asyncio.wait_for(poll, 5)).endswith(b"&MN=0&MT=&UN=&MG=")
    assert (await alice.send("List")).endswith(b"&RES=0&FN=1")


async def test_unknown_and_small_numbers_get_res_5(live: QQServer) -> None:
    for uin in (55555, 100, 9999):
        raw = Raw(live.url, uin)
        assert (await raw.send("List", TN=10)).endswith(b"&UIN=%d&RES=5" % uin)
        assert (await raw.send("GetMsgEx")).endswith(b"&RES=5")
        assert (await raw.send("Logout")).endswith(b"&RES=0")


async def test_session_replaced_while_polling_answers_res_20(make_server: MakeServer) -> None:
    srv = await make_server(clock=time.monotonic)
    await srv.async_admin.create_account(10001, "pw")
    here, there = Raw(srv.url, 10001), Raw(srv.url, 10001, source="127.0.0.2")
    await here.login()
    poll = asyncio.create_task(here.send("GetMsgEx", WT=30))
    await wait_until(lambda: polls(srv, 10001) == 1)
    await there.login()
    assert (await asyncio.wait_for(poll, 5)).endswith(b"&RES=20")


async def test_status_changes_and_messages_arrive_in_the_order_they_happened(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    await alice.send("GetMsgEx")
    await bob.send("CLTMSG", UN=10001, MG="before")
    await bob.send("Change_Stat", ST=30)
    await bob.send("CLTMSG", UN=10001, MG="after")
    await bob.send("Change_Stat", ST=10)
    assert (await alice.send("GetMsgEx")).endswith(
        b"&MN=4&MT=9,99,9,99,&UN=10002,10002,10002,10002,&MG=before,30,after,10,"
    )
    # with AK (our client): each entry has an id of its own, in that order, and an
    # acknowledged status change is not sent again
    await bob.send("Change_Stat", ST=30)
    await bob.send("CLTMSG", UN=10001, MG="m")
    first = fields(await alice.send("GetMsgEx", AK=0))
    assert (first["MT"], first["MG"]) == ("99,9,", "30,m,")
    ids = [int(i) for i in first["MI"].split(",")[:-1]]
    assert ids == sorted(set(ids))
    assert fields(await alice.send("GetMsgEx", AK=ids[0]))["MG"] == "m,"
    assert fields(await alice.send("GetMsgEx", AK=ids[1]))["MN"] == "0"


async def test_a_flood_of_status_changes_keeps_order_across_answers(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    """More changes than fit in one answer: they and the messages come in order."""
    await alice.send("GetMsgEx")
    await live.service.store.enqueue([text(10001, 10002, f"a{i}") for i in range(40)])
    sent: list[str] = [f"a{i}" for i in range(40)]
    for i in range(30):
        status = (30, 10)[i % 2]
        await bob.send("Change_Stat", ST=status)
        sent.append(str(status))
    await live.service.store.enqueue([text(10001, 10002, f"b{i}") for i in range(5)])
    sent += [f"b{i}" for i in range(5)]
    seen: list[str] = []
    while True:
        got = fields(await alice.send("GetMsgEx"))
        if got["MN"] == "0":
            break
        assert int(got["MN"]) <= 50
        seen += got["MG"].split(",")[:-1]
    assert seen == sent
