"""First run: --self-check, an account made on the built-in server and signed in, the demo."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from qqdesk.builtin import BuiltinServer
from qqdesk.demo.data import BUDDIES, Behaviour
from qqdesk.ui import i18n
from qqdesk.ui.app import App, SingleInstance, build_parser, instance_key, tell_running_instance
from qqdesk.ui.login import LoginDialog
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import BuddyTreeModel
from qqdesk.ui.selfcheck import choose_platform
from qqdesk.ui.settings import Settings

from .conftest import ALICE, MemoryKeyring, logging_put_back

REPO = Path(__file__).resolve().parents[2]
XDG = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def xdg_env(base: Path) -> dict[str, str]:
    return {name: str(base / name.lower()) for name in XDG}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every user folder (data, settings, log, cache) inside tmp_path; logging put back after."""
    for name, value in xdg_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    with logging_put_back():
        yield tmp_path


def new_app(qapp: QApplication, *argv: str) -> App:
    app = App(qapp, build_parser().parse_args(list(argv)))
    app.builtin_port = 0  # never the shared machine's port 8000
    return app


# App holds what it started as optional attributes; these say a test expects one there.


def login_of(app: App) -> LoginDialog:
    assert isinstance(app.login, LoginDialog)
    return app.login


def window_of(app: App) -> MainWindow:
    assert isinstance(app.window, MainWindow)
    return app.window


def builtin_of(app: App) -> BuiltinServer:
    assert isinstance(app.builtin, BuiltinServer)
    return app.builtin


def settings_of(app: App) -> Settings:
    assert app.settings is not None
    return app.settings


def demo_error_of(app: App) -> QMessageBox:
    assert isinstance(app.demo_error, QMessageBox)
    return app.demo_error


def quit_app(qtbot: Any, app: App) -> None:
    app.quit(0)
    qtbot.waitUntil(app.finished.done, timeout=15_000)


def buddy_count(model: BuddyTreeModel) -> int:
    return sum(model.rowCount(model.index(row, 0)) for row in range(model.rowCount()))


# -- --self-check ------------------------------------------------------------------------


def self_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m qqdesk --self-check`` as a process with its own home folders."""
    return subprocess.run(
        [sys.executable, "-m", "qqdesk", "--self-check"],
        cwd=REPO,
        env={**os.environ, **xdg_env(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_readme_launch_command_self_check_headless(tmp_path: Path) -> None:
    done = self_check(tmp_path, QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stderr
    # Both halves ran: server, client and store; then Qt, artwork, catalogues, windows.
    assert "self-check passed" in done.stderr
    assert "friend to show online in the buddy tree" in done.stderr
    assert "self-check of the windows on the offscreen platform passed" in done.stderr
    assert (tmp_path / "xdg_state_home" / "qqdesk" / "log" / "qqdesk.log").exists()


def test_self_check_finds_missing_artwork(tmp_path: Path) -> None:
    """A bundle that lost a file must fail its self-check, not paint a stand-in."""
    broken = tmp_path / "resources"
    shutil.copytree(REPO / "resources", broken)
    (broken / "faces" / "100.svg").unlink()  # face id 297 is picture 297/3+1 = 100
    done = self_check(tmp_path, QT_QPA_PLATFORM="offscreen", QQDESK_RESOURCES=str(broken))
    assert done.returncode == 1, done.stderr
    assert "self-check FAILED while loading artwork" in done.stderr
    assert "100.svg" in done.stderr


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({}, "offscreen"),
        ({"DISPLAY": ":0"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"QT_QPA_PLATFORM": "xcb"}, "xcb"),
    ],
)
def test_self_check_draws_offscreen_only_without_a_display(
    environ: dict[str, str], platform: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    choose_platform(environ)
    assert environ.get("QT_QPA_PLATFORM") == platform


def test_installed_launcher_self_check_headless(tmp_path: Path) -> None:
    launcher = Path(sys.executable).with_name("qqdesk")
    if not launcher.exists():
        pytest.skip("qqdesk is not installed in this environment (pip install -e .)")
    env = {**os.environ, **xdg_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(launcher), "--self-check"], env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr


def test_demo_launch_signs_in_and_quits_cleanly_on_sigterm(qtbot: Any, tmp_path: Path) -> None:
    """``python -m qqdesk --demo`` as a process: the demo account signs in; SIGTERM signs out."""
    env = {**os.environ, **xdg_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    log = tmp_path / "xdg_state_home" / "qqdesk" / "log" / "qqdesk.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "qqdesk", "--demo"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        qtbot.waitUntil(
            lambda: (
                process.poll() is not None
                or (log.exists() and "10001: connected" in log.read_text(encoding="utf-8"))
            ),
            timeout=60_000,
        )
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert "demo runs on" in log.read_text(encoding="utf-8")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "10001: stopped logged out" in log.read_text(encoding="utf-8")
    # The user's own data is untouched: only the demo folder was written.
    data = tmp_path / "xdg_data_home" / "qqdesk"
    assert not (data / "server.sqlite3").exists()


def test_parser_knows_demo_and_self_check() -> None:
    args = build_parser().parse_args(["--demo", "--self-check"])
    assert args.demo and args.self_check
    assert instance_key("u", demo=True) != instance_key("u")


def test_instance_key_is_per_user_and_data_folder(home: Path) -> None:
    """A test's app (its own XDG folders) never raises, nor is raised by, the user's."""
    assert instance_key("u", folder="/a") == instance_key("u", folder="/a")
    assert instance_key("u", folder="/a") != instance_key("u", folder="/b")
    assert instance_key("u", folder="/a") != instance_key("v", folder="/a")
    assert instance_key() == instance_key(folder=home / "xdg_data_home" / "qqdesk")


# -- the built-in server and a new account ------------------------------------------------


def test_create_account_and_sign_in_on_the_builtin_server(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path, memory_keyring: MemoryKeyring
) -> None:
    app = new_app(qapp)
    app.show_login()
    login = login_of(app)
    assert login.builtin_chosen()
    qtbot.waitUntil(lambda: app.builtin is not None, timeout=10_000)
    builtin = builtin_of(app)
    assert login.server_edit.text() == builtin.address
    assert login.server_edit.isReadOnly()
    assert str(home / "xdg_data_home") in str(builtin.data_dir)

    assert login.create_link.isVisible() and login.create_link.isEnabled()
    login.create_link.click()
    assert login.pages.currentWidget() is login.create_page
    login.nick_edit.setText("新朋友 Newbie")  # QTest types ASCII only
    qtbot.keyClicks(login.new_password_edit, "first-pw")
    qtbot.keyClicks(login.confirm_edit, "first-pX")
    login.create_button.click()
    assert login.create_error.isVisible()
    assert "differ" in login.create_error.text()
    assert login.pages.currentWidget() is login.create_page
    login.confirm_edit.clear()
    qtbot.keyClicks(login.confirm_edit, "first-pw")
    login.create_button.click()

    assert login.pages.currentWidget() is login.sign_in_page
    number = login.number_edit.text()
    assert number.isdigit() and int(number) >= 10000
    assert number in login.info_label.text()
    assert login.password_edit.text() == "first-pw"

    login.sign_in_button.click()
    qtbot.waitUntil(lambda: app.window is not None, timeout=10_000)
    assert app.session is not None and app.session.uin == int(number)
    assert window_of(app).isVisible()

    saved = json.loads(settings_of(app).path.read_text(encoding="utf-8"))
    assert saved["last_uin"] == int(number)
    assert saved["use_builtin_server"] is True
    # The built-in server's port is never written as the server to use.
    assert saved["server"] == "127.0.0.1:8000"
    assert memory_keyring.data == {}

    quit_app(qtbot, app)
    assert app.builtin is None
    assert not window_of(app).isVisible()


def test_other_server_choice_keeps_what_was_typed(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path
) -> None:
    app = new_app(qapp)
    app.show_login()
    login = login_of(app)
    qtbot.waitUntil(lambda: app.builtin is not None, timeout=10_000)
    login.server_choice.setCurrentIndex(1)
    assert not login.server_edit.isReadOnly()
    assert not login.create_link.isVisible()
    login.server_edit.setText("192.168.1.9:8000")
    login.server_choice.setCurrentIndex(0)
    assert login.server_edit.text() == builtin_of(app).address
    login.server_choice.setCurrentIndex(1)
    assert login.server_edit.text() == "192.168.1.9:8000"
    quit_app(qtbot, app)


def test_create_account_checks_its_fields(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path
) -> None:
    app = new_app(qapp)
    app.show_login()
    login = login_of(app)
    qtbot.waitUntil(lambda: app.builtin is not None, timeout=10_000)
    login.show_create_page()
    login.create_button.click()
    assert "nickname" in login.create_error.text()
    qtbot.keyClicks(login.nick_edit, "Ann")
    login.create_button.click()
    assert "password" in login.create_error.text()
    assert login.pages.currentWidget() is login.create_page
    assert not login.sign_in_button.isVisible()
    login.back_button.click()
    assert login.pages.currentWidget() is login.sign_in_page
    assert login.sign_in_button.isVisible()
    # Escape on the page goes back to signing in; it does not quit the app.
    login.show_create_page()
    qtbot.keyClick(login.nick_edit, Qt.Key.Key_Escape)
    assert login.pages.currentWidget() is login.sign_in_page
    assert login.isVisible()
    quit_app(qtbot, app)


# -- the demo ------------------------------------------------------------------------------


def test_demo_shows_buddies_and_a_bot_answers(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path
) -> None:
    app = new_app(qapp, "--demo")
    app.start_demo(speed=20, base_dir=home / "demo")
    qtbot.waitUntil(lambda: app.window is not None, timeout=20_000)
    window = window_of(app)
    assert window.isVisible()
    assert app.demo is not None
    qtbot.waitUntil(lambda: buddy_count(window.model) >= len(BUDDIES), timeout=10_000)

    echo = next(p for p in BUDDIES if p.behaviour is Behaviour.ECHO)
    heard: list[int] = []
    window.bridge.messageReceived.connect(lambda event: heard.append(event.sender))
    chat = window.chats.open_chat(echo.uin)
    chat.send_text("hello")
    qtbot.waitUntil(lambda: echo.uin in heard, timeout=15_000)

    quit_app(qtbot, app)
    assert app.demo is None
    # The demo leaves the user's settings without its server or number.
    settings_file = home / "xdg_config_home" / "qqdesk" / "settings.json"
    if settings_file.exists():
        saved = json.loads(settings_file.read_text(encoding="utf-8"))
        assert saved.get("last_uin") is None
        assert saved.get("server") == "127.0.0.1:8000"


def test_signing_in_to_another_server_stops_the_builtin_one(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path, server: Any, memory_keyring: Any
) -> None:
    app = new_app(qapp)
    app.show_login()
    login = login_of(app)
    qtbot.waitUntil(lambda: app.builtin is not None, timeout=10_000)
    login.server_choice.setCurrentIndex(1)
    address = server.url.removeprefix("http://")
    login.server_edit.setText(address)
    login.number_edit.setText(str(ALICE[0]))
    login.password_edit.setText(ALICE[1])
    login.sign_in_button.click()
    qtbot.waitUntil(lambda: app.window is not None, timeout=10_000)
    qtbot.waitUntil(lambda: app.builtin is None, timeout=10_000)
    saved = json.loads(settings_of(app).path.read_text(encoding="utf-8"))
    assert saved["server"] == address
    assert saved["use_builtin_server"] is False
    quit_app(qtbot, app)


def test_a_taken_port_is_told_and_never_saved(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        app = new_app(qapp)
        app.builtin_port = taken.getsockname()[1]
        app.show_login()
        qtbot.waitUntil(lambda: app.builtin is not None, timeout=10_000)
        login = login_of(app)
        assert builtin_of(app).port_changed
        assert login.info_label.isVisible()
        assert str(builtin_of(app).port) in login.info_label.text()
        assert login.server_edit.text() == builtin_of(app).address
        quit_app(qtbot, app)
    saved = json.loads(settings_of(app).path.read_text(encoding="utf-8"))
    assert saved["server"] == "127.0.0.1:8000"


def test_a_demo_that_cannot_start_says_why_and_quits_with_1(
    qtbot: Any, qapp: QApplication, qt_loop: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qqdesk.demo

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no room on the disk")

    monkeypatch.setattr(qqdesk.demo, "start_demo", broken)
    app = new_app(qapp, "--demo")
    app.start_demo()
    qtbot.waitUntil(lambda: app.demo_error is not None, timeout=10_000)
    assert "no room on the disk" in demo_error_of(app).text()
    assert not app.finished.done()
    demo_error_of(app).accept()
    qtbot.waitUntil(app.finished.done, timeout=10_000)
    assert app.finished.result() == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--demo", "--lang", "zh_CN"], "qqdesk 演示已经在运行，已把它的窗口调到前面。"),
        (["--lang", "en"], "qqdesk is already running; its window was brought to the front."),
    ],
)
def test_a_second_launch_raises_the_first_and_says_so(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    words: str,
) -> None:
    args = build_parser().parse_args(argv)
    # The key is the test's own: it hangs on the data folder, which is in tmp_path.
    key = instance_key(demo=args.demo)
    first = new_app(qapp, *argv)
    first.instance = SingleInstance(key)
    assert first.instance.listen()
    first.instance.raiseRequested.connect(first.bring_to_front)
    shown = [w for w in qapp.topLevelWidgets() if w.isVisible()]
    try:
        with qtbot.waitSignal(first.instance.raiseRequested):
            assert tell_running_instance(qapp, args, SingleInstance(key))
        assert capsys.readouterr().err == words + "\n"
        # The second launch shows nothing of its own.
        assert [w for w in qapp.topLevelWidgets() if w.isVisible()] == shown
        # Nobody runs on another key: that launch goes on (and says nothing).
        assert not tell_running_instance(qapp, args, SingleInstance(key + "-other"))
        assert capsys.readouterr().err == ""
    finally:
        first.instance.close()
        i18n.install_translator(qapp, "en")
