"""Buddy categories and the bulk buddy listing in every store (SQLite and PostgreSQL)."""

from __future__ import annotations

from qqdesk.core import AuthMode, BuddyEntry, Category, Profile

from .conftest import AnyStore, close


async def _people(store: AnyStore, *uins: int) -> None:
    for uin in uins:
        await store.create_account(
            uin, "h", Profile(uin=uin, nick=f"n{uin}", face=uin % 7), AuthMode.ANYONE, True
        )


async def test_categories_are_made_renamed_ordered_and_deleted(store: AnyStore) -> None:
    await _people(store, 10001, 10002, 10003)
    await store.add_buddy(10001, 10002)
    await store.add_buddy(10001, 10003)
    assert await store.categories(10001) == [Category(0)]  # the default one, always
    classmates = await store.add_category(10001, "同学 ,&=", 100)
    family = await store.add_category(10001, "家人", 100)
    assert (classmates, family) == (1, 2)
    assert await store.categories(10001) == [
        Category(0),
        Category(1, "同学 ,&="),
        Category(2, "家人"),
    ]
    assert await store.categories(10002) == [Category(0)]  # each owner their own
    # renaming, the default one too (it keeps its place)
    assert await store.rename_category(10001, 2, "Family")
    assert not await store.rename_category(10001, 2, "Family")
    assert not await store.rename_category(10001, 9, "nope")
    assert await store.rename_category(10001, 0, "好友")
    assert not await store.rename_category(10001, 0, "好友")
    # reordering names every other category once, or changes nothing
    assert not await store.order_categories(10001, [2])
    assert not await store.order_categories(10001, [2, 2])
    assert not await store.order_categories(10001, [2, 1, 7])
    assert await store.order_categories(10001, [2, 0, 1])
    assert [c.index for c in await store.categories(10001)] == [0, 2, 1]
    # moving buddies: only onto the list's own buddies and existing categories
    assert await store.set_category(10001, 10002, 1)
    assert not await store.set_category(10001, 10002, 1)
    assert not await store.set_category(10001, 10002, 9)
    assert not await store.set_category(10001, 10001, 1)  # not on the list
    assert await store.set_category(10001, 10003, 2)
    assert await store.set_remark(10001, 10003, "老三")
    assert await store.buddy_entries(10001, 0, -1) == [
        BuddyEntry(10002, "n10002", 10002 % 7, "", 1),
        BuddyEntry(10003, "n10003", 10003 % 7, "老三", 2),
    ]
    # deleting moves its buddies to the default category; the default one stays
    assert not await store.delete_category(10001, 0)
    assert await store.delete_category(10001, 2)
    assert not await store.delete_category(10001, 2)
    assert [c.index for c in await store.categories(10001)] == [0, 1]
    assert [e.category for e in await store.buddy_entries(10001, 0, -1)] == [1, 0]
    # a new category never takes the number of one still in use
    assert await store.add_category(10001, "new", 100) == 2
    # a buddy taken off and added again starts in the default category
    await store.remove_buddy(10001, 10002)
    await store.add_buddy(10001, 10002)
    assert [(e.uin, e.category) for e in await store.buddy_entries(10001, 0, -1)] == [
        (10003, 0),
        (10002, 0),
    ]
    await close(store)


async def test_a_user_has_at_most_the_limit_of_categories(store: AnyStore) -> None:
    assert await store.add_category(10001, "a", 3) == 1
    assert await store.add_category(10001, "b", 3) == 2
    assert await store.add_category(10001, "c", 3) is None  # the default one counts
    assert await store.rename_category(10001, 0, "renamed")  # a row, but not one more
    assert await store.add_category(10001, "c", 3) is None
    assert await store.delete_category(10001, 1)
    assert await store.add_category(10001, "c", 3) == 3
    await close(store)


async def test_buddy_entries_page_in_list_order(store: AnyStore) -> None:
    uins = [10009, 10003, 10005, 10004]
    await _people(store, 10001, *uins)
    for uin in uins:
        await store.add_buddy(10001, uin)
    await store.add_buddy(10001, 99999)  # no such account: left out
    page = await store.buddy_entries(10001, 1, 2)
    assert [e.uin for e in page] == [10003, 10005]
    assert [e.uin for e in await store.buddy_entries(10001, 0, -1)] == uins
    assert await store.buddy_entries(10002, 0, 10) == []
    await close(store)
