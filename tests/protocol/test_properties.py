"""Property tests: escaping, reply and request round trips, and robust reply reading."""

from __future__ import annotations

import contextlib
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qqdesk.protocol.classic import (
    AckCode,
    AddBuddyAnswerRequest,
    AddBuddyRequest,
    BloodType,
    BuddyListRequest,
    BuddyPage,
    ChangeStatusRequest,
    Constellation,
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
    OnlinePage,
    Profile,
    ProfileReply,
    ProfileRequest,
    ProtocolError,
    RemoveBuddyRequest,
    Request,
    SearchPage,
    SearchRequest,
    SearchResult,
    SendMessageRequest,
    Sex,
    Status,
    Zodiac,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
    parse_request_body,
    profile_keys,
)
from qqdesk.protocol.classic.commands import PROFILE_FIELD_BY_KEY
from qqdesk.protocol.classic.wire import escape, unescape

settings.register_profile(
    "qqdesk-protocol",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile("qqdesk-protocol")

# Any text, and text made mostly of the characters the protocol cares about.
SPECIALS = st.sampled_from([*"%&=,\r\n +", "%2c", "%25", "HTTP/1.1 200 OK\r\n", " "])
text = st.one_of(
    st.text(),
    st.lists(st.one_of(SPECIALS, st.text(max_size=3)), max_size=8).map("".join),
)
uins = st.integers(min_value=10000, max_value=4294967295)
seqs = st.integers(min_value=-(10**9), max_value=10**12).map(str)
versions = st.sampled_from(["1.0", "1.1", "1.2", "1.4"])
small = st.integers(min_value=0, max_value=10**6)
# Profile text fields are decoded twice when %2c/%25/%0d/%0a survive one
# decoding (legacy double encoding, notes Part A); text that literally says
# so cannot round-trip, by design. Exercised in test_double_decoding_rule.
_DOUBLE = re.compile(r"%(?:2[cC5]|0[dDaA])")
profile_text = text.filter(lambda t: not _DOUBLE.search(t))


@PROFILE
@given(text)
def test_escape_round_trip(value: str) -> None:
    escaped = escape(value)
    assert not re.search(r"[&=,\r\n]", escaped)
    assert unescape(escaped) == value


@PROFILE
@given(text)
def test_escape_touches_nothing_else(value: str) -> None:
    escaped = escape(value)
    stripped = re.sub(r"%(25|26|3d|2c|0d|0a)", "", escaped)
    assert stripped == re.sub(r"[%&=,\r\n]", "", value)


def _request() -> Request:
    return LogoutRequest(uin=10001, seq="1")


def round_trip(reply: object) -> object:
    body = encode_reply(reply, _request())  # type: ignore[arg-type]
    return decode_reply(body)


messages = st.builds(
    Message,
    kind=st.sampled_from(list(MessageType)),
    sender=uins,
    text=text,
)


@PROFILE
@given(st.lists(messages, max_size=6))
def test_messages_round_trip(ms: list[Message]) -> None:
    reply = MessagesReply(messages=ms)
    assert round_trip(reply) == reply


@PROFILE
@given(st.lists(st.tuples(messages, small, small), max_size=6))
def test_extended_messages_round_trip(items: list[tuple[Message, int, int]]) -> None:
    ms = [Message(m.kind, m.sender, m.text, id=i, time=t) for m, i, t in items]
    reply = MessagesReply(messages=ms, extended=True)
    assert round_trip(reply) == reply


@PROFILE
@given(text, st.booleans())
def test_login_replies_round_trip(value: str, ok: bool) -> None:
    reply = LoginOk(long_poll=55, nick=value, face=3) if ok else LoginRefused(reason=value)
    assert round_trip(reply) == reply


buddies = st.builds(
    OnlineBuddy,
    uin=uins,
    status=st.sampled_from([Status.ONLINE, Status.BUSY]),
    face=st.integers(min_value=0, max_value=300),
    nick=text,
)


@PROFILE
@given(st.booleans(), st.lists(buddies, max_size=6))
def test_online_page_round_trip(last: bool, bs: list[OnlineBuddy]) -> None:
    reply = OnlinePage(last=last, buddies=bs)
    assert round_trip(reply) == reply


@PROFILE
@given(st.booleans(), st.lists(uins, max_size=20))
def test_buddy_page_round_trip(last: bool, us: list[int]) -> None:
    reply = BuddyPage(last=last, uins=us)
    assert round_trip(reply) == reply


results = st.builds(
    SearchResult,
    uin=uins,
    nick=text,
    face=st.integers(min_value=0, max_value=300),
    age=st.integers(min_value=0, max_value=150),
    sex=st.sampled_from(list(Sex)),
    province=text,
    status=st.sampled_from(list(Status)),
)


@PROFILE
@given(st.booleans(), st.lists(results, max_size=5))
def test_search_page_round_trip(last: bool, rs: list[SearchResult]) -> None:
    reply = SearchPage(last=last, results=rs)
    assert round_trip(reply) == reply


profiles = st.builds(
    Profile,
    uin=uins,
    nick=profile_text,
    face=st.integers(min_value=0, max_value=300),
    age=st.integers(min_value=0, max_value=150),
    sex=st.sampled_from(list(Sex)),
    province=profile_text,
    city=profile_text,
    country=profile_text,
    address=profile_text,
    postcode=profile_text,
    phone=profile_text,
    mobile=profile_text,
    email=profile_text,
    homepage=profile_text,
    job=profile_text,
    school=profile_text,
    real_name=profile_text,
    intro=profile_text,
    blood_type=st.sampled_from(list(BloodType)),
    constellation=st.sampled_from(list(Constellation)),
    zodiac=st.sampled_from(list(Zodiac)),
    cv=profile_text,
    id_field=profile_text,
    mt=profile_text,
    mv=profile_text,
)


@PROFILE
@given(st.integers(min_value=0, max_value=5), profiles)
def test_profile_round_trip(level: int, profile: Profile) -> None:
    decoded = round_trip(ProfileReply(level=level, profile=profile))
    assert isinstance(decoded, ProfileReply)
    assert decoded.level == level
    sent = {PROFILE_FIELD_BY_KEY[k] for k in profile_keys(level) if k != "LV"}
    for attr in PROFILE_FIELD_BY_KEY.values():
        expected = getattr(profile, attr) if attr in sent else getattr(Profile(uin=0), attr)
        assert getattr(decoded.profile, attr) == expected, attr


def test_double_decoding_rule() -> None:
    # The price of reading legacy double encoding: a literal "%2c" in a profile
    # reads as a comma. Messages and nicks in lists are decoded once only.
    decoded = round_trip(ProfileReply(level=2, profile=Profile(uin=10002, intro="50%2c off")))
    assert isinstance(decoded, ProfileReply)
    assert decoded.profile.intro == "50, off"
    msg = MessagesReply(messages=[Message(MessageType.TEXT, 10002, "50%2c off")])
    assert round_trip(msg) == msg


# ---- requests ----

md5s = st.text(alphabet="0123456789abcdefABCDEF", min_size=32, max_size=32)
message_text = st.text(min_size=1, max_size=2000)
# A province is trimmed when read (PV is a search key).
province = text.map(lambda t: t.strip())


def _head() -> dict[str, st.SearchStrategy[object]]:
    return {"uin": uins, "seq": seqs, "ver": versions}


requests = st.one_of(
    st.builds(LoginRequest, password_md5=md5s, **_head()),
    st.builds(BuddyListRequest, page_size=small, offset=small, **_head()),
    st.builds(OnlineBuddiesRequest, page_size=small, offset=small, **_head()),
    st.builds(ProfileRequest, target=uins, level=st.integers(min_value=0, max_value=9), **_head()),
    st.builds(AddBuddyRequest, target=uins, **_head()),
    st.builds(
        AddBuddyAnswerRequest,
        target=uins,
        code=st.sampled_from([int(c) for c in AckCode] + [3, 7]),
        reason=text,
        **_head(),
    ),
    st.builds(RemoveBuddyRequest, target=uins, **_head()),
    st.builds(ChangeStatusRequest, status=st.sampled_from(list(Status)), **_head()),
    st.builds(
        FetchMessagesRequest,
        wait=st.none() | st.integers(min_value=0, max_value=600),
        ack=st.none() | small,
        **_head(),
    ),
    st.builds(SendMessageRequest, target=uins, text=message_text, **_head()),
    st.builds(LogoutRequest, **_head()),
    st.builds(
        SearchRequest,
        age=st.integers(min_value=0, max_value=150),
        sex=st.none() | st.sampled_from(list(Sex)),
        province=province,
        page_size=st.integers(min_value=1, max_value=100),
        offset=small,
        **_head(),
    ),
)


@PROFILE
@given(requests, st.booleans())
def test_request_round_trip(request: Request, form: bool) -> None:
    body = encode_request(request)
    assert decode_request(parse_request_body(body, form_urlencoded=form)) == request


# ---- reading anything ----

KNOWN_KEYS = [
    "VER", "CMD", "SEQ", "UIN", "RES", "RS", "RA", "HI", "LI", "LP", "NK", "FC", "FN", "SN",
    "UN", "ST", "LV", "MN", "MT", "MG", "MI", "TM", "CD", "AG", "SX", "PV", "PR", "BT", "CO",
]  # fmt: skip
COMMANDS = [
    "Login", "LIST", "QUERY_STAT", "GETINFO", "AddToList", "Ack_AddToList",
    "DelFromList", "Change_Stat", "LOGOUT", "GETMSGEX", "CLTMSG", "FINGER", "x",
]  # fmt: skip
values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["0", "1", "3", "5", "20", "-1", "99", "10,", ",,", "%", "%zz", "9" * 5000]),
    st.sampled_from(COMMANDS),
)
pairs = st.lists(st.tuples(st.sampled_from(KNOWN_KEYS), values), max_size=12)


@PROFILE
@given(st.binary(max_size=300))
def test_decode_reply_random_bytes(body: bytes) -> None:
    # Anything but ProtocolError fails the test.
    with contextlib.suppress(ProtocolError):
        decode_reply(body)


@PROFILE
@given(st.sampled_from(COMMANDS), st.sampled_from(["0", "3", "5", "20", "7", "x"]), pairs)
def test_decode_reply_random_fields(cmd: str, res: str, fields: list[tuple[str, str]]) -> None:
    body = "&".join(f"{k}={v}" for k, v in [("CMD", cmd), ("RES", res), *fields])
    # Anything but ProtocolError fails the test.
    with contextlib.suppress(ProtocolError):
        decode_reply(body.encode("utf-8", errors="surrogatepass"))


@PROFILE
@given(st.binary(max_size=300), st.booleans())
def test_request_reading_random_bytes(body: bytes, form: bool) -> None:
    # Anything but ProtocolError fails the test.
    with contextlib.suppress(ProtocolError):
        decode_request(parse_request_body(body, form_urlencoded=form))
