"""Write articles as gzipped JSON Lines batches under ``OUT/articles/``.

Every record is conformed to the schema first (every key present, unknown keys
dropped: researchers' tools infer columns from the first rows). Each record is
its own gzip member, flushed at once, so a crash loses at most the record being
written and the file stays readable; a file being written ends in ``.open`` and
is renamed when its batch is full or the crawl closes.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import IO, Any

from scrapy.crawler import Crawler

from newsarchive import schema
from newsarchive.provenance import crawl_id_for

log = logging.getLogger(__name__)

ARTICLES_DIRNAME = "articles"
DEFAULT_BATCH_SIZE = 10_000


class GzipJsonlBatches:
    """``articles-CRAWLID-NNNNN.jsonl.gz`` files of at most ``batch_size`` records each."""

    def __init__(self, folder: Path, crawl_id: str, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.folder = folder
        self.crawl_id = crawl_id
        self.batch_size = batch_size
        self.serial = 0
        self.count_in_batch = 0
        self.file: IO[bytes] | None = None
        self.open_path: Path | None = None
        self.written: list[Path] = []

    def _next_path(self) -> Path:
        while True:
            self.serial += 1
            final = self.folder / f"articles-{self.crawl_id}-{self.serial:05d}.jsonl.gz"
            if not final.exists() and not Path(f"{final}.open").exists():
                return final

    def write(self, record: dict[str, Any]) -> None:
        if self.file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.open_path = Path(f"{self._next_path()}.open")
            self.file = self.open_path.open("xb")
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        self.file.write(gzip.compress(line, mtime=0))
        self.file.flush()
        self.count_in_batch += 1
        if self.count_in_batch >= self.batch_size:
            self.close()

    def close(self) -> None:
        if self.file is None or self.open_path is None:
            return
        self.file.close()
        final = self.open_path.with_suffix("")  # drop ".open"
        self.open_path.rename(final)
        self.written.append(final)
        self.file, self.open_path, self.count_in_batch = None, None, 0


class ArticleExportPipeline:
    """Conform each article to the schema and append it to the current batch file."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.folder = Path(crawler.settings.get("NEWSARCHIVE_OUTPUT_DIR")) / ARTICLES_DIRNAME
        self.batch_size = crawler.settings.getint(
            "NEWSARCHIVE_EXPORT_BATCH_SIZE", DEFAULT_BATCH_SIZE
        )
        self.writer: GzipJsonlBatches | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleExportPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.writer = GzipJsonlBatches(self.folder, crawl_id_for(self.crawler), self.batch_size)

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()
            log.info("articles written to %s", ", ".join(map(str, self.writer.written)) or "-")

    def process_item(self, item: Any) -> Any:
        if self.writer is None:
            raise RuntimeError("ArticleExportPipeline used before open_spider")
        self.writer.write(schema.conform(dict(item)))
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsarchive/articles")
        return item
