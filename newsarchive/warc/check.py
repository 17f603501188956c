"""``newsarchive warc check``: digests (as ``warcio check``) plus the gzip member walk.

A file passes when every record's block and payload digests verify, every gzip
member is complete, and the first record is a ``warcinfo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.warc.gzipwalk import WalkReport, walk_members


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


def _drain(stream: object) -> None:
    while stream.read(1 << 20):  # type: ignore[attr-defined]
        pass


def check_digests(path: Path, report: CheckReport) -> None:
    """Read every record through warcio with digest checking on."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, check_digests=True)
            for number, record in enumerate(records):
                _drain(record.content_stream())
                offset = records.get_record_offset()
                if number == 0 and record.rec_type != "warcinfo":
                    report.problems.append(
                        f"offset {offset}: first record is {record.rec_type}, not warcinfo"
                    )
                if record.digest_checker.passed is False:
                    report.problems.extend(
                        f"offset {offset}: {problem}" for problem in record.digest_checker.problems
                    )
                report.records += 1
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        report.problems.append(f"unreadable after {report.records} records: {error}")


def check_file(path: str | Path) -> CheckReport:
    """Digest check plus gzip member walk of one ``.warc.gz`` file."""
    report = CheckReport(Path(path))
    report.walk = walk_members(path)
    report.problems.extend(report.walk.problems)
    check_digests(report.path, report)
    return report
