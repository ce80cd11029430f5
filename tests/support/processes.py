"""A few lines of Python in a fresh interpreter: what an import loads, seen from nothing."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str, timeout: float = 60) -> str:
    """What ``python -c code`` prints (it must succeed); the environment is this one's."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=timeout
    )
    return done.stdout
