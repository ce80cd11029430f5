"""What the dialogs share: enum words, who-is-who text and async calls."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from qqdesk.core import BloodType, Constellation, Presence, Sex, Zodiac

log = logging.getLogger(__name__)

T = TypeVar("T")

# Shown for a profile field the user left empty.
EMPTY = "—"


# -- enumerations in words -------------------------------------------------------


def sex_text(sex: Sex | int | None) -> str:
    if sex is None:
        return QCoreApplication.translate("Words", "Any")
    words: dict[int, str] = {
        Sex.MALE: QCoreApplication.translate("Words", "Male"),
        Sex.FEMALE: QCoreApplication.translate("Words", "Female"),
    }
    return words.get(int(sex), EMPTY)


def status_text(status: Presence) -> str:
    # Away, silent and call-me read as busy, as the classic protocol shows them.
    words: dict[Presence, str] = {
        Presence.ONLINE: QCoreApplication.translate("Words", "Online"),
        Presence.BUSY: QCoreApplication.translate("Words", "Busy"),
        Presence.HIDDEN: QCoreApplication.translate("Words", "Invisible"),
    }
    if status in (Presence.AWAY, Presence.SILENT, Presence.CALLME):
        status = Presence.BUSY
    return words.get(status, QCoreApplication.translate("Words", "Offline"))


def blood_type_text(blood: BloodType | int) -> str:
    words: dict[int, str] = {
        BloodType.A: QCoreApplication.translate("Words", "Type A"),
        BloodType.B: QCoreApplication.translate("Words", "Type B"),
        BloodType.O: QCoreApplication.translate("Words", "Type O"),
        BloodType.AB: QCoreApplication.translate("Words", "Type AB"),
        BloodType.OTHER: QCoreApplication.translate("Words", "Other blood type"),
    }
    return words.get(int(blood), EMPTY)


def constellation_text(sign: Constellation | int) -> str:
    words: dict[int, str] = {
        Constellation.AQUARIUS: QCoreApplication.translate("Words", "Aquarius"),
        Constellation.PISCES: QCoreApplication.translate("Words", "Pisces"),
        Constellation.ARIES: QCoreApplication.translate("Words", "Aries"),
        Constellation.TAURUS: QCoreApplication.translate("Words", "Taurus"),
        Constellation.GEMINI: QCoreApplication.translate("Words", "Gemini"),
        Constellation.CANCER: QCoreApplication.translate("Words", "Cancer"),
        Constellation.LEO: QCoreApplication.translate("Words", "Leo"),
        Constellation.VIRGO: QCoreApplication.translate("Words", "Virgo"),
        Constellation.LIBRA: QCoreApplication.translate("Words", "Libra"),
        Constellation.SCORPIO: QCoreApplication.translate("Words", "Scorpio"),
        Constellation.SAGITTARIUS: QCoreApplication.translate("Words", "Sagittarius"),
        Constellation.CAPRICORN: QCoreApplication.translate("Words", "Capricorn"),
    }
    return words.get(int(sign), EMPTY)


def zodiac_text(animal: Zodiac | int) -> str:
    words: dict[int, str] = {
        Zodiac.RAT: QCoreApplication.translate("Words", "Rat"),
        Zodiac.OX: QCoreApplication.translate("Words", "Ox"),
        Zodiac.TIGER: QCoreApplication.translate("Words", "Tiger"),
        Zodiac.RABBIT: QCoreApplication.translate("Words", "Rabbit"),
        Zodiac.DRAGON: QCoreApplication.translate("Words", "Dragon"),
        Zodiac.SNAKE: QCoreApplication.translate("Words", "Snake"),
        Zodiac.HORSE: QCoreApplication.translate("Words", "Horse"),
        Zodiac.GOAT: QCoreApplication.translate("Words", "Goat"),
        Zodiac.MONKEY: QCoreApplication.translate("Words", "Monkey"),
        Zodiac.ROOSTER: QCoreApplication.translate("Words", "Rooster"),
        Zodiac.DOG: QCoreApplication.translate("Words", "Dog"),
        Zodiac.PIG: QCoreApplication.translate("Words", "Pig"),
    }
    return words.get(int(animal), EMPTY)


def profile_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """A profile's fields as QQ's info card groups them, in words: Basic, Location,
    Contact and More, each ``(title, [(Profile attribute, caption), ...])``."""

    def words(text: str) -> str:
        return QCoreApplication.translate("ProfileFields", text)

    return [
        (
            words("Basic"),
            [
                ("sex", words("Sex:")),
                ("age", words("Age:")),
                ("blood_type", words("Blood type:")),
                ("constellation", words("Constellation:")),
                ("zodiac", words("Chinese zodiac:")),
            ],
        ),
        (
            words("Location"),
            [
                ("country", words("Country:")),
                ("province", words("Province:")),
                ("city", words("City:")),
            ],
        ),
        (
            words("Contact"),
            [
                ("email", words("Email:")),
                ("phone", words("Phone:")),
                ("mobile", words("Mobile:")),
                ("homepage", words("Homepage:")),
                ("address", words("Address:")),
                ("postcode", words("Postcode:")),
            ],
        ),
        (
            words("More"),
            [
                ("real_name", words("Real name:")),
                ("school", words("School:")),
                ("job", words("Occupation:")),
                ("intro", words("About me:")),
            ],
        ),
    ]


def or_dash(text: str | int | None) -> str:
    """A field's text, or the dash that says the user left it empty."""
    if text is None:
        return EMPTY
    text = str(text).strip()
    return text if text else EMPTY


def who(uin: int, nick: str = "") -> str:
    """'Nick (number)', or just the number when the nickname is unknown."""
    nick = nick.strip()
    return f"{nick} ({uin})" if nick else str(uin)


# -- async calls --------------------------------------------------------------------


class CallRunner(QObject):
    """Runs a dialog's session calls on the asyncio (qasync) loop.

    Keeps the tasks so closing the dialog cancels them, and so a finished call
    never touches a deleted widget.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        parent.destroyed.connect(self.cancel_all)

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def run(
        self,
        call: Awaitable[T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> asyncio.Task[None]:
        async def wrapped() -> None:
            try:
                value = await call
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("session call failed: %r", exc)
                self._tasks.discard(task)  # so the callback sees the dialog idle
                if not self._closed:
                    on_error(exc)
                return
            self._tasks.discard(task)
            if not self._closed:
                on_done(value)

        def finished(done: asyncio.Task[None]) -> None:
            self._tasks.discard(done)
            # Cancelled before its first step (the dialog closed at once): the call
            # never ran, so close it rather than leave a never-awaited coroutine.
            if inspect.iscoroutine(call) and inspect.getcoroutinestate(call) == "CORO_CREATED":
                call.close()

        task = asyncio.ensure_future(wrapped())
        self._tasks.add(task)
        task.add_done_callback(finished)
        return task

    def cancel_all(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()


_LIGHT_COLOURS = {"ok": "#1e7e34", "error": "#c5221f"}
_DARK_COLOURS = {"ok": "#5bd17a", "error": "#ff7b72"}


def status_label(label: QLabel, text: str, kind: str = "info") -> None:
    """Show ``text`` in a dialog's message line; kind is info, ok or error.

    The text is plain: it often carries a nickname or a server's words."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    dark = label.palette().color(QPalette.ColorRole.Window).lightness() < 128
    colours = _DARK_COLOURS if dark else _LIGHT_COLOURS
    colour = colours.get(kind)
    label.setStyleSheet(f"color: {colour};" if colour else "")
    label.setText(text)
    label.setVisible(bool(text))
