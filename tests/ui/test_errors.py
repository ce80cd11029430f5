"""Error words: every error a session can raise has its own, in English and Chinese."""

from __future__ import annotations

import inspect

import pytest
from PySide6.QtWidgets import QApplication

from qqdesk.client import errors
from qqdesk.ui.errors import WORDING, describe_error

ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.QQError) and cls.__module__ == errors.__name__
]


def example(cls: type[errors.QQError]) -> errors.QQError:
    """An instance of an error class, whatever its constructor takes."""
    for args in ((), ("server said no",), (10001,), ("history.sqlite", 3, 2)):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(f"cannot make a {cls.__name__}")


def test_every_error_class_has_its_own_words() -> None:
    assert len(ERROR_CLASSES) >= 11
    missing = [cls.__name__ for cls in ERROR_CLASSES if cls not in WORDING]
    assert not missing, f"give these errors words in qqdesk/ui/errors.py: {missing}"


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("signing_in", [False, True])
def test_every_error_is_worded(
    qapp: QApplication, cls: type[errors.QQError], signing_in: bool
) -> None:
    words = describe_error(example(cls), signing_in=signing_in)
    assert words.strip()
    if cls is not errors.QQError:
        # Only the base class (and errors from elsewhere) get the catch-all words.
        assert not words.startswith("Something went wrong")
    assert "{" not in words


def test_error_words() -> None:
    assert describe_error(errors.NoSuchUser(99999)) == "There is no user with this number."
    assert describe_error(errors.SessionClosed()).startswith("You are not logged in")
    assert describe_error(errors.NotLoggedIn()).startswith("You are not logged in")
    assert "Wait a few seconds" in describe_error(errors.TooFrequent())
    assert "reach the server" in describe_error(errors.ServerUnavailable("timed out"))
    assert "reach the server" in describe_error(ConnectionRefusedError())
    assert "reach the server" not in describe_error(errors.ServerBusy("disk full", 30))
    assert "history" in describe_error(errors.HistoryUnavailable("read-only"))
    assert describe_error(errors.WrongPassword("RS=1")).startswith("Wrong password")
    assert describe_error(errors.LoginFailed("locked")) == "Could not sign in: locked"
    assert describe_error(RuntimeError("boom")) == "Something went wrong: boom"


def test_sign_in_words() -> None:
    assert "no account" in describe_error(errors.NoSuchUser(5), signing_in=True)
    assert "Too many attempts" in describe_error(errors.TooFrequent(), signing_in=True)
    assert "Check the address" in describe_error(TimeoutError(), signing_in=True)
    assert describe_error(RuntimeError("boom"), signing_in=True) == "Could not sign in: boom"


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_worded_in_chinese(chinese: None, cls: type[errors.QQError]) -> None:
    for signing_in in (False, True):
        words = describe_error(example(cls), signing_in=signing_in)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in words), words
