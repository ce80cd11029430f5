"""Opaque ids of buddies, groups and discussions on the Smart QQ channel (SMARTQQ-NOTES §5).

Smart QQ never showed a buddy's, group's or discussion's real number; clients get
opaque ids instead and send them back. qqdesk derives them with a keyed hash of
(viewer, conversation), so they are:

- stable across sign-ins and across server nodes sharing the key (a bot's saved
  contact table stays valid; any node can answer any request);
- different per viewer (one user's ids tell nothing about another's);
- above 2**32, so never mistaken for a QQ number (the viewer's own number is the
  one id that is a QQ number), and below 2**53, exact as a JavaScript number.
"""

from __future__ import annotations

import hashlib
import hmac

from qqdesk.core import Conversation

#: Opaque ids live in [2**32, 2**32 + 2**40): above every QQ number, below 2**53.
OPAQUE_BASE = 2**32
OPAQUE_SPAN = 2**40


def opaque_id(key: bytes, viewer: int, conversation: Conversation) -> int:
    """The id ``viewer`` sees for ``conversation`` (a buddy's, a group's or a discussion's)."""
    message = f"{viewer}:{conversation.key}".encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return OPAQUE_BASE + int.from_bytes(digest[:8], "big") % OPAQUE_SPAN


def is_opaque(number: int) -> bool:
    """True for a number in the opaque range (never a QQ number)."""
    return OPAQUE_BASE <= number < OPAQUE_BASE + OPAQUE_SPAN


class OpaqueIds:
    """Both directions for one viewer: ids of what they can see, and back.

    Forward is a pure function of the key; backward needs to know the candidates,
    which the caller offers (the viewer's buddies, groups and discussions) with
    :meth:`learn`. Two different conversations of one viewer colliding in 2**40
    ids is possible in principle (about one in 10**5 for a viewer with 10,000
    contacts); the first learnt keeps the id, and the second is still reachable
    by its number through the classic protocol.
    """

    def __init__(self, key: bytes, viewer: int) -> None:
        self.key = key
        self.viewer = viewer
        self._known: dict[int, Conversation] = {}

    def id_of(self, conversation: Conversation) -> int:
        """The opaque id of ``conversation``, remembered for :meth:`resolve`."""
        number = opaque_id(self.key, self.viewer, conversation)
        self._known.setdefault(number, conversation)
        return number

    def learn(self, conversations: list[Conversation]) -> None:
        """Make these resolvable (for example after listing the viewer's contacts)."""
        for conversation in conversations:
            self.id_of(conversation)

    def resolve(self, number: int) -> Conversation | None:
        """The conversation an id names, if learnt; the viewer's own number is the viewer."""
        if number == self.viewer:
            return Conversation.buddy(self.viewer)
        return self._known.get(number)
