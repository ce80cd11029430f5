"""The Set-Cookie headers of the web sign-in (SMARTQQ-NOTES §2, §3.2, §3.3, §13.8).

Clients read cookies from their jars by name, and several raise when one name lives
under two (domain, path) pairs, so every name here has exactly one home. When the
request's Host is a qq.com name (a client redirected by a shim or a hosts file) the
cookies carry the real domains; for any other Host (127.0.0.1, our own client) they
are host-only, or the client's jar would refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Where each cookie lives on the real service (§2 L1-L3); path is always ``/``.
DOMAINS: dict[str, str] = {
    "qrsig": "ptlogin2.qq.com",
    "superuin": "ptlogin2.qq.com",
    "supertoken": "ptlogin2.qq.com",
    "uin": "qq.com",
    "skey": "qq.com",
    "ptwebqq": "qq.com",
    "pt2gguin": "qq.com",
    "p_uin": "web2.qq.com",
    "p_skey": "web2.qq.com",
    "pt4_token": "web2.qq.com",
}


def is_qq_host(host: str) -> bool:
    """True for ``qq.com`` and its subdomains (the Host of a redirected client)."""
    host = host.lower().rstrip(".")
    return host == "qq.com" or host.endswith(".qq.com")


def set_cookie(name: str, value: str, host: str, *, http_only: bool = False) -> str:
    """One Set-Cookie value for ``name`` as a client at ``host`` must receive it."""
    if any(c in value for c in "=;, \r\n"):
        # RU splits on '=' and '; ' (§3.3); a value holding them would break it
        raise ValueError(f"cookie {name} has a value clients cannot read: {value!r}")
    parts = [f"{name}={value}", "Path=/"]
    if is_qq_host(host):
        parts.append(f"Domain={DOMAINS[name]}")
    if http_only:
        parts.append("HttpOnly")
    return "; ".join(parts)


def padded_uin(uin: int) -> str:
    """``o`` and the number padded to 10 digits, as in superuin, uin and pt2gguin."""
    return f"o{uin:010d}"


@dataclass(frozen=True)
class SignInTokens:
    """What an approved web sign-in hands the client (all opaque to it)."""

    uin: int
    #: ``@`` and 9 characters, as the real skey.
    skey: str
    #: 64 lowercase hex characters (§13.8).
    ptwebqq: str
    #: The token p_skey, pt4_token and supertoken carry.
    token: str


def approved_cookies(tokens: SignInTokens, host: str) -> list[str]:
    """The cookies of the ``0`` ptqrlogin reply: superuin, uin, skey, ptwebqq and company."""
    return [
        set_cookie("superuin", padded_uin(tokens.uin), host),
        set_cookie("supertoken", tokens.token, host),
        set_cookie("pt2gguin", padded_uin(tokens.uin), host),
        set_cookie("uin", padded_uin(tokens.uin), host),
        set_cookie("skey", tokens.skey, host),
        set_cookie("ptwebqq", tokens.ptwebqq, host),
    ]


def check_sig_cookies(tokens: SignInTokens, host: str) -> list[str]:
    """The cookies of check_sig's 302: ptwebqq again (same home), skey, uin, p_skey,
    p_uin and pt4_token (§2 L3)."""
    return [
        set_cookie("uin", padded_uin(tokens.uin), host),
        set_cookie("skey", tokens.skey, host),
        set_cookie("ptwebqq", tokens.ptwebqq, host),
        set_cookie("p_uin", padded_uin(tokens.uin), host),
        set_cookie("p_skey", tokens.token, host, http_only=True),
        set_cookie("pt4_token", tokens.token, host),
    ]


def uin_from_cookie(value: str) -> int | None:
    """The number in ``o0000010001`` (uin, superuin, p_uin); None when it is not one."""
    digits = value[1:] if value[:1] in ("o", "O") else value
    return int(digits) if digits.isascii() and digits.isdigit() else None
