"""The SQLite store's read cache: kept between writes, gone after any write that may
touch it, ours or another process's (the command line beside ``serve``)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from qqdesk.core import AuthMode, Conversation, Profile
from qqdesk.server import SqliteStore
from qqdesk.server.cli import main
from qqdesk.server.store.interface import MessageKind, NewMessage
from tests.server.conftest import wait_until


async def _store_with_two(path: Path) -> SqliteStore:
    store = SqliteStore(path, read_cache=True)
    for uin in (10001, 10002):
        await store.create_account(
            uin, "x", Profile(uin=uin, nick=f"n{uin}"), AuthMode.ANYONE, True
        )
    return store


def _counting(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL each read runs, from now on."""
    seen: list[str] = []
    rows = store._rows

    def counted(sql: str, args: Any) -> list[sqlite3.Row]:
        seen.append(sql)
        return rows(sql, args)

    monkeypatch.setattr(store, "_rows", counted)
    return seen


async def test_reads_are_kept_until_a_write_that_may_change_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await _store_with_two(tmp_path / "s.sqlite3")
    try:
        await store.add_buddy(10001, 10002)
        seen = _counting(store, monkeypatch)
        for _ in range(3):
            account = await store.account(10002)
            assert account is not None and account.profile.nick == "n10002"
            assert await store.buddies(10001) == [10002]
            assert await store.buddy_count(10001) == 1
            assert await store.is_account(10002)
            assert await store.privacy(10002) is not None
        assert len(seen) == 3  # the account, the buddy list, the privacy: once each

        # Messages and their acknowledgement keep the cache (the hot path) ...
        message = NewMessage(10002, 10001, Conversation.buddy(10001), MessageKind.TEXT, ("hi",))
        (message_id,) = await store.enqueue([message])
        await store.delete_upto(10002, message_id)
        await store.account(10002)
        assert len(seen) == 3

        # ... any other write ends it: what it changed is read again, at once.
        assert await store.update_account(10002, {"nick": "new"})
        account = await store.account(10002)
        assert account is not None and account.profile.nick == "new"
        await store.remove_buddy(10001, 10002)
        assert await store.buddies(10001) == []
        assert await store.buddy_count(10001) == 0
        assert len(seen) > 3
    finally:
        store.close()


async def test_an_absent_account_is_not_kept(tmp_path: Path) -> None:
    store = await _store_with_two(tmp_path / "s.sqlite3")
    try:
        assert await store.account(10003) is None
        assert not await store.is_account(10003)
        # made by another process (no write of this store's own to end the cache)
        db = sqlite3.connect(tmp_path / "s.sqlite3")
        with db:
            db.execute(
                "INSERT INTO accounts (uin, password_hash, nick, created) SELECT 10003,"
                " password_hash, 'n10003', created FROM accounts WHERE uin=10001"
            )
        db.close()
        assert await store.is_account(10003)
        account = await store.account(10003)
        assert account is not None and account.profile.nick == "n10003"
    finally:
        store.close()


@pytest.mark.parametrize(
    ("command", "check"),
    [
        (["buddy", "add", "10001", "10002"], lambda s: s.buddies(10001)),
        (["setinfo", "10002", "NK=changed"], lambda s: s.account(10002)),
    ],
    ids=["buddy-add", "setinfo"],
)
async def test_a_change_by_the_command_line_beside_the_store_is_seen(
    tmp_path: Path,
    command: list[str],
    check: Callable[[SqliteStore], Awaitable[Any]],
) -> None:
    path = tmp_path / "s.sqlite3"
    store = await _store_with_two(path)
    try:
        before = await check(store)
        assert await check(store) == before  # kept
        generation = store._writer.generation
        assert await asyncio.to_thread(main, [*command, "--db", str(path)]) == 0
        # The writer thread notices the other process's commit (no write of ours
        # comes to tell it) and ends the cache's generation.
        await wait_until(lambda: store._writer.generation != generation)
        after = await check(store)
        assert after != before
        plain = SqliteStore(path)
        try:
            assert after == await check(plain)  # what an uncached read sees
        finally:
            plain.close()
    finally:
        store.close()


async def test_a_read_on_a_reader_thread_racing_writes_keeps_nothing_stale(
    tmp_path: Path,
) -> None:
    """Reads off the loop (reads_on_loop=False) may finish after a write that they
    did not see: what they read must not outlive that write in the cache."""
    path = tmp_path / "s.sqlite3"
    store = SqliteStore(path, reads_on_loop=False, read_cache=True)
    try:
        uins = list(range(10001, 10041))
        for uin in uins:
            await store.create_account(uin, "x", Profile(uin=uin), AuthMode.ANYONE, True)

        async def reader() -> None:
            for _ in range(200):
                await store.buddies(10001)

        adds = [store.add_buddy(10001, uin) for uin in uins[1:]]
        await asyncio.gather(reader(), reader(), *adds)
        assert await store.buddies(10001) == uins[1:]
        assert await store.buddy_count(10001) == len(uins) - 1
    finally:
        store.close()
