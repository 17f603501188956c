"""One CDXJ index, manifest and report over the files of every worker of a crawl.

Workers write ``OUT/workers/HOST-pPID/`` each (see :mod:`.worker`); their
folders are on one shared file system or copied together before merging. The
merge reads only files: it rebuilds ``OUT/index.cdxj`` from the WARC files
themselves with the WARC indexer (:func:`newsarchive.warc.cdxj.entries_from_warc`),
with each ``filename`` relative to ``OUT`` so replay tools pointed at ``OUT``
find every file, and writes ``OUT/manifest.json`` listing every worker's
article batches, ``pages.jsonl`` and WARC files, with counts summed over the
workers' own manifests, and ``OUT/report.json``/``report.txt``: the crawl report
(:mod:`newsarchive.report`) over every worker's pages and articles. Running it
again gives the same result.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.crawlfolder import INDEX_NAME, CrawlFolder
from newsarchive.crawlfolder import MANIFEST_NAME as WORKER_MANIFEST
from newsarchive.distributed.worker import WORKERS_DIRNAME

log = logging.getLogger(__name__)


@dataclass
class WorkerFiles:
    """What one worker folder holds."""

    name: str
    folder: Path
    manifest: dict[str, Any] | None
    article_files: list[Path] = field(default_factory=list)
    warc_files: list[Path] = field(default_factory=list)
    pages: Path | None = None
    unfinished: list[Path] = field(default_factory=list)  # .open files a crash left


@dataclass
class MergeResult:
    """Paths written and what went into them."""

    index: Path
    manifest: Path
    index_lines: int
    report: Path
    workers: list[str]
    counts: dict[str, int]
    warnings: list[str]
    rebuilt: list[dict[str, Any]] = field(default_factory=list)  # per killed worker


def read_worker_manifest(
    folder: Path, warnings: list[str], finished: bool = False
) -> dict[str, Any] | None:
    """The worker's own manifest; None (with a warning) when it wrote none.

    ``finished``: the worker is dead and its open files were finished just now.
    """
    path = folder / WORKER_MANIFEST
    if not path.exists():
        warnings.append(
            f"{folder.name}: killed (no manifest.json): its files are finished and its "
            "articles counted from its batches"
            if finished
            else f"{folder.name}: no manifest.json (worker still running or killed)"
        )
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        warnings.append(f"{folder.name}: unreadable manifest.json ({exc})")
        return None


def worker_folders(
    out_dir: Path, warnings: list[str], finished: Collection[Path] = ()
) -> list[WorkerFiles]:
    """Every worker folder under ``OUT/workers`` with its files, sorted by name.

    A worker folder is a crawl folder: :class:`CrawlFolder` says which files it holds.
    ``finished``: folders of dead workers whose files were finished (by the merge).
    """
    root = out_dir / WORKERS_DIRNAME
    found = []
    for folder in sorted(p for p in root.glob("*") if p.is_dir()):
        files = CrawlFolder(folder)
        found.append(
            WorkerFiles(
                name=folder.name,
                folder=folder,
                manifest=read_worker_manifest(folder, warnings, folder in finished),
                article_files=files.article_batches(),
                warc_files=files.warc_files(),
                pages=files.pages_path if files.pages_path.exists() else None,
                unfinished=files.unfinished_files(),
            )
        )
    for worker in found:
        for path in worker.unfinished:
            warnings.append(
                f"{worker.name}: unfinished file {path.name} left out "
                "(its worker may still be writing; crawl-finish recovers the "
                "files of stopped workers)"
            )
    return found


def index_lines(warc_files: Iterable[Path], out_dir: Path, warnings: list[str]) -> list[str]:
    """Sorted, de-duplicated CDXJ lines; ``filename`` relative to ``out_dir``.

    A damaged file keeps the lines of its whole records and adds a warning.
    """
    from newsarchive.warc.cdxj import entries_from_warc

    lines = set()
    for path in warc_files:
        relative = path.relative_to(out_dir).as_posix()
        damage: list[Any] = []
        for entry in entries_from_warc(path, damage):
            lines.add(dataclasses.replace(entry, filename=relative).line())
        warnings.extend(
            f"{report.line()}; check it with newsarchive warc check" for report in damage
        )
    return sorted(lines)


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def summed_counts(workers: Iterable[WorkerFiles]) -> dict[str, int]:
    """Counts of the workers' manifests; a worker without one adds its articles on file."""
    counts: dict[str, int] = {}
    for worker in workers:
        own = (worker.manifest or {}).get("counts")
        if worker.manifest is None:
            own = {"articles": article_records(worker.article_files)}
        for name, value in (own or {}).items():
            if isinstance(value, int):
                counts[name] = counts.get(name, 0) + value
    return counts


def records_by_path(worker: WorkerFiles) -> dict[str, int]:
    """``records`` of each file the worker's own manifest lists (path relative to it)."""
    entries = (worker.manifest or {}).get("files") or []
    return {
        e["path"]: e["records"]
        for e in entries
        if isinstance(e, dict) and "path" in e and isinstance(e.get("records"), int)
    }


def recover_stopped_workers(
    out: Path, live: Collection[str], min_age: float, warnings: list[str]
) -> list[Path]:
    """Finish the open files of workers that died without a manifest (and are not alive).

    Returns the folders of those workers whose files are all finished now.
    """
    from newsarchive.distributed.recovery import recover_worker

    stopped = []
    for folder in sorted(p for p in (out / WORKERS_DIRNAME).glob("*") if p.is_dir()):
        if folder.name in live or (folder / WORKER_MANIFEST).exists():
            continue
        warnings.extend(
            f"{folder.name}: {message}" for message in recover_worker(folder, min_age=min_age)
        )
        if not CrawlFolder(folder).unfinished_files():
            stopped.append(folder)
    return stopped


def rebuild_stopped_workers(
    out: Path,
    crawl_id: str,
    stopped: Iterable[Path],
    state: Any,
    warnings: list[str],
    digest_index: Callable[[Path], Any] | None = None,
) -> list[dict[str, Any]]:
    """Records the stopped workers archived but never exported, rebuilt from their WARC files."""
    from newsarchive.distributed.rebuild import exported_texts, rebuild_worker

    stopped = list(stopped)
    if not stopped:
        return []
    every = sorted(p for p in (out / WORKERS_DIRNAME).glob("*") if p.is_dir())
    exported = exported_texts(every)
    rebuilt = []
    for folder in stopped:
        index = digest_index(folder / "warc") if digest_index is not None else None
        result = rebuild_worker(folder, crawl_id, exported, state=state, index=index)
        if result.records:
            warnings.append(
                f"{folder.name}: killed before exporting {result.records} archived articles: "
                "rebuilt from its WARC files"
            )
        if result.noted_in_state:
            warnings.append(
                f"{folder.name}: killed between exporting {result.noted_in_state} articles and "
                "recording them in the plan's state: recorded now"
            )
        rebuilt.append(dataclasses.asdict(result))
    return rebuilt


def article_records(paths: Iterable[Path]) -> int:
    """Records in finished article batches (one JSON line each)."""
    import gzip

    total = 0
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            total += sum(1 for _ in handle)
    return total


def merge_crawl(
    out_dir: str | Path,
    crawl_id: str,
    *,
    recover: bool = False,
    live_workers: Collection[str] = (),
    min_age: float = 15.0,
    state: Any = None,
    digest_index: Callable[[Path], Any] | None = None,
) -> MergeResult:
    """Write ``OUT/index.cdxj``, ``OUT/manifest.json`` and the report over all workers' files.

    With ``recover``, the open files of a worker that stopped without a manifest
    (``kill -9``) and is not in ``live_workers`` are finished first (see
    :mod:`.recovery`; files written in the last ``min_age`` seconds are left alone),
    the articles it archived but never exported are rebuilt from its WARC files
    (:mod:`.rebuild`; ``state``, the plan's crawl state, keeps earlier runs' texts
    out; ``digest_index(warc_dir)`` opens the crawl's payload-digest index, to find
    the originals of its revisits), and its articles are counted from its batches.
    """
    from newsarchive.export.manifest import write_manifest
    from newsarchive.report import build_report, write_report

    out = Path(out_dir)
    warnings: list[str] = []
    rebuilt: list[dict[str, Any]] = []
    stopped: list[Path] = []
    if recover:
        stopped = recover_stopped_workers(out, set(live_workers), min_age, warnings)
        rebuilt = rebuild_stopped_workers(out, crawl_id, stopped, state, warnings, digest_index)
    workers = worker_folders(out, warnings, stopped)
    if not workers:
        raise FileNotFoundError(f"no worker folders under {out / WORKERS_DIRNAME}")
    warc_files = [path for worker in workers for path in worker.warc_files]
    lines = index_lines(warc_files, out, warnings)
    index = out / INDEX_NAME
    write_atomically(index, "".join(lines))
    files: list[dict[str, Any]] = []
    for worker in workers:
        records = records_by_path(worker)
        for path in worker.article_files:
            relative = path.relative_to(worker.folder).as_posix()
            files.append({"path": path, "records": records.get(relative)})
        if worker.pages is not None:
            files.append({"path": worker.pages})
    counts = summed_counts(workers)
    starts = [
        w.manifest["started_at"] for w in workers if w.manifest and w.manifest.get("started_at")
    ]
    manifest = write_manifest(
        out,
        crawl_id,
        counts=counts,
        files=files,
        warc_files=warc_files,
        started_at=min(starts) if starts else None,
        extra={
            "index": {"path": INDEX_NAME, "lines": len(lines)},
            "workers": [
                {
                    "name": w.name,
                    "folder": w.folder.relative_to(out).as_posix(),
                    "counts": (w.manifest or {}).get("counts"),
                    "finished": w.manifest is not None,
                }
                for w in workers
            ],
            "warnings": warnings,
            "rebuilt": rebuilt,
        },
    )
    report = build_report(out, crawl_id=crawl_id, folders=[w.folder for w in workers])
    report_json, _ = write_report(report, out)
    for warning in warnings:
        log.warning("merge %s: %s", crawl_id, warning)
    return MergeResult(
        index,
        manifest,
        len(lines),
        report_json,
        [w.name for w in workers],
        counts,
        warnings,
        rebuilt,
    )
