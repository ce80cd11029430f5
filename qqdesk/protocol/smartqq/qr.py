"""The QR picture of a web sign-in and the short code it carries (SMARTQQ-NOTES §13.4).

The code is what the account's owner types into qqdesk (or ``qqdesk-server
web-login approve``) to approve the sign-in; the picture is a real QR code that
carries the same code, so a phone can read it too. segno draws it: a small,
pure-Python, maintained QR encoder (no imaging library needed for PNG).
"""

from __future__ import annotations

import io
import secrets

import segno

#: Letters and digits that cannot be mistaken for one another when typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    """A fresh sign-in code such as ``K7QM-2XPD`` (40 bits of randomness)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str | None:
    """A typed code in canonical form (case, spaces and dashes forgiven); None if invalid."""
    raw = "".join(c for c in text.upper() if c not in " -\t")
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def qr_png(code: str, *, scale: int = 5, border: int = 4) -> bytes:
    """A PNG of a QR code carrying ``code`` (about 165 px square at the defaults)."""
    out = io.BytesIO()
    segno.make_qr(code, error="m").save(out, kind="png", scale=scale, border=border)
    return out.getvalue()
