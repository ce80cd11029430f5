"""Entry script of the PyInstaller bundles: start the desktop app and exit with its code."""

from qqdesk.ui.app import main

raise SystemExit(main())
