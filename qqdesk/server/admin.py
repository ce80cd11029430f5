"""Administration (accounts, profiles, passwords, buddy lists and remarks, groups and
discussions, web sign-ins): never reachable over the wire.

Used by the CLI, the app's built-in server ("create account" page) and demo seeding.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from qqdesk.core import (
    MAX_UIN,
    MIN_UIN,
    AuthMode,
    Conversation,
    ConversationKind,
    Member,
    Profile,
    Room,
)

from .store import (
    SCRYPT_N,
    Account,
    Store,
    WebLogin,
    hash_password,
    md5_hex,
    normalize_profile_fields,
)

if TYPE_CHECKING:
    from .service.rooms import Rooms

T = TypeVar("T")


class AdminError(Exception):
    """What was asked names something that is not there (an account, a group, a web
    sign-in) or cannot be done; the text says which, in words."""


class Watcher(Protocol):
    """What administration tells the running service (so that presence stays right)."""

    def buddy_added(self, owner: int, buddy: int) -> None: ...
    def buddy_removed(self, owner: int, buddy: int) -> None: ...
    def profile_changed(self, profile: Profile) -> None: ...


class Admin:
    """Account management on a store; every operation awaited."""

    def __init__(
        self,
        store: Store,
        *,
        watcher: Watcher | None = None,
        scrypt_n: int = SCRYPT_N,
        rooms: Rooms | None = None,
    ) -> None:
        self.store = store
        self.watcher = watcher
        self.scrypt_n = scrypt_n
        if rooms is None:
            # imported here, not at the top: the service package imports this module
            from .service.rooms import Rooms

            rooms = Rooms(store)
        #: The service's rules for rooms (an owner who is removed hands the group on).
        self.rooms = rooms

    def _hash(self, password: str) -> str:
        if not password:
            raise ValueError("the password must not be empty")
        return hash_password(md5_hex(password), n=self.scrypt_n)

    async def create_account(
        self,
        uin: int | None,
        password: str,
        nick: str = "",
        auth: AuthMode | int = AuthMode.ANYONE,
        face: int = 0,
        *,
        searchable: bool = True,
        **profile: Any,
    ) -> int:
        """Make an account; ``uin=None`` picks the next free number >= 10000. Returns it."""
        if uin is not None and not MIN_UIN <= uin <= MAX_UIN:
            raise ValueError(f"a QQ number must be between {MIN_UIN} and {MAX_UIN}")
        password_hash = self._hash(password)
        mode = auth_mode(auth)
        values = normalize_profile_fields({"nick": nick, "face": face, **profile})
        full = Profile(uin=uin or 0, **values)
        return await self.store.create_account(uin, password_hash, full, mode, searchable)

    async def set_password(self, uin: int, password: str) -> None:
        if not await self.store.set_password_hash(uin, self._hash(password)):
            raise KeyError(uin)

    async def set_profile(
        self,
        uin: int,
        *,
        auth: AuthMode | int | None = None,
        searchable: bool | None = None,
        **fields: Any,
    ) -> Profile:
        """Change profile fields (Profile attribute names), auth mode or search opt-in."""
        mode = None if auth is None else auth_mode(auth)
        if not await self.store.update_account(uin, fields, mode, searchable):
            raise KeyError(uin)
        account = await self.store.account(uin)
        assert account is not None
        if self.watcher is not None:
            self.watcher.profile_changed(account.profile)
        return account.profile

    async def account(self, uin: int) -> Account | None:
        return await self.store.account(uin)

    async def add_buddy(self, uin: int, buddy: int) -> bool:
        """Put ``buddy`` at the end of ``uin``'s list; False if already there."""
        for number in (uin, buddy):
            if not await self.store.is_account(number):
                raise KeyError(number)
        added = await self.store.add_buddy(uin, buddy)
        if added and self.watcher is not None:
            self.watcher.buddy_added(uin, buddy)
        return added

    async def remove_buddy(self, uin: int, buddy: int) -> bool:
        removed = await self.store.remove_buddy(uin, buddy)
        if removed and self.watcher is not None:
            self.watcher.buddy_removed(uin, buddy)
        return removed

    async def buddies(self, uin: int) -> list[int]:
        return await self.store.buddies(uin)

    async def list_accounts(self) -> list[Account]:
        return await self.store.list_accounts()

    async def _need_account(self, uin: int) -> None:
        if not await self.store.is_account(uin):
            raise AdminError(f"no account {uin}")

    async def mark_buddy(self, uin: int, buddy: int, remark: str) -> bool:
        """``uin``'s remark for ``buddy``, on ``uin``'s list ("" removes it); whether it changed."""
        for number in (uin, buddy):
            await self._need_account(number)
        if buddy not in await self.store.buddies(uin):
            raise AdminError(f"{buddy} is not on the buddy list of {uin}")
        return await self.store.set_remark(uin, buddy, remark.strip())

    async def remarks(self, uin: int) -> dict[int, str]:
        return await self.store.remarks(uin)

    # -- groups and discussions --

    async def _room(self, conversation: Conversation) -> Room:
        room = await self.store.room(conversation)
        if room is None:
            raise AdminError(f"no {_named(conversation)}")
        return room

    async def create_group(self, name: str, owner: int) -> Conversation:
        """A new group owned by ``owner`` (its first member); its number."""
        if not name.strip():
            raise AdminError("a group needs a name")
        await self._need_account(owner)
        return await self.store.create_room(ConversationKind.GROUP, name.strip(), owner, [owner])

    async def create_discussion(self, name: str, members: Sequence[int]) -> Conversation:
        """A new discussion of ``members`` (no owner); its id."""
        if not members:
            raise AdminError("a discussion needs a member")
        for uin in members:
            await self._need_account(uin)
        return await self.store.create_room(
            ConversationKind.DISCUSSION, name.strip(), None, members
        )

    async def add_members(self, conversation: Conversation, uins: Sequence[int]) -> list[int]:
        """Bring accounts into a room, whoever's buddies they are; the ones newly added
        (members already there are left alone)."""
        await self._room(conversation)
        for uin in uins:
            await self._need_account(uin)
        present = {m.uin for m in await self.store.members(conversation)}
        if len(present | set(uins)) > self.rooms.max_members:
            raise AdminError(
                f"{_named(conversation)} would have more than {self.rooms.max_members} members"
            )
        return await self.store.add_members(conversation, uins)

    async def remove_member(self, conversation: Conversation, uin: int) -> None:
        """Take a member out (a group's owner hands it to the longest-standing member)."""
        await self._room(conversation)
        if not await self.rooms.remove(conversation, uin):
            raise AdminError(f"{uin} is not a member of {_named(conversation)}")

    async def set_card(self, conversation: Conversation, uin: int, card: str) -> None:
        await self._room(conversation)
        if not await self.store.set_card(conversation, uin, card.strip()):
            raise AdminError(f"{uin} is not a member of {_named(conversation)}")

    async def rooms_with_members(self, kind: ConversationKind) -> list[tuple[Room, list[Member]]]:
        """Every group (or discussion) by number, with its members."""
        return [
            (room, await self.store.members(room.conversation))
            for room in await self.store.list_rooms(kind)
        ]

    # -- web sign-ins --

    async def web_logins(self) -> list[WebLogin]:
        """The QR sign-ins waiting to be approved, oldest first."""
        return await self.store.web_logins()

    async def _pending(self, code: str) -> WebLogin:
        """The pending sign-in with this code (as typed: case does not matter)."""
        pending = await self.store.web_logins()
        for login in pending:
            if login.code == code.strip():
                return login
        matching = [w for w in pending if w.code.casefold() == code.strip().casefold()]
        if len(matching) != 1:
            raise AdminError(f"no pending web sign-in {code.strip()}")
        return matching[0]

    async def approve_web_login(self, code: str, uin: int) -> WebLogin:
        """Let the QR sign-in ``code`` in as ``uin``."""
        await self._need_account(uin)
        login = await self._pending(code)
        if not await self.store.decide_web_login(login.code, uin):
            raise AdminError(f"no pending web sign-in {login.code}")  # it expired just now
        return login

    async def refuse_web_login(self, code: str) -> WebLogin:
        login = await self._pending(code)
        if not await self.store.decide_web_login(login.code, None):
            raise AdminError(f"no pending web sign-in {login.code}")
        return login


class BlockingAdmin:
    """The same operations for synchronous callers (the app's UI thread, sync tests).

    Each call runs on a private event loop on a thread of its own and blocks until
    done, so it may be called from the thread that runs the server's loop: the
    store never needs that loop (it reads on the calling thread with a connection
    of that thread's own, and writes on its writer thread).
    """

    def __init__(self, admin: Admin) -> None:
        self.admin = admin
        # one thread, kept: the store keeps a reading connection per thread
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="qqdesk-admin")

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return self._thread.submit(asyncio.run, work).result()

    def close(self) -> None:
        """Let the worker thread go (once idle); later calls start another."""
        self._thread.shutdown(wait=False)
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="qqdesk-admin")

    def create_account(
        self,
        uin: int | None,
        password: str,
        nick: str = "",
        auth: AuthMode | int = AuthMode.ANYONE,
        face: int = 0,
        *,
        searchable: bool = True,
        **profile: Any,
    ) -> int:
        return self._run(
            self.admin.create_account(
                uin, password, nick, auth, face, searchable=searchable, **profile
            )
        )

    def set_password(self, uin: int, password: str) -> None:
        self._run(self.admin.set_password(uin, password))

    def set_profile(
        self,
        uin: int,
        *,
        auth: AuthMode | int | None = None,
        searchable: bool | None = None,
        **fields: Any,
    ) -> Profile:
        return self._run(self.admin.set_profile(uin, auth=auth, searchable=searchable, **fields))

    def account(self, uin: int) -> Account | None:
        return self._run(self.admin.account(uin))

    def add_buddy(self, uin: int, buddy: int) -> bool:
        return self._run(self.admin.add_buddy(uin, buddy))

    def remove_buddy(self, uin: int, buddy: int) -> bool:
        return self._run(self.admin.remove_buddy(uin, buddy))

    def buddies(self, uin: int) -> list[int]:
        return self._run(self.admin.buddies(uin))

    def list_accounts(self) -> list[Account]:
        return self._run(self.admin.list_accounts())

    def mark_buddy(self, uin: int, buddy: int, remark: str) -> bool:
        return self._run(self.admin.mark_buddy(uin, buddy, remark))

    def create_group(self, name: str, owner: int) -> Conversation:
        return self._run(self.admin.create_group(name, owner))

    def create_discussion(self, name: str, members: Sequence[int]) -> Conversation:
        return self._run(self.admin.create_discussion(name, members))

    def add_members(self, conversation: Conversation, uins: Sequence[int]) -> list[int]:
        return self._run(self.admin.add_members(conversation, uins))

    def set_card(self, conversation: Conversation, uin: int, card: str) -> None:
        self._run(self.admin.set_card(conversation, uin, card))


def _named(conversation: Conversation) -> str:
    """A room in words: ``group 100000``, ``discussion 100001``."""
    return f"{conversation.kind.value} {conversation.number}"


def auth_mode(value: AuthMode | int) -> AuthMode:
    mode = AuthMode(int(value))
    # 2 is what the legacy server sent for "nobody"; we keep one spelling
    return AuthMode.NOBODY if mode.refuses_everyone else mode
