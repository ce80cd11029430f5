"""The windowed half of ``qqdesk --self-check``: Qt, artwork, translations and a real chat.

The first half (``qqdesk.selfcheck``) proves server, client and store work together.
This half proves what only a desktop process can get wrong, a packaged one above
all: the Qt platform plugin loads, the artwork and the .qm catalogues are where the
app looks for them, and a main window signed in to the built-in server lists a
friend and chats with them through a chat window.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from qqdesk import resources
from qqdesk.builtin import BuiltinServer
from qqdesk.client import AccountSession
from qqdesk.protocol import Status
from qqdesk.selfcheck import PROBE, Progress, Say, receive, run_checks

from . import i18n
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


async def _run(qapp: QApplication, directory: Path, progress: Callable[[str], None]) -> None:
    progress(f"loading artwork from {resources.resources_dir()}")
    _check_artwork()
    progress("loading the zh_CN and en translations")
    _check_translations(qapp)
    progress("starting the built-in server")
    server = await BuiltinServer.start(directory / "server", port=0)
    try:
        me = server.create_account("selfcheck-1", "Self-check 1")
        friend = server.create_account("selfcheck-2", "Self-check 2 自检")
        server.server.admin.add_buddy(me, friend)
        server.server.admin.add_buddy(friend, me)
        progress(f"signing in {me} and {friend}")
        own = AccountSession(server.url, me, "selfcheck-1", store=directory / "1.sqlite3")
        other = AccountSession(server.url, friend, "selfcheck-2", store=directory / "2.sqlite3")
        async with other, own:  # entering logs in
            window = MainWindow(own, use_tray=False, use_dbus=False)
            try:
                await _chat_through_windows(window, other, friend, progress)
            finally:
                window.shutdown()
            progress("signing out")
            await own.logout()
            await other.logout()
        progress("stopping the built-in server")
    finally:
        with contextlib.suppress(Exception):
            await server.stop()


async def _chat_through_windows(
    window: MainWindow, other: AccountSession, friend: int, progress: Callable[[str], None]
) -> None:
    progress("opening the main window")
    window.show()
    window.start()

    def friend_online() -> bool:
        buddy = window.model.buddy_item(friend)
        return buddy is not None and buddy.status == int(Status.ONLINE)

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
        resources.status_badge_path(int(Status.BUSY)),
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
