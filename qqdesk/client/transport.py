"""The only door to the network: POSTs protocol bodies to one server over httpx."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx

from .errors import ServerBusy, ServerUnavailable

log = logging.getLogger(__name__)

#: Says whether a reply body answers the request just sent.
_Check = Callable[[bytes], bool]

_HEADERS = {"Content-Type": "text/plain; charset=UTF-8"}

# Failures that mean "the connection went away before an answer came": a server
# that closes keep-alive connections, or one that wrote a stray response on it.
_STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class Transport:
    """One long-lived ``httpx.AsyncClient`` per account.

    Keeps the session cookie a Login reply may set. A reply that belongs to an
    earlier request (a legacy server that writes a second HTTP response on the
    same connection) is detected by the caller's ``expect`` check; the pool is
    then replaced so the stray bytes are never read again, and the request is
    sent once more on a fresh connection.
    """

    def __init__(self, url: str, *, timeout: float = 15.0) -> None:
        self.url = url if "://" in url else "http://" + url
        self.timeout = timeout
        self._cookies = httpx.Cookies()
        self._client: httpx.AsyncClient | None = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                cookies=self._cookies,
                headers=_HEADERS,
                timeout=self.timeout,
                trust_env=False,
                follow_redirects=False,
            )
        return self._client

    async def post(
        self,
        body: bytes,
        *,
        timeout: float | None = None,
        belongs: _Check | None = None,
    ) -> bytes:
        """POST ``body``; the reply body (empty for NULL).

        ``belongs(reply)`` says whether a reply answers this request; when it
        does not, the connection is thrown away and the request sent again once.
        Raises ServerUnavailable on any network failure or a non-200 answer.
        """
        for attempt in range(2):
            client = self._open()
            try:
                response = await client.post(
                    self.url, content=body, timeout=timeout or self.timeout
                )
            except _STALE_CONNECTION as exc:
                if attempt == 0:
                    log.debug("connection went away (%s); sending again", exc)
                    await self._reset()
                    continue
                raise ServerUnavailable(f"{self.url}: {exc or type(exc).__name__}") from exc
            except httpx.HTTPError as exc:
                raise ServerUnavailable(f"{self.url}: {exc or type(exc).__name__}") from exc
            if response.status_code == 503:
                raise ServerBusy(
                    f"{self.url} is busy (HTTP 503)", _seconds(response.headers.get("Retry-After"))
                )
            if response.status_code != 200:
                raise ServerUnavailable(f"{self.url} answered HTTP {response.status_code}")
            # Cookies from Login: httpx files them in the client's jar, which is ours.
            self._cookies.extract_cookies(response)
            content = response.content
            if belongs is not None and not belongs(content):
                if attempt == 0:
                    log.debug("reply belongs to another request; new connection")
                    await self._reset()
                    continue
                raise ServerUnavailable(f"{self.url} answered another request")
            return content
        raise AssertionError("unreachable")

    async def _reset(self) -> None:
        """Drop every pooled connection (keeping the cookies)."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        await self._reset()


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not used by our server: None)."""
    try:
        return max(0.0, float(retry_after)) if retry_after else None
    except ValueError:
        return None
