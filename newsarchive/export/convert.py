"""Stream records into Parquet, JSON Lines or CSV, optionally partitioned by crawl.

Records are read, conformed and written ``batch_size`` at a time, or fewer when
their text passes :data:`BATCH_TEXT_BYTES`, so memory stays bounded however many
records there are and however large each is (a page may be 16 MB, its record three
times that: 10,000 such records in one batch would be hundreds of GB). Partitioned
output is hive style, ``OUT/crawl_id=VALUE/part-0.parquet``, which pandas, polars, DuckDB and
Spark read back with a ``crawl_id`` column; a record without a crawl id goes
to ``crawl_id=__HIVE_DEFAULT_PARTITION__`` (the Hive convention for null).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsarchive import schema
from newsarchive.export.sinks import FORMATS, Sink
from newsarchive.normalize import with_settled_dates

log = logging.getLogger(__name__)

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
MAX_REPORTED_PROBLEMS = 100
# Text (characters) one batch, and one Parquet row group, may hold before it is written:
# what a row group of 128 MB holds, give or take compression.
BATCH_TEXT_BYTES = 64 * 1024 * 1024


def text_size(record: dict[str, Any]) -> int:
    """About how much text ``record`` holds: its top-level strings, twice.

    The bulk of a large record is its body (``article_body``, ``article_body_html``);
    the lists (``body_sections``, ``quotes``, ``captions``) repeat that text at most
    once more. Counting only the top level costs microseconds per record.
    """
    return 2 * sum(len(value) for value in record.values() if isinstance(value, str))


def _crawl_id(record: dict[str, Any]) -> str | None:
    provenance = record.get("provenance")
    return provenance.get("crawl_id") if isinstance(provenance, dict) else None


# --partition-by value -> (directory key, function giving the record's value)
PARTITIONS: dict[str, tuple[str, Callable[[dict[str, Any]], str | None]]] = {
    "crawl": ("crawl_id", _crawl_id),
}


@dataclass
class ExportReport:
    """What an export wrote, and the records it could not."""

    records: int = 0
    skipped: int = 0
    files: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(message)


class ExportError(ValueError):
    """The export cannot start (unknown format, output in the way) or its data is unusable."""


class ExportUsageError(ExportError):
    """The export was asked for something impossible: unknown format, output in the way."""


PARTIAL_SUFFIX = ".partial"


def _partition_path(out: Path, key: str, value: str | None, ending: str) -> Path:
    folder = f"{key}={quote(value, safe='') if value else NULL_PARTITION}"
    return out / folder / f"part-0{ending}"


def _check_output(out: Path, partitioned: bool, overwrite: bool) -> None:
    if not out.exists() or overwrite:
        return
    if partitioned and out.is_dir() and not any(out.iterdir()):
        return
    raise ExportUsageError(f"{out} already exists (use --overwrite to replace it)")


def _remove(path: Path) -> None:
    """Delete a file or folder if present; a failure to clean up is logged, not raised."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError as error:
        log.warning("could not remove %s: %s", path, error)


def _publish(staging: Path, out: Path) -> None:
    """Put the finished ``staging`` file or folder in place of ``out`` (replacing it)."""
    if staging.is_dir() and out.exists():
        old = out.with_name(out.name + ".old")
        _remove(old)
        os.replace(out, old)
        os.replace(staging, out)
        _remove(old)
        return
    if out.is_dir() and not staging.is_dir():
        _remove(out)  # --overwrite of a folder with a file
    os.replace(staging, out)


def export_records(
    records: Iterable[dict[str, Any]],
    fmt: str,
    out: str | Path,
    *,
    partition_by: str | None = None,
    batch_size: int = 10_000,
    overwrite: bool = False,
    report: ExportReport | None = None,
    conformed: bool = False,
    keep_going: bool = False,
    allow_empty: bool = False,
) -> ExportReport:
    """Write ``records`` to ``out`` in format ``fmt``; returns counts and problems.

    All or nothing: the output is written under ``OUT.partial`` and renamed to
    ``OUT`` only when every file is complete; any error (a damaged input
    record, a row that does not fit the schema, a full disk) removes it and
    raises, so nothing appears under the requested name. ``keep_going=True``
    skips rows that do not fit (listed in the report) instead. No records at
    all is an :class:`ExportError` unless ``allow_empty`` (then a file with the
    full schema is written). ``conformed=True`` skips ``schema.conform`` for
    records that already went through it (``newsarchive.load`` conforms
    every record it yields).
    """
    if fmt not in FORMATS:
        raise ExportUsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if partition_by is not None and partition_by not in PARTITIONS:
        choices = ", ".join(PARTITIONS)
        raise ExportUsageError(f"unknown partition {partition_by!r}; choose from {choices}")
    out = Path(out)
    _check_output(out, partition_by is not None, overwrite)
    sink_class, ending = FORMATS[fmt]
    report = report or ExportReport()
    staging = out.with_name(out.name + PARTIAL_SUFFIX)
    _remove(staging)  # left by an export that was killed

    def bad_row(row: dict[str, Any], reason: str) -> None:
        message = f"record {row.get('capture_id') or row.get('url')!r}: {reason}"
        if not keep_going:
            raise ExportError(message)
        report.skipped += 1
        report.problem(message)

    sinks: dict[Path, Sink] = {}

    def sink_for(path: Path) -> Sink:
        if path not in sinks:
            sinks[path] = sink_class(path, on_bad_row=bad_row, name=out.name)
        return sinks[path]

    def flush(rows: list[dict[str, Any]]) -> None:
        if partition_by is None:
            sink_for(staging).write_batch(rows)
            return
        key, value_of = PARTITIONS[partition_by]
        groups: dict[Path, list[dict[str, Any]]] = {}
        for row in rows:
            path = _partition_path(staging, key, value_of(row), ending)
            groups.setdefault(path, []).append(row)
        for path, group in groups.items():
            sink_for(path).write_batch(group)

    buffer: list[dict[str, Any]] = []
    buffered_text = 0
    try:
        if partition_by is None:
            sink_for(staging)  # an allowed empty input still gives a file with the full schema
        else:
            staging.mkdir(parents=True)
        for record in records:
            if not isinstance(record, dict):
                bad_row({}, f"not a record: {type(record).__name__}")
                continue
            record = record if conformed else schema.conform(record)
            buffer.append(with_settled_dates(record))  # RFC 3339 or null, older files too
            buffered_text += text_size(record)
            if len(buffer) >= batch_size or buffered_text >= BATCH_TEXT_BYTES:
                flush(buffer)
                buffer, buffered_text = [], 0
        if buffer:
            flush(buffer)
        for sink in sinks.values():
            sink.close()
        total = sum(sink.records for sink in sinks.values())
        if not total and not allow_empty:
            raise ExportError("no records to export: the input holds no articles")
        _publish(staging, out)
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        _remove(staging)
        raise
    for path, sink in sinks.items():
        final = out / path.relative_to(staging) if partition_by is not None else out
        report.files[str(final)] = sink.records
        report.records += sink.records
    log.info(
        "exported %d records to %d file(s), skipped %d",
        report.records,
        len(report.files),
        report.skipped,
    )
    return report
