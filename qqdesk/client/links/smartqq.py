"""The Smart QQ web link: groups, discussions and web sign-in approval for one account.

It signs in with the account's number and password through the project's own
extension (no QR), opts in to acknowledged delivery, plain ids and the kick event,
and leaves buddy messages to the classic link (DESIGN-SMARTQQ §4). A server without
the channel (a classic-only one) answers the sign-in with 404/405 or a classic
reply: the link then says ``available`` is False and the session keeps to classic.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from qqdesk.core import (
    Content,
    Conversation,
    ConversationKind,
    Face,
    Presence,
    Room,
    parse_text,
    render_text,
)
from qqdesk.protocol.smartqq import (
    CLIENT_ID_FIELD,
    Retcode,
    contact_hash,
    decode_event_content,
    encode_send_content,
)
from qqdesk.protocol.smartqq.request import WebRequestError

from ..errors import (
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
    WrongPassword,
)
from ..timing import Timing
from ..transport import NoSuchPath, Transport
from ..types import RoomMember, WebLogin
from .base import Delivery, IncomingMessage, Poll, WebLoginIncoming
from .classic import MAX_SERVER_ID, plausible_stamp, split_text

log = logging.getLogger(__name__)

#: The client id every Smart QQ client sends (SMARTQQ-NOTES §1.2).
CLIENT_ID = 53999199
#: How long the server holds poll2 at most (§6.2: at most 60 s).
POLL_HOLD = 60
#: A reply above this is refused (a member list of MAX_ROOM_MEMBERS is far smaller).
MAX_REPLY = 4 << 20
#: Most rooms and members a list may hold before the link refuses it.
MAX_ROOMS = 10_000
MAX_MEMBERS = 100_000

#: get_group_info_ext2's ``stat`` codes (§5.4).
_STATS = {
    10: Presence.ONLINE,
    20: Presence.OFFLINE,
    30: Presence.AWAY,
    40: Presence.HIDDEN,
    50: Presence.BUSY,
    60: Presence.CALLME,
    70: Presence.SILENT,
}

_SEND_PATHS = {
    ConversationKind.GROUP: ("/channel/send_qun_msg2", "group_uin"),
    ConversationKind.DISCUSSION: ("/channel/send_discu_msg2", "did"),
}
_ROOM_KEYS = {ConversationKind.GROUP: "gid", ConversationKind.DISCUSSION: "did"}


class NoChannel(Exception):
    """The server has no Smart QQ channel (or not the project's sign-in extension)."""


class Kicked(Exception):
    """Another web sign-in of the account replaced this session."""


class SmartQQLink:
    """One account's web session: sign-in, poll2 with acknowledgements, room calls.

    ``available`` is None until a sign-in tried, then whether the server offers the
    channel. ``logged_in`` is set while the session is open; ``generation`` counts
    sign-ins (so that many calls that find the session gone sign in once).
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
        #: The same proxy and certificate authorities as the classic link (the user's
        #: choice for this account covers all its traffic).
        self.proxy = proxy
        self.ca_file = ca_file
        self.uin = uin
        self._password_md5 = hashlib.md5(password.encode("utf-8")).hexdigest()
        self.timing = timing
        self._on_answer = on_answer
        self.available: bool | None = None
        #: Why the channel closed for this session (another web sign-in took it), if it did.
        self.closed_because = ""
        self.logged_in = asyncio.Event()
        self.generation = 0
        #: The run of the server the last sign-in reached ("" when it does not say).
        self.server_instance = ""
        #: Acknowledged delivery is always asked for.
        self.extensions = True
        #: The server holds poll2 (long polling).
        self.long_poll: int | None = POLL_HOLD
        self.idle_timeout = 300
        #: The newest room message id kept locally: delivered from there at sign-in.
        self.since: Callable[[], int | None] = lambda: None
        #: Where the first sign-in's room messages started (the server says it).
        self.room_floor: int | None = None
        #: Told after every sign-in, a relogin by any call too (a send refused while one
        #: was under way waits for this to go again).
        self.on_login: Callable[[], None] = lambda: None
        self._transport: Transport | None = None
        self._login_lock = asyncio.Lock()
        self._ptwebqq = ""
        self._vfwebqq = ""
        self._psessionid = ""
        self._ack = 0
        self._relogins: collections.deque[float] = collections.deque()
        #: The transport's connection failures at the last sign-in.
        self._failures_at_login = 0
        self._msg_id = 6_000_000

    # -- signing in and out ------------------------------------------------------------

    def use_password(self, password: str) -> None:
        """Sign in with ``password`` from now on (it was changed over the classic link)."""
        self._password_md5 = hashlib.md5(password.encode("utf-8")).hexdigest()

    async def login(self, generation: int | None = None) -> None:
        """Sign in with number and password, then getvfwebqq and login2 with the opt-ins.

        One sign-in at a time: the server keeps one web session per account, so a
        second one would throw out the first, and calls still carrying the first
        would hear "kicked" as if another client had taken the channel. With
        ``generation`` (``self.generation`` when the caller found the channel
        closed), nothing is done if a sign-in completed since.

        Raises NoChannel (a classic-only server), WrongPassword, NoSuchUser,
        TooFrequent, LoginFailed or ServerUnavailable.
        """
        async with self._login_lock:
            signed_in_since = generation is not None and generation != self.generation
            if signed_in_since and self.logged_in.is_set():
                return
            await self._sign_in()

    async def _sign_in(self) -> None:
        try:
            reply = await self._post(
                "/qqdesk/signin", {"uin": str(self.uin), "password": self._password_md5}
            )
        except NoSuchPath as exc:
            self.available = False
            raise NoChannel(str(exc)) from exc
        answer = _json_object(reply)
        if answer is None:
            # A classic server answers any POST with its own text: no channel here.
            self.available = False
            raise NoChannel("the sign-in answer is not JSON")
        retcode = answer.get("retcode")
        if retcode == 1:
            raise NoSuchUser(self.uin)
        if retcode == 2:
            raise WrongPassword(str(answer.get("errmsg", "")))
        if retcode == 3:
            raise TooFrequent("too many sign-in attempts; try again later")
        result = answer.get("result")
        if retcode != 0 or not isinstance(result, dict):
            raise LoginFailed(f"unexpected web sign-in answer {answer!r}")
        self._ptwebqq = str(result.get("ptwebqq", ""))
        vf = await self._json(
            "/api/getvfwebqq",
            {"ptwebqq": self._ptwebqq, "clientid": str(CLIENT_ID), "psessionid": ""},
        )
        if not isinstance(vf, dict):
            raise LoginFailed("getvfwebqq answered no vfwebqq")
        self._vfwebqq = str(vf.get("vfwebqq", ""))
        opt_ins: dict[str, Any] = {
            "ack": True,
            "buddy_messages": False,
            "plain_ids": True,
            # kick: told once when another web sign-in replaces this session;
            # web_login: a QR sign-in waits for the owner's approval.
            "events": ["kick", "web_login"],
        }
        since = self.since()
        if self.room_floor is not None:
            since = max(since or 0, self.room_floor)
        if since is not None:
            opt_ins["since"] = since
        r = {
            "ptwebqq": self._ptwebqq,
            "clientid": CLIENT_ID,
            "psessionid": "",
            "status": "online",
            "qqdesk": opt_ins,
        }
        answer = await self._answer("/channel/login2", {"r": json.dumps(r)})
        result = answer.get("result")
        if answer.get("retcode") == Retcode.INVALID_LOGIN:
            # The server no longer knows the sign-in it just gave (it restarted in
            # between): start over, as after any restart.
            raise NotLoggedIn("login2: the server forgot the web sign-in")
        if answer.get("retcode") != 0 or not isinstance(result, dict):
            raise LoginFailed(f"login2 refused (retcode {answer.get('retcode')})")
        extension = result.get("qqdesk")
        if not isinstance(extension, dict) or extension.get("rooms") is not True:
            # A Smart QQ server, but not one that knows our extensions: treat as none.
            self.available = False
            raise NoChannel("login2 names no qqdesk extensions")
        self._psessionid = str(result.get("psessionid", ""))
        self._vfwebqq = str(result.get("vfwebqq", self._vfwebqq))
        instance = extension.get("instance")
        self.server_instance = instance if isinstance(instance, str) else ""
        start = extension.get("since")
        if isinstance(start, int) and not isinstance(start, bool):
            # A floor for ``since`` while no room message is kept yet: what is posted
            # after this sign-in is asked for again after a restart, not skipped.
            self.room_floor = max(self.room_floor or 0, start)
        self._ack = 0
        self.available = True
        self.closed_because = ""
        self.generation += 1
        self._failures_at_login = self._failures()
        self.logged_in.set()
        self.on_login()

    async def relogin(self, generation: int) -> None:
        """Sign in again once, however many calls found the session gone.

        As for the classic link, a session the server forgot while it kept answering
        counts towards "another client has it"; one lost with a restart of the server
        does not, so a server restarted again and again is never taken for a takeover.
        Our server names its run in login2's answer (``instance``): the same run as
        before counts, another never does. A server that does not say is judged by
        the connections (a restart breaks them). LoginFailed after ``relogin_limit``
        such within ``relogin_window``. (A session replaced by another web sign-in
        says so, kick_message or 121: the session closes rooms then, it does not sign
        in again.)
        """
        async with self._login_lock:
            if generation != self.generation:
                return
            now = self.timing.monotonic()
            while self._relogins and now - self._relogins[0] > self.timing.relogin_window:
                self._relogins.popleft()
            before = self.server_instance
            counts = self._failures() == self._failures_at_login
            # (with a run id, only re-logins into the same run were counted)
            if (before or counts) and len(self._relogins) >= self.timing.relogin_limit:
                raise LoginFailed("the web session keeps being replaced by another sign-in")
            self.logged_in.clear()
            log.info("%s: signing in to the web channel again", self.uin)
            await self._sign_in()
            if self.server_instance:
                counts = self.server_instance == before
            if counts:
                self._relogins.append(now)

    def _failures(self) -> int:
        return 0 if self._transport is None else self._transport.failures

    async def logout(self) -> None:
        """Say goodbye (best effort) and close the connection."""
        was = self.logged_in.is_set()
        self.logged_in.clear()
        if was and self._transport is not None:
            with contextlib.suppress(QQError):
                await self._post(
                    "/channel/logout2",
                    {"clientid": str(CLIENT_ID), "psessionid": self._psessionid},
                    timeout=self.timing.logout_timeout,
                )
        await self.aclose()

    async def aclose(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()

    # -- receiving ---------------------------------------------------------------------

    async def poll(self) -> Poll:
        """One poll2, held by the server, acknowledging what was kept."""
        r = {
            "ptwebqq": self._ptwebqq,
            "clientid": CLIENT_ID,
            "psessionid": self._psessionid,
            "key": "",
            "ack": self._ack,
        }
        answer = await self._call(
            "/channel/poll2", r, timeout=POLL_HOLD + self.timing.long_poll_margin
        )
        result = answer.get("result")
        if not isinstance(result, list):
            return Poll([])  # the hold ended with nothing
        now = self.timing.wall()
        deliveries: list[Delivery] = []
        for event in result:
            delivery = self._delivery(event, now)
            if delivery is not None:
                deliveries.append(delivery)
        return Poll(deliveries)

    def acknowledge(self, server_id: int) -> None:
        """Everything up to ``server_id`` is kept: the next poll2 says so."""
        self._ack = max(self._ack, server_id)

    def _delivery(self, event: object, now: float) -> Delivery | None:
        if not isinstance(event, dict):
            return Delivery(None, None, repr(event)[:200])
        kind, value = event.get("poll_type"), event.get("value")
        if not isinstance(value, dict):
            return Delivery(None, None, repr(event)[:200])
        msg_id = value.get("msg_id")
        key = None
        if isinstance(msg_id, int) and not isinstance(msg_id, bool):
            if not 0 <= msg_id < MAX_SERVER_ID:
                raise ServerUnavailable(f"the server sent message id {msg_id}; refused")
            stamp = plausible_stamp(_int(value.get("time")), now)
            key = (msg_id, stamp)
        if kind == "kick_message":
            raise Kicked(str(value.get("reason", "")))
        if kind in ("group_message", "discu_message"):
            number = _int(value.get("group_code" if kind == "group_message" else "did"))
            number = number if number is not None else _int(value.get("from_uin"))
            sender = _int(value.get("send_uin"))
            if number is None or sender is None or key is None:
                return Delivery(None, key, repr(event)[:200])
            try:
                content = decode_event_content(value.get("content"))
            except WebRequestError:
                return Delivery(None, key, repr(event)[:200])
            if len(content) >= 2 and content[-1] == " " and isinstance(content[-2], Face):
                # The channel pads a trailing face with " " for an old client (§6.6).
                content = content[:-1]
            conversation = (
                Conversation.group(number)
                if kind == "group_message"
                else Conversation.discussion(number)
            )
            if sender == self.uin:
                # My own message (sent from here, already kept as outgoing): acknowledged only.
                return Delivery(None, key, "")
            incoming = IncomingMessage(conversation, sender, content, key[1], key[0])
            return Delivery(incoming, key)
        if kind == "qqdesk_web_login":
            code = value.get("code")
            created = _int(value.get("created")) or int(now)
            if isinstance(code, str) and code:
                return Delivery(WebLoginIncoming(code, created), key)
        # buddy messages and status changes come by the classic link
        return Delivery(None, key, "")

    # -- sending -------------------------------------------------------------------------

    def split(self, content: Content) -> list[Content]:
        """The messages that carry ``content`` (a long text takes several)."""
        return [parse_text(part) for part in split_text(render_text(content))]

    async def send(
        self, conversation: Conversation, content: Content, client_id: str | None = None
    ) -> None:
        """One send_qun_msg2 / send_discu_msg2; raises as the server answers.

        ``client_id`` (qqdesk's extension field; the same on every try of one message)
        lets the server keep a message resent after a lost answer once."""
        target = _SEND_PATHS.get(conversation.kind)
        if target is None:
            raise RequestRefused("buddy messages go by the classic link")
        path, key = target
        self._msg_id += 1
        r: dict[str, Any] = {
            key: conversation.number,
            "content": encode_send_content(content),
            "face": 0,
            "clientid": CLIENT_ID,
            "msg_id": self._msg_id,
            "psessionid": self._psessionid,
        }
        if client_id is not None:
            r[CLIENT_ID_FIELD] = client_id
        await self._call(path, r)

    # -- rooms ---------------------------------------------------------------------------

    async def rooms(self) -> list[Room]:
        """My groups (by number), then my discussions."""
        r = {"vfwebqq": self._vfwebqq, "hash": contact_hash(self.uin, self._ptwebqq)}
        groups = (await self._call("/api/get_group_name_list_mask2", r)).get("result")
        discussions = (
            await self._call(
                "/api/get_discus_list",
                {"clientid": CLIENT_ID, "psessionid": self._psessionid, "vfwebqq": self._vfwebqq},
            )
        ).get("result")
        found: list[Room] = []
        names = groups.get("gnamelist") if isinstance(groups, dict) else None
        for entry in names if isinstance(names, list) else []:
            number = _int(entry.get("gid")) if isinstance(entry, dict) else None
            if number is not None:
                found.append(_room(Conversation.group(number), entry))
        names = discussions.get("dnamelist") if isinstance(discussions, dict) else None
        for entry in names if isinstance(names, list) else []:
            number = _int(entry.get("did")) if isinstance(entry, dict) else None
            if number is not None:
                found.append(_room(Conversation.discussion(number), entry))
        if len(found) > MAX_ROOMS:
            raise ServerUnavailable(f"the server listed more than {MAX_ROOMS} rooms; refused")
        order = {ConversationKind.GROUP: 0, ConversationKind.DISCUSSION: 1}
        return sorted(found, key=lambda r: (order[r.conversation.kind], r.conversation.number))

    async def remarks(self) -> dict[int, str]:
        """My remarks (备注) for my buddies, by number."""
        r = {"vfwebqq": self._vfwebqq, "hash": contact_hash(self.uin, self._ptwebqq)}
        result = (await self._call("/api/get_user_friends2", r)).get("result")
        marks = result.get("marknames") if isinstance(result, dict) else None
        return {u: m for u, m in _by_uin(marks, "uin", "markname").items() if m}

    async def members(self, conversation: Conversation) -> list[RoomMember]:
        """A room's members with cards, nicknames and statuses, in the server's order."""
        if conversation.kind is ConversationKind.GROUP:
            r = {"gcode": conversation.number, "gid": conversation.number, "vfwebqq": self._vfwebqq}
            result = (await self._call("/api/get_group_info_ext2", r)).get("result")
            return _group_members(result)
        if conversation.kind is ConversationKind.DISCUSSION:
            r = {
                "did": conversation.number,
                "psessionid": self._psessionid,
                "vfwebqq": self._vfwebqq,
                "clientid": CLIENT_ID,
            }
            result = (await self._call("/channel/get_discu_info", r)).get("result")
            return _discussion_members(result)
        raise RequestRefused("a buddy chat has no members")

    async def create(
        self, kind: ConversationKind, name: str, members: Sequence[int]
    ) -> Conversation:
        call, key = (
            ("create_group", "gid")
            if kind is ConversationKind.GROUP
            else ("create_discussion", "did")
        )
        result = await self._extension(call, {"name": name, "members": [int(m) for m in members]})
        number = _int(result.get(key)) if isinstance(result, dict) else None
        if number is None:
            raise ServerUnavailable(f"{call} answered no {key}")
        return Conversation(kind, number)

    async def invite(self, conversation: Conversation, members: Sequence[int]) -> list[int]:
        result = await self._extension(
            "invite",
            {_room_key(conversation): conversation.number, "members": [int(m) for m in members]},
        )
        added = result.get("added") if isinstance(result, dict) else None
        return (
            [n for n in (_int(a) for a in added) if n is not None]
            if isinstance(added, list)
            else []
        )

    async def set_card(self, conversation: Conversation, card: str) -> None:
        if conversation.kind is not ConversationKind.GROUP:
            raise RequestRefused("only groups have cards")
        await self._extension("set_card", {"gid": conversation.number, "card": card})

    async def leave(self, conversation: Conversation) -> None:
        await self._extension("leave", {_room_key(conversation): conversation.number})

    async def web_logins(self) -> list[WebLogin]:
        result = await self._extension("web_logins", {})
        logins: list[WebLogin] = []
        for entry in result if isinstance(result, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("code"), str):
                logins.append(WebLogin(code=entry["code"], created=_int(entry.get("created")) or 0))
        return logins

    async def approve_web_login(self, code: str, approve: bool) -> None:
        await self._extension(
            "approve_web_login", {"code": code.strip().upper(), "approve": approve}
        )

    # -- talking to the server -------------------------------------------------------------

    async def _extension(self, call: str, fields: dict[str, Any]) -> Any:
        r = {**fields, "psessionid": self._psessionid, "vfwebqq": self._vfwebqq}
        return (await self._call(f"/qqdesk/{call}", r)).get("result")

    async def _call(
        self, path: str, r: dict[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """A channel call with the failure policy: an unknown session (103) signs in
        again once and replays; 1202 waits out the penalty and retries."""
        if not self.logged_in.is_set():
            if self.available is False:
                raise RoomsUnavailable(self.closed_because)
            raise SessionClosed("the web channel is not open")
        replayed = False
        waits = 0
        while True:
            generation = self.generation
            r = {**r}
            if "psessionid" in r:
                r["psessionid"] = self._psessionid
            if "vfwebqq" in r:
                r["vfwebqq"] = self._vfwebqq
            answer = await self._answer(path, {"r": json.dumps(r, ensure_ascii=False)}, timeout)
            retcode = answer.get("retcode")
            err = answer.get("errCode")
            if retcode == 0 and err in (None, 0):
                return answer
            if retcode == Retcode.KICKED:
                if generation != self.generation and self.logged_in.is_set():
                    # this link signed in again while the call was out: the session
                    # it carried was its own, replaced by that sign-in; replay
                    continue
                raise Kicked("replaced by another web sign-in")
            if retcode in (Retcode.UNKNOWN_SESSION, Retcode.BAD_VFWEBQQ) and not replayed:
                replayed = True
                await self.relogin(generation)
                continue
            if retcode == Retcode.FLOOD and waits < self.timing.penalty_retries:
                waits += 1
                await asyncio.sleep(self.timing.penalty)
                continue
            if retcode == Retcode.INVALID_LOGIN:
                raise NotAMember(f"{path}: not a member, no such room, or not a buddy")
            if retcode == Retcode.FLOOD:
                raise TooFrequent(f"{path}: too frequent")
            if retcode in (Retcode.UNKNOWN_SESSION, Retcode.BAD_VFWEBQQ):
                raise NotLoggedIn(f"{path}: the server does not know the web session")
            raise RequestRefused(f"{path} answered retcode {retcode}")

    async def _answer(
        self, path: str, form: dict[str, str], timeout: float | None = None
    ) -> dict[str, Any]:
        answer = _json_object(await self._post(path, form, timeout=timeout))
        if answer is None:
            raise ServerUnavailable(f"{path}: the answer is not a JSON object")
        return answer

    async def _json(self, path: str, form: dict[str, str]) -> Any:
        answer = await self._answer(path, form)
        if answer.get("retcode") in (Retcode.NO_LOGIN_COOKIES, Retcode.INVALID_LOGIN):
            raise NotLoggedIn(f"{path}: the server forgot the web sign-in (restarted?)")
        if answer.get("retcode") != 0:
            raise LoginFailed(f"{path} answered retcode {answer.get('retcode')}")
        return answer.get("result")

    async def _post(
        self, path: str, form: dict[str, str], *, timeout: float | None = None
    ) -> bytes:
        if self._transport is None:
            self._transport = Transport(
                self.server_url,
                timeout=self.timing.request_timeout,
                max_reply=MAX_REPLY,
                proxy=self.proxy,
                ca_file=self.ca_file,
            )
        reply = await self._transport.post_form(path, form, timeout=timeout)
        self._on_answer()
        return reply


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _room(conversation: Conversation, entry: dict[str, Any]) -> Room:
    return Room(
        conversation=conversation,
        name=_text(entry.get("name")),
        owner=None,
        memo="",
        created=0,
    )


def _room_key(conversation: Conversation) -> str:
    key = _ROOM_KEYS.get(conversation.kind)
    if key is None:
        raise RequestRefused("a buddy chat is no group or discussion")
    return key


def _group_members(result: object) -> list[RoomMember]:
    if not isinstance(result, dict):
        return []
    info = result.get("ginfo")
    order = [
        _int(m.get("muin"))
        for m in (info.get("members") if isinstance(info, dict) else None) or []
        if isinstance(m, dict)
    ]
    nicks = _by_uin(result.get("minfo"), "uin", "nick")
    cards = _by_uin(result.get("cards"), "muin", "card")
    stats = {
        uin: _STATS.get(_int(entry.get("stat")) or 20, Presence.OFFLINE)
        for entry in result.get("stats") or []
        if isinstance(entry, dict) and (uin := _int(entry.get("uin"))) is not None
    }
    return _members(order, nicks, cards, stats)


def _discussion_members(result: object) -> list[RoomMember]:
    if not isinstance(result, dict):
        return []
    info = result.get("info")
    order = [
        _int(m.get("ruin")) or _int(m.get("mem_uin"))
        for m in (info.get("mem_list") if isinstance(info, dict) else None) or []
        if isinstance(m, dict)
    ]
    nicks = _by_uin(result.get("mem_info"), "uin", "nick")
    stats: dict[int, Presence] = {}
    for entry in result.get("mem_status") or []:
        if isinstance(entry, dict) and (uin := _int(entry.get("uin"))) is not None:
            with contextlib.suppress(ValueError):
                stats[uin] = Presence(_text(entry.get("status")))
    return _members(order, nicks, {}, stats)


def _by_uin(entries: object, key: str, field: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and (uin := _int(entry.get(key))) is not None:
            found[uin] = _text(entry.get(field))
    return found


def _members(
    order: list[int | None],
    nicks: dict[int, str],
    cards: dict[int, str],
    stats: dict[int, Presence],
) -> list[RoomMember]:
    if len(order) > MAX_MEMBERS:
        raise ServerUnavailable(f"the server listed more than {MAX_MEMBERS} members; refused")
    members: list[RoomMember] = []
    for uin in dict.fromkeys(u for u in order if u is not None):
        members.append(
            RoomMember(
                uin=uin,
                nick=nicks.get(uin, ""),
                card=cards.get(uin, ""),
                status=stats.get(uin, Presence.OFFLINE).visible,
            )
        )
    return members
