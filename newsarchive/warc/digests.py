"""SQLite index of archived payload digests, so a re-fetched payload becomes a revisit.

Lives at ``OUT/warc/digests.sqlite`` beside the WARC files it describes, so a later
crawl into the same output directory finds the earlier crawl's payloads. An entry
is added only after its record was written completely; entries are committed in
batches, so a crash can only forget recent payloads (they are archived in full
again next time), never point at a record that does not exist.

Most payloads of a crawl are new, so ``lookup`` first asks an in-memory set of the
digests' ``hash()`` values (filled from the database on open, ~60 bytes a payload):
a miss there is certain and costs no query; a hit (a real one, or a rare hash
collision) is answered by SQLite. The database stays the persistent record.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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


class DigestIndex:
    """Payload digest -> first full capture. Not shared between processes."""

    def __init__(
        self, path: str | Path, commit_every: int = 200, commit_interval: float = 2.0
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
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

    def lookup(self, digest: str) -> ArchivedPayload | None:
        if hash(digest) not in self._known:
            return None
        unwritten = self._unwritten.get(digest)
        if unwritten is not None:
            return unwritten
        with self._lock:
            row = self._db.execute(
                "SELECT digest, uri, warc_date, record_id, filename, offset, length "
                "FROM payloads WHERE digest = ?",
                (digest,),
            ).fetchone()
        return ArchivedPayload(*row) if row else None

    def add(self, entry: ArchivedPayload) -> None:
        """Remember a full capture (the first one wins); it reaches SQLite with its batch."""
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
