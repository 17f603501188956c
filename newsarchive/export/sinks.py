"""Output files of ``newsarchive export``: one class per format, all written in batches.

A sink writes exactly the path it is given: the caller
(:func:`newsarchive.export.convert.export_records`) gives it a path under a
temporary name and publishes the output only when every sink closed, so an
interrupted or failed export never leaves a file that looks finished (a
Parquet file without its footer is unreadable). Rows arrive already conformed.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

from newsarchive.export.flatten import csv_columns, flatten

log = logging.getLogger(__name__)

BadRowHandler = Callable[[dict[str, Any], str], None]


class Sink(Protocol):
    path: Path
    records: int

    def write_batch(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


def _open_text(path: Path, compress: bool) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        return gzip.open(path, "wt", encoding="utf-8", newline="")
    return path.open("w", encoding="utf-8", newline="")


class _TextSink:
    """A text file, gzip-compressed when its final ``name`` ends in ``.gz``."""

    def __init__(
        self, path: Path, on_bad_row: BadRowHandler | None = None, *, name: str | None = None
    ) -> None:
        self.path = path
        self.records = 0
        self._handle = _open_text(path, (name or path.name).endswith(".gz"))

    def close(self) -> None:
        self._handle.close()

    def abort(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._handle.close()


class JsonLinesSink(_TextSink):
    """One JSON object per line; gzip-compressed when the name ends in ``.gz``."""

    def write_batch(self, rows: list[dict[str, Any]]) -> None:
        self._handle.writelines(
            json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in rows
        )
        self.records += len(rows)


class CsvSink(_TextSink):
    """Flattened rows (see ``newsarchive.export.flatten``) under a header line."""

    def __init__(
        self, path: Path, on_bad_row: BadRowHandler | None = None, *, name: str | None = None
    ) -> None:
        super().__init__(path, on_bad_row, name=name)
        self._writer = csv.writer(self._handle)
        self._writer.writerow([c.name for c in csv_columns()])

    def write_batch(self, rows: list[dict[str, Any]]) -> None:
        self._writer.writerows(flatten(row) for row in rows)
        self.records += len(rows)


class ParquetSink:
    """Parquet with the fixed Arrow schema; one row group per batch, zstd-compressed."""

    def __init__(
        self, path: Path, on_bad_row: BadRowHandler | None = None, *, name: str | None = None
    ) -> None:
        try:
            import pyarrow.parquet as pq

            from newsarchive.export.arrow import arrow_schema
        except ImportError as error:  # a plain install (the Quick start) has no pyarrow
            raise ImportError(
                "writing Parquet needs pyarrow: pip install 'newsarchive[parquet]'"
            ) from error

        self.path = path
        self.records = 0
        self._on_bad_row = on_bad_row
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(path, arrow_schema(), compression="zstd")

    def write_batch(self, rows: list[dict[str, Any]]) -> None:
        from newsarchive.export.arrow import record_batch

        batch = record_batch(rows, self._on_bad_row)
        if batch.num_rows:
            self._writer.write_batch(batch)
        self.records += batch.num_rows

    def close(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # pyarrow raises its own types on a full disk
            self._writer.close()


# --format value -> (sink class, file name ending)
FORMATS: dict[str, tuple[Callable[..., Sink], str]] = {
    "parquet": (ParquetSink, ".parquet"),
    "jsonl": (JsonLinesSink, ".jsonl.gz"),
    "csv": (CsvSink, ".csv"),
}
