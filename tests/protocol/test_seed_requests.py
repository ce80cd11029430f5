"""Every request line of the seed documents, read the way the server reads it.

The seeds print most requests as templates with empty values (``SEQ=&UIN=``);
those are not valid requests and must get NULL (a ProtocolError). The same
lines with the blanks filled in must decode to the typed request they stand for.
"""

from __future__ import annotations

import hashlib

import pytest

from qqdesk.protocol.classic import (
    LOGIN_CODE,
    AckCode,
    AddBuddyAnswerRequest,
    AddBuddyRequest,
    BuddyListRequest,
    ChangeStatusRequest,
    FetchMessagesRequest,
    LoginRequest,
    LogoutRequest,
    OnlineBuddiesRequest,
    ProfileRequest,
    ProtocolError,
    RemoveBuddyRequest,
    Request,
    SearchRequest,
    SendMessageRequest,
    Status,
    decode_request,
    parse_request_body,
)


def read(line: str, *, form: bool = False) -> Request:
    return decode_request(parse_request_body(line.encode("utf-8"), form_urlencoded=form))


# Seeds 000/002 ("请求部份" and sections 3-13), seed 001 section 2: templates.
TEMPLATES = [
    "VER=1.1&CMD=Login&SEQ=&UIN=&PS=&M5=1&LC=9326B87B234E7235",
    "VER=1.1&CMD=List&SEQ=&UIN=&TN=160&UN=0",
    "VER=1.1&CMD=Query_Stat&SEQ=&UIN=&TN=50&UN=0",
    "VER=1.1&CMD=GetInfo&SEQ=&UIN=&LV=2&UN=",
    "VER=1.1&CMD=AddToList&SEQ=&UIN=&UN=",
    "VER=1.1&CMD=Ack_AddToList&SEQ=&UIN=&UN=&CD=&RS=",
    "VER=1.1&CMD=DelFromList&SEQ=&UIN=&UN=",
    "VER=1.1&CMD=Change_Stat&SEQ=&UIN=&ST=",
    "VER=1.1&CMD=Logout&SEQ=&UIN=",
    "VER=1.1&CMD=GetMsgEx&SEQ=&UIN=",
    "VER=1.1&CMD=CLTMSG&SEQ=&UIN=&UN=&MG=",
    "VER=1.0&CMD=Login&SEQ=&UIN=&PS=&M5=1&LC=9326B87B234E7235",
    "VER=1.0&CMD=GetMsgEx&SEQ=&UIN=",
    "VER=1.0&CMD=CLTMSG&SEQ=&UIN=&UN=&MG=",
    "VER=1.0&CMD=List&SEQ=&UIN=&TN=160&UN=0",
    "VER=1.0&CMD=Query_Stat&SEQ=&UIN=&TN=50&UN=0",
    "VER=1.0&CMD=GetInfo&SEQ=&UIN=&LV=2&UN=",
    "VER=1.0&CMD=AddToList&SEQ=&UIN=&UN=",
    "VER=1.0&CMD=Ack_AddToList&SEQ=&UIN=&UN=&CD=&RS=",
    "VER=1.0&CMD=DelFromList&SEQ=&UIN=&UN=",
    "VER=1.0&CMD=Finger&SEQ=&UIN=&AG=&SX=&PV=",
    "VER=1.0&CMD=Change_Stat&SEQ=&UIN=&ST=",
    "VER=1.0&CMD=Logout&SEQ=&UIN=",
    # Seed 001 section 3 writes the placeholders in words: UIN is not digits.
    "VER=1.1&CMD=Login&SEQ=标记&UIN=QQ号&PS=QQ密码&M5=1&LC=9326B87B234E7235",
    "VER=1.1&CMD=List&SEQ=标记&UIN=QQ号&TN=160&UN=0",
    "VER=1.1&CMD=GetInfo&SEQ=标记&UIN=QQ号&LV=查询类型&UN=被查询QQ号码",
    "VER=1.1&CMD=CLTMSG&SEQ=标记&UIN=QQ号&UN=对方QQ号&MG=发送内容",
]


@pytest.mark.parametrize("line", TEMPLATES)
def test_seed_templates_are_null(line: str) -> None:
    with pytest.raises(ProtocolError):
        read(line)


MD5 = hashlib.md5(b"secret").hexdigest()

# The same lines with the blanks filled in (UIN 29501213 and 415103947 are the
# seeds' own numbers), and the typed request each one must give.
FILLED: list[tuple[str, Request]] = [
    (
        f"VER=1.1&CMD=Login&SEQ=11281&UIN=29501213&PS={MD5}&M5=1&LC=9326B87B234E7235",
        LoginRequest(uin=29501213, seq="11281", ver="1.1", password_md5=MD5),
    ),
    (
        "VER=1.1&CMD=List&SEQ=43661&UIN=29501213&TN=160&UN=0",
        BuddyListRequest(uin=29501213, seq="43661", ver="1.1", page_size=160, offset=0),
    ),
    (
        # Seed 000 section 2: the C# WebClient example, complete as printed.
        "VER=1.0&CMD=Query_Stat&SEQ=12321&UIN=29501213&TN=50&UN=0",
        OnlineBuddiesRequest(uin=29501213, seq="12321", ver="1.0", page_size=50, offset=0),
    ),
    (
        "VER=1.1&CMD=GetInfo&SEQ=12707&UIN=415103947&LV=2&UN=24259132",
        ProfileRequest(uin=415103947, seq="12707", ver="1.1", level=2, target=24259132),
    ),
    (
        "VER=1.1&CMD=AddToList&SEQ=13666&UIN=415103947&UN=24259132",
        AddBuddyRequest(uin=415103947, seq="13666", ver="1.1", target=24259132),
    ),
    (
        "VER=1.1&CMD=Ack_AddToList&SEQ=1130&UIN=415103947&UN=24259132&CD=2&RS=我是微程",
        AddBuddyAnswerRequest(
            uin=415103947, seq="1130", ver="1.1", target=24259132, code=2, reason="我是微程"
        ),
    ),
    (
        # RS may be empty (seed template) once UN and CD are there.
        "VER=1.1&CMD=Ack_AddToList&SEQ=1131&UIN=415103947&UN=24259132&CD=0&RS=",
        AddBuddyAnswerRequest(uin=415103947, seq="1131", ver="1.1", target=24259132, code=0),
    ),
    (
        "VER=1.1&CMD=DelFromList&SEQ=24514&UIN=415103947&UN=24259132",
        RemoveBuddyRequest(uin=415103947, seq="24514", ver="1.1", target=24259132),
    ),
    (
        "VER=1.1&CMD=Change_Stat&SEQ=17512&UIN=415103947&ST=30",
        ChangeStatusRequest(uin=415103947, seq="17512", ver="1.1", status=Status.BUSY),
    ),
    (
        "VER=1.1&CMD=Logout&SEQ=15803&UIN=415103947",
        LogoutRequest(uin=415103947, seq="15803", ver="1.1"),
    ),
    (
        "VER=1.1&CMD=GetMsgEx&SEQ=56661&UIN=29501213",
        FetchMessagesRequest(uin=29501213, seq="56661", ver="1.1"),
    ),
    (
        "VER=1.1&CMD=CLTMSG&SEQ=15803&UIN=415103947&UN=24259132&MG=asdfasdfasdf",
        SendMessageRequest(
            uin=415103947, seq="15803", ver="1.1", target=24259132, text="asdfasdfasdf"
        ),
    ),
    (
        # Finger with the template's blanks left empty: AG 0 and SX empty mean "any".
        "VER=1.0&CMD=Finger&SEQ=1&UIN=29501213&AG=&SX=&PV=",
        SearchRequest(uin=29501213, seq="1", ver="1.0", age=0, sex=None, province=""),
    ),
]


@pytest.mark.parametrize(("line", "expected"), FILLED, ids=[e.command.value for _, e in FILLED])
def test_filled_seed_requests_decode(line: str, expected: Request) -> None:
    assert read(line) == expected


# Seed 001's PHP probe: List with and without TN/UN.
@pytest.mark.parametrize(
    ("tail", "size", "offset"),
    [("", 0, 0), ("&TN=0", 0, 0), ("&TN=160", 160, 0), ("&UN=0", 0, 0), ("&UN=4711", 0, 4711)],
)
def test_list_probe_variants(tail: str, size: int, offset: int) -> None:
    request = read(f"VER=1.1&CMD=List&SEQ=5555&UIN=29501213{tail}")
    assert request == BuddyListRequest(
        uin=29501213, seq="5555", ver="1.1", page_size=size, offset=offset
    )


# Seed 001's PHP probe: M5 is ignored, a changed LC gets NULL.
@pytest.mark.parametrize("m5", ["M5=0", "M5=1", "M5=2", "M5=3", "M6=1"])
def test_login_probe_m5_variants_are_accepted(m5: str) -> None:
    request = read(f"VER=1.1&CMD=Login&SEQ=2000&UIN=29501213&PS={MD5}&{m5}&LC={LOGIN_CODE}")
    assert isinstance(request, LoginRequest)
    assert request.password_md5 == MD5


def test_login_probe_changed_lc_is_null() -> None:
    with pytest.raises(ProtocolError, match="LC"):
        read(f"VER=1.1&CMD=Login&SEQ=2000&UIN=29501213&PS={MD5}&M6=1&LC=1223423545756679")


def test_legacy_php_spellings() -> None:
    # The PHP client sends VER=1.2 for Ack_AddToList and spells Change_stat.
    ack = read("VER=1.2&CMD=Ack_AddToList&SEQ=9&UIN=10001&UN=10002&CD=1&RS=no")
    assert ack == AddBuddyAnswerRequest(
        uin=10001, seq="9", ver="1.2", target=10002, code=AckCode.REFUSE, reason="no"
    )
    stat = read("VER=1.2&CMD=Change_stat&SEQ=9&UIN=10001&ST=40")
    assert stat == ChangeStatusRequest(uin=10001, seq="9", ver="1.2", status=Status.INVISIBLE)
