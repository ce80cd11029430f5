"""Search over all kept history (Ctrl+Shift+F): conversation, time and snippet per match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.client.types import StoredMessage
from qqdesk.core import Conversation

from . import icons
from .delegates import format_time

AnyIndex = QModelIndex | QPersistentModelIndex

# Characters of context shown before and after the match.
BEFORE, AFTER = 24, 60


def snippet(text: str, needle: str) -> str:
    """One line of ``text`` around the first ``needle`` (any case), with … where cut."""
    flat = " ".join(text.split())
    at = flat.casefold().find(needle.casefold()) if needle else -1
    if at < 0:
        return flat if len(flat) <= BEFORE + AFTER else flat[: BEFORE + AFTER] + "…"
    start = max(0, at - BEFORE)
    end = min(len(flat), at + len(needle) + AFTER)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


class SearchResultsModel(QAbstractTableModel):
    """Found messages, newest first: conversation, time, snippet."""

    CONVERSATION, TIME, MESSAGE = range(3)

    def __init__(self, name_of: Callable[[Conversation], str], parent: Any = None) -> None:
        super().__init__(parent)
        self._name_of = name_of
        self._found: list[StoredMessage] = []
        self._needle = ""

    def set_results(self, found: list[StoredMessage], needle: str) -> None:
        self.beginResetModel()
        self._found = list(found)
        self._needle = needle
        self.endResetModel()

    def message(self, row: int) -> StoredMessage:
        return self._found[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._found)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._found):
            return None
        found = self._found[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.CONVERSATION:
                return self._name_of(found.conversation)
            if column == self.TIME:
                return format_time(found.time)
            return snippet(found.text, self._needle)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.MESSAGE:
            return found.text
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (self.tr("Conversation"), self.tr("Time"), self.tr("Message"))
        return titles[section] if 0 <= section < 3 else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        if self._found:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._found) - 1, 2))


class HistorySearchWindow(QWidget):
    """Type to search every conversation kept on this computer; Enter or a double
    click opens the chat at that message (``openRequested(conversation, local_id, text)``)."""

    openRequested = Signal(object, int, str)

    # Typing pauses this long (ms) before the search runs.
    DELAY_MS = 200

    def __init__(
        self,
        session: ChatSession,
        name_of: Callable[[Conversation], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("historySearch")
        self.session = session
        self.setWindowIcon(icons.app_icon())
        self.edit = QLineEdit()
        self.edit.setObjectName("historySearchEdit")
        self.edit.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.edit.textChanged.connect(self._typed)
        self.edit.returnPressed.connect(self._enter)
        self.status = QLabel()
        self.status.setObjectName("historySearchStatus")
        self.results = SearchResultsModel(name_of, self)
        self.view = QTreeView()
        self.view.setObjectName("historySearchResults")
        self.view.setModel(self.results)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.activated.connect(self._activated)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        close.activated.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.resize(640, 420)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Search all messages"))
        self.edit.setPlaceholderText(self.tr("Search the messages kept on this computer"))
        self.results.retranslate()
        self._update_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _typed(self, _text: str) -> None:
        self._timer.start()

    def run_search(self) -> None:
        """Search for the text typed now (the timer runs this after a pause in typing)."""
        self._timer.stop()
        needle = self.edit.text().strip()
        found = self.session.search_history(needle) if needle else []
        self.results.set_results(found, needle)
        self._update_status()

    def _update_status(self) -> None:
        needle = self.edit.text().strip()
        count = self.results.rowCount()
        if not needle:
            self.status.setText(self.tr("Type a word or a number to search for."))
        elif count == 0:
            self.status.setText(self.tr("No message contains “{text}”.").format(text=needle))
        else:
            self.status.setText(self.tr("%n message(s) found", "", count))

    def _enter(self) -> None:
        self.run_search()
        if self.results.rowCount():
            self.view.setFocus()
            self.view.setCurrentIndex(self.results.index(0, 0))

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        found = self.results.message(index.row())
        self.openRequested.emit(found.conversation, found.local_id, self.edit.text().strip())
