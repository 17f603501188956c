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

from newsarchive.spiders.robots import META_KEY as ROBOTS_META
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


# --------------------------------------------------------------------------- scope and URL length

URL_LENGTH_SETTING = "NEWSARCHIVE_MAX_URL_LENGTH"
MAX_URL_LENGTH = 2083  # its default: the longest URL old browsers took (Scrapy's URLLENGTH_LIMIT)


class UrlTooLong(IgnoreRequest):
    """The URL is longer than ``NEWSARCHIVE_MAX_URL_LENGTH``: recorded, never fetched."""


class OutOfScope(IgnoreRequest):
    """A redirect leaves the crawl's scope (allowed hosts and their ports)."""


def url_too_long(url: str, limit: int) -> str | None:
    """Why ``url`` is not fetched, or None when it fits (``limit`` 0 means no limit)."""
    if limit and len(url) > limit:
        return f"url_too_long: {len(url)} characters, NEWSARCHIVE_MAX_URL_LENGTH is {limit}"
    return None


class ScopeGuard:
    """Downloader middleware: redirects stay in scope and under the URL length limit.

    The spider checks every URL it requests itself; redirect targets come from the
    site's ``Location`` headers. Scrapy's OffsiteMiddleware lets the spider's
    ``dont_filter`` requests (and their redirects) through, and knows no ports, so a
    redirect from an allowed host to another one (or to another port) is refused here.
    A redirect from a URL that was out of scope already (a source the plan names on
    another host) is left alone: only leaving the scope is refused.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_length = crawler.settings.getint(URL_LENGTH_SETTING, MAX_URL_LENGTH)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        hops = request.meta.get("redirect_urls")
        if not hops:
            return
        reason = url_too_long(request.url, self.max_length)
        if reason:
            self._count("url_too_long")
            raise UrlTooLong(reason)
        site = getattr(self.crawler.spider, "site_config", None)
        in_scope = getattr(site, "on_allowed_host", None)
        if in_scope is None or request.meta.get(ROBOTS_META):
            return  # robots.txt may redirect anywhere (RFC 9309 follows up to five hops)
        if in_scope(hops[0]) and not in_scope(request.url):
            self._count("out_of_scope")
            log.info("refused %s: redirect from %s leaves the crawl's scope", request.url, hops[-1])
            raise OutOfScope(f"redirect leaves the crawl's scope (allowed_hosts): {request.url}")

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newsarchive/{key}")
