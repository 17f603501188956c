"""Refuse requests to private, loopback and link-local addresses (SSRF guard).

A crawl follows URLs that other people's pages, sitemaps and redirects name; without
this guard a hostile page could make the crawler fetch a router's admin page or a
cloud metadata endpoint. Every request (redirect hops and robots.txt included) is
checked twice: the host as written (``localhost``, ``127.1``, ``[::1]``...) and the
address it resolves to, both with :func:`newsarchive.safety.is_refused_address`.
``NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES = True`` (the demo, the tests, a plan for an
intranet site) switches the guard off.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from newsarchive.safety import is_refused_address, parse_address

log = logging.getLogger(__name__)


class RefusedAddress(IgnoreRequest):
    """The request's host is, or resolves to, an address the crawl may not touch."""


async def resolve(host: str) -> str | None:
    """The address Twisted will connect to (through Scrapy's caching resolver)."""
    from twisted.internet import reactor

    try:
        return await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
    except Exception:  # unresolvable: the download itself will fail and be recorded
        return None


async def refusal_reason(host: str) -> str | None:
    """Why ``host`` must not be fetched, or None; names are resolved before judging."""
    reason = is_refused_address(host)
    if reason or parse_address(host) is not None:
        return reason
    address = await resolve(host)
    reason = is_refused_address(address) if address else None
    return f"{host} resolves to {reason}" if reason else None


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
        reason = await refusal_reason(host)
        if reason is None:
            return None
        if self.stats is not None:
            self.stats.inc_value("newsarchive/refused")
        log.warning("refused %s: %s", request.url, reason)
        raise RefusedAddress(reason)
