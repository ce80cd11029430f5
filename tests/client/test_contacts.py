"""Remarks, categories and the bulk buddy listing, through AccountSession against the real
server (and the fallback against a legacy one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qqdesk.client import AccountSession, Buddy, NoSuchUser, Presence, RequestRefused
from qqdesk.client.links import classic
from qqdesk.core import Category, Profile
from qqdesk.protocol.classic import MAX_LIST_EX_PAGE
from qqdesk.server import QQServer, SqliteStore
from tests.support.servers import TEST_SCRYPT_N

from .conftest import ALICE, BOB, CAROL, VERA
from .scripted import ScriptedServer

pytestmark = pytest.mark.timeout(30)

NewSession = Callable[..., AccountSession]


async def test_sign_in_lists_every_buddy_in_bulk_with_remarks_and_categories(
    real: QQServer, new_session: NewSession
) -> None:
    bob = new_session(real.url, BOB, "bob-pw")
    await bob.login()
    await bob.set_status(Presence.BUSY)
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    assert alice.link.lists_in_bulk
    asked: list[int] = []
    profile = alice.profile

    async def counted(uin: int, level: int = 3) -> Profile:
        asked.append(uin)
        return await profile(uin, level)

    alice.profile = counted  # type: ignore[method-assign]
    early: list[list[Buddy]] = []
    listed = await alice.buddies(partial=early.append)
    # offline Carol's nickname came with the list: no GetInfo, nothing partial
    assert listed == [
        Buddy(BOB, "Bob 小明", 270, Presence.BUSY),
        Buddy(CAROL, "Carol, Esq.", 0, Presence.OFFLINE),
    ]
    assert asked == [] and early == []
    assert alice.cached_buddies() == [
        Buddy(BOB, "Bob 小明", 270, Presence.BUSY),
        Buddy(CAROL, "Carol, Esq.", 0, Presence.OFFLINE),
    ]
    # remarks and categories show in the next listing
    assert await alice.set_remark(CAROL, " 卡罗尔 ") == "卡罗尔"
    classmates = await alice.create_category("同学")
    assert classmates == Category(1, "同学")
    await alice.move_buddy(CAROL, classmates.index)
    listed = await alice.buddies()
    assert [(b.uin, b.remark, b.category) for b in listed] == [(BOB, "", 0), (CAROL, "卡罗尔", 1)]
    # kept for the next start, with the categories' names
    assert alice.cached_buddies() == listed
    assert await alice.categories() == [Category(0), classmates]
    assert alice.cached_categories() == [Category(0), classmates]
    await bob.logout()
    await alice.logout()


async def test_categories_through_the_session(real: QQServer, new_session: NewSession) -> None:
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    assert await alice.categories() == [Category(0)]
    family = await alice.create_category("家人")
    work = await alice.create_category("  同事\n ")
    assert work == Category(2, "同事")
    assert await alice.order_categories([work.index, family.index]) == [
        Category(0),
        work,
        family,
    ]
    renamed = await alice.rename_category(0, "好友")
    assert renamed[0] == Category(0, "好友")
    await alice.move_buddy(BOB, family.index)
    assert await alice.delete_category(family.index) == [Category(0, "好友"), work]
    assert {b.uin: b.category for b in await alice.buddies()} == {BOB: 0, CAROL: 0}
    # only buddies get remarks and categories
    with pytest.raises(NoSuchUser):
        await alice.set_remark(VERA, "v")
    with pytest.raises(NoSuchUser):
        await alice.move_buddy(VERA, work.index)
    await alice.logout()


async def test_a_legacy_server_gets_list_and_getinfo(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    scripted.buddies = [10002]
    scripted.profiles[10002] = "LV=1&UN=10002&NK=Bob"
    alice = new_session(scripted.url, 10001, "pw")
    await alice.login()
    assert not alice.link.lists_in_bulk
    assert [(b.uin, b.nick) for b in await alice.buddies()] == [(10002, "Bob")]
    assert "LISTEX" not in {entry.get("CMD", "").upper() for entry in scripted.log}
    assert await alice.categories() == [Category(0)]  # only the default one there
    with pytest.raises(RequestRefused):  # the legacy server answers NULL
        await alice.set_remark(10002, "b")
    await alice.logout()


@pytest.mark.parametrize("asked_page", [MAX_LIST_EX_PAGE, MAX_LIST_EX_PAGE + 200])
async def test_a_long_list_comes_in_pages_two_at_a_time_in_list_order(
    tmp_path: Path,
    new_session: NewSession,
    monkeypatch: pytest.MonkeyPatch,
    asked_page: int,
) -> None:
    """1,234 buddies: after the first page two pages are asked at a time, the list is
    whole and in the server's order, and at most one request more than the pages is
    made. Asking for more than the server sends (its pages then come short) leaves
    gaps the client fills."""
    monkeypatch.setattr(classic, "MAX_LIST_EX_PAGE", asked_page)
    server = QQServer(SqliteStore(tmp_path / "server.sqlite3"), scrypt_n=TEST_SCRYPT_N)
    await server.async_admin.create_account(ALICE, "alice-pw", nick="Alice")
    buddies = [30_000 + (i * 7) % 1234 for i in range(1234)]
    for uin in buddies:
        await server.async_admin.create_account(uin, "pw", nick=f"好友 {uin}", face=uin % 100)
        await server.async_admin.add_buddy(ALICE, uin)
    await server.start("127.0.0.1", 0)
    alice = new_session(server.url, ALICE, "alice-pw")
    try:
        await alice.login()
        offsets: list[int] = []
        in_flight, most = 0, 0
        page = alice.link._buddy_page

        async def counted(offset: int) -> Any:
            nonlocal in_flight, most
            offsets.append(offset)
            in_flight += 1
            most = max(most, in_flight)
            try:
                return await page(offset)
            finally:
                in_flight -= 1

        monkeypatch.setattr(alice.link, "_buddy_page", counted)
        listed = await alice.buddies()
        assert [b.uin for b in listed] == await alice.link.buddy_numbers()
        assert sorted(b.uin for b in listed) == sorted(buddies)
        assert all(b.nick == f"好友 {b.uin}" and b.face == b.uin % 100 for b in listed)
        pages = -(-1234 // MAX_LIST_EX_PAGE)  # the server sends at most 500
        # (a wrong guess is given up as the next pages are asked: a moment of three)
        assert most == (2 if asked_page == MAX_LIST_EX_PAGE else 3)
        assert len(offsets) <= pages + (1 if asked_page == MAX_LIST_EX_PAGE else pages)
        assert offsets[:2] == [0, MAX_LIST_EX_PAGE]
    finally:
        await alice.close()
        await server.stop()
