"""The outbox's client message ids (CI): one id per message, the same on every resend, so a
server that de-duplicates stores a message whose answer was lost only once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qqdesk.client import AccountSession, DeliveryState
from qqdesk.client.outbox import client_id
from qqdesk.client.types import StoredMessage
from qqdesk.core import Conversation
from qqdesk.server import QQServer

from .conftest import ALICE, BOB, FAST
from .scripted import Answer, ScriptedServer

NewSession = Callable[..., AccountSession]
pytestmark = pytest.mark.timeout(15)


async def test_every_try_of_one_message_carries_the_same_client_id(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    def stored_but_lost(f: dict[str, str]) -> Answer:
        # the server kept it, then the connection died before the answer went out
        scripted.sent.append((10001, int(f["UN"]), f["MG"]))
        return Answer(drop=True)

    # the transport's own resend is lost too; the outbox's next try gets through
    scripted.script["CLTMSG"] = [stored_but_lost, stored_but_lost]
    session = new_session(scripted.url)
    await session.login()
    first = await session.send_message(10002, "hello")
    second = await session.send_message(10002, "hello")  # the same words: another message
    assert await session.wait_delivered(first.local_id) is DeliveryState.SENT
    assert await session.wait_delivered(second.local_id) is DeliveryState.SENT
    ids = [f["CI"] for f in scripted.log if f.get("CMD") == "CLTMSG"]
    assert len(ids) == 4
    assert ids[0] == ids[1] == ids[2] != ids[3]
    assert all(0 < len(i) <= 64 for i in ids)


async def test_a_message_resent_through_the_real_server_is_stored_once(
    real: QQServer, new_session: NewSession
) -> None:
    """What the outbox sends twice (same CI) reaches the recipient once."""
    alice = new_session(real.url, password="alice-pw")
    await alice.login()
    sent = await alice.send_message(10002, "exactly once")
    assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
    message = alice.store.message(sent.local_id)
    assert message is not None
    # the answer was lost: the next try of the same stored message
    await alice.link.send(message.conversation, message.content, client_id(message))
    queued = await real.store.queued(10002, 10)
    assert [m.content for m in queued if m.sender == 10001] == [("exactly once",)]


async def test_a_room_message_resent_through_the_real_server_is_kept_once(
    real: QQServer, new_session: NewSession
) -> None:
    """The same for a group and a discussion: the web link sends the client id too."""
    alice = new_session(real.url, ALICE, "alice-pw")
    await alice.login()
    rooms = [await alice.create_group("Once 一次", [BOB]), await alice.create_discussion("", [BOB])]
    for room in rooms:
        sent = await alice.send_message(room, "exactly once")
        assert await alice.wait_delivered(sent.local_id) is DeliveryState.SENT
        message = alice.store.message(sent.local_id)
        assert message is not None
        # the answer was lost: the next try of the same stored message
        await alice.web.send(message.conversation, message.content, client_id(message))
        kept = await real.store.room_messages([room], 0, 10)
        assert [m.content for m in kept] == [("exactly once",)]


def test_client_ids_differ_for_a_history_started_afresh() -> None:
    def message(local_id: int, when: float) -> StoredMessage:
        return StoredMessage(
            local_id=local_id,
            conversation=Conversation.buddy(10002),
            outgoing=True,
            content=("hi",),
            time=when,
            state=DeliveryState.PENDING,
        )

    assert client_id(message(1, 1_700_000_000.25)) == client_id(message(1, 1_700_000_000.25))
    assert client_id(message(1, 1_700_000_000.25)) != client_id(message(1, 1_700_000_001.5))
    assert client_id(message(1, 1_700_000_000.25)) != client_id(message(2, 1_700_000_000.25))
    assert FAST.send_attempts >= 2  # (the first test needs a second try)
