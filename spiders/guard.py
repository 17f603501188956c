"""Refuse requests to private, loopback and link-local addresses (SSRF guard).

A crawl follows URLs that other people's pages, sitemaps and redirects name; without
this guard a hostile page could make the crawler fetch a router's admin page or a
cloud metadata endpoint. The check runs on the resolved address of every request
(redirect hops included) unless ``NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES`` is true,
as it is for the demo and the tests, whose server is on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# (property of ipaddress objects, name used in the refusal message), checked in order.
REFUSED_KINDS: tuple[tuple[str, str], ...] = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_private", "private"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
)


class RefusedAddress(IgnoreRequest):
    """The request's host resolves to an address the crawl may not touch."""


def refused_kind(address: str) -> str | None:
    """Why ``address`` is off limits ("loopback", "private", ...), or None when it is public."""
    try:
        ip: IpAddress = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for prop, kind in REFUSED_KINDS:
        if getattr(ip, prop):
            return kind
    return None if ip.is_global else "non-global"


async def resolve(host: str) -> str | None:
    """The address Twisted will connect to (through Scrapy's caching resolver)."""
    from twisted.internet import reactor

    try:
        return await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
    except Exception:  # unresolvable: the download itself will fail and be recorded
        return None


class PrivateAddressGuard:
    """Downloader middleware: raise :class:`RefusedAddress` for non-public targets."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        if crawler.settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"):
            log.info("private addresses allowed by NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES")
            raise NotConfigured  # without a message: Scrapy would log it as a warning
        return cls(crawler)

    async def process_request(self, request: Request) -> Any:
        host = urlparse_cached(request).hostname or ""
        address = host if _is_ip(host) else await resolve(host)
        kind = refused_kind(address) if address else None
        if kind is None:
            return None
        if self.stats is not None:
            self.stats.inc_value(f"newsarchive/refused/{kind}")
        log.warning("refused %s: %s resolves to %s address %s", request.url, host, kind, address)
        raise RefusedAddress(f"{host} resolves to {kind} address {address}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
