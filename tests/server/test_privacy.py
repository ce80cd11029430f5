"""Profile privacy: each user chooses who sees their mobile, real name, address and phone
(everyone, buddies, nobody); GetInfo honours it for everyone but the owner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qqdesk.core import Audience, AuthMode, Profile, ProfilePrivacy
from qqdesk.server import QQServer, SqliteStore
from qqdesk.server.cli import main

from .conftest import AnyStore, Raw, fields

PRIVATE = {"MO": "13800138000", "RN": "刘X", "AD": "云南昆明", "PH": "0871-6466529"}


@pytest.fixture
async def carol(live: QQServer) -> Raw:
    """A stranger: on nobody's buddy list."""
    await live.async_admin.create_account(10003, "pw", nick="Carol")
    client = Raw(live.url, 10003)
    assert b"RES=0&RS=0" in await client.login()
    return client


async def _private(client: Raw, of: int, level: int = 3) -> dict[str, str]:
    got = fields(await client.send("GetInfo", LV=level, UN=of))
    return {k: got[k] for k in PRIVATE if k in got}


async def test_getinfo_shows_each_field_to_whom_its_owner_chose(
    live: QQServer, alice: Raw, bob: Raw, carol: Raw
) -> None:
    await live.async_admin.set_profile(
        10001, mobile=PRIVATE["MO"], real_name=PRIVATE["RN"], address=PRIVATE["AD"],
        phone=PRIVATE["PH"],
    )  # fmt: skip
    # by default everyone sees everything, as before the choice existed
    assert await _private(carol, 10001) == PRIVATE
    reply = await alice.send("Privacy", MO=2, PH=1, AD=1)
    assert reply.endswith(b"&RES=0&MO=2&RN=0&AD=1&PH=1")
    # Bob is on Alice's buddy list; Carol is not
    assert await _private(bob, 10001) == {**PRIVATE, "MO": ""}
    assert await _private(carol, 10001) == {**PRIVATE, "MO": "", "AD": "", "PH": ""}
    assert await _private(alice, 10001) == PRIVATE  # the owner sees it all
    # level 2 carries AD, PH and RN: the same rule; the key order is unchanged
    two = (await carol.send("GetInfo", LV=2, UN=10001)).decode()
    assert "&AD=&AG=" in two and "&PH=&PR=" in two and f"&RN={PRIVATE['RN']}&" in two


async def test_privacy_reads_and_sets_only_what_is_given(alice: Raw) -> None:
    assert (await alice.send("Privacy")).endswith(b"&RES=0&MO=0&RN=0&AD=0&PH=0")
    await alice.send("Privacy", RN=2)
    assert (await alice.send("Privacy", PH=1)).endswith(b"&RES=0&MO=0&RN=2&AD=0&PH=1")
    assert await alice.send("Privacy", MO=3) == b""  # no such audience: NULL
    assert (await alice.send("Privacy")).endswith(b"&RES=0&MO=0&RN=2&AD=0&PH=1")


async def test_privacy_needs_a_session(live: QQServer) -> None:
    assert (await Raw(live.url, 10001).send("Privacy", MO=2)).endswith(b"&RES=20")


async def test_the_store_keeps_the_choice(store: AnyStore) -> None:
    await store.create_account(10001, "h", Profile(10001), AuthMode.ANYONE, True)
    assert await store.privacy(10001) == ProfilePrivacy()
    chosen = ProfilePrivacy(real_name=Audience.BUDDIES, phone=Audience.NOBODY)
    assert await store.set_privacy(10001, chosen)
    assert await store.privacy(10001) == chosen
    assert await store.privacy(10009) is None
    assert not await store.set_privacy(10009, chosen)


def test_setinfo_sets_who_sees_the_private_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["useradd", "10001", "--password", "pw", "--db", db]) == 0
    assert main(["setinfo", "10001", "MO=138", "--show-mobile", "nobody", "--db", db]) == 0
    assert main(["setinfo", "10001", "--show-real-name", "buddies", "--db", db]) == 0
    assert main(["setinfo", "10001", "--show-phone", "sometimes", "--db", db]) == 2
    assert main(["setinfo", "10001", "--db", db]) == 2  # nothing to set
    assert main(["setinfo", "10009", "--show-phone", "nobody", "--db", db]) == 2

    async def read() -> ProfilePrivacy | None:
        store = SqliteStore(db)
        try:
            return await store.privacy(10001)
        finally:
            await asyncio.to_thread(store.close)

    assert asyncio.run(read()) == ProfilePrivacy(mobile=Audience.NOBODY, real_name=Audience.BUDDIES)
