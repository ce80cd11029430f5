"""The contact extensions' codecs (ListEx, Remark, Category, Login's EX): what our client
sends reads back as it was, replies read back as written, exact bytes where they matter."""

from __future__ import annotations

import pytest

from qqdesk.core import Category
from qqdesk.protocol.classic import (
    BuddyEntriesPage,
    BuddyEntriesRequest,
    CategoriesReply,
    CategoryOperation,
    CategoryRequest,
    ListedBuddy,
    LoginOk,
    LoginRequest,
    ProtocolError,
    RemarkReply,
    RemarkRequest,
    Request,
    Status,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    parse_request_body,
)


def _round_trip(request: Request) -> Request:
    return decode_request(parse_request_body(encode_request(request)))


@pytest.mark.parametrize(
    "request_",
    [
        BuddyEntriesRequest(uin=10001, seq="5", page_size=300, offset=600),
        RemarkRequest(uin=10001, seq="6", target=10002, remark="老板, &=%"),
        RemarkRequest(uin=10001, seq="6", target=10002, remark=""),
        CategoryRequest(uin=10001, seq="7"),
        CategoryRequest(uin=10001, operation=CategoryOperation.ADD, name="同学, 朋友"),
        CategoryRequest(uin=10001, operation=CategoryOperation.RENAME, index=0, name="好友"),
        CategoryRequest(uin=10001, operation=CategoryOperation.DELETE, index=3),
        CategoryRequest(uin=10001, operation=CategoryOperation.ORDER, order=(3, 1, 2)),
        CategoryRequest(uin=10001, operation=CategoryOperation.MOVE, index=2, target=10002),
        LoginRequest(uin=10001, password_md5="a" * 32, want_instance=True, want_extensions=True),
    ],
)
def test_requests_read_back_as_sent(request_: Request) -> None:
    assert _round_trip(request_) == request_


def test_request_bytes() -> None:
    move = CategoryRequest(uin=10001, seq="7", operation=CategoryOperation.ORDER, order=(3, 1))
    assert encode_request(move) == b"VER=1.1&CMD=Category&SEQ=7&UIN=10001&OP=order&CG=3%2C1%2C"
    login = LoginRequest(uin=10001, seq="1", password_md5="a" * 32)
    assert b"EX" not in encode_request(login)  # only when asked for


def test_reply_bytes_and_reading_back() -> None:
    request = BuddyEntriesRequest(uin=10001, seq="9")
    page = BuddyEntriesPage(
        last=True,
        buddies=[
            ListedBuddy(10002, "Bob, 小明", 270, Status.BUSY, 1, "老板"),
            ListedBuddy(10003, "", 0, Status.OFFLINE, 0, ""),
        ],
    )
    body = encode_reply(page, request)
    assert body.decode() == (
        "VER=1.1&CMD=LISTEX&SEQ=9&UIN=10001&RES=0&FN=1&SN=2&UN=10002,10003,"
        "&NK=Bob%2c 小明,,&FC=270,0,&ST=30,20,&CG=1,0,&RK=老板,,"
    )
    assert decode_reply(body) == page
    categories = CategoriesReply(categories=[Category(0), Category(4, "a,b")], made=4)
    body = encode_reply(categories, CategoryRequest(uin=10001, seq="1"))
    assert body.endswith(b"&RES=0&NI=4&CG=0,4,&NM=,a%2cb,")
    assert decode_reply(body) == categories
    remark = RemarkReply(target=10002, remark="x&y")
    assert decode_reply(encode_reply(remark, RemarkRequest(uin=1, target=2, remark=""))) == remark
    ok = LoginOk(extensions=("ListEx", "Remark"))
    body = encode_reply(ok, LoginRequest(uin=10001, seq="1", password_md5="a" * 32))
    assert body.endswith(b"&RES=0&RS=0&HI=60&LI=300&EX=ListEx,Remark,")
    assert decode_reply(body) == ok


@pytest.mark.parametrize(
    "body",
    [
        b"VER=1.1&CMD=Category&SEQ=1&UIN=10001&OP=grow",
        b"VER=1.1&CMD=Category&SEQ=1&UIN=10001&OP=add",
        b"VER=1.1&CMD=Category&SEQ=1&UIN=10001&OP=add&NM=%20",
        b"VER=1.1&CMD=Category&SEQ=1&UIN=10001&OP=delete",
        b"VER=1.1&CMD=Category&SEQ=1&UIN=10001&OP=order&CG=1,-2,",
        b"VER=1.1&CMD=Category&SEQ=1&UIN=10001&OP=move&CG=1",
        b"VER=1.1&CMD=Remark&SEQ=1&UIN=10001&UN=10002",
        b"VER=1.1&CMD=ListEx&SEQ=1&UIN=10001&TN=x",
    ],
)
def test_malformed_requests_get_null(body: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_request(parse_request_body(body))
