"""The windowed half of ``qqdesk --self-check``: Qt, artwork, translations and a real chat.

The first half (``qqdesk.selfcheck``) proves server, client and store work together.
This half proves what only a desktop process can get wrong, a packaged one above
all: the Qt platform plugin loads, the artwork and the .qm catalogues are where the
app looks for them, and a main window signed in to the built-in server lists a
friend and chats with them through a chat window.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from qqdesk import resources
from qqdesk.client import AccountSession
from qqdesk.core import Presence
from qqdesk.selfcheck import PROBE, Progress, Say, receive, run_checks, two_accounts

from . import i18n, icons
from .mainwindow import MainWindow
from .models import Roles

#: What the friend answers; it has to show in the chat window.
REPLY = "self-check reply 回复 ✓"


def choose_platform(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Headless without a display: draw offscreen rather than fail to open one.

    An explicit ``QT_QPA_PLATFORM`` always wins; so does any display (X11, Wayland),
    and on Windows and macOS there is always one.
    """
    if "QT_QPA_PLATFORM" in environ or not sys.platform.startswith("linux"):
        return
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return
    environ["QT_QPA_PLATFORM"] = "offscreen"


async def check_windows(qapp: QApplication, say: Say, timeout: float = 30) -> int:
    """Run the windowed checks on the running (qasync) loop; 0 passed, 1 failed, 2 timed out."""

    async def steps(directory: Path, progress: Progress) -> None:
        await _run(qapp, directory, progress)

    return await run_checks(
        steps,
        timeout=timeout,
        say=say,
        passed=f"self-check of the windows on the {QGuiApplication.platformName()} platform passed",
        passed_zh="窗口自检通过",
    )


async def _run(qapp: QApplication, directory: Path, progress: Progress) -> None:
    progress(f"loading artwork from {resources.resources_dir()}")
    _check_artwork()
    progress("loading the zh_CN and en translations")
    _check_translations(qapp)
    async with two_accounts(directory, progress, friends=True) as (own, other):
        window = MainWindow(own, use_tray=False, use_dbus=False)
        try:
            await _chat_through_windows(window, other, other.uin, progress)
        finally:
            window.shutdown()


async def _chat_through_windows(
    window: MainWindow, other: AccountSession, friend: int, progress: Callable[[str], None]
) -> None:
    progress("opening the main window")
    window.show()
    window.start()

    def friend_online() -> bool:
        buddy = window.model.buddy_item(friend)
        return buddy is not None and buddy.status is Presence.ONLINE

    progress("waiting for the friend to show online in the buddy tree")
    await _until(friend_online)
    progress("sending a message from a chat window")
    window.open_chat(friend)
    chat = window.chats.chat(friend)
    if chat is None:
        raise RuntimeError("the chat window did not open")
    chat.send_text(PROBE)
    await receive(other, window.own_uin, PROBE)
    progress("waiting for the friend's answer in the chat window")
    await other.send_message(window.own_uin, REPLY)

    def answered() -> bool:
        model = chat.model
        texts = (model.index(row, 0).data(Roles.TEXT) for row in range(model.rowCount()))
        return REPLY in texts

    await _until(answered)
    for widget in (window, chat):
        picture = widget.grab()
        if picture.isNull() or picture.width() < 50 or picture.height() < 50:
            raise RuntimeError(f"{type(widget).__name__} painted nothing")


def _check_artwork() -> None:
    """Every file the windows draw from must exist and decode (the bundle's plugins too)."""
    pictures = [
        resources.app_icon_path(64),
        resources.face_path(0),
        resources.face_path(297),
        icons.status_badge_path(Presence.BUSY),
        resources.tray_icon_path(unread=True),
    ]
    for path in pictures:
        if QPixmap(str(path)).isNull():
            raise RuntimeError(f"cannot load the picture {path}")
    svg = resources.app_icon_path()
    if QIcon(str(svg)).pixmap(64, 64).isNull():
        raise RuntimeError(f"cannot draw {svg} (is Qt's SVG image plugin there?)")
    if not resources.sound_path().is_file():
        raise RuntimeError(f"the message sound is missing: {resources.sound_path()}")


def _check_translations(qapp: QApplication) -> None:
    """Both catalogues load and translate; English stays in force afterwards."""
    try:
        if i18n.install_translator(qapp, "zh_CN") != "zh_CN":
            raise RuntimeError("the zh_CN catalogue is not available")
        words = QCoreApplication.translate("MainWindow", "Message from {name}")
        if words == "Message from {name}":
            raise RuntimeError(f"the zh_CN catalogue did not load from {i18n.TRANSLATIONS_DIR}")
    finally:
        i18n.install_translator(qapp, "en")


async def _until(check: Callable[[], bool]) -> None:
    """Let the loop run until ``check()`` holds; the caller's time-out bounds it."""
    while not check():
        await asyncio.sleep(0.02)
