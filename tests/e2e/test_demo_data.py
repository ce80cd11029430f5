"""The demo cast: every profile field filled, bilingual, with faces, auth modes and roles."""

from __future__ import annotations

import dataclasses
import re

from qqdesk.demo.data import (
    BUDDIES,
    EVERYONE,
    ME,
    OTHERS,
    UNKNOWN_FIELDS,
    Behaviour,
    Role,
    person,
    profile_fields,
)
from qqdesk.protocol.classic import AuthMode, Status
from qqdesk.protocol.classic.types import BloodType, Constellation, Profile, Sex, Zodiac

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def test_numbers_are_distinct_accounts() -> None:
    uins = [p.uin for p in EVERYONE]
    assert len(uins) == len(set(uins))
    assert all(u >= 10000 for u in uins)
    assert person(ME.uin) is ME


def test_about_ten_buddies_and_the_others() -> None:
    assert 9 <= len(BUDDIES) <= 12
    roles = {p.role for p in OTHERS}
    assert {Role.STRANGER, Role.REQUESTER, Role.CANDIDATE} <= roles
    assert sum(p.role is Role.STRANGER for p in OTHERS) >= 2


def test_every_profile_field_is_filled() -> None:
    for p in EVERYONE:
        profile = p.profile
        for f in dataclasses.fields(Profile):
            value = getattr(profile, f.name)
            if f.name in ("face", "sex"):
                continue  # 0 is a real face and a real sex
            assert value not in ("", 0), f"{p.uin} has no {f.name}"
        assert isinstance(profile.sex, Sex)
        assert profile.blood_type is not BloodType.UNKNOWN
        assert profile.constellation is not Constellation.UNKNOWN
        assert profile.zodiac is not Zodiac.UNKNOWN
        assert 0 < profile.age < 120


def test_names_and_intros_are_bilingual_with_commas_and_line_breaks() -> None:
    for p in EVERYONE:
        for name in ("nick", "intro", "job", "city", "real_name"):
            text = getattr(p.profile, name)
            assert CJK.search(text) and LATIN.search(text), f"{p.uin} {name}: {text!r}"
        assert "," in p.profile.intro and "\n" in p.profile.intro


def test_faces_spread_over_the_face_ids() -> None:
    faces = [p.profile.face for p in EVERYONE]
    assert all(0 <= f <= 297 and f % 3 == 0 for f in faces)
    assert len(set(faces)) == len(faces)
    assert min(faces) == 0 and max(faces) == 297


def test_auth_modes_and_behaviours() -> None:
    auths = {p.auth for p in EVERYONE}
    assert {AuthMode.ANYONE, AuthMode.VERIFY, AuthMode.NOBODY} <= auths
    # People who add the user must arrive as requests.
    assert ME.auth is AuthMode.VERIFY
    behaviours = {p.behaviour for p in EVERYONE}
    assert set(Behaviour) - {Behaviour.NONE} <= behaviours
    approver = next(p for p in OTHERS if p.behaviour is Behaviour.APPROVER)
    refuser = next(p for p in OTHERS if p.behaviour is Behaviour.REFUSER)
    assert approver.auth is AuthMode.VERIFY and refuser.auth is AuthMode.VERIFY
    # Someone the server itself turns away (AddToList CD=3), online to chat with.
    nobody = next(p for p in OTHERS if p.auth is AuthMode.NOBODY)
    assert nobody.behaviour is not Behaviour.NONE
    statuses = {p.status for p in BUDDIES if p.behaviour is not Behaviour.NONE}
    assert {Status.ONLINE, Status.BUSY} <= statuses
    # Some buddies stay offline, so the list shows both kinds.
    assert any(p.behaviour is Behaviour.NONE for p in BUDDIES)


def test_messages_of_bots_are_bilingual() -> None:
    for p in OTHERS + BUDDIES:
        for text in (p.opening, p.answer):
            if text:
                assert CJK.search(text) and LATIN.search(text), text


def test_profile_fields_leave_out_what_create_account_takes_apart() -> None:
    kw = profile_fields(ME.profile)
    assert "uin" not in kw and "nick" not in kw and "face" not in kw
    assert kw["intro"] == ME.profile.intro
    assert set(UNKNOWN_FIELDS) <= set(kw)
