"""Acknowledged web delivery (the ack extension) loses nothing to kill -9 of the server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from qqdesk.server.cli import main as cli_main
from tests.server.conftest import Raw
from tests.server.smartqq_web import Web
from tests.support.servers import ServerProcess


def test_kill_9_with_acknowledged_web_delivery_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "web.sqlite3"
    for uin in ("10001", "10002"):
        assert cli_main(["useradd", uin, "--password", "pw", "--db", str(db)]) == 0
    proc = ServerProcess(db)
    try:
        proc.start()

        async def first_life() -> tuple[list[str], int]:
            bob = Web(url=proc.url)
            await bob.password_sign_in(10002, ack=True, plain_ids=True)
            alice = Raw(proc.url, 10001)
            await alice.login()
            for n in range(5):
                assert (await alice.send("CLTMSG", UN=10002, MG=f"m{n}")).endswith(b"&RES=0&")
            kept: list[str] = []
            ids: list[int] = []
            while len(kept) < 5:
                for event in (await bob.poll(ack=0))["result"]:
                    if event["value"]["msg_id"] not in ids:
                        ids.append(event["value"]["msg_id"])
                        kept.append(event["value"]["content"][1])
            # three are acknowledged (the answer brings the other two again), then the
            # crash: as if the client had kept only those three
            again = await bob.poll(ack=ids[2])
            assert [e["value"]["msg_id"] for e in again["result"]] == ids[3:]
            return kept, ids[2]

        kept, acked = asyncio.run(first_life())
        assert kept == [f"m{n}" for n in range(5)]
        proc.kill()  # SIGKILL: nothing more was acknowledged
        proc.start()

        async def second_life() -> list[str]:
            bob = Web(url=proc.url)
            await bob.password_sign_in(10002, ack=True, plain_ids=True)
            reply = await bob.poll(ack=acked)
            return [e["value"]["content"][1] for e in reply["result"]]

        # what was not acknowledged comes again, nothing acknowledged is repeated
        assert asyncio.run(second_life()) == ["m3", "m4"]
    finally:
        proc.stop()
