"""Sign-in dialog: errors in words, success, settings kept, Remember me in the keyring only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QCoreApplication, Qt

from qqdesk.client import errors
from qqdesk.core import Presence
from qqdesk.ui.login import LoginDialog, PasswordStore, server_url
from qqdesk.ui.settings import Settings

from .conftest import FakeHub, FakeSession, MemoryKeyring


class WrongPasswordError(Exception):
    pass


class NoSuchNumberError(Exception):
    pass


class Session(FakeSession):
    """A session that remembers how it was made and fails to log in when told to."""

    def __init__(self, url: str, uin: int, password: str, error: BaseException | None) -> None:
        super().__init__(FakeHub(), uin, str(uin))
        self.url, self.password, self.error = url, password, error
        self.statuses: list[Presence] = []

    async def login(self) -> None:
        if self.error is not None:
            raise self.error

    async def set_status(self, status: Presence) -> None:
        self.statuses.append(status)


def make_dialog(qtbot: Any, tmp_path: Path, error: BaseException | None = None) -> LoginDialog:
    made: list[Session] = []

    def factory(url: str, uin: int, password: str) -> Session:
        made.append(Session(url, uin, password, error))
        return made[-1]

    dialog = LoginDialog(Settings(tmp_path / "settings.json"), session_factory=factory)
    dialog.made = made  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(qtbot: Any, dialog: LoginDialog, number: str = "10001", password: str = "pw") -> None:
    dialog.number_edit.clear()
    qtbot.keyClicks(dialog.number_edit, number)
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, password)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errors.WrongPassword("RS=1"), "Wrong password"),
        (errors.NoSuchUser(10001), "no account with this number"),
        (ConnectionRefusedError(111, "refused"), "Cannot reach the server"),
    ],
)
def test_errors_in_words(
    qtbot: Any, qt_loop: Any, tmp_path: Path, memory_keyring: Any, error: Exception, words: str
) -> None:
    dialog = make_dialog(qtbot, tmp_path, error)
    fill(qtbot, dialog)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.error_label.isVisible)
    assert words in dialog.error_label.text()
    assert dialog.isVisible()
    assert dialog.sign_in_button.isEnabled()


def test_checks_fields_before_asking_the_server(
    qtbot: Any, qt_loop: Any, tmp_path: Path, memory_keyring: Any
) -> None:
    dialog = make_dialog(qtbot, tmp_path)
    fill(qtbot, dialog, "123", "pw")
    dialog.sign_in()
    assert "QQ number" in dialog.error_label.text()
    fill(qtbot, dialog, "10001", "")
    dialog.sign_in()
    assert "password" in dialog.error_label.text()
    assert dialog.made == []  # type: ignore[attr-defined]
    # Letters cannot be typed into the number.
    dialog.number_edit.clear()
    qtbot.keyClicks(dialog.number_edit, "12ab3")
    assert dialog.number_edit.text() == "123"


def test_success_remembers_in_keyring_and_settings(
    qtbot: Any, qt_loop: Any, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, tmp_path)
    fill(qtbot, dialog, "10001", "s3cret")
    dialog.server_edit.setText("localhost:9000")
    dialog.status_combo.setCurrentIndex(dialog.status_combo.findData(Presence.BUSY.value))
    dialog.remember_check.setChecked(True)
    with qtbot.waitSignal(dialog.loggedIn) as blocker:
        dialog.sign_in()
    session = blocker.args[0]
    assert session.url == "http://localhost:9000"
    assert session.statuses == [Presence.BUSY]
    assert memory_keyring.data == {("qqdesk", "10001"): "s3cret"}
    saved = (tmp_path / "settings.json").read_text()
    assert "s3cret" not in saved
    assert '"last_uin": 10001' in saved
    # Next start: number and password are filled in.
    again = make_dialog(qtbot, tmp_path)
    settings = again.settings
    assert isinstance(settings, Settings)
    settings.last_uin = 10001
    settings.remember_password = True
    again.number_edit.setText("10001")
    assert again.password_edit.text() == "s3cret"
    assert again.remember_check.isChecked()


def test_no_keyring_backend_disables_remember_me(qtbot: Any, tmp_path: Path) -> None:
    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        store = PasswordStore()
        dialog = LoginDialog(Settings(tmp_path / "s.json"), passwords=store)
        qtbot.addWidget(dialog)
        assert not store.available
        assert not dialog.remember_check.isEnabled()
        assert "keyring" in dialog.remember_check.toolTip()
    finally:
        keyring.set_keyring(old)


def test_server_url() -> None:
    assert server_url("") == "http://127.0.0.1:8000"
    assert server_url("example.org") == "http://example.org:8000"
    assert server_url("10.0.0.2:8080") == "http://10.0.0.2:8080"
    assert server_url("http://h:1/") == "http://h:1"
    assert server_url(" https://qq.example.org:8443/ ") == "https://qq.example.org:8443"
    assert server_url("https://qq.example.org") == "https://qq.example.org"


def test_the_app_trusts_the_ca_file_its_variable_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A server with a self-signed certificate: QQDESK_CA_FILE names its certificate."""
    import qqdesk.client
    from qqdesk.ui import login

    made: list[tuple[str, str | None]] = []

    def fake(
        url: str, uin: int, password: str, *, proxy: str | None = None, ca_file: str | None = None
    ) -> object:
        made.append((url, ca_file))
        return object()

    monkeypatch.setattr(qqdesk.client, "AccountSession", fake)
    monkeypatch.setenv(login.CA_FILE_VARIABLE, str(tmp_path / "server.crt"))
    login.default_session_factory("https://h:8443", 10001, "pw")
    monkeypatch.delenv(login.CA_FILE_VARIABLE)
    login.default_session_factory("https://h:8443", 10001, "pw")
    assert made == [("https://h:8443", str(tmp_path / "server.crt")), ("https://h:8443", None)]


class StubBuiltin:
    """What the dialog reads of a running built-in server (qqdesk.builtin.BuiltinServer)."""

    def __init__(self, *, moved: bool = False, lan: bool = False) -> None:
        self.address = "127.0.0.1:8001" if moved else "127.0.0.1:8000"
        self.url = "http://" + self.address
        self.port_changed = moved
        self.notice = "Port 8000 was taken; the built-in server listens on 8001." if moved else ""
        self.lan_urls = ["http://192.168.1.20:8001", "http://10.0.0.5:8001"] if lan else []
        self.accounts: list[tuple[str, str]] = []

    def create_account(self, password: str, nick: str) -> int:
        self.accounts.append((password, nick))
        return 20000 + len(self.accounts)


def test_enter_retries_after_an_error(
    qtbot: Any, qt_loop: Any, tmp_path: Path, memory_keyring: Any
) -> None:
    dialog = make_dialog(qtbot, tmp_path, errors.NoSuchUser(10001))
    fill(qtbot, dialog)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible() and dialog.sign_in_button.isEnabled())
    assert dialog.sign_in_button.isDefault()
    assert not dialog.cancel_button.isDefault()
    # Enter retries: a second session is made and the dialog stays open.
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialog.made) == 2)  # type: ignore[attr-defined]
    qtbot.waitUntil(dialog.sign_in_button.isEnabled)
    assert dialog.isVisible() and dialog.result() == 0


def field_geometry(dialog: LoginDialog) -> list[Any]:
    fields = (
        dialog.number_edit,
        dialog.password_edit,
        dialog.remember_check,
        dialog.status_combo,
        dialog.server_choice,
        dialog.server_edit,
        dialog.sign_in_button,
    )
    return [field.mapTo(dialog, field.rect().topLeft()) for field in fields] + [
        field.size() for field in fields
    ]


def settle() -> None:
    """Apply the layout changes a call asked for: they travel as posted LayoutRequest
    events, so delivering the posted events (a few rounds: a layout can ask its
    parent's) settles the geometry without waiting for any time."""
    for _ in range(5):
        QCoreApplication.sendPostedEvents()


@pytest.mark.parametrize("notes", [False, True])
def test_errors_and_server_choice_do_not_move_the_fields(
    qtbot: Any, qt_loop: Any, tmp_path: Path, memory_keyring: Any, notes: bool
) -> None:
    dialog = LoginDialog(Settings(tmp_path / "settings.json"), offer_builtin=True)
    qtbot.addWidget(dialog)
    dialog.set_builtin(StubBuiltin(moved=notes, lan=notes))
    dialog.show()
    qtbot.waitExposed(dialog)
    settle()
    before = field_geometry(dialog)
    # Two notes at once leave the server row its full height.
    assert dialog.server_edit.height() >= dialog.server_edit.sizeHint().height()
    assert dialog.server_choice.height() >= dialog.server_choice.sizeHint().height()
    dialog.show_error("Cannot reach the server at 127.0.0.1:8000. Is it running?")
    settle()
    assert field_geometry(dialog) == before
    dialog.number_edit.setText("1")  # typing hides the error
    settle()
    assert not dialog.error_label.isVisible()
    assert field_geometry(dialog) == before
    dialog.server_choice.setCurrentIndex(1)  # Other server
    settle()
    assert field_geometry(dialog) == before
    dialog.server_choice.setCurrentIndex(0)
    settle()
    assert field_geometry(dialog) == before


def test_create_account_wants_a_six_character_password(
    qtbot: Any, qt_loop: Any, tmp_path: Path, memory_keyring: Any
) -> None:
    dialog = LoginDialog(Settings(tmp_path / "settings.json"), offer_builtin=True)
    qtbot.addWidget(dialog)
    builtin = StubBuiltin()
    dialog.set_builtin(builtin)
    dialog.show()
    dialog.show_create_page()
    # The rule is on the page before the user types.
    assert "6" in dialog.new_password_edit.placeholderText()
    qtbot.keyClicks(dialog.nick_edit, "Ann")
    qtbot.keyClicks(dialog.new_password_edit, "abc")
    qtbot.keyClicks(dialog.confirm_edit, "abc")
    dialog.create_button.click()
    assert builtin.accounts == []
    assert dialog.create_error.isVisible()
    assert "at least 6" in dialog.create_error.text()
    assert dialog.pages.currentWidget() is dialog.create_page
    for edit in (dialog.new_password_edit, dialog.confirm_edit):
        edit.clear()
        qtbot.keyClicks(edit, "abcdef")
    dialog.create_button.click()
    assert builtin.accounts == [("abcdef", "Ann")]
    assert dialog.number_edit.text() == "20001"
