"""Screenshots for the README: main window, chat, profile, settings, friend requests;
en and zh_CN, light and dark, 1x and 2x.

Run it from the repository root under a virtual X display::

    xvfb-run -a -s "-screen 0 1280x800x24" \
        .venv/bin/python tests/bench/screenshots.py docs/screenshots

For each language it starts the demo world (qqdesk.demo.start_demo) in a temporary
folder with hurried bots, signs in as the demo user, waits until the bots are online,
sends a two-line message to the echo bot and waits for its reply, opens the find bar
on a word of it, waits for the requester bot's friend request, and saves each window
(QWidget.grab) in each theme: ``<window>-<lang>[-dark][-2x].png`` for main, chat,
profile, own-profile (my own profile editor), settings, proxy (the Proxy tab of
Settings), requests, group (a group chat), faces (the face picker), rooms (the tree
scrolled to its groups), categories (the tree with a category of two friends, one
with a remark) and accounts (the main window with a second account signed in beside
the demo one). The 2x pictures
come from a second run of this script with QT_SCALE_FACTOR=2 (Qt reads it at start).
Everything is stopped and removed at the end; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget  # noqa: E402

from qqdesk.core import Presence  # noqa: E402
from qqdesk.demo import start_demo  # noqa: E402
from qqdesk.demo.data import BUDDIES  # noqa: E402
from qqdesk.ui.app import create_qapplication  # noqa: E402
from qqdesk.ui.i18n import install_translator  # noqa: E402
from qqdesk.ui.models import Roles  # noqa: E402
from qqdesk.ui.theme import apply_theme  # noqa: E402

ECHO_BOT = 10002
#: Words to the echo bot in each language (two lines), the word the find bar looks
#: for, and the size of each shot.
MESSAGES = {"en": "Hello!\nWhat time is it?", "zh_CN": "你好！\n现在几点了？"}
FIND = {"en": "time", "zh_CN": "几点"}
MAIN_SIZE = (360, 640)
CHAT_SIZE = (560, 520)
ROOM_SIZE = (760, 560)
PROFILE_SIZE = (560, 640)
OWN_PROFILE_SIZE = (660, 700)
SETTINGS_SIZE = (520, 420)
REQUESTS_SIZE = (520, 360)
THEMES = ("light", "dark")
#: The second account of the "accounts" shot: its nickname and password per language.
SECOND_ACCOUNT = {"en": "Sam at work", "zh_CN": "小王（工作）"}
GREETING = {"en": "Are you there?", "zh_CN": "在吗？"}
#: PNGs larger than this are saved again with fewer colours.
MAX_BYTES = 200_000


async def wait_for(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def settle(widget: QWidget, seconds: float = 0.4) -> None:
    """Let layouts, pending paints and late replies land before the grab."""
    await asyncio.sleep(seconds)
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    widget.repaint()
    await asyncio.sleep(0.05)


def save(widget: QWidget, path: Path) -> None:
    pixmap = widget.grab()
    if not pixmap.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    if path.stat().st_size > MAX_BYTES:
        # Anti-aliased text makes many colours; 256 of them still read well.
        image = pixmap.toImage().convertToFormat(pixmap.toImage().Format.Format_Indexed8)
        image.save(str(path), b"PNG", 9)
    print(f"{path} {pixmap.width()}x{pixmap.height()} {path.stat().st_size // 1024} KB")


def online_buddies(window: Any) -> int:
    model = window.model
    friends = model.index(0, 0)
    return sum(
        1
        for row in range(model.rowCount(friends))
        if model.index(row, 0, friends).data(Roles.STATUS) in (Presence.ONLINE, Presence.BUSY)
    )


def shot_name(window: str, language: str, theme: str) -> str:
    """``main-en.png``, ``chat-zh_CN-dark-2x.png``: light 1x keeps the README's old names."""
    name = f"{window}-{language}"
    if theme != "light":
        name += f"-{theme}"
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    if scale not in ("", "1"):
        name += f"-{scale}x"
    return name + ".png"


async def save_themes(
    qapp: QApplication, widget: QWidget, window: str, language: str, out: Path
) -> None:
    """``widget`` once per theme (the palette switches live, as from Settings)."""
    for theme in THEMES:
        apply_theme(qapp, theme)
        await settle(widget)
        save(widget, out / shot_name(window, language, theme))
    apply_theme(qapp, THEMES[0])


async def shoot(qapp: QApplication, language: str, out: Path) -> None:
    from qqdesk.client import AccountSession
    from qqdesk.ui.accounts import AccountsWindow
    from qqdesk.ui.dialogs import SettingsDialog
    from qqdesk.ui.dialogs.profile import ProfileDialog
    from qqdesk.ui.mainwindow import MainWindow
    from qqdesk.ui.settings import Settings

    install_translator(qapp, language)
    with tempfile.TemporaryDirectory(prefix="qqdesk-shots-") as tmp:
        demo = await start_demo(Path(tmp), speed=5.0)
        session = None
        window = None
        shell: AccountsWindow | None = None
        second: AccountSession | None = None
        try:
            session = await demo.sign_in()
            window = MainWindow(session, use_tray=False, use_dbus=False)
            window.resize(*MAIN_SIZE)
            window.show()
            window.start()
            friends = len(BUDDIES)
            await wait_for(
                lambda: window.model.rowCount(window.model.index(0, 0)) == friends,
                "the buddy list",
            )
            await wait_for(lambda: online_buddies(window) >= 3, "bots online")
            await asyncio.sleep(1.0)  # statuses and strangers' first words settle
            window.tree.clearSelection()
            await save_themes(qapp, window, "main", language, out)

            window.open_chat(ECHO_BOT)
            chat = window.chats.chat(ECHO_BOT)
            assert chat is not None
            chat.resize(*CHAT_SIZE)
            chat.send_text(MESSAGES[language])

            def replied() -> bool:
                model = chat.model
                return any(
                    not model.entry(r).outgoing and model.entry(r).text
                    for r in range(model.rowCount())
                )

            await wait_for(replied, "the echo bot's reply")
            await asyncio.sleep(1.0)
            chat.find_bar.open_bar(FIND[language])
            await save_themes(qapp, chat, "chat", language, out)
            chat.close()

            # The hiking group: several senders, cards, faces; then the face picker.
            if session.rooms_available:
                await wait_for(lambda: bool(window.model.rooms()), "the groups")
                hiking = window.model.rooms()[0].conversation
                room = window.open_room(hiking)
                room.resize(*ROOM_SIZE)

                def senders() -> int:
                    model = room.model
                    return len({model.entry(r).sender for r in range(model.rowCount())})

                await wait_for(lambda: senders() >= 3, "three voices in the group", 60)
                await asyncio.sleep(1.0)
                await save_themes(qapp, room, "group", language, out)
                room.show_faces()
                picker = room.face_picker
                assert picker is not None
                await save_themes(qapp, picker, "faces", language, out)
                picker.close()
                room.close()
                # the tree scrolled to its end, where the groups and discussions are
                window.tree.scrollToBottom()
                await asyncio.sleep(0.5)
                await save_themes(qapp, window, "rooms", language, out)
                window.tree.scrollToTop()

            profile = ProfileDialog(session, ECHO_BOT)
            profile.resize(*PROFILE_SIZE)
            profile.show()
            await wait_for(lambda: profile.profile is not None, "the profile")
            await save_themes(qapp, profile, "profile", language, out)
            profile.close()
            profile.deleteLater()

            # My own profile, opened as a click on my face opens it.
            own = window.show_own_profile()
            own.resize(*OWN_PROFILE_SIZE)
            await wait_for(lambda: own.privacy is not None, "my profile and privacy")
            await save_themes(qapp, own, "own-profile", language, out)
            own.close()

            settings = SettingsDialog(
                Settings(Path(tmp) / "settings.json"),
                idle_source=window.auto_away.source,
                account=session.uin,
            )
            settings.resize(*SETTINGS_SIZE)
            settings.show()
            await save_themes(qapp, settings, "settings", language, out)
            if settings.proxy_page is not None:
                settings.tabs.setCurrentWidget(settings.proxy_page)
                page = settings.proxy_page
                page.kind_combo.setCurrentIndex(page.kind_combo.findData("socks5"))
                page.host_edit.setText("proxy.example.org")
                await save_themes(qapp, settings, "proxy", language, out)
            settings.reject()
            settings.deleteLater()

            # The requester bot asks after a while; its dialog is closed with Later.
            await wait_for(lambda: bool(session.add_requests()), "the friend request", 40)
            for dialog in QApplication.topLevelWidgets():
                if dialog.isVisible() and type(dialog).__name__ == "IncomingRequestDialog":
                    dialog.close()
            requests = window.show_requests()
            requests.resize(*REQUESTS_SIZE)
            await save_themes(qapp, requests, "requests", language, out)
            requests.close()

            # My categories and a remark: two friends in a category of their own.
            await save_categories(qapp, window, session, language, out)
            # A second account signs in beside the demo one; the switcher shows both.
            second_uin = demo.server.create_account("second-pw", SECOND_ACCOUNT[language], face=42)
            second = AccountSession(
                demo.server_url, second_uin, "second-pw", store=Path(tmp) / "second.sqlite3"
            )
            await second.login()
            shell = AccountsWindow(use_tray=False, use_dbus=False)
            shell.resize(*MAIN_SIZE)
            shell.add_page(window)
            shell.add_session(second).start()
            shell.show()
            # The demo account in front: the second's messages come as a notice naming it.
            shell.show_page(window)
            for _ in range(2):
                await session.send_message(second_uin, GREETING[language])
            second_page = shell.page_of(second_uin)
            assert second_page is not None
            await wait_for(lambda: second_page.model.total_unread() >= 2, "the second's unread")
            window.notice_banner.hide()  # the page's own notices: the main shot has them
            window.tree.clearSelection()
            await save_themes(qapp, shell, "accounts", language, out)
        finally:
            if shell is not None:
                shell.shutdown()
                shell.deleteLater()
            elif window is not None:
                window.shutdown()
                window.close()
                window.deleteLater()
            if second is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(second.close(), 5)
            if session is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(session.close(), 5)
            await demo.stop()
            await asyncio.sleep(0.1)


#: A category and a remark for the categories shot, in each language.
CATEGORY_NAME = {"en": "Classmates", "zh_CN": "同学"}
REMARK = {"en": "Echo (my bot)", "zh_CN": "回声（我的机器人）"}


async def save_categories(
    qapp: QApplication, window: Any, session: Any, language: str, out: Path
) -> None:
    """The tree with a category of two friends, one of them with a remark."""
    made = await session.create_category(CATEGORY_NAME[language])
    first, second = BUDDIES[0].uin, BUDDIES[1].uin
    await session.move_buddy(first, made.index)
    await session.move_buddy(second, made.index)
    await session.set_remark(first, REMARK[language])
    await window.reload_buddies()
    await wait_for(
        lambda: (
            window.model.category_index(made.index).isValid()
            and window.model.rowCount(window.model.category_index(made.index)) == 2
        ),
        "the category",
    )
    window.tree.clearSelection()
    # the category's header at the top, its friends (one shown by its remark) below
    header = window.proxy.mapFromSource(window.model.category_index(made.index))
    window.tree.scrollTo(header, QAbstractItemView.ScrollHint.PositionAtTop)
    await asyncio.sleep(0.5)
    await save_themes(qapp, window, "categories", language, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs")
    parser.add_argument(
        "--lang", action="append", choices=sorted(MESSAGES), help="only these (default: all)"
    )
    parser.add_argument(
        "--scale",
        action="append",
        choices=("1", "2"),
        help="only these scale factors (default: 1 and 2, each in its own process)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scales = args.scale or ["1", "2"]
    if scales != [os.environ.get("QT_SCALE_FACTOR", "1")]:
        # QT_SCALE_FACTOR is read when the QApplication starts: one process per factor.
        failed = 0
        for scale in scales:
            command = [sys.executable, __file__, str(args.out), "--scale", scale]
            for language in args.lang or []:
                command += ["--lang", language]
            env = dict(os.environ, QT_SCALE_FACTOR=scale)
            failed |= subprocess.run(command, env=env, check=False).returncode
        return failed

    import qasync  # type: ignore[import-untyped]

    qapp = create_qapplication([sys.argv[0]])
    apply_theme(qapp, "light")
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def all_languages() -> None:
        for language in args.lang or sorted(MESSAGES):
            await shoot(qapp, language, args.out)

    with loop:
        loop.run_until_complete(asyncio.wait_for(all_languages(), 400))
    return 0


if __name__ == "__main__":
    sys.exit(main())
