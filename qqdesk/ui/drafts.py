"""Unsent text kept per conversation, across closing the chat and restarting the app."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from qqdesk.core import Conversation

log = logging.getLogger(__name__)


class DraftChat(Protocol):
    """What a draft needs of a chat window."""

    uin: int
    input: QPlainTextEdit


def draft_key(account: int, conversation: Conversation) -> str:
    """``account:kind:number``: one account's draft for one conversation."""
    return f"{account}:{conversation.kind.value}:{conversation.number}"


def conversation_of(chat: Any) -> Conversation:
    """The chat's conversation (buddy chats know only their number)."""
    conversation = getattr(chat, "conversation", None)
    return conversation if isinstance(conversation, Conversation) else Conversation.buddy(chat.uin)


class DraftKeeper(QObject):
    """Restores a chat's draft when it opens and keeps what is typed in ``settings.drafts``.

    Typing saves after a short pause (a crash loses at most that pause), closing the
    chat saves at once; sending empties the input and so forgets the draft.
    """

    #: Typing pauses this long (ms) before the draft is written.
    SAVE_DELAY_MS = 800

    def __init__(self, settings: Any, account: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.account = account
        self._pending: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)

    def draft(self, conversation: Conversation) -> str:
        key = draft_key(self.account, conversation)
        if key in self._pending:
            return self._pending[key]
        drafts: dict[str, str] = getattr(self.settings, "drafts", {})
        return drafts.get(key, "")

    def attach(self, chat: DraftChat) -> None:
        """Put the kept draft in ``chat``'s input and follow what is typed there."""
        conversation = conversation_of(chat)
        key = draft_key(self.account, conversation)
        text = self.draft(conversation)
        if text and not chat.input.toPlainText():
            chat.input.setPlainText(text)
            chat.input.moveCursor(QTextCursor.MoveOperation.End)
        edit = chat.input

        def typed() -> None:
            self._pending[key] = edit.toPlainText()
            self._timer.start()

        edit.textChanged.connect(typed)
        # The input goes with its window; what it held is written then.
        edit.destroyed.connect(self.flush)
        closed = getattr(chat, "closed", None)
        if closed is not None:
            closed.connect(self.flush)

    def flush(self, *_: object) -> None:
        """Write the drafts typed since the last write (empty ones are forgotten)."""
        self._timer.stop()
        if not self._pending:
            return
        drafts = dict(getattr(self.settings, "drafts", {}))
        for key, text in self._pending.items():
            if text.strip():
                drafts[key] = text
            else:
                drafts.pop(key, None)
        self._pending.clear()
        if drafts == getattr(self.settings, "drafts", {}):
            return
        self.settings.drafts = drafts
        try:
            self.settings.save()
        except Exception as exc:  # a full disk must not break typing
            log.warning("drafts not saved: %s", exc)
