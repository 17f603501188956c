"""Rotating, crash-safe WARC/1.1 file writer.

* One gzip member per record; a ``warcinfo`` record opens every file and every
  other record carries its ``WARC-Warcinfo-ID``.
* Files are written as ``NAME.open`` and renamed to ``NAME`` on close; a file is
  created with ``O_EXCL`` and never appended to (a new writer takes a new serial).
* Each group of records (a request + response pair) is serialised and compressed
  in memory, then handed to the kernel in one ``write`` loop on an unbuffered
  file: a ``kill -9`` can only cut the group being written, every earlier record
  is already in the page cache and readable. ``fsync`` runs on close, on rotation
  and at most every ``fsync_interval`` seconds (power loss costs at most that).
* The writer holds an exclusive ``flock`` on its ``.open`` file while it writes, so
  ``warc.recover`` never touches a file that is still being written; the kernel
  releases it when the process dies, however it dies.
* ``on_close`` runs before a finished file gets its final name (the crawl flushes its
  CDXJ lines there, so only the ``.open`` file can have index lines a crash lost).
* A failed write (disk full, file size limit) truncates the file back to the end
  of the last complete record, closes it, and raises ``WarcWriteError``.
* Records are ``serialize.WarcRecord`` data, turned into bytes by ``serialize``
  (warcio reads and checks the files; it no longer writes them: too slow per page).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from newsarchive.atomic import fsync_directory
from newsarchive.warc.naming import WarcName, new_name
from newsarchive.warc.records import warc_date
from newsarchive.warc.serialize import WarcRecord, new_record_id, serialize

log = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1_000_000_000
GZIP_LEVEL = 6  # warcio's own writer uses 9: ~3x slower for ~2% smaller files
STORED = 0  # gzip member without compression, for payloads that are compressed already


class WarcWriteError(RuntimeError):
    """A record could not be written; the file was cut back to its last complete record."""


@dataclass(frozen=True)
class RecordLocation:
    """Where one record landed: enough to fetch it again with a range read."""

    filename: str
    offset: int
    length: int
    record_id: str


def warcinfo_record(filename: str, info: Mapping[str, str]) -> WarcRecord:
    """The ``warcinfo`` record that opens a file (empty fields left out, as warcio does)."""
    block = "".join(f"{name}: {value}\r\n" for name, value in info.items() if value)
    fields = {
        "WARC-Type": "warcinfo",
        "WARC-Record-ID": new_record_id(),
        "WARC-Filename": filename,
        "WARC-Date": warc_date(datetime.now(UTC)),
    }
    return WarcRecord("warcinfo", fields, payload=block.encode("utf-8"))


FileWrapper = Callable[[BinaryIO], BinaryIO]


class RotatingWarcWriter:
    """Writes record groups into ``directory``, rotating files at ``max_size`` bytes."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        prefix: str = "newsarchive",
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        warcinfo: Mapping[str, str] | None = None,
        fsync_interval: float = 5.0,
        gzip_level: int = GZIP_LEVEL,
        file_wrapper: FileWrapper | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max(1, int(max_size))
        self.warcinfo_fields = dict(warcinfo or {})
        self.fsync_interval = fsync_interval
        self.gzip_level = gzip_level
        self._file_wrapper = file_wrapper
        self._on_close = on_close
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._name: WarcName | None = None
        self._warcinfo_id = ""
        self._size = 0
        self._data_records = 0
        self._last_fsync = time.monotonic()
        self._failed: WarcWriteError | None = None
        self.closed_files: list[Path] = []

    # ------------------------------------------------------------------ public
    @property
    def current_path(self) -> Path | None:
        """Path of the file being written (with its ``.open`` suffix), if any."""
        return self.directory / self._name.open_name if self._name else None

    def write(
        self, records: Iterable[WarcRecord], levels: Sequence[int | None] | None = None
    ) -> list[RecordLocation]:
        """Write records as one group into one file; return where each one landed.

        ``levels`` optionally sets the gzip level per record (``STORED`` for a payload
        that is already compressed: deflating it again costs time and saves nothing).
        """
        records = list(records)
        levels = list(levels) if levels is not None else [None] * len(records)
        with self._lock:
            if self._failed:
                raise WarcWriteError(f"writer stopped after an earlier failure: {self._failed}")
            try:
                self._ensure_open()
                blobs = self._serialize_all(records, levels)
                if self._data_records and self._size + sum(map(len, blobs)) > self.max_size:
                    self._close_file()
                    self._ensure_open()
                    blobs = self._serialize_all(records, levels)
                return self._append(records, blobs)
            except WarcWriteError as error:
                self._failed = error
                raise

    def close(self) -> None:
        """Close the current file (fsync, drop ``.open``). Safe to call twice."""
        with self._lock:
            if self._file is not None:
                self._close_file()

    def __enter__(self) -> RotatingWarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- helpers
    def _serialize_all(self, records: list[WarcRecord], levels: list[int | None]) -> list[bytes]:
        return [
            serialize(record, self.gzip_level if level is None else level, self._warcinfo_id)
            for record, level in zip(records, levels, strict=True)
        ]

    def _append(self, records: list[WarcRecord], blobs: list[bytes]) -> list[RecordLocation]:
        assert self._name is not None
        start = self._size
        self._write_bytes(b"".join(blobs))
        locations = []
        offset = start
        for record, blob in zip(records, blobs, strict=True):
            locations.append(
                RecordLocation(self._name.closed_name, offset, len(blob), record.record_id)
            )
            offset += len(blob)
        self._data_records += len(records)
        if time.monotonic() - self._last_fsync >= self.fsync_interval:
            self._fsync()
        return locations

    def _write_bytes(self, data: bytes) -> None:
        """Write all of ``data`` or cut the file back to where it was and fail."""
        assert self._file is not None
        committed = self._size
        try:
            view = memoryview(data)
            while view:
                written = self._file.write(view)
                if not written:
                    raise OSError("short write: 0 bytes accepted")
                view = view[written:]
        except OSError as error:
            self._abandon(committed, error)
        self._size = committed + len(data)

    def _abandon(self, committed: int, error: OSError) -> None:
        """Truncate to ``committed`` bytes, close the file and raise ``WarcWriteError``."""
        path = self.current_path
        try:
            assert self._file is not None
            os.ftruncate(self._file.fileno(), committed)
        except OSError as truncate_error:  # pragma: no cover - depends on the file system
            log.error("could not truncate %s after a failed write: %s", path, truncate_error)
        keep = committed > 0 and self._data_records > 0
        self._close_file(keep=keep)
        raise WarcWriteError(
            f"WARC write failed in {path} ({error.strerror or error}); file cut back to "
            f"{committed} bytes, its last complete record, and closed"
        ) from error

    def _ensure_open(self) -> None:
        if self._file is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = new_name(self.directory, self.prefix)
        path = self.directory / name.open_name
        raw = open(path, "xb", buffering=0)  # noqa: SIM115 - lives until rotation
        try:  # a new file: never contended; tells recovery that this file is live
            fcntl.flock(raw.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:  # pragma: no cover - a file system without flock
            log.debug("no flock on %s: %s", path, error)
        self._file = self._file_wrapper(raw) if self._file_wrapper else raw
        self._name = name
        self._size = 0
        self._data_records = 0
        warcinfo = warcinfo_record(name.closed_name, self.warcinfo_fields)
        self._warcinfo_id = warcinfo.record_id
        log.info("opened WARC file %s", path)
        self._write_bytes(serialize(warcinfo, self.gzip_level))

    def _fsync(self) -> None:
        if self._file is not None:
            os.fsync(self._file.fileno())
        self._last_fsync = time.monotonic()

    def _close_file(self, keep: bool = True) -> None:
        """fsync, close and rename ``.open`` away; drop a file that holds no data record."""
        assert self._file is not None and self._name is not None
        open_path = self.directory / self._name.open_name
        closed_path = self.directory / self._name.closed_name
        try:
            self._fsync()
        except OSError as error:  # pragma: no cover - depends on the file system
            log.error("fsync of %s failed: %s", open_path, error)
        # Renamed (or removed) before it is closed: the lock holds until the name is final.
        try:
            if keep and self._data_records:
                if self._on_close is not None:
                    try:
                        self._on_close()
                    except OSError as error:  # a full disk: said, no traceback
                        # Its index lines may be lost: left .open, the next start (or
                        # `warc recover`) finishes it and rebuilds them from the file.
                        log.error(
                            "%s left .open: its index lines could not be written (%s)",
                            open_path,
                            error.strerror or error,
                        )
                        return
                    except Exception:
                        log.exception("on_close hook failed for %s", open_path)
                os.replace(open_path, closed_path)
                self._fsync_directory()
                self.closed_files.append(closed_path)
                log.info("closed WARC file %s (%d bytes)", closed_path, self._size)
            else:
                open_path.unlink(missing_ok=True)
        finally:
            self._file.close()
            self._file = None
            self._name = None

    def _fsync_directory(self) -> None:
        fsync_directory(self.directory)
