"""A session through an HTTP or SOCKS5 proxy to the real server (tiny loopback proxies)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from qqdesk.client import AccountSession, ServerUnavailable
from qqdesk.server import QQServer
from tests.support.proxies import ProxyThread

from .conftest import FAST, wait_for

needs_socksio = pytest.mark.skipif(
    importlib.util.find_spec("socksio") is None, reason="SOCKS needs httpx[socks] (socksio)"
)


def session(real: QQServer, tmp_path: Path, proxy: str) -> AccountSession:
    return AccountSession(
        real.url, 10001, "alice-pw", store=tmp_path / "a.sqlite3", timing=FAST, proxy=proxy
    )


async def test_through_an_http_proxy(real: QQServer, tmp_path: Path) -> None:
    with ProxyThread("http") as proxy:
        alice = session(real, tmp_path, proxy.url)
        try:
            await alice.login()
            assert await alice.buddies()
        finally:
            await alice.close()
    # Plain http: forwarded in absolute form, never spliced.
    assert proxy.seen and {seen.method for seen in proxy.seen} == {"POST"}
    assert all(seen.target.startswith(real.url) for seen in proxy.seen)


async def test_an_http_proxy_with_a_password(real: QQServer, tmp_path: Path) -> None:
    with ProxyThread("http", credentials=("me", "pâss:w/rd")) as proxy:
        good = proxy.url.replace("://", "://me:p%C3%A2ss%3Aw%2Frd@")
        alice = session(real, tmp_path, good)
        try:
            await alice.login()
        finally:
            await alice.close()
        assert proxy.seen and all(seen.user == "me" for seen in proxy.seen)
        assert proxy.refused == 0
        wrong = session(real, tmp_path, proxy.url.replace("://", "://me:nope@"))
        try:
            with pytest.raises(ServerUnavailable, match="407") as refused:
                await wrong.login()
            # The message names the proxy, never its password.
            assert "nope" not in str(refused.value)
        finally:
            await wrong.close()
        await wait_for(lambda: proxy.refused >= 1)


@needs_socksio
async def test_through_a_socks5_proxy(real: QQServer, tmp_path: Path) -> None:
    with ProxyThread("socks5", credentials=("me", "secret")) as proxy:
        alice = session(real, tmp_path, proxy.url.replace("://", "://me:secret@"))
        try:
            await alice.login()
        finally:
            await alice.close()
    assert proxy.seen and proxy.seen[0].user == "me"
    assert proxy.seen[0].target == real.url.removeprefix("http://").rstrip("/")


async def test_socks_without_socksio_says_so(real: QQServer, tmp_path: Path) -> None:
    if importlib.util.find_spec("socksio") is not None:
        pytest.skip("socksio is installed here")
    alice = session(real, tmp_path, "socks5://127.0.0.1:9")
    try:
        with pytest.raises(ServerUnavailable, match="socksio"):
            await alice.login()
    finally:
        await alice.close()
