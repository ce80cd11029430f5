"""A full disk: a message the store cannot write gets no RES=0 but HTTP 503, reads go on,
the failure is logged once, and once there is room the retried message is stored once.

The disk is made full with SQLite's max_page_count (SqliteStore.limit_pages), which
fails a write that needs a new page with SQLITE_FULL exactly as a full disk does;
and, in a real server process, with RLIMIT_FSIZE, which stops the WAL file itself
from growing (the commit then fails, as when a full disk refuses the WAL's growth).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from qqdesk.server import QQServer, SqliteStore, StoreError
from qqdesk.server.http import RETRY_AFTER
from tests.support.servers import ServerProcess
from tests.support.wire import post

from .conftest import FakeClock, Raw, fields, polls, store_accounts, text, wait_until

FULL = "database or disk is full"


async def _cltmsg(raw: Raw, target: int, text: str) -> tuple[int, dict[str, str], bytes]:
    """CLTMSG as a legacy client sends it, keeping the HTTP status (Raw.send wants 200)."""
    raw.seq += 1
    body = f"VER=1.1&CMD=CLTMSG&SEQ={raw.seq}&UIN={raw.uin}&UN={target}&MG={quote(text)}"
    headers = {"Cookie": raw.cookie} if raw.cookie else None
    return await post(raw.url, body.encode(), headers)


async def _fill(raw: Raw, target: int, clock: FakeClock | None) -> tuple[list[str], str]:
    """Send long messages until one is refused: (those answered RES=0, the refused one)."""
    stored: list[str] = []
    for i in range(200):
        text = f"fill {i} " + "x" * 1500
        if clock is not None:
            clock.advance(1.5)  # stay under the rate limit
        status, headers, body = await _cltmsg(raw, target, text)
        if status != 200:
            assert status == 503
            assert headers["retry-after"] == str(RETRY_AFTER)
            assert b"RES=" not in body
            return stored, text
        assert body.endswith(b"&RES=0&")
        stored.append(text)
    raise AssertionError("the store never filled up")


async def _receive(raw: Raw, ack: int = 0) -> list[tuple[int, str]]:
    """Every message queued for ``raw`` as (MI, MG), fetching with AK as our client does."""
    seen: list[tuple[int, str]] = []
    while True:
        got = fields(await raw.send("GetMsgEx", AK=ack))
        if got["MN"] == "0":
            return seen
        ids = [int(i) for i in got["MI"].split(",")[:-1]]
        texts = [t.replace("%2c", ",") for t in got["MG"].split(",")[:-1]]
        seen += zip(ids, texts, strict=True)
        ack = ids[-1]


def _failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_full_disk_refuses_a_message_keeps_reads_and_takes_it_once_there_is_room(
    live: QQServer, alice: Raw, bob: Raw, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    store = live.store
    assert isinstance(store, SqliteStore)
    assert b"RES=0" in await bob.send("CLTMSG", UN=10001, MG="before the disk filled")
    store.limit_pages(0)  # the disk is full: not one page more

    stored, refused = await _fill(alice, 10002, clock)
    assert stored  # pages had room for a few, as on a real disk
    # Trying again while the disk is still full: still 503, still not RES=0.
    for _ in range(3):
        clock.advance(1.5)
        status, _, body = await _cltmsg(alice, 10002, refused)
        assert (status, body) == (503, b"")

    # One clear line, with the store's path and SQLite's reason; no traceback.
    errors = _failures(caplog)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert str(store.path) in errors[0].getMessage()
    assert FULL in errors[0].getMessage()
    assert errors[0].exc_info is None
    assert all(r.exc_info is None for r in caplog.records)

    # Reads go on for another user: Query_Stat, GetInfo, List, stored messages.
    assert (await bob.send("Query_Stat", TN=50, UN=0)).endswith(
        b"&RES=0&FC=0,&FN=1&SN=1&ST=10,&UN=10001,&NK=Alice,"
    )
    assert b"&RES=0&" in await bob.send("GetInfo", LV=2, UN=10001)
    assert (await bob.send("List", TN=160, UN=0)).endswith(b"&RES=0&FN=1&SN=1&UN=10001,")
    before = await _receive(bob)
    assert [t for _, t in before] == stored
    # Alice reads what Bob sent before, the legacy way (its deletion needs no new page).
    assert fields(await alice.send("GetMsgEx"))["MG"].endswith(",before the disk filled,")
    # Login reads the account and only tidies: it works on a full disk too.
    again = Raw(live.url, 10002)
    assert b"RES=0&RS=0" in await again.login()
    bob = again

    store.limit_pages(None)  # space is back; no restart
    clock.advance(1.5)
    status, _, body = await _cltmsg(alice, 10002, refused)
    assert status == 200 and body.endswith(b"&RES=0&")
    after = await _receive(bob)
    assert [t for _, t in after] == [refused]  # once, after those stored before
    assert len({i for i, _ in before + after}) == len(stored) + 1

    assert caplog.messages.count(f"writing to {store.path} works again") == 1
    assert len(_failures(caplog)) == 1
    # the server never went down: the writer and the listener are still there
    assert b"RES=0" in await alice.send("Query_Stat", TN=50, UN=0)
    assert not store.closed


async def test_a_held_poll_never_gets_a_message_whose_sender_heard_it_failed(
    live: QQServer, alice: Raw, bob: Raw, clock: FakeClock
) -> None:
    # A held poll is woken only once its message's batch is committed (never from the
    # batch still being written): a commit can still fail, and its sender hears 503.
    store = live.store
    assert isinstance(store, SqliteStore)
    await live.async_admin.create_account(10003, "pw", nick="Carol")
    await live.async_admin.add_buddy(10003, 10001)
    await live.async_admin.add_buddy(10001, 10003)
    await bob.send("GetMsgEx")  # (what is waiting since the login, taken first)
    held = asyncio.create_task(bob.send("GetMsgEx", WT=30, AK=0))
    await wait_until(lambda: polls(live, 10002) == 1)
    store.limit_pages(0)
    _stored, refused = await _fill(alice, 10003, clock)  # (to Carol: Bob's poll stays held)
    clock.advance(1.5)
    assert (await _cltmsg(alice, 10002, refused))[0] == 503
    assert not held.done()
    store.limit_pages(None)
    clock.advance(1.5)
    assert (await alice.send("CLTMSG", UN=10002, MG="after the disk")).endswith(b"&RES=0&")
    answer = fields(await asyncio.wait_for(held, 10))
    assert answer["MG"] == "after the disk,"


async def test_a_friend_request_on_a_full_disk_is_refused_and_not_half_kept(
    live: QQServer, alice: Raw, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Ack_AddToList writes a request and its notice together: on a full disk, neither."""
    store = live.store
    assert isinstance(store, SqliteStore)
    await live.async_admin.create_account(10003, "pw", nick="Carol", auth=1)
    carol = Raw(live.url, 10003)
    await carol.login()
    store.limit_pages(0)
    await _fill(alice, 10002, clock)
    alice.seq += 1
    body = f"VER=1.1&CMD=Ack_AddToList&SEQ={alice.seq}&UIN=10001&UN=10003&CD=2&RS={'y' * 1900}"
    status, _, reply = await post(live.url, body.encode(), {"Cookie": alice.cookie or ""})
    assert (status, reply) == (503, b"")
    assert await store.open_request(10001, 10003) is None
    assert await store.queued(10003, 10) == []
    store.limit_pages(None)
    assert b"&RES=0&" in await alice.send("Ack_AddToList", UN=10003, CD=2, RS="y" * 1900)
    assert await store.open_request(10001, 10003) == "y" * 1900


async def test_login_and_status_changes_write_nothing(live: QQServer, alice: Raw) -> None:
    """Presence lives in memory: logging in, out and changing status need no write at all,
    so that a full disk cannot stop them."""
    store = live.store
    assert isinstance(store, SqliteStore)
    commits = store.commits
    bob = Raw(live.url, 10002)
    assert b"RES=0&RS=0" in await bob.login()
    assert b"&RES=0" in await bob.send("Change_Stat", ST=30)
    assert b"&RES=0" in await bob.send("Logout")
    assert (await alice.send("GetMsgEx")).endswith(
        b"&MN=3&MT=99,99,99,&UN=10002,10002,10002,&MG=10,30,20,"
    )
    assert store.commits == commits


async def test_store_writes_on_a_full_disk_fail_whole_or_commit_whole(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each write either commits (and is there) or fails with StoreError (and nothing of
    it is there), alone or in a batch with others; many failures are one log line."""
    store = SqliteStore(tmp_path / "full.sqlite3")
    try:
        assert store.limit_pages(0) >= 1
        done: list[int] = []
        failed: list[BaseException] = []
        for round_ in range(5):
            writes: list[asyncio.Future[Any]] = [
                store.enqueue([text(10002, 10001, f"{round_}.{i} " + "x" * 700)])
                for i in range(1 + 3 * round_)
            ]
            writes.append(store.delete_upto(10002, 0))
            results = await asyncio.gather(*writes, return_exceptions=True)
            done += [r[0] for r in results[:-1] if isinstance(r, list)]
            failed += [r for r in results[:-1] if isinstance(r, BaseException)]
        assert done and failed
        assert all(isinstance(e, StoreError) and FULL in str(e) for e in failed)
        assert sorted(m.id for m in store.pending(10002, 100)) == sorted(done)
        # a write alone fails the same way
        with pytest.raises(StoreError, match=FULL):
            await store.enqueue([text(10002, 10001, "z" * 5000)])
        assert len(_failures(caplog)) == 1
        assert store.limit_pages(None) > 1000
        assert await store.enqueue([text(10002, 10001, "z" * 5000)])
        assert len(_failures(caplog)) == 1
    finally:
        store.close()


Squeeze = Callable[[int, Path], None]


def _rlimit(limit: int | None) -> Squeeze:
    """Files of the process may not grow past ``limit`` bytes above the largest one now."""

    def squeeze(pid: int, db: Path) -> None:
        _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
        if limit is None:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))
            return
        wal = Path(f"{db}-wal")
        largest = max(wal.stat().st_size, db.stat().st_size)
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (largest + limit, hard))

    return squeeze


def _tmpfs(room: int | None) -> Squeeze:
    """The tmpfs the store is on gets ``room`` bytes more than it holds now (None: plenty)."""

    def squeeze(pid: int, db: Path) -> None:
        st = os.statvfs(db.parent)
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        size = 4 * 1024 * 1024 if room is None else used + room
        subprocess.run(["mount", "-o", f"remount,size={size}", str(db.parent)], check=True)

    return squeeze


@contextlib.contextmanager
def _disk(kind: str, tmp_path: Path) -> Iterator[Path]:
    """A directory for the store: plain, or a small tmpfs of its own (root only)."""
    if kind != "tmpfs":
        yield tmp_path
        return
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize(
    ("kind", "squeeze", "relieve", "reason"),
    [
        # SQLite writes on after a short write, at the limit: EFBIG, "disk I/O error"
        ("rlimit", _rlimit(3 * 4120 + 1000), _rlimit(None), "disk I/O error"),
        # a real full file system: ENOSPC, SQLITE_FULL
        ("tmpfs", _tmpfs(3 * 4096), _tmpfs(None), FULL),
    ],
)
def test_a_wal_that_cannot_grow_fails_the_commit_and_the_server_lives(
    tmp_path: Path, kind: str, squeeze: Squeeze, relieve: Squeeze, reason: str
) -> None:
    """A real server process whose WAL cannot grow (its file size limit set from outside,
    or its file system full): the commit fails, not the INSERT; no RES=0 for what was
    refused, one log line, and the retried message is stored once when there is room."""
    with _disk(kind, tmp_path) as disk:
        db = disk / "server.sqlite3"
        store_accounts(db, [10001, 10002])
        proc = ServerProcess(db)
        proc.log_path = tmp_path / "server.log"  # not on the full disk
        with proc:
            assert proc.process is not None
            pid = proc.process.pid

            async def run() -> None:
                alice, bob = Raw(proc.url, 10001), Raw(proc.url, 10002)
                await alice.login()
                await bob.login()
                squeeze(pid, db)
                stored: list[str] = []
                refused = ""
                for i in range(8):  # under the rate limit, on the real clock
                    text = f"wal {i} " + "w" * 1500
                    status, _, body = await _cltmsg(alice, 10002, text)
                    if status != 200:
                        assert (status, body) == (503, b"")
                        refused = text
                        break
                    assert body.endswith(b"&RES=0&")
                    stored.append(text)
                assert refused, "the WAL never hit the limit"
                assert b"&RES=0&" in await bob.send("GetInfo", LV=2, UN=10001)
                relieve(pid, db)
                status, _, body = await _cltmsg(alice, 10002, refused)
                assert status == 200 and body.endswith(b"&RES=0&")
                got = await _receive(bob)
                assert [t for _, t in got] == [*stored, refused]

            asyncio.run(run())
            assert proc.process.poll() is None  # never crashed
    text = proc.log_path.read_text()
    errors = [line for line in text.splitlines() if "writes fail until" in line]
    assert len(errors) == 1 and str(db) in errors[0] and reason in errors[0], text
    assert "works again" in text
    assert "Traceback" not in text
