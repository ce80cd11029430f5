"""Message content as parts: text and classic faces, and its plain-text form.

A face travels as a part of its own on the Smart QQ channel (``["face", 14]``);
the classic protocol carries text only, so there a face is written as ``/微笑``
(the form Smart QQ clients such as qqbot used too) and read back when the name
is known. Unknown ``/words`` stay text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class Face:
    """One classic face (emoticon) by its id."""

    id: int

    @property
    def name(self) -> str | None:
        """The face's Chinese name, as written in text form; None when unknown."""
        names = FACE_NAMES.get(self.id)
        return names[0] if names else None

    @property
    def english_name(self) -> str | None:
        names = FACE_NAMES.get(self.id)
        return names[1] if names else None


Part: TypeAlias = str | Face
#: A message's content: text and faces in order (never two texts in a row).
Content: TypeAlias = tuple[Part, ...]

#: Face id -> (Chinese name, English name) for the classic faces (the first 103 of the
#: table Smart QQ clients share: expressions, then things and hands), in the order the
#: Smart QQ face panel showed them (the picker keeps it). The ids are what Smart QQ
#: clients send (``["face", 14]`` is 微笑; see SMARTQQ-NOTES §6.7), so they are not
#: contiguous; the Chinese names are the text form ``/微笑``; the English names are ours.
FACE_NAMES: dict[int, tuple[str, str]] = {
    14: ("微笑", "Smile"),
    1: ("撇嘴", "Pouting"),
    2: ("色", "Infatuated"),
    3: ("发呆", "Dazed"),
    4: ("得意", "Proud"),
    5: ("流泪", "Tears"),
    6: ("害羞", "Shy"),
    7: ("闭嘴", "Silent"),
    8: ("睡", "Sleepy"),
    9: ("大哭", "Crying"),
    10: ("尴尬", "Awkward"),
    11: ("发怒", "Angry"),
    12: ("调皮", "Tongue out"),
    13: ("呲牙", "Grin"),
    0: ("惊讶", "Surprised"),
    50: ("难过", "Sad"),
    51: ("酷", "Cool"),
    96: ("冷汗", "Cold sweat"),
    53: ("抓狂", "Frantic"),
    54: ("吐", "Throwing up"),
    73: ("偷笑", "Giggle"),
    74: ("可爱", "Cute"),
    75: ("白眼", "Eye roll"),
    76: ("傲慢", "Haughty"),
    77: ("饥饿", "Hungry"),
    78: ("困", "Drowsy"),
    55: ("惊恐", "Terrified"),
    56: ("流汗", "Sweating"),
    57: ("憨笑", "Silly grin"),
    58: ("大兵", "Soldier"),
    79: ("奋斗", "Determined"),
    80: ("咒骂", "Cursing"),
    81: ("疑问", "Puzzled"),
    82: ("嘘", "Shush"),
    83: ("晕", "Dizzy"),
    84: ("折磨", "Tormented"),
    85: ("衰", "Unlucky"),
    86: ("骷髅", "Skull"),
    87: ("敲打", "Bonk"),
    88: ("再见", "Bye"),
    97: ("擦汗", "Wiping sweat"),
    98: ("抠鼻", "Nose picking"),
    99: ("鼓掌", "Applause"),
    100: ("糗大了", "Mortified"),
    101: ("坏笑", "Smirk"),
    102: ("左哼哼", "Huff left"),
    103: ("右哼哼", "Huff right"),
    104: ("哈欠", "Yawn"),
    105: ("鄙视", "Scorn"),
    106: ("委屈", "Wronged"),
    107: ("快哭了", "About to cry"),
    108: ("阴险", "Sly"),
    109: ("亲亲", "Kiss"),
    110: ("吓", "Startled"),
    111: ("可怜", "Pitiful"),
    172: ("眨眼睛", "Wink"),
    182: ("笑哭", "Tears of joy"),
    179: ("doge", "Doge"),
    173: ("泪奔", "Sobbing"),
    174: ("无奈", "Helpless"),
    212: ("托腮", "Chin in hand"),
    175: ("卖萌", "Acting cute"),
    178: ("斜眼笑", "Side-eye grin"),
    177: ("喷血", "Spitting blood"),
    180: ("惊喜", "Delighted"),
    181: ("骚扰", "Pestering"),
    176: ("小纠结", "Torn"),
    183: ("我最美", "Gorgeous"),
    112: ("菜刀", "Cleaver"),
    32: ("西瓜", "Watermelon"),
    113: ("啤酒", "Beer"),
    114: ("篮球", "Basketball"),
    115: ("乒乓", "Ping-pong"),
    63: ("咖啡", "Coffee"),
    64: ("饭", "Rice"),
    59: ("猪头", "Pig"),
    33: ("玫瑰", "Rose"),
    34: ("凋谢", "Wilted"),
    116: ("示爱", "Lips"),
    36: ("爱心", "Heart"),
    37: ("心碎", "Broken heart"),
    38: ("蛋糕", "Cake"),
    91: ("闪电", "Lightning"),
    92: ("炸弹", "Bomb"),
    93: ("刀", "Knife"),
    29: ("足球", "Football"),
    117: ("瓢虫", "Ladybird"),
    72: ("便便", "Poop"),
    45: ("月亮", "Moon"),
    42: ("太阳", "Sun"),
    39: ("礼物", "Gift"),
    62: ("拥抱", "Hug"),
    46: ("强", "Thumbs up"),
    47: ("弱", "Thumbs down"),
    71: ("握手", "Handshake"),
    95: ("胜利", "Victory"),
    118: ("抱拳", "Fist salute"),
    119: ("勾引", "Beckon"),
    120: ("拳头", "Fist"),
    121: ("差劲", "Pinky down"),
    122: ("爱你", "Love you"),
    123: ("NO", "No"),
    124: ("OK", "OK"),
}

_BY_NAME: dict[str, int] = {names[0]: face for face, names in FACE_NAMES.items()}
#: Longest names first, so that a longer name wins over its own prefix.
_NAMES_LONGEST_FIRST = sorted(_BY_NAME, key=len, reverse=True)


def face_by_name(name: str) -> Face | None:
    """The face whose Chinese name is ``name``; None when there is none."""
    face = _BY_NAME.get(name)
    return None if face is None else Face(face)


def _append(parts: list[Part], part: Part) -> None:
    if isinstance(part, str):
        if not part:
            return
        if parts and isinstance(parts[-1], str):
            parts[-1] += part
            return
    parts.append(part)


def normalize(parts: list[Part] | tuple[Part, ...]) -> Content:
    """Content with empty texts dropped and neighbouring texts joined."""
    out: list[Part] = []
    for part in parts:
        _append(out, part)
    return tuple(out)


def parse_text(text: str) -> Content:
    """Content from the plain-text form: ``/微笑`` becomes Face(14); the rest is text."""
    parts: list[Part] = []
    start = 0
    i = text.find("/")
    while i != -1:
        for name in _NAMES_LONGEST_FIRST:
            if text.startswith(name, i + 1):
                _append(parts, text[start:i])
                _append(parts, Face(_BY_NAME[name]))
                start = i + 1 + len(name)
                break
        i = text.find("/", max(start, i + 1))
    _append(parts, text[start:])
    return tuple(parts)


def render_text(content: Content) -> str:
    """The plain-text form: faces as ``/名字`` (unknown faces as ``/face<id>``)."""
    out: list[str] = []
    for part in content:
        if isinstance(part, Face):
            out.append(f"/{part.name}" if part.name else f"/face{part.id}")
        else:
            out.append(part)
    return "".join(out)


def plain_text(content: Content) -> str:
    """Only the text parts, faces left out (for search indexes and previews)."""
    return "".join(part for part in content if isinstance(part, str))
