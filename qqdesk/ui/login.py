"""The sign-in dialog: number, password, "Remember me" (keyring), status, server, new accounts."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
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

# MIN_PASSWORD: the shortest password a new account takes (the library's rule too)
from qqdesk.core import MIN_PASSWORD, Presence

from . import icons
from .chat import status_words
from .errors import describe_error
from .settings import BUILTIN_SERVER
from .tasks import spawn

if TYPE_CHECKING:
    # Only for hints: the client (and httpx) load when a session is made.
    from qqdesk.client.api import ChatSession

    from .proxy import ProxyDialog

log = logging.getLogger(__name__)

KEYRING_SERVICE = "qqdesk"
DEFAULT_SERVER = "127.0.0.1:8000"
# Longest nickname the create-account page takes (the classic clients show about this much).
MAX_NICK = 24

#: ``factory(url, uin, password)``, and ``proxy=`` when the account has one (ui/proxy.py).
SessionFactory = Callable[..., "ChatSession"]


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
    """``host:port`` (or an http:// or https:// URL) as the URL the session wants; port
    8000 when left out of ``host``, the scheme's own in a URL (https: 443)."""
    text = text.strip() or DEFAULT_SERVER
    if "://" in text:
        return text.rstrip("/")
    if ":" not in text.rsplit("]", 1)[-1]:
        text += ":8000"
    return "http://" + text


#: Names a PEM file of authorities to trust for https:// servers instead of the system's
#: (a server with a self-signed certificate: its certificate file).
CA_FILE_VARIABLE = "QQDESK_CA_FILE"


def default_session_factory(
    url: str, uin: int, password: str, proxy: str | None = None
) -> ChatSession:
    from qqdesk.client import AccountSession

    return AccountSession(
        url, uin, password, proxy=proxy, ca_file=os.environ.get(CA_FILE_VARIABLE) or None
    )


def make_session(
    factory: SessionFactory, settings: Any | None, url: str, uin: int, password: str
) -> ChatSession:
    """A session for ``uin`` at ``url``, through the account's proxy when it has one."""
    from .proxy import proxy_url  # the proxy page uses this module's PasswordStore

    proxy = proxy_url(settings, uin)
    if proxy is None:
        return factory(url, uin, password)
    return factory(url, uin, password, proxy=proxy)


# The server choice's items.
BUILTIN, OTHER = 0, 1


class LoginDialog(QDialog):
    """Sign in. On success ``loggedIn(session)`` is emitted and the dialog accepts.

    The server is either the built-in one (the app starts it and hands it over with
    :meth:`set_builtin`; ``builtinRequested`` asks for it) or another host:port. With
    the built-in server a second page creates an account on it.
    """

    loggedIn = Signal(object)
    # The user chose the built-in server and the dialog has none yet.
    builtinRequested = Signal()

    def __init__(
        self,
        settings: Any | None = None,
        parent: QWidget | None = None,
        *,
        session_factory: SessionFactory | None = None,
        passwords: PasswordStore | None = None,
        offer_builtin: bool = False,
        signed_in: Callable[[], Collection[int]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        # The numbers signed in already: the dialog then adds an account beside them.
        self.signed_in = signed_in
        self._ready = False
        # Whether the built-in server is a choice (the app runs one); else host:port only.
        self.offer_builtin = offer_builtin
        self.session_factory = session_factory or default_session_factory
        self.passwords = passwords if passwords is not None else PasswordStore()
        self.session: ChatSession | None = None
        self._task: Any | None = None
        # The running built-in server (qqdesk.builtin.BuiltinServer), once started.
        self.builtin: Any | None = None
        self._builtin_problem = ""
        # The "other server" text, kept while the field shows the built-in address.
        self._other_server = DEFAULT_SERVER
        self.setWindowTitle(self._title())
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
        for status in (Presence.ONLINE, Presence.BUSY, Presence.HIDDEN):
            self.status_combo.addItem(icons.status_icon(status), status_words(status), status.value)
        self.server_choice = QComboBox()
        self.server_choice.setObjectName("serverChoice")
        self.server_choice.addItem(self.tr("Built-in server on this computer"))
        self.server_choice.addItem(self.tr("Other server (host:port)"))
        self.server_choice.setVisible(offer_builtin)
        self.server_edit = QLineEdit()
        self.server_edit.setObjectName("server")
        self.server_edit.setPlaceholderText(DEFAULT_SERVER)
        self.create_link = QPushButton(self.tr("&Create an account on this computer..."))
        self.create_link.setObjectName("createAccount")
        self.create_link.setFlat(True)
        self.create_link.setAutoDefault(False)
        self.create_link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.create_link.clicked.connect(self.show_create_page)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Number:"), self.number_edit)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow("", self.remember_check)
        form.addRow(self.tr("&Status:"), self.status_combo)
        server_box = QWidget()
        server_column = QVBoxLayout(server_box)
        server_column.setContentsMargins(0, 0, 0, 0)
        server_column.addWidget(self.server_choice)
        server_column.addWidget(self.server_edit)
        server_label = QLabel(self.tr("Se&rver:"))
        server_label.setBuddy(self.server_choice if offer_builtin else self.server_edit)
        form.addRow(server_label, server_box)

        self.error_label = QLabel()
        self.error_label.setObjectName("loginError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        self.info_label = QLabel()
        self.info_label.setObjectName("loginInfo")
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info_label.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()

        # Notes, errors and the busy bar come and go below the fields in space kept for
        # them (two lines of error), so nothing the user is about to click moves.
        for widget in (self.create_link, self.error_label, self.progress):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        self.error_label.setMinimumHeight(2 * self.error_label.fontMetrics().lineSpacing())
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        page = QVBoxLayout(self.sign_in_page)
        page.addWidget(logo)
        page.addWidget(heading)
        page.addSpacing(8)
        page.addLayout(form)
        page.addWidget(self.create_link, 0, Qt.AlignmentFlag.AlignLeft)
        page.addWidget(self.info_label)
        page.addWidget(self.error_label)
        page.addWidget(self.progress)
        page.addStretch(1)

        self.create_page = self._build_create_page()
        self.pages.addWidget(self.create_page)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton(self.tr("&Sign in"))
        self.sign_in_button.setDefault(True)
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # An auto-default Cancel takes the default while Sign in is disabled during a
        # try, and keeps it: Enter to retry would then quit the app.
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        # Some networks reach no server without one; it is kept per account number.
        self.proxy_button = QPushButton(self.tr("Pro&xy…"))
        self.proxy_button.setObjectName("proxyButton")
        self.proxy_button.setAutoDefault(False)
        self.proxy_button.setToolTip(self.tr("A proxy for this number (HTTP or SOCKS5)"))
        self.proxy_button.clicked.connect(self.show_proxy)
        bottom = QHBoxLayout()
        bottom.addWidget(self.proxy_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addLayout(bottom)

        self.number_edit.textChanged.connect(self._number_changed)
        self.password_edit.textChanged.connect(lambda _: self.error_label.hide())
        self._load_settings()
        self.server_choice.currentIndexChanged.connect(self._server_chosen)
        self._show_server()
        self.show_sign_in_page()
        self._ready = True

    def _adding(self) -> bool:
        return self.signed_in is not None and bool(self.signed_in())

    def _title(self) -> str:
        if self._adding():
            return self.tr("Add an account to qqdesk")
        return self.tr("Sign in to qqdesk")

    def _build_create_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel(self.tr("Create an account"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        explain = QLabel(
            self.tr(
                "The account is made on the built-in server of this computer. "
                "You get a new QQ number to sign in with."
            )
        )
        explain.setWordWrap(True)
        self.nick_edit = QLineEdit()
        self.nick_edit.setObjectName("newNick")
        self.nick_edit.setMaxLength(MAX_NICK)
        self.nick_edit.setPlaceholderText(self.tr("The name your friends see"))
        self.new_password_edit = QLineEdit()
        self.new_password_edit.setObjectName("newPassword")
        self.new_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Said before the user types, not only after a refusal.
        self.new_password_edit.setPlaceholderText(
            self.tr("At least {count} characters").format(count=MIN_PASSWORD)
        )
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("confirmPassword")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Nickname:"), self.nick_edit)
        form.addRow(self.tr("Pass&word:"), self.new_password_edit)
        form.addRow(self.tr("&Again:"), self.confirm_edit)
        self.create_error = QLabel()
        self.create_error.setObjectName("createError")
        self.create_error.setWordWrap(True)
        self.create_error.setStyleSheet("color: #c62828;")
        self.create_error.hide()
        self.create_button = QPushButton(self.tr("C&reate Account"))
        self.create_button.setObjectName("createButton")
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.create_account)
        self.back_button = QPushButton(self.tr("&Back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.show_sign_in_page)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        for edit in (self.nick_edit, self.new_password_edit, self.confirm_edit):
            edit.textChanged.connect(lambda _: self.create_error.hide())
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(explain)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.create_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _load_settings(self) -> None:
        server = DEFAULT_SERVER
        builtin = True
        if self.settings is not None:
            server = str(getattr(self.settings, "server", "") or DEFAULT_SERVER)
            builtin = bool(getattr(self.settings, "use_builtin_server", True))
            last = getattr(self.settings, "last_uin", None)
            if last and not self._adding():
                self.number_edit.setText(str(last))
        builtin = builtin and self.offer_builtin
        self._other_server = server
        self.server_choice.setCurrentIndex(BUILTIN if builtin else OTHER)
        if self.number_edit.text():
            self.password_edit.setFocus()
        else:
            self.number_edit.setFocus()

    # -- the server choice -----------------------------------------------------------

    def builtin_chosen(self) -> bool:
        return self.server_choice.currentIndex() == BUILTIN

    def use_other_server(self, address: str) -> None:
        """Choose "other server" with ``address`` (``--server`` on the command line)."""
        self._other_server = address
        self.server_choice.setCurrentIndex(OTHER)
        self._show_server()

    def set_builtin(self, builtin: Any) -> None:
        """The built-in server listens now; show its address (and a moved port)."""
        self.builtin = builtin
        self._builtin_problem = ""
        self._show_server()

    def builtin_failed(self, exc: BaseException) -> None:
        self._builtin_problem = str(exc) or type(exc).__name__
        self._show_server()

    def _server_chosen(self, index: int) -> None:
        if index == OTHER:
            self.server_edit.setText(self._other_server)
        elif not self.server_edit.isReadOnly():
            # Leaving "other server": keep what was typed for coming back.
            self._other_server = self.server_edit.text().strip() or DEFAULT_SERVER
        self.error_label.hide()
        self._show_server()
        if index == BUILTIN and self.builtin is None:
            self.builtinRequested.emit()

    def _show_server(self) -> None:
        builtin = self.builtin_chosen()
        self.server_edit.setReadOnly(builtin)
        self.create_link.setVisible(builtin)
        self.create_link.setEnabled(builtin and self.builtin is not None)
        notes: list[str] = []
        if builtin:
            if self.builtin is not None:
                self.server_edit.setText(self.builtin.address)
                if self.builtin.port_changed:
                    notes.append(self.builtin.notice)
                if self.builtin.lan_urls:
                    notes.append(
                        self.tr("Other computers can connect to: {addresses}").format(
                            addresses=", ".join(self.builtin.lan_urls)
                        )
                    )
            elif self._builtin_problem:
                self.server_edit.clear()
                notes.append(
                    self.tr("The built-in server could not start: {reason}").format(
                        reason=self._builtin_problem
                    )
                )
            else:
                self.server_edit.clear()
                self.server_edit.setPlaceholderText(self.tr("Starting..."))
        else:
            self.server_edit.setPlaceholderText(DEFAULT_SERVER)
            if not self.server_edit.text():
                self.server_edit.setText(self._other_server)
        self.info_label.setText("\n".join(notes))
        self.info_label.setVisible(bool(notes))
        self._fit()

    def _fit(self) -> None:
        # A shown note must push the dialog taller, not squeeze the fields.
        if not self.isVisible():
            return  # before the first show the layout sizes the dialog itself
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _server_address(self) -> str | None:
        """The URL to sign in to, or None (with the reason shown) when there is none yet."""
        if not self.builtin_chosen():
            return server_url(self.server_edit.text())
        if self.builtin is not None:
            return str(self.builtin.url)
        if self._builtin_problem:
            self.show_error(self.tr("The built-in server could not start. Choose another server."))
        else:
            self.show_error(self.tr("The built-in server is still starting. Try again."))
        return None

    # -- the create-account page ---------------------------------------------------

    def show_create_page(self) -> None:
        if self.builtin is None:
            return
        self.error_label.hide()
        self.create_error.hide()
        self.pages.setCurrentWidget(self.create_page)
        self.buttons.hide()
        self.sign_in_button.setDefault(False)
        self.create_button.setAutoDefault(True)
        self.create_button.setDefault(True)
        self.nick_edit.setFocus()

    def show_sign_in_page(self) -> None:
        self.pages.setCurrentWidget(self.sign_in_page)
        self.create_button.setDefault(False)
        self.create_button.setAutoDefault(False)
        self.buttons.show()
        self.sign_in_button.setDefault(True)

    def _create_failed(self, text: str, focus: QLineEdit) -> None:
        self.create_error.setText(text)
        self.create_error.show()
        self._fit()
        focus.setFocus()
        focus.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.pages.currentWidget() is self.create_page:
            self.show_sign_in_page()  # Escape leaves the page, not the app
            return
        super().keyPressEvent(event)

    def create_account(self) -> int | None:
        """Make the account on the built-in server; returns its number (None on a problem)."""
        if self.builtin is None:
            return None
        nick = self.nick_edit.text().strip()
        password = self.new_password_edit.text()
        if not nick:
            self._create_failed(self.tr("Enter a nickname."), self.nick_edit)
            return None
        if not password:
            self._create_failed(self.tr("Choose a password."), self.new_password_edit)
            return None
        if len(password) < MIN_PASSWORD:
            self._create_failed(
                self.tr("The password is too short: use at least {count} characters.").format(
                    count=MIN_PASSWORD
                ),
                self.new_password_edit,
            )
            return None
        if password != self.confirm_edit.text():
            self._create_failed(
                self.tr("The two passwords differ. Type the same password twice."),
                self.confirm_edit,
            )
            return None
        try:
            uin = int(self.builtin.create_account(password, nick))
        except Exception as exc:
            log.warning("creating an account failed: %r", exc)
            self._create_failed(
                self.tr("The account could not be created: {reason}").format(
                    reason=str(exc) or type(exc).__name__
                ),
                self.nick_edit,
            )
            return None
        log.info("created account %d on the built-in server", uin)
        self.nick_edit.clear()
        self.new_password_edit.clear()
        self.confirm_edit.clear()
        self.show_sign_in_page()
        self.number_edit.setText(str(uin))
        self.password_edit.setText(password)
        self.info_label.setText(
            self.tr("Your new QQ number is {number}. Note it down: you sign in with it.").format(
                number=uin
            )
        )
        self.info_label.show()
        self._fit()
        self.sign_in_button.setFocus()
        return uin

    def show_proxy(self) -> ProxyDialog | None:
        """The proxy of the number typed (it asks for a number first)."""
        from .proxy import ProxyDialog  # proxy.py imports this module

        number = self.number_edit.text()
        if not number.isdigit() or self.settings is None:
            self.show_error(self.tr("Enter your QQ number first: the proxy is kept per number."))
            self.number_edit.setFocus()
            return None
        dialog = ProxyDialog(self.settings, int(number), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def _choose_account_server(self, uin: int) -> None:
        """A number that signed in before goes to its own server again."""
        kept: dict[str, str] = getattr(self.settings, "account_servers", {}) or {}
        server = kept.get(str(uin))
        if server == BUILTIN_SERVER and self.offer_builtin:
            self.server_choice.setCurrentIndex(BUILTIN)
        elif server and server != BUILTIN_SERVER:
            self.use_other_server(server)

    def _number_changed(self, text: str) -> None:
        self.error_label.hide()
        if self._ready and text.isdigit():
            self._choose_account_server(int(text))
        if not text.isdigit() or not self.passwords.available:
            return
        remember = bool(getattr(self.settings, "remember_password", False))
        stored = self.passwords.get(int(text)) if remember else None
        if stored:
            self.password_edit.setText(stored)
            self.remember_check.setChecked(True)

    def chosen_status(self) -> Presence:
        return Presence(self.status_combo.currentData())

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (
            self.number_edit,
            self.password_edit,
            self.status_combo,
            self.server_choice,
            self.server_edit,
            self.create_link,
            self.sign_in_button,
        ):
            widget.setEnabled(not busy)
        self.remember_check.setEnabled(not busy and self.passwords.available)
        if not busy:
            self.create_link.setEnabled(self.builtin_chosen() and self.builtin is not None)
            if self.pages.currentWidget() is self.sign_in_page:
                self.sign_in_button.setDefault(True)

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
        if self.signed_in is not None and uin in self.signed_in():
            self.show_error(
                self.tr(
                    "{number} is signed in already. Choose it in the account switcher"
                    " at the top of the main window."
                ).format(number=uin)
            )
            self.number_edit.setFocus()
            self.number_edit.selectAll()
            return
        url = self._server_address()
        if url is None:
            return
        self.error_label.hide()
        self._set_busy(True)
        try:
            session = make_session(self.session_factory, self.settings, url, uin, password)
        except Exception as exc:
            self._set_busy(False)
            self.show_error(describe_error(exc, signing_in=True))
            return
        status = self.chosen_status()

        async def login() -> ChatSession:
            await session.login()
            if status is not Presence.ONLINE:
                await session.set_status(status)
            return session

        self._task = spawn(login(), on_done=self._signed_in, on_error=self._failed)

    def account_server(self) -> str:
        """Where this sign-in went, as ``Settings.account_servers`` keeps it."""
        if self.builtin_chosen():
            return BUILTIN_SERVER
        return self.server_edit.text().strip() or DEFAULT_SERVER

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        log.info("sign-in failed: %r", exc)
        self.show_error(describe_error(exc, signing_in=True))
        self.password_edit.setFocus()
        self.password_edit.selectAll()

    def _signed_in(self, session: ChatSession) -> None:
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
                if self.offer_builtin:
                    self.settings.use_builtin_server = self.builtin_chosen()
                if not self.builtin_chosen():
                    # The built-in server's port may be a one-off fallback: never kept.
                    self.settings.server = self.server_edit.text().strip() or DEFAULT_SERVER
                self.settings.account_servers = {
                    **getattr(self.settings, "account_servers", {}),
                    str(uin): self.account_server(),
                }
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
