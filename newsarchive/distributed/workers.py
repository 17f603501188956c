"""Worker heartbeats in Redis, and the rule for when a worker may leave a shared crawl.

A Scrapy spider closes when its own scheduler, downloader and scraper are
empty. In a shared crawl that is not the end: another worker may be fetching
a sitemap that will fill the shared queue with hundreds of articles. Each
worker therefore writes a heartbeat (busy or idle) to the crawl's ``workers``
hash every second, and stays open while the shared queue holds requests or a
live peer is busy. It leaves after it has itself been idle for the grace
period with an empty queue and idle peers. A peer without a heartbeat for
``NEWSARCHIVE_REDIS_STALE_AFTER`` seconds is dead (``kill -9``) and ignored.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from newsarchive.distributed.heartbeats import Heartbeat, read_heartbeats
from newsarchive.distributed.keys import crawl_prefix, workers_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdleDecision:
    """Whether an idle worker stays open, since when it is idle, and why."""

    stay: bool
    idle_since: float | None
    reason: str


def decide_idle(
    *,
    queued: int,
    peers: Iterable[Heartbeat],
    now: float,
    idle_since: float | None,
    grace: float,
    stale_after: float,
) -> IdleDecision:
    """The leave-or-stay rule for a worker whose own engine is idle (pure; see module doc)."""
    if queued > 0:
        return IdleDecision(True, None, f"{queued} requests queued")
    busy = [p.worker for p in peers if p.busy and now - p.seen <= stale_after]
    if busy:
        return IdleDecision(True, None, f"busy peers: {', '.join(busy)}")
    if idle_since is None:
        return IdleDecision(True, now, "idle: grace period starts")
    if now - idle_since < grace:
        return IdleDecision(True, idle_since, "idle: within grace period")
    return IdleDecision(False, idle_since, "queue empty and every worker idle")


class SharedCrawlWorkers:
    """Scrapy extension: heartbeats, and DontCloseSpider while the shared crawl has work."""

    def __init__(
        self, crawler: Any, client: Any, *, crawl_id: str, clock: Callable[[], float] = time.time
    ) -> None:
        from newsarchive.warc.naming import host_part

        settings = crawler.settings
        self.crawler = crawler
        self.client = client
        self.crawl_id = crawl_id
        self.clock = clock
        self.worker_id = host_part()
        self.heartbeat_every = settings.getfloat("NEWSARCHIVE_REDIS_HEARTBEAT", 1.0)
        self.grace = settings.getfloat("NEWSARCHIVE_REDIS_IDLE_GRACE", 3.0)
        self.stale_after = settings.getfloat("NEWSARCHIVE_REDIS_STALE_AFTER", 15.0)
        self.queue_template = settings.get("SCHEDULER_QUEUE_KEY")
        self.inflight_template = settings.get("NEWSARCHIVE_REDIS_INFLIGHT_KEY")
        # One hash per queue: the sites of a plan crawled in one process have their own.
        self.workers_key = workers_key(
            settings.get("NEWSARCHIVE_REDIS_KEY_PREFIX") or crawl_prefix(crawl_id)
        )
        self.out_dir = str(settings.get("NEWSARCHIVE_OUTPUT_DIR") or "")
        self.queue_key: str | None = None
        self.inflight_prefix: str | None = None
        self.idle_since: float | None = None
        self.started = clock()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedCrawlWorkers:
        from scrapy import signals

        from newsarchive.distributed.settings import worker_client

        client = worker_client(crawler.settings, "NEWSARCHIVE_CRAWL_ID")
        ext = cls(crawler, client, crawl_id=crawler.settings.get("NEWSARCHIVE_CRAWL_ID"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # ------------------------------------------------------------------ signals

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet.task import LoopingCall

        self.queue_key = self.queue_template % {"spider": spider.name}
        if self.inflight_template:
            self.inflight_prefix = self.inflight_template % {"spider": spider.name}
        log.info(
            "worker %s joins crawl %s (queue %s)", self.worker_id, self.crawl_id, self.queue_key
        )
        self.beat()
        self.task = LoopingCall(self.beat)
        self.task.start(self.heartbeat_every, now=False)

    def spider_idle(self, spider: Any) -> None:
        from redis import RedisError
        from scrapy.exceptions import DontCloseSpider

        try:
            self.requeue_dead_workers()
            decision = decide_idle(
                queued=int(self.client.zcard(self.queue_key)),
                peers=[
                    b
                    for b in read_heartbeats(self.client, self.workers_key)
                    if b.worker != self.worker_id
                ],
                now=self.clock(),
                idle_since=self.idle_since,
                grace=self.grace,
                stale_after=self.stale_after,
            )
        except RedisError as exc:
            # Without Redis this worker can neither fetch nor learn what is left: leave;
            # the queue persists in Redis for a worker started later.
            log.error("worker %s: Redis unavailable (%s); closing", self.worker_id, exc)
            return
        self.idle_since = decision.idle_since
        if decision.stay:
            log.debug("worker %s stays: %s", self.worker_id, decision.reason)
            raise DontCloseSpider(decision.reason)
        log.info("worker %s leaves crawl %s: %s", self.worker_id, self.crawl_id, decision.reason)

    def spider_closed(self, spider: Any) -> None:
        from redis import RedisError

        if self.task is not None and self.task.running:
            self.task.stop()
        try:
            self.client.hdel(self.workers_key, self.worker_id)
        except RedisError as exc:
            log.warning("worker %s: could not deregister (%s)", self.worker_id, exc)

    def requeue_dead_workers(self) -> int:
        """The requests dead workers held go back on the queue before this one decides to leave."""
        if self.inflight_prefix is None or self.queue_key is None:
            return 0
        from newsarchive.distributed.inflight import requeue_dead_workers

        return requeue_dead_workers(
            self.client,
            inflight_prefix=self.inflight_prefix,
            queue_key=self.queue_key,
            workers_key=self.workers_key,
            stale_after=self.stale_after,
            now=self.clock(),
            me=self.worker_id,
        )

    # ------------------------------------------------------------------ heartbeat

    def is_busy(self) -> bool:
        engine = self.crawler.engine
        try:
            return engine is not None and not engine.spider_is_idle()
        except RuntimeError:  # engine slot not assigned yet / already gone
            return False

    def beat(self) -> None:
        from redis import RedisError

        busy = self.is_busy()
        log.debug("worker %s heartbeat: %s", self.worker_id, "busy" if busy else "idle")
        if busy:
            self.idle_since = None
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        beat = Heartbeat(
            worker=self.worker_id,
            host=self.worker_id.rsplit("-p", 1)[0],
            pid=os.getpid(),
            busy=busy,
            seen=self.clock(),
            started=self.started,
            out_dir=self.out_dir,
            responses=int(stats.get("response_received_count", 0)),
        )
        try:
            self.client.hset(self.workers_key, self.worker_id, beat.to_json())
        except RedisError as exc:
            log.warning("worker %s: heartbeat failed (%s)", self.worker_id, exc)
        if not busy:
            self.nudge_engine()

    def nudge_engine(self) -> None:
        """Ask an idle engine to look at the shared queue now, not at its next 5 s heartbeat.

        Uses the engine's private slot; without it Scrapy's own heartbeat still polls.
        """
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None and getattr(slot, "closing", None) is None:
            nextcall.schedule()
