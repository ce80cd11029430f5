"""split_text: long texts become messages the server accepts, nothing lost or reordered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qqdesk.client import split_text
from qqdesk.protocol.classic import MAX_MESSAGE_CHARS


@given(st.text(min_size=1, max_size=9000), st.integers(min_value=4, max_value=3000))
def test_parts_rebuild_the_text_within_the_limit(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert "".join(parts) == text
    assert all(1 <= len(p) <= limit for p in parts)


def test_cuts_after_a_space_near_the_limit() -> None:
    words = ("word " * 500).strip()
    parts = split_text(words)
    assert len(parts) == 2
    assert len(parts[0]) <= MAX_MESSAGE_CHARS and parts[0].endswith(" ")
    assert not parts[1].startswith(" ")
    assert split_text("short") == ["short"]
    assert split_text("字" * (MAX_MESSAGE_CHARS + 1)) == ["字" * MAX_MESSAGE_CHARS, "字"]
