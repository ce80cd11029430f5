"""Account numbers (QQ numbers, "UIN"): which integers can be accounts."""

from __future__ import annotations

#: Numbers below this are never accounts (seed 001: UIN=100 gets RES=5).
MIN_UIN = 10000

#: Largest QQ number (32-bit unsigned); larger numbers are never accounts.
MAX_UIN = 4294967295


def is_account_number(number: int) -> bool:
    """True when ``number`` is in the range accounts are numbered in."""
    return MIN_UIN <= number <= MAX_UIN
