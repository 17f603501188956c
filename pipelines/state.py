"""Feed the plan's crawl state (``NEWSARCHIVE_STATE_PATH``): every fetch, every archived article.

The next run of the plan asks the same database (through the spider) which
article URLs are archived already and skips them, or re-fetches them with
``If-None-Match`` / ``If-Modified-Since`` when the plan says ``refetch =
"conditional"``. Without a state path (bare-URL crawls, the demo) nothing here
is active. The database is :class:`newsarchive.state.CrawlState` (SQLite, WAL,
batched transactions); it is opened once per crawler and closed when the spider
closes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from newsarchive.pipelines.pages import decide_outcome
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.distributed.state import open_crawl_state
from newsarchive.fetchfacts import CAPTURE_KEY, capture_of
from newsarchive.normalize import identifies_article
from newsarchive.state import CrawlState

log = logging.getLogger(__name__)

COMMIT_INTERVAL = 1.0  # seconds: an idle crawl must not hold its batch (and the lock) open
_NO_STATE = object()


def crawl_state_for(crawler: Crawler) -> CrawlState | None:
    """The crawl state of this crawler (opened on first use), or None when not configured."""
    cached = getattr(crawler, "_newsarchive_state", None)
    if cached is not None:
        return None if cached is _NO_STATE else cached
    # Only plan crawls keep state: SQLite at NEWSARCHIVE_STATE_PATH, or in worker mode the
    # plan's state in Redis, shared by every worker.
    state = (
        open_crawl_state(crawler.settings)
        if crawler.settings.get("NEWSARCHIVE_STATE_PATH")
        else None
    )
    if state is None:
        crawler._newsarchive_state = _NO_STATE  # type: ignore[attr-defined]
        return None
    crawler._newsarchive_state = state  # type: ignore[attr-defined]
    crawler.signals.connect(_closer(state), signal=signals.spider_closed, weak=False)
    log.info(
        "crawl state %s: %d archived articles",
        getattr(state, "path", None) or "redis",
        state.article_count(),
    )
    return state


def _closer(state: CrawlState) -> Any:
    def close_state() -> None:
        try:
            state.close()
        except OSError as error:  # the crawl has stopped on it already and said so
            log.error("crawl state %s not saved: %s", getattr(state, "path", ""), error.strerror)

    return close_state


def guarded(crawler: Crawler, state: Any, write: Callable[[], None]) -> None:
    """Run a crawl-state ``write``; a write error (a full disk) stops the crawl, once.

    The writes lost are those the next run's start recovers after a ``kill -9`` too:
    exported articles the state does not know are recorded from their batches then.
    """
    from newsarchive.crawlfolder import stop_on_write_error

    try:
        write()
    except OSError as error:
        stop_on_write_error(crawler, getattr(state, "path", None) or "crawl state", error)


# Item key: crawl-state writes that wait until the article is exported (applied by
# CrawlStateCommitPipeline after the export pipeline). Recorded earlier, a kill -9 between
# the state write and the export made the next run skip an article no file holds.
PENDING_KEY = "_state_pending"


def after_export(item: dict[str, Any], write: Callable[[], None]) -> None:
    """Run ``write`` once ``item`` has been exported (never, if it is dropped before)."""
    item.setdefault(PENDING_KEY, []).append(write)


class CrawlStatePipeline:
    """Record every page fetch (both URLs of a redirect) in the crawl state.

    An article whose text equals the archived one is marked ``not_modified``, so the
    pages pipeline records it and nothing exports it a second time.
    """

    def __init__(self, crawler: Crawler, state: CrawlState) -> None:
        self.crawler = crawler
        self.state = state
        self.min_probability = crawler.settings.getfloat("NEWSARCHIVE_MIN_ARTICLE_PROBABILITY")
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStatePipeline:
        state = crawl_state_for(crawler)
        if state is None:
            raise NotConfigured
        return cls(crawler, state)

    def open_spider(self) -> None:
        from twisted.internet.task import LoopingCall

        self.task = LoopingCall(guarded, self.crawler, self.state, self.state.maybe_commit)
        self.task.start(COMMIT_INTERVAL, now=False)

    def close_spider(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        guarded(self.crawler, self.state, self.state.commit)

    def process_item(self, item: Any) -> Any:
        capture = capture_of(item)
        if capture is None or capture.status is None:
            return item  # not fetched (refused, robots.txt, network error): nothing to remember
        outcome, _ = decide_outcome(item, self.min_probability)
        is_article = outcome == "article"
        if (
            is_article
            and item.get("article_id")
            and item.get("content_hash")
            and (self.state.content_hash(item["article_id"]) == item["content_hash"])
        ):
            # Same text as archived by an earlier run (reached again, e.g. through a redirect
            # or a conditional re-fetch answered 200): recorded, not exported again.
            capture = capture.decided("not_modified", "same text as the archived capture")
            item[CAPTURE_KEY] = capture
            is_article = False
        warc = capture.warc
        urls = {url for url in (capture.url, capture.requested_url) if url is not None}
        # A canonical URL on another site is the page's claim, not a fact: only the one its
        # article_id was derived from marks that URL as archived (canonical poisoning).
        canonical = item.get("canonical_url") if is_article and identifies_article(item) else None
        for url in sorted(urls):
            write = partial(
                self.state.record_fetch,
                url,
                canonical_url=canonical,
                article_id=item.get("article_id") if is_article else None,
                etag=capture.headers.get("etag"),
                last_modified=capture.headers.get("last-modified"),
                payload_digest=warc.content_digest if warc else None,
                content_hash=item.get("content_hash") if is_article else None,
                status=capture.status,
                warc_record_id=warc.warc_record_id if warc else None,
                fetched_at=capture.fetch_time,
            )
            if is_article:
                after_export(item, write)  # archived means exported: see PENDING_KEY
            else:
                guarded(self.crawler, self.state, write)
        return item


class CrawlStateCommitPipeline:
    """After the export: apply the crawl-state writes the article's earlier stages deferred."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStateCommitPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, dict):
            for write in item.pop(PENDING_KEY, ()):
                if self.crawler is None:
                    write()
                else:
                    guarded(self.crawler, crawl_state_for(self.crawler), write)
        return item
