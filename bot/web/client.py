"""Who is asking, and over what: the client's address and whether it used HTTPS.

Behind a reverse proxy the TCP peer is the proxy, and the real client is in
`X-Forwarded-For` (and its scheme in `X-Forwarded-Proto`). Anyone can send those
headers, so they are believed only when the peer is in `TRUSTED_PROXIES`.

uvicorn's own proxy-header handling is switched off (`serve` passes
`proxy_headers=False`): by default it believes any client on 127.0.0.1, which let
a local process spoof its address. So `request.client.host` is always the real
TCP peer and `request.url.scheme` the real scheme; these two functions are the
one place that reads the forwarded headers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(value: str) -> tuple[Network, ...]:
    """`10.0.0.1, 172.16.0.0/12` → networks; raises ValueError naming the bad item."""
    networks = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address | None, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def _networks(connection: HTTPConnection) -> tuple[Network, ...]:
    # Parsed once by create_app from the settings.
    app: Any = connection.scope.get("app")
    return getattr(getattr(app, "state", None), "trusted_proxies", ())


def _peer(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


def client_address(connection: HTTPConnection) -> str:
    """The client's IP address, as text ("unknown" when there is none, as in tests)."""
    peer = _peer(connection)
    networks = _networks(connection)
    if not _trusted(_address(peer), networks):
        return peer or "unknown"
    hops = [h.strip() for h in ",".join(connection.headers.getlist("x-forwarded-for")).split(",")]
    hops = [h for h in hops if h]
    # Each proxy appends the address it saw, so walk from the right past our own
    # proxies; the first address they didn't add is the client. Anything to its left
    # was written by the client and proves nothing.
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        if not _trusted(address, networks):
            return str(address)
    leftmost = _address(hops[0]) if hops else None
    return str(leftmost) if leftmost is not None else peer or "unknown"


def is_https(connection: HTTPConnection) -> bool:
    """Did the client reach us over HTTPS (directly, or through a trusted proxy)?"""
    if connection.url.scheme in ("https", "wss"):
        return True
    if not _trusted(_address(_peer(connection)), _networks(connection)):
        return False
    proto = connection.headers.get("x-forwarded-proto", "")
    # The proxy nearest us wrote the last value.
    return proto.split(",")[-1].strip().lower() == "https"
