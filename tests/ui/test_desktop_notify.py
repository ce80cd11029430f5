"""Desktop notifications over a real private D-Bus session bus with a notification service on it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from qqdesk.ui.desktop_notify import PATH, REPLY_ACTION, SERVICE, DesktopNotifications
from qqdesk.ui.mainwindow import MainWindow

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (Debian package dbus)"
)


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private session bus; DBUS_SESSION_BUS_ADDRESS points at it."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    try:
        yield address
    finally:
        daemon.terminate()
        daemon.wait(5)


class NotificationService(threading.Thread):
    """A minimal freedesktop notification daemon: records Notify calls, can 'click' one."""

    def __init__(self, address: str, capabilities: tuple[str, ...] = ("body", "actions")) -> None:
        super().__init__(daemon=True)
        self.capabilities = list(capabilities)
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(SERVICE))
        assert reply.body[0] == 1  # primary owner
        self.calls: list[tuple[Any, ...]] = []
        self.signature = ""
        self.got_call = threading.Event()
        self._halt = threading.Event()

    def run(self) -> None:
        from jeepney import HeaderFields, MessageType, new_method_return

        while not self._halt.is_set():
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:
                return
            fields = msg.header.fields
            if (
                msg.header.message_type == MessageType.method_call
                and fields.get(HeaderFields.member) == "GetCapabilities"
            ):
                self.conn.send(new_method_return(msg, "as", (self.capabilities,)))
                continue
            if (
                msg.header.message_type == MessageType.method_call
                and fields.get(HeaderFields.member) == "Notify"
            ):
                self.signature = fields.get(HeaderFields.signature, "")
                self.calls.append(msg.body)
                self.conn.send(new_method_return(msg, "u", (len(self.calls) + 40,)))
                self.got_call.set()

    def click(self, notification_id: int, action: str = "default") -> None:
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(PATH, interface=SERVICE)
        self.conn.send(new_signal(emitter, "ActionInvoked", "us", (notification_id, action)))

    def reply(self, notification_id: int, text: str) -> None:
        """What a service with ``inline-reply`` sends when the user answers in place."""
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(PATH, interface=SERVICE)
        self.conn.send(new_signal(emitter, "NotificationReplied", "us", (notification_id, text)))

    def stop(self) -> None:
        self._halt.set()
        self.join(2)
        self.conn.close()


def test_notify_reaches_the_service_and_a_click_opens_the_chat(session_bus: str) -> None:
    service = NotificationService(session_bus)
    service.start()
    clicked: list[int] = []

    async def scenario() -> int:
        click_heard = asyncio.Event()

        def heard(uin: int) -> None:
            clicked.append(uin)
            click_heard.set()

        notifications = DesktopNotifications(heard)
        assert await notifications.connect()
        nid = await notifications.notify(10002, "Message from Bob", "hi, 你好")
        service.click(nid, "other-action")  # not the default action: ignored
        service.click(nid)
        await asyncio.wait_for(click_heard.wait(), 5)
        await notifications.close()
        return nid

    try:
        nid = asyncio.run(scenario())
    finally:
        service.stop()
    assert nid == 41
    assert service.signature == "susssasa{sv}i"  # replaces_id really is a uint32
    app_name, replaces, _icon, title, body, actions, hints, _timeout = service.calls[0]
    assert (app_name, replaces, title, body) == ("qqdesk", 0, "Message from Bob", "hi, 你好")
    assert actions[0] == "default"
    assert hints["desktop-entry"][1] == "io.github.qqdesk.Qqdesk"
    assert clicked == [10002]


def test_no_service_on_the_bus_means_not_connected(session_bus: str) -> None:
    async def scenario() -> bool:
        notifications = DesktopNotifications(lambda key: None)
        ok = await notifications.connect()
        await notifications.close()
        return ok

    assert asyncio.run(scenario()) is False


def test_no_session_bus_means_not_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert asyncio.run(DesktopNotifications(lambda key: None).connect()) is False


def test_notifier_prefers_the_desktop_service_and_a_click_requests_the_chat(
    session_bus: str, qtbot: Any, qt_run: Any
) -> None:
    from qqdesk.ui.notifications import Backend, Notifier

    service = NotificationService(session_bus)
    service.start()
    shown: list[tuple[Any, ...]] = []
    try:
        notifier = Notifier(None, lambda *a: shown.append(a), use_dbus=True)
        notifier.sounds = False
        qtbot.waitUntil(lambda: notifier.backend is Backend.DBUS, timeout=5000)
        assert notifier.notify(10002, "Message from Bob", "hello") is Backend.DBUS
        qtbot.waitUntil(service.got_call.is_set, timeout=5000)
        with qtbot.waitSignal(notifier.chatRequested, timeout=5000) as blocker:
            service.click(41)
        assert blocker.args == [10002]
        assert shown == []  # nothing fell back to the in-app banner
        qt_run(notifier.close())
    finally:
        service.stop()


def test_notifier_falls_back_in_app_when_the_bus_has_no_service(
    session_bus: str, qtbot: Any, qt_run: Any
) -> None:
    from qqdesk.ui.notifications import Backend, Notifier

    shown: list[tuple[Any, ...]] = []
    notifier = Notifier(None, lambda *a: shown.append(a), use_dbus=True)
    notifier.sounds = False
    # The look for a notification service finishes, and finds none.
    with qtbot.waitSignal(notifier.desktopChecked, timeout=10_000) as checked:
        pass
    assert checked.args == [False]
    assert notifier.notify(10002, "Message from Bob", "hello") is Backend.IN_APP
    assert shown == [(10002, "Message from Bob", "hello")]


@pytest.mark.parametrize("capable", [True, False], ids=["inline-reply", "no-inline-reply"])
def test_a_reply_field_only_where_the_service_has_one(session_bus: str, capable: bool) -> None:
    capabilities = ("body", "actions") + ((REPLY_ACTION,) if capable else ())
    service = NotificationService(session_bus, capabilities)
    service.start()
    replies: list[tuple[int, str]] = []

    async def scenario() -> tuple[bool, int]:
        heard = asyncio.Event()

        def replied(key: int, text: str) -> None:
            replies.append((key, text))
            heard.set()

        notifications = DesktopNotifications(
            lambda key: None, replied=replied, reply_label=lambda: "Reply"
        )
        assert await notifications.connect()
        nid = await notifications.notify(10002, "Message from Bob", "hi")
        if capable:
            service.reply(nid, "on my way")
            await asyncio.wait_for(heard.wait(), 5)
        await notifications.close()
        return notifications.inline_reply, nid

    try:
        inline, _nid = asyncio.run(scenario())
    finally:
        service.stop()
    actions = service.calls[0][5]
    assert inline is capable
    assert (REPLY_ACTION in actions) is capable
    if capable:
        assert actions == ["default", "Open", REPLY_ACTION, "Reply"]
        assert replies == [(10002, "on my way")]


def test_replying_in_a_notification_sends_over_the_server(
    session_bus: str, qtbot: Any, qt_run: Any, alice_session: Any, bob_session: Any
) -> None:
    service = NotificationService(session_bus, ("body", "actions", REPLY_ACTION))
    service.start()
    try:
        window = MainWindow(alice_session, use_tray=False, use_dbus=True)
        qtbot.addWidget(window)
        window.show()
        window.start()
        window.notifier.sounds = False
        qtbot.waitUntil(lambda: window.notifier.inline_reply, timeout=5000)
        qtbot.waitUntil(lambda: 10002 in window.model, timeout=10_000)
        qt_run(bob_session.send_message(10001, "lunch?"))
        qtbot.waitUntil(service.got_call.is_set, timeout=10_000)
        assert service.calls[0][3] == "Message from Bob 小明"
        assert window.model.total_unread() == 1
        service.reply(41, "yes, 12:30")
        qtbot.waitUntil(
            lambda: [m.text for m in bob_session.history(10001)] == ["yes, 12:30", "lunch?"],
            timeout=10_000,
        )
        assert window.model.total_unread() == 0
        qt_run(window.notifier.close())
    finally:
        service.stop()
