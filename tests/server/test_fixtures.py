"""The shared fixtures other packages use: ``server`` (this loop) and ``server_thread``."""

from __future__ import annotations

from typing import Any

from tests.support.wire import post

from .conftest import Raw


async def test_server_fixture_runs_in_this_loop(server: Any) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/"
    uin = await server.async_admin.create_account(None, "pw", nick="Fixture")
    assert b"RES=0&RS=0&HI=60&LI=300" in await Raw(server.url, uin).login()


async def test_server_thread_fixture(server_thread: Any) -> None:
    uin = server_thread.create_account(20000, "pw", nick="Thread", auth=1)
    assert uin == 20000
    status, _headers, body = await post(server_thread.url, b"VER=1.1&CMD=Logout&SEQ=1&UIN=20000")
    assert (status, body) == (200, b"VER=1.1&CMD=LOGOUT&SEQ=1&UIN=20000&RES=0")
