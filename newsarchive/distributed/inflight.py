"""Requests a worker has taken from the shared queue, kept in Redis until they are done.

scrapy-redis pops a request off the shared queue and forgets it: when the
worker holding it dies (``kill -9``, power loss) the request is gone, and its
fingerprint is already in the shared duplicate filter, so nobody fetches it
again in this crawl. This is the reliable-queue pattern instead:

* :class:`ReliableScheduler` pops with a Lua script that moves the request
  from the queue (sorted set) into the worker's in-flight hash in one atomic
  step, and tags it with its hash field (``request.meta["newsarchive_inflight"]``).
* :class:`InflightReleaseSpiderMiddleware`, the spider middleware closest to the
  engine, deletes the entry once the request is *done*: its response went through
  the spider (the links it yielded are on the shared queue) and every item the
  spider made of it went through the item pipelines (exported, or dropped with
  its outcome recorded). A worker killed while a page waits for extraction or
  export (hundreds on a fast site) leaves it in flight, and another worker
  fetches it again. :class:`InflightReleaseMiddleware` (downloader) releases a
  request that failed without a response. A retry or redirect replaces its
  original when it is queued.
* :func:`requeue_dead_workers` puts back the in-flight requests of every worker
  whose heartbeat is stale or gone, with their original priority, again in one
  atomic step per worker (two live workers cannot both requeue them). The
  :class:`~newsarchive.distributed.workers.SharedCrawlWorkers` extension calls it
  whenever its worker is idle, so the crawl does not end while a dead worker's
  requests are unfetched; a worker started later does the same.

A request that was done but whose entry was not yet deleted when the worker
died is fetched once more: after a crash a page may be archived twice, never
zero times, and its article is exported once (:mod:`.exported` claims each
article text for the crawl before it is written; ``crawl-finish`` rebuilds from
the WARC files a claimed record its worker died before writing). A worker that
stops cleanly (SIGINT, SIGTERM) finishes its requests and deletes its hash.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newsarchive.distributed.heartbeats import Heartbeat, read_heartbeats

log = logging.getLogger(__name__)

# scrapy-redis 0.9.1 (the capped release) calls APIs Scrapy 2.19 deprecates (spider= to
# the stats collector, Spider.log() on resuming a queue): warnings in every worker's log
# that no user can act on. Only those attributed to scrapy-redis's own code are ignored.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")

META_KEY = "newsarchive_inflight"
SCAN_BATCH = 1000

# KEYS[1] queue (sorted set), KEYS[2] this worker's in-flight hash. Pops the best
# request and files it under the SHA-1 of its bytes, as "SCORE\n" + bytes so that it
# can go back with its priority. Returns {field, bytes}, or false when the queue is empty.
_POP = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local field = redis.sha1hex(popped[1])
redis.call('HSET', KEYS[2], field, popped[2] .. '\\n' .. popped[1])
return {field, popped[1]}
"""
# KEYS[1] a dead worker's in-flight hash, KEYS[2] the queue: every entry back into
# the queue with its score, then the hash deleted. Returns how many went back.
_REQUEUE = """
local entries = redis.call('HVALS', KEYS[1])
for _, value in ipairs(entries) do
  local cut = string.find(value, '\\n', 1, true)
  if cut then
    redis.call('ZADD', KEYS[2], string.sub(value, 1, cut - 1), string.sub(value, cut + 1))
  end
end
redis.call('DEL', KEYS[1])
return #entries
"""


def inflight_key(template: str, spider_name: str, worker_id: str) -> str:
    """The in-flight hash of one worker: the crawl's template (``%(spider)s``) + worker id."""
    return f"{template % {'spider': spider_name}}:{worker_id}"


def worker_of(key: str) -> str:
    """The worker id an in-flight hash belongs to (its last name part)."""
    return key.rsplit(":", 1)[-1]


def dead_inflight_keys(
    client: Any,
    key_prefix: str,
    beats: Iterable[Heartbeat],
    *,
    now: float,
    stale_after: float,
    me: str | None = None,
) -> list[str]:
    """In-flight hashes under ``key_prefix`` whose worker is not alive.

    Alive means a heartbeat younger than ``stale_after``; a worker killed before
    its first heartbeat has none at all and counts as dead too. The caller
    (``me``) is alive, whatever its last heartbeat says.
    """
    alive = {b.worker for b in beats if now - b.seen <= stale_after} | {me}
    keys = client.scan_iter(match=f"{key_prefix}:*", count=SCAN_BATCH)
    return sorted(
        k
        for k in (key.decode() if isinstance(key, bytes) else key for key in keys)
        if worker_of(k) not in alive
    )


def requeue_dead_workers(
    client: Any,
    *,
    inflight_prefix: str,
    queue_key: str,
    workers_key: str,
    stale_after: float,
    now: float | None = None,
    me: str | None = None,
) -> int:
    """Put the requests of dead workers (never ``me``) back on the shared queue; how many."""
    now = time.time() if now is None else now
    beats = read_heartbeats(client, workers_key)
    requeue = client.register_script(_REQUEUE)
    moved = 0
    for key in dead_inflight_keys(
        client, inflight_prefix, beats, now=now, stale_after=stale_after, me=me
    ):
        count = int(requeue(keys=[key, queue_key]))
        if count:
            log.warning(
                "worker %s is gone: %d of its requests back on the shared queue",
                worker_of(key),
                count,
            )
        moved += count
    return moved


class ReliableScheduler(Scheduler):
    """scrapy-redis's scheduler whose pops leave a copy in this worker's in-flight hash."""

    inflight_template: str | None = None
    worker_id: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> ReliableScheduler:
        from newsarchive.warc.naming import host_part

        scheduler = super().from_settings(settings)
        scheduler.inflight_template = settings.get("NEWSARCHIVE_REDIS_INFLIGHT_KEY")
        scheduler.worker_id = host_part()
        return scheduler

    def open(self, spider: Any) -> Any:
        result = super().open(spider)
        self.inflight_key = (
            inflight_key(self.inflight_template, spider.name, self.worker_id)
            if self.inflight_template
            else None
        )
        self._pop = self.server.register_script(_POP)
        return result

    def next_request(self) -> Any:
        if self.inflight_key is None or not isinstance(self.queue, PriorityQueue):
            return super().next_request()
        popped = self._pop(keys=[self.queue.key, self.inflight_key])
        if not popped:
            return None
        field, data = popped
        request = self.queue._decode_request(data)
        request.meta[META_KEY] = field.decode() if isinstance(field, bytes) else field
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def enqueue_request(self, request: Any) -> bool:
        """A retry or redirect of a request this worker holds replaces it in flight.

        Downloader middlewares copy the meta (with our field) into the follow-up
        request; once that is on the queue the original entry can go (queued
        first, released second: a crash in between fetches it twice, loses nothing).
        """
        field = request.meta.pop(META_KEY, None)
        queued = super().enqueue_request(request)
        if field and self.inflight_key is not None:
            self.server.hdel(self.inflight_key, field)
        return queued

    def close(self, reason: str) -> Any:
        # A clean stop has finished every request it held: nothing of it is in flight.
        # Left-overs are requests that ended without passing the release middleware.
        if self.inflight_key is not None:
            self.server.delete(self.inflight_key)
        return super().close(reason)


class InflightReleaseMiddleware:
    """Downloader middleware (closest to the engine): a request that failed is done.

    A response is released later, by :class:`InflightReleaseSpiderMiddleware`.
    """

    def __init__(self, client: Any, template: str, worker_id: str, crawler: Any = None) -> None:
        self.client = client
        self.template = template
        self.worker_id = worker_id
        self.crawler = crawler  # its spider, now that Scrapy stops passing one

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightReleaseMiddleware:
        from newsarchive.distributed.settings import worker_client
        from newsarchive.warc.naming import host_part

        client = worker_client(crawler.settings, "NEWSARCHIVE_REDIS_INFLIGHT_KEY", decode=False)
        template = crawler.settings.get("NEWSARCHIVE_REDIS_INFLIGHT_KEY")
        return cls(client, template, host_part(), crawler)

    def release(self, request: Any, spider: Any) -> None:
        from redis import RedisError

        field = request.meta.get(META_KEY)
        if not field:
            return
        try:
            self.client.hdel(inflight_key(self.template, spider.name, self.worker_id), field)
        except RedisError as exc:  # the entry stays: at worst the page is fetched twice
            log.warning("could not release an in-flight request (%s)", exc)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        """Not done yet: the spider middleware releases it (see the class doc)."""
        return response

    def process_exception(self, request: Any, exception: BaseException, spider: Any = None) -> None:
        self.release(request, spider if spider is not None else self.crawler.spider)
        return None


@dataclass
class _Pending:
    """One response of an in-flight request: items yielded so far and items through."""

    field: str
    yielded: int = 0
    through: int = 0
    exhausted: bool = False


class InflightReleaseSpiderMiddleware:
    """Spider middleware (closest to the engine): release a request once its page is done.

    Done means the spider's output for the response is exhausted (its requests
    are queued) and each item of it has left the item pipelines
    (``item_scraped``, ``item_dropped`` or ``item_error`` for that response).
    """

    def __init__(self, release: InflightReleaseMiddleware) -> None:
        self.releaser = release
        self.pending: dict[Any, _Pending] = {}  # response -> what is left of it
        self.spider: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightReleaseSpiderMiddleware:
        from scrapy import signals

        middleware = cls(InflightReleaseMiddleware.from_crawler(crawler))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware.item_through, signal=signal)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        self.spider = spider

    def _start(self, response: Any) -> _Pending | None:
        request = getattr(response, "request", None)
        field = request.meta.get(META_KEY) if request is not None else None
        if not field:
            return None
        return self.pending.setdefault(response, _Pending(field))

    def _count(self, pending: _Pending | None, output: Any) -> None:
        from scrapy import Request

        if pending is not None and output is not None and not isinstance(output, Request):
            pending.yielded += 1

    def _finish(self, response: Any, pending: _Pending | None) -> None:
        if pending is not None:
            pending.exhausted = True
            self._maybe_release(response, pending)

    def _maybe_release(self, response: Any, pending: _Pending) -> None:
        if pending.exhausted and pending.through >= pending.yielded:
            del self.pending[response]
            self.releaser.release(response.request, self.spider)

    def item_through(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        pending = self.pending.get(response) if response is not None else None
        if pending is not None:
            pending.through += 1
            self._maybe_release(response, pending)

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        pending = self._start(response)
        try:
            for output in result:
                self._count(pending, output)
                yield output
        finally:
            self._finish(response, pending)

    async def process_spider_output_async(
        self, response: Any, result: Any, spider: Any = None
    ) -> Any:
        pending = self._start(response)
        try:
            async for output in result:
                self._count(pending, output)
                yield output
        finally:
            self._finish(response, pending)
