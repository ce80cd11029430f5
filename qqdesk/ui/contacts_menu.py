"""What the buddy tree's menus offer for keeping my list: a buddy's remark, moving a buddy
to a category, and making, renaming and deleting categories."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox, QWidget

from qqdesk.client.api import ChatSession
from qqdesk.core import DEFAULT_CATEGORY, MAX_CATEGORY_NAME, MAX_REMARK, Category

from .models import BuddyTreeModel, Roles
from .tasks import spawn


class ContactsEditor(QObject):
    """Asks for remarks and category names, tells the session, and shows its answer in
    the tree (the server's word: a remark as it kept it, the categories as they are)."""

    def __init__(
        self,
        session: ChatSession,
        model: BuddyTreeModel,
        parent: QWidget,
        on_error: Callable[[BaseException], None],
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._model = model
        self._window = parent
        self._on_error = on_error
        model.buddyDropped.connect(self.move)

    # -- menus ----------------------------------------------------------------------------

    def add_buddy_actions(self, menu: QMenu, uin: int) -> None:
        """ "Set remark…" and "Move to ▸" for a friend."""
        buddy = self._model.buddy_item(uin)
        if buddy is None or self._model.index_of(uin).data(Roles.CATEGORY) is None:
            return  # a stranger: neither is kept for them
        remark = menu.addAction(self.tr("Set re&mark…"))
        remark.triggered.connect(lambda: self.ask_remark(uin))
        move = menu.addMenu(self.tr("Mo&ve to"))
        for category in self._model.categories():
            action = move.addAction(self.title(category))
            action.setCheckable(True)
            here = category.index == buddy.category
            action.setChecked(here)
            action.setEnabled(not here)
            action.triggered.connect(lambda _checked=False, i=category.index: self.move(uin, i))
        move.addSeparator()
        new = move.addAction(self.tr("&New category…"))
        new.triggered.connect(lambda: self.ask_new_category(uin))

    def category_menu(self, index: int) -> QMenu:
        """Rename, Delete and Move up/down (not the default one), New category — on a
        category's header."""
        menu = QMenu(self._window)
        rename = menu.addAction(self.tr("&Rename…"))
        rename.triggered.connect(lambda: self.ask_rename(index))
        if index != DEFAULT_CATEGORY:
            delete = menu.addAction(self.tr("&Delete…"))
            delete.triggered.connect(lambda: self.confirm_delete(index))
            order = [c.index for c in self._model.categories()[1:]]
            place = order.index(index) if index in order else -1
            up = menu.addAction(self.tr("Move &up"))
            up.setEnabled(place > 0)
            up.triggered.connect(lambda: self.shift(index, -1))
            down = menu.addAction(self.tr("Move do&wn"))
            down.setEnabled(0 <= place < len(order) - 1)
            down.triggered.connect(lambda: self.shift(index, 1))
        menu.addSeparator()
        new = menu.addAction(self.tr("&New category…"))
        new.triggered.connect(lambda: self.ask_new_category())
        return menu

    def title(self, category: Category) -> str:
        return category.name or self.tr("My friends")

    # -- asking ---------------------------------------------------------------------------

    def _ask(self, title: str, label: str, text: str, limit: int) -> QInputDialog:
        dialog = QInputDialog(self._window)
        dialog.setObjectName("contactsInput")
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        dialog.setTextValue(text)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        edit = dialog.findChild(QLineEdit)
        if edit is not None:
            edit.setMaxLength(limit)
        dialog.open()
        return dialog

    def ask_remark(self, uin: int) -> QInputDialog:
        buddy = self._model.buddy_item(uin)
        nick = (buddy.nick if buddy else "") or str(uin)
        dialog = self._ask(
            self.tr("Set remark"),
            self.tr("Your name for {nick} ({uin}); empty shows the nickname:").format(
                nick=nick, uin=uin
            ),
            buddy.remark if buddy else "",
            MAX_REMARK,
        )
        dialog.textValueSelected.connect(lambda text: self.set_remark(uin, text))
        return dialog

    def ask_new_category(self, moving: int | None = None) -> QInputDialog:
        """Ask for a name; a new category by it (with the friend ``moving`` in it)."""
        dialog = self._ask(
            self.tr("New category"), self.tr("Name of the category:"), "", MAX_CATEGORY_NAME
        )
        dialog.textValueSelected.connect(lambda text: self.create_category(text, moving))
        return dialog

    def ask_rename(self, index: int) -> QInputDialog:
        current = next((c for c in self._model.categories() if c.index == index), None)
        dialog = self._ask(
            self.tr("Rename category"),
            self.tr("New name:"),
            self.title(current) if current else "",
            MAX_CATEGORY_NAME,
        )
        dialog.textValueSelected.connect(lambda text: self.rename(index, text))
        return dialog

    def confirm_delete(self, index: int) -> QMessageBox:
        current = next((c for c in self._model.categories() if c.index == index), None)
        name = self.title(current) if current else str(index)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete category"),
            self.tr("Delete the category {name}? Its friends move to {default}.").format(
                name=name, default=self.title(self._model.categories()[0])
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setObjectName("deleteCategory")
        box.setTextFormat(Qt.TextFormat.PlainText)  # names are the user's: text only
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Delete"))
        box.accepted.connect(lambda: self.delete(index))
        box.open()
        return box

    # -- doing ----------------------------------------------------------------------------

    def set_remark(self, uin: int, remark: str) -> None:
        def done(kept: str) -> None:
            self._model.update_buddy(uin, remark=kept)

        spawn(self._session.set_remark(uin, remark), on_done=done, on_error=self._on_error)

    def create_category(self, name: str, moving: int | None = None) -> None:
        if not name.strip():
            return

        def done(made: Category) -> None:
            self._model.set_categories([*self._model.categories(), made])
            if moving is not None:
                self.move(moving, made.index)

        spawn(self._session.create_category(name), on_done=done, on_error=self._on_error)

    def rename(self, index: int, name: str) -> None:
        if name.strip():
            self._changed(self._session.rename_category(index, name))

    def delete(self, index: int) -> None:
        self._changed(self._session.delete_category(index))

    def move(self, uin: int, index: int) -> None:
        def done(_: Any) -> None:
            self._model.move_to_category(uin, index)

        spawn(self._session.move_buddy(uin, index), on_done=done, on_error=self._on_error)

    def shift(self, index: int, by: int) -> None:
        """Move a category up (-1) or down (1) in my order (the default one stays first)."""
        order = [c.index for c in self._model.categories()[1:]]
        if index not in order:
            return
        place = order.index(index)
        target = place + by
        if not 0 <= target < len(order):
            return
        order[place], order[target] = order[target], order[place]
        self._changed(self._session.order_categories(order))

    def _changed(self, call: Coroutine[Any, Any, list[Category]]) -> None:
        spawn(call, on_done=self._model.set_categories, on_error=self._on_error)
