"""Who is asking: the one place that decides a request's client address.

Used by everything that counts or records an address — the sign-in lockout (django-axes via
``AXES_CLIENT_IP_CALLABLE``), the public referral limit and emergency access — so they can never
disagree about who a request came from.

Behind a reverse proxy ``REMOTE_ADDR`` is the proxy. The proxy appends the address it saw to
``X-Forwarded-For``; everything to the left of that was written by the client and can be forged.
So the header is read right to left, skipping our own proxies (``NYTH_TRUSTED_PROXIES``), and the
first address that is not one of them is the client. The header is consulted only when
``REMOTE_ADDR`` itself is a trusted proxy: a client that reaches the application directly cannot
choose its own address by sending the header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``NYTH_TRUSTED_PROXIES`` entries (addresses or CIDRs) as networks. A typo must stop the
    service from starting rather than silently trust nothing or everything (see core.checks)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def parse_address(value: str) -> Address | None:
    """One address as a proxy or client writes it, or None when it is not an address.
    Accepts ``[v6]:port``, ``v4:port`` and IPv4-mapped IPv6 (reported as the IPv4 address)."""
    value = value.strip().strip('"')
    if not value or len(value) > 64:
        return None
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; bare IPv6 has at least two colons
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def resolve_client_address(remote_addr: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The right-most address in ``forwarded_for`` that is not a trusted proxy, when
    ``remote_addr`` is one; otherwise ``remote_addr``. A malformed entry stops the walk there and
    the last trusted hop is answered instead: whatever sits left of garbage is not trustworthy,
    and answering the proxy keeps the request counted rather than letting it choose a fresh key."""
    remote = parse_address(remote_addr or "")
    if remote is None:
        return UNKNOWN
    if not forwarded_for or not _trusted(remote, trusted):
        return str(remote)
    current = remote
    for entry in reversed(forwarded_for.split(",")):
        hop = parse_address(entry)
        if hop is None:
            return str(current)
        if not _trusted(hop, trusted):
            return str(hop)
        current = hop
    # Every hop was one of ours: the request started inside the proxy tier.
    return str(current)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request`` (see the module docstring)."""
    trusted = parse_networks(tuple(getattr(settings, "NYTH_TRUSTED_PROXIES", ())))
    return resolve_client_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted
    )


def axes_client_address(request: HttpRequest) -> str | None:
    """``client_address`` for django-axes, which stores it in an IP address column: None when
    there is no address (e.g. ``Client.force_login``'s bare request) rather than "unknown"."""
    address = client_address(request)
    return None if address == UNKNOWN else address
