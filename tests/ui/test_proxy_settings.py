"""Proxy per account: the settings page, the keyring, and signing in through the proxy."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from qqdesk.ui.dialogs import SettingsDialog
from qqdesk.ui.login import LoginDialog
from qqdesk.ui.proxy import KEYRING_SERVICE, ProxyChoice, ProxyKind, proxy_url
from qqdesk.ui.settings import load_settings
from tests.support.proxies import ProxyThread

from .conftest import ALICE, MemoryKeyring


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real sessions here keep their history under the test's own folder, not the
    user's (a history there written by a newer qqdesk refused every sign-in)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def proxy_tab(qtbot: Any, settings: Any) -> SettingsDialog:
    dialog = SettingsDialog(settings, account=ALICE[0])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.proxy_page is not None
    dialog.tabs.setCurrentWidget(dialog.proxy_page)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Proxy"
    return dialog


def test_the_proxy_page_keeps_the_choice_and_the_password_apart(
    qtbot: Any, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "settings.json"
    dialog = proxy_tab(qtbot, load_settings(path))
    page = dialog.proxy_page
    assert page is not None and page.kind() is ProxyKind.NONE
    assert not page.host_edit.isEnabled()
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("socks5"))
    assert page.port_spin.value() == 1080
    # No host: OK is off and the page says why.
    assert not dialog.ok_button.isEnabled()
    assert page.error.text() == "Enter the proxy's host name or address."
    qtbot.keyClicks(page.host_edit, "proxy.example.org")
    assert dialog.ok_button.isEnabled() and not page.error.isVisible()
    qtbot.keyClicks(page.user_edit, "me")
    qtbot.keyClicks(page.password_edit, "s3cret")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    saved = load_settings(path)
    # The password is in the keyring, never in the file.
    assert saved.proxies == {"10001": "socks5://me@proxy.example.org:1080"}
    assert "s3cret" not in path.read_text(encoding="utf-8")
    assert memory_keyring.data[(KEYRING_SERVICE, "10001")] == "s3cret"
    assert proxy_url(saved, 10001) == "socks5://me:s3cret@proxy.example.org:1080"
    assert proxy_url(saved, 10002) is None

    again = proxy_tab(qtbot, saved)
    page = again.proxy_page
    assert page is not None
    assert (page.kind(), page.host_edit.text(), page.port_spin.value()) == (
        ProxyKind.SOCKS5,
        "proxy.example.org",
        1080,
    )
    assert page.password_edit.text() == "s3cret"
    # Back to no proxy: the entry and the password go.
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("none"))
    assert again.apply()
    assert saved.proxies == {}
    assert (KEYRING_SERVICE, "10001") not in memory_keyring.data


def test_proxy_urls_quote_what_needs_it() -> None:
    choice = ProxyChoice(ProxyKind.HTTP, "::1", 3128, "dom\\me")
    assert choice.url("p@ss:word") == "http://dom%5Cme:p%40ss%3Aword@[::1]:3128"
    assert ProxyChoice.from_stored(choice.stored()) == choice
    assert ProxyChoice.from_stored("ftp://x:1") == ProxyChoice()


def test_the_proxy_page_in_chinese(qtbot: Any, tmp_path: Path, chinese: None) -> None:
    dialog = SettingsDialog(load_settings(tmp_path / "s.json"), account=10001)
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(4) == "代理"
    assert dialog.proxy_page is not None
    assert dialog.proxy_page.kind_combo.itemText(0) == "不使用代理"


@pytest.mark.parametrize("kind", ["http", "socks5"])
def test_signing_in_goes_through_the_account_proxy(
    qtbot: Any,
    qt_run: Any,
    tmp_path: Path,
    server: Any,
    memory_keyring: MemoryKeyring,
    kind: str,
) -> None:
    """The real sign-in dialog and session, the real server, a loopback proxy between."""
    if kind == "socks5" and importlib.util.find_spec("socksio") is None:
        pytest.skip("SOCKS needs httpx[socks] (socksio)")
    settings = load_settings(tmp_path / "settings.json")
    with ProxyThread(kind, credentials=("me", "pw")) as proxy:
        dialog = proxy_tab(qtbot, settings)
        page = dialog.proxy_page
        assert page is not None
        page.kind_combo.setCurrentIndex(page.kind_combo.findData(kind))
        page.host_edit.setText("127.0.0.1")
        page.port_spin.setValue(proxy.port)
        page.user_edit.setText("me")
        page.password_edit.setText("pw")
        assert dialog.apply()

        login = LoginDialog(settings)
        qtbot.addWidget(login)
        login.use_other_server(server.url.removeprefix("http://"))
        login.server_edit.setText(server.url.removeprefix("http://"))
        login.number_edit.setText(str(ALICE[0]))
        login.password_edit.setText(ALICE[1])
        with qtbot.waitSignal(login.loggedIn, timeout=10_000) as blocker:
            login.sign_in()
        session = blocker.args[0]
        assert proxy.seen and all(seen.user == "me" for seen in proxy.seen)
        assert proxy.refused == 0
        qt_run(session.close(), timeout_ms=5000)


def test_the_sign_in_dialog_sets_a_proxy_before_the_first_sign_in(
    qtbot: Any, qt_run: Any, tmp_path: Path, server: Any, memory_keyring: MemoryKeyring
) -> None:
    """Behind a proxy there is no main window (and no Settings) until signed in."""
    path = tmp_path / "settings.json"
    login = LoginDialog(load_settings(path))
    qtbot.addWidget(login)
    login.show()
    assert login.show_proxy() is None
    assert "number first" in login.error_label.text()
    login.number_edit.setText(str(ALICE[0]))
    with ProxyThread("http") as proxy:
        dialog = login.show_proxy()
        assert dialog is not None
        page = dialog.page
        page.kind_combo.setCurrentIndex(page.kind_combo.findData("http"))
        page.host_edit.setText("127.0.0.1")
        page.port_spin.setValue(proxy.port)
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok),
            Qt.MouseButton.LeftButton,
        )
        assert load_settings(path).proxies == {"10001": f"http://127.0.0.1:{proxy.port}"}
        login.use_other_server(server.url.removeprefix("http://"))
        login.server_edit.setText(server.url.removeprefix("http://"))
        login.password_edit.setText(ALICE[1])
        with qtbot.waitSignal(login.loggedIn, timeout=10_000) as blocker:
            qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
        assert proxy.seen
        qt_run(blocker.args[0].close(), timeout_ms=5000)
