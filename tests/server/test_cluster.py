"""Several server nodes on one PostgreSQL database: wake-ups cross nodes (both families),
message ids follow commit order across nodes, a lost LISTEN connection loses no wake-up,
HAProxy in TCP mode in front, and kill -9 of a node mid-conversation."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest

from qqdesk.core import Conversation, ConversationKind, parse_text
from qqdesk.protocol.classic import LOGIN_CODE
from qqdesk.protocol.smartqq import hash33
from qqdesk.server.cli import main as cli_main
from qqdesk.server.store import MessageKind, NewMessage, md5_hex
from qqdesk.server.store.postgres import PostgresStore
from tests.server.conftest import Raw, fields
from tests.server.smartqq_web import Web
from tests.support.servers import ROOT
from tests.support.wire import free_port, port_accepts, post, request_bytes, send_raw

#: A held poll answers by itself after this long (the server's long_poll): a wake-up
#: that never crossed would show as an answer no sooner than this.
HOLD = 55
#: What a crossing wake-up must take at most (far below HOLD, far above a slow CI).
CROSSING = 20.0
#: HAProxy connects to the nodes from this address, and the nodes read a PROXY header
#: (naming the client) from it only: the tests' clients on 127.0.0.1 reach them directly.
FRONT_DOOR_SOURCE = "127.0.0.9"
SERVE = [sys.executable, "-m", "qqdesk.server", "serve", "--proxy-from", FRONT_DOOR_SOURCE]


class Node:
    """``qqdesk-server serve --store URL`` as a child process on a loopback port."""

    def __init__(self, url: str, folder: Path, name: str) -> None:
        self.store_url = url
        self.port = free_port()
        self.log_path = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Node:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*SERVE, "--store", self.store_url, "--port", str(self.port)],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
            )
        deadline = time.monotonic() + 30
        while not port_accepts(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"node ended: {self.log_path.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"node did not listen on {self.port}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        """SIGKILL: nothing flushed, nothing closed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def accounts(url: str, *uins: int) -> None:
    for uin in uins:
        assert cli_main(["useradd", str(uin), "--password", "pw", "--store", url]) == 0


@pytest.fixture
def nodes(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """Two nodes on one fresh database, with accounts 10001..10003 (pw)."""
    accounts(postgres_url, 10001, 10002, 10003)
    a, b = Node(postgres_url, tmp_path, "a"), Node(postgres_url, tmp_path, "b")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


# -- message ids across nodes ------------------------------------------------------------


def text(recipient: int, sender: int, words: str) -> NewMessage:
    return NewMessage(
        recipient, sender, Conversation.buddy(sender), MessageKind.TEXT, parse_text(words)
    )


async def test_a_message_committed_later_on_another_node_has_a_higher_id(
    postgres_url: str,
) -> None:
    # Node A took its block of ids first, then B: with ids handed out from those
    # blocks, A's later message sorted before B's earlier one, and a client that
    # acknowledged B's message "up to its id" would never see A's.
    a = await PostgresStore.open(postgres_url)
    b = await PostgresStore.open(postgres_url)
    try:
        (first,) = await b.enqueue([text(10002, 10001, "first, through B")])
        (second,) = await a.enqueue([text(10002, 10003, "second, through A")])
        assert second > first
        await b.delete_upto(10002, first)  # the client acknowledged the first
        assert [m.id for m in await a.queued(10002, 10, after=first)] == [second]
        room = Conversation.group(
            (await b.create_room(ConversationKind.GROUP, "g", 10001, [10001, 10002])).number
        )
        said_first = await b.post(room, 10001, parse_text("one"))
        said_later = await a.post(room, 10002, parse_text("two"))
        assert said_later.id > said_first.id  # a room cursor at the first sees the second
        assert [m.id for m in await a.room_messages([room], said_first.id, 10)] == [said_later.id]
    finally:
        await a.aclose()
        await b.aclose()


# -- wake-ups across nodes ---------------------------------------------------------------


async def test_a_classic_message_through_node_a_wakes_a_poll_held_on_node_b(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    alice, bob = Raw(a.url, 10001), Raw(b.url, 10002)
    assert b"&RES=0&" in await alice.login()
    assert b"&RES=0&" in await bob.login()
    for n in range(3):
        held = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD))
        assert (await alice.send("CLTMSG", UN=10002, MG=f"across {n}")).endswith(b"&RES=0&")
        async with asyncio.timeout(CROSSING):
            got = fields(await held)
        assert (got["MN"], got["UN"], got["MG"]) == ("1", "10001,", f"across {n},")


async def test_a_web_poll_on_node_b_hears_buddy_and_group_messages_said_on_node_a(
    nodes: tuple[Node, Node], postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = nodes
    create = ["group", "create", "两个节点", "--owner", "10001", "--store", postgres_url]
    assert await asyncio.to_thread(cli_main, create) == 0
    number = int(capsys.readouterr().out.split()[0])
    add = ["group", "add", str(number), "10002", "--store", postgres_url]
    assert await asyncio.to_thread(cli_main, add) == 0
    alice = Web(url=a.url)
    await alice.password_sign_in(10001, ack=True, plain_ids=True)
    bob = Web(url=b.url)
    await bob.password_sign_in(10002, ack=True, plain_ids=True)
    # the buddy message (the inbox) and the group message (the room, read by cursor)
    held = asyncio.create_task(bob.poll(ack=0))
    assert (await alice.send_buddy(10002, "你好，B"))["retcode"] == 0
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["poll_type"] == "message" and event["value"]["content"][1] == "你好，B"
    acked = event["value"]["msg_id"]
    held = asyncio.create_task(bob.poll(ack=acked))
    reply = await alice.send("/channel/send_qun_msg2", "group_uin", number, "大家好")
    assert reply["retcode"] == 0
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["poll_type"] == "group_message" and event["value"]["content"][1] == "大家好"


async def test_a_lost_listen_connection_loses_no_wake_up(
    nodes: tuple[Node, Node], postgres_url: str
) -> None:
    a, b = nodes
    alice, bob = Raw(a.url, 10001), Raw(b.url, 10002)
    await alice.login()
    await bob.login()
    held = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD))
    # every node's LISTEN connection goes (as when the database restarts or a
    # firewall drops it); the message is committed while B may not be listening
    db = await asyncpg.connect(postgres_url)
    try:
        cut = await db.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'qqdesk-bus'"
        )
    finally:
        await db.close()
    assert cut == 2
    assert (await alice.send("CLTMSG", UN=10002, MG="while nobody listened")).endswith(b"&RES=0&")
    # B reconnects and wakes every poll it holds: the poll re-reads and finds it
    async with asyncio.timeout(CROSSING):
        got = fields(await held)
    assert got["MG"] == "while nobody listened,"
    # and B hears the next one through its new connection
    held = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD))
    assert (await alice.send("CLTMSG", UN=10002, MG="after")).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        assert fields(await held)["MG"] == "after,"


async def classic(url: str, uin: int, cmd: str, **values: object) -> dict[str, str]:
    """One classic request, sent again while the server answers 503 (not done: the
    store lost its connection), as a client does; the reply's fields."""
    parts = [f"VER=1.1&CMD={cmd}&SEQ=1&UIN={uin}"]
    parts += [f"{k}={quote(str(v), safe='')}" for k, v in values.items()]
    while True:
        status, _headers, body = await post(url, "&".join(parts).encode())
        if status != 503:
            assert status == 200
            return fields(body)
        await asyncio.sleep(0.05)  # (Retry-After says 30 s: a test need not wait so long)


async def terminate(postgres_url: str, application: str) -> int:
    """pg_terminate_backend of every connection named ``application``: how many."""
    db = await asyncpg.connect(postgres_url)
    try:
        return int(
            await db.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = $1",
                application,
            )
        )
    finally:
        await db.close()


async def test_killed_database_connections_lose_and_repeat_nothing_acknowledged(
    nodes: tuple[Node, Node], postgres_url: str
) -> None:
    """Four senders talk through A, Bob receives on B (acknowledged delivery); twice in
    the middle every node's store connections are killed (the writer's among them). A
    send answered 503 is not done and goes again with its client id (a batch whose
    COMMIT was cut may have been kept): each message reaches Bob exactly once, each
    sender's in order. (Four senders of six: one would meet the rate limit.)"""
    a, b = nodes
    senders = (10004, 10005, 10006, 10007)
    per_sender = 6
    await asyncio.to_thread(accounts, postgres_url, *senders)
    login = {"PS": md5_hex("pw"), "M5": 1, "LC": LOGIN_CODE}
    for url, uin in [(b.url, 10002), *((a.url, s) for s in senders)]:
        assert (await classic(url, uin, "Login", **login))["RES"] == "0"
    acknowledged: list[str] = []
    cuts = {8: asyncio.Event(), 16: asyncio.Event()}

    async def send(uin: int) -> None:
        for n in range(per_sender):
            words = f"{uin}-{n}"
            reply = await classic(a.url, uin, "CLTMSG", UN=10002, MG=words, CI=f"c{n}")
            assert reply["RES"] == "0", reply
            acknowledged.append(words)
            if len(acknowledged) in cuts:
                await cuts[len(acknowledged)].wait()  # (the cut comes mid-conversation)

    async def receive(count: int) -> list[str]:
        kept: list[str] = []
        last = 0
        while len(kept) < count:
            got = await classic(b.url, 10002, "GetMsgEx", WT=HOLD, AK=last)
            for kind, text, mid in zip(
                got["MT"].split(",")[:-1],
                got["MG"].split(",")[:-1],
                got["MI"].split(",")[:-1],
                strict=True,
            ):
                if kind == "9":
                    kept.append(text)
                last = max(last, int(mid))
        return kept

    sending = asyncio.gather(*(send(uin) for uin in senders))
    receiving = asyncio.ensure_future(receive(len(senders) * per_sender))
    async with asyncio.timeout(120):
        for at, cut in cuts.items():
            while len(acknowledged) < at:
                await asyncio.wait([sending], timeout=0.01)
                if sending.done():
                    sending.result()  # (a sender failed: say why)
            assert await terminate(postgres_url, PostgresStore.APPLICATION) >= 2  # both nodes
            cut.set()
        await sending
        kept = await receiving
    assert sorted(kept) == sorted(acknowledged)  # each exactly once
    assert len(set(kept)) == len(kept) == len(senders) * per_sender
    for uin in senders:  # and in order
        assert [w for w in kept if w.startswith(f"{uin}-")] == [
            f"{uin}-{n}" for n in range(per_sender)
        ]


# -- HAProxy in front (TCP mode), and kill -9 of the node a client talks to --------------


def haproxy_binary() -> str:
    """Debian's haproxy; skipped without it, except on CI (.ci/run installs it)."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        reason = "HAProxy is not installed (Debian's 'haproxy' package)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; on CI it must be (.ci/run installs it)")
        pytest.skip(reason)
    return found


def haproxy_config(port: int, backends: list[Node]) -> str:
    """docs/examples/haproxy.cfg on loopback ports (send-proxy-v2, from its own
    address), with quick health checks.

    ``balance first``: every client goes to the first node that is up (so the test
    knows which one to kill); production uses ``balance source`` (see the example)."""
    servers = "\n".join(
        f"    server n{i} 127.0.0.1:{node.port} source {FRONT_DOOR_SOURCE} send-proxy-v2"
        " check inter 200ms fall 1 rise 2"
        for i, node in enumerate(backends)
    )
    return f"""global
    maxconn 2000
defaults
    mode tcp
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch 1
frontend qqdesk
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance first
{servers}
"""


@pytest.fixture
def front_door(nodes: tuple[Node, Node], tmp_path: Path) -> Iterator[str]:
    """HAProxy in TCP mode in front of both nodes; its URL."""
    binary = haproxy_binary()
    port = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(port, list(nodes)))
    with (tmp_path / "haproxy.log").open("ab") as log:
        proxy = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not port_accepts(port):
            assert proxy.poll() is None, (tmp_path / "haproxy.log").read_text()
            assert time.monotonic() < deadline, "haproxy did not listen"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proxy.terminate()
        proxy.wait(10)


async def test_legacy_requests_pass_through_haproxy_in_tcp_mode(front_door: str) -> None:
    # the empty target ("POST  HTTP/1.1"), which HTTP-mode balancers refuse
    body = f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={md5_hex('pw')}&M5=1&LC={LOGIN_CODE}"
    sent = request_bytes(body.encode(), {"Connection": "close"}, target="")
    assert sent.startswith(b"POST  HTTP/1.1\r\n")
    reply = await send_raw(front_door, sent)
    assert reply.startswith(b"HTTP/1.1 200") and b"&RES=0&" in reply
    # HTTP/1.0 without a Host, as the oldest clients post
    alice = Raw(front_door, 10001)
    assert b"&RES=0&" in await alice.login()
    status, _, answer = await post(
        front_door,
        b"VER=1.1&CMD=GetMsgEx&SEQ=9&UIN=10001",
        {"Host": None},  # type: ignore[dict-item]
    )
    assert status == 200 and b"&RES=0&" in answer


async def test_behind_haproxy_every_client_keeps_its_own_address(front_door: str) -> None:
    # Without the PROXY header every client came from HAProxy's one address: the
    # guesser below was the owner's trusted (number, address) pair and locked the owner
    # out, and a stranger's request was served from the owner's session.
    owner = Raw(front_door, 10001)
    assert b"RES=0&RS=0" in await owner.login()
    for _ in range(5):
        guesser = Raw(front_door, 10001, source="127.0.0.2")
        assert b"&RS=1&" in await guesser.login("wrong")  # a wrong password
    assert (await Raw(front_door, 10001, source="127.0.0.2").login("pw")).endswith(b"&RES=3")
    assert b"RES=0&RS=0" in await Raw(front_door, 10001).login()  # the owner is not
    # the session is bound to the owner's address, not to the front door's
    stranger = Raw(front_door, 10001, source="127.0.0.3")
    assert (await stranger.send("GetMsgEx")).endswith(b"&RES=20")
    assert (await owner.send("GetMsgEx")).split(b"&")[4] == b"RES=0"


async def test_kill_9_of_a_node_mid_conversation_loses_and_repeats_nothing_acknowledged(
    nodes: tuple[Node, Node], front_door: str
) -> None:
    first, _ = nodes
    alice, bob = Raw(front_door, 10001), Raw(front_door, 10002)
    assert b"&RES=0&" in await alice.login()
    assert b"&RES=0&" in await bob.login()
    for n in range(6):  # RES=0: the server has them; each must reach Bob exactly once
        assert (await alice.send("CLTMSG", UN=10002, MG=f"m{n}")).endswith(b"&RES=0&")
    got = fields(await bob.send("GetMsgEx", AK=0))
    ids = [int(i) for i in got["MI"].split(",")[:-1]]
    kept = got["MG"].split(",")[:3]  # Bob's app keeps three, acknowledges them...
    assert kept == ["m0", "m1", "m2"]
    assert fields(await bob.send("GetMsgEx", AK=ids[2]))["MG"] == "m3,m4,m5,"
    first.kill()  # ... and the node dies before Bob acknowledged the rest
    # both sign in again through the front door, which sends them to the other node
    assert b"&RES=0&" in await bob.login()
    assert b"&RES=0&" in await alice.login()
    held = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD, AK=ids[2]))
    async with asyncio.timeout(CROSSING):
        again = fields(await held)
    after = [int(i) for i in again["MI"].split(",")[:-1]]
    kept += again["MG"].split(",")[:-1]
    assert kept == [f"m{n}" for n in range(6)]
    held = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD, AK=after[-1]))
    assert (await alice.send("CLTMSG", UN=10002, MG="m6")).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        kept += fields(await held)["MG"].split(",")[:-1]
    assert kept == [f"m{n}" for n in range(7)]  # each exactly once, in order


# -- sessions and presence every node sees ---------------------------------------------


async def test_a_classic_session_and_its_presence_are_seen_on_every_node(
    nodes: tuple[Node, Node], postgres_url: str
) -> None:
    a, b = nodes
    await asyncio.to_thread(cli_main, ["buddy", "add", "10003", "10001", "--store", postgres_url])
    carol = Raw(b.url, 10003)
    assert b"&RES=0&" in await carol.login()
    alice = Raw(a.url, 10001)
    assert b"&RES=0&" in await alice.login()
    # Alice signed in on A: Carol, on B, hears it and sees her online
    async with asyncio.timeout(CROSSING):
        got = fields(await carol.send("GetMsgEx", WT=HOLD))
    assert (got["MT"], got["UN"], got["MG"]) == ("99,", "10001,", "10,")
    assert (await carol.send("Query_Stat")).endswith(b"&RES=0&FN=1")  # one buddy online
    # Alice's next requests land on B (a connection per request, any node): her session
    held = asyncio.create_task(carol.send("GetMsgEx", WT=HOLD))
    alice_on_b = Raw(b.url, 10001)
    alice_on_b.cookie = alice.cookie
    assert (await alice_on_b.send("Change_Stat", ST=30)).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        got = fields(await held)
    assert (got["UN"], got["MG"]) == ("10001,", "30,")
    # ... and back on A, where a status change made there reaches Carol on B too
    held = asyncio.create_task(carol.send("GetMsgEx", WT=HOLD))
    assert (await alice.send("Change_Stat", ST=10)).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        assert fields(await held)["MG"] == "10,"
    # signing out on B ends the session on every node
    held = asyncio.create_task(carol.send("GetMsgEx", WT=HOLD))
    await alice_on_b.send("Logout")
    async with asyncio.timeout(CROSSING):
        assert fields(await held)["MG"] == "20,"
    # (on A once the sign-out's NOTIFY is there: the Logout answer does not wait for it)
    async with asyncio.timeout(CROSSING):
        while not (await alice.send("Query_Stat")).endswith(b"&RES=20"):
            await asyncio.sleep(0.01)


# -- web sessions every node sees ----------------------------------------------------------


async def online_buddies(web: Web) -> dict[str, object]:
    """A call named by psessionid (a node that does not hold the session takes it up)."""
    params = {"psessionid": web.psessionid, "vfwebqq": web.vfwebqq, "clientid": 53999199}
    return await web.json("GET", "/channel/get_online_buddies2", params)


async def test_a_web_session_signed_in_through_a_goes_on_through_b_and_back(
    nodes: tuple[Node, Node], postgres_url: str
) -> None:
    a, b = nodes
    await asyncio.to_thread(cli_main, ["buddy", "add", "10001", "10002", "--store", postgres_url])
    await asyncio.to_thread(cli_main, ["buddy", "add", "10002", "10001", "--store", postgres_url])
    web = Web(url=a.url)
    await web.password_sign_in(10001)  # a historical client: opaque ids, no acks
    seen_on_a = (await web.friends())["result"]["info"]
    # the next request lands on B: B takes the session up (by vfwebqq here), with the
    # same opaque ids (A lets go: see test_smartqq_nodes.py)
    web.url = b.url
    assert (await web.friends())["result"]["info"] == seen_on_a
    [bob_id] = [int(i["uin"]) for i in seen_on_a]
    assert bob_id != 10002
    # a classic user says something through A: the poll held on B gets it
    bob = Raw(a.url, 10002)
    assert b"&RES=0&" in await bob.login()
    held = asyncio.create_task(web.poll())
    assert (await bob.send("CLTMSG", UN=10001, MG="through A")).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["poll_type"] == "message" and event["value"]["from_uin"] == bob_id
    assert event["value"]["content"][1] == "through A"
    # the reverse: the web client sends through B, Bob's poll held on A gets it
    held_classic = asyncio.create_task(bob.send("GetMsgEx", WT=HOLD))
    assert (await web.send_buddy(bob_id, "through B"))["retcode"] == 0
    async with asyncio.timeout(CROSSING):
        got = fields(await held_classic)
    assert (got["UN"], got["MG"]) == ("10001,", "through B,")
    # back to A: it takes the session up again where B left it (nothing given twice)
    web.url = a.url
    held = asyncio.create_task(web.poll())
    assert (await bob.send("CLTMSG", UN=10001, MG="A again")).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["value"]["content"][1] == "A again"
    assert (await online_buddies(web))["retcode"] == 0
    # signing out through B ends it everywhere (A once the sign-out's NOTIFY is there)
    web.url = b.url
    reply = await web.json("GET", "/channel/logout2", {"psessionid": web.psessionid})
    assert reply["retcode"] == 0
    web.url = a.url
    async with asyncio.timeout(CROSSING):
        while (await online_buddies(web))["retcode"] != 103:
            await asyncio.sleep(0.01)
    web.url = b.url
    assert (await web.poll())["retcode"] == 103


async def test_a_web_sign_in_through_a_kicks_the_session_held_on_b(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    old = Web(url=a.url)
    await old.password_sign_in(10001, events=["kick"], ack=True, plain_ids=True)
    old.url = b.url
    assert (await online_buddies(old))["retcode"] == 0  # B holds it now
    held = asyncio.create_task(old.poll(ack=0))
    # (the password extension: a QR would first bring the old session its notice)
    await Web(url=a.url).password_sign_in(10001)
    async with asyncio.timeout(CROSSING):
        reply = await held
    assert reply["result"][0]["poll_type"] == "kick_message"
    assert (await old.poll(ack=0))["retcode"] == 121
    old.url = a.url
    assert (await old.poll(ack=0))["retcode"] == 121  # (A never held it: from the store)


async def test_a_qr_sign_in_approved_on_a_finishes_through_b(
    nodes: tuple[Node, Node], postgres_url: str
) -> None:
    a, b = nodes
    web = Web(url=a.url)
    await web.qr_show()
    token = hash33(web.cookies["qrsig"])
    store = await PostgresStore.open(postgres_url)
    try:
        row = await store.web_login(token)
        assert row is not None
        assert await store.decide_web_login(row.code, 10001)
    finally:
        await store.aclose()
    web.url = b.url
    await web.finish(await web.qr_login())  # ptqrlogin and check_sig through B
    web.url = a.url
    assert (await web.login2())["retcode"] == 0  # getvfwebqq and login2 through A
    web.url = b.url
    assert (await online_buddies(web))["retcode"] == 0


async def test_a_web_client_goes_on_through_b_after_kill_9_of_the_node_it_signed_in_on(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    web = Web(url=a.url)
    await web.password_sign_in(10001, ack=True, plain_ids=True)
    bob = Raw(b.url, 10002)
    assert b"&RES=0&" in await bob.login()
    assert (await bob.send("CLTMSG", UN=10001, MG="before")).endswith(b"&RES=0&")
    [event] = (await web.poll(ack=0))["result"]
    assert event["value"]["content"][1] == "before"
    a.kill()  # before the client acknowledged it
    web.url = b.url
    got = (await web.poll(ack=0))["result"]  # (taken up on B: nothing acknowledged yet)
    assert [e["value"]["content"][1] for e in got] == ["before"]
    held = asyncio.create_task(web.poll(ack=got[-1]["value"]["msg_id"]))
    assert (await bob.send("CLTMSG", UN=10001, MG="after")).endswith(b"&RES=0&")
    async with asyncio.timeout(CROSSING):
        [event] = (await held)["result"]
    assert event["value"]["content"][1] == "after"
