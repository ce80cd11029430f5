"""Where the app logs: a rotating file in the user's log folder, and stderr for problems."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

import platformdirs

#: The log file's name inside ``platformdirs.user_log_dir("qqdesk")``.
LOG_NAME = "qqdesk.log"
#: One file of this size, plus this many older ones, so the log never grows without end.
MAX_BYTES = 1_000_000
BACKUPS = 3

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Libraries that log every request at INFO; a long-polling client would fill the file.
CHATTY = ("httpx", "httpcore", "asyncio", "qasync")

_FILE_HANDLER_NAME = "qqdesk-file"
_STDERR_HANDLER_NAME = "qqdesk-stderr"


def log_path() -> Path:
    """The current log file (it may not exist before logging is configured)."""
    return Path(platformdirs.user_log_dir("qqdesk", appauthor=False)) / LOG_NAME


def configure_logging(debug: bool = False) -> Path | None:
    """Log to the file at INFO (DEBUG with ``debug``) and to stderr (warnings, or all).

    Calling it again replaces qqdesk's own handlers rather than adding more. Returns
    the log file's path, or None when the folder cannot be written (stderr still works).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() in (_FILE_HANDLER_NAME, _STDERR_HANDLER_NAME):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)

    formatter = logging.Formatter(FORMAT)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.set_name(_STDERR_HANDLER_NAME)
    stderr.setLevel(logging.DEBUG if debug else logging.WARNING)
    stderr.setFormatter(formatter)
    root.addHandler(stderr)

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", path, exc)
        return None
    file_handler.set_name(_FILE_HANDLER_NAME)
    file_handler.setLevel(logging.DEBUG if debug else logging.INFO)
    file_handler.setFormatter(formatter)
    root.addHandler(file_handler)
    return path


def current_log_file() -> Path | None:
    """The file qqdesk's handler writes to, if logging was configured with one."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == _FILE_HANDLER_NAME and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None
