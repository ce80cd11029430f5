"""``python -m qqdesk.demo``: the demo world as a standalone server, for any client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qqdesk.demo import Demo
from qqdesk.demo.__main__ import build_parser, main, serve, welcome
from qqdesk.server import QQServer

from .conftest import NewSession


async def test_serves_until_stopped(
    tmp_path: Path,
    new_session: NewSession,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["--port", "0", "--dir", str(tmp_path), "--speed", "20", "--lan"]
    args = build_parser().parse_args(argv)
    asked: list[str] = []
    original = QQServer.start

    async def loopback_start(self: QQServer, host: str, port: int) -> None:
        asked.append(host)  # what --lan chose; the test server stays on loopback
        await original(self, "127.0.0.1", port)

    monkeypatch.setattr(QQServer, "start", loopback_start)
    stop = asyncio.Event()
    seen: list[Demo] = []
    task = asyncio.create_task(serve(args, stop=stop, on_ready=seen.append))
    async with asyncio.timeout(60):
        while not seen and not task.done():
            await asyncio.sleep(0.02)
    demo = seen[0]
    assert asked == ["0.0.0.0"] and demo.server.lan
    async with new_session(demo.server_url, demo.uin, demo.password) as session:
        assert len(await session.buddies()) >= 9
    stop.set()
    assert await asyncio.wait_for(task, 60) == 0
    out = capsys.readouterr().out
    assert demo.address in out and str(demo.uin) in out and "密码" in out
    assert welcome(demo).splitlines()[0] in out


def test_defaults_and_bad_speed(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args([])
    assert args.port == 8000 and args.dir is None and args.speed == 1.0 and not args.lan
    assert build_parser().parse_args(["--lan"]).lan
    assert main(["--speed", "0"]) == 2
    assert "--speed" in capsys.readouterr().err
