"""Buddy tree and chat history models: order, counts, moves, filter, 10,000 buddies, paging."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QLocale, QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from qqdesk.client import Buddy
from qqdesk.client.events import DeliveryState
from qqdesk.core import Presence
from qqdesk.ui.models import (
    BuddyFilterProxyModel,
    BuddyTreeModel,
    ChatHistoryModel,
    GroupKind,
    Roles,
    compare_names,
)

B = Buddy
STATUSES = [Presence.ONLINE, Presence.OFFLINE, Presence.BUSY, Presence.HIDDEN]


def audit(qtmodeltester: ModelTester, model: QAbstractItemModel) -> None:
    """qtmodeltester.check, typed (pytest-qt leaves it unannotated)."""
    check: Callable[[QAbstractItemModel], None] = qtmodeltester.check
    check(model)


def names(model: BuddyTreeModel, kind: GroupKind = GroupKind.FRIENDS) -> list[str]:
    parent = model.group_index(kind)
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


@pytest.fixture
def model(qapp: QApplication, qtmodeltester: ModelTester) -> BuddyTreeModel:
    m = BuddyTreeModel()
    # Attached first, so it audits filling the model too (it reports by Qt warning).
    audit(qtmodeltester, m)
    m.set_buddies(
        [
            B(10003, "carol", status=Presence.OFFLINE),
            B(10001, "Bob", status=Presence.BUSY),
            B(10002, "alice", status=Presence.ONLINE),
            B(10004, "Dave", status=Presence.HIDDEN),
        ]
    )
    return m


def test_online_first_then_by_name_case_blind(model: BuddyTreeModel) -> None:
    assert names(model) == ["alice", "Bob", "carol", "Dave"]
    group = model.group_index(GroupKind.FRIENDS)
    assert group.data() == "My friends (2/4)"
    assert model.group_index(GroupKind.STRANGERS).data() == "Strangers (0/0)"


def test_status_change_moves_one_row_and_updates_counts(model: BuddyTreeModel, qtbot: Any) -> None:
    resets: list[int] = []
    moves: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsMoved.connect(lambda *args: moves.append(1))
    model.set_status(10003, Presence.ONLINE)
    assert names(model) == ["alice", "Bob", "carol", "Dave"]  # carol sorts after Bob anyway
    assert moves == []
    assert model.group_index(GroupKind.FRIENDS).data() == "My friends (3/4)"
    model.set_status(10003, Presence.OFFLINE)
    with qtbot.waitSignal(model.rowsMoved):
        model.set_status(10002, Presence.OFFLINE)
    assert names(model) == ["Bob", "alice", "carol", "Dave"]
    assert model.group_index(GroupKind.FRIENDS).data() == "My friends (1/4)"
    with qtbot.waitSignal(model.rowsMoved):
        model.set_status(10004, Presence.ONLINE)
    assert names(model) == ["Bob", "Dave", "alice", "carol"]
    assert model.group_index(GroupKind.FRIENDS).data() == "My friends (2/4)"
    assert model.index_of(10004).data(Roles.STATUS) == Presence.ONLINE
    assert resets == []
    assert model.set_status(99999, Presence.ONLINE) is False


def test_strangers_group_and_unread(model: BuddyTreeModel, qtbot: Any) -> None:
    with qtbot.waitSignal(model.unreadChanged) as blocker:
        model.add_buddy(20000, "stranger", status=Presence.ONLINE, kind=GroupKind.STRANGERS)
        model.add_unread(20000, 2)
    assert blocker.args == [2]
    assert names(model, GroupKind.STRANGERS) == ["stranger"]
    assert model.group_index(GroupKind.STRANGERS).data() == "Strangers (1/1)"
    assert model.index_of(20000).data(Roles.UNREAD) == 2
    # Approved as a friend: they move and keep their unread count.
    model.add_buddy(20000, "stranger", status=Presence.ONLINE)
    assert names(model, GroupKind.STRANGERS) == []
    assert "stranger" in names(model)
    assert model.total_unread() == 2
    model.set_unread(20000, 0)
    assert model.total_unread() == 0
    model.remove_buddy(20000)
    assert 20000 not in model
    assert model.group_index(GroupKind.FRIENDS).data() == "My friends (2/4)"


def test_reload_keeps_unread_counts(model: BuddyTreeModel) -> None:
    model.add_unread(10001, 2)
    model.add_buddy(20000, "stranger", kind=GroupKind.STRANGERS)
    model.add_unread(20000, 1)
    model.set_buddies([B(10001, "Bob", status=Presence.ONLINE), B(10005, "Eve")])
    assert model.index_of(10001).data(Roles.UNREAD) == 2
    assert model.total_unread() == 3
    assert names(model) == ["Bob", "Eve"]


def test_filter_by_nick_or_number_keeps_groups(model: BuddyTreeModel) -> None:
    proxy = BuddyFilterProxyModel()
    # qtmodeltester holds one tester (the source model's); the proxy gets its own, in
    # the same Warning mode, attached before the proxy is given its source.
    QAbstractItemModelTester(proxy, QAbstractItemModelTester.FailureReportingMode.Warning, proxy)
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 2
    proxy.set_filter_text("AL")
    assert proxy.rowCount() == 1
    group = proxy.index(0, 0)
    assert [proxy.index(r, 0, group).data() for r in range(proxy.rowCount(group))] == ["alice"]
    proxy.set_filter_text("1000")
    assert proxy.rowCount(proxy.index(0, 0)) == 4
    proxy.set_filter_text("10004")
    assert proxy.index(0, 0, proxy.index(0, 0)).data() == "Dave"
    proxy.set_filter_text("nobody")
    assert proxy.rowCount() == 0
    proxy.set_filter_text("")
    assert proxy.rowCount() == 2


def test_filter_by_remark_room_name_or_number_and_across_moves(qapp: QApplication) -> None:
    from qqdesk.core import Conversation, Room

    model = BuddyTreeModel()
    model.set_buddies([B(10001, "alice", remark="Boss STRASSE"), B(10002, "bob")])
    model.set_rooms_shown(True)
    model.set_rooms([Room(Conversation.group(100000), "Hiking", 10001, "", 0)])
    proxy = BuddyFilterProxyModel()
    QAbstractItemModelTester(proxy, QAbstractItemModelTester.FailureReportingMode.Warning, proxy)
    proxy.setSourceModel(model)

    def shown() -> list[str]:
        return [
            proxy.index(r, 0, proxy.index(g, 0)).data()
            for g in range(proxy.rowCount())
            for r in range(proxy.rowCount(proxy.index(g, 0)))
        ]

    proxy.set_filter_text("straße")  # (case-folded both sides: ß is ss)
    assert shown() == ["Boss STRASSE"]
    proxy.set_filter_text("HIK")
    assert shown() == ["Hiking"]
    proxy.set_filter_text("100000")
    assert shown() == ["Hiking"]
    proxy.set_filter_text("friends")  # a section's own title matches nothing
    assert proxy.rowCount() == 0
    proxy.set_filter_text("b")
    assert shown() == ["bob", "Boss STRASSE"]
    model.set_status(10001, Presence.ONLINE)  # the boss moves to the top while filtered
    assert shown() == ["Boss STRASSE", "bob"]
    proxy.set_filter_text("")
    assert shown() == ["Boss STRASSE", "bob", "Hiking"]


def test_ten_thousand_buddies_sorted_counted_and_filtered(qapp: QApplication) -> None:
    """A big list stays correct; its speed is measured in tests/bench/bench_ui.py."""
    model = BuddyTreeModel()
    buddies = [
        B(10000 + i, f"buddy {i:05d}", face=i % 100, status=STATUSES[i % 4]) for i in range(10_000)
    ]
    model.set_buddies(buddies)
    for i in range(0, 10_000, 10):
        model.set_status(10000 + i, Presence.ONLINE if i % 20 else Presence.OFFLINE)
    group = model.group_index(GroupKind.FRIENDS)
    assert model.rowCount(group) == 10_000
    statuses = [model.index(r, 0, group).data(Roles.STATUS) for r in range(model.rowCount(group))]
    online = [s.is_online for s in statuses]
    assert online == sorted(online, reverse=True)
    assert group.data(Roles.ONLINE_COUNT) == sum(online)
    proxy = BuddyFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.set_filter_text("buddy 0999")
    assert proxy.rowCount(proxy.index(0, 0)) == 10


# -- history --------------------------------------------------------------------------------


@dataclass
class Record:
    local_id: int
    text: str
    time: float
    outgoing: bool
    state: DeliveryState = DeliveryState.SENT


class FakeStore:
    """The local store's paging contract: newest first, before_id excluded."""

    def __init__(self, count: int) -> None:
        self.records = [
            Record(i, f"message {i}", 1_700_000_000 + i, i % 2 == 0) for i in range(1, count + 1)
        ]
        self.calls: list[int | None] = []

    def history(self, peer: int, before_id: int | None = None, limit: int = 50) -> list[Record]:
        self.calls.append(before_id)
        older = [r for r in self.records if before_id is None or r.local_id < before_id]
        return list(reversed(older))[:limit]


def test_history_pages_lazily_toward_older(qapp: QApplication) -> None:
    # No model tester here: it fetches more by itself (see the next test).
    store = FakeStore(120)
    model = ChatHistoryModel(10002, store.history)
    assert model.rowCount() == 0
    model.load_initial()
    assert model.rowCount() == 50
    assert model.index(0, 0).data() == "message 71"
    assert model.index(49, 0).data() == "message 120"
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.index(0, 0).data() == "message 21"
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 120
    assert model.index(0, 0).data() == "message 1"
    assert not model.canFetchMore(QModelIndex())
    assert store.calls == [None, 71, 21]
    assert model.index(0, 0).data(Roles.OUTGOING) is False
    assert model.index(1, 0).data(Roles.OUTGOING) is True


def test_history_paging_passes_the_model_tester(
    qapp: QApplication, qtmodeltester: ModelTester
) -> None:
    store = FakeStore(120)
    model = ChatHistoryModel(10002, store.history)
    # Attached before any page loads: it audits every insertion, and calls
    # canFetchMore/fetchMore itself as a view would.
    audit(qtmodeltester, model)
    model.load_initial()
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        f"message {i}" for i in range(1, 121)
    ]
    assert store.calls == [None, 71, 21]


def test_history_states_and_system_lines(qapp: QApplication, qtmodeltester: ModelTester) -> None:
    model = ChatHistoryModel(10002, None)
    audit(qtmodeltester, model)
    assert not model.canFetchMore(QModelIndex())
    model.set_state(7, DeliveryState.SENT)  # heard before the message is shown
    model.add_outgoing("hi", 7)
    assert model.index(0, 0).data(Roles.DELIVERY) is DeliveryState.SENT
    model.add_outgoing("again", 8)
    assert model.index(1, 0).data(Roles.DELIVERY) is DeliveryState.PENDING
    model.set_state(8, DeliveryState.FAILED)
    assert model.index(1, 0).data(Roles.DELIVERY) is DeliveryState.FAILED
    model.add_incoming("hello", time.time(), 9)
    model.add_incoming("hello", time.time(), 9)  # the same stored message twice
    model.add_system("Bob went offline")
    assert model.rowCount() == 4
    assert model.index(3, 0).data(Roles.IS_SYSTEM) is True


def test_chinese_names_sort_by_pinyin_in_chinese(
    qapp: QApplication, qtmodeltester: ModelTester
) -> None:
    from qqdesk.ui import i18n

    m = BuddyTreeModel()
    audit(qtmodeltester, m)
    people = [
        B(10001, "张伟", status=Presence.OFFLINE),
        B(10002, "李娜", status=Presence.OFFLINE),
        B(10003, "王芳", status=Presence.OFFLINE),
        B(10004, "阿明", status=Presence.OFFLINE),
        B(10005, "赵六", status=Presence.ONLINE),
        B(10006, "User 10", status=Presence.OFFLINE),
        B(10007, "user 2", status=Presence.OFFLINE),
    ]
    i18n.install_translator(qapp, "zh_CN")
    try:
        m.set_buddies(people)
        # Online first stays; then a (阿), l (李), w (王), z (张); Chinese collation puts
        # Han before Latin, and numbers count as numbers.
        assert names(m) == ["赵六", "阿明", "李娜", "王芳", "张伟", "user 2", "User 10"]
        m.add_buddy(10008, "陈", status=Presence.OFFLINE)  # c: after 阿, before 李
        assert names(m)[2] == "陈"
        m.set_status(10005, Presence.OFFLINE)  # z: after 张 (zhang)
        assert names(m) == ["阿明", "陈", "李娜", "王芳", "张伟", "赵六", "user 2", "User 10"]
    finally:
        i18n.install_translator(qapp, "en")
    # Back in English the order follows English rules, at once (Latin first).
    m.retranslate()
    assert names(m)[:2] == ["user 2", "User 10"]


@pytest.mark.parametrize("locale", ["en_US", "zh_CN", "C"])
def test_a_big_list_is_in_the_order_names_compare_in(
    qapp: QApplication, qtmodeltester: ModelTester, locale: str
) -> None:
    """The list is sorted with the collator's sort keys (the C locale: by comparing);
    the order is the one compare_names gives, names that compare equal by number, and
    every buddy's row is found again (a status change moves the right one)."""
    previous = QLocale()
    QLocale.setDefault(QLocale(locale))
    try:
        spellings = ["bob", "Bob", "BOB", "小明", "alice", "User 2", "User 10", "Ärger", "zoe"]
        buddies = [
            B(20_000 + (i * 7919) % 1000, spellings[i % len(spellings)], status=STATUSES[i % 4])
            for i in range(1000)
        ]
        model = BuddyTreeModel()
        audit(qtmodeltester, model)
        model.set_buddies(buddies)

        def order(b: Buddy) -> tuple[bool, Any, int]:
            return (
                not b.status.visible.is_online,
                functools.cmp_to_key(compare_names)(b.nick),
                b.uin,
            )

        parent = model.group_index(GroupKind.FRIENDS)
        shown = [model.index(r, 0, parent).data(Roles.UIN) for r in range(model.rowCount(parent))]
        assert shown == [b.uin for b in sorted(buddies, key=order)]
        for b in buddies[::37]:
            assert model.index_of(b.uin).data(Roles.UIN) == b.uin
        moving = buddies[5]  # "Bob", offline: comes online among the other Bobs
        model.set_status(moving.uin, Presence.ONLINE)
        assert model.index_of(moving.uin).data(Roles.UIN) == moving.uin
        after = [model.index(r, 0, parent).data(Roles.UIN) for r in range(model.rowCount(parent))]
        moved = [
            dataclasses.replace(b, status=Presence.ONLINE) if b is moving else b for b in buddies
        ]
        assert after == [b.uin for b in sorted(moved, key=order)]
    finally:
        QLocale.setDefault(previous)
