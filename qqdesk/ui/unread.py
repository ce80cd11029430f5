"""The unread marker of a chat: a "new messages" line above the first unread message,
and a button that jumps there while it is out of sight."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QListView, QPushButton

from .delegates import BubbleDelegate
from .models import ChatHistoryModel, EntryKind


class UnreadMarker(QObject):
    """Marks where the unread part of a conversation starts.

    ``mark(count)`` puts the line above the ``count``-th newest received message (the
    buddy list's unread count when the chat comes to the front); ``clear()`` takes it
    away (sending a message does). The jump button floats over the top of the history
    while the marked message is above what the view shows.
    """

    def __init__(
        self,
        view: QListView,
        model: ChatHistoryModel,
        delegate: BubbleDelegate,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._delegate = delegate
        self._count = 0
        self.jump_button = QPushButton(view)
        self.jump_button.setObjectName("jumpToUnread")
        self.jump_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump_button.setAutoDefault(False)
        self.jump_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.jump_button.clicked.connect(self.jump)
        self.jump_button.hide()
        view.verticalScrollBar().valueChanged.connect(self._update_button)
        view.viewport().installEventFilter(self)
        self.retranslate()

    @property
    def marked_id(self) -> int | None:
        return self._delegate.marker_id

    def retranslate(self) -> None:
        self._delegate.marker_text = self.tr("New messages")
        self.jump_button.setToolTip(self.tr("Go to the first unread message"))
        self._set_button_text()
        self._view.viewport().update()

    def _set_button_text(self) -> None:
        self.jump_button.setText("↑ " + self.tr("%n unread message(s)", "", self._count))
        self.jump_button.adjustSize()

    def mark(self, count: int) -> None:
        """The newest ``count`` received messages are unread: mark the first of them."""
        if count <= 0:
            return
        seen = 0
        for row in range(self._model.rowCount() - 1, -1, -1):
            entry = self._model.entry(row)
            if entry.kind is not EntryKind.MESSAGE or entry.outgoing:
                continue
            seen += 1
            if seen == count and entry.local_id is not None:
                self._count = count
                self._delegate.marker_id = entry.local_id
                self._relayout()
                return
        # Fewer received messages loaded than unread: mark the oldest loaded one.
        for row in range(self._model.rowCount()):
            entry = self._model.entry(row)
            if entry.kind is EntryKind.MESSAGE and not entry.outgoing and entry.local_id:
                self._count = count
                self._delegate.marker_id = entry.local_id
                self._relayout()
                return

    def clear(self) -> None:
        if self._delegate.marker_id is None:
            return
        self._delegate.marker_id = None
        self._count = 0
        self._relayout()

    def marked_row(self) -> int:
        marked = self._delegate.marker_id
        return -1 if marked is None else self._model.row_of(marked)

    def jump(self) -> None:
        """Scroll so that the "new messages" line is at the top."""
        row = self.marked_row()
        if row < 0:
            return
        self._view.scrollTo(
            self._view.model().index(row, 0, QModelIndex()),
            QAbstractItemView.ScrollHint.PositionAtTop,
        )
        self._update_button()

    def marker_visible(self) -> bool:
        row = self.marked_row()
        if row < 0:
            return True
        rect = self._view.visualRect(self._view.model().index(row, 0, QModelIndex()))
        return rect.bottom() >= 0

    def _relayout(self) -> None:
        # The marked row is taller now (or no longer): let the view measure again.
        self._view.scheduleDelayedItemsLayout()
        self._set_button_text()
        QTimer.singleShot(0, self, self._update_button)

    def _update_button(self, *_: object) -> None:
        show = not self.marker_visible()
        if show:
            self._place_button()
        self.jump_button.setVisible(show)

    def _place_button(self) -> None:
        self.jump_button.adjustSize()
        x = (self._view.width() - self.jump_button.width()) // 2
        self.jump_button.move(max(0, x), 6)
        self.jump_button.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place_button()
        elif event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False
