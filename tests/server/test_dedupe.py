"""Client message ids (issue 12 item 8): a CLTMSG sent again after a lost reply is stored
once, across a kill -9 too; legacy CLTMSG without CI is unchanged."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from qqdesk.core import Conversation, ConversationKind, parse_text, render_text
from qqdesk.server import QQServer
from qqdesk.server.cli import main as cli_main
from qqdesk.server.store.migrations import SENT_IDS_KEPT
from tests.support.servers import ServerProcess

from .conftest import AnyStore, Raw, fields, text, words
from .smartqq_web import Web


async def _texts(client: Raw) -> list[str]:
    """The user messages (MT=9) waiting for ``client``."""
    got = fields(await client.send("GetMsgEx", AK=0))
    kinds, texts = got["MT"].split(",")[:-1], got["MG"].split(",")[:-1]
    return [t for k, t in zip(kinds, texts, strict=True) if k == "9"]


async def test_a_resend_with_the_same_client_id_is_stored_once(
    live: QQServer, alice: Raw, bob: Raw
) -> None:
    for _ in range(3):  # the reply was lost twice: three sends of one message
        assert (await alice.send("CLTMSG", UN=10002, MG="once", CI="a1b2-c3")).endswith(b"&RES=0&")
    assert (await alice.send("CLTMSG", UN=10002, MG="second", CI="a1b2-c4")).endswith(b"&RES=0&")
    # legacy clients send no CI: each CLTMSG is a message, as always
    await alice.send("CLTMSG", UN=10002, MG="legacy")
    await alice.send("CLTMSG", UN=10002, MG="legacy")
    assert await _texts(bob) == ["once", "second", "legacy", "legacy"]


async def test_client_ids_are_per_sender(live: QQServer, alice: Raw, bob: Raw) -> None:
    await alice.send("CLTMSG", UN=10002, MG="from alice", CI="same")
    await bob.send("CLTMSG", UN=10001, MG="from bob", CI="same")
    assert await _texts(alice) == ["from bob"]
    assert await _texts(bob) == ["from alice"]


@pytest.mark.parametrize("bad", ["has space", "x" * 65, "逗号", "a,b"])
async def test_a_malformed_client_id_gets_null(alice: Raw, bob: Raw, bad: str) -> None:
    assert await alice.send("CLTMSG", UN=10002, MG="hi", CI=bad) == b""
    assert await _texts(bob) == []


async def test_records_older_than_a_day_are_forgotten(
    store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    assert await store.enqueue_once(text(10002, 10001, "day one"), "c1")
    assert not await store.enqueue_once(text(10002, 10001, "day one"), "c1")
    monkeypatch.setattr(time, "time", lambda: now + SENT_IDS_KEPT + 1)
    # the same id a day later is a new message (and the old record is deleted)
    assert await store.enqueue_once(text(10002, 10001, "a day later"), "c1")
    assert not await store.enqueue_once(text(10002, 10001, "a day later"), "c1")
    assert [words(m) for m in await store.queued(10002, 10)] == ["day one", "a day later"]
    rows = await store.rows("sent_ids", ["sender", "client_id", "time"], "sender")
    assert [r[:2] for r in rows] == [(10001, "c1")]


def test_a_resend_after_kill_9_is_stored_once(tmp_path: Path) -> None:
    """The reply to a CLTMSG is lost because the server died right after storing it;
    the client sends it again to the restarted server, with the same CI."""
    db = tmp_path / "dedupe.sqlite3"
    for uin in ("10001", "10002"):
        assert cli_main(["useradd", uin, "--password", "pw", "--db", str(db)]) == 0
    proc = ServerProcess(db)
    try:
        proc.start()

        async def send(tag: str) -> None:
            alice = Raw(proc.url, 10001)
            await alice.login()
            for i in range(5):
                reply = await alice.send("CLTMSG", UN=10002, MG=f"m{i}", CI=f"id-{i}")
                assert reply.endswith(b"&RES=0&"), (tag, reply)

        asyncio.run(send("first"))
        proc.kill()
        proc.start()
        asyncio.run(send("again"))  # every one of them resent after the crash

        async def receive() -> list[str]:
            bob = Raw(proc.url, 10002)
            await bob.login()
            return await _texts(bob)

        assert asyncio.run(receive()) == [f"m{i}" for i in range(5)]
    finally:
        proc.stop()


# -- room sends on the web channel (the qqdesk_client_id extension field) ---------------


async def test_a_room_send_with_the_same_client_id_is_kept_once(live: QQServer) -> None:
    group = await live.async_admin.create_group("一次", 10001)
    await live.async_admin.add_members(group, [10002])
    alice = Web(live)
    await alice.sign_in(10001, plain_ids=True)

    async def say(text: str, **extra: str) -> int:
        reply = await alice.send("/channel/send_qun_msg2", "group_uin", group.number, text, **extra)
        return int(reply["retcode"])

    for _ in range(3):  # the reply was lost twice: three sends of one message
        assert await say("once", qqdesk_client_id="r-1") == 0
    assert await say("second", qqdesk_client_id="r-2") == 0
    # a third-party client sends none: each send is a message, as always
    assert await say("plain") == 0
    assert await say("plain") == 0
    # ids are per sender, shared by both kinds of send: a buddy message's id is taken
    assert (await alice.send_buddy(10002, "to bob", qqdesk_client_id="b-1"))["retcode"] == 0
    assert (await alice.send_buddy(10002, "to bob", qqdesk_client_id="b-1"))["retcode"] == 0
    assert await say("again?", qqdesk_client_id="b-1") == 0
    for bad in ["has space", "x" * 65, "逗号"]:
        assert await say("malformed", qqdesk_client_id=bad) == 100006
    kept = await live.store.room_messages([group], 0, 20)
    assert [render_text(m.content) for m in kept] == ["once", "second", "plain", "plain"]
    assert [words(m) for m in await live.store.queued(10002, 10)] == ["to bob"]


async def test_a_room_message_is_recorded_once_per_client_id(store: AnyStore) -> None:
    room = await store.create_room(ConversationKind.GROUP, "g", 10001, [10001, 10002])
    group = Conversation.group(room.number)
    first = await store.post_once(group, 10001, parse_text("one"), "c1")
    assert first is not None
    assert await store.post_once(group, 10001, parse_text("one"), "c1") is None
    assert await store.post_once(group, 10002, parse_text("theirs"), "c1") is not None
    kept = await store.room_messages([group], 0, 10)
    assert [render_text(m.content) for m in kept] == ["one", "theirs"]
