"""Turn the spider's fetch facts (``_capture``) into the record's ``provenance`` and ``capture_id``.

Provenance is added after extraction (never inside the extractor, which stays
pure) by :func:`newsarchive.provenance.build_provenance`, the same function
re-extraction from WARC files uses (through :func:`newsarchive.pagestep.with_provenance`).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from newsarchive.fetchfacts import CAPTURE_KEY, capture_of
from newsarchive.pagestep import with_provenance
from newsarchive.provenance import crawl_id_for


class ProvenancePipeline:
    """Fill ``provenance``, ``capture_id`` and ``requested_url``; remove ``_capture``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProvenancePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        capture = capture_of(item)
        if capture is None:
            return item
        del item[CAPTURE_KEY]  # the pipelines' own: never exported
        spider = self.crawler.spider.name if self.crawler.spider else None
        return with_provenance(item, capture, crawl_id_for(self.crawler), spider)
