"""The demo's Chinese text uses full-width punctuation (，！？：；), not ASCII."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import qqdesk.demo

DEMO = Path(qqdesk.demo.__file__).parent
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
# An ASCII , ! ? : ; touching a Chinese character (or full-width punctuation) on either side.
ASCII_NEXT_TO_CHINESE = re.compile(rf"(?<={CJK})[,!?:;]|[,!?:;](?={CJK})")


def demo_strings() -> list[tuple[str, int, str]]:
    """(file, line, text) of every string literal in the demo's modules."""
    found = []
    for path in sorted(DEMO.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((path.name, node.lineno, node.value))
    return found


def test_the_scan_finds_ascii_punctuation() -> None:
    assert ASCII_NEXT_TO_CHINESE.search("你好,已通过你的请求!")
    assert ASCII_NEXT_TO_CHINESE.search("试试: 你好")
    assert not ASCII_NEXT_TO_CHINESE.search("你好，已通过你的请求！ Hello, I approved it!")


def test_demo_chinese_uses_full_width_punctuation() -> None:
    strings = demo_strings()
    assert any("你好" in text for _file, _line, text in strings)  # the scan reads the demo
    wrong = [
        f"{file}:{line}: {text!r}"
        for file, line, text in strings
        if ASCII_NEXT_TO_CHINESE.search(text)
    ]
    assert wrong == []
