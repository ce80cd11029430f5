"""Desktop notifications through the freedesktop notification service on the session bus.

QtDBus from Python cannot send ``Notify``'s uint32 ``replaces_id`` (PySide6 marshals
every int as int32 and daemons reject the call), so this speaks D-Bus with jeepney, a
pure-Python D-Bus library that keyring already brings on Linux. It runs on the
asyncio loop (qasync in the app) and never blocks the UI.

A service with the ``body-markup`` capability reads the body as markup (links,
images): every body is escaped for it, as a body is someone's message or reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
DESKTOP_ENTRY = "io.github.qqdesk.Qqdesk"

#: The action a click on the notification's body invokes (freedesktop spec).
DEFAULT_ACTION = "default"


class DesktopNotifications:
    """A connection to the notification service; ``clicked(key)`` runs on clicks.

    ``key`` is whatever the caller passed to :meth:`notify` (the app passes the
    chat's number). :meth:`connect` returns False where there is no session bus
    or no notification service; callers then use the next way to tell the user.
    """

    def __init__(self, clicked: Callable[[int], None], app_name: str = "qqdesk") -> None:
        self._clicked = clicked
        self._app_name = app_name
        self._router: Any = None
        self._connection: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._keys: dict[int, int] = {}
        #: The service reads markup in the body (until it says otherwise, assume so:
        #: an escaped body reads a little odd, markup from a stranger is worse).
        self.body_markup = True

    @property
    def connected(self) -> bool:
        return self._router is not None

    async def connect(self) -> bool:
        """Open the session bus and check that a notification service is there."""
        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return False
        try:
            from jeepney import MatchRule
            from jeepney.bus_messages import message_bus
            from jeepney.io.asyncio import DBusRouter, open_dbus_connection
        except ImportError:
            return False
        try:
            connection = await asyncio.wait_for(open_dbus_connection("SESSION"), 3)
        except (OSError, TimeoutError, ValueError) as exc:
            log.info("no session bus for notifications: %s", exc)
            return False
        router = DBusRouter(connection)
        try:
            reply = await asyncio.wait_for(
                router.send_and_get_reply(message_bus.NameHasOwner(SERVICE)), 3
            )
            if not reply.body[0]:
                raise LookupError("no notification service on the session bus")
            rule = MatchRule(type="signal", interface=SERVICE, path=PATH)
            await asyncio.wait_for(router.send_and_get_reply(message_bus.AddMatch(rule)), 3)
        except (OSError, TimeoutError, LookupError) as exc:
            log.info("desktop notifications unavailable: %s", exc)
            await _close(router, connection)
            return False
        queue: asyncio.Queue[Any] = asyncio.Queue()
        handle = router.filter(rule, queue=queue, bufsize=100)
        self.body_markup = await _has_body_markup(router)
        self._router, self._connection = router, connection
        self._listener = asyncio.ensure_future(self._listen(queue, handle))
        return True

    async def notify(self, key: int, title: str, body: str, icon: str = "") -> int:
        """Show a notification; returns the service's id for it. ``title`` and ``body``
        are plain text (escaped here where the service would read markup)."""
        if self._router is None:
            raise RuntimeError("not connected to the notification service")
        from jeepney import DBusAddress, new_method_call

        if self.body_markup:
            body = html.escape(body, quote=False)
        address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
        hints = {"desktop-entry": ("s", DESKTOP_ENTRY), "category": ("s", "im.received")}
        message = new_method_call(
            address,
            "Notify",
            "susssasa{sv}i",
            (self._app_name, 0, icon, title, body, [DEFAULT_ACTION, "Open"], hints, -1),
        )
        reply = await asyncio.wait_for(self._router.send_and_get_reply(message), 5)
        if reply.header.message_type.name == "error":
            raise OSError(f"Notify failed: {reply.body}")
        notification_id = int(reply.body[0])
        self._keys[notification_id] = key
        if len(self._keys) > 200:  # the service forgets old ones; so do we
            self._keys.pop(next(iter(self._keys)))
        return notification_id

    async def _listen(self, queue: asyncio.Queue[Any], handle: Any) -> None:
        with handle:
            while True:
                signal = await queue.get()
                member = signal.header.fields.get(_member_field())
                if member == "ActionInvoked":
                    notification_id, action = signal.body
                    if action != DEFAULT_ACTION:
                        continue
                    key = self._keys.pop(int(notification_id), None)
                    if key is not None:
                        try:
                            self._clicked(key)
                        except Exception:
                            log.exception("opening the chat for a notification failed")
                elif member == "NotificationClosed":
                    self._keys.pop(int(signal.body[0]), None)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._router is not None:
            await _close(self._router, self._connection)
            self._router = self._connection = None


async def _has_body_markup(router: Any) -> bool:
    """Whether the service reads markup in bodies (GetCapabilities); True when unsure."""
    from jeepney import DBusAddress, new_method_call

    address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
    try:
        reply = await asyncio.wait_for(
            router.send_and_get_reply(new_method_call(address, "GetCapabilities")), 3
        )
    except (OSError, TimeoutError) as exc:
        log.info("the notification service did not tell its capabilities: %s", exc)
        return True
    if reply.header.message_type.name == "error" or not reply.body:
        return True
    return "body-markup" in reply.body[0]


async def _close(router: Any, connection: Any) -> None:
    """Stop the router's receiver task (its async-with exit) and close the socket."""
    with contextlib.suppress(Exception):
        await router.__aexit__(None, None, None)
    with contextlib.suppress(Exception):
        await connection.close()


def _member_field() -> Any:
    from jeepney import HeaderFields

    return HeaderFields.member
