"""The buddy tree with categories and remarks against the real server: what the server
keeps shows, and the menus change it there (Set remark, Move to, Rename, Delete, New)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from qqdesk.core import Category
from qqdesk.ui.mainwindow import MainWindow

from .test_e2e_gui import app_window


def sections(window: MainWindow) -> list[tuple[str, list[str]]]:
    model = window.model
    out = []
    for row in range(model.rowCount()):
        header = model.index(row, 0)
        children = [model.index(r, 0, header).data() for r in range(model.rowCount(header))]
        out.append((str(header.data()), children))
    return out


def action(menu: QMenu, text: str) -> Any:
    for candidate in menu.actions():
        if candidate.text() == text:
            return candidate.menu() or candidate  # a submenu's action stands for it
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def answer(qtbot: Any, window: MainWindow, text: str) -> None:
    """Type ``text`` into the open name dialog and press OK."""
    qtbot.waitUntil(lambda: window.findChild(QInputDialog, "contactsInput") is not None)
    dialog = window.findChild(QInputDialog, "contactsInput")
    assert isinstance(dialog, QInputDialog)
    dialog.setTextValue(text)
    dialog.accept()
    qtbot.waitUntil(lambda: window.findChild(QInputDialog, "contactsInput") is None)


def test_categories_and_remarks_in_the_tree(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any
) -> None:
    store = server.server.service.store
    server.create_account(10003, "carol-pw", nick="Carol")
    server.add_buddy(10001, 10003)
    classmates = qt_run(alice_session.create_category("同学"))
    qt_run(alice_session.move_buddy(10002, classmates.index))
    window = app_window(qtbot, alice_session)
    qtbot.waitUntil(
        lambda: (
            sections(window)[:2] == [("My friends (0/1)", ["Carol"]), ("同学 (0/1)", ["Bob 小明"])]
        ),
        timeout=10_000,
    )

    # Set remark…: the tree shows it over the nickname, the server keeps it
    menu = window.buddy_menu(10002)
    action(menu, "Set re&mark…").trigger()
    answer(qtbot, window, "小明同学")
    qtbot.waitUntil(lambda: sections(window)[1] == ("同学 (0/1)", ["小明同学"]))
    assert server.run(store.remarks(10001)) == {10002: "小明同学"}
    tooltip = window.model.index_of(10002).data(3)
    assert "Bob 小明" in tooltip and "小明同学" in tooltip

    # Move to ▸ My friends
    move = action(window.buddy_menu(10002), "Mo&ve to")
    assert [a.text() for a in move.actions() if a.text()] == [
        "My friends",
        "同学",
        "&New category…",
    ]
    assert not action(move, "同学").isEnabled()
    action(move, "My friends").trigger()
    qtbot.waitUntil(lambda: sections(window)[1] == ("同学 (0/0)", []))
    assert sections(window)[0] == ("My friends (0/2)", ["Carol", "小明同学"])
    entries = server.run(store.buddy_entries(10001, 0, -1))
    assert {e.uin: e.category for e in entries} == {10002: 0, 10003: 0}

    # the category header's menu: Rename, New category, Delete
    header = window.contacts_editor.category_menu(classmates.index)
    action(header, "&Rename…").trigger()
    answer(qtbot, window, "Classmates")
    qtbot.waitUntil(lambda: sections(window)[1][0] == "Classmates (0/0)")
    action(window.contacts_editor.category_menu(0), "&New category…").trigger()
    answer(qtbot, window, "家人")
    qtbot.waitUntil(lambda: sections(window)[2][0] == "家人 (0/0)")
    assert server.run(store.categories(10001)) == [
        Category(0),
        Category(1, "Classmates"),
        Category(2, "家人"),
    ]
    # Move down / Move up: the order on the server, and in the tree
    header = window.contacts_editor.category_menu(1)
    assert not action(header, "Move &up").isEnabled()
    action(header, "Move do&wn").trigger()
    qtbot.waitUntil(lambda: sections(window)[1][0] == "家人 (0/0)")
    assert server.run(store.categories(10001))[1:] == [
        Category(2, "家人"),
        Category(1, "Classmates"),
    ]
    assert not action(window.contacts_editor.category_menu(1), "Move do&wn").isEnabled()
    action(window.contacts_editor.category_menu(1), "Move &up").trigger()
    qtbot.waitUntil(lambda: sections(window)[1][0] == "Classmates (0/0)")
    default_menu = window.contacts_editor.category_menu(0)
    assert [a.text() for a in default_menu.actions() if a.text()] == [
        "&Rename…",
        "&New category…",
    ]  # the default category is never deleted, and always first
    action(window.contacts_editor.category_menu(1), "&Delete…").trigger()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "deleteCategory") is not None)
    box = window.findChild(QMessageBox, "deleteCategory")
    assert isinstance(box, QMessageBox)
    assert "Classmates" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(
        lambda: [t for t, _ in sections(window)][:2] == ["My friends (0/2)", "家人 (0/0)"]
    )
    assert server.run(store.categories(10001)) == [Category(0), Category(2, "家人")]

    # Move to ▸ New category…: a new category with the friend in it
    move = action(window.buddy_menu(10003), "Mo&ve to")
    action(move, "&New category…").trigger()
    answer(qtbot, window, "Work")
    qtbot.waitUntil(lambda: ("Work (0/1)", ["Carol"]) in sections(window))
    entries = server.run(store.buddy_entries(10001, 0, -1))
    assert {e.uin: e.category for e in entries} == {10002: 0, 10003: 3}


def test_a_friend_dragged_onto_a_category_moves_there(
    qtbot: Any, qt_run: Any, server: Any, alice_session: Any
) -> None:
    store = server.server.service.store
    family = qt_run(alice_session.create_category("家人"))
    window = app_window(qtbot, alice_session)
    qtbot.waitUntil(
        lambda: sections(window)[:2] == [("My friends (0/1)", ["Bob 小明"]), ("家人 (0/0)", [])],
        timeout=10_000,
    )
    # what the tree view does with a drop: the proxy hands it to the model
    bob = window.proxy.mapFromSource(window.model.index_of(10002))
    header = window.proxy.mapFromSource(window.model.category_index(family.index))
    data = window.proxy.mimeData([bob])
    # (a drop on an item comes as row and column -1, as QAbstractItemView makes it)
    window.proxy.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, header)
    qtbot.waitUntil(lambda: sections(window)[1] == ("家人 (0/1)", ["Bob 小明"]))
    entries = server.run(store.buddy_entries(10001, 0, -1))
    assert [(e.uin, e.category) for e in entries] == [(10002, family.index)]
