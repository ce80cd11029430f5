"""The face renderer: sizes at any device pixel ratio, grey offline faces, badge in the corner."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication

from qqdesk import resources
from qqdesk.core import Presence
from qqdesk.ui import icons

SIZE = 36


def pixels(pixmap: QPixmap) -> list[list[int]]:
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return [[image.pixel(x, y) for x in range(image.width())] for y in range(image.height())]


def changed_box(a: QPixmap, b: QPixmap) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in device pixels of where two pictures differ."""
    pa, pb = pixels(a), pixels(b)
    spots = [(x, y) for y, row in enumerate(pa) for x, value in enumerate(row) if value != pb[y][x]]
    assert spots, "the pictures are the same"
    xs, ys = [x for x, _ in spots], [y for _, y in spots]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_face_size_and_ratio(qapp: QApplication, ratio: float) -> None:
    face = icons.face_picture(3, SIZE, "Alice", ratio=ratio)
    assert face.devicePixelRatio() == ratio
    assert face.width() == face.height() == round(SIZE * ratio)
    assert face.deviceIndependentSize().width() == SIZE


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_status_badge_sits_in_the_bottom_right_corner(qapp: QApplication, ratio: float) -> None:
    plain = icons.face_picture(3, SIZE, "Alice", ratio=ratio)
    online = icons.face_picture(3, SIZE, "Alice", status=Presence.ONLINE, ratio=ratio)
    assert online.devicePixelRatio() == ratio and online.size() == plain.size()
    left, top, right, bottom = changed_box(plain, online)
    device_size = round(SIZE * ratio)
    # The badge reaches the corner and stays out of the face's middle (at 2x it
    # was once placed by device pixels: in the middle of the face).
    assert right >= device_size - 2 and bottom >= device_size - 2
    assert left > device_size / 2 and top > device_size / 2


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_unread_badge_sits_in_the_top_right_corner(qapp: QApplication, ratio: float) -> None:
    plain = icons.face_picture(3, SIZE, "Alice", ratio=ratio)
    badged = icons.with_unread_badge(plain, 8)
    assert badged.devicePixelRatio() == ratio and badged.size() == plain.size()
    left, top, right, bottom = changed_box(plain, badged)
    device_size = round(SIZE * ratio)
    # Whole, in the top right quarter (at 2x it was once placed by device pixels:
    # off the picture's right edge, cut in half).
    assert right >= device_size - 2 and top <= 1
    assert left > device_size * 0.4 and bottom < device_size * 0.6


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_faces_others_see_offline_are_grey_without_badge(qapp: QApplication, ratio: float) -> None:
    plain = pixels(icons.face_picture(3, SIZE, "Alice", ratio=ratio))
    for status in (Presence.OFFLINE, Presence.HIDDEN):
        face = icons.face_picture(3, SIZE, "Alice", status=status, ratio=ratio)
        assert face.devicePixelRatio() == ratio
        # The same shape: transparent corners stay transparent (at 2x they were black).
        assert [[v >> 24 for v in row] for row in pixels(face)] == [
            [v >> 24 for v in row] for row in plain
        ]
        for row in pixels(face):
            for value in row:
                red, green, blue = (value >> 16) & 255, (value >> 8) & 255, value & 255
                assert red == green == blue


def test_no_badge_when_asked(qapp: QApplication) -> None:
    plain = icons.face_picture(3, SIZE, "Alice")
    bare = icons.face_picture(3, SIZE, "Alice", status=Presence.BUSY, badge=False)
    assert pixels(bare) == pixels(plain)
    busy = icons.face_picture(3, SIZE, "Alice", status=Presence.BUSY)
    assert pixels(busy) != pixels(plain)


def test_drawn_face_without_pictures(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing(face: int) -> Path:
        raise FileNotFoundError(face)

    monkeypatch.setattr(resources, "face_path", missing)
    # A size no other test asks for, so the renderer's cache has nothing at it.
    face = icons.face_picture(3, 37, "Zoe", status=Presence.ONLINE, ratio=2.0)
    assert face.width() == 74 and face.devicePixelRatio() == 2.0
    assert not face.toImage().isNull()
    assert "no picture" in caplog.text


def test_a_face_with_a_picture_is_kept_once_for_every_buddy_who_has_it(
    qapp: QApplication,
) -> None:
    """The buddy tree asks for a face per row with the buddy's name (for a drawn face):
    with a picture file the name changes nothing, so one pixmap serves them all."""
    first = icons.face_picture(6, 36, "Alice", status=Presence.OFFLINE)
    assert icons.face_picture(6, 36, "Bob", status=Presence.OFFLINE) is first
    assert icons.face_picture(6, 36, "Alice", status=Presence.ONLINE) is not first
