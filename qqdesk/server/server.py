"""QQServer: the server on an asyncio loop (HTTP routing, front-ends, service, store)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Callable

from .admin import Admin, BlockingAdmin
from .bus import Bus, LocalBus
from .frontends.classic import COOKIE_PREFIX, ClassicFrontEnd
from .frontends.smartqq import SmartQQFrontEnd
from .http import Answer, HttpFrontEnd, Limits, Request, Router
from .proxyproto import TrustedProxies
from .service import MAX_FROM_STRANGERS, Service
from .store import SCRYPT_N, Store
from .store.opening import is_postgres

log = logging.getLogger(__name__)


def default_bus(store: Store) -> Bus:
    """LISTEN/NOTIFY for a PostgreSQL store (other nodes may share it), else in process."""
    url = getattr(store, "url", None)
    node = getattr(store, "node", None)
    if isinstance(url, str) and isinstance(node, str) and is_postgres(url):
        from .bus.postgres import PostgresBus  # (asyncpg only where PostgreSQL is used)

        return PostgresBus(url, node)
    return LocalBus()


def _classic_uin(body: bytes) -> int | None:
    """The UIN field of a classic request (not a Login: that makes its own session)."""
    uin = None
    for part in body.split(b"&"):
        name, _, value = part.partition(b"=")
        name = name.strip()
        if name == b"CMD" and value.strip() == b"Login":
            return None
        if name == b"UIN" and value.strip().isdigit():
            uin = int(value)
    return uin


class QQServer:
    """A server: ``await start(host, port)``, then ``url``/``port``/``admin``; ``await stop()``.

    ``proxies``: front doors (HAProxy with ``send-proxy-v2``) whose connections start
    with a PROXY header naming the client, which then counts as the client's address.

    ``async_admin`` manages accounts with awaited calls; ``admin`` is the same for
    synchronous callers (it blocks, on a thread of its own, until each is done).
    """

    def __init__(
        self,
        store: Store,
        idle_timeout: float = 300,
        keepalive: int = 60,
        long_poll: int = 55,
        strict_sessions: bool = False,
        *,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        scrypt_n: int = SCRYPT_N,
        max_from_strangers: int = MAX_FROM_STRANGERS,
        bus: Bus | None = None,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.store = store
        self.bus = bus or default_bus(store)
        self.service = Service(
            store,
            idle_timeout=idle_timeout,
            keepalive=keepalive,
            long_poll=long_poll,
            strict_sessions=strict_sessions,
            clock=clock,
            scrypt_n=scrypt_n,
            max_from_strangers=max_from_strangers,
            bus=self.bus,
        )
        self.limits = limits or Limits(idle_timeout=max(120.0, long_poll + 30.0))
        self.classic = ClassicFrontEnd(self.service)
        self.router = Router()
        # The classic family takes a POST on any target, the empty one included
        # ("POST  HTTP/1.1"): legacy clients post to whatever path they were given.
        self.router.fallback(
            "POST", self.classic.handle if self.service.shared is None else self._any_node
        )
        # The Smart QQ web channel on the same port: routed on its paths, whatever the Host.
        self.smartqq = SmartQQFrontEnd(self.service)
        self.smartqq.route(self.router)
        self.front_end = HttpFrontEnd(self.router, self.limits, proxies=proxies)
        self._server: asyncio.Server | None = None
        #: Listeners beside the main one (see listen).
        self._others: list[asyncio.Server] = []
        self._tls = False
        self._sweeper: asyncio.Task[None] | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._stopped = False
        self._blocking_admin = BlockingAdmin(self.service.admin)

    async def _any_node(self, request: Request) -> Answer:
        """A classic request on a node of several: a session another node signed in is
        taken up from the shared store first (legacy clients connect per request, and
        a balancer may send any of them anywhere)."""
        uin = _classic_uin(request.body)
        if uin is not None and uin not in self.service.sessions:
            token = request.cookies.get(COOKIE_PREFIX + str(uin))
            await self.service.adopt(uin, request.ip, token)
        return await self.classic.handle(request)

    @property
    def async_admin(self) -> Admin:
        """Account management (create accounts, profiles, buddies); never over the wire."""
        return self.service.admin

    @property
    def admin(self) -> BlockingAdmin:
        """The same, blocking (for the app's UI thread and synchronous tests)."""
        return self._blocking_admin

    @property
    def port(self) -> int:
        return self._port

    @property
    def host(self) -> str:
        return self._host

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("0.0.0.0", "", "::") else self._host
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{host}:{self._port}/"

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl: ssl.SSLContext | None = None
    ) -> None:
        """Listen on ``host:port`` (port 0 picks a free one); raises OSError if taken.

        With ``ssl`` (a server context holding the certificate) the listener speaks
        HTTPS and ``url`` is an https URL; ``listen`` adds more listeners (plain HTTP
        beside HTTPS, say)."""
        if self._stopped:
            raise RuntimeError("a stopped server cannot start again")
        if self._server is not None:
            raise RuntimeError("the server is already running")
        # listening before serving: nothing committed by another node after a poll
        # here began can go unheard
        await self.bus.start(self.service.woken)
        await self.service.load_elsewhere()
        self._server = await self._listen(host, port, ssl)
        sockname = self._server.sockets[0].getsockname()
        self._host, self._port, self._tls = host, int(sockname[1]), ssl is not None
        self._sweeper = asyncio.create_task(self._sweep())
        log.debug("listening on %s", self.url)

    async def listen(self, host: str, port: int, *, ssl: ssl.SSLContext | None = None) -> int:
        """One more listener for the same server (after ``start``); the port it took."""
        if self._server is None or self._stopped:
            raise RuntimeError("start the server first")
        listener = await self._listen(host, port, ssl)
        self._others.append(listener)
        return int(listener.sockets[0].getsockname()[1])

    async def _listen(self, host: str, port: int, context: ssl.SSLContext | None) -> asyncio.Server:
        return await asyncio.get_running_loop().create_server(
            self.front_end.protocol,
            host,
            port,
            reuse_address=True,
            family=socket.AF_INET if host and ":" not in host else socket.AF_UNSPEC,
            ssl=context,
            # a client that never finishes the handshake holds no slot for long
            ssl_handshake_timeout=self.limits.header_timeout if context is not None else None,
        )

    async def _sweep(self) -> None:
        """End idle sessions now and then (they are also checked on every request)."""
        period = max(0.05, min(5.0, self.service.idle_timeout / 4))
        while True:
            await asyncio.sleep(period)
            try:
                self.service.expire_idle()
            except Exception:
                log.exception("expiring idle sessions failed")

    async def stop(self) -> None:
        """Close the listener, wake long polls, end connections and close the store; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        listeners = [*([self._server] if self._server is not None else []), *self._others]
        for listener in listeners:
            listener.close()
        self.service.close()
        # woken long polls write their answers before their connections close
        await self.front_end.close_all()
        self.service.shut_down()
        await self.bus.close()
        for listener in listeners:
            with contextlib.suppress(Exception):
                await listener.wait_closed()
        self._blocking_admin.close()
        # the store's writer commits what is queued: not on the loop's thread
        await asyncio.to_thread(self.store.close)
