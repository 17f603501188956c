"""Walk a ``.warc.gz`` member by member, independently of any WARC parser.

``warcio check`` stops quietly at a gzip member cut short at the end of a file
(the usual damage after a crash or a full disk), and warcio's reader raises in the
middle of a file at a corrupt member, losing every record after it. This walk
inflates each member to its end as a stream (never holding its output: a member
that inflates to gigabytes costs time, not memory), checks that it holds exactly
one whole WARC record (version line, header block, ``Content-Length`` bytes of
block, the closing CRLF CRLF), and records its offset and length.

After a bad member, ``iter_members(..., resync=True)`` looks for the next offset
where a gzip member header (``1f 8b 08``) starts a member that holds a whole WARC
record, and carries on from there: the damage costs the bytes in between, not the
rest of the file. Used by ``warc check``, ``warc recover`` and ``reextract``.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 1 << 16
STEP = 1 << 20  # most output inflated per call (the output is counted, not kept)
WARC_MAGIC = b"WARC/"
MEMBER_MAGIC = b"\x1f\x8b\x08"  # gzip magic + deflate method
HEAD_LIMIT = 1 << 16  # a WARC header block longer than this is not one we can read
RECORD_END = b"\r\n\r\n"
# Problem of a member holding several records (whole-file gzip, as some tools write).
MULTI_RECORD = "gzip member holds more than one WARC record"
_LENGTH_RE = re.compile(rb"\r\nContent-Length:[ \t]*(\d+)[ \t]*\r\n", re.IGNORECASE)
_TYPE_RE = re.compile(rb"\r\nWARC-Type:[ \t]*([^\r\n]*?)[ \t]*\r\n", re.IGNORECASE)


@dataclass(frozen=True)
class Member:
    """A byte range of the file: one whole WARC record when ``problem`` is None.

    A bad range (``problem`` set) covers everything up to the next good member.
    """

    offset: int
    length: int
    inflated: int = 0  # bytes the member inflates to
    warc_type: str | None = None
    problem: str | None = None

    @property
    def end(self) -> int:
        return self.offset + self.length


@dataclass
class WalkReport:
    """The complete members of a file and what is wrong with it (nothing when ``ok``)."""

    path: Path
    members: list[Member] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    complete_bytes: int = 0  # end of the last good member before any damage

    @property
    def ok(self) -> bool:
        return not self.problems


def _record_problem(head: bytes, inflated: int, tail: bytes) -> tuple[str | None, str | None]:
    """(WARC-Type, problem) of an inflated member, from its head, size and last bytes."""
    if not head.startswith(WARC_MAGIC):
        return None, "gzip member does not hold a WARC record"
    end = head.find(RECORD_END)
    if end < 0:
        return None, "WARC header block not terminated"
    block = head[: end + 2]
    length = _LENGTH_RE.search(block)
    if length is None:
        return None, "WARC record without Content-Length"
    kind = _TYPE_RE.search(block)
    warc_type = kind.group(1).decode("latin-1") if kind else None
    expected = end + len(RECORD_END) + int(length.group(1)) + len(RECORD_END)
    if inflated > expected:
        return warc_type, MULTI_RECORD
    if inflated != expected or tail != RECORD_END:
        return warc_type, f"WARC record cut short: {inflated} bytes, header promises {expected}"
    return warc_type, None


def read_member(stream: BinaryIO, offset: int) -> Member:
    """Inflate the gzip member at ``offset`` as a stream; say whether it is one whole record."""
    stream.seek(offset)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    consumed = inflated = 0
    head = tail = b""
    while not inflater.eof:
        data = stream.read(CHUNK_SIZE)
        if not data:
            return Member(offset, consumed, inflated, problem="gzip member cut short")
        last = STEP
        while (data or last == STEP) and not inflater.eof:
            try:
                out = inflater.decompress(data, STEP)
            except zlib.error as error:
                return Member(
                    offset, consumed, inflated, problem=f"not a valid gzip member ({error})"
                )
            consumed += len(data) - len(inflater.unconsumed_tail)
            data, last = inflater.unconsumed_tail, len(out)
            inflated += len(out)
            if len(head) < HEAD_LIMIT:
                head += out[: HEAD_LIMIT - len(head)]
            tail = (tail + out[-4:])[-4:]
        if inflater.eof:
            consumed -= len(inflater.unused_data)
    warc_type, problem = _record_problem(head, inflated, tail)
    return Member(offset, consumed, inflated, warc_type, problem)


def _next_good_member(stream: BinaryIO, start: int, size: int) -> Member | None:
    """The first member after ``start`` that holds a whole WARC record (None: none left)."""
    position = start
    carry = b""
    while position < size:
        stream.seek(position)
        chunk = carry + stream.read(CHUNK_SIZE)
        base = position - len(carry)
        if not chunk:
            return None
        found = chunk.find(MEMBER_MAGIC)
        while found >= 0:
            member = read_member(stream, base + found)
            if member.problem is None:
                return member
            found = chunk.find(MEMBER_MAGIC, found + 1)
        position = base + len(chunk)
        carry = chunk[-(len(MEMBER_MAGIC) - 1) :]
    return None


def iter_members(stream: BinaryIO, resync: bool = True) -> Iterator[Member]:
    """Every member of ``stream`` in order, a bad stretch as one ``Member`` with a problem.

    Without ``resync`` the walk stops at the first bad member (its ``length`` is the
    rest of the file).
    """
    size = stream.seek(0, os.SEEK_END)
    offset = 0
    while offset < size:
        member = read_member(stream, offset)
        if member.problem is None:
            yield member
            offset = member.end
            continue
        if not resync:
            yield Member(offset, size - offset, member.inflated, member.warc_type, member.problem)
            return
        following = _next_good_member(stream, offset + 1, size)
        end = following.offset if following else size
        yield Member(offset, end - offset, problem=member.problem)
        if following is None:
            return
        yield following
        offset = following.end


def walk_members(path: str | Path, resync: bool = True) -> WalkReport:
    """Walk every gzip member of ``path``; problems name their offset."""
    report = WalkReport(Path(path))
    damaged = False
    with open(path, "rb") as stream:
        for member in iter_members(stream, resync):
            if member.problem is None:
                report.members.append(member)
                if not damaged:
                    report.complete_bytes = member.end
                continue
            damaged = True
            report.problems.append(f"offset {member.offset}: {describe(member)}")
    if not report.members and not report.problems:
        report.problems.append("no gzip member at all (empty file)")
    return report


def describe(member: Member) -> str:
    """One line on a bad stretch: what is wrong and how many bytes it costs."""
    return f"{member.problem} ({member.length} bytes skipped)"
