"""Every request/reply example of the seeds, replayed through the live server on loopback."""

from __future__ import annotations

from typing import Any

from qqdesk.protocol.classic import LOGIN_CODE, AuthMode, BloodType, Constellation, Sex, Zodiac
from qqdesk.server import QQServer

from .conftest import Raw, fields, md5


async def test_login_success_is_exactly_the_seed_string_plus_extensions(live: QQServer) -> None:
    raw = Raw(live.url, 10001)
    raw.seq = 11280
    body = await raw.login()
    assert body == (
        b"VER=1.1&CMD=Login&SEQ=11281&UIN=10001&RES=0&RS=0&HI=60&LI=300&LP=55&NK=Alice&FC=0"
    )
    assert body.startswith(b"VER=1.1&CMD=Login&SEQ=11281&UIN=10001&RES=0&RS=0&HI=60&LI=300")


async def test_login_refusals(live: QQServer) -> None:
    raw = Raw(live.url, 10001)
    refused = await raw.login("wrong")
    assert refused == (f"VER=1.1&CMD=Login&SEQ={raw.seq}&UIN=10001&RES=0&RS=1&RA=密码错误".encode())
    assert (await Raw(live.url, 100).login()).endswith(b"&UIN=100&RES=5")
    assert (await Raw(live.url, 99999).login()).endswith(b"&UIN=99999&RES=5")
    # NULL: empty PS, wrong LC, UIN not digits
    assert await raw.send("Login", PS="", M5=1, LC=LOGIN_CODE) == b""
    assert await raw.send("Login", PS=md5("pw"), M5=1, LC="1223423545756679") == b""
    assert await Raw(live.url, 10001).send("Login", PS=md5("pw"), LC=LOGIN_CODE, ver="9") == b""
    upper = await raw.send("Login", PS=md5("pw").upper(), M5=1, LC=LOGIN_CODE)
    assert b"RES=0&RS=0&HI=60&LI=300" in upper


async def test_nick_is_left_out_of_the_login_reply_when_empty(live: QQServer) -> None:
    await live.async_admin.create_account(10003, "pw")
    body = await Raw(live.url, 10003).login()
    assert body.endswith(b"&RES=0&RS=0&HI=60&LI=300&LP=55&FC=0")


async def test_not_logged_in_gets_res_20_for_every_command(live: QQServer) -> None:
    raw = Raw(live.url, 10001)
    commands: list[tuple[str, dict[str, Any]]] = [
        ("List", {"TN": 160, "UN": 0}),
        ("Query_Stat", {"TN": 50, "UN": 0}),
        ("GetInfo", {"LV": 2, "UN": 10002}),
        ("AddToList", {"UN": 10002}),
        ("Ack_AddToList", {"UN": 10002, "CD": 2, "RS": "hi"}),
        ("DelFromList", {"UN": 10002}),
        ("Change_Stat", {"ST": 30}),
        ("GetMsgEx", {}),
        ("CLTMSG", {"UN": 10002, "MG": "hi"}),
        ("Finger", {"AG": 0, "SX": "", "PV": ""}),
    ]
    for cmd, extra in commands:
        body = await raw.send(cmd, **extra)
        assert body.endswith(b"&RES=20"), (cmd, body)
    assert (await raw.send("Logout")).endswith(b"CMD=LOGOUT&SEQ=%d&UIN=10001&RES=0" % raw.seq)


async def test_list_count_and_paging(live: QQServer, alice: Raw) -> None:
    for uin in range(20000, 20005):
        await live.async_admin.create_account(uin, "pw")
        await live.async_admin.add_buddy(10001, uin)
    assert (await alice.send("List")).endswith(b"CMD=LIST&SEQ=%d&UIN=10001&RES=0&FN=6" % alice.seq)
    assert (await alice.send("List", TN=0)).endswith(b"&RES=0&FN=6")
    page = await alice.send("List", TN=4, UN=0)
    assert page.endswith(b"&RES=0&FN=0&SN=4&UN=10002,20000,20001,20002,")
    page = await alice.send("List", TN=4, UN=4)
    assert page.endswith(b"&RES=0&FN=1&SN=2&UN=20003,20004,")
    page = await alice.send("List", TN=160, UN=0)
    assert page.endswith(b"&FN=1&SN=6&UN=10002,20000,20001,20002,20003,20004,")
    assert (await alice.send("List", TN=5, UN=6)).endswith(b"&RES=0&FN=1&SN=0&UN=")
    assert await alice.send("List", TN="abc") == b""
    assert await alice.send("List", TN=5, UN="x") == b""


async def test_query_stat_key_order_and_visibility(live: QQServer, alice: Raw, bob: Raw) -> None:
    await live.async_admin.create_account(10003, "pw", nick="Carol,&=")
    await live.async_admin.add_buddy(10001, 10003)
    carol = Raw(live.url, 10003)
    await carol.login()
    await carol.send("Change_Stat", ST=30)
    body = await alice.send("Query_Stat", TN=50, UN=0)
    assert (
        body
        == (
            f"VER=1.1&CMD=QUERY_STAT&SEQ={alice.seq}&UIN=10001&RES=0&FC=270,0,&FN=1&SN=2"
            "&ST=10,30,&UN=10002,10003,&NK=Bob 小明,Carol%2c%26%3d,"
        ).encode()
    )
    assert (await alice.send("Query_Stat")).endswith(b"&RES=0&FN=2")
    await carol.send("Change_Stat", ST=40)  # invisible counts as offline
    assert (await alice.send("Query_Stat", TN=0)).endswith(b"&RES=0&FN=1")
    await bob.send("Change_Stat", ST=20)
    assert (await alice.send("Query_Stat", TN=50, UN=0)).endswith(
        b"&RES=0&FC=&FN=1&SN=0&ST=&UN=&NK="
    )
    await bob.send("Change_Stat", ST=10)
    await carol.send("Change_Stat", ST=10)
    first = await alice.send("Query_Stat", TN=1, UN=0)
    assert first.endswith("&RES=0&FC=270,&FN=0&SN=1&ST=10,&UN=10002,&NK=Bob 小明,".encode())
    second = await alice.send("Query_Stat", TN=1, UN=1)
    assert second.endswith(b"&FN=1&SN=1&ST=10,&UN=10003,&NK=Carol%2c%26%3d,")


async def test_query_stat_entries_follow_sessions_and_are_pruned(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    """The front-end keeps each session's Query_Stat entry: a new session of the same
    number (a new face) is listed anew, and the entries of ended sessions go once the
    kept ones pass the limit."""
    live.classic.ENTRIES_MIN = live.classic._entries_limit = 2
    others = []
    for uin in (10003, 10004, 10005):
        await live.async_admin.create_account(uin, "pw", nick=f"n{uin}", face=uin % 100)
        await live.async_admin.add_buddy(10001, uin)
        other = Raw(live.url, uin)
        await other.login()
        others.append(other)
    listing = fields(await alice.send("Query_Stat", TN=50, UN=0))
    assert listing["UN"] == "10002,10003,10004,10005,"
    assert listing["FC"] == "270,3,4,5,"
    await others[0].send("Logout")
    await others[1].send("Logout")
    await live.async_admin.set_profile(10004, face=40)
    await others[1].login()  # a new session, with the new face
    listing = fields(await alice.send("Query_Stat", TN=50, UN=0))
    assert (listing["UN"], listing["FC"]) == ("10002,10004,10005,", "270,40,5,")
    assert set(live.classic._entries) == {10002, 10004, 10005}


FULL: dict[str, Any] = {
    "face": 270,
    "age": 0,
    "sex": Sex.MALE,
    "email": "wc@example.com",
    "homepage": "msger.org(建设中...)",
    "job": "程序员",
    "postcode": "650000",
    "phone": "0871-6466529",
    "intro": "网络为媒,关系为本,信息为财,客户为主.\r\n",
    "province": "云南省",
    "real_name": "刘X",
    "school": "社会大学",
    "address": "云南昆明",
    "blood_type": BloodType.O,
    "constellation": Constellation.LEO,
    "zodiac": Zodiac.DRAGON,
    "city": "昆明",
    "country": "中华人民共和国",
    "mobile": "136********",
    "cv": "1",
    "id_field": "-",
    "mt": "0",
    "mv": "",
}


async def test_get_info_levels_and_key_orders(live: QQServer, alice: Raw) -> None:
    await live.async_admin.create_account(24259132, "pw", nick="微程", **FULL)
    short = await alice.send("GetInfo", LV=0, UN=24259132)
    assert short.endswith(b"&RES=0&LV=0&UN=24259132&NK=" + "微程".encode())
    assert (await alice.send("GetInfo", LV=1, UN=24259132)).endswith(
        b"&LV=1&UN=24259132&NK=" + "微程".encode()
    )
    two = await alice.send("GetInfo", LV=2, UN=24259132)
    assert (
        two
        == (
            f"VER=1.1&CMD=GETINFO&SEQ={alice.seq}&UIN=10001&RES=0&AD=云南昆明&AG=0"
            "&EM=wc@example.com&FC=270&HP=msger.org(建设中...)&JB=程序员&LV=2&PC=650000"
            "&PH=0871-6466529&PR=网络为媒%2c关系为本%2c信息为财%2c客户为主.%0d%0a&PV=云南省"
            "&RN=刘X&SC=社会大学&SX=0&UN=24259132&NK=微程"
        ).encode()
    )
    three = await alice.send("GetInfo", LV=3, UN=24259132)
    keys = [part.split("=")[0] for part in three.decode().split("&")][5:]
    assert keys == (
        [
            "AD",
            "AG",
            "BT",
            "CO",
            "CT",
            "CV",
            "CY",
            "EM",
            "FC",
            "HP",
            "ID",
            "JB",
            "LV",
            "MO",
            "MT",
            "MV",
            "PC",
            "PH",
            "PR",
            "PV",
            "RN",
            "SC",
            "SH",
            "SX",
            "UN",
            "NK",
        ]
    )
    got = fields(three)
    assert (got["BT"], got["CO"], got["SH"], got["CY"], got["ID"]) == (
        "3",
        "7",
        "5",
        "中华人民共和国",
        "-",
    )
    assert fields(await alice.send("GetInfo", LV=9, UN=24259132))["LV"] == "9"
    assert (await alice.send("GetInfo", LV=2, UN=55555)).endswith(b"&RES=5")
    assert (await alice.send("GetInfo", LV=2, UN=100)).endswith(b"&RES=5")
    assert await alice.send("GetInfo", LV="x", UN=10002) == b""
    assert await alice.send("GetInfo", LV=2) == b""


async def test_add_to_list_modes(live: QQServer, alice: Raw) -> None:
    await live.async_admin.create_account(30000, "pw", auth=AuthMode.ANYONE)
    await live.async_admin.create_account(30001, "pw", auth=AuthMode.VERIFY)
    await live.async_admin.create_account(30003, "pw", auth=AuthMode.NOBODY)
    await live.async_admin.create_account(30002, "pw", auth=2)
    assert (await alice.send("AddToList", UN=30000)).endswith(
        b"CMD=AddToList&SEQ=%d&UIN=10001&RES=0&CD=0&UN=30000" % alice.seq
    )
    assert (await alice.send("AddToList", UN=30001)).endswith(b"&RES=0&CD=1&UN=30001")
    assert (await alice.send("AddToList", UN=30003)).endswith(b"&RES=0&CD=3&UN=30003")
    assert (await alice.send("AddToList", UN=30002)).endswith(b"&RES=0&CD=3&UN=30002")
    assert (await alice.send("AddToList", UN=55555)).endswith(b"&RES=5")
    assert (await alice.send("AddToList", UN=30000)).endswith(b"&CD=0&UN=30000")  # no duplicate
    assert await live.async_admin.buddies(10001) == [10002, 30000]
    assert (await alice.send("DelFromList", UN=30000)).endswith(
        b"CMD=DelFromList&SEQ=%d&UIN=10001&RES=0&" % alice.seq
    )
    assert (await alice.send("DelFromList", UN=30000)).endswith(b"&RES=0&")
    assert await live.async_admin.buddies(10001) == [10002]


async def test_verification_flow_end_to_end(live: QQServer, alice: Raw) -> None:
    await live.async_admin.create_account(30001, "pw", auth=AuthMode.VERIFY, nick="Careful")
    careful = Raw(live.url, 30001)
    await careful.login()
    assert (await alice.send("AddToList", UN=30001)).endswith(b"&CD=1&UN=30001")
    ask = await alice.send("Ack_AddToList", ver="1.2", UN=30001, CD=2, RS="我是 Alice, 你好&=")
    assert ask.endswith(b"VER=1.2&CMD=Ack_AddToList&SEQ=%d&UIN=10001&RES=0&" % alice.seq)
    got = await careful.send("GetMsgEx")
    assert got.endswith("&RES=0&MN=1&MT=2,&UN=10001,&MG=我是 Alice%2c 你好%26%3d,".encode())
    # refuse: Alice gets MT=4 with the reason, nothing changes in lists
    assert (await careful.send("Ack_AddToList", UN=10001, CD=1, RS="sorry, no")).endswith(
        b"&RES=0&"
    )
    got = await alice.send("GetMsgEx")
    assert got.endswith(b"&MN=1&MT=4,&UN=30001,&MG=sorry%2c no,")
    assert 30001 not in await live.async_admin.buddies(10001)
    # refusing or approving again: no such request any more, nothing changes
    assert (await careful.send("Ack_AddToList", UN=10001, CD=0, RS="")).endswith(b"&RES=0&")
    assert 30001 not in await live.async_admin.buddies(10001)
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")
    # ask again, approve: Alice gets MT=3 and Careful lands in Alice's list
    await alice.send("Ack_AddToList", UN=30001, CD=2, RS="please")
    assert b"MT=2," in await careful.send("GetMsgEx")
    assert (await careful.send("Ack_AddToList", UN=10001, CD=0, RS="")).endswith(b"&RES=0&")
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=1&MT=3,&UN=30001,&MG=,")
    assert await live.async_admin.buddies(10001) == [10002, 30001]
    assert await live.async_admin.buddies(30001) == []
    # CD >= 3: RES=3 and the penalty for Ack_AddToList only
    assert (await careful.send("Ack_AddToList", UN=10001, CD=3, RS="")).endswith(b"&RES=3")
    assert (await careful.send("Ack_AddToList", UN=10001, CD=2, RS="")).endswith(b"&RES=3")
    assert (await careful.send("List")).endswith(b"&RES=0&FN=0")
    assert (await careful.send("Ack_AddToList", UN=55555, CD=1, RS="")).endswith(b"&RES=3")
    assert await careful.send("Ack_AddToList", UN=10001, CD="x", RS="") == b""


async def test_requests_to_nobody_go_nowhere(live: QQServer, alice: Raw) -> None:
    await live.async_admin.create_account(30003, "pw", auth=AuthMode.NOBODY)
    closed = Raw(live.url, 30003)
    await closed.login()
    assert (await alice.send("Ack_AddToList", UN=30003, CD=2, RS="hi")).endswith(b"&RES=0&")
    assert (await closed.send("GetMsgEx")).endswith(b"&MN=0&MT=&UN=&MG=")
    assert (await alice.send("Ack_AddToList", UN=55555, CD=2, RS="hi")).endswith(b"&RES=5")


async def test_message_with_every_special_character_arrives_intact(alice: Raw, bob: Raw) -> None:
    text = "a, b & c = d % e\nline two\r\n中文 😀 %2c"
    assert (await alice.send("CLTMSG", UN=10002, MG=text)).endswith(
        b"CMD=CLTMSG&SEQ=%d&UIN=10001&RES=0&" % alice.seq
    )
    body = await bob.send("GetMsgEx")
    expected = "a%2c b %26 c %3d d %25 e%0aline two%0d%0a中文 😀 %252c"
    assert (
        body
        == (
            f"VER=1.1&CMD=GETMSGEX&SEQ={bob.seq}&UIN=10002&RES=0&MN=1&MT=9,&UN=10001,&MG={expected},"
        ).encode()
    )
    # legacy semantics: gone once delivered
    assert body != await bob.send("GetMsgEx")


async def test_messages_to_strangers_and_offline_users_wait(live: QQServer, alice: Raw) -> None:
    await live.async_admin.create_account(40000, "pw")
    assert (await alice.send("CLTMSG", UN=40000, MG="hello stranger")).endswith(b"&RES=0&")
    assert (await alice.send("CLTMSG", UN=55555, MG="nobody")).endswith(b"&RES=5")
    assert (await alice.send("CLTMSG", UN=99, MG="nobody")).endswith(b"&RES=5")
    assert await alice.send("CLTMSG", UN=40000, MG="") == b""
    assert await alice.send("CLTMSG", UN=40000, MG="x" * 2001) == b""
    assert (await alice.send("CLTMSG", UN=40000, MG="y" * 2000)).endswith(b"&RES=0&")
    stranger = Raw(live.url, 40000)
    await stranger.login()
    got = fields(await stranger.send("GetMsgEx"))
    assert got["MN"] == "2" and got["UN"] == "10001,10001,"
    assert got["MG"] == "hello stranger," + "y" * 2000 + ","


async def test_status_changes_reach_buddies_and_invisible_reads_offline(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    await alice.send("GetMsgEx")
    for st in (30, 40, 10, 20, 10):
        assert (await bob.send("Change_Stat", ST=st)).endswith(
            b"CMD=Change_Stat&SEQ=%d&UIN=10002&RES=0&" % bob.seq
        )
    body = await alice.send("GetMsgEx")
    assert body.endswith(
        b"&MN=5&MT=99,99,99,99,99,&UN=10002,10002,10002,10002,10002,&MG=30,20,10,20,10,"
    )
    assert await bob.send("Change_Stat", ST=50) == b""
    assert await bob.send("Change_stat", ver="1.2", ST="x") == b""
    assert (await bob.send("Change_stat", ver="1.2", ST=30)).startswith(b"VER=1.2&CMD=Change_Stat&")
    # logout: always RES=0, buddies see offline
    assert (await bob.send("Logout")).endswith(b"CMD=LOGOUT&SEQ=%d&UIN=10002&RES=0" % bob.seq)
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=2&MT=99,99,&UN=10002,10002,&MG=30,20,")
    assert (await bob.send("List")).endswith(b"&RES=20")


async def test_login_tells_buddies(live: QQServer, alice: Raw) -> None:
    bob = Raw(live.url, 10002)
    await bob.login()
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=1&MT=99,&UN=10002,&MG=10,")


async def test_commands_are_case_insensitive_and_versions_checked(alice: Raw) -> None:
    assert (await alice.send("list")).endswith(b"CMD=LIST&SEQ=%d&UIN=10001&RES=0&FN=1" % alice.seq)
    for ver in ("1.0", "1.2", "1.4"):
        assert (await alice.send("LIST", ver=ver)).startswith(f"VER={ver}&CMD=LIST".encode())
    assert await alice.send("List", ver="1.3") == b""
    assert await alice.send("Dance") == b""


async def test_finger_search(live: QQServer, alice: Raw) -> None:
    for i in range(25):
        await live.async_admin.create_account(
            31000 + i, "pw", nick=f"青海 {i}", province="青海", age=30 + i % 2, sex=i % 2
        )
    await live.async_admin.create_account(
        31999, "pw", nick="hidden", province="青海", age=30, searchable=False
    )
    page = fields(await alice.send("Finger", AG=0, SX="", PV="青海"))
    assert page["FN"] == "0" and page["SN"] == "20"
    assert page["UN"].split(",")[:3] == ["31000", "31001", "31002"]
    rest = fields(await alice.send("Finger", AG=0, SX="", PV="青海", TN=20, UN=20))
    assert rest["FN"] == "1" and rest["SN"] == "5"
    assert "31999" not in page["UN"] + rest["UN"]
    women_30 = fields(await alice.send("Finger", AG=30, SX=1, PV="青海", TN=50))
    assert women_30["SN"] == "0"
    men_30 = fields(await alice.send("Finger", AG=30, SX=0, PV="青海", TN=50))
    assert men_30["SN"] == "13" and men_30["SX"] == "0," * 13 and men_30["ST"] == "20," * 13
    body = await alice.send("Finger", AG=31, SX=1, PV="青海", TN=2)
    assert body.endswith(
        "&RES=0&FN=0&SN=2&UN=31001,31003,&NK=青海 1,青海 3,&FC=0,0,&AG=31,31,&SX=1,1,"
        "&PV=青海,青海,&ST=20,20,".encode()
    )
    assert await alice.send("Finger", AG=0, SX=2, PV="") == b""


async def test_nobody_is_their_own_buddy(live: QQServer, alice: Raw) -> None:
    """Adding oneself answers like a user whom nobody may add, and nothing is kept;
    a request to oneself is never queued, so there is nothing to approve."""
    assert (await alice.send("AddToList", UN=10001)).endswith(b"&RES=0&CD=3&UN=10001")
    assert (await alice.send("Ack_AddToList", UN=10001, CD=2, RS="me")).endswith(b"&RES=0&")
    assert (await alice.send("Ack_AddToList", UN=10001, CD=0)).endswith(b"&RES=0&")
    assert await live.async_admin.buddies(10001) == [10002]
    messages = await alice.send("GetMsgEx")
    assert b"MT=2" not in messages and b"MT=3" not in messages
