"""encode_reply writes the exact bytes legacy clients parse (key orders, commas, escapes)."""

from __future__ import annotations

import pytest

from qqdesk.protocol.classic import (
    AddBuddyReply,
    BloodType,
    BuddyCount,
    BuddyListRequest,
    BuddyPage,
    Command,
    Constellation,
    Done,
    FetchMessagesRequest,
    LoginOk,
    LoginRefused,
    LoginRequest,
    LogoutRequest,
    Message,
    MessagesReply,
    MessageType,
    OnlineBuddiesRequest,
    OnlineBuddy,
    OnlineCount,
    OnlinePage,
    Profile,
    ProfileReply,
    ProfileRequest,
    Reply,
    Request,
    Result,
    SearchPage,
    SearchRequest,
    SearchResult,
    Sex,
    Status,
    Zodiac,
    encode_error,
    encode_reply,
    profile_keys,
)

LOGIN = LoginRequest(uin=315103947, seq="11281", ver="1.1", password_md5="x")


def keys(body: bytes) -> list[str]:
    return [part.split("=", 1)[0] for part in body.decode().split("&") if part]


def test_login_success_is_the_seed_string() -> None:
    assert encode_reply(LoginOk(), LOGIN) == (
        b"VER=1.1&CMD=Login&SEQ=11281&UIN=315103947&RES=0&RS=0&HI=60&LI=300"
    )


def test_login_success_has_the_substrings_legacy_clients_look_for() -> None:
    body = encode_reply(LoginOk(long_poll=55, nick="小明", face=270), LOGIN)
    assert b"RES=0&RS=0" in body
    assert b"LI=300" in body
    assert body.endswith("&LI=300&LP=55&NK=小明&FC=270".encode())


def test_login_omits_empty_nick() -> None:
    # The Java client breaks on empty values in Login replies.
    body = encode_reply(LoginOk(long_poll=55, nick="", face=0), LOGIN)
    assert body.endswith(b"&LI=300&LP=55&FC=0")
    assert b"=&" not in body
    assert not body.endswith(b"=")


def test_login_refused() -> None:
    body = encode_reply(LoginRefused(reason="密码错误"), LOGIN)
    assert body == "VER=1.1&CMD=Login&SEQ=11281&UIN=315103947&RES=0&RS=1&RA=密码错误".encode()


def test_login_refused_omits_empty_reason() -> None:
    # Same rule as NK: no empty values in a Login reply (the Java client).
    body = encode_reply(LoginRefused(reason=""), LOGIN)
    assert body == b"VER=1.1&CMD=Login&SEQ=11281&UIN=315103947&RES=0&RS=1"


def test_profile_keys_cannot_be_changed_by_a_caller() -> None:
    profile_keys(2).clear()
    profile_keys(3).append("XX")
    assert len(profile_keys(2)) == 16
    assert len(profile_keys(3)) == 26


def test_header_echoes_version_and_seq() -> None:
    request = LogoutRequest(uin=10001, seq="a&b=c", ver="1.2")
    body = encode_reply(Done(command=Command.LOGOUT), request)
    assert body == b"VER=1.2&CMD=LOGOUT&SEQ=a%26b%3dc&UIN=10001&RES=0"


LIST = BuddyListRequest(uin=29501213, seq="43661", page_size=160)


def test_list_page_with_trailing_comma() -> None:
    body = encode_reply(BuddyPage(last=True, uins=[561256, 1943497]), LIST)
    assert body == (b"VER=1.1&CMD=LIST&SEQ=43661&UIN=29501213&RES=0&FN=1&SN=2&UN=561256,1943497,")


def test_list_page_not_last() -> None:
    body = encode_reply(BuddyPage(last=False, uins=[10002]), LIST)
    assert body.endswith(b"&RES=0&FN=0&SN=1&UN=10002,")


def test_empty_list_is_an_empty_value() -> None:
    body = encode_reply(BuddyPage(last=True, uins=[]), LIST)
    assert body.endswith(b"&RES=0&FN=1&SN=0&UN=")


def test_list_count() -> None:
    assert encode_reply(BuddyCount(count=9), LIST).endswith(b"&UIN=29501213&RES=0&FN=9")


STAT = OnlineBuddiesRequest(uin=29501213, seq="-1", page_size=50)


def test_query_stat_key_order() -> None:
    page = OnlinePage(
        last=True,
        buddies=[
            OnlineBuddy(uin=561256, status=Status.ONLINE, face=141, nick="a,b"),
            OnlineBuddy(uin=24259132, status=Status.BUSY, face=270, nick="微程"),
        ],
    )
    body = encode_reply(page, STAT)
    assert (
        body
        == (
            "VER=1.1&CMD=QUERY_STAT&SEQ=-1&UIN=29501213&RES=0&FC=141,270,&FN=1&SN=2"
            "&ST=10,30,&UN=561256,24259132,&NK=a%2cb,微程,"
        ).encode()
    )
    assert keys(body)[5:] == ["FC", "FN", "SN", "ST", "UN", "NK"]


def test_query_stat_empty_page() -> None:
    body = encode_reply(OnlinePage(last=True, buddies=[]), STAT)
    assert body.endswith(b"&RES=0&FC=&FN=1&SN=0&ST=&UN=&NK=")


def test_query_stat_count() -> None:
    assert encode_reply(OnlineCount(count=3), STAT).endswith(b"&RES=0&FN=3")


FULL = Profile(
    uin=106814,
    nick="Hackfan 好",
    face=0,
    age=19,
    sex=Sex.MALE,
    province="江苏",
    city="苏州",
    country="中华人民共和国",
    address="地址",
    postcode="邮编",
    phone="电话",
    mobile="136********",
    email="hackfan@qq.com",
    homepage="http://blog.hackfan.net",
    job="学生",
    school="毕业院校",
    real_name="胡吉阳",
    intro="The guy is updating to .NET Frameword......",
    blood_type=BloodType.B,
    constellation=Constellation.CANCER,
    zodiac=Zodiac.TIGER,
    cv="\x01",
    id_field="-",
    mt="0",
    mv="",
)


def info(level: int) -> ProfileRequest:
    return ProfileRequest(uin=10001, seq="标记", target=106814, level=level)


@pytest.mark.parametrize("level", [0, 1])
def test_getinfo_short(level: int) -> None:
    body = encode_reply(ProfileReply(level=level, profile=FULL), info(level))
    assert (
        body
        == (
            f"VER=1.1&CMD=GETINFO&SEQ=标记&UIN=10001&RES=0&LV={level}&UN=106814&NK=Hackfan 好"
        ).encode()
    )


def test_getinfo_level2_is_the_seed_order() -> None:
    body = encode_reply(ProfileReply(level=2, profile=FULL), info(2))
    assert (
        body
        == (
            "VER=1.1&CMD=GETINFO&SEQ=标记&UIN=10001&RES=0&AD=地址&AG=19&EM=hackfan@qq.com&FC=0"
            "&HP=http://blog.hackfan.net&JB=学生&LV=2&PC=邮编&PH=电话"
            "&PR=The guy is updating to .NET Frameword......&PV=江苏&RN=胡吉阳&SC=毕业院校&SX=0"
            "&UN=106814&NK=Hackfan 好"
        ).encode()
    )


@pytest.mark.parametrize("level", [3, 4, 9])
def test_getinfo_level3_is_the_seed001_line(level: int) -> None:
    # Seed 001's detailed reply, byte for byte (CV=%01 is the raw 0x01 byte
    # escaped by that page; we send it raw, as it is not one of the six).
    body = encode_reply(ProfileReply(level=level, profile=FULL), info(level))
    assert (
        body
        == (
            "VER=1.1&CMD=GETINFO&SEQ=标记&UIN=10001&RES=0&AD=地址&AG=19&BT=2&CO=6&CT=苏州&CV=\x01"
            "&CY=中华人民共和国&EM=hackfan@qq.com&FC=0&HP=http://blog.hackfan.net&ID=-&JB=学生"
            f"&LV={level}&MO=136********&MT=0&MV=&PC=邮编&PH=电话"
            "&PR=The guy is updating to .NET Frameword......&PV=江苏&RN=胡吉阳&SC=毕业院校"
            "&SH=3&SX=0&UN=106814&NK=Hackfan 好"
        ).encode()
    )


def test_profile_keys_by_level() -> None:
    assert profile_keys(0) == profile_keys(1) == ["LV", "UN", "NK"]
    assert " ".join(profile_keys(2)) == "AD AG EM FC HP JB LV PC PH PR PV RN SC SX UN NK"
    assert set(profile_keys(3)) - set(profile_keys(2)) == set(
        ["BT", "CO", "CT", "CV", "CY", "ID", "MO", "MT", "MV", "SH"]
    )


def test_add_to_list() -> None:
    request = ProfileRequest(uin=415103947, seq="13666", target=24259132)
    body = encode_reply(AddBuddyReply(target=24259132, auth=0), request)
    assert body.endswith(b"&CMD=AddToList&SEQ=13666&UIN=415103947&RES=0&CD=0&UN=24259132")


@pytest.mark.parametrize(
    ("command", "ending"),
    [
        (Command.ACK_ADD_TO_LIST, b"&CMD=Ack_AddToList&SEQ=1130&UIN=415103947&RES=0&"),
        (Command.DEL_FROM_LIST, b"&CMD=DelFromList&SEQ=1130&UIN=415103947&RES=0&"),
        (Command.CHANGE_STAT, b"&CMD=Change_Stat&SEQ=1130&UIN=415103947&RES=0&"),
        (Command.CLTMSG, b"&CMD=CLTMSG&SEQ=1130&UIN=415103947&RES=0&"),
        (Command.LOGOUT, b"&CMD=LOGOUT&SEQ=1130&UIN=415103947&RES=0"),
    ],
)
def test_plain_success_endings(command: Command, ending: bytes) -> None:
    request = LogoutRequest(uin=415103947, seq="1130")
    body = encode_reply(Done(command=command), request)
    assert body == b"VER=1.1" + ending


@pytest.mark.parametrize("command", list(Command))
@pytest.mark.parametrize(
    "result", [Result.TOO_FREQUENT, Result.NO_SUCH_NUMBER, Result.NOT_LOGGED_IN]
)
def test_errors_end_at_res(command: Command, result: Result) -> None:
    request = LogoutRequest(uin=10001, seq="9")
    body = encode_error(command, result, request)
    assert body == f"VER=1.1&CMD={command.value}&SEQ=9&UIN=10001&RES={int(result)}".encode()


FETCH = FetchMessagesRequest(uin=29501213, seq="56661")


def test_getmsgex_empty() -> None:
    body = encode_reply(MessagesReply(messages=[]), FETCH)
    assert body == b"VER=1.1&CMD=GETMSGEX&SEQ=56661&UIN=29501213&RES=0&MN=0&MT=&UN=&MG="


def test_getmsgex_messages() -> None:
    reply = MessagesReply(
        messages=[
            Message(MessageType.STATUS, 24259132, "30"),
            Message(MessageType.TEXT, 24259132, "a,b&c=d%\r\n"),
        ]
    )
    body = encode_reply(reply, FETCH)
    assert body.endswith(
        b"&RES=0&MN=2&MT=99,9,&UN=24259132,24259132,&MG=30,a%2cb%26c%3dd%25%0d%0a,"
    )


def test_getmsgex_extended_puts_mi_tm_between_res_and_mn() -> None:
    reply = MessagesReply(
        messages=[Message(MessageType.TEXT, 10002, "hi", id=7, time=1700000000)], extended=True
    )
    body = encode_reply(reply, FETCH)
    assert body.endswith(b"&RES=0&MI=7,&TM=1700000000,&MN=1&MT=9,&UN=10002,&MG=hi,")
    assert keys(body)[-1] == "MG"


def test_getmsgex_extended_empty() -> None:
    body = encode_reply(MessagesReply(messages=[], extended=True), FETCH)
    assert body.endswith(b"&RES=0&MI=&TM=&MN=0&MT=&UN=&MG=")


def test_getmsgex_not_extended_never_writes_ids() -> None:
    reply = MessagesReply(messages=[Message(MessageType.TEXT, 10002, "hi", id=7, time=1)])
    body = encode_reply(reply, FETCH)
    assert b"MI=" not in body
    assert b"TM=" not in body


def test_finger_key_order() -> None:
    request = SearchRequest(uin=10001, seq="1")
    page = SearchPage(
        last=False,
        results=[SearchResult(10002, "n", 3, 19, Sex.FEMALE, "江苏", Status.ONLINE)],
    )
    body = encode_reply(page, request)
    assert body.endswith(
        "&CMD=FINGER&SEQ=1&UIN=10001&RES=0&FN=0&SN=1&UN=10002,&NK=n,&FC=3,&AG=19,&SX=1,"
        "&PV=江苏,&ST=10,".encode()
    )


# Every text-bearing reply escapes exactly % & = , CR LF in lower case.
SPECIAL = "%&=,\r\n"
ESCAPED = "%25%26%3d%2c%0d%0a"
OTHERS = " +#?;:/\\\"'<>\t\x00\x7f中文%41é"


def _texts(text: str) -> list[tuple[Reply, Request]]:
    fetch = FetchMessagesRequest(uin=10001, seq="1")
    return [
        (LoginRefused(reason=text), LOGIN),
        (LoginOk(nick=text), LOGIN),
        (OnlinePage(last=True, buddies=[OnlineBuddy(10002, Status.ONLINE, 0, text)]), STAT),
        (ProfileReply(level=2, profile=Profile(uin=10002, intro=text)), info(2)),
        (MessagesReply(messages=[Message(MessageType.TEXT, 10002, text)]), fetch),
    ]


@pytest.mark.parametrize("index", range(5))
def test_escapes_exactly_the_six_in_lower_case(index: int) -> None:
    reply, request = _texts(SPECIAL + OTHERS)[index]
    body = encode_reply(reply, request).decode()
    assert ESCAPED + OTHERS.replace("%", "%25") in body
    assert "%2C" not in body
    assert "%0D" not in body
    assert "\r" not in body
    assert "\n" not in body
