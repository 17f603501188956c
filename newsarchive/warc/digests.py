"""Index of archived payload digests, so a re-fetched payload becomes a revisit.

One index per plan, so identical payloads across runs (robots.txt, sitemaps,
feeds, home pages, unchanged articles re-fetched by ``refetch``) and across the
sites of a plan are stored in full once:

* a plan crawl (``NEWSARCHIVE_STATE_PATH``) keeps it beside the crawl state:
  ``state/PLAN.sqlite`` -> ``state/PLAN.digests.sqlite``;
* Redis workers (``NEWSARCHIVE_STATE_BACKEND = "redis"``) share one hash in
  Redis (:class:`newsarchive.distributed.digests.RedisDigestIndex`): the plan's
  (``newsarchive:state:PLAN:digests``), or without a plan the crawl's
  (``newsarchive:crawl:ID:digests``, deleted by ``crawl-finish``);
* a crawl without a plan keeps ``OUT/warc/digests.sqlite`` beside its WARC files,
  so a later crawl into the same output folder finds the earlier one's payloads.

Each entry names the WARC file of the full capture. The SQLite index stores it
relative to the index's own folder (the tree can move as a whole), Redis as an
absolute path (workers share one file system); :meth:`DigestIndex.lookup` hands
it back relative to the WARC folder of the crawl asking, so a revisit's pointer
(``refers_to.warc_filename``) leads to the original from the revisit's own file,
in this crawl's folder or an earlier one's. Replay tools need no file name:
pywb (and ReplayWeb.page) resolve a revisit by looking up
``WARC-Refers-To-Target-URI`` near ``WARC-Refers-To-Date`` with the same payload
digest in the collection's index, so a WACZ or pywb collection holding both
crawls' WARC files replays it.

An entry is added only after its record was written completely; entries are
committed in batches, so a crash can only forget recent payloads (they are
archived in full again next time), never point at a record that does not exist.

Most payloads of a crawl are new, so ``lookup`` first asks an in-memory set of the
digests' ``hash()`` values (filled from the database on open, ~60 bytes a payload):
a miss there is certain and costs no query; a hit (a real one, or a rare hash
collision) is answered by SQLite. The database stays the persistent record. A
payload another process adds after this one opened the index is not seen (it is
archived in full once more): crawls of one plan in one process share nothing
either, at worst a payload is stored twice.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payloads (
    digest      TEXT PRIMARY KEY,
    uri         TEXT NOT NULL,
    warc_date   TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    filename    TEXT NOT NULL,
    offset      INTEGER NOT NULL,
    length      INTEGER NOT NULL
)
"""


@dataclass(frozen=True)
class ArchivedPayload:
    """Where a payload was first archived in full."""

    digest: str
    uri: str
    warc_date: str
    record_id: str
    filename: str
    offset: int
    length: int


DIGESTS_NAME = "digests.sqlite"
PLAN_SUFFIX = ".digests.sqlite"  # state/PLAN.sqlite -> state/PLAN.digests.sqlite


class PayloadIndex(Protocol):
    """What the WARC capture asks of a digest index (SQLite or Redis)."""

    def lookup(self, digest: str) -> ArchivedPayload | None: ...

    def add(self, entry: ArchivedPayload) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


def relative_to_folder(filename: str, source: Path, target: Path) -> str:
    """``filename`` (relative to ``source``, or absolute) as seen from ``target``."""
    return os.path.relpath(os.path.join(os.path.abspath(source), filename), os.path.abspath(target))


def digest_index_path(settings: Any, warc_dir: Path) -> Path:
    """The plan's index beside its crawl state, else ``warc_dir/digests.sqlite``."""
    state = settings.get("NEWSARCHIVE_STATE_PATH")
    if state and str(state) != ":memory:":
        state_path = Path(state)
        return state_path.with_name(state_path.stem + PLAN_SUFFIX)
    return warc_dir / DIGESTS_NAME


class DigestIndex:
    """Payload digest -> first full capture (file relative to ``warc_dir`` for callers)."""

    def __init__(
        self,
        path: str | Path,
        commit_every: int = 200,
        commit_interval: float = 2.0,
        *,
        warc_dir: str | Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Entries name files relative to the index's folder; callers think in warc_dir.
        self.warc_dir = Path(warc_dir) if warc_dir is not None else self.path.parent
        self._same_folder = os.path.abspath(self.warc_dir) == os.path.abspath(self.path.parent)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()
        # Entries added since the last commit, kept here rather than inserted one by one.
        self._unwritten: dict[str, ArchivedPayload] = {}
        self._last_commit = time.monotonic()
        self.commit_every = commit_every
        self.commit_interval = commit_interval
        self._lock = threading.Lock()  # lookups in the reactor, adds in the writer thread
        # hash() of every digest in the table: a negative lookup needs no query.
        self._known = {
            hash(digest) for (digest,) in self._db.execute("SELECT digest FROM payloads")
        }

    def _for_caller(self, entry: ArchivedPayload) -> ArchivedPayload:
        if self._same_folder:
            return entry
        filename = relative_to_folder(entry.filename, self.path.parent, self.warc_dir)
        return replace(entry, filename=filename)

    def lookup(self, digest: str) -> ArchivedPayload | None:
        """The first full capture of ``digest``, its file relative to ``warc_dir``."""
        if hash(digest) not in self._known:
            return None
        unwritten = self._unwritten.get(digest)
        if unwritten is not None:
            return self._for_caller(unwritten)
        with self._lock:
            row = self._db.execute(
                "SELECT digest, uri, warc_date, record_id, filename, offset, length "
                "FROM payloads WHERE digest = ?",
                (digest,),
            ).fetchone()
        if row is None:
            return None
        entry = ArchivedPayload(*row)
        if not self._still_archived(entry):
            return None
        return self._for_caller(entry)

    def _still_archived(self, entry: ArchivedPayload) -> bool:
        """False (and the entry forgotten) when its WARC file is gone.

        A revisit must point at a capture someone can replay: after an earlier crawl's
        folder was deleted, the next full copy of the payload becomes the original.
        A file still being written is ``NAME.open``.
        """
        path = Path(entry.filename)
        path = path if path.is_absolute() else self.path.parent / path
        if path.exists() or path.with_name(path.name + ".open").exists():
            return True
        log.info("digest index: %s is gone; %s is stored in full again", path, entry.uri)
        with self._lock:
            self._db.execute("DELETE FROM payloads WHERE digest = ?", (entry.digest,))
            self._db.commit()
        return False

    def add(self, entry: ArchivedPayload) -> None:
        """Remember a full capture (file relative to ``warc_dir``; the first one wins)."""
        if not self._same_folder:
            filename = relative_to_folder(entry.filename, self.warc_dir, self.path.parent)
            entry = replace(entry, filename=filename)
        with self._lock:
            self._unwritten.setdefault(entry.digest, entry)
            self._known.add(hash(entry.digest))
            due = (
                len(self._unwritten) >= self.commit_every
                or time.monotonic() - self._last_commit >= self.commit_interval
            )
        if due:
            self.commit()

    def commit(self) -> None:
        """Insert the batch (one ``executemany``) and commit it."""
        with self._lock:
            self._db.executemany(
                "INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (e.digest, e.uri, e.warc_date, e.record_id, e.filename, e.offset, e.length)
                    for e in self._unwritten.values()
                ],
            )
            self._db.commit()
            self._unwritten.clear()
            self._last_commit = time.monotonic()

    def __len__(self) -> int:
        self.commit()
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM payloads").fetchone()[0])

    def close(self) -> None:
        self.commit()
        self._db.close()
