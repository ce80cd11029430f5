"""The server the app runs inside its own process, so a new user needs no server of their own."""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
from pathlib import Path
from typing import Any

import platformdirs

from qqdesk.core import AuthMode
from qqdesk.server import QQServer, SqliteStore

log = logging.getLogger(__name__)

#: The port legacy clients expect (seed 002: tqq.tencent.com:8000).
DEFAULT_PORT = 8000
#: The store file inside the data folder.
STORE_NAME = "server.sqlite3"

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"

# Seconds, as the classic protocol promises them (Login reply HI=60, LI=300).
IDLE_TIMEOUT = 300
KEEPALIVE = 60
LONG_POLL = 55


def default_data_dir() -> Path:
    """Where the built-in server keeps its store unless told otherwise."""
    return Path(platformdirs.user_data_dir("qqdesk"))


def bind_host(lan: bool) -> str:
    """The address to listen on: loopback only, or every interface for the LAN."""
    return ALL_INTERFACES if lan else LOOPBACK


def lan_addresses() -> list[str]:
    """IPv4 addresses other machines may use to reach this one (no packets are sent)."""
    found: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if not address.startswith("127.") and address not in found:
                found.append(address)
    return found


def _port_taken(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.EADDRINUSE, errno.EACCES)


class BuiltinServer:
    """A :class:`QQServer` on the running asyncio loop, with its store in the user's data folder.

    Start it with ``await BuiltinServer.start()``. When the wanted port is taken the
    server takes a free one instead; ``port_changed`` then says so and ``notice``
    words it for the user.
    """

    def __init__(self, server: QQServer, data_dir: Path, host: str, requested_port: int) -> None:
        self._server = server
        self.data_dir = data_dir
        #: The address the server listens on (127.0.0.1, or 0.0.0.0 for the LAN).
        self.host = host
        self.requested_port = requested_port
        self._stopped = False

    @classmethod
    async def start(
        cls, data_dir: Path | str | None = None, *, lan: bool = False, port: int = DEFAULT_PORT
    ) -> BuiltinServer:
        """Open the store (created on first use) and listen; port 0 picks a free port."""
        directory = Path(data_dir) if data_dir is not None else default_data_dir()
        directory.mkdir(parents=True, exist_ok=True)
        host = bind_host(lan)
        server = _new_server(directory / STORE_NAME)
        try:
            try:
                await server.start(host, port)
            except OSError as exc:
                if port == 0 or not _port_taken(exc):
                    raise
                log.warning(
                    "port %d is taken (%s); the built-in server takes a free one", port, exc
                )
                # A start that failed to bind leaves the server fresh: try again on it.
                await server.start(host, 0)
        except BaseException:
            await _quietly_stop(server)
            raise
        built_in = cls(server, directory, host, port)
        log.info("built-in server listens on %s:%d (store %s)", host, built_in.port, directory)
        return built_in

    @property
    def server(self) -> QQServer:
        """The running server (its ``admin`` is the way to manage accounts)."""
        return self._server

    @property
    def port(self) -> int:
        return int(self._server.port)

    @property
    def url(self) -> str:
        """The address this machine's clients use (loopback even when the LAN may connect)."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def address(self) -> str:
        """``host:port`` for this machine, as the app's server setting writes it."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def lan(self) -> bool:
        return self.host != LOOPBACK

    @property
    def lan_urls(self) -> list[str]:
        """Addresses to give to other machines; empty unless the server is on the LAN."""
        if not self.lan:
            return []
        return [f"http://{a}:{self.port}" for a in lan_addresses()]

    @property
    def port_changed(self) -> bool:
        """True when the wanted port was taken and another one is in use."""
        return self.requested_port != 0 and self.port != self.requested_port

    @property
    def notice(self) -> str:
        """A bilingual line for the user when the port moved, else empty."""
        if not self.port_changed:
            return ""
        return (
            f"端口 {self.requested_port} 已被占用,内置服务器改用端口 {self.port}。\n"
            f"Port {self.requested_port} is in use; the built-in server uses port "
            f"{self.port} instead."
        )

    def create_account(
        self,
        password: str,
        nick: str,
        uin: int | None = None,
        *,
        auth: AuthMode = AuthMode.ANYONE,
        face: int = 0,
        **profile: Any,
    ) -> int:
        """Make an account directly in the store (never over the wire); returns its number.

        Blocking (the app's "create account" page calls it on the UI thread); code on
        the loop awaits ``server.async_admin.create_account`` instead.
        """
        return int(
            self._server.admin.create_account(
                uin, password, nick=nick, auth=auth, face=face, **profile
            )
        )

    async def stop(self) -> None:
        """Stop listening, end the sessions and close the store; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        await self._server.stop()

    async def __aenter__(self) -> BuiltinServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _new_server(store_path: Path) -> QQServer:
    return QQServer(
        SqliteStore(store_path, read_cache=True),
        idle_timeout=IDLE_TIMEOUT,
        keepalive=KEEPALIVE,
        long_poll=LONG_POLL,
    )


async def _quietly_stop(server: QQServer) -> None:
    # A server that never bound still holds its store open.
    with contextlib.suppress(Exception):
        await server.stop()
