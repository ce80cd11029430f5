"""The face (emoticon) picker popup, face insertion into the chat input, and faces in rich text.

The chat input is plain text: a picked face goes in as its text form ``/微笑``,
and ``qqdesk.core.parse_text`` turns that into a Face part when the message is
sent. For display, :func:`content_html` writes content as escaped rich text with
the face pictures inline.
"""

from __future__ import annotations

import enum
import html
from functools import cache

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from qqdesk import resources
from qqdesk.core import FACE_NAMES, Content, Face, parse_text, render_text

AnyIndex = QModelIndex | QPersistentModelIndex

# How many faces a row of the picker holds (Smart QQ's panel was about as wide).
COLUMNS = 12
# The side of a face picture in the picker, and of a grid cell around it.
ICON_SIZE = 24
CELL_SIZE = 32


class FaceRoles(enum.IntEnum):
    """Custom roles of :class:`FaceListModel`."""

    FACE_ID = int(Qt.ItemDataRole.UserRole) + 1
    TEXT_FORM = int(Qt.ItemDataRole.UserRole) + 2


def speaks_chinese() -> bool:
    """True when the interface is in Chinese (i18n sets the default locale to match)."""
    return QLocale().language() == QLocale.Language.Chinese


def face_label(face_id: int) -> str:
    """A face's name in the interface language: 微笑 under Chinese, Smile otherwise."""
    names = FACE_NAMES.get(face_id)
    if names is None:
        return render_text((Face(face_id),))
    chinese, english = names
    return chinese if speaks_chinese() else english


def readable_text(text: str) -> str:
    """A message's text form for places that show plain text only (notifications): each
    face as its name in brackets in the interface language, ``[微笑]`` or ``[Smile]``."""
    return "".join(
        f"[{face_label(part.id)}]" if isinstance(part, Face) else part for part in parse_text(text)
    )


def face_tooltip(face_id: int) -> str:
    """The picker's tooltip: the name and the text form the face is typed as."""
    #: Tooltip of a face in the face picker: its name, then how it is typed (/微笑).
    return QCoreApplication.translate("FacePicker", "{name} ({text_form})").format(
        name=face_label(face_id), text_form=render_text((Face(face_id),))
    )


@cache
def emoticon_icon(face_id: int) -> QIcon:
    """The face's picture as an icon (SVG, so sharp at any size and pixel ratio)."""
    return QIcon(str(resources.emoticon_path(face_id)))


class FaceListModel(QAbstractListModel):
    """The faces of the face table, in its (Smart QQ panel) order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._faces = list(FACE_NAMES)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._faces)

    def face_id(self, row: int) -> int:
        return self._faces[row]

    def row_of(self, face_id: int) -> int:
        return self._faces.index(face_id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._faces):
            return None
        face_id = self._faces[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return emoticon_icon(face_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return face_tooltip(face_id)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return face_label(face_id)
        if role == FaceRoles.FACE_ID:
            return face_id
        if role == FaceRoles.TEXT_FORM:
            return render_text((Face(face_id),))
        return None


class FaceCellDelegate(QStyledItemDelegate):
    """One face per grid cell: the picture centred, on a soft rounded highlight when
    hovered, and a stronger one with a ring when it is the keyboard's current cell.

    (The style's icon-mode painting darkens a selected icon and underlines its empty
    label, which hides the face the user is about to pick.)
    """

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(CELL_SIZE, CELL_SIZE)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        cell = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)
        highlight = QColor(option.palette.color(QPalette.ColorRole.Highlight))
        state = option.state
        current = bool(state & QStyle.StateFlag.State_Selected)
        if current or state & QStyle.StateFlag.State_MouseOver:
            highlight.setAlphaF(0.35 if current else 0.18)
            painter.setBrush(highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(cell, 5, 5)
        if current and state & QStyle.StateFlag.State_HasFocus:
            highlight.setAlphaF(1.0)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(highlight, 1.5))
            painter.drawRoundedRect(cell, 5, 5)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, QIcon):
            side = ICON_SIZE
            target = QRect(0, 0, side, side)
            target.moveCenter(option.rect.center())
            icon.paint(painter, target)
        painter.restore()


class FacePicker(QFrame):
    """A popup grid of the faces: click one, or move with the arrows and press Enter.

    Emits :attr:`facePicked` with the face id and closes; Esc (or a click outside)
    closes it without a pick.
    """

    facePicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        # Frameless as popups are anyway, so no platform adds a frame to the placement.
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._retranslate()
        self.model = FaceListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(True)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)
        self.view.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.view.setGridSize(QSize(CELL_SIZE, CELL_SIZE))
        self.view.setSpacing(0)
        self.view.setItemDelegate(FaceCellDelegate(self.view))
        self.view.setMouseTracking(True)  # hover highlight follows the pointer
        self.view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = -(-self.model.rowCount() // COLUMNS)
        self.view.setFixedSize(COLUMNS * CELL_SIZE + 2, rows * CELL_SIZE + 2)
        self.view.clicked.connect(self._clicked)
        self.view.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
        self.view.setCurrentIndex(self.model.index(0, 0))

    def _retranslate(self) -> None:
        #: The face (emoticon) picker, for screen readers.
        self.setAccessibleName(self.tr("Faces"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            # Tooltips and names are asked for when shown; repaint what is on screen.
            self.view.viewport().update()
        super().changeEvent(event)

    def popup(self, at: QPoint) -> None:
        """Show the picker with its bottom-left corner at global point ``at`` (above a
        button, say), moved as needed to stay on that screen, keyboard focus inside."""
        self.adjustSize()
        size = self.size()
        top_left = QPoint(at.x(), at.y() - size.height())
        screen = QGuiApplication.screenAt(at) or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            right, bottom = area.x() + area.width(), area.y() + area.height()
            top_left.setX(max(area.left(), min(top_left.x(), right - size.width())))
            if top_left.y() < area.top():  # no room above: open below the point
                top_left.setY(at.y())
            top_left.setY(max(area.top(), min(top_left.y(), bottom - size.height())))
        self.move(top_left)
        self.show()
        self.view.setFocus(Qt.FocusReason.PopupFocusReason)

    def pick(self, face_id: int) -> None:
        """Choose ``face_id`` as if the user had clicked it (the next popup starts there)."""
        if face_id in FACE_NAMES:
            self.view.setCurrentIndex(self.model.index(self.model.row_of(face_id), 0))
        self.close()
        self.facePicked.emit(face_id)

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.pick(self.model.face_id(index.row()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
                self._clicked(self.view.currentIndex())
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)


def insert_face(editor: QTextEdit | QPlainTextEdit, face_id: int) -> None:
    """Type face ``face_id`` into ``editor`` at its cursor, as its text form ``/微笑``.

    A selection is replaced, as typing would; the cursor ends after the face and
    the editor gets the keyboard back.
    """
    cursor = editor.textCursor()
    cursor.insertText(render_text((Face(face_id),)))
    editor.setTextCursor(cursor)
    editor.setFocus(Qt.FocusReason.OtherFocusReason)


def _text_html(text: str) -> str:
    escaped = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=True)
    return escaped.replace("\n", "<br>")


def content_html(content: Content, size: int = ICON_SIZE) -> str:
    """``content`` as rich text for a message bubble: the user's text escaped (no markup
    of theirs gets through), line breaks as ``<br>``, runs of spaces kept, and each
    face as an inline ``<img>`` of its picture, its text form as the alt text."""
    out: list[str] = []
    for part in content:
        if isinstance(part, Face):
            source = QUrl.fromLocalFile(str(resources.emoticon_path(part.id))).toString()
            text_form = html.escape(render_text((part,)), quote=True)
            out.append(
                f'<img src="{html.escape(source, quote=True)}" width="{size}" height="{size}"'
                f' alt="{text_form}" title="{text_form}" style="vertical-align: middle">'
            )
        else:
            out.append(_text_html(part))
    return f'<span style="white-space: pre-wrap">{"".join(out)}</span>'


def text_html(text: str, size: int = ICON_SIZE) -> str:
    """:func:`content_html` of a message kept in its text form (``hi /微笑``)."""
    return content_html(parse_text(text), size)
