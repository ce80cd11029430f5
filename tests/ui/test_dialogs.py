"""The dialogs, driven like a user would, against the real server and real sessions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from qqdesk.client.events import AddRequestReceived, RequestApproved, RequestRefused
from qqdesk.client.types import FoundUser
from qqdesk.core import AuthMode, BloodType, Constellation, Presence, Sex, Zodiac
from qqdesk.ui import i18n
from qqdesk.ui.dialogs import (
    AddBuddyDialog,
    IncomingRequestDialog,
    ProfileDialog,
    SettingsDialog,
    show_request_result,
)
from qqdesk.ui.dialogs.common import EMPTY
from qqdesk.ui.dialogs.search import SearchResultsModel
from qqdesk.ui.dialogs.settings_dialog import parse_server_address
from qqdesk.ui.settings import Settings, load_settings
from qqdesk.ui.theme import current_theme

from .conftest import ALICE, NETWORK_TIMEOUT_MS, make_session

WAIT = NETWORK_TIMEOUT_MS

# Accounts besides Alice and Bob, one per auth mode.
OPEN = (20001, "open-pw", "Open 开放")
# A number above 2**31: signals carry QQ numbers as 64-bit (qtcompat.UIN).
CAREFUL = (3_000_000_002, "careful-pw", "Careful 谨慎")
CLOSED = (20003, "closed-pw", "Closed 封闭")


@pytest.fixture(autouse=True)
def english(qapp: QApplication) -> None:
    """The app always installs a catalogue; English has the plural forms ("1 user")."""
    i18n.install_translator(qapp, "en")


# -- settings dialog (no server needed) ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("qq.example.org:80", ("qq.example.org", 80)),
        ("localhost", ("localhost", 8000)),
        ("[::1]:9000", ("::1", 9000)),
        (" 10.0.0.1:8001 ", ("10.0.0.1", 8001)),
        ("", None),
        ("host:", None),
        ("host:0", None),
        ("host:65536", None),
        ("bad host:80", None),
        ("300.1.1.1:80", None),
        ("a:b:c", None),
        ("[zz]:80", None),
        ("-lead.example:80", None),
    ],
)
def test_parse_server_address(text: str, expected: tuple[str, int] | None) -> None:
    assert parse_server_address(text) == expected


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "settings.json")


@pytest.fixture
def restore_theme(qapp: QApplication) -> Iterator[None]:
    yield
    from qqdesk.ui.theme import apply_theme

    apply_theme(qapp, "light")
    # Applying a language switches the app's translator at once.
    i18n.install_translator(qapp, "en")


def test_settings_dialog_shows_and_saves(
    qtbot: Any, settings: Settings, qapp: QApplication, restore_theme: None
) -> None:
    settings.send_with_ctrl_enter = True
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.ctrl_enter_radio.isChecked()
    assert dialog.builtin_radio.isChecked() and dialog.lan_check.isEnabled()
    assert not dialog.server_edit.isEnabled()
    assert dialog.language_note.isHidden()  # only when the language changes

    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    assert not dialog.language_note.isHidden()
    dialog.enter_radio.setChecked(True)
    dialog.tabs_check.setChecked(True)
    dialog.sounds_check.setChecked(False)
    dialog.start_in_tray_check.setChecked(True)
    dialog.remote_radio.setChecked(True)
    dialog.server_edit.setText("192.168.1.9")
    changed: list[str] = []
    settings.subscribe(changed.append)
    with qtbot.waitSignal(dialog.applied):
        dialog.apply_button.click()

    assert current_theme(qapp) == "dark"
    again = load_settings(settings.path)
    assert again.theme == "dark" and again.language == "zh_CN"
    assert again.send_with_ctrl_enter is False and again.chats_in_tabs is True
    assert again.sounds is False and again.start_in_tray is True
    assert again.use_builtin_server is False and again.server == "192.168.1.9:8000"
    assert dialog.server_edit.text() == "192.168.1.9:8000"
    assert {"theme", "language", "server", "use_builtin_server"} <= set(changed)


def test_settings_dialog_refuses_bad_server(qtbot: Any, settings: Settings) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.remote_radio.setChecked(True)
    dialog.server_edit.setText("not a host:99999")
    assert not dialog.ok_button.isEnabled() and not dialog.apply_button.isEnabled()
    assert "host:port" in dialog.server_error.text()
    assert dialog.apply() is False
    assert not settings.path.exists()
    dialog.builtin_radio.setChecked(True)  # the address does not matter then
    assert dialog.ok_button.isEnabled()


def test_settings_dialog_cancel_changes_nothing(qtbot: Any, settings: Settings) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.sounds_check.setChecked(False)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert settings.sounds is True and not settings.path.exists()


def test_settings_dialog_reports_failed_save(
    qtbot: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qqdesk.ui.settings.os.replace", disk_full)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.sounds_check.setChecked(False)
    dialog.ok_button.click()
    assert "No space left on device" in dialog.message.text()
    assert not dialog.message.isHidden()
    assert dialog.result() == 0  # still open, nothing lost


# -- pieces that need no server ---------------------------------------------------------


def test_results_model_rows_and_words(qtbot: Any) -> None:
    model = SearchResultsModel()
    model.append([FoundUser(10005, "小红", 3, 19, Sex.FEMALE, "云南", Presence.BUSY)])
    model.append(
        [
            FoundUser(10005, "小红", 3, 19, Sex.FEMALE, "云南", Presence.BUSY),
            FoundUser(10006, "", 0, 0, Sex.MALE, "", Presence.HIDDEN),
        ]
    )
    assert model.rowCount() == 2 and model.columnCount() == 6
    row = [model.index(0, c).data() for c in range(6)]
    assert row == ["小红", "10005", "19", "Female", "云南", "Busy"]
    second = [model.index(1, c).data() for c in range(6)]
    # Invisible users look offline to others; unknown fields are a dash.
    assert second == ["10006", "10006", EMPTY, "Male", EMPTY, "Offline"]
    assert model.index(0, 0).data(SearchResultsModel.UserRole).uin == 10005


# -- against the real server --------------------------------------------------------------


def _create(server: Any, account: tuple[int, str, str], auth: AuthMode, **profile: Any) -> None:
    uin, password, nick = account
    server.create_account(uin, password, nick=nick, auth=auth, **profile)


@pytest.fixture
def others(server: Any) -> Any:
    """One account per auth mode, all in 青海 so a search finds exactly them."""
    _create(server, OPEN, AuthMode.ANYONE, province="青海", age=30, sex=Sex.FEMALE, face=3)
    _create(server, CAREFUL, AuthMode.VERIFY, province="青海", age=31, sex=Sex.MALE)
    _create(server, CLOSED, AuthMode.NOBODY, province="青海", age=32, sex=Sex.MALE)
    return server


@pytest.fixture
def careful_session(others: Any, qt_run: Callable[..., Any], tmp_path: Path) -> Iterator[Any]:
    session = make_session(others, CAREFUL, tmp_path)
    qt_run(session.login())
    yield session
    with contextlib.suppress(Exception):
        qt_run(session.logout(), timeout_ms=3000)


async def _next_event(session: Any, kind: type, timeout: float = WAIT / 1000) -> Any:
    events = session.events()
    try:
        async with asyncio.timeout(timeout):
            async for event in events:
                if isinstance(event, kind):
                    return event
    finally:
        await events.aclose()
    raise AssertionError(f"the session stopped before a {kind.__name__}")


def _add_dialog(qtbot: Any, session: Any) -> AddBuddyDialog:
    dialog = AddBuddyDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _row_of(dialog: AddBuddyDialog, uin: int) -> int:
    for row in range(dialog.results.rowCount()):
        if dialog.results.user(row).uin == uin:
            return row
    raise AssertionError(f"{uin} not in the results")


def test_search_shows_results_in_words(qtbot: Any, others: Any, alice_session: Any) -> None:
    dialog = _add_dialog(qtbot, alice_session)
    dialog.province_edit.setText("青海")
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        qtbot.keyClick(dialog.province_edit, Qt.Key.Key_Return)
        assert not dialog.search_button.isEnabled()  # in flight
    assert dialog.search_button.isEnabled()
    assert {dialog.results.user(r).uin for r in range(dialog.results.rowCount())} == {
        OPEN[0],
        CAREFUL[0],
        CLOSED[0],
    }
    row = _row_of(dialog, OPEN[0])
    cells = [dialog.results.index(row, c).data() for c in range(6)]
    assert cells[:5] == [OPEN[2], str(OPEN[0]), "30", "Female", "青海"]
    assert cells[5] == "Offline"  # nobody logged in as Open
    assert dialog.message.text() == "3 users found."
    assert not dialog.more_button.isEnabled()


def test_search_pages_with_more(qtbot: Any, server: Any, alice_session: Any) -> None:
    for i in range(25):
        server.create_account(30000 + i, "pw", nick=f"User {i}", province="西藏", age=40)
    dialog = _add_dialog(qtbot, alice_session)
    dialog.province_edit.setText("西藏")
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        dialog.search()
    assert dialog.results.rowCount() == 20
    assert dialog.more_button.isEnabled()
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        dialog.more_button.click()
    assert dialog.results.rowCount() == 25
    assert not dialog.more_button.isEnabled()
    assert dialog.message.text() == "25 users found."


def test_add_anyone_from_search(qtbot: Any, others: Any, alice_session: Any) -> None:
    dialog = _add_dialog(qtbot, alice_session)
    dialog.province_edit.setText("青海")
    with qtbot.waitSignal(dialog.searched, timeout=WAIT):
        dialog.search()
    dialog.table.selectRow(_row_of(dialog, OPEN[0]))
    with qtbot.waitSignal(dialog.finished_add, timeout=WAIT) as blocker:
        dialog.add_button.click()
        assert not dialog.add_button.isEnabled()
    assert blocker.args == [OPEN[0], "added"]
    assert dialog.message.text() == f"{OPEN[2]} ({OPEN[0]}) is now your friend."


def test_add_nobody_by_number(qtbot: Any, others: Any, alice_session: Any) -> None:
    dialog = _add_dialog(qtbot, alice_session)
    dialog.tabs.setCurrentIndex(1)
    qtbot.keyClicks(dialog.number_edit, str(CLOSED[0]))
    with qtbot.waitSignal(dialog.finished_add, timeout=WAIT) as blocker:
        qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)  # Enter adds on this page
    assert blocker.args == [CLOSED[0], "refused"]
    assert dialog.message.text() == f"{CLOSED[2]} ({CLOSED[0]}) does not accept friend requests."


def test_add_unknown_number_says_so(qtbot: Any, others: Any, alice_session: Any) -> None:
    dialog = _add_dialog(qtbot, alice_session)
    dialog.number_edit.setText("99999")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as blocker:
        dialog.add_number()
    assert blocker.args == ["There is no user with this number."]
    assert dialog.number_add_button.isEnabled()


def test_verification_request_approved_end_to_end(
    qtbot: Any, others: Any, alice_session: Any, careful_session: Any, qt_run: Any
) -> None:
    dialog = _add_dialog(qtbot, alice_session)
    dialog.number_edit.setText(str(CAREFUL[0]))
    dialog.add_number()
    qtbot.waitUntil(lambda: dialog.verification_dialog is not None, timeout=WAIT)
    verify = dialog.verification_dialog
    assert verify is not None
    assert verify.nick == CAREFUL[2]  # looked up, though only the number was typed
    assert verify.reason().startswith("I am ")
    verify.reason_edit.setPlainText("It's Alice from the office")
    with qtbot.waitSignal(dialog.finished_add, timeout=WAIT) as blocker:
        verify.send_button.click()
    assert blocker.args == [CAREFUL[0], "requested"]
    assert dialog.message.text() == (
        f"Request sent to {CAREFUL[2]} ({CAREFUL[0]}). Waiting for their approval."
    )

    request = qt_run(_next_event(careful_session, AddRequestReceived))
    assert request.uin == ALICE[0] and request.reason == "It's Alice from the office"
    incoming = IncomingRequestDialog(careful_session, request.uin, request.reason)
    qtbot.addWidget(incoming)
    incoming.show()
    qtbot.waitUntil(lambda: "Alice" in incoming.headline.text(), timeout=WAIT)
    assert incoming.headline.text() == f"Alice ({ALICE[0]}) wants to add you as a friend."
    assert incoming.reason_label.text() == "It's Alice from the office"
    incoming.add_back_check.setChecked(False)
    with qtbot.waitSignal(incoming.answered, timeout=WAIT) as answered:
        incoming.approve_button.click()
    assert answered.args == [ALICE[0], True]
    assert not incoming.approve_button.isEnabled() and not incoming.refuse_button.isEnabled()

    approved = qt_run(_next_event(alice_session, RequestApproved))
    assert approved.uin == CAREFUL[0]
    box = show_request_result(None, approved.uin, True, nick=CAREFUL[2])
    qtbot.addWidget(box)
    assert box.text() == f"{CAREFUL[2]} ({CAREFUL[0]}) approved your friend request."


def test_verification_request_refused_with_reason(
    qtbot: Any, others: Any, alice_session: Any, careful_session: Any, qt_run: Any
) -> None:
    qt_run(alice_session.request_buddy(CAREFUL[0], "Hi, I am Alice"))
    request = qt_run(_next_event(careful_session, AddRequestReceived))
    incoming = IncomingRequestDialog(careful_session, request.uin, request.reason)
    qtbot.addWidget(incoming)
    refuse = incoming.ask_refuse()
    assert refuse is not None
    refuse.reason_edit.setText("Sorry, I don't know you")
    with qtbot.waitSignal(incoming.answered, timeout=WAIT) as answered:
        refuse.accept()
    assert answered.args == [ALICE[0], False]
    assert "You refused" in incoming.message.text()

    refused = qt_run(_next_event(alice_session, RequestRefused))
    assert refused.uin == CAREFUL[0] and refused.reason == "Sorry, I don't know you"
    box = show_request_result(None, refused.uin, False, refused.reason)
    qtbot.addWidget(box)
    assert box.text() == f"{CAREFUL[0]} refused your friend request."
    assert box.informativeText() == "Reason: Sorry, I don't know you"


def test_request_from_a_number_above_two_to_the_31(
    qtbot: Any, others: Any, careful_session: Any, qt_run: Any, tmp_path: Path
) -> None:
    """QQ numbers reach 2**32 - 1: the dialog's signal must not wrap them negative."""
    big = (4_000_000_001, "big-pw", "Big 大号")
    _create(others, big, AuthMode.ANYONE)
    requester = make_session(others, big, tmp_path)
    qt_run(requester.login())
    try:
        qt_run(requester.request_buddy(CAREFUL[0], "hello"))
        request = qt_run(_next_event(careful_session, AddRequestReceived))
        assert request.uin == big[0]
        incoming = IncomingRequestDialog(careful_session, request.uin, request.reason)
        qtbot.addWidget(incoming)
        incoming.add_back_check.setChecked(False)
        with qtbot.waitSignal(incoming.answered, timeout=WAIT) as answered:
            incoming.approve_button.click()
        assert answered.args == [big[0], True]
    finally:
        qt_run(requester.close(), timeout_ms=5000)


FULL_PROFILE: dict[str, Any] = {
    "face": 270,
    "age": 28,
    "sex": Sex.FEMALE,
    "blood_type": BloodType.AB,
    "constellation": Constellation.LEO,
    "zodiac": Zodiac.DRAGON,
    "country": "中华人民共和国",
    "province": "云南省",
    "city": "昆明",
    "email": "wc@example.com",
    "homepage": "msger.org",
    "job": "程序员",
    "school": "社会大学",
    "real_name": "刘X",
    "intro": "网络为媒,关系为本",
}


@pytest.fixture
def described(server: Any) -> Any:
    server.create_account(24259132, "pw", nick="微程", auth=AuthMode.ANYONE, **FULL_PROFILE)
    return server


def test_profile_shows_every_field_in_words(qtbot: Any, described: Any, alice_session: Any) -> None:
    dialog = ProfileDialog(alice_session, 24259132)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    assert dialog.nick_label.text() == "微程"
    assert dialog.value_text("sex") == "Female"
    assert dialog.value_text("age") == "28"
    assert dialog.value_text("blood_type") == "Type AB"
    assert dialog.value_text("constellation") == "Leo"
    assert dialog.value_text("zodiac") == "Dragon"
    assert dialog.value_text("intro") == "网络为媒,关系为本"
    assert "msger.org" in dialog.value_text("homepage")
    for empty in ("phone", "mobile", "address", "postcode"):
        assert dialog.value_text(empty) == EMPTY


def test_profile_in_chinese(
    qtbot: Any, qapp: QApplication, described: Any, alice_session: Any
) -> None:
    i18n.install_translator(qapp, "zh_CN")
    try:
        dialog = ProfileDialog(alice_session, 24259132)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
            dialog.show()
        words = [dialog.value_text(k) for k in ("sex", "blood_type", "constellation", "zodiac")]
        assert words == ["女", "AB型", "狮子座", "龙"]
        assert dialog.windowTitle() == "微程 的资料"
    finally:
        i18n.install_translator(qapp, "en")


def test_profile_look_up_and_unknown_number(qtbot: Any, described: Any, alice_session: Any) -> None:
    dialog = ProfileDialog(alice_session, 24259132)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    dialog.lookup_edit.setText("99999")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as blocker:
        qtbot.keyClick(dialog.lookup_edit, Qt.Key.Key_Return)  # looks up, does not close
    assert blocker.args == ["There is no user with this number."]
    assert dialog.pages.currentIndex() == 1
    dialog.lookup_edit.setText(str(ALICE[0]))
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.lookup_button.click()
    assert dialog.nick_label.text() == "Alice"
    assert dialog.value_text("blood_type") == EMPTY


def test_profile_bad_number_typed(qtbot: Any, described: Any, alice_session: Any) -> None:
    dialog = ProfileDialog(alice_session, 24259132)
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.loaded, timeout=WAIT).wait()
    dialog.lookup_edit.setText("12")
    dialog.lookup_button.click()
    assert dialog.error_label.text() == "Enter a QQ number of 5 to 10 digits."


def test_server_gone_is_said_in_words(qtbot: Any, others: Any, alice_session: Any) -> None:
    others.stop()
    dialog = _add_dialog(qtbot, alice_session)
    dialog.province_edit.setText("青海")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as blocker:
        dialog.search()
    assert blocker.args == ["Cannot reach the server. Check your connection and try again."]
    assert dialog.search_button.isEnabled()  # the user can try again

    profile = ProfileDialog(alice_session, OPEN[0])
    qtbot.addWidget(profile)
    qtbot.waitSignal(profile.failed, timeout=WAIT).wait()
    assert profile.pages.currentIndex() == 1
    assert "reach the server" in profile.error_label.text()


def test_logged_out_session_is_said_in_words(
    qtbot: Any, described: Any, alice_session: Any, qt_run: Any
) -> None:
    qt_run(alice_session.logout())
    dialog = ProfileDialog(alice_session, 24259132)
    qtbot.addWidget(dialog)
    qtbot.waitSignal(dialog.failed, timeout=WAIT).wait()
    assert dialog.error_label.text() == "You are not logged in. Log in again and retry."
