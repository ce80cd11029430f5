"""The real ``qqdesk-server`` command line: account management, errors, serve and signals."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qqdesk.server import SqliteStore
from qqdesk.server.cli import build_parser, main, serve_limits
from qqdesk.server.http import Limits
from tests.support.servers import ROOT
from tests.support.wire import free_port, port_accepts


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "qqdesk.server", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=30,
    )


def test_useradd_setinfo_buddy_list_passwd(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert (
        main(
            [
                "useradd",
                "10001",
                "--password",
                "pw",
                "--nick",
                "微程",
                "--auth",
                "1",
                "--face",
                "270",
                "--db",
                db,
            ]
        )
        == 0
    )
    assert main(["useradd", "10002", "--password", "pw", "--db", db]) == 0
    assert main(["setinfo", "10001", "PV=云南省", "AG=28", "PR=a,b&c", "sx=1", "--db", db]) == 0
    assert main(["buddy", "add", "10001", "10002", "--db", db]) == 0
    assert main(["passwd", "10002", "--password", "new", "--db", db]) == 0
    capsys.readouterr()
    assert main(["list", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == ["10001\t1\t270\t微程", "10002\t0\t0\t"]
    store = SqliteStore(db, reads_on_loop=True)
    account = asyncio.run(store.account(10001))
    assert account is not None
    assert (account.profile.province, account.profile.age, account.profile.intro) == (
        "云南省",
        28,
        "a,b&c",
    )
    assert int(account.profile.sex) == 1
    assert asyncio.run(store.buddies(10001)) == [10002]
    assert main(["buddy", "del", "10001", "10002", "--db", db]) == 0
    assert asyncio.run(store.buddies(10001)) == []
    store.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["useradd", "99", "--password", "pw"], "'99' is not a QQ number"),
        (["useradd", "10001"], "--password"),
        (["useradd", "10001", "--password", "pw", "--auth", "2"], "invalid choice"),
        (["useradd", "10001", "--password", ""], "password must not be empty"),
        (["setinfo", "10001", "XX=1"], "KEY one of"),
        (["setinfo", "10001", "NK"], "expected KEY=VALUE"),
        (["setinfo", "10009", "NK=x"], "no account 10009"),
        (["setinfo", "10001", "AG=old"], "bad value"),
        (["setinfo", "10001", "BT=9"], "bad value"),
        (["buddy", "add", "10001", "10009"], "no account 10009"),
        (["buddy", "move", "10001", "10002"], "invalid choice"),
        (["passwd", "10009", "--password", "x"], "no account 10009"),
        (["serve", "--port", "70000"], "is not a port"),
        (["serve", "--idle-timeout", "-5"], "positive number of seconds"),
        (["serve", "--max-per-address", "0"], "positive whole number"),
        (["serve", "--max-connections", "x"], "positive whole number"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_wrong_arguments_give_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["useradd", "10001", "--password", "pw", "--db", db]) == 0
    capsys.readouterr()
    assert main([*argv, "--db", db] if argv and argv[0] != "frobnicate" else argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("qqdesk-server: error: ") and message in err
    assert err.count("\n") == 1


def test_serve_takes_connection_limits() -> None:
    args = build_parser().parse_args(["serve", "--max-connections", "50"])
    assert serve_limits(args) == Limits(max_connections=50, max_per_address=256)
    args = build_parser().parse_args(["serve", "--max-per-address", "7"])
    assert serve_limits(args) == Limits(max_connections=1024, max_per_address=7)


def test_existing_account_and_bad_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["useradd", "10001", "--password", "pw", "--db", db]) == 0
    assert main(["useradd", "10001", "--password", "pw", "--db", db]) == 2
    assert "already exists" in capsys.readouterr().err
    (tmp_path / "junk").write_bytes(b"not sqlite" * 500)
    assert main(["list", "--db", str(tmp_path / "junk")]) == 2
    assert "cannot open store" in capsys.readouterr().err
    assert main(["list", "--db", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_passwd_prompts_twice(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["useradd", "10001", "--password", "pw", "--db", db]) == 0
    # getpass falls back to stdin without a terminal
    result = run("passwd", "10001", "--db", db, stdin="one\ntwo\n")
    assert result.returncode == 2 and "the passwords differ" in result.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = run("serve", "--port", str(port), "--db", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        f"qqdesk-server: error: port {port} on 127.0.0.1 is already in use"
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_logs_listening_and_stops_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qqdesk.server",
            "serve",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "s.sqlite3"),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while not port_accepts(port):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(sig)
        assert proc.wait(15) == 0
        err = proc.stderr.read() if proc.stderr else ""
        assert f"qqdesk-server listening on 127.0.0.1:{port}" in err and "stopped" in err
        assert len(err.strip().splitlines()) == 2  # listening, stopped
        assert not port_accepts(port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
