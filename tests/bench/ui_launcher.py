"""A minimal app start for bench_ui.py: sign in, show the main window, report times and memory.

Run by bench_ui.py in a child process (``QT_QPA_PLATFORM=offscreen``); it prints one
JSON line per milestone, each with the wall clock (``time.time()``, comparable with
the parent's clock before it started this process), the process's resident memory and
its peak so far (VmHWM):

* ``bare``: a QApplication showing an empty QMainWindow; milestone ``shown`` at its
  first paint -- the baseline of what PySide6 alone costs.
* ``app``: what ``python -m qqdesk`` does after an automatic sign-in (App.signed_in),
  with the language and theme of default settings installed first (as
  App.apply_language_and_theme): an AccountSession logs in, a MainWindow is built,
  shown and started; milestones
  ``shown`` (first paint of the buddy tree), ``listed`` (the whole buddy list is in
  the model and painted), ``named`` (every buddy has its nickname, checked every
  0.5 s; with ``--legacy-list`` the list is read as from a server without the ListEx
  extension), then with ``--chat`` ``chat`` (a chat window has painted its first page
  of history). Then it logs out and ends.

Nothing here is added to the app: the same classes the app uses, driven directly,
with the QApplication ``python -m qqdesk`` makes (create_qapplication), without
settings, tray, notifications or the single-instance socket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_rss_kb() -> int:
    """The process's largest resident memory so far (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def report(event: str, **extra: Any) -> None:
    line = {"event": event, "t": time.time(), "rss_kb": rss_kb(), "peak_kb": peak_rss_kb()}
    print(json.dumps({**line, **extra}), flush=True)


class FirstPaint(QObject):
    """Sets a future when the watched widget has handled a paint event."""

    def __init__(self, widget: QWidget, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(widget)
        self.painted: asyncio.Future[float] = loop.create_future()
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted.done():
            # Report after the paint itself has run, not before it.
            asyncio.get_event_loop().call_soon(self._done)
        return False

    def _done(self) -> None:
        if not self.painted.done():
            self.painted.set_result(time.time())


async def run_bare(qapp: QApplication) -> None:
    window = QMainWindow()
    window.resize(360, 640)
    painted = FirstPaint(window, asyncio.get_running_loop()).painted
    window.show()
    await painted
    report("shown")
    window.close()


async def run_app(qapp: QApplication, args: argparse.Namespace) -> None:
    from qqdesk.client import AccountSession
    from qqdesk.ui.i18n import install_translator
    from qqdesk.ui.mainwindow import MainWindow
    from qqdesk.ui.theme import apply_theme

    # As App.apply_language_and_theme does with default settings, before any window:
    # the language also sets the locale names are sorted in (not the process's "C").
    install_translator(qapp, "system")
    apply_theme(qapp, "system")
    session = AccountSession(args.server, args.uin, args.password, store=args.history)
    try:
        await session.login()
        if args.legacy_list:
            # as against a server without the ListEx extension: List, Query_Stat, GetInfo
            session.link.offers = frozenset()
        window = MainWindow(session, use_tray=False, use_dbus=False)
        window.resize(360, 640)
        loop = asyncio.get_running_loop()
        painted = FirstPaint(window.tree.viewport(), loop).painted
        window.show()
        window.start()
        await painted
        report("shown")
        while len(window.model.friends()) < args.buddies:
            await asyncio.sleep(0.01)
        window.tree.viewport().repaint()
        report("listed", buddies=len(window.model.friends()))

        def unnamed() -> int:
            return sum(not buddy.nick for buddy in window.model.friends())

        while unnamed():
            await asyncio.sleep(0.5)  # seldom: counting 10,000 rows costs the client time
        window.tree.viewport().repaint()
        report("named")
        if args.chat:
            chat = window.chats.open_chat(args.chat)
            # The first page is laid out and scrolled to the end on the loop's next turn;
            # the paint that counts is the one after that.
            while not chat._history_shown:
                await asyncio.sleep(0)
            painted = FirstPaint(chat.view.viewport(), loop).painted
            chat.view.viewport().update()
            await painted
            report("chat", rows=chat.model.rowCount())
        window.shutdown()
    finally:
        await session.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("bare", "app"))
    parser.add_argument("--server")
    parser.add_argument("--uin", type=int)
    parser.add_argument("--password")
    parser.add_argument("--history", help="the account's client history file")
    parser.add_argument("--buddies", type=int, default=0, help="wait until this many are listed")
    parser.add_argument("--chat", type=int, default=0, help="then open the chat with this uin")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for all of it")
    parser.add_argument(
        "--legacy-list",
        action="store_true",
        help="list buddies as against a server without ListEx (List + GetInfo)",
    )
    args = parser.parse_args()

    import qasync  # type: ignore[import-untyped]

    if args.mode == "app":
        # as ``python -m qqdesk`` makes it: names, window icon, emoji font, collector
        from qqdesk.ui.app import create_qapplication

        qapp = create_qapplication([sys.argv[0]])
    else:
        qapp = QApplication([sys.argv[0]])
        qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        work = run_bare(qapp) if args.mode == "bare" else run_app(qapp, args)
        loop.run_until_complete(asyncio.wait_for(work, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
