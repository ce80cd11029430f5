"""The server's run id in the Login reply (SI, issue 12 item 7): a restart, however often
and however quiet, is never taken for a takeover; the same run forgetting the session is."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from qqdesk.client import AccountSession, ConnectionState, ConnectionStateChanged
from qqdesk.server import QQServer

from .conftest import FAST, wait_for
from .scripted import Answer, ScriptedServer

NewSession = Callable[..., AccountSession]
pytestmark = pytest.mark.timeout(20)

#: Polls answered RES=20 in a row (a re-login replays its call once: two per re-login),
#: for more re-logins than read as a takeover.
FORGOTTEN = 2 * (FAST.relogin_limit + 2)


def _login_with_instance(
    scripted: ScriptedServer, runs: Callable[[], str]
) -> Callable[..., Answer]:
    def login(f: dict[str, str]) -> Answer:
        assert f.get("SI") == "1"  # the library asks for it
        scripted.sessions.add(10001)
        body = f"VER=1.1&CMD=Login&SEQ={f['SEQ']}&UIN=10001&RES=0&RS=0&HI=60&LI=300&SI={runs()}"
        return Answer(body.encode())

    return login


def _forgotten(f: dict[str, str]) -> Answer:
    return Answer(f"VER=1.1&CMD=GETMSGEX&SEQ={f['SEQ']}&UIN=10001&RES=20".encode())


async def test_a_server_that_restarted_quietly_is_never_a_takeover(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    """Each re-login reaches a new run (a restart so fast no connection broke)."""
    counter = itertools.count()
    scripted.script["LOGIN"] = [_login_with_instance(scripted, lambda: f"run{next(counter)}")] * (
        FORGOTTEN + 1
    )
    scripted.script["GETMSGEX"] = [_forgotten] * FORGOTTEN
    session = new_session(scripted.url)
    await session.login()
    # polling on, as normal, after every scripted RES=20
    await wait_for(lambda: scripted.count("GETMSGEX") > FORGOTTEN, timeout=15)
    await wait_for(lambda: session.state is ConnectionState.CONNECTED)
    logins = scripted.count("LOGIN")
    assert logins > 1 + FAST.relogin_limit
    assert session.link.server_instance == f"run{logins - 1}"


async def test_the_same_run_forgetting_the_session_is_a_takeover(
    scripted: ScriptedServer, new_session: NewSession
) -> None:
    """The same run each time, though connections break meanwhile (which alone would
    read as a restart): the account is in use elsewhere, and the session stops."""
    scripted.script["LOGIN"] = [_login_with_instance(scripted, lambda: "run0")] * (FORGOTTEN + 1)
    # every poll: the connection dies once (the transport sends again), then RES=20
    scripted.script["GETMSGEX"] = [Answer(drop=True), _forgotten] * FORGOTTEN
    session = new_session(scripted.url)
    events = session.events()
    await session.login()
    states = [e.state async for e in events if isinstance(e, ConnectionStateChanged)]
    assert states[-1] is ConnectionState.STOPPED
    assert scripted.count("LOGIN") <= 1 + FAST.relogin_limit


async def test_the_real_server_names_its_run_only_to_a_client_that_asks(
    real: QQServer, new_session: NewSession
) -> None:
    alice = new_session(real.url, password="alice-pw")
    await alice.login()
    assert alice.link.server_instance == real.classic.instance
    assert len(real.classic.instance) == 16
