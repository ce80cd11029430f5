"""Dialogs for groups and discussions (choose buddies) and for approving a web sign-in."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession

from ..errors import describe_error
from ..tasks import spawn
from .common import status_label

log = logging.getLogger(__name__)

#: A web sign-in code: letters and digits as shown beside the QR (e.g. ABCD2345).
CODE_PATTERN = r"[A-Za-z0-9]{4,16}"


class ChooseBuddiesDialog(QDialog):
    """Tick buddies (and, to create a room, give it a name)."""

    def __init__(
        self,
        title: str,
        buddies: Sequence[tuple[int, str]],
        *,
        ask_name: bool,
        name_label: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.ask_name = ask_name
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("roomName")
        self.name_edit.setMaxLength(60)
        self.name_edit.textChanged.connect(self._update_ok)
        self.model = QStandardItemModel(self)
        for uin, name in buddies:
            item = QStandardItem(f"{name} ({uin})" if name != str(uin) else str(uin))
            item.setData(uin, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            self.model.appendRow(item)
        self.model.itemChanged.connect(self._update_ok)
        self.list = QListView()
        self.list.setObjectName("buddyChoice")
        self.list.setModel(self.model)
        self.hint = QLabel(self.tr("Choose the friends to take part:"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if ask_name:
            form = QFormLayout()
            form.addRow(name_label or self.tr("Name:"), self.name_edit)
            layout.addLayout(form)
        else:
            self.name_edit.hide()
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        if not buddies:
            layout.addWidget(QLabel(self.tr("There is nobody to choose.")))
        layout.addWidget(self.buttons)
        self.resize(340, 420)
        self._update_ok()

    def set_checked(self, uins: Sequence[int]) -> None:
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in uins:
                item.setCheckState(Qt.CheckState.Checked)

    def chosen(self) -> list[int]:
        return [
            int(self.model.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.model.rowCount())
            if self.model.item(row).checkState() == Qt.CheckState.Checked
        ]

    def name(self) -> str:
        return self.name_edit.text().strip()

    def _update_ok(self, *_: Any) -> None:
        ok = bool(self.chosen()) and (not self.ask_name or bool(self.name()))
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if button is not None:
            button.setEnabled(ok)


class WebLoginDialog(QDialog):
    """Type the code shown beside a QR sign-in, then approve it (to my account) or refuse."""

    #: a sign-in was decided (code, approved)
    decided = Signal(str, bool)

    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(self.tr("Approve a web sign-in"))
        explain = QLabel(
            self.tr(
                "A web QQ client that shows a QR picture also shows a code beside it. "
                "Type that code to let the client sign in as you, or to refuse it. "
                "Approve only a sign-in you started yourself."
            )
        )
        explain.setWordWrap(True)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("webLoginCode")
        self.code_edit.setPlaceholderText("ABCD2345")
        self.code_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(CODE_PATTERN), self)
        )
        self.code_edit.textChanged.connect(self._update_buttons)
        self.pending_label = QLabel()
        self.pending_label.setObjectName("webLoginPending")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.approve_button = QPushButton(self.tr("&Approve"))
        self.approve_button.setObjectName("approveWebLogin")
        self.refuse_button = QPushButton(self.tr("&Refuse"))
        self.refuse_button.setObjectName("refuseWebLogin")
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.refuse_button.clicked.connect(lambda: self.decide(False))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.approve_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.refuse_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Code:"), self.code_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.pending_label)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        # A wrapped label needs its width first to know its height.
        explain.setMinimumWidth(400)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self._update_buttons()
        spawn(self.session.web_logins(), on_done=self._show_pending, on_error=lambda _e: None)

    def _show_pending(self, logins: list[Any]) -> None:
        if not logins:
            self.pending_label.setText(self.tr("No web sign-in is waiting right now."))
            return
        newest = max(login.created for login in logins)
        self.pending_label.setText(
            self.tr("{count} web sign-in(s) waiting; the newest since {time}.").format(
                count=len(logins), time=datetime.fromtimestamp(newest).strftime("%H:%M:%S")
            )
        )

    def _update_buttons(self, *_: Any) -> None:
        ok = self.code_edit.hasAcceptableInput()
        self.approve_button.setEnabled(ok)
        self.refuse_button.setEnabled(ok)

    def decide(self, approve: bool) -> None:
        code = self.code_edit.text().strip().upper()
        if not self.code_edit.hasAcceptableInput():
            return
        self.approve_button.setEnabled(False)
        self.refuse_button.setEnabled(False)

        def done(_: Any) -> None:
            self.decided.emit(code, approve)
            text = (
                self.tr("Approved: the sign-in with code {code} is now signed in as you.")
                if approve
                else self.tr("Refused: the sign-in with code {code} cannot sign in.")
            ).format(code=code)
            status_label(self.status, text, "ok")
            self.code_edit.clear()

        def failed(exc: BaseException) -> None:
            status_label(self.status, describe_error(exc), "error")
            self._update_buttons()

        spawn(self.session.approve_web_login(code, approve), on_done=done, on_error=failed)


class WebLoginNotice(QMessageBox):
    """A QR sign-in is waiting: approve or refuse it now (or later, from the menu)."""

    #: decided (code, approved)
    decided = Signal(str, bool)

    def __init__(self, session: ChatSession, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.code = code
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(self.tr("Web sign-in waiting"))
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(
            self.tr(
                "A web QQ client is waiting to sign in. Its QR picture shows the code {code}."
            ).format(code=code)
        )
        self.setInformativeText(
            self.tr("Approve only if you started it yourself: it will sign in as you.")
        )
        self.approve_button = self.addButton(self.tr("Approve"), QMessageBox.ButtonRole.YesRole)
        self.refuse_button = self.addButton(self.tr("Refuse"), QMessageBox.ButtonRole.NoRole)
        self.later_button = self.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.later_button)
        self.setEscapeButton(self.later_button)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: Any) -> None:
        # The box hides on a click; it lives until the server answered (then goes).
        if button is self.later_button:
            self.deleteLater()
            return
        approve = button is self.approve_button
        code = self.code

        def done(_: Any) -> None:
            self.decided.emit(code, approve)
            self.deleteLater()

        def failed(exc: BaseException) -> None:
            log.warning("web sign-in %s: %s", code, exc)
            self.deleteLater()

        spawn(self.session.approve_web_login(code, approve), on_done=done, on_error=failed)
