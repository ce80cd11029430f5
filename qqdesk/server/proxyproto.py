"""The PROXY protocol header (HAProxy's ``send-proxy`` v1 text and ``send-proxy-v2``
binary) that a trusted front door puts before a connection's first byte, naming the
client it forwards: a pure parser, and how many bytes the header at a connection's
start takes."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

#: What every v2 header starts with (and no HTTP request can: it holds a NUL).
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
#: A v1 header is one line of at most 107 bytes, CR LF included.
V1_MAX = 107
#: A v2 header's addresses and TLVs: HAProxy sends a few hundred bytes at most.
V2_MAX_PAYLOAD = 4096

_V2_FIXED = len(V2_SIGNATURE) + 4
#: v2 families (high nibble of byte 14) and the length of their address block.
_V2_INET, _V2_INET6, _V2_UNIX = 0x1, 0x2, 0x3
_V2_ADDRESS_BYTES = {_V2_INET: 12, _V2_INET6: 36, _V2_UNIX: 216}
_V2_LOCAL, _V2_PROXY = 0x0, 0x1


class ProxyHeaderError(ValueError):
    """The bytes are not a valid PROXY protocol header."""


@dataclass(frozen=True)
class ProxyHeader:
    """Who the front door says the client is.

    ``client`` is None when the header names nobody (v2 LOCAL: the proxy's own health
    check; v1 UNKNOWN, or a v2 family with no address): the connection's own peer
    stands for itself then."""

    client: str | None
    port: int | None = None


def _address(text: str, version: int) -> str:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ProxyHeaderError(f"not an IP address: {text!r}") from None
    if address.version != version:
        raise ProxyHeaderError(f"{text!r} is not an IPv{version} address")
    return _plain(address)


def _plain(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An address as the server names clients (IPv4-mapped IPv6 as plain IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _port(text: str) -> int:
    # decimal, no sign, no leading zero (the specification's form)
    if not text.isdigit() or not text.isascii() or (len(text) > 1 and text[0] == "0"):
        raise ProxyHeaderError(f"not a port: {text!r}")
    port = int(text)
    if port > 65535:
        raise ProxyHeaderError(f"not a port: {text!r}")
    return port


def parse_v1(line: bytes) -> ProxyHeader:
    """A whole v1 header (``PROXY TCP4 SRC DST SPORT DPORT\\r\\n``), CR LF included."""
    if len(line) > V1_MAX or not line.endswith(b"\r\n"):
        raise ProxyHeaderError("a v1 header is one line of at most 107 bytes ending in CR LF")
    try:
        text = line[:-2].decode("ascii")
    except UnicodeDecodeError:
        raise ProxyHeaderError("a v1 header is ASCII") from None
    parts = text.split(" ")
    if parts[0] != "PROXY" or len(parts) < 2:
        raise ProxyHeaderError("a v1 header starts with 'PROXY '")
    if parts[1] == "UNKNOWN":
        return ProxyHeader(None)  # the rest of the line is to be ignored
    versions = {"TCP4": 4, "TCP6": 6}
    if parts[1] not in versions or len(parts) != 6:
        raise ProxyHeaderError(f"not a v1 header: {text!r}")
    version = versions[parts[1]]
    client = _address(parts[2], version)
    _address(parts[3], version)
    port = _port(parts[4])
    _port(parts[5])
    return ProxyHeader(client, port)


def v2_length(fixed: bytes) -> int:
    """How many bytes follow a v2 header's first 16 (its addresses and TLVs)."""
    if len(fixed) != _V2_FIXED or not fixed.startswith(V2_SIGNATURE):
        raise ProxyHeaderError("not a v2 header")
    length = int.from_bytes(fixed[14:16], "big")
    if length > V2_MAX_PAYLOAD:
        raise ProxyHeaderError(f"a v2 header of {length} bytes")
    return length


def parse_v2(header: bytes) -> ProxyHeader:
    """A whole v2 header: signature, version and command, family, length, payload."""
    length = v2_length(header[:_V2_FIXED])
    if len(header) != _V2_FIXED + length:
        raise ProxyHeaderError("a v2 header's length does not match its payload")
    version, command = header[12] >> 4, header[12] & 0x0F
    if version != 2 or command not in (_V2_LOCAL, _V2_PROXY):
        raise ProxyHeaderError(f"v2 version {version}, command {command}")
    family = header[13] >> 4
    needed = _V2_ADDRESS_BYTES.get(family, 0)
    if length < needed:
        raise ProxyHeaderError("a v2 header too short for its addresses")
    if command == _V2_LOCAL or family not in (_V2_INET, _V2_INET6):
        return ProxyHeader(None)  # a health check, or a client with no IP address
    payload = header[_V2_FIXED:]
    size = 4 if family == _V2_INET else 16
    raw = payload[:size]
    client = ipaddress.IPv4Address(raw) if size == 4 else ipaddress.IPv6Address(raw)
    port = int.from_bytes(payload[2 * size : 2 * size + 2], "big")
    return ProxyHeader(_plain(client), port)


def parse(header: bytes) -> ProxyHeader:
    """A whole header, v1 or v2 (by its first bytes)."""
    if header.startswith(V2_SIGNATURE):
        return parse_v2(header)
    return parse_v1(header)


def header_size(data: bytes | bytearray) -> int | None:
    """How many bytes of ``data`` (a connection's first bytes) the PROXY header takes:
    None while more are needed to tell; ProxyHeaderError if ``data`` starts with
    anything else, or with a v1 line longer than a v1 header may be."""
    if len(data) < len(V2_SIGNATURE):
        return None
    if data.startswith(V2_SIGNATURE):
        if len(data) < _V2_FIXED:
            return None
        size = _V2_FIXED + v2_length(bytes(data[:_V2_FIXED]))
        return size if len(data) >= size else None
    if not data.startswith(b"PROXY "):
        raise ProxyHeaderError("no PROXY header")
    end = data.find(b"\n")
    if end < 0:
        if len(data) > V1_MAX:
            raise ProxyHeaderError("a v1 header longer than its limit")
        return None
    return end + 1


class TrustedProxies:
    """The addresses (``serve --proxy-from``, CIDR allowed) whose connections start
    with a PROXY header."""

    def __init__(self, networks: Iterable[str]) -> None:
        self.networks = tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks)

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """From ``ADDR[,ADDR...]``; ValueError names what is not an address or network."""
        names = [n for n in text.split(",") if n.strip()]
        if not names:
            raise ValueError("no address")
        for name in names:
            try:
                ipaddress.ip_network(name.strip(), strict=False)
            except ValueError:
                raise ValueError(f"not an address or network: {name.strip()!r}") from None
        return cls(names)

    def trusts(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False  # (a Unix socket, or "unknown")
        return any(address in network for network in self.networks)
