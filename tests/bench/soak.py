"""Soak: sender/receiver pairs against a server that is killed with SIGKILL again and again.

Run it from the repository root::

    .venv/bin/python tests/bench/soak.py [--pairs 200] [--kill-every 5] [--minutes 5]
                                         [--modes library,legacy,rooms] [--rate 0.5]

The real server runs as a child process (``qqdesk-server serve``) on one SQLite
store; every ``--kill-every`` seconds it is killed with SIGKILL and started again
on the same store and port, for ``--minutes``. Meanwhile each of ``--pairs``
senders sends its receiver a numbered message about every 1/``--rate`` seconds
(below the server's rate limit). Then the killing stops, nothing new is sent, and
the run waits (up to ``--drain`` seconds) for what is still on its way. Two kinds
of client, one run each (``--modes``):

* ``library``: qqdesk's own library (AccountSession): outbox with client message
  ids (CI), acknowledged delivery (AK), long polls, the server's run id (SI);
* ``rooms``: the same library, each pair in a discussion of their own, so every
  message goes over the Smart QQ web channel (send_discu_msg2 and poll2, with the
  web link signing in again after each restart and fetching what it missed);
* ``legacy``: a client as the 2005 PHP one behaves, on the same codec: one
  connection per request, no WT/AK/CI, GetMsgEx every 0.5 s, a new Login after
  RES=20; a CLTMSG that got no answer is not sent again (its fate is unknown to
  the client: "unanswered").

Counted per run, by each message's own text: *acknowledged* (the server said
RES=0: for the library, the message turned SENT), *lost* (acknowledged, never
received), *doubled* (received more than once), *pending* (the library: still
waiting in the outbox at the end; legacy: unanswered, or refused as too
frequent), *failed* (the library: shown as "not sent — click to resend", its
tries used up while the server was down), and *received unacknowledged* (the
answer was lost but the message got through). The kills run on a thread of their
own, every ``--kill-every`` seconds of wall time. Sessions that stopped for good
are counted too (the library must never take a restart for a takeover).

Accounts get a cheap password hash so that a few hundred logins after each restart
take well under a second. The script prints one table; it is not part of the
pass/fail suite.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qqdesk.client import (  # noqa: E402
    AccountSession,
    ConnectionState,
    ConnectionStateChanged,
    DeliveryState,
    MessageReceived,
    Timing,
)
from qqdesk.core import AuthMode, Conversation, ConversationKind, Profile  # noqa: E402
from qqdesk.protocol.classic import (  # noqa: E402
    ErrorReply,
    FetchMessagesRequest,
    LoginRequest,
    LogoutRequest,
    MessagesReply,
    MessageType,
    Request,
    Result,
    SendMessageRequest,
    decode_reply,
    encode_request,
)
from qqdesk.server import SqliteStore  # noqa: E402
from qqdesk.server.store import hash_password, md5_hex  # noqa: E402
from tests.support.wire import free_port, port_accepts, post  # noqa: E402

PASSWORD = "soak-pw"
FIRST_UIN = 300000


# --------------------------------------------------------------------------
# The server child, killed and started again
# --------------------------------------------------------------------------


class Server:
    """``qqdesk-server serve`` on one store and port, with room for every connection."""

    def __init__(self, db: Path, port: int, log: Path) -> None:
        self.db, self.port, self.log = db, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "qqdesk.server",
                    "serve",
                    "--db",
                    str(self.db),
                    "--port",
                    str(self.port),
                    # every client runs on this one address
                    "--max-per-address",
                    "100000",
                    "--max-connections",
                    "100000",
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=env,
            )
        deadline = time.monotonic() + 30
        while not port_accepts(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {self.log}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def kill_loop(server: Server, every: float, until: float, stop: threading.Event) -> None:
    """Kill and restart the server every ``every`` s of wall time (on a thread of its own:
    the clients' busy event loop must not stretch the interval)."""
    next_kill = time.monotonic() + every
    while next_kill < until and not stop.wait(max(0.0, next_kill - time.monotonic())):
        server.kill()
        server.start()
        next_kill += every


def make_accounts(db: Path, pairs: int, rooms: bool = False) -> list[Conversation]:
    """Senders FIRST_UIN + 2i, receivers + 2i + 1, mutual buddies, a cheap hash; with
    ``rooms``, a discussion of each pair's two (returned in pair order)."""
    made: list[Conversation] = []

    async def create() -> None:
        store = SqliteStore(db)
        hashed = hash_password(md5_hex(PASSWORD), n=2**8)
        for uin in range(FIRST_UIN, FIRST_UIN + 2 * pairs):
            await store.create_account(uin, hashed, Profile(uin), AuthMode.ANYONE, True)
        for i in range(pairs):
            sender, receiver = FIRST_UIN + 2 * i, FIRST_UIN + 2 * i + 1
            await store.add_buddy(sender, receiver)
            await store.add_buddy(receiver, sender)
            if rooms:
                made.append(
                    await store.create_room(
                        ConversationKind.DISCUSSION, f"soak {i}", sender, [sender, receiver]
                    )
                )
        await asyncio.to_thread(store.close)

    asyncio.run(create())
    return made


# --------------------------------------------------------------------------
# What was sent and what arrived
# --------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0
    acknowledged: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)
    #: The library: shown as failed ("not sent — click to resend") at the end.
    failed: set[str] = field(default_factory=set)
    received: collections.Counter[str] = field(default_factory=collections.Counter)
    stopped: int = 0

    def lost(self) -> int:
        return sum(1 for tag in self.acknowledged if self.received[tag] == 0)

    def doubled(self) -> int:
        return sum(1 for count in self.received.values() if count > 1)

    def received_unacknowledged(self) -> int:
        return sum(1 for tag in self.received if tag not in self.acknowledged)


# --------------------------------------------------------------------------
# qqdesk's library
# --------------------------------------------------------------------------


async def library_run(url: str, pairs: int, rate: float, begin: Callable[[], float],
                      drain: float, folder: Path, rooms: list[Conversation]) -> Tally:  # fmt: skip
    """Sign every session in (the server left alone meanwhile), then ``begin()`` the
    kills and send until the time it returns. With ``rooms``, pair i talks in
    ``rooms[i]`` instead of buddy to buddy."""
    tally = Tally()
    timing = Timing()
    senders: list[tuple[AccountSession, dict[int, str]]] = []
    receivers: list[AccountSession] = []

    async def listen(session: AccountSession) -> None:
        async for event in session.events():
            if isinstance(event, MessageReceived) and event.sender != session.uin:
                tally.received[event.text] += 1
            elif (
                isinstance(event, ConnectionStateChanged)
                and event.state is ConnectionState.STOPPED
                and time.monotonic() < deadline
            ):
                tally.stopped += 1
                print(f"  {session.uin} stopped: {event.detail}", flush=True)

    async def send(session: AccountSession, to: int | Conversation, sent: dict[int, str]) -> None:
        rng = random.Random(session.uin)
        number = 0
        await asyncio.sleep(rng.uniform(0, 1 / rate))
        while time.monotonic() < until:
            tag = f"{session.uin}:{number}"
            number += 1
            try:
                out = await session.send_message(to, tag)
            except Exception as exc:  # (refused at once: no room channel, say)
                print(f"  {session.uin}: {exc}", flush=True)
                # at the sender's pace: a refusal repeated in a tight loop starved the
                # receivers' polls in this process (and printed a gigabyte a minute)
                await asyncio.sleep(rng.expovariate(rate))
                continue
            sent[out.local_id] = tag
            tally.sent += 1
            await asyncio.sleep(rng.expovariate(rate))

    deadline = time.monotonic() + 10**6
    listeners = []
    for i in range(pairs):
        sender_uin, receiver_uin = FIRST_UIN + 2 * i, FIRST_UIN + 2 * i + 1
        receiver = AccountSession(url, receiver_uin, PASSWORD, store=folder / f"{receiver_uin}.db",
                                  timing=timing)  # fmt: skip
        sender = AccountSession(url, sender_uin, PASSWORD, store=folder / f"{sender_uin}.db",
                                timing=timing)  # fmt: skip
        for session in (receiver, sender):
            listeners.append(asyncio.create_task(listen(session)))
            await _login_until_up(session)
        receivers.append(receiver)
        senders.append((sender, {}))
    print(f"  {2 * pairs} library sessions signed in", flush=True)
    until = begin()
    sending = [
        asyncio.create_task(send(s, rooms[i] if rooms else FIRST_UIN + 2 * i + 1, sent))
        for i, (s, sent) in enumerate(senders)
    ]
    await asyncio.gather(*sending)
    # the drain: until every message is out of the outboxes and what was sent arrived
    end = time.monotonic() + drain
    settled: set[str] = set()  # (sent and received, or failed: not looked up again)
    while time.monotonic() < end:
        states = _states(senders, settled)
        unsettled = 0
        for tag, state in states.items():
            if state is DeliveryState.FAILED or (
                state is DeliveryState.SENT and tally.received[tag]
            ):
                settled.add(tag)
            else:
                unsettled += 1
        if not unsettled:
            break
        await asyncio.sleep(2)
    print(f"  drained ({len(settled)} settled)", flush=True)
    for tag, state in _states(senders).items():
        if state is DeliveryState.SENT:
            tally.acknowledged.add(tag)
        elif state is DeliveryState.FAILED:
            tally.failed.add(tag)
        else:
            tally.pending.add(tag)
    deadline = 0
    _print_rows([("rooms" if rooms else "library", tally, -1)], pairs)  # (before the goodbye)
    closing = [session.close() for session in [*receivers, *(s for s, _ in senders)]]
    with contextlib.suppress(Exception):
        async with asyncio.timeout(60):
            await asyncio.gather(*closing, return_exceptions=True)
    for task in listeners:
        task.cancel()
    return tally


async def _login_until_up(session: AccountSession) -> None:
    for _ in range(100):
        try:
            await session.login()
            return
        except Exception:  # the server is being restarted
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{session.uin} could not sign in")


def _states(
    senders: list[tuple[AccountSession, dict[int, str]]], skip: set[str] | None = None
) -> dict[str, DeliveryState]:
    out: dict[str, DeliveryState] = {}
    for session, sent in senders:
        for local_id, tag in sent.items():
            if skip is not None and tag in skip:
                continue
            message = session.store.message(local_id)
            out[tag] = message.state if message is not None else DeliveryState.FAILED
    return out


# --------------------------------------------------------------------------
# A legacy client (no WT, AK or CI; one connection per request)
# --------------------------------------------------------------------------


class Legacy:
    def __init__(self, url: str, uin: int) -> None:
        self.url, self.uin = url, uin
        self.seq = random.randrange(10_000, 90_000)

    async def call(self, make: Callable[..., Request], **fields: object) -> object | None:
        """One request; its decoded reply, or None when no answer came."""
        self.seq += 1
        body = encode_request(make(uin=self.uin, seq=str(self.seq), **fields))
        try:
            status, _h, reply = await post(self.url, body, timeout=10)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            return None
        if status != 200:
            return None
        return decode_reply(reply)

    async def login(self, until: float) -> None:
        while time.monotonic() < until:
            reply = await self.call(LoginRequest, password_md5=md5_hex(PASSWORD))
            if reply is not None and not isinstance(reply, ErrorReply):
                return
            await asyncio.sleep(0.3)


async def legacy_run(url: str, pairs: int, rate: float, until: float, drain: float) -> Tally:
    tally = Tally()
    stop_receiving = asyncio.Event()

    async def receive(client: Legacy) -> None:
        await client.login(float("inf"))
        quiet_since = None
        while True:
            reply = await client.call(FetchMessagesRequest)
            if isinstance(reply, ErrorReply) and reply.result is Result.NOT_LOGGED_IN:
                await client.login(float("inf"))
                continue
            got = isinstance(reply, MessagesReply) and bool(reply.messages)
            if isinstance(reply, MessagesReply):
                for message in reply.messages:
                    if message.kind == MessageType.TEXT:
                        tally.received[message.text] += 1
            if stop_receiving.is_set():
                quiet_since = None if got else (quiet_since or time.monotonic())
                if quiet_since is not None and time.monotonic() - quiet_since > 3:
                    # (its next poll would acknowledge this one: a Logout does it too)
                    await client.call(LogoutRequest)
                    return
            await asyncio.sleep(0.5)

    async def send(client: Legacy, to: int) -> None:
        rng = random.Random(client.uin)
        await client.login(until)
        number = 0
        await asyncio.sleep(rng.uniform(0, 1 / rate))
        while time.monotonic() < until:
            tag = f"{client.uin}:{number}"
            number += 1
            tally.sent += 1
            while True:
                reply = await client.call(SendMessageRequest, target=to, text=tag)
                if isinstance(reply, ErrorReply) and reply.result is Result.NOT_LOGGED_IN:
                    await client.login(until)  # not stored: send it again
                    if time.monotonic() < until:
                        continue
                if isinstance(reply, ErrorReply) and reply.result is Result.TOO_FREQUENT:
                    tally.pending.add(tag)
                elif reply is None or isinstance(reply, ErrorReply):
                    tally.pending.add(tag)  # unanswered: the client cannot know
                else:
                    tally.acknowledged.add(tag)
                break
            await asyncio.sleep(rng.expovariate(rate))

    receivers = [
        asyncio.create_task(receive(Legacy(url, FIRST_UIN + 2 * i + 1))) for i in range(pairs)
    ]
    await asyncio.gather(*(send(Legacy(url, FIRST_UIN + 2 * i), FIRST_UIN + 2 * i + 1)
                           for i in range(pairs)))  # fmt: skip
    stop_receiving.set()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(drain):
            await asyncio.gather(*receivers)
    for task in receivers:
        task.cancel()
    return tally


# --------------------------------------------------------------------------


def run(mode: str, args: argparse.Namespace) -> tuple[Tally, int, float]:
    folder = Path(tempfile.mkdtemp(prefix=f"qqdesk-soak-{mode}-"))
    db = folder / "server.sqlite3"
    rooms = make_accounts(db, args.pairs, rooms=mode == "rooms")
    server = Server(db, free_port(), folder / "server.log")
    server.start()
    url = f"http://127.0.0.1:{server.port}/"

    async def main() -> Tally:
        stop = threading.Event()
        killer: list[threading.Thread] = []

        def begin() -> float:
            """Start the kills now; when the sending ends."""
            until = time.monotonic() + float(args.minutes) * 60
            thread = threading.Thread(target=kill_loop, args=(server, args.kill_every, until, stop))
            thread.start()
            killer.append(thread)
            return until

        if mode in ("library", "rooms"):
            work = library_run(url, args.pairs, args.rate, begin, args.drain, folder, rooms)
        else:
            work = legacy_run(url, args.pairs, args.rate, begin(), args.drain)
        try:
            return await work
        finally:
            stop.set()
            for thread in killer:
                await asyncio.to_thread(thread.join)

    started = time.monotonic()
    try:
        tally = asyncio.run(main())
    finally:
        server.stop()
    _explain_lost(tally, db)
    return tally, server.kills, time.monotonic() - started


def _explain_lost(tally: Tally, db: Path) -> None:
    """Where each acknowledged message that never arrived is: still queued on the server
    (undelivered when the drain ended) or gone."""
    lost = [tag for tag in tally.acknowledged if tally.received[tag] == 0]
    if not lost:
        return
    with contextlib.closing(sqlite3.connect(db)) as store:
        queued = {str(row[0]) for row in store.execute("SELECT content FROM messages")}
        in_rooms = {str(row[0]) for row in store.execute("SELECT content FROM room_messages")}
    waiting = [tag for tag in lost if f'["{tag}"]' in queued]
    posted = [tag for tag in lost if f'["{tag}"]' in in_rooms]
    gone = sorted(set(lost) - set(waiting) - set(posted))
    by_sender = collections.Counter(tag.split(":")[0] for tag in lost)
    print(f"  lost by sender: {dict(by_sender.most_common(10))}", flush=True)
    print(f"  of {len(lost)} acknowledged and not received, {len(waiting)} are still queued"
          f" on the server, {len(posted)} are in their room's history; gone: {gone[:20]}",
          flush=True)  # fmt: skip


def _print_rows(rows: list[tuple[str, Tally, int]], pairs: int) -> None:
    print("| client | pairs | kills | sent | acknowledged | lost | doubled | pending |"
          " failed | received unacknowledged | sessions stopped |")  # fmt: skip
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |")
    for mode, tally, kills in rows:
        print(
            f"| {mode} | {pairs} | {kills if kills >= 0 else '?'} | {tally.sent}"
            f" | {len(tally.acknowledged)} | {tally.lost()} | {tally.doubled()}"
            f" | {len(tally.pending)} | {len(tally.failed)}"
            f" | {tally.received_unacknowledged()} | {tally.stopped} |",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--kill-every", type=float, default=5.0, help="seconds")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=0.5, help="messages/s per sender")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait at the end")
    parser.add_argument("--modes", default="library,legacy,rooms")
    args = parser.parse_args()
    rows = []
    for mode in args.modes.split(","):
        print(f"{mode}: {args.pairs} pairs, SIGKILL every {args.kill_every:g} s for"
              f" {args.minutes:g} min", flush=True)  # fmt: skip
        tally, kills, seconds = run(mode, args)
        rows.append((mode, tally, kills, seconds))
    print()
    _print_rows([(mode, tally, kills) for mode, tally, kills, _seconds in rows], args.pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
