"""Tray and notifications: unread count, status menu, fallbacks, close-to-tray, single instance."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QSystemTrayIcon

from qqdesk.core import Presence
from qqdesk.ui.app import SingleInstance, build_parser
from qqdesk.ui.notifications import Backend, Notifier
from qqdesk.ui.tray import Tray


def test_tray_unread_and_status_menu(qtbot: Any, qapp: Any) -> None:
    tray = Tray()
    empty = tray.icon.icon().pixmap(32, 32).toImage()
    tray.set_unread(3)
    assert "3 unread" in tray.icon.toolTip()
    assert tray.icon.icon().pixmap(32, 32).toImage() != empty
    tray.set_unread(0)
    assert tray.icon.toolTip() == "qqdesk"
    chosen: list[Presence] = []
    tray.statusRequested.connect(chosen.append)
    busy = next(a for a in tray.status_menu.actions() if a.text() == "Busy")
    busy.trigger()
    assert chosen == [Presence.BUSY]
    tray.set_status(Presence.HIDDEN)
    checked = [a.text() for a in tray.status_menu.actions() if a.isChecked()]
    assert checked == ["Invisible"]
    with qtbot.waitSignal(tray.openRequested):
        tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.waitSignal(tray.quitRequested):
        tray.quit_action.trigger()
    tray.dispose()


def test_notifications_fall_back_to_in_app(qtbot: Any, qapp: Any) -> None:
    shown: list[tuple[int, str, str]] = []
    notifier = Notifier(None, lambda *a: shown.append(a), use_dbus=False)
    notifier.sounds = False
    assert notifier.backend is Backend.IN_APP
    assert notifier.notify(10002, "Message from Bob", "hello") is Backend.IN_APP
    assert shown == [(10002, "Message from Bob", "hello")]
    notifier.enabled = False
    assert notifier.notify(10002, "Message from Bob", "again") is None
    assert len(shown) == 1


def test_tray_message_click_opens_that_chat(qtbot: Any, qapp: Any) -> None:
    icon = QSystemTrayIcon()
    notifier = Notifier(icon, None, use_dbus=False)
    notifier.show_in_tray(10002, "Message from Bob", "hello")
    with qtbot.waitSignal(notifier.chatRequested) as blocker:
        icon.messageClicked.emit()
    assert blocker.args == [10002]


def test_a_tray_shared_by_two_accounts_opens_the_chat_of_the_balloon_clicked(
    qtbot: Any, qapp: Any
) -> None:
    icon = QSystemTrayIcon()
    first = Notifier(icon, None, use_dbus=False)
    second = Notifier(icon, None, use_dbus=False)
    heard: list[tuple[str, int]] = []
    first.chatRequested.connect(lambda uin: heard.append(("first", uin)))
    second.chatRequested.connect(lambda uin: heard.append(("second", uin)))
    first.show_in_tray(10002, "Message from Bob", "hello")
    second.show_in_tray(10003, "Message from Carol", "hi")
    icon.messageClicked.emit()
    assert heard == [("second", 10003)]
    # The first one's old balloon is gone: it never answers a later click.
    second.show_in_tray(10004, "Message from Dan", "yo")
    icon.messageClicked.emit()
    assert heard == [("second", 10003), ("second", 10004)]


def test_second_instance_raises_the_first(qtbot: Any, qapp: Any) -> None:
    # The test's own name: never the user's running qqdesk, nor another test run's.
    key = "qqdesk-test-" + uuid.uuid4().hex
    first = SingleInstance(key)
    assert not first.tell_running(200)
    assert first.listen()
    second = SingleInstance(key)
    with qtbot.waitSignal(first.raiseRequested, timeout=3000):
        assert second.tell_running(1000)
    first.close()
    assert not SingleInstance(key).tell_running(200)


def test_parser_options() -> None:
    args = build_parser().parse_args(["--server", "h:1", "--debug", "--lang", "zh_CN"])
    assert (args.server, args.debug, args.lang) == ("h:1", True, "zh_CN")
