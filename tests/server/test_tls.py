"""The optional TLS listener: QQServer.start(ssl=...), and ``serve --tls-cert --tls-key``
beside plain HTTP (``--tls-port``) or instead of it (``--tls-only``). The certificate is a
throwaway one made by the test (tests/support/certs.py, with ``cryptography``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import sys
from pathlib import Path

from qqdesk.protocol.classic import LOGIN_CODE
from qqdesk.server import QQServer, SqliteStore
from qqdesk.server.cli import main
from tests.support.certs import self_signed
from tests.support.servers import ROOT
from tests.support.wire import free_port, port_accepts, read_response, request_bytes

from .conftest import FAST_SCRYPT, md5

LOGIN = f"VER=1.1&CMD=Login&SEQ=1&UIN=10001&PS={md5('pw')}&M5=1&LC={LOGIN_CODE}".encode()


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def _https_post(port: int, body: bytes, ca_file: Path) -> tuple[int, bytes]:
    """POST over TLS, the certificate checked against ``ca_file`` (and the host name)."""
    context = ssl.create_default_context(cafile=str(ca_file))
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=context, server_hostname="127.0.0.1"
    )
    try:
        writer.write(request_bytes(body, {"Connection": "close"}))
        await writer.drain()
        status, _, reply = await asyncio.wait_for(read_response(reader), 10)
        return status, reply
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()


async def test_start_with_an_ssl_context_serves_https(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    tls = QQServer(SqliteStore(tmp_path / "tls.sqlite3"), scrypt_n=FAST_SCRYPT)
    await tls.start("127.0.0.1", 0, ssl=_server_context(cert, key))
    try:
        await tls.async_admin.create_account(10001, "pw")
        assert tls.url == f"https://127.0.0.1:{tls.port}/"
        status, reply = await _https_post(tls.port, LOGIN, cert)
        assert status == 200 and b"&RES=0&RS=0&HI=60" in reply
        # plain HTTP on the TLS port gets no answer, and the server goes on
        reader, writer = await asyncio.open_connection("127.0.0.1", tls.port)
        writer.write(request_bytes(LOGIN))
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 10) == b""
        writer.close()
        plain = await tls.listen("127.0.0.1", 0)  # and plain HTTP beside it
        status, reply = await _https_post(tls.port, LOGIN, cert)
        assert status == 200
        reader, writer = await asyncio.open_connection("127.0.0.1", plain)
        writer.write(request_bytes(LOGIN, {"Connection": "close"}))
        await writer.drain()
        assert b"&RES=0&RS=0" in (await read_response(reader))[2]
        writer.close()
    finally:
        await tls.stop()


def _serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qqdesk.server",
            "serve",
            "--db",
            str(tmp_path / "s.sqlite3"),
            *args,
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_listening(proc: subprocess.Popen[str]) -> str:
    """The server's "listening" line (it logs it once its signal handlers are set)."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if "listening on" in line:
            return line
    raise AssertionError(f"the server ended ({proc.wait(5)}) without listening")


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    assert proc.wait(15) == 0
    if proc.stderr:
        proc.stderr.close()


def test_serve_https_beside_plain_http(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    db = str(tmp_path / "s.sqlite3")
    assert main(["useradd", "10001", "--password", "pw", "--db", db]) == 0
    plain, secure = free_port(), free_port()
    proc = _serve(
        tmp_path, "--port", str(plain), "--tls-port", str(secure), "--tls-cert", str(cert),
        "--tls-key", str(key),
    )  # fmt: skip
    try:
        line = _wait_listening(proc)
        assert f"listening on 127.0.0.1:{plain}, 127.0.0.1:{secure} (HTTPS)" in line
        status, reply = asyncio.run(_https_post(secure, LOGIN, cert))
        assert status == 200 and b"&RES=0&RS=0" in reply
    finally:
        _stop(proc)


def test_serve_tls_only(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    plain, secure = free_port(), free_port()
    proc = _serve(
        tmp_path, "--port", str(plain), "--tls-port", str(secure), "--tls-cert", str(cert),
        "--tls-key", str(key), "--tls-only",
    )  # fmt: skip
    try:
        assert f"listening on 127.0.0.1:{secure} (HTTPS) (store" in _wait_listening(proc)
        assert port_accepts(secure) and not port_accepts(plain)
    finally:
        _stop(proc)


def test_serve_refuses_half_or_wrong_tls_options(tmp_path: Path) -> None:
    cert, _ = self_signed(tmp_path)
    db = str(tmp_path / "s.sqlite3")
    assert main(["serve", "--db", db, "--tls-cert", str(cert)]) == 2
    assert main(["serve", "--db", db, "--tls-only"]) == 2
    assert main(["serve", "--db", db, "--tls-cert", str(cert), "--tls-key", str(cert)]) == 2
