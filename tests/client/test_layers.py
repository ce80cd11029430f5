"""The client's place among the layers, checked: what it may import, and the seam the app uses."""

from __future__ import annotations

import ast
from pathlib import Path

from qqdesk.client import AccountSession, ChatSession, HistoryStore

ROOT = Path(__file__).resolve().parents[2] / "qqdesk"


def imports(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` (a path under qqdesk/) and the modules it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        found[str(path.relative_to(ROOT.parent))] = names
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    return {
        module: {n for n in names if n == f or n.startswith(f + ".")}
        for module, names in imports(package).items()
        for f in forbidden
        if any(n == f or n.startswith(f + ".") for n in names)
    }


def test_the_client_knows_no_server_ui_or_qt() -> None:
    assert offending("client", ("qqdesk.server", "qqdesk.ui", "PySide6")) == {}


def test_only_the_transport_imports_httpx() -> None:
    users = {m for m, names in imports("client").items() if "httpx" in names}
    assert users == {"qqdesk/client/transport.py"}


def test_the_app_imports_no_protocol() -> None:
    assert offending("ui", ("qqdesk.protocol",)) == {}


def test_an_account_session_is_a_chat_session(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    # mypy checks this assignment against the Protocol the app depends on.
    session: ChatSession = AccountSession("127.0.0.1:1", 10001, "pw", store=store)
    assert session.uin == 10001 and session.nick == ""
    store.close()
