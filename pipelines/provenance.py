"""Turn the spider's ``_capture`` block into the record's ``provenance`` and ``capture_id``.

Provenance is added after extraction (never inside the extractor, which stays
pure) by :func:`newsarchive.provenance.build_provenance`, the same function
re-extraction from WARC files uses.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from newsarchive.provenance import build_provenance, capture_id_for, crawl_id_for


class ProvenancePipeline:
    """Fill ``provenance``, ``capture_id`` and ``requested_url``; remove ``_capture``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProvenancePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "_capture" not in item:
            return item
        capture = item.pop("_capture") or {}
        spider = self.crawler.spider.name if self.crawler.spider else None
        provenance = build_provenance(capture, crawl_id=crawl_id_for(self.crawler), spider=spider)
        item["provenance"] = provenance
        item["capture_id"] = capture_id_for(
            capture.get("warc"), capture.get("url"), provenance["fetched_at"]
        )
        item["requested_url"] = capture.get("requested_url") or item.get("requested_url")
        item["url"] = item.get("url") or capture.get("url")
        return item
