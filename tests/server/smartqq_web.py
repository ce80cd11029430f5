"""A raw Smart QQ web client for server tests: exact requests, every Set-Cookie kept."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from qqdesk.core import Content, parse_text
from qqdesk.protocol.smartqq import contact_hash, encode_send_content, hash33
from qqdesk.server import QQServer

Headers = list[tuple[str, str]]


async def http(
    url: str,
    method: str,
    target: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 90.0,
) -> tuple[int, Headers, bytes]:
    """One request on a fresh connection: status, headers (all, lower-case names), body."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        lines = [f"{method} {target} HTTP/1.1", "Connection: close"]
        all_headers = {"Host": f"{parts.hostname}:{parts.port}", **(headers or {})}
        if method == "POST":
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            all_headers["Content-Length"] = str(len(body))
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        async with asyncio.timeout(timeout):
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("utf-8").split("\r\n")
            got: Headers = []
            for line in header_lines:
                if ":" in line:
                    name, _, value = line.partition(":")
                    got.append((name.strip().lower(), value.strip()))
            length = int(dict(got).get("content-length", "0"))
            data = await reader.readexactly(length) if length else b""
        return int(status_line.split(" ")[1]), got, data
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


class Web:
    """One Smart QQ client: a cookie jar, the tokens of its sign-in, its session."""

    def __init__(
        self, server: QQServer | None = None, host: str | None = None, *, url: str = ""
    ) -> None:
        self._server = server
        self.url = server.url if server is not None else url
        self.host = host
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []
        self.uin = 0
        self.ptwebqq = ""
        self.vfwebqq = ""
        self.psessionid = ""
        self.code = ""

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        r: dict[str, Any] | None = None,
        *,
        raw_r: str | None = None,
        form: dict[str, str] | None = None,
        timeout: float = 90.0,
    ) -> tuple[int, Headers, bytes]:
        query = urlencode(params or {})
        target = path + ("?" + query if query else "")
        fields = dict(form or {})
        if r is not None:
            fields["r"] = json.dumps(r)
        if raw_r is not None:
            fields["r"] = raw_r
        body = urlencode(fields).encode() if method == "POST" else b""
        if method == "GET" and fields:
            target += ("&" if "?" in target else "?") + urlencode(fields)
        headers = {}
        if self.host is not None:
            headers["Host"] = self.host
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, got, data = await http(self.url, method, target, body, headers, timeout)
        for name, value in got:
            if name == "set-cookie":
                self.set_cookies.append(value)
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return status, got, data

    async def json(self, method: str, path: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        status, _, body = await self.call(method, path, *args, **kwargs)
        assert status == 200, (status, body)
        value: dict[str, Any] = json.loads(body)
        return value

    @property
    def server(self) -> QQServer:
        assert self._server is not None, "a Web made from a URL has no server object"
        return self._server

    # -- sign-in

    async def password_sign_in(self, uin: int, password: str = "pw", **opts: Any) -> dict[str, Any]:
        """The password extension (DESIGN-SMARTQQ §4.1), then getvfwebqq and login2."""
        md5 = hashlib.md5(password.encode()).hexdigest()
        reply = await self.json("POST", "/qqdesk/signin", form={"uin": str(uin), "password": md5})
        assert reply["retcode"] == 0, reply
        self.uin, self.ptwebqq = uin, reply["result"]["ptwebqq"]
        self.vfwebqq = (await self.json("GET", "/api/getvfwebqq"))["result"]["vfwebqq"]
        return await self.login2(**opts)

    async def qr_show(self) -> bytes:
        status, headers, png = await self.call("GET", "/ptqrshow", {"appid": 501004106, "e": 0})
        assert status == 200 and dict(headers)["content-type"] == "image/png"
        return png

    async def qr_login(self) -> str:
        token = hash33(self.cookies["qrsig"])
        _, _, body = await self.call("GET", "/ptqrlogin", {"ptqrtoken": token, "webqq_type": 10})
        return body.decode("utf-8")

    async def pending_code(self) -> str:
        token = hash33(self.cookies["qrsig"])
        logins = self.server.smartqq.web_logins
        row = await logins.web_login(token)
        assert row is not None
        return row.code

    async def finish(self, ptui: str) -> None:
        """check_sig from a ``0`` ptqrlogin reply, then getvfwebqq."""
        assert ptui.startswith("ptuiCB('0','0','http"), ptui
        url = ptui.split(",")[2].strip(" '")
        parts = urlsplit(url)
        status, headers, _ = await self.call("GET", parts.path + "?" + parts.query)
        assert status == 302 and "location" in dict(headers)
        self.uin = int(self.cookies["uin"][1:])
        self.ptwebqq = self.cookies["ptwebqq"]
        reply = await self.json(
            "GET", "/api/getvfwebqq", {"ptwebqq": self.ptwebqq, "clientid": 53999199}
        )
        self.vfwebqq = reply["result"]["vfwebqq"]

    async def sign_in(self, uin: int, **opts: Any) -> dict[str, Any]:
        """The whole QR flow approved for ``uin`` (as the CLI would), then login2."""
        await self.qr_show()
        self.code = await self.pending_code()
        assert await self.server.smartqq.web_logins.decide_web_login(self.code, uin)
        await self.finish(await self.qr_login())
        return await self.login2(**opts)

    async def login2(self, status: str = "online", **opts: Any) -> dict[str, Any]:
        r: dict[str, Any] = {
            "ptwebqq": self.ptwebqq,
            "clientid": 53999199,
            "psessionid": "",
            "status": status,
        }
        if opts:
            r["qqdesk"] = opts
        reply = await self.json("POST", "/channel/login2", r=r)
        if reply["retcode"] == 0:
            self.psessionid = reply["result"]["psessionid"]
            assert reply["result"]["vfwebqq"] == self.vfwebqq
        return reply

    # -- channel calls

    @property
    def hash(self) -> str:
        return contact_hash(self.uin, self.ptwebqq)

    async def friends(self) -> dict[str, Any]:
        return await self.json(
            "POST", "/api/get_user_friends2", r={"vfwebqq": self.vfwebqq, "hash": self.hash}
        )

    async def poll(self, **extra: Any) -> dict[str, Any]:
        r = {"ptwebqq": self.ptwebqq, "clientid": 53999199, "psessionid": self.psessionid}
        r.update(extra)
        return await self.json("POST", "/channel/poll2", r=r)

    async def send(
        self, path: str, key: str, to: int, content: Content | str, **extra: Any
    ) -> dict[str, Any]:
        parts = parse_text(content) if isinstance(content, str) else content
        r = {
            key: to,
            "content": encode_send_content(parts),
            "face": 522,
            "clientid": 53999199,
            "msg_id": 6000001,
            "psessionid": self.psessionid,
            **extra,
        }
        return await self.json("POST", path, r=r)

    async def send_buddy(self, to: int, content: Content | str, **extra: Any) -> dict[str, Any]:
        return await self.send("/channel/send_buddy_msg2", "to", to, content, **extra)

    async def buddy_id(self, nick: str) -> int:
        """The id this client sees for the buddy named ``nick``."""
        info = (await self.friends())["result"]["info"]
        return int(next(i["uin"] for i in info if i["nick"] == nick))


def cookie_quote(value: str) -> str:
    return quote(value, safe="")
