"""robots.txt: one fetch per origin, and every request of that origin waits for its verdict.

Scrapy's ``RobotsTxtMiddleware`` keeps one Deferred per host and lets every
request queued before robots.txt arrives await it. Awaiting a Deferred through
``maybe_deferred_to_future`` consumes its result: the first waiter gets the
parser, every later one gets ``None``, which Scrapy reads as "allow all". Seeds,
plan-named sitemaps and feeds queued at start-up could so fetch pages robots.txt
disallows. :class:`RobotsTxtGate` replaces it:

* one robots.txt fetch per origin (scheme, host, port), however many seeds or
  sources name that origin;
* every request of the origin that arrives before the verdict gets a Deferred
  of its own, fired with the same parser when robots.txt is read (never a shared,
  consumable Deferred);
* the fetch goes straight to the downloader (``engine.download_async``, as
  Scrapy's does), so requests waiting here can never starve it of a slot; the
  spider builds the request (:meth:`NewsSpider.robots_txt_request`) and gets the
  response (or failure) in its callback, so the file is read for ``Sitemap:``
  lines and recorded in pages.jsonl from the same, single download.

The verdict is parsed the way Scrapy parses it (after redirects and retries),
except where RFC 9309 (section 2.3.1.4) says a robots.txt is unreachable: a 5xx
answer or a network error (a timeout, a refused connection) disallows the whole
origin for the crawl, which Scrapy read as "allow everything" (a site answering
503 under load got every page requested at once). A 4xx (no robots.txt), a
redirect loop or a file the parser cannot read allows everything. Only the
first 512 KiB are parsed (``MAX_ROBOTS_BYTES``, as Google does). A crawl that
closes while robots.txt is still on its way refuses the waiting requests.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from newsarchive.discovery.robots import MAX_ROBOTS_BYTES

log = logging.getLogger(__name__)

META_KEY = "newsarchive_robots_txt"  # the gate's own robots.txt request (and its redirect hops)
DOWNLOAD_PRIORITY = 1000  # as Scrapy's robots.txt request
DEFAULT_PORTS = {"http": 80, "https": 443}
_CLOSED = object()  # verdict once the crawl closed: nothing more is fetched


class Unreachable:
    """The verdict for an origin whose robots.txt is unreachable: nothing is allowed."""

    def __init__(self, why: str) -> None:
        self.why = why  # "HTTP 503", "TimeoutError"


class RobotsTxtDenied(IgnoreRequest):
    """robots.txt disallows the URL (the message names robots.txt: outcome robots_denied)."""


def origin_of(scheme: str, host: str, port: int | None) -> str:
    """``scheme://host:port`` with the default port written out: the key robots.txt applies to."""
    scheme, host = scheme.lower(), host.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or DEFAULT_PORTS.get(scheme, 0)}"


def robots_url_of(origin: str) -> str:
    """The robots.txt URL of an origin (default ports left out, as a browser writes them)."""
    scheme, _, rest = origin.partition("://")
    host, _, port = rest.rpartition(":")
    if int(port) == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}/robots.txt"
    return f"{scheme}://{host}:{port}/robots.txt"


class RobotsTxtGate:
    """Downloader middleware obeying robots.txt from one fetch per origin (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self._default_useragent: str = crawler.settings["USER_AGENT"]
        self._robotstxt_useragent: str | None = crawler.settings["ROBOTSTXT_USER_AGENT"]
        self._parserimpl: Any = load_object(crawler.settings.get("ROBOTSTXT_PARSER"))
        build_from_crawler(self._parserimpl, crawler, b"")  # a missing parser fails now
        self._verdicts: dict[str, Any] = {}  # origin -> parser, None (allow), Unreachable, _CLOSED
        self._waiting: dict[str, list[Deferred[Any]]] = {}  # origin -> one Deferred per waiter
        self._closed = False
        crawler.signals.connect(self._close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtGate:
        return cls(crawler)

    # ------------------------------------------------------------------ requests

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt") or request.meta.get(META_KEY):
            return
        parts = urlparse_cached(request)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return
        origin = origin_of(parts.scheme, parts.hostname, parts.port)
        verdict = await self.verdict(origin, request)
        self._judge(verdict, request)

    async def verdict(self, origin: str, request: Request) -> Any:
        """The parser of ``origin``'s robots.txt; the first caller starts its one fetch."""
        if origin in self._verdicts:
            return self._verdicts[origin]
        mine: Deferred[Any] = Deferred()  # fired once, awaited only by this request
        waiters = self._waiting.get(origin)
        if waiters is None:
            self._waiting[origin] = [mine]
            self._start_fetch(origin, request)
        else:
            waiters.append(mine)
        return await maybe_deferred_to_future(mine)

    def _judge(self, verdict: Any, request: Request) -> None:
        if verdict is _CLOSED:
            raise IgnoreRequest("the crawl closed before robots.txt arrived")
        if verdict is None:
            return
        if isinstance(verdict, Unreachable):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            raise RobotsTxtDenied(
                f"robots.txt unreachable ({verdict.why}): everything disallowed (RFC 9309)"
            )
        useragent: Any = self._robotstxt_useragent or request.headers.get(
            b"User-Agent", self._default_useragent
        )
        if not verdict.allowed(request.url, useragent):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            log.debug("Forbidden by robots.txt: %s", request)
            raise RobotsTxtDenied("Forbidden by robots.txt")

    # ------------------------------------------------------------------ the one fetch

    def _robots_request(self, origin: str, needed_by: Request) -> Request:
        """The spider's robots.txt request (read for sitemaps, recorded), or a bare one."""
        url = robots_url_of(origin)
        build = getattr(self.crawler.spider, "robots_txt_request", None)
        if build is not None:
            request = build(url, needed_by.url)
        else:
            request = Request(url, callback=NO_CALLBACK)
        request.priority = DOWNLOAD_PRIORITY
        request.meta["dont_obey_robotstxt"] = True
        request.meta[META_KEY] = origin
        return request

    def _start_fetch(self, origin: str, needed_by: Request) -> None:
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(self._fetch(origin, needed_by)).addErrback(self._fetch_broke, origin)

    def _fetch_broke(self, failure: Failure, origin: str) -> None:
        """A bug in the fetch itself: the waiting requests are released, as on a download error."""
        log.error("robots.txt of %s: %s", origin, failure.getTraceback())
        self._settle(origin, None)

    async def _fetch(self, origin: str, needed_by: Request) -> None:
        request = self._robots_request(origin, needed_by)
        self.crawler.stats.inc_value("robotstxt/request_count")
        result: Response | Failure
        try:
            result = await self.crawler.engine.download_async(request)  # type: ignore[union-attr]
        except Exception as exc:
            result = Failure(exc)
            if isinstance(exc, IgnoreRequest):  # a redirect loop, a refused address
                log.warning("robots.txt of %s failed (%s): everything allowed", origin, exc)
                self._settle(origin, None)
            else:  # the network: RFC 9309 reads the file as unreachable
                self.crawler.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
                log.warning(
                    "robots.txt of %s unreachable (%s): everything disallowed (RFC 9309)",
                    origin,
                    exc,
                )
                self._settle(origin, Unreachable(type(exc).__name__))
        else:
            self._settle(origin, self._parse(origin, result, request))
        self._hand_to_spider(result, request)

    def _parse(self, origin: str, response: Response, request: Request) -> Any:
        self.crawler.stats.inc_value("robotstxt/response_count")
        self.crawler.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if 500 <= response.status <= 599:
            log.warning(
                "robots.txt of %s answered HTTP %d: everything disallowed (RFC 9309)",
                origin,
                response.status,
            )
            return Unreachable(f"HTTP {response.status}")
        body = response.body
        if len(body) > MAX_ROBOTS_BYTES:
            # Parsed on the reactor thread, and checked against every request: a 30 MB
            # file of rules stalls the crawl. Google reads 500 KiB, RFC 9309 asks for that.
            log.warning(
                "robots.txt of %s has %d bytes: only the first %d read",
                origin,
                len(body),
                MAX_ROBOTS_BYTES,
            )
            body = body[:MAX_ROBOTS_BYTES]
        try:
            parser = build_from_crawler(self._parserimpl, self.crawler, body)
        except Exception:  # the waiting requests must still be released
            log.exception("robots.txt of %s could not be parsed: everything allowed", origin)
            return None
        self.crawler.signals.send_catch_log(
            signal=signals.robots_parsed, robotparser=parser, request=request
        )
        return parser

    def _hand_to_spider(self, result: Response | Failure, request: Request) -> None:
        """The spider's callback (or errback) gets the download, as for any request it made."""
        engine = self.crawler.engine
        if request.callback is NO_CALLBACK or engine is None or self._closed:
            return
        final = result.request if isinstance(result, Response) and result.request else request
        engine.scraper.enqueue_scrape(result, final)

    def _settle(self, origin: str, verdict: Any) -> None:
        """One verdict per origin; every request waiting for it gets it, each on its own."""
        if origin in self._verdicts:
            return
        self._verdicts[origin] = verdict
        for waiter in self._waiting.pop(origin, []):
            waiter.callback(verdict)

    # ------------------------------------------------------------------ closing

    def _close(self) -> None:
        """Requests still waiting when the crawl closes are refused, never let through."""
        self._closed = True
        for origin in list(self._waiting):
            self._settle(origin, _CLOSED)
