"""The only door to the network: POSTs protocol bodies (and Smart QQ forms) to one server
over httpx."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import sys
import zlib
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

# httpx imports its command-line client (click, rich, pygments) whenever those happen to
# be installed: 12 MiB and a tenth of a second of the app's start-up, for a program the
# app never runs. Its import is refused once (httpx then has a stand-in ``main``).
_CLI = "httpx._main"
_skip_cli = "httpx" not in sys.modules and _CLI not in sys.modules
if _skip_cli:
    sys.modules[_CLI] = None  # type: ignore[assignment]
try:
    import httpx
finally:
    if _skip_cli:
        del sys.modules[_CLI]

from .errors import ServerBusy, ServerUnavailable  # noqa: E402

log = logging.getLogger(__name__)

#: Says whether a reply body answers the request just sent.
_Check = Callable[[bytes], bool]

# Only the encodings _Body can unpack with a bound on the output (no br, no zstd).
_HEADERS = {"Content-Type": "text/plain; charset=UTF-8", "Accept-Encoding": "gzip, deflate"}

#: A reply body above this (unpacked) is refused, unless the caller says otherwise.
DEFAULT_MAX_REPLY = 1 << 20


_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}


class NoSuchPath(ServerUnavailable):
    """The server answered 404 or 405: it has no such path (no Smart QQ channel there)."""


class _TooLarge(Exception):
    """The reply body passed its cap."""


class _Body:
    """Collects a reply body from its raw bytes, unpacking gzip/deflate, up to a cap.

    httpx would unpack a whole network chunk at once: 64 KiB of a gzip bomb is
    64 MB. zlib's ``max_length`` stops at the cap instead, and the raw bytes are
    capped too (empty deflate blocks unpack to nothing but still cost reading).
    """

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self._raw = 0
        self._data = bytearray()
        coding = encoding.strip().lower()
        if coding in ("", "identity"):
            self._unzip = None
        elif coding in ("gzip", "x-gzip", "deflate"):
            wbits = zlib.MAX_WBITS | (16 if "gzip" in coding else 0)
            self._unzip = zlib.decompressobj(wbits)
        else:
            raise ValueError(f"a reply in an encoding never asked for ({encoding})")

    def feed(self, chunk: bytes) -> None:
        self._raw += len(chunk)
        if self._raw > self.cap:
            raise _TooLarge
        if self._unzip is None:
            self._data += chunk
        elif not self._unzip.eof:
            room = self.cap - len(self._data)
            self._data += self._unzip.decompress(chunk, room + 1)
        if len(self._data) > self.cap:
            raise _TooLarge

    def bytes(self) -> bytes:
        return bytes(self._data)


# Failures that mean "the connection went away before an answer came": a server
# that closes keep-alive connections, or one that wrote a stray response on it.
_STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


@functools.cache
def _no_tls() -> ssl.SSLContext:
    """The TLS context of a client for a plain http:// server. httpx makes one for every
    client, by default reading every authority of the CA bundle (some 30 ms and 2 MiB
    each); a plain connection never uses it. This one trusts no authority, so were it
    ever used, its TLS connection would fail (redirects are not followed)."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class Transport:
    """One long-lived ``httpx.AsyncClient`` per account.

    Keeps the session cookie a Login reply may set. A reply that belongs to an
    earlier request (a legacy server that writes a second HTTP response on the
    same connection) is detected by the caller's ``expect`` check; the pool is
    then replaced so the stray bytes are never read again, and the request is
    sent once more on a fresh connection.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 15.0,
        max_reply: int = DEFAULT_MAX_REPLY,
        proxy: str | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.url = url if "://" in url else "http://" + url
        scheme = self.url.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"not an http:// or https:// server URL: {url}")
        #: ``http://[user:password@]host:port`` or ``socks5://…`` (SOCKS needs socksio).
        self.proxy = proxy or None
        self.timeout = timeout
        self.max_reply = max_reply
        #: How an https server's certificate is checked: the system's authorities, or
        #: only those in ``ca_file`` (a self-signed certificate, or a private CA). The
        #: host name is always checked.
        self._verify: ssl.SSLContext | bool = True if scheme == "https" else _no_tls()
        if ca_file is not None:
            try:
                self._verify = ssl.create_default_context(cafile=ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise ValueError(f"cannot read the CA file {ca_file}: {exc}") from exc
        #: Connections that broke or could not be made (a restart of the server shows here).
        self.failures = 0
        self._cookies = httpx.Cookies()
        self._client: httpx.AsyncClient | None = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            try:
                self._client = httpx.AsyncClient(
                    cookies=self._cookies,
                    headers=_HEADERS,
                    timeout=self.timeout,
                    # Only the proxy the user chose for this account, never the environment's.
                    trust_env=False,
                    proxy=self.proxy,
                    follow_redirects=False,
                    verify=self._verify,
                )
            except (ImportError, ValueError) as exc:  # SOCKS without socksio; a bad URL
                raise ServerUnavailable(f"proxy {_without_password(self.proxy)}: {exc}") from exc
        return self._client

    async def post(
        self,
        body: bytes,
        *,
        timeout: float | None = None,
        belongs: _Check | None = None,
    ) -> bytes:
        """POST ``body``; the reply body (empty for NULL).

        ``timeout`` (default: the transport's) bounds the whole exchange, not
        only each read: a server that drips a byte at a time cannot hold a call.
        ``belongs(reply)`` says whether a reply answers this request; when it
        does not, the connection is thrown away and the request sent again once.
        Raises ServerUnavailable on any network failure, a non-200 answer, a
        reply body above ``max_reply`` bytes (unpacked), or no answer in time.
        """
        return await self._deadline(body, timeout, belongs)

    async def post_form(
        self, path: str, form: Mapping[str, str], *, timeout: float | None = None
    ) -> bytes:
        """POST ``form`` (urlencoded) to ``path`` on the server; the reply body.

        Raises NoSuchPath for 404/405 and ServerUnavailable as ``post`` does.
        """
        body = urlencode(dict(form)).encode("utf-8")
        return await self._deadline(body, timeout, None, path)

    async def _deadline(
        self, body: bytes, timeout: float | None, belongs: _Check | None, path: str = ""
    ) -> bytes:
        deadline = timeout or self.timeout
        try:
            async with asyncio.timeout(deadline):
                return await self._post(body, deadline, belongs, path)
        except TimeoutError as exc:
            self.failures += 1
            await self._reset()
            raise ServerUnavailable(
                f"{self.url}: no complete answer within {deadline:g} s"
            ) from exc

    async def _post(
        self, body: bytes, timeout: float, belongs: _Check | None, path: str = ""
    ) -> bytes:
        for attempt in range(2):
            client = self._open()
            try:
                content = await self._fetch(client, body, timeout, path)
            except _STALE_CONNECTION as exc:
                self.failures += 1
                if attempt == 0:
                    log.debug("connection went away (%s); sending again", exc)
                    await self._reset()
                    continue
                raise ServerUnavailable(f"{self.url}: {exc or type(exc).__name__}") from exc
            except httpx.HTTPError as exc:
                self.failures += 1
                raise ServerUnavailable(f"{self.url}: {exc or type(exc).__name__}") from exc
            if belongs is not None and not belongs(content):
                if attempt == 0:
                    log.debug("reply belongs to another request; new connection")
                    await self._reset()
                    continue
                raise ServerUnavailable(f"{self.url} answered another request")
            return content
        raise AssertionError("unreachable")

    async def _fetch(
        self, client: httpx.AsyncClient, body: bytes, timeout: float, path: str = ""
    ) -> bytes:
        """One request; its body read as a stream and given up at ``max_reply`` bytes."""
        url = self.url.rstrip("/") + path if path else self.url
        headers = _FORM_HEADERS if path else None
        async with client.stream(
            "POST", url, content=body, timeout=timeout, headers=headers
        ) as response:
            if response.status_code in (404, 405) and path:
                raise NoSuchPath(f"{url} answered HTTP {response.status_code}")
            if response.status_code == 503:
                raise ServerBusy(
                    f"{self.url} is busy (HTTP 503)", _seconds(response.headers.get("Retry-After"))
                )
            if response.status_code != 200:
                raise ServerUnavailable(f"{self.url} answered HTTP {response.status_code}")
            # Cookies from Login: httpx files them in the client's jar, which is ours.
            self._cookies.extract_cookies(response)
            too_large = ServerUnavailable(
                f"{self.url} sent a reply larger than {self.max_reply} bytes; refused"
            )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_reply:
                raise too_large
            try:
                reply = _Body(response.headers.get("Content-Encoding", ""), self.max_reply)
            except ValueError as exc:
                raise ServerUnavailable(f"{self.url} sent {exc}") from exc
            try:
                async for chunk in response.aiter_raw():
                    reply.feed(chunk)
            except _TooLarge:
                # Leaving the stream unread closes this connection: nothing more is read.
                raise too_large from None
            except zlib.error as exc:
                raise ServerUnavailable(f"{self.url} sent a corrupt compressed reply") from exc
            return reply.bytes()

    async def _reset(self) -> None:
        """Drop every pooled connection (keeping the cookies)."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        await self._reset()


def _without_password(proxy: str | None) -> str:
    """The proxy's URL fit for a message or a log: no password in it."""
    url = httpx.URL(proxy or "")
    return str(url.copy_with(password=None)) if url.password else str(url)


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not used by our server: None)."""
    try:
        return max(0.0, float(retry_after)) if retry_after else None
    except ValueError:
        return None
