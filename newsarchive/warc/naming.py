"""WARC file names: ``PREFIX-YYYYMMDDhhmmss-SERIAL-HOST.warc.gz``.

HOST carries the host name and the process id (``host-pPID``) so that several
crawl workers writing into one directory never pick the same name. Names keep to
letters, digits, ``.`` and ``-``: a WACZ names each file as a Frictionless resource,
which allows nothing else (``~`` or ``_`` made every package fail its validator). A file is
called ``NAME.open`` while it is written. A resumed crawl never appends: it takes
the next serial after the highest one found in the directory.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
SERIAL_DIGITS = 5

_NAME_RE = re.compile(
    r"^(?P<prefix>.+)-(?P<timestamp>\d{14})-(?P<serial>\d{5,})-(?P<host>[^/]+?)"
    r"\.warc\.gz(?P<open>\.open)?$"
)
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True)
class WarcName:
    """The parts of a WARC file name."""

    prefix: str
    timestamp: str
    serial: int
    host: str
    is_open: bool = False

    @property
    def closed_name(self) -> str:
        serial = f"{self.serial:0{SERIAL_DIGITS}d}"
        return f"{self.prefix}-{self.timestamp}-{serial}-{self.host}{WARC_SUFFIX}"

    @property
    def open_name(self) -> str:
        return self.closed_name + OPEN_SUFFIX


def parse_name(filename: str) -> WarcName | None:
    """Parse a file name written by us (``None`` for anything else)."""
    match = _NAME_RE.match(Path(filename).name)
    if not match:
        return None
    return WarcName(
        prefix=match["prefix"],
        timestamp=match["timestamp"],
        serial=int(match["serial"]),
        host=match["host"],
        is_open=bool(match["open"]),
    )


def safe_part(text: str) -> str:
    """``text`` with every run of characters unsafe in a file name replaced by ``-``."""
    return _UNSAFE_RE.sub("-", text)


def host_part(pid: int | None = None) -> str:
    """Host name plus process id, made safe for a file name."""
    host = safe_part(socket.gethostname().split(".")[0]) or "localhost"
    return f"{host}-p{os.getpid() if pid is None else pid}"


def highest_serial(directory: Path, prefix: str) -> int:
    """Highest serial of ``prefix`` files in ``directory`` (open or closed); -1 if none."""
    highest = -1
    if not directory.is_dir():
        return highest
    for entry in directory.iterdir():
        parsed = parse_name(entry.name)
        if parsed and parsed.prefix == prefix:
            highest = max(highest, parsed.serial)
    return highest


def new_name(directory: Path, prefix: str, now: datetime | None = None) -> WarcName:
    """A fresh name whose serial follows every file already in ``directory``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    safe_prefix = safe_part(prefix) or "newsarchive"
    return WarcName(
        prefix=safe_prefix,
        timestamp=moment.strftime("%Y%m%d%H%M%S"),
        serial=highest_serial(directory, safe_prefix) + 1,
        host=host_part(),
    )


def in_capture_order(paths: list[Path]) -> list[Path]:
    """``paths`` by the time their names carry (then serial), when every name is ours.

    Re-extraction numbers article versions in the order it reads captures, as the crawl
    did in the order it fetched them: crawl folders given as ``r3 r1 r2`` (or custom crawl
    ids that do not sort by time) must not make the oldest text the newest version.
    Files named otherwise keep the order given.
    """
    named = [(parse_name(path.name), path) for path in paths]
    keyed = [((name.timestamp, name.serial), path) for name, path in named if name is not None]
    if len(keyed) < len(named):
        return list(paths)
    return [path for _, path in sorted(keyed, key=lambda pair: pair[0])]
