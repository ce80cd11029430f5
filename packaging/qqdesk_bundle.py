"""What the three PyInstaller specs share: names, version, data files, imports, exclusions.

Each ``packaging/<os>/qqdesk.spec`` puts this folder on ``sys.path`` and imports this
module. It deliberately has no ``__init__.py`` sibling: a ``packaging`` package at
the repository root would shadow the ``packaging`` library that pip and PyInstaller
import.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
RESOURCES = ROOT / "resources"
LAUNCHER = PACKAGING / "launcher.py"

APP_NAME = "qqdesk"
APP_ID = "io.github.qqdesk.Qqdesk"
#: Qt 6.10 and later support macOS 13 (Ventura) and newer.
MACOS_MINIMUM = "13.0"

# Qt modules the app does not use. PyInstaller's Qt hooks only collect what is
# imported, but listing them keeps an optional import (or a machine with the full
# PySide6 and its add-ons) from dragging in hundreds of megabytes. QtMultimedia is
# here too: PySide6-Essentials does not have it, and the app falls back to a system
# beep without it; bundling it would add FFmpeg.
QT_EXCLUDES = tuple(
    f"PySide6.{name}"
    for name in (
        "Qt3DAnimation",
        "Qt3DCore",
        "Qt3DExtras",
        "Qt3DInput",
        "Qt3DLogic",
        "Qt3DRender",
        "QtAxContainer",
        "QtBluetooth",
        "QtCharts",
        "QtConcurrent",
        "QtDataVisualization",
        "QtDesigner",
        "QtGraphs",
        "QtGraphsWidgets",
        "QtHelp",
        "QtHttpServer",
        "QtLocation",
        "QtMultimedia",
        "QtMultimediaWidgets",
        "QtNetworkAuth",
        "QtNfc",
        "QtOpenGL",
        "QtOpenGLWidgets",
        "QtPdf",
        "QtPdfWidgets",
        "QtPositioning",
        "QtPrintSupport",
        "QtQml",
        "QtQuick",
        "QtQuick3D",
        "QtQuickControls2",
        "QtQuickTest",
        "QtQuickWidgets",
        "QtRemoteObjects",
        "QtScxml",
        "QtSensors",
        "QtSerialBus",
        "QtSerialPort",
        "QtSpatialAudio",
        "QtSql",
        "QtStateMachine",
        "QtSvgWidgets",
        "QtTest",
        "QtTextToSpeech",
        "QtUiTools",
        "QtWebChannel",
        "QtWebEngineCore",
        "QtWebEngineQuick",
        "QtWebEngineWidgets",
        "QtWebSockets",
        "QtWebView",
        "QtXml",
    )
)
#: Other Qt bindings (one binding per process) and things only development needs.
OTHER_EXCLUDES = (
    "PyQt5",
    "PyQt6",
    "PySide2",
    "shiboken2",
    "tkinter",
    "_tkinter",
    "turtle",
    "idlelib",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
)
EXCLUDES = [*QT_EXCLUDES, *OTHER_EXCLUDES]

#: Qt's own translations worth shipping: the catalogues i18n.py loads, in the
#: languages the app speaks besides English.
QT_TRANSLATIONS = ("qtbase_zh_CN.qm", "qt_zh_CN.qm")

#: Qt files for embedded devices (framebuffer, EGLFS, VNC, evdev input) that a
#: desktop app never loads; the desktop keeps xcb, wayland, offscreen and minimal.
EMBEDDED_ONLY = (
    "*/plugins/platforms/libqeglfs.so",
    "*/plugins/platforms/libqlinuxfb.so",
    "*/plugins/platforms/libqminimalegl.so",
    "*/plugins/platforms/libqvkkhrdisplay.so",
    "*/plugins/platforms/libqvnc.so",
    "*/plugins/egldeviceintegrations/*",
    "*/plugins/generic/*",
    "*libQt6EglFSDeviceIntegration.so*",
    "*libQt6EglFsKmsSupport.so*",
)


def version() -> str:
    """``qqdesk.__version__``, read from the source without importing the package."""
    text = (ROOT / "qqdesk" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise SystemExit("qqdesk/__init__.py has no __version__")
    return found.group(1)


def datas() -> list[tuple[str, str]]:
    """(source file, folder in the bundle) for the artwork, sounds and translations.

    The resources tree lands in ``<bundle>/resources`` where ``qqdesk.resources``
    looks when frozen; its build scripts stay behind. The interface translations
    land next to ``qqdesk/ui/i18n.py``, which finds them relative to itself.
    """
    pairs = []
    for path in sorted(RESOURCES.rglob("*")):
        if path.is_dir() or path.suffix == ".py" or "__pycache__" in path.parts:
            continue
        target = Path("resources") / path.parent.relative_to(RESOURCES)
        pairs.append((str(path), target.as_posix()))
    for path in sorted((ROOT / "qqdesk").rglob("*.qm")):
        pairs.append((str(path), path.parent.relative_to(ROOT).as_posix()))
    return pairs


#: Where Debian's fonts-noto-color-emoji puts the colour emoji font (SIL OFL 1.1).
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")


def emoji_font_datas(font: Path = EMOJI_FONT) -> list[tuple[str, str]]:
    """The colour emoji font for the Linux bundle, in ``resources/fonts`` where
    ``qqdesk.ui.emoji`` loads it when the system has none (Windows and macOS always
    have one). The build stops with a clear message when the font is missing: a
    bundle without it shows emoji as boxes on minimal systems."""
    if not font.is_file():
        raise SystemExit(
            f"{font} is missing: install Debian's fonts-noto-color-emoji "
            "(apt-get install fonts-noto-color-emoji) before building the Linux bundle"
        )
    return [(str(font), "resources/fonts")]


def hiddenimports() -> list[str]:
    """Every qqdesk module (start-up hooks import some by name), and QtSvg for the
    SVG image and icon plugins that show the faces, badges and tray icons."""
    from PyInstaller.utils.hooks import collect_submodules

    return [*collect_submodules("qqdesk"), "PySide6.QtSvg"]


def prune(analysis: Any) -> None:
    """Drop what PyInstaller's Qt hooks collect but the app never loads.

    That is Qt's translations for other languages (about 20 MB of .qm) and the
    embedded-device plugins (about 2 MB).
    """

    def wanted_data(entry: tuple[str, str, str]) -> bool:
        dest = entry[0].replace("\\", "/")
        if "PySide6/" not in dest or "/translations/" not in dest or not dest.endswith(".qm"):
            return True
        return dest.rsplit("/", 1)[-1] in QT_TRANSLATIONS

    def wanted_binary(entry: tuple[str, str, str]) -> bool:
        dest = entry[0].replace("\\", "/")
        return not any(fnmatch.fnmatch(dest, pattern) for pattern in EMBEDDED_ONLY)

    analysis.datas = [entry for entry in analysis.datas if wanted_data(entry)]
    analysis.binaries = [entry for entry in analysis.binaries if wanted_binary(entry)]
