"""Dialogs of the desktop app: add friend, friend requests, profiles, settings."""

from .profile import ProfileDialog
from .requests import (
    IncomingRequestDialog,
    RefuseReasonDialog,
    RequestsDialog,
    show_request_result,
)
from .rooms import ChooseBuddiesDialog, WebLoginDialog, WebLoginNotice
from .search import AddBuddyDialog, SearchResultsModel, VerificationRequestDialog
from .settings_dialog import SettingsDialog

__all__ = [
    "AddBuddyDialog",
    "ChooseBuddiesDialog",
    "IncomingRequestDialog",
    "ProfileDialog",
    "RefuseReasonDialog",
    "RequestsDialog",
    "SearchResultsModel",
    "SettingsDialog",
    "VerificationRequestDialog",
    "WebLoginDialog",
    "WebLoginNotice",
    "show_request_result",
]
