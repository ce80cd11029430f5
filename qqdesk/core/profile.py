"""A user's profile and the enumerations it uses, in words."""

from __future__ import annotations

import enum
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
