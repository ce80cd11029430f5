"""AccountSession: one signed-in account; holds its links, history, outbox and events.

The session core knows no wire format: its links (the classic one for buddies, the
Smart QQ web one for groups, discussions and web sign-in approval, where the server
offers it) speak the protocols and hand it core values. Here live the policies:
reconnecting with back-off, noticing a machine that slept, keeping every received
message before acknowledging it, and the event stream.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import TracebackType
from typing import Protocol, TypeVar

from qqdesk.core import (
    DEFAULT_CATEGORY,
    MIN_PASSWORD,
    PRIVATE_FIELDS,
    Audience,
    AuthMode,
    Category,
    Content,
    Conversation,
    ConversationKind,
    Presence,
    Profile,
    ProfilePrivacy,
    Room,
    Sex,
    parse_text,
)

from .errors import (
    HistoryUnavailable,
    LoginFailed,
    NoSuchUser,
    NotAMember,
    NotLoggedIn,
    QQError,
    RequestRefused,
    RoomsUnavailable,
    ServerUnavailable,
    SessionClosed,
    TooFrequent,
)
from .events import (
    AddRequestReceived,
    BuddyStatusChanged,
    ConnectionState,
    ConnectionStateChanged,
    DeliveryState,
    Event,
    MessageReceived,
    MessageStateChanged,
    RequestApproved,
    RoomsAvailability,
    RoomsChanged,
    Trouble,
    WebLoginWaiting,
)
from .events import (
    RequestRefused as RequestRefusedEvent,
)
from .links.base import (
    AddRequestIncoming,
    ApprovalIncoming,
    Delivery,
    IncomingMessage,
    Poll,
    PresenceChange,
    RefusalIncoming,
    WebLoginIncoming,
)
from .links.classic import ClassicLink, split_text
from .links.smartqq import Kicked, NoChannel, SmartQQLink
from .outbox import STORAGE_ERRORS, Outbox, backoff
from .store import HistoryStore
from .timing import Timing
from .types import (
    AddRequest,
    Buddy,
    OutgoingMessage,
    RoomMember,
    SearchResults,
    StoredMessage,
    WebLogin,
)

__all__ = ["STORAGE_ERRORS", "AccountSession", "Timing", "split_text"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Profiles fetched at once when the buddy list needs nicknames.
PROFILE_CONCURRENCY = 8
#: Events kept while nobody reads ``events()`` (a bot subscribes after login).
BACKLOG = 10_000


class _Resumed(Exception):
    """The machine slept or the clock jumped: the link must be checked now."""


class _PollingLink(Protocol):
    """What the poll loop needs of a link."""

    @property
    def extensions(self) -> bool: ...

    def acknowledge(self, server_id: int) -> None: ...


def _conversation(to: Conversation | int) -> Conversation:
    return to if isinstance(to, Conversation) else Conversation.buddy(int(to))


class AccountSession:
    """One QQ account on one server: log in, then call methods and read ``events()``.

    ``async with AccountSession(url, uin, password) as s:`` logs in and, on exit,
    logs out and closes the poll loop, the outbox and the HTTP client. ``url`` may
    be https://; ``ca_file`` (PEM) then names the authorities its certificate must
    come from instead of the system's (a self-signed certificate is its own).
    """

    def __init__(
        self,
        server_url: str,
        uin: int,
        password: str,
        *,
        store: HistoryStore | str | os.PathLike[str] | None = None,
        timing: Timing | None = None,
        proxy: str | None = None,
        ca_file: str | os.PathLike[str] | None = None,
    ) -> None:
        self.server_url = server_url
        self.uin = int(uin)
        self.timing = timing or Timing()
        if store is None:
            self.store = HistoryStore.for_account(self.uin)
            self._own_store = True
        elif isinstance(store, str | os.PathLike):
            self.store = HistoryStore(store)
            self._own_store = True
        else:
            self.store = store
            self._own_store = False
        self.state = ConnectionState.DISCONNECTED
        #: The classic link: the only one until Smart QQ joins.
        self.link = ClassicLink(
            server_url,
            self.uin,
            password,
            self.timing,
            on_answer=self._server_answered,
            proxy=proxy,
            ca_file=None if ca_file is None else os.fspath(ca_file),
        )
        #: The Smart QQ web link: groups, discussions, web sign-in approval (where offered).
        self.web = SmartQQLink(
            server_url,
            self.uin,
            password,
            self.timing,
            on_answer=self._server_answered,
            proxy=proxy,
            ca_file=None if ca_file is None else os.fspath(ca_file),
        )
        self.web.since = self.store.newest_room_message
        self.web.on_login = self._web_opened
        self._web_task: asyncio.Task[None] | None = None
        #: What RoomsAvailability said last (None: nothing yet).
        self._rooms_announced: bool | None = None
        self._web_resumed = asyncio.Event()
        self.outbox = Outbox(
            self.store,
            self._send,
            self.link.logged_in,
            self.timing,
            self._delivery_changed,
            self.uin,
        )
        self._resumed = asyncio.Event()
        self._activity = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribers: list[asyncio.Queue[Event | None]] = []
        self._backlog: collections.deque[Event | None] = collections.deque(maxlen=BACKLOG)
        self._seen: collections.OrderedDict[tuple[int, int | None], None] = (
            collections.OrderedDict()
        )
        # Ids for received messages the store could not keep (negative, never a row id).
        self._unsaved = 0
        self._interval = self.timing.fast_poll
        self._active = False
        self._last_poll_wall = 0.0
        self._random = random.Random()

    # -- what the server said at login ---------------------------------------------------

    @property
    def nick(self) -> str:
        """My nickname as the server said at login (may be empty)."""
        return self.link.nick

    @property
    def face(self) -> int:
        return self.link.face

    @property
    def status(self) -> Presence:
        """What I show others (OFFLINE when not logged in)."""
        return self.link.presence

    @property
    def long_poll(self) -> int | None:
        """How long the server holds a poll (LP), None for short polling."""
        return self.link.long_poll

    # -- life ---------------------------------------------------------------------

    async def __aenter__(self) -> AccountSession:
        await self.login()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def login(self) -> None:
        """Log in; raises WrongPassword, NoSuchUser, TooFrequent or ServerUnavailable."""
        self._set_state(ConnectionState.CONNECTING)
        try:
            await self.link.login()
        except LoginFailed as exc:
            self._set_state(ConnectionState.STOPPED, str(exc))
            await self.link.aclose()
            raise
        except QQError as exc:
            self._set_state(ConnectionState.DISCONNECTED, str(exc))
            await self.link.aclose()
            raise
        # The web link before CONNECTED: login() returns (and the classic poll starts)
        # right after the state says connected, as it did before the web link.
        await self._open_web()
        self._set_state(ConnectionState.CONNECTED)
        if not self._tasks or any(t.done() for t in self._tasks):
            await self._stop_tasks()
            self._last_poll_wall = self.timing.wall()
            self._tasks = [
                asyncio.create_task(self._poll_loop(), name=f"qq-poll-{self.uin}"),
                asyncio.create_task(self.outbox.run(), name=f"qq-outbox-{self.uin}"),
                asyncio.create_task(self._watchdog(), name=f"qq-watchdog-{self.uin}"),
            ]
        self.outbox.queue_pending()
        if self.web.available is not False and (self._web_task is None or self._web_task.done()):
            self._web_task = asyncio.create_task(self._web_loop(), name=f"qq-web-{self.uin}")

    async def _open_web(self) -> None:
        """Open the web link where the server has it; its loop keeps it open."""
        if self.web.closed_because:
            self.web.available = None  # replaced last time: a new login takes it back
        if self.web.available is not False and not self.web.logged_in.is_set():
            try:
                await self.web.login(self.web.generation)
            except NoChannel as exc:
                log.info("%s: no groups on this server (%s)", self.uin, exc)
            except QQError as exc:
                log.info("%s: the web channel is not open yet: %s", self.uin, exc)
        if self.web.available is not None:
            self._announce_rooms(self.web.available)

    async def logout(self) -> None:
        """Log out and stop polling and sending; pending messages wait for the next login."""
        await self._stop_tasks()
        await self.web.logout()
        await self.link.logout()
        self._set_state(ConnectionState.STOPPED, "logged out")

    async def close(self) -> None:
        """Log out if logged in, and close the store when the session opened it."""
        await self.logout()
        if self._own_store:
            self.store.close()

    # -- buddies and users ----------------------------------------------------------

    def cached_buddies(self) -> list[Buddy]:
        """The buddy list as last seen (no network), for an instant start."""
        return self.store.buddies()

    async def buddies(self, *, partial: Callable[[list[Buddy]], None] | None = None) -> list[Buddy]:
        """My whole buddy list with nicknames, faces and statuses (paged until the end).

        A server with the ListEx extension lists them in bulk, remarks and categories
        included. Elsewhere buddies that are offline and not in the cache need one
        profile request each for their nickname; when there are such, ``partial``
        first gets the whole list without those nicknames, so that a long list can
        show at once.
        """
        if self.link.lists_in_bulk:
            listed = await self.link.buddy_entries()
            self.store.save_buddies(listed)
            return listed
        numbers = await self.link.buddy_numbers()
        online = {b.uin: b for b in await self.online_buddies()}
        cached = {b.uin: b for b in self.store.buddies()}
        missing = [u for u in numbers if not (online.get(u) or cached.get(u) or Buddy(u)).nick]
        if missing and partial is not None:
            partial(
                [
                    dataclasses.replace(
                        online.get(u) or cached.get(u) or Buddy(u),
                        status=online[u].status if u in online else Presence.OFFLINE,
                    )
                    for u in numbers
                ]
            )
        profiles = await self._short_profiles(missing)
        remarks = await self._remarks()
        result: list[Buddy] = []
        for uin in numbers:
            known = online.get(uin) or cached.get(uin) or Buddy(uin)
            profile = profiles.get(uin)
            nick = known.nick or (profile.nick if profile else "")
            face = known.face or (profile.face if profile else 0)
            status = online[uin].status if uin in online else Presence.OFFLINE
            result.append(Buddy(uin, nick, face, status, remarks.get(uin, "")))
        self.store.save_buddies(result)
        return result

    async def _remarks(self) -> dict[int, str]:
        """My remarks for my buddies, from the web link where it is open (else none)."""
        if not self.web.logged_in.is_set():
            return {}
        try:
            return await self._room_call(self.web.remarks())
        except QQError as exc:
            log.info("%s: remarks not read: %s", self.uin, exc)
            return {}

    # -- remarks and categories (the classic Remark and Category extensions) ----------

    async def set_remark(self, uin: int, remark: str) -> str:
        """My remark for a buddy ("" removes it), as the server kept it (trimmed, cut to
        its longest). RequestRefused from a server without remarks."""
        return await self.link.set_remark(uin, remark)

    def cached_categories(self) -> list[Category]:
        """My buddy categories as last seen (no network), for an instant start."""
        return self.store.categories()

    async def categories(self) -> list[Category]:
        """My buddy categories in their order, the default one first (only it, from a
        server without categories)."""
        if "Category" not in self.link.offers:
            found = [Category(DEFAULT_CATEGORY)]
        else:
            found = await self.link.read_categories()
        self.store.save_categories(found)
        return found

    async def create_category(self, name: str) -> Category:
        """A new category, last; TooFrequent when the server keeps no more of them."""
        made = await self.link.add_category(name)
        if made is None:
            raise TooFrequent("the server keeps no more categories")
        self.store.save_categories([*self.store.categories(), made])
        return made

    async def rename_category(self, index: int, name: str) -> list[Category]:
        return self._kept(await self.link.rename_category(index, name))

    async def delete_category(self, index: int) -> list[Category]:
        """Delete a category; its buddies go to the default one (which stays)."""
        return self._kept(await self.link.delete_category(index))

    async def order_categories(self, order: Sequence[int]) -> list[Category]:
        """Put every category but the default one in this order."""
        return self._kept(await self.link.order_categories(tuple(order)))

    def _kept(self, categories: list[Category]) -> list[Category]:
        """The server's categories, kept for the next start."""
        self.store.save_categories(categories)
        return categories

    async def move_buddy(self, uin: int, category: int) -> None:
        """Move a buddy to one of my categories."""
        await self.link.move_buddy(uin, category)

    async def online_buddies(self) -> list[Buddy]:
        """My buddies that others can see online (online or busy)."""
        return await self.link.online_buddies()

    async def profile(self, uin: int, level: int = 3) -> Profile:
        """A user's profile; level 0/1 is the nickname only, 2 the usual card, 3 everything."""
        return await self.link.profile(uin, level)

    async def privacy(self) -> ProfilePrivacy:
        """Who sees my mobile, real name, address and phone (Privacy, an extension: a
        server without it raises RequestRefused)."""
        return await self.link.privacy({})

    async def set_privacy(self, **fields: Audience) -> ProfilePrivacy:
        """Choose who sees each private field named (``mobile``, ``real_name``, ``address``,
        ``phone``): everyone, my buddies, or nobody; the whole choice afterwards."""
        unknown = set(fields) - set(PRIVATE_FIELDS)
        if unknown:
            raise ValueError(f"not a private profile field: {', '.join(sorted(unknown))}")
        return await self.link.privacy({k: Audience(v) for k, v in fields.items()})

    # -- my own account (extensions SetInfo, SetPassword) -------------------------------

    async def set_profile(self, **changes: str | int) -> Profile:
        """Change my own profile fields (Profile attribute names: ``nick``, ``face``,
        ``age``, ``intro``...; the others stay); my whole profile afterwards. ValueError
        before anything is sent for a change no profile may hold (a blank or too long
        nickname, a field one may not change); RequestRefused from a server without the
        SetInfo extension."""
        await self.link.set_info(dict(changes))
        return await self.link.profile(self.uin)

    async def change_password(self, old_password: str, new_password: str) -> None:
        """Change my password (the SetPassword extension). ValueError for a new password
        shorter than MIN_PASSWORD (nothing is sent); WrongPassword when ``old_password``
        is wrong (it counts toward the server's login throttle: TooFrequent after a few);
        RequestRefused from a server without the extension. This session and my web
        session stay signed in, and sign in again with the new password."""
        if len(new_password) < MIN_PASSWORD:
            raise ValueError(f"the new password needs at least {MIN_PASSWORD} characters")
        await self.link.set_password(old_password, new_password)
        self.web.use_password(new_password)

    async def search(
        self,
        age: int | None = None,
        sex: Sex | None = None,
        province: str | None = None,
        *,
        offset: int = 0,
        page_size: int = 20,
    ) -> SearchResults:
        """One page of searchable users matching every condition given."""
        return await self.link.search(age, sex, province, offset, page_size)

    async def add_buddy(self, uin: int) -> AuthMode:
        """Ask to add ``uin``; the answer is who the user lets add them.

        ANYONE: added already. VERIFY: send ``request_buddy``. NOBODY: refused
        (a legacy server's 2 reads as NOBODY).
        """
        mode = await self.link.add_buddy(uin)
        if mode is AuthMode.ANYONE:
            self._remember_buddy(uin)
        return mode

    async def request_buddy(self, uin: int, reason: str) -> None:
        """Ask ``uin`` (who wants verification) to let me add them."""
        await self.link.request_buddy(uin, reason)

    async def approve(self, uin: int) -> None:
        """Let ``uin`` add me, answering their request."""
        await self.link.approve(uin)
        self.store.remove_request(uin)

    async def refuse(self, uin: int, reason: str = "") -> None:
        """Refuse ``uin``'s request to add me."""
        await self.link.refuse(uin, reason)
        self.store.remove_request(uin)

    def add_requests(self) -> list[AddRequest]:
        """Requests to add me that I have not answered yet (kept across runs)."""
        return self.store.requests()

    async def remove_buddy(self, uin: int) -> None:
        await self.link.remove_buddy(uin)
        self.store.remove_buddy(uin)

    async def set_status(self, status: Presence) -> None:
        """Show me as ``status`` (online, busy, hidden...); kept after a reconnect."""
        status = Presence(status)
        await self.link.set_presence(status)
        self.store.set_last_status(status)

    # -- messages -------------------------------------------------------------------

    async def send_message(self, to: Conversation | int, message: str | Content) -> OutgoingMessage:
        """Keep ``message`` for ``to`` (a conversation, or a buddy's number) as pending and
        queue it; returns its local id(s).

        A text is read as content (``/微笑`` is a face). A message longer than one
        wire message allows becomes several. Each turns sent only when the server
        accepts it, or failed after a few tries (``MessageStateChanged`` events;
        ``wait_delivered`` to await it).
        """
        conversation = _conversation(to)
        content = parse_text(message) if isinstance(message, str) else tuple(message)
        if not content:
            raise ValueError("an empty message cannot be sent")
        if not conversation.is_buddy and self.web.available is False:
            raise RoomsUnavailable()
        try:
            ids = self.outbox.add(conversation, self.link.split(content), self.timing.wall())
        except STORAGE_ERRORS as exc:
            raise HistoryUnavailable(f"cannot keep the message to send: {exc}") from exc
        self._note_activity()
        return OutgoingMessage(conversation=conversation, local_ids=tuple(ids))

    def split_message(self, message: str | Content) -> list[Content]:
        """The messages ``message`` goes out as (a long text takes several)."""
        content = parse_text(message) if isinstance(message, str) else tuple(message)
        return self.link.split(content) if content else []

    async def resend(self, local_id: int) -> int:
        """Send a failed message again (with the failed parts of its text); returns its id."""
        self.outbox.resend(local_id)
        return local_id

    async def wait_delivered(self, local_id: int) -> DeliveryState:
        """Wait until an outgoing message is sent or failed; its final state."""
        return await self.outbox.wait_delivered(local_id)

    def history(
        self, conversation: Conversation | int, before_id: int | None = None, limit: int = 50
    ) -> list[StoredMessage]:
        """A page of ``conversation`` (or a buddy chat by number), newest first,
        older than ``before_id``."""
        return self.store.history(_conversation(conversation), before_id, limit)

    def count(self, conversation: Conversation | int | None = None) -> int:
        """Messages kept in ``conversation`` (or a buddy chat by number), or in all."""
        return self.store.count(None if conversation is None else _conversation(conversation))

    def search_history(
        self, text: str, conversation: Conversation | int | None = None
    ) -> list[StoredMessage]:
        """Kept messages containing ``text``, newest first, in one conversation or all."""
        return self.store.search(
            text, None if conversation is None else _conversation(conversation)
        )

    def set_active(self, active: bool) -> None:
        """A chat is open and focused: poll fast (short polling only)."""
        self._active = active
        if active:
            self._note_activity()

    # -- groups and discussions --------------------------------------------------------

    @property
    def rooms_available(self) -> bool:
        """True when the server offers groups and discussions (the Smart QQ channel)."""
        return self.web.available is True

    def _rooms_link(self) -> SmartQQLink:
        if self.web.available is False:
            raise RoomsUnavailable(self.web.closed_because)
        return self.web

    async def rooms(self) -> list[Room]:
        """My groups (by number), then my discussions."""
        return await self._room_call(self._rooms_link().rooms())

    async def members(self, conversation: Conversation) -> list[RoomMember]:
        """A group's or discussion's members (card, nickname, status), as the server lists them."""
        return await self._room_call(self._rooms_link().members(conversation))

    async def create_group(self, name: str, members: Sequence[int]) -> Conversation:
        """A new group I own, with my buddies ``members``."""
        made = await self._room_call(
            self._rooms_link().create(ConversationKind.GROUP, name, members)
        )
        self._emit(RoomsChanged(account=self.uin, conversation=made))
        return made

    async def create_discussion(self, name: str, members: Sequence[int]) -> Conversation:
        """A new discussion with my buddies ``members``."""
        made = await self._room_call(
            self._rooms_link().create(ConversationKind.DISCUSSION, name, members)
        )
        self._emit(RoomsChanged(account=self.uin, conversation=made))
        return made

    async def invite(self, conversation: Conversation, members: Sequence[int]) -> list[int]:
        """Add my buddies to a room; the ones newly added."""
        added = await self._room_call(self._rooms_link().invite(conversation, members))
        self._emit(RoomsChanged(account=self.uin, conversation=conversation))
        return added

    async def set_card(self, conversation: Conversation, card: str) -> None:
        """My card in a group ("" removes it)."""
        await self._room_call(self._rooms_link().set_card(conversation, card))

    async def leave(self, conversation: Conversation) -> None:
        """Leave a group or discussion."""
        await self._room_call(self._rooms_link().leave(conversation))
        self._emit(RoomsChanged(account=self.uin, conversation=conversation))

    async def web_logins(self) -> list[WebLogin]:
        """QR sign-ins waiting for approval."""
        return await self._room_call(self._rooms_link().web_logins())

    async def approve_web_login(self, code: str, approve: bool) -> None:
        """Approve (binding it to my account) or refuse the QR sign-in showing ``code``."""
        await self._room_call(self._rooms_link().approve_web_login(code, approve))

    async def _room_call(self, call: Awaitable[T]) -> T:
        """A web call; a session replaced elsewhere reads as not logged in (the loop
        signs in again)."""
        try:
            return await call
        except Kicked as exc:
            self._web_replaced()
            raise RoomsUnavailable(self.web.closed_because) from exc

    async def _send(self, conversation: Conversation, content: Content, client_id: str) -> None:
        """The outbox's sender: buddies by the classic link, rooms by the web link, each
        with the client message id that makes a resend after a lost answer harmless."""
        if conversation.is_buddy:
            await self.link.send(conversation, content, client_id)
            return
        if self.web.available is False:
            raise RequestRefused("this server has no groups or discussions")
        try:
            await self.web.send(conversation, content, client_id)
        except NotAMember as exc:
            raise RequestRefused(str(exc)) from exc
        except Kicked as exc:
            # It stays pending: it goes when the web channel is open again (next login).
            self._web_replaced()
            raise SessionClosed(str(exc)) from exc

    # -- events -----------------------------------------------------------------------

    async def events(self) -> AsyncIterator[Event]:
        """The session's events, in order, until it stops.

        Events that came while nobody listened (say, offline messages fetched
        right after login) are given to the first listener.
        """
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        if not self._subscribers:
            while self._backlog:
                queue.put_nowait(self._backlog.popleft())
        self._subscribers.append(queue)
        try:
            while True:
                event = await queue.get()
                if event is None:
                    return
                yield event
        finally:
            self._subscribers.remove(queue)

    def _emit(self, event: Event) -> None:
        stopped = (
            isinstance(event, ConnectionStateChanged) and event.state is ConnectionState.STOPPED
        )
        if not self._subscribers:
            self._backlog.append(event)
            if stopped:
                self._backlog.append(None)
        for queue in self._subscribers:
            queue.put_nowait(event)
            if stopped:
                queue.put_nowait(None)

    def _set_state(
        self, state: ConnectionState, detail: str = "", trouble: Trouble = Trouble.NETWORK
    ) -> None:
        if state is self.state:
            return
        self.state = state
        log.info("%s: %s %s", self.uin, state.value, detail)
        self._emit(
            ConnectionStateChanged(account=self.uin, state=state, detail=detail, trouble=trouble)
        )

    def _server_answered(self) -> None:
        if self.state is ConnectionState.RECONNECTING:
            # Any answer means the server is back; a held long poll must not delay saying so.
            self._set_state(ConnectionState.CONNECTED)

    def _delivery_changed(
        self, local_id: int, conversation: Conversation, state: DeliveryState
    ) -> None:
        self._emit(
            MessageStateChanged(
                account=self.uin, local_id=local_id, conversation=conversation, state=state
            )
        )

    # -- buddies' details ---------------------------------------------------------------

    async def _short_profiles(self, uins: list[int]) -> dict[int, Profile]:
        limit = asyncio.Semaphore(PROFILE_CONCURRENCY)

        async def one(uin: int) -> tuple[int, Profile | None]:
            async with limit:
                try:
                    return uin, await self.profile(uin, level=2)
                except (NoSuchUser, RequestRefused):
                    return uin, None

        found = await asyncio.gather(*(one(u) for u in uins))
        return {u: p for u, p in found if p is not None}

    def _remember_buddy(self, uin: int) -> None:
        if all(b.uin != uin for b in self.store.buddies()):
            self.store.put_buddy(Buddy(uin))

    # -- the poll loop ------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        failures = 0
        while True:
            try:
                if self._resumed.is_set() or self._gap_too_long():
                    self._resumed.clear()
                    log.info("%s: long gap or clock jump; checking the session", self.uin)
                    await self.link.relogin(self.link.generation)
                poll = await self._until_resumed(self.link.poll())
            except _Resumed:
                continue
            except LoginFailed as exc:
                await self._give_up(str(exc))
                return
            except SessionClosed:
                return
            except RequestRefused:
                await self._pause(self._interval)
                continue
            except (ServerUnavailable, NotLoggedIn, TooFrequent) as exc:
                failures += 1
                self._set_state(ConnectionState.RECONNECTING, str(exc))
                await self._pause(self._backoff(failures))
                continue
            self._last_poll_wall = self.timing.wall()
            if self.state is not ConnectionState.CONNECTED:
                self._set_state(ConnectionState.CONNECTED)
            try:
                self._receive(poll)
            except HistoryUnavailable as exc:
                # What could not be kept stays on the server; try again after a pause.
                log.error("%s: %s", self.uin, exc)
                failures += 1
                self._set_state(ConnectionState.RECONNECTING, str(exc), Trouble.STORAGE)
                await self._pause(self._backoff(failures))
                continue
            failures = 0
            if self.link.long_poll is None:
                await self._pause(self._next_interval(bool(poll.deliveries)))

    async def _web_loop(self) -> None:
        """The web link's life, with the classic loop's policies: sign in (again) with
        back-off, check the session after a sleep, keep before acknowledging."""
        failures = 0
        last = self.timing.wall()
        resumed = self._web_resumed
        web = self.web
        while True:
            try:
                if not web.logged_in.is_set():
                    await self._until_resumed(web.login(web.generation), resumed)
                elif resumed.is_set() or self.timing.wall() - last > web.idle_timeout:
                    resumed.clear()
                    log.info("%s: checking the web session", self.uin)
                    await web.relogin(web.generation)
                poll = await self._until_resumed(web.poll(), resumed)
            except _Resumed:
                continue
            except NoChannel as exc:
                log.info("%s: no web channel: %s", self.uin, exc)
                self._announce_rooms(False)
                return
            except Kicked as exc:
                # The account signed in on the web elsewhere (a QR sign-in its owner
                # approved, say): the server keeps one web session, so taking it back
                # would throw that one out. The channel stays closed until the next login.
                log.info("%s: web session replaced (%s)", self.uin, exc)
                self._web_replaced()
                return
            except LoginFailed as exc:
                log.warning("%s: the web channel gave up: %s", self.uin, exc)
                web.logged_in.clear()
                web.available = False
                self._announce_rooms(False)
                return
            except SessionClosed:
                return
            except (ServerUnavailable, NotLoggedIn, TooFrequent, RequestRefused, NotAMember) as exc:
                failures += 1
                log.info("%s: web channel: %s", self.uin, exc)
                await self._pause(self._backoff(failures), resumed)
                continue
            last = self.timing.wall()
            try:
                self._receive(poll, web)
            except HistoryUnavailable as exc:
                log.error("%s: %s", self.uin, exc)
                failures += 1
                await self._pause(self._backoff(failures), resumed)
                continue
            failures = 0

    def _web_replaced(self) -> None:
        """Another web sign-in of the account took the channel: rooms close here."""
        web = self.web
        if web.available is False:
            return
        web.logged_in.clear()
        web.available = False
        web.closed_because = "the account signed in on the web elsewhere"
        task = self._web_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self._announce_rooms(False, web.closed_because)

    def _web_opened(self) -> None:
        """The web session is (again) open, by whichever sign-in (the link tells after
        each): room messages kept pending go now (and a channel that was not open at
        login is announced now)."""
        self.outbox.queue_pending()
        self._announce_rooms(True)

    def _announce_rooms(self, available: bool, reason: str = "") -> None:
        """Tell listeners whether rooms can be used, when that changed."""
        if available is self._rooms_announced:
            return
        self._rooms_announced = available
        self._emit(RoomsAvailability(account=self.uin, available=available, reason=reason))

    def _backoff(self, failures: int) -> float:
        return backoff(self.timing, failures, self._random)

    def _gap_too_long(self) -> bool:
        return self.timing.wall() - self._last_poll_wall > self.link.idle_timeout

    def _next_interval(self, got_messages: bool) -> float:
        if got_messages or self._active:
            self._interval = self.timing.fast_poll
        else:
            self._interval = min(float(self.link.keepalive), self._interval * self.timing.slowdown)
        return self._interval

    def _note_activity(self) -> None:
        self._interval = self.timing.fast_poll
        self._activity.set()

    async def _pause(self, seconds: float, resumed: asyncio.Event | None = None) -> None:
        """Sleep, but wake early for activity or a resume after sleep."""
        self._activity.clear()
        waits = [
            asyncio.ensure_future(self._activity.wait()),
            asyncio.ensure_future((resumed or self._resumed).wait()),
        ]
        try:
            await asyncio.wait(waits, timeout=max(0.0, seconds))
        finally:
            for w in waits:
                w.cancel()

    async def _until_resumed(self, work: Awaitable[T], event: asyncio.Event | None = None) -> T:
        """Run ``work``; abandon it with _Resumed when the watchdog sees a sleep."""
        task = asyncio.ensure_future(work)
        resumed = asyncio.ensure_future((event or self._resumed).wait())
        try:
            await asyncio.wait([task, resumed], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            resumed.cancel()
        if task.done():
            return task.result()
        task.cancel()
        await _reap(task)
        raise _Resumed()

    async def _watchdog(self) -> None:
        wall, mono = self.timing.wall(), self.timing.monotonic()
        while True:
            await asyncio.sleep(self.timing.watchdog)
            now_wall, now_mono = self.timing.wall(), self.timing.monotonic()
            drift = (now_wall - wall) - (now_mono - mono)
            stalled = now_mono - mono > self.timing.watchdog + self.timing.clock_jump
            if abs(drift) > self.timing.clock_jump or stalled:
                log.info("%s: the machine slept (clock moved %.0f s)", self.uin, drift)
                self._resumed.set()
                self._web_resumed.set()
            wall, mono = now_wall, now_mono

    def _receive(self, poll: Poll, link: _PollingLink | None = None) -> None:
        """Keep and announce each delivery; acknowledge only what was kept.

        Raises HistoryUnavailable when the store cannot keep a message that the
        server holds until acknowledged: it and the ones after it are fetched again.
        """
        link = link or self.link
        newest = 0
        for delivery in poll.deliveries:
            key = delivery.key
            if key is None or key not in self._seen:
                try:
                    self._dispatch(delivery)
                except STORAGE_ERRORS as exc:
                    if key is not None and link.extensions:
                        link.acknowledge(newest)
                        raise HistoryUnavailable(f"cannot keep received messages: {exc}") from exc
                    # A server without acknowledged delivery has dropped it already:
                    # show it at least, though it will be missing from the history.
                    log.error("%s: %r not kept: %s", self.uin, delivery.item, exc)
                    self._dispatch(delivery, keep=False)
                except Exception:
                    log.exception("%s: could not handle %r", self.uin, delivery)
            if key is not None:
                newest = max(newest, key[0])
                self._seen[key] = None
                if len(self._seen) > 5000:
                    self._seen.popitem(last=False)
        link.acknowledge(newest)

    def _dispatch(self, delivery: Delivery, *, keep: bool = True) -> None:
        """Store (unless not ``keep``) and announce one delivery."""
        item, account = delivery.item, self.uin
        match item:
            case IncomingMessage():
                when = float(item.server_time) if item.server_time else self.timing.wall()
                if keep:
                    local_id = self.store.add_incoming(
                        item.conversation,
                        item.content,
                        when,
                        sender=item.sender,
                        server_id=item.server_id,
                        server_time=item.server_time,
                    )
                    if local_id is None:
                        return
                else:
                    self._unsaved -= 1
                    local_id = self._unsaved
                self._note_activity()
                self._emit(
                    MessageReceived(
                        account=account,
                        conversation=item.conversation,
                        sender=item.sender,
                        content=item.content,
                        time=when,
                        local_id=local_id,
                    )
                )
            case PresenceChange(uin=uin, presence=presence):
                try:
                    self.store.set_buddy_status(uin, presence)
                except STORAGE_ERRORS as exc:  # only the cached list's status: no retry
                    log.warning("%s: cannot cache the status of %s: %s", self.uin, uin, exc)
                self._emit(BuddyStatusChanged(account=account, uin=uin, status=presence))
            case AddRequestIncoming(uin=uin, reason=reason):
                if keep:
                    self.store.add_request(uin, reason)
                self._emit(AddRequestReceived(account=account, uin=uin, reason=reason))
            case ApprovalIncoming(uin=uin):
                if keep:
                    self._remember_buddy(uin)
                self._emit(RequestApproved(account=account, uin=uin))
            case RefusalIncoming(uin=uin, reason=reason):
                self._emit(RequestRefusedEvent(account=account, uin=uin, reason=reason))
            case WebLoginIncoming(code=code, created=created):
                self._emit(WebLoginWaiting(account=account, code=code, created=created))
            case None:
                log.info("%s: cannot read %s", self.uin, delivery.raw)

    async def _give_up(self, reason: str) -> None:
        self.link.logged_in.clear()
        self._set_state(ConnectionState.STOPPED, reason)
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()

    # -- closing --------------------------------------------------------------------------

    async def _stop_tasks(self) -> None:
        """Cancel every task of the session (the web loop too), then wait for each end.

        All are told first, so that a caller cancelled while it waits (a shutdown's
        deadline) still leaves none running: a loop left running would be stepped
        after the event loop stopped. Such a cancellation is raised once all ended.
        """
        tasks, self._tasks = self._tasks, []
        web, self._web_task = self._web_task, None
        current = asyncio.current_task()
        stopping = [t for t in (*tasks, web) if t is not None and t is not current]
        for task in stopping:
            task.cancel()
        interrupted = False
        for task in stopping:
            try:
                await _reap(task)
            except asyncio.CancelledError:
                interrupted = True
                with contextlib.suppress(asyncio.CancelledError):
                    await _reap(task)
        # Messages not sent yet stay pending in the store for the next login.
        self.outbox.stop()
        if interrupted:
            raise asyncio.CancelledError


async def _reap(task: Awaitable[object]) -> None:
    """Wait for a task told to stop: its own end (cancelled or failed) is swallowed, a
    cancellation of the waiting task is not (else a loop being cancelled while it
    reaps would take that for the reaped task's end and go round again, for ever)."""
    try:
        await task
    except asyncio.CancelledError:
        me = asyncio.current_task()
        if me is not None and me.cancelling():
            raise
    except Exception:  # its failure was logged where it happened
        pass
