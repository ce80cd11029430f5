"""The Smart QQ web sign-in on the real server: login page, QR, ptqrlogin, check_sig,
getvfwebqq, login2, logout and the password extension (SMARTQQ-NOTES §2, DESIGN §4.1)."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

from qqdesk.protocol.smartqq import LOGIN_PAGE
from qqdesk.server import QQServer
from qqdesk.server.frontends.smartqq import MAX_QR_PER_ADDRESS, QR_WINDOW
from qqdesk.server.frontends.smartqq.signin import WEB_LOGIN_TTL, MemoryWebLogins
from tests.protocol.test_smartqq_signin import decode_png
from tests.server.conftest import FakeClock, md5
from tests.server.smartqq_web import Web, http


async def test_every_path_is_routed_get_and_post_whatever_the_host(live: QQServer) -> None:
    for host in ("ui.ptlogin2.qq.com", "127.0.0.1", "example.org:8080"):
        web = Web(live, host=host)
        for method in ("GET", "POST"):
            status, _, body = await web.call(method, "/cgi-bin/login", {"appid": 501004106})
            assert status == 200 and body == LOGIN_PAGE
            status, _, body = await web.call(method, "/channel/poll2", r={"psessionid": "x"})
            assert (status, body) == (200, b'{"retcode":103,"errmsg":"error!!!"}')
    status, _, body = await http(live.url, "GET", "/proxy.html?login2qq=1")
    assert status == 200 and b"<html>" in body
    status, _, body = await http(live.url, "GET", "/")  # MW fetches w.qq.com/
    assert status == 200


async def test_login_page_has_the_snippets_a_python_client_parses(live: QQServer) -> None:
    _, _, body = await Web(live).call("GET", "/cgi-bin/xlogin")
    page = body.decode()
    assert re.search(r'<input type="hidden" name="aid" value="(\d+)" />', page)
    assert re.search(r'g_pt_version=encodeURIComponent\("(\d+)"\)', page)
    assert re.search(r'g_mibao_css=encodeURIComponent\("(.+?)"\)', page)
    assert re.search(r'g_login_sig=encodeURIComponent\("(.*?)"\)', page)


async def test_qr_carries_the_code_and_the_flow_goes_66_67_0(live: QQServer) -> None:
    web = Web(live, host="ssl.ptlogin2.qq.com")
    png = await web.qr_show()
    [qrsig_cookie] = [c for c in web.set_cookies if c.startswith("qrsig=")]
    assert "Domain=ptlogin2.qq.com" in qrsig_cookie and "Path=/" in qrsig_cookie
    [code] = decode_png(png)
    assert code == await web.pending_code()
    web.set_cookies.clear()
    pending = await web.qr_login()
    assert re.fullmatch(r"ptuiCB\('66','0','','0','二维码未失效。\(\d{9,10}\)', ''\);\r\n", pending)
    assert "http" not in pending
    # an approving app lists it: "scanned"
    approver = Web(live)
    await approver.sign_in(10002)
    listed = await approver.json(
        "POST", "/qqdesk/web_logins", r={"psessionid": approver.psessionid}
    )
    assert any(e["code"] == code for e in listed["result"])
    assert (await web.qr_login()).startswith("ptuiCB('67','0','','0','二维码认证中。(")
    reply = await approver.json(
        "POST",
        "/qqdesk/approve_web_login",
        r={"psessionid": approver.psessionid, "code": code.lower(), "approve": True},
    )
    assert reply == {"retcode": 0, "result": "ok"}
    done = await web.qr_login()
    assert done.startswith("ptuiCB('0','0','https://ptlogin2.web2.qq.com/check_sig?")
    assert done.endswith("','0','登录成功！', 'Bob 小明');\r\n")
    url = done.split(",")[2].strip(" '")
    assert "," not in url
    names = {c.split("=")[0] for c in web.set_cookies}
    assert {"superuin", "uin", "skey", "ptwebqq"} <= names and "qrsig" not in names
    assert web.cookies["superuin"] == "o0000010002"
    assert len(web.cookies["ptwebqq"]) == 64
    web.set_cookies.clear()
    await web.finish(done)
    homes = {c.split("=")[0]: c for c in web.set_cookies}
    assert {"ptwebqq", "skey", "uin", "p_skey", "p_uin", "pt4_token"} <= set(homes)
    assert "Domain=qq.com" in homes["ptwebqq"] and "Domain=web2.qq.com" in homes["p_skey"]
    reply = await web.login2()
    assert reply["retcode"] == 0 and reply["result"]["uin"] == 10002
    assert reply["result"]["status"] == "online" and "qqdesk" not in reply["result"]
    # the same approval does not sign in twice
    assert (await web.qr_login()).startswith("ptuiCB('65'")


async def test_cookies_are_host_only_off_qq_com(live: QQServer) -> None:
    web = Web(live)
    await web.sign_in(10001)
    assert all("Domain=" not in c for c in web.set_cookies)
    assert all(c.count("=") >= 1 and " " not in c.split(";")[0] for c in web.set_cookies)


async def test_refused_and_expired_qr(live: QQServer) -> None:
    web = Web(live)
    await web.qr_show()
    code = await web.pending_code()
    assert await live.smartqq.web_logins.decide_web_login(code, None)
    assert (await web.qr_login()).startswith("ptuiCB('68','0','','0','本次登录已被拒绝。(")
    assert (await web.qr_login()).startswith("ptuiCB('65','0','','0','二维码已失效。(")
    # expiry, on the sign-ins' wall clock moved by hand
    clock = [1_000_000.0]
    live.smartqq.web_logins = MemoryWebLogins(lambda: clock[0])
    await web.qr_show()
    assert (await web.qr_login()).startswith("ptuiCB('66'")
    clock[0] += WEB_LOGIN_TTL + 1
    assert (await web.qr_login()).startswith("ptuiCB('65'")
    assert not await live.smartqq.web_logins.decide_web_login(await _code(web, live), 10001)


async def _code(web: Web, live: QQServer) -> str:
    rows = await live.smartqq.web_logins.web_logins()
    return rows[0].code if rows else "AAAA-AAAA"


async def test_a_fake_qrsig_before_any_qr_gets_65(live: QQServer) -> None:
    web = Web(live)
    web.cookies["qrsig"] = "fake"
    assert (await web.qr_login()).startswith("ptuiCB('65'")
    assert not any(c.startswith("qrsig=") for c in web.set_cookies)


async def test_login2_and_getvfwebqq_need_the_cookies(live: QQServer) -> None:
    web = Web(live)
    assert await web.login2() == {"retcode": 100001, "errmsg": "error!!!"}
    reply = await web.json("GET", "/api/getvfwebqq", {"ptwebqq": "", "clientid": 53999199})
    assert reply["retcode"] == 100000
    web.cookies.update(skey="@forged123", uin="o0000010001")
    assert (await web.login2())["retcode"] == 100001


async def test_logout2_ends_the_session(live: QQServer) -> None:
    web = Web(live)
    await web.sign_in(10001)
    assert 10001 in live.service.web_sessions
    reply = await web.json(
        "GET", "/channel/logout2", {"psessionid": web.psessionid, "clientid": 53999199}
    )
    assert reply == {"retcode": 0, "result": "ok"}
    assert 10001 not in live.service.web_sessions
    assert (await web.poll())["retcode"] == 103
    # ptlogin2's logout drops the ticket too
    await web.login2()
    reply = await web.json("GET", "/logout", {"deep_logout": 1})
    assert reply["retcode"] == 0 and 10001 not in live.service.web_sessions
    assert (await web.login2())["retcode"] == 100001


async def test_password_signin_extension(live: QQServer) -> None:
    web = Web(live)
    form = {"uin": "10001", "password": md5("pw")}
    status, _, body = await web.call("POST", "/qqdesk/signin", form=form)
    reply = __import__("json").loads(body)
    assert status == 200 and reply["retcode"] == 0
    assert reply["result"]["uin"] == 10001 and len(reply["result"]["ptwebqq"]) == 64
    names = {c.split("=")[0] for c in web.set_cookies}
    assert {"ptwebqq", "skey", "uin", "p_skey", "p_uin", "pt4_token"} <= names
    assert all("Domain=" not in c for c in web.set_cookies)
    web.ptwebqq = reply["result"]["ptwebqq"]
    web.uin = 10001
    web.vfwebqq = (await web.json("GET", "/api/getvfwebqq"))["result"]["vfwebqq"]
    login = await web.login2(ack=True, plain_ids=True)
    extension = login["result"]["qqdesk"]
    assert extension == {
        "server": "qqdesk",
        "rooms": True,
        "since": extension["since"],
        "instance": live.smartqq.instance,  # (this run of the server)
    }
    assert len(live.smartqq.instance) == 16
    # where this session's room messages start: nothing is posted yet
    assert isinstance(extension["since"], int) and extension["since"] >= 0
    other = Web(live)
    wrong = await other.json("POST", "/qqdesk/signin", form={"uin": "10001", "password": md5("x")})
    assert wrong == {"retcode": 2, "errmsg": "wrong password"}
    nobody = await other.json("POST", "/qqdesk/signin", form={"uin": "99999", "password": md5("x")})
    assert nobody == {"retcode": 1, "errmsg": "no such account"}
    for _ in range(5):
        await other.call("POST", "/qqdesk/signin", form={"uin": "10002", "password": md5("x")})
    throttled = await other.json(
        "POST", "/qqdesk/signin", form={"uin": "10002", "password": md5("pw")}
    )
    assert throttled == {"retcode": 3, "errmsg": "too many attempts"}


async def test_the_app_hears_of_a_waiting_qr_and_refuses_it(live: QQServer) -> None:
    app = Web(live)
    await app.password_sign_in(10001, ack=True, events=["status", "kick"])  # (as DESIGN §4.2)
    bot = Web(live)
    await bot.qr_show()
    code = await bot.pending_code()
    reply = await app.poll(ack=0)
    [event] = reply["result"]
    assert event["poll_type"] == "qqdesk_web_login"
    assert event["value"]["code"] == code and isinstance(event["value"]["created"], int)
    assert (await bot.qr_login()).startswith("ptuiCB('67'")  # seen by one who may approve
    r = {"psessionid": app.psessionid, "code": code, "approve": False}
    assert await app.json("POST", "/qqdesk/approve_web_login", r=r) == {
        "retcode": 0,
        "result": "ok",
    }
    assert (await bot.qr_login()).startswith("ptuiCB('68'")
    # deciding again, a bad code, a missing answer
    assert (await app.json("POST", "/qqdesk/approve_web_login", r=r))["retcode"] == 100001
    r = {"psessionid": app.psessionid, "code": "0000", "approve": True}
    assert (await app.json("POST", "/qqdesk/approve_web_login", r=r))["retcode"] == 100006
    r = {"psessionid": app.psessionid, "code": code}
    assert (await app.json("POST", "/qqdesk/approve_web_login", r=r))["retcode"] == 100006


async def test_a_qr_expires_in_the_store_for_every_process(live: QQServer, tmp_path: Path) -> None:
    web = Web(live)
    await web.qr_show()
    assert (await web.qr_login()).startswith("ptuiCB('66'")
    # two minutes pass, as the store's rows see it (no sleeping): age the row by hand
    db = next(tmp_path.glob("*.sqlite3"))
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE web_logins SET created = created - ?", (WEB_LOGIN_TTL + 1,))
    assert (await web.qr_login()).startswith("ptuiCB('65'")
    assert await live.smartqq.web_logins.web_logins() == []


async def test_one_address_cannot_start_endless_qr_sign_ins(
    live: QQServer, clock: FakeClock
) -> None:
    web = Web(live)
    for _ in range(MAX_QR_PER_ADDRESS):
        await web.qr_show()
    status, headers, _ = await web.call("GET", "/ptqrshow", {"appid": 501004106})
    assert status == 503 and "retry-after" in dict(headers)
    assert len(await live.smartqq.web_logins.web_logins()) == MAX_QR_PER_ADDRESS
    clock.advance(QR_WINDOW)
    await web.qr_show()
