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
digests' ``hash()`` values (filled from the database on open, ~60 bytes a payload);
a hit (a real one, or a rare hash collision) is answered by SQLite. Other
connections write to the same file while this one is open (the sites of a plan
crawled side by side, each with its own index; a second crawl process of the plan),
so before a miss is believed, ``PRAGMA data_version`` says whether another
connection committed since the set was last brought up to date; if one did, the
rows added since (``rowid`` above the highest seen) join the set first. The check
reads the WAL index (~13 µs, twenty times the set lookup), so it is made at most
once per ``refresh_interval`` (1 s): writers commit every ``commit_interval``
(2 s) anyway, so another process's entry is seen at most a second later than it
could be, instead of never.
No read transaction is held between calls (Python's sqlite3 opens one only for
writes, and every write commits), so each query sees every committed entry.

:class:`DigestReader` reads an index without changing it (``reextract`` resolving
revisits): a crawl's index is never edited by a tool that only reads archives.
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
        return plan_index_path(Path(state))
    return warc_dir / DIGESTS_NAME


def plan_index_path(state_path: Path) -> Path:
    """``state/PLAN.sqlite`` -> ``state/PLAN.digests.sqlite``."""
    return state_path.with_name(state_path.stem + PLAN_SUFFIX)


_COLUMNS = "digest, uri, warc_date, record_id, filename, offset, length"


class DigestReader:
    """Read-only lookups in an index file (its entries' files relative to its folder).

    Opened with SQLite's ``mode=ro``: resolving revisits never forgets or adds an entry.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        self._db = sqlite3.connect(uri, uri=True)

    def lookup(self, digest: str) -> ArchivedPayload | None:
        """The entry of ``digest`` as stored (None when absent or unreadable)."""
        try:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM payloads WHERE digest = ?", (digest,)
            ).fetchone()
        except sqlite3.Error as error:
            log.warning("digest index %s: %s", self.path, error)
            return None
        return ArchivedPayload(*row) if row else None

    def close(self) -> None:
        self._db.close()


class DigestIndex:
    """Payload digest -> first full capture (file relative to ``warc_dir`` for callers)."""

    def __init__(
        self,
        path: str | Path,
        commit_every: int = 200,
        commit_interval: float = 2.0,
        *,
        warc_dir: str | Path | None = None,
        refresh_interval: float = 1.0,
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
        # hash() of every digest in the table up to rowid _seen: a negative lookup needs
        # no query while no other connection has committed (data version _version).
        self._known: set[int] = set()
        self._seen = 0
        self.refresh_interval = refresh_interval
        self._checked = time.monotonic()
        self._version = self._data_version()
        self._add_rows_after(0)

    def _data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _add_rows_after(self, rowid: int) -> None:
        for row, digest in self._db.execute(
            "SELECT rowid, digest FROM payloads WHERE rowid > ?", (rowid,)
        ):
            self._known.add(hash(digest))
            self._seen = max(self._seen, row)

    def _catch_up(self) -> bool:
        """Add what other connections committed since the last look (True: something may be new)."""
        now = time.monotonic()
        if now - self._checked < self.refresh_interval:
            return False
        with self._lock:
            self._checked = now
            version = self._data_version()
            if version == self._version:
                return False
            self._version = version
            self._add_rows_after(self._seen)
            return True

    def _for_caller(self, entry: ArchivedPayload) -> ArchivedPayload:
        if self._same_folder:
            return entry
        filename = relative_to_folder(entry.filename, self.path.parent, self.warc_dir)
        return replace(entry, filename=filename)

    def lookup(self, digest: str) -> ArchivedPayload | None:
        """The first full capture of ``digest``, its file relative to ``warc_dir``."""
        if hash(digest) not in self._known and (
            not self._catch_up() or hash(digest) not in self._known
        ):
            return None
        unwritten = self._unwritten.get(digest)
        if unwritten is not None:
            return self._for_caller(unwritten)
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM payloads WHERE digest = ?", (digest,)
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
