"""Renders the app icon's PNG sizes and packs them into ``qqdesk.ico`` and ``qqdesk.icns``.

Run from anywhere, headless::

    QT_QPA_PLATFORM=offscreen python resources/build_icons.py

and commit what it writes into ``resources/icons/``. It needs only PySide6: the SVGs
are rendered with QSvgRenderer, and the Windows and macOS containers are written
with :mod:`struct` (both formats may hold PNG data as-is), so no ImageMagick,
iconutil or Pillow is needed on any OS.

Sizes up to 24 px come from ``qqdesk-small.svg``, the same mark redrawn with bolder
features; everything larger from ``qqdesk.svg``.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS_DIR = Path(__file__).resolve().parent / "icons"
FULL_SVG = ICONS_DIR / "qqdesk.svg"
SMALL_SVG = ICONS_DIR / "qqdesk-small.svg"

#: The PNG files committed next to the SVG (freedesktop hicolor sizes and more).
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: What Windows picks from: shell list views, taskbar, Alt-Tab, large tiles.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: macOS icon types that hold PNG data, with their pixel size (ic10 is 512@2x).
ICNS_TYPES = ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024))
#: Below this size the bolder small drawing is used.
SMALL_LIMIT = 24


def render_png(svg: Path, size: int) -> bytes:
    """``svg`` rendered to a ``size``-pixel square PNG with a transparent background."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # Quality 0 is PNG's strongest compression: the files are committed.
    if not image.save(buffer, "PNG", 0):
        raise RuntimeError(f"could not encode {svg} at {size} px")
    buffer.close()
    return bytes(data.data())


def icon_png(size: int) -> bytes:
    """The app icon at ``size`` pixels, from the drawing meant for that size."""
    return render_png(SMALL_SVG if size <= SMALL_LIMIT else FULL_SVG, size)


def build_ico(images: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the given PNGs (Windows Vista and later read PNG entries)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        blob = images[size]
        # Width and height are one byte each; 0 means 256.
        side = 0 if size >= 256 else size
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def build_icns(images: dict[bytes, bytes]) -> bytes:
    """A macOS .icns: big-endian type + length records after an 'icns' header."""
    body = b"".join(kind + struct.pack(">I", 8 + len(blob)) + blob for kind, blob in images.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    rendered: dict[int, bytes] = {}
    for size in sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)}):
        rendered[size] = icon_png(size)
    for size in PNG_SIZES:
        (ICONS_DIR / f"qqdesk-{size}.png").write_bytes(rendered[size])
    (ICONS_DIR / "qqdesk.ico").write_bytes(build_ico({s: rendered[s] for s in ICO_SIZES}))
    (ICONS_DIR / "qqdesk.icns").write_bytes(
        build_icns({kind: rendered[size] for kind, size in ICNS_TYPES})
    )
    for name in (*(f"qqdesk-{s}.png" for s in PNG_SIZES), "qqdesk.ico", "qqdesk.icns"):
        print(f"{(ICONS_DIR / name).stat().st_size:>8}  {name}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
