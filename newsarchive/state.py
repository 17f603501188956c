"""Crawl state per plan in an embedded SQLite database.

What a second run needs to know about the first: which article URLs (and
canonical ids) are archived, their content hashes, the ETag/Last-Modified
and payload digest of each URL (for conditional re-fetches and WARC revisit
records), each site's runs with their coverage statistics (for the report),
and the last scheduled slot the scheduler handled.

Writes are batched in memory and written in one short transaction every
``commit_every`` records or ``commit_seconds`` seconds, before any read (so a
read sees every write before it), and on :meth:`CrawlState.close`; a crash
loses at most that batch, never leaves a half-written row (SQLite
transactions, WAL journal). No transaction stays open between two calls:
several crawls of one plan in one process (one reactor thread, a connection
each) or in several processes (scheduler, workers) share the file without
one holding the write lock while another waits for it. A write that finds
the file locked by another process waits at most ``BUSY_WAIT`` seconds (the
other's transaction is one short batch), then stays pending and is retried
at the next write, read or :meth:`CrawlState.maybe_commit`; only
:meth:`close` (and the rare run/schedule writes) wait up to ``CLOSE_WAIT``
seconds, and :meth:`close` raises rather than drop a pending write. The spider
runs in one thread, but every method takes a lock, so a pipeline working in a
thread pool is safe too. Call :meth:`CrawlState.maybe_commit` from a periodic
task (e.g. every second) so an idle crawl does not keep its batch in memory.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from newsarchive.normalize import canonicalize_url

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fetches (
    url TEXT PRIMARY KEY,
    canonical_url TEXT,
    article_id TEXT,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    content_hash TEXT,
    status INTEGER,
    warc_record_id TEXT,
    fetched_at TEXT,
    first_fetched_at TEXT NOT NULL,
    fetch_count INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS fetches_canonical ON fetches (canonical_url);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    canonical_url TEXT,
    content_hash TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_canonical ON articles (canonical_url);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    stats TEXT
);
CREATE INDEX IF NOT EXISTS runs_site ON runs (site, run_id);
CREATE TABLE IF NOT EXISTS schedule (site TEXT PRIMARY KEY, last_slot TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    article_id TEXT PRIMARY KEY,
    content_hash TEXT,
    capture_id TEXT,
    version INTEGER NOT NULL
);
-- Article batches (absolute path, size) whose every record the state holds: a run's
-- start reads only the others (see newsarchive.statesync.reconcile_state).
CREATE TABLE IF NOT EXISTS batches (path TEXT PRIMARY KEY, bytes INTEGER NOT NULL);
"""
# A fetch counts as archived (and is not fetched again) when it gave an article.
ARCHIVED_STATUSES = (200, 203, 304)
# Seconds a write in the crawl (the reactor thread) waits for another process's write
# lock before it stays pending for the next try; close and run/slot writes wait longer.
BUSY_WAIT = 0.1
CLOSE_WAIT = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Capture:
    """What the last fetch of a URL left behind (for conditional requests and revisits)."""

    url: str
    canonical_url: str | None
    article_id: str | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None
    content_hash: str | None
    status: int | None
    warc_record_id: str | None
    fetched_at: str | None
    fetch_count: int


@dataclass(frozen=True)
class Run:
    """One crawl of one site; ``stats`` is whatever :meth:`CrawlState.finish_run` stored."""

    run_id: int
    site: str
    started_at: str
    finished_at: str | None
    status: str
    stats: dict[str, Any]


@dataclass(frozen=True)
class FetchDecision:
    """Whether to fetch a candidate article URL, and with which conditional headers."""

    fetch: bool
    reason: str  # new, archived, conditional, refetch
    headers: dict[str, str]


REFETCH_POLICIES = ("never", "conditional")


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run the method under the instance's lock (one SQLite connection, many callers)."""

    @functools.wraps(method)
    def wrapper(self: CrawlState, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


def _reading(method: Callable[..., Any]) -> Callable[..., Any]:
    """Like :func:`_locked`, after writing the pending batch: a read sees every earlier write."""

    @functools.wraps(method)
    def wrapper(self: CrawlState, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._unwritten and self._write_error is None:
                with contextlib.suppress(StateWriteError):  # kept: the next write raises it
                    self._flush(BUSY_WAIT)
            return method(self, *args, **kwargs)

    return wrapper


class StateError(RuntimeError):
    """The state database cannot be opened or was written by a newer version."""


# SQLite's primary result codes for "the file system refused the write" (sqlite3.h).
_SQLITE_IOERR, _SQLITE_FULL = 10, 13


class StateWriteError(OSError):
    """SQLite could not write the state (a full disk, an I/O error): a write error.

    An ``OSError``, so a crawl treats it as it treats a full disk under its output
    folder: stopped, said once, exit status 1.
    """


def write_error_of(exc: sqlite3.Error, path: Path) -> StateWriteError | None:
    """``exc`` as a :class:`StateWriteError` when the disk refused the write, else None."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code not in (_SQLITE_IOERR, _SQLITE_FULL):
        return None
    number = errno.ENOSPC if code == _SQLITE_FULL else errno.EIO
    return StateWriteError(number, f"cannot write the crawl state: {exc}", str(path))


@runtime_checkable
class CrawlStateStore(Protocol):
    """What the spider, pipelines, ``crawl --plan`` and the report ask of a crawl state.

    Two stores keep it: :class:`CrawlState` (SQLite, one machine) and
    :class:`newsarchive.distributed.state.RedisCrawlState` (workers); both pass the
    same contract tests (``tests/test_distributed_state.py``).
    """

    def record_fetch(self, url: str, *args: Any, **kwargs: Any) -> None: ...
    def seen(self, url: str) -> bool: ...
    def seen_article(self, article_id: str) -> bool: ...
    def content_hash(self, article_id: str) -> str | None: ...
    def exported_version(self, article_id: str) -> tuple[str | None, str | None, int] | None: ...
    def record_version(
        self, article_id: str, content_hash: str | None, capture_id: str | None, version: int
    ) -> None: ...
    def last_capture(self, url: str) -> Capture | None: ...
    def conditional_headers(self, url: str) -> dict[str, str]: ...
    def fetch_decision(self, url: str, refetch: str = "never") -> FetchDecision: ...
    def article_count(self) -> int: ...
    def articles(self) -> list[tuple[str, str | None, str | None]]: ...
    def run_for_crawl(self, site: str, crawl_id: str) -> int: ...
    def start_run(self, site: str, resume_run_id: int | None = None) -> int: ...
    def finish_run(self, run_id: int, stats: dict[str, Any], status: str = "finished") -> None: ...
    def previous_run(self, site: str, before: int | None = None) -> Run | None: ...
    def runs(self, site: str | None = None) -> list[Run]: ...
    def last_slot(self, site: str) -> datetime | None: ...
    def set_last_slot(self, site: str, slot: datetime) -> None: ...
    def maybe_commit(self) -> None: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...


class CrawlState:
    """The crawl-state database of one plan. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        path: str | Path,
        *,
        commit_every: int = 500,
        commit_seconds: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.path = Path(path)
        self.commit_every = max(1, commit_every)
        self.commit_seconds = commit_seconds
        self._clock = clock
        self._pending = 0
        self._unwritten: list[tuple[str, tuple[Any, ...]]] = []  # the batch, not yet in SQLite
        self._last_commit = time.monotonic()
        self._lock = threading.RLock()
        self._write_error: StateWriteError | None = None  # the first failed write, if any
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                str(path), isolation_level=None, timeout=CLOSE_WAIT, check_same_thread=False
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"cannot open crawl state {path}: {exc}") from exc
        self._check_version()

    # ------------------------------------------------------------------ plumbing

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row["value"]) > SCHEMA_VERSION:
            raise StateError(
                f"{self.path} was written by a newer newsarchive (schema {row['value']})"
            )

    def _now(self) -> str:
        return rfc3339(self._clock())

    def _write(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        """Add one record's statements to the batch; write it when the batch is full/old."""
        self._unwritten.extend(statements)
        self._pending += 1
        if (
            self._pending >= self.commit_every
            or time.monotonic() - self._last_commit >= self.commit_seconds
        ):
            self._flush(BUSY_WAIT)

    def _busy_timeout(self, seconds: float) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def _flush(self, wait: float) -> bool:
        """Write the batch in one short transaction; False (batch kept) when the file stays locked.

        Waiting is bounded by ``wait``: the reactor thread never sits on a lock another
        process holds; the batch is simply written at the next attempt.
        """
        if self._write_error is not None:
            # Nothing more is written once a write failed: a later write that fits (a mark
            # that a batch is recorded) must not claim what the lost ones never saved.
            raise self._write_error
        if self._unwritten:
            self._busy_timeout(wait)
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for sql, params in self._unwritten:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if (write_error := write_error_of(exc, self.path)) is not None:
                    self._write_error = write_error
                    raise write_error from None
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                log.info(
                    "crawl state %s is being written by another process: %d writes kept "
                    "for the next try",
                    self.path,
                    len(self._unwritten),
                )
                return False
            finally:
                self._busy_timeout(CLOSE_WAIT)
            self._unwritten.clear()
        self._pending = 0
        self._last_commit = time.monotonic()
        return True

    @_locked
    def maybe_commit(self) -> None:
        """Write the batch if it is older than ``commit_seconds`` (for a periodic task)."""
        if self._pending and time.monotonic() - self._last_commit >= self.commit_seconds:
            self._flush(BUSY_WAIT)

    @_locked
    def commit(self) -> None:
        """Make every write so far durable (waits up to ``CLOSE_WAIT`` for another writer)."""
        if not self._flush(CLOSE_WAIT):
            raise StateError(
                f"crawl state {self.path} stayed locked for {CLOSE_WAIT:.0f}s: "
                f"{len(self._unwritten)} writes not saved"
            )

    @_locked
    def close(self) -> None:
        if self._db is None:
            return
        try:
            if self._write_error is None:  # else the writes are lost, and the writer was told
                self.commit()
        finally:
            self._db.close()
            self._db = None  # type: ignore[assignment]

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ fetches

    @_locked
    def record_fetch(
        self,
        url: str,
        canonical_url: str | None = None,
        article_id: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
        content_hash: str | None = None,
        status: int | None = None,
        *,
        warc_record_id: str | None = None,
        fetched_at: str | None = None,
    ) -> None:
        """Remember one fetch of ``url`` (pass ``article_id`` only when the page was an article).

        A 304 keeps the stored digest, hash and record id of the capture it confirmed.
        """
        now = self._now()
        fetched_at = fetched_at or now
        statements = [
            (
                """INSERT INTO fetches (url, canonical_url, article_id, etag, last_modified,
                   payload_digest, content_hash, status, warc_record_id, fetched_at,
                   first_fetched_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (url) DO UPDATE SET
                   canonical_url = coalesce(excluded.canonical_url, canonical_url),
                   article_id = coalesce(excluded.article_id, article_id),
                   etag = coalesce(excluded.etag, etag),
                   last_modified = coalesce(excluded.last_modified, last_modified),
                   payload_digest = CASE WHEN excluded.status = 304 THEN payload_digest
                                    ELSE excluded.payload_digest END,
                   content_hash = coalesce(excluded.content_hash, content_hash),
                   status = excluded.status,
                   warc_record_id = CASE WHEN excluded.status = 304 THEN warc_record_id
                                    ELSE excluded.warc_record_id END,
                   fetched_at = CASE WHEN excluded.status = 304 THEN fetched_at
                                ELSE excluded.fetched_at END,
                   fetch_count = fetch_count + 1""",
                (
                    url,
                    canonical_url,
                    article_id,
                    etag,
                    last_modified,
                    payload_digest,
                    content_hash,
                    status,
                    warc_record_id,
                    fetched_at,
                    now,
                ),
            )
        ]
        if article_id and status in ARCHIVED_STATUSES:
            statements.append(
                (
                    """INSERT INTO articles VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (article_id) DO UPDATE SET
                       canonical_url = coalesce(excluded.canonical_url, canonical_url),
                       content_hash = coalesce(excluded.content_hash, content_hash),
                       last_seen_at = excluded.last_seen_at""",
                    (article_id, canonical_url or url, content_hash, now, now),
                )
            )
        self._write(*statements)

    @_reading
    def seen(self, url: str) -> bool:
        """True when an article at ``url`` (as fetched or as canonical URL) is archived.

        The canonical form (:func:`newsarchive.normalize.canonicalize_url`: no tracking
        parameters, no session id) is asked too, so a link with a new session id finds
        the article archived under its canonical URL.
        """
        row = self._db.execute(
            f"""SELECT 1 FROM fetches WHERE url = ? AND article_id IS NOT NULL
                    AND status IN {ARCHIVED_STATUSES}
                UNION ALL SELECT 1 FROM articles WHERE canonical_url IN (?, ?) LIMIT 1""",
            (url, url, canonicalize_url(url) or url),
        ).fetchone()
        return row is not None

    @_reading
    def seen_article(self, article_id: str) -> bool:
        """True when the article with this canonical id is archived (from any URL)."""
        row = self._db.execute("SELECT 1 FROM articles WHERE article_id = ?", (article_id,))
        return row.fetchone() is not None

    @_reading
    def content_hash(self, article_id: str) -> str | None:
        row = self._db.execute(
            "SELECT content_hash FROM articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row["content_hash"] if row else None

    @_reading
    def exported_version(self, article_id: str) -> tuple[str | None, str | None, int] | None:
        """(content_hash, capture_id, version) of the article's last exported version."""
        row = self._db.execute(
            "SELECT content_hash, capture_id, version FROM versions WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        return (row["content_hash"], row["capture_id"], row["version"]) if row else None

    @_locked
    def record_version(
        self, article_id: str, content_hash: str | None, capture_id: str | None, version: int
    ) -> None:
        """Remember an exported version, so the next run links a changed text to it."""
        self._write(
            (
                """INSERT INTO versions VALUES (?, ?, ?, ?)
               ON CONFLICT (article_id) DO UPDATE SET content_hash = excluded.content_hash,
                   capture_id = excluded.capture_id, version = excluded.version
               WHERE excluded.version >= versions.version""",
                (article_id, content_hash, capture_id, version),
            )
        )

    @_reading
    def recorded_batches(self) -> dict[str, int]:
        """Article batches (path: size) whose every record this state holds."""
        rows = self._db.execute("SELECT path, bytes FROM batches")
        return {row["path"]: row["bytes"] for row in rows}

    @_locked
    def mark_batch(self, path: str, size: int) -> None:
        """Note that every record of the batch at ``path`` (``size`` bytes) is recorded.

        Written in the same ordered batch as the records' own writes, after them: once
        the mark is durable, so is every write before it.
        """
        self._write(
            (
                """INSERT INTO batches VALUES (?, ?)
               ON CONFLICT (path) DO UPDATE SET bytes = excluded.bytes""",
                (path, size),
            )
        )

    @_reading
    def last_capture(self, url: str) -> Capture | None:
        """The last fetch of ``url``: payload digest and WARC record id for a revisit record."""
        row = self._db.execute(
            """SELECT url, canonical_url, article_id, etag, last_modified, payload_digest,
                      content_hash, status, warc_record_id, fetched_at, fetch_count
               FROM fetches WHERE url = ?""",
            (url,),
        ).fetchone()
        return Capture(**dict(row)) if row else None

    @_locked
    def payload_digest(self, url: str) -> str | None:
        capture = self.last_capture(url)
        return capture.payload_digest if capture else None

    @_locked
    def conditional_headers(self, url: str) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for re-fetching ``url`` (empty if unknown)."""
        capture = self.last_capture(url)
        headers: dict[str, str] = {}
        if capture and capture.etag:
            headers["If-None-Match"] = capture.etag
        if capture and capture.last_modified:
            headers["If-Modified-Since"] = capture.last_modified
        return headers

    @_locked
    def fetch_decision(self, url: str, refetch: str = "never") -> FetchDecision:
        """The incremental-crawl rule for one candidate article URL.

        New URLs are fetched; archived ones are skipped with ``refetch="never"``
        and re-fetched with ``If-None-Match``/``If-Modified-Since`` with
        ``refetch="conditional"`` (without validators: a plain re-fetch, and the
        payload digest decides whether the WARC gets a revisit record).
        """
        if refetch not in REFETCH_POLICIES:
            raise ValueError(f"refetch must be one of {REFETCH_POLICIES}, got {refetch!r}")
        if not self.seen(url):
            return FetchDecision(True, "new", {})
        if refetch == "never":
            return FetchDecision(False, "archived", {})
        headers = self.conditional_headers(url)
        return FetchDecision(True, "conditional" if headers else "refetch", headers)

    @_reading
    def article_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    # ------------------------------------------------------------------ runs

    @_locked
    def start_run(self, site: str, resume_run_id: int | None = None) -> int:
        """Open a run of ``site``; an earlier run left open is marked interrupted.

        A crawl resumed from its JOBDIR passes the run id it kept in
        ``spider.state`` as ``resume_run_id`` and continues that run.
        """
        self.commit()
        if resume_run_id is not None:
            with self._transaction():
                resumed = self._db.execute(
                    """UPDATE runs SET status = 'running' WHERE run_id = ? AND site = ?
                       AND status IN ('running', 'interrupted')""",
                    (resume_run_id, site),
                ).rowcount
            if resumed:
                log.info("site %s: resuming run %d", site, resume_run_id)
                return resume_run_id
            log.warning(
                "site %s: run %d cannot be resumed; starting a new run", site, resume_run_id
            )
        with self._transaction():
            interrupted = self._db.execute(
                "UPDATE runs SET status = 'interrupted' WHERE site = ? AND status = 'running'",
                (site,),
            ).rowcount
            cursor = self._db.execute(
                "INSERT INTO runs (site, started_at, status) VALUES (?, ?, 'running')",
                (site, self._now()),
            )
        if interrupted:
            log.warning(
                "site %s: %d earlier run(s) never finished (crash or kill)", site, interrupted
            )
        return int(cursor.lastrowid or 0)

    def run_for_crawl(self, site: str, crawl_id: str) -> int:
        """The run of ``site`` that crawl ``crawl_id`` records into: a new one.

        One process crawls a site of a plan on one machine, so each crawl opens its
        run (an earlier one left open is marked interrupted); Redis workers of one
        crawl share theirs (:meth:`RedisCrawlState.run_for_crawl`).
        """
        return self.start_run(site)

    @_locked
    def finish_run(self, run_id: int, stats: dict[str, Any], status: str = "finished") -> None:
        """Close a run with its statistics (any JSON-ready dict; the report stores coverage)."""
        self.commit()
        with self._transaction():
            updated = self._db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE run_id = ?",
                (self._now(), status, json.dumps(stats, sort_keys=True), run_id),
            ).rowcount
        if not updated:
            raise KeyError(f"no run {run_id} in {self.path}")

    @_reading
    def previous_run(self, site: str, before: int | None = None) -> Run | None:
        """The last finished run of ``site`` (before run ``before`` when given)."""
        row = self._db.execute(
            """SELECT * FROM runs WHERE site = ? AND status = 'finished' AND run_id < ?
               ORDER BY run_id DESC LIMIT 1""",
            (site, before if before is not None else 2**62),
        ).fetchone()
        return self._run(row) if row else None

    @_reading
    def runs(self, site: str | None = None) -> list[Run]:
        rows = self._db.execute(
            "SELECT * FROM runs WHERE (? IS NULL OR site = ?) ORDER BY run_id", (site, site)
        )
        return [self._run(row) for row in rows]

    @staticmethod
    def _run(row: sqlite3.Row) -> Run:
        return Run(
            row["run_id"],
            row["site"],
            row["started_at"],
            row["finished_at"],
            row["status"],
            json.loads(row["stats"]) if row["stats"] else {},
        )

    # ------------------------------------------------------------------ scheduler

    @_reading
    def last_slot(self, site: str) -> datetime | None:
        """The last scheduled time the scheduler handled for ``site``."""
        row = self._db.execute("SELECT last_slot FROM schedule WHERE site = ?", (site,)).fetchone()
        return datetime.fromisoformat(row["last_slot"].replace("Z", "+00:00")) if row else None

    @_locked
    def set_last_slot(self, site: str, slot: datetime) -> None:
        self.commit()
        with self._transaction():
            self._db.execute(
                """INSERT INTO schedule VALUES (?, ?)
                   ON CONFLICT (site) DO UPDATE SET last_slot = excluded.last_slot""",
                (site, rfc3339(slot)),
            )

    # ------------------------------------------------------------------ helpers

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One immediate transaction for a write that must be durable at once (runs, slots)."""
        if self._write_error is not None:
            raise self._write_error
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            if (write_error := write_error_of(exc, self.path)) is None:
                raise
            self._write_error = write_error
            raise write_error from None

    @_reading
    def articles(self) -> list[tuple[str, str | None, str | None]]:
        """(article_id, canonical_url, content_hash) of every archived article."""
        rows = self._db.execute(
            "SELECT article_id, canonical_url, content_hash FROM articles ORDER BY article_id"
        )
        return [tuple(row) for row in rows]

    @_locked
    def forget_missing(self, present: Callable[[str], bool]) -> list[str]:
        """Forget archived articles none of whose URLs ``present`` still finds in the files.

        The state and the output must agree: an article whose WARC records were
        deleted is fetched (and exported) again rather than skipped forever.
        Returns the forgotten URLs. Forgetting also drops every batch mark: an article
        forgotten here may be noted again from a batch marked as recorded.
        """
        self.commit()
        rows = self._db.execute(
            f"""SELECT url, article_id FROM fetches WHERE article_id IS NOT NULL
                AND status IN {ARCHIVED_STATUSES}"""
        ).fetchall()
        kept = {row["article_id"] for row in rows if present(row["url"])}
        gone = [(row["url"], row["article_id"]) for row in rows if row["article_id"] not in kept]
        if gone:
            with self._transaction():
                for url, article_id in gone:
                    self._db.execute("DELETE FROM fetches WHERE url = ?", (url,))
                    self._db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
                    self._db.execute("DELETE FROM versions WHERE article_id = ?", (article_id,))
                self._db.execute("DELETE FROM batches")
        return [url for url, _ in gone]
