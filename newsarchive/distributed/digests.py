"""The payload-digest index in Redis, shared by every worker (and run) of a plan.

Each worker writes its own WARC files, so without a shared index a payload that
two workers fetch (or two runs of a plan) is stored in full twice. One Redis hash
maps ``SITE/DIGEST`` (the plan site, or without a plan the capture's ``host:port``,
and the payload digest) to the site's first full capture (JSON: URI, WARC-Date,
record id, absolute path of the WARC file, offset, length); the first writer wins
(``HSETNX``), so concurrent workers agree on the original. Keyed by site like the SQLite index (see
:class:`newsarchive.warc.digests.Scope`): a revisit never refers to another site's
capture. Fields of older versions are the bare digest (or, without a plan, ``/DIGEST``);
one counts for a site only when its file is in the site's output folder and, without a
plan, its URI on the capture's host (one ``HMGET`` asks for all). The key is the plan's
(``newsarchive:state:PLAN:digests``, it outlives crawls like the rest of the plan's
state), or for a crawl without a plan the crawl's (``newsarchive:crawl:ID:digests``,
deleted by ``crawl-finish``).

File names are absolute because workers share one file system (see
:mod:`newsarchive.distributed.worker`); :meth:`RedisDigestIndex.lookup` hands them
back relative to the asking worker's WARC folder, like the SQLite index does.
An entry whose WARC file is gone (a deleted run) is dropped when met, as in the SQLite
index, so the payload is stored in full again rather than revisited into nothing.
A Redis error never fails a fetch: the lookup says "unknown" (the payload is stored
in full) and a lost entry only costs a later full copy.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsarchive.distributed.keys import crawl_prefix, state_prefix
from newsarchive.warc.digests import (
    ArchivedPayload,
    DigestIndex,
    PayloadIndex,
    Scope,
    digest_index_path,
    index_scope,
    relative_to_folder,
    scope_of,
    still_on_disk,
)

log = logging.getLogger(__name__)

DIGESTS_PART = "digests"
# HDEL a field only while it holds the value read: a worker that already stored the
# payload in full again (HSETNX after an earlier delete) keeps its entry.
_DELETE_IF_UNCHANGED = (
    "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then "
    "return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0"
)


def digests_key(settings: Any) -> str:
    """The plan's digest hash, or without a plan the crawl's."""
    plan = settings.get("NEWSARCHIVE_PLAN_NAME")
    if plan:
        return f"{state_prefix(plan)}:{DIGESTS_PART}"
    return f"{crawl_prefix(settings.get('NEWSARCHIVE_CRAWL_ID'))}:{DIGESTS_PART}"


class RedisDigestIndex:
    """(site, payload digest) -> first full capture, in one Redis hash shared by processes."""

    def __init__(
        self, client: Any, key: str, warc_dir: str | Path, scope: Scope | None = None
    ) -> None:
        self.client = client
        self.key = key
        self.warc_dir = Path(os.path.abspath(warc_dir))
        self.scope = scope if scope is not None else scope_of(self.warc_dir, None)

    @classmethod
    def from_settings(cls, settings: Any, warc_dir: str | Path) -> RedisDigestIndex:
        import redis

        client = redis.Redis.from_url(
            settings.get("NEWSARCHIVE_REDIS_URL"), decode_responses=True, socket_timeout=30
        )
        return cls(client, digests_key(settings), warc_dir, index_scope(settings, warc_dir))

    @classmethod
    def for_folder(
        cls, client: Any, key: str, warc_dir: Path, site: str | None
    ) -> RedisDigestIndex:
        """The index as the worker that wrote ``warc_dir`` (of plan site ``site``) saw it."""
        return cls(client, key, warc_dir, scope_of(warc_dir, site))

    def field(self, digest: str, uri: str) -> str:
        """``SITE/DIGEST``: the entry of ``digest`` for the site of ``uri``."""
        return f"{self.scope.site_of(uri)}/{digest}"

    def lookup(self, digest: str, uri: str) -> ArchivedPayload | None:
        """The first full capture of ``digest`` by the site of ``uri`` (the page being
        archived), its file relative to this worker's WARC folder."""
        from redis import RedisError

        older = [digest] if self.scope.name else [f"/{digest}", digest]
        try:
            own, *earlier = self.client.hmget(self.key, [self.field(digest, uri), *older])
        except RedisError as exc:
            log.warning("digest index %s unavailable (%s): payload stored in full", self.key, exc)
            return None
        entry, field, raw = self._entry(own, digest), self.field(digest, uri), own
        for older_raw, older_field in zip(earlier, older, strict=True):
            if entry is not None:
                break
            found = self._entry(older_raw, digest)
            oldest = found.filename if found is not None and older_field == digest else None
            if found is not None and self.scope.older_serves(found.uri, uri, oldest):
                entry, field, raw = found, older_field, older_raw
        if entry is None:
            return None
        if not still_on_disk(Path(entry.filename)):
            self._forget(field, raw, entry)
            return None
        filename = relative_to_folder(entry.filename, self.warc_dir, self.warc_dir)
        return ArchivedPayload(**{**asdict(entry), "filename": filename})

    def _forget(self, field: str, raw: str | None, entry: ArchivedPayload) -> None:
        """Drop an entry whose WARC file is gone (unless another worker replaced it since),
        so the next full copy of the payload becomes the original, as in the SQLite index."""
        from redis import RedisError

        log.info("digest index: %s is gone; %s is stored in full again", entry.filename, entry.uri)
        try:
            self.client.eval(_DELETE_IF_UNCHANGED, 1, self.key, field, raw)
        except RedisError as exc:
            log.warning("digest index %s unavailable (%s): entry not forgotten", self.key, exc)

    @staticmethod
    def _entry(raw: str | None, digest: str) -> ArchivedPayload | None:
        if raw is None:
            return None
        try:
            return ArchivedPayload(**json.loads(raw))
        except (TypeError, ValueError) as exc:
            log.warning("malformed digest index entry for %s: %s", digest, exc)
            return None

    def add(self, entry: ArchivedPayload) -> None:
        """Remember a full capture written in this worker's WARC folder (first writer wins)."""
        from redis import RedisError

        absolute = os.path.join(self.warc_dir, entry.filename)
        value = json.dumps({**asdict(entry), "filename": absolute}, sort_keys=True)
        try:
            self.client.hsetnx(self.key, self.field(entry.digest, entry.uri), value)
        except RedisError as exc:
            log.warning("digest index %s unavailable (%s): entry not shared", self.key, exc)

    def commit(self) -> None:
        """Every ``add`` is stored when it returns."""

    def close(self) -> None:
        self.client.close()

    def __len__(self) -> int:
        return int(self.client.hlen(self.key))


def open_digest_index(settings: Any, warc_dir: Path) -> PayloadIndex:
    """The digest index a crawl writing into ``warc_dir`` shares.

    Redis for the workers of a shared crawl, else the plan's SQLite index beside its
    state (or ``OUT/warc/digests.sqlite`` without a plan). It lives here, not in
    ``warc.digests``, so the WARC side never imports the distributed one.
    """
    backend = (settings.get("NEWSARCHIVE_STATE_BACKEND") or "sqlite").lower()
    if backend == "redis" and settings.get("NEWSARCHIVE_REDIS_URL"):
        return RedisDigestIndex.from_settings(settings, warc_dir)
    path = digest_index_path(settings, warc_dir)
    return DigestIndex(path, warc_dir=warc_dir, scope=index_scope(settings, warc_dir))
