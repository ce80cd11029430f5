"""Groups and discussions on the Smart QQ channel (real server): lists, details, sends,
poll events read by cursor, and the management extensions (DESIGN-SMARTQQ §3, §4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from qqdesk.core import Conversation
from qqdesk.server import QQServer
from tests.server.smartqq_web import Web

TIMEOUT = {"retcode": 0, "errmsg": "error!!!"}


@pytest.fixture
async def world(live: QQServer) -> QQServer:
    """Alice, Bob and Carol (all buddies of each other) and Dave (nobody's buddy)."""
    admin = live.async_admin
    await admin.create_account(10003, "pw", nick="Carol")
    await admin.create_account(10004, "pw", nick="Dave")
    for a, b in [(10001, 10003), (10002, 10003)]:
        await admin.add_buddy(a, b)
        await admin.add_buddy(b, a)
    live.service.messaging.long_poll = 1  # (empty polls still take 3 s)
    return live


async def web_of(live: QQServer, uin: int, **opts: Any) -> Web:
    web = Web(live)
    assert (await web.sign_in(uin, **opts))["retcode"] == 0
    return web


async def manage(web: Web, call: str, **r: Any) -> dict[str, Any]:
    return await web.json(
        "POST", f"/qqdesk/{call}", r={"psessionid": web.psessionid, "vfwebqq": web.vfwebqq, **r}
    )


async def group_list(web: Web) -> list[dict[str, Any]]:
    reply = await web.json(
        "POST", "/api/get_group_name_list_mask2", r={"vfwebqq": web.vfwebqq, "hash": web.hash}
    )
    assert set(reply["result"]) == {"gmasklist", "gnamelist", "gmarklist"}
    names: list[dict[str, Any]] = reply["result"]["gnamelist"]
    return names


async def test_a_group_of_three(world: QQServer) -> None:
    alice, bob, carol = [await web_of(world, uin) for uin in (10001, 10002, 10003)]
    made = await manage(
        alice,
        "create_group",
        name="三人群",
        members=[await alice.buddy_id("Bob 小明"), await alice.buddy_id("Carol")],
    )
    assert made["retcode"] == 0
    assert (await manage(bob, "set_card", gid=(await group_list(bob))[0]["gid"], card="小明")) == {
        "retcode": 0,
        "result": "ok",
    }
    for web in (alice, bob, carol):
        [group] = await group_list(web)
        assert group["name"] == "三人群"
    [group] = await group_list(carol)
    info = await carol.json(
        "GET", "/api/get_group_info_ext2", {"gcode": group["code"], "vfwebqq": carol.vfwebqq}
    )
    result = info["result"]
    assert set(result) >= {"ginfo", "minfo", "stats", "cards", "vipinfo"}
    order = [m["muin"] for m in result["ginfo"]["members"]]
    assert order == [m["uin"] for m in result["minfo"]]
    assert [m["nick"] for m in result["minfo"]] == ["Alice", "Bob 小明", "Carol"]
    assert 10003 in order  # one's own uin is the QQ number
    assert result["cards"] == [{"muin": order[1], "card": "小明"}]
    assert result["ginfo"]["owner"] == order[0]
    assert {s["uin"] for s in result["stats"]} == set(order)  # all three online
    # Alice says something with a face: Bob and Carol get it, each with their own ids
    reply = await alice.send(
        "/channel/send_qun_msg2", "group_uin", made["result"]["gid"], "大家好/微笑"
    )
    assert reply == {"retcode": 0, "errCode": 0, "msg": "send ok"}
    for web in (bob, carol):
        [event] = (await web.poll())["result"]
        assert event["poll_type"] == "group_message"
        value = event["value"]
        [mine] = await group_list(web)
        assert value["from_uin"] == value["group_code"] == mine["gid"]
        assert value["to_uin"] == web.uin
        assert value["content"][0][0] == "font"
        assert value["content"][1:] == ["大家好", ["face", 14], " "]
    carol_sees_alice = value["send_uin"]
    assert carol_sees_alice == order[0]
    assert await alice.poll() == TIMEOUT  # (no echo of one's own message)
    # Dave is no member: the gid means nothing to him
    dave = await web_of(world, 10004)
    assert (await dave.send("/channel/send_qun_msg2", "group_uin", group["gid"], "x"))[
        "retcode"
    ] == 100001
    bad = await dave.json(
        "GET", "/api/get_group_info_ext2", {"gcode": group["gid"], "vfwebqq": dave.vfwebqq}
    )
    assert bad["retcode"] == 6


async def test_a_discussion_of_three(world: QQServer) -> None:
    alice, bob, carol = [await web_of(world, uin) for uin in (10001, 10002, 10003)]
    made = await manage(
        bob,
        "create_discussion",
        name="",
        members=[await bob.buddy_id("Alice"), await bob.buddy_id("Carol")],
    )
    assert made["retcode"] == 0
    listed = await carol.json(
        "GET", "/api/get_discus_list", {"psessionid": carol.psessionid, "vfwebqq": carol.vfwebqq}
    )
    [discussion] = listed["result"]["dnamelist"]
    assert discussion["name"] == "Alice、Bob 小明、Carol"  # (joined together: by number)
    info = await carol.json(
        "GET",
        "/channel/get_discu_info",
        {"did": discussion["did"], "psessionid": carol.psessionid, "vfwebqq": carol.vfwebqq},
    )
    result = info["result"]
    assert [m["ruin"] for m in result["info"]["mem_list"]] == [10001, 10002, 10003]
    ids = {m["mem_uin"] for m in result["info"]["mem_list"]}
    assert {m["uin"] for m in result["mem_info"]} == ids
    assert len(result["mem_status"]) == 3
    reply = await carol.send("/channel/send_discu_msg2", "did", discussion["did"], "hi all")
    assert reply["retcode"] == 0
    for web in (alice, bob):
        [event] = (await web.poll())["result"]
        assert event["poll_type"] == "discu_message"
        assert event["value"]["did"] == event["value"]["from_uin"]
        assert event["value"]["content"][1:] == ["hi all"]
    # leaving: no more sends, no more events
    assert (await manage(carol, "leave", did=discussion["did"]))["retcode"] == 0
    assert (await carol.send("/channel/send_discu_msg2", "did", discussion["did"], "x"))[
        "retcode"
    ] == 100001


async def test_room_messages_are_kept_once_and_caught_up_with_since(world: QQServer) -> None:
    alice = await web_of(world, 10001, plain_ids=True)
    group = await world.service.rooms.create_group(10001, "g", [10002, 10003])
    gid = group.conversation.number
    for n in range(3):
        assert (await alice.send("/channel/send_qun_msg2", "group_uin", gid, f"m{n}"))[
            "retcode"
        ] == 0
    kept = await world.store.room_messages([Conversation.group(gid)], 0, 10)
    assert [m.content for m in kept] == [("m0",), ("m1",), ("m2",)]
    # Bob was away: with since he catches up, all in one acknowledged answer
    bob = await web_of(world, 10002, plain_ids=True, ack=True, since=0)
    reply = await bob.poll(ack=0)
    events = reply["result"]
    assert [e["value"]["content"][1] for e in events] == ["m0", "m1", "m2"]
    assert all(e["value"]["group_code"] == gid for e in events)
    assert events[0]["value"]["send_uin"] == 10001
    # not acknowledged: they come again; acknowledged: gone
    again = await bob.poll(ack=0)
    assert len(again["result"]) == 3
    assert await bob.poll(ack=events[-1]["value"]["msg_id"]) == TIMEOUT
    # without since, a new session starts at the newest
    carol = await web_of(world, 10003)
    assert await carol.poll() == TIMEOUT


async def test_management_errors(world: QQServer) -> None:
    alice = await web_of(world, 10001)
    dave_like = 4294967296 + 5  # an opaque id Alice never saw
    reply = await manage(alice, "create_group", name="x", members=[dave_like])
    assert reply["retcode"] == 100001
    assert (await manage(alice, "create_group", name="x", members="nope"))["retcode"] == 100006
    assert (await manage(alice, "leave", gid=12345))["retcode"] == 100001
    assert (await manage(alice, "invite", members=[]))["retcode"] == 100006
    made = await manage(alice, "create_group", name="g", members=[])
    gid = made["result"]["gid"]
    bob_id = await alice.buddy_id("Bob 小明")
    assert await manage(alice, "invite", gid=gid, members=[bob_id, bob_id]) == {
        "retcode": 0,
        "result": {"added": [bob_id]},
    }
    assert (await manage(alice, "invite", gid=gid, members=[bob_id]))["result"] == {"added": []}
    reply = await alice.json("POST", "/qqdesk/leave", r={"psessionid": "nope", "gid": gid})
    assert reply["retcode"] == 103


async def test_ones_own_room_messages_never_hold_up_the_others(world: QQServer) -> None:
    group = await world.service.rooms.create_group(10001, "g", [10002])
    gid = group.conversation.number
    alice = await web_of(world, 10001, plain_ids=True)
    bob = await web_of(world, 10002, plain_ids=True)
    for words in ("mine 1", "mine 2"):
        assert (await bob.send("/channel/send_qun_msg2", "group_uin", gid, words))["retcode"] == 0
    assert (await alice.send("/channel/send_qun_msg2", "group_uin", gid, "yours"))["retcode"] == 0
    [event] = (await bob.poll())["result"]
    assert event["value"]["content"][1:] == ["yours"]
