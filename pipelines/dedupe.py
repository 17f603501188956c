"""Export each article text once per crawl; a changed text as its next version.

The same article is often reached under several URLs (feed, sitemap, section
page, tracking parameters): same ``article_id`` and ``content_hash``, so the
second copy adds nothing and is dropped (it stays in the WARC and
``pages.jsonl``). A changed text is kept as the next ``article_version`` with
``previous_capture_id`` set. The decision is :class:`newsarchive.export.versions.VersionIndex`,
seeded with the articles already in the output folder when a crawl resumes there, and,
in a plan crawl, with the versions earlier runs exported (kept in the crawl state), so
a text changed since the last run is linked to the capture it replaces.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from newsarchive.pipelines.state import after_export, crawl_state_for
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.crawlfolder import CrawlFolder
from newsarchive.export.versions import ExportedVersion, Outcome, VersionIndex
from newsarchive.summary import read_jsonl

log = logging.getLogger(__name__)


class DedupePipeline:
    """Drop an article whose (article_id, content_hash) was already exported in this crawl."""

    def __init__(self, crawler: Crawler | None = None, index: VersionIndex | None = None) -> None:
        self.stats = crawler.stats if crawler else None
        self.index = index or VersionIndex()
        self.out_dir: Path | None = None
        self.state = crawl_state_for(crawler) if crawler else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        pipeline = cls(crawler)
        pipeline.out_dir = Path(crawler.settings.get("NEWSARCHIVE_OUTPUT_DIR") or ".")
        return pipeline

    def open_spider(self) -> None:
        """A resumed crawl (same output folder) knows what it exported before it stopped."""
        if self.out_dir is None:
            return
        earlier = 0
        for path in CrawlFolder(self.out_dir).batches_here():
            for record in read_jsonl(path):  # one at a time: the batches may hold GBs of text
                self.index.remember(record)
                earlier += 1
        if earlier:
            log.info("%d articles already exported in %s", earlier, self.out_dir)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        article_id = item.get("article_id")
        if self.state is not None and article_id and article_id not in self.index.last:
            earlier = self.state.exported_version(article_id)
            if earlier is not None:
                self.index.last[article_id] = ExportedVersion(*earlier)
        outcome, admitted = self.index.admit(item)
        if admitted is None:
            if self.stats is not None:
                self.stats.inc_value("newsarchive/duplicates")
            log.info(
                "same text as an exported capture: %s (%s)", item.get("url"), item.get("article_id")
            )
            raise DropItem(f"duplicate article {item.get('article_id')}", log_level="INFO")
        if outcome is Outcome.CHANGED and self.stats is not None:
            self.stats.inc_value("newsarchive/new_versions")
        if self.state is not None and article_id and outcome is not Outcome.UNVERSIONED:
            after_export(  # the version counts once its record is in a file
                admitted,
                partial(
                    self.state.record_version,
                    article_id,
                    admitted.get("content_hash"),
                    admitted.get("capture_id"),
                    admitted["article_version"],
                ),
            )
        return admitted
