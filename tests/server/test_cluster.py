"""Several server nodes on one PostgreSQL database: wake-ups cross nodes (both families),
message ids follow commit order across nodes, a lost LISTEN connection loses no wake-up."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from qqdesk.core import Conversation, ConversationKind, parse_text
from qqdesk.server.cli import main as cli_main
from qqdesk.server.store import MessageKind, NewMessage
from qqdesk.server.store.postgres import PostgresStore
from tests.server.conftest import Raw, fields
from tests.server.smartqq_web import Web
from tests.support.servers import ROOT
from tests.support.wire import free_port, port_accepts

#: A held poll answers by itself after this long (the server's long_poll): a wake-up
#: that never crossed would show as an answer no sooner than this.
HOLD = 55
#: What a crossing wake-up must take at most (far below HOLD, far above a slow CI).
CROSSING = 20.0
SERVE = [sys.executable, "-m", "qqdesk.server", "serve"]


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
