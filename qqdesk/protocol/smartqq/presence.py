"""Core presence <-> the Smart QQ status words and ``stat`` codes (SMARTQQ-NOTES §5.4, §13.2)."""

from __future__ import annotations

from qqdesk.core import Presence

#: get_group_info_ext2 ``stats[].stat`` codes.
_STAT_CODES = {
    Presence.ONLINE: 10,
    Presence.OFFLINE: 20,
    Presence.AWAY: 30,
    Presence.HIDDEN: 40,
    Presence.BUSY: 50,
    Presence.CALLME: 60,
    Presence.SILENT: 70,
}

#: ``client_type`` of a session on this channel (41: web) and on the classic one (1: pc).
CLIENT_TYPE_WEB = 41
CLIENT_TYPE_PC = 1


def status_word(presence: Presence) -> str:
    """The word Smart QQ uses (``online``, ``busy``, ``hidden``...); it is the value."""
    return presence.value


def parse_status_word(word: str) -> Presence | None:
    """The presence a status word names (change_status2, login2); None if unknown."""
    try:
        return Presence(word.strip().lower())
    except ValueError:
        return None


def stat_code(presence: Presence) -> int:
    """The numeric ``stat`` of a group member (10 online ... 70 silent)."""
    return _STAT_CODES[presence]
