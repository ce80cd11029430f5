"""The hash functions of the Smart QQ web channel (SMARTQQ-NOTES §4), pure."""

from __future__ import annotations

_MASK32 = 0xFFFFFFFF


def hash33(text: str, start: int = 0) -> int:
    """``t = t*33 + code(c)`` over ``text`` modulo 2**32, then the low 31 bits.

    With ``start=0`` over the qrsig cookie it is ``ptqrtoken`` (§4.1); with
    ``start=5381`` over skey it is ``bkn``/``g_tk`` (§4.2).
    """
    t = start
    for char in text:
        t = (t * 33 + ord(char)) & _MASK32
    return t & 0x7FFFFFFF


def bkn(skey: str) -> int:
    """The ``bkn``/``g_tk`` of qun.qq.com calls (§4.2)."""
    return hash33(skey, 5381)


def time33(text: str) -> int:
    """``33*e + c`` modulo 2**32 from 0 (``pt4_hkey`` on logout, §4.2)."""
    t = 0
    for char in text:
        t = (t * 33 + ord(char)) & _MASK32
    return t


def contact_hash(uin: int, ptwebqq: str) -> str:
    """The ``hash`` of get_user_friends2 and get_group_name_list_mask2 (§4.3).

    Only the first 64 characters of ptwebqq count, as in the PHP client that loops
    ``i < 64``; the server issues ptwebqq of exactly 64 characters, so every client's
    variant agrees.
    """
    n = [0, 0, 0, 0]
    for i, char in enumerate(ptwebqq[:64]):
        n[i % 4] ^= ord(char) & 0xFF
    uin &= _MASK32
    v = [
        ((uin >> 24) & 0xFF) ^ ord("E"),
        ((uin >> 16) & 0xFF) ^ ord("C"),
        ((uin >> 8) & 0xFF) ^ ord("O"),
        (uin & 0xFF) ^ ord("K"),
    ]
    interleaved = [n[0], v[0], n[1], v[1], n[2], v[2], n[3], v[3]]
    return "".join(f"{byte:02X}" for byte in interleaved)
