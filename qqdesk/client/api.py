"""ChatSession: exactly what the desktop app calls on a session, as a typed Protocol.

AccountSession implements it, and so do the UI tests' doubles; the app depends
on this seam only, never on a concrete session class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from qqdesk.core import AuthMode, Content, Conversation, Presence, Profile, Sex

from .events import Event
from .types import AddRequest, Buddy, OutgoingMessage, SearchResults, StoredMessage


class ChatSession(Protocol):
    """One signed-in account as the app sees it."""

    @property
    def uin(self) -> int: ...

    @property
    def nick(self) -> str:
        """My nickname as the server said at login (may be empty)."""
        ...

    @property
    def face(self) -> int: ...

    async def login(self) -> None: ...

    async def logout(self) -> None: ...

    async def close(self) -> None:
        """Log out, and let go of what the session holds (its history file)."""
        ...

    def events(self) -> AsyncIterator[Event]:
        """The session's events in order until it stops."""
        ...

    def cached_buddies(self) -> list[Buddy]: ...

    def add_requests(self) -> list[AddRequest]:
        """Requests to add me that I have not answered yet (kept across runs)."""
        ...

    async def buddies(
        self, *, partial: Callable[[list[Buddy]], None] | None = None
    ) -> list[Buddy]: ...

    async def profile(self, uin: int, level: int = 3) -> Profile: ...

    async def search(
        self,
        age: int | None = None,
        sex: Sex | None = None,
        province: str | None = None,
        *,
        offset: int = 0,
        page_size: int = 20,
    ) -> SearchResults: ...

    async def add_buddy(self, uin: int) -> AuthMode: ...

    async def request_buddy(self, uin: int, reason: str) -> None: ...

    async def approve(self, uin: int) -> None: ...

    async def refuse(self, uin: int, reason: str = "") -> None: ...

    async def remove_buddy(self, uin: int) -> None: ...

    async def set_status(self, status: Presence) -> None: ...

    async def send_message(
        self, to: Conversation | int, message: str | Content
    ) -> OutgoingMessage: ...

    def split_message(self, message: str | Content) -> list[Content]:
        """The messages ``send_message`` would send for ``message``: one, or several for
        a text longer than one wire message allows (as the other side will see it)."""
        ...

    async def resend(self, local_id: int) -> int: ...

    def history(
        self, conversation: Conversation | int, before_id: int | None = None, limit: int = 50
    ) -> list[StoredMessage]: ...

    def search_history(
        self, text: str, conversation: Conversation | int | None = None
    ) -> list[StoredMessage]:
        """Kept messages containing ``text``, newest first, in one conversation or all."""
        ...

    def set_active(self, active: bool) -> None:
        """A chat is open and focused (the session may poll faster)."""
        ...
