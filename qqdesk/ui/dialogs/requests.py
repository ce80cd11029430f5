"""Friend requests: answering one that came in, and telling how mine ended."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.core import AuthMode, Profile

from ..errors import describe_error
from ..icons import face_picture
from ..qtcompat import UIN
from .common import CallRunner, status_label, who
from .profile import ProfileDialog

MAX_REASON_CHARS = 200


class RefuseReasonDialog(QDialog):
    """Asks for an optional reason before refusing a friend request."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Refuse Friend Request"))
        label = QLabel(self.tr("Refuse {name}? You can say why (optional):").format(name=name))
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(MAX_REASON_CHARS)
        self.reason_edit.setPlaceholderText(self.tr("Reason (optional)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        refuse = buttons.addButton(self.tr("Refuse"), QDialogButtonBox.ButtonRole.AcceptRole)
        refuse.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(buttons)
        self.resize(380, self.sizeHint().height())

    def reason(self) -> str:
        return self.reason_edit.text().strip()


class IncomingRequestDialog(QDialog):
    """ "X wants to add you as a friend": view their profile, approve or refuse."""

    # Emitted with (uin, approved) once the answer reached the server.
    answered = Signal(UIN, bool)
    failed = Signal(str)

    def __init__(
        self, session: ChatSession, uin: int, reason: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.uin = uin
        self.request_reason = reason
        self.nick = ""
        self.refuse_dialog: RefuseReasonDialog | None = None
        self._calls = CallRunner(self)
        self._answered = False
        self.setWindowTitle(self.tr("Friend Request"))

        self.face_label = QLabel()
        self.face_label.setFixedSize(56, 56)
        self.face_label.setPixmap(face_picture(0, 56, str(uin), ratio=self.devicePixelRatioF()))
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.headline.font())
        font.setBold(True)
        self.headline.setFont(font)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        names = QVBoxLayout()
        names.addWidget(self.headline)
        names.addWidget(self.details)
        names.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.face_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(8)
        top.addLayout(names, 1)

        caption = QLabel(self.tr("Their message:"))
        self.reason_label = QLabel(reason.strip() or self.tr("(no message)"))
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.reason_label.setMargin(8)
        self.reason_label.setMinimumHeight(48)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.add_back_check = QCheckBox(self.tr("Also add them to my friends"))
        self.add_back_check.setChecked(True)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        self.buttons = QDialogButtonBox()
        self.view_button = QPushButton(self.tr("View Profile"))
        self.later_button = self.buttons.addButton(
            self.tr("Later"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.refuse_button = self.buttons.addButton(
            self.tr("Refuse"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.approve_button = self.buttons.addButton(
            self.tr("Approve"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.approve_button.setDefault(True)
        self.view_button.clicked.connect(self.view_profile)
        self.later_button.clicked.connect(self.reject)
        self.refuse_button.clicked.connect(self.ask_refuse)
        self.approve_button.clicked.connect(self.approve)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(4)
        layout.addWidget(caption)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.add_back_check)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addWidget(self.view_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.resize(500, self.sizeHint().height())
        self._show_who()
        # Apart from _calls: looking up the nickname must not hold up an answer.
        self._lookup = CallRunner(self)
        self._lookup.run(
            self.session.profile(uin, level=2),
            self._on_profile,
            lambda _exc: None,  # the number alone is enough to answer
        )

    def _show_who(self) -> None:
        name = who(self.uin, self.nick)
        self.headline.setText(self.tr("{name} wants to add you as a friend.").format(name=name))
        self.details.setText(self.tr("QQ number: {number}").format(number=self.uin))

    def _on_profile(self, profile: Profile) -> None:
        self.nick = profile.nick
        self.face_label.setPixmap(
            face_picture(profile.face, 56, profile.nick, ratio=self.devicePixelRatioF())
        )
        self._show_who()

    def _set_busy(self, busy: bool) -> None:
        for button in (self.approve_button, self.refuse_button):
            button.setEnabled(not busy and not self._answered)
        self.add_back_check.setEnabled(not busy and not self._answered)

    def view_profile(self) -> ProfileDialog:
        dialog = ProfileDialog(self.session, self.uin, self)
        dialog.show()
        return dialog

    # -- approving -------------------------------------------------------------------

    def approve(self) -> None:
        if self._calls.busy or self._answered:
            return
        self._set_busy(True)
        status_label(self.message, self.tr("Approving…"))
        call = self.session.approve(self.uin)
        self._calls.run(call, self._on_approved, self._on_error)

    def _on_approved(self, _result: object) -> None:
        self._answered = True
        name = who(self.uin, self.nick)
        if self.add_back_check.isChecked():
            status_label(self.message, self.tr("Approved. Adding {name}…").format(name=name))
            call = self.session.add_buddy(self.uin)
            self._calls.run(call, self._on_added_back, self._on_add_back_error)
        else:
            self._finish(self.tr("You approved {name}.").format(name=name), True)

    def _on_added_back(self, mode: AuthMode) -> None:
        name = who(self.uin, self.nick)
        if mode is AuthMode.ANYONE:
            text = self.tr("You approved {name}, and they are now your friend too.")
        elif mode is AuthMode.VERIFY:
            text = self.tr(
                "You approved {name}. To add them too, send them a request from Add Friend."
            )
        else:
            text = self.tr("You approved {name}. They do not accept friend requests themselves.")
        self._finish(text.format(name=name), True)

    def _on_add_back_error(self, exc: BaseException) -> None:
        name = who(self.uin, self.nick)
        text = self.tr("You approved {name}, but adding them failed: {error}")
        self._finish(text.format(name=name, error=describe_error(exc)), True)

    # -- refusing --------------------------------------------------------------------

    def ask_refuse(self) -> RefuseReasonDialog | None:
        """Ask for an optional reason, then refuse (the dialog stays non-blocking)."""
        if self._calls.busy or self._answered:
            return None
        dialog = RefuseReasonDialog(who(self.uin, self.nick), self)
        dialog.accepted.connect(lambda: self.refuse(dialog.reason()))
        dialog.finished.connect(dialog.deleteLater)
        self.refuse_dialog = dialog
        dialog.open()
        return dialog

    def refuse(self, reason: str = "") -> None:
        if self._calls.busy or self._answered:
            return
        self.refuse_dialog = None
        self._set_busy(True)
        status_label(self.message, self.tr("Refusing…"))
        call = self.session.refuse(self.uin, reason)
        self._calls.run(call, self._on_refused, self._on_error)

    def _on_refused(self, _result: object) -> None:
        self._answered = True
        name = who(self.uin, self.nick)
        self._finish(self.tr("You refused {name}.").format(name=name), False)

    # -- both ------------------------------------------------------------------------

    def _finish(self, text: str, approved: bool) -> None:
        status_label(self.message, text, "ok")
        self._set_busy(False)
        self.later_button.setText(self.tr("Close"))
        self.answered.emit(self.uin, approved)

    def _on_error(self, exc: BaseException) -> None:
        text = describe_error(exc)
        status_label(self.message, text, "error")
        self._set_busy(False)
        self.failed.emit(text)


def show_request_result(
    parent: QWidget | None, uin: int, approved: bool, reason: str = "", nick: str = ""
) -> QMessageBox:
    """Tell the user how their friend request to ``uin`` ended (non-blocking)."""
    name = who(uin, nick)
    box = QMessageBox(parent)
    box.setWindowTitle(QCoreApplication.translate("RequestResult", "Friend Request"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    if approved:
        box.setIcon(QMessageBox.Icon.Information)
        box.setText(
            QCoreApplication.translate(
                "RequestResult", "{name} approved your friend request."
            ).format(name=name)
        )
        box.setInformativeText(
            QCoreApplication.translate("RequestResult", "They are now in your friend list.")
        )
    else:
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(
            QCoreApplication.translate(
                "RequestResult", "{name} refused your friend request."
            ).format(name=name)
        )
        if reason.strip():
            box.setInformativeText(
                QCoreApplication.translate("RequestResult", "Reason: {reason}").format(
                    reason=reason.strip()
                )
            )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class RequestsDialog(QDialog):
    """Friend requests still open: theirs (approve or refuse here) and mine (waiting).

    A request dialog closed with Esc or Later leaves the request here, so it can be
    answered whenever the user likes.
    """

    # Emitted with (uin, approved) once an answer reached the server.
    answered = Signal(UIN, bool)

    # Where a row's (number, incoming) is kept.
    RequestRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        session: ChatSession,
        sent: Callable[[], list[tuple[int, str]]],
        name_of: Callable[[int], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._sent = sent
        self._name_of = name_of
        self._calls = CallRunner(self)
        self.setWindowTitle(self.tr("Friend Requests"))
        self.model = QStandardItemModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setHeaderHidden(True)
        self.view.setWordWrap(True)
        self.view.selectionModel().selectionChanged.connect(self._update)
        self.approve_button = QPushButton(self.tr("Approve"))
        self.approve_button.clicked.connect(self.approve)
        self.refuse_button = QPushButton(self.tr("Refuse"))
        self.refuse_button.clicked.connect(self.refuse)
        # Enter must not answer a stranger by accident: only a click does.
        for button in (self.approve_button, self.refuse_button):
            button.setAutoDefault(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.refuse_button)
        actions.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(440, 360)
        self.refresh()

    def refresh(self) -> None:
        """Show the requests as they are now."""
        self.model.clear()
        incoming = [r for r in self.session.add_requests() if r.uin != self.session.uin]
        sent = self._sent()
        for title, rows in (
            (self.tr("They asked to be my friend"), [(r.uin, r.reason, True) for r in incoming]),
            (self.tr("I asked, waiting for their answer"), [(u, "", False) for u, _ in sent]),
        ):
            heading = QStandardItem(f"{title} ({len(rows)})")
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setSelectable(False)
            self.model.appendRow(heading)
            for uin, reason, theirs in rows:
                text = who(uin, self._name_of(uin))
                if reason:
                    text += "\n" + self.tr("Their message: {message}").format(message=reason)
                row = QStandardItem(text)
                row.setData((uin, theirs), self.RequestRole)
                row.setToolTip(text)
                self.model.appendRow(row)
        first_incoming = next(
            (
                self.model.index(row, 0)
                for row in range(self.model.rowCount())
                if self._request_at(row) is not None
            ),
            None,
        )
        if first_incoming is not None:
            self.view.setCurrentIndex(first_incoming)
        self._update()

    def _request_at(self, row: int) -> tuple[int, bool] | None:
        value = self.model.index(row, 0).data(self.RequestRole)
        return value if isinstance(value, tuple) else None

    def selected(self) -> tuple[int, bool] | None:
        """(number, incoming) of the chosen row, if any."""
        rows = self.view.selectionModel().selectedRows()
        return self._request_at(rows[0].row()) if rows else None

    def _update(self) -> None:
        chosen = self.selected()
        theirs = chosen is not None and chosen[1] and not self._calls.busy
        self.approve_button.setEnabled(theirs)
        self.refuse_button.setEnabled(theirs)

    def approve(self) -> None:
        self._answer(approve=True)

    def refuse(self) -> None:
        self._answer(approve=False)

    def _answer(self, *, approve: bool) -> None:
        chosen = self.selected()
        if chosen is None or not chosen[1] or self._calls.busy:
            return
        uin = chosen[0]
        call = self.session.approve(uin) if approve else self.session.refuse(uin)
        self._calls.run(call, lambda _r: self._answered(uin, approve), self._failed)
        self._update()

    def _answered(self, uin: int, approved: bool) -> None:
        name = who(uin, self._name_of(uin))
        text = self.tr("You approved {name}.") if approved else self.tr("You refused {name}.")
        status_label(self.message, text.format(name=name), "ok")
        self.answered.emit(uin, approved)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        status_label(self.message, describe_error(exc), "error")
        self._update()
