"""The classic HTTP QQ protocol server: asyncio front-end, one service module, a SQLite store."""

from .server import QQServer
from .service import Admin, Service
from .store import SqliteStore, Store, StoreError

__all__ = ["Admin", "QQServer", "Service", "SqliteStore", "Store", "StoreError"]
