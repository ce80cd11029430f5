"""Benchmark of the desktop UI, each figure beside a bare-Qt or bare-SQLite baseline.

Run it from the repository root (no display needed; Qt draws offscreen)::

    .venv/bin/python tests/bench/bench_ui.py

It prints one table. Every row is measured in this run, beside its baseline:

* cold start: from starting a Python process until the main window has painted,
  after an automatic sign-in (AccountSession + MainWindow, driven by
  tests/bench/ui_launcher.py against a real server on loopback, fresh client
  history, 20 buddies); also until the buddy list is in. Baseline: a bare PySide6
  process painting an empty QMainWindow. Median of 5 runs each.
* the buddy tree: building a BuddyTreeModel (with its filter proxy, as the main
  window has it) of 10,000 buddies; filtering it by a few strings; 1,000 status
  changes. Baseline: a QStandardItemModel of 10,000 rows behind a
  QSortFilterProxyModel, doing the same. Median of 5 runs.
* opening a chat with 100,000 messages in the HistoryStore (tmp SQLite file):
  from constructing the ChatWindow until its first page of history has painted.
  Baseline: reading the newest 50 rows of the same table with sqlite3 directly.
  Median of 5 runs.
* resident memory (VmRSS) of the launcher process signed in with 10,000 buddies,
  then with the 100k chat open. Baseline: the bare PySide6 process above. The
  account's first sign-in (no cached buddy list, so every nickname is fetched)
  is timed too, as it is the slow case of a big list.

Bounded: about a minute and a half on a quiet 2-core machine. Loopback only; the
server runs in a thread of this process; everything lives in a temporary folder
removed at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from qqdesk.client import ChatSession, Conversation, HistoryStore  # noqa: E402
from qqdesk.client.events import DeliveryState  # noqa: E402
from qqdesk.client.types import Buddy, RoomMember  # noqa: E402
from qqdesk.core import Face, Presence  # noqa: E402
from qqdesk.ui.chat import ChatWindow  # noqa: E402
from qqdesk.ui.models import BuddyFilterProxyModel, BuddyTreeModel  # noqa: E402
from qqdesk.ui.roomchat import RoomChatWindow  # noqa: E402
from tests.support.servers import ServerThread  # noqa: E402

buddy = Conversation.buddy

LAUNCHER = Path(__file__).with_name("ui_launcher.py")
RUNS = 5
BUDDIES = 10_000
STATUS_CHANGES = 1_000
MESSAGES = 100_000
FILTERS = ("buddy 12", "小明", "4242", "zzz", "")
ME, PASSWORD = 10_000, "bench-pw"
FIRST_BUDDY = 20_000
CHAT_PEER = FIRST_BUDDY + 1
SMALL_ME, SMALL_BUDDIES = 11_000, 20
#: The big group: its members, and the number it has in the history.
GROUP_MEMBERS = 2_000
GROUP = Conversation.group(100_000)


@dataclass
class Row:
    what: str
    value: str
    baseline: str
    baseline_is: str


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mib(kb: float) -> str:
    return f"{kb / 1024:.0f} MiB"


def median_time(func: Callable[[], Any], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def nick(i: int) -> str:
    # Some Chinese names among the English ones, as in a real list.
    return f"小明 {i}" if i % 5 == 0 else f"Buddy {i}"


def status_of(i: int) -> Presence:
    return (Presence.ONLINE, Presence.BUSY, Presence.OFFLINE, Presence.OFFLINE)[i % 4]


# -- child processes -----------------------------------------------------------------------


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return env


def launch(args: list[str], env: dict[str, str], timeout: float = 120) -> dict[str, dict[str, Any]]:
    """Run the launcher (for at most ``timeout`` seconds of its own work); its milestones
    by name, each with ``since_start`` in seconds."""
    start = time.time()
    done = subprocess.run(
        [sys.executable, str(LAUNCHER), *args, "--timeout", str(timeout)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout + 30,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"launcher {args[0]} failed:\n{done.stderr[-2000:]}")
    events: dict[str, dict[str, Any]] = {}
    for line in done.stdout.splitlines():
        event = json.loads(line)
        event["since_start"] = event["t"] - start
        events[event["event"]] = event
    return events


# -- in-process measurements ----------------------------------------------------------------


def buddy_rows() -> list[Row]:
    buddies = [Buddy(FIRST_BUDDY + i, nick(i), i % 100, status_of(i)) for i in range(BUDDIES)]

    def build_qqdesk() -> tuple[BuddyTreeModel, BuddyFilterProxyModel]:
        model = BuddyTreeModel()
        proxy = BuddyFilterProxyModel()
        proxy.setSourceModel(model)
        model.set_buddies(buddies)
        return model, proxy

    def build_plain() -> tuple[QStandardItemModel, QSortFilterProxyModel]:
        model = QStandardItemModel()
        proxy = QSortFilterProxyModel()
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setSourceModel(model)
        root = model.invisibleRootItem()
        for b in buddies:
            item = QStandardItem(b.nick)
            item.setData(b.status.value, Qt.ItemDataRole.UserRole)
            root.appendRow(item)
        return model, proxy

    build = median_time(build_qqdesk)
    build_base = median_time(build_plain)

    model, proxy = build_qqdesk()
    plain, plain_proxy = build_plain()
    matches = {}
    for needle in FILTERS:
        proxy.set_filter_text(needle)
        matches[needle] = proxy.rowCount(proxy.index(0, 0))

    def filter_qqdesk() -> None:
        for needle in FILTERS:
            proxy.set_filter_text(needle)

    def filter_plain() -> None:
        for needle in FILTERS:
            plain_proxy.setFilterFixedString(needle)

    filtering = median_time(filter_qqdesk) / len(FILTERS)
    filtering_base = median_time(filter_plain) / len(FILTERS)

    changes = [
        (
            FIRST_BUDDY + (i * 7919) % BUDDIES,
            (Presence.ONLINE, Presence.OFFLINE, Presence.BUSY)[i % 3],
        )
        for i in range(STATUS_CHANGES)
    ]

    def statuses_qqdesk() -> None:
        for uin, status in changes:
            model.set_status(uin, status)

    items = [plain.item(row) for row in range(BUDDIES)]

    def statuses_plain() -> None:
        for uin, status in changes:
            items[uin - FIRST_BUDDY].setData(status.value, Qt.ItemDataRole.UserRole)

    status_time = median_time(statuses_qqdesk)
    status_base = median_time(statuses_plain)
    shown = ", ".join(f"'{n}' {matches[n]}" for n in FILTERS if n)
    return [
        Row(
            f"Build buddy tree, {BUDDIES:,} buddies (+ filter proxy)",
            ms(build),
            ms(build_base),
            "QStandardItemModel, 10,000 rows, + QSortFilterProxyModel",
        ),
        Row(
            f"Filter it, per string (matches: {shown})",
            ms(filtering),
            ms(filtering_base),
            "QSortFilterProxyModel.setFilterFixedString, same strings",
        ),
        Row(
            f"{STATUS_CHANGES:,} status changes (rows move, proxy attached)",
            ms(status_time),
            ms(status_base),
            "QStandardItem.setData on the plain model, 1,000 times",
        ),
    ]


class Painted(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.done = True
        return False


class NoSession:
    """Opening a chat sends nothing; the window only keeps the session for later."""

    uin = ME
    nick = "Bench 基准"

    def set_active(self, active: bool) -> None:
        pass

    async def members(self, conversation: Conversation) -> list[RoomMember]:
        return group_members()


def group_members() -> list[RoomMember]:
    """The big group's members: every third one online, every fifth with a card."""
    return [
        RoomMember(
            uin=FIRST_BUDDY + i,
            nick=nick(i),
            card=f"card {i}" if i % 5 == 0 else "",
            status=Presence.ONLINE if i % 3 == 0 else Presence.OFFLINE,
        )
        for i in range(GROUP_MEMBERS)
    ]


def wait_painted(qapp: QApplication, widget: QWidget, deadline: float) -> None:
    painted = Painted(widget)
    widget.update()
    while not painted.done and time.monotonic() < deadline:
        qapp.processEvents()
    if not painted.done:
        raise RuntimeError("never painted")


def room_rows(qapp: QApplication, history_path: Path) -> list[Row]:
    """A group of 2,000 members with 100,000 kept messages: open it until its history
    page and its member list are painted (the members arrive as the session gives them)."""
    # The window asks the session for its members as a task; here they are handed to it
    # directly (no loop runs the task), which is what the task does on completion.
    asyncio.set_event_loop(asyncio.new_event_loop())
    store = HistoryStore(history_path)
    members = group_members()
    try:
        count = store.count(GROUP)

        def open_room() -> None:
            chat = RoomChatWindow(
                cast(ChatSession, NoSession()),
                GROUP,
                "Bench group 基准群",
                history=lambda peer, before, limit: store.history(peer, before, limit),
                own_uin=ME,
            )
            chat.resize(700, 560)
            chat.show()
            deadline = time.monotonic() + 10
            chat.show_members(members)
            while not chat._history_shown and time.monotonic() < deadline:
                qapp.processEvents()
            wait_painted(qapp, chat.view.viewport(), deadline)
            wait_painted(qapp, chat.members_view.viewport(), deadline)
            if chat.members_model.rowCount() != GROUP_MEMBERS:
                raise RuntimeError("the members were not listed")
            chat.close()
            chat.deleteLater()
            qapp.processEvents()

        first = median_time(open_room, runs=1)
        opening = median_time(open_room)
    finally:
        store.close()
    return [
        Row(
            f"Open a group of {GROUP_MEMBERS:,} members and {count:,} messages until its"
            f" page and member list paint (first open: {ms(first)})",
            ms(opening),
            "",
            "beside the buddy chat of as many messages, above",
        )
    ]


def chat_rows(qapp: QApplication, history_path: Path) -> list[Row]:
    store = HistoryStore(history_path)
    try:
        count = store.count(buddy(CHAT_PEER))

        def open_chat() -> None:
            chat = ChatWindow(
                cast(ChatSession, NoSession()),
                CHAT_PEER,
                nick(1),
                1,
                Presence.ONLINE,
                history=lambda peer, before, limit: store.history(buddy(peer), before, limit),
                own_uin=ME,
            )
            chat.resize(560, 520)
            chat.show()
            deadline = time.monotonic() + 10
            while not chat._history_shown and time.monotonic() < deadline:
                qapp.processEvents()
            painted = Painted(chat.view.viewport())
            chat.view.viewport().update()
            while not painted.done and time.monotonic() < deadline:
                qapp.processEvents()
            if not painted.done:
                raise RuntimeError("the chat's history never painted")
            chat.close()
            chat.deleteLater()
            qapp.processEvents()

        first = median_time(open_chat, runs=1)
        opening = median_time(open_chat)
    finally:
        store.close()

    def read_directly() -> None:
        db = sqlite3.connect(history_path)
        db.execute(
            "SELECT id, kind, number, outgoing, content, time, state FROM messages"
            " WHERE kind = 'buddy' AND number = ? ORDER BY id DESC LIMIT 50",
            (CHAT_PEER,),
        ).fetchall()
        db.close()

    baseline = median_time(read_directly)
    return [
        Row(
            f"Open a chat of {count:,} messages until its first page paints"
            f" (first open: {ms(first)})",
            ms(opening),
            ms(baseline),
            "sqlite3: connect, newest 50 rows of the same table",
        )
    ]


# -- the whole run ---------------------------------------------------------------------------


def fill_server(srv: ServerThread) -> None:
    def fill() -> None:
        admin = srv.server.admin
        admin.create_account(ME, PASSWORD, nick="Bench 基准")
        admin.create_account(SMALL_ME, PASSWORD, nick="Small")
        for i in range(BUDDIES):
            admin.create_account(FIRST_BUDDY + i, PASSWORD, nick=nick(i), face=i % 100)
        for i in range(BUDDIES):
            admin.add_buddy(ME, FIRST_BUDDY + i)
        for i in range(SMALL_BUDDIES):
            admin.add_buddy(SMALL_ME, FIRST_BUDDY + i)

    srv.call(fill)


def fill_room_history(path: Path) -> None:
    """100,000 group messages from the big group's members (every 20th one mine)."""
    store = HistoryStore(path)
    try:
        for chunk in range(0, MESSAGES, 20):
            with store._transaction():
                for i in range(chunk, chunk + 19):
                    sender = FIRST_BUDDY + i % GROUP_MEMBERS
                    store.add_incoming(GROUP, (f"message {i} ", Face(14)), 1.7e9 + i, sender=sender)
            (sent,) = store.add_outgoing(GROUP, [(f"my reply {chunk + 19}",)], 1.7e9 + chunk + 19)
            store.set_state(sent, DeliveryState.SENT)
    finally:
        store.close()


def fill_history(path: Path) -> None:
    """100,000 messages through the store's API: mostly received, every 20th one sent."""
    store = HistoryStore(path)
    try:
        for chunk in range(0, MESSAGES, 20):
            # Received ones in one transaction per chunk: the API's writes, without a
            # commit per message; the sent one as the app stores it, then marked sent
            # (a pending one would be resent at sign-in).
            with store._transaction():
                for i in range(chunk, chunk + 19):
                    store.add_incoming(
                        buddy(CHAT_PEER), (f"message {i} from {nick(1)}",), 1.7e9 + i
                    )
            (sent,) = store.add_outgoing(
                buddy(CHAT_PEER), [(f"my reply {chunk + 19}",)], 1.7e9 + chunk + 19
            )
            store.set_state(sent, DeliveryState.SENT)
    finally:
        store.close()


def main() -> int:
    started = time.monotonic()
    qapp = QApplication([sys.argv[0]])
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="qqdesk-bench-ui-") as tmp_name:
        tmp = Path(tmp_name)
        env = child_env(tmp)
        history = tmp / "history-10000.sqlite3"
        print("filling the history store with 100,000 messages...", file=sys.stderr)
        fill_history(history)
        with ServerThread(db_path=tmp / "server.sqlite3") as srv:
            print(f"creating {BUDDIES:,} accounts on {srv.url}...", file=sys.stderr)
            fill_server(srv)

            print("cold starts...", file=sys.stderr)
            bare, shown, listed = [], [], []
            for run in range(RUNS):
                bare.append(launch(["bare"], env)["shown"])
                app = launch(
                    [
                        "app",
                        *("--server", srv.url, "--uin", str(SMALL_ME), "--password", PASSWORD),
                        *("--history", str(tmp / f"history-small-{run}.sqlite3")),
                        *("--buddies", str(SMALL_BUDDIES)),
                    ],
                    env,
                )
                shown.append(app["shown"]["since_start"])
                listed.append(app["listed"]["since_start"])
            bare_start = statistics.median(e["since_start"] for e in bare)
            bare_rss = statistics.median(e["rss_kb"] for e in bare)
            rows.append(
                Row(
                    "Cold start: process start to main window painted, signed in",
                    ms(statistics.median(shown)),
                    ms(bare_start),
                    "bare PySide6 process painting an empty QMainWindow",
                )
            )
            rows.append(
                Row(
                    f"Cold start: ... and its {SMALL_BUDDIES} buddies listed",
                    ms(statistics.median(listed)),
                    ms(bare_start),
                    "same",
                )
            )

            print(f"signing in with {BUDDIES:,} buddies...", file=sys.stderr)
            big = [
                "app",
                *("--server", srv.url, "--uin", str(ME), "--password", PASSWORD),
                *("--history", str(history), "--buddies", str(BUDDIES)),
            ]
            first = launch(big, env)
            again = launch([*big, "--chat", str(CHAT_PEER)], env)
            rows.append(
                Row(
                    f"First sign-in with {BUDDIES:,} buddies until listed (nicknames follow)",
                    ms(first["listed"]["since_start"]),
                    ms(bare_start),
                    "bare PySide6 process, as above",
                )
            )
            rows.append(
                Row(
                    "... until every nickname is in (one GetInfo per offline buddy)",
                    ms(first["named"]["since_start"]),
                    ms(bare_start),
                    "bare PySide6 process, as above",
                )
            )
            rows.append(
                Row(
                    f"Later sign-in with {BUDDIES:,} buddies until listed (cached list)",
                    ms(again["listed"]["since_start"]),
                    ms(bare_start),
                    "bare PySide6 process, as above",
                )
            )
            rows.append(
                Row(
                    f"RSS signed in, {BUDDIES:,} buddies listed",
                    mib(again["listed"]["rss_kb"]),
                    mib(bare_rss),
                    "RSS of the bare PySide6 process with its empty window",
                )
            )
            rows.append(
                Row(
                    f"RSS ... and the {MESSAGES // 1000}k-message chat open",
                    mib(again["chat"]["rss_kb"]),
                    mib(bare_rss),
                    "same",
                )
            )

        print("buddy tree...", file=sys.stderr)
        rows.extend(buddy_rows())
        print("chat of 100,000 messages...", file=sys.stderr)
        rows.extend(chat_rows(qapp, history))
        print("group of 2,000 members and 100,000 messages...", file=sys.stderr)
        room_history = tmp / "history-room.sqlite3"
        fill_room_history(room_history)
        rows.extend(room_rows(qapp, room_history))

    load = os.getloadavg()
    print()
    print(
        f"qqdesk UI benchmark — PySide6 {_pyside_version()}, Python {sys.version.split()[0]},"
        f" {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f},"
        f" QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    print()
    print_table(rows)
    print()
    print(f"(total {time.monotonic() - started:.0f} s)")
    return 0


def _pyside_version() -> str:
    import PySide6

    return str(PySide6.__version__)


def print_table(rows: list[Row]) -> None:
    header = Row("Measure", "qqdesk", "Baseline", "Baseline is")
    print(f"| {header.what} | {header.value} | {header.baseline} | {header.baseline_is} |")
    print("|---|--:|--:|---|")
    for row in rows:
        print(f"| {row.what} | {row.value} | {row.baseline} | {row.baseline_is} |")


if __name__ == "__main__":
    sys.exit(main())
