"""The Smart QQ channel on the real server: contacts, poll2, send_buddy_msg2, retcodes,
and one world with the classic family (SMARTQQ-NOTES §5-§9, DESIGN-SMARTQQ §3)."""

from __future__ import annotations

import asyncio
import json
import time

from qqdesk.core import AuthMode, Face, Presence
from qqdesk.protocol.smartqq import contact_hash
from qqdesk.protocol.smartqq.ids import is_opaque
from qqdesk.server import QQServer
from qqdesk.server.store import MessageKind
from tests.server.conftest import FakeClock, Raw, fields, wait_until
from tests.server.smartqq_web import Web

TIMEOUT = {"retcode": 0, "errmsg": "error!!!"}


async def signed_in(live: QQServer, uin: int, **opts: object) -> Web:
    web = Web(live)
    reply = await web.sign_in(uin, **opts)
    assert reply["retcode"] == 0
    return web


async def test_contacts_with_opaque_ids_and_the_hash(live: QQServer) -> None:
    web = await signed_in(live, 10001)
    online = await web.json("GET", "/channel/get_online_buddies2", {"psessionid": web.psessionid})
    assert online == {"retcode": 0, "result": []}
    reply = await web.friends()
    result = reply["result"]
    assert set(result) >= {"friends", "marknames", "categories", "info", "vipinfo"}
    [bob] = result["info"]
    assert bob["nick"] == "Bob 小明" and bob["face"] == 270 and is_opaque(bob["uin"])
    assert result["friends"] == [{"flag": 0, "uin": bob["uin"], "categories": 0}]
    # the same id again (stable within the server's run)
    assert (await web.friends())["result"]["info"][0]["uin"] == bob["uin"]
    # the hash with "" is accepted too; anything else is 50
    empty = {"vfwebqq": web.vfwebqq, "hash": contact_hash(10001, "")}
    assert (await web.json("POST", "/api/get_user_friends2", r=empty))["retcode"] == 0
    wrong = {"vfwebqq": web.vfwebqq, "hash": "0000000000000000"}
    assert await web.json("POST", "/api/get_user_friends2", r=wrong) == {
        "retcode": 50,
        "errmsg": "error!!!",
    }
    bad_vf = {"vfwebqq": "nope", "hash": web.hash}
    assert (await web.json("POST", "/api/get_user_friends2", r=bad_vf))["retcode"] == 100101
    groups = await web.json(
        "GET", "/api/get_group_name_list_mask2", r={"vfwebqq": web.vfwebqq, "hash": web.hash}
    )
    assert set(groups["result"]) >= {"gnamelist", "gmarklist"}
    discus = await web.json(
        "GET", "/api/get_discus_list", {"psessionid": web.psessionid, "vfwebqq": web.vfwebqq}
    )
    assert "dnamelist" in discus["result"]
    me = await web.json("GET", "/api/get_self_info2", {"t": 1})
    assert me["result"]["uin"] == 10001 and me["result"]["nick"] == "Alice"
    info = await web.json(
        "GET", "/api/get_friend_info2", {"tuin": bob["uin"], "vfwebqq": web.vfwebqq}
    )
    assert info["result"]["nick"] == "Bob 小明" and info["result"]["stat"] == 20
    lnick = await web.json(
        "GET", "/api/get_single_long_nick2", {"tuin": bob["uin"], "vfwebqq": web.vfwebqq}
    )
    assert lnick["result"][0]["uin"] == bob["uin"] and "lnick" in lnick["result"][0]
    qq = await web.json("GET", "/api/get_friend_uin2", {"tuin": bob["uin"], "vfwebqq": web.vfwebqq})
    assert qq["result"]["account"] == 10002
    stranger = await web.json("GET", "/api/get_friend_info2", {"tuin": 123, "vfwebqq": web.vfwebqq})
    assert stranger["retcode"] == 100001
    recent = await web.json(
        "POST", "/channel/get_recent_list2", r={"vfwebqq": web.vfwebqq, "psessionid": ""}
    )
    assert recent == {"retcode": 0, "result": []}


async def test_bad_json_and_numbers_as_strings(live: QQServer) -> None:
    web = await signed_in(live, 10001)
    reply = await web.json("POST", "/channel/poll2", raw_r="{not json")
    assert reply == {"retcode": 100006, "errmsg": "error!!!"}
    reply = await web.json("POST", "/channel/poll2", raw_r="[1,2]")
    assert reply["retcode"] == 100006
    bob = await web.buddy_id("Bob 小明")
    r = {
        "to": str(bob),
        "content": json.dumps(["hi", ["font", {"size": "10"}]]),
        "face": "522",
        "clientid": "53999199",
        "msg_id": "1",
        "psessionid": web.psessionid,
    }
    assert await web.json("POST", "/channel/send_buddy_msg2", r=r) == {
        "retcode": 0,
        "errCode": 0,
        "msg": "send ok",
    }


async def test_poll2_timeout_after_3_s_and_unknown_psessionid(live: QQServer) -> None:
    web = await signed_in(live, 10001)
    live.service.long_poll = 1  # (still held 3 s: never an empty answer sooner)
    live.service.messaging.long_poll = 1
    started = time.monotonic()
    assert await web.poll() == TIMEOUT
    assert time.monotonic() - started >= 3.0
    assert (await web.poll(psessionid="deadbeef"))["retcode"] == 103


async def test_classic_to_web_and_web_to_classic_with_faces(live: QQServer) -> None:
    web = await signed_in(live, 10002)  # Bob on the web
    alice = Raw(live.url, 10001)
    await alice.login()
    assert fields(await alice.send("CLTMSG", UN=10002, MG="hi /微笑 there"))["RES"] == "0"
    reply = await web.poll()
    [event] = reply["result"]
    assert event["poll_type"] == "message"
    value = event["value"]
    assert value["content"][0][0] == "font"
    assert value["content"][1:] == ["hi ", ["face", 14], " there"]
    assert value["to_uin"] == 10002 and is_opaque(value["from_uin"])
    assert value["from_uin"] == await web.buddy_id("Alice")
    assert value["msg_type"] == 0 and isinstance(value["msg_id"], int)
    # web -> classic: the face becomes /微笑
    reply = await web.send_buddy(value["from_uin"], ("<b>&", Face(14)))
    assert reply == {"retcode": 0, "errCode": 0, "msg": "send ok"}
    got = await alice.send("GetMsgEx")
    assert got.endswith("&MN=1&MT=9,&UN=10002,&MG=<b>%26/微笑,".encode())


async def test_one_event_per_reply_and_nothing_doubled(live: QQServer) -> None:
    web = await signed_in(live, 10002)
    alice = Raw(live.url, 10001)
    await alice.login()
    for n in range(3):
        assert fields(await alice.send("CLTMSG", UN=10002, MG=f"m{n}"))["RES"] == "0"
    texts = []
    for _ in range(3):
        [event] = (await web.poll())["result"]
        texts.append(event["value"]["content"][1])
    assert texts == ["m0", "m1", "m2"]
    live.service.messaging.long_poll = 1
    assert await web.poll() == TIMEOUT


async def test_both_families_at_once_get_each_message_in_their_own_form(live: QQServer) -> None:
    bob_classic = Raw(live.url, 10002)
    await bob_classic.login()
    web = await signed_in(live, 10002)
    assert 10002 in live.service.sessions and 10002 in live.service.web_sessions
    alice = Raw(live.url, 10001)
    await alice.login()
    assert fields(await alice.send("CLTMSG", UN=10002, MG="both /微笑"))["RES"] == "0"
    [event] = (await web.poll())["result"]
    assert event["value"]["content"][1:] == ["both ", ["face", 14], " "]
    body = await bob_classic.send("GetMsgEx")
    # (Alice's sign-in first, as a presence change)
    assert body.endswith("&MN=2&MT=99,9,&UN=10001,10001,&MG=10,both /微笑,".encode())
    # the classic session leaves: the web one reads the inbox now, without doubles
    assert fields(await alice.send("CLTMSG", UN=10002, MG="second"))["RES"] == "0"
    [event] = (await web.poll())["result"]
    assert event["value"]["content"][1] == "second"
    await bob_classic.send("Logout")
    assert 10002 not in live.service.sessions
    assert fields(await alice.send("CLTMSG", UN=10002, MG="third"))["RES"] == "0"
    [event] = (await web.poll())["result"]
    assert event["value"]["content"][1] == "third"
    live.service.messaging.long_poll = 1
    assert await web.poll() == TIMEOUT  # "second" came once only


async def test_presence_both_ways(live: QQServer, clock: FakeClock) -> None:
    alice = Raw(live.url, 10001)
    await alice.login()
    web = await signed_in(live, 10002, events=["status"])
    assert live.service.presence.visible(10002) is Presence.ONLINE
    # the classic buddy sees the web user online
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=1&MT=99,&UN=10002,&MG=10,")
    online = await alice.send("Query_Stat", TN=50, UN=0)
    assert online.endswith("&ST=10,&UN=10002,&NK=Bob 小明,".encode())
    reply = await web.json(
        "GET", "/channel/change_status2", {"newstatus": "busy", "psessionid": web.psessionid}
    )
    assert reply == {"retcode": 0, "result": "ok"}
    assert live.service.presence.visible(10002) is Presence.BUSY
    assert (await alice.send("GetMsgEx")).endswith(b"&MN=1&MT=99,&UN=10002,&MG=30,")
    # the web user (opted in) sees the classic one change
    assert fields(await alice.send("Change_Stat", ST=30))["RES"] == "0"
    [event] = (await web.poll())["result"]
    assert event["poll_type"] == "buddies_status_change"
    assert event["value"]["status"] == "busy" and event["value"]["client_type"] == 1
    listed = await web.json("GET", "/channel/get_online_buddies2", {"psessionid": web.psessionid})
    assert listed["result"][0]["status"] == "busy"
    # offline only when neither session is live
    bob_classic = Raw(live.url, 10002)
    await bob_classic.login()
    await bob_classic.send("Logout")
    assert live.service.presence.visible(10002) is not Presence.OFFLINE
    await web.json("GET", "/channel/logout2", {"psessionid": web.psessionid})
    assert live.service.presence.visible(10002) is Presence.OFFLINE


async def test_without_opt_in_no_status_events(live: QQServer) -> None:
    await signed_in(live, 10002)
    alice = Raw(live.url, 10001)
    await alice.login()
    assert fields(await alice.send("Change_Stat", ST=30))["RES"] == "0"
    session = live.service.web_sessions[10002]
    assert not session.status_changes


async def test_a_new_web_sign_in_kicks_the_old(live: QQServer) -> None:
    old = await signed_in(live, 10001, events=["kick"])
    held = asyncio.ensure_future(old.poll())
    await wait_until(lambda: live.service.web_sessions[10001].polls == 1)
    # (the password extension: a QR would first bring the old session its notice)
    await Web(live).password_sign_in(10001)
    reply = await held
    assert reply["result"][0]["poll_type"] == "kick_message"
    assert (await old.poll())["retcode"] == 121
    # not polling when replaced: told at its next poll, then 121; other calls 121
    idle = await signed_in(live, 10001, events=["kick"])
    await signed_in(live, 10001)
    assert (await idle.send_buddy(1, "x"))["retcode"] == 121
    assert (await idle.poll())["result"][0]["poll_type"] == "kick_message"
    assert (await idle.poll())["retcode"] == 121
    # without the opt-in: straight 121
    plain = await signed_in(live, 10002)
    await signed_in(live, 10002)
    assert (await plain.poll())["retcode"] == 121


async def test_send_retcodes(live: QQServer) -> None:
    web = await signed_in(live, 10001)
    bob = await web.buddy_id("Bob 小明")
    r = {"to": bob, "content": ["hi"], "psessionid": web.psessionid}
    assert (await web.json("POST", "/channel/send_buddy_msg2", r=r))["retcode"] == 1000001
    assert (await web.send_buddy(12345, "hi"))["retcode"] == 100001
    assert (await web.send_buddy(bob, "x" * 2001))["retcode"] == 100006
    r = {"to": bob, "content": json.dumps(["hi"]), "psessionid": "nope"}
    assert (await web.json("POST", "/channel/send_buddy_msg2", r=r))["retcode"] == 103
    for n in range(10):
        assert (await web.send_buddy(bob, f"m{n}"))["retcode"] == 0
    assert await web.send_buddy(bob, "flood") == {"retcode": 1202, "errmsg": "error!!!"}
    # the same count as the classic CLTMSG: the penalty stops classic sends too
    alice = Raw(live.url, 10001)
    await alice.login()
    assert fields(await alice.send("CLTMSG", UN=10002, MG="x"))["RES"] == "3"


async def test_marknames_are_the_users_remarks(live: QQServer) -> None:
    await live.async_admin.mark_buddy(10001, 10002, "小明同学")
    web = await signed_in(live, 10001)
    result = (await web.friends())["result"]
    [bob] = result["info"]
    assert result["marknames"] == [{"uin": bob["uin"], "markname": "小明同学", "type": 0}]


async def test_a_switch_of_reader_never_doubles_with_acks(live: QQServer) -> None:
    bob_classic = Raw(live.url, 10002)
    await bob_classic.login()
    web = Web(live)
    await web.password_sign_in(10002, ack=True, plain_ids=True)
    alice = Raw(live.url, 10001)
    await alice.login()
    assert fields(await alice.send("CLTMSG", UN=10002, MG="one"))["RES"] == "0"
    [copy] = (await web.poll(ack=0))["result"]  # a copy: the classic session reads the inbox
    assert copy["value"]["content"][1:] == ["one"] and copy["value"]["from_uin"] == 10001
    # the classic client leaves without reading "one": the web session reads the inbox now
    await bob_classic.send("Logout")
    assert fields(await alice.send("CLTMSG", UN=10002, MG="two"))["RES"] == "0"
    events = (await web.poll(ack=copy["value"]["msg_id"]))["result"]
    assert [e["value"]["content"][1:] for e in events] == [["two"]]


async def test_add_requests_wait_in_the_inbox_for_the_classic_client(live: QQServer) -> None:
    await live.async_admin.create_account(30001, "pw", auth=AuthMode.VERIFY, nick="Careful")
    web = await signed_in(live, 30001)  # only on the web: it reads the inbox
    alice = Raw(live.url, 10001)
    await alice.login()
    asked = await alice.send("Ack_AddToList", ver="1.2", UN=30001, CD=2, RS="hello")
    assert fields(asked)["RES"] == "0"
    assert fields(await alice.send("CLTMSG", UN=30001, MG="after the request"))["RES"] == "0"
    [event] = (await web.poll())["result"]  # the request has no web form
    assert event["value"]["content"][1:] == ["after the request"]
    live.service.messaging.long_poll = 1
    assert await web.poll() == TIMEOUT  # (takes the message as received)
    kinds = [m.kind for m in await live.store.queued(30001, 10)]
    assert kinds[0] is MessageKind.ADD_REQUEST
    classic = Raw(live.url, 30001)
    await classic.login()
    got = await classic.send("GetMsgEx")
    assert b"MT=2," in got and b"hello" in got


async def test_an_abandoned_poll2_ends_its_hold_at_once(live: QQServer) -> None:
    # A web client that gives up on its poll must not hold it (and its connection's
    # slot) for the rest of the hold: the server sees the connection end.
    web = await signed_in(live, 10001)
    live.service.long_poll = 60
    live.service.messaging.long_poll = 60
    session = live.service.web_sessions[10001]
    held = asyncio.create_task(web.poll())
    await wait_until(lambda: session.polls == 1)
    held.cancel()  # closes its connection
    await asyncio.gather(held, return_exceptions=True)
    await wait_until(lambda: session.polls == 0 and live.front_end.connection_count == 0)
    # the session goes on: its next poll is answered as usual
    bob = Raw(live.url, 10002)
    await bob.login()
    assert fields(await bob.send("CLTMSG", UN=10001, MG="still here"))["RES"] == "0"
    [event] = (await web.poll())["result"]
    assert event["value"]["content"][1:] == ["still here"]
