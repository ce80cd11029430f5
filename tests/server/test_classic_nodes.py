"""Classic sessions on several nodes of one PostgreSQL database: the node a client talks
to holds its session (taken up and claimed from the node that signed it in) and ends it
there when it goes idle (in process); an account's classic session on one node and its
web session on another share the inbox as on one node (real processes)."""

from __future__ import annotations

import asyncio

from qqdesk.server import QQServer
from tests.server.conftest import Raw, fields, wait_until
from tests.server.smartqq_web import Web
from tests.server.test_cluster import HOLD, Node, nodes
from tests.server.test_smartqq_nodes import CROSSING, two_nodes

# (the fixtures: two servers on one database, in process or as processes)
__all__ = ["nodes", "two_nodes"]


async def taken_up_on_b(a: QQServer, b: QQServer) -> tuple[Raw, Raw]:
    """Alice signed in through A, then a request of her client through B: B takes her
    session up and holds it from then on; A keeps a copy, which it only forgets when
    idle (a client whose requests are spread over nodes is served on both)."""
    alice = Raw(a.url, 10001)
    assert b"&RES=0&" in await alice.login()
    alice_on_b = Raw(b.url, 10001)
    alice_on_b.cookie = alice.cookie
    assert (await alice_on_b.send("Query_Stat")).split(b"&")[4] == b"RES=0"
    await wait_until(lambda: not a.service.sessions[10001].home, timeout=CROSSING)
    return alice, alice_on_b


async def test_a_session_taken_up_on_another_node_ends_there_when_it_goes_idle(
    two_nodes: tuple[QQServer, QQServer],
) -> None:
    # On main the node that took the session up only forgot its copy when it went idle:
    # the session's row stayed (its client gone, every node showing Alice online) once
    # the node that signed her in had stopped hearing from her, or was gone.
    a, b = two_nodes
    bob = Raw(a.url, 10002)
    assert b"&RES=0&" in await bob.login()
    alice, _ = await taken_up_on_b(a, b)
    assert fields(await bob.send("GetMsgEx", WT=HOLD))["MG"] == "10,"  # Alice online
    assert b.service.sessions[10001].home
    held = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD))
    b.service.idle_timeout = 0.0  # (Alice has gone quiet: as if the timeout had passed)
    assert b.service.expire_idle() == 1
    async with asyncio.timeout(CROSSING):
        assert fields(await held)["MG"] == "20,"  # Bob, on A, sees her go offline
    assert b.service.shared is not None
    assert await b.service.shared.find_session(10001) is None
    # ... and A's copy goes with it: through A she is signed out
    await wait_until(lambda: 10001 not in a.service.sessions, timeout=CROSSING)
    assert (await alice.send("Query_Stat")).endswith(b"&RES=20")


async def test_a_client_back_on_the_node_it_left_is_held_there_again(
    two_nodes: tuple[QQServer, QQServer],
) -> None:
    # Else the node it left last would end the session when it heard nothing for the
    # idle time, while the client talks to the other node's copy.
    a, b = two_nodes
    alice, _ = await taken_up_on_b(a, b)
    assert (await alice.send("Query_Stat")).split(b"&")[4] == b"RES=0"  # back on A
    a.service.expire_idle()  # (the sweep: A's copy is in use, B holds the session)
    await wait_until(lambda: a.service.sessions[10001].home, timeout=CROSSING)
    await wait_until(lambda: not b.service.sessions[10001].home, timeout=CROSSING)
    b.service.idle_timeout = 0.0  # B hears nothing more of her: it forgets its copy
    assert b.service.expire_idle() == 1
    assert 10001 not in b.service.sessions
    assert b.service.shared is not None
    assert await b.service.shared.find_session(10001) is not None
    assert (await alice.send("Query_Stat")).split(b"&")[4] == b"RES=0"


async def test_a_web_session_on_b_gets_copies_while_the_classic_session_on_a_reads(
    nodes: tuple[Node, Node],
) -> None:
    # On main node B, which held no classic session of Alice's, let her web session
    # read the inbox too: what it acknowledged was deleted, and her classic client on A
    # never got it. (And a message committed on A was copied to web sessions on A only.)
    a, b = nodes
    alice = Raw(a.url, 10001)
    assert b"&RES=0&" in await alice.login()  # her classic session, on A, reads the inbox
    web = Web(url=b.url)
    await web.password_sign_in(10001, ack=True, plain_ids=True)
    bob, carol = Raw(a.url, 10002), Raw(b.url, 10003)
    assert b"&RES=0&" in await bob.login()
    assert b"&RES=0&" in await carol.login()
    acked = 0
    for sender, words in ((bob, "through A"), (carol, "through B")):
        held = asyncio.create_task(web.poll(ack=acked))
        assert (await sender.send("CLTMSG", UN=10001, MG=words)).endswith(b"&RES=0&")
        async with asyncio.timeout(CROSSING):
            [event] = (await held)["result"]
        assert event["poll_type"] == "message" and event["value"]["content"][1] == words
        acked = event["value"]["msg_id"]
    # the web session acknowledged the first (and the poll that did so has answered):
    # a copy's acknowledgement leaves the inbox to the classic session
    got = fields(await alice.send("GetMsgEx"))
    assert got["MG"] == "through A,through B,"
