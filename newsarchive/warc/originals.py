"""Where the full capture a ``revisit`` record refers to is, for re-reading archives.

A revisit stores no payload: the crawl found the payload digest in its digest index
(:mod:`newsarchive.warc.digests`) and wrote a pointer instead. Re-reading a crawl's
WARC files alone (``newsarchive reextract OUT/warc``) must follow the pointer the
way the crawl made it:

* a crawl without a plan keeps its index beside its WARC files
  (``OUT/warc/digests.sqlite``);
* a plan crawl keeps one index per plan beside its crawl state
  (``state/PLAN.digests.sqlite``), and its revisits point into earlier runs' WARC
  files. The crawl folder's ``manifest.json`` records the plan (its path and text),
  so the index is found where the plan put it, or, when the plan's folder was moved
  or copied as a whole, at the same place relative to the crawl folder.

An index entry names the original's WARC file relative to the index's folder; when
that file is not there (the output tree was moved without the state), the same file
name is looked for in the other runs of the site (``OUTPUT/SITE/*/warc/``), where a
plan writes it. Without any index (the state deleted, the output copied alone), the
revisit's ``WARC-Refers-To-Target-URI`` and ``-Date`` are looked up in the other
runs' sorted CDXJ indexes (binary search, as replay tools resolve revisits). The
caller checks that the record found has the revisit's ``WARC-Refers-To`` id and
payload digest, so a wrong guess is never used; :meth:`Originals.searched` names the
places looked at, for the message when nothing matched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from newsarchive.crawlfolder import (
    INDEX_NAME,
    WARC_DIRNAME,
    WORKERS_DIRNAME,
    CrawlFolder,
    CrawlFolderError,
    plan_site_of,
)
from newsarchive.warc.cdxj import surt_key, timestamp14
from newsarchive.warc.digests import DIGESTS_NAME, ArchivedPayload, DigestReader, plan_index_path

log = logging.getLogger(__name__)


class OriginalNotFound(LookupError):
    """No record with the revisit's payload was found where the crawl's pointers lead."""


@dataclass
class Originals:
    """Candidate places of revisits' originals, with the indexes opened once per read."""

    _readers: dict[Path, DigestReader | None] = field(default_factory=dict)
    _indexes: dict[Path, list[Path]] = field(default_factory=dict)
    _expected: dict[Path, list[Path]] = field(default_factory=dict)
    _runs: dict[Path, list[Path]] = field(default_factory=dict)

    def candidates(
        self, warc_path: Path, digest: str, uri: str | None, date: str | None
    ) -> Iterator[tuple[Path, int]]:
        """(file, offset) where the original may be, most certain first (read lazily)."""
        for index in self.indexes(warc_path):
            for entry in self._entries(index, digest):
                yield from ((path, entry.offset) for path in _files(index, entry, warc_path))
        if uri and date:
            key = f"{surt_key(uri)} {timestamp14(date)} ".encode()
            for cdxj in self.run_indexes(warc_path):
                yield from _cdxj_captures(cdxj, key, digest)

    def searched(self, warc_path: Path) -> str:
        """Where a lookup for ``warc_path`` looked, for the message when it found nothing."""
        indexes = self.indexes(warc_path)
        runs = len(self.run_indexes(warc_path))
        expected = ", ".join(map(str, self._expected[warc_path.parent]))
        where = (
            f"the digest index {', '.join(map(str, indexes))}"
            if indexes
            else f"a digest index (none found: looked for {expected})"
        )
        return f"not earlier in this read, nor through {where}, nor in {runs} runs' index.cdxj"

    def indexes(self, warc_path: Path) -> list[Path]:
        """Digest index files that may hold this WARC file's originals (existing ones)."""
        folder = warc_path.parent
        if folder not in self._indexes:
            paths = [folder / DIGESTS_NAME, *_plan_indexes(folder)]
            unique = list(dict.fromkeys(Path(os.path.normpath(p.absolute())) for p in paths))
            self._expected[folder] = unique
            self._indexes[folder] = [p for p in unique if p.is_file()]
        return self._indexes[folder]

    def run_indexes(self, warc_path: Path) -> list[Path]:
        """The CDXJ indexes of the site's runs (looked up once per folder)."""
        folder = warc_path.parent
        if folder not in self._runs:
            self._runs[folder] = _run_indexes(warc_path)
        return self._runs[folder]

    def _reader(self, index: Path) -> DigestReader | None:
        if index not in self._readers:
            try:
                self._readers[index] = DigestReader(index)
            except (sqlite3.Error, OSError) as error:  # unreadable: the others may do
                log.warning("digest index %s: cannot open (%s)", index, error)
                self._readers[index] = None
        return self._readers[index]

    def _entries(self, index: Path, digest: str) -> list[ArchivedPayload]:
        reader = self._reader(index)
        return reader.entries(digest) if reader is not None else []

    def close(self) -> None:
        for reader in self._readers.values():
            if reader is not None:
                reader.close()
        self._readers.clear()


def _files(index: Path, entry: ArchivedPayload, warc_path: Path) -> Iterator[Path]:
    """The entry's file as the index names it, then the same name in the site's other runs.

    Lazy: the other runs are looked at only when the named file did not serve.
    """
    named = index.parent / entry.filename
    yield from (p for p in (named, named.with_name(named.name + ".open")) if p.is_file())
    crawl = warc_path.parent.parent
    if warc_path.parent.name == WARC_DIRNAME and crawl.parent.is_dir():
        name = Path(entry.filename).name
        for run in sorted(crawl.parent.iterdir()):
            for path in (run / WARC_DIRNAME / name, run / WARC_DIRNAME / f"{name}.open"):
                if path.is_file() and path != named:
                    yield path


def recorded_plan(warc_dir: Path) -> Any:
    """The ``Plan`` a plan crawl's manifest records for ``OUTPUT/SITE/CRAWL_ID/warc``.

    None for a crawl of URLs, a folder of loose files or a plan that no longer parses.
    """
    return recorded_plan_site(warc_dir)[0]


def recorded_plan_site(warc_dir: Path) -> tuple[Any, str | None]:
    """The ``Plan`` and the site name a crawl folder's manifest records for its ``warc/``.

    The site is the one the manifest names, whatever the layout: a plan crawl's
    ``OUTPUT/SITE/CRAWL_ID`` and a Redis worker's ``OUTPUT/SITE/CRAWL_ID/workers/W``
    alike (a manifest without a name: the folder's grandparent). ``(None, None)`` for
    a crawl of URLs, loose files or a plan that no longer parses.
    """
    from newsarchive.plan import PlanError, parse_plan

    if warc_dir.name != WARC_DIRNAME:
        return None, None
    try:
        manifest = CrawlFolder(warc_dir.parent).manifest() or {}
    except CrawlFolderError as error:
        log.warning("%s", error)
        return None, None
    recorded = manifest.get("plan") or {}
    if not isinstance(recorded, dict) or not isinstance(recorded.get("text"), str):
        return None, None
    try:
        plan = parse_plan(recorded["text"], str(recorded.get("path") or "plan.toml"))
    except PlanError:
        return None, None
    site = recorded.get("site")
    return plan, site if isinstance(site, str) and site else plan_site_of(warc_dir.parent)


def _plan_indexes(warc_dir: Path) -> list[Path]:
    """The plan's index as the crawl folder's manifest records it, and as moved with it.

    A plan crawl's folder is ``OUTPUT/SITE/CRAWL_ID``; the index keeps its place
    relative to ``OUTPUT`` when the plan's folder moves as a whole.
    """
    plan = recorded_plan(warc_dir)
    run = _run_folder(warc_dir)
    if plan is None or run is None:
        return []
    index = plan_index_path(plan.state_path)
    output = run.parent.parent  # OUTPUT of OUTPUT/SITE/CRAWL_ID
    moved = output / os.path.relpath(index, plan.output_dir)
    return [index, moved]


def _run_folder(warc_dir: Path) -> Path | None:
    """The crawl folder of a crawl's ``warc/``, ``OUTPUT/SITE/CRAWL_ID``: a Redis worker's
    (``CRAWL_ID/workers/W/warc/``) belongs to its crawl's folder too. None for loose files."""
    if warc_dir.name != WARC_DIRNAME:
        return None
    crawl = warc_dir.parent
    return crawl.parent.parent if crawl.parent.name == WORKERS_DIRNAME else crawl


def _run_indexes(warc_path: Path) -> list[Path]:
    """``index.cdxj`` of every run of the crawl's site (``OUTPUT/SITE/*/``), its own too.

    A run of Redis workers has its merged index there once ``crawl-finish --out`` ran,
    and each worker's own below (``OUTPUT/SITE/*/workers/W/``), the only ones before.
    """
    run = _run_folder(warc_path.parent)
    if run is None:
        return []
    site = run.parent
    found = [*site.glob(f"*/{INDEX_NAME}"), *site.glob(f"*/{WORKERS_DIRNAME}/*/{INDEX_NAME}")]
    return sorted(p for p in found if p.is_file())


def _cdxj_captures(cdxj: Path, key: bytes, digest: str) -> Iterator[tuple[Path, int]]:
    """(file, offset) of the full captures under ``key`` (SURT and time) with ``digest``."""
    import json

    try:
        with cdxj.open("rb") as stream:
            for line in _lines_from(stream, cdxj.stat().st_size, key):
                if not line.startswith(key):
                    return
                try:
                    fields = json.loads(line[len(key) :])
                    if fields.get("digest") != digest or fields.get("mime") == "warc/revisit":
                        continue
                    # a merged index (crawl-finish) names workers/W/warc/NAME
                    name = str(fields["filename"])
                    folder = cdxj.parent if "/" in name else cdxj.parent / WARC_DIRNAME
                    yield folder / name, int(fields["offset"])
                except (ValueError, KeyError, TypeError):
                    continue
    except OSError as error:
        log.warning("%s: %s", cdxj, error)


def _lines_from(stream: BinaryIO, size: int, key: bytes) -> Iterator[bytes]:
    """The lines of a bytewise-sorted file from the first one not below ``key`` on."""
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        line = _line_at_or_after(stream, middle)
        if line and line < key:
            low = middle + 1
        else:
            high = middle
    line = _line_at_or_after(stream, low)
    while line:
        yield line
        line = stream.readline()


def _line_at_or_after(stream: BinaryIO, position: int) -> bytes:
    """The first whole line starting at ``position`` or later (b"" at the end)."""
    if position == 0:
        stream.seek(0)
    else:
        stream.seek(position - 1)
        stream.readline()  # the rest of the line holding byte position-1
    return stream.readline()
