"""Exceptions an account session raises, named for what went wrong."""

from __future__ import annotations


class QQError(Exception):
    """Base of every error a session raises."""


class ServerUnavailable(QQError, ConnectionError):
    """The server could not be reached, timed out or answered something unreadable."""


class ServerBusy(ServerUnavailable):
    """The server is up but cannot take writes now (HTTP 503, e.g. its disk is full).

    ``retry_after`` is the seconds it asked the client to wait (Retry-After), or None.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LoginFailed(QQError):
    """The server refused to log the account in; ``reason`` is its words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WrongPassword(LoginFailed):
    """The server refused the password (Login RS=1)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason or "wrong password")

    def __str__(self) -> str:
        return f"wrong password: {self.reason}"


class NoSuchUser(QQError):
    """The number is not an account (RES=5)."""

    def __init__(self, uin: int) -> None:
        super().__init__(f"no such user: {uin}")
        self.uin = uin


class TooFrequent(QQError):
    """The server still answers "too frequent" (RES=3) after waiting out its penalty."""


class NotLoggedIn(QQError):
    """The server does not know the session, even after logging in again (RES=20)."""


class RequestRefused(QQError):
    """The server answered NULL (an empty body): it refused the request as malformed."""


class HistoryUnavailable(QQError):
    """The local history store cannot be written (disk full, read-only, removed).

    Nothing is lost: a message to send was not queued (the caller still has it),
    and received messages stay unacknowledged on the server until they can be kept.
    """


class SessionClosed(QQError):
    """The session is not logged in (never, or logged out): call ``login()`` first."""


class RoomsUnavailable(QQError):
    """Groups and discussions are not available: the server has no Smart QQ channel
    (a classic-only server), or it is not open yet."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "this server has no groups or discussions (no Smart QQ channel)"
        )


class NotAMember(QQError):
    """The server refused a group or discussion call: I am not a member, the group
    does not exist, or a person named is not my buddy (Smart QQ 100001)."""


class HistoryTooNew(QQError):
    """The history file was written by a newer qqdesk; this one does not touch it."""

    def __init__(self, path: str, version: int, supported: int) -> None:
        self.path = path
        super().__init__(
            f"{path} holds history in schema version {version}, written by a newer"
            f" qqdesk; this one reads up to version {supported}. Update qqdesk, or"
            " move the file away to start a new history."
        )
        self.path = path
        self.version = version
        self.supported = supported
