"""Profile privacy: each user chooses who sees their mobile, real name, address and phone."""

from __future__ import annotations

import dataclasses
from typing import Any

from qqdesk.core import Audience, Profile, ProfilePrivacy

from ..store import Store
from .sessions import Refusal, Refused


async def profile_seen_by(store: Store, viewer: int, profile: Profile) -> Profile:
    """``profile`` as ``viewer`` may see it: the private fields its owner hides from
    them are empty. The owner sees everything."""
    if viewer == profile.uin:
        return profile
    privacy = await store.privacy(profile.uin)
    if privacy is None or privacy == ProfilePrivacy():
        return profile
    needs_buddy = Audience.BUDDIES in dataclasses.astuple(privacy)
    buddy = needs_buddy and viewer in await store.buddies(profile.uin)
    blanks: dict[str, Any] = dict.fromkeys(privacy.hidden(buddy=buddy), "")
    return dataclasses.replace(profile, **blanks) if blanks else profile


async def change_privacy(store: Store, uin: int, changes: dict[str, Audience]) -> ProfilePrivacy:
    """Set who sees the fields named in ``changes`` (the others stay); the whole choice.
    Refused (NO_SUCH_ACCOUNT) for a number that is no account."""
    privacy = await store.privacy(uin)
    if privacy is None:
        raise Refused(Refusal.NO_SUCH_ACCOUNT)
    if changes:
        privacy = dataclasses.replace(privacy, **changes)
        if not await store.set_privacy(uin, privacy):
            raise Refused(Refusal.NO_SUCH_ACCOUNT)
    return privacy
