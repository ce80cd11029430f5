"""Message content on the Smart QQ channel <-> core content parts (SMARTQQ-NOTES §6.6, §7.2).

Sends carry ``content`` as a *string* holding a JSON array of parts with the font
last; poll2 events carry a real array with the font first. Text is raw, never
HTML-escaped (§13.1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from qqdesk.core import Content, Face, Part, normalize

from .request import WebRequestError, as_int

#: The retcode for a ``content`` that is not a string holding a JSON array (seed 004).
BAD_CONTENT = 1000001

#: The font every event carries as its first element (seed 004's example).
DEFAULT_FONT: dict[str, Any] = {
    "color": "000000",
    "name": "微软雅黑",
    "size": 10,
    "style": [0, 0, 0],
}

#: The font our own client puts last in a send.
SEND_FONT: dict[str, Any] = {"name": "宋体", "size": 10, "style": [0, 0, 0], "color": "000000"}


#: qqdesk's client message id on a room send (an extension field of ``r``; the classic
#: CI's form): a send retried after a lost reply is kept once.
CLIENT_ID_FIELD = "qqdesk_client_id"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def decode_client_id(r: Mapping[str, Any]) -> str | None:
    """A send's client message id (None when absent: third-party clients never send it);
    WebRequestError(100006) when it is not 1 to 64 of ``A-Z a-z 0-9 . _ -``."""
    value = r.get(CLIENT_ID_FIELD)
    if value is None:
        return None
    if not isinstance(value, str) or not _CLIENT_ID.fullmatch(value):
        raise WebRequestError(f"{CLIENT_ID_FIELD} is malformed")
    return value


def decode_send_content(value: object) -> Content:
    """The parts of a send's ``content``; WebRequestError(1000001) when it is malformed.

    Lenient as the notes ask: the font may be anywhere or absent, its size a number
    or a string; unknown part kinds (pictures) are dropped.
    """
    if not isinstance(value, str):
        raise WebRequestError("content is not a string", BAD_CONTENT)
    try:
        parts = json.loads(value)
    except ValueError as exc:
        raise WebRequestError(f"content is not JSON: {exc}", BAD_CONTENT) from exc
    if isinstance(parts, str):
        return normalize([parts])
    if not isinstance(parts, list):
        raise WebRequestError("content is not a JSON array", BAD_CONTENT)
    return _parts(parts)


def _parts(parts: list[Any]) -> Content:
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, list) and part and part[0] == "face" and len(part) >= 2:
            face = as_int(part[1])
            if face is None or face < 0:
                raise WebRequestError(f"bad face: {part!r}", BAD_CONTENT)
            out.append(Face(face))
        # fonts, pictures (cface/offpic) and anything newer are not kept
    return normalize(out)


def encode_event_content(content: Content, font: dict[str, Any] | None = None) -> list[Any]:
    """The ``content`` array of a poll2 event: font first, then the parts.

    A trailing face is followed by ``" "`` as in real traffic, which keeps the Java
    client that reads ``content[3]`` of a discussion message alive (§6.6).
    """
    array: list[Any] = [["font", font or DEFAULT_FONT]]
    for part in content:
        array.append(["face", part.id] if isinstance(part, Face) else part)
    if content and isinstance(content[-1], Face):
        array.append(" ")
    return array


def encode_send_content(content: Content, font: dict[str, Any] | None = None) -> str:
    """A send's ``content`` string: the parts, then the font last (for our own client)."""
    array: list[Any] = [["face", p.id] if isinstance(p, Face) else p for p in content]
    array.append(["font", font or SEND_FONT])
    return json.dumps(array, ensure_ascii=False, separators=(",", ":"))


def decode_event_content(array: object) -> Content:
    """The parts of a poll2 event's content array (the font, wherever it is, dropped)."""
    if not isinstance(array, list):
        raise WebRequestError("event content is not an array")
    return _parts(array)
