"""The find bar of a chat window (Ctrl+F): marks a text in the bubbles, steps through it."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QToolButton,
    QWidget,
)

from .delegates import BubbleDelegate
from .models import ChatEntry, ChatHistoryModel, EntryKind

#: The history search answers at most this many (store.search's default limit).
STORE_CAP = 100


class FindEdit(QLineEdit):
    """The search field: Esc closes the bar (not the chat), Enter / Shift+Enter step."""

    escapePressed = Signal()
    nextRequested = Signal()
    previousRequested = Signal()

    def event(self, event: QEvent) -> bool:
        # The chat's Esc shortcut would close the whole conversation; here Esc is ours.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.escapePressed.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previousRequested.emit()
            else:
                self.nextRequested.emit()
            return
        super().keyPressEvent(event)


class FindBar(QWidget):
    """Finds a text in one conversation: newest match first; "previous" goes back in time
    and loads older history (``load_older``) when the loaded part has no earlier match."""

    # the bar closed (the chat puts the focus back in its input)
    closed = Signal()

    def __init__(
        self,
        view: QListView,
        model: ChatHistoryModel,
        delegate: BubbleDelegate,
        load_older: Callable[[], bool],  # a bound method (kept weakly)
        parent: QWidget | None = None,
        *,
        stored_matches: Callable[[str], list[int] | None] | None = None,  # bound, weakly
    ) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._view = view
        self._model = model
        self._delegate = delegate
        # Weakly: the chat owns this bar, and a cycle back to it would keep a closed
        # chat's wrapper alive until the next garbage collection.
        self._load_older = weakref.WeakMethod(load_older)
        # The history file's own search (newest first, capped): which older messages
        # match, so that older pages load only up to the next match, never the whole
        # history for a text that is not there.
        self._stored_matches = (
            None if stored_matches is None else weakref.WeakMethod(stored_matches)
        )
        self._stored: tuple[str, list[int] | None] = ("", None)
        self._current: ChatEntry | None = None
        self.edit = FindEdit()
        self.edit.setObjectName("findEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self._text_changed)
        self.edit.escapePressed.connect(self.close_bar)
        self.edit.nextRequested.connect(self.find_next)
        self.edit.previousRequested.connect(self.find_previous)
        self.count_label = QLabel()
        self.count_label.setObjectName("findCount")
        self.previous_button = QToolButton()
        self.previous_button.setArrowType(Qt.ArrowType.UpArrow)
        self.previous_button.setAutoRaise(True)
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button = QToolButton()
        self.next_button.setArrowType(Qt.ArrowType.DownArrow)
        self.next_button.setAutoRaise(True)
        self.next_button.clicked.connect(self.find_next)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 4)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.close_button)
        model.rowsInserted.connect(self._rows_inserted)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(self.tr("Find in this conversation"))
        self.previous_button.setToolTip(self.tr("Previous (older) match — Shift+Enter"))
        self.next_button.setToolTip(self.tr("Next (newer) match — Enter"))
        self.close_button.setToolTip(self.tr("Close the find bar — Esc"))
        self.close_button.setAccessibleName(self.tr("Close the find bar"))
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- opening and closing ---------------------------------------------------------

    def open_bar(self, text: str | None = None) -> None:
        """Show the bar with the focus in it (``text`` replaces what it held)."""
        self.show()
        if text is not None and text != self.edit.text():
            self.edit.setText(text)
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self._delegate.highlight = ""
        self._current = None
        self._view.viewport().update()
        self.closed.emit()

    # -- matches ---------------------------------------------------------------------

    def needle(self) -> str:
        return self.edit.text().strip()

    def matches(self) -> list[int]:
        """Rows of the loaded messages holding the text, oldest first."""
        needle = self.needle().casefold()
        if not needle:
            return []
        return [
            row
            for row in range(self._model.rowCount())
            if self._model.entry(row).kind is EntryKind.MESSAGE
            and needle in self._model.entry(row).text.casefold()
        ]

    def current_row(self) -> int:
        """The row of the match shown now; -1 when none."""
        if self._current is None:
            return -1
        for row in range(self._model.rowCount()):
            if self._model.entry(row) is self._current:
                return row
        return -1

    def _text_changed(self, _text: str) -> None:
        self._delegate.highlight = self.needle()
        self._current = None
        # A new text starts at the newest match, as one reads a chat from the end.
        rows = self.matches()
        if not rows and self.needle():
            rows = self._load_until(lambda: bool(self.matches()))
        if rows:
            self.go_to_row(rows[-1])
        self._view.viewport().update()
        self._update_count()

    def go_to_row(self, row: int) -> None:
        """Show and select ``row`` (a match, or a message the global search found)."""
        self._current = self._model.entry(row)
        index = self._view.model().index(row, 0, QModelIndex())
        self._view.setCurrentIndex(index)
        self._view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._update_count()

    def find_next(self) -> None:
        """The next newer match (wraps to the oldest loaded one)."""
        rows = self.matches()
        if not rows:
            return
        current = self.current_row()
        later = [r for r in rows if r > current]
        self.go_to_row(later[0] if later else rows[0])

    def find_previous(self) -> None:
        """The next older match; older history loads when the loaded part has none."""
        rows = self.matches()
        current = self.current_row()
        if current < 0 and rows:
            self.go_to_row(rows[-1])
            return
        earlier = [r for r in rows if r < current]
        if not earlier:
            before = len(rows)
            rows = self._load_until(lambda: len(self.matches()) > before)
            current = self.current_row()
            earlier = [r for r in rows if r < current]
        if earlier:
            self.go_to_row(earlier[-1])
        elif rows:
            self.go_to_row(rows[-1])

    def stored_ids(self) -> list[int] | None:
        """Ids of the kept messages holding the text, newest first (None: unknown)."""
        needle = self.needle()
        if self._stored[0] != needle:
            search = None if self._stored_matches is None else self._stored_matches()
            self._stored = (needle, None if search is None or not needle else search(needle))
        return self._stored[1]

    def _older_match_kept(self) -> bool:
        """Whether the history file holds a match older than every loaded message."""
        stored = self.stored_ids()
        if stored is None or len(stored) >= STORE_CAP:
            return True  # cannot tell: look through the pages
        loaded = [
            self._model.entry(row).local_id
            for row in range(self._model.rowCount())
            if self._model.entry(row).local_id is not None
        ]
        oldest = min((i for i in loaded if i is not None), default=None)
        return any(oldest is None or i < oldest for i in stored)

    def _load_until(self, found: Callable[[], bool]) -> list[int]:
        """Load older pages until ``found()`` or the history ends; the matches then.
        Nothing loads when the history file has no older match."""
        load = self._load_older()
        while load is not None and not found() and self._older_match_kept() and load():
            pass
        return self.matches()

    def _place(self, rows: list[int]) -> tuple[int, int]:
        """(which match is shown, how many there are), counting kept ones not loaded."""
        current = self.current_row()
        place = rows.index(current) + 1 if current in rows else 0
        stored = self.stored_ids()
        if not stored:
            return place, len(rows)
        loaded_ids = {self._model.entry(r).local_id for r in rows} - {None}
        ids = sorted(set(stored) | {i for i in loaded_ids if i is not None})
        unsaved = [r for r in rows if self._model.entry(r).local_id is None]
        if current in unsaved:
            place = len(ids) + unsaved.index(current) + 1
        elif current >= 0 and self._model.entry(current).local_id in ids:
            place = ids.index(self._model.entry(current).local_id) + 1  # type: ignore[arg-type]
        return place, len(ids) + len(unsaved)

    def _rows_inserted(self, *_: object) -> None:
        if self.isVisible():
            self._update_count()

    def _update_count(self) -> None:
        rows = self.matches()
        if not self.needle():
            self.count_label.setText("")
        elif not rows:
            self.count_label.setText(self.tr("No matches"))
        else:
            place, total = self._place(rows)
            self.count_label.setText(
                self.tr("{current} of {total}").format(current=place, total=total)
            )
        enabled = bool(rows)
        self.previous_button.setEnabled(enabled)
        self.next_button.setEnabled(enabled)


def find_shortcut() -> QKeySequence:
    return QKeySequence(QKeySequence.StandardKey.Find)
