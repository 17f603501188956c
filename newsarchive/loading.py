"""``newsarchive.load(path)``: records from any export, one dict at a time.

Reads JSON Lines (``.jsonl``, ``.jsonl.gz`` including files made of many
gzip members), Parquet and CSV exports, a single file or a directory of them
(searched recursively). A crawl output folder (see :mod:`newsarchive.crawlfolder`),
found at any depth, gives only its article batches, never ``pages.jsonl`` or
``validation_failures.jsonl``, and is first checked against its manifest. A
file without a known ending is recognised by its first bytes. Every record
comes out shaped by ``schema.conform``: every key present, whatever the file
held. Memory stays bounded: files are streamed, never read whole.

A damaged file raises :class:`LoadError` naming the file and line, unless an
``on_error`` callback is given: then the problem is reported to it, the bad
record skipped, and reading goes on. Files that disagree with their crawl's
manifest raise :class:`LoadError` listing each, unless ``verify=False``.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from newsarchive import schema
from newsarchive.crawlfolder import (
    ARTICLES_DIRNAME,
    MANIFEST_NAME,
    PAGES_NAME,
    REPORT_NAMES,
    VALIDATION_NAME,
    CrawlFolder,
    CrawlFolderError,
    folder_of_batch,
    is_crawl_folder,
)

# Files of a crawl folder beside its article batches (a manifest was read as "not JSON").
CRAWL_OWN_FILES = (PAGES_NAME, VALIDATION_NAME, MANIFEST_NAME, *REPORT_NAMES)

log = logging.getLogger(__name__)

ErrorHandler = Callable[[str], None]


class LoadError(ValueError):
    """An export file that cannot be read, with the place of the problem."""


class MissingSource(LoadError):
    """A path to load that does not exist: for a command, a wrong argument (exit 2)."""


class CrawlLogSource(MissingSource):
    """A crawl's page or validation log named as a source: a wrong argument too (exit 2).

    Its lines share ``url`` and ``article_id`` with article records, so ``conform`` would
    turn each fetched page into an empty "article" without a word.
    """


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

        from newsarchive.export.arrow import without_instants
    except ImportError as error:
        raise LoadError(
            f"{path}: reading Parquet needs pyarrow: pip install 'newsarchive[parquet]'"
        ) from error
    try:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=1000):
            for record in batch.to_pylist():
                yield schema.conform(without_instants(record))
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


def _sniff(path: Path) -> Callable[[Path, ErrorHandler | None], Iterator[dict[str, Any]]]:
    """The reader for a file whose name has no known ending (``export --out data``)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise LoadError(f"{path}: unreadable: {error}") from None
    if head == b"PAR1":
        return _read_parquet
    if head[:2] == b"\x1f\x8b":
        return _read_jsonl
    if head[:1] == b"{":
        return _read_jsonl
    raise LoadError(f"{path}: unknown export format (expected one of {', '.join(READERS)})")


def reader_for(path: Path) -> Callable[[Path, ErrorHandler | None], Iterator[dict[str, Any]]]:
    for ending, reader in READERS.items():
        if path.name.endswith(ending):
            return reader
    return _sniff(path)


@dataclass(frozen=True)
class Source:
    """One file to read, and the record count its crawl's manifest promises (if any)."""

    path: Path
    expected: int | None = None


def _folder_sources(folder: CrawlFolder, verify: bool) -> list[Source]:
    problems = folder.check()
    if problems:
        _disagree(folder.path, problems, verify)
    for path in folder.unfinished_batches():
        log.warning("skipping %s: still being written (or left by a crash)", path)
    listed = folder.listed_batches() if not problems else {}
    return [
        Source(path, (listed.get(folder.relative(path)) or {}).get("records"))
        for path in folder.article_batches()
    ]


def _disagree(where: Path, problems: list[str], verify: bool) -> None:
    lines = "\n".join(f"  {problem}" for problem in problems)
    if verify:
        raise LoadError(
            f"{where}: the files disagree with the crawl's manifest:\n{lines}\n"
            "(newsarchive.load(..., verify=False) or `newsarchive export --no-verify` "
            "reads what is there anyway)"
        )
    log.warning(
        "%s: the files disagree with the crawl's manifest; reading anyway:\n%s", where, lines
    )


def _refuse_crawl_log(path: Path) -> None:
    """Raise for a crawl folder's logs, manifest or report named as a source."""
    folder = path.parent
    if path.name in CRAWL_OWN_FILES and (
        (folder / MANIFEST_NAME).is_file() or (folder / ARTICLES_DIRNAME).is_dir()
    ):
        raise CrawlLogSource(
            f"{path}: a crawl folder's own file, not article records "
            f"(load the crawl folder {folder} or its {ARTICLES_DIRNAME}/ batches)"
        )


def sources(path: Path, *, verify: bool = True) -> list[Source]:
    """The files ``load(path)`` reads, checked against their crawls' manifests.

    A crawl folder at any depth contributes only its article batches; other
    folders contribute every export file (``.partial`` files of a running
    export and ``.open`` batches are left out).
    """
    if not path.exists():
        raise MissingSource(f"{path}: no such file or directory")
    if path.is_file():
        _refuse_crawl_log(path)
        reader_for(path)  # an unknown format fails here, at once
        folder = folder_of_batch(path)
        if folder is not None:
            problems = folder.check(only=[path])
            if problems:
                _disagree(path, problems, verify)
            entry = folder.listed_batches().get(folder.relative(path)) or {}
            return [Source(path, entry.get("records") if not problems else None)]
        return [Source(path)]
    found: list[Source] = []
    for directory, subdirs, files in os.walk(path):
        here = Path(directory)
        subdirs.sort()
        if is_crawl_folder(here):
            subdirs[:] = []  # its pages.jsonl, WARC files and worker folders are no exports
            try:
                found += _folder_sources(CrawlFolder(here), verify)
            except CrawlFolderError as error:
                raise LoadError(str(error)) from None
            continue
        for name in sorted(files):
            if name.endswith(".open"):
                log.warning("skipping %s: still being written (or left by a crash)", here / name)
            elif any(name.endswith(ending) for ending in READERS):
                found.append(Source(here / name))
    return found


def _read_counted(source: Source, on_error: ErrorHandler | None) -> Iterator[dict[str, Any]]:
    count = 0
    for record in reader_for(source.path)(source.path, on_error):
        count += 1
        yield record
    if source.expected is not None and count != source.expected:
        _report(
            on_error,
            f"{source.path}: {count} records, the crawl's manifest says {source.expected}",
        )


def load(
    path: str | Path, *, on_error: ErrorHandler | None = None, verify: bool = True
) -> Iterator[dict[str, Any]]:
    """Every record of the export or crawl output at ``path`` (file or directory), conformed.

    Crawl folders are found at any depth and only their article batches are
    read, after a check against their manifests: a missing, unlisted, cut or
    changed batch raises :class:`LoadError` naming each file, unless
    ``verify=False`` (then it is logged and what is there is read). A missing
    path or unknown format raises at once, not at the first ``next()``.
    """
    found = sources(Path(path), verify=verify)
    return (record for source in found for record in _read_counted(source, on_error))
