"""Pictures the app paints with: faces with status badges, status icons and the app icon.

Pictures come from ``qqdesk.resources``; a file missing from a broken install is
logged and drawn instead, so the app never shows an empty square.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPen,
    QPixmap,
)

from qqdesk import resources
from qqdesk.core import Presence, face_picture_number

#: Colours of the drawn status dots, as QQ users know them.
STATUS_COLOURS = {
    Presence.ONLINE: QColor("#3cb043"),
    Presence.BUSY: QColor("#e0a800"),
    Presence.HIDDEN: QColor("#8a8f99"),
    Presence.OFFLINE: QColor("#b0b4ba"),
}

#: The badge picture of each presence; away and the like look busy (not here to chat).
_BADGE_NAMES = {
    Presence.ONLINE: "online",
    Presence.AWAY: "busy",
    Presence.BUSY: "busy",
    Presence.SILENT: "busy",
    Presence.CALLME: "online",
    Presence.HIDDEN: "invisible",
    Presence.OFFLINE: "offline",
}
#: The same for the drawn badge, when the picture is missing.
_DRAWN_AS = {
    Presence.AWAY: Presence.BUSY,
    Presence.SILENT: Presence.BUSY,
    Presence.CALLME: Presence.ONLINE,
}

log = logging.getLogger(__name__)

_AVATAR_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b07aa1", "#9c755f"]


def _resource_path(find: Callable[..., Path], *args: Any) -> Path | None:
    """The file ``find(*args)`` names, or None when the install lacks it (then we draw)."""
    try:
        path = find(*args)
    except (FileNotFoundError, ValueError) as exc:
        log.warning("no picture for %s%r: %s", find.__name__, args, exc)
        return None
    if not path.is_file():
        log.warning("picture missing: %s", path)
        return None
    return path


def _ratio(ratio: float | None) -> float:
    """The device pixel ratio to draw at: the one asked for, else the application's."""
    if ratio is not None and ratio > 0:
        return ratio
    app = QGuiApplication.instance()
    return app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0


def _picture(path: Path | None, size: int, ratio: float) -> QPixmap | None:
    """The picture file at ``size`` logical pixels for ``ratio``; None when it fails."""
    if path is None:
        return None
    # Through QIcon so SVG pictures render sharp at the asked size and ratio.
    pixmap = QIcon(str(path)).pixmap(QSize(size, size), ratio)
    if pixmap.isNull():
        return None
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def _blank(size: int, ratio: float) -> QPixmap:
    """A transparent pixmap of ``size`` logical pixels; painters on it use logical units."""
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def _grey(pixmap: QPixmap) -> QPixmap:
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    # Pixel for pixel: setAlphaChannel paints, and at a ratio of 2 it misplaced the
    # mask (opaque black corners on grey faces).
    image.setDevicePixelRatio(1.0)
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8).convertToFormat(
        QImage.Format.Format_ARGB32
    )
    # Keep the original alpha so round faces stay round.
    grey.setAlphaChannel(image.convertToFormat(QImage.Format.Format_Alpha8))
    result = QPixmap.fromImage(grey)
    result.setDevicePixelRatio(pixmap.devicePixelRatio())
    return result


def _drawn_face(face: int, size: int, name: str, ratio: float) -> QPixmap:
    """A face for an install without pictures: the name's first letter on a colour."""
    pixmap = _blank(size, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(_AVATAR_COLOURS[face_picture_number(face) % len(_AVATAR_COLOURS)])
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
    initial = name.strip()[:1].upper()
    text = initial or str(face_picture_number(face))
    font = QFont()
    font.setPixelSize(max(8, int(size * (0.5 if initial else 0.38))))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def status_badge_path(status: Presence) -> Path:
    """The badge picture (SVG) of a presence; the file is not checked to exist."""
    return resources.resource_path("status", f"{_BADGE_NAMES[status]}.svg")


def status_badge(status: Presence, size: int = 12, ratio: float | None = None) -> QPixmap:
    """The small status picture shown on faces and in the status selector."""
    return _status_badge(status, size, _ratio(ratio))


@lru_cache(maxsize=256)
def _status_badge(status: Presence, size: int, ratio: float) -> QPixmap:
    picture = _picture(_resource_path(status_badge_path, status), size, ratio)
    if picture is not None:
        return picture
    pixmap = _blank(size, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    drawn = _DRAWN_AS.get(status, status)
    painter.setPen(QPen(QColor("white"), max(1.0, size / 8)))
    painter.setBrush(QBrush(STATUS_COLOURS[drawn]))
    inset = size / 10
    painter.drawEllipse(QRectF(inset, inset, size - 2 * inset, size - 2 * inset))
    if drawn is Presence.BUSY:
        painter.setPen(QPen(QColor("white"), max(1.0, size / 7)))
        painter.drawLine(QPointF(size * 0.3, size / 2), QPointF(size * 0.7, size / 2))
    painter.end()
    return pixmap


def status_icon(status: Presence) -> QIcon:
    return QIcon(status_badge(status, 16))


def face_picture(
    face: int,
    size: int,
    name: str = "",
    *,
    status: Presence | None = None,
    badge: bool = True,
    ratio: float | None = None,
) -> QPixmap:
    """The one way the UI draws a face: profile face id ``face`` at ``size`` logical pixels.

    The picture is number FC/3+1 (``face_picture_number``); without picture files a
    drawn face shows ``name``'s first letter. With a ``status``, a face that others
    see offline is grey, and an online one carries the status ``badge`` in its
    bottom-right corner. ``ratio`` is the device pixel ratio to draw for (default: the
    application's); the result carries it, so painters and labels show it sharp.
    """
    # The name only draws a face that has no picture file: pictures are kept per face,
    # not per buddy (10,000 buddies share a hundred pictures, not 2,048 cached copies).
    drawn_name = "" if _has_picture(face) else name
    return _face_picture(face, size, drawn_name, status, badge, _ratio(ratio))


def _has_picture(face: int) -> bool:
    try:
        return resources.face_path(face).is_file()
    except (FileNotFoundError, ValueError):
        return False


@lru_cache(maxsize=2048)
def _face_picture(
    face: int, size: int, name: str, status: Presence | None, badge: bool, ratio: float
) -> QPixmap:
    path = _resource_path(resources.face_path, face)
    pixmap = _picture(path, size, ratio) or _drawn_face(face, size, name, ratio)
    if status is None:
        return pixmap
    if not status.visible.is_online:
        return _grey(pixmap)
    if not badge:
        return pixmap
    pixmap = QPixmap(pixmap)
    dot = status_badge(status, max(10, size // 3), ratio)
    # Placed in logical units: the badge's width() is in device pixels.
    dot_size = dot.deviceIndependentSize()
    painter = QPainter(pixmap)
    painter.drawPixmap(QPointF(size - dot_size.width(), size - dot_size.height()), dot)
    painter.end()
    return pixmap


def app_icon() -> QIcon:
    """The application icon in every size the resources have; drawn if none is there."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        path = _resource_path(resources.app_icon_path, size)
        if path is not None:
            icon.addFile(str(path))
    if icon.isNull():
        return QIcon(drawn_app_icon(64))
    return icon


def drawn_app_icon(size: int, unread: int = 0) -> QPixmap:
    """A speech bubble in QQ blue; with ``unread`` > 0 a red count in its corner."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#12b7f5"))
    painter.drawRoundedRect(QRectF(size * 0.06, size * 0.1, size * 0.88, size * 0.66), 10, 10)
    painter.drawPolygon(
        [
            QPointF(size * 0.25, size * 0.7),
            QPointF(size * 0.2, size * 0.95),
            QPointF(size * 0.5, size * 0.72),
        ]
    )
    painter.setBrush(QColor("white"))
    for i in range(3):
        painter.drawEllipse(QPointF(size * (0.3 + 0.2 * i), size * 0.43), size * 0.06, size * 0.06)
    painter.end()
    if unread > 0:
        return with_unread_badge(pixmap, unread)
    return pixmap


def with_unread_badge(pixmap: QPixmap, unread: int) -> QPixmap:
    """``pixmap`` with a red circle holding the unread count (99+ past 99)."""
    result = QPixmap(pixmap)
    # The painter works in logical pixels: a 2x face is half its device width wide.
    size = result.width() / result.devicePixelRatio()
    painter = QPainter(result)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    diameter = size * 0.55
    rect = QRectF(size - diameter, 0, diameter, diameter)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#e53935"))
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(diameter * (0.62 if unread < 10 else 0.45))))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "99+" if unread > 99 else str(unread))
    painter.end()
    return result


def tray_icon(unread: int) -> QIcon:
    """The tray icon; with unread messages the "unread" picture carrying the count."""
    path = _resource_path(resources.tray_icon_path, unread > 0)
    if path is not None:
        base = QIcon(str(path)).pixmap(32, 32)
        if not base.isNull():
            return QIcon(with_unread_badge(base, unread) if unread > 0 else base)
    base = app_icon().pixmap(32, 32)
    return QIcon(with_unread_badge(base, unread) if unread > 0 else base)


def room_picture(group: bool, size: int, ratio: float | None = None) -> QPixmap:
    """A group's (blue) or a discussion's (teal) picture: three people on a rounded square."""
    return _room_picture(group, size, _ratio(ratio))


@lru_cache(maxsize=32)
def _room_picture(group: bool, size: int, ratio: float) -> QPixmap:
    pixmap = _blank(size, ratio)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#3d7fd9" if group else "#26a69a"))
    painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
    # Two people behind, one in front: heads and shoulders.
    for dx, dy, scale, alpha in (
        (-0.2, -0.02, 0.8, 150),
        (0.2, -0.02, 0.8, 150),
        (0, 0.06, 1.0, 255),
    ):
        colour = QColor(255, 255, 255, alpha)
        painter.setBrush(colour)
        cx, cy = size * (0.5 + dx), size * (0.42 + dy)
        head = size * 0.12 * scale
        painter.drawEllipse(QPointF(cx, cy), head, head)
        body = QRectF(
            cx - size * 0.2 * scale, cy + head * 1.2, size * 0.4 * scale, size * 0.3 * scale
        )
        painter.drawRoundedRect(body, size * 0.12 * scale, size * 0.12 * scale)
    painter.end()
    return pixmap
