"""The Smart QQ web channel's front-end: read a web request, call the service, write the
reply as third-party clients of 2015-2019 read it (SMARTQQ-NOTES; DESIGN-SMARTQQ §4 for
the project's own extensions).

Everything web lives here: paths, cookies, tickets, psessionid and vfwebqq, opaque
ids, retcodes, event shapes. The rules are the service's.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from qqdesk.core import (
    Conversation,
    ConversationKind,
    Member,
    Presence,
    Profile,
    Room,
    RoomMessage,
    plain_text,
)
from qqdesk.protocol.smartqq import (
    LOGIN_PAGE,
    POLL_TIMEOUT,
    PROXY_PAGE,
    RESULT_OK,
    SEND_OK,
    Call,
    QrState,
    Retcode,
    WebRequest,
    WebRequestError,
    as_int,
    call_for,
    contact_hash,
    decode_client_id,
    decode_send_content,
    discussion_message_event,
    dumps,
    error,
    group_message_event,
    hash33,
    kick_event,
    message_event,
    ok,
    parse_request,
    parse_status_word,
    ptui_callback,
    stat_code,
    status_change_event,
    status_word,
)
from qqdesk.protocol.smartqq.cookies import (
    approved_cookies,
    check_sig_cookies,
    is_qq_host,
    set_cookie,
    uin_from_cookie,
)
from qqdesk.protocol.smartqq.ids import OpaqueIds
from qqdesk.protocol.smartqq.paths import PATHS
from qqdesk.protocol.smartqq.presence import CLIENT_TYPE_PC, CLIENT_TYPE_WEB
from qqdesk.protocol.smartqq.qr import new_code, normalize_code, qr_png

from ...http import Answer, Request, Router, Unavailable
from ...service import (
    Action,
    Refusal,
    Refused,
    Service,
    Session,
    StatusChange,
    WebLoginNotice,
    WebOptions,
)
from ...service.messaging import WebEntry
from ...store import QueuedMessage, StoreError
from .signin import (
    MemoryWebLogins,
    SharedTickets,
    Ticket,
    TicketBook,
    Tickets,
    WebLoginStore,
)

log = logging.getLogger(__name__)

__all__ = ["EXTENSION_PATHS", "MAX_TEXT", "SmartQQFrontEnd"]

#: Longest message text (characters of its plain-text form), as the classic MG.
MAX_TEXT = 2000
#: What the default buddy category is called until its owner renames it (SJ and MW
#: name it so when a reply leaves it out).
DEFAULT_CATEGORY_NAME = "我的好友"
#: The project's own calls (DESIGN-SMARTQQ §4), POST with form ``r``.
EXTENSION_PATHS = {
    "/qqdesk/signin": "signin",
    "/qqdesk/create_group": "create_group",
    "/qqdesk/create_discussion": "create_discussion",
    "/qqdesk/invite": "invite",
    "/qqdesk/set_card": "set_card",
    "/qqdesk/leave": "leave",
    "/qqdesk/approve_web_login": "approve_web_login",
    "/qqdesk/web_logins": "web_logins",
}
#: QR sign-ins one address may start within QR_WINDOW seconds (503 beyond).
MAX_QR_PER_ADDRESS = 20
QR_WINDOW = 120.0
#: QR codes remembered as seen (see _saw).
MAX_SEEN_CODES = 10_000
#: Kicked sessions remembered (their psessionid answers 121, not 103).
MAX_KICKED = 10_000
#: What login2 says this server is (DESIGN-SMARTQQ §4.2).
SERVER_IDENTITY = "qqdesk"

#: ptlogin2's password pre-check: no captcha (the channel signs in by QR, or by the
#: password extension).
CHECK_REPLY = b"ptui_checkVC('0','!QQD','\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00','','0');\r\n"

_JSON = "application/json; charset=UTF-8"
_JS = "application/javascript; charset=UTF-8"
_HTML = "text/html; charset=UTF-8"

#: The retcode for each refusal of a send.
_SEND_RETCODE = {
    Refusal.NO_SUCH_ACCOUNT: Retcode.INVALID_LOGIN,
    Refusal.NOT_SIGNED_IN: Retcode.UNKNOWN_SESSION,
    Refusal.TOO_FREQUENT: Retcode.FLOOD,
    Refusal.RECIPIENT_FULL: Retcode.FLOOD,
    Refusal.WRONG_PASSWORD: Retcode.INVALID_LOGIN,
    Refusal.NOT_A_MEMBER: Retcode.INVALID_LOGIN,
    Refusal.NOT_A_BUDDY: Retcode.INVALID_LOGIN,
    Refusal.ROOM_FULL: Retcode.BAD_REQUEST,
    Refusal.BAD_REQUEST: Retcode.BAD_REQUEST,
}


class Reply(Exception):
    """Answer this at once (an error retcode, usually)."""

    def __init__(self, body: bytes) -> None:
        super().__init__(body)
        self.body = body


@dataclass(eq=False)
class WebState:
    """The front-end's side of one web session: its ticket and its ids."""

    session: Session
    ticket: Ticket
    ids: OpaqueIds
    #: The kick_message was given (the next poll answers 121).
    kick_told: bool = False

    @property
    def uin(self) -> int:
        return self.session.uin

    @property
    def plain(self) -> bool:
        return self.session.options is not None and self.session.options.plain_ids


class SmartQQFrontEnd:
    """Answers every Smart QQ path (GET and POST, whatever the Host) with the service."""

    def __init__(
        self,
        service: Service,
        *,
        id_key: bytes | None = None,
        web_logins: WebLoginStore | None = None,
    ) -> None:
        self.service = service
        #: This run of the server (login2's qqdesk extension, as SI in the classic
        #: Login): a client whose web session is forgotten tells a restart (a new id)
        #: from the same server having let it go.
        self.instance = secrets.token_hex(8)
        #: The key of the opaque ids: on a store several nodes share, the store's own
        #: (every node, every restart shows a client the same ids: read at the first
        #: sign-in); else per process unless given (ids are stable within a run of the
        #: server; they change when it restarts).
        self.id_key = id_key
        if id_key is None and service.shared_web is None:
            self.id_key = secrets.token_bytes(32)
        store = service.store
        if web_logins is None:
            web_logins = store if isinstance(store, WebLoginStore) else MemoryWebLogins()
        self.web_logins = web_logins
        self.tickets: TicketBook = (
            Tickets() if service.shared_web is None else SharedTickets(service.shared_web)
        )
        #: Live web sessions by psessionid.
        self._states: dict[str, WebState] = {}
        #: Replaced sessions by psessionid (answer 121 once their kick was told).
        self._kicked: dict[str, WebState] = {}
        #: When each address started its recent QR sign-ins.
        self._qr_starts: dict[str, collections.deque[float]] = {}
        #: QR codes somebody who may approve them has seen (ptqrlogin says 67 then).
        self._seen_codes: set[str] = set()
        self._handlers: dict[Call, Callable[[WebRequest, Request], Awaitable[Answer]]] = {
            Call.LOGIN_PAGE: self._login_page,
            Call.QR_SHOW: self._qr_show,
            Call.QR_LOGIN: self._qr_login,
            Call.PASSWORD_CHECK: self._password_check,
            Call.CHECK_SIG: self._check_sig,
            Call.PROXY_PAGE: self._proxy_page,
            Call.PT_LOGOUT: self._pt_logout,
            Call.PING: self._proxy_page,
            Call.GET_VFWEBQQ: self._getvfwebqq,
            Call.LOGIN2: self._login2,
        }

    def route(self, router: Router) -> None:
        """Add every path of the channel, GET and POST, and the extensions (POST)."""
        for path in [*PATHS, "/"]:
            router.add("GET", path, self.handle)
            if path != "/":
                router.add("POST", path, self.handle)
        for path in EXTENSION_PATHS:
            router.add("POST", path, self.handle)

    # ------------------------------------------------------------------ dispatch

    async def handle(self, request: Request) -> Answer:
        try:
            web = parse_request(
                request.method,
                request.target,
                request.body,
                cookies=request.cookies,
                host=request.host,
            )
        except WebRequestError as exc:
            log.debug("bad web request from %s: %s", request.ip, exc)
            return _json(error(exc.retcode))
        try:
            extension = EXTENSION_PATHS.get(web.path)
            if extension is not None:
                return await self._extension(extension, web, request)
            call = call_for(web.method, web.path)
            if call is None:  # pragma: no cover - only routed paths come here
                return _json(error(Retcode.BAD_REQUEST))
            handler = self._handlers.get(call)
            if handler is not None:
                return await handler(web, request)
            return _json(await self._channel(call, web, request))
        except Reply as reply:
            return _json(reply.body)
        except WebRequestError as exc:
            return _json(error(exc.retcode))
        except StoreError as exc:
            log.debug("%s from %s not done: %s", web.path, request.ip, exc)
            raise Unavailable(str(exc)) from exc

    async def _channel(self, call: Call, web: WebRequest, request: Request) -> bytes:
        """The calls of a signed-in web session (s.web2 and d1)."""
        if call is Call.GET_SELF_INFO:
            return await self._self_info(web)
        state = await self._by_psessionid(web) if _CHANNEL_BY_SESSION.get(call) else None
        if state is None:
            state = await self._by_vfwebqq(web)
        session = self.service.web_sessions.get(state.uin)
        if session is not state.session:
            # replaced: its poll is told (kick_message once when opted in), then 121;
            # signed out or expired: 103
            if call is Call.POLL2 or not state.session.kicked:
                return self._ended(state)
            raise Reply(error(Retcode.KICKED))
        session.last_seen = max(session.last_seen, self.service.clock())
        match call:
            case Call.POLL2:
                # (a held poll watches for its client's end: see Messaging.fetch_web)
                return await self._poll(state, web, request.closed() if request.closed else None)
            case Call.SEND_BUDDY:
                return await self._send_buddy(state, web)
            case Call.SEND_GROUP | Call.SEND_DISCUSSION | Call.SEND_SESSION:
                return await self._send_room(call, state, web)
            case Call.GET_USER_FRIENDS:
                return await self._friends(state, web)
            case Call.GET_GROUP_LIST:
                return await self._group_list(state, web)
            case Call.GET_DISCUSSION_LIST:
                return await self._discussion_list(state)
            case Call.GET_GROUP_INFO:
                return await self._group_info(state, web)
            case Call.GET_DISCUSSION_INFO:
                return await self._discussion_info(state, web)
            case Call.GET_FRIEND_INFO:
                return await self._friend_info(state, web)
            case Call.GET_LONG_NICK:
                return await self._long_nick(state, web)
            case Call.GET_FRIEND_UIN:
                return await self._friend_uin(state, web)
            case Call.GET_ONLINE_BUDDIES:
                return await self._online_buddies(state)
            case Call.GET_RECENT_LIST:
                return ok([])
            case Call.CHANGE_STATUS:
                return await self._change_status(state, web)
            case Call.LOGOUT2:
                await self._sign_out(state)
                return RESULT_OK
            case Call.GET_SESSION_SIG:
                return ok({"type": 0, "value": "", "flags": {"text": 1, "pic": 1, "file": 1}})
        raise Reply(error(Retcode.BAD_REQUEST))  # pragma: no cover - every call matched

    # ------------------------------------------------------------------ sessions and ids

    async def _by_psessionid(self, web: WebRequest) -> WebState | None:
        """The session a psessionid names; 121 for a replaced one, 103 for an unknown
        one. None when the request carries no psessionid (then vfwebqq decides).
        On a shared store a session another node holds is taken up here."""
        psessionid = web.text("psessionid")
        if not psessionid:
            return None
        state = self._states.get(psessionid) or self._kicked.get(psessionid)
        if state is not None and state.session.moved:
            # (another node took it up, and now its client is back here)
            self._states.pop(psessionid, None)
            state = None
        if state is None:
            state = await self._take_up(token=psessionid)
        if state is None:
            raise Reply(error(Retcode.UNKNOWN_SESSION))
        return state

    async def _by_vfwebqq(self, web: WebRequest) -> WebState:
        """The live session of the ticket a vfwebqq names (100101 when it names none)."""
        ticket = await self.tickets.by_vfwebqq(web.text("vfwebqq"))
        if ticket is None:
            raise Reply(error(Retcode.BAD_VFWEBQQ))
        session = self.service.web_sessions.get(ticket.uin)
        state = None if session is None else self._states.get(session.token)
        if state is None or state.ticket != ticket:
            # (signed in on another node, or again there: this node's copy is stale)
            state = await self._take_up(uin=ticket.uin)
        if state is None or state.ticket != ticket:
            raise Reply(error(Retcode.UNKNOWN_SESSION))
        return state

    async def _take_up(self, *, token: str = "", uin: int | None = None) -> WebState | None:
        """A web session another node signed in (shared store only): taken up here, with
        its ticket and the ids every node shows (121 for a replaced one)."""
        record = await self.service.take_up_web(token=token, uin=uin)
        if record is None:
            return None
        if record.kicked:
            raise Reply(error(Retcode.KICKED))
        session = self.service.web_sessions.get(record.uin)
        ticket = await self.tickets.by_vfwebqq(record.ticket)
        if session is None or session.token != record.token or ticket is None:
            return None
        state = self._states.get(session.token)
        if state is None or state.session is not session:
            state = WebState(session, ticket, OpaqueIds(await self._id_key(), ticket.uin))
            self._states[session.token] = state
        return state

    async def _id_key(self) -> bytes:
        if self.id_key is None:
            assert self.service.shared_web is not None
            self.id_key = await self.service.shared_web.web_id_key()
        return self.id_key

    def _check_vfwebqq(self, state: WebState, web: WebRequest) -> None:
        vfwebqq = web.get("vfwebqq")
        if vfwebqq is not None and vfwebqq != "" and vfwebqq != state.ticket.vfwebqq:
            raise Reply(error(Retcode.BAD_VFWEBQQ))

    def _id(self, state: WebState, conversation: Conversation) -> int:
        """The number ``state``'s client sees for ``conversation``."""
        if state.plain or (conversation.is_buddy and conversation.number == state.uin):
            return conversation.number
        return state.ids.id_of(conversation)

    def _member_id(self, state: WebState, uin: int) -> int:
        return self._id(state, Conversation.buddy(uin))

    async def _resolve(self, state: WebState, number: int, kind: ConversationKind) -> int:
        """The real number behind an id the client sent (100001 when it names nothing
        this viewer knows)."""
        if state.plain:
            return number
        conversation = state.ids.resolve(number)
        if conversation is None:
            # learn what this viewer can see, then look again
            store = self.service.store
            rooms = await store.rooms_of(state.uin)
            if kind is ConversationKind.BUDDY:
                buddies = await store.buddies(state.uin)
                state.ids.learn([Conversation.buddy(b) for b in buddies])
                for room in rooms:
                    members = await store.members(room.conversation)
                    state.ids.learn([Conversation.buddy(m.uin) for m in members])
            else:
                state.ids.learn([room.conversation for room in rooms])
            conversation = state.ids.resolve(number)
        if conversation is None or conversation.kind is not kind:
            raise Reply(error(Retcode.INVALID_LOGIN))
        return conversation.number

    # ------------------------------------------------------------------ sign-in

    async def _login_page(self, web: WebRequest, request: Request) -> Answer:
        return Answer(LOGIN_PAGE, content_type=_HTML)

    async def _proxy_page(self, web: WebRequest, request: Request) -> Answer:
        return Answer(PROXY_PAGE, content_type=_HTML)

    async def _password_check(self, web: WebRequest, request: Request) -> Answer:
        # the password pre-check of ptlogin2: no captcha needed (QR sign-in only)
        return Answer(CHECK_REPLY, content_type=_JS)

    async def _qr_show(self, web: WebRequest, request: Request) -> Answer:
        """A new QR sign-in: its picture, and the qrsig cookie that names it."""
        if not self._may_start_qr(request.ip):
            raise Unavailable("too many QR sign-ins from one address")
        qrsig = secrets.token_hex(24)
        for attempt in range(3):
            code = new_code()
            try:
                await self.web_logins.add_web_login(code, hash33(qrsig))
                break
            except ValueError:  # (that code waits already: 40 bits make it rare)
                if attempt == 2:
                    raise
        created = int(time.time())
        self.service.web_login_waits(code, created)
        cookie = set_cookie("qrsig", qrsig, web.host)
        return Answer(qr_png(code), content_type="image/png", headers=(("Set-Cookie", cookie),))

    async def _qr_login(self, web: WebRequest, request: Request) -> Answer:
        """How a QR sign-in stands: 66 waiting, 67 seen by its owner, 65 expired (or
        unknown), 68 refused, 0 approved (with the cookies and check_sig's URL)."""
        token = web.optional_number("ptqrtoken")
        if token is None and "qrsig" in web.cookies:
            token = hash33(web.cookies["qrsig"])
        ticket_number = secrets.randbelow(9 * 10**9) + 10**9
        row = None if token is None else await self.web_logins.web_login(token)
        if row is None:
            return _js(QrState.EXPIRED, ticket_number)
        if row.state == "refused":
            await self.web_logins.drop_web_login(row.code)
            return _js(QrState.REFUSED, ticket_number)
        if row.state != "approved" or row.uin is None:
            state = QrState.SCANNED if row.code in self._seen_codes else QrState.WAITING
            return _js(state, ticket_number)
        await self.web_logins.drop_web_login(row.code)
        self._seen_codes.discard(row.code)
        account = await self.service.store.account(row.uin)
        if account is None:
            return _js(QrState.EXPIRED, ticket_number)
        ticket = await self.tickets.issue(row.uin)
        url = await self._check_sig_url(ticket, web, request)
        body = ptui_callback(QrState.APPROVED, url=url, nick=account.profile.nick)
        cookies = approved_cookies(ticket.tokens, web.host)
        return Answer(body, content_type=_JS, headers=tuple(("Set-Cookie", c) for c in cookies))

    def _may_start_qr(self, ip: str) -> bool:
        """At most MAX_QR_PER_ADDRESS QR sign-ins per address within QR_WINDOW seconds:
        a stranger can fill neither the store nor every app's notices with them."""
        now = self.service.clock()
        if len(self._qr_starts) > 10_000:
            self._qr_starts = {
                k: v for k, v in self._qr_starts.items() if v and v[-1] > now - QR_WINDOW
            }
        starts = self._qr_starts.setdefault(ip, collections.deque())
        while starts and starts[0] <= now - QR_WINDOW:
            starts.popleft()
        if len(starts) >= MAX_QR_PER_ADDRESS:
            return False
        starts.append(now)
        return True

    def _saw(self, code: str) -> None:
        """Someone who may approve ``code`` was told of it (ptqrlogin answers 67 now)."""
        if len(self._seen_codes) >= MAX_SEEN_CODES:
            self._seen_codes.clear()  # (old ones expired long ago; a few 66s again at worst)
        self._seen_codes.add(code)

    async def _check_sig_url(self, ticket: Ticket, web: WebRequest, request: Request) -> str:
        sig = await self.tickets.signature(ticket)
        if is_qq_host(web.host):
            base = "https://ptlogin2.web2.qq.com"
            s_url = "http%3A%2F%2Fw.qq.com%2Fproxy.html%3Flogin2qq%3D1%26webqq_type%3D10"
        else:
            host = request.host or "127.0.0.1"
            base = f"http://{host}"
            s_url = quote(f"{base}/proxy.html?login2qq=1&webqq_type=10", safe="")
        return (
            f"{base}/check_sig?pttype=1&uin={ticket.uin}&service=ptqrlogin&nodirect=0"
            f"&ptsigx={sig}&s_url={s_url}&f_url=&ptlang=2052&ptredirect=100&aid=501004106"
            "&daid=164&j_later=0&low_login_hour=0&regmaster=0&pt_login_type=3&pt_aid=0"
            "&pt_aaid=16&pt_light=0&pt_3rd_aid=0"
        )

    async def _check_sig(self, web: WebRequest, request: Request) -> Answer:
        """302 to the proxy page, with every cookie of the sign-in (§2 L3)."""
        ticket = await self.tickets.by_signature(web.text("ptsigx"))
        if ticket is None:
            ticket = await self.tickets.by_cookies(dict(web.cookies))
        if is_qq_host(web.host):
            location = "http://w.qq.com/proxy.html?login2qq=1&webqq_type=10"
        else:
            location = f"http://{request.host or '127.0.0.1'}/proxy.html?login2qq=1&webqq_type=10"
        headers: list[tuple[str, str]] = [("Location", location)]
        if ticket is not None:
            headers += [("Set-Cookie", c) for c in check_sig_cookies(ticket.tokens, web.host)]
        return Answer(PROXY_PAGE, status=302, content_type=_HTML, headers=tuple(headers))

    async def _ticket(self, web: WebRequest) -> Ticket | None:
        """The ticket the request's sign-in cookies name; None without valid ones."""
        cookies = dict(web.cookies)
        ticket = await self.tickets.by_cookies(cookies)
        if ticket is None:
            return None
        for name in ("uin", "p_uin"):
            if name in cookies and uin_from_cookie(cookies[name]) not in (ticket.uin, None):
                return None
        return ticket

    async def _getvfwebqq(self, web: WebRequest, request: Request) -> Answer:
        ticket = await self._ticket(web)
        if ticket is None:
            return _json(error(Retcode.NO_LOGIN_COOKIES))
        return _json(ok({"vfwebqq": ticket.vfwebqq}))

    async def _login2(self, web: WebRequest, request: Request) -> Answer:
        """A web session for the cookies' account (100001 without valid cookies)."""
        ticket = await self._ticket(web)
        if ticket is None:
            return _json(error(Retcode.INVALID_LOGIN))
        presence = parse_status_word(web.text("status", "online")) or Presence.ONLINE
        if presence is Presence.OFFLINE:
            presence = Presence.ONLINE
        options, extension = _options(web.r.get("qqdesk"))
        try:
            session = await self.service.web_login(
                ticket.uin, request.ip, options, presence, ticket.vfwebqq
            )
        except Refused:
            return _json(error(Retcode.INVALID_LOGIN))
        self._forget_replaced()
        state = WebState(session, ticket, OpaqueIds(await self._id_key(), ticket.uin))
        self._states[session.token] = state
        result: dict[str, Any] = {
            "uin": ticket.uin,
            "psessionid": session.token,
            "vfwebqq": ticket.vfwebqq,
            "status": status_word(presence),
            "cip": 23600812,
            "index": 1075,
            "port": 47450,
            "user_state": 0,
            "f": 0,
        }
        if extension:
            # "since": where this session's room messages start, so that a client
            # with none kept yet can ask for the same place after a restart.
            result["qqdesk"] = {
                "server": SERVER_IDENTITY,
                "rooms": True,
                "since": session.room_cursor,
                "instance": self.instance,
            }
        return _json(ok(result))

    def _forget_replaced(self) -> None:
        """Move the states of ended sessions aside (kicked) or away (signed out, expired)."""
        for psessionid, state in list(self._states.items()):
            if state.session.ended:
                del self._states[psessionid]
                if state.session.kicked:
                    self._kicked[psessionid] = state
                    while len(self._kicked) > MAX_KICKED:
                        del self._kicked[next(iter(self._kicked))]

    async def _sign_out(self, state: WebState) -> None:
        self._states.pop(state.session.token, None)
        await self.service.end_web(state.session)

    async def _pt_logout(self, web: WebRequest, request: Request) -> Answer:
        """ptlogin2's logout: the cookies' web session ends and the ticket with it."""
        ticket = await self._ticket(web)
        if ticket is not None:
            session = self.service.web_sessions.get(ticket.uin)
            state = None if session is None else self._states.get(session.token)
            if state is None and session is None:
                state = await self._take_up(uin=ticket.uin)  # (signed in on another node)
            if state is not None and state.ticket == ticket:
                await self._sign_out(state)
            await self.tickets.drop(ticket)
        return _json(RESULT_OK)

    async def _self_info(self, web: WebRequest) -> bytes:
        ticket = await self._ticket(web)
        if ticket is None:
            vfwebqq = await self.tickets.by_vfwebqq(web.text("vfwebqq"))
            ticket = vfwebqq
        if ticket is None:
            return error(Retcode.NO_LOGIN_COOKIES)
        profile = await self._profile(ticket.uin)
        info = _profile_fields(profile)
        info.update(
            uin=ticket.uin,
            account=ticket.uin,
            lnick=profile.intro,
            vfwebqq=ticket.vfwebqq,
        )
        return ok(info)

    # ------------------------------------------------------------------ contacts

    async def _profile(self, uin: int) -> Profile:
        account = await self.service.store.account(uin)
        if account is None:
            raise Reply(error(Retcode.INVALID_LOGIN))
        return account.profile

    def _check_hash(self, state: WebState, web: WebRequest) -> None:
        """The contact hash of §4.3, with the issued ptwebqq or with "" (50 otherwise)."""
        sent = web.text("hash").upper()
        good = {contact_hash(state.uin, state.ticket.tokens.ptwebqq), contact_hash(state.uin, "")}
        if sent not in good:
            raise Reply(error(Retcode.BAD_HASH))

    async def _friends(self, state: WebState, web: WebRequest) -> bytes:
        self._check_vfwebqq(state, web)
        self._check_hash(state, web)
        store = self.service.store
        friends, info, marknames, vipinfo = [], [], [], []
        for entry in await store.buddy_entries(state.uin, 0, -1):
            uin = self._member_id(state, entry.uin)
            friends.append({"flag": 0, "uin": uin, "categories": entry.category})
            info.append({"face": entry.face, "flag": 0, "nick": entry.nick, "uin": uin})
            vipinfo.append({"vip_level": 0, "u": uin, "is_vip": 0})
            if entry.remark:
                marknames.append({"uin": uin, "markname": entry.remark, "type": 0})
        # every index a friend names is listed (SJ dereferences it), 0 too; sort is
        # the order the user chose
        categories = [
            {"index": c.index, "sort": sort, "name": c.name or DEFAULT_CATEGORY_NAME}
            for sort, c in enumerate(await store.categories(state.uin))
        ]
        return ok(
            {
                "friends": friends,
                "marknames": marknames,
                "categories": categories,
                "vipinfo": vipinfo,
                "info": info,
            }
        )

    async def _rooms(self, state: WebState, kind: ConversationKind) -> list[Room]:
        rooms = await self.service.rooms.rooms_of(state.uin)
        return [r for r in rooms if r.conversation.kind is kind]

    async def _group_list(self, state: WebState, web: WebRequest) -> bytes:
        self._check_vfwebqq(state, web)
        self._check_hash(state, web)
        names = []
        for room in await self._rooms(state, ConversationKind.GROUP):
            gid = self._id(state, room.conversation)
            # (the code get_group_info_ext2 takes is the gid itself: both are accepted)
            names.append({"flag": 0, "name": room.name, "gid": gid, "code": gid})
        return ok({"gmasklist": [], "gnamelist": names, "gmarklist": []})

    async def _discussion_name(self, room: Room) -> str:
        """A discussion's name; an unnamed one is its members' nicks joined by 、."""
        if room.name:
            return room.name
        nicks = []
        for member in await self.service.store.members(room.conversation):
            account = await self.service.store.account(member.uin)
            nicks.append(account.profile.nick if account else str(member.uin))
        return "、".join(nicks)

    async def _discussion_list(self, state: WebState) -> bytes:
        names = [
            {"did": self._id(state, room.conversation), "name": await self._discussion_name(room)}
            for room in await self._rooms(state, ConversationKind.DISCUSSION)
        ]
        return ok({"dnamelist": names})

    async def _room_and_members(
        self, state: WebState, number: int | None, kind: ConversationKind, missing: int
    ) -> tuple[Room, list[Member]]:
        """A room the viewer is a member of, and its members (``missing`` otherwise)."""
        if number is None:
            raise Reply(error(missing))
        try:
            conversation = Conversation(kind, await self._resolve(state, number, kind))
            room = await self.service.rooms.room(state.uin, conversation)
            members = await self.service.rooms.members(state.uin, conversation)
        except (Reply, Refused):
            raise Reply(error(missing)) from None
        return room, members

    def _member_state(self, uin: int) -> tuple[Presence, int]:
        return self.service.presence.visible(uin), self._client_type(uin)

    async def _group_info(self, state: WebState, web: WebRequest) -> bytes:
        """A group with its members in one order in ginfo.members and minfo (§5.4)."""
        self._check_vfwebqq(state, web)
        number = web.optional_number("gcode")
        if number is None:
            number = web.optional_number("gid")
        room, members = await self._room_and_members(
            state, number, ConversationKind.GROUP, Retcode.BAD_PARAMETER
        )
        gid = self._id(state, room.conversation)
        minfo, stats, cards, order = [], [], [], []
        for member in members:
            uin = self._member_id(state, member.uin)
            profile = await self._profile_or_blank(member.uin)
            order.append({"muin": uin, "mflag": 0})
            minfo.append(
                {
                    "uin": uin,
                    "nick": profile.nick,
                    "gender": "female" if int(profile.sex) == 1 else "male",
                    "country": profile.country,
                    "province": profile.province,
                    "city": profile.city,
                }
            )
            presence, client_type = self._member_state(member.uin)
            if presence is not Presence.OFFLINE:
                stats.append({"uin": uin, "client_type": client_type, "stat": stat_code(presence)})
            if member.card:
                cards.append({"muin": uin, "card": member.card})
        ginfo = {
            "gid": gid,
            "code": gid,
            "name": room.name,
            "memo": room.memo,
            "owner": self._member_id(state, room.owner) if room.owner is not None else 0,
            "createtime": room.created,
            "level": 0,
            "class": 0,
            "face": 0,
            "flag": 0,
            "fingermemo": "",
            "option": 2,
            "members": order,
        }
        return ok({"ginfo": ginfo, "minfo": minfo, "stats": stats, "cards": cards, "vipinfo": []})

    async def _discussion_info(self, state: WebState, web: WebRequest) -> bytes:
        """A discussion with its members: mem_uin the viewer's id, ruin the real number."""
        self._check_vfwebqq(state, web)
        room, members = await self._room_and_members(
            state, web.optional_number("did"), ConversationKind.DISCUSSION, Retcode.INVALID_LOGIN
        )
        mem_list, mem_info, mem_status = [], [], []
        for member in members:
            uin = self._member_id(state, member.uin)
            profile = await self._profile_or_blank(member.uin)
            mem_list.append({"mem_uin": uin, "ruin": member.uin})
            mem_info.append({"uin": uin, "nick": profile.nick})
            presence, client_type = self._member_state(member.uin)
            if presence is not Presence.OFFLINE:
                mem_status.append(
                    {"uin": uin, "status": status_word(presence), "client_type": client_type}
                )
        owner = members[0].uin if members else state.uin
        info = {
            "did": self._id(state, room.conversation),
            "discu_name": await self._discussion_name(room),
            "discu_owner": self._member_id(state, owner),
            "mem_list": mem_list,
        }
        return ok({"info": info, "mem_info": mem_info, "mem_status": mem_status})

    async def _profile_or_blank(self, uin: int) -> Profile:
        account = await self.service.store.account(uin)
        return account.profile if account is not None else Profile(uin=uin)

    async def _visible_uin(self, state: WebState, web: WebRequest) -> int:
        """The real number of the ``tuin`` a client asks about: a buddy, oneself or a
        co-member of a room (100001 for anyone else)."""
        self._check_vfwebqq(state, web)
        tuin = web.optional_number("tuin")
        if tuin is None:
            tuin = web.optional_number("tuid")  # (a Node client's spelling)
        if tuin is None:
            raise Reply(error(Retcode.BAD_REQUEST))
        if tuin == state.uin:
            return tuin
        return await self._resolve(state, tuin, ConversationKind.BUDDY)

    async def _friend_info(self, state: WebState, web: WebRequest) -> bytes:
        uin = await self._visible_uin(state, web)
        profile = await self._profile(uin)
        info = _profile_fields(profile)
        presence = self.service.presence.visible(uin)
        info.update(uin=self._member_id(state, uin), stat=stat_code(presence))
        return ok(info)

    async def _long_nick(self, state: WebState, web: WebRequest) -> bytes:
        uin = await self._visible_uin(state, web)
        profile = await self._profile(uin)
        return ok([{"uin": self._member_id(state, uin), "lnick": profile.intro}])

    async def _friend_uin(self, state: WebState, web: WebRequest) -> bytes:
        uin = await self._visible_uin(state, web)
        return ok({"uiuin": "", "account": uin, "uin": self._member_id(state, uin)})

    def _client_type(self, uin: int) -> int:
        """How ``uin`` is signed in: the classic client (pc) or only the web."""
        return CLIENT_TYPE_PC if self.service.signed_in(uin) else CLIENT_TYPE_WEB

    async def _online_buddies(self, state: WebState) -> bytes:
        online = await self.service.contacts.online_buddies(state.session)
        return ok(
            [
                {
                    "uin": self._member_id(state, s.uin),
                    "status": status_word(s.presence),
                    "client_type": self._client_type(s.uin),
                }
                for s in online
            ]
        )

    async def _change_status(self, state: WebState, web: WebRequest) -> bytes:
        presence = parse_status_word(web.text("newstatus") or web.text("status"))
        if presence is None:
            return error(Retcode.BAD_REQUEST)
        if presence is Presence.OFFLINE:
            await self._sign_out(state)
        else:
            self.service.set_presence(state.session, presence)
            await self.service.share_web_state(state.session)
        return RESULT_OK

    # ------------------------------------------------------------------ poll2 and sends

    async def _poll(
        self, state: WebState, web: WebRequest, abandoned: asyncio.Future[None] | None
    ) -> bytes:
        session = state.session
        ack = web.optional_number("ack") if session.acks else None
        entries = await self.service.messaging.fetch_web(
            session, self.service.long_poll, ack, abandoned
        )
        if entries is None:
            if session.moved:
                return POLL_TIMEOUT  # (another node took it up: its client goes on there)
            return self._ended(state)
        await self.service.share_web_state(session)
        if not entries:
            return POLL_TIMEOUT
        events = [self._event(state, entry) for entry in entries]
        return ok(events)

    def _ended(self, state: WebState) -> bytes:
        """What the poll of an ended session answers: kick_message once (opted in), then 121;
        103 for one that signed out or expired."""
        session = state.session
        if not session.kicked:
            self._states.pop(session.token, None)
            return error(Retcode.UNKNOWN_SESSION)
        self._forget_replaced()
        if session.wants("kick") and not state.kick_told:
            state.kick_told = True
            return ok([kick_event()])
        return error(Retcode.KICKED)

    def _event(self, state: WebState, entry: WebEntry) -> dict[str, Any]:
        if isinstance(entry, QueuedMessage):
            return message_event(
                from_uin=self._member_id(state, entry.sender),
                to_uin=state.uin,
                msg_id=entry.id,
                time=entry.time,
                content=entry.content,
            )
        if isinstance(entry, RoomMessage):
            room_id = self._id(state, entry.conversation)
            group = entry.conversation.kind is ConversationKind.GROUP
            make = group_message_event if group else discussion_message_event
            return make(
                room_id,
                send_uin=self._member_id(state, entry.sender),
                to_uin=state.uin,
                msg_id=entry.id,
                time=entry.time,
                content=entry.content,
            )
        if isinstance(entry, StatusChange):
            event = status_change_event(
                uin=self._member_id(state, entry.buddy),
                presence=entry.presence,
                client_type=self._client_type(entry.buddy),
            )
            event["value"]["msg_id"] = entry.id
            return event
        if isinstance(entry, WebLoginNotice):
            self._saw(entry.code)
            return {
                "poll_type": "qqdesk_web_login",
                "value": {"code": entry.code, "created": entry.created, "msg_id": entry.id},
            }
        raise AssertionError(f"unknown entry {entry!r}")  # pragma: no cover

    def _content(self, web: WebRequest) -> Any:
        content = decode_send_content(web.r.get("content"))
        if len(plain_text(content)) > MAX_TEXT:
            raise Reply(error(Retcode.BAD_REQUEST))
        if not content:
            raise Reply(error(Retcode.BAD_CONTENT))
        return content

    async def _send_buddy(self, state: WebState, web: WebRequest) -> bytes:
        service = self.service
        content = self._content(web)
        target = await self._resolve(state, web.number("to"), ConversationKind.BUDDY)
        if service.limits.penalized(state.uin, Action.SEND_MESSAGE):
            return error(Retcode.FLOOD)
        try:
            await service.messaging.send(state.session, target, content, decode_client_id(web.r))
        except Refused as refused:
            return error(_SEND_RETCODE[refused.reason])
        return SEND_OK

    async def _send_room(self, call: Call, state: WebState, web: WebRequest) -> bytes:
        """send_qun_msg2 (group_uin) and send_discu_msg2 (did): members only."""
        content = self._content(web)
        if call is Call.SEND_SESSION:
            return error(Retcode.INVALID_LOGIN)  # (temporary sessions: deprecated, §5.13)
        if call is Call.SEND_GROUP:
            kind, key = ConversationKind.GROUP, "group_uin"
        else:
            kind, key = ConversationKind.DISCUSSION, "did"
        client_id = decode_client_id(web.r)  # (qqdesk's own client: a resend is kept once)
        conversation = Conversation(kind, await self._resolve(state, web.number(key), kind))
        if self.service.limits.penalized(state.uin, Action.SEND_MESSAGE):
            return error(Retcode.FLOOD)
        try:
            await self.service.messaging.post(state.session, conversation, content, client_id)
        except Refused as refused:
            return error(_SEND_RETCODE[refused.reason])
        return SEND_OK

    # ------------------------------------------------------------------ extensions

    async def _extension(self, name: str, web: WebRequest, request: Request) -> Answer:
        if name == "signin":
            return await self._signin(web, request)
        state = await self._by_psessionid(web)
        if state is None:
            raise Reply(error(Retcode.UNKNOWN_SESSION))
        self._check_vfwebqq(state, web)
        try:
            return _json(await self._manage(name, state, web))
        except Refused as refused:
            return _json(error(_SEND_RETCODE[refused.reason]))

    async def _manage(self, name: str, state: WebState, web: WebRequest) -> bytes:
        """The room management calls and the web sign-in approvals (DESIGN-SMARTQQ §4.3)."""
        rooms = self.service.rooms
        match name:
            case "create_group" | "create_discussion":
                members = [
                    await self._resolve(state, n, ConversationKind.BUDDY) for n in _numbers(web)
                ]
                if not self.service.limits.may_send(state.uin):
                    return error(Retcode.FLOOD)
                self.service.limits.sent(state.uin)
                if name == "create_group":
                    room = await rooms.create_group(state.uin, web.text("name"), members)
                    return ok({"gid": self._id(state, room.conversation)})
                room = await rooms.create_discussion(state.uin, web.text("name"), members)
                return ok({"did": self._id(state, room.conversation)})
            case "invite":
                conversation = await self._room_named(state, web)
                members = [
                    await self._resolve(state, n, ConversationKind.BUDDY) for n in _numbers(web)
                ]
                added = await rooms.invite(state.uin, conversation, members)
                return ok({"added": [self._member_id(state, uin) for uin in added]})
            case "set_card":
                conversation = await self._room_named(state, web)
                await rooms.set_card(state.uin, conversation, web.text("card"))
                return RESULT_OK
            case "leave":
                conversation = await self._room_named(state, web)
                await rooms.leave(state.uin, conversation)
                return RESULT_OK
            case "approve_web_login":
                return await self._approve(state, web)
            case "web_logins":
                rows = await self.web_logins.web_logins()
                for row in rows:
                    self._saw(row.code)
                return ok([{"code": r.code, "created": r.created} for r in rows])
        return error(Retcode.BAD_REQUEST)

    async def _room_named(self, state: WebState, web: WebRequest) -> Conversation:
        """The room a management call names by ``gid`` or ``did`` (100001 if unknown)."""
        gid, did = web.optional_number("gid"), web.optional_number("did")
        if (gid is None) == (did is None):
            raise Reply(error(Retcode.BAD_REQUEST))
        kind = ConversationKind.GROUP if gid is not None else ConversationKind.DISCUSSION
        number = gid if gid is not None else did
        assert number is not None
        return Conversation(kind, await self._resolve(state, number, kind))

    async def _signin(self, web: WebRequest, request: Request) -> Answer:
        """POST /qqdesk/signin: number and password instead of the QR (DESIGN-SMARTQQ §4.1)."""
        uin = web.optional_number("uin")
        password = web.text("password").strip().lower()
        if uin is None or not password:
            return _json(dumps({"retcode": 1, "errmsg": "no such account"}))
        try:
            await self.service.authenticate(uin, password, request.ip)
        except Refused as refused:
            words = {
                Refusal.NO_SUCH_ACCOUNT: (1, "no such account"),
                Refusal.WRONG_PASSWORD: (2, "wrong password"),
                Refusal.TOO_FREQUENT: (3, "too many attempts"),
            }
            code, message = words.get(refused.reason, (1, "no such account"))
            return _json(dumps({"retcode": code, "errmsg": message}))
        ticket = await self.tickets.issue(uin)
        cookies = check_sig_cookies(ticket.tokens, web.host)
        body = ok({"uin": uin, "ptwebqq": ticket.tokens.ptwebqq})
        return Answer(body, content_type=_JSON, headers=tuple(("Set-Cookie", c) for c in cookies))

    async def _approve(self, state: WebState, web: WebRequest) -> bytes:
        code = normalize_code(web.text("code"))
        approve = web.get("approve")
        if code is None or not isinstance(approve, bool):
            return error(Retcode.BAD_REQUEST)
        decided = await self.web_logins.decide_web_login(code, state.uin if approve else None)
        if not decided:
            return error(Retcode.INVALID_LOGIN)
        return RESULT_OK


#: Calls whose session is named by psessionid (when sent); the rest by vfwebqq.
_CHANNEL_BY_SESSION = {
    Call.POLL2: True,
    Call.SEND_BUDDY: True,
    Call.SEND_GROUP: True,
    Call.SEND_DISCUSSION: True,
    Call.SEND_SESSION: True,
    Call.GET_ONLINE_BUDDIES: True,
    Call.GET_DISCUSSION_INFO: True,
    Call.GET_DISCUSSION_LIST: True,
    Call.CHANGE_STATUS: True,
    Call.LOGOUT2: True,
    Call.GET_RECENT_LIST: True,
    Call.GET_SESSION_SIG: True,
}


def _numbers(web: WebRequest) -> list[int]:
    """The ``members`` list of a management call (100006 unless a list of numbers)."""
    raw = web.r.get("members", [])
    if not isinstance(raw, list):
        raise Reply(error(Retcode.BAD_REQUEST))
    numbers = [as_int(n) for n in raw]
    if any(n is None for n in numbers):
        raise Reply(error(Retcode.BAD_REQUEST))
    return [n for n in numbers if n is not None]


def _options(raw: object) -> tuple[WebOptions, bool]:
    """login2's opt-ins (DESIGN-SMARTQQ §4.2), and whether there were any."""
    if not isinstance(raw, dict):
        return WebOptions(), False
    events = raw.get("events")
    since = raw.get("since")
    return (
        WebOptions(
            ack=raw.get("ack") is True,
            events=frozenset(e for e in events if isinstance(e, str))
            if isinstance(events, list)
            else frozenset(),
            buddy_messages=raw.get("buddy_messages") is not False,
            plain_ids=raw.get("plain_ids") is True,
            since=since if isinstance(since, int) and not isinstance(since, bool) else None,
        ),
        True,
    )


def _profile_fields(profile: Profile) -> dict[str, Any]:
    """The profile fields of get_self_info2 and get_friend_info2 (§5.8, §5.9)."""
    return {
        "face": profile.face,
        "birthday": {"year": 0, "month": 0, "day": 0},
        "occupation": profile.job,
        "phone": profile.phone,
        "allow": 1,
        "college": profile.school,
        "constel": int(profile.constellation),
        "blood": int(profile.blood_type),
        "homepage": profile.homepage,
        "country": profile.country,
        "city": profile.city,
        "personal": profile.intro,
        "nick": profile.nick,
        "shengxiao": int(profile.zodiac),
        "email": profile.email,
        "province": profile.province,
        "gender": "female" if int(profile.sex) == 1 else "male",
        "mobile": profile.mobile,
        "vip_info": 0,
    }


def _json(body: bytes) -> Answer:
    return Answer(body, content_type=_JSON)


def _js(state: QrState, ticket: int) -> Answer:
    return Answer(ptui_callback(state, ticket=ticket), content_type=_JS)
