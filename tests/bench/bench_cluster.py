"""Benchmark of qqdesk-server as one node on SQLite, one node on PostgreSQL and two nodes
on one PostgreSQL database, in one run.

Run it from the repository root (PostgreSQL's binaries installed; as root it runs the
throwaway cluster as the postgres user, like the tests)::

    .venv/bin/python tests/bench/bench_cluster.py [--seconds 2] [--clients 20] [--pairs 10]

Each node is a child process (this script with a hidden sub-command) on 127.0.0.1,
with the CLTMSG rate limit and the strangers' bound lifted as in bench_server.py.
It prints, per set-up:

* requests/s for bench_server.py's mix (Query_Stat, GetInfo LV3, CLTMSG), N clients
  (with two nodes, half on each, both at once);
* delivery latency p50/p99, CLTMSG -> GetMsgEx (WT=30) long poll: same-node
  (sender and receiver on one node) and, with two nodes, cross-node (sender on A,
  receiver's poll held on B: the wake-up goes through PostgreSQL's NOTIFY).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qqdesk.protocol.classic import (  # noqa: E402
    FetchMessagesRequest,
    MessagesReply,
    SendMessageRequest,
    decode_reply,
    encode_request,
)
from tests.bench.bench_server import (  # noqa: E402
    BUDDIES,
    FIRST_UIN,
    PASSWORD,
    SINK,
    Child,
    Connection,
    _announce,
    _login,
    _pct,
    _run_clients,
    _watch_parent,
)


class Node(Child):
    """A node child: this script's ``_node`` sub-command (Child runs bench_server.py's)."""

    def __init__(self, *args: str, workdir: Path, name: str) -> None:
        self.port_file = str(workdir / f"{name}.port")
        self.log = (workdir / f"{name}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "_node", *args, self.port_file],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            cwd=ROOT,
        )


async def _node(store_target: str, port_file: str, accounts: int, setup: bool) -> None:
    """One node; the first one on a store makes the accounts."""
    from qqdesk.server import QQServer
    from qqdesk.server.store import open_store

    store = await open_store(Path(store_target) if "://" not in store_target else store_target)
    server = QQServer(store, long_poll=55)
    server.service.limits.rate_limit = 10**9
    server.service.messaging.max_from_strangers = 0
    if setup:
        admin = server.async_admin
        await admin.create_account(SINK, PASSWORD, nick="sink")
        uins = [FIRST_UIN + i for i in range(accounts)]
        for uin in uins:
            await admin.create_account(uin, PASSWORD, nick=f"bench{uin}", face=uin % 300)
        for i, uin in enumerate(uins):
            for k in range(1, BUDDIES + 1):
                await admin.add_buddy(uin, uins[(i + k) % len(uins)])
    await server.start(host="127.0.0.1", port=0)
    stop = asyncio.Event()
    _watch_parent(stop)
    _announce(port_file, server.port)
    await stop.wait()
    await server.stop()


async def _delivery(send_port: int, recv_port: int, pairs: int, seconds: float) -> list[float]:
    """Latency from writing a CLTMSG on ``send_port`` to reading it from a GetMsgEx long
    poll held on ``recv_port`` (seconds); one message per pair every 50 ms."""
    senders = [FIRST_UIN + i for i in range(pairs)]
    receivers = [FIRST_UIN + pairs + i for i in range(pairs)]
    send_conns = [await Connection.open(send_port) for _ in range(pairs)]
    recv_conns = [await Connection.open(recv_port) for _ in range(pairs)]
    await asyncio.gather(*(_login(c, u) for c, u in zip(send_conns, senders, strict=True)))
    await asyncio.gather(*(_login(c, u) for c, u in zip(recv_conns, receivers, strict=True)))
    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    async def receive(conn: Connection, uin: int) -> None:
        ack: int | None = None
        while True:
            body = await conn.post(encode_request(FetchMessagesRequest(uin=uin, wait=30, ack=ack)))
            now = time.perf_counter()
            reply = decode_reply(body)
            if not isinstance(reply, MessagesReply):
                raise RuntimeError(f"GetMsgEx: {body!r}")
            for m in reply.messages:
                if m.text in sent_at:
                    latencies.append(now - sent_at.pop(m.text))
                if m.id is not None:
                    ack = m.id

    async def send(conn: Connection, uin: int, to: int) -> None:
        deadline = time.perf_counter() + seconds
        k = 0
        while time.perf_counter() < deadline:
            tag = f"{uin}:{k}"
            k += 1
            sent_at[tag] = time.perf_counter()
            request = SendMessageRequest(uin=uin, target=to, text=tag)
            reply = await conn.post(encode_request(request))
            if b"&RES=0" not in reply:
                raise RuntimeError(f"CLTMSG: {reply!r}")
            await asyncio.sleep(0.05)

    polls = [asyncio.create_task(receive(c, u)) for c, u in zip(recv_conns, receivers, strict=True)]
    await asyncio.sleep(0.2)  # every receiver's first poll is held (a benchmark, not a test)
    pairs_ = zip(send_conns, senders, receivers, strict=True)
    await asyncio.gather(*(send(c, s, r) for c, s, r in pairs_))
    give_up = time.perf_counter() + 10
    while sent_at and time.perf_counter() < give_up:
        await asyncio.sleep(0.01)
    for task in polls:
        task.cancel()
    await asyncio.gather(*polls, return_exceptions=True)
    if sent_at:
        print(f"  warning: {len(sent_at)} messages not received within 10 s")
    for c in send_conns + recv_conns:
        c.close()
    return latencies


def _ms(values: list[float]) -> str:
    return f"{_pct(values, 50) * 1e3:>8.2f} {_pct(values, 99) * 1e3:>8.2f} {len(values):>6}"


async def _measure(name: str, ports: list[int], args: argparse.Namespace) -> None:
    n = args.clients
    if len(ports) == 1:
        rate, tally = await _run_clients(ports[0], n, args.seconds, login=True)
        not_ok = tally.not_ok
    else:
        halves = await asyncio.gather(
            *(_run_clients(port, n // len(ports), args.seconds, login=True) for port in ports)
        )
        rate = sum(r for r, _ in halves)
        not_ok = sum(t.not_ok for _, t in halves)
    same = await _delivery(ports[0], ports[0], args.pairs, args.seconds)
    print(f"{name:<22} {rate:>9.0f} {not_ok:>6}   same-node {_ms(same)}")
    if len(ports) > 1:
        cross = await _delivery(ports[0], ports[1], args.pairs, args.seconds)
        print(f"{'':<22} {'':>9} {'':>6}  cross-node {_ms(cross)}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_node":
        _, _, target, accounts, setup, port_file = sys.argv
        asyncio.run(_node(target, port_file, int(accounts), setup == "1"))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each cell")
    parser.add_argument("--clients", type=int, default=20, help="clients of the mix")
    parser.add_argument("--pairs", type=int, default=10, help="sender/receiver pairs")
    args = parser.parse_args()
    from tests.support.postgres import Cluster, find_binaries

    binaries = find_binaries()
    if binaries is None:
        print("PostgreSQL's binaries (initdb, pg_ctl) are needed", file=sys.stderr)
        return 2
    accounts = str(max(args.clients, 2 * args.pairs, BUDDIES + 1))
    started = time.perf_counter()
    cluster = Cluster(binaries)
    try:
        cluster.start()
        print(
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average"
            f" {os.getloadavg()[0]:.1f}; {args.clients} clients, {args.pairs} pairs,"
            f" {args.seconds:.0f} s per cell; PostgreSQL with fsync on"
        )
        head = f"{'set-up':<22} {'req/s':>9} {'!RES=0':>6}   delivery "
        print(f"\n{head} {'p50 ms':>8} {'p99 ms':>8} {'msgs':>6}")
        with tempfile.TemporaryDirectory(prefix="qqdesk-bench-") as tmp:
            work = Path(tmp)
            setups = [
                ("1 node, SQLite", [str(work / "bench.sqlite3")]),
                ("1 node, PostgreSQL", [cluster.create_database()]),
            ]
            shared = cluster.create_database()
            setups.append(("2 nodes, PostgreSQL", [shared, shared]))
            for index, (name, targets) in enumerate(setups):
                children: list[Node] = []
                try:
                    ports = []
                    for i, target in enumerate(targets):
                        setup = "1" if i == 0 else "0"
                        child = Node(target, accounts, setup, workdir=work, name=f"n{index}_{i}")
                        children.append(child)
                        ports.append(child.wait_port(120))
                    asyncio.run(asyncio.wait_for(_measure(name, ports, args), timeout=120))
                finally:
                    for child in children:
                        child.stop()
    finally:
        cluster.destroy()
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
