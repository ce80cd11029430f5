"""The desktop app's typed, versioned settings, kept as one JSON file."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import platformdirs
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

#: Bump when a stored key changes meaning or name, and add an upgrade step below.
SCHEMA_VERSION = 3

LANGUAGES = ("system", "en", "zh_CN")
THEMES = ("system", "light", "dark")

T = TypeVar("T")


class SettingsError(Exception):
    """Settings could not be written; the message says where and why."""


class Option(Generic[T]):
    """One typed setting with a default (after Picard's ``config.Option``).

    Used as a class attribute of :class:`Settings`; reading gives the stored value
    or the default, writing checks the type (and the allowed choices) and tells
    listeners when the value actually changed.
    """

    def __init__(self, default: T, *, choices: tuple[T, ...] | None = None) -> None:
        self.default = default
        self.kind: type = type(default)
        self.choices = choices
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def accepts(self, value: object) -> bool:
        if self.kind is int and isinstance(value, bool):
            return False
        if self.kind is dict:
            ok = isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            )
        elif self.kind is type(None):
            ok = value is None
        else:
            ok = isinstance(value, self.kind)
        return ok and (self.choices is None or value in self.choices)

    @overload
    def __get__(self, obj: None, owner: type) -> Option[T]: ...
    @overload
    def __get__(self, obj: Settings, owner: type) -> T: ...
    def __get__(self, obj: Settings | None, owner: type) -> T | Option[T]:
        if obj is None:
            return self
        value: T = obj._values.get(self.name, self.default)
        return value

    def __set__(self, obj: Settings, value: T) -> None:
        if not self.accepts(value):
            raise ValueError(f"{self.name} cannot be {value!r}")
        old = obj._values.get(self.name, self.default)
        obj._values[self.name] = value
        if old != value:
            obj._notify(self.name)


class OptionalInt(Option[int | None]):
    """An integer setting that may be unset (None)."""

    def __init__(self) -> None:
        super().__init__(None)

    def accepts(self, value: object) -> bool:
        return value is None or (isinstance(value, int) and not isinstance(value, bool))


class NumberList(Option[list[int]]):
    """A list of QQ numbers (kept in order)."""

    def __init__(self) -> None:
        super().__init__([])

    def accepts(self, value: object) -> bool:
        return isinstance(value, list) and all(
            isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in value
        )


#: ``account_servers`` value of an account on the built-in server (its port may change).
BUILTIN_SERVER = "builtin"

Listener = Callable[[str], None]


class Settings:
    """Everything the user can choose, with defaults; ``save()`` writes it.

    Listeners (``subscribe``) hear the name of each option that changed, so the
    theme, language and tray follow the settings dialog live.
    """

    #: host:port of the server to use when the built-in one is off.
    server: Option[str] = Option("127.0.0.1:8000")
    #: Run a server inside the app (the "works offline on a LAN" mode).
    use_builtin_server: Option[bool] = Option(True)
    #: Let other machines on the LAN reach the built-in server.
    expose_on_lan: Option[bool] = Option(False)
    sounds: Option[bool] = Option(True)
    notifications: Option[bool] = Option(True)
    #: Minutes without input before my status becomes Busy (0: never; ui/idle.py).
    auto_away_minutes: Option[int] = Option(10)
    #: No popups and no sounds while on (tray and main window menus switch it).
    do_not_disturb: Option[bool] = Option(False)
    #: False: Enter sends and Shift+Enter breaks the line; True: Ctrl+Enter sends.
    send_with_ctrl_enter: Option[bool] = Option(False)
    chats_in_tabs: Option[bool] = Option(False)
    start_in_tray: Option[bool] = Option(False)
    language: Option[str] = Option("system", choices=LANGUAGES)
    theme: Option[str] = Option("system", choices=THEMES)
    last_uin: OptionalInt = OptionalInt()
    #: The password itself lives in the system keyring, never here.
    remember_password: Option[bool] = Option(False)
    #: Where each account signs in: number -> "host:port", or BUILTIN_SERVER.
    account_servers: Option[dict[str, str]] = Option({})
    #: The accounts signed in when the app last quit, in the switcher's order: the next
    #: start signs them in again (those with a password in the keyring).
    signed_in_accounts: NumberList = NumberList()
    #: Friend requests I sent that are not answered yet: "account:number" -> nickname.
    sent_requests: Option[dict[str, str]] = Option({})
    #: Proxy per account: number -> "http://user@host:port" or "socks5://…" (ui/proxy.py);
    #: its password is in the system keyring.
    proxies: Option[dict[str, str]] = Option({})
    #: Unsent text per conversation: "account:kind:number" -> text (ui/drafts.py).
    drafts: Option[dict[str, str]] = Option({})
    #: When a group or discussion notifies: "account:group:N" -> all | mentions | muted.
    room_notifications: Option[dict[str, str]] = Option({})
    #: Window name -> QWidget.saveGeometry() bytes, base64.
    window_geometry: Option[dict[str, str]] = Option({})

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_path()
        self._values: dict[str, Any] = {}
        self._listeners: list[Listener] = []

    @classmethod
    def options(cls) -> Iterator[Option[Any]]:
        for value in vars(cls).values():
            if isinstance(value, Option):
                yield value

    # -- change notification -------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(name)`` after each change; returns the unsubscriber."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, name: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(name)
            except Exception:
                log.exception("settings listener failed for %s", name)

    # -- window geometry -----------------------------------------------------

    def geometry(self, window: str) -> bytes | None:
        """The saved geometry of ``window`` (for QWidget.restoreGeometry)."""
        encoded = self.window_geometry.get(window)
        if not encoded:
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except ValueError:
            return None

    def set_geometry(self, window: str, data: bytes) -> None:
        """Remember ``window``'s geometry (from QWidget.saveGeometry)."""
        geometries = dict(self.window_geometry)
        geometries[window] = base64.b64encode(bytes(data)).decode("ascii")
        self.window_geometry = geometries

    # -- storage ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": SCHEMA_VERSION}
        for option in self.options():
            data[option.name] = getattr(self, option.name)
        return data

    def update_from(self, data: dict[str, Any]) -> None:
        """Take every known, well-typed value from ``data``; log and skip the rest."""
        for option in self.options():
            if option.name not in data:
                continue
            value = data[option.name]
            if option.accepts(value):
                self._values[option.name] = value
            else:
                log.warning("settings: ignoring bad value %r for %s", value, option.name)

    def save(self) -> None:
        """Write the settings atomically; on failure the old file stays intact.

        Raises :class:`SettingsError` with a message fit for the user.
        """
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=True)
        _write_atomically(self.path, text + "\n")


class SettingsNotifier(QObject):
    """A Qt face of :meth:`Settings.subscribe`: ``changed(name)`` per change."""

    changed = Signal(str)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = settings.subscribe(self.changed.emit)
        self.destroyed.connect(self._unsubscribe)


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("qqdesk", appauthor=False)) / "settings.json"


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SettingsError(f"Cannot save settings to {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise SettingsError(f"Cannot save settings to {path}: {exc.strerror or exc}") from exc


# -- upgrades ------------------------------------------------------------------


def _upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept host and port apart and had "enter_sends" (the opposite of
    today's send_with_ctrl_enter)."""
    data = dict(data)
    host = data.pop("server_host", None)
    port = data.pop("server_port", None)
    if isinstance(host, str) and host:
        data["server"] = f"{host}:{port}" if isinstance(port, int) else host
    enter_sends = data.pop("enter_sends", None)
    if isinstance(enter_sends, bool):
        data["send_with_ctrl_enter"] = not enter_sends
    return data


def _upgrade_2_to_3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 knew one account: its server becomes that number's, in account_servers.

    Nothing is added to signed_in_accounts: version 2 signed nobody in by itself, so the
    first start after the upgrade shows the sign-in dialog (filled in) as before.
    """
    data = dict(data)
    uin = data.get("last_uin")
    if isinstance(uin, int) and not isinstance(uin, bool) and uin > 0:
        builtin = data.get("use_builtin_server", True)
        server = data.get("server")
        if builtin is not False:
            data["account_servers"] = {str(uin): BUILTIN_SERVER}
        elif isinstance(server, str) and server:
            data["account_servers"] = {str(uin): server}
    return data


#: version -> step that turns a file of that version into the next version.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
}


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """Run every upgrade step from the file's version up to SCHEMA_VERSION."""
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"version is {version!r}")
    if version > SCHEMA_VERSION or version < 1:
        raise ValueError(f"unknown settings version {version}")
    while version < SCHEMA_VERSION:
        data = UPGRADES[version](data)
        version += 1
        log.info("settings upgraded to version %d", version)
    data["version"] = SCHEMA_VERSION
    return data


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; a missing one gives defaults.

    A file that is not valid JSON, or of a version this build does not know, is
    kept beside as ``settings.json.bak`` (so a newer qqdesk's settings are not
    lost) and defaults are used.
    """
    settings = Settings(path)
    try:
        raw = settings.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return settings
    except OSError as exc:
        log.warning("settings: cannot read %s (%s); using defaults", settings.path, exc)
        return settings
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        data = upgrade(data)
    except ValueError as exc:
        backup = settings.path.with_name(settings.path.name + ".bak")
        log.warning(
            "settings: %s is unusable (%s); kept as %s, using defaults",
            settings.path,
            exc,
            backup,
        )
        try:
            os.replace(settings.path, backup)
        except OSError as move_exc:
            log.warning("settings: could not keep the bad file: %s", move_exc)
        return settings
    settings.update_from(data)
    return settings
