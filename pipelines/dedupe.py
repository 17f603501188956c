"""Export an article once per crawl even when several URLs lead to it.

The same article is often reachable under several URLs (tracking parameters,
section paths, an AMP copy): its canonical ``article_id`` and ``content_hash``
are the same, so the second copy adds nothing. A changed text (new hash) is a
new version and is kept. Every fetch is still in ``pages.jsonl`` and the WARC.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

log = logging.getLogger(__name__)


class DedupePipeline:
    """Drop an article whose (article_id, content_hash) was already exported in this crawl."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.stats = crawler.stats if crawler else None
        self.seen: set[tuple[str, str | None]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or not item.get("article_id"):
            return item
        key = (item["article_id"], item.get("content_hash"))
        if key in self.seen:
            if self.stats is not None:
                self.stats.inc_value("newsarchive/duplicates")
            log.info("duplicate article %s at %s", item["article_id"], item.get("url"))
            raise DropItem(f"duplicate article {item['article_id']}", log_level="INFO")
        self.seen.add(key)
        return item
