"""Typed values of the classic HTTP QQ protocol: statuses, codes and profiles."""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: The login code every legacy client sends; anything else gets NULL.
LOGIN_CODE = "9326B87B234E7235"

#: Protocol versions the server answers; any other VER gets NULL.
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2", "1.4")

#: The version our client speaks.
CLIENT_VERSION = "1.1"

#: Longest message text (in characters) one CLTMSG may carry.
MAX_MESSAGE_CHARS = 2000

#: Most messages one GetMsgEx reply carries.
MAX_MESSAGES_PER_REPLY = 50

#: Numbers below this are never accounts (seed 001: UIN=100 gets RES=5).
MIN_UIN = 10000

#: Largest QQ number (32-bit unsigned); larger numbers are never accounts.
MAX_UIN = 4294967295


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


class MessageType(enum.IntEnum):
    """Kinds of messages GetMsgEx delivers (MT)."""

    ADD_REQUEST = 2
    REQUEST_APPROVED = 3
    REQUEST_REFUSED = 4
    TEXT = 9
    STATUS = 99


class AuthMode(enum.IntEnum):
    """Who may add a user to their buddy list (CD of AddToList)."""

    ANYONE = 0
    VERIFY = 1
    #: Seen from the legacy server (seed 001); clients treat it like NOBODY.
    NOBODY_LEGACY = 2
    NOBODY = 3

    @property
    def refuses_everyone(self) -> bool:
        return self in (AuthMode.NOBODY, AuthMode.NOBODY_LEGACY)


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


class Sex(enum.IntEnum):
    MALE = 0
    FEMALE = 1


class BloodType(enum.IntEnum):
    UNKNOWN = 0
    A = 1
    B = 2
    O = 3  # noqa: E741 - the blood type's own name
    AB = 4
    OTHER = 5


class Constellation(enum.IntEnum):
    UNKNOWN = 0
    AQUARIUS = 1
    PISCES = 2
    ARIES = 3
    TAURUS = 4
    GEMINI = 5
    CANCER = 6
    LEO = 7
    VIRGO = 8
    LIBRA = 9
    SCORPIO = 10
    SAGITTARIUS = 11
    CAPRICORN = 12


class Zodiac(enum.IntEnum):
    UNKNOWN = 0
    RAT = 1
    OX = 2
    TIGER = 3
    RABBIT = 4
    DRAGON = 5
    SNAKE = 6
    HORSE = 7
    GOAT = 8
    MONKEY = 9
    ROOSTER = 10
    DOG = 11
    PIG = 12


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
}
_BY_UPPER = {c.value.upper(): c for c in Command}


def face_picture_number(face: int) -> int:
    """The number of the picture for face id FC (seeds: FC/3+1, so 270 -> 91)."""
    return max(face, 0) // 3 + 1


@dataclass(frozen=True)
class Profile:
    """Everything GetInfo can tell about a user, in words.

    The four fields the seeds call unknown (CV, ID, MT, MV) are carried through
    verbatim so that a profile survives a round trip.
    """

    uin: int
    nick: str = ""
    face: int = 0
    age: int = 0
    sex: Sex = Sex.MALE
    province: str = ""
    city: str = ""
    country: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    homepage: str = ""
    job: str = ""
    school: str = ""
    real_name: str = ""
    intro: str = ""
    blood_type: BloodType = BloodType.UNKNOWN
    constellation: Constellation = Constellation.UNKNOWN
    zodiac: Zodiac = Zodiac.UNKNOWN
    cv: str = ""
    id_field: str = ""
    mt: str = ""
    mv: str = ""
