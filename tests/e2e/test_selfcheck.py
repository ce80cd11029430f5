"""The windowless self-check that CI and packaging run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from qqdesk import selfcheck
from qqdesk.builtin import BuiltinServer


async def test_self_check_passes() -> None:
    lines: list[str] = []
    assert await selfcheck.self_check(timeout=20, say=lines.append) == 0
    assert any("passed" in line for line in lines)


async def test_self_check_reports_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object, **kwargs: object) -> BuiltinServer:
        raise OSError("disk on fire")

    monkeypatch.setattr(BuiltinServer, "start", broken)
    lines: list[str] = []
    assert await selfcheck.self_check(timeout=5, say=lines.append) == 1
    assert any("FAILED" in line and "disk on fire" in line for line in lines)
    assert any("自检失败" in line for line in lines)


async def test_self_check_times_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    async def stuck(*args: object, **kwargs: object) -> BuiltinServer:
        await asyncio.sleep(60)
        raise AssertionError("not reached")

    monkeypatch.setattr(BuiltinServer, "start", stuck)
    lines: list[str] = []
    assert await selfcheck.self_check(timeout=0.2, say=lines.append) == 2
    assert any("timed out" in line and "built-in server" in line for line in lines)
