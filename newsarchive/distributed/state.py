"""The incremental crawl state in Redis, for workers on many machines (same API as SQLite).

:class:`RedisCrawlState` offers the methods of :class:`newsarchive.state.CrawlState`
with the same meaning, so the spider and pipelines need not know which one
they hold; :func:`open_crawl_state` picks one from the settings. The state
belongs to a plan, not to one crawl: its keys live under
``newsarchive:state:PLAN:`` and ``crawl-finish`` leaves them alone.

Layout (every write is one MULTI/EXEC transaction, so concurrent workers never
see half a fetch; merges are field-wise, so no read-modify-write race):

* ``fetch:URL`` hash - the last fetch of a URL (``Capture`` fields);
* ``article:ID`` hash - canonical_url, content_hash, first/last seen;
* ``articles`` set of article ids; ``canonical`` hash canonical URL -> article id;
* ``run:N`` hash, ``runs`` sorted set (score N), ``runs:SITE`` sorted set, ``run_id`` counter;
* ``schedule`` hash site -> last slot.

Differences: writes are durable at once (``commit`` and ``maybe_commit`` do
nothing), and ``seen`` also answers for a canonical URL an article had before
its canonical URL changed (SQLite keeps only the latest).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from newsarchive.distributed.keys import state_prefix
from newsarchive.normalize import canonicalize_url
from newsarchive.state import (
    ARCHIVED_STATUSES,
    REFETCH_POLICIES,
    Capture,
    CrawlState,
    CrawlStateStore,
    FetchDecision,
    Run,
    StateError,
    rfc3339,
    utc_now,
)

log = logging.getLogger(__name__)

# Fields kept from an earlier fetch when the new one does not know them.
COALESCED_FIELDS = ("canonical_url", "article_id", "etag", "last_modified", "content_hash")
# Fields a 304 leaves alone: they describe the full capture the 304 confirmed.
CAPTURE_FIELDS = ("payload_digest", "warc_record_id", "fetched_at")
OPEN_RUN_STATUSES = ("running", "interrupted")
# Forget one archived fetch only while it is the capture that was read (a peer may have
# archived the URL again since): then its article, canonical URLs and version go too.
# KEYS: fetch, article, articles set, canonical hash, version; ARGV: fetched_at,
# warc_record_id, article id, canonical URLs that named the article.
_FORGET_IF_UNCHANGED = """
if (redis.call('HGET', KEYS[1], 'fetched_at') or '') ~= ARGV[1]
   or (redis.call('HGET', KEYS[1], 'warc_record_id') or '') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])
redis.call('SREM', KEYS[3], ARGV[3])
for i = 4, #ARGV do
  if redis.call('HGET', KEYS[4], ARGV[i]) == ARGV[3] then redis.call('HDEL', KEYS[4], ARGV[i]) end
end
return 1
"""
DEFAULT_PLAN = "adhoc"


class RedisCrawlState:
    """The crawl state of one plan in Redis; safe to share between processes and machines."""

    def __init__(self, client: Any, plan: str, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self.plan = plan
        self.prefix = state_prefix(plan)
        self._clock = clock

    @classmethod
    def from_url(cls, url: str, plan: str, **kwargs: Any) -> RedisCrawlState:
        import redis

        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise StateError(f"cannot reach the Redis crawl state at {url}: {exc}") from exc
        return cls(client, plan, **kwargs)

    def _key(self, *parts: str | int) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    def _now(self) -> str:
        return rfc3339(self._clock())

    # ------------------------------------------------------------------ plumbing (no-ops)

    def maybe_commit(self) -> None:
        """Redis writes are durable when the command returns: nothing is batched."""

    def commit(self) -> None:
        """See :meth:`maybe_commit`."""

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RedisCrawlState:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ fetches

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
        """Remember one fetch of ``url`` (same merge rules as the SQLite state)."""
        now = self._now()
        values = {
            "canonical_url": canonical_url,
            "article_id": article_id,
            "etag": etag,
            "last_modified": last_modified,
            "content_hash": content_hash,
            "payload_digest": payload_digest,
            "warc_record_id": warc_record_id,
            "fetched_at": fetched_at or now,
        }
        key = self._key("fetch", url)
        pipe = self.client.pipeline(transaction=True)
        pipe.hsetnx(key, "first_fetched_at", now)
        pipe.hincrby(key, "fetch_count", 1)
        kept = {name: values[name] for name in COALESCED_FIELDS if values[name] is not None}
        if status != 304:
            replaced = {name: values[name] for name in CAPTURE_FIELDS}
            kept.update({k: v for k, v in replaced.items() if v is not None})
            cleared = [k for k, v in replaced.items() if v is None]
            if cleared:
                pipe.hdel(key, *cleared)
        if status is None:
            pipe.hdel(key, "status")
        else:
            kept["status"] = str(status)
        if kept:
            pipe.hset(key, mapping=kept)
        if article_id and status in ARCHIVED_STATUSES:
            self._queue_article(pipe, article_id, canonical_url or url, content_hash, now)
        pipe.execute()

    def _queue_article(
        self, pipe: Any, article_id: str, canonical_url: str, content_hash: str | None, now: str
    ) -> None:
        key = self._key("article", article_id)
        pipe.hsetnx(key, "first_seen_at", now)
        fields = {"canonical_url": canonical_url, "last_seen_at": now}
        if content_hash is not None:
            fields["content_hash"] = content_hash
        pipe.hset(key, mapping=fields)
        pipe.sadd(self._key("articles"), article_id)
        pipe.hset(self._key("canonical"), canonical_url, article_id)

    def seen(self, url: str) -> bool:
        """True when an article at ``url`` (as fetched or as canonical URL) is archived."""
        article_id, status = self.client.hmget(self._key("fetch", url), "article_id", "status")
        if article_id and status and int(status) in ARCHIVED_STATUSES:
            return True
        canonical = canonicalize_url(url) or url  # as CrawlState.seen: no session ids
        if canonical != url and self.client.hexists(self._key("canonical"), canonical):
            return True
        return bool(self.client.hexists(self._key("canonical"), url))

    def seen_article(self, article_id: str) -> bool:
        return bool(self.client.sismember(self._key("articles"), article_id))

    def content_hash(self, article_id: str) -> str | None:
        return self.client.hget(self._key("article", article_id), "content_hash")

    def exported_version(self, article_id: str) -> tuple[str | None, str | None, int] | None:
        """(content_hash, capture_id, version) of the article's last exported version."""
        row = self.client.hgetall(self._key("version", article_id))
        if not row:
            return None
        return row.get("content_hash") or None, row.get("capture_id") or None, int(row["version"])

    def record_version(
        self, article_id: str, content_hash: str | None, capture_id: str | None, version: int
    ) -> None:
        """Remember an exported version (a lower version never overwrites a higher one)."""
        key = self._key("version", article_id)
        known = self.client.hget(key, "version")
        if known is not None and int(known) > version:
            return
        self.client.hset(
            key,
            mapping={
                "content_hash": content_hash or "",
                "capture_id": capture_id or "",
                "version": version,
            },
        )

    def last_capture(self, url: str) -> Capture | None:
        row = self.client.hgetall(self._key("fetch", url))
        if not row:
            return None
        return Capture(
            url=url,
            canonical_url=row.get("canonical_url"),
            article_id=row.get("article_id"),
            etag=row.get("etag"),
            last_modified=row.get("last_modified"),
            payload_digest=row.get("payload_digest"),
            content_hash=row.get("content_hash"),
            status=int(row["status"]) if row.get("status") else None,
            warc_record_id=row.get("warc_record_id"),
            fetched_at=row.get("fetched_at"),
            fetch_count=int(row.get("fetch_count", 0)),
        )

    def payload_digest(self, url: str) -> str | None:
        return self.client.hget(self._key("fetch", url), "payload_digest")

    def conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self.client.hmget(self._key("fetch", url), "etag", "last_modified")
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def fetch_decision(self, url: str, refetch: str = "never") -> FetchDecision:
        """Same rule as :meth:`newsarchive.state.CrawlState.fetch_decision`."""
        if refetch not in REFETCH_POLICIES:
            raise ValueError(f"refetch must be one of {REFETCH_POLICIES}, got {refetch!r}")
        if not self.seen(url):
            return FetchDecision(True, "new", {})
        if refetch == "never":
            return FetchDecision(False, "archived", {})
        headers = self.conditional_headers(url)
        return FetchDecision(True, "conditional" if headers else "refetch", headers)

    def forget_missing(
        self, present: Callable[[str], bool], *, fetched_before: str | None = None
    ) -> list[str]:
        """Forget archived articles none of whose URLs ``present`` still finds in the files.

        The rule of :meth:`newsarchive.state.CrawlState.forget_missing`: an article whose
        WARC records were deleted is fetched (and exported) again rather than skipped
        forever. Safe beside live workers: each fetch is deleted only while unchanged
        since it was read, and fetches at or after ``fetched_before`` (RFC 3339) are
        kept, since a live worker's index line may reach its file a moment after its
        state write. Returns the forgotten URLs.
        """
        rows = self._archived_fetches()
        recent = [r for r in rows if fetched_before and r[2] >= fetched_before]
        kept = {r[1] for r in recent} | {r[1] for r in rows if present(r[0])}
        gone = [row for row in rows if row[1] not in kept]
        if not gone:
            return []
        canonicals: dict[str, list[str]] = {}
        for canonical, article_id in self.client.hscan_iter(self._key("canonical")):
            canonicals.setdefault(article_id, []).append(canonical)
        forgotten = []
        for url, article_id, fetched_at, record_id in gone:
            keys = [
                self._key("fetch", url),
                self._key("article", article_id),
                self._key("articles"),
                self._key("canonical"),
                self._key("version", article_id),
            ]
            names = canonicals.get(article_id, [])
            args = [fetched_at, record_id, article_id, *names]
            if self.client.eval(_FORGET_IF_UNCHANGED, len(keys), *keys, *args):
                forgotten.append(url)
        return forgotten

    def _archived_fetches(self) -> list[tuple[str, str, str, str]]:
        """(url, article_id, fetched_at, warc_record_id) of every fetch of an archived article."""
        start = len(self._key("fetch", ""))
        names = sorted(self.client.scan_iter(match=self._key("fetch", "*"), count=1000))
        rows = []
        for first in range(0, len(names), 1000):  # bounded replies on a large state
            chunk = names[first : first + 1000]
            pipe = self.client.pipeline(transaction=False)
            for name in chunk:
                pipe.hmget(name, "article_id", "status", "fetched_at", "warc_record_id")
            for name, (article_id, status, fetched_at, record_id) in zip(
                chunk, pipe.execute(), strict=True
            ):
                if article_id and status and int(status) in ARCHIVED_STATUSES:
                    rows.append((name[start:], article_id, fetched_at or "", record_id or ""))
        return rows

    def article_count(self) -> int:
        return int(self.client.scard(self._key("articles")))

    def articles(self) -> list[tuple[str, str | None, str | None]]:
        """(article_id, canonical_url, content_hash) of every archived article."""
        ids = sorted(self.client.smembers(self._key("articles")))
        pipe = self.client.pipeline(transaction=False)
        for article_id in ids:
            pipe.hmget(self._key("article", article_id), "canonical_url", "content_hash")
        return [
            (article_id, canonical, digest)
            for article_id, (canonical, digest) in zip(ids, pipe.execute(), strict=True)
        ]

    # ------------------------------------------------------------------ runs

    def _run(self, run_id: int) -> Run | None:
        row = self.client.hgetall(self._key("run", run_id))
        if not row:
            return None
        return Run(
            run_id,
            row["site"],
            row["started_at"],
            row.get("finished_at"),
            row["status"],
            json.loads(row["stats"]) if row.get("stats") else {},
        )

    def _site_runs(self, site: str) -> list[Run]:
        ids = self.client.zrange(self._key("runs", "site", site), 0, -1)
        return [run for run in map(self._run, map(int, ids)) if run is not None]

    def start_run(self, site: str, resume_run_id: int | None = None) -> int:
        """Open a run of ``site``; an earlier run left open is marked interrupted.

        Workers of one crawl must share one run: the first calls this and the
        others receive its id (e.g. with :meth:`run_for_crawl`), or every new
        worker would mark its peers' run interrupted.
        """
        if resume_run_id is not None:
            run = self._run(resume_run_id)
            if run and run.site == site and run.status in OPEN_RUN_STATUSES:
                self.client.hset(self._key("run", resume_run_id), "status", "running")
                log.info("site %s: resuming run %d", site, resume_run_id)
                return resume_run_id
            log.warning(
                "site %s: run %d cannot be resumed; starting a new run", site, resume_run_id
            )
        interrupted = [run for run in self._site_runs(site) if run.status == "running"]
        run_id = int(self.client.incr(self._key("run_id")))
        pipe = self.client.pipeline(transaction=True)
        for run in interrupted:
            pipe.hset(self._key("run", run.run_id), "status", "interrupted")
        pipe.hset(
            self._key("run", run_id),
            mapping={"site": site, "started_at": self._now(), "status": "running"},
        )
        pipe.zadd(self._key("runs"), {str(run_id): run_id})
        pipe.zadd(self._key("runs", "site", site), {str(run_id): run_id})
        pipe.execute()
        if interrupted:
            log.warning(
                "site %s: %d earlier run(s) never finished (crash or kill)", site, len(interrupted)
            )
        return run_id

    def run_for_crawl(self, site: str, crawl_id: str) -> int:
        """The one run of ``site`` shared by every worker of ``crawl_id`` (made by the first)."""
        key = self._key("crawl_run", site, crawl_id)
        existing = self.client.get(key)
        if existing is not None:
            return int(existing)
        run_id = self.start_run(site)
        if self.client.set(key, run_id, nx=True):
            return run_id
        # Another worker won the race: drop our run, use theirs.
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self._key("run", run_id))
        pipe.zrem(self._key("runs"), str(run_id))
        pipe.zrem(self._key("runs", "site", site), str(run_id))
        pipe.execute()
        return int(self.client.get(key))

    def finish_run(self, run_id: int, stats: dict[str, Any], status: str = "finished") -> None:
        key = self._key("run", run_id)
        if not self.client.exists(key):
            raise KeyError(f"no run {run_id} in {self.prefix}")
        self.client.hset(
            key,
            mapping={
                "finished_at": self._now(),
                "status": status,
                "stats": json.dumps(stats, sort_keys=True),
            },
        )

    def previous_run(self, site: str, before: int | None = None) -> Run | None:
        """The last finished run of ``site`` (before run ``before`` when given)."""
        limit = before if before is not None else 2**62
        finished = [
            run for run in self._site_runs(site) if run.status == "finished" and run.run_id < limit
        ]
        return finished[-1] if finished else None

    def runs(self, site: str | None = None) -> list[Run]:
        if site is not None:
            return self._site_runs(site)
        ids = self.client.zrange(self._key("runs"), 0, -1)
        return [run for run in map(self._run, map(int, ids)) if run is not None]

    # ------------------------------------------------------------------ scheduler

    def last_slot(self, site: str) -> datetime | None:
        value = self.client.hget(self._key("schedule"), site)
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    def set_last_slot(self, site: str, slot: datetime) -> None:
        self.client.hset(self._key("schedule"), site, rfc3339(slot))


def open_crawl_state(settings: Any) -> CrawlStateStore | None:
    """The crawl state the settings ask for; ``None`` when a crawl keeps none.

    ``NEWSARCHIVE_STATE_BACKEND = "redis"`` (set by worker mode) with
    ``NEWSARCHIVE_REDIS_URL``: Redis, keyed by ``NEWSARCHIVE_PLAN_NAME``.
    Otherwise SQLite at ``NEWSARCHIVE_STATE_PATH`` (None when unset).
    """
    backend = (settings.get("NEWSARCHIVE_STATE_BACKEND") or "sqlite").lower()
    if backend == "redis":
        url = settings.get("NEWSARCHIVE_REDIS_URL") or settings.get("REDIS_URL")
        if not url:
            raise StateError(
                "NEWSARCHIVE_STATE_BACKEND is redis but NEWSARCHIVE_REDIS_URL is not set"
            )
        return RedisCrawlState.from_url(url, settings.get("NEWSARCHIVE_PLAN_NAME") or DEFAULT_PLAN)
    if backend != "sqlite":
        raise StateError(f"NEWSARCHIVE_STATE_BACKEND must be sqlite or redis, got {backend!r}")
    path = settings.get("NEWSARCHIVE_STATE_PATH")
    return CrawlState(path) if path else None
