"""The classic protocol's front-end: decode a request, call the service, encode the reply.

Everything classic lives here: commands and RES codes, the four status codes
(Status <-> Presence), MT codes, the text form of faces (``/微笑``), the
session cookie. The rules themselves are the service's.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import Callable, Sequence

from qqdesk.core import Presence, is_account_number, parse_text, render_text
from qqdesk.protocol.classic import (
    CONTACT_EXTENSIONS,
    MAX_LIST_EX_PAGE,
    PROFILE_FIELD_BY_KEY,
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
    ListedBuddy,
    LoginOk,
    LoginRefused,
    LoginRequest,
    Message,
    MessagesReply,
    MessageType,
    OnlineBuddiesRequest,
    OnlineBuddy,
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
    Result,
    SearchPage,
    SearchRequest,
    SearchResult,
    SendMessageRequest,
    SetInfoRequest,
    SetPasswordRequest,
    Status,
    decode_request,
    encode_reply,
    parse_request_body,
)
from qqdesk.protocol.classic import (
    Request as ClassicRequest,
)

from ..http import Answer, Request, Unavailable
from ..service import (
    Action,
    ClientGone,
    Entry,
    Refusal,
    Refused,
    Service,
    Session,
    StatusChange,
)
from ..service.privacy import change_privacy, profile_seen_by
from ..store import MessageKind, StoreError

log = logging.getLogger(__name__)

__all__ = ["COOKIE_PREFIX", "NULL", "PROFILE_FIELD_BY_KEY", "ClassicFrontEnd"]

#: Cookie the Login reply sets (extension); one name per number so that one
#: browser-like cookie jar can hold several accounts.
COOKIE_PREFIX = "QQS_"
#: Wording of a refused Login (RA).
WRONG_PASSWORD = "密码错误"

NULL = Answer(b"")

#: Largest GetMsgEx body for a client that does not acknowledge (what is left waits
#: for its next poll; one message always goes): a 2003 PHP HTTP class reads only the
#: first ~16 KiB of a reply.
MAX_LEGACY_BODY = 8 * 1024

#: Largest ListEx body: a page of buddies with very long nicknames is cut short (the
#: rest comes on the next page), far below what a client reads (qqdesk's: 1 MiB).
MAX_LIST_EX_BODY = 256 * 1024

#: The classic MT code of each message kind.
_MT = {
    MessageKind.TEXT: MessageType.TEXT,
    MessageKind.ADD_REQUEST: MessageType.ADD_REQUEST,
    MessageKind.REQUEST_APPROVED: MessageType.REQUEST_APPROVED,
    MessageKind.REQUEST_REFUSED: MessageType.REQUEST_REFUSED,
}
#: The RES for each refusal.
_RESULT = {
    Refusal.NO_SUCH_ACCOUNT: Result.NO_SUCH_NUMBER,
    Refusal.NOT_SIGNED_IN: Result.NOT_LOGGED_IN,
    Refusal.TOO_FREQUENT: Result.TOO_FREQUENT,
    # "try later", without a penalty: the sender did nothing too often
    Refusal.RECIPIENT_FULL: Result.TOO_FREQUENT,
}
#: Commands a penalty can stop.
_PENALIZED = {
    Command.CLTMSG: Action.SEND_MESSAGE,
    Command.ACK_ADD_TO_LIST: Action.ANSWER_REQUEST,
    Command.SET_INFO: Action.SET_PROFILE,
    Command.SET_PASSWORD: Action.SET_PASSWORD,
}


class ClassicFrontEnd:
    """Answers classic requests (a POST on any target) with the service."""

    #: Kept Query_Stat entries before the first look for ended sessions among them.
    ENTRIES_MIN = 1024

    def __init__(self, service: Service) -> None:
        self.service = service
        #: This run of the server (extension SI in the Login reply): new at every start,
        #: so a client that finds its session gone can tell a restart (a new id) from
        #: the same server having replaced it (a takeover, or idle expiry).
        self.instance = secrets.token_hex(8)
        #: Query_Stat entries by number (see _listed): the session, the presence, face
        #: and nickname they were made from, and the entry.
        self._entries: dict[int, tuple[Session, Presence, int, str, OnlineBuddy]] = {}
        self._entries_limit = self.ENTRIES_MIN

    def _listed(self, session: Session) -> OnlineBuddy:
        """``session`` as a Query_Stat entry, kept until its presence, face or nickname
        changes: every buddy's Query_Stat lists the same sessions again and again."""
        kept = self._entries.get(session.uin)
        if (
            kept is not None
            and kept[0] is session
            and kept[1] is session.presence
            and kept[2] == session.face
            and kept[3] is session.nick
        ):
            return kept[4]
        entry = OnlineBuddy(
            uin=session.uin,
            status=Status.of(session.presence),
            face=session.face,
            nick=session.nick,
        )
        if len(self._entries) >= self._entries_limit:
            self._forget_ended()
        self._entries[session.uin] = (session, session.presence, session.face, session.nick, entry)
        return entry

    def _forget_ended(self) -> None:
        """Drop the kept entries of sessions that ended (or a stand-in for a session on
        another node: made again on every listing); the limit grows with what is left."""
        self._entries = {
            uin: kept
            for uin, kept in self._entries.items()
            if not kept[0].ended and self.service.presence.session_of(uin) is kept[0]
        }
        self._entries_limit = max(self.ENTRIES_MIN, 2 * len(self._entries))

    async def handle(self, request: Request) -> Answer:
        """Answer one request body; NULL for anything the protocol refuses."""
        try:
            decoded = decode_request(parse_request_body(request.body, form_urlencoded=request.form))
        except ProtocolError as exc:
            log.debug("NULL for a request from %s: %s", request.ip, exc)
            return NULL
        try:
            return await self.answer(decoded, request.ip, request.cookies, request.closed)
        except StoreError as exc:
            # the store logged it (once for a spell of failures, not per request)
            log.debug("%s from %s not done: %s", decoded.command.request_name, request.ip, exc)
            raise Unavailable(str(exc)) from exc

    async def answer(
        self,
        request: ClassicRequest,
        ip: str,
        cookies: dict[str, str],
        closed: Callable[[], asyncio.Future[None]] | None = None,
    ) -> Answer:
        """Answer a decoded request (``closed``: see Request.closed)."""
        service = self.service
        command, uin = request.command, request.uin
        token = cookies.get(COOKIE_PREFIX + str(uin))
        if command is Command.LOGOUT:
            # Always RES=0, but only the session's own client may end it.
            service.logout(uin, ip, token)
            return _reply(Done(command=command), request)
        if not is_account_number(uin):
            return _error(Result.NO_SUCH_NUMBER, request)
        action = _PENALIZED.get(command)
        if action is not None and service.limits.penalized(uin, action):
            return _error(Result.TOO_FREQUENT, request)
        if isinstance(request, LoginRequest):
            return await self._login(request, ip, closed)
        session = service.session(uin, ip, token)
        if session is None:
            # only the failure path looks the number up: 5 for no account, else 20
            if not service.signed_in(uin) and not await service.is_account(uin):
                return _error(Result.NO_SUCH_NUMBER, request)
            return _error(Result.NOT_LOGGED_IN, request)
        try:
            if isinstance(request, SetInfoRequest | SetPasswordRequest):
                reply = await self._own_account(session, request, ip)
            else:
                reply = await self._dispatch(session, request, closed)
        except Refused as refused:
            reply = ErrorReply(command=command, result=_RESULT[refused.reason])
        return _reply(reply, request)

    async def _dispatch(
        self,
        session: Session,
        request: ClassicRequest,
        closed: Callable[[], asyncio.Future[None]] | None = None,
    ) -> Reply:
        service, contacts = self.service, self.service.contacts
        command = request.command
        match request:
            case BuddyListRequest():
                if request.page_size == 0:
                    return BuddyCount(count=await contacts.buddy_count(session))
                page = await contacts.buddies(session, request.offset, request.page_size + 1)
                return BuddyPage(
                    last=len(page) <= request.page_size, uins=page[: request.page_size]
                )
            case OnlineBuddiesRequest():
                online = await contacts.online_buddies(session)
                if request.page_size == 0:
                    return OnlineCount(count=len(online))
                end = request.offset + request.page_size
                shown = [self._listed(s) for s in online[request.offset : end]]
                return OnlinePage(last=end >= len(online), buddies=shown)
            case ProfileRequest():
                profile = await contacts.profile(request.target)
                profile = await profile_seen_by(service.store, session.uin, profile)
                return ProfileReply(level=request.level, profile=profile)
            case PrivacyRequest():
                privacy = await change_privacy(service.store, session.uin, request.changes)
                return PrivacyReply(privacy=privacy)
            case AddBuddyRequest():
                auth = await contacts.add_buddy(session, request.target)
                return AddBuddyReply(target=request.target, auth=int(auth))
            case AddBuddyAnswerRequest():
                if request.code > AckCode.REQUEST:
                    service.limits.penalize(session.uin, Action.ANSWER_REQUEST)
                    raise Refused(Refusal.TOO_FREQUENT)
                if request.code == AckCode.REQUEST:
                    await contacts.request(session, request.target, request.reason)
                else:
                    approve = request.code == AckCode.APPROVE
                    await contacts.answer(session, request.target, approve, request.reason)
                return Done(command=command)
            case RemoveBuddyRequest():
                await contacts.remove_buddy(session, request.target)
                return Done(command=command)
            case ChangeStatusRequest():
                service.set_presence(session, request.status.presence)
                return Done(command=command)
            case FetchMessagesRequest():
                # (a held poll watches for its client's end: see Messaging.fetch)
                abandoned = closed() if closed is not None and request.wait else None
                entries = await service.messaging.fetch(
                    session, request.wait or 0, request.ack, _fitting(request), abandoned
                )
                if entries is None:
                    return ErrorReply(command=Command.GET_MSG_EX, result=Result.NOT_LOGGED_IN)
                messages = [_message(entry) for entry in entries]
                return MessagesReply(messages=messages, extended=request.extended or session.acks)
            case SendMessageRequest():
                # RES=0 only once the message is on disk
                await service.messaging.send(
                    session, request.target, parse_text(request.text), request.client_id
                )
                return Done(command=command)
            case SearchRequest():
                found, last = await contacts.search(
                    session,
                    age=request.age,
                    sex=None if request.sex is None else int(request.sex),
                    province=request.province,
                    offset=request.offset,
                    size=request.page_size,
                )
                results = [
                    SearchResult(
                        uin=a.profile.uin,
                        nick=a.profile.nick,
                        face=a.profile.face,
                        age=a.profile.age,
                        sex=a.profile.sex,
                        province=a.profile.province,
                        status=Status.of(presence),
                    )
                    for a, presence in found
                ]
                return SearchPage(last=last, results=results)
            case BuddyEntriesRequest() | RemarkRequest() | CategoryRequest():
                return await self._contacts(session, request)
        raise AssertionError(f"unhandled {command}")  # pragma: no cover - all matched above

    # -- contact extensions: bulk listing, remarks, categories ---------------------------

    async def _contacts(
        self, session: Session, request: BuddyEntriesRequest | RemarkRequest | CategoryRequest
    ) -> Reply:
        contacts = self.service.contacts
        match request:
            case BuddyEntriesRequest():
                size = min(request.page_size, MAX_LIST_EX_PAGE)
                page = await contacts.buddy_entries(session, request.offset, size + 1)
                listed = [
                    ListedBuddy(
                        uin=entry.uin,
                        nick=entry.nick,
                        face=entry.face,
                        status=Status.of(presence),
                        category=entry.category,
                        remark=entry.remark,
                    )
                    for entry, presence in page[:size]
                ]
                return _fitting_page(listed, len(page) <= size, request)
            case RemarkRequest():
                kept = await contacts.set_remark(session, request.target, request.remark)
                return RemarkReply(target=request.target, remark=kept)
            case CategoryRequest():
                made = await self._change_categories(session, request)
                return CategoriesReply(categories=await contacts.categories(session), made=made)

    async def _change_categories(self, session: Session, request: CategoryRequest) -> int | None:
        """Do what a Category request asks; the index an ADD made."""
        contacts = self.service.contacts
        index = request.index if request.index is not None else 0
        match request.operation:
            case CategoryOperation.ADD:
                return await contacts.add_category(session, request.name)
            case CategoryOperation.RENAME:
                await contacts.rename_category(session, index, request.name)
            case CategoryOperation.DELETE:
                await contacts.delete_category(session, index)
            case CategoryOperation.ORDER:
                await contacts.order_categories(session, list(request.order))
            case CategoryOperation.MOVE:
                await contacts.move_buddy(session, request.target or 0, index)
        return None

    async def _own_account(
        self, session: Session, request: SetInfoRequest | SetPasswordRequest, ip: str
    ) -> Reply:
        """The extensions that change one's own account: SetInfo and SetPassword."""
        if isinstance(request, SetInfoRequest):
            await self.service.set_own_profile(session, dict(request.changes))
            return Done(command=request.command)
        try:
            await self.service.change_password(session, request.old_md5, request.new_md5, ip)
        except Refused as refused:
            if refused.reason is Refusal.WRONG_PASSWORD:
                return PasswordReply(changed=False, reason=WRONG_PASSWORD)
            raise
        return PasswordReply(changed=True)

    async def _login(
        self,
        request: LoginRequest,
        ip: str,
        closed: Callable[[], asyncio.Future[None]] | None = None,
    ) -> Answer:
        service = self.service
        # (a client that leaves while its password waits for a thread is not hashed for)
        abandoned = closed() if closed is not None else None
        try:
            session = await service.login(request.uin, request.password_md5, ip, abandoned)
        except ClientGone:
            return NULL  # (nobody reads it)
        except Refused as refused:
            if refused.reason is Refusal.WRONG_PASSWORD:
                return _reply(LoginRefused(reason=WRONG_PASSWORD), request)
            return _error(_RESULT[refused.reason], request)
        reply = LoginOk(
            keepalive=service.keepalive,
            idle_timeout=max(1, math.ceil(service.idle_timeout)),
            long_poll=service.long_poll,
            nick=session.nick,
            face=session.face,
            instance=self.instance if request.want_instance else "",
            extensions=CONTACT_EXTENSIONS if request.want_extensions else (),
        )
        cookie = f"{COOKIE_PREFIX}{session.uin}={session.token}; Path=/; HttpOnly; SameSite=Strict"
        return Answer(encode_reply(reply, request), set_cookie=cookie)


def _fitting(request: FetchMessagesRequest) -> Callable[[Sequence[Entry]], int]:
    """How many of an answer's first entries make a body of at most MAX_LEGACY_BODY bytes
    (at least one): the service asks only for clients that do not acknowledge."""

    def fit(entries: Sequence[Entry]) -> int:
        messages = [_message(entry) for entry in entries]
        count = len(messages)
        while count > 1:
            reply = MessagesReply(messages=messages[:count], extended=request.extended)
            if len(encode_reply(reply, request)) <= MAX_LEGACY_BODY:
                break
            count -= 1
        return count

    return fit


def _fitting_page(
    listed: list[ListedBuddy], last: bool, request: BuddyEntriesRequest
) -> BuddyEntriesPage:
    """A ListEx page of at most MAX_LIST_EX_BODY bytes (at least one buddy): long
    nicknames make fewer buddies per page, never a reply a client refuses as too large."""
    page = BuddyEntriesPage(last=last, buddies=listed)
    while len(page.buddies) > 1 and len(encode_reply(page, request)) > MAX_LIST_EX_BODY:
        page = BuddyEntriesPage(last=False, buddies=page.buddies[: len(page.buddies) // 2])
    return page


def _message(entry: Entry) -> Message:
    if isinstance(entry, StatusChange):
        status = str(int(Status.of(entry.presence)))
        return Message(MessageType.STATUS, entry.buddy, status, id=entry.id, time=entry.time)
    text = render_text(entry.content)
    return Message(_MT[entry.kind], entry.sender, text, id=entry.id, time=entry.time)


def _reply(reply: Reply, request: ClassicRequest) -> Answer:
    return Answer(encode_reply(reply, request))


def _error(result: Result, request: ClassicRequest) -> Answer:
    return _reply(ErrorReply(command=request.command, result=result), request)
