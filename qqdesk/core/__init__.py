"""Protocol-neutral values shared by server, client and app: numbers, conversations,
presence, profiles, message content and rooms (groups, discussions).

Every protocol family (classic text, Smart QQ web) translates to and from these at
its edge; nothing here knows a wire format, does I/O or imports Qt.
"""

from .contacts import (
    DEFAULT_CATEGORY,
    MAX_CATEGORIES,
    MAX_CATEGORY_NAME,
    MAX_REMARK,
    BuddyEntry,
    Category,
    clip_name,
)
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
from .room import (
    MAX_ROOM_MEMBERS,
    ROOM_HISTORY,
    ROOM_HISTORY_AGE,
    Member,
    Room,
    RoomMessage,
)

__all__ = [
    "DEFAULT_CATEGORY",
    "FACE_NAMES",
    "MAX_CATEGORIES",
    "MAX_CATEGORY_NAME",
    "MAX_REMARK",
    "MAX_ROOM_MEMBERS",
    "MAX_UIN",
    "MIN_UIN",
    "PRIVATE_FIELDS",
    "ROOM_HISTORY",
    "ROOM_HISTORY_AGE",
    "Audience",
    "AuthMode",
    "BloodType",
    "BuddyEntry",
    "Category",
    "Constellation",
    "Content",
    "Conversation",
    "ConversationKind",
    "Face",
    "Member",
    "Part",
    "Presence",
    "Profile",
    "ProfilePrivacy",
    "Room",
    "RoomMessage",
    "Sex",
    "Zodiac",
    "clip_name",
    "face_by_name",
    "face_picture_number",
    "is_account_number",
    "normalize",
    "parse_text",
    "plain_text",
    "render_text",
]
