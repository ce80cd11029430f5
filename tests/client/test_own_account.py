"""The library's own-account calls (the SetInfo and SetPassword extensions) on the real
server, and on a legacy one that lacks them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qqdesk.client import AccountSession, RequestRefused, WrongPassword
from qqdesk.client.errors import TooFrequent
from qqdesk.core import MAX_NICK, MIN_PASSWORD
from qqdesk.server import QQServer

from .conftest import ALICE, BOB
from .scripted import ScriptedServer

NewSession = Callable[..., AccountSession]
pytestmark = pytest.mark.timeout(20)


async def test_set_profile_changes_what_i_and_my_buddies_see(
    real: QQServer, new_session: NewSession
) -> None:
    alice = new_session(real.url, password="alice-pw")
    bob = new_session(real.url, uin=BOB, password="bob-pw")
    await alice.login()
    await bob.login()
    group = await alice.create_group("Team 团队", [BOB])
    mine = await alice.set_profile(nick="爱丽丝, A.", face=33, intro="第一行\n第二行", sex=1)
    assert (mine.nick, mine.face, mine.intro, int(mine.sex)) == (
        "爱丽丝, A.",
        33,
        "第一行\n第二行",
        1,
    )
    assert mine.province == "" and mine.uin == ALICE  # what was not given stays
    assert (alice.nick, alice.face) == ("爱丽丝, A.", 33)
    # my buddy sees the new name and face: online list, profile, and over the web channel
    online = {b.uin: b for b in await bob.online_buddies()}
    assert (online[ALICE].nick, online[ALICE].face) == ("爱丽丝, A.", 33)
    assert (await bob.profile(ALICE)).intro == "第一行\n第二行"
    members = {m.uin: m for m in await bob.members(group)}
    assert members[ALICE].nick == "爱丽丝, A."


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"nick": "x" * (MAX_NICK + 1)}, "nick is longer"),
        ({"nick": "   "}, "nick must not be blank"),
        ({"face": 300}, "face must be"),
        ({"uin": 10009}, "uin is not a field"),
        ({"email": "a\nb"}, "email must be one line"),
    ],
)
async def test_set_profile_refuses_before_sending(
    real: QQServer, new_session: NewSession, changes: dict[str, str | int], words: str
) -> None:
    alice = new_session(real.url, password="alice-pw")
    await alice.login()
    with pytest.raises(ValueError, match=words):
        await alice.set_profile(**changes)
    assert (await alice.profile(ALICE)).nick == "Alice"


async def test_change_password(real: QQServer, new_session: NewSession) -> None:
    alice = new_session(real.url, password="alice-pw")
    await alice.login()
    with pytest.raises(ValueError, match=f"at least {MIN_PASSWORD}"):
        await alice.change_password("alice-pw", "x" * (MIN_PASSWORD - 1))
    with pytest.raises(WrongPassword):
        await alice.change_password("not it", "brand new")
    await alice.change_password("alice-pw", "brand new")
    # the old password signs in no more, the new one does
    with pytest.raises(WrongPassword):
        await new_session(real.url, password="alice-pw").login()
    await new_session(real.url, password="brand new").login()
    # this session signs in again with the new password, web channel included
    await alice.logout()
    await alice.login()
    assert alice.rooms_available
    assert await alice.rooms() == []


async def test_wrong_old_passwords_meet_the_login_throttle_at_once(
    real: QQServer, new_session: NewSession
) -> None:
    alice = new_session(real.url, password="alice-pw")
    await alice.login()
    for _ in range(5):
        with pytest.raises(WrongPassword):
            await alice.change_password("guess", "mine now")
    with pytest.raises(TooFrequent):  # at once: no waiting out a penalty that is not one
        await alice.change_password("alice-pw", "mine now")


async def test_a_server_without_the_extensions_says_so(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    session = new_session(scripted.url)
    await session.login()
    with pytest.raises(RequestRefused):
        await session.set_profile(nick="New")
    with pytest.raises(RequestRefused):
        await session.change_password("pw", "long enough")
