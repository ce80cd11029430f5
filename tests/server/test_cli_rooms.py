"""The command line for groups, discussions, remarks and web sign-ins: every command on
both stores, its errors, and the same commands beside a running server on one file."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qqdesk.core import Conversation
from qqdesk.server import QQServer, SqliteStore
from qqdesk.server.cli import main
from qqdesk.server.store import WEB_LOGIN_TTL, WebLogin, open_store
from qqdesk.server.store.postgres import PostgresStore
from tests.support.servers import ROOT, ServerProcess

from .conftest import Raw, store_accounts, wait_until

ALICE, BOB, CAROL, DAVE = 10001, 10002, 10003, 10004


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """``--db PATH`` or ``--store URL`` of an empty store, with four accounts in it."""
    if request.param == "sqlite":
        args = ["--db", str(tmp_path / "s.sqlite3")]
    else:
        args = ["--store", request.getfixturevalue("postgres_url")]
    for uin in (ALICE, BOB, CAROL, DAVE):
        assert main(["useradd", str(uin), "--password", "pw", *args]) == 0
    assert main(["buddy", "add", str(ALICE), str(BOB), *args]) == 0
    yield args


def out(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> list[str]:
    """Run the command line; its output lines (and the exit status it must give)."""
    capsys.readouterr()
    assert main(list(argv)) == code
    return capsys.readouterr().out.splitlines()


def error(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 1) -> str:
    """Run a command that must fail; its one line on stderr."""
    capsys.readouterr()
    assert main(list(argv)) == code
    err = capsys.readouterr().err
    assert err.startswith("qqdesk-server: error: ") and err.count("\n") == 1
    return err.removeprefix("qqdesk-server: error: ").strip()


def test_groups_discussions_and_remarks(
    where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    created = out(capsys, "group", "create", "家人 群", "--owner", str(ALICE), *where)
    assert created[-1] == "100000"
    assert out(capsys, "group", "create", "work", "--owner", str(BOB), *where)[-1] == "100001"
    assert out(capsys, "group", "add", "100000", str(BOB), str(CAROL), *where) == [
        "added 10002 10003 to group 100000"
    ]
    # adding again succeeds quietly
    assert out(capsys, "group", "add", "100000", str(BOB), str(ALICE), *where) == []
    assert out(capsys, "group", "card", "100000", str(BOB), "小明 ,&=", *where)
    assert out(capsys, "group", "remove", "100000", str(ALICE), *where)  # the owner
    assert out(capsys, "group", "list", *where) == [
        "100000\t10002\t10002,10003\t家人 群",  # handed to a member who was there longest
        "100001\t10002\t10002\twork",
    ]
    talk = out(capsys, "discussion", "create", "", str(CAROL), str(DAVE), *where)[-1]
    assert talk == "100002"
    assert out(capsys, "discussion", "add", talk, str(ALICE), str(DAVE), *where) == [
        "added 10001 to discussion 100002"
    ]
    assert out(capsys, "buddy", "mark", str(ALICE), str(BOB), "老板", *where) == []

    async def look() -> None:
        store = await open_store(where[1] if where[0] == "--store" else Path(where[1]))
        try:
            group = Conversation.group(100000)
            cards = {m.uin: m.card for m in await store.members(group)}
            assert cards == {BOB: "小明 ,&=", CAROL: ""}
            members = await store.members(Conversation.discussion(100002))
            # by the second they joined, then number (Alice came later, maybe in the
            # same second as Carol and Dave)
            assert {m.uin for m in members} == {ALICE, CAROL, DAVE}
            assert members == sorted(members, key=lambda m: (m.joined, m.uin))
            assert [m.uin for m in members if m.uin != ALICE] == [CAROL, DAVE]
            assert await store.remarks(ALICE) == {BOB: "老板"}
        finally:
            if isinstance(store, PostgresStore):
                await store.aclose()
            else:
                await asyncio.to_thread(store.close)

    asyncio.run(look())
    assert out(capsys, "buddy", "mark", str(ALICE), str(BOB), "", *where) == []

    # errors: exit 1 and a line that says what is not there
    for argv, message in (
        (["group", "create", "g", "--owner", "77777"], "no account 77777"),
        (["group", "create", " ", "--owner", str(ALICE)], "a group needs a name"),
        (["group", "add", "100009", str(ALICE)], "no group 100009"),
        (["group", "add", "100002", str(ALICE)], "no group 100002"),  # a discussion
        (["group", "add", "100000", "77777"], "no account 77777"),
        (["group", "remove", "100000", str(DAVE)], "10004 is not a member of group 100000"),
        (["group", "card", "100000", str(DAVE), "x"], "10004 is not a member of group 100000"),
        (["discussion", "create", "d", "77777"], "no account 77777"),
        (["discussion", "add", "100000", str(DAVE)], "no discussion 100000"),
        (["buddy", "mark", str(ALICE), str(CAROL), "x"], "10003 is not on the buddy list"),
        (["buddy", "mark", "77777", str(CAROL), "x"], "no account 77777"),
    ):
        assert message in error(capsys, *argv, *where)
    # wrong arguments are usage errors (exit 2), as for every command
    for argv, message in (
        (["group", "create", "g"], "--owner"),
        (["group", "add", "100000"], "required: UIN"),
        (["group", "add", "x", str(ALICE)], "not a positive whole number"),
        (["group", "frobnicate"], "invalid choice"),
        (["discussion", "create", "d"], "required: UIN"),
        (["buddy", "mark", str(ALICE), str(BOB)], "required: REMARK"),
        (["web-login", "approve", "ABCD2345"], "required: UIN"),
    ):
        assert message in error(capsys, *argv, *where, code=2)


def test_web_logins_are_listed_approved_and_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.sqlite3")
    store_accounts(Path(db), [ALICE])

    async def keep() -> None:
        store = SqliteStore(db)
        await store.add_web_login("ABCD2345", 1_234_567)
        await store.add_web_login("WXYZ6789", 42)
        # one made longer ago than a sign-in waits: never listed
        store.clock = lambda: time.time() - WEB_LOGIN_TTL - 5
        await store.add_web_login("OLD23456", 5)
        await asyncio.to_thread(store.close)

    asyncio.run(keep())
    lines = out(capsys, "web-login", "list", "--db", db)
    assert [line.split("\t")[:2] for line in lines] == [
        ["ABCD2345", "1234567"],
        ["WXYZ6789", "42"],
    ]
    assert all(line.split("\t")[2].endswith("Z") and len(line.split("\t")) == 3 for line in lines)
    assert out(capsys, "web-login", "approve", "abcd2345", str(ALICE), "--db", db) == [
        "web sign-in ABCD2345 approved for 10001"
    ]
    assert out(capsys, "web-login", "refuse", "WXYZ6789", "--db", db) == [
        "web sign-in WXYZ6789 refused"
    ]
    assert out(capsys, "web-login", "list", "--db", db) == []
    for argv, message in (
        (["approve", "ABCD2345", str(ALICE)], "no pending web sign-in ABCD2345"),
        (["approve", "NOPE", "77777"], "no account 77777"),
        (["refuse", "WXYZ6789"], "no pending web sign-in WXYZ6789"),
    ):
        assert message in error(capsys, "web-login", *argv, "--db", db)

    async def decided() -> tuple[WebLogin | None, WebLogin | None]:
        store = SqliteStore(db)
        try:
            return await store.web_login(1_234_567), await store.web_login(42)
        finally:
            await asyncio.to_thread(store.close)

    approved, refused = asyncio.run(decided())
    assert approved is not None and (approved.state, approved.uin) == ("approved", ALICE)
    assert refused is not None and (refused.state, refused.uin) == ("refused", None)


async def cli(*argv: str) -> tuple[int, str, str]:
    """The real command line in a process of its own (exit status, stdout, stderr)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qqdesk.server",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, stdout.decode(), stderr.decode()


async def test_a_running_server_sees_what_the_command_line_does_at_once(
    tmp_path: Path,
) -> None:
    """The server in this process, the command line in another, one SQLite file."""
    db = tmp_path / "s.sqlite3"
    server = QQServer(SqliteStore(db), scrypt_n=2**8)
    await server.start("127.0.0.1", 0)
    try:
        for uin in (ALICE, BOB, CAROL):
            await server.async_admin.create_account(uin, "pw")
        await server.async_admin.add_buddy(ALICE, BOB)
        service, store = server.service, server.service.store
        code, printed, _ = await cli("group", "create", "g", "--owner", str(ALICE), "--db", str(db))
        group = Conversation.group(int(printed.splitlines()[-1]))
        assert code == 0
        assert [r.conversation for r in await service.rooms.rooms_of(ALICE)] == [group]
        assert (await cli("group", "add", str(group.number), str(BOB), "--db", str(db)))[0] == 0
        # a member's invitation (the service's rule) right after the command line's change
        assert await service.rooms.invite(BOB, group, [ALICE]) == []
        assert [m.uin for m in await service.rooms.members(ALICE, group)] == [ALICE, BOB]
        assert (await cli("buddy", "mark", str(ALICE), str(BOB), "B", "--db", str(db)))[0] == 0
        assert await store.remarks(ALICE) == {BOB: "B"}

        # the server keeps a QR sign-in; the command line lists and approves it
        await store.add_web_login("ABCD2345", 777)
        code, printed, _ = await cli("web-login", "list", "--db", str(db))
        assert code == 0 and printed.startswith("ABCD2345\t777\t")
        assert (await cli("web-login", "approve", "ABCD2345", str(CAROL), "--db", str(db)))[0] == 0
        login = await store.web_login(777)
        assert login is not None and (login.state, login.uin) == ("approved", CAROL)
    finally:
        await server.stop()


async def test_the_command_line_writes_beside_a_serve_process(tmp_path: Path) -> None:
    """``serve`` and the command line as two processes writing one SQLite file at once."""
    db = tmp_path / "s.sqlite3"
    await asyncio.to_thread(store_accounts, db, [ALICE, BOB, CAROL])
    server = await asyncio.to_thread(ServerProcess(db).start)
    try:
        alice, bob = Raw(server.url, ALICE), Raw(server.url, BOB)
        assert b"RES=0" in await alice.login() and b"RES=0" in await bob.login()
        sent = 0

        async def chatter() -> None:
            """The server writes (queues messages) all along, within the 10-in-10 s limit."""
            nonlocal sent
            for sender, to in itertools.cycle(((alice, BOB), (bob, ALICE))):
                reply = await sender.send("CLTMSG", UN=to, MG=f"m{sent}")
                assert b"RES=0" in reply
                sent += 1
                await asyncio.sleep(0.5)

        talking = asyncio.create_task(chatter())
        await wait_until(lambda: sent > 0)
        done = await asyncio.gather(
            cli("group", "create", "g", "--owner", str(ALICE), "--db", str(db)),
            cli("discussion", "create", "d", str(BOB), str(CAROL), "--db", str(db)),
            cli("buddy", "add", str(ALICE), str(CAROL), "--db", str(db)),
        )
        assert [code for code, _, _ in done] == [0, 0, 0], done
        # (the group and the discussion share one number sequence and were made at
        # once: either may have the first number, so take the one printed)
        group = done[0][1].splitlines()[-1]
        assert (await cli("group", "add", group, str(BOB), "--db", str(db)))[0] == 0
        talking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await talking
        received = await bob.send("GetMsgEx")
        assert b"RES=0" in received and b"m0" in received
    finally:
        await asyncio.to_thread(server.stop)
    code, printed, _ = await cli("group", "list", "--db", str(db))
    assert code == 0
    assert printed.splitlines() == [f"{group}\t10001\t10001,10002\tg"]
    store = SqliteStore(db)
    try:
        rooms = [r.conversation for r in await store.rooms_of(CAROL)]
        assert len(rooms) == 1 and rooms[0].kind.value == "discussion"
        assert await store.buddies(ALICE) == [CAROL]
    finally:
        await asyncio.to_thread(store.close)
