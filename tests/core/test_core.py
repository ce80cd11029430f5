"""The protocol-neutral values: conversations, presence and its classic projection, content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qqdesk.core import (
    Conversation,
    ConversationKind,
    Face,
    Presence,
    parse_text,
    plain_text,
    render_text,
)
from qqdesk.protocol.classic import Status


def test_conversation_key_round_trip() -> None:
    for conversation in (
        Conversation.buddy(10001),
        Conversation.group(4000000001),
        Conversation.discussion(7),
    ):
        assert Conversation.parse(conversation.key) == conversation
    assert Conversation.group(5).kind is ConversationKind.GROUP
    assert str(Conversation.buddy(10001)) == "buddy:10001"
    with pytest.raises(ValueError):
        Conversation.parse("10001")
    with pytest.raises(ValueError):
        Conversation.parse("channel:1")


def test_presence_visibility() -> None:
    assert Presence.HIDDEN.visible is Presence.OFFLINE
    assert Presence.AWAY.visible is Presence.AWAY
    assert Presence.HIDDEN.is_signed_in and not Presence.HIDDEN.is_online
    assert not Presence.OFFLINE.is_signed_in
    assert {p for p in Presence if p.is_online} == {
        Presence.ONLINE,
        Presence.AWAY,
        Presence.BUSY,
        Presence.SILENT,
        Presence.CALLME,
    }


def test_classic_projection_of_presence() -> None:
    """SMARTQQ-NOTES §13.2: away, busy, silent and callme show as 30 on the classic side."""
    assert Status.of(Presence.ONLINE) is Status.ONLINE
    for rich in (Presence.AWAY, Presence.BUSY, Presence.SILENT, Presence.CALLME):
        assert Status.of(rich) is Status.BUSY
    assert Status.of(Presence.HIDDEN) is Status.INVISIBLE
    assert Status.of(Presence.OFFLINE) is Status.OFFLINE
    for status in Status:
        assert Status.of(status.presence) is status
    # what others see agrees on both sides
    for presence in Presence:
        assert Status.of(presence.visible) is Status.of(presence).visible


def test_faces_in_text_form() -> None:
    content = parse_text("hi /微笑/酷 there /what")
    assert content == ("hi ", Face(14), Face(51), " there /what")
    assert render_text(content) == "hi /微笑/酷 there /what"
    assert plain_text(content) == "hi  there /what"
    assert Face(14).name == "微笑" and Face(14).english_name == "Smile"
    assert Face(999).name is None
    assert render_text((Face(999),)) == "/face999"
    assert parse_text("") == ()
    assert parse_text("/") == ("/",)


@given(st.text(alphabet=st.sampled_from(["a", "/", "微", "笑", "酷", " ", "色"]), max_size=30))
def test_text_form_round_trips(text: str) -> None:
    assert render_text(parse_text(text)) == text
