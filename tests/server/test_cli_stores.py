"""The command line on either store: --store URL on every subcommand, and migrate."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qqdesk.server.cli import main
from tests.support.servers import ROOT
from tests.support.wire import free_port, port_accepts, post

LOGIN_CODE = "9326B87B234E7235"


def populate(*where: str) -> None:
    for uin, nick in ((10001, "微程"), (10002, "Bob"), (10003, "Carol")):
        assert main(["useradd", str(uin), "--password", "pw", "--nick", nick, *where]) == 0
    assert main(["setinfo", "10001", "PV=云南省", "AG=28", *where]) == 0
    assert main(["buddy", "add", "10001", "10002", *where]) == 0
    assert main(["buddy", "add", "10001", "10003", *where]) == 0


def listing(capsys: pytest.CaptureFixture[str], *where: str) -> str:
    capsys.readouterr()
    assert main(["list", *where]) == 0
    return capsys.readouterr().out


def test_every_subcommand_takes_a_postgresql_store(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # an empty database: the schema is made when the store opens, no set-up step
    populate("--store", postgres_url)
    out = listing(capsys, "--store", postgres_url)
    assert out.splitlines() == ["10001\t0\t0\t微程", "10002\t0\t0\tBob", "10003\t0\t0\tCarol"]
    assert main(["passwd", "10002", "--password", "new", "--store", postgres_url]) == 0
    assert main(["buddy", "del", "10001", "10003", "--store", postgres_url]) == 0


def test_sqlite_colon_path_is_the_same_as_db(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.sqlite3"
    populate("--db", str(db))
    assert listing(capsys, "--store", f"sqlite:{db}") == listing(capsys, "--db", str(db))


def test_db_and_store_together_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["list", "--db", str(tmp_path / "a"), "--store", "sqlite:b"])
    assert code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_migrate_moves_a_home_store_to_postgresql(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "home.sqlite3"
    populate("--db", str(db))
    before = listing(capsys, "--db", str(db))
    assert main(["migrate", "--from", f"sqlite:{db}", "--to", postgres_url]) == 0
    report = capsys.readouterr().out
    assert "3 accounts, 2 buddies" in report
    assert ":pw@" not in report  # no password in what is printed
    assert listing(capsys, "--store", postgres_url) == before
    # a second run finds the target full and changes nothing
    assert main(["migrate", "--from", f"sqlite:{db}", "--to", postgres_url]) == 2
    assert "not empty" in capsys.readouterr().err
    assert listing(capsys, "--store", postgres_url) == before


async def test_serve_on_postgresql_signs_a_user_in(postgres_url: str) -> None:
    useradd = ["useradd", "10001", "--password", "pw", "--store", postgres_url]
    assert await asyncio.to_thread(main, useradd) == 0
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = ["serve", "--port", str(port), "--store", postgres_url]
    proc = subprocess.Popen(
        [sys.executable, "-m", "qqdesk.server", *args], stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 30
        while not port_accepts(port):
            assert proc.poll() is None and time.monotonic() < deadline
            await asyncio.sleep(0.05)
        pw = hashlib.md5(b"pw").hexdigest()
        body = f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={pw}&M5=1&LC={LOGIN_CODE}".encode()
        status, _, reply = await post(f"http://127.0.0.1:{port}", body)
        assert status == 200
        assert reply.startswith(b"VER=1.1&CMD=Login&SEQ=1&UIN=10001&RES=0&RS=0")
    finally:
        proc.terminate()
        assert proc.wait(15) == 0
        err = proc.stderr.read() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    assert f"listening on 127.0.0.1:{port} (store postgresql://" in err
