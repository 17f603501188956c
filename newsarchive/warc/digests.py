"""Index of archived payload digests, so a re-fetched payload becomes a revisit.

One index per plan, so identical payloads across runs (robots.txt, sitemaps,
feeds, home pages, unchanged articles re-fetched by ``refetch``) and across the
workers of a site are stored in full once. Entries are keyed by (site, digest): a
revisit only ever refers to an original its own site archived (:class:`Scope`), so
a site of the plan serving byte-identical copies of another site's pages cannot
leave that site's crawl folder without the bytes (deleting one site's output never
breaks another's revisits). A crawl without a plan has no site name: each capture's
site is its host and port (:func:`url_site`), so crawls of URL lists sharing one
state file (or one crawl of several hosts) cannot make one host's captures revisits
of another's either. Where the index lives:

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

Index files of older versions keyed entries by digest alone (table ``payloads``);
their entries stay readable: one counts for a site only when its WARC file lies in
that site's output folder (:meth:`Scope.holds`), and new entries go to the keyed
table (``site_payloads``), so an archivist's existing state keeps working.
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
from urllib.parse import urlsplit

from newsarchive.siteconfig import host_and_port

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS site_payloads (
    site        TEXT NOT NULL,
    digest      TEXT NOT NULL,
    uri         TEXT NOT NULL,
    warc_date   TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    filename    TEXT NOT NULL,
    offset      INTEGER NOT NULL,
    length      INTEGER NOT NULL,
    PRIMARY KEY (site, digest)
)
"""
LEGACY_TABLE = "payloads"  # older versions: digest -> capture, whatever the site


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
WORKERS_DIRNAME = "workers"  # crawlfolder.WORKERS_DIRNAME (that module reads WARC files)
PLAN_SUFFIX = ".digests.sqlite"  # state/PLAN.sqlite -> state/PLAN.digests.sqlite


def url_site(uri: str) -> str:
    """The site of a capture made without a plan: ``host:port`` (``www.`` dropped, the
    default port written out), the scope a crawl of URLs keeps to
    (:func:`newsarchive.siteconfig.host_and_port`). The ``:`` never occurs in a plan
    site's name, so the two kinds of key never meet."""
    found = host_and_port(uri)
    if found is None:  # not http(s): its own network location
        return urlsplit(uri).netloc.lower() + ":"
    return f"{found[0]}:{found[1]}"


@dataclass(frozen=True)
class Scope:
    """The site whose captures a crawl's revisits may refer to.

    ``name``: the plan site, or empty for a crawl without a plan, whose every capture
    is its host's (:func:`url_site`): crawls of URL lists sharing a state file given
    with ``-s`` share one index, not one scope. ``folder``: the site's output folder
    (``OUTPUT/SITE``; a crawl without a plan: its own folder), the test for entries
    written before entries named their site.
    """

    name: str
    folder: Path

    def site_of(self, uri: str) -> str:
        """The site a capture of ``uri`` is indexed under."""
        return self.name or url_site(uri)

    def may_hold(self, site: str) -> bool:
        """Whether entries keyed ``site`` can serve this scope (a plan site's own; without
        a plan, any host's, or those written before entries named their host)."""
        return site == self.name if self.name else (not site or ":" in site)

    def serves(self, entry_uri: str, uri: str) -> bool:
        """Whether an entry not keyed by host (written by an older version) of ``entry_uri``
        may be the original of a capture of ``uri``: within a plan site, any; without a
        plan, one of the same host only."""
        return bool(self.name) or url_site(entry_uri) == url_site(uri)

    def older_serves(self, entry_uri: str, uri: str, oldest_file: str | Path | None) -> bool:
        """Whether an entry an older version wrote may be the original of a capture of
        ``uri``: one keyed by no host when :meth:`serves` allows it; one of the oldest
        layout, keyed by digest alone (its absolute file ``oldest_file``), only when that
        file also lies in this site's folder."""
        return self.serves(entry_uri, uri) and (oldest_file is None or self.holds(oldest_file))

    def holds(self, path: str | Path) -> bool:
        """Whether the WARC file ``path`` (absolute) lies in this site's output folder."""
        folder = os.path.normpath(os.path.abspath(self.folder))
        return os.path.normpath(os.path.abspath(path)).startswith(folder + os.sep)


def scope_of(warc_dir: str | Path, site: str | None) -> Scope:
    """The scope of a crawl writing into ``warc_dir``, for plan site ``site`` (or none).

    A plan's crawl folder is ``OUTPUT/SITE/CRAWL_ID`` (a Redis worker's
    ``.../CRAWL_ID/workers/W``): its site's folder is ``OUTPUT/SITE``.
    """
    crawl = Path(os.path.abspath(warc_dir)).parent
    if crawl.parent.name == WORKERS_DIRNAME:
        crawl = crawl.parent.parent
    if site and crawl.parent.name == site:
        return Scope(site, crawl.parent)
    return Scope(site or "", crawl)


def index_scope(settings: Any, warc_dir: str | Path) -> Scope:
    """The scope of the crawl ``settings`` configure (its plan site, if any)."""
    return scope_of(warc_dir, settings.get("NEWSARCHIVE_SITE_NAME"))


class PayloadIndex(Protocol):
    """What the WARC capture asks of a digest index (SQLite or Redis)."""

    scope: Scope

    def lookup(self, digest: str, uri: str) -> ArchivedPayload | None: ...

    def add(self, entry: ArchivedPayload) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


def still_on_disk(path: Path) -> bool:
    """The WARC file of an index entry still exists: finished, or ``NAME.open`` while written.

    An entry whose file was deleted (an old run removed by the archivist) must not make a
    revisit: the revisit would point at bytes nobody holds any more.
    """
    return path.exists() or path.with_name(path.name + ".open").exists()


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
SITE_TABLE = "site_payloads"


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


class DigestReader:
    """Read-only lookups in an index file (its entries' files relative to its folder).

    Opened with SQLite's ``mode=ro``: resolving revisits never forgets or adds an entry.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        self._db = sqlite3.connect(uri, uri=True)

    def entries(self, digest: str) -> list[ArchivedPayload]:
        """Every site's entry of ``digest`` as stored (older layout's too; [] if unreadable).

        A revisit names the record it refers to, so the caller picks by record id.
        """
        try:
            tables = _tables(self._db)
            rows = [
                row
                for table in (SITE_TABLE, LEGACY_TABLE)
                if table in tables
                for row in self._db.execute(
                    f"SELECT {_COLUMNS} FROM {table} WHERE digest = ?", (digest,)
                )
            ]
        except sqlite3.Error as error:
            log.warning("digest index %s: %s", self.path, error)
            return []
        return [ArchivedPayload(*row) for row in rows]

    def lookup(self, digest: str) -> ArchivedPayload | None:
        """The first entry of ``digest`` (None when absent or unreadable)."""
        return next(iter(self.entries(digest)), None)

    def close(self) -> None:
        self._db.close()


class DigestIndex:
    """(site, payload digest) -> first full capture (file relative to ``warc_dir`` for callers)."""

    def __init__(
        self,
        path: str | Path,
        commit_every: int = 200,
        commit_interval: float = 2.0,
        *,
        warc_dir: str | Path | None = None,
        refresh_interval: float = 1.0,
        scope: Scope | None = None,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Entries name files relative to the index's folder; callers think in warc_dir.
        self.warc_dir = Path(warc_dir) if warc_dir is not None else self.path.parent
        self.scope = scope if scope is not None else scope_of(self.warc_dir, None)
        self._same_folder = os.path.abspath(self.warc_dir) == os.path.abspath(self.path.parent)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()
        self._legacy = LEGACY_TABLE in _tables(self._db)
        # Entries added since the last commit by (site, digest), rather than inserted one by one.
        self._unwritten: dict[tuple[str, str], ArchivedPayload] = {}
        self._last_commit = time.monotonic()
        self.commit_every = commit_every
        self.commit_interval = commit_interval
        self._lock = threading.Lock()  # lookups in the reactor, adds in the writer thread
        # hash() of every digest of this site in the table up to rowid _seen (and of the
        # older layout's): a negative lookup needs no query while no other connection
        # has committed (data version _version).
        self._known: set[int] = set()
        self._seen = 0
        self.refresh_interval = refresh_interval
        self._checked = time.monotonic()
        self._version = self._data_version()
        self._add_rows_after(0)
        if self._legacy:
            self._known.update(hash(d) for (d,) in self._db.execute("SELECT digest FROM payloads"))

    def _data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _add_rows_after(self, rowid: int) -> None:
        for row, site, digest in self._db.execute(
            "SELECT rowid, site, digest FROM site_payloads WHERE rowid > ?", (rowid,)
        ):
            if self.scope.may_hold(site):
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

    def _absolute(self, entry: ArchivedPayload) -> Path:
        """The entry's file (stored relative to the index's folder, or absolute)."""
        path = Path(entry.filename)
        return path if path.is_absolute() else self.path.parent / path

    def lookup(self, digest: str, uri: str) -> ArchivedPayload | None:
        """The first full capture of ``digest`` by the site of ``uri`` (the page being
        archived), its file relative to ``warc_dir``."""
        if hash(digest) not in self._known and (
            not self._catch_up() or hash(digest) not in self._known
        ):
            return None
        site = self.scope.site_of(uri)
        unwritten = self._unwritten.get((site, digest))
        if unwritten is not None:
            return self._for_caller(unwritten)
        table, key, entry = self._stored(digest, site, uri)
        if entry is None or not self._still_archived(table, key, entry):
            return None
        return self._for_caller(entry)

    def _stored(self, digest: str, site: str, uri: str) -> tuple[str, str, ArchivedPayload | None]:
        """(table, site key, entry) of site ``site``'s capture of ``digest``, keyed first.

        Entries of older versions, keyed by no host, count only when their URI is on the
        host of ``uri`` (without a plan: its site ``""``, and the older layout's table) and
        the older layout's only when its file is in this site's folder.
        """
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM site_payloads WHERE site = ? AND digest = ?",
                (site, digest),
            ).fetchone()
            if row is not None:
                return SITE_TABLE, site, ArchivedPayload(*row)
            older = [(SITE_TABLE, "")] if not self.scope.name else []
            older += [(LEGACY_TABLE, "")] if self._legacy else []
            for table, key in older:
                where = "digest = ?" if table == LEGACY_TABLE else "site = '' AND digest = ?"
                found = self._db.execute(
                    f"SELECT {_COLUMNS} FROM {table} WHERE {where}", (digest,)
                ).fetchone()
                if found is None:
                    continue
                entry = ArchivedPayload(*found)
                oldest = self._absolute(entry) if table == LEGACY_TABLE else None
                if self.scope.older_serves(entry.uri, uri, oldest):
                    return table, key, entry
        return SITE_TABLE, site, None

    def _still_archived(self, table: str, site: str, entry: ArchivedPayload) -> bool:
        """False (and the entry forgotten) when its WARC file is gone.

        A revisit must point at a capture someone can replay: after an earlier crawl's
        folder was deleted, the next full copy of the payload becomes the original.
        A file still being written is ``NAME.open``.
        """
        path = self._absolute(entry)
        if still_on_disk(path):
            return True
        log.info("digest index: %s is gone; %s is stored in full again", path, entry.uri)
        where = "digest = ?" if table == LEGACY_TABLE else "digest = ? AND site = ?"
        values = (entry.digest,) if table == LEGACY_TABLE else (entry.digest, site)
        with self._lock:
            self._db.execute(f"DELETE FROM {table} WHERE {where}", values)
            self._db.commit()
        return False

    def add(self, entry: ArchivedPayload) -> None:
        """Remember a full capture for its site (file relative to ``warc_dir``; the first wins)."""
        if not self._same_folder:
            filename = relative_to_folder(entry.filename, self.warc_dir, self.path.parent)
            entry = replace(entry, filename=filename)
        with self._lock:
            self._unwritten.setdefault((self.scope.site_of(entry.uri), entry.digest), entry)
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
                "INSERT OR IGNORE INTO site_payloads VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        site,
                        e.digest,
                        e.uri,
                        e.warc_date,
                        e.record_id,
                        e.filename,
                        e.offset,
                        e.length,
                    )
                    for (site, _), e in self._unwritten.items()
                ],
            )
            self._db.commit()
            self._unwritten.clear()
            self._last_commit = time.monotonic()

    def __len__(self) -> int:
        """Entries of this scope's site (without a plan: of every host; the older layout's
        not counted)."""
        self.commit()
        with self._lock:
            sites = self._db.execute("SELECT site, COUNT(*) FROM site_payloads GROUP BY site")
            return sum(int(n) for site, n in sites if self.scope.may_hold(site))

    def close(self) -> None:
        self.commit()
        self._db.close()
