"""Administration (accounts, profiles, passwords, buddy lists): never reachable over the wire.

Used by the CLI, the app's built-in server ("create account" page) and demo seeding.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

from qqdesk.core import MAX_UIN, MIN_UIN, AuthMode, Profile

from .store import (
    SCRYPT_N,
    Account,
    Store,
    hash_password,
    md5_hex,
    normalize_profile_fields,
)

T = TypeVar("T")


class Watcher(Protocol):
    """What administration tells the running service (so that presence stays right)."""

    def buddy_added(self, owner: int, buddy: int) -> None: ...
    def buddy_removed(self, owner: int, buddy: int) -> None: ...
    def profile_changed(self, profile: Profile) -> None: ...


class Admin:
    """Account management on a store; every operation awaited."""

    def __init__(
        self, store: Store, *, watcher: Watcher | None = None, scrypt_n: int = SCRYPT_N
    ) -> None:
        self.store = store
        self.watcher = watcher
        self.scrypt_n = scrypt_n

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


def auth_mode(value: AuthMode | int) -> AuthMode:
    mode = AuthMode(int(value))
    # 2 is what the legacy server sent for "nobody"; we keep one spelling
    return AuthMode.NOBODY if mode.refuses_everyone else mode
