"""Where the app's pictures and sounds are on disk: paths only, no Qt, so any layer may ask.

The files live in the top-level ``resources/`` folder of the source tree, not inside
the ``qqdesk`` package: they are art with their own build scripts
(``resources/build_*.py``), they are shared with the desktop packages (the Linux
desktop entry, the Windows .ico, the macOS .icns), and keeping them out of the
package keeps the wheel small for people who only want the protocol or the server.
So this module looks, in order, at:

1. ``$QQDESK_RESOURCES``, for distribution packagers who install the files
   elsewhere (for example ``/usr/share/qqdesk/resources``);
2. ``sys._MEIPASS/resources`` when running from a PyInstaller bundle (the specs in
   ``packaging/`` copy the tree there);
3. ``resources/`` next to the ``qqdesk`` package: a source checkout, and
   ``pip install -e .``, whose ``qqdesk`` is still the one in the checkout;
4. installed copies: ``qqdesk/_resources`` inside the package, and
   ``<prefix>/share/qqdesk/resources`` (what setuptools ``data-files`` would install).

A folder counts only if it holds ``icons/qqdesk.svg``, so an unrelated ``resources``
folder (say, in site-packages) is never picked up by mistake.
"""

from __future__ import annotations

import logging
import os
import sys
import sysconfig
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

#: Environment variable that points at a resources folder, overriding the search.
ENV_VAR = "QQDESK_RESOURCES"
#: The file that marks a folder as qqdesk's resources.
MARKER = Path("icons", "qqdesk.svg")
#: How many face pictures there are: face ids 0..299 map to pictures 1..100.
FACE_COUNT = 100
#: The sizes of the app icon that exist as PNG files (``icons/qqdesk-<size>.png``).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Badge file per presence code (the protocol's ST values, ``qqdesk.protocol.classic.Status``).
_BADGES = {10: "online", 20: "offline", 30: "busy", 40: "invisible"}


def candidate_dirs() -> list[Path]:
    """The folders searched for resources, in order (see the module docstring)."""
    places: list[Path] = []
    override = os.environ.get(ENV_VAR)
    if override:
        places.append(Path(override))
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        places.append(Path(bundle) / "resources")
    package = Path(__file__).resolve().parent
    places.append(package.parent / "resources")
    places.append(package / "_resources")
    for prefix in dict.fromkeys((sysconfig.get_path("data"), sys.prefix)):
        places.append(Path(prefix) / "share" / "qqdesk" / "resources")
    return places


@cache
def resources_dir() -> Path:
    """The resources folder in use.

    Raises:
        FileNotFoundError: when no candidate folder holds the app's resources.
    """
    places = candidate_dirs()
    for place in places:
        if (place / MARKER).is_file():
            return place
    tried = ", ".join(str(place) for place in places)
    raise FileNotFoundError(f"qqdesk resources not found; looked in: {tried}")


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>``; the file is not checked to exist."""
    return resources_dir().joinpath(*parts)


def face_number(face_id: int) -> int:
    """The picture number for face id FC: FC // 3 + 1, clamped to 1..FACE_COUNT."""
    return min(max(face_id // 3 + 1, 1), FACE_COUNT)


def face_path(face_id: int) -> Path:
    """The face picture (SVG) for face id ``face_id`` as the protocol sends it."""
    return resource_path("faces", f"{face_number(face_id)}.svg")


#: The picture shown for a face id the app has no picture for (drawn like the others).
UNKNOWN_EMOTICON = "unknown"
# Face ids already reported as unknown: one log line per id, not one per message.
_unknown_emoticons: set[int] = set()


def emoticon_path(face_id: int) -> Path:
    """The picture (SVG) of classic face (emoticon) ``face_id``, as in ``["face", 14]``.

    An id without a picture of its own (a face newer than our table) gets
    ``emoticons/unknown.svg``, and is logged once.
    """
    path = resource_path("emoticons", f"{int(face_id)}.svg")
    if face_id >= 0 and path.is_file():
        return path
    if face_id not in _unknown_emoticons:
        _unknown_emoticons.add(face_id)
        log.info("no picture for face id %d; showing %s.svg", face_id, UNKNOWN_EMOTICON)
    return resource_path("emoticons", f"{UNKNOWN_EMOTICON}.svg")


def status_badge_path(status: int) -> Path:
    """The badge (SVG) for a presence code; unknown codes get the offline badge."""
    return resource_path("status", f"{_BADGES.get(int(status), 'offline')}.svg")


def app_icon_path(size: int | None = None) -> Path:
    """The app icon: the SVG when ``size`` is None, else the PNG of at least ``size`` px.

    Sizes between the stored ones get the next larger PNG (to be scaled down, which
    stays sharp); sizes above the largest get the largest.
    """
    if size is None:
        return resource_path("icons", "qqdesk.svg")
    fitting = [s for s in ICON_SIZES if s >= size]
    return resource_path("icons", f"qqdesk-{fitting[0] if fitting else ICON_SIZES[-1]}.png")


def app_icon_file(platform: str = sys.platform) -> Path:
    """The icon container a platform's packaging wants: .ico on Windows, .icns on macOS."""
    if platform.startswith("win"):
        return resource_path("icons", "qqdesk.ico")
    if platform == "darwin":
        return resource_path("icons", "qqdesk.icns")
    return app_icon_path(256)


def tray_icon_path(unread: bool = False) -> Path:
    """The one-colour tray icon (SVG); with ``unread`` the one with a red dot."""
    return resource_path("icons", "tray-unread.svg" if unread else "tray.svg")


def sound_path(name: str = "message") -> Path:
    """A sound by name, with or without its ``.wav`` suffix (``"message"``: new message)."""
    file_name = name if name.endswith(".wav") else f"{name}.wav"
    if Path(file_name).name != file_name:
        raise ValueError(f"not a sound name: {name!r}")
    return resource_path("sounds", file_name)
