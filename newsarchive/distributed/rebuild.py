"""Rebuild the article records a killed worker archived but never exported.

A worker archives each response when it is downloaded (WARC records written
before the response moves on) and its in-flight entry in Redis is released
then; extraction and export follow later, after the pages ahead of it in the
extraction pool and the pipelines. A worker killed with ``kill -9`` therefore
takes with it the records of every archived page still waiting there (hundreds
on a fast site), while nobody fetches those pages again. The WARC has their
bytes: ``crawl-finish`` re-extracts the killed worker's WARC files with
:func:`newsarchive.warc.reread.reextract` (the crawl's extraction, article
filter and same-text rule) and writes each record whose article text
(``article_id`` + ``content_hash``) no worker of the crawl exported into the
worker's own ``articles/`` folder as ``articles-CRAWLID-recovered-NNNNN.jsonl.gz``.

With the plan's crawl state (Redis), a text an earlier run exported is not
exported again (the crawl's dedupe rule), a changed one continues its versions,
and each rebuilt record is recorded in the state as the crawl's pipelines would
have (fetch, article, exported version), so the next run neither skips nor
repeats it. So is each article the killed worker exported itself but died before
recording (the state's writes follow the export): :mod:`newsarchive.statesync`,
which a single-process plan run uses at its start for the same window.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RECOVERED_TAG = "recovered"  # in the batch name: articles-CRAWLID-recovered-NNNNN.jsonl.gz


@dataclass
class Rebuilt:
    """What re-extracting one killed worker's WARC files gave."""

    worker: str
    records: int  # rebuilt and written
    already_exported: int  # articles of its WARC some worker had exported
    earlier_runs: int  # same text exported by an earlier run of the plan
    # exported by the worker, killed before its state pipeline recorded them
    noted_in_state: int = 0


def exported_texts(folders: Iterable[Path]) -> set[tuple[str | None, str | None]]:
    """(article_id, content_hash) of every record in the folders' finished article batches."""
    from newsarchive.crawlfolder import CrawlFolder
    from newsarchive.summary import read_jsonl

    return {
        (record.get("article_id"), record.get("content_hash"))
        for folder in folders
        for path in CrawlFolder(folder).article_batches()
        for record in read_jsonl(path)
    }


def exported_before(state: Any, record: dict[str, Any]) -> dict[str, Any] | None:
    """``record`` versioned after the plan's last exported version; None for the same text.

    An exported version with this record's own capture id was noted by the killed
    worker's dedupe pipeline just before it died: the record keeps that version.
    """
    from newsarchive.export.versions import ExportedVersion, VersionIndex

    article_id = record.get("article_id")
    earlier = state.exported_version(article_id) if article_id else None
    if earlier is None:
        return record
    last = ExportedVersion(*earlier)
    if last.capture_id == record.get("capture_id"):
        return {**record, "article_version": last.version}
    index = VersionIndex()
    index.last[article_id] = last
    return index.admit(record)[1]


def revisited_files(warcs: list[Path], index: Any) -> list[Path]:
    """Other WARC files holding the originals of the revisits in ``warcs`` (via the digest index).

    Workers share one digest index, so a killed worker's revisit may refer to a
    capture in another worker's (or an earlier run's) file; ``reextract`` finds a
    revisit's payload among the records it has read, so those files go first.
    """
    from warcio.archiveiterator import ArchiveIterator

    own = {path.resolve() for path in warcs}
    found: set[Path] = set()
    for path in warcs:
        try:
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type != "revisit":
                        continue
                    digest = record.rec_headers.get_header("WARC-Payload-Digest")
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    entry = index.lookup(digest, uri) if digest else None
                    if entry is not None:
                        found.add((path.parent / entry.filename).resolve())
        except Exception as exc:  # warcio raises many types on damaged data
            log.warning("%s: revisits read up to damaged data (%s)", path, exc)
    return sorted(p for p in found - own if p.exists())


def rebuild_worker(
    folder: Path,
    crawl_id: str,
    exported: set[tuple[str | None, str | None]],
    *,
    state: Any = None,
    index: Any = None,
    min_probability: float | None = None,
) -> Rebuilt:
    """Write the records of ``folder``'s WARC files that are not in ``exported`` (updated).

    ``index`` is the crawl's payload-digest index, seen from ``folder/warc``: the files
    it names as originals of this worker's revisits are read first (their articles
    pass the same checks, so an article exported anywhere is not written again).
    """
    from newsarchive import settings
    from newsarchive.crawlfolder import ARTICLES_DIRNAME, CrawlFolder, batch_prefix
    from newsarchive.export.jsonl import JsonLinesBatchWriter
    from newsarchive.statesync import note_in_state, note_unrecorded_exports
    from newsarchive.warc.reread import reextract

    threshold = (
        settings.NEWSARCHIVE_MIN_ARTICLE_PROBABILITY if min_probability is None else min_probability
    )
    result = Rebuilt(folder.name, 0, 0, 0)
    if state is not None:
        # exported by the worker, killed before its state commit (one rule with plan runs)
        result.noted_in_state = note_unrecorded_exports(
            state, CrawlFolder(folder).article_batches()
        )
    warcs = CrawlFolder(folder).warc_files()
    if index is not None:
        warcs = [*revisited_files(warcs, index), *warcs]
    writer: JsonLinesBatchWriter | None = None
    try:
        for record in reextract(warcs, min_probability=threshold):
            key = (record.get("article_id"), record.get("content_hash"))
            if key in exported:
                result.already_exported += 1
                continue
            admitted = exported_before(state, record) if state is not None else record
            if admitted is None:
                result.earlier_runs += 1
                continue
            if writer is None:
                writer = JsonLinesBatchWriter(
                    folder / ARTICLES_DIRNAME, f"{batch_prefix(crawl_id)}-{RECOVERED_TAG}", 10_000
                )
            writer.write(admitted)
            exported.add(key)
            result.records += 1
            if state is not None:
                note_in_state(state, admitted)
    finally:
        if writer is not None:
            writer.close()
    if result.records:
        log.warning(
            "%s: %d article records rebuilt from its WARC files (archived, never exported)",
            folder.name,
            result.records,
        )
    return result
