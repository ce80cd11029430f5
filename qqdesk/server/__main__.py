"""``python -m qqdesk.server``: the same as the ``qqdesk-server`` command."""

import sys

from .cli import main

sys.exit(main())
