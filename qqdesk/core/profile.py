"""A user's profile and the enumerations it uses, in words."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class AuthMode(enum.IntEnum):
    """Who may add a user to their buddy list."""

    ANYONE = 0
    VERIFY = 1
    #: Seen from the legacy server (seed 001); treated like NOBODY.
    NOBODY_LEGACY = 2
    NOBODY = 3

    @property
    def refuses_everyone(self) -> bool:
        return self in (AuthMode.NOBODY, AuthMode.NOBODY_LEGACY)


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


class Audience(enum.IntEnum):
    """Who may see one of a user's private profile fields (their own choice)."""

    EVERYONE = 0
    #: Users on the owner's buddy list (whom the owner chose), and the owner.
    BUDDIES = 1
    #: Only the owner.
    NOBODY = 2


#: The Profile fields whose audience each user chooses.
PRIVATE_FIELDS = ("mobile", "real_name", "address", "phone")

#: Shortest password an account takes (creating one, or changing it): three letters
#: are guessed in seconds.
MIN_PASSWORD = 6
#: Longest nickname (the classic clients show about this much).
MAX_NICK = 24
#: Highest face id: pictures 1..100 are face ids 0..299 (FC/3+1).
MAX_FACE = 299
#: Oldest age a profile states.
MAX_AGE = 150
#: The text fields of one's own profile that one may change, with their longest length
#: in characters (the nickname too, which must not be blank). Only ``intro`` may hold
#: line breaks. The four fields nobody knows the meaning of (cv, id_field, mt, mv) are
#: carried, never edited.
EDITABLE_TEXT = {
    "nick": MAX_NICK,
    "province": 32,
    "city": 32,
    "country": 32,
    "address": 100,
    "postcode": 16,
    "phone": 32,
    "mobile": 32,
    "email": 64,
    "homepage": 128,
    "job": 64,
    "school": 64,
    "real_name": 32,
    "intro": 500,
}
#: The number fields of one's own profile that one may change, with their highest value
#: (all start at 0; sex, blood type, constellation and zodiac are their enumerations).
EDITABLE_NUMBERS = {
    "face": MAX_FACE,
    "age": MAX_AGE,
    "sex": 1,
    "blood_type": 5,
    "constellation": 12,
    "zodiac": 12,
}


@dataclass(frozen=True)
class ProfilePrivacy:
    """Who sees each private field of one user's profile (everyone, by default: what
    every account showed before the choice existed)."""

    mobile: Audience = Audience.EVERYONE
    real_name: Audience = Audience.EVERYONE
    address: Audience = Audience.EVERYONE
    phone: Audience = Audience.EVERYONE

    def hidden(self, *, buddy: bool) -> list[str]:
        """The private fields a viewer other than the owner may not see (``buddy``: the
        viewer is on the owner's buddy list)."""
        return [
            name
            for name in PRIVATE_FIELDS
            if getattr(self, name) is Audience.NOBODY
            or (getattr(self, name) is Audience.BUDDIES and not buddy)
        ]


def check_profile_changes(changes: Mapping[str, object]) -> None:
    """ValueError, saying which and why, unless every change is one a user may make to
    their own profile: an editable field (EDITABLE_TEXT, EDITABLE_NUMBERS), text within
    its length and on one line (the intro may break lines), a non-blank nickname, a
    number within its range."""
    for name, value in changes.items():
        if name in EDITABLE_TEXT:
            if not isinstance(value, str):
                raise ValueError(f"{name} must be text")
            if len(value) > EDITABLE_TEXT[name]:
                raise ValueError(f"{name} is longer than {EDITABLE_TEXT[name]} characters")
            if name != "intro" and ("\r" in value or "\n" in value):
                raise ValueError(f"{name} must be one line")
            if name == "nick" and not value.strip():
                raise ValueError("nick must not be blank")
        elif name in EDITABLE_NUMBERS:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be a number")
            if not 0 <= value <= EDITABLE_NUMBERS[name]:
                raise ValueError(f"{name} must be 0 to {EDITABLE_NUMBERS[name]}")
        else:
            raise ValueError(f"{name} is not a field one may change")


def face_picture_number(face: int) -> int:
    """The number of the picture for profile face id ``face`` (FC/3+1, so 270 -> 91)."""
    return max(face, 0) // 3 + 1


@dataclass(frozen=True)
class Profile:
    """Everything known about a user, in words.

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
