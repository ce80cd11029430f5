"""Refreshes qqdesk_*.ts from every qqdesk/ui source file, then compiles the .qm files.

Run after changing user-visible strings:  python qqdesk/ui/translations/update.py
Then translate the new entries (Qt Linguist: pyside6-linguist) and run it again.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
UI_DIR = HERE.parent
LANGUAGES = ("zh_CN",)


def tool(name: str) -> str:
    """A PySide6 tool: next to this Python first (a venv), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found; install PySide6 (it ships {name}).")
    return found


def sources() -> list[Path]:
    """Every Python file of the UI, in a stable order."""
    return sorted(p for p in UI_DIR.rglob("*.py") if HERE not in p.parents)


def ts_path(language: str) -> Path:
    return HERE / f"qqdesk_{language}.ts"


def qm_path(language: str) -> Path:
    return HERE / f"qqdesk_{language}.qm"


def lupdate(ts: Path, *, keep_obsolete: bool = False) -> None:
    """Merge the strings of :func:`sources` into ``ts`` (created when missing)."""
    language = ts.stem.removeprefix("qqdesk_")
    command = [tool("pyside6-lupdate"), "-silent", "-locations", "relative"]
    if not keep_obsolete:
        command.append("-no-obsolete")
    command += ["-source-language", "en", "-target-language", language]
    command += [str(p.relative_to(HERE.parents[2])) for p in sources()]
    command += ["-ts", str(ts)]
    subprocess.run(command, check=True, cwd=HERE.parents[2])


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", "-removeidentical", str(ts), "-qm", str(qm)],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--release-only", action="store_true", help="only compile the .ts files into .qm"
    )
    parser.add_argument(
        "--keep-obsolete", action="store_true", help="keep strings no source uses any more"
    )
    args = parser.parse_args(argv)
    for language in LANGUAGES:
        if not args.release_only:
            lupdate(ts_path(language), keep_obsolete=args.keep_obsolete)
        lrelease(ts_path(language), qm_path(language))
        print(f"{ts_path(language).name} -> {qm_path(language).name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
