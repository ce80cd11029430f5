"""Throughput, delivery latency, login-burst latency and memory of the server, beside baselines.

Run it from the repository root (a few minutes, loopback only)::

    .venv/bin/python tests/bench/bench_speed.py [--seconds 3] [--skip memory,burst]

The figures of issue 15, each in one run beside baselines measured in the same run:

* requests/s of the Query_Stat/GetInfo/CLTMSG mix at 10, 100 and 1,000 clients
  (keep-alive connections, one signed-in account each); baselines: a bare asyncio
  HTTP "hello" and, when the ``bench`` extra is installed, uvicorn+httptools
  answering "hello" (the same request bodies posted to both);
* delivery CLTMSG -> held GetMsgEx (WT=30), p50/p99, at 500/1,000/2,000 msg/s
  spread over 500 sender/receiver pairs (1,000 connections); baselines: an
  in-memory relay of about 40 lines (this file's ``_serve_relay``) under the same
  schedule, and the bare round trip of one request to the hello server;
* resident memory of the server with 10,000 signed-in sessions each holding a poll
  (the bare hello process's memory as the baseline);
* Query_Stat p99 of 10 other signed-in users before and during a burst of 1,000
  logins (real scrypt hashes), last: the checks already running when the script
  gives up on the burst still end (the queued ones are dropped with their clients).

The server child lifts the CLTMSG rate limit, the strangers' bound and the
connection limits (the benchmark's clients all come from 127.0.0.1). Everything
is bounded; the children stop with this process.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import multiprocessing
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection as Connection_
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qqdesk.protocol.classic import (  # noqa: E402
    FetchMessagesRequest,
    MessagesReply,
    OnlineBuddiesRequest,
    SendMessageRequest,
    decode_reply,
    encode_request,
)
from tests.bench.bench_server import (  # noqa: E402
    BUDDIES,
    FIRST_UIN,
    HOST,
    PASSWORD,
    SINK,
    Child,
    Connection,
    _announce,
    _login,
    _pct,
    _run_clients,
    _serve_hello,
    _watch_parent,
)

#: Accounts of the mix and the delivery (FIRST_UIN...), of the login burst, of the memory phase.
MIX_ACCOUNTS = 1001
BURST_FIRST, BURST = 300000, 1000
MEMORY_FIRST, MEMORY = 400000, 10000
PAIRS = 500
#: The scrypt cost of every account but the burst's (their logins are not what is measured).
CHEAP_N = 2


# --------------------------------------------------------------------------
# Children: the real server, uvicorn's hello, the in-memory relay
# --------------------------------------------------------------------------


async def _serve_qq(db: str, port_file: str) -> None:
    from qqdesk.server import QQServer, SqliteStore
    from qqdesk.server.http import Limits
    from qqdesk.server.store import SCRYPT_N, hash_password, md5_hex

    limits = Limits(idle_timeout=120.0, max_connections=30000, max_per_address=30000)
    server = QQServer(
        SqliteStore(db, read_cache=True), long_poll=55, limits=limits, scrypt_n=CHEAP_N
    )
    server.service.limits.rate_limit = 10**9
    server.service.messaging.max_from_strangers = 0
    await server.start(host=HOST, port=0)
    admin = server.async_admin
    uins = [FIRST_UIN + i for i in range(MIX_ACCOUNTS)]
    burst = [BURST_FIRST + i for i in range(BURST)]
    memory = [MEMORY_FIRST + i for i in range(MEMORY)]
    # Every write gathered: the store's writer thread commits them in batches.
    await asyncio.gather(
        *(admin.create_account(u, PASSWORD, nick=f"n{u}", face=u % 300) for u in [SINK, *uins]),
        *(admin.create_account(u, PASSWORD, nick=f"n{u}") for u in burst + memory),
    )
    await asyncio.gather(
        *(
            server.store.add_buddy(uin, uins[(i + k) % len(uins)])
            for i, uin in enumerate(uins)
            for k in range(1, BUDDIES + 1)
        )
    )
    # The burst's accounts get a real hash (one, computed once: same password).
    real = hash_password(md5_hex(PASSWORD), n=SCRYPT_N)
    await asyncio.gather(*(server.store.set_password_hash(u, real) for u in burst))
    stop = asyncio.Event()
    _watch_parent(stop)
    _announce(port_file, server.port)
    await stop.wait()
    await server.stop()


async def _serve_uvicorn(port_file: str) -> None:
    """uvicorn with httptools answering "hello" from a bare ASGI callable."""
    import uvicorn

    async def app(
        scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
    ) -> None:
        while True:  # read the body to its end
            message = await receive()
            if not message.get("more_body"):
                break
        headers = [(b"content-type", b"text/plain; charset=UTF-8"), (b"content-length", b"5")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello"})

    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((HOST, 0))
    config = uvicorn.Config(
        app,
        http="httptools",
        loop="asyncio",
        lifespan="off",
        access_log=False,
        log_level="warning",
        backlog=4096,
    )
    server = uvicorn.Server(config)
    stop = asyncio.Event()
    _watch_parent(stop)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    _announce(port_file, sock.getsockname()[1])
    await stop.wait()
    server.should_exit = True
    await serving


async def _serve_relay(port_file: str) -> None:
    """The in-memory relay: "S <to> <text>" queues a text, "P <uin>" holds until one comes."""
    queues: dict[bytes, collections.deque[bytes]] = collections.defaultdict(collections.deque)
    waiting: dict[bytes, asyncio.Event] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
                kind, who, *text = (await reader.readexactly(length)).split(b" ", 2)
                reply = b"RES=0"
                if kind == b"S":
                    queues[who].append(text[0])
                    if who in waiting:
                        waiting[who].set()
                else:
                    queue = queues[who]
                    if not queue:
                        event = waiting[who] = asyncio.Event()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(event.wait(), 30)
                        del waiting[who]
                    reply = b"\n".join(queue)
                    queue.clear()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(reply), reply)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, HOST, 0, backlog=4096)
    stop = asyncio.Event()
    _watch_parent(stop)
    _announce(port_file, server.sockets[0].getsockname()[1])
    await stop.wait()
    server.close()


# --------------------------------------------------------------------------
# Phases
# --------------------------------------------------------------------------


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (robust to other work on the machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _rate_and_cpu(
    port: int, pid: int, n: int, seconds: float, login: bool
) -> tuple[float, int, float]:
    """(requests/s, answers not RES=0, server CPU microseconds per request) of n clients."""
    cpu0 = _cpu_seconds(pid)
    rate, tally = await _run_clients(port, n, seconds, login=login)
    cpu = _cpu_seconds(pid) - cpu0
    # (the logins before the timed window are requests too)
    return rate, tally.not_ok, cpu * 1e6 / max(1, tally.done + (n if login else 0))


async def _open_many(port: int, n: int) -> list[Connection]:
    """``n`` connections, opened a few hundred at a time (the listen backlog is finite)."""
    conns: list[Connection] = []
    for start in range(0, n, 200):
        conns += await asyncio.gather(
            *(Connection.open(port) for _ in range(start, min(n, start + 200)))
        )
    return conns


@dataclass
class Channel:
    """How the delivery phase sends and polls on one server (qqdesk or the relay)."""

    login: bool
    send: Callable[[int, int, str], bytes]
    poll: Callable[[int, int | None], bytes]
    #: A poll reply's texts and the acknowledgement to send with the next poll.
    read: Callable[[bytes, int | None], tuple[list[str], int | None]]


def _qq_read(body: bytes, ack: int | None) -> tuple[list[str], int | None]:
    reply = decode_reply(body)
    if not isinstance(reply, MessagesReply):
        raise RuntimeError(f"GetMsgEx: {body!r}")
    texts = []
    for m in reply.messages:
        texts.append(m.text)
        if m.id is not None:
            ack = m.id
    return texts, ack


QQ = Channel(
    login=True,
    send=lambda uin, to, text: encode_request(SendMessageRequest(uin=uin, target=to, text=text)),
    poll=lambda uin, ack: encode_request(FetchMessagesRequest(uin=uin, wait=30, ack=ack)),
    read=_qq_read,
)
RELAY = Channel(
    login=False,
    send=lambda uin, to, text: b"S %d %s" % (to, text.encode()),
    poll=lambda uin, ack: b"P %d" % uin,
    read=lambda body, ack: ([t.decode() for t in body.split(b"\n") if t], None),
)


async def _delivery(
    port: int, channel: Channel, rate: float, seconds: float
) -> tuple[list[float], float, int]:
    """(latencies in s, messages/s sent, lost) for ``rate`` msg/s over PAIRS pairs."""
    senders = [FIRST_UIN + i for i in range(PAIRS)]
    receivers = [FIRST_UIN + PAIRS + i for i in range(PAIRS)]
    conns = await _open_many(port, 2 * PAIRS)
    if channel.login:
        await asyncio.gather(
            *(_login(c, u) for c, u in zip(conns, senders + receivers, strict=True))
        )
    send_conns, recv_conns = conns[:PAIRS], conns[PAIRS:]
    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    async def receive(conn: Connection, uin: int) -> None:
        ack: int | None = None
        while True:
            body = await conn.post(channel.poll(uin, ack))
            now = time.perf_counter()
            texts, ack = channel.read(body, ack)
            for text in texts:
                if text in sent_at:
                    latencies.append(now - sent_at.pop(text))

    interval = PAIRS / rate
    start = time.perf_counter() + 0.5  # every receiver polls by then
    end = start + seconds
    sent = 0

    async def send(conn: Connection, uin: int, to: int) -> None:
        # On a schedule (not after each answer): the offered rate does not fall as
        # the server slows down; each sender starts at its own random phase.
        nonlocal sent
        due = start + random.random() * interval
        k = 0
        while due < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tag = f"{uin}:{k}"
            k += 1
            sent += 1
            sent_at[tag] = time.perf_counter()
            reply = await conn.post(channel.send(uin, to, tag))
            if b"RES=0" not in reply:
                raise RuntimeError(f"send: {reply!r}")
            due += interval

    polls = [asyncio.create_task(receive(c, u)) for c, u in zip(recv_conns, receivers, strict=True)]
    await asyncio.gather(
        *(send(c, s, r) for c, s, r in zip(send_conns, senders, receivers, strict=True))
    )
    elapsed = time.perf_counter() - start
    give_up = time.perf_counter() + 10
    while sent_at and time.perf_counter() < give_up:
        await asyncio.sleep(0.01)
    for t in polls:
        t.cancel()
    await asyncio.gather(*polls, return_exceptions=True)
    for c in conns:
        c.close()
    return latencies, sent / elapsed, len(sent_at)


async def _checkers(port: int, pipe: Connection_) -> None:
    """The 10 other users: Query_Stat in a loop; the parent says when the burst starts
    ("during") and when to stop; their round trips go back through ``pipe``."""
    users = await _open_many(port, 10)
    await asyncio.gather(*(_login(c, FIRST_UIN + i) for i, c in enumerate(users)))
    windows: dict[str, list[float]] = {"before": [], "during": []}
    phase = ["before"]

    async def query(conn: Connection, uin: int) -> None:
        body = encode_request(OnlineBuddiesRequest(uin=uin, page_size=50))
        while phase[0] != "stop":
            t0 = time.perf_counter()
            await conn.post(body)
            windows.get(phase[0], []).append(time.perf_counter() - t0)
            await asyncio.sleep(0.005)  # about 2,000 requests/s from the ten

    queries = [asyncio.create_task(query(c, FIRST_UIN + i)) for i, c in enumerate(users)]
    pipe.send("ready")
    while phase[0] != "stop":
        await asyncio.to_thread(pipe.poll, None)
        phase[0] = pipe.recv()
    await asyncio.gather(*queries)
    for c in users:
        c.close()
    pipe.send((windows["before"], windows["during"]))


def _run_checkers(port: int, pipe: Connection_) -> None:
    asyncio.run(_checkers(port, pipe))


async def _login_burst(
    port: int, seconds: float, burst: int, limit: float
) -> tuple[list[float], list[float], float, int]:
    """Query_Stat round trips of 10 users before and during ``burst`` logins arriving at
    once (watched for at most ``limit`` seconds); the burst's time and logins done.

    The ten run in a process of their own: sending a thousand logins keeps this
    process's loop busy for a while, which must not count as the server's delay."""
    # (opened first: accepting a thousand connections is no part of either window)
    burst_conns = await _open_many(port, burst)
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    checkers = multiprocessing.get_context("spawn").Process(
        target=_run_checkers, args=(port, theirs), daemon=True
    )
    checkers.start()
    try:
        await asyncio.to_thread(ours.recv)  # "ready"
        await asyncio.sleep(seconds)
        ours.send("during")
        t0 = time.perf_counter()
        logins = [
            asyncio.create_task(_login(c, BURST_FIRST + i)) for i, c in enumerate(burst_conns)
        ]
        # (scrypt bounds the burst: two threads, ~0.1 s a hash here; not waited for forever)
        await asyncio.wait(logins, timeout=limit)
        took = time.perf_counter() - t0
        ours.send("stop")
        before, during = await asyncio.to_thread(ours.recv)
        done = sum(t.done() and not t.cancelled() and t.exception() is None for t in logins)
        for t in logins:
            t.cancel()
        await asyncio.gather(*logins, return_exceptions=True)
        for c in burst_conns:
            c.close()
    finally:
        checkers.join(10)
        if checkers.is_alive():
            checkers.kill()
    return before, during, took, done


async def _memory(port: int, pid: int) -> tuple[float, float, float]:
    """Server RSS (MiB) before, with MEMORY sessions each holding a poll; seconds to set up."""
    rss_before = _rss_mib(pid)
    t0 = time.perf_counter()
    conns = await _open_many(port, MEMORY)
    for start in range(0, MEMORY, 500):
        await asyncio.gather(
            *(_login(conns[i], MEMORY_FIRST + i) for i in range(start, min(MEMORY, start + 500)))
        )
    for i, conn in enumerate(conns):
        body = encode_request(FetchMessagesRequest(uin=MEMORY_FIRST + i, wait=30))
        conn.writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
    await asyncio.gather(*(c.writer.drain() for c in conns))
    took = time.perf_counter() - t0
    # The server has read every poll once its memory stops growing (well before WT=30).
    rss, last = _rss_mib(pid), 0.0
    while abs(rss - last) > 0.5 and time.perf_counter() - t0 < 20:
        await asyncio.sleep(0.5)
        last, rss = rss, _rss_mib(pid)
    for c in conns:
        c.close()
    return rss_before, rss, took


def _ms(values: list[float], q: float) -> str:
    return f"{_pct(values, q) * 1e3:.2f}"


async def _bench(args: argparse.Namespace, ports: dict[str, int], pids: dict[str, int]) -> None:
    skip = set(args.skip.split(",")) if args.skip else set()
    if "mix" not in skip:
        print(
            f"\nThroughput, Query_Stat/GetInfo LV3/CLTMSG mix, {args.seconds:.0f} s per cell"
            " (requests/s)"
        )
        names = [n for n in ("hello", "uvicorn") if n in ports]
        columns = " ".join(f"{name:>8} {'ratio':>6}" for name in names)
        print(f"{'clients':>8} {'qqdesk':>8} {columns} {'not RES=0':>10}   server CPU µs/request")
        for n in (10, 100, 1000):
            qq, not_ok, qq_cpu = await _rate_and_cpu(ports["qq"], pids["qq"], n, args.seconds, True)
            cells, cpus = [], [f"qqdesk {qq_cpu:.0f}"]
            for name in names:
                rate, _, cpu = await _rate_and_cpu(ports[name], pids[name], n, args.seconds, False)
                cells.append(f"{rate:>8.0f} {qq / rate:>6.2f}")
                cpus.append(f"{name} {cpu:.0f}")
            print(f"{n:>8} {qq:>8.0f} " + " ".join(cells) + f" {not_ok:>10}   " + ", ".join(cpus))
    if "delivery" not in skip:
        _, bare = await _run_clients(ports["hello"], 10, 1.0, False, True)
        rtt50, rtt99 = _pct(bare.rtts, 50), _pct(bare.rtts, 99)
        print(
            f"\nDelivery CLTMSG -> held GetMsgEx, {PAIRS} pairs ({2 * PAIRS} connections), "
            f"{args.seconds:.0f} s per cell (ms); bare round trip (hello, 10 clients) "
            f"p50 {rtt50 * 1e3:.2f} / p99 {rtt99 * 1e3:.2f}"
        )
        print(
            f"{'msg/s':>6} {'sent/s':>7} {'p50':>7} {'p99':>7} {'max':>7} {'lost':>5}"
            f" {'relay p50':>10} {'relay p99':>10} {'p50/rtt':>8} {'p99/relay':>10}"
        )
        for rate in (500, 1000, 2000):
            lat, sent, lost = await _delivery(ports["qq"], QQ, rate, args.seconds)
            relay, _, _ = await _delivery(ports["relay"], RELAY, rate, args.seconds)
            print(
                f"{rate:>6} {sent:>7.0f} {_ms(lat, 50):>7} {_ms(lat, 99):>7}"
                f" {max(lat, default=float('nan')) * 1e3:>7.1f} {lost:>5}"
                f" {_ms(relay, 50):>10} {_ms(relay, 99):>10}"
                f" {_pct(lat, 50) / rtt50:>8.1f} {_pct(lat, 99) / _pct(relay, 99):>10.1f}"
            )
    if "memory" not in skip:
        rss0, rss, took = await _memory(ports["qq"], pids["qq"])
        print(f"\nMemory with {MEMORY} signed-in sessions each holding a GetMsgEx (WT=30)")
        print(
            f"  server RSS {rss0:.0f} MiB before, {rss:.0f} MiB with them"
            f" ({(rss - rss0) * 1024 / MEMORY:.1f} KiB per session; set up in {took:.1f} s);"
            f" baseline: the bare hello process {_rss_mib(pids['hello']):.0f} MiB"
        )

    if "burst" not in skip:
        before, during, took, done = await _login_burst(
            ports["qq"], 2.0, args.burst, args.burst_seconds
        )
        print(
            f"\nQuery_Stat of 10 other users around a burst of {args.burst} logins arriving at"
            f" once (real scrypt; watched up to {args.burst_seconds:.0f} s), ms"
        )
        print(f"{'':>8} {'p50':>7} {'p99':>7} {'max':>7} {'requests':>9}")
        for phase, values in (("before", before), ("during", during)):
            print(
                f"{phase:>8} {_ms(values, 50):>7} {_ms(values, 99):>7}"
                f" {max(values) * 1e3:>7.1f} {len(values):>9}"
            )
        print(
            f"  {done} logins done in {took:.1f} s ({done / took:.1f} logins/s);"
            f" p99 during / before {_pct(during, 99) / _pct(before, 99):.1f}"
        )


def main() -> int:
    commands = {
        "_serve_qq": lambda a: _serve_qq(a[0], a[1]),
        "_serve_hello": lambda a: _serve_hello(a[0]),
        "_serve_uvicorn": lambda a: _serve_uvicorn(a[0]),
        "_serve_relay": lambda a: _serve_relay(a[0]),
    }
    if len(sys.argv) > 1 and sys.argv[1] in commands:
        asyncio.run(commands[sys.argv[1]](sys.argv[2:]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each cell")
    parser.add_argument("--burst", type=int, default=BURST, help="logins in the burst")
    parser.add_argument(
        "--burst-seconds", type=float, default=30.0, help="longest watch of the burst"
    )
    parser.add_argument("--skip", default="", help="phases to skip: mix,delivery,burst,memory")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        import uvicorn  # noqa: F401

        names = ["hello", "uvicorn", "relay"]
    except ImportError:
        print("uvicorn is not installed (pip install -e '.[bench]'): no uvicorn baseline")
        names = ["hello", "relay"]
    with tempfile.TemporaryDirectory(prefix="qqdesk-bench-") as tmp:
        workdir = Path(tmp)
        db = str(workdir / "bench.sqlite3")
        children = {"qq": Child("_serve_qq", db, workdir=workdir, name="qq", script=__file__)}
        for name in names:
            children[name] = Child(f"_serve_{name}", workdir=workdir, name=name, script=__file__)
        try:
            ports = {name: child.wait_port(timeout=300) for name, child in children.items()}
            pids = {name: child.process.pid for name, child in children.items()}
            setup = time.perf_counter() - started
            print(
                f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average "
                f"{os.getloadavg()[0]:.1f}; set up in {setup:.0f} s"
            )
            asyncio.run(asyncio.wait_for(_bench(args, ports, pids), timeout=600))
        finally:
            for child in children.values():
                child.stop()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load average now {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
