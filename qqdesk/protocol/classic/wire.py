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
# A second HTTP response a legacy server glued onto a reply: a status line that
# ends in a line break. Values never hold a raw line break (it is escaped), so
# text such as a message saying "HTTP/1.1 200" cannot be mistaken for one.
_GLUED_RESPONSE_RE = re.compile(r"HTTP/1\.[01] [0-9]{3}[^\r\n&]*\r?\n")


def escape(value: str) -> str:
    """Escape a reply value: ``% & = , CR LF`` become lower-case ``%XX``."""
    # Most values (numbers, nicknames) have nothing to escape: a search is a third
    # of the cost of a substitution that finds nothing.
    if _ESCAPE_RE.search(value) is None:
        return value
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
    still there, so such a value is decoded a second time. The same servers
    escaped CR LF only once (seed 000: ``%252c...%0d%0a``), so a raw line break
    next to ``%2c`` is no sign of single encoding. The price: text that really
    says ``%2c`` (or ``%25``, ``%0d``, ``%0a``) reads as the character.
    """
    once = unescape(value)
    if _LEGACY_DOUBLE_RE.search(once):
        return unescape(once)
    return once


def join_list(items: Iterable[object]) -> str:
    """A reply list: escaped items each followed by a comma; empty list is ''."""
    # A number (an account, a face, a status) never holds a character to escape.
    parts = [str(item) if isinstance(item, int) else escape(str(item)) for item in items]
    return ",".join(parts) + "," if parts else ""


def split_list(value: str) -> list[str]:
    """Read a reply list leniently: trailing comma optional, items unescaped.

    Items keep their whitespace: a message may start or end with spaces.
    """
    if not value:
        return []
    parts = value.split(",")
    if parts[-1].strip() == "":
        parts.pop()
    return [unescape(p) for p in parts]


def split_int_list(value: str) -> list[int]:
    """A reply list of numbers; an item that is not a number reads as 0."""
    out = []
    for item in split_list(value):
        try:
            out.append(int(item.strip()))
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
            fields[key] = InvalidUtf8(raw.decode("utf-8", errors="replace"))
    return fields


class InvalidUtf8(str):
    """A request value whose bytes were not UTF-8 (shown with U+FFFD).

    A distinct type rather than an in-band marker, so that no valid text can
    be mistaken for it; the command decoder answers NULL for text fields that
    hold one and still reads the others.
    """

    __slots__ = ()


def is_invalid_utf8(value: str) -> bool:
    """True for a request value that was not valid UTF-8."""
    return isinstance(value, InvalidUtf8)


def parse_reply_body(body: bytes) -> list[tuple[str, str]]:
    """Read a reply into (key, raw value) pairs, values still escaped.

    Lenient: whitespace around keys is dropped, empty pieces (a trailing
    ``&``) are skipped, line breaks after the last value are dropped, and
    anything from a second HTTP response that a legacy server wrote into the
    same body is cut off. Values keep their spaces: they belong to the text.
    """
    text = body.decode("utf-8", errors="replace")
    cut = _GLUED_RESPONSE_RE.search(text)
    if cut:
        text = text[: cut.start()]
    text = text.rstrip("\r\n")
    pairs = []
    for part in text.split("&"):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not key or not sep:
            continue
        pairs.append((key, value))
    return pairs


def encode_request_value(value: object) -> str:
    """Percent-encode a request value so any server reads it back intact."""
    return quote(str(value), safe="-_.~")
