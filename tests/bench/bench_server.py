"""Benchmark of the qqdesk server against a bare asyncio "hello" HTTP server.

Run it from the repository root::

    .venv/bin/python tests/bench/bench_server.py [--seconds 3] [--clients 1,10,50] [--reads loop]

Both servers run in their own child process on 127.0.0.1; the load generator
(raw asyncio sockets, HTTP/1.1 keep-alive, one connection per client) runs in
this process. It prints two tables:

* throughput: requests/s for a mix of Query_Stat, GetInfo (LV 3) and CLTMSG,
  one logged-in account per client, N clients at once; the same request bodies
  posted to the hello server are the baseline;
* delivery latency: N sender/receiver pairs; each receiver holds a GetMsgEx
  long poll (WT=30); the time from writing a CLTMSG to reading the message in
  a GetMsgEx reply, p50/p99. The baseline is the round trip of one request to
  the hello server under the same number of concurrent clients.

The server's CLTMSG rate limit (10 messages in 10 s per account) and its bound on
messages waiting from strangers are lifted in
the benchmark's server process, so that CLTMSG stores and delivers messages
instead of answering RES=3. Everything is bounded: a few seconds per cell, the
whole run well under two minutes; the children are stopped at the end, and
stop by themselves if this process goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qqdesk.protocol.classic import (  # noqa: E402
    FetchMessagesRequest,
    LoginRequest,
    MessagesReply,
    OnlineBuddiesRequest,
    ProfileRequest,
    SendMessageRequest,
    decode_reply,
    encode_request,
)

HOST = "127.0.0.1"
PASSWORD = "bench-password"
FIRST_UIN = 200000
BUDDIES = 20  # each account's buddy list
SINK = FIRST_UIN - 1  # receives the throughput phase's CLTMSGs
ROUNDS = 3  # throughput rounds per cell and server
#: Where the server child reads its store ("loop" or "thread"; see --reads).
READS_ENV = "QQDESK_BENCH_READS"


# --------------------------------------------------------------------------
# Child processes: the real server, and the bare baseline
# --------------------------------------------------------------------------


def _watch_parent(stop: asyncio.Event) -> None:
    """End the child when its parent has gone (no orphans if the bench crashes)."""
    parent = os.getppid()
    loop = asyncio.get_running_loop()

    def check() -> None:
        if os.getppid() != parent:
            stop.set()
        else:
            loop.call_later(1.0, check)

    loop.call_later(1.0, check)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


def _announce(port_file: str, port: int) -> None:
    tmp = port_file + ".tmp"
    Path(tmp).write_text(str(port))
    os.replace(tmp, port_file)


async def _serve_qq(db: str, port_file: str, accounts: int) -> None:
    from qqdesk.server import QQServer, SqliteStore

    on_loop = os.environ.get(READS_ENV, "loop") == "loop"
    server = QQServer(SqliteStore(db, reads_on_loop=on_loop), long_poll=55)
    server.service.limits.rate_limit = 10**9  # see the module docstring
    # The mix's CLTMSG goes to a sink nobody reads: past the strangers' bound it would
    # be refused, so the bound is lifted like the rate limit.
    server.service.messaging.max_from_strangers = 0  # 0: no bound
    await server.start(host=HOST, port=0)
    admin = server.async_admin
    await admin.create_account(SINK, PASSWORD, nick="sink")
    uins = [FIRST_UIN + i for i in range(accounts)]
    for uin in uins:
        await admin.create_account(uin, PASSWORD, nick=f"bench{uin}", face=uin % 300)
    for i, uin in enumerate(uins):
        for k in range(1, BUDDIES + 1):
            await admin.add_buddy(uin, uins[(i + k) % len(uins)])
    stop = asyncio.Event()
    _watch_parent(stop)
    _announce(port_file, server.port)
    await stop.wait()
    await server.stop()


async def _serve_hello(port_file: str) -> None:
    """The smallest keep-alive HTTP/1.1 server asyncio allows: reads a POST, says hello."""

    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        b"Content-Length: 5\r\n\r\nhello"
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, HOST, 0)
    stop = asyncio.Event()
    _watch_parent(stop)
    _announce(port_file, server.sockets[0].getsockname()[1])
    await stop.wait()
    server.close()


class Child:
    """A server child process (``script``, this one by default, with a hidden sub-command)."""

    def __init__(self, *args: str, workdir: Path, name: str, script: str = __file__) -> None:
        self.port_file = str(workdir / f"{name}.port")
        self.log = (workdir / f"{name}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, script, *args, self.port_file],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            cwd=ROOT,
        )

    def wait_port(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.port_file):
            if self.process.poll() is not None:
                raise RuntimeError(f"server child ended early, see {self.log.name}")
            if time.monotonic() > deadline:
                raise TimeoutError("server child did not start")
            time.sleep(0.05)
        return int(Path(self.port_file).read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


# --------------------------------------------------------------------------
# Load generator
# --------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection that posts bodies and returns reply bodies."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def post(self, body: bytes) -> bytes:
        self.writer.write(
            b"POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (HOST.encode(), 0, len(body), body)
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def _md5() -> str:
    return hashlib.md5(PASSWORD.encode()).hexdigest()


async def _login(conn: Connection, uin: int) -> None:
    reply = await conn.post(encode_request(LoginRequest(uin=uin, password_md5=_md5())))
    if b"RES=0&RS=0" not in reply:
        raise RuntimeError(f"login of {uin} failed: {reply!r}")


def _mix(uin: int) -> list[bytes]:
    buddy = FIRST_UIN + (uin - FIRST_UIN + 1)
    return [
        encode_request(OnlineBuddiesRequest(uin=uin, page_size=50)),
        encode_request(ProfileRequest(uin=uin, target=buddy, level=3)),
        encode_request(SendMessageRequest(uin=uin, target=SINK, text="bench message 你好")),
    ]


@dataclass
class Tally:
    done: int = 0
    not_ok: int = 0
    rtts: list[float] = field(default_factory=list)


async def _run_clients(
    port: int,
    n: int,
    seconds: float,
    login: bool,
    keep_rtts: bool = False,
    only: int | None = None,
) -> tuple[float, Tally]:
    """N clients post the mix (or only its item ``only``) for ``seconds``; (requests/s, tally)."""
    conns = [await Connection.open(port) for _ in range(n)]
    uins = [FIRST_UIN + i for i in range(n)]
    if login:
        await asyncio.gather(*(_login(c, u) for c, u in zip(conns, uins, strict=True)))
    tally = Tally()
    start = time.perf_counter()
    deadline = start + seconds

    async def client(conn: Connection, uin: int) -> None:
        bodies = _mix(uin)
        if only is not None:
            bodies = [bodies[only]] * 3
        i = 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            reply = await conn.post(bodies[i % 3])
            if keep_rtts:
                tally.rtts.append(time.perf_counter() - t0)
            i += 1
            tally.done += 1
            if login and b"&RES=0" not in reply:
                tally.not_ok += 1

    await asyncio.gather(*(client(c, u) for c, u in zip(conns, uins, strict=True)))
    elapsed = time.perf_counter() - start
    for c in conns:
        c.close()
    return tally.done / elapsed, tally


async def _delivery(port: int, pairs: int, seconds: float, interval: float) -> list[float]:
    """Latency from writing a CLTMSG to reading it from a GetMsgEx long poll (seconds)."""
    senders = [FIRST_UIN + i for i in range(pairs)]
    receivers = [FIRST_UIN + pairs + i for i in range(pairs)]
    send_conns = [await Connection.open(port) for _ in range(pairs)]
    recv_conns = [await Connection.open(port) for _ in range(pairs)]
    await asyncio.gather(
        *(_login(c, u) for c, u in zip(send_conns + recv_conns, senders + receivers, strict=True))
    )
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    sending_done = asyncio.Event()  # set once every sender has finished
    expected = 0

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
        nonlocal expected
        deadline = time.perf_counter() + seconds
        k = 0
        while time.perf_counter() < deadline:
            tag = f"{uin}:{k}"
            k += 1
            expected += 1
            sent_at[tag] = time.perf_counter()
            reply = await conn.post(
                encode_request(SendMessageRequest(uin=uin, target=to, text=tag))
            )
            if b"&RES=0" not in reply:
                raise RuntimeError(f"CLTMSG: {reply!r}")
            await asyncio.sleep(interval)

    receivers_tasks = [
        asyncio.create_task(receive(c, u)) for c, u in zip(recv_conns, receivers, strict=True)
    ]
    await asyncio.sleep(0.2)  # let every receiver start its long poll
    await asyncio.gather(
        *(send(c, s, r) for c, s, r in zip(send_conns, senders, receivers, strict=True))
    )
    sending_done.set()
    # Wait for the last messages to arrive (at most 10 s), then end the polls.
    give_up = time.perf_counter() + 10
    while sent_at and time.perf_counter() < give_up:
        await asyncio.sleep(0.01)
    for t in receivers_tasks:
        t.cancel()
    await asyncio.gather(*receivers_tasks, return_exceptions=True)
    lost = len(sent_at)
    if lost:
        print(f"  warning: {lost} of {expected} messages not received within 10 s")
    for c in send_conns + recv_conns:
        c.close()
    return latencies


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _bench(args: argparse.Namespace, qq_port: int, hello_port: int) -> None:
    clients = [int(x) for x in args.clients.split(",")]
    print(
        f"\nThroughput: mix Query_Stat/GetInfo LV3/CLTMSG, {args.seconds:.0f} s per cell"
        f" (median of {ROUNDS} alternating rounds)"
    )
    print(f"{'clients':>8} {'qqdesk req/s':>13} {'hello req/s':>12} {'ratio':>7} {'not RES=0':>10}")
    for n in clients:
        # Alternate short rounds so that a change in background load hits both
        # servers alike; report the median round of each.
        qq_rates, hello_rates, not_ok = [], [], 0
        for _ in range(ROUNDS):
            rate, tally = await _run_clients(qq_port, n, args.seconds / ROUNDS, login=True)
            qq_rates.append(rate)
            not_ok += tally.not_ok
            rate, _ = await _run_clients(hello_port, n, args.seconds / ROUNDS, login=False)
            hello_rates.append(rate)
        qq, hello = statistics.median(qq_rates), statistics.median(hello_rates)
        print(f"{n:>8} {qq:>13.0f} {hello:>12.0f} {qq / hello:>7.2f} {not_ok:>10}")

    n = clients[len(clients) // 2]
    print(f"\nThroughput of each command alone, {n} clients, 1 s each")
    print(f"{'command':>12} {'qqdesk req/s':>13} {'not RES=0':>10}")
    for index, name in enumerate(["Query_Stat", "GetInfo LV3", "CLTMSG"]):
        rate, tally = await _run_clients(qq_port, n, 1.0, login=True, only=index)
        print(f"{name:>12} {rate:>13.0f} {tally.not_ok:>10}")

    print(
        f"\nDelivery latency: CLTMSG -> GetMsgEx (WT=30) long poll, one message per "
        f"{args.interval * 1000:.0f} ms per pair, {args.seconds:.0f} s per cell (ms)"
    )
    print(
        f"{'pairs':>8} {'msgs':>6} {'p50':>8} {'p99':>8} {'max':>8}"
        f" {'hello rtt p50':>14} {'hello rtt p99':>14}"
    )
    for n in clients:
        lat = await _delivery(qq_port, n, args.seconds, args.interval)
        _, tally = await _run_clients(hello_port, n, min(args.seconds, 2.0), False, True)
        print(
            f"{n:>8} {len(lat):>6} {_pct(lat, 50) * 1e3:>8.2f} {_pct(lat, 99) * 1e3:>8.2f}"
            f" {max(lat, default=float('nan')) * 1e3:>8.2f}"
            f" {_pct(tally.rtts, 50) * 1e3:>14.3f} {_pct(tally.rtts, 99) * 1e3:>14.3f}"
        )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_serve_qq":
        asyncio.run(_serve_qq(sys.argv[2], sys.argv[4], int(sys.argv[3])))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_serve_hello":
        asyncio.run(_serve_hello(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each cell")
    parser.add_argument("--clients", default="1,10,50", help="client/pair counts")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between messages")
    parser.add_argument(
        "--reads",
        choices=["thread", "loop"],
        default="loop",
        help="store reads on the event loop (the default) or on reader threads",
    )
    args = parser.parse_args()
    os.environ[READS_ENV] = args.reads  # the server child inherits it
    most = max(int(x) for x in args.clients.split(","))
    accounts = max(2 * most, BUDDIES + 1)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qqdesk-bench-") as tmp:
        workdir = Path(tmp)
        qq = Child("_serve_qq", str(workdir / "bench.sqlite3"), str(accounts), workdir=workdir,
                   name="qq")  # fmt: skip
        hello = Child("_serve_hello", workdir=workdir, name="hello")
        try:
            qq_port, hello_port = qq.wait_port(), hello.wait_port()
            print(f"qqdesk server pid {qq.process.pid} port {qq_port}; "
                  f"hello server pid {hello.process.pid} port {hello_port}; "
                  f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
                  f"load average {os.getloadavg()[0]:.1f}; "
                  f"store reads on {args.reads}")  # fmt: skip
            asyncio.run(asyncio.wait_for(_bench(args, qq_port, hello_port), timeout=100))
        finally:
            qq.stop()
            hello.stop()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load average now {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
