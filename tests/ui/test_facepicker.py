"""The face picker, face insertion into the chat input, and faces in rich text, on real widgets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPainter, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit

from qqdesk import resources
from qqdesk.core import FACE_NAMES, Face, parse_text
from qqdesk.ui import i18n
from qqdesk.ui.facepicker import (
    COLUMNS,
    ICON_SIZE,
    FacePicker,
    FaceRoles,
    content_html,
    face_tooltip,
    insert_face,
    text_html,
)

ORDER = list(FACE_NAMES)

# A Qt.Popup grabs keyboard and mouse when shown; the offscreen platform cannot (and says so).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the (keyboard|mouse)")


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    assert i18n.install_translator(qapp, "en") == "en"
    yield


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"
    yield
    assert i18n.install_translator(qapp, "en") == "en"


@pytest.fixture
def picker(qtbot: Any, english: None) -> FacePicker:
    widget = FacePicker()
    qtbot.addWidget(widget)
    widget.popup(QPoint(200, 400))
    qtbot.waitExposed(widget)
    return widget


def test_opens_with_every_face_in_the_table_order(picker: FacePicker) -> None:
    assert picker.isVisible()
    model = picker.view.model()
    assert model.rowCount() == len(FACE_NAMES)
    ids = [model.index(row, 0).data(FaceRoles.FACE_ID) for row in range(model.rowCount())]
    assert ids == ORDER
    assert model.index(0, 0).data(FaceRoles.TEXT_FORM) == "/微笑"
    # Every cell is in view at once: the grid holds them all without scrolling.
    viewport = picker.view.viewport().rect()
    for row in range(model.rowCount()):
        assert viewport.contains(picker.view.visualRect(model.index(row, 0))), row
    assert picker.view.currentIndex().row() == 0


def test_no_cell_is_blank(picker: FacePicker) -> None:
    """Each cell of the grabbed popup shows its picture, not just the background."""
    picker.view.setCurrentIndex(picker.view.model().index(-1, 0))  # no highlight anywhere
    image = picker.view.viewport().grab().toImage()
    background = image.pixelColor(image.width() - 2, image.height() - 2).rgb()  # an empty cell
    model = picker.view.model()
    blank = []
    for row in range(model.rowCount()):
        rect = picker.view.visualRect(model.index(row, 0))
        painted = sum(
            1
            for y in range(rect.top(), rect.bottom() + 1)
            for x in range(rect.left(), rect.right() + 1)
            if image.pixelColor(x, y).rgb() != background
        )
        if painted < ICON_SIZE * ICON_SIZE // 10:
            blank.append(ORDER[row])
    assert not blank


def _is_face_yellow(colour: QColor) -> bool:
    return colour.red() > 200 and colour.green() > 170 and colour.blue() < 140


def test_click_picks_and_closes(qtbot: Any, picker: FacePicker) -> None:
    row = ORDER.index(51)  # 酷
    centre = picker.view.visualRect(picker.view.model().index(row, 0)).center()
    with qtbot.waitSignal(picker.facePicked) as picked:
        qtbot.mouseClick(picker.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert picked.args == [51]
    assert not picker.isVisible()


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_keyboard_moves_through_the_grid_and_picks(
    qtbot: Any, picker: FacePicker, key: Qt.Key
) -> None:
    view = picker.view
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 2 + COLUMNS
    with qtbot.waitSignal(picker.facePicked) as picked:
        qtbot.keyClick(view, key)
    assert picked.args == [ORDER[2 + COLUMNS]]
    assert not picker.isVisible()


def test_escape_closes_without_a_pick(qtbot: Any, picker: FacePicker) -> None:
    with qtbot.assertNotEmitted(picker.facePicked):
        qtbot.keyClick(picker.view, Qt.Key.Key_Escape)
    assert not picker.isVisible()


def test_popup_stays_on_the_screen(qtbot: Any, english: None) -> None:
    widget = FacePicker()
    qtbot.addWidget(widget)
    screen = QApplication.primaryScreen().availableGeometry()
    widget.popup(QPoint(screen.right() - 5, screen.top() + 5))  # no room above, none right
    assert screen.contains(widget.frameGeometry())


def test_tooltips_in_english(picker: FacePicker) -> None:
    model = picker.view.model()
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "Smile (/微笑)"
    assert face_tooltip(179) == "Doge (/doge)"
    assert model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "Smile"
    assert picker.accessibleName() == "Faces"


def test_tooltips_in_chinese(qtbot: Any, chinese: None) -> None:
    widget = FacePicker()
    qtbot.addWidget(widget)
    model = widget.view.model()
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "微笑（/微笑）"
    assert face_tooltip(100) == "糗大了（/糗大了）"
    assert widget.accessibleName() == "表情"


def test_language_change_reaches_an_open_picker(qapp: QApplication, picker: FacePicker) -> None:
    assert picker.accessibleName() == "Faces"
    i18n.install_translator(qapp, "zh_CN")
    try:
        QApplication.processEvents()  # LanguageChange is posted
        assert picker.accessibleName() == "表情"
        assert picker.view.model().index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "撇嘴（/撇嘴）"
    finally:
        i18n.install_translator(qapp, "en")
    QApplication.processEvents()
    assert picker.accessibleName() == "Faces"


@pytest.mark.parametrize("editor_class", [QPlainTextEdit, QTextEdit])
def test_insert_face_at_the_cursor(
    qtbot: Any, editor_class: type[QPlainTextEdit] | type[QTextEdit]
) -> None:
    editor = editor_class()
    qtbot.addWidget(editor)
    editor.setPlainText("hello world")
    cursor = editor.textCursor()
    cursor.setPosition(5)
    editor.setTextCursor(cursor)
    insert_face(editor, 14)
    assert editor.toPlainText() == "hello/微笑 world"
    assert editor.textCursor().position() == len("hello/微笑")
    insert_face(editor, 51)
    assert editor.toPlainText() == "hello/微笑/酷 world"
    assert parse_text(editor.toPlainText()) == ("hello", Face(14), Face(51), " world")


def test_insert_face_replaces_the_selection(qtbot: Any) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("I am sad")
    cursor = editor.textCursor()
    cursor.setPosition(5)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    insert_face(editor, 50)
    assert editor.toPlainText() == "I am /难过"


def test_a_picked_face_lands_in_the_input(qtbot: Any, picker: FacePicker) -> None:
    """The wiring the chat window will use: facePicked -> insert_face."""
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("ok ")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    picker.facePicked.connect(lambda face_id: insert_face(editor, face_id))
    picker.pick(13)
    assert editor.toPlainText() == "ok /呲牙"


# -- rich text for the bubbles -------------------------------------------------------------


def test_html_escapes_the_users_text_and_keeps_line_breaks() -> None:
    html = content_html(("a <b>bold</b> & co\nnext  line", Face(14), "!"))
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&amp; co" in html
    assert "co<br>next  line" in html
    assert html.count("<img ") == 1


def test_html_has_one_img_per_face_with_its_picture() -> None:
    html = content_html((Face(14), "x", Face(14), Face(999)))
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources == [
        QUrl.fromLocalFile(str(resources.emoticon_path(14))).toString(),
        QUrl.fromLocalFile(str(resources.emoticon_path(14))).toString(),
        QUrl.fromLocalFile(str(resources.emoticon_path(999))).toString(),
    ]
    assert re.findall(r'alt="([^"]+)"', html) == ["/微笑", "/微笑", "/face999"]


def test_html_of_text_form_and_markup_in_names_of_nothing() -> None:
    assert text_html("hi /微笑") == content_html(("hi ", Face(14)))
    assert "<script>" not in text_html("<script>alert(1)</script>/酷")


def test_html_shows_the_faces_in_a_text_document(qapp: QApplication) -> None:
    """Qt's rich text really loads the pictures: the painted document has yellow faces."""
    document = QTextDocument()
    document.setHtml(text_html("a <i>b</i>\n/微笑/酷"))
    assert document.toPlainText().startswith("a <i>b</i>\n")
    image = QImage(200, 80, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    yellow = sum(
        1 for y in range(80) for x in range(200) if _is_face_yellow(image.pixelColor(x, y))
    )
    assert yellow > 2 * 80  # two 24 px faces, not two broken-image squares
