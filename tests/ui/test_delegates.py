"""The message bubbles' time labels."""

from __future__ import annotations

import time

import pytest

from qqdesk.ui.delegates import format_time


@pytest.mark.parametrize("stamp", [2.0**63, -(2.0**63), 1e15, float("inf"), float("nan")])
def test_an_impossible_stored_time_formats_as_nothing(stamp: float) -> None:
    assert format_time(stamp) == ""


def test_a_real_time_still_formats() -> None:
    now = time.time()
    assert format_time(now, now) == time.strftime("%H:%M", time.localtime(now))
