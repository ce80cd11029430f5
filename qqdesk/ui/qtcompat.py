"""Work-arounds for Qt binding limits: 64-bit signal numbers, and protect_none() first."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

#: Signal argument type for QQ numbers: they reach 2**32 - 1, beyond Qt's 32-bit int.
UIN: Any = "qlonglong"

#: How many references protect_none() adds: more than a process ever drops.
_PADDING = 1 << 40

_done = False


def protect_none() -> None:
    """Keep ``None`` (and the bools) alive although PySide6 drops references to them.

    PySide6 6.12 on CPython 3.11 releases one reference to ``None`` each time a Qt
    method without a return value is called from Python (``update()``, ``show()``,
    ``processEvents()``...). None starts with some thousands of references, so after
    a few minutes of use CPython aborts with "deallocating None". Adding 2**40
    references up front outlasts any session. From CPython 3.12 on, None is
    immortal and nothing needs doing. pyproject.toml excludes 6.12.0, so this only
    acts where that build was installed anyway (a bundle or --no-deps install).
    """
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import PySide6

    if PySide6.__version__ != "6.12.0":
        return
    # True and False lose references the same way on some calls (seen at exit).
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _PADDING
    _done = True
