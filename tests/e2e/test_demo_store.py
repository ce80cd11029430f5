"""``qqdesk --demo`` keeps to its own folder and starts afresh on every run."""

from __future__ import annotations

from pathlib import Path

import pytest

from qqdesk.builtin import STORE_NAME
from qqdesk.client import NoSuchUser
from qqdesk.core import Presence
from qqdesk.demo import start_demo
from qqdesk.demo.data import ME

from .conftest import NewSession

SPEED = 20.0


async def test_demo_stays_out_of_the_real_store(
    private_data_home: Path, new_session: NewSession
) -> None:
    real = private_data_home / "qqdesk"
    first = await start_demo(speed=SPEED)
    try:
        assert first.data_dir == real / "demo"
        extra = first.server.create_account("x", "Leftover 剩下", uin=55555)
    finally:
        await first.stop()
    assert (real / "demo" / STORE_NAME).exists()
    assert not (real / STORE_NAME).exists()
    assert sorted(p.name for p in real.iterdir()) == ["demo"]
    # Every run starts afresh: the account made in the last run is gone.
    second = await start_demo(speed=SPEED)
    try:
        with pytest.raises(NoSuchUser):
            async with new_session(second.server_url, extra, "x"):
                pass
        assert second.uin == ME.uin
    finally:
        await second.stop()


async def test_demo_with_base_dir_touches_nothing_else(
    tmp_path: Path, private_data_home: Path
) -> None:
    async with await start_demo(tmp_path / "elsewhere", speed=SPEED) as running:
        assert running.data_dir == tmp_path / "elsewhere"
        assert len(running.bots) >= 8 and all(b.ready.is_set() for b in running.bots)
        session = await running.sign_in(Presence.BUSY)
        assert session.status is Presence.BUSY
        await session.close()
    assert running.history_path.parent == tmp_path / "elsewhere"
    assert running.history_path.exists()
    assert list(private_data_home.iterdir()) == []
