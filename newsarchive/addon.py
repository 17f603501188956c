"""A Scrapy add-on that brings newsarchive's WARC capture and article extraction to any project.

Enable it in an existing Scrapy project's settings::

    ADDONS = {"newsarchive.addon.NewsArchive": 100}
    NEWSARCHIVE_OUTPUT_DIR = "archive"      # where the WARC files go (default output/crawl)

Every fetch is then archived as WARC (the same :class:`~newsarchive.warc.capture.WarcCapture`
extension the ``news`` spider uses), and for every HTML page the project's spiders parse
that is an article, one more item leaves the spider beside the spider's own: newsarchive's
article record (schema in ``docs/schema.md``) with its provenance pointing at the archived
bytes. The project's spiders, items and pipelines stay as they are; the add-on's settings
sit at Scrapy's ``addon`` priority, so the project's own settings win.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)

CAPTURE = "newsarchive.warc.capture.WarcCapture"
POINTER_MIDDLEWARE = "newsarchive.warc.capture.WarcPointerMiddleware"
ARTICLE_MIDDLEWARE = "newsarchive.addon.ArticleRecords"
ITEM_TYPE_FIELD = "_newsarchive"  # marks the add-on's items: {"_newsarchive": "article", ...}


class NewsArchive:
    """The add-on: WARC capture of every fetch plus article records from parsed pages."""

    def update_settings(self, settings: BaseSettings) -> None:
        from newsarchive import settings as defaults

        for name in dir(defaults):
            if name.startswith("NEWSARCHIVE_"):
                settings.set(name, getattr(defaults, name), priority="addon")
        settings.set_in_component_priority_dict("EXTENSIONS", CAPTURE, 100)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", POINTER_MIDDLEWARE, 10)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", ARTICLE_MIDDLEWARE, 950)


class ArticleRecords:
    """Spider middleware: after a parsed page's own output, its article record (if any).

    The page runs through the crawl's page step (block check, extraction, limits) in
    its extraction workers (``NEWSARCHIVE_EXTRACT_WORKERS``), as in the ``news`` spider;
    the article rule (page type and ``NEWSARCHIVE_MIN_ARTICLE_PROBABILITY``) and the
    provenance are the pipelines' own, so a page gets the same verdict in both.
    """

    def __init__(self, crawler: Crawler) -> None:
        from newsarchive.pagestep import ExtractionLimits
        from newsarchive.spiders.extraction import WORKERS_SETTING, ExtractionPool, worker_count

        self.crawler = crawler
        settings = crawler.settings
        self.min_probability = settings.getfloat("NEWSARCHIVE_MIN_ARTICLE_PROBABILITY")
        self.extraction = ExtractionPool(
            worker_count(settings.get(WORKERS_SETTING)), ExtractionLimits.from_settings(settings)
        )
        crawler.signals.connect(self.extraction.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleRecords:
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield item
        record = await self.article(response)
        if record is not None:
            yield record

    async def article(self, response: Response) -> dict[str, Any] | None:
        """The page's article record with provenance, or None (not HTML, not an article)."""
        from newsarchive.fetchfacts import CAPTURE_KEY, FetchFacts, WarcPointer
        from newsarchive.pagestep import decide_outcome, with_provenance
        from newsarchive.provenance import crawl_id_for
        from newsarchive.spiders.news import content_type_of, decoded_headers

        if response.status != 200 or not isinstance(response, TextResponse):
            return None
        content_type = content_type_of(response)
        if content_type and "html" not in content_type:
            return None
        try:
            outcome = await self.extraction.process(
                response.body, response.url, decoded_headers(response), response.status
            )
        except Exception as error:  # one bad page (a limit, a crash) must not stop the crawl
            log.warning("newsarchive: extraction failed for %s: %s", response.url, error)
            return None
        record = outcome.record
        if record is None or outcome.outcome is not None:  # blocked, failed: no article
            return None
        capture = FetchFacts(
            url=response.url,
            status=response.status,
            content_type=content_type,
            warc=WarcPointer.from_meta(response.meta.get("newsarchive_warc")),
        )
        outcome, _ = decide_outcome({**record, CAPTURE_KEY: capture}, self.min_probability)
        if outcome != "article":
            return None
        with_provenance(record, capture, crawl_id_for(self.crawler), self._spider_name())
        record[ITEM_TYPE_FIELD] = "article"
        return record

    def _spider_name(self) -> str | None:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "name", None)
