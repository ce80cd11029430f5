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
#: The action that gives a notification a reply field, where the service can (KDE
#: Plasma's ``inline-reply`` capability); the text comes in ``NotificationReplied``.
REPLY_ACTION = "inline-reply"


class DesktopNotifications:
    """A connection to the notification service; ``clicked(key)`` runs on clicks.

    ``key`` is whatever the caller passed to :meth:`notify` (the app passes the
    chat's number). :meth:`connect` returns False where there is no session bus
    or no notification service; callers then use the next way to tell the user.
    """

    def __init__(
        self,
        clicked: Callable[[int], None],
        app_name: str = "qqdesk",
        *,
        replied: Callable[[int, str], None] | None = None,
        reply_label: Callable[[], str] = lambda: "Reply",
    ) -> None:
        self._clicked = clicked
        self._replied = replied
        self._reply_label = reply_label
        self._app_name = app_name
        self._router: Any = None
        self._connection: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._keys: dict[int, int] = {}
        self._early: dict[int, tuple[str, str]] = {}
        #: The service reads markup in the body (until it says otherwise, assume so:
        #: an escaped body reads a little odd, markup from a stranger is worse).
        self.body_markup = True
        #: The service shows a reply field in a notification (``inline-reply``).
        self.inline_reply = False

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
        capabilities = await _capabilities(router)
        # Unsure (no answer): escape anyway; an escaped body reads a little odd, markup
        # from a stranger is worse. A reply field only where the service says it has one.
        self.body_markup = capabilities is None or "body-markup" in capabilities
        self.inline_reply = capabilities is not None and REPLY_ACTION in capabilities
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
            (self._app_name, 0, icon, title, body, self._actions(), hints, -1),
        )
        reply = await asyncio.wait_for(self._router.send_and_get_reply(message), 5)
        if reply.header.message_type.name == "error":
            raise OSError(f"Notify failed: {reply.body}")
        notification_id = int(reply.body[0])
        self._keys[notification_id] = key
        early = self._early.pop(notification_id, None)
        if early is not None:
            self._answer(notification_id, *early)
        if len(self._keys) > 200:  # the service forgets old ones; so do we
            self._keys.pop(next(iter(self._keys)))
        return notification_id

    def _actions(self) -> list[str]:
        """Action key and label pairs: open the chat; reply in place where the service can."""
        actions = [DEFAULT_ACTION, "Open"]
        if self.inline_reply and self._replied is not None:
            actions += [REPLY_ACTION, self._reply_label()]
        return actions

    async def _listen(self, queue: asyncio.Queue[Any], handle: Any) -> None:
        with handle:
            while True:
                signal = await queue.get()
                member = signal.header.fields.get(_member_field())
                if member in ("ActionInvoked", "NotificationReplied"):
                    notification_id, value = signal.body
                    self._answer(int(notification_id), str(member), str(value))
                elif member == "NotificationClosed":
                    self._keys.pop(int(signal.body[0]), None)

    def _answer(self, notification_id: int, member: str, value: str) -> None:
        """A click (ActionInvoked) or a reply (NotificationReplied) on one of ours."""
        if member == "ActionInvoked" and value != DEFAULT_ACTION:
            return
        key = self._keys.pop(notification_id, None)
        if key is None:
            # The signal can overtake Notify's own answer (a quick click, or a service
            # that answers at once): kept until notify() learns the id. Other apps'
            # notifications land here too, so only a few are kept.
            self._early[notification_id] = (member, value)
            while len(self._early) > 20:
                self._early.pop(next(iter(self._early)))
            return
        try:
            if member == "ActionInvoked":
                self._clicked(key)
            elif self._replied is not None and value.strip():
                self._replied(key, value)
        except Exception:
            log.exception("answering a notification (%s) failed", member)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._router is not None:
            await _close(self._router, self._connection)
            self._router = self._connection = None


async def _capabilities(router: Any) -> list[str] | None:
    """What the service can do (GetCapabilities); None when it does not say."""
    from jeepney import DBusAddress, new_method_call

    address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
    try:
        reply = await asyncio.wait_for(
            router.send_and_get_reply(new_method_call(address, "GetCapabilities")), 3
        )
    except (OSError, TimeoutError) as exc:
        log.info("the notification service did not tell its capabilities: %s", exc)
        return None
    if reply.header.message_type.name == "error" or not reply.body:
        return None
    return [str(capability) for capability in reply.body[0]]


async def _close(router: Any, connection: Any) -> None:
    """Stop the router's receiver task (its async-with exit) and close the socket."""
    with contextlib.suppress(Exception):
        await router.__aexit__(None, None, None)
    with contextlib.suppress(Exception):
        await connection.close()


def _member_field() -> Any:
    from jeepney import HeaderFields

    return HeaderFields.member
