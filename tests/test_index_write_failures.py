"""A full disk while the CDXJ index or the digest index is written.

The record is in the WARC file when its index line is written; a line lost then
must never let the file be finished as if whole (replay tools and the plan's state
trust ``index.cdxj``). Seen on a 1 MB tmpfs: the digest index's SQLite commit hit
the full disk first, the line was never written, and the file was closed normally.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from support.warccapture import capture_in, html_exchange

from newsarchive.warc import cdxj
from newsarchive.warc.cdxj import CdxjAppender, IndexEntry, entries_from_warc
from newsarchive.warc.recover import recover_folder
from newsarchive.warc.writer import WarcWriteError


def entry(number: int) -> IndexEntry:
    return IndexEntry(
        f"http://127.0.0.1:9/news/{number}",
        "2024-06-01T12:00:00Z",
        "text/html",
        200,
        "sha1:AAAA",
        100,
        number * 100,
        "x.warc.gz",
    )


class FullAfter:
    """``os.write`` that accepts ``room`` more bytes, then fails with ENOSPC."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = cdxj.os.write

    def __call__(self, fd: int, data: Any) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        part = bytes(data[: self.room])
        self.room -= len(part)
        return self.real(fd, part)


def test_a_failed_index_write_leaves_whole_lines_and_every_later_flush_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "index.cdxj"
    index = CdxjAppender(path, flush_interval=3600)
    index.add(entry(1))
    index.flush()
    first = path.read_bytes()
    index.add(entry(2))
    index.add(entry(3))
    monkeypatch.setattr(cdxj.os, "write", FullAfter(len(entry(2).line()) + 10))
    with pytest.raises(OSError):
        index.flush()
    assert path.read_bytes() == first  # the half-written lines are cut away
    monkeypatch.undo()  # room again: the lost lines must still be reported
    index.add(entry(4))
    with pytest.raises(OSError, match="index lines lost"):
        index.flush()
    index.close()  # no raise, no sort: recovery rebuilds and sorts
    assert path.read_bytes() == first


def test_lines_not_yet_due_are_written_whole_and_sorted_at_close(tmp_path: Path) -> None:
    """Lines not yet due are the appender's own: a close writes them, in order, whole."""
    path = tmp_path / "index.cdxj"
    index = CdxjAppender(path, flush_interval=3600)
    for number in (3, 1, 2):
        index.add(entry(number))
    assert path.read_bytes() == b""
    index.close()
    assert path.read_text().splitlines(keepends=True) == sorted(entry(n).line() for n in (1, 2, 3))


def test_a_full_digest_index_stops_the_write_after_the_line_is_indexed(tmp_path: Path) -> None:
    capture = capture_in(tmp_path, {"NEWSARCHIVE_CRAWL_ID": "disk"})
    capture.archive(html_exchange("http://127.0.0.1:9/a", b"<p>first</p>"))

    def full(_entry: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    capture._digests.add = full
    with pytest.raises(WarcWriteError, match="disk is full"):
        capture.archive(html_exchange("http://127.0.0.1:9/b", b"<p>second</p>"))
    capture.spider_closed(None, "warc_write_failed")
    [warc] = list((tmp_path / "warc").glob("*.warc.gz"))
    indexed = (tmp_path / "index.cdxj").read_text().splitlines(keepends=True)
    assert sorted(indexed) == sorted(e.line() for e in entries_from_warc(warc))
    assert len(indexed) == 2


def test_a_file_whose_index_write_failed_is_left_open_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However the disk fills, the next start's recovery gives an index of every record."""
    capture = capture_in(tmp_path, {"NEWSARCHIVE_CRAWL_ID": "disk"})
    capture.archive(html_exchange("http://127.0.0.1:9/a", b"<p>first</p>"))
    capture._index.flush()
    monkeypatch.setattr(cdxj.os, "write", FullAfter(0))
    capture._index.flush_interval = 0  # the next line is due at once
    with pytest.raises(WarcWriteError, match="No space left"):
        capture.archive(html_exchange("http://127.0.0.1:9/b", b"<p>second</p>"))
    monkeypatch.undo()  # the disk has room again when the crawl closes
    capture.spider_closed(None, "warc_write_failed")
    assert not list((tmp_path / "warc").glob("*.warc.gz"))  # not finished without its lines
    [recovered] = recover_folder(tmp_path)
    assert recovered.records == 5  # warcinfo and two pairs
    indexed = (tmp_path / "index.cdxj").read_text().splitlines(keepends=True)
    assert indexed == sorted(e.line() for e in entries_from_warc(recovered.final))
    assert len(indexed) == 2
