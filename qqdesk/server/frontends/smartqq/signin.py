"""The web sign-in of the Smart QQ channel: QR codes waiting for approval, the tickets an
approved sign-in (or the password extension) hands out, and the cookies that carry them.

Pending QR sign-ins live in the store (DESIGN-SMARTQQ §2), so that the command line
approves them while ``serve`` runs; a store without them (an older one) gets the
in-memory :class:`MemoryWebLogins`, which behaves the same within one process.
Tickets live in memory on a store one node owns (a restarted server asks its web
clients to sign in again), and in the store when several nodes share it
(:class:`SharedTickets`: any node may get the next request of a sign-in).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from qqdesk.protocol.smartqq.cookies import SignInTokens

from ...store.interface import SharedWebSessions, TicketRecord

#: Seconds a QR sign-in waits for approval (the real QR expired after about two minutes).
WEB_LOGIN_TTL = 120
#: Most tickets kept (the oldest go first): one per sign-in that never signed out.
MAX_TICKETS = 100_000


class WebLoginRow(Protocol):
    """A pending QR sign-in as the store keeps it."""

    @property
    def code(self) -> str: ...
    @property
    def token(self) -> int: ...
    @property
    def created(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def uin(self) -> int | None: ...


@runtime_checkable
class WebLoginStore(Protocol):
    """The store's pending web sign-ins (DESIGN-SMARTQQ §2)."""

    def add_web_login(self, code: str, token: int) -> Awaitable[None]: ...
    async def web_login(self, token: int) -> WebLoginRow | None: ...
    async def web_logins(self) -> list[WebLoginRow]: ...
    def decide_web_login(self, code: str, uin: int | None) -> Awaitable[bool]: ...
    def drop_web_login(self, code: str) -> Awaitable[None]: ...


@dataclass(frozen=True)
class MemoryWebLogin:
    code: str
    token: int
    created: int
    state: str = "pending"
    uin: int | None = None


async def _done() -> None:
    return None


async def _answer(value: bool) -> bool:
    return value


class MemoryWebLogins:
    """Pending web sign-ins in memory, for a store without them (same behaviour in one
    process; the command line cannot reach them). ``now`` is the wall clock."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self.now = now
        self._rows: dict[str, MemoryWebLogin] = {}

    def _alive(self, row: MemoryWebLogin) -> bool:
        return self.now() - row.created < WEB_LOGIN_TTL

    def add_web_login(self, code: str, token: int) -> Awaitable[None]:
        self._rows = {c: r for c, r in self._rows.items() if self._alive(r)}
        self._rows[code] = MemoryWebLogin(code, token, int(self.now()))
        return _done()

    async def web_login(self, token: int) -> WebLoginRow | None:
        for row in self._rows.values():
            if row.token == token and self._alive(row):
                return row
        return None

    async def web_logins(self) -> list[WebLoginRow]:
        return [r for r in self._rows.values() if r.state == "pending" and self._alive(r)]

    def decide_web_login(self, code: str, uin: int | None) -> Awaitable[bool]:
        row = self._rows.get(code)
        if row is None or row.state != "pending" or not self._alive(row):
            return _answer(False)
        state = "refused" if uin is None else "approved"
        self._rows[code] = MemoryWebLogin(row.code, row.token, row.created, state, uin)
        return _answer(True)

    def drop_web_login(self, code: str) -> Awaitable[None]:
        self._rows.pop(code, None)
        return _done()


@dataclass(frozen=True)
class Ticket:
    """What an approved web sign-in holds: the cookies' tokens and the vfwebqq."""

    tokens: SignInTokens
    vfwebqq: str

    @property
    def uin(self) -> int:
        return self.tokens.uin


def new_ticket(uin: int) -> Ticket:
    """Fresh tokens for an approved sign-in of ``uin``."""
    tokens = SignInTokens(
        uin=uin,
        skey="@" + secrets.token_hex(5)[:9],
        ptwebqq=secrets.token_hex(32),
        token=secrets.token_hex(24),
    )
    return Ticket(tokens, secrets.token_hex(40))


class TicketBook(Protocol):
    """Where approved sign-ins are found: by cookies, by vfwebqq, by check_sig's ptsigx."""

    async def issue(self, uin: int) -> Ticket: ...
    async def signature(self, ticket: Ticket) -> str:
        """A fresh ptsigx (128 hex) for check_sig to exchange for ``ticket``'s cookies."""
        ...

    async def by_signature(self, sig: str) -> Ticket | None: ...
    async def by_cookies(self, cookies: dict[str, str]) -> Ticket | None:
        """The ticket the sign-in cookies name (skey, else p_skey/pt4_token/supertoken)."""
        ...

    async def by_vfwebqq(self, vfwebqq: str) -> Ticket | None: ...
    async def drop(self, ticket: Ticket) -> None: ...


#: The cookies that carry a ticket's token (besides skey).
TOKEN_COOKIES = ("p_skey", "pt4_token", "supertoken")


class Tickets:
    """Tickets in memory (one node): by skey, by their token (p_skey, pt4_token,
    supertoken) and by vfwebqq."""

    def __init__(self) -> None:
        self._by_skey: dict[str, Ticket] = {}
        self._by_token: dict[str, Ticket] = {}
        self._by_vfwebqq: dict[str, Ticket] = {}
        #: check_sig's ptsigx -> the ticket it hands out.
        self._by_sig: dict[str, Ticket] = {}

    async def issue(self, uin: int) -> Ticket:
        ticket = new_ticket(uin)
        tokens = ticket.tokens
        self._by_skey[tokens.skey] = ticket
        self._by_token[tokens.token] = ticket
        self._by_vfwebqq[ticket.vfwebqq] = ticket
        while len(self._by_skey) > MAX_TICKETS:
            await self.drop(next(iter(self._by_skey.values())))
        return ticket

    async def signature(self, ticket: Ticket) -> str:
        sig = secrets.token_hex(64)
        self._by_sig[sig] = ticket
        return sig

    async def by_signature(self, sig: str) -> Ticket | None:
        return self._by_sig.pop(sig, None)

    async def by_cookies(self, cookies: dict[str, str]) -> Ticket | None:
        ticket = self._by_skey.get(cookies.get("skey", ""))
        if ticket is None:
            for name in TOKEN_COOKIES:
                ticket = self._by_token.get(cookies.get(name, ""))
                if ticket is not None:
                    break
        return ticket

    async def by_vfwebqq(self, vfwebqq: str) -> Ticket | None:
        return self._by_vfwebqq.get(vfwebqq)

    async def drop(self, ticket: Ticket) -> None:
        self._by_skey.pop(ticket.tokens.skey, None)
        self._by_token.pop(ticket.tokens.token, None)
        self._by_vfwebqq.pop(ticket.vfwebqq, None)
        for sig in [s for s, t in self._by_sig.items() if t is ticket]:
            del self._by_sig[sig]


class SharedTickets:
    """Tickets in a store several nodes share: a sign-in approved through one node goes
    on through any other (nothing cached: a ticket dropped elsewhere is gone here)."""

    def __init__(self, store: SharedWebSessions) -> None:
        self.store = store

    async def issue(self, uin: int) -> Ticket:
        ticket = new_ticket(uin)
        tokens = ticket.tokens
        record = TicketRecord(uin, tokens.skey, tokens.ptwebqq, tokens.token, ticket.vfwebqq)
        await self.store.keep_ticket(record)
        return ticket

    async def signature(self, ticket: Ticket) -> str:
        sig = secrets.token_hex(64)
        await self.store.sign_ticket(ticket.vfwebqq, sig)
        return sig

    async def by_signature(self, sig: str) -> Ticket | None:
        return _ticket(await self.store.find_ticket(signature=sig)) if sig else None

    async def by_cookies(self, cookies: dict[str, str]) -> Ticket | None:
        skey = cookies.get("skey", "")
        if skey:
            ticket = _ticket(await self.store.find_ticket(skey=skey))
            if ticket is not None:
                return ticket
        for name in TOKEN_COOKIES:
            if cookies.get(name):
                ticket = _ticket(await self.store.find_ticket(token=cookies[name]))
                if ticket is not None:
                    return ticket
        return None

    async def by_vfwebqq(self, vfwebqq: str) -> Ticket | None:
        return _ticket(await self.store.find_ticket(vfwebqq=vfwebqq)) if vfwebqq else None

    async def drop(self, ticket: Ticket) -> None:
        await self.store.drop_ticket(ticket.vfwebqq)


def _ticket(record: TicketRecord | None) -> Ticket | None:
    if record is None:
        return None
    tokens = SignInTokens(
        uin=record.uin, skey=record.skey, ptwebqq=record.ptwebqq, token=record.token
    )
    return Ticket(tokens, record.vfwebqq)
