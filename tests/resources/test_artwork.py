"""Every SVG is well-formed, renders with Qt's renderer, and the pictures match their scripts."""

from __future__ import annotations

import importlib.util
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from qqdesk import resources
from qqdesk.core import FACE_NAMES

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SVGS = sorted(RESOURCES.rglob("*.svg"))
SVG_NS = "{http://www.w3.org/2000/svg}"


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, RESOURCES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def test_the_art_is_all_there() -> None:
    names = {p.relative_to(RESOURCES).as_posix() for p in SVGS}
    assert {f"faces/{n}.svg" for n in range(1, 101)} <= names
    assert {"icons/qqdesk.svg", "icons/qqdesk-small.svg", "icons/tray.svg"} <= names
    assert {"icons/tray-unread.svg"} <= names
    assert {f"status/{s}.svg" for s in ("online", "busy", "invisible", "offline")} <= names


@pytest.mark.parametrize("svg", SVGS, ids=lambda p: p.relative_to(RESOURCES).as_posix())
def test_svg_parses_and_renders(svg: Path, qapp: QApplication) -> None:
    root = ET.parse(svg).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox")
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid()
    image = QImage(48, 48, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, 48, 48))
    painter.end()
    painted = sum(1 for y in range(48) for x in range(48) if image.pixelColor(x, y).alpha())
    assert painted > 48 * 48 // 10, "the picture is (almost) empty"


@pytest.mark.parametrize("number", [1, 2, 50, 99, 100])
def test_faces_fill_their_square_tile(number: int, qapp: QApplication) -> None:
    """Faces sit on an opaque tile, so a face never shows the list's colour through it."""
    renderer = QSvgRenderer(str(RESOURCES / "faces" / f"{number}.svg"))
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, 64, 64))
    painter.end()
    assert image.pixelColor(32, 4).alpha() == 255
    assert image.pixelColor(4, 32).alpha() == 255


def test_faces_are_small() -> None:
    sizes = {p.name: p.stat().st_size for p in (RESOURCES / "faces").glob("*.svg")}
    assert max(sizes.values()) < 3 * 1024, max(sizes, key=sizes.__getitem__)


def test_faces_are_what_the_script_draws() -> None:
    """The committed SVGs are in step with build_faces.py (run it after changing it)."""
    build_faces = _load_script("build_faces")
    for number in range(1, build_faces.COUNT + 1):
        committed = (RESOURCES / "faces" / f"{number}.svg").read_text(encoding="utf-8")
        assert committed == build_faces.draw(number), f"faces/{number}.svg is stale"


def test_faces_differ_from_each_other() -> None:
    texts = [(RESOURCES / "faces" / f"{n}.svg").read_text(encoding="utf-8") for n in range(1, 101)]
    bodies = {t.split("</title>", 1)[1] for t in texts}
    assert len(bodies) == 100


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_icon_pngs_have_the_size_in_their_name(size: int) -> None:
    data = (RESOURCES / "icons" / f"qqdesk-{size}.png").read_bytes()
    assert png_size(data) == (size, size)


def test_ico_holds_one_png_per_windows_size() -> None:
    data = (RESOURCES / "icons" / "qqdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    assert count == 7
    sizes = []
    for i in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        side = width or 256
        assert (width, planes, bits) == (height, 1, 32)
        assert offset + length <= len(data)
        assert png_size(data[offset : offset + length]) == (side, side)
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_holds_the_retina_pngs() -> None:
    data = (RESOURCES / "icons" / "qqdesk.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    entries = {}
    offset = 8
    while offset < len(data):
        kind, length = (
            data[offset : offset + 4],
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        assert length > 8
        entries[kind] = png_size(data[offset + 8 : offset + length])
        offset += length
    assert offset == len(data)
    assert entries == {
        b"ic07": (128, 128),
        b"ic08": (256, 256),
        b"ic09": (512, 512),
        b"ic10": (1024, 1024),
    }


# -- the classic faces (emoticons) -------------------------------------------------------


def _render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    assert renderer.isValid(), svg.name
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


@pytest.mark.parametrize("face_id", list(FACE_NAMES))
def test_every_face_of_the_table_has_a_picture_qt_draws(face_id: int, qapp: QApplication) -> None:
    """Not just a file: at the picker's 24 px it shows something, and not one flat colour
    (faces fill their cell; a rose or a knife less so)."""
    path = resources.emoticon_path(face_id)
    assert path.name == f"{face_id}.svg"
    image = _render(path, 24)
    pixels = [image.pixelColor(x, y) for y in range(24) for x in range(24)]
    painted = [colour for colour in pixels if colour.alpha()]
    assert len(painted) > 24 * 24 // 10, "the picture is (almost) empty"
    opaque = {colour.rgb() for colour in painted if colour.alpha() == 255}
    assert len(opaque) >= 4, "the picture is one flat colour"


def test_emoticons_are_what_the_script_draws() -> None:
    """The committed SVGs are in step with build_emoticons.py and the face table."""
    build = _load_script("build_emoticons")
    on_disk = {p.stem for p in (RESOURCES / "emoticons").glob("*.svg")}
    assert on_disk == {str(face_id) for face_id in FACE_NAMES} | {"unknown"}
    for face_id in FACE_NAMES:
        committed = (RESOURCES / "emoticons" / f"{face_id}.svg").read_text(encoding="utf-8")
        assert committed == build.draw(face_id), f"emoticons/{face_id}.svg is stale"
    unknown = (RESOURCES / "emoticons" / "unknown.svg").read_text(encoding="utf-8")
    assert unknown == build.draw_unknown()


def test_emoticons_differ_from_each_other_and_are_small() -> None:
    paths = sorted((RESOURCES / "emoticons").glob("*.svg"))
    bodies = {p.read_text(encoding="utf-8").split("</title>", 1)[1] for p in paths}
    assert len(bodies) == len(paths)
    assert max(p.stat().st_size for p in paths) < 3 * 1024
