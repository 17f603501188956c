"""The plan's crawl state agrees with its output files, whatever stopped a crawl.

A crawl writes an article's record (export pipeline, order 800) before the crawl
state records it (``CrawlStateCommitPipeline``, 850), and the state's writes reach
SQLite in batches up to a second later. A ``kill -9`` in between leaves an article
on file that the state does not know; the next run would fetch it again and export
the same text twice. The other way round, files deleted after a crawl leave the
state claiming articles no file holds. :func:`reconcile_state` mends both before
a plan run, and ``crawl-finish`` records a killed worker's unrecorded exports with
the same :func:`note_unrecorded_exports`.

Cheap on every start: the state keeps which article batches it has fully recorded
(path and size; a finished batch never changes). A crawl that closes cleanly marks
the batches it wrote, and a start reads only the batches not marked: those of a
killed crawl (once), and the one still open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.crawlfolder import (
    OPEN_SUFFIX,
    CrawlFolder,
    archived_urls,
    find_crawl_folders,
    plan_site_of,
)
from newsarchive.normalize import identifies_article

log = logging.getLogger(__name__)


@dataclass
class Reconciled:
    """What :func:`reconcile_state` did."""

    warc_recovered: int = 0  # unfinished WARC files of killed crawls finished
    batches_read: int = 0  # article batches the state had not fully recorded
    noted: int = 0  # exported articles recorded in the state now
    forgotten: list[str] = field(default_factory=list)  # archived URLs no file holds


def note_in_state(state: Any, record: dict[str, Any]) -> None:
    """Record an exported article as the crawl's state and dedupe pipelines would have.

    Both URLs of a redirect (the spider asks about the one it requests); the
    canonical URL only when it gave the ``article_id`` (canonical poisoning).
    """
    provenance = record.get("provenance") or {}
    canonical = record.get("canonical_url") if identifies_article(record) else None
    urls = {url for url in (record.get("url"), record.get("requested_url")) if url}
    for url in sorted(urls):
        state.record_fetch(
            url,
            canonical_url=canonical,
            article_id=record.get("article_id"),
            payload_digest=provenance.get("content_digest"),
            content_hash=record.get("content_hash"),
            status=provenance.get("fetch_status") or 200,
            warc_record_id=provenance.get("warc_record_id"),
            fetched_at=provenance.get("fetched_at"),
        )
    if record.get("article_id"):
        state.record_version(
            record["article_id"],
            record.get("content_hash"),
            record.get("capture_id"),
            record.get("article_version") or 1,
        )


def note_unrecorded_exports(
    state: Any, batches: Iterable[Path], keep: Callable[[dict[str, Any]], bool] | None = None
) -> int:
    """Record in the state each article of ``batches`` it does not know (in that version).

    ``keep`` leaves out records it refuses. Returns how many were recorded.
    """
    from newsarchive.summary import read_jsonl

    noted = 0
    for path in batches:
        for record in read_jsonl(path):
            article_id = record.get("article_id")
            if not article_id or (keep is not None and not keep(record)):
                continue
            known = state.exported_version(article_id)
            if known is None or known[2] < (record.get("article_version") or 1):
                note_in_state(state, record)
                noted += 1
    return noted


def batch_key(path: Path) -> str:
    """How the state names a batch: its absolute path (a moved folder is read once more)."""
    return str(path.resolve())


def size_of(path: Path) -> int | None:
    """The file's size; None when it is gone (a live crawl renamed its open batch)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def mark_recorded(state: Any, batches: Iterable[Path]) -> None:
    """Mark finished ``batches`` as fully recorded in ``state`` (a store that keeps marks)."""
    mark = getattr(state, "mark_batch", None)
    if mark is None:
        return
    for path in batches:
        size = size_of(path)
        if size is not None and not path.name.endswith(OPEN_SUFFIX):
            mark(batch_key(path), size)


def finish_killed_crawl(path: Path, plan_file: str | Path | None = None) -> list[str]:
    """Finish the crawl folder a killed crawl left, as its resume would; one line per change.

    Its ``.open`` WARC files (and ``index.cdxj``) and article batches are cut after
    their last whole record and renamed; a file a live crawl holds (its writer's
    ``flock``) is left alone. When this finished something and nothing ``.open`` is
    left, the manifest is (re)written (no part of its own: the killed run wrote none;
    an earlier manifest's parts are kept: a resume killed again has one that does not
    list the files finished now), so ``load`` and ``export`` check the folder as any other.
    ``plan_file`` (a plan's next run passes its plan) is recorded in that manifest as
    the pipeline records it, so the folder's revisits find the plan's digest index.
    A scheduled plan never resumes a killed run: without this its articles, recorded
    in the crawl state and never fetched again, would stay out of every export.
    """
    from newsarchive.export.jsonl import recover as recover_batches
    from newsarchive.export.manifest import batch_crawl_id, plan_record, write_crawl_manifest
    from newsarchive.warc.recover import recover_folder

    folder = CrawlFolder(Path(path))
    warcs = recover_folder(folder.path) if folder.unfinished_warc_files() else []
    batches = recover_batches(folder.articles_dir) if folder.unfinished_batches() else []
    lines = [f"finished  {batch}" for batch in batches]
    finished = batches or [result for result in warcs if not result.skipped]
    if finished and not folder.unfinished_files():
        names = [batch_crawl_id(batch) for batch in folder.article_batches()]
        crawl_id = next((name for name in names if name), folder.path.name)
        plan = plan_record(plan_file, plan_site_of(folder.path))
        written = write_crawl_manifest(folder.path, crawl_id, run_counts=None, plan=plan)
        lines.append(f"written  {written}")
    for line in lines:  # recover_folder has logged the WARC files' lines
        log.warning("killed crawl: %s", line)
    return [result.line() for result in warcs] + lines


def finish_killed_crawls(
    folders: Iterable[CrawlFolder], plan_file: str | Path | None = None
) -> tuple[int, set[Path]]:
    """Finish the folders killed crawls left: ``.open`` files, then the manifest.

    Their ``index.cdxj`` then lists every record they kept, so the state is compared
    with what the files hold, and their article batches reach every export (a plan's
    next run has a crawl id of its own: nobody resumes the killed one). A live crawl's
    files are left alone (their writers' locks). Returns (WARC files finished, folders
    a live crawl writes).
    """
    finished, live = 0, set()
    for folder in folders:
        if not folder.unfinished_files():
            continue
        lines = finish_killed_crawl(folder.path, plan_file)
        finished += sum(line.startswith(("recovered", "removed")) for line in lines)
        if folder.unfinished_files():
            live.add(folder.path)
    return finished, live


def reconcile_state(
    state: Any, root: str | Path, *, forget: bool = True, plan_file: str | Path | None = None
) -> Reconciled:
    """Make the crawl state agree with the crawl folders under ``root`` (a plan's output).

    1. Killed crawls' unfinished WARC files and article batches are finished (their
       index completed, their manifest written).
    2. Articles exported but unknown to the state (a kill between the export and the
       state's commit) are recorded, read from the batches not marked as recorded;
       those batches are marked then (not a live crawl's: it may still add records).
    3. Archived articles whose WARC records are gone (a deleted crawl folder or WARC
       file) are forgotten, so the next run fetches them again.

    ``plan_file`` is the plan whose runs these are: a killed run's manifest records it
    as a finished run's does. ``forget=False`` skips step 3, for a ``root`` that is not
    all the state describes (a crawl of URLs into one folder, its state given with
    ``NEWSARCHIVE_STATE_PATH``).
    A state without marks (the Redis state of workers) is left alone: a worker's plan
    run calls :func:`newsarchive.distributed.nextrun.reconcile_worker_state` instead.
    """
    result = Reconciled()
    forget_missing: Callable[[Callable[[str], bool]], list[str]] | None = getattr(
        state, "forget_missing", None
    )
    if forget_missing is None or not hasattr(state, "recorded_batches"):
        return result
    folders = find_crawl_folders(root) if Path(root).is_dir() else []
    result.warc_recovered, live = finish_killed_crawls(folders, plan_file)
    present = set(archived_urls(root)) if folders else set()
    marked = state.recorded_batches()
    for folder in folders:
        unread = [
            path
            for path in folder.article_batches() + folder.unfinished_batches()
            if (size := size_of(path)) is not None and marked.get(batch_key(path)) != size
        ]
        if not unread:
            continue
        result.batches_read += len(unread)
        result.noted += note_unrecorded_exports(
            state, unread, keep=lambda record: record.get("url") in present
        )
        if folder.path not in live:
            mark_recorded(state, unread)
    state.commit()
    if result.noted:
        log.warning(
            "crawl state: %d exported article(s) were not recorded (a crawl was killed "
            "before its state was saved): recorded now, so they are not exported again",
            result.noted,
        )
    if not forget:
        return result
    result.forgotten = forget_gone(state, root, present)
    return result


def forget_gone(
    state: Any, root: str | Path, present: set[str] | None = None, **options: Any
) -> list[str]:
    """Step 3 of :func:`reconcile_state`: forget archived articles no WARC file under
    ``root`` holds any more (``present``: their URLs, read after the state when None,
    so that a live worker's capture recorded before the read is in its index already).
    ``options`` go to the state's ``forget_missing``. Returns the forgotten URLs."""
    found: list[set[str]] = [present] if present is not None else []

    def holds(url: str) -> bool:
        if not found:
            found.append(set(archived_urls(root)) if Path(root).is_dir() else set())
        return url in found[0]

    forgotten: list[str] = state.forget_missing(holds, **options)
    if forgotten:
        log.warning(
            "crawl state: %d archived article URL(s) are no longer in any WARC file under %s; "
            "they will be fetched again",
            len(forgotten),
            root,
        )
    return forgotten
