"""My own profile editor and the password dialog, against the real server: edit and save
(the main window follows), privacy choices, inline errors that lose nothing typed, a
dead server, and the keyring following a changed password."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from qqdesk.core import MAX_NICK, MIN_PASSWORD, Audience
from qqdesk.ui.dialogs.own_profile import ChangePasswordDialog, OwnProfileDialog
from qqdesk.ui.login import KEYRING_SERVICE
from qqdesk.ui.mainwindow import MainWindow

from .conftest import ALICE, NETWORK_TIMEOUT_MS, MemoryKeyring, lose_server, make_session

WAIT = NETWORK_TIMEOUT_MS


@pytest.fixture
def window(qtbot: Any, alice_session: Any) -> MainWindow:
    window = MainWindow(alice_session, use_tray=False, use_dbus=False)
    qtbot.addWidget(window)
    window.show()
    return window


def opened(qtbot: Any, window: MainWindow) -> OwnProfileDialog:
    """My profile, opened by a click on my face at the top of the main window."""
    qtbot.mouseClick(window.face_label, Qt.MouseButton.LeftButton)
    dialog = window.own_profile_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.privacy is not None, timeout=WAIT)
    return dialog


def test_the_menu_and_the_nickname_open_the_same_editor(qtbot: Any, window: MainWindow) -> None:
    assert window.own_profile_action in window.app_menu.actions()
    window.own_profile_action.trigger()
    dialog = window.own_profile_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(window.nick_label, Qt.MouseButton.LeftButton)
    assert window.own_profile_dialog is dialog  # one editor at a time


def test_edit_and_save_reaches_the_server_and_the_main_window(
    qtbot: Any, qt_run: Any, window: MainWindow, bob_session: Any
) -> None:
    dialog = opened(qtbot, window)
    assert dialog.nick_edit.text() == "Alice"
    dialog.nick_edit.setText("爱丽丝")
    dialog.age_box.setValue(31)
    dialog.sex_box.setCurrentIndex(dialog.sex_box.findData(1))
    dialog.edits["mobile"].setText("13800138000")
    dialog.edits["city"].setText("昆明")
    dialog.intro_edit.setPlainText("第一行\n第二行")
    dialog.audiences["mobile"].setCurrentIndex(
        dialog.audiences["mobile"].findData(int(Audience.NOBODY))
    )
    chooser = dialog.choose_face()
    qtbot.mouseClick(
        chooser.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=chooser.view.visualRect(chooser.model.index(11)).center(),
    )
    assert dialog.face == 33
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message_label.text() == "Saved.", timeout=WAIT)
    # the main window's top shows my new name and face at once
    assert window.nick_label.full_text() == "爱丽丝"
    assert (window.own_nick, window.own_face) == ("爱丽丝", 33)
    # my buddy sees the new profile, but not the mobile number I keep to myself
    seen = qt_run(bob_session.profile(ALICE[0]))
    assert (seen.nick, seen.face, seen.age, int(seen.sex)) == ("爱丽丝", 33, 31, 1)
    assert (seen.city, seen.intro, seen.mobile) == ("昆明", "第一行\n第二行", "")
    online = {b.uin: b for b in qt_run(bob_session.online_buddies())}
    assert online[ALICE[0]].nick == "爱丽丝"
    # saving again with nothing changed sends nothing and says so
    dialog.save()
    assert dialog.message_label.text() == "Nothing has changed."


def test_a_nickname_is_capped_and_never_blank(qtbot: Any, window: MainWindow) -> None:
    dialog = opened(qtbot, window)
    dialog.nick_edit.clear()
    dialog.nick_edit.insert("长" * (MAX_NICK + 6))  # as typed or pasted
    assert dialog.nick_edit.text() == "长" * MAX_NICK  # no more fits than the server takes
    dialog.nick_edit.setText("   ")
    dialog.edits["school"].setText("云南大学")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as refused:
        dialog.save()
    assert refused.args == ["The nickname cannot be empty."]
    assert dialog.message_label.isVisible()
    assert dialog.edits["school"].text() == "云南大学"  # nothing typed is lost


def test_a_dead_server_is_said_and_nothing_typed_is_lost(
    qtbot: Any, server: Any, window: MainWindow
) -> None:
    dialog = opened(qtbot, window)
    dialog.nick_edit.setText("Alice II")
    dialog.intro_edit.setPlainText("still here")
    lose_server(server)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        dialog.save()
    assert "Cannot reach the server" in failed.args[0]
    assert dialog.message_label.text() == failed.args[0]
    assert (dialog.nick_edit.text(), dialog.intro_edit.toPlainText()) == ("Alice II", "still here")
    assert dialog.save_button.isEnabled()  # try again when the server is back
    assert window.nick_label.full_text() == "Alice"


def password_dialog(qtbot: Any, window: MainWindow) -> ChangePasswordDialog:
    profile = opened(qtbot, window)
    qtbot.mouseClick(profile.password_button, Qt.MouseButton.LeftButton)
    dialog = profile.password_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def fill(dialog: ChangePasswordDialog, old: str, new: str, repeat: str) -> None:
    dialog.old_edit.setText(old)
    dialog.new_edit.setText(new)
    dialog.repeat_edit.setText(repeat)


def test_password_dialog_says_what_is_wrong(qtbot: Any, window: MainWindow) -> None:
    dialog = password_dialog(qtbot, window)
    short = "x" * (MIN_PASSWORD - 1)
    for (old, new, repeat), words in (
        (("", "long enough", "long enough"), "Enter your current password."),
        (("alice-pw", short, short), f"at least {MIN_PASSWORD} characters"),
        (("alice-pw", "long enough", "long enuogh"), "The new passwords do not match."),
        (("not it", "long enough", "long enough"), "The current password is wrong."),
    ):
        fill(dialog, old, new, repeat)
        with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
            qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        assert words in failed.args[0]
        assert dialog.isVisible() and dialog.new_edit.text() == new  # nothing lost


def test_wrong_old_passwords_meet_the_login_throttle(qtbot: Any, window: MainWindow) -> None:
    dialog = password_dialog(qtbot, window)
    for _ in range(5):  # the server's allowance of wrong passwords, as for Login
        fill(dialog, "guess", "long enough", "long enough")
        with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
            dialog.change()
        assert failed.args == ["The current password is wrong."]
    fill(dialog, ALICE[1], "long enough", "long enough")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        dialog.change()
    assert failed.args == ["Too many attempts. Wait a little and try again."]


def test_password_change_updates_the_keyring_and_signs_in_anew(
    qtbot: Any, qt_run: Any, server: Any, tmp_path: Any, window: MainWindow,
    memory_keyring: MemoryKeyring,
) -> None:  # fmt: skip
    memory_keyring.data[(KEYRING_SERVICE, str(ALICE[0]))] = ALICE[1]  # "Remember me" was on
    dialog = password_dialog(qtbot, window)
    fill(dialog, ALICE[1], "brand new pw", "brand new pw")
    profile = window.own_profile_dialog
    assert profile is not None
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert profile.message_label.text() == "Your password is changed."
    assert memory_keyring.data[(KEYRING_SERVICE, str(ALICE[0]))] == "brand new pw"
    fresh = make_session(server, (ALICE[0], "brand new pw", ALICE[2]), tmp_path)
    qt_run(fresh.login())
    qt_run(fresh.close())


def test_password_change_leaves_an_unremembered_password_out_of_the_keyring(
    qtbot: Any, window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    dialog = password_dialog(qtbot, window)
    fill(dialog, ALICE[1], "brand new pw", "brand new pw")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.change()
    assert memory_keyring.data == {}


def test_password_dialog_with_the_server_gone(qtbot: Any, server: Any, window: MainWindow) -> None:
    dialog = password_dialog(qtbot, window)
    fill(dialog, ALICE[1], "brand new pw", "brand new pw")
    lose_server(server)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        dialog.change()
    assert "Cannot reach the server" in failed.args[0]
    assert dialog.change_button.isEnabled() and dialog.old_edit.text() == ALICE[1]


def test_the_editor_in_chinese(qtbot: Any, chinese: None, window: MainWindow) -> None:
    dialog = opened(qtbot, window)
    assert dialog.windowTitle() == "我的资料"
    assert dialog.password_button.text() == "修改密码…"
    assert dialog.audiences["mobile"].itemText(2) == "仅自己"
    dialog.nick_edit.clear()
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as refused:
        dialog.save()
    assert refused.args == ["昵称不能为空。"]
