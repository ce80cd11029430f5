"""The contact extensions on the real server: Login's EX, ListEx, Remark and Category
(docs/protocol.md 4.16-4.18), and what the Smart QQ channel shows of them."""

from __future__ import annotations

from qqdesk.core import Presence
from qqdesk.protocol.classic import LOGIN_CODE
from qqdesk.server import QQServer
from tests.server.conftest import FAST_SCRYPT, Raw, StoreOpener, fields, md5
from tests.server.smartqq_web import Web


async def test_login_lists_the_extensions_only_when_asked(live: QQServer) -> None:
    alice = Raw(live.url, 10001)
    plain = await alice.login()
    assert b"EX=" not in plain  # a legacy client's reply is as it was
    asked = await alice.send("Login", PS=md5("pw"), M5=1, LC=LOGIN_CODE, EX=1)
    assert asked.endswith(b"&EX=ListEx,Remark,Category,")


async def test_list_ex_pages_nicknames_faces_statuses_categories_remarks(
    live: QQServer, alice: Raw
) -> None:
    admin = live.async_admin
    for uin, nick in ((10003, "Carol, C&D"), (10004, "Dave")):
        await admin.create_account(uin, "pw", nick=nick, face=uin % 10)
        await admin.add_buddy(10001, uin)
    await admin.mark_buddy(10001, 10004, "老四")
    bob = Raw(live.url, 10002)
    await bob.login()
    await bob.send("Change_Stat", ST=30)
    head = alice.head("LISTEX")
    reply = (await alice.send("ListEx", TN=2, UN=0)).decode()
    assert reply == head + (
        "RES=0&FN=0&SN=2&UN=10002,10003,&NK=Bob 小明,Carol%2c C%26D,&FC=270,3,"
        "&ST=30,20,&CG=0,0,&RK=,,"
    )
    last = fields(await alice.send("ListEx", TN=2, UN=2))
    assert (last["FN"], last["UN"], last["RK"]) == ("1", "10004,", "老四,")
    # the page is bounded whatever is asked for; nothing past the end
    assert fields(await alice.send("ListEx", TN=100000))["SN"] == "3"
    assert fields(await alice.send("ListEx", UN=3))["SN"] == "0"
    assert await alice.send("ListEx", TN="-1") == b""  # not a number: NULL
    assert fields(await Raw(live.url, 10003).send("ListEx"))["RES"] == "20"  # not signed in


async def test_remarks_are_kept_for_buddies_only(live: QQServer, alice: Raw) -> None:
    reply = await alice.send("Remark", UN=10002, RK="  小明\n同学 ")
    assert reply.decode().endswith("&RES=0&UN=10002&RK=小明 同学")
    assert await live.service.store.remarks(10001) == {10002: "小明 同学"}
    long = fields(await alice.send("Remark", UN=10002, RK="长" * 100))
    assert long["RK"] == "长" * 32
    assert fields(await alice.send("Remark", UN=10002, RK=""))["RK"] == ""
    assert await live.service.store.remarks(10001) == {}
    await live.async_admin.create_account(10003, "pw")
    assert fields(await alice.send("Remark", UN=10003, RK="x"))["RES"] == "5"  # not a buddy
    assert await alice.send("Remark", UN=10002) == b""  # RK missing: NULL


async def test_categories_are_made_renamed_ordered_moved_and_deleted(
    live: QQServer, alice: Raw
) -> None:
    assert (await alice.send("Category")).endswith(b"&RES=0&CG=0,&NM=,")
    made = fields(await alice.send("Category", OP="add", NM="同学, 朋友"))
    assert (made["NI"], made["CG"], made["NM"]) == ("1", "0,1,", ",同学%2c 朋友,")
    assert fields(await alice.send("Category", OP="add", NM="家人"))["NI"] == "2"
    renamed = await alice.send("Category", OP="rename", CG=0, NM="好友")
    assert renamed.decode().endswith("&RES=0&CG=0,1,2,&NM=好友,同学%2c 朋友,家人,")
    ordered = fields(await alice.send("Category", OP="order", CG="2,1,"))
    assert ordered["CG"] == "0,2,1,"
    # an order that misses one changes nothing
    assert fields(await alice.send("Category", OP="order", CG="2,"))["CG"] == "0,2,1,"
    moved = await alice.send("Category", OP="move", UN=10002, CG=2)
    assert b"NI=" not in moved
    assert fields(await alice.send("ListEx"))["CG"] == "2,"
    await live.async_admin.create_account(10003, "pw")
    assert fields(await alice.send("Category", OP="move", UN=10003, CG=2))["RES"] == "5"
    # deleting one brings its buddies back to the default one, which stays
    await alice.send("Category", OP="delete", CG=2)
    assert fields(await alice.send("Category", OP="delete", CG=0))["CG"] == "0,1,"
    assert fields(await alice.send("ListEx"))["CG"] == "0,"
    # what the protocol refuses
    assert await alice.send("Category", OP="add", NM=" ") == b""
    assert await alice.send("Category", OP="explode") == b""
    assert await alice.send("Category", OP="order", CG="1,x,") == b""
    assert await alice.send("Category", OP="rename", NM="x") == b""  # CG missing


async def test_a_category_made_on_the_classic_side_shows_to_a_web_client(
    live: QQServer, alice: Raw
) -> None:
    await alice.send("Category", OP="add", NM="同学")
    await alice.send("Category", OP="add", NM="家人")
    await alice.send("Category", OP="order", CG="2,1,")
    await alice.send("Category", OP="move", UN=10002, CG=1)
    await alice.send("Remark", UN=10002, RK="小明同学")
    web = Web(live)
    assert (await web.sign_in(10001))["retcode"] == 0
    result = (await web.friends())["result"]
    [bob] = result["info"]
    assert result["categories"] == [
        {"index": 0, "sort": 0, "name": "我的好友"},
        {"index": 2, "sort": 1, "name": "家人"},
        {"index": 1, "sort": 2, "name": "同学"},
    ]
    assert result["friends"] == [{"flag": 0, "uin": bob["uin"], "categories": 1}]
    assert result["marknames"] == [{"uin": bob["uin"], "markname": "小明同学", "type": 0}]
    assert live.service.presence.visible(10002) is Presence.OFFLINE


async def test_the_extensions_on_either_store(stores: StoreOpener) -> None:
    """One sign-in's worth of the extensions on a server over SQLite, then PostgreSQL."""
    server = QQServer(await stores(), scrypt_n=FAST_SCRYPT)
    await server.start("127.0.0.1", 0)
    try:
        admin = server.async_admin
        for uin, nick in ((10001, "Alice"), (10002, "Bob"), (10003, "Carol")):
            await admin.create_account(uin, "pw", nick=nick, face=uin % 10)
        await admin.add_buddy(10001, 10002)
        await admin.add_buddy(10001, 10003)
        alice = Raw(server.url, 10001)
        login = await alice.send("Login", PS=md5("pw"), M5=1, LC=LOGIN_CODE, EX=1)
        assert login.endswith(b"&EX=ListEx,Remark,Category,")
        made = fields(await alice.send("Category", OP="add", NM="同学"))["NI"]
        await alice.send("Category", OP="move", UN=10003, CG=made)
        await alice.send("Remark", UN=10002, RK="老板")
        listed = fields(await alice.send("ListEx"))
        assert (listed["UN"], listed["NK"], listed["FC"]) == ("10002,10003,", "Bob,Carol,", "2,3,")
        assert (listed["CG"], listed["RK"], listed["FN"]) == (f"0,{made},", "老板,,", "1")
    finally:
        await server.stop()


async def test_a_page_of_long_nicknames_is_cut_to_its_byte_bound(
    live: QQServer, alice: Raw
) -> None:
    for uin in range(10003, 10013):
        await live.async_admin.create_account(uin, "pw", nick="长" * 20_000)
        await live.async_admin.add_buddy(10001, uin)
    first = await alice.send("ListEx", TN=500)
    page = fields(first)
    assert len(first) <= 256 * 1024 and page["FN"] == "0"
    count = int(page["SN"])
    assert 1 <= count < 11
    seen = count
    while page["FN"] == "0":
        page = fields(await alice.send("ListEx", TN=500, UN=seen))
        seen += int(page["SN"])
    assert seen == 11  # Bob and the ten, none lost between the pages
