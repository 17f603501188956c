"""Every whole record of a WARC file, damaged or not: one gzip member at a time.

Shared by ``reextract`` (:mod:`newsarchive.warc.reread`), ``warc wacz`` and the CDXJ
indexer (:func:`newsarchive.warc.cdxj.entries_from_warc`): each gzip member must hold
one whole WARC record, and after a bad member (corrupt, cut short, not gzip) reading
resumes at the next member that holds one, so damage costs the bytes it spans and
never the records after it. Its own module, below both, so neither imports the other.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newsarchive.inflate import TooLarge, max_size
from newsarchive.warc.gzipwalk import MULTI_RECORD, WARC_MAGIC, Member, iter_members, read_member

READ_SIZE = 1 << 16


@dataclass
class FileDamage:
    """The bad stretches of one file, and how many whole records it still gave."""

    path: Path
    stretches: list[Member] = field(default_factory=list)
    records: int = 0
    error: str | None = None  # the file could not be opened at all

    def line(self) -> str:
        """One line for the user: what was skipped and what was kept."""
        if self.error:
            return f"{self.path}: unreadable ({self.error})"
        skipped = sum(m.length for m in self.stretches)
        if not self.records:
            return f"{self.path}: not a readable WARC file ({self.stretches[0].problem})"
        first = self.stretches[0]
        more = f" and {len(self.stretches) - 1} more" if len(self.stretches) > 1 else ""
        return (
            f"{self.path}: damaged, {skipped} bytes skipped (offset {first.offset}: "
            f"{first.problem}{more}); {self.records} whole records read"
        )


def read_capped(stream: Any, limit: int) -> bytes:
    """All of ``stream``, or ``TooLarge`` as soon as it passes ``limit`` bytes."""
    parts: list[bytes] = []
    total = 0
    while True:
        part = stream.read(READ_SIZE)
        if not part:
            return b"".join(parts)
        total += len(part)
        if total > limit:
            raise TooLarge(limit)
        parts.append(part)


def whole_records(path: Path, damage: list[FileDamage]) -> Iterator[tuple[Any, int, int]]:
    """(record, offset, length) of every whole record in ``path``; its damage goes to ``damage``.

    Each record is parsed from its own member, so a bad member never ends the file.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.limitreader import LimitReader

    report = FileDamage(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the last record
    except OSError as error:
        report.error = error.strerror or str(error)
        damage.append(report)
        return
    with stream:
        if not _one_record_per_member(stream):
            yield from _sequential_records(stream, report)
            if report.stretches:
                damage.append(report)
            return
        for member in iter_members(stream):
            if member.problem is not None:
                report.stretches.append(member)
                continue
            stream.seek(member.offset)
            try:
                record = next(iter(ArchiveIterator(LimitReader(stream, member.length))), None)
            except (ArchiveLoadFailed, ValueError, EOFError) as error:
                report.stretches.append(replace(member, problem=f"unparseable record ({error})"))
                continue
            if record is None:
                report.stretches.append(replace(member, problem="no WARC record found"))
                continue
            report.records += 1
            yield record, member.offset, member.length
    if report.stretches:
        damage.append(report)


def _one_record_per_member(stream: Any) -> bool:
    """False for an uncompressed WARC, or one gzip stream around several records.

    Both are valid WARC (not what the crawl writes); they are read in one sequence
    with warcio, and damage there ends the file.
    """
    head = stream.read(len(WARC_MAGIC))
    stream.seek(0)
    if head == WARC_MAGIC:
        return False
    return read_member(stream, 0).problem != MULTI_RECORD


@dataclass
class _Oversize:
    """Stands for a block over the limit: reading it fails the page that needs it."""

    limit: int

    def read(self, *_: Any) -> bytes:
        raise TooLarge(self.limit)


def _sequential_records(stream: Any, report: FileDamage) -> Iterator[tuple[Any, int, int]]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    stream.seek(0)
    records = ArchiveIterator(stream)
    offset = 0
    limit = max_size()
    try:
        for record in records:
            # warcio knows a record's place once it was read to its end (asking for the
            # offset earlier reads it to its end, losing the block): read it here
            block: Any
            try:
                block = io.BytesIO(read_capped(record.raw_stream, limit))
            except TooLarge:
                block = _Oversize(limit)
            offset = records.get_record_offset()
            record.raw_stream = block
            report.records += 1
            yield record, offset, records.get_record_length()
    except (ArchiveLoadFailed, ValueError, EOFError, OSError) as error:
        size = stream.seek(0, 2)
        reason = " ".join(str(error).split())[:160]
        report.stretches.append(
            Member(offset, size - offset, problem=f"unreadable after this record ({reason})")
        )
