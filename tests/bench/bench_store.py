"""Benchmark of the two stores side by side: SQLite (a file) and PostgreSQL (a throwaway
local cluster, fsync on, as the tests start it).

Run it from the repository root::

    .venv/bin/python tests/bench/bench_store.py [--writes 300] [--burst 1000]

It prints one table, one column per store:

* single durable write: one enqueue at a time, awaited (a commit that reaches the
  disk each: SQLite's fsync, PostgreSQL's WAL flush), p50/p99 in ms;
* group commit: ``--burst`` enqueues at once, awaited together; writes/s and the
  number of commits they took;
* read: ``queued(recipient, 50)`` on a queue of 50, one at a time, p50/p99 in ms.

Both stores run in this process on one event loop; PostgreSQL's server is a child
process on 127.0.0.1 (loopback round trips are part of its figures, as they are in
production). The whole run takes well under a minute; the cluster is removed at
the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qqdesk.core import Conversation  # noqa: E402
from qqdesk.server.store import MessageKind, NewMessage, SqliteStore  # noqa: E402
from qqdesk.server.store.postgres import PostgresStore  # noqa: E402
from tests.support.postgres import Cluster, find_binaries  # noqa: E402

AnyStore = SqliteStore | PostgresStore
RECIPIENT = 20002
READER = 20003


def message(recipient: int, number: int) -> NewMessage:
    return NewMessage(
        recipient, 20001, Conversation.buddy(20001), MessageKind.TEXT, (f"message {number}",)
    )


def ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(call: Callable[[], Awaitable[object]], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


async def measure(store: AnyStore, writes: int, burst: int) -> dict[str, str]:
    counter = iter(range(10**9))
    # warm up (connections, statement caches, the file's first pages)
    await asyncio.gather(*(store.enqueue([message(RECIPIENT, next(counter))]) for _ in range(50)))

    single = await timed(lambda: store.enqueue([message(RECIPIENT, next(counter))]), writes)

    commits = store.commits
    start = time.perf_counter()
    await asyncio.gather(
        *(store.enqueue([message(RECIPIENT, next(counter))]) for _ in range(burst))
    )
    elapsed = time.perf_counter() - start
    burst_commits = store.commits - commits

    await store.enqueue([message(READER, i) for i in range(50)])
    reads = await timed(lambda: store.queued(READER, 50), writes)
    return {
        "durable write p50 (ms)": f"{ms(single, 0.50):.2f}",
        "durable write p99 (ms)": f"{ms(single, 0.99):.2f}",
        f"{burst} concurrent writes (writes/s)": f"{burst / elapsed:,.0f}",
        "  ... in commits": f"{burst_commits}",
        "read queued(50) p50 (ms)": f"{ms(reads, 0.50):.2f}",
        "read queued(50) p99 (ms)": f"{ms(reads, 0.99):.2f}",
    }


async def run(writes: int, burst: int, cluster: Cluster, folder: Path) -> None:
    sqlite = SqliteStore(folder / "bench.sqlite3")
    url = await asyncio.to_thread(cluster.create_database)
    postgres = await PostgresStore.open(url)
    columns = {
        "SQLite (file, WAL)": await measure(sqlite, writes, burst),
        "PostgreSQL (local)": await measure(postgres, writes, burst),
    }
    await asyncio.to_thread(sqlite.close)
    await postgres.aclose()
    names = list(columns)
    rows = list(next(iter(columns.values())))
    width = max(len(r) for r in rows) + 2
    print(f"{'':{width}}" + "".join(f"{n:>22}" for n in names))
    for row in rows:
        print(f"{row:{width}}" + "".join(f"{columns[n][row]:>22}" for n in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300, help="single writes and reads")
    parser.add_argument("--burst", type=int, default=1000, help="concurrent writes")
    args = parser.parse_args()
    binaries = find_binaries()
    if binaries is None:
        sys.exit("PostgreSQL's binaries (initdb, pg_ctl) are not installed")
    started = time.perf_counter()
    cluster = Cluster(binaries)
    try:
        cluster.start()
        with tempfile.TemporaryDirectory(prefix="qqdesk-bench-") as folder:
            asyncio.run(run(args.writes, args.burst, cluster, Path(folder)))
    finally:
        cluster.destroy()
    print(f"\n(whole run {time.perf_counter() - started:.1f} s; disk: {tempfile.gettempdir()})")


if __name__ == "__main__":
    main()
