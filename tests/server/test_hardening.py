"""Issue 12: no user can starve, flood or impersonate another, and nothing is lost or
doubled; each against the real server on loopback."""

from __future__ import annotations

from qqdesk.core import AuthMode
from qqdesk.server import QQServer
from qqdesk.server.service import MAX_REASON

from .conftest import FakeClock, MakeServer, Raw, fields

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
    reply = await alice.send("Ack_AddToList", UN=30001, CD=2, RS="理" * 6000)
    assert reply.endswith(b"&RES=0&")
    assert await live.store.open_request(10001, 30001) == "理" * MAX_REASON
    careful = Raw(live.url, 30001)
    await careful.login()
    assert fields(await careful.send("GetMsgEx"))["MG"] == "理" * MAX_REASON + ","
    # the answer's reason too
    await careful.send("Ack_AddToList", UN=10001, CD=1, RS="不" * 5000)
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
    # once read, strangers may write again
    assert (await eve.send("CLTMSG", UN=10004, MG="four")).endswith(b"&RES=0&")
