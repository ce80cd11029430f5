"""The Smart QQ codec: hashes, request reading, content parts and reply bytes (SMARTQQ-NOTES)."""

from __future__ import annotations

import json

import pytest

from qqdesk.core import Face, Presence
from qqdesk.protocol.smartqq import (
    BAD_CONTENT,
    POLL_TIMEOUT,
    SEND_OK,
    Call,
    QrState,
    Retcode,
    WebRequestError,
    as_int,
    bkn,
    call_for,
    contact_hash,
    decode_event_content,
    decode_send_content,
    discussion_message_event,
    encode_event_content,
    encode_send_content,
    error,
    group_message_event,
    hash33,
    host_name,
    kick_event,
    message_event,
    ok,
    parse_request,
    parse_status_word,
    poll_reply,
    ptui_callback,
    stat_code,
    status_change_event,
)

FONT = ["font", {"color": "000000", "name": "微软雅黑", "size": 10, "style": [0, 0, 0]}]


# ------------------------------------------------------------------ hashes (§4)


def test_hash33_by_hand() -> None:
    # t = 0 -> 97 -> 97*33 + 98 = 3299 -> 3299*33 + 99 = 108966
    assert hash33("abc") == 108966
    assert hash33("") == 0
    # bkn starts at 5381: 5381*33 + 97
    assert bkn("a") == 177670


def test_hash33_keeps_31_bits_of_the_32_bit_sum() -> None:
    long = "x" * 200
    t = 0
    for char in long:
        t = (t * 33 + ord(char)) % 2**32
    assert hash33(long) == t % 2**31


def test_contact_hash_of_the_notes() -> None:
    # empty ptwebqq: N is all zeros; V is the uin's bytes XOR "ECOK"
    assert contact_hash(0, "") == "00450043004F004B"
    # N = a b c d; V = 01^45 02^43 03^4F 04^4B; interleaved N0 V0 N1 V1 ...
    assert contact_hash(0x01020304, "abcd") == "61446241634C644F"
    # only the first 64 characters of ptwebqq count (the PHP client's loop)
    ptwebqq = "0123456789abcdef" * 4
    assert contact_hash(10001, ptwebqq) == contact_hash(10001, ptwebqq + "ffff")
    assert len(contact_hash(4294967295, ptwebqq)) == 16


# ------------------------------------------------------------------ requests (§1.2)


def test_r_in_the_query_string_of_a_get() -> None:
    request = parse_request(
        "get", '/api/get_group_name_list_mask2?r={"vfwebqq":"v","hash":"H"}&t=1'
    )
    assert request.method == "GET"
    assert request.path == "/api/get_group_name_list_mask2"
    assert request.text("vfwebqq") == "v" and request.text("hash") == "H"
    assert request.text("t") == "1"


def test_form_and_query_merged_numbers_as_strings() -> None:
    body = b"r=%7B%22to%22%3A%2212345%22%2C%22clientid%22%3A53999199%7D&psessionid=abc&clientid=1"
    request = parse_request("POST", "/channel/send_buddy_msg2?did=7", body)
    assert request.number("to") == 12345
    assert request.number("did") == 7
    assert request.text("psessionid") == "abc"
    # a key in r wins over the same form field
    assert request.number("clientid") == 53999199
    assert request.optional_number("missing") is None
    with pytest.raises(WebRequestError):
        request.number("psessionid")


@pytest.mark.parametrize("r", ["{not json", "[1, 2]", '"text"'])
def test_r_that_is_not_a_json_object(r: str) -> None:
    with pytest.raises(WebRequestError):
        parse_request("POST", "/channel/poll2", b"r=" + r.encode())


def test_as_int_and_host_name() -> None:
    assert as_int("10") == 10 and as_int(" -3 ") == -3 and as_int(4.0) == 4
    assert as_int("1e3") is None and as_int(True) is None and as_int("") is None
    assert as_int("١٢") is None  # non-ASCII digits are not numbers here
    assert host_name("D1.Web2.QQ.com:443") == "d1.web2.qq.com"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("127.0.0.1") == "127.0.0.1"


# ------------------------------------------------------------------ paths (§1.1)


def test_paths_route_on_path_alone() -> None:
    assert call_for("POST", "/channel/poll2") is Call.POLL2
    assert call_for("GET", "/channel/poll2") is Call.POLL2
    assert call_for("GET", "/api/get_user_friends2") is Call.GET_USER_FRIENDS
    assert call_for("GET", "/cgi-bin/xlogin") is Call.LOGIN_PAGE
    # the classic protocol posts to any target: those stay classic
    assert call_for("POST", "/") is None
    assert call_for("POST", "") is None
    assert call_for("POST", "/cgi-bin/qq") is None
    assert call_for("GET", "/") is Call.PROXY_PAGE


# ------------------------------------------------------------------ content (§6.6, §7.2)


def test_send_content_of_the_notes() -> None:
    content = json.dumps(
        ["hello ", ["face", 14], " world", ["font", {"name": "宋体", "size": 10}]],
        ensure_ascii=False,
    )
    assert decode_send_content(content) == ("hello ", Face(14), " world")


def test_send_content_is_read_leniently() -> None:
    # font first, size as a string (SQB), a face id as a string, no font at all
    assert decode_send_content('[["font",{"size":"10"}],"a",["face","13"]]') == ("a", Face(13))
    assert decode_send_content('["plain"]') == ("plain",)
    assert decode_send_content('"just text"') == ("just text",)
    # a picture part is dropped, the text kept
    assert decode_send_content('["see ",["cface",{"name":"x.jpg"}]]') == ("see ",)


@pytest.mark.parametrize(
    "content", [["a real array"], 5, None, "[oops", '{"a":1}', '[["face",-1]]']
)
def test_bad_send_content_is_1000001(content: object) -> None:
    with pytest.raises(WebRequestError) as caught:
        decode_send_content(content)
    assert caught.value.retcode == BAD_CONTENT == Retcode.BAD_CONTENT


def test_event_content_font_first_and_a_space_after_a_trailing_face() -> None:
    assert encode_event_content(("好啊",)) == [FONT, "好啊"]
    assert encode_event_content(("aa", Face(14))) == [FONT, "aa", ["face", 14], " "]
    assert decode_event_content(encode_event_content(("aa", Face(14)))) == ("aa", Face(14), " ")


def test_send_content_round_trip_font_last() -> None:
    text = encode_send_content(("a<b>&", Face(1)))
    parts = json.loads(text)
    assert parts[-1][0] == "font"
    assert parts[:-1] == ["a<b>&", ["face", 1]]  # raw text, never HTML-escaped (§13.1)
    assert decode_send_content(text) == ("a<b>&", Face(1))


# ------------------------------------------------------------------ replies


def test_fixed_replies_byte_for_byte() -> None:
    assert SEND_OK == b'{"retcode":0,"errCode":0,"msg":"send ok"}'
    assert POLL_TIMEOUT == b'{"retcode":0,"errmsg":"error!!!"}'
    assert error(Retcode.UNKNOWN_SESSION) == b'{"retcode":103,"errmsg":"error!!!"}'
    assert ok({"vfwebqq": "ab"}) == b'{"retcode":0,"result":{"vfwebqq":"ab"}}'
    assert ok("名字") == '{"retcode":0,"result":"名字"}'.encode()


def test_the_seed_004_buddy_message_event() -> None:
    reply = poll_reply(
        message_event(
            from_uin=3785096088, to_uin=931996776, msg_id=25477, time=1450686775, content=("好啊",)
        )
    )
    assert json.loads(reply) == {
        "result": [
            {
                "poll_type": "message",
                "value": {
                    "content": [FONT, "好啊"],
                    "from_uin": 3785096088,
                    "msg_id": 25477,
                    "msg_type": 0,
                    "time": 1450686775,
                    "to_uin": 931996776,
                },
            }
        ],
        "retcode": 0,
    }


def test_group_and_discussion_events_name_their_conversation() -> None:
    group = group_message_event(gid=11, send_uin=22, to_uin=10001, msg_id=1, time=2, content=("x",))
    assert group["poll_type"] == "group_message"
    assert group["value"]["from_uin"] == group["value"]["group_code"] == 11
    assert group["value"]["send_uin"] == 22
    discussion = discussion_message_event(
        did=33, send_uin=22, to_uin=10001, msg_id=1, time=2, content=("x",)
    )
    assert discussion["poll_type"] == "discu_message"
    assert discussion["value"]["from_uin"] == discussion["value"]["did"] == 33
    for event in (group, discussion):
        assert {"from_uin", "msg_id", "msg_type", "to_uin", "content", "time"} <= set(
            event["value"]
        )


def test_status_and_kick_events() -> None:
    hidden = status_change_event(uin=5, presence=Presence.HIDDEN)
    assert hidden["value"] == {"uin": 5, "status": "offline", "client_type": 41}
    assert status_change_event(uin=5, presence=Presence.BUSY)["value"]["status"] == "busy"
    assert kick_event()["poll_type"] == "kick_message"


def test_ptuicb_shapes() -> None:
    assert ptui_callback(QrState.WAITING, ticket=473959432) == (
        "ptuiCB('66','0','','0','二维码未失效。(473959432)', '');\r\n".encode()
    )
    assert ptui_callback(QrState.SCANNED, ticket=1).startswith(b"ptuiCB('67',")
    assert ptui_callback(QrState.EXPIRED, ticket=1).startswith(b"ptuiCB('65',")
    assert "已被拒绝".encode() in ptui_callback(QrState.REFUSED, ticket=1)
    for state in (QrState.WAITING, QrState.SCANNED, QrState.EXPIRED, QrState.REFUSED):
        assert b"http" not in ptui_callback(state, ticket=123456789)
    url = "http://127.0.0.1:8000/check_sig?uin=10001&ptsigx=ab"
    success = ptui_callback(QrState.APPROVED, url=url, nick="Al'ice")
    assert success == f"ptuiCB('0','0','{url}','0','登录成功！', 'Alice');\r\n".encode()
    # the parsers of QB and RB split on commas: a comma in the URL is refused
    with pytest.raises(ValueError):
        ptui_callback(QrState.APPROVED, url="http://x/check_sig?a=1,2")


def test_status_words_and_stat_codes() -> None:
    assert parse_status_word("Busy") is Presence.BUSY
    assert parse_status_word("nonsense") is None
    assert {stat_code(p) for p in Presence} == {10, 20, 30, 40, 50, 60, 70}
    assert stat_code(Presence.ONLINE) == 10 and stat_code(Presence.SILENT) == 70


# ------------------------------------------------------------------ opaque ids (§5, §13.6)


def test_opaque_ids_are_stable_per_viewer_and_never_qq_numbers() -> None:
    from qqdesk.core import Conversation
    from qqdesk.protocol.smartqq.ids import OpaqueIds, is_opaque, opaque_id

    key = b"k" * 32
    bob = Conversation.buddy(10002)
    group = Conversation.group(10002)  # the same number as a group is another id
    first = opaque_id(key, 10001, bob)
    assert first == opaque_id(key, 10001, bob)  # stable across sign-ins and nodes
    assert first != opaque_id(key, 10003, bob)  # different per viewer
    assert first != opaque_id(key, 10001, group)
    assert first != opaque_id(b"other key" * 4, 10001, bob)
    numbers = [opaque_id(key, 10001, Conversation.buddy(u)) for u in range(10000, 12000)]
    assert all(is_opaque(n) and 2**32 <= n < 2**53 for n in numbers)
    assert len(set(numbers)) == len(numbers)

    ids = OpaqueIds(key, viewer=10001)
    assert ids.resolve(first) is None  # not learnt yet
    ids.learn([bob, group])
    assert ids.resolve(first) == bob
    assert ids.resolve(ids.id_of(group)) == group
    assert ids.resolve(10001) == Conversation.buddy(10001)  # self: the QQ number
