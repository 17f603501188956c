"""Crash-safe gzipped JSON Lines batches for a running crawl.

Files are named ``PREFIX-NNNNN.jsonl.gz`` (e.g. ``articles-CRAWLID-00000.jsonl.gz``).
Each record is written as its own gzip member and flushed at once, so a
crawl killed with ``kill -9`` loses at most the record being written: every
complete member before it is a valid gzip stream on its own, and ``gzip``,
pandas, polars and DuckDB all read concatenated members as one file.

A file is called ``....jsonl.gz.open`` while it is written and renamed when
its batch is full or the writer closes, so a finished name always means a
finished file. :func:`recover` turns the ``.open`` files a crash left behind
into finished files, cut after their last complete record; the writer calls
it when it starts. The writer holds an exclusive ``flock`` on its ``.open`` file, so
recovery never takes a batch a live crawl is writing. Writers sharing a folder and a
prefix never share a batch: each claims its next number with an exclusive create.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import logging
import os
import re
import zlib
from pathlib import Path
from typing import IO, Any

from newsarchive import schema
from newsarchive.crawlfolder import append_whole

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
EXTENSION = ".jsonl.gz"
_SERIAL = re.compile(r"-(\d{5,})\.jsonl\.gz(?:\.open)?$")
_COMPRESS_LEVEL = 6
_CHUNK = 64 * 1024  # bytes fed to zlib at a time while finding member ends


def encode_record(record: dict[str, Any]) -> bytes:
    """One JSON line of ``record`` shaped like the schema (every key, schema order).

    Raises ``ValueError`` naming the record when a value is not plain JSON
    (an object, NaN): the caller records the failure, the file stays valid.
    """
    try:
        line = json.dumps(
            schema.conform(record), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"record {record.get('url')!r} is not plain JSON: {error}") from None
    return (line + "\n").encode("utf-8")


def gzip_member(data: bytes) -> bytes:
    """``data`` as one complete gzip member (fixed mtime, so output is reproducible)."""
    return gzip.compress(data, compresslevel=_COMPRESS_LEVEL, mtime=0)


def complete_members_length(data: bytes) -> tuple[int, int]:
    """(bytes, members) of the complete, intact gzip members at the start of ``data``."""
    view = memoryview(data)
    offset = members = 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        position = offset
        try:
            while not inflater.eof and position < len(data):
                inflater.decompress(view[position : position + _CHUNK])
                position = min(position + _CHUNK, len(data))
        except zlib.error:
            break
        if not inflater.eof:
            break
        offset = position - len(inflater.unused_data)
        members += 1
    return offset, members


def recover(directory: str | Path) -> list[Path]:
    """Finish every ``.open`` file in ``directory`` left by a crashed writer.

    Each is cut after its last complete gzip member and renamed to its final
    name; a file without one complete record is removed. Returns the
    finished paths.
    """
    from newsarchive.warc.recover import lock_exclusive

    finished = []
    for path in sorted(Path(directory).glob(f"*{EXTENSION}{OPEN_SUFFIX}")):
        with path.open("r+b") as handle:
            if not lock_exclusive(handle.fileno()):
                log.info("leaving %s alone: a running crawl is writing it", path)
                continue
            data = handle.read()
            length, members = complete_members_length(data)
            final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
            if members == 0:
                log.warning("removing %s: no complete record in %d bytes", path, len(data))
                path.unlink()
                continue
            if length < len(data):
                log.warning(
                    "cutting %s after record %d: %d trailing bytes incomplete",
                    path,
                    members,
                    len(data) - length,
                )
                handle.truncate(length)
            os.replace(path, final)  # under the lock: a live writer's file is never taken
        finished.append(final)
    return finished


def next_serial(directory: Path, prefix: str) -> int:
    """First batch number not used by a finished or open file of ``prefix``."""
    used = [
        int(match.group(1))
        for path in directory.glob(f"{prefix}-*{EXTENSION}*")
        if (match := _SERIAL.search(path.name)) and path.name.startswith(prefix + "-")
    ]
    return max(used, default=-1) + 1


class JsonLinesBatchWriter:
    """Write records into gzipped JSON Lines batches of ``batch_size`` records.

    ``files`` lists the finished batches as ``{"path", "records"}`` dicts for
    the manifest. Batch numbers continue after files already in the
    directory, so a resumed crawl never overwrites earlier output.
    """

    def __init__(self, directory: str | Path, prefix: str, batch_size: int = 1000) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.batch_size = batch_size
        self.recovered = recover(self.directory)
        self.serial = next_serial(self.directory, prefix)
        self.files: list[dict[str, Any]] = []
        self.count = 0
        self._handle: IO[bytes] | None = None
        self._path: Path | None = None
        self._in_batch = 0
        # The first write error: the open batch is then never renamed as finished.
        self.failed: OSError | None = None

    def _open(self) -> IO[bytes]:
        self._path, self._handle = self._claim_name()
        try:  # held until the batch has its final name: recovery leaves a live batch alone
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:  # pragma: no cover - a file system without flock
            log.debug("no flock on %s: %s", self._path, error)
        self._in_batch = 0
        return self._handle

    def _claim_name(self) -> tuple[Path, IO[bytes]]:
        """The next batch number no other writer holds, and its ``.open`` file.

        Two writers in one folder (two scrapyd jobs with one crawl id, started at the
        same moment) count the same next number: the exclusive create decides which
        one gets it, and the other moves on. A number whose finished file exists is
        taken too (its writer renamed it before our create), else our rename would
        replace that file.
        """
        while True:
            path = self.directory / f"{self.prefix}-{self.serial:05d}{EXTENSION}{OPEN_SUFFIX}"
            self.serial += 1
            try:
                handle = path.open("xb", buffering=0)
            except FileExistsError:
                continue
            if not path.with_name(path.name[: -len(OPEN_SUFFIX)]).exists():
                return path, handle
            handle.close()
            path.unlink()

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (conformed to the schema) to the OS, whole or not at all.

        A write error (a full disk) raises ``OSError`` with the batch cut back
        to its last complete record; the batch then stays ``.open`` (a resume
        finishes it), because a finished name must mean a complete file.
        """
        member = gzip_member(encode_record(record))
        try:
            handle = self._handle or self._open()
            append_whole(handle, member)
        except OSError as error:
            self.failed = self.failed or error
            raise
        self._in_batch += 1
        self.count += 1
        if self._in_batch >= self.batch_size:
            self._finish_batch()

    def _finish_batch(self) -> None:
        if self._handle is None or self._path is None:
            return
        if self.failed is not None:
            self._handle.close()
            log.error("%s left unfinished after a write error: %s", self._path, self.failed)
            self._handle = self._path = None
            return
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        os.replace(self._path, final)
        self._handle.close()  # after the rename: the lock holds until the name is final
        self.files.append({"path": str(final), "records": self._in_batch})
        self._handle = self._path = None
        self._in_batch = 0

    def close(self) -> None:
        """Finish the open batch (if any); safe to call twice."""
        self._finish_batch()

    def __enter__(self) -> JsonLinesBatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
