"""The classic link: everything on the classic text wire, translated to core values at its edge.

Login exchange, List/Query_Stat/GetInfo paging, GetMsgEx polling with the WT/AK
extensions, CLTMSG, Ack_AddToList; the failure policy of its result codes
(RES=20 logs in again, RES=3 waits out the penalty, RES=5 is NoSuchUser). Status
codes become Presence, MT codes neutral incoming values, message text Content
(``core.parse_text``) and back (``core.render_text``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import hashlib
import logging
import random
from collections.abc import Callable
from typing import TypeVar

from qqdesk.core import (
    Audience,
    AuthMode,
    Category,
    Content,
    Conversation,
    Presence,
    Profile,
    ProfilePrivacy,
    Sex,
    parse_text,
    render_text,
)
from qqdesk.protocol.classic import (
    MAX_LIST_EX_PAGE,
    MAX_MESSAGE_CHARS,
    MAX_MESSAGES_PER_REPLY,
    AckCode,
    AddBuddyAnswerRequest,
    AddBuddyReply,
    AddBuddyRequest,
    BuddyCount,
    BuddyEntriesPage,
    BuddyEntriesRequest,
    BuddyListRequest,
    BuddyPage,
    CategoriesReply,
    CategoryOperation,
    CategoryRequest,
    ChangeStatusRequest,
    Command,
    Done,
    ErrorReply,
    FetchMessagesRequest,
    LoginOk,
    LoginRefused,
    LoginRequest,
    LogoutRequest,
    Message,
    MessagesReply,
    MessageType,
    OnlineBuddiesRequest,
    OnlineCount,
    OnlinePage,
    PasswordReply,
    PrivacyReply,
    PrivacyRequest,
    ProfileReply,
    ProfileRequest,
    ProtocolError,
    RemarkReply,
    RemarkRequest,
    RemoveBuddyRequest,
    Reply,
    Request,
    Result,
    SearchPage,
    SearchRequest,
    SendMessageRequest,
    SetInfoRequest,
    SetPasswordRequest,
    Status,
    decode_reply,
    encode_request,
)

from ..errors import (
    LoginFailed,
    NoSuchUser,
    NotLoggedIn,
    QQError,
    RequestRefused,
    ServerUnavailable,
    SessionClosed,
    TooFrequent,
    WrongPassword,
)
from ..timing import Timing
from ..transport import Transport
from ..types import Buddy, FoundUser, SearchResults
from .base import (
    AddRequestIncoming,
    ApprovalIncoming,
    Delivery,
    Incoming,
    IncomingMessage,
    Poll,
    PresenceChange,
    RefusalIncoming,
)

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Reply)

#: Buddy numbers asked for per List page, and online buddies per Query_Stat page.
BUDDY_PAGE = 100
ONLINE_PAGE = 50
#: The most buddies (and online buddies) a list may hold; a server that pages on past
#: this is refused rather than followed until memory runs out. qqdesk's largest
#: lists are a few thousand; QQ itself capped a list far below this.
MAX_BUDDIES = 100_000
#: The largest reply body read (unpacked). The longest honest reply is a GetMsgEx of
#: MAX_MESSAGES_PER_REPLY texts of MAX_MESSAGE_CHARS characters, at most 4 UTF-8 bytes
#: each (the escapes %2c and the like are 3): 50 * 2000 * 4 = 400 KB, with under
#: 100 bytes of MI/TM/MT/UN per message. 1 MiB leaves more than twice that.
MAX_REPLY = 1 << 20
assert MAX_MESSAGES_PER_REPLY * (MAX_MESSAGE_CHARS * 4 + 100) * 2 < MAX_REPLY
#: Server message ids (MI) are below this: what a history row can hold (SQLite INTEGER).
MAX_SERVER_ID = 2**63
#: The earliest server stamp (TM) taken at its word: 2000-01-01, before any QQ server ran.
EARLIEST_STAMP = 946_684_800
#: How far ahead of our clock a server's stamp may be (its clock may run fast).
STAMP_SKEW = 86_400


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut a long text into messages of at most ``limit`` characters, at a space if near."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut < limit * 3 // 4:
            cut = limit
        else:
            cut += 1
        parts.append(text[:cut])
        text = text[cut:]
    if text:
        parts.append(text)
    return parts


def presence_of(code: int) -> Presence:
    """The presence a classic status code stands for (unknown codes: offline)."""
    try:
        return Status(code).presence
    except ValueError:
        return Presence.OFFLINE


class ClassicLink:
    """One account's conversation with a classic-protocol server.

    ``logged_in`` is set while the server knows the session; ``generation``
    counts logins, so that many calls that find the session gone log in once.
    ``on_answer`` is told whenever the server answered anything.
    """

    def __init__(
        self,
        server_url: str,
        uin: int,
        password: str,
        timing: Timing,
        on_answer: Callable[[], None] = lambda: None,
        *,
        proxy: str | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.server_url = server_url
        self.proxy = proxy
        #: Authorities an https server's certificate must come from (None: the system's).
        self.ca_file = ca_file
        self.uin = uin
        self._password_md5 = _md5(password)
        self.timing = timing
        self._on_answer = on_answer
        #: What the server said at login: own nickname and face (extensions, may be empty).
        self.nick = ""
        self.face = 0
        #: HI, LI and LP from the Login reply.
        self.keepalive = 60
        self.idle_timeout = 300
        self.long_poll: int | None = None
        #: What I show; set again after logging in anew.
        self.presence = Presence.OFFLINE
        self.logged_in = asyncio.Event()
        self.generation = 0
        #: The server takes WT/AK (acknowledged delivery); a legacy one refuses them.
        self.extensions = True
        self._transport: Transport | None = None
        self._seq = random.randrange(10_000, 90_000)
        self._recent_seqs: collections.deque[str] = collections.deque(maxlen=64)
        self._login_lock = asyncio.Lock()
        #: When the server forgot a session that it had kept answering (see ``relogin``).
        self._relogins: collections.deque[float] = collections.deque()
        #: The transport's connection failures at the last login.
        self._failures_at_login = 0
        #: Which run of the server the last login reached (the SI extension: new at each
        #: start of the server); "" from a server that does not say.
        self.server_instance = ""
        #: The newest server id kept, sent as AK with the next poll.
        self._ack = 0
        #: The contact extensions the server listed at the last login (EX: ListEx,
        #: Remark, Category); empty from a server that does not say.
        self.offers: frozenset[str] = frozenset()

    @property
    def transport_open(self) -> bool:
        return self._transport is not None

    # -- signing in and out ------------------------------------------------------------

    async def login(self) -> None:
        """Log in; raises WrongPassword, NoSuchUser, TooFrequent or ServerUnavailable."""
        try:
            reply = await self._exchange(
                LoginRequest(
                    uin=self.uin,
                    seq=self._next_seq(),
                    password_md5=self._password_md5,
                    want_instance=True,
                    want_extensions=True,
                )
            )
        except RequestRefused as exc:
            raise LoginFailed("the server refused the login request") from exc
        match reply:
            case LoginOk():
                self.keepalive = max(1, reply.keepalive)
                self.idle_timeout = max(1, reply.idle_timeout)
                self.long_poll = reply.long_poll if reply.long_poll else None
                self.nick = reply.nick or self.nick
                self.face = reply.face if reply.face is not None else self.face
                self.generation += 1
                self.extensions = True
                self.server_instance = reply.instance
                self.offers = frozenset(reply.extensions)
            case LoginRefused(reason=reason):
                raise WrongPassword(reason)
            case ErrorReply(result=Result.NO_SUCH_NUMBER):
                raise NoSuchUser(self.uin)
            case ErrorReply(result=Result.TOO_FREQUENT):
                raise TooFrequent("too many login attempts; try again later")
            case _:
                raise LoginFailed(f"unexpected login reply {reply!r}")
        self.presence = Presence.ONLINE
        self._failures_at_login = self._connection_failures()
        self.logged_in.set()

    def _connection_failures(self) -> int:
        return 0 if self._transport is None else self._transport.failures

    async def relogin(self, generation: int) -> None:
        """Log in again (once, however many calls found the session gone).

        Raises LoginFailed ("logged in elsewhere") only on a takeover. A session
        replaced by a Login from another client and one forgotten by a restarted
        (or expiring) server both answer RES=20. Our server says which run of it
        a login reached (the SI extension, new at each start): the same run as
        before means the server kept running and forgot us, a sign of takeover;
        another run is a restart, never one. A server that does not say is judged
        by its connections: a restart breaks them (the held poll is cut, the next
        connect is refused or finds a dead socket), a takeover does not. A sign
        counts once the re-login succeeded; ``relogin_limit`` of them within
        ``relogin_window`` are the verdict. A server that is unreachable or
        restarting raises ServerUnavailable here: the caller backs off and tries
        again, forever.
        """
        async with self._login_lock:
            if generation != self.generation:
                return
            now = self.timing.monotonic()
            while self._relogins and now - self._relogins[0] > self.timing.relogin_window:
                self._relogins.popleft()
            before = self.server_instance
            forgotten_while_up = self._connection_failures() == self._failures_at_login
            # (with SI, only re-logins into the same run were counted: they are the verdict)
            if (before or forgotten_while_up) and len(self._relogins) >= self.timing.relogin_limit:
                raise LoginFailed("the account keeps being logged in elsewhere")
            log.info("%s: logging in again", self.uin)
            presence = self.presence
            await self.login()
            if self.server_instance:
                forgotten_while_up = self.server_instance == before
            if forgotten_while_up:
                self._relogins.append(now)
            if presence.is_signed_in and presence is not Presence.ONLINE:
                status = Status.of(presence)
                await self._call(
                    lambda seq: ChangeStatusRequest(uin=self.uin, seq=seq, status=status),
                    relogin=False,
                )
                self.presence = presence

    async def logout(self) -> None:
        """Say goodbye when logged in (best effort), and close the connection."""
        was_logged_in = self.logged_in.is_set()
        self.logged_in.clear()
        if was_logged_in and self._transport is not None:
            with contextlib.suppress(QQError):
                await self._exchange(
                    LogoutRequest(uin=self.uin, seq=self._next_seq()),
                    timeout=self.timing.logout_timeout,
                )
        self.presence = Presence.OFFLINE
        await self.aclose()

    async def aclose(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()

    # -- buddies and users ---------------------------------------------------------------

    async def buddy_numbers(self) -> list[int]:
        numbers: dict[int, None] = {}
        offset = 0
        while True:
            reply = await self._call(
                functools.partial(
                    BuddyListRequest, uin=self.uin, page_size=BUDDY_PAGE, offset=offset
                )
            )
            if not isinstance(reply, BuddyPage):
                break
            new = [u for u in reply.uins if u and u not in numbers]
            numbers.update(dict.fromkeys(new))
            _within_list_limit(len(numbers))
            offset += len(reply.uins)
            # A server that ignores the offset would repeat a page forever.
            if reply.last or not new:
                break
        return list(numbers)

    async def online_buddies(self) -> list[Buddy]:
        found: dict[int, Buddy] = {}
        offset = 0
        while True:
            reply = await self._call(
                functools.partial(
                    OnlineBuddiesRequest, uin=self.uin, page_size=ONLINE_PAGE, offset=offset
                )
            )
            if not isinstance(reply, OnlinePage):
                break
            new = [b for b in reply.buddies if b.uin not in found]
            for b in new:
                found[b.uin] = Buddy(b.uin, b.nick, b.face, presence_of(int(b.status)))
            _within_list_limit(len(found))
            offset += len(reply.buddies)
            if reply.last or not new:
                break
        return list(found.values())

    # -- the contact extensions (ListEx, Remark, Category) ------------------------------

    @property
    def lists_in_bulk(self) -> bool:
        """The server has ListEx: a whole list with nicknames in a few requests."""
        return "ListEx" in self.offers

    async def buddy_entries(self) -> list[Buddy]:
        """My whole buddy list with nicknames, faces, statuses, remarks and categories
        (ListEx, paged); only where ``lists_in_bulk``."""
        found: dict[int, Buddy] = {}
        # After a first full page, two pages are asked at a time (the next one from
        # where a full page ends): the server reads one while this side takes the
        # other apart. A short list stays one request; a long one costs one request
        # more at most (past its end), given up when the last page is in.
        asked: dict[int, asyncio.Task[BuddyEntriesPage]] = {}
        dropped: list[asyncio.Task[BuddyEntriesPage]] = []

        def ask(offset: int) -> asyncio.Task[BuddyEntriesPage]:
            if offset not in asked:
                asked[offset] = asyncio.ensure_future(self._buddy_page(offset))
            return asked[offset]

        offset = 0
        try:
            while True:
                current = ask(offset)
                if offset:
                    ask(offset + MAX_LIST_EX_PAGE)
                page = await current
                del asked[offset]
                new = [b for b in page.buddies if b.uin not in found]
                for b in new:
                    status = presence_of(int(b.status))
                    found[b.uin] = Buddy(b.uin, b.nick, b.face, status, b.remark, b.category)
                _within_list_limit(len(found))
                offset += len(page.buddies)
                if page.last or not new:
                    break
                for other in [o for o in asked if o != offset]:
                    # a page came short (very long nicknames): that guess was wrong
                    dropped.append(asked.pop(other))
                    dropped[-1].cancel()
        finally:
            dropped.extend(asked.values())
            for task in dropped:
                task.cancel()
            await asyncio.gather(*dropped, return_exceptions=True)
        return list(found.values())

    async def _buddy_page(self, offset: int) -> BuddyEntriesPage:
        reply = await self._call(
            functools.partial(
                BuddyEntriesRequest, uin=self.uin, page_size=MAX_LIST_EX_PAGE, offset=offset
            )
        )
        return _expect(reply, BuddyEntriesPage)

    async def set_remark(self, uin: int, remark: str) -> str:
        """My remark for a buddy ("" removes it), as the server kept it. A server without
        the extension: RequestRefused; one not on my list: NoSuchUser."""
        reply = await self._call(
            lambda seq: RemarkRequest(uin=self.uin, seq=seq, target=uin, remark=remark),
            target=uin,
        )
        return _expect(reply, RemarkReply).remark

    async def categories(
        self,
        operation: CategoryOperation = CategoryOperation.READ,
        *,
        index: int | None = None,
        name: str = "",
        order: tuple[int, ...] = (),
        target: int | None = None,
    ) -> CategoriesReply:
        """My categories in their order, after the change asked for (Category; a server
        without the extension: RequestRefused)."""
        reply = await self._call(
            lambda seq: CategoryRequest(
                uin=self.uin,
                seq=seq,
                operation=operation,
                index=index,
                name=name,
                order=order,
                target=target,
            ),
            target=target,
        )
        return _expect(reply, CategoriesReply)

    async def read_categories(self) -> list[Category]:
        return (await self.categories()).categories

    async def add_category(self, name: str) -> Category | None:
        """The category made (last); None when the server keeps no more."""
        reply = await self.categories(CategoryOperation.ADD, name=name)
        made = [c for c in reply.categories if c.index == reply.made]
        return made[0] if reply.made is not None and made else None

    async def rename_category(self, index: int, name: str) -> list[Category]:
        return (await self.categories(CategoryOperation.RENAME, index=index, name=name)).categories

    async def delete_category(self, index: int) -> list[Category]:
        return (await self.categories(CategoryOperation.DELETE, index=index)).categories

    async def order_categories(self, order: tuple[int, ...]) -> list[Category]:
        return (await self.categories(CategoryOperation.ORDER, order=order)).categories

    async def move_buddy(self, uin: int, index: int) -> None:
        await self.categories(CategoryOperation.MOVE, index=index, target=uin)

    async def profile(self, uin: int, level: int = 3) -> Profile:
        reply = await self._call(
            lambda seq: ProfileRequest(uin=self.uin, seq=seq, target=uin, level=level),
            target=uin,
        )
        return _expect(reply, ProfileReply).profile

    async def search(
        self, age: int | None, sex: Sex | None, province: str | None, offset: int, page_size: int
    ) -> SearchResults:
        reply = await self._call(
            lambda seq: SearchRequest(
                uin=self.uin,
                seq=seq,
                age=age or 0,
                sex=sex,
                province=province or "",
                page_size=page_size,
                offset=offset,
            )
        )
        page = _expect(reply, SearchPage)
        found = [
            FoundUser(
                uin=r.uin,
                nick=r.nick,
                face=r.face,
                age=r.age,
                sex=_sex(int(r.sex)),
                province=r.province,
                status=presence_of(int(r.status)),
            )
            for r in page.results
        ]
        return SearchResults(results=found, last=page.last)

    async def add_buddy(self, uin: int) -> AuthMode:
        reply = await self._call(
            lambda seq: AddBuddyRequest(uin=self.uin, seq=seq, target=uin), target=uin
        )
        code = _expect(reply, AddBuddyReply).auth
        return AuthMode.ANYONE if code == 0 else AuthMode.VERIFY if code == 1 else AuthMode.NOBODY

    async def request_buddy(self, uin: int, reason: str) -> None:
        await self._answer(uin, AckCode.REQUEST, reason)

    async def approve(self, uin: int) -> None:
        await self._answer(uin, AckCode.APPROVE, "")

    async def refuse(self, uin: int, reason: str) -> None:
        await self._answer(uin, AckCode.REFUSE, reason)

    async def remove_buddy(self, uin: int) -> None:
        await self._call(lambda seq: RemoveBuddyRequest(uin=self.uin, seq=seq, target=uin))

    async def privacy(self, changes: dict[str, Audience]) -> ProfilePrivacy:
        """Set who sees the private profile fields in ``changes`` (Privacy, an extension;
        none: only read); the whole choice. A server without it: RequestRefused."""
        reply = await self._call(
            lambda seq: PrivacyRequest(
                uin=self.uin,
                seq=seq,
                mobile=changes.get("mobile"),
                real_name=changes.get("real_name"),
                address=changes.get("address"),
                phone=changes.get("phone"),
            )
        )
        return _expect(reply, PrivacyReply).privacy

    # -- my own account (extensions SetInfo, SetPassword) -------------------------------

    async def set_info(self, changes: dict[str, str | int]) -> None:
        """Change my own profile fields (SetInfo, an extension: a server without it
        raises RequestRefused, as does one that refuses a value); ValueError before
        anything is sent for a change no profile may hold."""
        try:
            SetInfoRequest(uin=self.uin, changes=changes)
        except ProtocolError as exc:
            raise ValueError(str(exc)) from None
        await self._call(lambda seq: SetInfoRequest(uin=self.uin, seq=seq, changes=changes))
        self.nick = str(changes.get("nick", self.nick))
        self.face = int(changes.get("face", self.face))

    async def set_password(self, old_password: str, new_password: str) -> None:
        """Change my password (SetPassword, an extension); the next login uses the new
        one. WrongPassword when ``old_password`` is not the current one; TooFrequent at
        once while the login throttle holds (waiting out a penalty would not help)."""
        old_md5 = _md5(old_password)
        new_md5 = _md5(new_password)
        reply = await self._call(
            lambda seq: SetPasswordRequest(uin=self.uin, seq=seq, old_md5=old_md5, new_md5=new_md5),
            patient=False,
        )
        answer = _expect(reply, PasswordReply)
        if not answer.changed:
            raise WrongPassword(answer.reason)
        self._password_md5 = new_md5

    async def set_presence(self, presence: Presence) -> None:
        """Show ``presence``, as its classic projection (away and the like show as busy)."""
        status = Status.of(presence)
        await self._call(lambda seq: ChangeStatusRequest(uin=self.uin, seq=seq, status=status))
        self.presence = presence

    # -- messages --------------------------------------------------------------------------

    def split(self, content: Content) -> list[Content]:
        """The messages that carry ``content`` on this wire (a long text takes several)."""
        return [parse_text(part) for part in split_text(render_text(content))]

    async def send(
        self, conversation: Conversation, content: Content, client_id: str | None = None
    ) -> None:
        """One CLTMSG; raises as the server answers (NoSuchUser, ServerBusy...).

        ``client_id`` (the CI extension; the same on every try of one message) lets
        the server store a message sent again after a lost answer only once."""
        if not conversation.is_buddy:
            raise RequestRefused(f"the classic protocol has no {conversation.kind.value} chats")
        text = render_text(content)
        await self._call(
            lambda seq: SendMessageRequest(
                uin=self.uin, seq=seq, target=conversation.number, text=text, client_id=client_id
            ),
            target=conversation.number,
        )

    async def poll(self) -> Poll:
        """One GetMsgEx: held up to the long-poll wait, acknowledging what was kept.

        A server that refuses the extension fields (NULL) gets the legacy request.
        """
        try:
            reply = await self._fetch()
        except RequestRefused:
            if not self.extensions:
                raise
            self.extensions = False
            reply = await self._fetch()
        for message in reply.messages:
            if message.id is not None and not 0 <= message.id < MAX_SERVER_ID:
                # It could be neither kept (the history's integer column) nor
                # acknowledged as kept: a protocol error, as for a reply too large.
                raise ServerUnavailable(f"the server sent message id {message.id}; refused")
        now = self.timing.wall()
        return Poll([_delivery(m, now) for m in reply.messages])

    def acknowledge(self, server_id: int) -> None:
        """Everything up to ``server_id`` is kept: the next poll says so (AK)."""
        self._ack = server_id

    async def _fetch(self) -> MessagesReply:
        wait = self._long_poll_wait()
        ack = self._ack if self.extensions else None
        request_wait = wait if self.extensions else None
        timeout = None if request_wait is None else request_wait + self.timing.long_poll_margin
        reply = await self._call(
            lambda seq: FetchMessagesRequest(uin=self.uin, seq=seq, wait=request_wait, ack=ack),
            timeout=timeout,
        )
        return _expect(reply, MessagesReply)

    def _long_poll_wait(self) -> int | None:
        if self.long_poll is None:
            return None
        # Never hold the request so long that the server thinks we went away.
        return max(1, min(self.long_poll, self.idle_timeout // 2))

    # -- talking to the server -----------------------------------------------------------

    def _next_seq(self) -> str:
        self._seq = self._seq + 1 if self._seq < 9_999_999 else 10_000
        return str(self._seq)

    async def _exchange(self, request: Request, timeout: float | None = None) -> Reply:
        """Send one request, read its reply. NULL raises RequestRefused."""
        if self._transport is None:
            self._transport = Transport(
                self.server_url,
                timeout=self.timing.request_timeout,
                max_reply=MAX_REPLY,
                proxy=self.proxy,
                ca_file=self.ca_file,
            )
        recent = set(self._recent_seqs)
        self._recent_seqs.append(request.seq)
        # The reply belongs() read, kept: decoding a ListEx page of 500 costs ~5 ms.
        decoded: list[tuple[bytes, Reply | None]] = []

        def belongs(content: bytes) -> bool:
            try:
                reply = decode_reply(content)
            except ProtocolError:
                return True
            decoded[:] = [(content, reply)]
            if reply is None:
                return True
            if _answers(reply) is not request.command:
                return False
            return reply.echo.seq == request.seq or reply.echo.seq not in recent

        content = await self._transport.post(
            encode_request(request), timeout=timeout, belongs=belongs
        )
        if decoded and decoded[0][0] is content:
            reply = decoded[0][1]
        else:
            try:
                reply = decode_reply(content)
            except ProtocolError as exc:
                raise ServerUnavailable(f"unreadable reply: {exc}") from exc
        if reply is None:
            raise RequestRefused(f"the server answered NULL to {request.command.request_name}")
        if reply.echo.uin.strip() != str(self.uin):
            # Another account's reply (its messages above all) is never taken as ours.
            raise ServerUnavailable(
                f"the server answered {request.command.request_name} for number"
                f" {reply.echo.uin!r}, not {self.uin}; refused"
            )
        self._on_answer()
        return reply

    async def _call(
        self,
        make: Callable[..., Request],
        *,
        target: int | None = None,
        timeout: float | None = None,
        relogin: bool = True,
        patient: bool = True,
    ) -> Reply:
        """A request with the failure policy: RES=20 logs in again once and replays;
        RES=3 waits out the penalty and retries (unless not ``patient``: TooFrequent at
        once); RES=5 is NoSuchUser."""
        if not self.logged_in.is_set():
            raise SessionClosed("not logged in")
        replayed = not relogin
        waits = 0
        while True:
            generation = self.generation
            reply = await self._exchange(make(seq=self._next_seq()), timeout)
            if not isinstance(reply, ErrorReply):
                return reply
            if reply.result is Result.NOT_LOGGED_IN and not replayed:
                replayed = True
                await self.relogin(generation)
                continue
            if (
                reply.result is Result.TOO_FREQUENT
                and patient
                and waits < self.timing.penalty_retries
            ):
                waits += 1
                log.info("%s: too frequent; waiting %.1f s", self.uin, self.timing.penalty)
                await asyncio.sleep(self.timing.penalty)
                continue
            raise _error(reply, target)

    async def _answer(self, uin: int, code: AckCode, reason: str) -> None:
        await self._call(
            lambda seq: AddBuddyAnswerRequest(
                uin=self.uin, seq=seq, target=uin, code=int(code), reason=reason
            ),
            target=uin,
        )


def _md5(password: str) -> str:
    """A password as the protocol carries it (Login's PS): the MD5 hex of its UTF-8."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def _within_list_limit(count: int) -> None:
    if count > MAX_BUDDIES:
        raise ServerUnavailable(f"the server listed more than {MAX_BUDDIES} buddies; refused")


def _delivery(message: Message, now: float) -> Delivery:
    stamp = plausible_stamp(message.time, now)
    key = None if message.id is None else (message.id, stamp)
    item = _incoming(message, stamp)
    return Delivery(item, key, "" if item is not None else f"{message!r}")


def plausible_stamp(stamp: int | None, now: float) -> int | None:
    """The server's TM when it can be a real time; 0 (none: the receive time is used) if not.

    A hostile or broken server may send 2**64, a negative number or the year
    30,000: such a stamp would overflow the history's integer column or the
    time formatting, and the message would be lost. 0 rather than None keeps the
    (MI, TM) key stable, so a message delivered again is still recognised.
    """
    if stamp is None or EARLIEST_STAMP <= stamp <= now + STAMP_SKEW:
        return stamp
    log.warning("implausible server time %s; using the receive time", stamp)
    return 0


def _incoming(message: Message, stamp: int | None) -> Incoming | None:
    """The neutral value of one GetMsgEx entry; None for what it cannot read."""
    kind, sender, text = message.kind, message.sender, message.text
    if kind == MessageType.TEXT:
        return IncomingMessage(
            Conversation.buddy(sender), sender, parse_text(text), stamp, message.id
        )
    if kind == MessageType.STATUS:
        try:
            presence = Status(int(text.strip())).presence
        except ValueError:
            return None
        return PresenceChange(sender, presence)
    if kind == MessageType.ADD_REQUEST:
        return AddRequestIncoming(sender, text)
    if kind == MessageType.REQUEST_APPROVED:
        return ApprovalIncoming(sender)
    if kind == MessageType.REQUEST_REFUSED:
        return RefusalIncoming(sender, text)
    return None


def _answers(reply: Reply) -> Command:
    """The command a decoded reply answers."""
    if isinstance(reply, ErrorReply | Done):
        return reply.command
    return _REPLY_COMMANDS[type(reply)]


_REPLY_COMMANDS: dict[type[Reply], Command] = {
    LoginOk: Command.LOGIN,
    LoginRefused: Command.LOGIN,
    BuddyCount: Command.LIST,
    BuddyPage: Command.LIST,
    OnlineCount: Command.QUERY_STAT,
    OnlinePage: Command.QUERY_STAT,
    ProfileReply: Command.GET_INFO,
    PrivacyReply: Command.PRIVACY,
    PasswordReply: Command.SET_PASSWORD,
    BuddyEntriesPage: Command.LIST_EX,
    RemarkReply: Command.REMARK,
    CategoriesReply: Command.CATEGORY,
    AddBuddyReply: Command.ADD_TO_LIST,
    MessagesReply: Command.GET_MSG_EX,
    SearchPage: Command.FINGER,
}


def _expect(reply: Reply, kind: type[R]) -> R:
    if not isinstance(reply, kind):
        raise ServerUnavailable(f"expected {kind.__name__}, got {type(reply).__name__}")
    return reply


def _error(reply: ErrorReply, target: int | None) -> QQError:
    if reply.result is Result.NO_SUCH_NUMBER:
        return NoSuchUser(target or 0)
    if reply.result is Result.TOO_FREQUENT:
        return TooFrequent("the server says: too frequent, try later")
    return NotLoggedIn("the server does not know this session")


def _sex(value: int) -> Sex | None:
    try:
        return Sex(value)
    except ValueError:
        return None
