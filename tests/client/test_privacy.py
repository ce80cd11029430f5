"""The library's profile privacy calls (the Privacy extension), on the real server and on a
legacy one that lacks it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qqdesk.client import AccountSession, Audience, ProfilePrivacy, RequestRefused
from qqdesk.server import QQServer

from .scripted import ScriptedServer

NewSession = Callable[..., AccountSession]
pytestmark = pytest.mark.timeout(15)


async def test_set_privacy_hides_fields_from_others_but_not_from_me(
    real: QQServer, new_session: NewSession
) -> None:
    await real.async_admin.set_profile(10001, mobile="138", real_name="爱丽丝")
    alice = new_session(real.url, password="alice-pw")
    vera = new_session(real.url, uin=10004, password="vera-pw")  # not on Alice's list
    bob = new_session(real.url, uin=10002, password="bob-pw")  # Alice's buddy
    for session in (alice, bob, vera):
        await session.login()
    assert await alice.privacy() == ProfilePrivacy()
    chosen = await alice.set_privacy(mobile=Audience.NOBODY, real_name=Audience.BUDDIES)
    assert chosen == ProfilePrivacy(mobile=Audience.NOBODY, real_name=Audience.BUDDIES)
    assert await alice.privacy() == chosen
    seen_by_vera = await vera.profile(10001)
    assert (seen_by_vera.mobile, seen_by_vera.real_name) == ("", "")
    seen_by_bob = await bob.profile(10001)
    assert (seen_by_bob.mobile, seen_by_bob.real_name) == ("", "爱丽丝")
    mine = await alice.profile(10001)
    assert (mine.mobile, mine.real_name) == ("138", "爱丽丝")
    with pytest.raises(ValueError, match="nick"):
        await alice.set_privacy(nick=Audience.NOBODY)


async def test_a_server_without_privacy_says_so(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    with pytest.raises(RequestRefused):
        await session.set_privacy(mobile=Audience.NOBODY)
