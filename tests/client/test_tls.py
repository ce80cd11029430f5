"""The library over https://: a server with a throwaway self-signed certificate, trusted
through the session's CA file option; refused without it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from qqdesk.client import AccountSession, DeliveryState, ServerUnavailable
from qqdesk.client.transport import Transport
from qqdesk.server import QQServer, SqliteStore
from tests.support.certs import self_signed
from tests.support.processes import run_python

from .conftest import FAST, populate, wait_for

NewSession = Callable[..., AccountSession]
pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def https(tmp_path: Path) -> AsyncIterator[tuple[QQServer, Path]]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = QQServer(SqliteStore(tmp_path / "server.sqlite3"), long_poll=5)
    populate(server.admin)
    await server.start("127.0.0.1", 0, ssl=context)
    try:
        yield server, cert
    finally:
        await server.stop()


async def test_a_session_over_https_with_a_self_signed_certificate(
    https: tuple[QQServer, Path], tmp_path: Path
) -> None:
    server, cert = https
    assert server.url.startswith("https://")
    alice = AccountSession(server.url, 10001, "alice-pw", store=tmp_path / "a.db", timing=FAST)
    bob = AccountSession(
        server.url, 10002, "bob-pw", store=tmp_path / "b.db", timing=FAST, ca_file=cert
    )
    try:
        with pytest.raises(ServerUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            await alice.login()  # not trusted: the system's authorities never signed it
        await bob.login()
        sent = await bob.send_message(10001, "加密的 hello")
        assert await bob.wait_delivered(sent.local_id) is DeliveryState.SENT
        alice = AccountSession(
            server.url, 10001, "alice-pw", store=tmp_path / "a2.db", timing=FAST, ca_file=cert
        )
        await alice.login()
        await wait_for(lambda: alice.count(10002) == 1, timeout=10)
        assert alice.history(10002)[0].text == "加密的 hello"
    finally:
        await bob.close()
        await alice.close()


def test_only_http_and_https_urls(tmp_path: Path) -> None:
    Transport("https://example.org")
    Transport("127.0.0.1:8000")
    with pytest.raises(ValueError, match="ftp"):
        Transport("ftp://example.org")
    with pytest.raises(ValueError, match="CA file"):
        Transport("https://example.org", ca_file=str(tmp_path / "missing.pem"))


def test_a_client_for_a_plain_http_server_reads_no_certificate_authorities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plain http:// server needs no TLS: its client does not read the CA bundle (some
    30 ms and 2 MiB at every sign-in); its stand-in context trusts nobody. An https://
    server's client still reads the system's authorities."""
    made: list[object] = []
    real = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(kwargs.get("cafile"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    plain = Transport("http://127.0.0.1:1/")
    assert isinstance(plain._verify, ssl.SSLContext)
    assert plain._verify.cert_store_stats()["x509_ca"] == 0
    assert plain._verify.verify_mode is ssl.CERT_REQUIRED and plain._verify.check_hostname
    plain._open()
    assert made == []
    Transport("https://127.0.0.1:1/")._open()
    assert len(made) == 1


def test_importing_the_transport_leaves_the_httpx_command_line_out() -> None:
    """httpx imports its command-line client (click, rich) where they are installed (they
    are here, for the test tools): the app never runs it, and it costs 12 MiB."""
    code = (
        "import sys, qqdesk.client.transport, httpx, importlib;"
        "print(sorted({'rich', 'click'} & set(sys.modules)));"
        "importlib.import_module('httpx._main'); print('rich' in sys.modules)"
    )
    assert run_python(code).split() == ["[]", "True"]
