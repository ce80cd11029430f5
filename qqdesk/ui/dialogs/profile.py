"""The profile viewer: every GetInfo field of a buddy or of any number."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client.api import ChatSession
from qqdesk.core import MAX_UIN, MIN_UIN, Profile

from ..errors import describe_error
from ..icons import face_picture
from .common import (
    EMPTY,
    CallRunner,
    blood_type_text,
    constellation_text,
    or_dash,
    profile_sections,
    sex_text,
    zodiac_text,
)

FACE_SIZE = 80

# Only text that really is an address becomes a link ("msger.org(建设中...)" stays text).
_LINKABLE = {
    "homepage": re.compile(r"(https?://)?[\w-]+(\.[\w-]+)+(:\d+)?(/[\w./?%&=+#~-]*)?", re.ASCII),
    "email": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.ASCII),
}


def parse_uin(text: str) -> int | None:
    """A QQ number typed by the user, or None when it cannot be one."""
    text = text.strip()
    if not text.isdigit():
        return None
    uin = int(text)
    return uin if MIN_UIN <= uin <= MAX_UIN else None


class ProfileDialog(QDialog):
    """Shows a user's profile (GetInfo level 3), grouped as QQ's info card does."""

    # Emitted with the profile once it is shown (tests and the buddy list use it).
    loaded = Signal(object)
    # Emitted with the error text when loading fails.
    failed = Signal(str)

    def __init__(self, session: ChatSession, uin: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.uin = uin
        self.profile: Profile | None = None
        self._calls = CallRunner(self)
        self._values: dict[str, QLabel] = {}
        self.setWindowTitle(self.tr("Profile"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
        self.resize(560, 620)

        # "Look up a number" row.
        self.lookup_edit = QLineEdit(str(uin))
        self.lookup_edit.setValidator(QRegularExpressionValidator(r"\d{0,10}", self))
        self.lookup_edit.setPlaceholderText(self.tr("QQ number"))
        self.lookup_button = QPushButton(self.tr("Look Up"))
        self.lookup_button.clicked.connect(self._look_up)
        # Enter in the number field looks the number up (not Close).
        self.lookup_button.setDefault(True)
        lookup = QHBoxLayout()
        lookup.addWidget(QLabel(self.tr("Number:")))
        lookup.addWidget(self.lookup_edit, 1)
        lookup.addWidget(self.lookup_button)

        self.pages = QStackedWidget()
        self.loading_label = QLabel()
        self.loading_label.setTextFormat(Qt.TextFormat.PlainText)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages.addWidget(self.loading_label)
        self.pages.addWidget(self._error_page())
        self.pages.addWidget(self._content_page())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.refresh_button = buttons.addButton(
            self.tr("Refresh"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.refresh_button.clicked.connect(lambda: self.load(self.uin))

        layout = QVBoxLayout(self)
        layout.addLayout(lookup)
        layout.addWidget(self.pages, 1)
        layout.addWidget(buttons)
        self.load(uin)

    # -- pages ---------------------------------------------------------------------

    def _error_page(self) -> QWidget:
        page = QWidget()
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48)
        )
        retry = QPushButton(self.tr("Try Again"))
        retry.clicked.connect(lambda: self.load(self.uin))
        box = QVBoxLayout(page)
        box.addStretch(1)
        box.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(self.error_label)
        box.addWidget(retry, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(1)
        return page

    def _content_page(self) -> QWidget:
        inner = QWidget()
        self.face_label = QLabel()
        self.face_label.setFixedSize(FACE_SIZE, FACE_SIZE)
        self.nick_label = QLabel()
        self.nick_label.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.nick_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.nick_label.setFont(font)
        self.nick_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.number_label = QLabel()
        self.number_label.setTextFormat(Qt.TextFormat.PlainText)
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names = QVBoxLayout()
        names.addStretch(1)
        names.addWidget(self.nick_label)
        names.addWidget(self.number_label)
        names.addStretch(1)
        header = QHBoxLayout()
        header.addWidget(self.face_label)
        header.addSpacing(12)
        header.addLayout(names, 1)

        basic, location, contact, more = (
            self._group(title, fields) for title, fields in profile_sections()
        )
        grid = QGridLayout()
        grid.addWidget(basic, 0, 0)
        grid.addWidget(location, 1, 0)
        grid.addWidget(contact, 0, 1, 2, 1)
        grid.addWidget(more, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        box = QVBoxLayout(inner)
        box.addLayout(header)
        box.addSpacing(6)
        box.addLayout(grid)
        box.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        return scroll

    def _group(self, title: str, fields: list[tuple[str, str]]) -> QGroupBox:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, caption in fields:
            value = QLabel(EMPTY)
            value.setWordWrap(True)
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByMouse
            )
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setObjectName(f"profile_{key}")
            self._values[key] = value
            form.addRow(caption, value)
        return group

    # -- loading -------------------------------------------------------------------

    def value_text(self, key: str) -> str:
        """The text shown for a field (by Profile attribute name)."""
        return self._values[key].text()

    def _look_up(self) -> None:
        uin = parse_uin(self.lookup_edit.text())
        if uin is None:
            self._show_error(self.tr("Enter a QQ number of 5 to 10 digits."))
            return
        self.load(uin)

    def load(self, uin: int) -> None:
        """Fetch and show the profile of ``uin``."""
        self.uin = uin
        self.lookup_edit.setText(str(uin))
        self.loading_label.setText(self.tr("Loading the profile of {number}…").format(number=uin))
        self.pages.setCurrentIndex(0)
        self._set_busy(True)
        call = self.session.profile(uin, level=3)
        self._calls.run(call, self._show_profile, self._on_error)

    def _set_busy(self, busy: bool) -> None:
        self.lookup_button.setEnabled(not busy)
        self.refresh_button.setEnabled(not busy)

    def _on_error(self, exc: BaseException) -> None:
        self._show_error(describe_error(exc))

    def _show_error(self, text: str) -> None:
        self._set_busy(False)
        self.error_label.setText(text)
        self.pages.setCurrentIndex(1)
        self.failed.emit(text)

    def _show_profile(self, profile: Profile) -> None:
        self._set_busy(False)
        self.profile = profile
        self.setWindowTitle(self.tr("Profile of {name}").format(name=profile.nick or profile.uin))
        self.face_label.setPixmap(
            face_picture(profile.face, FACE_SIZE, profile.nick, ratio=self.devicePixelRatioF())
        )
        self.nick_label.setText(profile.nick or str(profile.uin))
        self.number_label.setText(self.tr("QQ number: {number}").format(number=profile.uin))
        words = {
            "sex": sex_text(profile.sex),
            "age": or_dash(profile.age or ""),
            "blood_type": blood_type_text(profile.blood_type),
            "constellation": constellation_text(profile.constellation),
            "zodiac": zodiac_text(profile.zodiac),
        }
        for key, label in self._values.items():
            text = words[key] if key in words else or_dash(getattr(profile, key))
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setOpenExternalLinks(False)
            label.setText(text)
        self._linkify("homepage", profile.homepage, "")
        self._linkify("email", profile.email, "mailto:")
        self.pages.setCurrentIndex(2)
        self.loaded.emit(profile)

    def _linkify(self, key: str, text: str, scheme: str) -> None:
        text = text.strip()
        if not _LINKABLE[key].fullmatch(text):
            return
        target = text
        if scheme:
            target = scheme + text
        elif "://" not in text:
            target = "http://" + text
        label = self._values[key]
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setOpenExternalLinks(True)
        label.setText(
            f'<a href="{html.escape(target, quote=True)}">{html.escape(text, quote=False)}</a>'
        )
