"""Add Friend: find people (Finger) or add a number, through every auth mode."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.client.types import FoundUser, SearchResults
from qqdesk.core import MAX_UIN, MIN_UIN, AuthMode, Sex

from ..errors import describe_error
from ..icons import face_picture
from ..qtcompat import UIN
from .common import (
    CallRunner,
    or_dash,
    sex_text,
    status_label,
    status_text,
    who,
)
from .profile import ProfileDialog, parse_uin

# Results asked for per Finger page.
PAGE_SIZE = 20

# Provinces as users write them in profiles (offered as completions only).
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南",
    "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏",
    "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip

# The most a verification message may hold.
MAX_REASON_CHARS = 200


class SearchResultsModel(QAbstractTableModel):
    """Search results as a table: nickname (with face), number, age, sex, province, status."""

    NICK, NUMBER, AGE, SEX, PROVINCE, STATUS = range(6)
    # The FoundUser of a row.
    UserRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FoundUser] = []
        # Numbers already on my list: their rows say so instead of offering a second add.
        self.friends: set[int] = set()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Nickname"),
            self.tr("Number"),
            self.tr("Age"),
            self.tr("Sex"),
            self.tr("Province"),
            self.tr("Status"),
        )
        return titles[section] if 0 <= section < len(titles) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        user = self._rows[index.row()]
        column = index.column()
        if role == self.UserRole:
            return user
        if role == Qt.ItemDataRole.DisplayRole:
            name = user.nick or str(user.uin)
            if user.uin in self.friends:
                name = self.tr("{name} (friend)").format(name=name)
            return (
                name,
                str(user.uin),
                str(user.age) if user.age else or_dash(""),
                sex_text(user.sex),
                or_dash(user.province),
                status_text(user.status.visible),
            )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == self.NICK:
            # Grey when offline, and no badge: the status has its own column.
            return QIcon(face_picture(user.face, 32, user.nick, status=user.status, badge=False))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NUMBER, self.AGE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return who(user.uin, user.nick)
        return None

    def user(self, row: int) -> FoundUser:
        return self._rows[row]

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def append(self, users: list[FoundUser]) -> None:
        known = {u.uin for u in self._rows}
        fresh = [u for u in users if u.uin not in known]
        if not fresh:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()


class VerificationRequestDialog(QDialog):
    """Asks a user who requires verification to approve me (Ack_AddToList CD=2)."""

    sent = Signal(UIN)

    def __init__(
        self,
        session: ChatSession,
        uin: int,
        nick: str = "",
        parent: QWidget | None = None,
        face: int = 0,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.uin = uin
        self.nick = nick
        self._calls = CallRunner(self)
        self.setWindowTitle(self.tr("Verification Required"))

        face_label = QLabel()
        face_label.setPixmap(
            face_picture(face, 48, nick or str(uin), ratio=self.devicePixelRatioF())
        )
        face_label.setFixedSize(48, 48)
        intro = QLabel(
            self.tr("{name} only accepts friends they approve. Tell them who you are:").format(
                name=who(uin, nick)
            )
        )
        intro.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(face_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(intro, 1)

        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlainText(self.tr("I am {name}.").format(name=_own_name(session)))
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.selectAll()
        self.reason_edit.textChanged.connect(self._update)
        self.count_label = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton(
            self.tr("Send Request"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send_button.setDefault(True)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.reason_edit, 1)
        layout.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(420, 260)
        self._update()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _update(self) -> None:
        length = len(self.reason())
        self.count_label.setText(f"{length}/{MAX_REASON_CHARS}")
        self.send_button.setEnabled(length <= MAX_REASON_CHARS and not self._calls.busy)

    def send(self) -> None:
        if self._calls.busy or len(self.reason()) > MAX_REASON_CHARS:
            return
        self.send_button.setEnabled(False)
        self.reason_edit.setReadOnly(True)
        status_label(self.message, self.tr("Sending…"))
        call = self.session.request_buddy(self.uin, self.reason())
        self._calls.run(call, self._on_sent, self._on_error)

    def _on_sent(self, _result: object) -> None:
        self.sent.emit(self.uin)
        self.accept()

    def _on_error(self, exc: BaseException) -> None:
        self.reason_edit.setReadOnly(False)
        status_label(self.message, describe_error(exc), "error")
        self._update()


class AddBuddyDialog(QDialog):
    """QQ's "Find / Add Friend" window."""

    # Emitted with (uin, outcome) after each add: "added", "requested", "refused".
    finished_add = Signal(UIN, str)
    # Emitted when a search page has arrived.
    searched = Signal()
    # Emitted with the error text of any failed call.
    failed = Signal(str)

    def __init__(
        self,
        session: ChatSession,
        parent: QWidget | None = None,
        *,
        friends: Callable[[], Iterable[int]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        # Who is on my list now (the buddy list's friends), asked at each add.
        self._friends = friends or (lambda: ())
        self._calls = CallRunner(self)
        self._criteria: dict[str, Any] = {}
        self._last_page = True
        self.verification_dialog: VerificationRequestDialog | None = None
        self.setWindowTitle(self.tr("Add Friend"))
        self.resize(720, 520)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._search_tab(), self.tr("Find People"))
        self.tabs.addTab(self._number_tab(), self.tr("Add by Number"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self._update_buttons()

    # -- building --------------------------------------------------------------------

    def _search_tab(self) -> QWidget:
        page = QWidget()
        self.age_spin = QSpinBox()
        self.age_spin.setRange(0, 120)
        self.age_spin.setSpecialValueText(self.tr("Any"))
        self.sex_combo = QComboBox()
        self.sex_combo.addItem(self.tr("Any"), None)
        self.sex_combo.addItem(sex_text(Sex.MALE), int(Sex.MALE))
        self.sex_combo.addItem(sex_text(Sex.FEMALE), int(Sex.FEMALE))
        self.province_edit = QLineEdit()
        self.province_edit.setPlaceholderText(self.tr("Any"))
        self.province_edit.setCompleter(QCompleter(list(PROVINCES), self.province_edit))
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)

        criteria = QHBoxLayout()
        for caption, widget in (
            (self.tr("Age:"), self.age_spin),
            (self.tr("Sex:"), self.sex_combo),
            (self.tr("Province:"), self.province_edit),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            criteria.addWidget(label)
            criteria.addWidget(widget, 1 if widget is self.province_edit else 0)
            criteria.addSpacing(8)
        criteria.addWidget(self.search_button)

        self.results = SearchResultsModel(self)
        self.table = QTableView()
        self.table.setModel(self.results)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setIconSize(QSize(28, 28))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SearchResultsModel.NICK, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        header.setHighlightSections(False)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.view_selected())

        self.more_button = QPushButton(self.tr("More"))
        self.more_button.clicked.connect(self.more)
        self.view_button = QPushButton(self.tr("View Profile"))
        self.view_button.clicked.connect(self.view_selected)
        self.add_button = QPushButton(self.tr("Add Friend"))
        self.add_button.clicked.connect(self.add_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.more_button)
        actions.addStretch(1)
        actions.addWidget(self.view_button)
        actions.addWidget(self.add_button)

        layout = QVBoxLayout(page)
        layout.addLayout(criteria)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        return page

    def _number_tab(self) -> QWidget:
        page = QWidget()
        self.number_edit = QLineEdit()
        self.number_edit.setPlaceholderText(self.tr("QQ number"))
        self.number_edit.setValidator(QRegularExpressionValidator(r"\d{0,10}", self))
        self.number_edit.textChanged.connect(self._number_changed)
        # Why Add is greyed out, said where the user looks (kept in place: nothing jumps).
        self.number_hint = QLabel()
        self.number_hint.setObjectName("numberHint")
        self.number_hint.setWordWrap(True)
        policy = self.number_hint.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.number_hint.setSizePolicy(policy)
        self.number_hint.hide()
        self.number_add_button = QPushButton(self.tr("Add Friend"))
        self.number_add_button.clicked.connect(self.add_number)
        self.number_view_button = QPushButton(self.tr("View Profile"))
        self.number_view_button.clicked.connect(self.view_number)
        hint = QLabel(self.tr("Know their QQ number? Type it here to add them directly."))
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Number:"), self.number_edit)
        form.addRow("", self.number_hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.number_view_button)
        buttons.addWidget(self.number_add_button)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def number_problem(self) -> str:
        """Why the typed number cannot be added ("" when it can, or nothing is typed)."""
        text = self.number_edit.text().strip()
        if not text:
            return ""
        if not text.isdigit() or int(text) < MIN_UIN:
            return self.tr("A QQ number has at least 5 digits.")
        if int(text) > MAX_UIN:
            return self.tr("QQ numbers go up to {largest}.").format(largest=MAX_UIN)
        if int(text) == self.session.uin:
            return self.tr("This is your own number. You cannot add yourself as a friend.")
        return ""

    def _number_changed(self, _text: str) -> None:
        # An old outcome ("… is now your friend", an error) is about another number.
        if not self._busy():
            status_label(self.message, "")
        self._update_buttons()

    def _tab_changed(self, index: int) -> None:
        # Enter does what the page is for: search, or add the typed number.
        searching = index == 0
        self.search_button.setDefault(searching)
        self.number_add_button.setDefault(not searching)
        (self.province_edit if searching else self.number_edit).setFocus()

    # -- state -------------------------------------------------------------------------

    def _busy(self) -> bool:
        return self._calls.busy

    def _update_buttons(self) -> None:
        busy = self._busy()
        selected = self._selected_user() is not None
        problem = self.number_problem()
        status_label(self.number_hint, problem, "error")
        number_ok = parse_uin(self.number_edit.text()) is not None
        # A well-formed number can still be refused (my own).
        refused = number_ok and problem != ""
        self.search_button.setEnabled(not busy)
        self.more_button.setEnabled(not busy and not self._last_page and bool(self._criteria))
        self.add_button.setEnabled(not busy and selected)
        self.view_button.setEnabled(selected)
        self.number_add_button.setEnabled(not busy and number_ok and not refused)
        self.number_view_button.setEnabled(number_ok)

    def _start(self, text: str) -> None:
        status_label(self.message, text)
        self._update_buttons()

    def _selected_user(self) -> FoundUser | None:
        rows = self.table.selectionModel().selectedRows()
        return self.results.user(rows[0].row()) if rows else None

    def _fail(self, exc: BaseException) -> None:
        text = describe_error(exc)
        status_label(self.message, text, "error")
        self._update_buttons()
        self.failed.emit(text)

    # -- searching ---------------------------------------------------------------------

    def search(self) -> None:
        """Start a new search with the criteria in the form."""
        if self._busy():
            return
        self._criteria = {
            "age": self.age_spin.value() or None,
            "sex": self.sex_combo.currentData(),
            "province": self.province_edit.text().strip() or None,
        }
        self.results.clear()
        self._last_page = True
        self._fetch(0)

    def more(self) -> None:
        """Fetch the next page of the current search."""
        if not self._busy() and not self._last_page:
            self._fetch(self.results.rowCount())

    def _fetch(self, offset: int) -> None:
        criteria = self._criteria
        sex = criteria["sex"]
        call = self.session.search(
            criteria["age"],
            None if sex is None else Sex(sex),
            criteria["province"],
            offset=offset,
            page_size=PAGE_SIZE,
        )
        self._calls.run(call, self._on_results, self._fail)
        self._start(self.tr("Searching…"))

    def _on_results(self, page: SearchResults) -> None:
        users = page.results
        self._last_page = page.last
        self.results.friends = set(self._friends())
        self.results.append(users)
        for column in range(1, self.results.columnCount()):
            self.table.resizeColumnToContents(column)
        count = self.results.rowCount()
        if count == 0:
            status_label(self.message, self.tr("Nobody matches. Try fewer conditions."))
        elif self._last_page:
            status_label(self.message, self.tr("%n user(s) found.", "", count))
        else:
            status_label(
                self.message,
                self.tr("Showing the first %n user(s). Press More for the rest.", "", count),
            )
        if count and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._update_buttons()
        self.searched.emit()

    # -- profiles ----------------------------------------------------------------------

    def view_selected(self) -> None:
        user = self._selected_user()
        if user is not None:
            self._view(user.uin)

    def view_number(self) -> None:
        uin = parse_uin(self.number_edit.text())
        if uin is not None:
            self._view(uin)

    def _view(self, uin: int) -> ProfileDialog:
        dialog = ProfileDialog(self.session, uin, self)
        dialog.show()
        return dialog

    # -- adding ------------------------------------------------------------------------

    def add_selected(self) -> None:
        user = self._selected_user()
        if user is not None:
            self.add(user.uin, user.nick, user.face)

    def add_number(self) -> None:
        uin = parse_uin(self.number_edit.text())
        if uin is None:
            status_label(self.message, self.tr("Enter a QQ number of 5 to 10 digits."), "error")
            return
        if self.number_problem():
            status_label(self.message, self.number_problem(), "error")
            return
        self.add(uin)

    def add(self, uin: int, nick: str = "", face: int = 0) -> None:
        """Ask the server to add ``uin``; what follows depends on their auth mode."""
        if self._busy():
            return
        if uin == self.session.uin:
            status_label(
                self.message,
                self.tr("This is your own number. You cannot add yourself as a friend."),
                "error",
            )
            return
        if uin in set(self._friends()):
            status_label(
                self.message,
                self.tr("{name} is already your friend.").format(name=who(uin, nick)),
                "ok",
            )
            return
        self._calls.run(self._add(uin, nick, face), self._on_added, self._fail)
        self._start(self.tr("Adding {name}…").format(name=who(uin, nick)))

    async def _add(self, uin: int, nick: str, face: int) -> tuple[int, str, int, AuthMode]:
        session = self.session
        if not nick:
            # Added by number: learn who it is first, so every message can name them
            # (and a wrong number is caught before anything is asked of the server).
            profile = await session.profile(uin, level=2)  # 2: level 1 has no face
            nick, face = profile.nick, profile.face
        mode = await session.add_buddy(uin)
        return uin, nick, face, mode

    def _on_added(self, outcome: tuple[int, str, int, AuthMode]) -> None:
        uin, nick, face, mode = outcome
        name = who(uin, nick)
        if mode == AuthMode.ANYONE:
            status_label(
                self.message, self.tr("{name} is now your friend.").format(name=name), "ok"
            )
            self.finished_add.emit(uin, "added")
        elif mode == AuthMode.VERIFY:
            status_label(self.message, self.tr("{name} asks who you are.").format(name=name))
            dialog = VerificationRequestDialog(self.session, uin, nick, self, face=face)
            dialog.sent.connect(lambda _uin: self._on_requested(uin, nick))
            dialog.rejected.connect(lambda: self._on_request_cancelled(uin, nick))
            dialog.finished.connect(dialog.deleteLater)
            self.verification_dialog = dialog
            dialog.open()
        else:
            status_label(
                self.message,
                self.tr("{name} does not accept friend requests.").format(name=name),
                "error",
            )
            self.finished_add.emit(uin, "refused")
        self._update_buttons()

    def _on_requested(self, uin: int, nick: str) -> None:
        self.verification_dialog = None
        status_label(
            self.message,
            self.tr("Request sent to {name}. Waiting for their approval.").format(
                name=who(uin, nick)
            ),
            "ok",
        )
        self.finished_add.emit(uin, "requested")

    def _on_request_cancelled(self, uin: int, nick: str) -> None:
        self.verification_dialog = None
        status_label(
            self.message,
            self.tr("No request was sent to {name}.").format(name=who(uin, nick)),
        )


def _own_name(session: ChatSession) -> str:
    return session.nick or str(session.uin)
