"""Finish the WARC files a killed crawl left as ``*.warc.gz.open``.

The writer puts one gzip member per record and one ``write()`` per request/response
pair, and hands out a record's pointer (to the *finished* file name) only after
its write returned. A ``kill -9`` can therefore only cut the group being written:
every record before it is whole, and every pointer exported, indexed or stored in
the digest index points at one of them. Recovery keeps exactly that prefix:

* walk the members from the start (``gzipwalk``: each must inflate to its end and
  hold one whole WARC record), cut the file after the last good one, fsync it and
  rename it to its final name, so every pointer to it resolves;
* a file with no whole record is removed (nothing can point into it);
* in a crawl folder, make ``index.cdxj`` agree: drop the torn last line and every
  line that points into a recovered file, add lines for every record it kept
  (``cdxj.entries_from_warc``), and sort the file.

A file some running process still writes is never touched: the writer holds an
exclusive ``flock`` on its ``.open`` file for as long as it writes, and the kernel
drops it when the process dies, however it dies.

Runs when a crawl opens its output folder (``WarcCapture.open``), and as
``newsarchive warc recover PATH...`` for anyone holding only the files.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newsarchive.atomic import fsync_directory
from newsarchive.warc.gzipwalk import iter_members
from newsarchive.warc.naming import OPEN_SUFFIX

log = logging.getLogger(__name__)

INDEX_NAME = "index.cdxj"


@dataclass(frozen=True)
class Recovered:
    """What recovery did to one ``.open`` file."""

    path: Path  # the .open file as found
    final: Path | None  # its finished name; None when removed or left alone
    records: int = 0  # whole records kept
    cut: int = 0  # bytes cut from the end
    skipped: str = ""  # why the file was left alone (a live writer holds it)

    def line(self) -> str:
        """One line for the user."""
        if self.skipped:
            return f"skipped  {self.path}  ({self.skipped})"
        if self.final is None:
            return f"removed  {self.path}  (no whole record; {self.cut} bytes)"
        return f"recovered  {self.final}  ({self.records} records kept, {self.cut} bytes cut)"


def lock_exclusive(fd: int) -> bool:
    """Take the writer's lock on an open file without waiting; False when another holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # pragma: no cover - a file system without flock: nobody can hold one
        return True
    return True


def final_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def recover_file(path: str | Path) -> Recovered:
    """Cut one ``.open`` WARC file after its last whole record and give it its final name."""
    path = Path(path)
    with open(path, "r+b") as stream:
        if not lock_exclusive(stream.fileno()):
            return Recovered(path, None, skipped="a running crawl is writing it")
        size = os.fstat(stream.fileno()).st_size
        keep = records = 0
        for member in iter_members(stream, resync=False):
            if member.problem is not None:
                break
            keep, records = member.end, records + 1
        if records == 0:
            path.unlink()
            return Recovered(path, None, cut=size)
        if keep < size:
            stream.truncate(keep)
        stream.flush()
        os.fsync(stream.fileno())
        final = final_path(path)
        if final.exists():  # never overwrite a finished file: keep both, say so
            final = path.with_name(final.name + f".recovered-{os.getpid()}")
        os.replace(path, final)
    fsync_directory(path.parent)
    return Recovered(path, final, records, size - keep)


def repair_index(index_path: Path, recovered: Iterable[Recovered]) -> int:
    """Make ``index.cdxj`` agree with recovered files; return the number of lines written.

    Lines for a recovered file are replaced by lines built from the file as kept
    (the index is appended to in batches, so the crash may have lost some of them,
    and a line is only written once its record is). A line that does not parse (the
    torn last line) is dropped.
    """
    from newsarchive.warc.cdxj import entries_from_warc, line_filename

    done = [r for r in recovered if not r.skipped]
    if not done:
        return 0
    touched = {final_path(r.path).name for r in done}
    kept: list[str] = []
    if index_path.exists():
        for line in index_path.read_text(encoding="utf-8", errors="replace").splitlines():
            name = line_filename(line)
            if name is not None and name not in touched:
                kept.append(line + "\n")
    for item in done:
        if item.final is not None:
            kept += [entry.line() for entry in entries_from_warc(item.final)]
    lines = sorted(set(kept))
    temp = index_path.with_suffix(index_path.suffix + ".tmp")
    temp.write_text("".join(lines), encoding="utf-8")
    os.replace(temp, index_path)
    return len(lines)


def open_files(warc_dir: Path) -> list[Path]:
    """The ``.open`` WARC files of one folder."""
    if not warc_dir.is_dir():
        return []
    return sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}"))


def recover_files(output_dir: Path, paths: Iterable[Path]) -> list[Recovered]:
    """Recover ``paths`` (``.open`` WARC files of the crawl folder ``output_dir``) and
    repair that folder's ``index.cdxj`` to list every record they kept."""
    results = [recover_file(path) for path in paths]
    if results:
        repair_index(output_dir / INDEX_NAME, results)
    return results


def recover_folder(output_dir: Path, warc_subdir: str = "warc") -> list[Recovered]:
    """Recover every ``.open`` WARC file of a crawl folder and repair its ``index.cdxj``."""
    results = recover_files(output_dir, open_files(output_dir / warc_subdir))
    for result in results:
        log.warning("WARC recovery: %s", result.line())
    return results


def crawl_folder_of(warc_file: Path) -> Path | None:
    """The crawl folder (holding ``index.cdxj``) of a file in its ``warc/`` folder."""
    parent = warc_file.parent
    if parent.name == "warc" and (parent.parent / INDEX_NAME).exists():
        return parent.parent
    return None
