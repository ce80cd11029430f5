"""Benchmark of Smart QQ poll2 delivery, beside classic long-poll delivery and a bare round trip.

Run it from the repository root::

    .venv/bin/python tests/bench/bench_poll2.py [--sizes 10,100,500] [--messages 40]

The qqdesk server runs in a child process on 127.0.0.1 (as in bench_server.py, with
the rate limit lifted and the per-address connection cap raised: every client here
comes from 127.0.0.1); the bare asyncio "hello" server of bench_server.py runs in
another. The load generator (raw asyncio sockets, HTTP/1.1 keep-alive) runs here.
One table, every row measured in the same run:

* bare round trip: one request to the hello server and its answer;
* classic buddy: CLTMSG written -> the message read from the receiver's held GetMsgEx;
* poll2 buddy: send_buddy_msg2 written -> the event read from the receiver's held poll2;
* poll2 group to N: send_qun_msg2 written -> the event read from each of the other N-1
  members' held poll2 (every member signed in on the web), p50/p99 over all deliveries.

Web clients sign in with the password extension and plain ids (no QR, no id
mapping on the client); without the ack extension, so every poll2 answer carries one
event and the client polls again at once (the historical behaviour).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from qqdesk.protocol.classic import (  # noqa: E402
    FetchMessagesRequest,
    MessagesReply,
    SendMessageRequest,
    decode_reply,
    encode_request,
)
from tests.bench.bench_server import (  # noqa: E402
    Connection,
    _announce,
    _login,
    _md5,
    _pct,
    _watch_parent,
)

HOST = "127.0.0.1"
PASSWORD = "bench-password"  # (bench_server's: _md5 hashes it)
SENDER, RECEIVER, CLASSIC_SENDER, CLASSIC_RECEIVER = 300001, 300002, 300003, 300004
FIRST_MEMBER = 310000


# --------------------------------------------------------------------------
# The server child
# --------------------------------------------------------------------------


async def _serve(db: str, port_file: str, most: int, sizes: list[int]) -> None:
    from qqdesk.server import QQServer, SqliteStore
    from qqdesk.server.http import Limits

    limits = Limits(max_per_address=4 * most + 100, max_connections=4 * most + 200)
    server = QQServer(SqliteStore(db), long_poll=55, limits=limits, scrypt_n=2**8)
    server.service.limits.rate_limit = 10**9
    server.service.messaging.max_from_strangers = 0
    await server.start(host=HOST, port=0)
    admin = server.async_admin
    for uin in (SENDER, RECEIVER, CLASSIC_SENDER, CLASSIC_RECEIVER):
        await admin.create_account(uin, PASSWORD, nick=f"bench{uin}")
    await admin.add_buddy(SENDER, RECEIVER)
    await admin.add_buddy(RECEIVER, SENDER)
    await admin.add_buddy(CLASSIC_RECEIVER, CLASSIC_SENDER)
    members = [FIRST_MEMBER + i for i in range(most - 1)]
    for uin in members:
        await admin.create_account(uin, PASSWORD, nick=f"m{uin}")
        await admin.add_buddy(SENDER, uin)
    groups = {}
    for size in sizes:
        room = await server.service.rooms.create_group(SENDER, f"g{size}", members[: size - 1])
        groups[size] = room.conversation.number
    Path(port_file + ".groups").write_text(json.dumps(groups))
    stop = asyncio.Event()
    _watch_parent(stop)
    _announce(port_file, server.port)
    await stop.wait()
    await server.stop()


def _start(args: list[str], port_file: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, *args, port_file], stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT
        )
    deadline = time.monotonic() + 120
    while not os.path.exists(port_file):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server child did not start, see {log}")
        time.sleep(0.05)
    return process, int(Path(port_file).read_text())


# --------------------------------------------------------------------------
# A web client on one keep-alive connection
# --------------------------------------------------------------------------


class Web:
    def __init__(self, conn: Connection, port: int) -> None:
        self.conn = conn
        self.port = port
        self.cookies: dict[str, str] = {}
        self.psessionid = ""

    @classmethod
    async def sign_in(cls, port: int, uin: int) -> Web:
        reader, writer = await asyncio.open_connection(HOST, port)
        web = cls(Connection(reader, writer), port)
        await web.call("/qqdesk/signin", {"uin": str(uin), "password": _md5()})
        await web.call("/api/getvfwebqq", {})
        r = {"status": "online", "qqdesk": {"plain_ids": True}}
        reply = await web.call("/channel/login2", {"r": json.dumps(r)})
        web.psessionid = reply["result"]["psessionid"]
        return web

    async def call(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        body = urlencode(form).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        writer, reader = self.conn.writer, self.conn.reader
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nCookie: {cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";")[0]
        reply: dict[str, Any] = json.loads(await reader.readexactly(length))
        return reply

    def poll_form(self) -> dict[str, str]:
        return {"r": json.dumps({"psessionid": self.psessionid, "clientid": 53999199})}

    async def send(self, path: str, key: str, to: int, text: str) -> None:
        r = {key: to, "content": json.dumps([text]), "psessionid": self.psessionid}
        reply = await self.call(path, {"r": json.dumps(r)})
        if reply.get("retcode") != 0:
            raise RuntimeError(f"{path}: {reply}")


async def _web_latency(
    sender: Web, receivers: list[Web], path: str, key: str, to: int, count: int, gap: float
) -> list[float]:
    """Write ``count`` messages; the time until each receiver reads each one."""
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    expected = count * len(receivers)

    async def receive(web: Web) -> None:
        while True:
            reply = await web.call("/channel/poll2", web.poll_form())
            now = time.perf_counter()
            for event in reply.get("result", []) or []:
                text = event["value"]["content"][1]
                if text in sent_at:
                    latencies.append(now - sent_at[text])

    tasks = [asyncio.create_task(receive(w)) for w in receivers]
    await asyncio.sleep(0.3)  # every receiver holds its poll
    for n in range(count):
        tag = f"t{to}:{n}"
        sent_at[tag] = time.perf_counter()
        await sender.send(path, key, to, tag)
        await asyncio.sleep(gap)
    give_up = time.perf_counter() + 20
    while len(latencies) < expected and time.perf_counter() < give_up:
        await asyncio.sleep(0.01)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if len(latencies) < expected:
        print(f"  warning: {expected - len(latencies)} of {expected} deliveries missing")
    return latencies


async def _classic_latency(port: int, count: int, gap: float) -> list[float]:
    send_conn, recv_conn = [
        Connection(*await asyncio.open_connection(HOST, port)) for _ in range(2)
    ]
    await _login(send_conn, CLASSIC_SENDER)
    await _login(recv_conn, CLASSIC_RECEIVER)
    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    async def receive() -> None:
        ack: int | None = None
        while True:
            request = FetchMessagesRequest(uin=CLASSIC_RECEIVER, wait=30, ack=ack)
            body = await recv_conn.post(encode_request(request))
            now = time.perf_counter()
            reply = decode_reply(body)
            assert isinstance(reply, MessagesReply)
            for m in reply.messages:
                if m.text in sent_at:
                    latencies.append(now - sent_at[m.text])
                if m.id is not None:
                    ack = m.id

    task = asyncio.create_task(receive())
    await asyncio.sleep(0.3)
    for n in range(count):
        tag = f"c{n}"
        sent_at[tag] = time.perf_counter()
        request = SendMessageRequest(uin=CLASSIC_SENDER, target=CLASSIC_RECEIVER, text=tag)
        await send_conn.post(encode_request(request))
        await asyncio.sleep(gap)
    give_up = time.perf_counter() + 10
    while len(latencies) < count and time.perf_counter() < give_up:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return latencies


async def _bare(port: int, count: int) -> list[float]:
    conn = Connection(*await asyncio.open_connection(HOST, port))
    rtts = []
    for _ in range(count):
        t0 = time.perf_counter()
        await conn.post(b"ping")
        rtts.append(time.perf_counter() - t0)
    conn.close()
    return rtts


def _row(name: str, values: list[float]) -> None:
    print(
        f"{name:<28} {len(values):>7} {_pct(values, 50) * 1e3:>9.2f}"
        f" {_pct(values, 99) * 1e3:>9.2f} {max(values, default=float('nan')) * 1e3:>9.2f}"
    )


async def _bench(args: argparse.Namespace, qq: int, hello: int, groups: dict[int, int]) -> None:
    print(f"\n{'delivery (ms)':<28} {'samples':>7} {'p50':>9} {'p99':>9} {'max':>9}")
    _row("bare round trip (hello)", await _bare(hello, 200))
    _row("classic buddy (GetMsgEx)", await _classic_latency(qq, args.messages, 0.02))
    sender = await Web.sign_in(qq, SENDER)
    receiver = await Web.sign_in(qq, RECEIVER)
    lat = await _web_latency(
        sender, [receiver], "/channel/send_buddy_msg2", "to", RECEIVER, args.messages, 0.02
    )
    _row("poll2 buddy", lat)
    webs: list[Web] = []
    for size in sorted(groups):
        while len(webs) < size - 1:
            webs.append(await Web.sign_in(qq, FIRST_MEMBER + len(webs)))
        # fewer messages, further apart, for big groups: each is size-1 deliveries
        count = max(5, args.messages * 10 // size)
        gap = max(0.02, size / 2000)
        lat = await _web_latency(
            sender,
            webs[: size - 1],
            "/channel/send_qun_msg2",
            "group_uin",
            groups[size],
            count,
            gap,
        )
        _row(f"poll2 group of {size} ({size - 1} recv)", lat)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        sizes = [int(x) for x in sys.argv[4].split(",")]
        asyncio.run(_serve(sys.argv[2], sys.argv[5], int(sys.argv[3]), sizes))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10,100,500", help="group sizes (online members)")
    parser.add_argument("--messages", type=int, default=40, help="buddy messages per row")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qqdesk-bench-poll2-") as tmp:
        work = Path(tmp)
        port_file = str(work / "qq.port")
        qq_args = [__file__, "_serve", str(work / "b.sqlite3"), str(max(sizes)), args.sizes]
        qq, qq_port = _start(qq_args, port_file, work / "qq.log")
        hello, hello_port = _start(
            [str(HERE / "bench_server.py"), "_serve_hello"],
            str(work / "hello.port"),
            work / "h.log",
        )
        try:
            groups = {
                int(k): v for k, v in json.loads(Path(port_file + ".groups").read_text()).items()
            }
            print(
                f"qqdesk server pid {qq.pid} port {qq_port}; hello pid {hello.pid}; "
                f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            asyncio.run(asyncio.wait_for(_bench(args, qq_port, hello_port, groups), 300))
        finally:
            for child in (qq, hello):
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\ntotal {time.perf_counter() - started:.1f} s; load average now {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
