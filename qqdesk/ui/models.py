"""Item models: the contact tree (friends, strangers, groups, discussions) and one
conversation's chat history."""

from __future__ import annotations

import bisect
import enum
import functools
import html
import inspect
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QByteArray,
    QCollator,
    QCoreApplication,
    QLocale,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from qqdesk.client.events import DeliveryState
from qqdesk.client.types import Buddy
from qqdesk.core import (
    DEFAULT_CATEGORY,
    Category,
    Content,
    Conversation,
    ConversationKind,
    Presence,
    Room,
    parse_text,
    render_text,
)

from . import icons
from .tasks import spawn

log = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex

_ROLE = Qt.ItemDataRole.UserRole


class Roles(enum.IntEnum):
    """Custom data roles of the buddy tree and the chat history."""

    UIN = _ROLE + 1
    STATUS = _ROLE + 2
    UNREAD = _ROLE + 3
    NICK = _ROLE + 4
    FACE = _ROLE + 5
    IS_GROUP = _ROLE + 6
    ONLINE_COUNT = _ROLE + 7
    TOTAL_COUNT = _ROLE + 8
    GROUP_KEY = _ROLE + 9
    #: the row's Conversation (a buddy chat, a group or a discussion)
    CONVERSATION = _ROLE + 10
    IS_ROOM = _ROLE + 11
    #: the remark I gave a buddy ("" when none)
    REMARK = _ROLE + 12
    #: a buddy category's index, on its header and on its buddies (None elsewhere)
    CATEGORY = _ROLE + 13
    #: what the tree's filter looks in: nickname, remark and number of a buddy, name
    #: and number of a room, one per line, case-folded (nothing on a section header)
    FILTER_TEXT = _ROLE + 14
    # chat history
    TEXT = _ROLE + 20
    TIME = _ROLE + 21
    OUTGOING = _ROLE + 22
    DELIVERY = _ROLE + 23
    IS_SYSTEM = _ROLE + 24
    LOCAL_ID = _ROLE + 25
    #: the message's parts (qqdesk.core Content: text and faces)
    CONTENT = _ROLE + 26
    #: who wrote it, as a group chat labels the bubble ("" in buddy chats and for mine)
    SENDER_NAME = _ROLE + 27


UinRole = Roles.UIN
StatusRole = Roles.STATUS
UnreadRole = Roles.UNREAD


_SECTION_FLAGS = Qt.ItemFlag.ItemIsEnabled
#: a category's header takes friends dropped on it; a friend can be dragged
_CATEGORY_FLAGS = _SECTION_FLAGS | Qt.ItemFlag.ItemIsDropEnabled
# A row (buddy, group, discussion) never has children: the view then skips asking
# (through the filter proxy) for each of 10,000 rows when it lays them out.
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_FRIEND_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsDragEnabled

#: What a dragged friend travels as: their numbers, comma-separated.
BUDDY_MIME = "application/x-qqdesk-buddies"


T = TypeVar("T")


def _tr(text: str) -> str:
    return QCoreApplication.translate("BuddyTreeModel", text)


@functools.cache
def _collator(locale_name: str) -> QCollator:
    collator = QCollator(QLocale(locale_name))
    collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    collator.setNumericMode(True)  # "User 2" before "User 10"
    return collator


def compare_names(a: str, b: str) -> int:
    """Order of two names in the UI's language (QLocale's default, set with it)."""
    return _collator(QLocale().name()).compare(a, b)


@functools.cache
def _name_key_of(locale_name: str) -> Callable[[str], Any]:
    # The collator's own compare, called from C by cmp_to_key: sorting 10,000 names
    # costs a third of what a Python compare that finds the collator each time does.
    return functools.cmp_to_key(_collator(locale_name).compare)


def _name_key(name: str) -> Any:
    """A key that orders names as :func:`compare_names` does, names that compare equal
    included (a tuple of these keys goes on to its next item then)."""
    return _name_key_of(QLocale().name())(name)


def sort_by_name(
    items: list[T],
    key_with: Callable[[T, Callable[[str], Any]], tuple[Any, ...]],
    number: Callable[[T], int],
) -> None:
    """Sort ``items`` in place by ``key_with(item, name_key)`` (a tuple with a name key
    made by ``name_key`` in it), names in the UI's language, ties by ``number``.

    By the collator's sort keys, compared in C++ (a fifth of the time of comparing
    pairs of names through Python). Keys of names that compare equal are neither
    less nor greater (nor ==): their tuples are equal, and the stable sort keeps the
    number order of a first pass. The C locale's sort keys are the names as they are
    (case counts), unlike its compare: there the names are compared in pairs.
    """
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        name_key = _name_key_of(locale.name())
        items.sort(key=lambda item: key_with(item, name_key))
        return
    sort_key = _collator(locale.name()).sortKey
    items.sort(key=number)
    items.sort(key=lambda item: key_with(item, sort_key))


def visible_status(status: Presence) -> Presence:
    """What a status looks like to others (hidden reads as offline)."""
    return status.visible


# -- buddy tree ----------------------------------------------------------------------------


class GroupKind(enum.Enum):
    """The tree's sections."""

    FRIENDS = "friends"
    STRANGERS = "strangers"
    GROUPS = "groups"
    DISCUSSIONS = "discussions"


_ROOM_SECTIONS = {
    ConversationKind.GROUP: GroupKind.GROUPS,
    ConversationKind.DISCUSSION: GroupKind.DISCUSSIONS,
}


@dataclass(slots=True)
class BuddyItem:
    uin: int
    nick: str
    face: int = 0
    status: Presence = Presence.OFFLINE
    unread: int = 0
    group: GroupItem | None = None
    remark: str = ""
    #: the category I put them in (a friend; 0 for strangers)
    category: int = DEFAULT_CATEGORY

    @property
    def online(self) -> bool:
        return visible_status(self.status).is_online

    @property
    def name(self) -> str:
        """The remark over the nickname (and the number when there is neither)."""
        return self.remark or self.nick or str(self.uin)

    @property
    def sort_key(self) -> tuple[int, Any, int]:
        # Online and busy first, then by name as people of the UI's language read it
        # (pinyin order in Chinese), then by number.
        return self.key_with(_name_key)

    def key_with(self, name_key: Callable[[str], Any]) -> tuple[int, Any, int]:
        """:attr:`sort_key` with ``name_key`` for the name."""
        return (0 if self.online else 1, name_key(self.name), self.uin)


@dataclass
class RoomItem:
    """A group or discussion in the tree."""

    conversation: Conversation
    name: str
    unread: int = 0
    group: GroupItem | None = None

    @property
    def sort_key(self) -> tuple[int, Any, int]:
        return (0, _name_key(self.name or str(self.conversation.number)), self.conversation.number)


@dataclass(eq=False)
class GroupItem:
    kind: GroupKind
    buddies: list[BuddyItem] = field(default_factory=list)
    keys: list[tuple[int, Any, int]] = field(default_factory=list)
    online: int = 0
    rooms: list[RoomItem] = field(default_factory=list)
    #: a section of friends is one of my categories: its index and name ("" for the
    #: default one until renamed)
    category: int = DEFAULT_CATEGORY
    name: str = ""
    #: a section of groups or discussions (else of buddies); asked for every row the
    #: view lays out, so kept rather than worked out each time
    holds_rooms: bool = field(init=False)

    def __post_init__(self) -> None:
        self.holds_rooms = self.kind in (GroupKind.GROUPS, GroupKind.DISCUSSIONS)

    def size(self) -> int:
        return len(self.rooms) if self.holds_rooms else len(self.buddies)

    def title(self) -> str:
        if self.kind is GroupKind.FRIENDS:
            return self.name or _tr("My friends")
        if self.kind is GroupKind.GROUPS:
            return _tr("Groups")
        if self.kind is GroupKind.DISCUSSIONS:
            return _tr("Discussions")
        return _tr("Strangers")

    def unread(self) -> int:
        return sum(r.unread for r in self.rooms) + sum(b.unread for b in self.buddies)

    def row_of(self, buddy: BuddyItem) -> int:
        return bisect.bisect_left(self.keys, buddy.sort_key)

    def room_row(self, room: RoomItem) -> int:
        return bisect.bisect_left(self.keys, room.sort_key)


class BuddyTreeModel(QAbstractItemModel):
    """Sections (my categories of friends, "My friends" first, then "Strangers", and where
    the server has them "Groups" and "Discussions") holding buddies (online first, then
    by name) or rooms (by name).

    Rows are looked up through a uin dict and a bisect over each group's sort keys,
    so a status change moves one row instead of resetting 10,000.
    """

    #: total unread messages changed
    unreadChanged = Signal(int)
    #: a friend (uin) was dropped on one of my categories (index): the app asks the
    #: server to move them, and moves the row once it has
    buddyDropped = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sections = {kind: GroupItem(kind) for kind in GroupKind}
        #: my categories in their order; the first is the default one, _sections[FRIENDS]
        self._categories = [self._sections[GroupKind.FRIENDS]]
        self._groups = [self._sections[GroupKind.FRIENDS], self._sections[GroupKind.STRANGERS]]
        self._by_uin: dict[int, BuddyItem] = {}
        self._by_room: dict[Conversation, RoomItem] = {}
        self._unread_total = 0

    # -- reading -------------------------------------------------------------------

    def group(self, kind: GroupKind) -> GroupItem:
        return self._sections[kind]

    @property
    def rooms_shown(self) -> bool:
        return self._sections[GroupKind.GROUPS] in self._groups

    def set_rooms_shown(self, shown: bool) -> None:
        """Show the Groups and Discussions sections (the server has them) or hide them."""
        if shown == self.rooms_shown:
            return
        rooms = [self._sections[GroupKind.GROUPS], self._sections[GroupKind.DISCUSSIONS]]
        first = len(self._groups) if shown else len(self._groups) - 2
        if shown:
            self.beginInsertRows(QModelIndex(), first, first + 1)
            self._groups.extend(rooms)
            self.endInsertRows()
        else:
            self.beginRemoveRows(QModelIndex(), first, first + 1)
            del self._groups[first:]
            self.endRemoveRows()
        self._recount_unread()

    def room_item(self, conversation: Conversation) -> RoomItem | None:
        return self._by_room.get(conversation)

    def rooms(self) -> list[RoomItem]:
        return [
            room
            for kind in (GroupKind.GROUPS, GroupKind.DISCUSSIONS)
            for room in self._sections[kind].rooms
        ]

    def room_index(self, conversation: Conversation) -> QModelIndex:
        room = self._by_room.get(conversation)
        if room is None or room.group is None or room.group not in self._groups:
            return QModelIndex()
        return self.createIndex(room.group.room_row(room), 0, self._group_row(room.group) + 1)

    def buddy_item(self, uin: int) -> BuddyItem | None:
        return self._by_uin.get(uin)

    def __contains__(self, uin: object) -> bool:
        return uin in self._by_uin

    def index_of(self, uin: int) -> QModelIndex:
        buddy = self._by_uin.get(uin)
        if buddy is None or buddy.group is None:
            return QModelIndex()
        return self.createIndex(buddy.group.row_of(buddy), 0, self._group_row(buddy.group) + 1)

    def group_index(self, kind: GroupKind) -> QModelIndex:
        group = self.group(kind)
        if group not in self._groups:
            return QModelIndex()
        return self.createIndex(self._groups.index(group), 0, 0)

    def total_unread(self) -> int:
        return self._unread_total

    def categories(self) -> list[Category]:
        """My categories as the tree shows them, in their order."""
        return [Category(g.category, g.name) for g in self._categories]

    def category_index(self, category: int) -> QModelIndex:
        """The header of one of my categories (invalid when there is no such one)."""
        for group in self._categories:
            if group.category == category:
                return self.createIndex(self._group_row(group), 0, 0)
        return QModelIndex()

    def friends(self) -> list[BuddyItem]:
        """Every friend, category by category."""
        return [buddy for group in self._categories for buddy in group.buddies]

    def _group_row(self, group: GroupItem) -> int:
        return self._groups.index(group)

    # -- Qt model interface --------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # (asked several times for every row the view lays out: few calls into Qt)
        if parent.isValid():
            section = parent.row()
            if parent.internalId() or column or not 0 <= row < self._groups[section].size():
                return QModelIndex()
            return self.createIndex(row, 0, section + 1)
        if column or not 0 <= row < len(self._groups):
            return QModelIndex()
        return self.createIndex(row, 0, 0)

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0:
            return self._groups[parent.row()].size()
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # (asked for every row the view lays out: by section, without finding the item)
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        section = index.internalId()
        if section == 0:
            friends = self._groups[index.row()].kind is GroupKind.FRIENDS
            return _CATEGORY_FLAGS if friends else _SECTION_FLAGS
        return _FRIEND_FLAGS if self._groups[section - 1].kind is GroupKind.FRIENDS else _ROW_FLAGS

    # -- dragging a friend onto a category ------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [BUDDY_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        uins = [str(i.data(Roles.UIN)) for i in indexes if i.isValid() and i.internalId() != 0]
        data.setData(BUDDY_MIME, QByteArray(",".join(uins).encode("ascii")))
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: AnyIndex,
    ) -> bool:
        return data.hasFormat(BUDDY_MIME) and self._drop_category(parent) is not None

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: AnyIndex,
    ) -> bool:
        """Says which friend was dropped on which category (buddyDropped); the rows move
        when the server has moved them, so the view is told nothing was dropped."""
        category = self._drop_category(parent)
        if category is None or not data.hasFormat(BUDDY_MIME):
            return False
        for text in bytes(data.data(BUDDY_MIME).data()).decode("ascii").split(","):
            buddy = self._by_uin.get(int(text)) if text.isdigit() else None
            if buddy is not None and buddy.category != category:
                self.buddyDropped.emit(buddy.uin, category)
        return False

    def _drop_category(self, parent: AnyIndex) -> int | None:
        """The category a drop on ``parent`` (a header, or a friend in it) goes to."""
        item = self._item(parent)
        group = item if isinstance(item, GroupItem) else getattr(item, "group", None)
        if isinstance(group, GroupItem) and group.kind is GroupKind.FRIENDS:
            return group.category
        return None

    def _item(self, index: AnyIndex) -> GroupItem | BuddyItem | RoomItem | None:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._groups[index.row()]
        group = self._groups[index.internalId() - 1]
        if index.row() >= group.size():
            return None
        if group.holds_rooms:
            return group.rooms[index.row()]
        return group.buddies[index.row()]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self._item(index)
        if item is None:
            return None
        if isinstance(item, GroupItem):
            return self._group_data(item, role)
        if isinstance(item, RoomItem):
            return self._room_data(item, role)
        return self._buddy_data(item, role)

    def _group_data(self, group: GroupItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if group.holds_rooms:
                return f"{group.title()} ({group.size()})"
            return f"{group.title()} ({group.online}/{len(group.buddies)})"
        if role == Roles.IS_GROUP:
            return True
        if role == Roles.ONLINE_COUNT:
            return group.online
        if role == Roles.TOTAL_COUNT:
            return group.size()
        if role == Roles.GROUP_KEY:
            return group.kind.value
        if role == Roles.UNREAD:
            return group.unread()
        if role == Roles.CATEGORY:
            return group.category if group.kind is GroupKind.FRIENDS else None
        if role == Roles.FILTER_TEXT:
            return ""  # (a section stays only for its matching rows)
        return None

    def _room_data(self, room: RoomItem, role: int) -> Any:
        number = room.conversation.number
        if role == Qt.ItemDataRole.DisplayRole:
            return room.name or str(number)
        if role == Qt.ItemDataRole.DecorationRole:
            return icons.room_picture(room.conversation.kind is ConversationKind.GROUP, 36)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _plain_tooltip(f"{room.name} ({number})")
        if role == Roles.UIN:
            return number
        if role == Roles.CONVERSATION:
            return room.conversation
        if role == Roles.UNREAD:
            return room.unread
        if role == Roles.NICK:
            return room.name
        if role == Roles.IS_ROOM:
            return True
        if role == Roles.IS_GROUP:
            return False
        if role == Roles.GROUP_KEY:
            return room.group.kind.value if room.group else None
        if role == Roles.FILTER_TEXT:
            return f"{room.name.casefold()}\n{number}"
        return None

    def _buddy_data(self, buddy: BuddyItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return buddy.name
        if role == Qt.ItemDataRole.DecorationRole:
            return icons.face_picture(buddy.face, 36, buddy.nick, status=buddy.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            shown = f"{buddy.remark} — {buddy.nick}" if buddy.remark else buddy.nick
            return _plain_tooltip(f"{shown} ({buddy.uin})")
        if role == Roles.CONVERSATION:
            return Conversation.buddy(buddy.uin)
        if role == Roles.REMARK:
            return buddy.remark
        if role == Roles.IS_ROOM:
            return False
        if role == Roles.UIN:
            return buddy.uin
        if role == Roles.STATUS:
            return buddy.status
        if role == Roles.UNREAD:
            return buddy.unread
        if role == Roles.NICK:
            return buddy.nick
        if role == Roles.FACE:
            return buddy.face
        if role == Roles.IS_GROUP:
            return False
        if role == Roles.GROUP_KEY:
            return buddy.group.kind.value if buddy.group else None
        if role == Roles.CATEGORY:
            if buddy.group is None or buddy.group.kind is not GroupKind.FRIENDS:
                return None
            return buddy.group.category
        if role == Roles.FILTER_TEXT:
            return f"{buddy.nick.casefold()}\n{buddy.remark.casefold()}\n{buddy.uin}"
        return None

    # -- changing ------------------------------------------------------------------

    def set_buddies(self, buddies: Iterable[Buddy], kind: GroupKind = GroupKind.FRIENDS) -> None:
        """Replace one section's members (friends: every category's) in one reset."""
        self.beginResetModel()
        groups = self._categories if kind is GroupKind.FRIENDS else [self.group(kind)]
        # Unread counts outlive a reload (the list is fetched again after a reconnect).
        kept_unread = {old.uin: old.unread for g in groups for old in g.buddies if old.unread}
        for group in groups:
            for old in group.buddies:
                self._by_uin.pop(old.uin, None)
        items: dict[int, BuddyItem] = {}
        for source in buddies:
            uin = int(source.uin)
            other = self._by_uin.pop(uin, None)
            if other is not None and other.group is not None:
                # Someone who was a stranger became a friend (or back): one place only.
                other.group.buddies.remove(other)
                other.group.keys.remove(other.sort_key)
                other.group.online -= other.online
            unread = other.unread if other is not None else kept_unread.get(uin, 0)
            category = source.category if kind is GroupKind.FRIENDS else DEFAULT_CATEGORY
            items[uin] = BuddyItem(
                uin=uin,
                nick=source.nick,
                face=source.face,
                status=source.status,
                unread=unread,
                group=self._home(kind, category),
                remark=source.remark,
                category=category,
            )
        self._by_uin.update(items)
        self._fill(groups, items.values())
        self.endResetModel()
        self._recount_unread(announce=True)

    def _home(self, kind: GroupKind, category: int) -> GroupItem:
        """The section a buddy of ``kind`` in ``category`` shows in (a friend in a category
        the tree does not know: the default one)."""
        if kind is GroupKind.FRIENDS:
            for group in self._categories:
                if group.category == category:
                    return group
        return self.group(kind)

    @staticmethod
    def _fill(groups: list[GroupItem], buddies: Iterable[BuddyItem]) -> None:
        """Put each buddy (its ``group`` already chosen) in its section, each in order."""
        for group in groups:
            group.buddies, group.keys, group.online = [], [], 0
        for buddy in buddies:
            if buddy.group is not None:
                buddy.group.buddies.append(buddy)
        name_key = _name_key_of(QLocale().name())
        for group in groups:
            sort_by_name(group.buddies, BuddyItem.key_with, _number_of)
            group.keys = [b.key_with(name_key) for b in group.buddies]
            group.online = sum(1 for key in group.keys if key[0] == 0)

    def set_categories(self, categories: Iterable[Category]) -> None:
        """My categories, in their order (the default one first, whatever is given); their
        friends stay with them, those of a category gone go to the default one."""
        given = list(categories)
        wanted = [c for c in given if c.index != DEFAULT_CATEGORY]
        default = next((c for c in given if c.index == DEFAULT_CATEGORY), None)
        default_name = default.name if default is not None else ""
        if [Category(g.category, g.name) for g in self._categories] == [
            Category(DEFAULT_CATEGORY, default_name),
            *wanted,
        ]:
            return
        self.beginResetModel()
        friends = self.friends()
        first = self._sections[GroupKind.FRIENDS]
        first.name = default_name
        kept = {g.category: g for g in self._categories[1:]}
        self._categories = [first]
        for category in wanted:
            group = kept.get(category.index) or GroupItem(GroupKind.FRIENDS)
            group.category, group.name = category.index, category.name
            self._categories.append(group)
        rest = [g for g in self._groups if g.kind is not GroupKind.FRIENDS]
        self._groups = [*self._categories, *rest]
        for buddy in friends:
            buddy.group = self._home(GroupKind.FRIENDS, buddy.category)
        self._fill(self._categories, friends)
        self.endResetModel()
        self._recount_unread()

    def move_to_category(self, uin: int, category: int) -> None:
        """A friend is in another category now (one row moves, nothing is reset)."""
        buddy = self._by_uin.get(uin)
        if buddy is None or buddy.group is None or buddy.group.kind is not GroupKind.FRIENDS:
            return
        target = self._home(GroupKind.FRIENDS, category)
        if target is buddy.group:
            buddy.category = category
            return
        source = buddy.group
        old_row = source.row_of(buddy)
        buddy.category = category
        new_row = target.row_of(buddy)
        source_index = self.createIndex(self._group_row(source), 0, 0)
        target_index = self.createIndex(self._group_row(target), 0, 0)
        self.beginMoveRows(source_index, old_row, old_row, target_index, new_row)
        del source.buddies[old_row]
        del source.keys[old_row]
        source.online -= buddy.online
        target.buddies.insert(new_row, buddy)
        target.keys.insert(new_row, buddy.sort_key)
        target.online += buddy.online
        buddy.group = target
        self.endMoveRows()
        self._group_changed(source)
        self._group_changed(target)

    def set_rooms(self, rooms: Iterable[Room]) -> None:
        """Replace the groups and discussions (their unread counts are kept)."""
        self.beginResetModel()
        kept = {c: r.unread for c, r in self._by_room.items() if r.unread}
        self._by_room.clear()
        for kind in (GroupKind.GROUPS, GroupKind.DISCUSSIONS):
            self._sections[kind].rooms = []
        for room in rooms:
            section = _ROOM_SECTIONS.get(room.conversation.kind)
            if section is None:
                continue
            group = self._sections[section]
            item = RoomItem(room.conversation, room.name, kept.get(room.conversation, 0), group)
            self._by_room[room.conversation] = item
            group.rooms.append(item)
        for kind in (GroupKind.GROUPS, GroupKind.DISCUSSIONS):
            group = self._sections[kind]
            group.rooms.sort(key=lambda r: r.sort_key)
            group.keys = [r.sort_key for r in group.rooms]
        self.endResetModel()
        self._recount_unread()

    def set_room_unread(self, conversation: Conversation, count: int) -> None:
        room = self._by_room.get(conversation)
        if room is None or room.unread == count:
            return
        room.unread = count
        index = self.room_index(conversation)
        if index.isValid():
            self.dataChanged.emit(index, index, [Roles.UNREAD])
        if room.group is not None and room.group in self._groups:
            self._group_changed(room.group)
        self._recount_unread()

    def add_room_unread(self, conversation: Conversation, count: int = 1) -> None:
        room = self._by_room.get(conversation)
        if room is not None:
            self.set_room_unread(conversation, room.unread + count)

    def _recount_unread(self, *, announce: bool = False) -> None:
        total = sum(b.unread for b in self._by_uin.values())
        if self.rooms_shown:
            total += sum(r.unread for r in self._by_room.values())
        if announce or total != self._unread_total:
            self._unread_total = total
            self.unreadChanged.emit(total)

    def add_buddy(
        self,
        uin: int,
        nick: str = "",
        face: int = 0,
        status: Presence = Presence.OFFLINE,
        kind: GroupKind = GroupKind.FRIENDS,
    ) -> None:
        """Add one buddy (or move them to ``kind``'s group, keeping their unread count)."""
        unread = 0
        old = self._by_uin.get(uin)
        if old is not None:
            if old.group is not None and old.group.kind is kind:
                self.update_buddy(uin, nick=nick or old.nick, face=face, status=status)
                return
            unread = old.unread
            self.remove_buddy(uin)
        group = self.group(kind)
        buddy = BuddyItem(uin, nick, face, status, unread, group)
        row = group.row_of(buddy)
        parent = self.createIndex(self._group_row(group), 0, 0)
        self.beginInsertRows(parent, row, row)
        group.buddies.insert(row, buddy)
        group.keys.insert(row, buddy.sort_key)
        group.online += buddy.online
        self._by_uin[uin] = buddy
        self.endInsertRows()
        self._group_changed(group)
        if unread:
            self._unread_total += unread
            self.unreadChanged.emit(self._unread_total)

    def remove_buddy(self, uin: int) -> None:
        buddy = self._by_uin.get(uin)
        if buddy is None or buddy.group is None:
            return
        group = buddy.group
        row = group.row_of(buddy)
        parent = self.createIndex(self._group_row(group), 0, 0)
        self.beginRemoveRows(parent, row, row)
        del group.buddies[row]
        del group.keys[row]
        group.online -= buddy.online
        del self._by_uin[uin]
        self.endRemoveRows()
        self._group_changed(group)
        if buddy.unread:
            self._unread_total -= buddy.unread
            self.unreadChanged.emit(self._unread_total)

    def set_everyone_offline(self) -> None:
        """Show every buddy offline (while I am offline nobody's status is known)."""
        for uin in list(self._by_uin):
            self.update_buddy(uin, status=Presence.OFFLINE)

    def set_status(self, uin: int, status: Presence) -> bool:
        """A buddy's status changed; moves their row if the order changes. False if unknown."""
        if uin not in self._by_uin:
            return False
        self.update_buddy(uin, status=status)
        return True

    def update_buddy(
        self,
        uin: int,
        *,
        nick: str | None = None,
        face: int | None = None,
        status: Presence | None = None,
        remark: str | None = None,
    ) -> None:
        buddy = self._by_uin.get(uin)
        if buddy is None or buddy.group is None:
            return
        group = buddy.group
        parent = self.createIndex(self._group_row(group), 0, 0)
        old_row = group.row_of(buddy)
        was_online = buddy.online
        if nick is not None:
            buddy.nick = nick
        if face is not None:
            buddy.face = face
        if status is not None:
            buddy.status = status
        if remark is not None:
            buddy.remark = remark
        del group.keys[old_row]
        buddy_row = group.buddies.pop(old_row)
        new_row = bisect.bisect_left(group.keys, buddy.sort_key)
        # beginMoveRows counts the destination before the row is taken out.
        destination = new_row + 1 if new_row >= old_row else new_row
        moving = destination not in (old_row, old_row + 1)
        if moving:
            self.beginMoveRows(parent, old_row, old_row, parent, destination)
        group.buddies.insert(new_row, buddy_row)
        group.keys.insert(new_row, buddy.sort_key)
        group.online += buddy.online - was_online
        if moving:
            self.endMoveRows()
        index = self.createIndex(new_row, 0, self._group_row(group) + 1)
        self.dataChanged.emit(index, index)
        if was_online != buddy.online:
            self._group_changed(group)

    def set_unread(self, uin: int, count: int) -> None:
        buddy = self._by_uin.get(uin)
        if buddy is None or buddy.unread == count:
            return
        self._unread_total += count - buddy.unread
        buddy.unread = count
        index = self.index_of(uin)
        self.dataChanged.emit(index, index, [Roles.UNREAD])
        if buddy.group is not None:
            self._group_changed(buddy.group)
        self.unreadChanged.emit(self._unread_total)

    def add_unread(self, uin: int, count: int = 1) -> None:
        buddy = self._by_uin.get(uin)
        if buddy is not None:
            self.set_unread(uin, buddy.unread + count)

    def retranslate(self) -> None:
        """The group titles and the order of names in the language installed now."""
        self.layoutAboutToBeChanged.emit()
        # Rows by position: the stored keys were ordered by the old language's rules.
        old = {
            buddy.uin: self.createIndex(row, 0, self._group_row(group) + 1)
            for group in self._groups
            for row, buddy in enumerate(group.buddies)
        }
        old_rooms = {
            room.conversation: self.createIndex(row, 0, self._group_row(group) + 1)
            for group in self._groups
            for row, room in enumerate(group.rooms)
        }
        for group in self._groups:
            if group.holds_rooms:
                group.rooms.sort(key=lambda r: r.sort_key)
                group.keys = [r.sort_key for r in group.rooms]
            else:
                group.buddies.sort(key=lambda b: b.sort_key)
                group.keys = [b.sort_key for b in group.buddies]
        for uin, index in old.items():
            self.changePersistentIndex(index, self.index_of(uin))
        for conversation, index in old_rooms.items():
            self.changePersistentIndex(index, self.room_index(conversation))
        self.layoutChanged.emit()
        for group in self._groups:
            self._group_changed(group)

    def _group_changed(self, group: GroupItem) -> None:
        index = self.createIndex(self._group_row(group), 0, 0)
        self.dataChanged.emit(index, index)


def _number_of(buddy: BuddyItem) -> int:
    return buddy.uin


def _plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as it is: Qt reads a tooltip that looks like
    markup as rich text, so say it is and escape the names in it."""
    return f'<p style="white-space: pre">{html.escape(text, quote=False)}</p>'


class BuddyFilterProxyModel(QSortFilterProxyModel):
    """Shows buddies (nickname, remark or number) and rooms (name or number) containing
    the filter text, and their sections.

    Qt's own filter does the matching, on the FILTER_TEXT role, so that with no filter
    text the proxy never calls into Python: a row that moves (a buddy coming online)
    makes the proxy look at every row of its section again, which with 10,000 buddies
    and a filter written in Python took 21 ms a move, against 0.1 ms without.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(False)
        self.setFilterRole(Roles.FILTER_TEXT)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)  # (both folded)

    def set_filter_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        self._needle = needle
        self.setFilterFixedString(needle)

    def filter_text(self) -> str:
        return self._needle


# -- chat history ---------------------------------------------------------------------------


class EntryKind(enum.Enum):
    MESSAGE = "message"
    SYSTEM = "system"


@dataclass
class ChatEntry:
    """One line of a conversation: a message (either way) or a system line."""

    kind: EntryKind
    text: str
    time: float
    outgoing: bool = False
    local_id: int | None = None
    state: DeliveryState = DeliveryState.SENT
    #: The parts (text and faces) when known; else ``text`` is read as the text form.
    content: Content | None = None
    #: Who wrote it, in a group or discussion (None in buddy chats and for mine).
    sender: int | None = None

    @property
    def parts(self) -> Content:
        """The message's text and faces (``/微笑`` in ``text`` is a face)."""
        return self.content if self.content is not None else parse_text(self.text)


HistoryPage = Callable[[Any, int | None, int], Any]


def entry_from_record(record: Any, own_uin: int | None = None) -> ChatEntry:
    """Read one stored history record, whatever the store calls its fields."""

    def pick(*names: str, default: Any = None) -> Any:
        for name in names:
            if isinstance(record, dict) and name in record:
                return record[name]
            if hasattr(record, name):
                return getattr(record, name)
        return default

    outgoing = pick("outgoing", "is_outgoing", default=None)
    if outgoing is None:
        direction = pick("direction", default=None)
        if direction is not None:
            outgoing = str(getattr(direction, "value", direction)).lower() in ("out", "outgoing")
        else:
            sender = pick("sender", default=None)
            outgoing = own_uin is not None and sender == own_uin
    state = pick("state", "delivery", default=DeliveryState.SENT)
    if not isinstance(state, DeliveryState):
        try:
            state = DeliveryState(str(getattr(state, "value", state)))
        except ValueError:
            state = DeliveryState.SENT
    content = pick("content", default=None)
    content = content if isinstance(content, tuple) else None
    sender = pick("sender", default=None)
    return ChatEntry(
        kind=EntryKind.MESSAGE,
        text=str(pick("text", "message", default="")),
        time=float(pick("time", "timestamp", default=time.time())),
        outgoing=bool(outgoing),
        local_id=pick("local_id", "id", default=None),
        state=state,
        content=content,
        sender=sender if isinstance(sender, int) and not outgoing else None,
    )


class ChatHistoryModel(QAbstractListModel):
    """One conversation, oldest first; older pages load lazily from the local store.

    ``peer`` is a buddy's number or a Conversation (a group or discussion, whose
    messages name their senders through ``names``).
    ``history(peer, before_id, limit)`` returns stored records newest first or
    oldest first (both are accepted) or an awaitable of them; system lines
    ("went offline") live only in the open window.
    """

    PAGE = 50

    def __init__(
        self,
        peer: int | Conversation,
        history: HistoryPage | None = None,
        own_uin: int | None = None,
        parent: QObject | None = None,
        *,
        names: Callable[[int], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.peer = peer
        self._names = names
        self._history = history
        self._own_uin = own_uin
        self._entries: list[ChatEntry] = []
        self._ids: set[int] = set()
        self._exhausted = history is None
        self._loading = False
        #: states heard before the message itself was added
        self._early_states: dict[int, DeliveryState] = {}

    # -- Qt interface --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def entry(self, row: int) -> ChatEntry:
        return self._entries[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Roles.TEXT):
            return entry.text
        if role == Roles.TIME:
            return entry.time
        if role == Roles.OUTGOING:
            return entry.outgoing
        if role == Roles.DELIVERY:
            return entry.state
        if role == Roles.IS_SYSTEM:
            return entry.kind is EntryKind.SYSTEM
        if role == Roles.LOCAL_ID:
            return entry.local_id
        if role == Roles.CONTENT:
            return entry.parts
        if role == Roles.SENDER_NAME:
            if entry.sender is None or self._names is None or entry.outgoing:
                return ""
            return self._names(entry.sender)
        return None

    def names_changed(self) -> None:
        """The senders' names (cards, nicknames) changed: bubbles label them anew."""
        if self._entries:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._entries) - 1, 0), [Roles.SENDER_NAME]
            )

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._history is None:
            return
        before = self._oldest_id()
        result = self._history(self.peer, before, self.PAGE)
        if inspect.isawaitable(result):
            self._loading = True

            async def wait() -> Any:
                return await result

            def done(records: Any) -> None:
                self._loading = False
                self._prepend(records)

            def failed(exc: BaseException) -> None:
                self._loading = False
                self._exhausted = True
                log.warning("could not load history of %s: %s", self.peer, exc)

            spawn(wait(), on_done=done, on_error=failed)
        else:
            self._prepend(result)

    def _oldest_id(self) -> int | None:
        for entry in self._entries:
            if entry.local_id is not None and entry.kind is EntryKind.MESSAGE:
                return entry.local_id
        return None

    def _prepend(self, records: Any) -> None:
        records = list(records or [])
        if len(records) < self.PAGE:
            self._exhausted = True
        entries = [entry_from_record(r, self._own_uin) for r in records]
        entries = [e for e in entries if e.local_id is None or e.local_id not in self._ids]
        entries.sort(key=lambda e: (e.time, e.local_id or 0))
        if not entries:
            self._exhausted = True
            return
        self.beginInsertRows(QModelIndex(), 0, len(entries) - 1)
        self._entries[0:0] = entries
        self._ids.update(e.local_id for e in entries if e.local_id is not None)
        self.endInsertRows()

    def load_initial(self) -> None:
        """Load the newest page (views call fetchMore only when they need more)."""
        if self.canFetchMore():
            self.fetchMore()

    # -- changing ------------------------------------------------------------------

    def append(self, entry: ChatEntry) -> None:
        if entry.local_id is not None:
            if entry.local_id in self._ids:
                return
            self._ids.add(entry.local_id)
            early = self._early_states.pop(entry.local_id, None)
            if early is not None:
                entry.state = early
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()

    def add_incoming(
        self,
        message: str | Content,
        when: float,
        local_id: int | None,
        sender: int | None = None,
    ) -> None:
        """A received message: its text form, or its parts (faces stay faces); ``sender``
        in a group or discussion."""
        if isinstance(message, str):
            self.append(ChatEntry(EntryKind.MESSAGE, message, when, False, local_id, sender=sender))
            return
        content = tuple(message)
        self.append(
            ChatEntry(
                EntryKind.MESSAGE,
                render_text(content),
                when,
                False,
                local_id,
                content=content,
                sender=sender,
            )
        )

    def add_outgoing(
        self,
        text: str,
        local_id: int | None,
        state: DeliveryState = DeliveryState.PENDING,
        when: float | None = None,
    ) -> None:
        self.append(
            ChatEntry(
                EntryKind.MESSAGE,
                text,
                time.time() if when is None else when,
                True,
                local_id,
                state,
            )
        )

    def add_system(self, text: str, when: float | None = None) -> None:
        self.append(ChatEntry(EntryKind.SYSTEM, text, time.time() if when is None else when))

    def row_of(self, local_id: int) -> int:
        # The newest messages change state; search from the end.
        for row in range(len(self._entries) - 1, -1, -1):
            if self._entries[row].local_id == local_id:
                return row
        return -1

    def set_state(self, local_id: int, state: DeliveryState) -> bool:
        row = self.row_of(local_id)
        if row < 0:
            self._early_states[local_id] = state
            return False
        self._entries[row].state = state
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [Roles.DELIVERY])
        return True

    def attach_id(self, entry: ChatEntry, local_id: int) -> None:
        """The session gave ``entry`` (sent from this window) its local id; a state
        heard for that id before the entry had it applies now."""
        entry.local_id = local_id
        self._ids.add(local_id)
        early = self._early_states.pop(local_id, None)
        if early is not None:
            entry.state = early

    def replace_id(self, old_id: int, new_id: int) -> None:
        """A resent message got a new local id from the session."""
        row = self.row_of(old_id)
        if row >= 0:
            self._entries[row].local_id = new_id
            self._ids.discard(old_id)
            self._ids.add(new_id)
