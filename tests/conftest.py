"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

# Qt must be headless in tests; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
