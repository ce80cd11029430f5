"""Reply bodies of the Smart QQ channel, byte for byte as clients read them (SMARTQQ-NOTES)."""

from __future__ import annotations

import enum
import json
from typing import Any

from qqdesk.core import Content, Presence

from .content import encode_event_content
from .presence import CLIENT_TYPE_WEB, status_word


class Retcode(enum.IntEnum):
    """The retcodes the server answers with (the notes' choices in §8)."""

    OK = 0
    BAD_PARAMETER = 6
    BAD_HASH = 50
    UNKNOWN_SESSION = 103
    KICKED = 121
    NO_LOGIN_COOKIES = 100000
    INVALID_LOGIN = 100001
    BAD_REQUEST = 100006
    BAD_VFWEBQQ = 100101
    EXPIRED = 100012
    FLOOD = 1202
    BAD_CONTENT = 1000001


def dumps(value: Any) -> bytes:
    """Compact JSON in UTF-8 with raw (unescaped) non-ASCII text, as the real server sent."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ok(result: Any) -> bytes:
    """``{"retcode":0,"result":...}``."""
    return dumps({"retcode": 0, "result": result})


def error(retcode: int) -> bytes:
    """``{"retcode":N,"errmsg":"error!!!"}``."""
    return dumps({"retcode": int(retcode), "errmsg": "error!!!"})


#: The universal success of the three sends (§7.4).
SEND_OK = b'{"retcode":0,"errCode":0,"msg":"send ok"}'
#: An empty poll2 after the hold (§6.2): plain timeout to every client.
POLL_TIMEOUT = b'{"retcode":0,"errmsg":"error!!!"}'
#: What change_status2 and logout2 answer.
RESULT_OK = b'{"retcode":0,"result":"ok"}'


# ---------------------------------------------------------------- poll2 events


def poll_reply(event: dict[str, Any]) -> bytes:
    """A poll2 reply with one event (QB reads only ``result[0]``, §6.3)."""
    return ok([event])


def _message(poll_type: str, content: Content, **ids: int) -> dict[str, Any]:
    """A message event: the ids given, ``msg_type`` 0 and the content, keys sorted."""
    value: dict[str, Any] = {"content": encode_event_content(content), "msg_type": 0, **ids}
    return {"poll_type": poll_type, "value": dict(sorted(value.items()))}


def message_event(
    *, from_uin: int, to_uin: int, msg_id: int, time: int, content: Content
) -> dict[str, Any]:
    """A buddy message (``poll_type`` ``message``)."""
    return _message("message", content, from_uin=from_uin, msg_id=msg_id, time=time, to_uin=to_uin)


def group_message_event(
    gid: int, *, send_uin: int, to_uin: int, msg_id: int, time: int, content: Content
) -> dict[str, Any]:
    """A group message: ``from_uin`` and ``group_code`` are the gid (§6.3)."""
    return _message(
        "group_message",
        content,
        from_uin=gid,
        group_code=gid,
        msg_id=msg_id,
        send_uin=send_uin,
        time=time,
        to_uin=to_uin,
    )


def discussion_message_event(
    did: int, *, send_uin: int, to_uin: int, msg_id: int, time: int, content: Content
) -> dict[str, Any]:
    """A discussion message: ``from_uin`` and ``did`` are the discussion's id (§6.3)."""
    return _message(
        "discu_message",
        content,
        did=did,
        from_uin=did,
        msg_id=msg_id,
        send_uin=send_uin,
        time=time,
        to_uin=to_uin,
    )


def status_change_event(
    *, uin: int, presence: Presence, client_type: int = CLIENT_TYPE_WEB
) -> dict[str, Any]:
    """``buddies_status_change`` (opt-in per session, §13.3); hidden shows as offline."""
    return {
        "poll_type": "buddies_status_change",
        "value": {"uin": uin, "status": status_word(presence.visible), "client_type": client_type},
    }


#: The reason a replaced web session is told once before 121 (§3.2, §6.4).
KICK_REASON = "您的帐号在另一地点登录，您已被迫下线。如有疑问，请登录 safe.qq.com 了解更多。"


def kick_event(reason: str = KICK_REASON) -> dict[str, Any]:
    """``kick_message``: this web session was replaced by a newer sign-in."""
    return {
        "poll_type": "kick_message",
        "value": {"way": "poll", "show_reason": 1, "reason": reason},
    }


# ---------------------------------------------------------------- ptlogin2


class QrState(enum.IntEnum):
    """The first argument of a ptqrlogin reply (§2 L2)."""

    APPROVED = 0
    EXPIRED = 65
    WAITING = 66
    SCANNED = 67
    REFUSED = 68


_QR_WORDS = {
    QrState.WAITING: "二维码未失效。",
    QrState.SCANNED: "二维码认证中。",
    QrState.EXPIRED: "二维码已失效。",
    QrState.REFUSED: "本次登录已被拒绝。",
}


def ptui_callback(state: QrState, *, ticket: int = 0, url: str = "", nick: str = "") -> bytes:
    """A ptqrlogin reply: ``ptuiCB('66','0','','0','二维码未失效。(473959432)', '');`` + CRLF.

    ``ticket`` is the random 9-10 digit number pending replies show in parentheses.
    The success URL must hold no comma and pending replies no ``http`` (§2 L2);
    quotes and line breaks in the nick would end its argument early, so they go.
    """
    if state is QrState.APPROVED:
        if "," in url or "'" in url:
            raise ValueError(f"a check_sig URL must hold no comma or quote: {url!r}")
        safe_nick = "".join(c for c in nick if c not in "'\\\r\n")
        line = f"ptuiCB('0','0','{url}','0','登录成功！', '{safe_nick}');"
    else:
        line = f"ptuiCB('{int(state)}','0','','0','{_QR_WORDS[state]}({ticket})', '');"
    return (line + "\r\n").encode("utf-8")


#: The four snippets SQB's login-page parser needs (§2 L0).
LOGIN_PAGE = (
    b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>QQ</title>\n'
    b"<script>\n"
    b'var g_pt_version=encodeURIComponent("10233"),\n'
    b'    g_mibao_css=encodeURIComponent("m_webqq"),\n'
    b'    g_login_sig=encodeURIComponent("");\n'
    b"</script></head><body>\n"
    b'<form><input type="hidden" name="aid" value="501004106" /></form>\n'
    b"<p>qqdesk: scan the QR code, or approve this sign-in in qqdesk.</p>\n"
    b"</body></html>\n"
)

#: The redirect target of check_sig (w.qq.com/proxy.html) and the other proxy pages.
PROXY_PAGE = b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body></body></html>\n'
