"""Cookies with limits, and without a download of the Public Suffix List.

Scrapy's ``CookiesMiddleware`` keeps every cookie a site sets and sends them all
back: one response with 20,000 ``Set-Cookie`` headers made every later request
to that host carry a 1.58 MB ``Cookie`` header (servers answer 431, and each
WARC request record grew to 2 MB). :class:`BoundedCookiesMiddleware` reads at
most ``NEWSARCHIVE_MAX_COOKIES_PER_HOST`` cookies from a response, keeps at most
that many per cookie domain, and never sends a ``Cookie`` header longer than
``NEWSARCHIVE_MAX_COOKIE_HEADER_BYTES`` (whole cookies are dropped from its end).

Scrapy asks ``tldextract`` whether a cookie domain is a public suffix;
tldextract's default instance downloads the Public Suffix List from the
internet on first use (outside the address guard, the crawl's user agent and
its logs). :func:`use_bundled_public_suffix_list` points Scrapy at an instance
that reads only the snapshot bundled with tldextract (``suffix_list_urls=()``,
no cache directory), so a crawl reaches nothing but the hosts it crawls.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import cookies as scrapy_cookies
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.http import Headers, Request, Response
from scrapy.utils.httpobj import urlparse_cached
from tldextract import TLDExtract

log = logging.getLogger(__name__)

MAX_COOKIES_PER_HOST = 50  # default of NEWSARCHIVE_MAX_COOKIES_PER_HOST (RFC 6265: at least 50)
MAX_COOKIE_HEADER_BYTES = 8192  # default of NEWSARCHIVE_MAX_COOKIE_HEADER_BYTES

# The Public Suffix List snapshot shipped inside tldextract: no network, no cache files.
BUNDLED_SUFFIXES = TLDExtract(
    cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True, include_psl_private_domains=True
)


def use_bundled_public_suffix_list() -> None:
    """Make Scrapy's cookie handling use :data:`BUNDLED_SUFFIXES` (see module doc)."""
    if not hasattr(scrapy_cookies, "_split_domain"):
        raise RuntimeError(
            "scrapy.downloadermiddlewares.cookies no longer has _split_domain: "
            "check how this Scrapy release finds public suffixes before using it"
        )
    scrapy_cookies._split_domain = BUNDLED_SUFFIXES


def trim_cookie_header(value: bytes, limit: int) -> bytes:
    """The longest run of whole ``name=value`` pairs from the start that fits in ``limit``."""
    kept: list[bytes] = []
    size = 0
    for pair in value.split(b"; "):
        size += len(pair) + (2 if kept else 0)
        if size > limit:
            break
        kept.append(pair)
    return b"; ".join(kept)


class BoundedCookiesMiddleware(CookiesMiddleware):
    """``CookiesMiddleware`` with per-host cookie and header-size limits (module doc)."""

    max_cookies = MAX_COOKIES_PER_HOST
    max_header = MAX_COOKIE_HEADER_BYTES

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoundedCookiesMiddleware:
        use_bundled_public_suffix_list()
        middleware = super().from_crawler(crawler)
        settings = crawler.settings
        middleware.max_cookies = settings.getint(
            "NEWSARCHIVE_MAX_COOKIES_PER_HOST", MAX_COOKIES_PER_HOST
        )
        middleware.max_header = settings.getint(
            "NEWSARCHIVE_MAX_COOKIE_HEADER_BYTES", MAX_COOKIE_HEADER_BYTES
        )
        return middleware

    def _count(self, key: str, amount: int = 1) -> None:
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.inc_value(f"newsarchive/cookies/{key}", amount)

    def process_request(self, request: Request, spider: Any = None) -> Any:
        result = super().process_request(request)
        header = request.headers.get("Cookie")
        if header and len(header) > self.max_header:
            trimmed = trim_cookie_header(header, self.max_header)
            log.warning(
                "%s: Cookie header of %d bytes cut to %d (NEWSARCHIVE_MAX_COOKIE_HEADER_BYTES)",
                request.url,
                len(header),
                len(trimmed),
            )
            self._count("header_trimmed")
            if trimmed:
                request.headers["Cookie"] = trimmed
            else:
                del request.headers["Cookie"]
        return result

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        set_cookies = response.headers.getlist("Set-Cookie")
        if not set_cookies or request.meta.get("dont_merge_cookies", False):
            return super().process_response(request, response)
        read = response
        if len(set_cookies) > self.max_cookies:
            log.warning(
                "%s set %d cookies: only the first %d read (NEWSARCHIVE_MAX_COOKIES_PER_HOST)",
                response.url,
                len(set_cookies),
                self.max_cookies,
            )
            self._count("ignored", len(set_cookies) - self.max_cookies)
            headers = Headers(response.headers)
            headers.setlist("Set-Cookie", set_cookies[: self.max_cookies])
            read = response.replace(headers=headers)
        super().process_response(request, read)
        self._prune(request)
        return response

    def _prune(self, request: Request) -> None:
        """At most ``max_cookies`` cookies per cookie domain in the request's jar.

        A cookie too big for the Cookie header limit could never be sent: not kept.
        """
        jar = self.jars[request.meta.get("cookiejar")].jar
        by_domain: defaultdict[str, list[Any]] = defaultdict(list)
        for cookie in list(jar):
            if len(cookie.name) + len(cookie.value or "") + 1 > self.max_header:
                jar.clear(cookie.domain, cookie.path, cookie.name)
                self._count("dropped")
                continue
            by_domain[cookie.domain].append(cookie)
        for cookies in by_domain.values():
            for cookie in cookies[self.max_cookies :]:
                jar.clear(cookie.domain, cookie.path, cookie.name)
                self._count("dropped")
        if any(len(c) > self.max_cookies for c in by_domain.values()):
            log.warning(
                "%s: more than %d cookies for one domain, the rest dropped",
                urlparse_cached(request).hostname,
                self.max_cookies,
            )
