"""Walk a ``.warc.gz`` member by member, independently of any WARC parser.

``warcio check`` stops quietly at a gzip member cut short at the end of a file
(the usual damage after a crash or a full disk). This walk decompresses each
member to its end, records its offset and length, and reports a member that is
cut short, bytes that are no gzip at all, and members that do not start a WARC
record.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_SIZE = 1 << 20
WARC_MAGIC = b"WARC/"


@dataclass(frozen=True)
class Member:
    """One complete gzip member: its byte range in the file."""

    offset: int
    length: int


@dataclass
class WalkReport:
    """The complete members of a file and what is wrong with it (nothing when ``ok``)."""

    path: Path
    members: list[Member] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    complete_bytes: int = 0  # end of the last complete member

    @property
    def ok(self) -> bool:
        return not self.problems


def walk_members(path: str | Path) -> WalkReport:
    """Decompress every gzip member of ``path`` to its end."""
    report = WalkReport(Path(path))
    with open(path, "rb") as stream:
        position = 0  # absolute offset of the first byte of ``pending``
        start = 0
        decompressor: zlib._Decompress | None = None
        head = b""
        pending = b""
        while True:
            if not pending:
                pending = stream.read(CHUNK_SIZE)
                if not pending:
                    break
            if decompressor is None:
                decompressor, start, head = zlib.decompressobj(zlib.MAX_WBITS | 16), position, b""
            try:
                output = decompressor.decompress(pending)
            except zlib.error as error:
                report.problems.append(f"offset {start}: not a valid gzip member ({error})")
                return report
            if len(head) < len(WARC_MAGIC):
                head += output[: len(WARC_MAGIC)]
            if not decompressor.eof:
                position += len(pending)
                pending = b""
                continue
            used = len(pending) - len(decompressor.unused_data)
            position += used
            pending = decompressor.unused_data
            decompressor = None
            report.members.append(Member(start, position - start))
            report.complete_bytes = position
            if not head.startswith(WARC_MAGIC):
                report.problems.append(f"offset {start}: gzip member does not hold a WARC record")
        if decompressor is not None:
            report.problems.append(
                f"offset {start}: gzip member cut short at end of file "
                f"({position - start} bytes, never finished)"
            )
    if not report.members and not report.problems:
        report.problems.append("no gzip member at all (empty file)")
    return report
