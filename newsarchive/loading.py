"""``newsarchive.load(path)``: records from any export, one dict at a time.

Reads JSON Lines (``.jsonl``, ``.jsonl.gz`` including files made of many
gzip members), Parquet and CSV exports, a single file or a directory of them
(searched recursively; a crawl output folder reads its ``articles/``). Every
record comes out shaped by ``schema.conform``: every key present, whatever
the file held. Memory stays bounded: files are streamed, never read whole.

A damaged file raises :class:`LoadError` naming the file and line, unless an
``on_error`` callback is given: then the problem is reported to it, the bad
record skipped, and reading goes on.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from newsarchive import schema

log = logging.getLogger(__name__)

ErrorHandler = Callable[[str], None]


class LoadError(ValueError):
    """An export file that cannot be read, with the place of the problem."""


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith((".gz", ".gz.open")):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def _report(on_error: ErrorHandler | None, message: str) -> None:
    if on_error is None:
        raise LoadError(message)
    log.warning("%s", message)
    on_error(message)


def _read_jsonl(path: Path, on_error: ErrorHandler | None) -> Iterator[dict[str, Any]]:
    number = 0
    try:
        with _open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    _report(on_error, f"{path}:{number}: not JSON: {error}")
                    continue
                if not isinstance(record, dict):
                    _report(on_error, f"{path}:{number}: not a JSON object")
                    continue
                yield schema.conform(record)
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as error:
        _report(on_error, f"{path}: unreadable after line {number}: {error}")


def _read_parquet(path: Path, on_error: ErrorHandler | None) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as error:
        raise LoadError(
            f"{path}: reading Parquet needs pyarrow: pip install 'newsarchive[parquet]'"
        ) from error
    try:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=1000):
            for record in batch.to_pylist():
                yield schema.conform(record)
    except (OSError, ValueError) as error:
        _report(on_error, f"{path}: unreadable Parquet: {error}")


def _read_csv(path: Path, on_error: ErrorHandler | None) -> Iterator[dict[str, Any]]:
    from newsarchive.export.flatten import unflatten

    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies exceed the 128 kB default
    with _open_text(path) as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                record = unflatten(row)
            except ValueError as error:
                _report(on_error, f"{path}:{number}: {error}")
                continue
            yield schema.conform(record)


# File name endings and their readers; ``.open`` files are batches still being written.
READERS: dict[str, Callable[[Path, ErrorHandler | None], Iterator[dict[str, Any]]]] = {
    ".jsonl": _read_jsonl,
    ".jsonl.gz": _read_jsonl,
    ".jsonl.gz.open": _read_jsonl,
    ".parquet": _read_parquet,
    ".csv": _read_csv,
    ".csv.gz": _read_csv,
}


def reader_for(path: Path) -> Callable[[Path, ErrorHandler | None], Iterator[dict[str, Any]]]:
    for ending, reader in READERS.items():
        if path.name.endswith(ending):
            return reader
    raise LoadError(f"{path}: unknown export format (expected one of {', '.join(READERS)})")


# A folder holding any of these is a crawl's output folder: only its articles/ are records.
CRAWL_FOLDER_MARKERS = ("articles", "manifest.json", "pages.jsonl")


def export_files(directory: Path) -> list[Path]:
    """Export files under ``directory`` in name order (``articles/`` of a crawl folder)."""
    if any((directory / marker).exists() for marker in CRAWL_FOLDER_MARKERS):
        directory = directory / "articles"  # pages.jsonl etc. are not article records
        if not directory.is_dir():
            return []
    found = []
    for path in sorted(directory.rglob("*")):
        if path.name.endswith(".open"):
            log.warning("skipping %s: still being written (or left by a crash)", path)
            continue
        if path.is_file() and any(path.name.endswith(e) for e in READERS):
            found.append(path)
    return found


def load(path: str | Path, *, on_error: ErrorHandler | None = None) -> Iterator[dict[str, Any]]:
    """Every record of the export at ``path`` (file or directory), conformed.

    A missing path or unknown format raises :class:`LoadError` at once, not
    at the first ``next()``.
    """
    path = Path(path)
    if not path.exists():
        raise LoadError(f"{path}: no such file or directory")
    files = export_files(path) if path.is_dir() else [path]
    readers = [(file, reader_for(file)) for file in files]
    return (record for file, read in readers for record in read(file, on_error))
