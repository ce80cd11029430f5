"""Settings: defaults, round trip, upgrades, corrupt files and failed writes."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from qqdesk.ui.settings import (
    BUILTIN_SERVER,
    SCHEMA_VERSION,
    Settings,
    SettingsError,
    SettingsNotifier,
    load_settings,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def test_missing_file_gives_defaults(path: Path) -> None:
    s = load_settings(path)
    assert s.server == "127.0.0.1:8000"
    assert s.use_builtin_server is True
    assert s.expose_on_lan is False
    assert s.sounds is True and s.notifications is True
    assert s.send_with_ctrl_enter is False
    assert s.chats_in_tabs is False and s.start_in_tray is False
    assert s.language == "system" and s.theme == "system"
    assert s.last_uin is None and s.remember_password is False
    assert s.geometry("main") is None


def test_round_trip(path: Path) -> None:
    s = load_settings(path)
    s.server = "192.168.1.5:8001"
    s.use_builtin_server = False
    s.language = "zh_CN"
    s.theme = "dark"
    s.last_uin = 10001
    s.remember_password = True
    s.send_with_ctrl_enter = True
    s.set_geometry("main", b"\x01\xd9\xd0\xcb\x00geometry")
    s.save()
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["version"] == SCHEMA_VERSION

    again = load_settings(path)
    assert again.to_dict() == s.to_dict()
    assert again.geometry("main") == b"\x01\xd9\xd0\xcb\x00geometry"
    assert again.last_uin == 10001
    # No temp files left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


def test_bad_values_are_refused_on_set(path: Path) -> None:
    s = load_settings(path)
    with pytest.raises(ValueError):
        s.theme = "purple"
    with pytest.raises(ValueError):
        s.sounds = "yes"  # type: ignore[assignment]
    assert s.theme == "system" and s.sounds is True


def test_bad_values_in_file_fall_back_per_key(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"version": SCHEMA_VERSION, "theme": "purple", "sounds": False, "x": 1}),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        s = load_settings(path)
    assert s.theme == "system"
    assert s.sounds is False
    assert "purple" in caplog.text


def test_upgrade_from_version_1(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "server_host": "10.0.0.2",
                "server_port": 8123,
                "enter_sends": False,
                "theme": "light",
            }
        ),
        encoding="utf-8",
    )
    s = load_settings(path)
    assert s.server == "10.0.0.2:8123"
    assert s.send_with_ctrl_enter is True
    assert s.theme == "light"
    s.save()
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["version"] == SCHEMA_VERSION
    assert "server_host" not in stored and "enter_sends" not in stored


#: A settings file as version 2 (one account at a time) wrote it.
VERSION_2 = {
    "version": 2,
    "server": "10.0.0.2:8123",
    "use_builtin_server": False,
    "expose_on_lan": False,
    "sounds": True,
    "notifications": True,
    "auto_away_minutes": 10,
    "do_not_disturb": False,
    "send_with_ctrl_enter": False,
    "chats_in_tabs": False,
    "start_in_tray": False,
    "language": "zh_CN",
    "theme": "dark",
    "last_uin": 10001,
    "remember_password": True,
    "sent_requests": {"10001:10009": "Dan"},
    "proxies": {"10001": "socks5://proxy:1080"},
    "drafts": {"10001:buddy:10002": "half a sentence"},
    "room_notifications": {},
    "window_geometry": {"main": "AAAA"},
}


@pytest.mark.parametrize(
    ("builtin", "kept"),
    [(False, "10.0.0.2:8123"), (True, BUILTIN_SERVER)],
    ids=["other", "builtin"],
)
def test_upgrade_from_version_2_keeps_the_one_account(path: Path, builtin: bool, kept: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({**VERSION_2, "use_builtin_server": builtin}), encoding="utf-8")
    s = load_settings(path)
    # The account's server is now its own; every other setting is as it was.
    assert s.account_servers == {"10001": kept}
    # Version 2 never signed in by itself: the first start shows the sign-in dialog.
    assert s.signed_in_accounts == []
    for name, value in VERSION_2.items():
        if name not in ("version", "use_builtin_server"):
            assert getattr(s, name) == value, name
    s.save()
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["version"] == SCHEMA_VERSION


def test_upgrade_from_version_2_without_an_account(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({**VERSION_2, "last_uin": None}), encoding="utf-8")
    s = load_settings(path)
    assert s.account_servers == {}
    assert s.server == "10.0.0.2:8123"


def test_signed_in_accounts_takes_numbers_only(path: Path) -> None:
    s = Settings(path)
    s.signed_in_accounts = [10001, 10002]
    with pytest.raises(ValueError):
        s.signed_in_accounts = [10001, "10002"]  # type: ignore[list-item]
    with pytest.raises(ValueError):
        s.signed_in_accounts = [True]
    assert s.signed_in_accounts == [10001, 10002]


@pytest.mark.parametrize(
    "content",
    ["{not json", "[1, 2]", json.dumps({"version": SCHEMA_VERSION + 1, "theme": "dark"})],
    ids=["corrupt", "not-an-object", "newer-version"],
)
def test_unusable_file_gives_defaults_and_is_kept(
    path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        s = load_settings(path)
    assert s.theme == "system"
    backup = path.with_name("settings.json.bak")
    assert backup.read_text(encoding="utf-8") == content
    assert not path.exists()
    assert "settings.json.bak" in caplog.text
    # Saving afterwards writes a good file again.
    s.save()
    assert load_settings(path).theme == "system"


def test_failed_replace_keeps_old_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings(path)
    s.theme = "dark"
    s.save()
    before = path.read_bytes()

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qqdesk.ui.settings.os.replace", disk_full)
    s.theme = "light"
    with pytest.raises(SettingsError, match="No space left on device"):
        s.save()
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_reports(path: Path) -> None:
    s = load_settings(path)
    s.save()
    path.parent.chmod(0o500)
    try:
        s.sounds = False
        with pytest.raises(SettingsError, match="Cannot save settings"):
            s.save()
    finally:
        path.parent.chmod(0o700)
    assert load_settings(path).sounds is True


def test_listeners_hear_real_changes_only(path: Path) -> None:
    s = Settings(path)
    heard: list[str] = []
    unsubscribe = s.subscribe(heard.append)
    s.theme = "dark"
    s.theme = "dark"
    s.sounds = False
    unsubscribe()
    s.sounds = True
    assert heard == ["theme", "sounds"]


def test_notifier_signal(qtbot, path: Path) -> None:  # type: ignore[no-untyped-def]
    s = Settings(path)
    notifier = SettingsNotifier(s)
    with qtbot.waitSignal(notifier.changed) as blocker:
        s.language = "zh_CN"
    assert blocker.args == ["language"]


def test_theme_palettes(qapp: QApplication) -> None:
    from PySide6.QtGui import QPalette

    from qqdesk.ui.theme import AppStyle, apply_theme, current_theme

    def window_lightness() -> int:
        return int(qapp.palette().color(QPalette.ColorRole.Window).lightness())

    try:
        assert apply_theme(qapp, "dark") == "dark"
        assert current_theme(qapp) == "dark" and window_lightness() < 100
        style = qapp.style()
        assert isinstance(style, AppStyle) and style.baseStyle().name().lower() == "fusion"
        assert apply_theme(qapp, "light") == "light"
        assert window_lightness() > 180
        # Offscreen has no colour scheme (Unknown), which reads as light.
        assert apply_theme(qapp, "system") == "light"
        assert apply_theme(qapp, "neon") == "light"  # unknown values follow the system
    finally:
        apply_theme(qapp, "light")
