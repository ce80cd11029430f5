"""qqdesk: a desktop messenger, client library and server for the HTTP QQ protocol."""

__version__ = "0.1.0"
