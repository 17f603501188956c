"""Record the outcome of every fetched (or refused) page in ``OUT/pages.jsonl``.

Archivists need to know what happened to each URL, not only which articles came
out: a redirect, a 404, a robots.txt denial or a page that was no article are
facts about the crawl. This pipeline writes one line per page, flushed at once so a crash
loses nothing, then lets only articles continue to the export pipelines.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, BinaryIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response

from newsarchive.crawlfolder import PAGES_NAME, append_whole, stop_on_write_error
from newsarchive.fetchfacts import (
    CAPTURE_KEY,
    META_REFRESH_FOLLOWED,
    FetchFacts,
    WarcPointer,
    capture_of,
    redirect_target,
)
from newsarchive.pagestep import ARTICLE_PAGE_TYPES, decide_outcome
from newsarchive.provenance import crawl_id_for

__all__ = ["ARTICLE_PAGE_TYPES", "OUTCOMES", "PageOutcomePipeline", "decide_outcome", "page_line"]

log = logging.getLogger(__name__)

PAGES_FILENAME = PAGES_NAME
OUTCOMES = (
    "article",
    "not_article",
    "not_modified",
    "redirect",
    "http_error",
    "blocked",
    "robots_denied",
    "refused",
    "failed",
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def page_line(item: dict[str, Any], outcome: str, reason: str | None) -> dict[str, Any]:
    """The ``pages.jsonl`` record of one item (its fetch facts, extraction and verdict)."""
    capture = item[CAPTURE_KEY]
    extraction = item.get("extraction") or {}
    warc = capture.warc
    return {
        "url": capture.url or capture.requested_url,
        "requested_url": capture.requested_url,
        "status": capture.status,
        "content_type": capture.content_type,
        "page_type": extraction.get("page_type") or capture.page_type,
        "probability": extraction.get("probability"),
        "outcome": outcome,
        "reason": reason,
        "article_id": item.get("article_id"),
        "discovered_via": capture.discovered_via,
        "fetched_at": capture.fetch_time,
        "warc_filename": warc.warc_filename if warc else None,
        "warc_record_offset": warc.warc_record_offset if warc else None,
        "crawl_id": capture.crawl_id,
    }


class PageOutcomePipeline:
    """Write every page's outcome; pass articles on, drop everything else."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.path = Path(settings.get("NEWSARCHIVE_OUTPUT_DIR")) / PAGES_FILENAME
        self.min_probability = settings.getfloat("NEWSARCHIVE_MIN_ARTICLE_PROBABILITY")
        self.stats = crawler.stats
        self.crawler = crawler
        self.file: BinaryIO | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageOutcomePipeline:
        pipeline = cls(crawler)
        # Redirect hops never reach the spider (RedirectMiddleware turns them into new
        # requests), but they were fetched and archived: record them from the signal.
        crawler.signals.connect(pipeline.response_downloaded, signal=signals.response_downloaded)
        # A meta refresh followed is a redirect hop too (a 200 page Scrapy replaces).
        crawler.signals.connect(pipeline.meta_refresh_followed, signal=META_REFRESH_FOLLOWED)
        return pipeline

    def response_downloaded(self, response: Response, request: Request) -> None:
        location = response.headers.get(b"Location")
        if (
            response.status not in REDIRECT_STATUSES
            or not location
            or request.meta.get("dont_redirect")
            or self.file is None
        ):
            return
        text = location.decode("latin-1")
        target = redirect_target(response.url, text) or f"{text!r} (not a URL)"
        self.record_hop(response, request, f"HTTP {response.status} -> {target}")

    def meta_refresh_followed(self, request: Request, response: Response, target: str) -> None:
        if self.file is not None:
            self.record_hop(response, request, f"meta refresh -> {target}")

    def record_hop(self, response: Response, request: Request, reason: str) -> None:
        """One ``redirect`` line for a hop the spider never sees."""
        redirects = request.meta.get("redirect_urls") or []
        content_type = response.headers.get(b"Content-Type")
        capture = FetchFacts(
            url=response.url,
            requested_url=redirects[0] if redirects else response.url,
            status=response.status,
            content_type=content_type.decode("latin-1") if content_type else None,
            discovered_via=request.meta.get("newsarchive_via"),
            warc=WarcPointer.from_meta(request.meta.get("newsarchive_warc")),
            crawl_id=crawl_id_for(self.crawler),
        )
        self.record({CAPTURE_KEY: capture}, "redirect", reason)

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Unbuffered: each line reaches the OS whole (a crash loses nothing) or not at all.
        self.file = self.path.open("ab", buffering=0)

    def close_spider(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def process_item(self, item: Any) -> Any:
        capture = capture_of(item)
        if capture is None:
            return item  # not from our spider: leave it to later pipelines
        outcome, reason = decide_outcome(item, self.min_probability)
        self.record(item, outcome, reason)
        if outcome != "article":
            raise DropItem(f"{outcome}: {capture.url}", log_level="DEBUG")
        return item

    def record(self, item: dict[str, Any], outcome: str, reason: str | None) -> None:
        self.write(page_line(item, outcome, reason))
        if self.stats is not None:
            self.stats.inc_value(f"newsarchive/pages/{outcome}")

    def write(self, line: dict[str, Any]) -> None:
        """Append one line; a write error stops the crawl, the file keeps only whole lines."""
        if self.file is None:
            raise RuntimeError("PageOutcomePipeline used before open_spider")
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            append_whole(self.file, data)
        except OSError as error:
            stop_on_write_error(self.crawler, self.path, error)
