"""``newsarchive warc check``: digests (as ``warcio check``) plus the gzip member walk.

A file passes when it is finished (no ``.open`` suffix), every gzip member holds one
whole WARC record whose block and payload digests verify, and the first record is a
``warcinfo``. Digests are checked record by record over the members the walk found,
so damage in the middle of a file does not hide the records after it. Payloads are
read as stored: their content coding is never inflated (a gzip bomb in a response
costs nothing here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from newsarchive.warc.gzipwalk import Member, WalkReport, walk_members
from newsarchive.warc.naming import OPEN_SUFFIX

READ_SIZE = 1 << 16


@dataclass
class CheckReport:
    """Everything found wrong in one file."""

    path: Path
    records: int = 0
    problems: list[str] = field(default_factory=list)
    walk: WalkReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_member(stream: BinaryIO, member: Member) -> list[str]:
    """Digest problems of the record in ``member`` (read as stored, in bounded pieces)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.limitreader import LimitReader

    stream.seek(member.offset)
    try:
        for record in ArchiveIterator(LimitReader(stream, member.length), check_digests=True):
            while record.raw_stream.read(READ_SIZE):
                pass
            if record.digest_checker.passed is False:
                return list(record.digest_checker.problems)
            return []
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        return [f"unreadable record ({error})"]
    return ["no record found"]


def check_digests(path: Path, report: CheckReport) -> None:
    """Verify block and payload digests of every whole record the walk found."""
    assert report.walk is not None
    with open(path, "rb") as stream:
        for number, member in enumerate(report.walk.members):
            if number == 0 and (member.offset != 0 or member.warc_type != "warcinfo"):
                report.problems.append(
                    f"offset {member.offset}: first record is {member.warc_type}, not warcinfo"
                )
            report.problems.extend(
                f"offset {member.offset}: {problem}" for problem in _check_member(stream, member)
            )
            report.records += 1


def check_file(path: str | Path) -> CheckReport:
    """Digest check plus gzip member walk of one ``.warc.gz`` file."""
    report = CheckReport(Path(path))
    if report.path.name.endswith(OPEN_SUFFIX):
        report.problems.append(
            "unfinished file (.open): a crawl was killed while writing it, or is still "
            f"writing it; finish it with `newsarchive warc recover {report.path}`"
        )
    report.walk = walk_members(path)
    report.problems.extend(report.walk.problems)
    check_digests(report.path, report)
    return report
