"""Durable server state (accounts, buddy lists, requests, queued messages, rooms, remarks,
web sign-ins): one async interface, implemented on SQLite and on PostgreSQL, with
versioned migrations."""

from .interface import (
    SCRYPT_N,
    WEB_LOGIN_TTL,
    Account,
    MessageKind,
    NewMessage,
    QueuedMessage,
    Store,
    StoreError,
    WebLogin,
    check_password,
    hash_password,
    md5_hex,
)
from .migrations import PROFILE_FIELDS, latest_version
from .opening import open_store
from .sqlite import SqliteStore, normalize_profile_fields
from .transfer import copy_store

__all__ = [
    "PROFILE_FIELDS",
    "SCRYPT_N",
    "WEB_LOGIN_TTL",
    "Account",
    "MessageKind",
    "NewMessage",
    "QueuedMessage",
    "SqliteStore",
    "Store",
    "StoreError",
    "WebLogin",
    "check_password",
    "copy_store",
    "hash_password",
    "latest_version",
    "md5_hex",
    "normalize_profile_fields",
    "open_store",
]
