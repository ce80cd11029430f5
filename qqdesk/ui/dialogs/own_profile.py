"""My own profile: view and edit nickname, face and every other field, who sees the
private ones, and change the password (qqdesk's SetInfo, Privacy and SetPassword)."""

from __future__ import annotations

import enum

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qqdesk.client import errors
from qqdesk.client.api import ChatSession
from qqdesk.core import (
    EDITABLE_TEXT,
    MAX_AGE,
    MAX_NICK,
    MIN_PASSWORD,
    PRIVATE_FIELDS,
    Audience,
    BloodType,
    Constellation,
    Profile,
    ProfilePrivacy,
    Sex,
    Zodiac,
)

from ..errors import describe_error
from ..facepicker import CELL_SIZE, FaceCellDelegate
from ..icons import face_picture
from ..login import PasswordStore
from .common import (
    EMPTY,
    CallRunner,
    blood_type_text,
    constellation_text,
    profile_sections,
    sex_text,
    status_label,
    zodiac_text,
)

AnyIndex = QModelIndex | QPersistentModelIndex

FACE_SIZE = 64
# How many face pictures there are: face ids 0, 3, 6 ... 297 (picture FC/3+1).
FACE_PICTURES = 100
# Faces per row of the chooser.
FACE_COLUMNS = 10


class FaceRoles(enum.IntEnum):
    """Custom roles of :class:`ProfileFaceModel`."""

    FACE_ID = int(Qt.ItemDataRole.UserRole) + 1


class ProfileFaceModel(QAbstractListModel):
    """The profile faces one may choose, one per picture (face id = 3 x (picture - 1))."""

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FACE_PICTURES

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < FACE_PICTURES:
            return None
        face = index.row() * 3
        if role == Qt.ItemDataRole.DecorationRole:
            return QIcon(face_picture(face, 2 * CELL_SIZE))
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.tr("Face {number}").format(number=index.row() + 1)
        if role == FaceRoles.FACE_ID:
            return face
        return None


class FaceChooser(QDialog):
    """A grid of the profile faces: click one (or move and press Enter) to take it."""

    def __init__(self, face: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Choose a face"))
        self.face = face
        self.model = ProfileFaceModel(self)
        self.view = QListView()
        self.view.setObjectName("faceChooser")
        self.view.setModel(self.model)
        # the chat face picker's cells: a soft highlight, the picture never darkened
        self.view.setItemDelegate(FaceCellDelegate(self.view))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setGridSize(QSize(CELL_SIZE, CELL_SIZE))
        self.view.setFixedSize(FACE_COLUMNS * CELL_SIZE + 24, 7 * CELL_SIZE + 8)
        self.view.setCurrentIndex(self.model.index(max(0, min(face // 3, FACE_PICTURES - 1))))
        self.view.clicked.connect(self._take)
        self.view.activated.connect(self._take)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)

    def _take(self, index: QModelIndex) -> None:
        self.face = int(index.data(FaceRoles.FACE_ID))
        self.accept()


class OwnProfileDialog(QDialog):
    """Edits my own profile; Save sends only what changed, and keeps everything typed
    when the server says no (the error shows in the dialog)."""

    # My profile as the server keeps it after a save (the main window shows it).
    saved = Signal(object)
    # The profile and privacy choice are loaded and shown (tests wait for it).
    loaded = Signal()
    # Loading or saving failed, with the words shown.
    failed = Signal(str)

    def __init__(
        self,
        session: ChatSession,
        parent: QWidget | None = None,
        *,
        passwords: PasswordStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.passwords = passwords
        self.profile: Profile | None = None
        self.privacy: ProfilePrivacy | None = None
        self.face = session.face
        self._calls = CallRunner(self)
        self.setWindowTitle(self.tr("My profile"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
        self.resize(660, 700)
        self.password_dialog: ChangePasswordDialog | None = None

        self.face_button = QToolButton()
        self.face_button.setObjectName("ownFace")
        self.face_button.setIconSize(QSize(FACE_SIZE, FACE_SIZE))
        self.face_button.setAutoRaise(True)
        self.face_button.setToolTip(self.tr("Choose a face"))
        self.face_button.clicked.connect(self.choose_face)
        self.nick_edit = QLineEdit()
        self.nick_edit.setObjectName("ownNick")
        self.nick_edit.setMaxLength(MAX_NICK)
        font = QFont(self.nick_edit.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.nick_edit.setFont(font)
        self.nick_edit.setPlaceholderText(self.tr("Nickname"))
        self.number_label = QLabel(self.tr("QQ number: {number}").format(number=session.uin))
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names = QVBoxLayout()
        names.addStretch(1)
        names.addWidget(self.nick_edit)
        names.addWidget(self.number_label)
        names.addStretch(1)
        header = QHBoxLayout()
        header.addWidget(self.face_button)
        header.addSpacing(8)
        header.addLayout(names, 1)

        self.edits: dict[str, QLineEdit] = {}
        self.audiences: dict[str, QComboBox] = {}
        self.sex_box = self._choices([(s, sex_text(s)) for s in Sex])
        self.age_box = QSpinBox()
        self.age_box.setRange(0, MAX_AGE)
        self.age_box.setSpecialValueText(EMPTY)
        self.blood_box = self._choices([(b, blood_type_text(b)) for b in BloodType])
        self.constellation_box = self._choices([(c, constellation_text(c)) for c in Constellation])
        self.zodiac_box = self._choices([(z, zodiac_text(z)) for z in Zodiac])
        self.intro_edit = QPlainTextEdit()
        self.intro_edit.setObjectName("ownIntro")
        self.intro_edit.setTabChangesFocus(True)
        self.intro_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        fixed: dict[str, QWidget] = {
            "sex": self.sex_box,
            "age": self.age_box,
            "blood_type": self.blood_box,
            "constellation": self.constellation_box,
            "zodiac": self.zodiac_box,
            "intro": self.intro_edit,
        }
        # the same groups, fields and captions as a profile's viewer
        basic, location, contact, more = (
            self._group(title, fields, fixed) for title, fields in profile_sections()
        )
        self.privacy_note = QLabel(
            self.tr(
                "The choice beside mobile, phone, address and real name says who may see"
                " them: everyone, your friends, or only you."
            )
        )
        self.privacy_note.setWordWrap(True)
        self.privacy_note.setEnabled(False)

        grid = QGridLayout()
        grid.addWidget(basic, 0, 0)
        grid.addWidget(location, 1, 0)
        grid.addWidget(contact, 0, 1, 2, 1)
        grid.addWidget(more, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 2)
        inner = QWidget()
        box = QVBoxLayout(inner)
        box.addLayout(header)
        box.addSpacing(6)
        box.addLayout(grid)
        box.addWidget(self.privacy_note)
        box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)

        self.message_label = QLabel()
        self.message_label.setObjectName("ownProfileMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)
        self.password_button = QPushButton(self.tr("Change password…"))
        self.password_button.setAutoDefault(False)
        self.password_button.clicked.connect(self.show_change_password)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setDefault(True)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        # (Save must not close the dialog: an error shows here, with nothing lost)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.password_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message_label)
        layout.addLayout(bottom)
        self._show_face()
        self.nick_edit.setText(session.nick)
        self.load()

    # -- building ------------------------------------------------------------------

    def _form(self, group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _choices(self, items: list[tuple[int, str]]) -> QComboBox:
        combo = QComboBox()
        for value, words in items:
            combo.addItem(words, int(value))
        return combo

    def _group(
        self, title: str, fields: list[tuple[str, str]], fixed: dict[str, QWidget]
    ) -> QGroupBox:
        """A group of fields: ``fixed`` widgets where given, else a line edit (with
        who may see it beside a private field)."""
        group = QGroupBox(title)
        form = self._form(group)
        for key, caption in fields:
            if key in fixed:
                form.addRow(caption, fixed[key])
                continue
            edit = QLineEdit()
            edit.setObjectName(f"own_{key}")
            edit.setMaxLength(EDITABLE_TEXT[key])
            self.edits[key] = edit
            if key in PRIVATE_FIELDS:
                audience = QComboBox()
                audience.setObjectName(f"audience_{key}")
                for value, words in (
                    (Audience.EVERYONE, self.tr("Everyone")),
                    (Audience.BUDDIES, self.tr("Friends")),
                    (Audience.NOBODY, self.tr("Only me")),
                ):
                    audience.addItem(words, int(value))
                audience.setToolTip(self.tr("Who may see this"))
                self.audiences[key] = audience
                row = QHBoxLayout()
                row.addWidget(edit, 1)
                row.addWidget(audience)
                form.addRow(caption, row)
            else:
                form.addRow(caption, edit)
        return group

    # -- loading -------------------------------------------------------------------

    def load(self) -> None:
        """Fetch my profile, then who sees its private fields."""
        self._set_busy(True)
        self._say(self.tr("Loading your profile…"))
        self._calls.run(self.session.profile(self.session.uin), self._show_profile, self._failed)

    def _show_profile(self, profile: Profile) -> None:
        self.profile = profile
        self.face = profile.face
        self._show_face()
        self.nick_edit.setText(profile.nick)
        for key, edit in self.edits.items():
            edit.setText(getattr(profile, key))
        self.intro_edit.setPlainText(profile.intro)
        self.age_box.setValue(min(max(profile.age, 0), MAX_AGE))
        for combo, value in (
            (self.sex_box, profile.sex),
            (self.blood_box, profile.blood_type),
            (self.constellation_box, profile.constellation),
            (self.zodiac_box, profile.zodiac),
        ):
            combo.setCurrentIndex(max(0, combo.findData(int(value))))
        self._calls.run(self.session.privacy(), self._show_privacy, self._no_privacy)

    def _show_privacy(self, privacy: ProfilePrivacy) -> None:
        self.privacy = privacy
        for key, combo in self.audiences.items():
            combo.setEnabled(True)
            combo.setCurrentIndex(max(0, combo.findData(int(getattr(privacy, key)))))
        self._set_busy(False)
        self._say("")
        self.loaded.emit()

    def _no_privacy(self, exc: BaseException) -> None:
        # A server without the Privacy extension: the rest still works.
        for combo in self.audiences.values():
            combo.setEnabled(False)
        self.privacy = None
        self._set_busy(False)
        self._say(self.tr("This server cannot keep who sees your private fields."))
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        # Loading failed: nothing to compare a save against, so Save stays off.
        self.save_button.setEnabled(self.profile is not None)
        self._say(describe_error(exc), "error")
        self.failed.emit(self.message_label.text())

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy and self.profile is not None)

    def _say(self, text: str, kind: str = "info") -> None:
        status_label(self.message_label, text, kind)

    # -- the face --------------------------------------------------------------------

    def _show_face(self) -> None:
        picture = face_picture(
            self.face, FACE_SIZE, self.nick_edit.text(), ratio=self.devicePixelRatioF()
        )
        self.face_button.setIcon(QIcon(picture))

    def choose_face(self) -> FaceChooser:
        """Open the face chooser (the face changes when one is picked; Save keeps it)."""
        chooser = FaceChooser(self.face, self)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.accepted.connect(lambda: self._face_chosen(chooser.face))
        chooser.open()
        return chooser

    def _face_chosen(self, face: int) -> None:
        self.face = face
        self._show_face()

    # -- saving ----------------------------------------------------------------------

    def changes(self) -> dict[str, str | int]:
        """What differs from my profile as loaded (Profile attribute -> new value)."""
        if self.profile is None:
            return {}
        now: dict[str, str | int] = {
            "nick": self.nick_edit.text().strip(),
            "face": self.face,
            "age": self.age_box.value(),
            "sex": int(self.sex_box.currentData()),
            "blood_type": int(self.blood_box.currentData()),
            "constellation": int(self.constellation_box.currentData()),
            "zodiac": int(self.zodiac_box.currentData()),
            "intro": self.intro_edit.toPlainText().strip(),
        }
        now.update({key: edit.text().strip() for key, edit in self.edits.items()})
        before = self.profile
        return {
            key: value
            for key, value in now.items()
            if value
            != (int(getattr(before, key)) if isinstance(value, int) else getattr(before, key))
        }

    def privacy_changes(self) -> dict[str, Audience]:
        if self.privacy is None:
            return {}
        chosen = {key: Audience(int(combo.currentData())) for key, combo in self.audiences.items()}
        return {key: value for key, value in chosen.items() if getattr(self.privacy, key) != value}

    def problem(self) -> str:
        """What the user must fix before saving ("" when nothing)."""
        if not self.nick_edit.text().strip():
            return self.tr("The nickname cannot be empty.")
        intro = self.intro_edit.toPlainText().strip()
        if len(intro) > EDITABLE_TEXT["intro"]:
            return self.tr("“About me” is {count} characters long; at most {limit} fit.").format(
                count=len(intro), limit=EDITABLE_TEXT["intro"]
            )
        return ""

    def save(self) -> None:
        """Send what changed; the dialog stays open and says how it went."""
        problem = self.problem()
        if problem:
            self._say(problem, "error")
            self.failed.emit(problem)
            return
        changes, privacy = self.changes(), self.privacy_changes()
        if not changes and not privacy:
            self._say(self.tr("Nothing has changed."))
            return
        self._set_busy(True)
        self._say(self.tr("Saving…"))
        self._calls.run(self._send(changes, privacy), self._saved, self._failed)

    async def _send(
        self, changes: dict[str, str | int], privacy: dict[str, Audience]
    ) -> tuple[Profile | None, ProfilePrivacy | None]:
        profile = await self.session.set_profile(**changes) if changes else None
        chosen = await self.session.set_privacy(**privacy) if privacy else None
        return profile, chosen

    def _saved(self, result: tuple[Profile | None, ProfilePrivacy | None]) -> None:
        profile, privacy = result
        if profile is not None:
            self.profile = profile
            self.saved.emit(profile)
        if privacy is not None:
            self.privacy = privacy
        self._set_busy(False)
        self._say(self.tr("Saved."), "ok")

    # -- the password ------------------------------------------------------------------

    def show_change_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.session, self, passwords=self.passwords)
        dialog.changed.connect(lambda: self._say(self.tr("Your password is changed."), "ok"))
        self.password_dialog = dialog
        dialog.open()
        return dialog


def _as_sent(profile: Profile, key: str) -> str | int:
    """A profile field as set_profile takes it (enumerations as their numbers)."""
    value = getattr(profile, key)
    return int(value) if isinstance(value, int) else str(value)


class ChangePasswordDialog(QDialog):
    """Old password, new one twice; says the minimum, and what went wrong in words."""

    # The server took the new password (and the keyring entry, if any, has it).
    changed = Signal()
    # The words of a refusal (tests wait for it).
    failed = Signal(str)

    def __init__(
        self,
        session: ChatSession,
        parent: QWidget | None = None,
        *,
        passwords: PasswordStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.passwords = passwords
        self._calls = CallRunner(self)
        self.setWindowTitle(self.tr("Change password"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, parent is not None)
        self.old_edit = self._password_edit("oldPassword")
        self.new_edit = self._password_edit("newPassword")
        self.repeat_edit = self._password_edit("repeatPassword")
        hint = QLabel(self.tr("At least {count} characters").format(count=MIN_PASSWORD))
        hint.setEnabled(False)
        form = QFormLayout()
        form.addRow(self.tr("Current password:"), self.old_edit)
        form.addRow(self.tr("New password:"), self.new_edit)
        form.addRow("", hint)
        form.addRow(self.tr("Repeat new password:"), self.repeat_edit)
        self.message_label = QLabel()
        self.message_label.setObjectName("passwordMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.change_button = buttons.addButton(
            self.tr("Change"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.change_button.setDefault(True)
        buttons.accepted.connect(self.change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _password_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def problem(self) -> str:
        """What the user must fix before sending ("" when nothing)."""
        if not self.old_edit.text():
            return self.tr("Enter your current password.")
        if len(self.new_edit.text()) < MIN_PASSWORD:
            return self.tr("The new password is too short: at least {count} characters.").format(
                count=MIN_PASSWORD
            )
        if self.new_edit.text() != self.repeat_edit.text():
            return self.tr("The new passwords do not match.")
        return ""

    def change(self) -> None:
        problem = self.problem()
        if problem:
            self._refused(problem)
            return
        self.change_button.setEnabled(False)
        status_label(self.message_label, self.tr("Changing the password…"))
        new = self.new_edit.text()
        call = self.session.change_password(self.old_edit.text(), new)
        self._calls.run(call, lambda _: self._done(new), self._failed)

    def _done(self, new: str) -> None:
        # The keyring keeps the password only if the user chose "Remember me".
        passwords = self.passwords if self.passwords is not None else PasswordStore()
        if passwords.get(self.session.uin) is not None:
            passwords.set(self.session.uin, new)
        self.changed.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.change_button.setEnabled(True)
        if isinstance(exc, errors.WrongPassword):
            self._refused(self.tr("The current password is wrong."))
            self.old_edit.setFocus()
            self.old_edit.selectAll()
            return
        self._refused(describe_error(exc, signing_in=isinstance(exc, errors.TooFrequent)))

    def _refused(self, text: str) -> None:
        status_label(self.message_label, text, "error")
        self.failed.emit(text)
