"""The own-account extensions' codecs: SetInfo (own profile fields) and SetPassword."""

from __future__ import annotations

import hashlib

import pytest

from qqdesk.core import EDITABLE_NUMBERS, EDITABLE_TEXT, MAX_NICK
from qqdesk.protocol.classic import (
    Command,
    Done,
    PasswordReply,
    ProtocolError,
    Request,
    SetInfoRequest,
    SetPasswordRequest,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    parse_request_body,
)

OLD = hashlib.md5(b"old secret").hexdigest()
NEW = hashlib.md5("新的密码".encode()).hexdigest()
HEAD = "VER=1.1&CMD={cmd}&SEQ=7&UIN=10001"


def read(body: str) -> Request:
    return decode_request(parse_request_body(body.encode()))


def test_setinfo_round_trips_every_editable_field() -> None:
    changes: dict[str, str | int] = {name: "x," * 2 for name in EDITABLE_TEXT}
    changes.update({name: top for name, top in EDITABLE_NUMBERS.items()})
    changes["intro"] = "two\nlines & 100%"
    request = SetInfoRequest(uin=10001, seq="9", changes=changes)
    body = encode_request(request)
    assert body.startswith(b"VER=1.1&CMD=SetInfo&SEQ=9&UIN=10001&AD=x%2Cx%2C&AG=150&BT=5&")
    assert decode_request(parse_request_body(body)) == request


def test_setinfo_sets_only_the_fields_given() -> None:
    request = read(HEAD.format(cmd="SetInfo") + "&NK=小明&FC=270&MO=")
    assert isinstance(request, SetInfoRequest)
    assert request.changes == {"nick": "小明", "face": 270, "mobile": ""}


@pytest.mark.parametrize(
    "fields",
    [
        "",  # nothing to change
        "&UN=10002",  # not a field one may change (nor LV, CV, ID, MT, MV)
        "&CV=1",
        f"&NK={'长' * (MAX_NICK + 1)}",  # a nickname too long
        "&NK=%20%20",  # a blank nickname
        "&NK=",
        "&NK=a%0Ab",  # on two lines (only PR may break lines)
        f"&PR={'x' * (EDITABLE_TEXT['intro'] + 1)}",
        "&FC=300",  # no such face
        "&AG=151",
        "&AG=-1",
        "&AG=ten",
        "&SX=2",
        "&BT=6",
        "&CO=13",
        "&SH=13",
        "&AG=",  # a number must be given as digits
        "&NK=%FF",  # not UTF-8
    ],
)
def test_setinfo_refuses_what_no_profile_may_hold(fields: str) -> None:
    with pytest.raises(ProtocolError):
        read(HEAD.format(cmd="SetInfo") + fields)


def test_our_client_cannot_build_a_refused_setinfo() -> None:
    with pytest.raises(ProtocolError, match="nick"):
        SetInfoRequest(uin=10001, changes={"nick": "x" * (MAX_NICK + 1)})
    with pytest.raises(ProtocolError, match="uin"):
        SetInfoRequest(uin=10001, changes={"uin": 10002})


def test_setinfo_reply_is_a_plain_res() -> None:
    request = SetInfoRequest(uin=10001, seq="9", changes={"nick": "x"})
    body = encode_reply(Done(command=Command.SET_INFO), request)
    assert body == b"VER=1.1&CMD=SETINFO&SEQ=9&UIN=10001&RES=0"
    assert decode_reply(body) == Done(command=Command.SET_INFO)


def test_setpassword_carries_two_md5s() -> None:
    request = SetPasswordRequest(uin=10001, seq="3", old_md5=OLD, new_md5=NEW)
    body = encode_request(request)
    assert body == f"VER=1.1&CMD=SetPassword&SEQ=3&UIN=10001&PS={OLD}&NP={NEW}".encode()
    assert decode_request(parse_request_body(body)) == request


@pytest.mark.parametrize(
    "fields", ["", f"&PS={OLD}", f"&NP={NEW}", f"&PS={OLD}&NP=secret", f"&PS=x{OLD}&NP={NEW}"]
)
def test_setpassword_needs_both_as_md5(fields: str) -> None:
    with pytest.raises(ProtocolError):
        read(HEAD.format(cmd="SetPassword") + fields)


def test_setpassword_replies() -> None:
    request = SetPasswordRequest(uin=10001, seq="3", old_md5=OLD, new_md5=NEW)
    done = encode_reply(PasswordReply(changed=True), request)
    assert done == b"VER=1.1&CMD=SETPASSWORD&SEQ=3&UIN=10001&RES=0&RS=0"
    assert decode_reply(done) == PasswordReply(changed=True)
    wrong = encode_reply(PasswordReply(changed=False, reason="密码错误"), request)
    assert wrong == "VER=1.1&CMD=SETPASSWORD&SEQ=3&UIN=10001&RES=0&RS=1&RA=密码错误".encode()
    assert decode_reply(wrong) == PasswordReply(changed=False, reason="密码错误")
