"""The Settings window: general, chat, notifications and server choices."""

from __future__ import annotations

import ipaddress
import re

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qqdesk.ui import emoji
from qqdesk.ui.i18n import install_translator
from qqdesk.ui.idle import IdleSource, describe_source
from qqdesk.ui.proxy import ProxyPage
from qqdesk.ui.settings import Settings, SettingsError
from qqdesk.ui.theme import apply_theme

from .common import status_label

DEFAULT_PORT = 8000
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


def parse_server_address(text: str) -> tuple[str, int] | None:
    """``host:port`` (or a bare host, meaning port 8000) as typed; None if invalid.

    IPv6 addresses go in brackets: ``[::1]:8000``.
    """
    text = text.strip()
    if not text:
        return None
    port_text = ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, rest = text[1:end], text[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    else:
        host, _, port_text = text.partition(":")
        if ":" in port_text:
            return None
        if not _HOST_NAME.match(host):
            return None
        if re.fullmatch(r"[\d.]+", host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                return None
    if port_text == "" and not text.endswith(":"):
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        return None
    return host, int(port_text)


def format_server_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class SettingsDialog(QDialog):
    """Edits a :class:`Settings`; Apply/OK save it and apply the theme at once."""

    # Emitted after the settings were saved.
    applied = Signal()

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        idle_source: IdleSource | None = None,
        account: int | None = None,
        proxy_page: ProxyPage | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        #: Where auto-away reads idle time (None: not known here, e.g. before sign-in).
        self.idle_source = idle_source
        self.tabs = QTabWidget()
        self.tabs.addTab(self._general_tab(), "")
        self.tabs.addTab(self._chat_tab(), "")
        self.tabs.addTab(self._notifications_tab(), "")
        self.tabs.addTab(self._server_tab(), "")
        # The proxy of the account signed in (else the last one), when there is one.
        account = account if account is not None else settings.last_uin
        self.proxy_page = proxy_page
        if self.proxy_page is None and account is not None:
            self.proxy_page = ProxyPage(account)
        if self.proxy_page is not None:
            self.tabs.addTab(self.proxy_page, "")
            self.proxy_page.load(settings)
            self.proxy_page.host_edit.textChanged.connect(self._update)
            self.proxy_page.kind_combo.currentIndexChanged.connect(self._update)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._retranslate()
        self.load()
        self.resize(max(460, self.sizeHint().width()), self.sizeHint().height())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        """Every text of the window, in the language installed now."""
        self.setWindowTitle(self.tr("Settings"))
        for index, title in enumerate(
            (
                self.tr("General"),
                self.tr("Chat"),
                self.tr("Notifications"),
                self.tr("Server"),
                self.tr("Proxy"),
            )[: self.tabs.count()]
        ):
            self.tabs.setTabText(index, title)
        self.language_combo.setItemText(0, self.tr("Same as the system"))
        self.language_note.setText(self.tr("The new language applies when you press Apply."))
        for index, text in enumerate(
            (self.tr("Same as the system"), self.tr("Light"), self.tr("Dark"))
        ):
            self.theme_combo.setItemText(index, text)
        self.start_in_tray_check.setText(self.tr("Start minimized to the system tray"))
        self.away_spin.setSpecialValueText(self.tr("Never"))
        self.away_spin.setSuffix(self.tr(" min"))
        self.away_note.setText(
            "" if self.idle_source is None else describe_source(self.idle_source)
        )
        for field, text in (
            (self.language_combo, self.tr("Language:")),
            (self.theme_combo, self.tr("Theme:")),
            (self.away_spin, self.tr("Busy when idle for:")),
        ):
            label = self.general_form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
        self.send_box.setTitle(self.tr("Sending messages"))
        self.enter_radio.setText(self.tr("Enter sends, Shift+Enter starts a new line"))
        self.ctrl_enter_radio.setText(self.tr("Ctrl+Enter sends, Enter starts a new line"))
        self.tabs_check.setText(self.tr("Open chats as tabs in one window"))
        self.emoji_note.setText(emoji.describe(emoji.installed()))
        self.notifications_check.setText(self.tr("Show a notification for new messages"))
        self.sounds_check.setText(self.tr("Play sounds"))
        self.builtin_radio.setText(self.tr("Use the built-in server on this computer"))
        self.lan_check.setText(self.tr("Let other computers on my network connect to it"))
        self.remote_radio.setText(self.tr("Connect to a server:"))
        self.server_edit.setPlaceholderText(self.tr("host:port, for example 192.168.1.10:8000"))
        self.server_hint.setText(self.tr("Server changes take effect the next time you log in."))
        if hasattr(self, "ok_button"):
            self._update()

    # -- tabs ------------------------------------------------------------------------

    def _general_tab(self) -> QWidget:
        page = QWidget()
        self.language_combo = QComboBox()
        self.language_combo.addItem("", "system")
        # Each language in its own words, so anyone can find theirs.
        self.language_combo.addItem("English", "en")
        self.language_combo.addItem("简体中文", "zh_CN")
        self.language_combo.currentIndexChanged.connect(self._update)
        self.language_note = QLabel()
        self.language_note.setWordWrap(True)
        self.theme_combo = QComboBox()
        for theme in ("system", "light", "dark"):
            self.theme_combo.addItem("", theme)
        self.start_in_tray_check = QCheckBox()
        # Auto-away: minutes without input before Busy; 0 shows as "Never".
        self.away_spin = QSpinBox()
        self.away_spin.setObjectName("autoAwayMinutes")
        self.away_spin.setRange(0, 240)
        self.away_note = QLabel()
        self.away_note.setObjectName("idleSource")
        self.away_note.setWordWrap(True)

        form = QFormLayout(page)
        # The row captions are set (and reset on a language change) by _retranslate.
        form.addRow("-", self.language_combo)
        form.addRow("", self.language_note)
        form.addRow("-", self.theme_combo)
        form.addRow(self.start_in_tray_check)
        form.addRow("-", self.away_spin)
        form.addRow("", self.away_note)
        self.general_form = form
        return page

    def _chat_tab(self) -> QWidget:
        page = QWidget()
        group = QGroupBox()
        self.send_box = group
        self.enter_radio = QRadioButton()
        self.ctrl_enter_radio = QRadioButton()
        self.send_group = QButtonGroup(self)
        self.send_group.addButton(self.enter_radio)
        self.send_group.addButton(self.ctrl_enter_radio)
        box = QVBoxLayout(group)
        box.addWidget(self.enter_radio)
        box.addWidget(self.ctrl_enter_radio)
        self.tabs_check = QCheckBox()
        # Which font draws emoji; says how to get one where there is none.
        self.emoji_note = QLabel()
        self.emoji_note.setObjectName("emojiFont")
        self.emoji_note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(group)
        layout.addWidget(self.tabs_check)
        layout.addWidget(self.emoji_note)
        layout.addStretch(1)
        return page

    def _notifications_tab(self) -> QWidget:
        page = QWidget()
        self.notifications_check = QCheckBox()
        self.sounds_check = QCheckBox()
        layout = QVBoxLayout(page)
        layout.addWidget(self.notifications_check)
        layout.addWidget(self.sounds_check)
        layout.addStretch(1)
        return page

    def _server_tab(self) -> QWidget:
        page = QWidget()
        self.builtin_radio = QRadioButton()
        self.lan_check = QCheckBox()
        self.remote_radio = QRadioButton()
        self.server_group = QButtonGroup(self)
        self.server_group.addButton(self.builtin_radio)
        self.server_group.addButton(self.remote_radio)
        self.server_edit = QLineEdit()
        self.server_error = QLabel()
        self.server_error.setWordWrap(True)
        self.server_error.hide()
        self.server_hint = QLabel()
        self.server_hint.setWordWrap(True)
        for signal in (self.builtin_radio.toggled, self.remote_radio.toggled):
            signal.connect(self._update)
        self.server_edit.textChanged.connect(self._update)

        lan = QVBoxLayout()
        lan.setContentsMargins(24, 0, 0, 0)
        lan.addWidget(self.lan_check)
        remote = QVBoxLayout()
        remote.setContentsMargins(24, 0, 0, 0)
        remote.addWidget(self.server_edit)
        remote.addWidget(self.server_error)
        layout = QVBoxLayout(page)
        layout.addWidget(self.builtin_radio)
        layout.addLayout(lan)
        layout.addSpacing(6)
        layout.addWidget(self.remote_radio)
        layout.addLayout(remote)
        layout.addStretch(1)
        layout.addWidget(self.server_hint)
        return page

    # -- values ----------------------------------------------------------------------

    def load(self) -> None:
        """Show the values the settings hold now."""
        s = self.settings
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(s.language)))
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(s.theme)))
        self.start_in_tray_check.setChecked(s.start_in_tray)
        self.away_spin.setValue(max(0, min(240, s.auto_away_minutes)))
        self.away_note.setVisible(self.idle_source is not None)
        (self.ctrl_enter_radio if s.send_with_ctrl_enter else self.enter_radio).setChecked(True)
        self.tabs_check.setChecked(s.chats_in_tabs)
        self.notifications_check.setChecked(s.notifications)
        self.sounds_check.setChecked(s.sounds)
        (self.builtin_radio if s.use_builtin_server else self.remote_radio).setChecked(True)
        self.lan_check.setChecked(s.expose_on_lan)
        self.server_edit.setText(s.server)
        self._update()

    def server_address(self) -> tuple[str, int] | None:
        return parse_server_address(self.server_edit.text())

    def is_valid(self) -> bool:
        if self.proxy_page is not None and not self.proxy_page.validate():
            return False
        return self.builtin_radio.isChecked() or self.server_address() is not None

    def _update(self) -> None:
        remote = self.remote_radio.isChecked()
        self.lan_check.setEnabled(not remote)
        self.server_edit.setEnabled(remote)
        invalid = remote and self.server_address() is None
        if invalid:
            if self.server_edit.text().strip():
                text = self.tr("“{text}” is not a server address. Write it as host:port.")
                text = text.format(text=self.server_edit.text().strip())
            else:
                text = self.tr("Enter the server's address as host:port.")
            status_label(self.server_error, text, "error")
        else:
            status_label(self.server_error, "")
        if self.proxy_page is not None and not self.proxy_page.validate():
            invalid = True
        self.ok_button.setEnabled(not invalid)
        self.apply_button.setEnabled(not invalid)
        chosen = self.language_combo.currentData()
        self.language_note.setVisible(chosen != self.settings.language)

    def apply(self) -> bool:
        """Store and save the values shown; returns False (and says why) on failure."""
        if not self.is_valid():
            return False
        s = self.settings
        language_changed = s.language != self.language_combo.currentData()
        s.language = str(self.language_combo.currentData())
        s.theme = str(self.theme_combo.currentData())
        s.start_in_tray = self.start_in_tray_check.isChecked()
        s.auto_away_minutes = self.away_spin.value()
        s.send_with_ctrl_enter = self.ctrl_enter_radio.isChecked()
        s.chats_in_tabs = self.tabs_check.isChecked()
        s.notifications = self.notifications_check.isChecked()
        s.sounds = self.sounds_check.isChecked()
        s.use_builtin_server = self.builtin_radio.isChecked()
        s.expose_on_lan = self.lan_check.isChecked()
        if self.proxy_page is not None:
            self.proxy_page.apply(s)
        address = self.server_address()
        if address is not None:
            s.server = format_server_address(*address)
            self.server_edit.setText(s.server)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, s.theme)
            if language_changed:
                # Open windows retranslate themselves on the LanguageChange this sends.
                install_translator(app, s.language)
        try:
            s.save()
        except SettingsError as exc:
            status_label(self.message, str(exc), "error")
            return False
        status_label(self.message, "")
        self._update()
        self.applied.emit()
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()
