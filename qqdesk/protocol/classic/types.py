"""Typed values of the classic HTTP QQ protocol: statuses, codes, and the core values it uses."""

from __future__ import annotations

import enum

from qqdesk.core import (
    MAX_UIN,
    MIN_UIN,
    AuthMode,
    BloodType,
    Constellation,
    Presence,
    Profile,
    Sex,
    Zodiac,
    face_picture_number,
)

__all__ = [
    "CLIENT_VERSION",
    "CONTACT_EXTENSIONS",
    "LIST_EX_PAGE",
    "LOGIN_CODE",
    "MAX_LIST_EX_PAGE",
    "MAX_MESSAGES_PER_REPLY",
    "MAX_MESSAGE_CHARS",
    "MAX_UIN",
    "MIN_UIN",
    "SUPPORTED_VERSIONS",
    "AckCode",
    "AuthMode",
    "BloodType",
    "Command",
    "Constellation",
    "MessageType",
    "Profile",
    "Result",
    "Sex",
    "Status",
    "Zodiac",
    "face_picture_number",
]

#: The login code every legacy client sends; anything else gets NULL.
LOGIN_CODE = "9326B87B234E7235"

#: Protocol versions the server answers; any other VER gets NULL.
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2", "1.4")

#: The version our client speaks.
CLIENT_VERSION = "1.1"

#: Longest message text (in characters) one CLTMSG may carry.
MAX_MESSAGE_CHARS = 2000

#: The contact extensions a qqdesk server lists in its Login reply (EX), by request name.
CONTACT_EXTENSIONS = ("ListEx", "Remark", "Category")
#: ListEx's page size when none is asked for, and the largest it answers with.
LIST_EX_PAGE = 200
MAX_LIST_EX_PAGE = 500

#: Most messages one GetMsgEx reply carries.
MAX_MESSAGES_PER_REPLY = 50


class Status(enum.IntEnum):
    """Presence of a user (ST, and MG of MT=99 messages)."""

    ONLINE = 10
    OFFLINE = 20
    BUSY = 30
    INVISIBLE = 40

    @property
    def visible(self) -> Status:
        """What other users see: invisible shows as offline."""
        return Status.OFFLINE if self is Status.INVISIBLE else self

    @property
    def is_online(self) -> bool:
        """True for statuses that others see as online (online, busy)."""
        return self in (Status.ONLINE, Status.BUSY)

    @property
    def presence(self) -> Presence:
        """The core presence this classic code stands for."""
        return _PRESENCE_BY_STATUS[self]

    @classmethod
    def of(cls, presence: Presence) -> Status:
        """The classic projection of a core presence (SMARTQQ-NOTES §13.2): away,
        busy, silent and callme all show as busy (30), hidden as invisible (40)."""
        return _STATUS_BY_PRESENCE[presence]


class MessageType(enum.IntEnum):
    """Kinds of messages GetMsgEx delivers (MT)."""

    ADD_REQUEST = 2
    REQUEST_APPROVED = 3
    REQUEST_REFUSED = 4
    TEXT = 9
    STATUS = 99


class AckCode(enum.IntEnum):
    """What an Ack_AddToList does (its CD)."""

    APPROVE = 0
    REFUSE = 1
    REQUEST = 2


class Result(enum.IntEnum):
    """Result codes (RES) of non-NULL replies."""

    OK = 0
    TOO_FREQUENT = 3
    NO_SUCH_NUMBER = 5
    NOT_LOGGED_IN = 20


class Command(enum.Enum):
    """Protocol commands; the value is the canonical spelling used in replies."""

    LOGIN = "Login"
    LIST = "LIST"
    QUERY_STAT = "QUERY_STAT"
    GET_INFO = "GETINFO"
    ADD_TO_LIST = "AddToList"
    ACK_ADD_TO_LIST = "Ack_AddToList"
    DEL_FROM_LIST = "DelFromList"
    CHANGE_STAT = "Change_Stat"
    LOGOUT = "LOGOUT"
    GET_MSG_EX = "GETMSGEX"
    CLTMSG = "CLTMSG"
    FINGER = "FINGER"
    #: Extension: read and set who sees one's private profile fields.
    PRIVACY = "PRIVACY"
    #: Extension: change one's own profile fields.
    SET_INFO = "SETINFO"
    #: Extension: change one's own password.
    SET_PASSWORD = "SETPASSWORD"
    #: Extensions: my buddy list in bulk, remarks, categories (docs/protocol.md 4.16-4.18).
    LIST_EX = "LISTEX"
    REMARK = "REMARK"
    CATEGORY = "CATEGORY"

    @property
    def request_name(self) -> str:
        """The spelling our client sends (as in the seeds' request lines)."""
        return _REQUEST_NAMES[self]

    @classmethod
    def parse(cls, name: str) -> Command | None:
        """Look a CMD value up case-insensitively; None when unknown."""
        return _BY_UPPER.get(name.strip().upper())


_REQUEST_NAMES = {
    Command.LOGIN: "Login",
    Command.LIST: "List",
    Command.QUERY_STAT: "Query_Stat",
    Command.GET_INFO: "GetInfo",
    Command.ADD_TO_LIST: "AddToList",
    Command.ACK_ADD_TO_LIST: "Ack_AddToList",
    Command.DEL_FROM_LIST: "DelFromList",
    Command.CHANGE_STAT: "Change_Stat",
    Command.LOGOUT: "Logout",
    Command.GET_MSG_EX: "GetMsgEx",
    Command.CLTMSG: "CLTMSG",
    Command.FINGER: "Finger",
    Command.PRIVACY: "Privacy",
    Command.SET_INFO: "SetInfo",
    Command.SET_PASSWORD: "SetPassword",
    Command.LIST_EX: "ListEx",
    Command.REMARK: "Remark",
    Command.CATEGORY: "Category",
}
_BY_UPPER = {c.value.upper(): c for c in Command}


_PRESENCE_BY_STATUS = {
    Status.ONLINE: Presence.ONLINE,
    Status.OFFLINE: Presence.OFFLINE,
    Status.BUSY: Presence.BUSY,
    Status.INVISIBLE: Presence.HIDDEN,
}
_STATUS_BY_PRESENCE = {
    Presence.ONLINE: Status.ONLINE,
    Presence.AWAY: Status.BUSY,
    Presence.BUSY: Status.BUSY,
    Presence.SILENT: Status.BUSY,
    Presence.CALLME: Status.BUSY,
    Presence.HIDDEN: Status.INVISIBLE,
    Presence.OFFLINE: Status.OFFLINE,
}
