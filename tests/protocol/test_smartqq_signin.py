"""The web sign-in's pieces: the short code, its QR picture and the cookies (SMARTQQ-NOTES §2)."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from PySide6.QtGui import QImage

from qqdesk.protocol.smartqq.cookies import (
    DOMAINS,
    SignInTokens,
    approved_cookies,
    check_sig_cookies,
    is_qq_host,
    set_cookie,
    uin_from_cookie,
)
from qqdesk.protocol.smartqq.qr import CODE_ALPHABET, new_code, normalize_code, qr_png

TOKENS = SignInTokens(uin=10001, skey="@AbCdEf12", ptwebqq="0123456789abcdef" * 4, token="tok")


def test_codes_are_short_unambiguous_and_forgiving() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", code)
        assert normalize_code(code) == code
        assert normalize_code(code.lower().replace("-", " ")) == code
    assert normalize_code("ABCD-EFG") is None
    assert normalize_code("ABCD-EFG0") is None  # 0 is not in the alphabet (O and 0 look alike)


def decode_png(png: bytes) -> list[str]:
    image = QImage.fromData(png).convertToFormat(QImage.Format.Format_Grayscale8)
    assert not image.isNull()
    width, height = image.width(), image.height()
    line = image.bytesPerLine()
    data = bytes(image.constBits())[: line * height]
    pixels = b"".join(data[y * line : y * line + width] for y in range(height))
    return [
        hit.text for hit in zxingcpp.read_barcodes(memoryview(pixels).cast("B", (height, width)))
    ]


def test_the_qr_picture_is_a_real_qr_code_carrying_the_code() -> None:
    code = new_code()
    png = qr_png(code)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_png(png) == [code]


def test_cookies_are_host_only_unless_the_host_is_a_qq_name() -> None:
    assert is_qq_host("ssl.ptlogin2.qq.com") and is_qq_host("QQ.COM.")
    assert not is_qq_host("127.0.0.1") and not is_qq_host("notqq.com")
    local = approved_cookies(TOKENS, "127.0.0.1")
    assert all("Domain=" not in cookie for cookie in local)
    real = approved_cookies(TOKENS, "ssl.ptlogin2.qq.com")
    assert "superuin=o0000010001; Path=/; Domain=ptlogin2.qq.com" in real
    assert f"ptwebqq={TOKENS.ptwebqq}; Path=/; Domain=qq.com" in real


def test_every_cookie_name_has_one_home_across_both_steps() -> None:
    for host in ("127.0.0.1", "d1.web2.qq.com"):
        homes: dict[str, set[str]] = {}
        for cookie in approved_cookies(TOKENS, host) + check_sig_cookies(TOKENS, host):
            name = cookie.split("=", 1)[0]
            attributes = "; ".join(sorted(a for a in cookie.split("; ")[1:] if a != "HttpOnly"))
            homes.setdefault(name, set()).add(attributes)
        assert all(len(places) == 1 for places in homes.values()), homes
        # what the known clients read (§3.3) is all there
        assert {"superuin", "uin", "skey", "ptwebqq", "p_skey", "p_uin", "pt4_token"} <= set(homes)
        assert set(homes) <= set(DOMAINS)


def test_cookie_values_clients_cannot_split_are_refused() -> None:
    with pytest.raises(ValueError):
        set_cookie("skey", "a=b", "127.0.0.1")
    with pytest.raises(ValueError):
        set_cookie("skey", "a;b", "127.0.0.1")


def test_uin_from_cookie() -> None:
    assert uin_from_cookie("o0000010001") == 10001
    assert uin_from_cookie("10001") == 10001
    assert uin_from_cookie("o") is None and uin_from_cookie("oabc") is None
