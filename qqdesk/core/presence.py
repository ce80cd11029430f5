"""One presence model for both protocol families (SMARTQQ-NOTES §13.2).

The server keeps the richer Smart QQ states; each protocol family projects them
onto its own codes at its edge (the classic one: 10 online, 30 busy, 40
invisible, 20 offline).
"""

from __future__ import annotations

import enum


class Presence(enum.Enum):
    """What a user has chosen to show, or OFFLINE when not signed in."""

    ONLINE = "online"
    AWAY = "away"
    BUSY = "busy"
    SILENT = "silent"
    CALLME = "callme"
    #: Signed in but shown to others as offline.
    HIDDEN = "hidden"
    OFFLINE = "offline"

    @property
    def visible(self) -> Presence:
        """What other users see: hidden shows as offline."""
        return Presence.OFFLINE if self is Presence.HIDDEN else self

    @property
    def is_online(self) -> bool:
        """True for states that others see as online (all but hidden and offline)."""
        return self not in (Presence.HIDDEN, Presence.OFFLINE)

    @property
    def is_signed_in(self) -> bool:
        """True for every state but offline (hidden users are signed in)."""
        return self is not Presence.OFFLINE
