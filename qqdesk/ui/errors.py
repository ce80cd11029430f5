"""What went wrong, in the user's words: the one place the UI words a session's errors."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from qqdesk.client import errors


def _tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def _detail(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _unreachable(exc: BaseException, signing_in: bool) -> str:
    if signing_in:
        return _tr("Cannot reach the server. Check the address and that the server is running.")
    return _tr("Cannot reach the server. Check your connection and try again.")


def _server_busy(exc: BaseException, signing_in: bool) -> str:
    return _tr("The server cannot take this right now. Try again in a little while.")


def _login_failed(exc: BaseException, signing_in: bool) -> str:
    reason = getattr(exc, "reason", "") or _detail(exc)
    return _tr("Could not sign in: {reason}").format(reason=reason)


def _wrong_password(exc: BaseException, signing_in: bool) -> str:
    return _tr("Wrong password. Check it and try again.")


def _no_such_user(exc: BaseException, signing_in: bool) -> str:
    if signing_in:
        return _tr("There is no account with this number.")
    return _tr("There is no user with this number.")


def _too_frequent(exc: BaseException, signing_in: bool) -> str:
    if signing_in:
        return _tr("Too many attempts. Wait a little and try again.")
    return _tr("The server is busy with your requests. Wait a few seconds and try again.")


def _not_logged_in(exc: BaseException, signing_in: bool) -> str:
    return _tr("You are not logged in. Log in again and retry.")


def _refused(exc: BaseException, signing_in: bool) -> str:
    return _tr("The server did not accept this request.")


def _history_unavailable(exc: BaseException, signing_in: bool) -> str:
    return _tr(
        "Your message history cannot be saved (is the disk full?). "
        "Nothing was lost; try again when there is room."
    )


def _history_too_new(exc: BaseException, signing_in: bool) -> str:
    path = getattr(exc, "path", "")
    return _tr(
        "Your message history was written by a newer qqdesk. Update qqdesk, or move "
        "this file away to start a new history: {path}"
    ).format(path=path)


def _rooms_unavailable(exc: BaseException, signing_in: bool) -> str:
    return _tr(
        "Groups and discussions are not available on this server (it has no Smart QQ channel)."
    )


def _not_a_member(exc: BaseException, signing_in: bool) -> str:
    return _tr(
        "The server refused: you are not a member of this group or discussion, or someone"
        " you named is not your friend."
    )


def _anything(exc: BaseException, signing_in: bool) -> str:
    if signing_in:
        return _tr("Could not sign in: {reason}").format(reason=_detail(exc))
    return _tr("Something went wrong: {detail}").format(detail=_detail(exc))


#: The words for each error, found along the exception's class hierarchy. Every class
#: of :mod:`qqdesk.client.errors` has its own entry (a test checks), so a new error
#: cannot slip through with only its base class's words.
WORDING: dict[type[BaseException], Callable[[BaseException, bool], str]] = {
    errors.QQError: _anything,
    errors.ServerUnavailable: _unreachable,
    errors.HistoryTooNew: _history_too_new,
    errors.ServerBusy: _server_busy,
    errors.LoginFailed: _login_failed,
    errors.WrongPassword: _wrong_password,
    errors.NoSuchUser: _no_such_user,
    errors.TooFrequent: _too_frequent,
    errors.NotLoggedIn: _not_logged_in,
    errors.RequestRefused: _refused,
    errors.HistoryUnavailable: _history_unavailable,
    errors.SessionClosed: _not_logged_in,
    errors.RoomsUnavailable: _rooms_unavailable,
    errors.NotAMember: _not_a_member,
    # Below the session (a test double, the built-in server): the network failed.
    OSError: _unreachable,
    TimeoutError: _unreachable,
}


def describe_error(exc: BaseException, *, signing_in: bool = False) -> str:
    """Say in the user's words what went wrong with a session call.

    ``signing_in`` words it for the sign-in dialog (no account with this number, check
    the server's address) rather than for a call made while logged in.
    """
    for cls in type(exc).__mro__:
        words = WORDING.get(cls)
        if words is not None:
            return words(exc, signing_in)
    return _anything(exc, signing_in)
