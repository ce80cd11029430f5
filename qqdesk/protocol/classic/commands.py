"""Requests and replies of every classic command, as typed values, with their codecs.

The server uses :func:`decode_request` and :func:`encode_reply`; the client uses
:func:`encode_request` and :func:`decode_reply`. Nothing here does I/O.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, TypedDict

from qqdesk.core import (
    EDITABLE_NUMBERS,
    EDITABLE_TEXT,
    Audience,
    Category,
    ProfilePrivacy,
    check_profile_changes,
)

from .types import (
    CLIENT_VERSION,
    LIST_EX_PAGE,
    LOGIN_CODE,
    MAX_MESSAGE_CHARS,
    SUPPORTED_VERSIONS,
    BloodType,
    Command,
    Constellation,
    MessageType,
    Profile,
    Result,
    Sex,
    Status,
    Zodiac,
)
from .wire import (
    ProtocolError,
    encode_fields,
    encode_request_value,
    escape,
    is_invalid_utf8,
    join_list,
    parse_reply_body,
    split_int_list,
    split_list,
    unescape,
    unescape_text,
)

# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Request:
    """Fields every request carries: who sends it, its sequence mark, the version."""

    command: ClassVar[Command]
    uin: int
    seq: str = "0"
    ver: str = CLIENT_VERSION

    def body_fields(self) -> list[tuple[str, object]]:
        """The command's own fields in wire order (after VER CMD SEQ UIN)."""
        return []


@dataclass(frozen=True, kw_only=True)
class LoginRequest(Request):
    command = Command.LOGIN
    password_md5: str
    login_code: str = LOGIN_CODE
    #: Extension SI=1: ask for the server's instance id in the reply.
    want_instance: bool = False
    #: Extension EX=1: ask which contact extensions the server has.
    want_extensions: bool = False

    def body_fields(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = [
            ("PS", self.password_md5),
            ("M5", 1),
            ("LC", self.login_code),
        ]
        if self.want_instance:
            out.append(("SI", 1))
        if self.want_extensions:
            out.append(("EX", 1))
        return out


@dataclass(frozen=True, kw_only=True)
class BuddyListRequest(Request):
    """List: a page of my buddy numbers, or their count when page_size is 0."""

    command = Command.LIST
    page_size: int = 0
    offset: int = 0

    def body_fields(self) -> list[tuple[str, object]]:
        return [("TN", self.page_size), ("UN", self.offset)]


@dataclass(frozen=True, kw_only=True)
class OnlineBuddiesRequest(Request):
    """Query_Stat: a page of my buddies that are visibly online, or their count."""

    command = Command.QUERY_STAT
    page_size: int = 0
    offset: int = 0

    def body_fields(self) -> list[tuple[str, object]]:
        return [("TN", self.page_size), ("UN", self.offset)]


@dataclass(frozen=True, kw_only=True)
class ProfileRequest(Request):
    """GetInfo: a user's profile at a level of detail (0/1 short, 2, 3+ full)."""

    command = Command.GET_INFO
    target: int
    level: int = 3

    def body_fields(self) -> list[tuple[str, object]]:
        return [("LV", self.level), ("UN", self.target)]


@dataclass(frozen=True, kw_only=True)
class AddBuddyRequest(Request):
    """AddToList: add a user; the reply tells the user's auth mode."""

    command = Command.ADD_TO_LIST
    target: int

    def body_fields(self) -> list[tuple[str, object]]:
        return [("UN", self.target)]


@dataclass(frozen=True, kw_only=True)
class AddBuddyAnswerRequest(Request):
    """Ack_AddToList: ask to be added (REQUEST), or approve/refuse a request."""

    command = Command.ACK_ADD_TO_LIST
    target: int
    code: int
    reason: str = ""

    def body_fields(self) -> list[tuple[str, object]]:
        return [("UN", self.target), ("CD", self.code), ("RS", self.reason)]


@dataclass(frozen=True, kw_only=True)
class RemoveBuddyRequest(Request):
    command = Command.DEL_FROM_LIST
    target: int

    def body_fields(self) -> list[tuple[str, object]]:
        return [("UN", self.target)]


@dataclass(frozen=True, kw_only=True)
class ChangeStatusRequest(Request):
    command = Command.CHANGE_STAT
    status: Status

    def body_fields(self) -> list[tuple[str, object]]:
        return [("ST", int(self.status))]


@dataclass(frozen=True, kw_only=True)
class FetchMessagesRequest(Request):
    """GetMsgEx, with the extensions: wait (WT, long poll) and ack (AK)."""

    command = Command.GET_MSG_EX
    wait: int | None = None
    ack: int | None = None

    @property
    def extended(self) -> bool:
        """A client that sends WT or AK knows the extensions and gets MI/TM."""
        return self.wait is not None or self.ack is not None

    def body_fields(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        if self.wait is not None:
            out.append(("WT", self.wait))
        if self.ack is not None:
            out.append(("AK", self.ack))
        return out


@dataclass(frozen=True, kw_only=True)
class SendMessageRequest(Request):
    """CLTMSG: deliver text to a user, online or not."""

    command = Command.CLTMSG
    target: int
    text: str
    #: Extension CI: the client's own id for this message, the same on every resend.
    client_id: str | None = None

    def body_fields(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = [("UN", self.target), ("MG", self.text)]
        if self.client_id is not None:
            out.append(("CI", self.client_id))
        return out


@dataclass(frozen=True, kw_only=True)
class LogoutRequest(Request):
    command = Command.LOGOUT


@dataclass(frozen=True, kw_only=True)
class SearchRequest(Request):
    """Finger: find searchable users by age (0 any), sex (None any), province."""

    command = Command.FINGER
    age: int = 0
    sex: Sex | None = None
    province: str = ""
    page_size: int = 20
    offset: int = 0

    def body_fields(self) -> list[tuple[str, object]]:
        sex = "" if self.sex is None else int(self.sex)
        return [
            ("AG", self.age),
            ("SX", sex),
            ("PV", self.province),
            ("TN", self.page_size),
            ("UN", self.offset),
        ]


#: The profile fields a Privacy request names, by key (the GetInfo keys).
PRIVACY_KEYS = {"MO": "mobile", "RN": "real_name", "AD": "address", "PH": "phone"}


@dataclass(frozen=True, kw_only=True)
class PrivacyRequest(Request):
    """Privacy (extension): set who sees the fields given (None: unchanged), and read all."""

    command = Command.PRIVACY
    mobile: Audience | None = None
    real_name: Audience | None = None
    address: Audience | None = None
    phone: Audience | None = None

    def body_fields(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        for key, name in PRIVACY_KEYS.items():
            value = getattr(self, name)
            if value is not None:
                out.append((key, int(value)))
        return out

    @property
    def changes(self) -> dict[str, Audience]:
        """The fields this request sets, by Profile attribute."""
        return {
            name: getattr(self, name)
            for name in PRIVACY_KEYS.values()
            if getattr(self, name) is not None
        }


# ---- own account (extensions): SetInfo and SetPassword ----


@dataclass(frozen=True, kw_only=True)
class SetInfoRequest(Request):
    """SetInfo (extension): change the own profile fields given (Profile attribute ->
    value); the others stay. Checked on construction: ProtocolError (NULL) otherwise."""

    command = Command.SET_INFO
    changes: Mapping[str, str | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            check_profile_changes(self.changes)
        except ValueError as exc:
            raise ProtocolError(str(exc)) from None

    def body_fields(self) -> list[tuple[str, object]]:
        return [
            (key, int(self.changes[attr]) if attr in EDITABLE_NUMBERS else self.changes[attr])
            for attr, key in SET_INFO_KEYS.items()
            if attr in self.changes
        ]


#: A password as the protocol carries it: the MD5 of its UTF-8, 32 hex digits.
_MD5_HEX = re.compile(r"[0-9A-Fa-f]{32}")


@dataclass(frozen=True, kw_only=True)
class SetPasswordRequest(Request):
    """SetPassword (extension): the old password's MD5 (checked as Login checks it) and
    the new one's."""

    command = Command.SET_PASSWORD
    old_md5: str
    new_md5: str

    def __post_init__(self) -> None:
        if not (_MD5_HEX.fullmatch(self.old_md5) and _MD5_HEX.fullmatch(self.new_md5)):
            raise ProtocolError("PS and NP must be 32 hex digits")

    def body_fields(self) -> list[tuple[str, object]]:
        return [("PS", self.old_md5), ("NP", self.new_md5)]


# ---- contact extensions: bulk listing, remarks, categories (docs/protocol.md 4.16-4.18)


@dataclass(frozen=True, kw_only=True)
class BuddyEntriesRequest(Request):
    """ListEx (extension): a page of my buddies with nickname, face, status, category
    and remark."""

    command = Command.LIST_EX
    page_size: int = LIST_EX_PAGE
    offset: int = 0

    def body_fields(self) -> list[tuple[str, object]]:
        return [("TN", self.page_size), ("UN", self.offset)]


@dataclass(frozen=True, kw_only=True)
class RemarkRequest(Request):
    """Remark (extension): my remark for a buddy ("" removes it)."""

    command = Command.REMARK
    target: int
    remark: str

    def body_fields(self) -> list[tuple[str, object]]:
        return [("UN", self.target), ("RK", self.remark)]


class CategoryOperation(enum.Enum):
    """What a Category request does (its OP); READ sends no OP."""

    READ = ""
    ADD = "add"
    RENAME = "rename"
    DELETE = "delete"
    ORDER = "order"
    MOVE = "move"


@dataclass(frozen=True, kw_only=True)
class CategoryRequest(Request):
    """Category (extension): read my categories, or change them first.

    ADD takes ``name``; RENAME ``index`` and ``name``; DELETE ``index``; ORDER
    ``order`` (every category but the default one); MOVE ``target`` and ``index``.
    """

    command = Command.CATEGORY
    operation: CategoryOperation = CategoryOperation.READ
    index: int | None = None
    name: str = ""
    order: tuple[int, ...] = ()
    target: int | None = None

    def body_fields(self) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        if self.operation is not CategoryOperation.READ:
            out.append(("OP", self.operation.value))
        if self.operation is CategoryOperation.ORDER:
            out.append(("CG", "".join(f"{i}," for i in self.order)))
        elif self.index is not None:
            out.append(("CG", self.index))
        if self.name:
            out.append(("NM", self.name))
        if self.target is not None:
            out.append(("UN", self.target))
        return out


def encode_request(request: Request) -> bytes:
    """The body our client posts: ``VER=..&CMD=..&SEQ=..&UIN=..&...``."""
    head: list[tuple[str, object]] = [
        ("VER", request.ver),
        ("CMD", request.command.request_name),
        ("SEQ", request.seq),
        ("UIN", request.uin),
    ]
    return "&".join(
        f"{k}={encode_request_value(v)}" for k, v in head + request.body_fields()
    ).encode("ascii")


# Numbers are at most 18 digits so that they fit a 64-bit store column.
_DIGITS = re.compile(r"[0-9]{1,18}")
#: A client message id (CI): short, and plain enough to need no escaping anywhere.
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _Head(TypedDict):
    """The fields every request carries, as keyword arguments of a Request."""

    uin: int
    seq: str
    ver: str


class _Fields:
    """Typed access to a request's fields; every failure is a ProtocolError (NULL)."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw

    def number(self, key: str, default: int | None = None) -> int:
        value = self.raw.get(key, "")
        if value == "":
            if default is None:
                raise ProtocolError(f"missing {key}")
            return default
        if not _DIGITS.fullmatch(value):
            raise ProtocolError(f"{key} is not a number")
        return int(value)

    def text(self, key: str, *, required: bool = False) -> str:
        if key not in self.raw:
            if required:
                raise ProtocolError(f"missing {key}")
            return ""
        value = self.raw[key]
        if is_invalid_utf8(value):
            raise ProtocolError(f"{key} is not UTF-8")
        return value


def _login(f: _Fields, head: _Head) -> Request:
    password = f.text("PS")
    if not password:
        raise ProtocolError("empty PS")
    if f.raw.get("LC", "") != LOGIN_CODE:
        raise ProtocolError("wrong LC")
    return LoginRequest(
        password_md5=password,
        want_instance=f.raw.get("SI") == "1",
        want_extensions=f.raw.get("EX") == "1",
        **head,
    )


def _ack(f: _Fields, head: _Head) -> Request:
    return AddBuddyAnswerRequest(
        target=f.number("UN"), code=f.number("CD"), reason=f.text("RS"), **head
    )


def _change_stat(f: _Fields, head: _Head) -> Request:
    try:
        status = Status(f.number("ST"))
    except ValueError:
        raise ProtocolError("unknown ST") from None
    return ChangeStatusRequest(status=status, **head)


def _send(f: _Fields, head: _Head) -> Request:
    text = f.text("MG", required=True)
    if not 1 <= len(text) <= MAX_MESSAGE_CHARS:
        raise ProtocolError("MG must hold 1 to 2000 characters")
    client_id = f.raw.get("CI") or None
    if client_id is not None and not _CLIENT_ID.fullmatch(client_id):
        raise ProtocolError("CI must be 1 to 64 letters, digits, '.', '_' or '-'")
    return SendMessageRequest(target=f.number("UN"), text=text, client_id=client_id, **head)


def _privacy(f: _Fields, head: _Head) -> Request:
    values: dict[str, Audience] = {}
    for key, name in PRIVACY_KEYS.items():
        if f.raw.get(key):
            try:
                values[name] = Audience(f.number(key))
            except ValueError:
                raise ProtocolError(f"{key} must be 0, 1 or 2") from None
    return PrivacyRequest(**values, **head)


def _set_info(f: _Fields, head: _Head) -> Request:
    changes: dict[str, str | int] = {}
    for attr, key in SET_INFO_KEYS.items():
        if key not in f.raw:
            continue
        if attr in EDITABLE_NUMBERS:
            changes[attr] = f.number(key)
        else:
            changes[attr] = f.text(key)
    if not changes:
        raise ProtocolError("SetInfo without a field to change")
    return SetInfoRequest(changes=changes, **head)


def _set_password(f: _Fields, head: _Head) -> Request:
    return SetPasswordRequest(old_md5=f.text("PS"), new_md5=f.text("NP"), **head)


def _fetch(f: _Fields, head: _Head) -> Request:
    wait = f.number("WT") if f.raw.get("WT") else None
    ack = f.number("AK") if f.raw.get("AK") else None
    return FetchMessagesRequest(wait=wait, ack=ack, **head)


def _finger(f: _Fields, head: _Head) -> Request:
    sex_value = f.number("SX", -1)
    if sex_value not in (-1, 0, 1):
        raise ProtocolError("SX must be 0, 1 or empty")
    page = f.number("TN", 20) or 20
    return SearchRequest(
        age=f.number("AG", 0),
        sex=None if sex_value == -1 else Sex(sex_value),
        province=f.text("PV").strip(),
        page_size=page,
        offset=f.number("UN", 0),
        **head,
    )


def _buddy_entries(f: _Fields, head: _Head) -> Request:
    page = f.number("TN", LIST_EX_PAGE) or LIST_EX_PAGE
    return BuddyEntriesRequest(page_size=page, offset=f.number("UN", 0), **head)


def _remark(f: _Fields, head: _Head) -> Request:
    if "RK" not in f.raw:
        raise ProtocolError("missing RK")
    return RemarkRequest(target=f.number("UN"), remark=f.text("RK"), **head)


def _category(f: _Fields, head: _Head) -> Request:
    try:
        operation = CategoryOperation(f.raw.get("OP", "").strip().lower())
    except ValueError:
        raise ProtocolError("unknown OP") from None
    match operation:
        case CategoryOperation.READ:
            return CategoryRequest(**head)
        case CategoryOperation.ADD:
            return CategoryRequest(operation=operation, name=_category_name(f), **head)
        case CategoryOperation.RENAME:
            return CategoryRequest(
                operation=operation, index=f.number("CG"), name=_category_name(f), **head
            )
        case CategoryOperation.DELETE:
            return CategoryRequest(operation=operation, index=f.number("CG"), **head)
        case CategoryOperation.ORDER:
            items = [item.strip() for item in f.raw.get("CG", "").split(",") if item.strip()]
            if not all(_DIGITS.fullmatch(item) for item in items):
                raise ProtocolError("CG is not a list of numbers")
            order = tuple(int(item) for item in items)
            return CategoryRequest(operation=operation, order=order, **head)
        case CategoryOperation.MOVE:
            return CategoryRequest(
                operation=operation, index=f.number("CG"), target=f.number("UN"), **head
            )


def _category_name(f: _Fields) -> str:
    name = f.text("NM", required=True)
    if not name.strip():
        raise ProtocolError("empty NM")
    return name


_DECODERS: dict[Command, Callable[[_Fields, _Head], Request]] = {
    Command.LOGIN: _login,
    Command.LIST: lambda f, h: BuddyListRequest(
        page_size=f.number("TN", 0), offset=f.number("UN", 0), **h
    ),
    Command.QUERY_STAT: lambda f, h: OnlineBuddiesRequest(
        page_size=f.number("TN", 0), offset=f.number("UN", 0), **h
    ),
    Command.GET_INFO: lambda f, h: ProfileRequest(level=f.number("LV"), target=f.number("UN"), **h),
    Command.ADD_TO_LIST: lambda f, h: AddBuddyRequest(target=f.number("UN"), **h),
    Command.ACK_ADD_TO_LIST: _ack,
    Command.DEL_FROM_LIST: lambda f, h: RemoveBuddyRequest(target=f.number("UN"), **h),
    Command.CHANGE_STAT: _change_stat,
    Command.LOGOUT: lambda f, h: LogoutRequest(**h),
    Command.GET_MSG_EX: _fetch,
    Command.CLTMSG: _send,
    Command.FINGER: _finger,
    Command.PRIVACY: _privacy,
    Command.SET_INFO: _set_info,
    Command.SET_PASSWORD: _set_password,
    Command.LIST_EX: _buddy_entries,
    Command.REMARK: _remark,
    Command.CATEGORY: _category,
}


def decode_request(raw: Mapping[str, str]) -> Request:
    """Turn parsed request fields into a typed request.

    Raises ProtocolError for every case the notes answer with NULL: unknown
    VER or CMD, a missing required field, a number that is not digits, invalid
    UTF-8 in a text field, Login with empty PS or a wrong LC.
    """
    ver = raw.get("VER", "")
    if ver not in SUPPORTED_VERSIONS:
        raise ProtocolError(f"unsupported VER {ver!r}")
    command = Command.parse(raw.get("CMD", ""))
    if command is None:
        raise ProtocolError(f"unknown CMD {raw.get('CMD', '')!r}")
    if "SEQ" not in raw:
        raise ProtocolError("missing SEQ")
    seq = raw["SEQ"]
    if is_invalid_utf8(seq):
        raise ProtocolError("SEQ is not UTF-8")
    f = _Fields(raw)
    head: _Head = {"uin": f.number("UIN"), "seq": seq, "ver": ver}
    return _DECODERS[command](f, head)


# --------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Echo:
    """The header a reply echoes back: VER, SEQ and UIN of the request."""

    ver: str = CLIENT_VERSION
    seq: str = ""
    uin: str = ""


@dataclass(frozen=True, kw_only=True)
class Reply:
    """Base of every non-NULL reply; ``echo`` is filled in by decode_reply."""

    echo: Echo = field(default=Echo(), compare=False)


@dataclass(frozen=True, kw_only=True)
class ErrorReply(Reply):
    """RES other than 0: too frequent, no such number, not logged in."""

    command: Command
    result: Result


@dataclass(frozen=True, kw_only=True)
class LoginOk(Reply):
    keepalive: int = 60
    idle_timeout: int = 300
    long_poll: int | None = None
    nick: str = ""
    face: int | None = None
    #: Extension SI: this run of the server (new at each start); a client that asked.
    instance: str = ""
    #: Extension EX: the contact extensions the server has (request names); a client
    #: that asked.
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LoginRefused(Reply):
    reason: str


@dataclass(frozen=True, kw_only=True)
class BuddyCount(Reply):
    count: int


@dataclass(frozen=True, kw_only=True)
class BuddyPage(Reply):
    last: bool
    uins: list[int]


@dataclass(frozen=True)
class OnlineBuddy:
    uin: int
    status: Status | int
    face: int = 0
    nick: str = ""


@dataclass(frozen=True, kw_only=True)
class OnlineCount(Reply):
    count: int


@dataclass(frozen=True, kw_only=True)
class OnlinePage(Reply):
    last: bool
    buddies: list[OnlineBuddy]


@dataclass(frozen=True, kw_only=True)
class ProfileReply(Reply):
    level: int
    profile: Profile


@dataclass(frozen=True, kw_only=True)
class AddBuddyReply(Reply):
    """AddToList's answer; ``auth`` is the raw CD (2 is read like 3)."""

    target: int
    auth: int


@dataclass(frozen=True, kw_only=True)
class Done(Reply):
    """A plain RES=0 for Ack_AddToList, DelFromList, Change_Stat, CLTMSG, Logout."""

    command: Command


@dataclass(frozen=True)
class Message:
    """One entry of a GetMsgEx reply; id and time only with the extensions."""

    kind: MessageType | int
    sender: int
    text: str
    id: int | None = None
    time: int | None = None


@dataclass(frozen=True, kw_only=True)
class MessagesReply(Reply):
    messages: list[Message]
    #: Write MI and TM (only for a client that sent WT or AK).
    extended: bool = False


@dataclass(frozen=True, kw_only=True)
class PrivacyReply(Reply):
    """Privacy's answer (extension): who sees each private field now."""

    privacy: ProfilePrivacy


@dataclass(frozen=True, kw_only=True)
class PasswordReply(Reply):
    """SetPassword's answer (extension): changed, or refused with a reason (RS=1, RA)
    because the old password was wrong."""

    changed: bool
    reason: str = ""


@dataclass(frozen=True)
class SearchResult:
    uin: int
    nick: str
    face: int
    age: int
    sex: Sex | int
    province: str
    status: Status | int


@dataclass(frozen=True, kw_only=True)
class SearchPage(Reply):
    last: bool
    results: list[SearchResult]


# ---- contact extensions' replies


@dataclass(frozen=True)
class ListedBuddy:
    """One buddy of a ListEx page."""

    uin: int
    nick: str
    face: int
    status: Status | int
    category: int
    remark: str


@dataclass(frozen=True, kw_only=True)
class BuddyEntriesPage(Reply):
    last: bool
    buddies: list[ListedBuddy]


@dataclass(frozen=True, kw_only=True)
class RemarkReply(Reply):
    """Remark's answer: the remark as the server kept it."""

    target: int
    remark: str


@dataclass(frozen=True, kw_only=True)
class CategoriesReply(Reply):
    """Category's answer: my categories in their order, after the change; ``made`` is
    the index a successful ADD got (None otherwise)."""

    categories: list[Category]
    made: int | None = None


# Key orders of GetInfo replies (seeds 000 and 001, PROTOCOL-NOTES).
_PROFILE_KEYS_2 = "AD AG EM FC HP JB LV PC PH PR PV RN SC SX UN NK".split()  # noqa: SIM905
_PROFILE_KEYS_3 = (
    "AD AG BT CO CT CV CY EM FC HP ID JB LV MO MT MV PC PH PR PV RN SC SH SX UN NK".split()  # noqa: SIM905
)
#: GetInfo key -> Profile attribute (LV is the level, written separately).
PROFILE_FIELD_BY_KEY = {
    "AD": "address",
    "AG": "age",
    "BT": "blood_type",
    "CO": "constellation",
    "CT": "city",
    "CV": "cv",
    "CY": "country",
    "EM": "email",
    "FC": "face",
    "HP": "homepage",
    "ID": "id_field",
    "JB": "job",
    "MO": "mobile",
    "MT": "mt",
    "MV": "mv",
    "PC": "postcode",
    "PH": "phone",
    "PR": "intro",
    "PV": "province",
    "RN": "real_name",
    "SC": "school",
    "SH": "zodiac",
    "SX": "sex",
    "UN": "uin",
    "NK": "nick",
}
#: The GetInfo keys SetInfo may carry, by Profile attribute, in GetInfo's order.
SET_INFO_KEYS = {
    attr: key
    for key, attr in PROFILE_FIELD_BY_KEY.items()
    if attr in EDITABLE_TEXT or attr in EDITABLE_NUMBERS
}
_PROFILE_ENUMS: dict[str, type[int]] = {
    "blood_type": BloodType,
    "constellation": Constellation,
    "zodiac": Zodiac,
    "sex": Sex,
}
_PROFILE_INTS = {"age", "face", "uin"}

# Replies that end with '&' after RES=0, byte for byte as the seeds show them.
_TRAILING_AMPERSAND = {
    Command.ACK_ADD_TO_LIST,
    Command.DEL_FROM_LIST,
    Command.CHANGE_STAT,
    Command.CLTMSG,
}


def profile_keys(level: int) -> list[str]:
    """GetInfo reply keys after RES for a level, in wire order (a new list each call)."""
    if level <= 1:
        return ["LV", "UN", "NK"]
    return list(_PROFILE_KEYS_2 if level == 2 else _PROFILE_KEYS_3)


@functools.lru_cache(maxsize=8)
def _profile_layout(level: int) -> tuple[tuple[str, str | None], ...]:
    """A level's reply keys with the profile field each one shows (None: LV itself)."""
    return tuple((key, PROFILE_FIELD_BY_KEY.get(key)) for key in profile_keys(level))


def _profile_pairs(level: int, profile: Profile) -> list[tuple[str, str]]:
    out = []
    for key, name in _profile_layout(level):
        if name is None:
            out.append((key, str(level)))
            continue
        value = getattr(profile, name)
        # (a number, or an enum of one, never holds a character to escape)
        out.append((key, str(int(value)) if isinstance(value, int) else escape(value)))
    return out


def _reply_pairs(reply: Reply) -> tuple[Command, list[tuple[str, str]]]:
    """The command a reply answers and its fields after VER CMD SEQ UIN."""
    ok = [("RES", "0")]
    match reply:
        case ErrorReply(command=c, result=r):
            return c, [("RES", str(int(r)))]
        case LoginOk():
            pairs = [
                *ok,
                ("RS", "0"),
                ("HI", str(reply.keepalive)),
                ("LI", str(reply.idle_timeout)),
            ]
            if reply.long_poll is not None:
                pairs.append(("LP", str(reply.long_poll)))
            if reply.nick:  # never empty: a legacy Java client breaks on empty values
                pairs.append(("NK", escape(reply.nick)))
            if reply.face is not None:
                pairs.append(("FC", str(reply.face)))
            if reply.instance:
                pairs.append(("SI", escape(reply.instance)))
            if reply.extensions:
                pairs.append(("EX", join_list(reply.extensions)))
            return Command.LOGIN, pairs
        case LoginRefused(reason=reason):
            # like NK above: the Java client breaks on an empty value here
            ra = [("RA", escape(reason))] if reason else []
            return Command.LOGIN, [*ok, ("RS", "1"), *ra]
        case BuddyCount(count=n):
            return Command.LIST, [*ok, ("FN", str(n))]
        case BuddyPage(last=last, uins=uins):
            return Command.LIST, [
                *ok,
                ("FN", "1" if last else "0"),
                ("SN", str(len(uins))),
                ("UN", join_list(uins)),
            ]
        case OnlineCount(count=n):
            return Command.QUERY_STAT, [*ok, ("FN", str(n))]
        case OnlinePage(last=last, buddies=bs):
            return Command.QUERY_STAT, [
                *ok,
                ("FC", join_list(b.face for b in bs)),
                ("FN", "1" if last else "0"),
                ("SN", str(len(bs))),
                ("ST", join_list(int(b.status) for b in bs)),
                ("UN", join_list(b.uin for b in bs)),
                ("NK", join_list(b.nick for b in bs)),
            ]
        case ProfileReply(level=level, profile=profile):
            return Command.GET_INFO, ok + _profile_pairs(level, profile)
        case AddBuddyReply(target=target, auth=auth):
            return Command.ADD_TO_LIST, [*ok, ("CD", str(auth)), ("UN", str(target))]
        case MessagesReply(messages=ms, extended=extended):
            pairs = list(ok)
            if extended:
                pairs.append(("MI", join_list(m.id or 0 for m in ms)))
                pairs.append(("TM", join_list(m.time or 0 for m in ms)))
            return Command.GET_MSG_EX, [
                *pairs,
                ("MN", str(len(ms))),
                ("MT", join_list(int(m.kind) for m in ms)),
                ("UN", join_list(m.sender for m in ms)),
                ("MG", join_list(m.text for m in ms)),
            ]
        case SearchPage(last=last, results=rs):
            return Command.FINGER, [
                *ok,
                ("FN", "1" if last else "0"),
                ("SN", str(len(rs))),
                ("UN", join_list(r.uin for r in rs)),
                ("NK", join_list(r.nick for r in rs)),
                ("FC", join_list(r.face for r in rs)),
                ("AG", join_list(r.age for r in rs)),
                ("SX", join_list(int(r.sex) for r in rs)),
                ("PV", join_list(r.province for r in rs)),
                ("ST", join_list(int(r.status) for r in rs)),
            ]
        case PrivacyReply(privacy=privacy):
            return Command.PRIVACY, [
                *ok,
                *((key, str(int(getattr(privacy, name)))) for key, name in PRIVACY_KEYS.items()),
            ]
        case PasswordReply(changed=changed, reason=reason):
            refused = [("RS", "1"), *([("RA", escape(reason))] if reason else [])]
            return Command.SET_PASSWORD, [*ok, *([("RS", "0")] if changed else refused)]
        case BuddyEntriesPage(last=last, buddies=bs):
            return Command.LIST_EX, [
                *ok,
                ("FN", "1" if last else "0"),
                ("SN", str(len(bs))),
                ("UN", join_list(b.uin for b in bs)),
                ("NK", join_list(b.nick for b in bs)),
                ("FC", join_list(b.face for b in bs)),
                ("ST", join_list(int(b.status) for b in bs)),
                ("CG", join_list(b.category for b in bs)),
                ("RK", join_list(b.remark for b in bs)),
            ]
        case RemarkReply(target=target, remark=remark):
            return Command.REMARK, [*ok, ("UN", str(target)), ("RK", escape(remark))]
        case CategoriesReply(categories=cs, made=made):
            made_pair = [] if made is None else [("NI", str(made))]
            return Command.CATEGORY, [
                *ok,
                *made_pair,
                ("CG", join_list(c.index for c in cs)),
                ("NM", join_list(c.name for c in cs)),
            ]
        case Done(command=c):
            return c, ok
    raise TypeError(f"not a reply: {reply!r}")


def encode_reply(reply: Reply, request: Request) -> bytes:
    """The exact reply body for a request, header echoed from it."""
    command, pairs = _reply_pairs(reply)
    head = [
        ("VER", request.ver),
        ("CMD", command.value),
        ("SEQ", escape(request.seq)),
        ("UIN", str(request.uin)),
    ]
    body = encode_fields(head + pairs)
    if isinstance(reply, Done) and command in _TRAILING_AMPERSAND:
        body += b"&"
    return body


def encode_error(command: Command, result: Result, request: Request) -> bytes:
    """Shorthand for a RES=3/5/20 reply to a request."""
    return encode_reply(ErrorReply(command=command, result=result), request)


# ---- reading replies (client side, lenient) ----


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _as_enum(enum_type: type[int], value: int) -> int:
    try:
        return enum_type(value)
    except ValueError:
        return value


def _decode_profile(kv: dict[str, str]) -> Profile:
    values: dict[str, object] = {}
    for key, attr in PROFILE_FIELD_BY_KEY.items():
        if key not in kv:
            continue
        raw = kv[key]
        if attr in _PROFILE_ENUMS:
            enum_type = _PROFILE_ENUMS[attr]
            number = _int(unescape(raw))
            try:
                values[attr] = enum_type(number)
            except ValueError:
                values[attr] = enum_type(0)
        elif attr in _PROFILE_INTS:
            values[attr] = _int(unescape(raw))
        else:
            values[attr] = unescape_text(raw)
    values.setdefault("uin", 0)
    return Profile(**values)  # type: ignore[arg-type]


def _aligned(kv: dict[str, str], keys: list[str]) -> list[list[str]]:
    """Read parallel lists; shorter lists are padded so items stay aligned."""
    columns = [split_list(kv.get(k, "")) for k in keys]
    length = max((len(c) for c in columns), default=0)
    return [c + [""] * (length - len(c)) for c in columns]


def decode_reply(body: bytes) -> Reply | None:
    """Read a reply from any server that speaks the protocol; None for NULL.

    Lenient: CMD in any case, whitespace and a trailing ``&`` tolerated,
    missing list items padded, double-encoded profile text decoded.
    Raises ProtocolError when the body is not a reply at all.
    """
    pairs = parse_reply_body(body)
    if not pairs:
        if body.strip():
            raise ProtocolError("reply holds no KEY=VALUE fields")
        return None
    kv: dict[str, str] = {}
    for k, v in pairs:
        kv.setdefault(k, v)
    command = Command.parse(kv.get("CMD", ""))
    if command is None:
        raise ProtocolError(f"reply with unknown CMD {kv.get('CMD', '')!r}")
    if "RES" not in kv:
        raise ProtocolError("reply without RES")
    echo = Echo(ver=kv.get("VER", ""), seq=unescape(kv.get("SEQ", "")), uin=kv.get("UIN", ""))
    res = _int(kv["RES"], -1)
    if res != 0:
        try:
            result = Result(res)
        except ValueError:
            raise ProtocolError(f"unknown RES {kv['RES']!r}") from None
        return ErrorReply(command=command, result=result, echo=echo)
    paged = "SN" in kv or "UN" in kv
    last = _int(kv.get("FN"), 1) == 1
    match command:
        case Command.LOGIN:
            if _int(kv.get("RS"), 1) != 0:
                return LoginRefused(reason=unescape(kv.get("RA", "")), echo=echo)
            return LoginOk(
                keepalive=_int(kv.get("HI"), 60),
                idle_timeout=_int(kv.get("LI"), 300),
                long_poll=_int(kv["LP"]) if kv.get("LP") else None,
                nick=unescape(kv.get("NK", "")),
                face=_int(kv["FC"]) if kv.get("FC") else None,
                instance=unescape(kv.get("SI", "")),
                extensions=tuple(x.strip() for x in split_list(kv.get("EX", "")) if x.strip()),
                echo=echo,
            )
        case Command.LIST if paged:
            return BuddyPage(last=last, uins=split_int_list(kv.get("UN", "")), echo=echo)
        case Command.LIST:
            return BuddyCount(count=_int(kv.get("FN")), echo=echo)
        case Command.QUERY_STAT if paged:
            fc, st, un, nk = _aligned(kv, ["FC", "ST", "UN", "NK"])
            buddies = [
                OnlineBuddy(uin=_int(u), status=_as_enum(Status, _int(s)), face=_int(f), nick=n)
                for f, s, u, n in zip(fc, st, un, nk, strict=True)
                if u
            ]
            return OnlinePage(last=last, buddies=buddies, echo=echo)
        case Command.QUERY_STAT:
            return OnlineCount(count=_int(kv.get("FN")), echo=echo)
        case Command.GET_INFO:
            return ProfileReply(level=_int(kv.get("LV")), profile=_decode_profile(kv), echo=echo)
        case Command.ADD_TO_LIST:
            return AddBuddyReply(target=_int(kv.get("UN")), auth=_int(kv.get("CD")), echo=echo)
        case Command.GET_MSG_EX:
            mt, un, mg, mi, tm = _aligned(kv, ["MT", "UN", "MG", "MI", "TM"])
            messages = [
                Message(
                    kind=_as_enum(MessageType, _int(t)),
                    sender=_int(u),
                    text=g,
                    id=_int(i) if i else None,
                    time=_int(s) if s else None,
                )
                for t, u, g, i, s in zip(mt, un, mg, mi, tm, strict=True)
            ]
            return MessagesReply(messages=messages, extended="MI" in kv, echo=echo)
        case Command.FINGER:
            cols = _aligned(kv, ["UN", "NK", "FC", "AG", "SX", "PV", "ST"])
            results = [
                SearchResult(
                    uin=_int(u),
                    nick=n,
                    face=_int(f),
                    age=_int(a),
                    sex=_as_enum(Sex, _int(x)),
                    province=p,
                    status=_as_enum(Status, _int(s, 20)),
                )
                for u, n, f, a, x, p, s in zip(*cols, strict=True)
                if u
            ]
            return SearchPage(last=last, results=results, echo=echo)
        case Command.PRIVACY:
            audiences = {
                name: _audience(_int(kv.get(key), int(Audience.NOBODY)))
                for key, name in PRIVACY_KEYS.items()
            }
            return PrivacyReply(privacy=ProfilePrivacy(**audiences), echo=echo)
        case Command.SET_PASSWORD:
            changed = _int(kv.get("RS"), 1) == 0
            return PasswordReply(changed=changed, reason=unescape(kv.get("RA", "")), echo=echo)
        case Command.LIST_EX:
            cols = _aligned(kv, ["UN", "NK", "FC", "ST", "CG", "RK"])
            listed = [
                ListedBuddy(
                    uin=_int(u),
                    nick=n,
                    face=_int(f),
                    status=_as_enum(Status, _int(s, 20)),
                    category=_int(c),
                    remark=r,
                )
                for u, n, f, s, c, r in zip(*cols, strict=True)
                if u
            ]
            return BuddyEntriesPage(last=last, buddies=listed, echo=echo)
        case Command.REMARK:
            return RemarkReply(
                target=_int(kv.get("UN")), remark=unescape(kv.get("RK", "")), echo=echo
            )
        case Command.CATEGORY:
            indexes, names = _aligned(kv, ["CG", "NM"])
            categories = [Category(_int(i), n) for i, n in zip(indexes, names, strict=True) if i]
            made = _int(kv["NI"]) if kv.get("NI") else None
            return CategoriesReply(categories=categories, made=made, echo=echo)
    return Done(command=command, echo=echo)


def _audience(value: int) -> Audience:
    """An audience from a reply; one we do not know reads as the strictest."""
    try:
        return Audience(value)
    except ValueError:
        return Audience.NOBODY
