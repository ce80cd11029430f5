"""The buddy tree with my categories: sections in my order, remarks over nicknames,
moves between categories without a reset, categories coming and going."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from qqdesk.client import Buddy
from qqdesk.core import Category, Presence
from qqdesk.ui.models import BuddyTreeModel, GroupKind, Roles


def audit(qtmodeltester: ModelTester, model: QAbstractItemModel) -> None:
    check: Callable[[QAbstractItemModel], None] = qtmodeltester.check
    check(model)


def sections(model: BuddyTreeModel) -> list[tuple[str, list[str]]]:
    out = []
    for row in range(model.rowCount()):
        header = model.index(row, 0)
        children = [model.index(r, 0, header).data() for r in range(model.rowCount(header))]
        out.append((str(header.data()), children))
    return out


@pytest.fixture
def model(qapp: QApplication, qtmodeltester: ModelTester) -> BuddyTreeModel:
    m = BuddyTreeModel()
    audit(qtmodeltester, m)  # attached first: it audits every change below
    m.set_categories([Category(0), Category(2, "家人"), Category(1, "同学")])
    m.set_buddies(
        [
            Buddy(10001, "Bob", status=Presence.ONLINE, category=1),
            Buddy(10002, "alice", remark="Al (work)", category=2),
            Buddy(10003, "carol", category=0),
            Buddy(10004, "Dave", status=Presence.BUSY, category=1),
            Buddy(10005, "Eve", category=9),  # a category the tree does not know: default
        ]
    )
    return m


def test_friends_show_under_their_categories_in_my_order(model: BuddyTreeModel) -> None:
    assert sections(model) == [
        ("My friends (0/2)", ["carol", "Eve"]),
        ("家人 (0/1)", ["Al (work)"]),
        ("同学 (2/2)", ["Bob", "Dave"]),
        ("Strangers (0/0)", []),
    ]
    assert model.category_index(2).data(Roles.CATEGORY) == 2
    assert model.index_of(10002).data(Roles.CATEGORY) == 2
    assert model.index_of(10002).data(Roles.NICK) == "alice"
    assert "alice" in model.index_of(10002).data(Qt.ItemDataRole.ToolTipRole)
    assert model.group_index(GroupKind.STRANGERS).data(Roles.CATEGORY) is None
    assert [b.uin for b in model.friends()] == [10003, 10005, 10002, 10001, 10004]


def test_a_move_takes_one_row_to_another_category(model: BuddyTreeModel) -> None:
    resets: list[int] = []
    moves: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsMoved.connect(lambda *_: moves.append(1))
    model.set_unread(10003, 2)
    model.move_to_category(10003, 1)
    assert sections(model)[0] == ("My friends (0/1)", ["Eve"])
    assert sections(model)[2] == ("同学 (2/3)", ["Bob", "Dave", "carol"])
    assert (resets, moves) == ([], [1])
    assert model.total_unread() == 2 and model.index_of(10003).data(Roles.UNREAD) == 2
    # a status change moves the row within its category
    model.set_status(10003, Presence.ONLINE)
    assert sections(model)[2] == ("同学 (3/3)", ["Bob", "carol", "Dave"])
    # a remark change re-sorts by the name shown
    model.update_buddy(10003, remark="Aaron")
    assert sections(model)[2][1] == ["Aaron", "Bob", "Dave"]


def test_categories_renamed_reordered_and_deleted(model: BuddyTreeModel) -> None:
    model.set_categories([Category(0, "好友"), Category(1, "Classmates"), Category(2, "家人")])
    assert [title for title, _ in sections(model)] == [
        "好友 (0/2)",
        "Classmates (2/2)",
        "家人 (0/1)",
        "Strangers (0/0)",
    ]
    # a category gone: its friends show in the default one
    model.set_categories([Category(0, "好友"), Category(2, "家人")])
    assert sections(model)[0] == ("好友 (2/4)", ["Bob", "Dave", "carol", "Eve"])
    assert model.categories() == [Category(0, "好友"), Category(2, "家人")]
    # the rooms' sections come after the categories, and go again
    model.set_rooms_shown(True)
    titles = [title for title, _ in sections(model)]
    assert titles[-3:] == ["Strangers (0/0)", "Groups (0)", "Discussions (0)"]
    model.set_categories([Category(0), Category(3, "new")])
    assert [t for t, _ in sections(model)][:2] == ["My friends (2/5)", "new (0/0)"]
    model.set_rooms_shown(False)
    assert [t for t, _ in sections(model)][-1] == "Strangers (0/0)"
    assert model.index_of(10002).parent() == model.group_index(GroupKind.FRIENDS)
    assert not model.category_index(1).isValid()
    assert model.category_index(3).parent() == QModelIndex()


def test_a_friend_dropped_on_a_category_is_asked_to_move(model: BuddyTreeModel) -> None:
    dropped: list[tuple[int, int]] = []
    model.buddyDropped.connect(lambda uin, category: dropped.append((uin, category)))
    carol = model.index_of(10003)
    header = model.category_index(1)
    assert model.flags(carol) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(header) & Qt.ItemFlag.ItemIsDropEnabled
    strangers = model.group_index(GroupKind.STRANGERS)
    assert not model.flags(strangers) & Qt.ItemFlag.ItemIsDropEnabled
    data = model.mimeData([carol])
    move = Qt.DropAction.MoveAction
    assert model.canDropMimeData(data, move, -1, 0, header)
    assert not model.canDropMimeData(data, move, -1, 0, strangers)
    # the rows move once the server has moved them: the view is told nothing dropped
    assert not model.dropMimeData(data, move, -1, 0, header)
    assert dropped == [(10003, 1)]
    # dropped on a friend: their category; on its own category: nothing to do
    assert not model.dropMimeData(model.mimeData([carol]), move, -1, 0, model.index_of(10002))
    assert not model.dropMimeData(data, move, -1, 0, model.category_index(0))
    assert dropped == [(10003, 1), (10003, 2)]
