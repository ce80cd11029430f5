"""The own-account extensions on the real server: SetInfo changes one's own profile (and
what buddies see), SetPassword changes the password, throttled as Login."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from qqdesk.core import MAX_NICK
from qqdesk.server import QQServer

from .conftest import FAST_SCRYPT, FakeClock, Raw, StoreOpener, fields, md5


async def test_setinfo_changes_what_buddies_and_i_see(live: QQServer, alice: Raw, bob: Raw) -> None:
    reply = await alice.send("SetInfo", NK="爱丽丝 & co", FC=33, AG=30, PR="line one\nline two")
    assert reply == b"VER=1.1&CMD=SETINFO&SEQ=%d&UIN=10001&RES=0" % alice.seq
    # Bob's next Query_Stat and GetInfo show the new nickname and face
    online = fields(await bob.send("Query_Stat", TN=10, UN=0))
    assert (online["NK"], online["FC"]) == ("爱丽丝 %26 co,", "33,")
    card = fields(await bob.send("GetInfo", LV=3, UN=10001))
    assert (card["NK"], card["FC"], card["AG"], card["PR"]) == (
        "爱丽丝 %26 co", "33", "30", "line one%0aline two"
    )  # fmt: skip
    # the fields not given stay, and the store keeps the change
    account = await live.async_admin.account(10001)
    assert account is not None
    assert (account.profile.nick, account.profile.sex, account.profile.intro) == (
        "爱丽丝 & co", 0, "line one\nline two"
    )  # fmt: skip
    # and the next Login says the new nickname and face
    again = await Raw(live.url, 10001).login()
    assert "&NK=爱丽丝 %26 co&FC=33".encode() in again


@pytest.mark.parametrize(
    "bad", [{"NK": "x" * (MAX_NICK + 1)}, {"NK": " "}, {"FC": 300}, {"SX": 3}, {"UN": 10002}]
)
async def test_setinfo_refuses_bad_values_with_null(
    live: QQServer, alice: Raw, bad: dict[str, object]
) -> None:
    assert await alice.send("SetInfo", "1.1", **bad) == b""
    account = await live.async_admin.account(10001)
    assert account is not None and account.profile.nick == "Alice"


async def test_setinfo_needs_a_session(live: QQServer) -> None:
    assert (await Raw(live.url, 10001).send("SetInfo", NK="x")).endswith(b"&RES=20")


async def test_setinfo_is_rate_limited(live: QQServer, alice: Raw, clock: FakeClock) -> None:
    for n in range(10):
        assert (await alice.send("SetInfo", AG=n)).endswith(b"&RES=0")
    assert (await alice.send("SetInfo", AG=99)).endswith(b"&RES=3")
    clock.advance(11)  # the window has passed, but the 20 s penalty has not
    assert (await alice.send("SetInfo", AG=99)).endswith(b"&RES=3")
    clock.advance(10)
    assert (await alice.send("SetInfo", AG=42)).endswith(b"&RES=0")
    account = await live.async_admin.account(10001)
    assert account is not None and account.profile.age == 42


async def test_setpassword_changes_the_password(live: QQServer, alice: Raw) -> None:
    reply = await alice.send("SetPassword", PS=md5("pw"), NP=md5("new secret"))
    assert reply.endswith(b"&CMD=SETPASSWORD&SEQ=%d&UIN=10001&RES=0&RS=0" % alice.seq)
    # this session goes on; the old password no longer signs in, the new one does
    assert (await alice.send("Query_Stat", TN=10, UN=0)).find(b"&RES=0") > 0
    assert b"RES=0&RS=1" in await Raw(live.url, 10001, source="127.0.0.2").login("pw")
    assert b"RES=0&RS=0" in await Raw(live.url, 10001).login("new secret")


async def test_a_wrong_old_password_counts_toward_the_login_throttle(
    live: QQServer, alice: Raw
) -> None:
    for _ in range(4):
        wrong = await alice.send("SetPassword", PS=md5("guess"), NP=md5("mine now"))
        assert wrong.endswith("&RES=0&RS=1&RA=密码错误".encode())
    # the fifth wrong guess fills the throttle (of this number from this address, which
    # signed in before: see Login): even the right old password, and a Login, get RES=3
    await alice.send("SetPassword", PS=md5("guess"), NP=md5("mine now"))
    assert (await alice.send("SetPassword", PS=md5("pw"), NP=md5("x" * 8))).endswith(b"&RES=3")
    assert (await Raw(live.url, 10001).login("pw")).endswith(b"&RES=3")


async def test_setpassword_refuses_what_is_not_md5(alice: Raw) -> None:
    assert await alice.send("SetPassword", PS=md5("pw"), NP="plain text") == b""
    assert await alice.send("SetPassword", NP=md5("pw")) == b""


async def test_setpassword_needs_a_session(live: QQServer) -> None:
    reply = await Raw(live.url, 10001).send("SetPassword", PS=md5("pw"), NP=md5("abcdef"))
    assert reply.endswith(b"&RES=20")


@pytest.fixture
async def on_any_store(stores: StoreOpener) -> AsyncIterator[QQServer]:
    """A server on SQLite or PostgreSQL (the test runs with each), Alice and Bob buddies."""
    server = QQServer(await stores(), scrypt_n=FAST_SCRYPT)
    await server.start("127.0.0.1", 0)
    await server.async_admin.create_account(10001, "pw", nick="Alice")
    await server.async_admin.create_account(10002, "pw", nick="Bob")
    await server.async_admin.add_buddy(10002, 10001)
    yield server
    await server.stop()


async def test_both_extensions_on_every_store(on_any_store: QQServer) -> None:
    alice, bob = Raw(on_any_store.url, 10001), Raw(on_any_store.url, 10002)
    assert b"RES=0&RS=0" in await alice.login()
    assert b"RES=0&RS=0" in await bob.login()
    assert (await alice.send("SetInfo", NK="Alicia", MO="138", SX=1)).endswith(b"&RES=0")
    card = fields(await bob.send("GetInfo", LV=3, UN=10001))
    assert (card["NK"], card["MO"], card["SX"]) == ("Alicia", "138", "1")
    assert fields(await bob.send("Query_Stat", TN=10, UN=0))["NK"] == "Alicia,"
    assert (await alice.send("SetPassword", PS=md5("pw"), NP=md5("s3cret!"))).endswith(b"RS=0")
    assert b"RES=0&RS=0" in await Raw(on_any_store.url, 10001).login("s3cret!")
