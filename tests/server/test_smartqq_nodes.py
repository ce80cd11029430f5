"""The Smart QQ web channel on several nodes of one PostgreSQL database, in process (two
servers, two stores, two buses): tickets, web sessions and the opaque ids' key live in
the store, a node takes a web session up and the one that held it lets go. (The same
with real processes: test_cluster.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from qqdesk.server import QQServer
from qqdesk.server.bus.wakeup import WakeUp, decode, encode
from qqdesk.server.store.interface import TicketRecord, WebSessionRecord
from qqdesk.server.store.postgres import KICKED_AGE, TICKET_AGE, PostgresStore
from tests.server.conftest import FAST_SCRYPT, Raw, fields, wait_until
from tests.server.smartqq_web import Web

#: A wake-up crossing nodes takes at most this (far above a slow CI).
CROSSING = 20.0


def record(token: str, uin: int = 10001, node: str = "n1") -> WebSessionRecord:
    return WebSessionRecord(
        token, uin, "127.0.0.1", "vf-" + token, "{}", 0, 0, "online", False, node
    )


def test_a_wake_up_names_web_sessions_and_profiles_that_changed_elsewhere() -> None:
    wake = WakeUp(
        accounts=frozenset({10002}), web=frozenset({10001, 10003}), profiles=frozenset({10004})
    )
    assert decode(encode("n1", wake)) == ("n1", wake)
    assert WakeUp(web=frozenset({1}))
    assert WakeUp().merged(WakeUp(web=frozenset({1}))).web == {1}


async def test_web_sessions_and_tickets_in_the_store(postgres_url: str) -> None:
    store = await PostgresStore.open(postgres_url)
    other = await PostgresStore.open(postgres_url)
    try:
        # one key for every node, made once
        assert await store.web_id_key() == await other.web_id_key()
        assert len(await store.web_id_key()) == 32
        await store.keep_ticket(TicketRecord(10001, "@abc", "p" * 64, "t" * 48, "vf-one"))
        found = await other.find_ticket(skey="@abc")
        assert found == TicketRecord(10001, "@abc", "p" * 64, "t" * 48, "vf-one")
        assert await other.find_ticket(token="t" * 48) == found
        assert await other.find_ticket(vfwebqq="vf-one") == found
        await store.sign_ticket("vf-one", "sig")
        assert await other.find_ticket(signature="sig") == found
        assert await other.find_ticket(signature="sig") is None  # used up
        await other.drop_ticket("vf-one")
        assert await store.find_ticket(skey="@abc") is None
        # a second session of the account kicks the first
        await store.keep_web_session(record("one"))
        await other.keep_web_session(record("two", node="n2"))
        kicked = await store.find_web_session(token="one")
        assert kicked is not None and kicked.kicked
        live = await store.find_web_session(uin=10001)
        assert live is not None and live.token == "two" and live.node == "n2"
        await store.claim_web_session("two", "n1")
        await store.update_web_session("two", 41, 40, "busy")
        await store.update_web_session("two", 30, 30, "busy")  # (never moves back)
        live = await other.find_web_session(token="two")
        assert live is not None
        assert (live.node, live.floor, live.room_cursor, live.presence) == ("n1", 41, 40, "busy")
        # an expiry on a node that no longer holds it leaves it; a sign-out ends it
        await other.drop_web_session("two", "n2")
        assert await store.find_web_session(uin=10001) is not None
        await other.drop_web_session("two")
        assert await store.find_web_session(uin=10001) is None
    finally:
        await store.aclose()
        await other.aclose()


@pytest.fixture
async def two_nodes(postgres_url: str) -> AsyncIterator[tuple[QQServer, QQServer]]:
    """Two servers on one database (10001 Alice and 10002 Bob, buddies; password pw)."""
    servers: list[QQServer] = []
    try:
        for _ in range(2):
            server = QQServer(await PostgresStore.open(postgres_url), scrypt_n=FAST_SCRYPT)
            await server.start("127.0.0.1", 0)
            servers.append(server)
        admin = servers[0].async_admin
        await admin.create_account(10001, "pw", nick="Alice")
        await admin.create_account(10002, "pw", nick="Bob")
        await admin.add_buddy(10001, 10002)
        await admin.add_buddy(10002, 10001)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            await server.stop()


async def online_buddies(web: Web) -> dict[str, object]:
    params = {"psessionid": web.psessionid, "vfwebqq": web.vfwebqq, "clientid": 53999199}
    return await web.json("GET", "/channel/get_online_buddies2", params)


async def test_the_node_that_held_a_web_session_lets_go_when_another_takes_it_up(
    two_nodes: tuple[QQServer, QQServer],
) -> None:
    a, b = two_nodes
    web = Web(url=a.url)
    await web.password_sign_in(10001)
    held = asyncio.create_task(web.poll())
    await wait_until(lambda: a.service.web_sessions[10001].polls == 1)
    web.url = b.url
    assert (await online_buddies(web))["retcode"] == 0
    taken = b.service.web_sessions[10001]
    assert taken.token == web.psessionid and not taken.home
    # A lets go: its held poll answers empty at once (the client goes on through B)
    async with asyncio.timeout(CROSSING):
        assert await held == {"retcode": 0, "errmsg": "error!!!"}
    assert 10001 not in a.service.web_sessions
    # back through A: taken up again there, and B lets go
    web.url = a.url
    assert (await online_buddies(web))["retcode"] == 0
    await wait_until(lambda: 10001 not in b.service.web_sessions, timeout=CROSSING)
    # signing out through B ends it on A
    web.url = b.url
    reply = await web.json("GET", "/channel/logout2", {"psessionid": web.psessionid})
    assert reply["retcode"] == 0
    await wait_until(lambda: 10001 not in a.service.web_sessions, timeout=CROSSING)
    web.url = a.url
    assert (await online_buddies(web))["retcode"] == 103


async def test_a_nickname_set_on_one_node_reaches_the_sessions_on_the_other(
    two_nodes: tuple[QQServer, QQServer],
) -> None:
    a, b = two_nodes
    alice = Raw(a.url, 10001)
    assert b"&RES=0&" in await alice.login()
    await Web(url=b.url).password_sign_in(10001)  # Alice's web session lives on B
    bob = Raw(b.url, 10002)
    assert b"&RES=0&" in await bob.login()
    assert (await alice.send("SetInfo", NK="Alicia", FC=33)).endswith(b"&RES=0")
    await wait_until(lambda: b.service.web_sessions[10001].nick == "Alicia", timeout=CROSSING)
    online = fields(await bob.send("Query_Stat", TN=10, UN=0))
    assert (online["NK"], online["FC"]) == ("Alicia,", "33,")


async def test_old_tickets_and_kicked_sessions_are_pruned(postgres_url: str) -> None:
    store = await PostgresStore.open(postgres_url)
    now = [1_000_000.0]
    store.clock = lambda: now[0]
    try:
        await store.keep_ticket(TicketRecord(10001, "@gone", "p", "t-gone", "vf-gone"))
        await store.keep_ticket(TicketRecord(10002, "@used", "p", "t-used", "vf-two"))
        await store.keep_web_session(record("two", uin=10002))  # (its ticket is vf-two)
        await store.keep_web_session(record("old"))
        await store.keep_web_session(record("new"))  # kicks "old"
        now[0] += TICKET_AGE + 1
        await store.keep_ticket(TicketRecord(10003, "@fresh", "p", "t-fresh", "vf-fresh"))
        assert await store.find_ticket(vfwebqq="vf-gone") is None  # no session left
        assert await store.find_ticket(vfwebqq="vf-two") is not None  # a live session's
        assert await store.find_web_session(token="old") is not None  # (121 a while)
        await store.keep_web_session(record("newer"))
        assert await store.find_web_session(token="old") is None
        kicked = await store.find_web_session(token="new")
        assert kicked is not None and kicked.kicked  # (kicked just now: kept a day from now)
        now[0] += KICKED_AGE - 1
        await store.keep_web_session(record("newest"))
        assert await store.find_web_session(token="new") is not None
        now[0] += 2
        await store.keep_web_session(record("last"))
        assert await store.find_web_session(token="new") is None
    finally:
        await store.aclose()


async def test_a_group_message_said_on_a_reaches_a_web_session_taken_up_on_b(
    two_nodes: tuple[QQServer, QQServer],
) -> None:
    a, b = two_nodes
    room = await a.service.rooms.create_group(10001, "两个节点", [10002])
    number = room.conversation.number
    alice = Web(url=a.url)
    await alice.password_sign_in(10001, ack=True, plain_ids=True)
    bob = Web(url=a.url)
    await bob.password_sign_in(10002, ack=True, plain_ids=True)
    assert (await bob.send("/channel/send_qun_msg2", "group_uin", number, "一"))["retcode"] == 0
    [first] = (await alice.poll(ack=0))["result"]
    alice.url = b.url  # B takes the session up where A left it (nothing acknowledged yet)
    [again] = (await alice.poll(ack=0))["result"]
    assert again["value"]["msg_id"] == first["value"]["msg_id"]
    held = asyncio.create_task(alice.poll(ack=again["value"]["msg_id"]))
    await wait_until(lambda: b.service.web_sessions[10001].polls == 1)
    assert (await bob.send("/channel/send_qun_msg2", "group_uin", number, "二"))["retcode"] == 0
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["poll_type"] == "group_message" and event["value"]["content"][1] == "二"


async def test_a_qr_sign_in_started_on_a_is_told_to_web_sessions_on_b(
    two_nodes: tuple[QQServer, QQServer],
) -> None:
    a, b = two_nodes
    alice = Web(url=b.url)
    await alice.password_sign_in(10001, ack=True, events=["web_login"])
    held = asyncio.create_task(alice.poll(ack=0))
    await wait_until(lambda: b.service.web_sessions[10001].polls == 1)
    newcomer = Web(a)
    await newcomer.qr_show()
    code = await newcomer.pending_code()
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["poll_type"] == "qqdesk_web_login" and event["value"]["code"] == code
    # a second one: told that one only (the first was told already)
    held = asyncio.create_task(alice.poll(ack=event["value"]["msg_id"]))
    second = Web(a)
    await second.qr_show()
    code = await second.pending_code()
    async with asyncio.timeout(CROSSING):
        events = (await held)["result"]
    assert [e["value"]["code"] for e in events] == [code]
