"""Add Friend: the number tab says why it cannot add, refuses my own number, knows my friends."""

from __future__ import annotations

from typing import Any

from qqdesk.client.types import FoundUser, SearchResults
from qqdesk.core import AuthMode, Presence, Sex
from qqdesk.ui.dialogs import AddBuddyDialog

from .conftest import FakeHub, FakeSession


class FindingSession(FakeSession):
    """Finds Bob (a friend already) and Dave (not yet); remembers what it was asked to add."""

    def __init__(self, hub: FakeHub) -> None:
        super().__init__(hub, 10001, "Alice")
        self.added: list[int] = []

    async def search(
        self,
        age: int | None = None,
        sex: Sex | None = None,
        province: str | None = None,
        *,
        offset: int = 0,
        page_size: int = 20,
    ) -> SearchResults:
        return SearchResults(
            results=[
                FoundUser(10002, "Bob", 0, 30, Sex.MALE, "", Presence.ONLINE),
                FoundUser(10004, "Dave", 0, 30, Sex.MALE, "", Presence.ONLINE),
            ],
            last=True,
        )

    async def add_buddy(self, uin: int) -> AuthMode:
        self.added.append(uin)
        return await super().add_buddy(uin)


def make(qtbot: Any, fake_hub: FakeHub) -> tuple[AddBuddyDialog, FindingSession]:
    session = FindingSession(fake_hub)
    dialog = AddBuddyDialog(session, friends=lambda: sorted(fake_hub.lists[10001]))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    return dialog, session


def test_number_tab_says_why_add_is_greyed_out(qtbot: Any, fake_hub: FakeHub) -> None:
    dialog, _session = make(qtbot, fake_hub)
    qtbot.keyClicks(dialog.number_edit, "1234")
    assert not dialog.number_add_button.isEnabled()
    assert dialog.number_hint.isVisible()
    assert "at least 5 digits" in dialog.number_hint.text()
    dialog.number_edit.setText("4294967296")
    assert not dialog.number_add_button.isEnabled()
    assert "4294967295" in dialog.number_hint.text()
    dialog.number_edit.setText("4294967295")
    assert dialog.number_add_button.isEnabled()
    assert not dialog.number_hint.isVisible()


def test_an_old_outcome_goes_when_the_number_changes(qtbot: Any, fake_hub: FakeHub) -> None:
    dialog, session = make(qtbot, fake_hub)
    dialog.number_edit.setText("10004")
    dialog.add_number()
    qtbot.waitUntil(lambda: "now your friend" in dialog.message.text())
    assert session.added == [10004]
    qtbot.keyClicks(dialog.number_edit, "5")
    assert not dialog.message.isVisible()
    assert dialog.message.text() == ""


def test_my_own_number_is_refused(qtbot: Any, fake_hub: FakeHub) -> None:
    dialog, session = make(qtbot, fake_hub)
    qtbot.keyClicks(dialog.number_edit, "10001")
    assert not dialog.number_add_button.isEnabled()
    assert "your own number" in dialog.number_hint.text()
    dialog.add(10001)
    assert "your own number" in dialog.message.text()
    assert session.added == []


def test_a_friend_is_already_a_friend(qtbot: Any, fake_hub: FakeHub) -> None:
    dialog, session = make(qtbot, fake_hub)
    dialog.number_edit.setText("10002")
    dialog.add_number()
    assert "Bob" not in dialog.message.text()  # no profile asked: the number is enough
    assert "already your friend" in dialog.message.text()
    assert "now your friend" not in dialog.message.text()
    assert session.added == []
    # Search results mark who is a friend already.
    dialog.tabs.setCurrentIndex(0)
    with qtbot.waitSignal(dialog.searched):
        dialog.search()
    names = [dialog.results.index(row, 0).data() for row in range(dialog.results.rowCount())]
    assert names == ["Bob (friend)", "Dave"]
