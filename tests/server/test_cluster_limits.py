"""The limits hold across nodes on one PostgreSQL database (real processes): the login
throttle per number, the rate limit per account and the RES=3 penalty count what every
node saw, and a trusted (number, address) pair is trusted everywhere."""

from __future__ import annotations

import asyncio
import json

import asyncpg

from qqdesk.server.bus import CHANNEL, WakeUp, decode, encode
from qqdesk.server.bus.wakeup import MAX_PAYLOAD
from qqdesk.server.service.limits import (
    LOGIN_FAILURES_PER_UIN,
    PENALTY,
    RATE_LIMIT,
    RATE_WINDOW,
    Action,
    Limits,
)
from qqdesk.server.store.postgres import PostgresStore
from tests.server.conftest import FakeClock, Raw, fields
from tests.server.test_cluster import CROSSING, HOLD, Node, accounts, nodes, text

__all__ = ["nodes"]  # (the fixture: two nodes on one fresh database)


def pair(clock: FakeClock) -> tuple[Limits, Limits]:
    """Two nodes' limits, each hearing what the other tells (as the bus would)."""
    a, b = Limits(clock), Limits(clock)
    a.tell = lambda event: b.heard(decode(encode("a", WakeUp(limits=(event,))))[1].limits)
    b.tell = lambda event: a.heard(decode(encode("b", WakeUp(limits=(event,))))[1].limits)
    return a, b


def test_two_nodes_limits_count_what_either_saw() -> None:
    clock = FakeClock()
    a, b = pair(clock)
    for n in range(RATE_LIMIT):
        (a, b)[n % 2].sent(10001)
    assert not b.may_send(10001)  # ... and the refusal's penalty holds on A too
    clock.advance(RATE_WINDOW + 1)
    assert a.penalized(10001, Action.SEND_MESSAGE) and b.may_send(10001)
    clock.advance(PENALTY)
    assert not a.penalized(10001, Action.SEND_MESSAGE)
    # sign-ins: the owner's pair is trusted on both; attempts taken back on both
    a.login_succeeded(10001, "10.0.0.1", a.login_started(10001, "10.0.0.1"))
    b.login_abandoned(b.login_started(10001, "10.0.0.2"))
    for n in range(LOGIN_FAILURES_PER_UIN - 1):
        (a, b)[n % 2].login_failed(10001, "10.0.0.2")
        (a, b)[n % 2].login_started(10001, "10.0.0.2")
    assert not a.login_blocked(10001, "10.0.0.3") and not b.login_blocked(10001, "10.0.0.3")
    b.login_started(10001, "10.0.0.2")  # the fifth, in flight: counted on A at once
    assert a.login_blocked(10001, "10.0.0.3") and b.login_blocked(10001, "10.0.0.2")
    assert not a.login_blocked(10001, "10.0.0.1") and not b.login_blocked(10001, "10.0.0.1")
    a.prune()
    b.prune()
    assert b.login_blocked(10001, "10.0.0.2")


def test_an_event_a_node_cannot_read_is_skipped() -> None:
    limits = Limits(FakeClock())
    limits.heard([("s", "not a number", "m"), ("s", 10001, "?"), ("?",), ("x", 10001, "r")])
    assert limits.penalized(10001, Action.ANSWER_REQUEST)


def test_counts_too_many_for_one_notify_give_way_to_the_wake_up() -> None:
    many = tuple(("s", 10001 + n, "m") for n in range(MAX_PAYLOAD // 10))
    wake = WakeUp(accounts=frozenset({10002}), limits=many)
    assert decode(encode("n1", wake)) == ("n1", WakeUp(accounts=frozenset({10002})))
    few = WakeUp(accounts=frozenset({10002}), limits=many[:3])
    assert decode(encode("n1", few)) == ("n1", few)


async def test_news_rides_on_the_notify_of_the_batch_being_written(postgres_url: str) -> None:
    store = await PostgresStore.open(postgres_url)
    listener = await asyncpg.connect(postgres_url)
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(CHANNEL, lambda *args: heard.put_nowait(str(args[3])))
    try:
        await asyncio.to_thread(accounts, postgres_url, 10001, 10002)
        commits = store.commits
        told = store.tell(WakeUp(limits=(("s", 10001, "m"),)))
        await store.enqueue([text(10002, 10001, "hi")])
        await told
        assert store.commits == commits + 1  # one transaction, one NOTIFY for both
        body = json.loads(await asyncio.wait_for(heard.get(), CROSSING))
        assert (body["a"], body["l"]) == ([10002], [["s", 10001, "m"]])
        await store.tell(WakeUp(limits=(("x", 10001, "m"),)))  # nothing written: alone
        assert store.commits == commits + 1
        body = json.loads(await asyncio.wait_for(heard.get(), CROSSING))
        assert "a" not in body and body["l"] == [["x", 10001, "m"]]
        assert heard.empty()
    finally:
        await listener.close()
        await store.aclose()


async def crossed(sender: Raw, receiver: Raw, words: str) -> None:
    """``sender`` (on one node) says ``words`` to ``receiver`` (polling on the other) and
    the poll hears it. Every node's news committed before it has then been heard by the
    receiver's node too (NOTIFYs arrive in commit order): the tests' one wait for the
    NOTIFY's delivery, which the documentation calls milliseconds."""
    held = asyncio.create_task(receiver.send("GetMsgEx", WT=HOLD))
    assert (await sender.send("CLTMSG", UN=receiver.uin, MG=words)).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        assert fields(await held)["MG"] == f"{words},"


async def signed_in_on_both(a: Node, b: Node) -> tuple[Raw, Raw]:
    """Alice signed in through A, and her client's requests through A and through B
    (a connection per request: any node takes her session up)."""
    alice = Raw(a.url, 10001)
    assert b"&RES=0&" in await alice.login()
    alice_on_b = Raw(b.url, 10001)
    alice_on_b.cookie = alice.cookie
    return alice, alice_on_b


def guesser(node: Node) -> Raw:
    return Raw(node.url, 10001, source="127.0.0.2")


async def test_wrong_passwords_spread_over_two_nodes_lock_the_number_on_both(
    nodes: tuple[Node, Node],
) -> None:
    # On main each node counted only the guesses it saw: three on A, two on B, and the
    # guesser went on (N nodes, N x 5 guesses per number).
    a, b = nodes
    assert b"RES=0&RS=0" in await Raw(a.url, 10001).login()  # the owner, on A
    for n in range(5):
        assert b"&RS=1&" in await guesser((a, b)[n % 2]).login("wrong")
    carol, bob = Raw(a.url, 10003), Raw(b.url, 10002)
    assert b"&RES=0&" in await carol.login()
    assert b"&RES=0&" in await bob.login()
    await crossed(carol, bob, "A's news is on B")
    await crossed(bob, carol, "B's news is on A")
    for node in (a, b):
        assert (await guesser(node).login("pw")).endswith(b"&RES=3")  # even the right one
        assert (await Raw(node.url, 10001, source="127.0.0.3").login()).endswith(b"&RES=3")
    # the owner's address signed in on A: trusted on B too, so not locked out there
    assert b"RES=0&RS=0" in await Raw(b.url, 10001).login()
    assert b"RES=0&RS=0" in await Raw(a.url, 10001).login()


async def test_one_account_sending_through_two_nodes_hits_the_one_rate_limit(
    nodes: tuple[Node, Node],
) -> None:
    # On main each node allowed ten messages in ten seconds: twenty through two nodes.
    a, b = nodes
    alice, alice_on_b = await signed_in_on_both(a, b)
    bob, carol = Raw(b.url, 10002), Raw(a.url, 10003)
    assert b"&RES=0&" in await bob.login()
    assert b"&RES=0&" in await carol.login()
    for n in range(5):  # ten messages, half through each node, each heard on the other
        await crossed(alice, bob, f"through A {n}")
        await crossed(alice_on_b, carol, f"through B {n}")
    for sender in (alice, alice_on_b):
        assert (await sender.send("CLTMSG", UN=10002, MG="one more")).endswith(b"&RES=3")


async def test_a_penalty_earned_on_one_node_holds_on_the_other(nodes: tuple[Node, Node]) -> None:
    # On main a penalty held only on the node that gave it.
    a, b = nodes
    alice, alice_on_b = await signed_in_on_both(a, b)
    bob = Raw(b.url, 10002)
    assert b"&RES=0&" in await bob.login()
    # an answer code no client sends: RES=3 and a penalty for answers (counted nowhere)
    assert (await alice.send("Ack_AddToList", UN=10003, CD=7, RS="")).endswith(b"&RES=3")
    await crossed(alice, bob, "A's news is on B")
    assert (await alice_on_b.send("Ack_AddToList", UN=10003, CD=2, RS="hi")).endswith(b"&RES=3")
    # (messages are another action: not penalized)
    assert (await alice_on_b.send("CLTMSG", UN=10002, MG="still")).endswith(b"&RES=0&")
