"""Several accounts at once: add, route, switch, sign out, sign in again at start."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from qqdesk.client import Conversation
from qqdesk.core import Presence
from qqdesk.ui import i18n
from qqdesk.ui.accounts import AccountsWindow
from qqdesk.ui.app import App, build_parser
from qqdesk.ui.mainwindow import MainWindow
from qqdesk.ui.models import Roles
from qqdesk.ui.settings import BUILTIN_SERVER, Settings

from .conftest import ALICE, BOB, FakeHub, FakeSession, MemoryKeyring, make_session
from .test_firstrun import home, login_of, new_app, quit_app  # noqa: F401  (home: a fixture)

CAROL = (10003, "carol-pw", "Carol")


@pytest.fixture
def last_run(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    server: Any,
    memory_keyring: MemoryKeyring,
) -> dict[str, Any]:
    """A run of the app that signed Alice and Bob in (Remember me) and quit: its settings."""
    first = new_app(qapp)
    both_signed_in(qtbot, first, server)
    quit_app(qtbot, first)
    assert first.settings is not None
    saved: dict[str, Any] = json.loads(first.settings.path.read_text(encoding="utf-8"))
    return saved


@pytest.fixture
def carol(server: Any, qt_run: Any, tmp_path: Path) -> Iterator[Any]:
    """Carol, a friend of both Alice and Bob, signed in on her own (not in the app)."""
    server.create_account(CAROL[0], CAROL[1], nick=CAROL[2])
    for uin in (ALICE[0], BOB[0]):
        server.add_buddy(uin, CAROL[0])
        server.add_buddy(CAROL[0], uin)
    session = make_session(server, CAROL, tmp_path)
    qt_run(session.login())
    yield session
    qt_run(session.close(), timeout_ms=5000)


def shell_of(app: App) -> AccountsWindow:
    assert isinstance(app.shell, AccountsWindow)
    return app.shell


def page_of(app: App, uin: int) -> MainWindow:
    return page_of_shell(shell_of(app), uin)


def sign_in(qtbot: Any, app: App, server: Any, account: tuple[int, str, str]) -> MainWindow:
    """Fill the sign-in dialog the app shows for ``account`` on ``server``, Remember me on."""
    login = login_of(app)
    login.server_choice.setCurrentIndex(1)
    login.server_edit.setText(server.url.removeprefix("http://"))
    login.number_edit.setText(str(account[0]))
    login.password_edit.setText(account[1])
    login.remember_check.setChecked(True)
    login.sign_in_button.click()
    qtbot.waitUntil(lambda: app.shell is not None and account[0] in app.signed_in_numbers())
    page = page_of(app, account[0])
    qtbot.waitUntil(lambda: page.own_nick == account[2])
    return page


def both_signed_in(qtbot: Any, app: App, server: Any) -> tuple[MainWindow, MainWindow]:
    app.show_login()
    alice = sign_in(qtbot, app, server, ALICE)
    shell = shell_of(app)
    assert not shell.switcher.isVisible()  # one account: the window as it always was
    shell.add_account_action.trigger()
    login = login_of(app)
    assert login.windowTitle() == "Add an account to qqdesk"
    assert login.number_edit.text() == ""  # not the number signed in already
    bob = sign_in(qtbot, app, server, BOB)
    return alice, bob


def unread(page: MainWindow, uin: int) -> int:
    buddy = page.model.buddy_item(uin)
    return buddy.unread if buddy is not None else 0


def nick(page: MainWindow, uin: int) -> str:
    buddy = page.model.buddy_item(uin)
    return buddy.nick if buddy is not None else ""


def test_two_accounts_each_get_their_own_messages(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    qt_run: Any,
    home: Path,  # noqa: F811
    server: Any,
    carol: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    app = new_app(qapp)
    alice, bob = both_signed_in(qtbot, app, server)
    shell = shell_of(app)
    assert shell.isVisible() and shell.switcher.isVisible()
    assert shell.numbers() == [ALICE[0], BOB[0]]
    # The last one signed in is shown; the switcher and the menu bar follow it.
    assert app.window is bob and app.session is bob.session
    assert shell.switcher.currentIndex().data(Roles.UIN) == BOB[0]
    assert shell.menuBar().actions() == bob.menuBar().actions()
    assert shell.windowTitle() == bob.windowTitle()
    # Each keeps its own password entry and server.
    assert memory_keyring.data[("qqdesk", str(ALICE[0]))] == ALICE[1]
    assert memory_keyring.data[("qqdesk", str(BOB[0]))] == BOB[1]
    saved = json.loads(Path(app.settings.path).read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert saved["signed_in_accounts"] == [ALICE[0], BOB[0]]
    address = server.url.removeprefix("http://")
    assert saved["account_servers"] == {str(ALICE[0]): address, str(BOB[0]): address}

    qt_run(carol.send_message(ALICE[0], "for alice"))
    qtbot.waitUntil(lambda: unread(alice, CAROL[0]) == 1, timeout=10_000)
    qt_run(carol.send_message(BOB[0], "for bob"))
    qtbot.waitUntil(lambda: unread(bob, CAROL[0]) == 1, timeout=10_000)
    assert unread(alice, CAROL[0]) == 1 and unread(bob, CAROL[0]) == 1
    for page in (alice, bob):
        qtbot.waitUntil(lambda p=page: nick(p, CAROL[0]) == CAROL[2], timeout=10_000)
    # Each message is in its own account's history only.
    with_carol = Conversation.buddy(CAROL[0])
    assert [m.text for m in alice.session.history(with_carol)] == ["for alice"]
    assert [m.text for m in bob.session.history(with_carol)] == ["for bob"]
    # The switcher shows each account's unread count.
    rows = [shell.accounts.index(row, 0) for row in range(2)]
    assert [index.data(Roles.UNREAD) for index in rows] == [1, 1]

    # Bob is shown: Alice's notice names her account, and opens her chat with Carol.
    assert "for Alice (10001)" in shell.banner.text()
    assert "for alice" in shell.banner.text()
    shell.banner.button.click()
    assert app.window is alice
    chat = alice.chats.chat(CAROL[0])
    assert chat is not None and chat.isVisible()
    assert chat.windowTitle() == "Chat with Carol — Alice (10001)"
    assert bob.chats.chat(CAROL[0]) is None
    qtbot.waitUntil(lambda: unread(alice, CAROL[0]) == 0)
    assert unread(bob, CAROL[0]) == 1

    # Switch account: Bob again, by number.
    assert shell.switch_to(BOB[0]) and app.window is bob
    assert not shell.switch_to(CAROL[0])
    bob_chat = bob.chats.open_chat(CAROL[0])
    assert bob_chat.windowTitle() == "Chat with Carol — Bob 小明 (10002)"

    # Signing Bob out closes his windows only; Alice goes on receiving.
    bob.show_profile(CAROL[0])
    profile = next(w for w in bob.findChildren(QWidget) if w.isWindow() and w.isVisible())
    shell.sign_out_action.trigger()
    assert not profile.isVisible()
    assert shell.numbers() == [ALICE[0]]
    assert app.window is alice and not shell.switcher.isVisible()
    assert not bob_chat.isVisible()
    # With one account left the titles no longer name it.
    assert chat.windowTitle() == "Chat with Carol"
    saved = json.loads(Path(app.settings.path).read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert saved["signed_in_accounts"] == [ALICE[0]]
    qt_run(carol.send_message(ALICE[0], "still here?"))
    qtbot.waitUntil(
        lambda: [m.text for m in alice.session.history(with_carol)][:1] == ["still here?"],
        timeout=10_000,
    )

    # The last one signing out brings the sign-in dialog back, with the number filled in.
    shell.sign_out_action.trigger()
    assert shell.numbers() == [] and not shell.isVisible()
    login = login_of(app)
    assert login.isVisible() and login.number_edit.text() == str(ALICE[0])
    assert not app.finished.done()
    quit_app(qtbot, app)


def test_the_same_number_twice_is_refused(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    server: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    app = new_app(qapp)
    app.show_login()
    sign_in(qtbot, app, server, ALICE)
    shell_of(app).add_account_action.trigger()
    login = login_of(app)
    login.server_choice.setCurrentIndex(1)
    login.number_edit.setText(str(ALICE[0]))
    login.password_edit.setText(ALICE[1])
    login.sign_in_button.click()
    assert login.error_label.isVisible()
    assert "10001 is signed in already" in login.error_label.text()
    assert login.session is None and not login.progress.isVisible()
    # Cancel beside a signed-in account closes the dialog, not the app.
    login.cancel_button.click()
    assert not app.finished.done()
    assert shell_of(app).numbers() == [ALICE[0]]
    quit_app(qtbot, app)


def test_accounts_signed_in_at_quit_sign_in_again_at_start(
    qtbot: Any,
    qapp: QApplication,
    last_run: dict[str, Any],
) -> None:
    # Quitting is not signing out: both are still to sign in next time.
    assert last_run["signed_in_accounts"] == [ALICE[0], BOB[0]]

    again = new_app(qapp)
    again.start()
    qtbot.waitUntil(lambda: len(again.signed_in_numbers()) == 2, timeout=15_000)
    assert again.login is None  # nobody had to type anything
    shell = shell_of(again)
    assert shell.numbers() == [ALICE[0], BOB[0]]
    assert again.window is page_of(again, ALICE[0])
    assert shell.isVisible() and shell.switcher.isVisible()
    quit_app(qtbot, again)


def test_an_account_without_a_kept_password_is_asked_for(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    server: Any,
    memory_keyring: MemoryKeyring,
    last_run: dict[str, Any],
) -> None:
    memory_keyring.data.pop(("qqdesk", str(BOB[0])))

    again = new_app(qapp)
    again.start()
    qtbot.waitUntil(lambda: again.signed_in_numbers() == [ALICE[0]], timeout=15_000)
    shell = shell_of(again)
    qtbot.waitUntil(shell.banner.isVisible)
    assert "10002" in shell.banner.text()
    shell.banner.button.click()
    login = login_of(again)
    assert login.number_edit.text() == str(BOB[0])
    # Bob's own server is chosen for him.
    assert login.server_edit.text() == server.url.removeprefix("http://")
    quit_app(qtbot, again)


def test_accounts_on_the_builtin_server_and_elsewhere_sign_in_again(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    server: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    first = new_app(qapp)
    first.show_login()
    sign_in(qtbot, first, server, ALICE)
    # Alice is elsewhere: the built-in server stops; choosing it again starts it.
    qtbot.waitUntil(lambda: first.builtin is None, timeout=10_000)
    shell_of(first).add_account_action.trigger()
    login = login_of(first)
    login.server_choice.setCurrentIndex(0)
    qtbot.waitUntil(lambda: first.builtin is not None, timeout=10_000)
    assert first.builtin is not None
    number = first.builtin.create_account("ann-pw-1", "Ann")
    login.number_edit.setText(str(number))
    login.password_edit.setText("ann-pw-1")
    login.remember_check.setChecked(True)
    login.sign_in_button.click()
    qtbot.waitUntil(lambda: first.signed_in_numbers() == [ALICE[0], number], timeout=10_000)
    quit_app(qtbot, first)

    again = new_app(qapp)
    again.start()
    qtbot.waitUntil(lambda: len(again.signed_in_numbers()) == 2, timeout=20_000)
    assert again.signed_in_numbers() == [ALICE[0], number]
    # Started for Ann, and kept for her though Alice (signed in first) is elsewhere.
    assert again.builtin is not None
    ann = page_of(again, number)
    qtbot.waitUntil(lambda: ann.own_nick == "Ann", timeout=10_000)
    quit_app(qtbot, again)


def test_nobody_signs_in_again_without_passwords(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    memory_keyring: MemoryKeyring,
) -> None:
    settings = Settings()
    settings.last_uin = ALICE[0]
    settings.signed_in_accounts = [ALICE[0]]
    settings.account_servers = {str(ALICE[0]): BUILTIN_SERVER}
    settings.save()
    app = new_app(qapp)
    app.start()
    qtbot.waitUntil(lambda: app.login is not None and app.login.isVisible(), timeout=10_000)
    assert login_of(app).number_edit.text() == str(ALICE[0])
    assert app.shell is None
    quit_app(qtbot, app)


def test_a_failed_sign_in_at_start_shows_the_dialog_with_the_reason(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    memory_keyring: MemoryKeyring,
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{closed.getsockname()[1]}"  # nobody listens once it closes
    settings = Settings()
    settings.signed_in_accounts = [ALICE[0]]
    settings.account_servers = {str(ALICE[0]): dead}
    settings.save()
    memory_keyring.data[("qqdesk", str(ALICE[0]))] = ALICE[1]
    app = new_app(qapp)
    app.start()
    qtbot.waitUntil(lambda: app.login is not None and app.login.isVisible(), timeout=20_000)
    login = login_of(app)
    assert app.shell is None
    assert login.number_edit.text() == str(ALICE[0])
    assert login.server_edit.text() == dead
    assert login.error_label.isVisible()
    assert "Cannot reach the server" in login.error_label.text()
    quit_app(qtbot, app)


def test_a_single_account_user_of_version_2_signs_in_as_before(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    server: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    address = server.url.removeprefix("http://")
    settings_file = home / "xdg_config_home" / "qqdesk" / "settings.json"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(
        json.dumps(
            {
                "version": 2,
                "server": address,
                "use_builtin_server": False,
                "last_uin": ALICE[0],
                "remember_password": True,
            }
        ),
        encoding="utf-8",
    )
    memory_keyring.data[("qqdesk", str(ALICE[0]))] = ALICE[1]
    app = new_app(qapp)
    app.start()
    # As before: the dialog, filled in from the settings and the keyring.
    login = login_of(app)
    assert login.number_edit.text() == str(ALICE[0])
    assert login.password_edit.text() == ALICE[1]
    assert not login.builtin_chosen() and login.server_edit.text() == address
    login.sign_in_button.click()
    qtbot.waitUntil(lambda: app.signed_in_numbers() == [ALICE[0]], timeout=10_000)
    saved = json.loads(settings_file.read_text(encoding="utf-8"))
    assert saved["version"] == 3
    assert saved["signed_in_accounts"] == [ALICE[0]]
    assert saved["account_servers"] == {str(ALICE[0]): address}
    quit_app(qtbot, app)


def test_the_demo_keeps_its_single_account(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
) -> None:
    app = App(qapp, build_parser().parse_args(["--demo"]))
    app.builtin_port = 0
    app.start_demo(speed=20, base_dir=home / "demo")
    qtbot.waitUntil(lambda: app.window is not None, timeout=20_000)
    shell = shell_of(app)
    assert not shell.add_account_action.isVisible()
    # Signing the demo out ends it (there is no other account to go back to).
    shell.sign_out_action.trigger()
    qtbot.waitUntil(app.finished.done, timeout=15_000)
    assert app.finished.result() == 0
    settings_file = home / "xdg_config_home" / "qqdesk" / "settings.json"
    if settings_file.exists():
        saved = json.loads(settings_file.read_text(encoding="utf-8"))
        assert saved.get("signed_in_accounts", []) == []


# -- the window of several accounts, on in-memory sessions -----------------------------------


def fake_accounts(qtbot: Any, qt_run: Any, hub: FakeHub) -> tuple[AccountsWindow, list[Any]]:
    """Ann and Ben signed in side by side (Ben shown); Carl, a friend of both, apart."""
    carl = FakeSession(hub, 10003, "Carl")
    sessions = [FakeSession(hub, 10001, "Ann"), FakeSession(hub, 10002, "Ben")]
    for session in [carl, *sessions]:
        qt_run(session.login())
    for session in sessions:
        hub.lists[session.uin].add(carl.uin)
        hub.lists[carl.uin].add(session.uin)
    shell = AccountsWindow(use_tray=False, use_dbus=False)
    qtbot.addWidget(shell)
    for session in sessions:
        shell.add_session(session).start()
    shell.show()
    for page in shell.pages():
        qtbot.waitUntil(lambda p=page: nick(p, carl.uin) == "Carl")
    return shell, [carl, *sessions]


def test_a_notice_in_chinese_names_the_account(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub, chinese: None
) -> None:
    shell, (carl, ann, _ben) = fake_accounts(qtbot, qt_run, fake_hub)
    qt_run(carl.send_message(ann.uin, "你好"))
    qtbot.waitUntil(shell.banner.isVisible)
    assert shell.banner.text() == "来自 Carl 的消息 — 发给 Ann（10001）：你好"
    assert shell.banner.button.text() == "打开"
    assert shell.add_account_action.text() == "添加账号(&A)…"
    shell.banner.button.click()
    page = page_of_shell(shell, ann.uin)
    chat = page.chats.chat(carl.uin)
    assert chat is not None
    assert chat.windowTitle() == "与 Carl 聊天 — Ann（10001）"
    shell.shutdown()


def test_switch_account_menu_lists_the_accounts_and_switches(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    shell, (_carl, ann, ben) = fake_accounts(qtbot, qt_run, fake_hub)
    assert shell.switch_menu.menuAction().isEnabled()
    shell.switch_menu.aboutToShow.emit()
    actions = shell.switch_menu.actions()
    assert [a.text() for a in actions] == ["Ann (10001)", "Ben (10002)"]
    assert [a.isChecked() for a in actions] == [False, True]
    actions[0].trigger()
    assert shell.current_page() is page_of_shell(shell, ann.uin)
    assert shell.switcher.currentIndex().row() == 0
    # Moving in the switcher (arrow keys, a click) switches too.
    shell.switcher.setCurrentIndex(shell.accounts.index(1, 0))
    assert shell.current_page() is page_of_shell(shell, ben.uin)
    shell.shutdown()


def test_the_accounts_window_switches_language_live(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub, qapp: QApplication
) -> None:
    shell, (_carl, ann, ben) = fake_accounts(qtbot, qt_run, fake_hub)
    try:
        assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"
        qtbot.waitUntil(lambda: shell.sign_out_action.text() == "退出登录(&O)")
        assert shell.switch_menu.title() == "切换账号(&W)"
        for session in (ann, ben):
            page = page_of_shell(shell, session.uin)
            assert page.add_friend_action.text() == "添加好友(&A)…"
        tip = shell.accounts.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == "Ann（10001） — 在线"
    finally:
        assert i18n.install_translator(qapp, "en") == "en"
    qtbot.waitUntil(lambda: shell.sign_out_action.text() == "Sign &out")
    shell.shutdown()


def test_quitting_with_the_add_account_dialog_open(
    qtbot: Any,
    qapp: QApplication,
    qt_loop: Any,
    home: Path,  # noqa: F811
    server: Any,
    memory_keyring: MemoryKeyring,
) -> None:
    app = new_app(qapp)
    app.show_login()
    sign_in(qtbot, app, server, ALICE)
    shell_of(app).add_account_action.trigger()
    login = login_of(app)
    assert login.isVisible()
    closed: list[bool] = []
    login.destroyed.connect(lambda *_: closed.append(True))
    quit_app(qtbot, app)
    qtbot.waitUntil(lambda: closed == [True])  # closed with the app, and gone
    assert app.login is None
    assert app.finished.result() == 0


def test_a_notice_about_the_account_shown_does_not_name_it(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    shell, (carl, _ann, ben) = fake_accounts(qtbot, qt_run, fake_hub)
    qt_run(carl.send_message(ben.uin, "hi"))
    page = page_of_shell(shell, ben.uin)
    qtbot.waitUntil(page.notice_banner.isVisible)
    assert page.notice_banner.text() == "Message from Carl: hi"
    assert not shell.banner.isVisible()
    shell.shutdown()


def test_status_from_the_tray_and_auto_away_reach_every_signed_in_account(
    qtbot: Any, qt_run: Any, fake_hub: FakeHub
) -> None:
    shell, (_carl, ann, ben) = fake_accounts(qtbot, qt_run, fake_hub)
    shell.choose_status_everywhere(Presence.HIDDEN)
    qtbot.waitUntil(lambda: ann.status_calls[-1:] == ben.status_calls[-1:] == [Presence.HIDDEN])
    shell.choose_status_everywhere(Presence.ONLINE)
    qtbot.waitUntil(lambda: ann.status_calls[-1:] == ben.status_calls[-1:] == [Presence.ONLINE])
    # Ben signs out; idle time then makes Ann busy and never signs Ben in again.
    ben_page = page_of_shell(shell, ben.uin)
    shell.remove_page(ben_page)
    calls = len(ben.status_calls)
    for page in (page_of_shell(shell, ann.uin), ben_page):
        page.auto_away.evaluate(24 * 3600)
    qtbot.waitUntil(lambda: ann.status_calls[-1:] == [Presence.BUSY])
    assert len(ben.status_calls) == calls
    shell.shutdown()


def page_of_shell(shell: AccountsWindow, uin: int) -> MainWindow:
    page = shell.page_of(uin)
    assert page is not None
    return page
