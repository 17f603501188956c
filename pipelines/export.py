"""Write articles as gzipped JSON Lines batches under ``OUT/articles/``, then the manifest
and the crawl report.

The crash-safe batch writer (:class:`newsarchive.export.jsonl.JsonLinesBatchWriter`)
conforms every record to the schema (every key present, unknown keys dropped:
researchers' tools infer columns from the first rows) and writes each record as
its own gzip member, whole or not at all. When the crawl closes,
``manifest.json`` covers every part of the crawl folder (see
:func:`newsarchive.export.manifest.write_crawl_manifest`), with the plan the
crawl ran, and ``report.json``/``report.txt`` (:func:`newsarchive.report.report_crawl`)
follow it: every crawl run through Scrapy (``newsarchive crawl``, ``scrapy crawl``, a
scrapyd job) ends with its report, written here, where all of them pass. A plan run
turns this off (``NEWSARCHIVE_CRAWL_REPORT``): ``newsarchive crawl --plan`` writes the
report itself, compared with the site's previous run from the plan's state.
A write error (a full disk) stops the crawl: the finish reason is
``write_error``, the batch stays ``.open`` and the crawl state forgets the
articles that could not be written, so the next run fetches them again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.crawlfolder import (
    ARTICLES_DIRNAME,
    WRITE_ERROR_STAT,
    CrawlFolderError,
    batch_prefix,
    stop_on_write_error,
)
from newsarchive.export.jsonl import JsonLinesBatchWriter
from newsarchive.export.manifest import plan_record, write_crawl_manifest
from newsarchive.provenance import crawl_id_for

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10_000
# Stats counters copied into the manifest's counts of this run.
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
        self.plan: dict[str, Any] = {}
        # URLs of articles the crawl state holds as archived but no file does (write errors)
        self.unwritten: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleExportPipeline:
        pipeline = cls(crawler)
        # After close_spider: the WARC writer renames its ``.open`` file on spider_closed,
        # and its handler was connected first (extensions are built before pipelines).
        crawler.signals.connect(pipeline.finish_folder, signal=signals.spider_closed)
        return pipeline

    def finish_folder(self) -> None:
        """The manifest, then the crawl report (both read the finished batches)."""
        self.write_manifest()
        if self.writer is not None and self.crawler.settings.getbool(
            "NEWSARCHIVE_CRAWL_REPORT", True
        ):
            self.write_report()

    def write_report(self) -> None:
        """``report.json``/``report.txt``; a report that cannot be built is logged, never fatal:
        the crawl's own files are written."""
        from newsarchive.report import report_crawl

        try:
            report_crawl(self.out_dir, crawl_id=crawl_id_for(self.crawler))
        except Exception:
            log.exception("could not write the crawl report in %s", self.out_dir)

    def open_spider(self) -> None:
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        settings = self.crawler.settings
        # Read at the start: the manifest records the plan this run used, not a later edit.
        self.plan = plan_record(
            settings.get("NEWSARCHIVE_PLAN_FILE"), settings.get("NEWSARCHIVE_SITE_NAME")
        )
        prefix = batch_prefix(crawl_id_for(self.crawler))
        self.writer = JsonLinesBatchWriter(self.out_dir / ARTICLES_DIRNAME, prefix, self.batch_size)

    def close_spider(self) -> None:
        if self.writer is not None:
            self._leave_open_after_a_write_error()
            self.writer.close()
            self._mark_recorded()
        if self.unwritten:
            self._forget_unwritten()

    def _leave_open_after_a_write_error(self) -> None:
        """A crawl stopped because its output could not be written (the WARC file or its
        index on a full disk) leaves its open batch for the next start to finish, as when
        the batch's own write failed: which write meets the full disk first is chance."""
        from newsarchive.summary import crawl_failure

        error = crawl_failure(self.crawler.stats.get_stats() if self.crawler.stats else None)
        if error and self.writer is not None and self.writer.failed is None:
            self.writer.failed = OSError(error)

    def _mark_recorded(self) -> None:
        """Tell the crawl state that it holds every record of the batches this run finished.

        Every item reached the state's commit pipeline before the close, and the mark
        follows their writes, so the next run's start need not read these batches
        (:func:`newsarchive.statesync.reconcile_state`). A killed run marks nothing.
        """
        from newsarchive.pipelines.state import crawl_state_for, guarded

        from newsarchive.statesync import mark_recorded

        state = crawl_state_for(self.crawler)
        if state is not None and self.writer is not None:
            batches = [Path(f["path"]) for f in self.writer.files]
            guarded(self.crawler, state, lambda: mark_recorded(state, batches))

    def _forget_unwritten(self) -> None:
        from newsarchive.pipelines.state import crawl_state_for

        state = crawl_state_for(self.crawler)
        if state is not None and hasattr(state, "forget_missing"):
            try:
                forgotten = state.forget_missing(lambda url: url not in self.unwritten)
            except OSError as error:  # the state is on the full disk too
                log.error("crawl state: unwritten article URLs not forgotten: %s", error.strerror)
                return
            log.warning("crawl state: %d unwritten article URL(s) forgotten", len(forgotten))

    def write_manifest(self) -> None:
        if self.writer is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts = {name: int(stats.get(key, 0)) for name, key in MANIFEST_COUNTS.items()}
        written = {str(Path(f["path"]).resolve()): f["records"] for f in self.writer.files}
        try:
            path = write_crawl_manifest(
                self.out_dir,
                crawl_id_for(self.crawler),
                run_counts=counts,
                written=written,
                plan=self.plan,
                started_at=self.started_at,
                error=stats.get(WRITE_ERROR_STAT),
            )
            log.info("manifest written: %s", path)
        except CrawlFolderError as error:  # a manifest.json we did not write: left alone
            log.error("manifest not written: %s", error)
        except OSError as error:
            stop_on_write_error(self.crawler, self.out_dir / "manifest.json", error)

    def process_item(self, item: Any) -> Any:
        if self.writer is None:
            raise RuntimeError("ArticleExportPipeline used before open_spider")
        try:
            self.writer.write(dict(item))
        except OSError as error:
            message = stop_on_write_error(self.crawler, self.writer.directory, error)
            urls = {item.get("url"), item.get("requested_url")}
            self.unwritten.update(url for url in urls if url)
            # logged once as an error by stop_on_write_error; no item dump per article
            raise DropItem(f"article not written: {message}", log_level="DEBUG") from None
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsarchive/articles")
        return item
