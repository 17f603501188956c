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
from collections.abc import AsyncIterator, Iterable, Iterator
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
from newsarchive.spiders.guard import MAX_URL_LENGTH, URL_LENGTH_SETTING, url_too_long
from newsarchive.spiders.redirects import AlreadyRequested
from newsarchive.spiders.stopping import StoppedBeforeFetch
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from newsarchive import settings as project_settings
from newsarchive.discovery.links import ARTICLE, HUB, classify_url
from newsarchive.discovery.sitemaps import MAX_INDEX_DEPTH, MAX_URLS_PER_HOST
from newsarchive.discovery.sources import (
    FEED,
    LINKS,
    ROBOTS,
    SOURCE_KINDS,
    SourceBudget,
    SourceKind,
    host_of,
)
from newsarchive.fetchfacts import FetchFacts, WarcPointer, discovered_via
from newsarchive.normalize import canonicalize_url
from newsarchive.pagestep import ExtractionLimits, Following
from newsarchive.provenance import crawl_id_for
from newsarchive.siteconfig import Site, arguments, site_from_arguments
from newsarchive.state import CrawlState
from newsarchive.warc.capture import CONFIRMS_META_KEY

log = logging.getLogger(__name__)

# request.meta keys this spider owns.
META_VIA = "newsarchive_via"  # discovered_via block of the URL
META_DEPTH = "newsarchive_depth"  # hub hops from the start URL
META_WARC = "newsarchive_warc"  # WARC pointer set by the capture extension
META_SOURCE = "newsarchive_source"  # kind of a source file (newsarchive.discovery.sources)
META_SOURCE_DEPTH = "newsarchive_source_depth"  # index hops from a named source file

# Response headers kept for conditional re-fetches (crawl state).
VALIDATOR_HEADERS = ("ETag", "Last-Modified")
MAX_VALIDATOR_LENGTH = 1024  # real ETags are tens of characters
# Requests one hub page may add (feeds and links): the setting's default, declared once.
MAX_LINKS_PER_PAGE = project_settings.NEWSARCHIVE_MAX_LINKS_PER_PAGE
# Pages after sources (each source kind has its priority, see discovery/sources.py), so the
# article URLs sources name (with dates) are scheduled early. A URL named by several
# sources is fetched once (first_time()), under the first discovery.
PAGE_PRIORITY = {"article": 10, "hub": LINKS.priority}


def decoded_headers(response: Response) -> dict[str, str]:
    """Response headers as ``str -> str`` (repeated headers joined with ', ')."""
    headers: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        headers[key] = ", ".join(v.decode("latin-1") for v in values)
    return headers


def log_errors(kind: str, url: str, errors: list[str], shown: int = 5) -> None:
    """A source's parse errors, the first few in full (a hostile file may hold 50,000)."""
    for error in errors[:shown]:
        log.warning("%s %s: %s", kind, url, error)
    if len(errors) > shown:
        log.warning("%s %s: %d more errors like these", kind, url, len(errors) - shown)


def _present(request: Request | dict[str, Any] | None) -> Iterator[Request | dict[str, Any]]:
    """A request (or the item recording why there is none), if any."""
    if request is not None:
        yield request


def validators_of(response: Response) -> dict[str, str]:
    """ETag and Last-Modified (lower-case names) for conditional re-fetches next time.

    A value longer than MAX_VALIDATOR_LENGTH is not kept: sent back as If-None-Match,
    a hostile megabyte ETag would swell every later request (and its WARC record).
    """
    found = {}
    for name in VALIDATOR_HEADERS:
        value = response.headers.get(name)
        if value and len(value) <= MAX_VALIDATOR_LENGTH:
            found[name.lower()] = value.decode("latin-1")
    return found


def content_type_of(response: Response) -> str | None:
    raw = response.headers.get(b"Content-Type")
    return raw.decode("latin-1") if raw else None


BAD_ARGUMENT_REASON = "bad_spider_argument"  # finish reason of a crawl with a refused argument


class SpiderArgumentError(ValueError):
    """A ``news`` spider argument that cannot be used (its message names it and the form)."""


def site_of_arguments(site: Site | None, given: dict[str, Any]) -> tuple[Site, dict[str, Any]]:
    """``(site, other arguments)``: ``site`` as given, else read from the spider arguments.

    One reading for every path (``newsarchive crawl``, ``scrapy crawl -a``, scrapyd's
    ``schedule.json``): :func:`newsarchive.siteconfig.site_from_arguments`.
    """
    if site is None:
        try:
            site, rest = site_from_arguments(given)
        except ValueError as error:
            raise SpiderArgumentError(str(error)) from None
    else:  # an in-process caller's mistake, not a user's argument: raised as it is
        rest = given
        both = sorted(set(given) & set(arguments()))
        if both:
            raise ValueError(f"give site_config or the arguments {both}, not both")
    if not site.entry_urls:
        raise SpiderArgumentError(
            "the news spider needs start URLs (-a start_urls=URL1,URL2), sitemaps or feeds"
        )
    return site, rest


class RefusedArguments(scrapy.Spider):
    """Runs in place of the news spider when its arguments are refused: it requests
    nothing and closes with reason ``bad_spider_argument``, so the job ends cleanly
    with the one error line ``NewsSpider.from_crawler`` logged."""

    def __init__(self, *args: Any, refusal: str = "", **kwargs: Any) -> None:
        # named at run time only: Scrapy's spider list must find one "news" spider
        super().__init__(*args, name="news", **kwargs)
        self.refusal = refusal

    async def start(self) -> AsyncIterator[Request]:
        raise CloseSpider(BAD_ARGUMENT_REASON)
        yield  # pragma: no cover - makes this an async generator, as Scrapy expects


class NewsSpider(scrapy.Spider):
    """Crawl news sites from their home pages: sitemaps, feeds, hub links -> article records."""

    name = "news"

    def __init__(self, *args: Any, site_config: Site | None = None, **kwargs: Any) -> None:
        """The site to crawl: ``site_config`` in-process, else spider arguments (``-a``).

        Arguments are converted by :func:`newsarchive.siteconfig.site_from_arguments`
        (``start_urls``, sitemaps or feeds needed); others go to Scrapy's Spider.
        """
        site_config, rest = site_of_arguments(site_config, kwargs)
        super().__init__(*args, **rest)
        # "articles_since = 7d" counts from now: the start of this crawl.
        self.site_config = site_config.at(datetime.now(UTC))
        self.start_urls = list(site_config.seeds)
        self.max_depth = site_config.limits.max_depth
        # Scope (host and port) is checked by the spider on every URL it requests and by
        # spiders/guard.ScopeGuard on redirects; OffsiteMiddleware skips dont_filter requests.
        self.allowed_domains = site_config.allowed_domains
        # In-process until from_crawler reads NEWSARCHIVE_EXTRACT_WORKERS.
        self.extraction = ExtractionPool(0)
        self.max_url_length = MAX_URL_LENGTH
        self.source_budget = SourceBudget()
        self.limits_noted: set[tuple[str, str]] = set()
        self.max_links_per_page = MAX_LINKS_PER_PAGE

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> scrapy.Spider:
        """The spider, or, for a bad argument, one error line and a crawl that closes at once
        (finish reason ``bad_spider_argument``): a scheduler such as scrapyd shows the
        job's log, where Scrapy would print a traceback for an exception raised here."""
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
        except SpiderArgumentError as error:
            log.error("%s", error)
            return RefusedArguments.from_crawler(crawler, refusal=str(error))
        settings = crawler.settings
        spider.extraction = ExtractionPool(
            worker_count(settings.get(WORKERS_SETTING)), ExtractionLimits.from_settings(settings)
        )
        spider.max_url_length = settings.getint(URL_LENGTH_SETTING, MAX_URL_LENGTH)
        spider.max_links_per_page = settings.getint(
            "NEWSARCHIVE_MAX_LINKS_PER_PAGE", MAX_LINKS_PER_PAGE
        )
        spider.source_budget = SourceBudget(
            max_depth=settings.getint("NEWSARCHIVE_SITEMAP_MAX_DEPTH", MAX_INDEX_DEPTH),
            max_urls=settings.getint("NEWSARCHIVE_SITEMAP_MAX_URLS", MAX_URLS_PER_HOST),
            max_files={
                kind.name: settings.getint(kind.max_files.setting, kind.max_files.default)
                for kind in SOURCE_KINDS.values()
                if kind.max_files
            },
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
    ) -> Request | dict[str, Any] | None:
        """A request for a page; None when already requested, or archived per the crawl state.

        A URL over the length limit gives the item that records it instead. The crawl
        state is asked about every link, not only those whose URL looks like an article
        (``/story/quay`` is followed as a hub link): an archived article is skipped or
        re-fetched with its validators whatever its URL shape. Entry points are always
        fetched: they are where the crawl finds new links.
        """
        refused = self.refuse_long_url(url, via)
        if refused is not None:
            return refused
        request = Request(
            url,
            callback=self.parse_page,
            errback=self.on_failure,
            priority=PAGE_PRIORITY.get(role, 0),
            meta={META_VIA: via, META_DEPTH: depth},
            dont_filter=True,  # see first_time()
        )
        if not self.first_time(request, entry=entry):
            return None
        if self.crawl_state is not None and not entry:
            decision = self.crawl_state.fetch_decision(url, self.site_config.refetch)
            if not decision.fetch:
                self.crawler.stats.inc_value(f"newsarchive/state/{decision.reason}")
                log.debug("skipped %s: %s in the crawl state", url, decision.reason)
                return None
            if decision.headers:  # If-None-Match / If-Modified-Since
                request.headers.update(decision.headers)
                confirmed = self.crawl_state.last_capture(url)
                if confirmed is not None and confirmed.payload_digest:
                    request.meta[CONFIRMS_META_KEY] = confirmed.payload_digest
        return request

    def source_request(
        self,
        kind: SourceKind,
        url: str,
        via: dict[str, Any],
        depth: int = 0,
        *,
        entry: bool = False,
    ) -> Request | dict[str, Any] | None:
        """A source file's request, within the kind's budget (depth 0: named by a plan,
        robots.txt or a hub page; each index level adds one). None when refused or
        already requested."""
        host = host_of(url)
        refusal = self.source_budget.file_refusal(kind, host, depth)
        if refusal is not None:
            self.note_limit(host, refusal)
            return None
        refused = self.refuse_long_url(url, via)
        if refused is not None:
            return refused
        request = Request(
            url,
            callback=self.parse_source,
            errback=self.on_failure,
            priority=kind.priority,
            meta={META_VIA: via, META_DEPTH: 0, META_SOURCE: kind.name, META_SOURCE_DEPTH: depth},
            dont_filter=True,  # see first_time()
        )
        if not self.first_time(request, entry=entry):
            return None
        self.source_budget.files[kind.name, host] += 1
        return request

    def refuse_long_url(self, url: str, via: dict[str, Any]) -> dict[str, Any] | None:
        """The pages.jsonl item of a URL over NEWSARCHIVE_MAX_URL_LENGTH, None for others.

        Recorded (outcome ``refused``, reason ``url_too_long: ...``) instead of dropped
        silently as Scrapy's UrlLengthMiddleware does; the URL is cut to the limit there.
        """
        reason = url_too_long(url, self.max_url_length)
        if reason is None:
            return None
        self.crawler.stats.inc_value("newsarchive/url_too_long")
        shown = url[: self.max_url_length]
        log.warning("not fetched: %s... (%s)", shown[:200], reason)
        facts = self._capture_base({})
        return {
            "_capture": FetchFacts.unanswered(shown, via, outcome="refused", error=reason, **facts)
        }

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
        canonical = canonicalize_url(request.url)  # one page whatever its session id
        keyed = request if canonical in (None, request.url) else request.replace(url=canonical)
        fingerprint = self.crawler.request_fingerprinter.fingerprint(keyed).hex()
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
        return self.site_config.on_allowed_host(url)

    async def start(self) -> AsyncIterator[Request | dict[str, Any]]:
        for request in self.entry_requests():
            yield request

    def entry_requests(self) -> Iterator[Request | dict[str, Any]]:
        """Seeds, robots.txt and the site's named sources: read again on every (re)start."""
        site = self.site_config
        # With ROBOTSTXT_OBEY the robots.txt gate fetches each origin's file once, through
        # robots_txt_request(); without it the spider reads them for their Sitemap: lines.
        if site.sources["robots_sitemaps"] and not self.settings.getbool("ROBOTSTXT_OBEY"):
            origins = dict.fromkeys(urljoin(url, "/robots.txt") for url in site.seeds)
            for robots_url in origins:
                yield self.robots_txt_request(robots_url, robots_url)
        for url in site.seeds:
            yield from _present(
                self.page_request(url, discovered_via("seed", None), 0, "hub", entry=True)
            )
        # Source files the site names, of every registered kind (discovery/sources.py).
        for kind, url in site.entry_sources:
            via = discovered_via("seed", None)
            yield from _present(self.source_request(kind, url, via, entry=True))

    def note_limit(self, host: str, refusal: str) -> None:
        """Count a crawl limit reached; say so once per host and limit."""
        self.crawler.stats.inc_value("newsarchive/over_limit")
        key = (host, refusal.rsplit("(", 1)[-1])
        if key not in self.limits_noted:
            self.limits_noted.add(key)
            log.warning("%s: %s; the rest is not fetched", host, refusal)

    def robots_txt_request(self, url: str, needed_by: str) -> Request:
        """The one robots.txt request of an origin (see ``spiders/robots.py``).

        Remembered as requested, so a robots.txt redirecting to itself stops there.
        """
        request = Request(
            url,
            callback=self.parse_robots,
            errback=self.on_failure,
            priority=ROBOTS.priority,
            meta={META_VIA: discovered_via("seed", needed_by), META_DEPTH: 0},
            dont_filter=True,
        )
        request.meta["dont_obey_robotstxt"] = True
        self.first_time(request, entry=True)
        return request

    # ------------------------------------------------------------------ callbacks

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if response.status >= 400:
            # No robots.txt is normal (everything allowed, no sitemaps named), not a failure;
            # a server error disallows the origin (spiders/robots.py, RFC 9309).
            error = f"no robots.txt (HTTP {response.status})"
            if response.status >= 500:
                error = f"robots.txt unreachable (HTTP {response.status}): everything disallowed"
            yield {
                "_capture": self.capture(
                    response, outcome="not_article", page_type="robots", error=error
                )
            }
            return
        yield self.source_outcome(response, ROBOTS.name)
        if self.site_config.sources["robots_sitemaps"]:
            yield from self.read_source(response, ROBOTS)

    def parse_source(self, response: Response) -> Iterator[Any]:
        """A source file of the kind its request names (sitemap, feed...): record it, read it."""
        kind = SOURCE_KINDS[response.meta[META_SOURCE]]
        yield self.source_outcome(response, kind.name)
        if response.status >= 400:
            return
        yield from self.read_source(response, kind)

    def read_source(self, response: Response, kind: SourceKind) -> Iterator[Any]:
        """Requests for the in-scope source files and page URLs a source file names.

        A file naming files of its own kind (a sitemap index) counts one level deeper.
        """
        if kind.read is None:
            return
        reading = kind.read(response.body, response.url)
        log_errors(kind.name, response.url, reading.errors)
        depth = response.meta.get(META_SOURCE_DEPTH, 0)
        for child_kind, url, lastmod in reading.sources:
            child = SOURCE_KINDS[child_kind]
            if self.in_scope(url):
                via = discovered_via(child.name, response.url, lastmod)
                level = depth + 1 if child is kind else 0
                yield from _present(self.source_request(child, url, via, level))
        yield from self.source_entries(response.url, reading.entries)

    def source_entries(
        self, source: str, entries: Iterable[tuple[str, str | None, str]]
    ) -> Iterator[Request | dict[str, Any]]:
        """Article requests for the ``(url, date, kind)`` entries of a sitemap or feed.

        In scope and recent enough only, and within the per-host URL budget
        (NEWSARCHIVE_SITEMAP_MAX_URLS counts the page URLs of sitemaps and feeds).
        """
        for url, date, kind in entries:
            if not (self.site_config.wants_page(url) and self.site_config.recent_enough(date)):
                continue
            host = host_of(url)
            refusal = self.source_budget.url_refusal(host)
            if refusal is not None:
                self.note_limit(host, refusal)
                return
            request = self.page_request(url, discovered_via(kind, source, date), 1, "article")
            if request is not None:
                self.source_budget.urls[host] += 1
                yield request

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
                self.site_config.scope.canonical_hosts,
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
        site = self.site_config
        if depth >= self.max_depth or not isinstance(response, TextResponse):
            return None
        links, feeds = site.sources["follow_links"], site.sources["discover_feeds"]
        if not (links or feeds):
            return None
        return Following(
            hosts=tuple(site.allowed_domains),  # host names; ports: wants_page() below
            links=links,
            feeds=feeds,
            max_links=self.max_links_per_page or None,  # 0: no limit
        )

    def follow_hub(
        self, response: Response, depth: int, links: list[str], feeds: list[str]
    ) -> Iterator[Request | dict[str, Any]]:
        """Feeds and links of a hub page, at most ``NEWSARCHIVE_MAX_LINKS_PER_PAGE`` of them."""
        for number, (url, kind) in enumerate(self._hub_targets(depth, links, feeds)):
            if self.max_links_per_page and number >= self.max_links_per_page:
                host = host_of(response.url)
                limit = f"{self.max_links_per_page} links (NEWSARCHIVE_MAX_LINKS_PER_PAGE)"
                self.note_limit(host, f"{response.url} names more than {limit}")
                return
            if kind == "feed":
                via = discovered_via(FEED.name, response.url)
                yield from _present(self.source_request(FEED, url, via))
            else:
                via = discovered_via("link", response.url)
                yield from _present(self.page_request(url, via, depth + 1, kind))

    def _hub_targets(
        self, depth: int, links: list[str], feeds: list[str]
    ) -> Iterator[tuple[str, str]]:
        """``(url, kind)`` of the in-scope feeds and wanted links the page step found."""
        for feed_url in feeds:
            if self.in_scope(feed_url):
                yield feed_url, "feed"
        for url in links:
            kind = classify_url(url)
            wanted = kind == ARTICLE or (kind == HUB and depth + 1 < self.max_depth)
            if wanted and self.site_config.wants_page(url):
                yield url, kind

    def on_failure(self, failure: Failure) -> Iterator[dict[str, Any]]:
        """Record a request that produced no response (robots.txt, refusal, network error)."""
        request: Request = failure.request  # type: ignore[attr-defined]
        if failure.check(AlreadyRequested):
            return  # a redirect to a URL this crawl fetches anyway: the hop is recorded
        if failure.check(StoppedBeforeFetch):
            return  # the crawl stopped before its turn: not fetched, left for the resume
        outcome, reason = outcome_of_failure(failure)
        log.log(
            logging.INFO if outcome != "failed" else logging.WARNING,
            "%s: %s (%s)",
            outcome,
            request.url,
            reason,
        )
        facts = self._capture_base(request.meta)
        via = request.meta.get(META_VIA)
        yield {
            "_capture": FetchFacts.unanswered(
                request.url, via, outcome=outcome, error=reason, **facts
            )
        }

    # ------------------------------------------------------------------ capture info

    def _capture_base(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The facts every item of this crawl has: WARC pointer, crawl id, spider, time."""
        return {
            "warc": WarcPointer.from_meta(meta.get(META_WARC)),
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
    ) -> FetchFacts:
        """The item's ``_capture``: fetch facts the provenance and outcome pipelines need."""
        meta = response.meta
        return FetchFacts.fetched(
            response.url,
            meta.get("redirect_urls") or [],
            meta.get(META_VIA),
            status=response.status,
            content_type=content_type_of(response),
            headers=validators_of(response),
            outcome=outcome,
            error=error,
            page_type=page_type,
            **self._capture_base(meta),
        )

    def source_outcome(self, response: Response, kind: str) -> dict[str, Any]:
        """robots.txt, sitemaps and feeds are pages too: recorded, never articles."""
        outcome = "http_error" if response.status >= 400 else "not_article"
        error = f"HTTP {response.status}" if response.status >= 400 else None
        return {"_capture": self.capture(response, outcome=outcome, error=error, page_type=kind)}
