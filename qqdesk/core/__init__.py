"""Protocol-neutral values shared by server, client and app: numbers, conversations,
presence, profiles and message content.

Every protocol family (classic text, Smart QQ web) translates to and from these at
its edge; nothing here knows a wire format, does I/O or imports Qt.
"""

from .content import (
    FACE_NAMES,
    Content,
    Face,
    Part,
    face_by_name,
    normalize,
    parse_text,
    plain_text,
    render_text,
)
from .conversation import Conversation, ConversationKind
from .numbers import MAX_UIN, MIN_UIN, is_account_number
from .presence import Presence
from .profile import (
    PRIVATE_FIELDS,
    Audience,
    AuthMode,
    BloodType,
    Constellation,
    Profile,
    ProfilePrivacy,
    Sex,
    Zodiac,
    face_picture_number,
)

__all__ = [
    "FACE_NAMES",
    "MAX_UIN",
    "MIN_UIN",
    "PRIVATE_FIELDS",
    "Audience",
    "AuthMode",
    "BloodType",
    "Constellation",
    "Content",
    "Conversation",
    "ConversationKind",
    "Face",
    "Part",
    "Presence",
    "Profile",
    "ProfilePrivacy",
    "Sex",
    "Zodiac",
    "face_by_name",
    "face_picture_number",
    "is_account_number",
    "normalize",
    "parse_text",
    "plain_text",
    "render_text",
]
