"""A Smart QQ web request as the server reads it: path, merged parameters, ``r`` JSON.

Clients differ wildly (SMARTQQ-NOTES §1.2): GET or POST on every path, ``r`` in the
query string or the form body or both, extra form fields beside ``r``, numbers sent
as strings. This module turns all of them into one :class:`WebRequest`; it does no
I/O and knows no session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


class WebRequestError(ValueError):
    """A request the channel cannot read; ``retcode`` is what to answer."""

    def __init__(self, message: str, retcode: int = 100006) -> None:
        super().__init__(message)
        self.retcode = retcode


@dataclass(frozen=True)
class WebRequest:
    """One request: its path, the query and form merged, and ``r`` parsed."""

    method: str
    path: str
    #: Query string and form body merged; the body wins over the query.
    params: Mapping[str, str] = field(default_factory=dict)
    #: ``r`` parsed as a JSON object (empty when absent).
    r: Mapping[str, Any] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)
    #: The Host header, lower-cased and without the port.
    host: str = ""

    def get(self, name: str) -> object | None:
        """A parameter from ``r`` first, else from the query or form (None if absent)."""
        if name in self.r:
            value: object = self.r[name]
            return value
        return self.params.get(name)

    def text(self, name: str, default: str = "") -> str:
        """A parameter as text (numbers become their decimal form)."""
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int | float | str):
            return str(value)
        raise WebRequestError(f"{name} is not text")

    def number(self, name: str) -> int:
        """A parameter as an integer; numbers sent as strings are accepted (§1.2)."""
        value = self.get(name)
        number = as_int(value)
        if number is None:
            raise WebRequestError(f"{name} is missing or not a number: {value!r}")
        return number

    def optional_number(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None or value == "" else self.number(name)


def as_int(value: object) -> int | None:
    """An int from a JSON number or a decimal string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text and text[0] in "+-":
            sign, digits = text[0], text[1:]
        else:
            sign, digits = "", text
        if digits.isascii() and digits.isdigit():
            return int(sign + digits)
    return None


def parse_form(data: bytes | str) -> dict[str, str]:
    """``application/x-www-form-urlencoded`` as a dict (the last of repeated names wins)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return dict(parse_qsl(data, keep_blank_values=True))


def parse_request(
    method: str,
    target: str,
    body: bytes = b"",
    *,
    cookies: Mapping[str, str] | None = None,
    host: str = "",
) -> WebRequest:
    """Read one request line target (path and query) and its form body."""
    path, _, query = target.partition("?")
    params = parse_form(query)
    if body:
        params.update(parse_form(body))
    raw_r = params.get("r", "")
    r: dict[str, Any] = {}
    if raw_r.strip():
        try:
            decoded = json.loads(raw_r)
        except ValueError as exc:
            raise WebRequestError(f"r is not JSON: {exc}") from exc
        if not isinstance(decoded, dict):
            raise WebRequestError("r is not a JSON object")
        r = decoded
    return WebRequest(
        method=method.upper(),
        path=path or "/",
        params=params,
        r=r,
        cookies=dict(cookies or {}),
        host=host_name(host),
    )


def host_name(host: str) -> str:
    """The Host header's name, lower-cased, without the port (``[::1]:80`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
