"""The sign-in dialog: number, password, "Remember me" (system keyring), status and server."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qqdesk.protocol import Status

from . import icons
from .chat import status_words
from .tasks import spawn

log = logging.getLogger(__name__)

KEYRING_SERVICE = "qqdesk"
DEFAULT_SERVER = "127.0.0.1:8000"

SessionFactory = Callable[[str, int, str], Any]


class PasswordStore:
    """The system keyring, or nothing when the box has no usable backend."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self.service = service
        self.problem = ""
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
                self.problem = "no keyring backend"
            self._keyring: Any = keyring
        except Exception as exc:  # keyring import itself can fail on odd systems
            self.problem = str(exc) or exc.__class__.__name__
            self._keyring = None

    @property
    def available(self) -> bool:
        return not self.problem

    def get(self, uin: int) -> str | None:
        if not self.available:
            return None
        try:
            value = self._keyring.get_password(self.service, str(uin))
        except Exception as exc:
            self.problem = str(exc) or exc.__class__.__name__
            return None
        return value if isinstance(value, str) else None

    def set(self, uin: int, password: str) -> bool:
        if not self.available:
            return False
        try:
            self._keyring.set_password(self.service, str(uin), password)
        except Exception as exc:
            self.problem = str(exc) or exc.__class__.__name__
            return False
        return True

    def forget(self, uin: int) -> None:
        if not self.available:
            return
        with contextlib.suppress(Exception):
            self._keyring.delete_password(self.service, str(uin))


def server_url(text: str) -> str:
    """``host:port`` (or a URL) as the URL the session wants; port 8000 when left out."""
    text = text.strip() or DEFAULT_SERVER
    if "://" in text:
        return text.rstrip("/")
    if ":" not in text.rsplit("]", 1)[-1]:
        text += ":8000"
    return "http://" + text


def default_session_factory(url: str, uin: int, password: str) -> Any:
    from qqdesk.client import AccountSession

    return AccountSession(url, uin, password)


def login_error_text(exc: BaseException) -> str:
    """Words for why signing in failed: wrong password, no such number, no server..."""
    from PySide6.QtCore import QCoreApplication

    def tr(text: str) -> str:
        return QCoreApplication.translate("LoginDialog", text)

    names = " ".join(c.__name__.lower() for c in type(exc).__mro__)
    message = str(exc).lower()
    if "password" in names or "wrong password" in message or "authentication" in names:
        return tr("Wrong password. Check it and try again.")
    if "nosuch" in names or "no such" in message or "unknown number" in message:
        return tr("There is no account with this number.")
    if "toofrequent" in names or "too frequent" in message or "too many" in message:
        return tr("Too many attempts. Wait a little and try again.")
    if (
        isinstance(exc, OSError | TimeoutError)
        or "connect" in names
        or "timeout" in names
        or "unreachable" in names
        or "transport" in names
        or "network" in names
    ):
        return tr("Cannot reach the server. Check the address and that the server is running.")
    return tr("Could not sign in: {reason}").format(reason=str(exc) or type(exc).__name__)


class LoginDialog(QDialog):
    """Sign in. On success ``loggedIn(session)`` is emitted and the dialog accepts.

    Pages live in a QStackedWidget so other pages (create account) can be added.
    """

    loggedIn = Signal(object)

    def __init__(
        self,
        settings: Any | None = None,
        parent: QWidget | None = None,
        *,
        session_factory: SessionFactory | None = None,
        passwords: PasswordStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session_factory = session_factory or default_session_factory
        self.passwords = passwords if passwords is not None else PasswordStore()
        self.session: Any | None = None
        self._task: Any | None = None
        self.setWindowTitle(self.tr("Sign in to qqdesk"))
        self.setWindowIcon(icons.app_icon())
        self.setMinimumWidth(360)

        self.pages = QStackedWidget()
        self.sign_in_page = QWidget()
        self.pages.addWidget(self.sign_in_page)

        logo = QLabel()
        logo.setPixmap(icons.app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel(self.tr("qqdesk"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("number")
        self.number_edit.setPlaceholderText(self.tr("Your QQ number"))
        self.number_edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,10}"), self)
        )
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.remember_check = QCheckBox(self.tr("&Remember me"))
        if not self.passwords.available:
            self.remember_check.setEnabled(False)
            self.remember_check.setToolTip(
                self.tr("No system keyring is available, so the password cannot be kept.")
            )
        else:
            self.remember_check.setToolTip(
                self.tr("Keep the password in the system keyring (never in a file).")
            )
        self.status_combo = QComboBox()
        for status in (Status.ONLINE, Status.BUSY, Status.INVISIBLE):
            self.status_combo.addItem(icons.status_icon(status), status_words(status), int(status))
        self.server_edit = QLineEdit()
        self.server_edit.setObjectName("server")
        self.server_edit.setPlaceholderText(DEFAULT_SERVER)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Number:"), self.number_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow("", self.remember_check)
        form.addRow(self.tr("&Status:"), self.status_combo)
        form.addRow(self.tr("Se&rver:"), self.server_edit)

        self.error_label = QLabel()
        self.error_label.setObjectName("loginError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()

        page = QVBoxLayout(self.sign_in_page)
        page.addWidget(logo)
        page.addWidget(heading)
        page.addSpacing(8)
        page.addLayout(form)
        page.addWidget(self.error_label)
        page.addWidget(self.progress)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("&Sign in"))
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addLayout(bottom)

        self.number_edit.textChanged.connect(self._number_changed)
        self.password_edit.textChanged.connect(lambda _: self.error_label.hide())
        self._load_settings()

    def _load_settings(self) -> None:
        server = DEFAULT_SERVER
        if self.settings is not None:
            server = str(getattr(self.settings, "server", "") or DEFAULT_SERVER)
            last = getattr(self.settings, "last_uin", None)
            if last:
                self.number_edit.setText(str(last))
        self.server_edit.setText(server)
        if self.number_edit.text():
            self.password_edit.setFocus()
        else:
            self.number_edit.setFocus()

    def _number_changed(self, text: str) -> None:
        self.error_label.hide()
        if not text.isdigit() or not self.passwords.available:
            return
        remember = bool(getattr(self.settings, "remember_password", False))
        stored = self.passwords.get(int(text)) if remember else None
        if stored:
            self.password_edit.setText(stored)
            self.remember_check.setChecked(True)

    def chosen_status(self) -> Status:
        return Status(int(self.status_combo.currentData()))

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (
            self.number_edit,
            self.password_edit,
            self.status_combo,
            self.server_edit,
            self.sign_in_button,
        ):
            widget.setEnabled(not busy)
        self.remember_check.setEnabled(not busy and self.passwords.available)

    def sign_in(self) -> None:
        number = self.number_edit.text().strip()
        password = self.password_edit.text()
        if not number.isdigit() or int(number) < 10000:
            self.show_error(self.tr("Enter your QQ number (5 digits or more)."))
            self.number_edit.setFocus()
            return
        if not password:
            self.show_error(self.tr("Enter your password."))
            self.password_edit.setFocus()
            return
        uin = int(number)
        url = server_url(self.server_edit.text())
        self.error_label.hide()
        self._set_busy(True)
        try:
            session = self.session_factory(url, uin, password)
        except Exception as exc:
            self._set_busy(False)
            self.show_error(login_error_text(exc))
            return
        status = self.chosen_status()

        async def login() -> Any:
            await session.login()
            if status is not Status.ONLINE:
                await session.set_status(status)
            return session

        self._task = spawn(login(), on_done=self._signed_in, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        log.info("sign-in failed: %r", exc)
        self.show_error(login_error_text(exc))
        self.password_edit.setFocus()
        self.password_edit.selectAll()

    def _signed_in(self, session: Any) -> None:
        self._task = None
        self._set_busy(False)
        self.session = session
        uin = int(self.number_edit.text())
        remember = self.remember_check.isChecked() and self.passwords.available
        if remember:
            remember = self.passwords.set(uin, self.password_edit.text())
        else:
            self.passwords.forget(uin)
        if self.settings is not None:
            with contextlib.suppress(Exception):
                self.settings.last_uin = uin
                self.settings.server = self.server_edit.text().strip() or DEFAULT_SERVER
                self.settings.remember_password = remember
                self.settings.save()
        self.loggedIn.emit(session)
        self.accept()

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
            self._set_busy(False)
        super().reject()
