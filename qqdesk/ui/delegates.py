"""Painters for the buddy list rows and the chat bubbles (no widget per row)."""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import datetime

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPixmap,
    QTextCharFormat,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from qqdesk.client.events import DeliveryState
from qqdesk.core import Content

from .facepicker import content_html
from .models import Roles

AnyIndex = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("Delegates", text)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class BuddyDelegate(QStyledItemDelegate):
    """A buddy: face with status badge, nickname, number, unread count; a group: bold title."""

    FACE = 36
    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        if index.data(Roles.IS_GROUP):
            return QSize(100, QFontMetrics(option.font).height() + 10)
        return QSize(100, self.FACE + 2 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        painter.save()
        style = option.widget.style() if option.widget else None
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.icon = opt.icon.__class__()
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, option.widget
            )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect = option.rect
        if index.data(Roles.IS_GROUP):
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(text_colour)
            painter.drawText(
                rect.adjusted(4, 0, -4, 0),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                str(index.data()),
            )
            unread = int(index.data(Roles.UNREAD) or 0)
            if unread:
                self._pill(painter, rect, unread, option.font)
            painter.restore()
            return
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        face_rect = QRect(rect.left() + self.PAD, rect.top() + self.PAD, self.FACE, self.FACE)
        if isinstance(pixmap, QPixmap):
            painter.drawPixmap(face_rect, pixmap)
        left = face_rect.right() + 10
        unread = int(index.data(Roles.UNREAD) or 0)
        right = rect.right() - (34 if unread else 6)
        name_font = QFont(option.font)
        name_font.setBold(unread > 0)
        metrics = QFontMetrics(name_font)
        line = metrics.height()
        top = rect.top() + (rect.height() - 2 * line) // 2
        painter.setFont(name_font)
        painter.setPen(text_colour)
        nick = metrics.elidedText(
            str(index.data() or ""), Qt.TextElideMode.ElideRight, max(10, right - left)
        )
        painter.drawText(
            QRect(left, top, right - left, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            nick,
        )
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        painter.setFont(small)
        dim = QColor(text_colour)
        dim.setAlphaF(0.6)
        painter.setPen(dim)
        painter.drawText(
            QRect(left, top + line, right - left, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            str(index.data(Roles.UIN)),
        )
        if unread:
            self._pill(painter, rect, unread, option.font)
        painter.restore()

    @staticmethod
    def _pill(painter: QPainter, rect: QRect, count: int, font: QFont) -> None:
        text = "99+" if count > 99 else str(count)
        small = QFont(font)
        small.setBold(True)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        metrics = QFontMetrics(small)
        height = metrics.height() + 2
        width = max(height, metrics.horizontalAdvance(text) + 10)
        pill = QRect(rect.right() - width - 6, rect.center().y() - height // 2, width, height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e53935"))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setFont(small)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)


def format_time(stamp: float, now: float | None = None) -> str:
    """Clock time for today's messages, date and time for older ones ("" for no real time)."""
    try:
        when = datetime.fromtimestamp(stamp)
    except (ValueError, OverflowError, OSError):
        # A history written before the client checked server times may hold 2**63 or
        # the year 30,000: painting it must not raise (the bubble simply shows no time).
        return ""
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    if when.year == today.year:
        return when.strftime("%m-%d %H:%M")
    return when.strftime("%Y-%m-%d %H:%M")


def highlights(document: QTextDocument, needle: str) -> list[QAbstractTextDocumentLayout.Selection]:
    """Every place ``needle`` occurs in ``document`` (any case), marked as a find bar marks."""
    marks: list[QAbstractTextDocumentLayout.Selection] = []
    mark = QTextCharFormat()
    mark.setBackground(QColor("#ffd54f"))
    mark.setForeground(QColor("#111111"))
    cursor = document.find(needle, 0)
    while not cursor.isNull() and len(marks) < 100:
        selection = QAbstractTextDocumentLayout.Selection()
        selection.cursor = cursor
        selection.format = mark
        marks.append(selection)
        cursor = document.find(needle, cursor)
    return marks


class BubbleDelegate(QStyledItemDelegate):
    """Chat messages as bubbles (mine right, theirs left) with time and delivery state;
    system lines centred and grey."""

    MARGIN = 8
    PAD_H = 10
    PAD_V = 6
    MAX_FRACTION = 0.72
    CACHED_DOCUMENTS = 400

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: Text the find bar looks for: marked in every bubble that holds it.
        self.highlight = ""
        #: The first unread message (its local id): a "new messages" line above it.
        self.marker_id: int | None = None
        self.marker_text = ""
        self._documents: OrderedDict[tuple[Content, str, int], tuple[QTextDocument, int]] = (
            OrderedDict()
        )

    def _view_width(self, option: QStyleOptionViewItem) -> int:
        widget = option.widget
        if isinstance(widget, QAbstractItemView):
            return max(120, widget.viewport().width())
        return max(120, option.rect.width())

    def _text_option(self) -> QTextOption:
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        return text_option

    def _meta_font(self, font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.8))
        return small

    def meta_text(self, index: AnyIndex) -> str:
        """The small line under a bubble: the time, and for own messages how sending went."""
        stamp = format_time(float(index.data(Roles.TIME) or 0))
        if not index.data(Roles.OUTGOING):
            return stamp
        state = index.data(Roles.DELIVERY)
        if state is DeliveryState.PENDING:
            return stamp + "  " + _tr("Sending…")
        if state is DeliveryState.FAILED:
            return stamp + "  " + _tr("Not sent — click to resend")
        return stamp + "  ✓"

    def _document(self, index: AnyIndex, font: QFont, max_width: int) -> tuple[QTextDocument, int]:
        """The bubble's text wrapped to at most ``max_width``, and the width it uses.

        Text with faces is rich text (escaped, the faces as pictures); text alone is
        plain text, the same look at half the cost. Laying out text is far slower than
        painting it, and views ask for the same rows' sizes over and over: documents
        are kept per content, font and width (the newest few hundred)."""
        content = index.data(Roles.CONTENT)
        if not isinstance(content, tuple):
            content = (str(index.data(Roles.TEXT) or ""),)
        key = (content, font.key(), max_width)
        cached = self._documents.get(key)
        if cached is not None:
            self._documents.move_to_end(key)
            return cached
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(font)
        document.setDefaultTextOption(self._text_option())
        if all(isinstance(part, str) for part in content):
            document.setPlainText("".join(content))
        else:
            document.setHtml(content_html(content, self._face_size(font)))
        document.setTextWidth(max_width)
        # Left-aligned lines paint the same in the wider document; only the bubble narrows.
        cached = (document, int(min(document.idealWidth(), max_width) + 0.999))
        self._documents[key] = cached
        if len(self._documents) > self.CACHED_DOCUMENTS:
            self._documents.popitem(last=False)
        return cached

    @staticmethod
    def _face_size(font: QFont) -> int:
        # A face stands a little taller than the text around it, as in QQ.
        return max(16, QFontMetrics(font).height() + 4)

    def _bubble_layout(
        self, option: QStyleOptionViewItem, index: AnyIndex
    ) -> tuple[QRect, QRect, QTextDocument]:
        """(text rect, meta rect) relative to (0, 0) of the row, for the row's width, and
        the text's document."""
        width = self._view_width(option)
        max_text = max(40, int(width * self.MAX_FRACTION) - 2 * self.PAD_H)
        document, used = self._document(index, option.font, max_text)
        height = document.size().height()
        meta_metrics = QFontMetrics(self._meta_font(option.font))
        meta_width = meta_metrics.horizontalAdvance(self.meta_text(index))
        return (
            QRect(
                0,
                0,
                max(used, 20),
                max(int(height + 0.999), meta_metrics.height()),
            ),
            QRect(0, 0, meta_width, meta_metrics.height()),
            document,
        )

    def is_marked(self, index: AnyIndex) -> bool:
        """Whether the "new messages" line stands above ``index``."""
        return self.marker_id is not None and index.data(Roles.LOCAL_ID) == self.marker_id

    def _marker_height(self, font: QFont) -> int:
        return QFontMetrics(self._meta_font(font)).height() + self.MARGIN

    def _paint_marker(self, painter: QPainter, option: QStyleOptionViewItem) -> int:
        """The "new messages" line at the top of ``option.rect``; the height it took."""
        height = self._marker_height(option.font)
        rect = QRect(option.rect.left(), option.rect.top(), option.rect.width(), height)
        painter.save()
        accent = option.palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(accent)
        small = self._meta_font(option.font)
        small.setBold(True)
        painter.setFont(small)
        text_width = QFontMetrics(small).horizontalAdvance(self.marker_text) + 16
        middle = rect.center().y()
        gap_left = rect.center().x() - text_width // 2
        painter.drawLine(rect.left() + self.MARGIN, middle, gap_left, middle)
        painter.drawLine(gap_left + text_width, middle, rect.right() - self.MARGIN, middle)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.marker_text)
        painter.restore()
        return height

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = self._size_hint(option, index)
        if self.is_marked(index):
            size.setHeight(size.height() + self._marker_height(option.font))
        return size

    def _size_hint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = self._view_width(option)
        if index.data(Roles.IS_SYSTEM):
            return QSize(width, QFontMetrics(option.font).height() + 2 * self.MARGIN)
        text_rect, meta_rect, _document = self._bubble_layout(option, index)
        height = text_rect.height() + 2 * self.PAD_V + meta_rect.height() + 2 + 2 * self.MARGIN // 2
        return QSize(width, height + self.MARGIN + self._name_height(option, index))

    def _name_height(self, option: QStyleOptionViewItem, index: AnyIndex) -> int:
        """The line above a group message's bubble that names its sender (0 for none)."""
        if not index.data(Roles.SENDER_NAME):
            return 0
        return QFontMetrics(self._meta_font(option.font)).height() + 2

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if self.is_marked(index):
            taken = self._paint_marker(painter, option)
            option = QStyleOptionViewItem(option)
            option.rect = option.rect.adjusted(0, taken, 0, 0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        dark = _is_dark(palette)
        rect = option.rect
        text_colour = palette.color(QPalette.ColorRole.Text)
        if index.data(Roles.IS_SYSTEM):
            small = self._meta_font(option.font)
            painter.setFont(small)
            dim = QColor(text_colour)
            dim.setAlphaF(0.55)
            painter.setPen(dim)
            line = f"— {index.data(Roles.TEXT)} · {format_time(float(index.data(Roles.TIME)))} —"
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, line)
            painter.restore()
            return
        outgoing = bool(index.data(Roles.OUTGOING))
        text_rect, meta_rect, document = self._bubble_layout(option, index)
        bubble_w = text_rect.width() + 2 * self.PAD_H
        bubble_h = text_rect.height() + 2 * self.PAD_V
        top = rect.top() + self.MARGIN // 2
        name_height = self._name_height(option, index)
        if name_height:
            small = self._meta_font(option.font)
            painter.setFont(small)
            name_colour = QColor("#6fa8dc") if dark else QColor("#2f6db5")
            painter.setPen(name_colour)
            name = QFontMetrics(small).elidedText(
                str(index.data(Roles.SENDER_NAME)),
                Qt.TextElideMode.ElideRight,
                max(20, int(rect.width() * self.MAX_FRACTION)),
            )
            painter.drawText(
                QRect(rect.left() + self.MARGIN + 2, top, rect.width(), name_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            top += name_height
        if outgoing:
            left = rect.right() - self.MARGIN - bubble_w
            fill = QColor("#2b5278") if dark else QColor("#9eea6a")
            ink = QColor("#ffffff") if dark else QColor("#111111")
        else:
            left = rect.left() + self.MARGIN
            fill = QColor("#3a3f44") if dark else QColor("#ffffff")
            ink = text_colour
        bubble = QRect(left, top, bubble_w, bubble_h)
        if option.state & QStyle.StateFlag.State_Selected:
            fill = fill.darker(115)
        painter.setPen(QColor(0, 0, 0, 30) if not dark else Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 9, 9)
        painter.save()
        painter.translate(bubble.left() + self.PAD_H, bubble.top() + self.PAD_V)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, ink)
        if self.highlight:
            context.selections = highlights(document, self.highlight)
        document.documentLayout().draw(painter, context)
        painter.restore()
        meta = self.meta_text(index)
        painter.setFont(self._meta_font(option.font))
        state = index.data(Roles.DELIVERY)
        meta_colour = QColor(text_colour)
        meta_colour.setAlphaF(0.55)
        if outgoing and state is DeliveryState.FAILED:
            meta_colour = QColor("#e53935")
        painter.setPen(meta_colour)
        meta_top = bubble.bottom() + 2
        if outgoing:
            meta_box = QRect(rect.left(), meta_top, rect.width() - self.MARGIN, meta_rect.height())
            align = Qt.AlignmentFlag.AlignRight
        else:
            meta_box = QRect(left + 2, meta_top, rect.width(), meta_rect.height())
            align = Qt.AlignmentFlag.AlignLeft
        painter.drawText(meta_box, align | Qt.AlignmentFlag.AlignVCenter, meta)
        painter.restore()

    def bubble_rect(self, option: QStyleOptionViewItem, index: AnyIndex) -> QRect:
        """Where the bubble of ``index`` is painted inside ``option.rect`` (for clicks)."""
        text_rect, _meta, _document = self._bubble_layout(option, index)
        width = text_rect.width() + 2 * self.PAD_H
        height = text_rect.height() + 2 * self.PAD_V
        top = option.rect.top() + self.MARGIN // 2
        if self.is_marked(index):
            top += self._marker_height(option.font)
        top += self._name_height(option, index)
        if index.data(Roles.OUTGOING):
            return QRect(option.rect.right() - self.MARGIN - width, top, width, height)
        return QRect(option.rect.left() + self.MARGIN, top, width, height)
