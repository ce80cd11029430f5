"""ChatSession: exactly what the desktop app calls on a session, as a typed Protocol.

AccountSession implements it, and so do the UI tests' doubles; the app depends
on this seam only, never on a concrete session class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol

from qqdesk.core import (
    Audience,
    AuthMode,
    Category,
    Content,
    Conversation,
    Presence,
    Profile,
    ProfilePrivacy,
    Room,
    Sex,
)

from .events import Event
from .types import (
    AddRequest,
    Buddy,
    OutgoingMessage,
    RoomMember,
    SearchResults,
    StoredMessage,
    WebLogin,
)


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

    # -- my own account (qqdesk's extensions: RequestRefused from a server without them) --

    async def set_profile(self, **changes: str | int) -> Profile:
        """Change my own profile fields (Profile attribute names); my whole profile after.
        ValueError, before anything is sent, for a value no profile may hold."""
        ...

    async def change_password(self, old_password: str, new_password: str) -> None:
        """ValueError for a new password shorter than MIN_PASSWORD; WrongPassword when
        the old one is wrong; TooFrequent while the login throttle holds."""
        ...

    async def privacy(self) -> ProfilePrivacy:
        """Who sees my mobile, real name, address and phone."""
        ...

    async def set_privacy(self, **fields: Audience) -> ProfilePrivacy: ...

    # -- remarks and categories (the server's contact extensions) --

    async def set_remark(self, uin: int, remark: str) -> str:
        """My remark for a buddy ("" removes it), as the server kept it."""
        ...

    def cached_categories(self) -> list[Category]:
        """My buddy categories as last seen (no network), for an instant start."""
        ...

    async def categories(self) -> list[Category]:
        """My buddy categories in their order, the default one (index 0) first."""
        ...

    async def create_category(self, name: str) -> Category: ...

    async def rename_category(self, index: int, name: str) -> list[Category]: ...

    async def delete_category(self, index: int) -> list[Category]:
        """Delete one; its buddies go to the default category (never deleted)."""
        ...

    async def order_categories(self, order: Sequence[int]) -> list[Category]: ...

    async def move_buddy(self, uin: int, category: int) -> None: ...

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

    # -- groups and discussions (the Smart QQ channel; RoomsUnavailable without it) --

    @property
    def rooms_available(self) -> bool:
        """True when the server offers groups and discussions (and they are open)."""
        ...

    async def rooms(self) -> list[Room]:
        """My groups, then my discussions, by number."""
        ...

    async def members(self, conversation: Conversation) -> list[RoomMember]:
        """A group's or discussion's members, with their cards, nicknames and statuses."""
        ...

    async def create_group(self, name: str, members: Sequence[int]) -> Conversation:
        """A new group I own, with ``members`` (my buddies) in it."""
        ...

    async def create_discussion(self, name: str, members: Sequence[int]) -> Conversation: ...

    async def invite(self, conversation: Conversation, members: Sequence[int]) -> list[int]:
        """Add my buddies ``members``; the ones newly added."""
        ...

    async def set_card(self, conversation: Conversation, card: str) -> None:
        """My card (群名片) in a group ("" removes it)."""
        ...

    async def leave(self, conversation: Conversation) -> None: ...

    async def web_logins(self) -> list[WebLogin]:
        """QR sign-ins waiting for an owner's approval."""
        ...

    async def approve_web_login(self, code: str, approve: bool) -> None:
        """Approve (to my account) or refuse the QR sign-in showing ``code``."""
        ...
