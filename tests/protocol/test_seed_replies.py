"""Every literal reply of the seed documents, read with decode_reply.

The lines are the clean copies of seeds 002 (Chinese) and 003 (English, whose
request/reply lines are mangled by translation, so only its layout of the
glued Query_Stat response is used). Placeholders such as ``SEQ=标记`` are kept:
a reader echoes them, it never judges them.
"""

from __future__ import annotations

import pytest

from qqdesk.protocol.classic import (
    AddBuddyReply,
    BloodType,
    BuddyCount,
    BuddyPage,
    Command,
    Constellation,
    Done,
    ErrorReply,
    LoginOk,
    LoginRefused,
    Message,
    MessagesReply,
    MessageType,
    OnlineBuddy,
    OnlineCount,
    OnlinePage,
    ProfileReply,
    Result,
    Sex,
    Status,
    Zodiac,
    decode_reply,
)


def decode(line: str | bytes) -> object:
    return decode_reply(line.encode("utf-8") if isinstance(line, str) else line)


def test_login_success() -> None:
    reply = decode("VER=1.1&CMD=Login&SEQ=11281&UIN=&RES=0&RS=0&HI=60&LI=300")
    assert reply == LoginOk(keepalive=60, idle_timeout=300)
    assert isinstance(reply, LoginOk)
    assert (reply.echo.ver, reply.echo.seq, reply.echo.uin) == ("1.1", "11281", "")
    assert reply.long_poll is None
    assert reply.nick == ""
    assert reply.face is None


def test_login_success_java_capture_with_unknown_field() -> None:
    reply = decode(
        "VER=1.1&CMD=Login&SEQ=1&UIN=29501213&RES=0&RS=0&HI=60&LI=300&COMP=NOKIA8F3A18D6E27"
    )
    assert reply == LoginOk(keepalive=60, idle_timeout=300)


def test_login_success_upper_case_command() -> None:
    reply = decode("VER=1.1&CMD=LOGIN&SEQ=标记&UIN=QQ号&RES=0&RS=0&HI=60&LI=300")
    assert reply == LoginOk()
    assert isinstance(reply, LoginOk)
    assert reply.echo.seq == "标记"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("VER=1.1&CMD=Login&SEQ=11422&UIN=315103947&RES=0&RS=1&RA=登录失败", "登录失败"),
        ("VER=1.1&CMD=LOGIN&SEQ=标记&UIN=QQ号&RES=0&RS=1&RA=密码错误", "密码错误"),
    ],
)
def test_login_refused(line: str, reason: str) -> None:
    assert decode(line) == LoginRefused(reason=reason)


def test_login_refused_with_reason_that_is_not_utf8() -> None:
    # RA from an old GBK server: read with U+FFFD, never an exception.
    reply = decode(b"VER=1.1&CMD=LOGIN&SEQ=1&UIN=10001&RES=0&RS=1&RA=\xc3\xdc\xc2\xeb")
    assert isinstance(reply, LoginRefused)
    assert "\ufffd" in reply.reason


def test_login_no_such_number() -> None:
    reply = decode("VER=1.1&CMD=LOGIN&SEQ=标记&UIN=QQ号&RES=5")
    assert reply == ErrorReply(command=Command.LOGIN, result=Result.NO_SUCH_NUMBER)


def test_list_page() -> None:
    # Seed 002 ends the list with "...."; the concrete part of it:
    reply = decode("VER=1.1&CMD=LIST&SEQ=43661&UIN=29501213&RES=0&FN=1&SN=24&UN=561256,1943497,")
    assert reply == BuddyPage(last=True, uins=[561256, 1943497])


def test_list_page_as_printed_with_ellipsis() -> None:
    # The printed "...." is not a number: it reads as 0 and keeps its place.
    reply = decode(
        "VER=1.1&CMD=LIST&SEQ=43661&UIN=29501213&RES=0&FN=1&SN=24&UN=561256,1943497,...."
    )
    assert reply == BuddyPage(last=True, uins=[561256, 1943497, 0])


def test_list_count() -> None:
    reply = decode("VER=1.1&CMD=LIST&SEQ=标记&UIN=QQ号&RES=0&FN=9")
    assert reply == BuddyCount(count=9)


def test_list_page_seed001() -> None:
    reply = decode("VER=1.1&CMD=LIST&SEQ=标记&UIN=QQ号&RES=0&FN=1&SN=9&UN=3814526,")
    assert reply == BuddyPage(last=True, uins=[3814526])


def test_query_stat_page_with_nick() -> None:
    reply = decode(
        "VER=1.1&CMD=QUERY_STAT&SEQ=标记&UIN=QQ号&RES=0&FC=0,&FN=1&SN=1&ST=10,&UN=106814,"
        "&NK=Hackfan 好,"
    )
    assert reply == OnlinePage(
        last=True,
        buddies=[OnlineBuddy(uin=106814, status=Status.ONLINE, face=0, nick="Hackfan 好")],
    )


def test_query_stat_page_as_printed_in_seed000() -> None:
    # Seed 000 cut the line off after "UN=": entries without a number are dropped.
    reply = decode(
        "VER=1.1&CMD=QUERY_STAT&SEQ=-1&UIN=29501213&RES=0&FC=141,270,270,&FN=1&SN=3"
        "&ST=10,10,10,&UN="
    )
    assert reply == OnlinePage(last=True, buddies=[])
    assert isinstance(reply, OnlinePage)
    assert reply.echo.seq == "-1"


def test_query_stat_page_completed() -> None:
    reply = decode(
        "VER=1.1&CMD=QUERY_STAT&SEQ=-1&UIN=29501213&RES=0&FC=141,270,270,&FN=1&SN=3"
        "&ST=10,10,30,&UN=561256,1943497,24259132,&NK=a,b,微程,"
    )
    assert reply == OnlinePage(
        last=True,
        buddies=[
            OnlineBuddy(uin=561256, status=Status.ONLINE, face=141, nick="a"),
            OnlineBuddy(uin=1943497, status=Status.ONLINE, face=270, nick="b"),
            OnlineBuddy(uin=24259132, status=Status.BUSY, face=270, nick="微程"),
        ],
    )


# Seed 001/002: with TN=0 the legacy server wrote its count reply, then a whole
# second HTTP response. A reader that reads to the end of the connection sees
# both; only the first counts. Layout (line breaks) from seed 003.
FIRST = "VER=1.1&CMD=QUERY_STAT&SEQ=1234&UIN=123456789&RES=0&FN=1"
SECOND = (
    "HTTP/1.1 200 OK\r\n"
    "Server: tencent imserver/1.0.0\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Length: 77\r\n"
    "\r\n"
    "VER=1.1&CMD=QUERY_STAT&SEQ=1234&UIN=123456789&RES=0&FC=&FN=1&SN=0&ST=&UN=&NK="
)


@pytest.mark.parametrize("glue", ["", "\r\n", "\n"])
def test_query_stat_count_with_second_response_glued_on(glue: str) -> None:
    # Content-Length 56 is exactly the first body, so on the wire the second
    # status line follows "FN=1" directly (glue ""); CRLF variants are tolerated.
    assert len(FIRST.encode()) == 56
    reply = decode(FIRST + glue + SECOND)
    assert reply == OnlineCount(count=1)


def test_text_that_mentions_http_is_not_a_glued_response() -> None:
    reply = decode(
        "VER=1.1&CMD=GETMSGEX&SEQ=1&UIN=10001&RES=0&MN=2&MT=9,9,&UN=10002,10003,"
        "&MG=see HTTP/1.1 200 OK here,and HTTP/1.0 404,"
    )
    assert isinstance(reply, MessagesReply)
    assert [m.text for m in reply.messages] == ["see HTTP/1.1 200 OK here", "and HTTP/1.0 404"]


def test_getinfo_short() -> None:
    reply = decode("VER=1.1&CMD=GETINFO&SEQ=标记&UIN=QQ号&RES=0&LV=0&UN=106814&NK=Hackfan 好")
    assert isinstance(reply, ProfileReply)
    assert reply.level == 0
    assert (reply.profile.uin, reply.profile.nick) == (106814, "Hackfan 好")


# Seed 002, section 6, with EM restored from seed 003 (the page's e-mail
# protection replaced "EM=..." by "[email protected]").
GETINFO_LV2 = (
    "VER=1.1&CMD=GETINFO&SEQ=12707&UIN=415103947&RES=0&AD=云南昆明&AG=0"
    "&EM=Microprogramer@hotmail.com&FC=270&HP=msger.org(建设中...)&JB=程序员&LV=2"
    "&PC=650000&PH=0871-6466529&PR=网络为媒%252c关系为本%252c信息为财%252c客户为主.%0d%0a"
    "&PV=云南省&RN=刘X&SC=社会大学&SX=0&UN=24259132&NK=微程"
)


def test_getinfo_level2_with_double_encoded_intro() -> None:
    reply = decode(GETINFO_LV2)
    assert isinstance(reply, ProfileReply)
    p = reply.profile
    assert reply.level == 2
    assert p.intro == "网络为媒,关系为本,信息为财,客户为主.\r\n"
    assert (p.uin, p.nick, p.face, p.age, p.sex) == (24259132, "微程", 270, 0, Sex.MALE)
    assert (p.address, p.email, p.homepage, p.job) == (
        "云南昆明",
        "Microprogramer@hotmail.com",
        "msger.org(建设中...)",
        "程序员",
    )
    assert (p.postcode, p.phone, p.province, p.real_name, p.school) == (
        "650000",
        "0871-6466529",
        "云南省",
        "刘X",
        "社会大学",
    )


def test_getinfo_level2_exactly_as_the_page_printed_it() -> None:
    # A field without "=" is skipped; every other field still reads.
    line = GETINFO_LV2.replace("&EM=Microprogramer@hotmail.com&", "&[email protected]&")
    reply = decode(line)
    assert isinstance(reply, ProfileReply)
    assert reply.profile.email == ""
    assert reply.profile.intro == "网络为媒,关系为本,信息为财,客户为主.\r\n"
    assert reply.profile.nick == "微程"


def test_getinfo_level2_seed001() -> None:
    reply = decode(
        "VER=1.1&CMD=GETINFO&SEQ=标记&UIN=QQ号&RES=0&AD=地址&AG=19&EM=hackfan@qq.com&FC=0"
        "&HP=http://blog.hackfan.net&JB=学生&LV=2&PC=邮编&PH=电话"
        "&PR=The guy is updating to .NET Frameword......&PV=江苏&RN=胡吉阳&SC=毕业院校&SX=0"
        "&UN=106814&NK=Hackfan 好"
    )
    assert isinstance(reply, ProfileReply)
    assert reply.profile.homepage == "http://blog.hackfan.net"
    assert reply.profile.intro == "The guy is updating to .NET Frameword......"
    assert reply.profile.age == 19


def test_getinfo_level3_seed001() -> None:
    # The page wrapped the line after "CY=中华人民共和国"; the wrap is not on the wire.
    reply = decode(
        "VER=1.1&CMD=GETINFO&SEQ=标记&UIN=QQ号&RES=0&AD=地址&AG=19&BT=2&CO=6&CT=苏州&CV=%01"
        "&CY=中华人民共和国&EM=hackfan@qq.com&FC=0&HP=http://blog.hackfan.net&ID=-&JB=学生"
        "&LV=3&MO=136********&MT=0&MV=&PC=邮编&PH=电话"
        "&PR=The guy is updating to .NET Frameword......&PV=江苏&RN=胡吉阳&SC=毕业院校"
        "&SH=3&SX=0&UN=106814&NK=Hackfan 好"
    )
    assert isinstance(reply, ProfileReply)
    p = reply.profile
    assert reply.level == 3
    assert (p.blood_type, p.constellation, p.zodiac) == (
        BloodType.B,
        Constellation.CANCER,
        Zodiac.TIGER,
    )
    assert (p.city, p.country, p.mobile) == ("苏州", "中华人民共和国", "136********")
    assert (p.cv, p.id_field, p.mt, p.mv) == ("\x01", "-", "0", "")
    assert (p.uin, p.nick) == (106814, "Hackfan 好")


@pytest.mark.parametrize(("cd", "auth"), [(0, 0), (1, 1), (2, 2)])
def test_add_to_list(cd: int, auth: int) -> None:
    reply = decode(f"VER=1.1&CMD=AddToList&SEQ=13666&UIN=415103947&RES=0&CD={cd}&UN=24259132")
    assert reply == AddBuddyReply(target=24259132, auth=auth)


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("VER=1.1&CMD=Ack_AddToList&SEQ=1130&UIN=415103947&RES=0&", Command.ACK_ADD_TO_LIST),
        ("VER=1.1&CMD=Ack_AddToList&SEQ=标记&UIN=QQ号&RES=0", Command.ACK_ADD_TO_LIST),
        ("VER=1.1&CMD=DelFromList&SEQ=24514&UIN=415103947&RES=0&", Command.DEL_FROM_LIST),
        ("VER=1.1&CMD=Change_Stat&SEQ=17512&UIN=415103947&RES=0&", Command.CHANGE_STAT),
        ("VER=1.1&CMD=LOGOUT&SEQ=15803&UIN=415103947&RES=0", Command.LOGOUT),
        ("VER=1.1&CMD=CLTMSG&SEQ=15803&UIN=415103947&RES=0", Command.CLTMSG),
        ("VER=1.1&CMD=CLTMSG&SEQ=标记&UIN=QQ号&RES=0&", Command.CLTMSG),
    ],
)
def test_plain_success(line: str, command: Command) -> None:
    reply = decode(line)
    assert reply == Done(command=command)


@pytest.mark.parametrize(
    ("cmd", "command"),
    [
        ("LIST", Command.LIST),
        ("QUERY_STAT", Command.QUERY_STAT),
        ("GETINFO", Command.GET_INFO),
        ("AddToList", Command.ADD_TO_LIST),
        ("Ack_AddToList", Command.ACK_ADD_TO_LIST),
        ("DelFromList", Command.DEL_FROM_LIST),
        ("Change_Stat", Command.CHANGE_STAT),
        ("GETMSGEX", Command.GET_MSG_EX),
        ("CLTMSG", Command.CLTMSG),
    ],
)
@pytest.mark.parametrize("res", [Result.NOT_LOGGED_IN, Result.TOO_FREQUENT])
def test_error_replies(cmd: str, command: Command, res: Result) -> None:
    reply = decode(f"VER=1.1&CMD={cmd}&SEQ=标记&UIN=QQ号&RES={int(res)}")
    assert reply == ErrorReply(command=command, result=res)


def test_getmsgex_seed002() -> None:
    reply = decode(
        "VER=1.1&CMD=GETMSGEX&SEQ=标记&UIN=QQ号&RES=0&MN=4&MT=99,99,99,9,"
        "&UN=36791785,99833581,99833581,106814,&MG=20,30,10,hi ,"
    )
    assert reply == MessagesReply(
        messages=[
            Message(MessageType.STATUS, 36791785, "20"),
            Message(MessageType.STATUS, 99833581, "30"),
            Message(MessageType.STATUS, 99833581, "10"),
            # A message keeps its spaces.
            Message(MessageType.TEXT, 106814, "hi "),
        ]
    )


def test_getmsgex_seed000() -> None:
    reply = decode(
        "VER=1.1&CMD=GETMSGEX&SEQ=56661&UIN=29501213&RES=0&MN=3&MT=99,9,9,"
        "&UN=24259132,24259132,24259132,&MG=30 ,asdfasdfasdfasdf ,asdfasdfasdf ,&"
    )
    assert isinstance(reply, MessagesReply)
    assert [(m.kind, m.sender) for m in reply.messages] == [
        (MessageType.STATUS, 24259132),
        (MessageType.TEXT, 24259132),
        (MessageType.TEXT, 24259132),
    ]
    assert [m.text for m in reply.messages] == ["30 ", "asdfasdfasdfasdf ", "asdfasdfasdf "]
    assert int(reply.messages[0].text) == Status.BUSY
    assert not reply.extended


def test_getmsgex_empty() -> None:
    reply = decode("VER=1.1&CMD=GETMSGEX&SEQ=标记&UIN=QQ号&RES=0&MN=0&MT=&UN=&MG=")
    assert reply == MessagesReply(messages=[])


def test_null_is_an_empty_body() -> None:
    assert decode(b"") is None
    assert decode(b"\r\n") is None
