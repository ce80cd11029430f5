"""A small scripted QQ server on asyncio streams that answers with the seeds' literal replies.

It is deliberately not qqdesk.server: it behaves like the legacy server the seeds
describe (mixed CMD spellings, double-encoded profiles, a second HTTP response
after Query_Stat, NULL answers, closed connections) so the client is tested
against "any server that speaks the protocol".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from qqdesk.protocol.classic.wire import escape, join_list, parse_request_body

#: Seed 000's GetInfo LV=2 reply after RES=0, byte for byte (double-encoded PR).
SEED_PROFILE = (
    "AD=云南昆明&AG=0&EM=Mi[email protected]&FC=270&HP=msger.org(建设中...)&JB=程序员&LV=2"
    "&PC=650000&PH=0871-6466529&PR=网络为媒%252c关系为本%252c信息为财%252c客户为主.%0d%0a"
    "&PV=云南省&RN=刘X&SC=社会大学&SX=0&UN=24259132&NK=微程"
)
#: Seed 001's LV=3 reply after RES=0.
SEED_PROFILE_3 = (
    "AD=地址&AG=19&BT=2&CO=6&CT=苏州&CV=%01&CY=中华人民共和国&[email protected]&FC=0"
    "&HP=http://blog.hackfan.net&ID=-&JB=学生&LV=3&MO=136********&MT=0&MV=&PC=邮编&PH=电话"
    "&PR=The guy is updating to .NET Frameword......&PV=江苏&RN=胡吉阳&SC=毕业院校&SH=3&SX=0"
    "&UN=106814&NK=Hackfan 好"
)


@dataclass
class Answer:
    """What the server does with one request."""

    body: bytes = b""
    #: Raw bytes written right after the response on the same connection.
    extra: bytes = b""
    #: Close the connection after answering (without saying Connection: close).
    close: bool = False
    #: Close the connection without answering at all.
    drop: bool = False
    #: Wait this long before answering.
    delay: float = 0.0


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class Queued:
    id: int
    time: int
    kind: int
    sender: int
    text: str


@dataclass
class ScriptedServer:
    """A legacy-flavoured QQ server for one or more accounts; everything is inspectable."""

    passwords: dict[int, str] = field(default_factory=lambda: {10001: "pw"})
    buddies: list[int] = field(default_factory=list)
    #: uin -> (face, status, nick) of buddies that are online.
    online: dict[int, tuple[int, int, str]] = field(default_factory=dict)
    #: uin -> reply fields after RES=0 of GetInfo.
    profiles: dict[int, str] = field(default_factory=dict)
    long_poll: int | None = None
    #: Answer MI/TM and keep messages until AK (the extension).
    acked: bool = True
    list_page: int = 2
    #: Query_Stat: write a second HTTP response after the first (legacy bug).
    query_stat_bug: bool = False
    #: Close every connection after each answer.
    close_always: bool = False
    #: Answer GetMsgEx with NULL when it carries WT or AK.
    null_extensions: bool = False
    #: One-shot scripted answers per upper-case CMD, used before the normal rules.
    script: dict[str, list[Answer | Callable[[dict[str, str]], Answer]]] = field(
        default_factory=dict
    )
    log: list[dict[str, str]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    sessions: set[int] = field(default_factory=set)
    queue: dict[int, list[Queued]] = field(default_factory=dict)
    sent: list[tuple[int, int, str]] = field(default_factory=list)
    next_id: int = 1
    port: int = 0
    #: GetMsgEx requests held open right now (long polling).
    holding: int = 0

    def __post_init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._arrived = asyncio.Event()

    # -- control ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening and cut every open connection (the network went away)."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def push(self, to: int, kind: int, sender: int, text: str) -> Queued:
        item = Queued(self.next_id, int(time.time()), kind, sender, text)
        self.next_id += 1
        self.queue.setdefault(to, []).append(item)
        self._arrived.set()
        return item

    def commands(self) -> list[str]:
        return [f.get("CMD", "").upper() for f in self.log]

    def count(self, command: str) -> int:
        return self.commands().count(command.upper())

    # -- HTTP ----------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                fields = parse_request_body(body)
                if "CMD" in fields:
                    # (the session's Smart QQ sign-in try, a form without CMD, is not
                    # a classic command: answered like any, but not logged as one)
                    self.log.append(fields)
                    self.headers.append(headers)
                answer = await self._answer(fields)
                if answer.delay:
                    await asyncio.sleep(answer.delay)
                if answer.drop:
                    break
                writer.write(_response(answer.body) + answer.extra)
                await writer.drain()
                if answer.close or self.close_always:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    # -- the protocol, legacy style --------------------------------------------------

    async def _answer(self, f: dict[str, str]) -> Answer:
        command = f.get("CMD", "").upper()
        scripted = self.script.get(command)
        if scripted:
            step = scripted.pop(0)
            return step(f) if callable(step) else step
        uin = int(f.get("UIN", "0") or 0)
        if command == "LOGIN":
            return self._login(f, uin)
        if command == "LOGOUT":
            self.sessions.discard(uin)
            return Answer(self._head(f, "LOGOUT") + b"&RES=0")
        if uin not in self.sessions:
            return Answer(self._head(f, _CANONICAL.get(command, command)) + b"&RES=20")
        handler = getattr(self, "_" + command.lower(), None)
        if handler is None:
            return Answer()
        result: Answer = await handler(f, uin)
        return result

    def _head(self, f: dict[str, str], cmd: str) -> bytes:
        seq = escape(f.get("SEQ", ""))
        return f"VER={f.get('VER', '')}&CMD={cmd}&SEQ={seq}&UIN={f.get('UIN', '')}".encode()

    def _login(self, f: dict[str, str], uin: int) -> Answer:
        if uin not in self.passwords:
            return Answer(self._head(f, "Login") + b"&RES=5")
        if f.get("PS", "").lower() != md5(self.passwords[uin]):
            return Answer(self._head(f, "Login") + "&RES=0&RS=1&RA=登录失败".encode())
        self.sessions.add(uin)
        tail = "&RES=0&RS=0&HI=60&LI=300"
        if self.long_poll:
            tail += f"&LP={self.long_poll}&NK=Me"
        return Answer(self._head(f, "Login") + tail.encode())

    async def _list(self, f: dict[str, str], uin: int) -> Answer:
        size, start = int(f.get("TN") or 0), int(f.get("UN") or 0)
        if size == 0:
            return Answer(self._head(f, "LIST") + f"&RES=0&FN={len(self.buddies)}".encode())
        size = min(size, self.list_page)
        page = self.buddies[start : start + size]
        last = 1 if start + size >= len(self.buddies) else 0
        tail = f"&RES=0&FN={last}&SN={len(page)}&UN={join_list(page)}"
        return Answer(self._head(f, "LIST") + tail.encode())

    async def _query_stat(self, f: dict[str, str], uin: int) -> Answer:
        items = list(self.online.items())
        fc = join_list(v[0] for _, v in items)
        st = join_list(v[1] for _, v in items)
        un = join_list(u for u, _ in items)
        nk = join_list(v[2] for _, v in items)
        tail = f"&RES=0&FC={fc}&FN=1&SN={len(items)}&ST={st}&UN={un}&NK={nk}"
        extra = b""
        if self.query_stat_bug:
            second = self._head(f, "QUERY_STAT") + b"&RES=0&FC=&FN=1&SN=0&ST=&UN=&NK="
            extra = _response(second, server=b"tencent imserver/1.0.0")
        return Answer(self._head(f, "QUERY_STAT") + tail.encode(), extra=extra)

    async def _getinfo(self, f: dict[str, str], uin: int) -> Answer:
        target = int(f.get("UN") or 0)
        if target not in self.profiles:
            return Answer(self._head(f, "GETINFO") + b"&RES=5")
        return Answer(self._head(f, "GETINFO") + b"&RES=0&" + self.profiles[target].encode())

    async def _addtolist(self, f: dict[str, str], uin: int) -> Answer:
        target = int(f.get("UN") or 0)
        if target not in self.profiles:
            return Answer(self._head(f, "AddToList") + b"&RES=5")
        code = {24259132: 0, 106814: 1}.get(target, 2)
        return Answer(self._head(f, "AddToList") + f"&RES=0&CD={code}&UN={target}".encode())

    async def _ack_addtolist(self, f: dict[str, str], uin: int) -> Answer:
        return Answer(self._head(f, "Ack_AddToList") + b"&RES=0&")

    async def _delfromlist(self, f: dict[str, str], uin: int) -> Answer:
        return Answer(self._head(f, "DelFromList") + b"&RES=0&")

    async def _change_stat(self, f: dict[str, str], uin: int) -> Answer:
        if f.get("ST") not in ("10", "20", "30", "40"):
            return Answer()
        return Answer(self._head(f, "Change_Stat") + b"&RES=0&")

    async def _finger(self, f: dict[str, str], uin: int) -> Answer:
        tail = "&RES=0&FN=1&SN=1&UN=24259132,&NK=微程,&FC=270,&AG=30,&SX=0,&PV=云南省,&ST=10,"
        return Answer(self._head(f, "FINGER") + tail.encode())

    async def _cltmsg(self, f: dict[str, str], uin: int) -> Answer:
        target = int(f.get("UN") or 0)
        if target < 10000:
            return Answer(self._head(f, "CLTMSG") + b"&RES=5")
        self.sent.append((uin, target, f.get("MG", "")))
        return Answer(self._head(f, "CLTMSG") + b"&RES=0&")

    async def _getmsgex(self, f: dict[str, str], uin: int) -> Answer:
        extended = self.acked and ("AK" in f or "WT" in f)
        if self.null_extensions and ("AK" in f or "WT" in f):
            return Answer()
        queue = self.queue.setdefault(uin, [])
        if extended and f.get("AK"):
            ack = int(f["AK"])
            queue[:] = [m for m in queue if m.id > ack]
        if not queue and f.get("WT") and self.long_poll:
            self._arrived.clear()
            self.holding += 1
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), min(int(f["WT"]), self.long_poll))
            finally:
                self.holding -= 1
        batch = queue[:50]
        if not extended:
            del queue[: len(batch)]
        head = "&RES=0"
        if extended:
            head += f"&MI={join_list(m.id for m in batch)}&TM={join_list(m.time for m in batch)}"
        tail = (
            f"{head}&MN={len(batch)}&MT={join_list(m.kind for m in batch)}"
            f"&UN={join_list(m.sender for m in batch)}&MG={join_list(m.text for m in batch)}"
        )
        return Answer(self._head(f, "GETMSGEX") + tail.encode())


_CANONICAL = {
    "LIST": "LIST",
    "QUERY_STAT": "QUERY_STAT",
    "GETINFO": "GETINFO",
    "GETMSGEX": "GETMSGEX",
    "CLTMSG": "CLTMSG",
    "ADDTOLIST": "AddToList",
    "ACK_ADDTOLIST": "Ack_AddToList",
    "DELFROMLIST": "DelFromList",
    "CHANGE_STAT": "Change_Stat",
    "FINGER": "FINGER",
}


def _response(body: bytes, server: bytes = b"scripted") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nServer: " + server + b"\r\n"
        b"Content-Type: text/plain; charset=UTF-8\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
