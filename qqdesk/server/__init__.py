"""The qqdesk server: HTTP front-end, service (the rules), administration and the store."""

from .admin import Admin, BlockingAdmin
from .server import QQServer
from .service import Service
from .store import SqliteStore, Store, StoreError

__all__ = ["Admin", "BlockingAdmin", "QQServer", "Service", "SqliteStore", "Store", "StoreError"]
