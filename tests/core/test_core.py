"""The protocol-neutral values: conversations, presence and its classic projection, content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qqdesk.core import (
    FACE_NAMES,
    Conversation,
    ConversationKind,
    Face,
    Presence,
    face_by_name,
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


#: Every character of every face name, so generated text hits names, prefixes and near misses.
NAME_CHARACTERS = sorted({c for zh, _en in FACE_NAMES.values() for c in zh})


@given(st.text(alphabet=st.sampled_from(["a", "/", " ", *NAME_CHARACTERS]), max_size=30))
def test_text_form_round_trips(text: str) -> None:
    assert render_text(parse_text(text)) == text


def test_face_table_is_the_smart_qq_one() -> None:
    """Interoperability data (SMARTQQ-NOTES §6.7): ids as Smart QQ clients send them."""
    assert len(FACE_NAMES) >= 100
    expected = {
        14: "微笑", 1: "撇嘴", 2: "色", 13: "呲牙", 0: "惊讶", 50: "难过", 51: "酷",
        96: "冷汗", 74: "可爱", 86: "骷髅", 100: "糗大了", 107: "快哭了", 179: "doge",
        172: "眨眼睛", 212: "托腮", 183: "我最美", 112: "菜刀", 32: "西瓜", 59: "猪头",
        36: "爱心", 37: "心碎", 46: "强", 47: "弱", 93: "刀", 123: "NO", 124: "OK",
    }  # fmt: skip
    assert {face: FACE_NAMES[face][0] for face in expected} == expected
    chinese = [zh for zh, _en in FACE_NAMES.values()]
    english = [en for _zh, en in FACE_NAMES.values()]
    assert len(set(chinese)) == len(chinese)
    assert len(set(english)) == len(english)
    assert all(name and "/" not in name and not name.isspace() for name in chinese + english)
    # The picker shows them in Smart QQ's panel order, which starts with 微笑.
    assert next(iter(FACE_NAMES)) == 14


@pytest.mark.parametrize("face_id", list(FACE_NAMES))
def test_every_face_name_round_trips(face_id: int) -> None:
    face = Face(face_id)
    assert face.name is not None and face.english_name is not None
    assert face_by_name(face.name) == face
    text = f"/{face.name}"
    assert parse_text(text) == (face,)
    assert render_text((face,)) == text
    assert parse_text(f"a{text}b") == ("a", face, "b")


def test_no_face_name_breaks_another() -> None:
    """Any two faces written back to back come back as those two faces, whatever their
    names share (a name that is a prefix of another, or ends where another starts)."""
    faces = [Face(face_id) for face_id in FACE_NAMES]
    wrong = []
    for first in faces:
        for second in faces:
            content = (first, second)
            if parse_text(render_text(content)) != content:
                wrong.append((first.name, second.name))
    assert not wrong


def test_longest_name_wins() -> None:
    """No shorter name is taken out of a longer one: /快哭了 is one face, not 快哭 + 了."""
    names = {zh for zh, _en in FACE_NAMES.values()}
    for name in names:
        longer = [other for other in names if other != name and other.startswith(name)]
        for other in longer:
            assert parse_text(f"/{other}") == (face_by_name(other),)
    assert parse_text("/快哭了吗") == (Face(107), "吗")
    assert parse_text("/睡觉") == (Face(8), "觉")
    # Latin names are matched as they are, like the clients that share the table do.
    assert parse_text("/OKAY /ok") == (Face(124), "AY /ok")
