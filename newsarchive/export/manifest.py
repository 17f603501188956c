"""``manifest.json``: what a crawl produced and with which software.

A researcher receiving an output folder reads the manifest first: the crawl
id and plan, the software versions that made the records, record counts,
every export file with its size and sha256 (to check a copy is complete),
and the WARC files holding the archived bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from newsarchive import __version__, schema

MANIFEST_NAME = "manifest.json"
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
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    try:
        name = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        name = str(path)
    entry: dict[str, Any] = {
        "path": name,
        "bytes": path.stat().st_size,
        "sha256": digest.hexdigest(),
    }
    if records is not None:
        entry["records"] = records
    return entry


def _entries(files: Iterable[str | Path | Mapping[str, Any]], base: Path) -> list[dict[str, Any]]:
    entries = []
    for item in files:
        if isinstance(item, Mapping):
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
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    os.replace(temporary, target)
    return target
