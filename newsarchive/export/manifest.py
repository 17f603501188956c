"""``manifest.json``: what a crawl produced and with which software.

A researcher receiving an output folder reads the manifest first: the crawl
id and plan, the software versions that made the records, record counts,
every export file with its size and sha256 (to check a copy is complete),
and the WARC files holding the archived bytes.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from newsarchive import schema
from newsarchive.crawlfolder import (
    MANIFEST_NAME,
    CrawlFolder,
    CrawlFolderError,
    count_batch_records,
    foreign_manifest,
    sha256_of,
    write_text_atomic,
)
from newsarchive.version import __version__

_BATCH_NAME = re.compile(r"^articles-(.+)-\d{5,}\.jsonl\.gz$")
MANIFEST_VERSION = 1
# Distributions whose versions decide what the records contain.
SOFTWARE = ("scrapy", "lxml", "warcio", "beautifulsoup4", "charset-normalizer", "pyarrow")


def software_versions() -> dict[str, str]:
    """Versions of newsarchive, Python and the installed libraries that shape the output."""
    versions = {"newsarchive": __version__, "python": platform.python_version()}
    for name in SOFTWARE:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def file_entry(path: str | Path, base: Path, records: int | None = None) -> dict[str, Any]:
    """Path relative to ``base``, size, sha256 and (when known) record count of one file."""
    path = Path(path)
    try:
        name = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        name = str(path)
    entry: dict[str, Any] = {
        "path": name,
        "bytes": path.stat().st_size,
        "sha256": sha256_of(path),
    }
    if records is not None:
        entry["records"] = records
    return entry


def _entries(files: Iterable[str | Path | Mapping[str, Any]], base: Path) -> list[dict[str, Any]]:
    entries = []
    for item in files:
        if isinstance(item, Mapping) and "sha256" in item:
            entries.append(dict(item))  # already an entry
        elif isinstance(item, Mapping):
            entries.append(file_entry(item["path"], base, item.get("records")))
        else:
            entries.append(file_entry(item, base))
    return entries


def write_manifest(
    directory: str | Path,
    crawl_id: str,
    *,
    plan: Mapping[str, Any] | None = None,
    counts: Mapping[str, int] | None = None,
    files: Iterable[str | Path | Mapping[str, Any]] = (),
    warc_files: Iterable[str | Path] = (),
    started_at: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``directory/manifest.json`` atomically and return its path.

    ``files`` are export files, as paths or ``{"path", "records"}`` dicts (what
    :class:`~newsarchive.export.jsonl.JsonLinesBatchWriter` lists in ``files``).
    """
    base = Path(directory)
    base.mkdir(parents=True, exist_ok=True)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "crawl_id": crawl_id,
        "schema_version": schema.SCHEMA_VERSION,
        "started_at": started_at,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "software": software_versions(),
        "plan": dict(plan or {}),
        "counts": dict(counts or {}),
        "files": _entries(files, base),
        "warc_files": _entries(warc_files, base),
        **dict(extra or {}),
    }
    target = base / MANIFEST_NAME
    foreign = foreign_manifest(base)
    if foreign:  # never replace a file we did not write
        raise CrawlFolderError(f"{foreign}; not overwriting it")
    write_text_atomic(
        target, json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    )
    return target


def batch_crawl_id(path: Path) -> str | None:
    """``CRAWLID`` of ``articles-CRAWLID-NNNNN.jsonl.gz``."""
    match = _BATCH_NAME.match(path.name)
    return match.group(1) if match else None


def _known_records(previous: Mapping[str, Any] | None) -> dict[tuple[str, str], int]:
    """(path, sha256) -> records of the batches an earlier manifest of the folder listed."""
    known = {}
    for entry in (previous or {}).get("files") or []:
        if isinstance(entry, dict) and isinstance(entry.get("records"), int):
            known[(str(entry.get("path")), str(entry.get("sha256")))] = entry["records"]
    return known


def batch_entries(
    folder: CrawlFolder, written: Mapping[str, int], previous: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """An entry with records and sha256 for every finished article batch in the folder.

    Records come from this run's writer (``written``, by absolute path), else
    from the previous manifest when the file is unchanged, else by counting.
    """
    known = _known_records(previous)
    entries = []
    for path in folder.article_batches():
        entry = file_entry(path, folder.path)
        records = written.get(str(path.resolve()))
        if records is None:
            records = known.get((entry["path"], entry["sha256"]))
        if records is None:
            records = count_batch_records(path)
        entry["records"] = records
        entries.append(entry)
    return entries


def warc_starts(folder: CrawlFolder) -> list[str]:
    """When each WARC file of the folder was opened (its name's UTC timestamp), RFC 3339.

    A run killed before its manifest has no part of its own; its first WARC file still
    says when it started, so a resumed crawl's ``started_at`` is the crawl's, not the
    resume's.
    """
    from newsarchive.warc.naming import parse_name

    starts = []
    for path in folder.warc_files():
        name = parse_name(path.name)
        if name is not None:
            stamp = datetime.strptime(name.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            starts.append(stamp.isoformat(timespec="seconds").replace("+00:00", "Z"))
    return starts


def _summed_parts(parts: list[dict[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for part in parts:
        for name, value in (part.get("counts") or {}).items():
            if isinstance(value, int):
                totals[name] = totals.get(name, 0) + value
    return totals


def plan_record(path: str | Path | None, site: str | None) -> dict[str, Any]:
    """The plan a crawl ran, for its manifest: path, site, sha256, the text and its content."""
    if not path:
        return {}
    plan_path = Path(path)
    record: dict[str, Any] = {"path": str(plan_path), "site": site}
    try:
        data = plan_path.read_bytes()
    except OSError as error:
        record["error"] = f"unreadable: {error}"
        return record
    record["sha256"] = hashlib.sha256(data).hexdigest()
    text = data.decode("utf-8", errors="replace")
    record["text"] = text
    try:
        record["content"] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        record["content"] = None
    return record


def _recorded_plan(manifest: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The plan an earlier manifest of the folder recorded: kept when a rewrite knows none."""
    plan = (manifest or {}).get("plan")
    return plan if isinstance(plan, Mapping) else None


def write_crawl_manifest(
    out_dir: str | Path,
    crawl_id: str,
    *,
    run_counts: Mapping[str, int] | None,
    written: Mapping[str, int] | None = None,
    plan: Mapping[str, Any] | None = None,
    started_at: str | None = None,
    error: str | None = None,
) -> Path:
    """The manifest of a crawl folder, covering every part of it.

    A crawl resumed after ``kill -9`` (same folder, same crawl id) is one crawl
    in several runs: the manifest lists every finished article batch and WARC
    file in the folder, whichever run wrote it, ``counts.articles`` is the sum
    of the listed batches' records, and ``parts`` keeps each run's own counts
    (a run killed before it could write a manifest has no part of its own, but
    its files are listed). ``.open`` files a crash left are listed under
    ``unfinished``. ``written`` maps this run's batch paths to their records.
    ``run_counts=None`` adds no part: the manifest of a killed crawl's folder,
    written when its files are finished (:func:`newsarchive.statesync.finish_killed_crawl`).
    """
    folder = CrawlFolder(Path(out_dir))
    try:
        previous = folder.manifest()
    except ValueError:
        previous = None  # unreadable: rebuilt from the files
    entries = batch_entries(folder, written or {}, previous)
    parts = [p for p in (previous or {}).get("parts") or [] if isinstance(p, dict)]
    finished_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if run_counts is not None:
        parts.append(
            {
                "crawl_id": crawl_id,
                "started_at": started_at,
                "finished_at": finished_at,
                "counts": dict(run_counts),
                **({"error": error} if error else {}),
            }
        )
    by_crawl: dict[str, int] = {}
    for entry in entries:
        key = batch_crawl_id(Path(entry["path"])) or crawl_id
        by_crawl[key] = by_crawl.get(key, 0) + entry["records"]
    counts = {**_summed_parts(parts), "articles": sum(e["records"] for e in entries)}
    files: list[Any] = list(entries)
    if folder.pages_path.exists():
        files.append(folder.pages_path)
    unfinished = folder.unfinished_batches() + folder.unfinished_warc_files()
    starts = [p.get("started_at") for p in parts if p.get("started_at")] + warc_starts(folder)
    first_start = min(starts, default=None) or started_at
    return write_manifest(
        folder.path,
        crawl_id,
        plan=plan or _recorded_plan(previous),
        counts=counts,
        files=files,
        warc_files=folder.warc_files(),
        started_at=first_start,
        extra={
            "articles_by_crawl": by_crawl,
            "parts": parts,
            "unfinished": [folder.relative(p) for p in unfinished],
            **({"error": error} if error else {}),
        },
    )
