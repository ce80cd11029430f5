"""Byte-level rules of the classic protocol: escaping, lists and KEY=VALUE bodies.

Lenient when reading, exact when writing (see docs/protocol.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote, unquote_to_bytes


class ProtocolError(ValueError):
    """A request or reply that the protocol answers with NULL (or cannot read)."""


# Characters escaped inside reply values, and nothing else (as in the seeds).
_ESCAPES = {"%": "%25", "&": "%26", "=": "%3d", ",": "%2c", "\r": "%0d", "\n": "%0a"}
_ESCAPE_RE = re.compile("[%&=,\r\n]")
_PERCENT_RE = re.compile(rb"%([0-9A-Fa-f]{2})")
_LEGACY_DOUBLE_RE = re.compile(r"%(?:2[cC5]|0[dDaA])")


def escape(value: str) -> str:
    """Escape a reply value: ``% & = , CR LF`` become lower-case ``%XX``."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], value)


def unescape(value: str) -> str:
    """Decode every ``%XX`` once; invalid UTF-8 is replaced, never fatal."""
    if "%" not in value:
        return value
    raw = _PERCENT_RE.sub(lambda m: bytes([int(m.group(1), 16)]), value.encode("utf-8"))
    return raw.decode("utf-8", errors="replace")


def unescape_text(value: str) -> str:
    """Decode a profile text field, undoing the legacy servers' double encoding.

    Legacy servers sent ``%252c`` for a comma; after one decoding ``%2c`` is
    still there, so such a value is decoded a second time.
    """
    once = unescape(value)
    if _LEGACY_DOUBLE_RE.search(once):
        return unescape(once)
    return once


def join_list(items: Iterable[object]) -> str:
    """A reply list: escaped items each followed by a comma; empty list is ''."""
    return "".join(escape(str(item)) + "," for item in items)


def split_list(value: str) -> list[str]:
    """Read a reply list leniently: trailing comma optional, items unescaped."""
    value = value.strip()
    if not value:
        return []
    parts = value.split(",")
    if parts[-1].strip() == "":
        parts.pop()
    return [unescape(p.strip()) for p in parts]


def split_int_list(value: str) -> list[int]:
    """A reply list of numbers; an item that is not a number reads as 0."""
    out = []
    for item in split_list(value):
        try:
            out.append(int(item))
        except ValueError:
            out.append(0)
    return out


def encode_fields(pairs: Sequence[tuple[str, str]]) -> bytes:
    """Join already-escaped reply values as ``K=V&K=V`` in the given order."""
    return "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8")


def parse_request_body(body: bytes, *, form_urlencoded: bool = False) -> dict[str, str]:
    """Read a request body into fields, the way every known client writes them.

    Split on ``&``, then on the first ``=``; trim whitespace around keys and
    values; decode ``%XX``; ``+`` is a space only for form-urlencoded bodies.
    The first occurrence of a key wins. Values are UTF-8: a value that is not
    valid UTF-8 is kept with a marker that :func:`is_invalid_utf8` detects, so
    the command decoder can refuse it where the notes say so.
    """
    fields: dict[str, str] = {}
    for part in body.split(b"&"):
        part = part.strip()
        if not part:
            continue
        key_b, _, value_b = part.partition(b"=")
        key = key_b.strip().decode("utf-8", errors="replace")
        if not key or key in fields:
            continue
        value_b = value_b.strip()
        if form_urlencoded:
            value_b = value_b.replace(b"+", b" ")
        raw = unquote_to_bytes(value_b) if b"%" in value_b else value_b
        try:
            fields[key] = raw.decode("utf-8")
        except UnicodeDecodeError:
            fields[key] = _INVALID_UTF8 + raw.decode("utf-8", errors="replace")
    return fields


# A value that was not valid UTF-8 starts with this private-use marker, so the
# command decoder can answer NULL for text fields and still read the others.
_INVALID_UTF8 = "\U000f0000"


def is_invalid_utf8(value: str) -> bool:
    return value.startswith(_INVALID_UTF8)


def parse_reply_body(body: bytes) -> list[tuple[str, str]]:
    """Read a reply into (key, raw value) pairs, values still escaped.

    Lenient: whitespace around keys and values is dropped, empty pieces (a
    trailing ``&``) are skipped, and anything from a second HTTP response that
    a legacy server wrote into the same body is cut off.
    """
    text = body.decode("utf-8", errors="replace")
    cut = re.search(r"\s*HTTP/1\.[01] \d{3}", text)
    if cut:
        text = text[: cut.start()]
    pairs = []
    for part in text.split("&"):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not key or not sep:
            continue
        pairs.append((key, value.strip()))
    return pairs


def encode_request_value(value: object) -> str:
    """Percent-encode a request value so any server reads it back intact."""
    return quote(str(value), safe="-_.~")
