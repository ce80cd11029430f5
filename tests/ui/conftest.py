"""Qt test fixtures: the one event-loop story for GUI tests, and real logged-in sessions.

The story: each Qt test gets a qasync loop that counts as *running* for the whole
test (``already_running=True``). Tests stay plain synchronous functions; whenever
Qt processes events (``qtbot.wait``, ``qtbot.waitUntil``, ``qtbot.waitSignal``)
asyncio callbacks, tasks and sockets run too, exactly as in the app. To run a
coroutine to completion use ``qt_run(coro)``; never ``asyncio.run`` in a Qt test.
Do not mark Qt tests ``async``: pytest-asyncio's loop is a different loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

import keyring
import pytest
import qasync  # type: ignore[import-untyped]
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication

from qqdesk.client import (
    AccountSession,
    AddRequest,
    AuthMode,
    Buddy,
    BuddyStatusChanged,
    ChatSession,
    Content,
    Conversation,
    DeliveryState,
    Event,
    MessageReceived,
    MessageStateChanged,
    OutgoingMessage,
    Presence,
    Profile,
    SearchResults,
    Sex,
    StoredMessage,
    split_text,
)
from qqdesk.client.errors import NoSuchUser, NotAMember, RoomsUnavailable, WrongPassword
from qqdesk.client.events import RoomsChanged, WebLoginWaiting
from qqdesk.client.types import RoomMember, WebLogin
from qqdesk.core import (
    MIN_PASSWORD,
    Audience,
    Category,
    ConversationKind,
    ProfilePrivacy,
    Room,
    check_profile_changes,
    parse_text,
    render_text,
)
from qqdesk.ui.qtcompat import collect_garbage_in_gui_thread, protect_none

# PySide6 6.12 on CPython 3.11 drops a reference to None on every void Qt call;
# without this a long test session aborts with "deallocating None".
protect_none()

T = TypeVar("T")

#: Default patience for anything that crosses the loopback network.
NETWORK_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session", autouse=True)
def gc_in_gui_thread(qapp: QApplication) -> None:
    """As in the app: the server threads of these tests must never free Qt objects."""
    collect_garbage_in_gui_thread(qapp)


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop installed on the QApplication for one test, then closed."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # Let cancelled tasks finish their clean-up under the same loop.
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            deadline = loop.time() + 5
            while any(not t.done() for t in pending) and loop.time() < deadline:
                qapp.processEvents()
        with contextlib.suppress(RuntimeError, TypeError):
            qapp.aboutToQuit.disconnect(loop._after_run_forever)
        loop._after_run_forever()
        asyncio.events._set_running_loop(None)
        # close() refuses a loop that believes it runs; stop() would also call
        # QApplication.exit(), which makes the next test's nested loops return at once.
        loop._QEventLoop__is_running = False
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def qt_run(qt_loop: qasync.QEventLoop, qtbot: Any) -> Callable[..., Any]:
    """``qt_run(coro, timeout_ms=...)``: run a coroutine under the Qt loop, return its result."""

    def run(coro: Awaitable[T], timeout_ms: int = NETWORK_TIMEOUT_MS) -> T:
        task = asyncio.ensure_future(coro, loop=qt_loop)
        try:
            qtbot.waitUntil(task.done, timeout=timeout_ms)
        except Exception:
            task.cancel()
            raise
        return task.result()

    return run


# -- the real server and real sessions ------------------------------------------


def _server_thread_class() -> Any:
    try:
        module = importlib.import_module("tests.support.servers")
    except ImportError:
        pytest.skip("tests.support.servers (ServerThread) has not landed yet")
    return module.ServerThread


def _session_class() -> Any:

    return AccountSession


#: Seconds the test server holds a message poll.
SERVER_LONG_POLL = 2

ALICE = (10001, "alice-pw", "Alice")
BOB = (10002, "bob-pw", "Bob 小明")


@pytest.fixture
def server(tmp_path: Any) -> Iterator[Any]:
    """A real qqdesk server on a loopback port, with Alice and Bob as mutual buddies."""
    server_thread_cls = _server_thread_class()
    # A short long-poll (LP) so that a stopped server is noticed within seconds.
    with server_thread_cls(db_path=tmp_path / "server.sqlite3", long_poll=SERVER_LONG_POLL) as srv:
        for uin, password, nick in (ALICE, BOB):
            srv.create_account(uin, password, nick=nick)
        srv.add_buddy(ALICE[0], BOB[0])
        srv.add_buddy(BOB[0], ALICE[0])
        yield srv


def fast_timing() -> Any:
    """Client delays scaled down so failures and reconnects show within a test."""
    from qqdesk.client import Timing

    return Timing(
        penalty=1.0,
        request_timeout=3.0,
        long_poll_margin=2.0,
        fast_poll=0.2,
        backoff_first=0.1,
        backoff_max=0.5,
        send_attempts=2,
        logout_timeout=1.0,
    )


def make_session(server: Any, account: tuple[int, str, str], store_dir: Any) -> Any:
    """An AccountSession for ``account`` on ``server`` (not logged in yet), own history file."""
    session_cls = _session_class()
    from qqdesk.client import HistoryStore

    uin, password, _nick = account
    store = HistoryStore(store_dir / f"history-{uin}-{id(server)}.sqlite3")
    return session_cls(server.url, uin, password, store=store, timing=fast_timing())


#: Tasks of servers stopped mid-request. QQServer.stop() leaves its connection handlers
#: suspended (reported to the server's author); collected later they raise "coroutine
#: ignored GeneratorExit" inside an unrelated test, so they are kept until the end.
_ORPHANED_SERVER_TASKS: list[Any] = []


def lose_server(server: Any) -> None:
    """Stop a running ServerThread or SamePortServer the way a crash looks to clients."""
    if server.loop is not None and not server.loop.is_closed():
        with contextlib.suppress(Exception):
            _ORPHANED_SERVER_TASKS.append(server.call(lambda: list(asyncio.all_tasks())))
    server.stop()


class SamePortServer:
    """The real server again on a stopped ServerThread's port and database ("it came back")."""

    def __init__(self, db_path: Any, port: int) -> None:
        import threading

        from qqdesk.server import QQServer, SqliteStore

        self.loop = asyncio.new_event_loop()
        self.server = QQServer(SqliteStore(db_path, read_cache=True), long_poll=SERVER_LONG_POLL)
        started = threading.Event()
        self.error: BaseException | None = None

        async def boot() -> None:
            try:
                await self.server.start("127.0.0.1", port)
            except BaseException as exc:  # reported to the test thread below
                self.error = exc
            started.set()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.create_task(boot())
            self.loop.run_forever()
            self.loop.close()

        self.thread = threading.Thread(target=run, name="qqdesk-test-server-again", daemon=True)
        self.thread.start()
        started.wait(30)
        if self.error is not None:
            self.stop()
            raise self.error

    @property
    def url(self) -> str:
        return self.server.url

    def call(self, func: Any) -> Any:
        async def run() -> Any:
            return func()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(15)

    def stop(self) -> None:
        if not self.loop.is_closed() and self.loop.is_running():
            with contextlib.suppress(Exception):
                _ORPHANED_SERVER_TASKS.append(self.call(lambda: list(asyncio.all_tasks())))
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(15)
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(15)


@pytest.fixture
def alice_session(server: Any, qt_run: Callable[..., Any], tmp_path: Any) -> Iterator[Any]:
    """Alice, logged in against ``server`` under the Qt loop; logged out afterwards."""
    session = make_session(server, ALICE, tmp_path)
    qt_run(session.login())
    yield session
    with contextlib.suppress(Exception):
        qt_run(session.close(), timeout_ms=5000)


@pytest.fixture
def bob_session(server: Any, qt_run: Callable[..., Any], tmp_path: Any) -> Iterator[Any]:
    """Bob, logged in against ``server`` under the Qt loop; logged out afterwards."""
    session = make_session(server, BOB, tmp_path)
    qt_run(session.login())
    yield session
    with contextlib.suppress(Exception):
        qt_run(session.close(), timeout_ms=5000)


# -- an in-process stand-in for a session, for widget tests that need exact control ---------


class FakeHub:
    """Routes messages and statuses between FakeSessions, like a tiny server."""

    def __init__(self) -> None:
        self.sessions: dict[int, FakeSession] = {}
        self.nicks: dict[int, str] = {}
        self.lists: dict[int, set[int]] = {}
        self.statuses: dict[int, Presence] = {}
        #: uins whose outgoing messages fail
        self.failing: set[int] = set()
        #: False: a classic-only server (no groups or discussions); room tests turn it on
        self.rooms_available = False
        self.rooms: dict[Conversation, Room] = {}
        #: members of each room, in the order they joined
        self.members: dict[Conversation, list[int]] = {}
        #: (room, uin) -> group card
        self.cards: dict[tuple[Conversation, int], str] = {}
        self.remarks: dict[tuple[int, int], str] = {}
        #: each user's categories in their order (the default one, 0, first), and
        #: (owner, buddy) -> category index
        self.categories: dict[int, list[Category]] = {}
        self.placed: dict[tuple[int, int], int] = {}
        self.web_logins: list[WebLogin] = []
        #: (code, approved, by) for each decided web sign-in
        self.decided: list[tuple[str, bool, int]] = []
        self._next_room = 100000

    def add_room(
        self, kind: ConversationKind, name: str, owner: int | None, members: Sequence[int]
    ) -> Conversation:
        """A group or discussion with ``members`` (as the server's Admin would make it)."""
        conversation = Conversation(kind, self._next_room)
        self._next_room += 1
        self.rooms[conversation] = Room(
            conversation=conversation,
            name=name,
            owner=owner if kind is ConversationKind.GROUP else None,
            memo="",
            created=int(time.time()),
        )
        self.members[conversation] = list(dict.fromkeys(members))
        return conversation

    def rooms_changed(self, conversation: Conversation) -> None:
        for uin in self.members.get(conversation, []):
            session = self.sessions.get(uin)
            if session is not None:
                session.queue.put_nowait(RoomsChanged(account=uin, conversation=conversation))

    def web_login_waiting(self, code: str) -> None:
        """A QR sign-in shows ``code``; every signed-in session hears of it."""
        login = WebLogin(code=code, created=int(time.time()))
        self.web_logins.append(login)
        for session in self.sessions.values():
            session.queue.put_nowait(
                WebLoginWaiting(account=session.uin, code=code, created=login.created)
            )


class FakeSession:
    """The ChatSession interface in memory: events, buddies, messages with local ids."""

    def __init__(self, hub: FakeHub, uin: int, nick: str) -> None:
        self.hub, self.uin, self.nick, self.face = hub, uin, nick, 0
        hub.nicks[uin] = nick
        hub.lists.setdefault(uin, set())
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.sent: list[tuple[int, str]] = []
        #: buddy chats' history by the buddy's number; rooms' by conversation
        self.records: dict[int, list[StoredMessage]] = {}
        self.room_records: dict[Conversation, list[StoredMessage]] = {}
        self._next_id = 1
        self.status_calls: list[Presence] = []
        self.removed: list[int] = []
        self.active = False
        #: unanswered requests to add me, as the session's store keeps them
        self.requests: list[AddRequest] = []
        self.approved: list[int] = []
        self.refused: list[int] = []
        #: my own profile's fields beyond the nickname and face, my password and my
        #: privacy choice, as the server would keep them
        self.own_fields: dict[str, str | int] = {}
        self.password = "secret"
        self.privacy_choice = ProfilePrivacy()

    async def login(self) -> None:
        self.hub.sessions[self.uin] = self
        self.hub.statuses[self.uin] = Presence.ONLINE
        self._tell_watchers(Presence.ONLINE)

    async def logout(self) -> None:
        self.hub.sessions.pop(self.uin, None)
        self._tell_watchers(Presence.OFFLINE)

    async def close(self) -> None:
        await self.logout()

    def cached_buddies(self) -> list[Buddy]:
        return []

    # -- groups and discussions ----------------------------------------------------

    @property
    def rooms_available(self) -> bool:
        return self.hub.rooms_available

    def _rooms_or_raise(self) -> None:
        if not self.hub.rooms_available:
            raise RoomsUnavailable()

    def _member_or_raise(self, conversation: Conversation) -> None:
        self._rooms_or_raise()
        if self.uin not in self.hub.members.get(conversation, []):
            raise NotAMember(f"not a member of {conversation}")

    async def rooms(self) -> list[Room]:
        self._rooms_or_raise()
        mine = [c for c, uins in self.hub.members.items() if self.uin in uins]
        order = {ConversationKind.GROUP: 0, ConversationKind.DISCUSSION: 1}
        return [self.hub.rooms[c] for c in sorted(mine, key=lambda c: (order[c.kind], c.number))]

    async def members(self, conversation: Conversation) -> list[RoomMember]:
        self._member_or_raise(conversation)
        return [
            RoomMember(
                uin=u,
                nick=self.hub.nicks.get(u, ""),
                card=self.hub.cards.get((conversation, u), ""),
                status=self.hub.statuses.get(u, Presence.OFFLINE).visible,
            )
            for u in self.hub.members[conversation]
        ]

    async def create_group(self, name: str, members: Sequence[int]) -> Conversation:
        self._rooms_or_raise()
        conversation = self.hub.add_room(
            ConversationKind.GROUP, name, self.uin, [self.uin, *members]
        )
        self.hub.rooms_changed(conversation)
        return conversation

    async def create_discussion(self, name: str, members: Sequence[int]) -> Conversation:
        self._rooms_or_raise()
        conversation = self.hub.add_room(
            ConversationKind.DISCUSSION, name, None, [self.uin, *members]
        )
        self.hub.rooms_changed(conversation)
        return conversation

    async def invite(self, conversation: Conversation, members: Sequence[int]) -> list[int]:
        self._member_or_raise(conversation)
        present = self.hub.members[conversation]
        added = [u for u in dict.fromkeys(members) if u not in present]
        present.extend(added)
        self.hub.rooms_changed(conversation)
        return added

    async def set_card(self, conversation: Conversation, card: str) -> None:
        self._member_or_raise(conversation)
        self.hub.cards[(conversation, self.uin)] = card

    async def leave(self, conversation: Conversation) -> None:
        self._member_or_raise(conversation)
        self.hub.rooms_changed(conversation)
        self.hub.members[conversation].remove(self.uin)

    async def web_logins(self) -> list[WebLogin]:
        self._rooms_or_raise()
        return list(self.hub.web_logins)

    async def approve_web_login(self, code: str, approve: bool) -> None:
        self._rooms_or_raise()
        for login in self.hub.web_logins:
            if login.code == code.strip().upper():
                self.hub.web_logins.remove(login)
                self.hub.decided.append((login.code, approve, self.uin))
                return
        raise NotAMember(f"no pending web sign-in shows {code}")

    async def buddies(self, *, partial: Callable[[list[Buddy]], None] | None = None) -> list[Buddy]:
        return [
            Buddy(
                u,
                self.hub.nicks.get(u, str(u)),
                0,
                self.hub.statuses.get(u, Presence.OFFLINE).visible,
                self.hub.remarks.get((self.uin, u), ""),
                self.hub.placed.get((self.uin, u), 0),
            )
            for u in sorted(self.hub.lists[self.uin])
        ]

    # remarks and categories, kept as the server's extensions keep them

    def _categories(self) -> list[Category]:
        return self.hub.categories.setdefault(self.uin, [Category(0)])

    async def set_remark(self, uin: int, remark: str) -> str:
        if uin not in self.hub.lists[self.uin]:
            raise NoSuchUser(uin)
        kept = " ".join(remark.split())[:32]
        self.hub.remarks[(self.uin, uin)] = kept
        return kept

    def cached_categories(self) -> list[Category]:
        return list(self._categories())

    async def categories(self) -> list[Category]:
        return list(self._categories())

    async def create_category(self, name: str) -> Category:
        mine = self._categories()
        made = Category(max(c.index for c in mine) + 1, " ".join(name.split())[:32])
        mine.append(made)
        return made

    async def rename_category(self, index: int, name: str) -> list[Category]:
        mine = self._categories()
        mine[:] = [Category(c.index, name) if c.index == index else c for c in mine]
        return list(mine)

    async def delete_category(self, index: int) -> list[Category]:
        mine = self._categories()
        if index != 0:
            mine[:] = [c for c in mine if c.index != index]
            for key, placed in list(self.hub.placed.items()):
                if key[0] == self.uin and placed == index:
                    del self.hub.placed[key]
        return list(mine)

    async def order_categories(self, order: Sequence[int]) -> list[Category]:
        mine = self._categories()
        by_index = {c.index: c for c in mine}
        if sorted(order) == sorted(c.index for c in mine[1:]):
            mine[1:] = [by_index[i] for i in order]
        return list(mine)

    async def move_buddy(self, uin: int, category: int) -> None:
        if uin not in self.hub.lists[self.uin]:
            raise NoSuchUser(uin)
        if any(c.index == category for c in self._categories()):
            self.hub.placed[(self.uin, uin)] = category

    async def profile(self, uin: int, level: int = 3) -> Profile:
        if uin == self.uin:
            return Profile(uin=uin, nick=self.nick, face=self.face, **self.own_fields)  # type: ignore[arg-type]
        return Profile(uin=uin, nick=self.hub.nicks.get(uin, ""))

    async def set_profile(self, **changes: str | int) -> Profile:
        check_profile_changes(changes)
        self.nick = str(changes.pop("nick", self.nick))
        self.face = int(changes.pop("face", self.face))
        self.hub.nicks[self.uin] = self.nick
        self.own_fields.update(changes)
        return await self.profile(self.uin)

    async def change_password(self, old_password: str, new_password: str) -> None:
        if len(new_password) < MIN_PASSWORD:
            raise ValueError(f"the new password needs at least {MIN_PASSWORD} characters")
        if old_password != self.password:
            raise WrongPassword("密码错误")
        self.password = new_password

    async def privacy(self) -> ProfilePrivacy:
        return self.privacy_choice

    async def set_privacy(self, **fields: Audience) -> ProfilePrivacy:
        self.privacy_choice = dataclasses.replace(self.privacy_choice, **fields)
        return self.privacy_choice

    async def search(
        self,
        age: int | None = None,
        sex: Sex | None = None,
        province: str | None = None,
        *,
        offset: int = 0,
        page_size: int = 20,
    ) -> SearchResults:
        return SearchResults(results=[], last=True)

    async def add_buddy(self, uin: int) -> AuthMode:
        self.hub.lists[self.uin].add(uin)
        return AuthMode.ANYONE

    async def request_buddy(self, uin: int, reason: str) -> None:
        pass

    async def approve(self, uin: int) -> None:
        self.approved.append(uin)
        self.requests = [r for r in self.requests if r.uin != uin]

    async def refuse(self, uin: int, reason: str = "") -> None:
        self.refused.append(uin)
        self.requests = [r for r in self.requests if r.uin != uin]

    def add_requests(self) -> list[AddRequest]:
        return list(self.requests)

    async def set_status(self, status: Presence) -> None:
        self.status_calls.append(status)
        self.hub.statuses[self.uin] = status
        self._tell_watchers(status)

    async def remove_buddy(self, uin: int) -> None:
        self.removed.append(uin)
        self.hub.lists[self.uin].discard(uin)

    def set_active(self, active: bool) -> None:
        self.active = active

    def _tell_watchers(self, status: Presence) -> None:
        for other in self.hub.sessions.values():
            if self.uin in self.hub.lists.get(other.uin, set()):
                other.queue.put_nowait(
                    BuddyStatusChanged(account=other.uin, uin=self.uin, status=status.visible)
                )

    def store_message(
        self,
        peer: int | Conversation,
        text: str,
        outgoing: bool,
        state: DeliveryState,
        sender: int | None = None,
    ) -> int:
        """Keep a message in this fake's history, as the session's store would; its local id."""
        conversation = peer if isinstance(peer, Conversation) else Conversation.buddy(peer)
        local_id = self._next_id
        self._next_id += 1
        self._records_of(conversation).append(
            StoredMessage(
                local_id=local_id,
                conversation=conversation,
                outgoing=outgoing,
                content=parse_text(text),
                time=time.time(),
                state=state,
                sender=sender,
            )
        )
        return local_id

    def _records_of(self, conversation: Conversation) -> list[StoredMessage]:
        if conversation.is_buddy:
            return self.records.setdefault(conversation.number, [])
        return self.room_records.setdefault(conversation, [])

    async def send_message(self, to: Conversation | int, message: str | Content) -> OutgoingMessage:
        conversation = to if isinstance(to, Conversation) else Conversation.buddy(to)
        uin = conversation.number
        text = message if isinstance(message, str) else render_text(message)
        if not conversation.is_buddy:
            self._member_or_raise(conversation)
        self.sent.append((uin, text))
        # As the real session: a long text is kept and sent as several messages.
        ids = []
        for part in self.split_message(text):
            part_text = render_text(part)
            local_id = self.store_message(conversation, part_text, True, DeliveryState.PENDING)
            asyncio.get_running_loop().call_later(
                0.01, self._deliver, conversation, part_text, local_id
            )
            self._state(local_id, conversation, DeliveryState.PENDING)
            ids.append(local_id)
        return OutgoingMessage(conversation=conversation, local_ids=tuple(ids))

    def split_message(self, message: str | Content) -> list[Content]:
        text = message if isinstance(message, str) else render_text(message)
        return [parse_text(part) for part in split_text(text)]

    def _state(self, local_id: int, conversation: Conversation, state: DeliveryState) -> None:
        self.queue.put_nowait(
            MessageStateChanged(
                account=self.uin,
                local_id=local_id,
                conversation=conversation,
                state=state,
            )
        )

    def _deliver(self, conversation: Conversation, text: str, local_id: int) -> None:
        if self.uin in self.hub.failing:
            self._state(local_id, conversation, DeliveryState.FAILED)
            return
        if not conversation.is_buddy:
            for member in self.hub.members.get(conversation, []):
                other = self.hub.sessions.get(member)
                if other is None or member == self.uin:
                    continue
                other_id = other.store_message(
                    conversation, text, False, DeliveryState.SENT, sender=self.uin
                )
                other.queue.put_nowait(
                    MessageReceived(
                        account=member,
                        conversation=conversation,
                        sender=self.uin,
                        content=parse_text(text),
                        time=time.time(),
                        local_id=other_id,
                    )
                )
            self._state(local_id, conversation, DeliveryState.SENT)
            return
        uin = conversation.number
        other = self.hub.sessions.get(uin)
        if other is not None:
            other_id = other.store_message(self.uin, text, False, DeliveryState.SENT)
            other.queue.put_nowait(
                MessageReceived(
                    account=uin,
                    conversation=Conversation.buddy(self.uin),
                    sender=self.uin,
                    content=parse_text(text),
                    time=time.time(),
                    local_id=other_id,
                )
            )
        self._state(local_id, conversation, DeliveryState.SENT)

    async def resend(self, local_id: int) -> int:
        for records in [*self.records.values(), *self.room_records.values()]:
            for record in records:
                if record.local_id == local_id:
                    asyncio.get_running_loop().call_later(
                        0.01, self._deliver, record.conversation, record.text, local_id
                    )
                    return local_id
        raise KeyError(local_id)

    def history(
        self, conversation: Conversation | int, before_id: int | None = None, limit: int = 50
    ) -> list[StoredMessage]:
        if not isinstance(conversation, Conversation):
            conversation = Conversation.buddy(conversation)
        records = [
            r for r in self._records_of(conversation) if before_id is None or r.local_id < before_id
        ]
        return list(reversed(records))[:limit]

    def search_history(
        self, text: str, conversation: Conversation | int | None = None
    ) -> list[StoredMessage]:
        number = conversation.number if isinstance(conversation, Conversation) else conversation
        needle = text.strip().casefold()
        if not needle:
            return []
        found = [
            r
            for peer, records in self.records.items()
            if number is None or peer == number
            for r in records
            if needle in r.text.casefold()
        ]
        return sorted(found, key=lambda r: r.local_id, reverse=True)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


#: The double is checked against the seam the app uses (mypy).
_fake_is_a_chat_session: type[ChatSession] = FakeSession


@pytest.fixture
def fake_hub(qt_loop: qasync.QEventLoop) -> FakeHub:
    """Alice (10001) and Bob (10002), buddies of each other, plus offline Carol (10003)."""
    hub = FakeHub()
    hub.nicks[10003] = "Carol"
    hub.lists[10001] = {10002, 10003}
    hub.lists[10002] = {10001}
    return hub


class MemoryKeyring(KeyringBackend):
    """A keyring in memory: "Remember me" in tests never reaches the real one."""

    priority = 10

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The app's "Remember me" must not reach the real keyring of whoever runs the tests."""
    old = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(old)


@contextlib.contextmanager
def logging_put_back() -> Iterator[None]:
    """The root logger's handlers and level as they were (the app adds a file handler)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The UI in Simplified Chinese for one test, then back in English."""
    from qqdesk.ui import i18n

    assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"
    yield
    assert i18n.install_translator(qapp, "en") == "en"
