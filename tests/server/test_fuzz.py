"""Random bytes and random field soups against the live server: it answers and keeps serving."""

from __future__ import annotations

import asyncio
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qqdesk.protocol.classic import LOGIN_CODE
from tests.support.servers import ServerThread
from tests.support.wire import open_connection, post, read_response

from .conftest import FAST_SCRYPT, md5

KEYS = [
    "VER",
    "CMD",
    "SEQ",
    "UIN",
    "UN",
    "TN",
    "LV",
    "CD",
    "RS",
    "ST",
    "MG",
    "PS",
    "M5",
    "LC",
    "AG",
    "SX",
    "PV",
    "WT",
    "AK",
    "X",
]
COMMANDS = [
    "Login",
    "List",
    "Query_Stat",
    "GetInfo",
    "AddToList",
    "Ack_AddToList",
    "DelFromList",
    "Change_Stat",
    "GetMsgEx",
    "CLTMSG",
    "Logout",
    "Finger",
    "list",
    "??",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "2",
            "3",
            "10",
            "40",
            "1.1",
            "10001",
            "10002",
            "99",
            "-1",
            "abc",
            "%",
            "%zz",
            "%ff%fe",
            LOGIN_CODE,
            md5("pw"),
            "4294967296",
            "9" * 30,
        ]
    ),
    st.sampled_from(COMMANDS),
    st.text(max_size=30),
)
#: The well-behaved user's own address; the fuzz comes from 127.0.0.1 and never
#: uses that user's number (from the same address it could rightly log them out).
STEADY_IP = "127.0.0.2"
RES = re.compile(rb"^VER=[^&]*&CMD=[A-Za-z_]+&SEQ=[^&]*&UIN=\d+&RES=(0|3|5|20)(&|$)")


@st.composite
def soups(draw: st.DrawFn) -> bytes:
    pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=12))
    if draw(st.booleans()):
        pairs = [
            ("VER", "1.1"),
            ("CMD", draw(st.sampled_from(COMMANDS))),
            ("SEQ", "1"),
            ("UIN", draw(st.sampled_from(["10001", "10002", "5"]))),
            *pairs,
        ]
    sep = draw(st.sampled_from(["&", "&&", " & "]))
    return sep.join(f"{k}={v}" for k, v in pairs).encode("utf-8", "surrogatepass")


def _check(status: int, body: bytes) -> None:
    assert status == 200 or 400 <= status < 500, status
    if status == 200 and body:
        assert RES.match(body), body


def test_random_bodies_never_hurt_the_server_or_another_user(tmp_path: object) -> None:
    with ServerThread(scrypt_n=FAST_SCRYPT, long_poll=1) as st_server:
        for uin in (10001, 10002, 10003):
            st_server.create_account(uin, "pw")
        st_server.add_buddy(10003, 10001)
        url = st_server.url
        loop = asyncio.new_event_loop()
        well_behaved = b"VER=1.1&CMD=List&SEQ=5&UIN=10003"

        async def login_steady_user() -> None:
            body = f"VER=1.1&CMD=Login&SEQ=1&UIN=10003&PS={md5('pw')}&M5=1&LC={LOGIN_CODE}"
            reply = (await post(url, body.encode(), source=STEADY_IP))[2]
            assert b"RES=0&RS=0" in reply

        loop.run_until_complete(login_steady_user())

        async def one(body: bytes, raw: bytes, headers: dict[str, str]) -> None:
            status, _h, reply = await post(url, body, headers)
            _check(status, reply)
            # garbage straight onto the socket
            reader, writer = await open_connection(url)
            try:
                writer.write(raw)
                writer.write_eof()
                try:
                    status, _h, reply = await asyncio.wait_for(read_response(reader), 5)
                    _check(status, reply)
                except (asyncio.IncompleteReadError, ConnectionError):
                    pass  # closing without an answer is fine for a request that never ended
            finally:
                writer.close()
            # the well-behaved user is served, unaffected
            status, _h, reply = await post(url, well_behaved, source=STEADY_IP)
            assert status == 200 and reply.endswith(b"&RES=0&FN=1"), reply

        @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
        @given(
            body=st.one_of(soups(), st.binary(max_size=300)),
            raw=st.one_of(
                st.binary(max_size=200),
                st.builds(
                    lambda b: b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(b) + b,
                    st.binary(max_size=200),
                ),
            ),
            headers=st.sampled_from(
                [
                    {},
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    {"Content-Type": "text/plain"},
                ]
            ),
        )
        def run(body: bytes, raw: bytes, headers: dict[str, str]) -> None:
            loop.run_until_complete(one(body, raw, headers))
            examples.append(body)

        examples: list[bytes] = []
        try:
            run()
            assert len(examples) >= 100  # hypothesis really threw that much at the server
        finally:
            loop.close()
