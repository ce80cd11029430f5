"""Proxy settings per account (none, HTTP, SOCKS5): the settings page and the URL the
session's transport gets. The password lives in the system keyring, never in a file."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .login import PasswordStore

#: The keyring service of proxy passwords (one entry per account number).
KEYRING_SERVICE = "qqdesk-proxy"


class ProxyKind(enum.Enum):
    NONE = "none"
    HTTP = "http"
    SOCKS5 = "socks5"


DEFAULT_PORTS = {ProxyKind.HTTP: 8080, ProxyKind.SOCKS5: 1080}


@dataclass(frozen=True)
class ProxyChoice:
    """One account's proxy as the user chose it (no password: that is in the keyring)."""

    kind: ProxyKind = ProxyKind.NONE
    host: str = ""
    port: int = 0
    user: str = ""

    def url(self, password: str = "") -> str | None:
        """``http://user:password@host:port`` (quoted) for the transport; None for none."""
        if self.kind is ProxyKind.NONE or not self.host:
            return None
        credentials = ""
        if self.user:
            credentials = quote(self.user, safe="")
            if password:
                credentials += ":" + quote(password, safe="")
            credentials += "@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.kind.value}://{credentials}{host}:{self.port}"

    def stored(self) -> str:
        """As kept in ``settings.proxies`` (the URL without a password)."""
        return self.url() or ""

    @classmethod
    def from_stored(cls, text: str) -> ProxyChoice:
        parts = urlsplit(text)
        try:
            kind = ProxyKind(parts.scheme)
            port = parts.port or DEFAULT_PORTS.get(kind, 0)
        except ValueError:
            return cls()
        if kind is ProxyKind.NONE or not parts.hostname:
            return cls()
        return cls(kind, parts.hostname, port, unquote(parts.username or ""))


def proxy_choice(settings: Any, account: int) -> ProxyChoice:
    proxies: dict[str, str] = getattr(settings, "proxies", {}) if settings is not None else {}
    return ProxyChoice.from_stored(proxies.get(str(account), ""))


def proxy_url(settings: Any, account: int, passwords: PasswordStore | None = None) -> str | None:
    """The proxy URL (password included) for ``account``'s session; None when none."""
    choice = proxy_choice(settings, account)
    if choice.kind is ProxyKind.NONE:
        return None
    password = ""
    if choice.user:
        password = (passwords or PasswordStore(KEYRING_SERVICE)).get(account) or ""
    return choice.url(password)


class ProxyPage(QWidget):
    """The settings page of one account's proxy: kind, host, port, user, password."""

    def __init__(
        self, account: int, passwords: PasswordStore | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.account = account
        self.passwords = passwords or PasswordStore(KEYRING_SERVICE)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("proxyKind")
        for kind in ProxyKind:
            self.kind_combo.addItem("", kind.value)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.host_edit = QLineEdit()
        self.host_edit.setObjectName("proxyHost")
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("proxyPort")
        self.port_spin.setRange(1, 65535)
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("proxyUser")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("proxyPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.error = QLabel()
        self.error.setObjectName("proxyError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.form = QFormLayout(self)
        # Captions are set (and reset on a language change) by retranslate.
        for field in (
            self.kind_combo,
            self.host_edit,
            self.port_spin,
            self.user_edit,
            self.password_edit,
        ):
            self.form.addRow("-", field)
        self.form.addRow(self.error)
        self.form.addRow(self.note)
        self.retranslate()

    def retranslate(self) -> None:
        names = {
            ProxyKind.NONE: self.tr("No proxy"),
            ProxyKind.HTTP: self.tr("HTTP proxy"),
            ProxyKind.SOCKS5: self.tr("SOCKS5 proxy"),
        }
        for index, kind in enumerate(ProxyKind):
            self.kind_combo.setItemText(index, names[kind])
        captions = (
            (self.kind_combo, self.tr("Proxy:")),
            (self.host_edit, self.tr("Host:")),
            (self.port_spin, self.tr("Port:")),
            (self.user_edit, self.tr("User name:")),
            (self.password_edit, self.tr("Password:")),
        )
        for field, text in captions:
            label = self.form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
        self.user_edit.setPlaceholderText(self.tr("optional"))
        self.password_edit.setPlaceholderText(self.tr("optional, kept in the system keyring"))
        self.note.setText(
            self.tr(
                "For account {uin}. A new proxy is used the next time this account signs in."
            ).format(uin=self.account)
        )
        self.validate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def kind(self) -> ProxyKind:
        return ProxyKind(self.kind_combo.currentData())

    def _kind_changed(self, _index: int) -> None:
        kind = self.kind()
        if kind in DEFAULT_PORTS and self.port_spin.value() in (*DEFAULT_PORTS.values(), 1):
            self.port_spin.setValue(DEFAULT_PORTS[kind])
        self.validate()

    def validate(self) -> bool:
        """Whether the page holds a usable choice; says what is missing when not."""
        used = self.kind() is not ProxyKind.NONE
        for field in (self.host_edit, self.port_spin, self.user_edit, self.password_edit):
            field.setEnabled(used)
        host = self.host_edit.text().strip()
        problem = ""
        if used and not host:
            problem = self.tr("Enter the proxy's host name or address.")
        elif used and any(c.isspace() or c in "/@?#" for c in host):
            problem = self.tr("“{host}” is not a host name or address.").format(host=host)
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        return not problem

    def load(self, settings: Any) -> None:
        choice = proxy_choice(settings, self.account)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(choice.kind.value)))
        self.host_edit.setText(choice.host)
        self.port_spin.setValue(choice.port or DEFAULT_PORTS.get(choice.kind, 8080))
        self.user_edit.setText(choice.user)
        self.password_edit.setText(self.passwords.get(self.account) or "" if choice.user else "")
        for edit in (self.host_edit, self.user_edit):
            edit.textChanged.connect(self.validate)
        self.validate()

    def choice(self) -> ProxyChoice:
        kind = self.kind()
        if kind is ProxyKind.NONE:
            return ProxyChoice()
        host = self.host_edit.text().strip().strip("[]")
        return ProxyChoice(kind, host, self.port_spin.value(), self.user_edit.text().strip())

    def apply(self, settings: Any) -> None:
        """Keep the choice in ``settings.proxies`` and its password in the keyring."""
        choice = self.choice()
        proxies = dict(getattr(settings, "proxies", {}))
        if choice.kind is ProxyKind.NONE:
            proxies.pop(str(self.account), None)
        else:
            proxies[str(self.account)] = choice.stored()
        settings.proxies = proxies
        password = self.password_edit.text()
        if choice.user and password:
            self.passwords.set(self.account, password)
        else:
            self.passwords.forget(self.account)


class ProxyDialog(QDialog):
    """The proxy page alone, for an account that cannot sign in without one (opened from
    the sign-in dialog); OK keeps the choice and saves the settings."""

    def __init__(
        self,
        settings: Any,
        account: int,
        passwords: PasswordStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Proxy"))
        # Wide enough for the password field's hint in either language.
        self.setMinimumWidth(420)
        self.page = ProxyPage(account, passwords)
        self.page.load(settings)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        for signal in (self.page.host_edit.textChanged, self.page.kind_combo.currentIndexChanged):
            signal.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self, *_: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.page.validate())

    def _ok(self) -> None:
        if not self.page.validate():
            return
        self.page.apply(self.settings)
        try:
            self.settings.save()
        except Exception as exc:  # the choice still holds for this run
            self.page.error.setText(str(exc))
            self.page.error.show()
            return
        self.accept()
