"""The ``news`` spider: discover article URLs on news sites and hand each page to the extractor.

Run it with ``scrapy crawl news -a start_urls=URL1,URL2`` (or ``newsarchive crawl``).
From each start URL (a home or section page) it reads robots.txt for sitemaps,
walks sitemap indexes, news sitemaps, sitemaps and the feeds a page announces,
and follows links on hub pages up to ``max_depth``. Every fetched page is
yielded (articles and non-articles alike, with a ``_capture`` key); the item
pipelines decide what is exported and record every outcome in ``pages.jsonl``.

All callbacks are named methods (lambdas are lost when a JOBDIR crawl resumes),
and everything a callback needs travels in ``request.meta``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import scrapy
from newsarchive.pipelines.state import crawl_state_for
from newsarchive.spiders.extraction import (
    WORKERS_SETTING,
    ExtractionLimitExceeded,
    ExtractionPool,
    worker_count,
)
from newsarchive.spiders.failures import outcome_of_failure
from newsarchive.spiders.options import spider_options
from newsarchive.spiders.redirects import AlreadyRequested
from newsarchive.spiders.robots import META_KEY as ROBOTS_META
from scrapy import signals
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from newsarchive import settings as project_settings
from newsarchive.discovery.feeds import parse_feed
from newsarchive.discovery.links import ARTICLE, HUB, classify_url
from newsarchive.discovery.robots import sitemaps_from_robots
from newsarchive.discovery.sitemaps import parse_sitemap
from newsarchive.pagestep import ExtractionLimits, Following
from newsarchive.provenance import crawl_id_for
from newsarchive.state import CrawlState

log = logging.getLogger(__name__)

# request.meta keys this spider owns.
META_VIA = "newsarchive_via"  # discovered_via block of the URL
META_DEPTH = "newsarchive_depth"  # hub hops from the start URL
META_WARC = "newsarchive_warc"  # WARC pointer set by the capture extension

# Response headers kept for conditional re-fetches (crawl state).
VALIDATOR_HEADERS = ("ETag", "Last-Modified")
# Sources first, so the article URLs they name (with dates) are scheduled early. A URL
# named by several sources is fetched once (first_time()), under the first discovery.
PRIORITY_BY_ROLE = {"robots": 30, "sitemap": 20, "feed": 20, "article": 10, "hub": 0}


def discovered_via(kind: str, source: str | None, lastmod: str | None = None) -> dict[str, Any]:
    """The ``discovered_via`` block: how a URL was found (type, source URL, lastmod)."""
    return {"type": kind, "url": source, "lastmod": lastmod}


def decoded_headers(response: Response) -> dict[str, str]:
    """Response headers as ``str -> str`` (repeated headers joined with ', ')."""
    headers: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        headers[key] = ", ".join(v.decode("latin-1") for v in values)
    return headers


def _present(request: Request | None) -> Iterator[Request]:
    if request is not None:
        yield request


def validators_of(response: Response) -> dict[str, str]:
    """ETag and Last-Modified (lower-case names) for conditional re-fetches next time."""
    found = {}
    for name in VALIDATOR_HEADERS:
        value = response.headers.get(name)
        if value:
            found[name.lower()] = value.decode("latin-1")
    return found


def content_type_of(response: Response) -> str | None:
    raw = response.headers.get(b"Content-Type")
    return raw.decode("latin-1") if raw else None


class NewsSpider(scrapy.Spider):
    """Crawl news sites from their home pages: sitemaps, feeds, hub links -> article records."""

    name = "news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Arguments: see :class:`newsarchive.spiders.options.SpiderOptions` (start_urls needed)."""
        self.options, rest = spider_options(kwargs)
        super().__init__(*args, **rest)
        if not self.options.start_urls:
            raise ValueError("the news spider needs start URLs: -a start_urls=URL1,URL2")
        self.start_urls = self.options.start_urls
        self.max_depth = self.options.max_depth
        # OffsiteMiddleware enforces the hosts on every request, redirects included.
        self.allowed_domains = list(self.options.allowed_hosts)
        # In-process until from_crawler reads NEWSARCHIVE_EXTRACT_WORKERS.
        self.extraction = ExtractionPool(0)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.extraction = ExtractionPool(
            worker_count(crawler.settings.get(WORKERS_SETTING)),
            ExtractionLimits.from_settings(crawler.settings),
        )
        crawler.signals.connect(spider.note_extraction, signal=signals.spider_opened)
        crawler.signals.connect(spider.close_extraction, signal=signals.spider_closed)
        return spider

    def note_extraction(self) -> None:
        """Extraction workers in the stats (stats exist only once the crawl started)."""
        self.crawler.stats.set_value("newsarchive/extraction/workers", self.extraction.workers)

    def close_extraction(self) -> None:
        """Stop the extraction workers (when no other crawl in the process uses them)."""
        self.extraction.close()

    # ------------------------------------------------------------------ requests

    def page_request(
        self, url: str, via: dict[str, Any], depth: int, role: str, *, entry: bool = False
    ) -> Request | None:
        """A request for a page; None when already requested, or archived per the crawl state."""
        request = Request(
            url,
            callback=self.parse_page,
            errback=self.on_failure,
            priority=PRIORITY_BY_ROLE.get(role, 0),
            meta={META_VIA: via, META_DEPTH: depth},
            dont_filter=True,  # see first_time()
        )
        if not self.first_time(request, entry=entry):
            return None
        if role == "article" and self.crawl_state is not None:
            decision = self.crawl_state.fetch_decision(url, self.options.refetch)
            if not decision.fetch:
                self.crawler.stats.inc_value(f"newsarchive/state/{decision.reason}")
                log.debug("skipped %s: %s in the crawl state", url, decision.reason)
                return None
            request.headers.update(decision.headers)  # If-None-Match / If-Modified-Since
        return request

    def source_request(
        self, url: str, callback: Any, via: dict[str, Any], role: str, *, entry: bool = False
    ) -> Request | None:
        request = Request(
            url,
            callback=callback,
            errback=self.on_failure,
            priority=PRIORITY_BY_ROLE[role],
            meta={META_VIA: via, META_DEPTH: 0},
            dont_filter=True,  # see first_time()
        )
        return request if self.first_time(request, entry=entry) else None

    @property
    def requested(self) -> set[str]:
        """Fingerprints of the requests this crawl made.

        Kept in ``spider.state`` when JOBDIR is set, so a cleanly stopped crawl
        resumes with it (Scrapy's SpiderState extension saves it on close).
        """
        store = getattr(self, "state", None)
        if store is None:
            store = self.__dict__.setdefault("_requested_store", {})
        return store.setdefault("requested", set())

    def first_time(self, request: Request, *, entry: bool = False) -> bool:
        """True for a request not made before in this crawl; entry points always pass.

        Used instead of Scrapy's duplicate filter (requests are ``dont_filter``): a crawl
        killed with ``kill -9`` loses JOBDIR's queue but not the filter's memory, so a
        resumed crawl would never request the lost URLs again. Here the entry points
        (seeds, robots.txt, a plan's sitemaps and feeds) are re-read on every start,
        rediscovery finds the lost URLs, and the crawl state skips what was archived.
        """
        fingerprint = self.crawler.request_fingerprinter.fingerprint(request).hex()
        if fingerprint in self.requested and not entry:
            return False
        self.requested.add(fingerprint)
        return True

    @property
    def crawl_state(self) -> CrawlState | None:
        """The plan's crawl state (``NEWSARCHIVE_STATE_PATH``), None for a one-off crawl.

        Not ``state``: Scrapy's SpiderState extension owns that attribute under JOBDIR.
        """
        return crawl_state_for(self.crawler)

    def in_scope(self, url: str) -> bool:
        """Sitemaps and feeds: on an allowed host (include/exclude patterns are for pages)."""
        return self.options.on_allowed_host(url)

    async def start(self) -> AsyncIterator[Request]:
        for request in self.entry_requests():
            yield request

    def entry_requests(self) -> Iterator[Request]:
        """Seeds, their robots.txt and a plan's sources: read again on every (re)start."""
        options = self.options
        for url in options.start_urls:
            if options.robots_sitemaps:
                robots = self.source_request(
                    urljoin(url, "/robots.txt"),
                    self.parse_robots,
                    discovered_via("seed", url),
                    "robots",
                    entry=True,
                )
                if robots is not None:
                    # Read as a discovery source, and (SharedRobotsTxtMiddleware) obeyed
                    # from the same response: one robots.txt fetch per host.
                    robots.meta["dont_obey_robotstxt"] = True
                    robots.meta[ROBOTS_META] = True
                    yield robots
            yield from _present(
                self.page_request(url, discovered_via("seed", None), 0, "hub", entry=True)
            )
        # Sources a crawl plan names (the type of their URLs is found when they are read).
        for kind, urls, callback in (
            ("sitemap", options.news_sitemaps, self.parse_sitemap),
            ("sitemap", options.sitemaps, self.parse_sitemap),
            ("feed", options.feeds, self.parse_feed),
        ):
            for url in urls:
                yield from _present(
                    self.source_request(
                        url, callback, discovered_via("seed", None), kind, entry=True
                    )
                )

    # ------------------------------------------------------------------ callbacks

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if response.status >= 400:
            # No robots.txt is normal (everything allowed, no sitemaps named), not a failure.
            yield {
                "_capture": self.capture(
                    response,
                    outcome="not_article",
                    page_type="robots",
                    error=f"no robots.txt (HTTP {response.status})",
                )
            }
            return
        yield self.source_outcome(response, "robots")
        for sitemap_url in sitemaps_from_robots(response.body, response.url):
            if self.in_scope(sitemap_url):
                via = discovered_via("sitemap", response.url)
                yield from _present(
                    self.source_request(sitemap_url, self.parse_sitemap, via, "sitemap")
                )

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield self.source_outcome(response, "sitemap")
        if response.status >= 400:
            return
        result = parse_sitemap(response.body, response.url)
        for error in result.errors:
            log.warning("sitemap %s: %s", response.url, error)
        for child in result.sitemaps:
            if self.in_scope(child.url):
                via = discovered_via("sitemap", response.url, child.lastmod)
                yield from _present(
                    self.source_request(child.url, self.parse_sitemap, via, "sitemap")
                )
        for entry in result.urls:
            if self.options.wants_page(entry.url) and self.options.recent_enough(entry.date):
                via = discovered_via(entry.kind, response.url, entry.date)
                yield from _present(self.page_request(entry.url, via, 1, "article"))

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield self.source_outcome(response, "feed")
        if response.status >= 400:
            return
        result = parse_feed(response.body, response.url)
        for error in result.errors:
            log.warning("feed %s: %s", response.url, error)
        for entry in result.entries:
            if self.options.wants_page(entry.url) and self.options.recent_enough(entry.date):
                via = discovered_via("feed", response.url, entry.date)
                yield from _present(self.page_request(entry.url, via, 1, "article"))

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        """Run the page step on the page; follow its links and feeds when it is a hub.

        The page step (block check, extraction, a hub's links and feeds:
        ``newsarchive.pagestep.process_page``) runs in the worker pool (see
        ``spiders/extraction.py``) while the reactor goes on fetching, archiving and
        exporting other pages; here only the cheap per-URL scope checks remain.
        """
        if response.meta.get("redirect_urls"):
            # Reached through a redirect: later links to the final URL need no second fetch.
            self.first_time(Request(response.url))
        depth = response.meta.get(META_DEPTH, 0)
        try:
            outcome = await self.extraction.process(
                response.body,
                response.url,
                decoded_headers(response),
                response.status,
                self.following(response, depth),
                tuple(self.options.canonical_hosts),
            )
        except ExtractionLimitExceeded as exc:  # a hostile page fails itself, nothing more
            log.warning("%s: %s", response.url, exc)
            self.crawler.stats.inc_value("newsarchive/extraction/over_limit")
            yield {"_capture": self.capture(response, outcome="failed", error=str(exc))}
            return
        except Exception as exc:  # one bad page must not stop the crawl
            log.exception("extraction failed for %s", response.url)
            yield {
                "_capture": self.capture(
                    response, outcome="failed", error=f"extraction: {type(exc).__name__}: {exc}"
                )
            }
            return
        if outcome.record is None:
            yield {
                "_capture": self.capture(
                    response,
                    outcome=outcome.outcome,
                    error=outcome.error,
                    page_type=outcome.page_type,
                )
            }
            return
        record = outcome.record
        record["_capture"] = self.capture(response)
        yield record
        # Articles are not followed further (the page step gives them no links): their
        # related links are left to sitemaps, feeds and hubs, which keeps the crawl on
        # the site's own map.
        for request in self.follow_hub(response, depth, outcome.links, outcome.feeds):
            yield request

    def following(self, response: Response, depth: int) -> Following | None:
        """What the page step should collect from this page if it is a hub (None: nothing)."""
        options = self.options
        if depth >= self.max_depth or not isinstance(response, TextResponse):
            return None
        if not (options.discover_feeds or options.follow_links):
            return None
        return Following(
            hosts=tuple(options.allowed_hosts),
            links=options.follow_links,
            feeds=options.discover_feeds,
            max_links=self.settings.getint(
                "NEWSARCHIVE_MAX_LINKS_PER_PAGE", project_settings.NEWSARCHIVE_MAX_LINKS_PER_PAGE
            )
            or None,
        )

    def follow_hub(
        self, response: Response, depth: int, links: list[str], feeds: list[str]
    ) -> Iterator[Request]:
        for feed_url in feeds:
            if self.in_scope(feed_url):
                via = discovered_via("feed", response.url)
                yield from _present(self.source_request(feed_url, self.parse_feed, via, "feed"))
        via = discovered_via("link", response.url)
        for url in links:
            kind = classify_url(url)
            wanted = kind == ARTICLE or (kind == HUB and depth + 1 < self.max_depth)
            if wanted and self.options.wants_page(url):
                yield from _present(self.page_request(url, via, depth + 1, kind))

    def on_failure(self, failure: Failure) -> Iterator[dict[str, Any]]:
        """Record a request that produced no response (robots.txt, refusal, network error)."""
        request: Request = failure.request  # type: ignore[attr-defined]
        if failure.check(AlreadyRequested):
            return  # a redirect to a URL this crawl fetches anyway: the hop is recorded
        outcome, reason = outcome_of_failure(failure)
        log.log(
            logging.INFO if outcome != "failed" else logging.WARNING,
            "%s: %s (%s)",
            outcome,
            request.url,
            reason,
        )
        yield {
            "_capture": {
                **self._capture_base(request.url, request.meta),
                "url": request.url,
                "status": None,
                "content_type": None,
                "outcome": outcome,
                "error": reason,
            }
        }

    # ------------------------------------------------------------------ capture info

    def _capture_base(self, requested_url: str, meta: dict[str, Any]) -> dict[str, Any]:
        return {
            "requested_url": requested_url,
            "discovered_via": meta.get(META_VIA),
            "warc": meta.get(META_WARC),
            "crawl_id": crawl_id_for(self.crawler),
            "spider": self.name,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }

    def capture(
        self,
        response: Response,
        *,
        outcome: str | None = None,
        error: str | None = None,
        page_type: str | None = None,
    ) -> dict[str, Any]:
        """The ``_capture`` block: fetch facts the provenance and outcome pipelines need."""
        redirects = response.meta.get("redirect_urls") or []
        requested = redirects[0] if redirects else response.url
        info = self._capture_base(requested, response.meta)
        if redirects:
            # The record is under its final URL; the hop that named that URL is the source.
            original = info["discovered_via"] or {}
            info["discovered_via"] = discovered_via(
                "redirect", redirects[-1], original.get("lastmod")
            )
            info["discovered_via_original"] = original
        info.update(
            url=response.url,
            status=response.status,
            content_type=content_type_of(response),
            headers=validators_of(response),
            outcome=outcome,
            error=error,
            page_type=page_type,
        )
        return info

    def source_outcome(self, response: Response, kind: str) -> dict[str, Any]:
        """robots.txt, sitemaps and feeds are pages too: recorded, never articles."""
        outcome = "http_error" if response.status >= 400 else "not_article"
        error = f"HTTP {response.status}" if response.status >= 400 else None
        return {"_capture": self.capture(response, outcome=outcome, error=error, page_type=kind)}
