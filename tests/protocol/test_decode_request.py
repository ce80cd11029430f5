"""decode_request and parse_request_body: the NULL cases and the leniency of the notes."""

from __future__ import annotations

import hashlib

import pytest

from qqdesk.protocol.classic import (
    LOGIN_CODE,
    ChangeStatusRequest,
    FetchMessagesRequest,
    LoginRequest,
    ProtocolError,
    Request,
    SearchRequest,
    SendMessageRequest,
    Sex,
    Status,
    decode_request,
    parse_request_body,
)

MD5 = hashlib.md5(b"pw").hexdigest()
HEAD = "VER=1.1&CMD={cmd}&SEQ=7&UIN=10001"


def read(body: bytes | str, *, form: bool = False) -> Request:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return decode_request(parse_request_body(raw, form_urlencoded=form))


VALID = {
    "Login": f"&PS={MD5}&M5=1&LC={LOGIN_CODE}",
    "List": "&TN=10&UN=0",
    "Query_Stat": "&TN=10&UN=0",
    "GetInfo": "&LV=2&UN=10002",
    "AddToList": "&UN=10002",
    "Ack_AddToList": "&UN=10002&CD=2&RS=hi",
    "DelFromList": "&UN=10002",
    "Change_Stat": "&ST=10",
    "Logout": "",
    "GetMsgEx": "",
    "CLTMSG": "&UN=10002&MG=hi",
    "Finger": "&AG=0&SX=1&PV=江苏",
}


@pytest.mark.parametrize("cmd", sorted(VALID))
def test_every_command_decodes_when_complete(cmd: str) -> None:
    request = read(HEAD.format(cmd=cmd) + VALID[cmd])
    assert request.uin == 10001
    assert request.seq == "7"
    assert request.command.request_name == cmd


@pytest.mark.parametrize("ver", ["1.0", "1.1", "1.2", "1.4"])
def test_supported_versions(ver: str) -> None:
    assert read(f"VER={ver}&CMD=Logout&SEQ=1&UIN=10001").ver == ver


@pytest.mark.parametrize("ver", ["", "1.3", "2.0", "1", "1.10", "v1.1"])
def test_unknown_version_is_null(ver: str) -> None:
    with pytest.raises(ProtocolError, match="VER"):
        read(f"VER={ver}&CMD=Logout&SEQ=1&UIN=10001")


def test_missing_version_is_null() -> None:
    with pytest.raises(ProtocolError, match="VER"):
        read("CMD=Logout&SEQ=1&UIN=10001")


@pytest.mark.parametrize("cmd", ["", "Login2", "GetMsg", "SendMsg", "Query Stat", "Lis"])
def test_unknown_command_is_null(cmd: str) -> None:
    with pytest.raises(ProtocolError, match="CMD"):
        read(f"VER=1.1&CMD={cmd}&SEQ=1&UIN=10001")


@pytest.mark.parametrize(
    "cmd", ["Change_stat", "CHANGE_STAT", "change_stat", "getmsgex", "LIST", "cltmsg", "lOgOuT"]
)
def test_command_is_case_insensitive(cmd: str) -> None:
    base = {"change_stat": "&ST=10", "cltmsg": "&UN=10002&MG=x"}.get(cmd.lower(), "")
    request = read(f"VER=1.1&CMD={cmd}&SEQ=1&UIN=10001{base}")
    assert request.command.value.upper() == cmd.upper()


def test_missing_seq_is_null() -> None:
    with pytest.raises(ProtocolError, match="SEQ"):
        read("VER=1.1&CMD=Logout&UIN=10001")


@pytest.mark.parametrize("seq", ["", "-1", "标记", "12 34"])
def test_seq_is_echoed_verbatim(seq: str) -> None:
    # Seed 000 shows SEQ=-1 in a reply; SEQ is echoed, never judged.
    assert read(f"VER=1.1&CMD=Logout&SEQ={seq}&UIN=10001").seq == seq.strip()


# (command, field, the rest of a valid body without that field)
NUMERIC_FIELDS = [
    ("Logout", "UIN", None),
    ("List", "TN", "&UN=0"),
    ("List", "UN", "&TN=10"),
    ("Query_Stat", "TN", "&UN=0"),
    ("Query_Stat", "UN", "&TN=10"),
    ("GetInfo", "LV", "&UN=10002"),
    ("GetInfo", "UN", "&LV=2"),
    ("AddToList", "UN", ""),
    ("Ack_AddToList", "UN", "&CD=2&RS=x"),
    ("Ack_AddToList", "CD", "&UN=10002&RS=x"),
    ("DelFromList", "UN", ""),
    ("Change_Stat", "ST", ""),
    ("CLTMSG", "UN", "&MG=x"),
    ("Finger", "AG", "&SX=0&PV="),
    ("Finger", "SX", "&AG=0&PV="),
]


@pytest.mark.parametrize(("cmd", "key", "rest"), NUMERIC_FIELDS)
@pytest.mark.parametrize("bad", ["abc", "12a", "-5", "1.5", "0x10", "١٢", "１２", "1_000"])
def test_numeric_field_that_is_not_digits_is_null(
    cmd: str, key: str, rest: str | None, bad: str
) -> None:
    if key == "UIN":
        body = f"VER=1.1&CMD={cmd}&SEQ=1&UIN={bad}"
    else:
        body = HEAD.format(cmd=cmd) + (rest or "") + f"&{key}={bad}"
    with pytest.raises(ProtocolError):
        read(body)


@pytest.mark.parametrize(
    ("cmd", "body"),
    [
        ("Logout", "VER=1.1&CMD=Logout&SEQ=1"),
        ("GetInfo", "VER=1.1&CMD=GetInfo&SEQ=1&UIN=10001&UN=10002"),
        ("GetInfo", "VER=1.1&CMD=GetInfo&SEQ=1&UIN=10001&LV=2"),
        ("AddToList", "VER=1.1&CMD=AddToList&SEQ=1&UIN=10001"),
        ("Ack_AddToList", "VER=1.1&CMD=Ack_AddToList&SEQ=1&UIN=10001&UN=10002&RS=x"),
        ("DelFromList", "VER=1.1&CMD=DelFromList&SEQ=1&UIN=10001"),
        ("Change_Stat", "VER=1.1&CMD=Change_Stat&SEQ=1&UIN=10001"),
        ("CLTMSG", "VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&MG=x"),
        ("CLTMSG", "VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002"),
        ("Login", f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&M5=1&LC={LOGIN_CODE}"),
        ("Login", f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={MD5}&M5=1"),
    ],
)
def test_missing_required_field_is_null(cmd: str, body: str) -> None:
    with pytest.raises(ProtocolError):
        read(body)


def test_list_paging_fields_are_optional() -> None:
    assert read("VER=1.1&CMD=Query_Stat&SEQ=1&UIN=10001") == read(
        "VER=1.1&CMD=Query_Stat&SEQ=1&UIN=10001&TN=0&UN=0"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=\xff\xfehi",
        b"VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=%E4%BD",
        b"VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=\xed\xa0\x80",
        b"VER=1.1&CMD=Ack_AddToList&SEQ=1&UIN=10001&UN=10002&CD=2&RS=%C0%AF",
        b"VER=1.1&CMD=Ack_AddToList&SEQ=1&UIN=10001&UN=10002&CD=1&RS=\xb9\xfe",
    ],
)
def test_invalid_utf8_in_text_is_null(body: bytes) -> None:
    # RA, the third text field the notes name, is only ever in replies: the
    # client reads it leniently (see test_seed_replies).
    with pytest.raises(ProtocolError, match="UTF-8"):
        read(body)


def test_invalid_utf8_in_an_unused_field_is_ignored() -> None:
    request = read(b"VER=1.1&CMD=Logout&SEQ=1&UIN=10001&XX=\xff")
    assert request.uin == 10001


def test_valid_text_is_never_taken_for_invalid_utf8() -> None:
    # A valid private-use character must not look like the invalid-UTF-8 mark.
    text = "\U000f0000 and \ufffd are fine"
    raw = "VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=" + text
    request = read(raw)
    assert isinstance(request, SendMessageRequest)
    assert request.text == text


@pytest.mark.parametrize("ps", ["", " ", "\t"])
def test_login_with_empty_password_is_null(ps: str) -> None:
    with pytest.raises(ProtocolError):
        read(f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={ps}&M5=1&LC={LOGIN_CODE}")


@pytest.mark.parametrize("lc", ["", "9326b87b234e7235", "9326B87B234E723", "X" * 16])
def test_login_with_wrong_code_is_null(lc: str) -> None:
    with pytest.raises(ProtocolError, match="LC"):
        read(f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={MD5}&M5=1&LC={lc}")


@pytest.mark.parametrize("st", ["0", "11", "15", "25", "35", "41", "50", "100"])
def test_status_outside_the_four_is_null(st: str) -> None:
    with pytest.raises(ProtocolError, match="ST"):
        read(f"VER=1.1&CMD=Change_Stat&SEQ=1&UIN=10001&ST={st}")


@pytest.mark.parametrize("st", [10, 20, 30, 40])
def test_the_four_statuses(st: int) -> None:
    request = read(f"VER=1.1&CMD=Change_Stat&SEQ=1&UIN=10001&ST={st}")
    assert request == ChangeStatusRequest(uin=10001, seq="1", status=Status(st))


def test_values_are_trimmed() -> None:
    # The C# client writes "PS=<md5> &M5=1".
    request = read(f"VER=1.1 &CMD= Login&SEQ=1&UIN= 10001 &PS={MD5} &M5=1&LC={LOGIN_CODE}\r\n")
    assert request == LoginRequest(uin=10001, seq="1", password_md5=MD5)


def test_percent_encoded_values_are_decoded_once() -> None:
    request = read("VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=%E4%BD%A0%E5%A5%BD%2525")
    assert isinstance(request, SendMessageRequest)
    assert request.text == "你好%25"


def test_plus_is_a_space_only_for_form_bodies() -> None:
    body = "VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=1+1%2B2"
    plain = read(body)
    form = read(body, form=True)
    assert isinstance(plain, SendMessageRequest)
    assert isinstance(form, SendMessageRequest)
    assert plain.text == "1+1+2"
    assert form.text == "1 1+2"


def test_first_occurrence_of_a_key_wins() -> None:
    request = read("VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=first&MG=second")
    assert isinstance(request, SendMessageRequest)
    assert request.text == "first"


def test_keys_are_case_sensitive() -> None:
    with pytest.raises(ProtocolError):
        read("ver=1.1&cmd=Logout&seq=1&uin=10001")


def test_message_length_limits() -> None:
    ok = read("VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=" + "字" * 2000)
    assert isinstance(ok, SendMessageRequest)
    with pytest.raises(ProtocolError):
        read("VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=" + "字" * 2001)
    with pytest.raises(ProtocolError):
        read("VER=1.1&CMD=CLTMSG&SEQ=1&UIN=10001&UN=10002&MG=")


def test_getmsgex_extensions() -> None:
    plain = read("VER=1.1&CMD=GetMsgEx&SEQ=1&UIN=10001")
    assert plain == FetchMessagesRequest(uin=10001, seq="1")
    assert not plain.extended
    ext = read("VER=1.1&CMD=GetMsgEx&SEQ=1&UIN=10001&WT=30&AK=17")
    assert ext == FetchMessagesRequest(uin=10001, seq="1", wait=30, ack=17)
    assert ext.extended
    with pytest.raises(ProtocolError):
        read("VER=1.1&CMD=GetMsgEx&SEQ=1&UIN=10001&WT=soon")


def test_finger_fields() -> None:
    request = read("VER=1.1&CMD=Finger&SEQ=1&UIN=10001&AG=19&SX=1&PV=%20江苏%20")
    assert request == SearchRequest(
        uin=10001, seq="1", age=19, sex=Sex.FEMALE, province="江苏", page_size=20
    )
    with pytest.raises(ProtocolError, match="SX"):
        read("VER=1.1&CMD=Finger&SEQ=1&UIN=10001&AG=0&SX=2&PV=")


def test_numbers_longer_than_a_store_column_are_null() -> None:
    with pytest.raises(ProtocolError):
        read("VER=1.1&CMD=Logout&SEQ=1&UIN=" + "9" * 19)
