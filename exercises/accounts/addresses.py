"""Who is asking, by network address: the one rule for every limit keyed on the client.

``X-Forwarded-For`` is written by whoever sends the request, so it says nothing unless the
peer that connected (``REMOTE_ADDR``) is one of our own proxies (``STRIDE_TRUSTED_PROXIES``,
addresses or CIDR networks). Then the header is read from the right, where our proxies
appended what they saw, past every trusted hop, to the first address that is not ours: that is
the client. Entries further left were written by the client and are never read. With no
trusted proxies (the default) the header is ignored and the client is ``REMOTE_ADDR``.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # settings import this module: nothing here may need configured settings
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(entries: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` -> networks; ``ValueError`` names a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return tuple(networks)


@functools.cache
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def trusted_proxies() -> tuple[Network, ...]:
    return _trusted(tuple(settings.STRIDE["TRUSTED_PROXIES"]))


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:a.b.c.d from a dual-stack socket
    return mapped or address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address as text (``REMOTE_ADDR`` unless a trusted proxy forwarded it)."""
    peer_text = request.META.get("REMOTE_ADDR", "")
    networks = trusted_proxies()
    peer = _address(peer_text)
    if peer is None or not networks or not _is_trusted(peer, networks):
        return peer_text
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop_text in reversed(forwarded.split(",")):
        hop = _address(hop_text)
        if hop is None:  # unreadable: stop at the last hop our proxies vouch for
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)
