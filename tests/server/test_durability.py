"""Nothing acknowledged is lost: restarts on the same file, and kill -9 of a server process."""

from __future__ import annotations

import asyncio
from pathlib import Path

from qqdesk.server.cli import main as cli_main
from tests.support.servers import ServerProcess, ServerThread

from .conftest import MakeServer, Raw, fields


async def test_offline_message_survives_a_restart(tmp_path: Path, make_server: MakeServer) -> None:
    db = tmp_path / "same.sqlite3"
    first = await make_server(db)
    first.admin.create_account(10001, "pw")
    first.admin.create_account(10002, "pw")
    alice = Raw(first.url, 10001)
    await alice.login()
    assert (await alice.send("CLTMSG", UN=10002, MG="while you were away, 你好")).endswith(
        b"&RES=0&"
    )
    await first.stop()
    second = await make_server(db)
    bob = Raw(second.url, 10002)
    await bob.login()
    got = fields(await bob.send("GetMsgEx"))
    assert (got["MN"], got["UN"], got["MG"]) == (
        "1",
        "10001,",
        "while you were away, 你好,".replace(",", "%2c", 1),
    )


def test_kill_9_after_an_acknowledged_message_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "proc.sqlite3"
    assert cli_main(["useradd", "10001", "--password", "pw", "--db", str(db)]) == 0
    assert cli_main(["useradd", "10002", "--password", "pw", "--db", str(db)]) == 0
    proc = ServerProcess(db)
    try:
        proc.start()

        async def send() -> None:
            alice = Raw(proc.url, 10001)
            await alice.login()
            for i in range(5):
                reply = await alice.send("CLTMSG", UN=10002, MG=f"durable {i}")
                assert reply.endswith(b"&RES=0&")

        asyncio.run(send())
        proc.kill()  # SIGKILL right after the acknowledgements
        proc.start()

        async def receive() -> dict[str, str]:
            bob = Raw(proc.url, 10002)
            await bob.login()
            return fields(await bob.send("GetMsgEx"))

        got = asyncio.run(receive())
        assert got["MN"] == "5"
        assert got["MG"] == "".join(f"durable {i}," for i in range(5))
    finally:
        proc.stop()
    assert proc.process is None


def test_server_thread_helpers(tmp_path: Path) -> None:
    with ServerThread(db_path=tmp_path / "t.sqlite3") as st:
        assert st.url == f"http://127.0.0.1:{st.port}/"
        assert st.create_account(None, "pw", "Nick") == 10000
        assert st.create_account(10005, "pw", nick="Five", auth=1, face=3, province="湖南") == 10005
        st.add_buddy(10000, 10005)

        async def check() -> bytes:
            raw = Raw(st.url, 10000)
            await raw.login()
            return await raw.send("Query_Stat", TN=10, UN=0)

        assert asyncio.run(check()).endswith(b"&RES=0&FC=&FN=1&SN=0&ST=&UN=&NK=")
        assert st.server.admin.account(10005).profile.province == "湖南"  # type: ignore[union-attr]
    st.stop()  # twice is fine
