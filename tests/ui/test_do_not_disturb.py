"""Do not disturb: switched from the main window's menu or the tray, kept in settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.notifications import Backend, Notifier
from qqdesk.ui.settings import load_settings
from qqdesk.ui.tray import Tray


def test_do_not_disturb_silences_popups_and_sounds(qtbot: Any, qapp: Any) -> None:
    shown: list[tuple[int, str, str]] = []
    notifier = Notifier(None, lambda *a: shown.append(a), use_dbus=False)
    sounds: list[bool] = []
    notifier.play_sound = lambda: sounds.append(True)  # type: ignore[method-assign]
    notifier.do_not_disturb = True
    assert notifier.notify(10002, "Message from Bob", "hello") is None
    assert shown == [] and sounds == []
    notifier.do_not_disturb = False
    assert notifier.notify(10002, "Message from Bob", "hello") is Backend.IN_APP
    assert len(shown) == 1 and sounds == [True]


def test_the_tray_menu_switches_do_not_disturb(qtbot: Any, qapp: Any) -> None:
    tray = Tray()
    with qtbot.waitSignal(tray.doNotDisturbToggled) as switched:
        tray.dnd_action.trigger()
    assert switched.args == [True]
    # Shown from elsewhere (the main window's menu): no echo back.
    with qtbot.assertNotEmitted(tray.doNotDisturbToggled):
        tray.set_do_not_disturb(False)
    assert not tray.dnd_action.isChecked()
    tray.dispose()


def test_do_not_disturb_in_the_main_window_against_the_server(
    qtbot: Any, qt_run: Any, tmp_path: Path, alice_session: Any, bob_session: Any
) -> None:
    """No tray under Xvfb: the window's menu switches it; messages still count as unread."""
    settings = load_settings(tmp_path / "settings.json")
    window = MainWindow(alice_session, settings=settings, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    assert window.tray is None
    # Bob is a friend (a stranger's notice waits for their name, which would race the switch).
    qtbot.waitUntil(lambda: 10002 in window.model, timeout=10_000)
    sounds: list[bool] = []
    window.notifier.play_sound = lambda: sounds.append(True)  # type: ignore[method-assign]
    assert window.dnd_action in window.app_menu.actions()
    window.dnd_action.trigger()
    assert window.notifier.do_not_disturb and settings.do_not_disturb
    assert load_settings(tmp_path / "settings.json").do_not_disturb

    qt_run(bob_session.send_message(10001, "quiet please"))
    qtbot.waitUntil(lambda: window.model.total_unread() == 1, timeout=10_000)
    assert not window.notice_banner.isVisible() and sounds == []

    window.dnd_action.trigger()
    assert not settings.do_not_disturb
    qt_run(bob_session.send_message(10001, "and now loud"))
    qtbot.waitUntil(lambda: window.model.total_unread() == 2, timeout=10_000)
    qtbot.waitUntil(window.notice_banner.isVisible)
    assert sounds == [True]
    # A restart keeps the switch as it was left.
    settings.do_not_disturb = True
    again = MainWindow(alice_session, settings=settings, use_tray=False, use_dbus=False)
    qtbot.addWidget(again)
    assert again.dnd_action.isChecked() and again.notifier.do_not_disturb


def test_a_friend_request_waits_in_the_list_while_do_not_disturb_is_on(
    qtbot: Any, qt_run: Any, tmp_path: Path, fake_hub: Any
) -> None:
    from qqdesk.client import AddRequest
    from qqdesk.client.events import AddRequestReceived
    from qqdesk.ui.dialogs import IncomingRequestDialog

    from .conftest import FakeSession

    alice = FakeSession(fake_hub, 10001, "Alice")
    qt_run(alice.login())
    settings = load_settings(tmp_path / "settings.json")
    settings.do_not_disturb = True
    window = MainWindow(alice, settings=settings, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    window.start()
    alice.requests.append(AddRequest(40004, "hi, it is Dave", 0.0))
    window.bridge.deliver(AddRequestReceived(account=10001, uin=40004, reason="hi, it is Dave"))
    qtbot.waitUntil(lambda: window.requests_action.text() == "Friend &requests (1)")
    assert not [w for w in window.findChildren(IncomingRequestDialog) if w.isVisible()]
    assert not window.notice_banner.isVisible()
    # Off again: the next one pops up as usual.
    window.dnd_action.trigger()
    alice.requests.append(AddRequest(50005, "Erin here", 0.0))
    window.bridge.deliver(AddRequestReceived(account=10001, uin=50005, reason="Erin here"))
    qtbot.waitUntil(lambda: any(w.isVisible() for w in window.findChildren(IncomingRequestDialog)))
