"""``python -m qqdesk`` starts the desktop app."""

from __future__ import annotations

import sys

from qqdesk.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
