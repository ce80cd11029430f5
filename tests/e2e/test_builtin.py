"""The built-in server: start, stop, store location, port fallback, LAN flag, accounts."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qqdesk import builtin
from qqdesk.builtin import STORE_NAME, BuiltinServer
from qqdesk.client.events import MessageReceived
from qqdesk.protocol.classic import MIN_UIN
from qqdesk.server import QQServer

from .conftest import EventLog, NewSession


async def test_start_create_account_login_stop(tmp_path: Path, new_session: NewSession) -> None:
    server = await BuiltinServer.start(tmp_path / "srv", port=0)
    try:
        assert server.port > 0 and not server.port_changed and server.notice == ""
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.address == f"127.0.0.1:{server.port}"
        assert server.host == "127.0.0.1" and not server.lan and server.lan_urls == []
        uin = server.create_account("secret", "Tester 测试")
        assert uin >= MIN_UIN
        async with new_session(server.url, uin, "secret") as session:
            await session.logout()
    finally:
        await server.stop()
    await server.stop()  # a second stop does nothing
    assert (tmp_path / "srv" / STORE_NAME).exists()


async def test_accounts_survive_a_restart(tmp_path: Path, new_session: NewSession) -> None:
    async with await BuiltinServer.start(tmp_path, port=0) as server:
        uin = server.create_account("pw-1", "Keeper 保存", uin=20001)
        assert uin == 20001
    async with (
        await BuiltinServer.start(tmp_path, port=0) as server,
        new_session(server.url, uin, "pw-1") as session,
    ):
        await session.logout()


async def test_default_store_lives_in_the_user_data_folder(private_data_home: Path) -> None:
    async with await BuiltinServer.start(port=0) as server:
        assert server.data_dir == private_data_home / "qqdesk"
    assert (private_data_home / "qqdesk" / STORE_NAME).exists()


async def test_taken_port_falls_back_to_a_free_one(tmp_path: Path, new_session: NewSession) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        async with await BuiltinServer.start(tmp_path, port=taken) as server:
            assert server.port != taken and server.port > 0
            assert server.requested_port == taken and server.port_changed
            assert str(taken) in server.notice and str(server.port) in server.notice
            assert "端口" in server.notice and "Port" in server.notice
            uin = server.create_account("pw", "Fallback")
            async with new_session(server.url, uin, "pw") as session:
                await session.logout()


async def test_lan_flag_listens_on_every_interface(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert builtin.bind_host(False) == "127.0.0.1"
    assert builtin.bind_host(True) == "0.0.0.0"
    asked: list[str] = []
    original = QQServer.start

    async def loopback_start(self: QQServer, host: str, port: int) -> Any:
        # Record the host the LAN flag chose, but never expose a test server.
        asked.append(host)
        return await original(self, "127.0.0.1", port)

    monkeypatch.setattr(QQServer, "start", loopback_start)
    async with await BuiltinServer.start(tmp_path, lan=True, port=0) as server:
        assert asked == ["0.0.0.0"]
        assert server.host == "0.0.0.0" and server.lan
        # This machine's own client still goes through loopback.
        assert server.url.startswith("http://127.0.0.1:")
        assert all(u.endswith(f":{server.port}") for u in server.lan_urls)


async def test_two_accounts_chat_on_the_built_in_server(
    tmp_path: Path, new_session: NewSession, event_log: Callable[[Any], EventLog]
) -> None:
    async with await BuiltinServer.start(tmp_path, port=0) as server:
        alice = server.create_account("a", "Alice 爱丽丝")
        bob = server.create_account("b", "Bob 小明")
        assert alice != bob
        async with (
            new_session(server.url, alice, "a") as a,
            new_session(server.url, bob, "b") as b,
        ):
            log = event_log(b)
            await a.send_message(bob, "你好, Bob!\nline two")
            got = await log.wait_for(MessageReceived, lambda e: e.sender == alice)
            assert got.text == "你好, Bob!\nline two"
