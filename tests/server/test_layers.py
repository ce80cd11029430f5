"""The server's layering as a checked contract: who may import what (see STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "qqdesk" / "server"


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    # the package a relative import starts from: the module's own for __init__.py
    package = ".".join(path.relative_to(SERVER.parents[1]).parent.parts)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = node.module or ""
            names.add(f"{base}.{module}".rstrip(".") if node.level else module)
    return names


def _modules() -> dict[Path, set[str]]:
    return {p: _imports(p) for p in sorted(SERVER.rglob("*.py"))}


def test_nothing_in_the_server_imports_the_client_the_ui_qt_or_httpx() -> None:
    banned = ("qqdesk.client", "qqdesk.ui", "PySide6", "httpx", "qasync")
    for path, names in _modules().items():
        assert not [n for n in names if n.startswith(banned)], path


def test_only_each_front_end_knows_its_codec() -> None:
    for path, names in _modules().items():
        classic = [n for n in names if n.startswith("qqdesk.protocol.classic")]
        web = [n for n in names if n.startswith("qqdesk.protocol.smartqq")]
        other = [n for n in names if n.startswith("qqdesk.protocol")]
        where = path.relative_to(SERVER).as_posix()
        if where == "frontends/classic.py":
            assert classic and not web
        elif where.startswith("frontends/smartqq/"):
            assert not classic
        else:
            assert not other, path


def test_the_service_and_the_store_know_no_wire_format_and_no_http() -> None:
    for path, names in _modules().items():
        room = path.relative_to(SERVER).parts[0]
        if room in ("service", "store"):
            wire = [n for n in names if n.startswith(("qqdesk.server.http", "qqdesk.server.front"))]
            assert not wire, path
