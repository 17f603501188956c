"""Write articles as gzipped JSON Lines batches under ``OUT/articles/``, then the manifest.

The crash-safe batch writer (:class:`newsarchive.export.jsonl.JsonLinesBatchWriter`)
conforms every record to the schema (every key present, unknown keys dropped:
researchers' tools infer columns from the first rows) and writes each record as
its own flushed gzip member. When the crawl closes, ``manifest.json`` lists the
article batches, ``pages.jsonl`` and the WARC files with their sizes and digests.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsarchive.pipelines.pages import PAGES_FILENAME
from scrapy import signals
from scrapy.crawler import Crawler

from newsarchive.export.jsonl import JsonLinesBatchWriter
from newsarchive.export.manifest import write_manifest
from newsarchive.provenance import crawl_id_for

log = logging.getLogger(__name__)

ARTICLES_DIRNAME = "articles"
WARC_DIRNAME = "warc"
DEFAULT_BATCH_SIZE = 10_000
# Stats counters copied into the manifest's "counts".
MANIFEST_COUNTS = {
    "articles": "newsarchive/articles",
    "duplicates": "newsarchive/duplicates",
    "responses": "response_received_count",
}


class ArticleExportPipeline:
    """Append each article to the current batch; write the manifest when the crawl closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.out_dir = Path(crawler.settings.get("NEWSARCHIVE_OUTPUT_DIR"))
        self.batch_size = crawler.settings.getint(
            "NEWSARCHIVE_EXPORT_BATCH_SIZE", DEFAULT_BATCH_SIZE
        )
        self.writer: JsonLinesBatchWriter | None = None
        self.started_at: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleExportPipeline:
        pipeline = cls(crawler)
        # After close_spider: the WARC writer renames its ``.open`` file on spider_closed,
        # and its handler was connected first (extensions are built before pipelines).
        crawler.signals.connect(pipeline.write_manifest, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        prefix = f"articles-{crawl_id_for(self.crawler)}"
        self.writer = JsonLinesBatchWriter(self.out_dir / ARTICLES_DIRNAME, prefix, self.batch_size)

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def write_manifest(self) -> None:
        if self.writer is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts = {name: int(stats.get(key, 0)) for name, key in MANIFEST_COUNTS.items()}
        files: list[Any] = list(self.writer.files)
        pages = self.out_dir / PAGES_FILENAME
        if pages.exists():
            files.append(pages)
        warc_files = sorted((self.out_dir / WARC_DIRNAME).glob("*.warc.gz"))
        try:
            path = write_manifest(
                self.out_dir,
                crawl_id_for(self.crawler),
                counts=counts,
                files=files,
                warc_files=warc_files,
                started_at=self.started_at,
            )
            log.info("manifest written: %s", path)
        except OSError:
            log.exception("could not write the manifest in %s", self.out_dir)

    def process_item(self, item: Any) -> Any:
        if self.writer is None:
            raise RuntimeError("ArticleExportPipeline used before open_spider")
        self.writer.write(dict(item))
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsarchive/articles")
        return item
