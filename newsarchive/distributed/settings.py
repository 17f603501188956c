"""Scrapy settings that turn a crawl into one worker of a crawl shared through Redis.

scrapy-redis's defaults are set for one crawler that owns its Redis keys. For
many workers sharing one crawl they are wrong in ways we verified:

* ``SCHEDULER_PERSIST`` defaults to False: the scheduler's ``close()`` then
  deletes the request queue and the fingerprint set, so one worker that stops
  (SIGINT, page limit, a deploy) wipes the frontier of every other worker.
* ``SCHEDULER_FLUSH_ON_START`` True would do the same when a worker joins.
* Its key templates are named after the spider only (``news:requests``), so
  two crawls on one Redis server would share a queue. Every key template below
  carries the crawl id (and the site, when a plan crawls several sites at once).
* ``SCHEDULER_IDLE_BEFORE_CLOSE`` is the timeout of a *blocking* pop
  (``BRPOP``) for the FIFO/LIFO queues: it freezes Twisted's reactor while it
  waits. It stays 0; the priority queue never blocks.
* ``MAX_IDLE_TIME_BEFORE_CLOSE`` is read by ``RedisMixin`` (RedisSpider) at
  spider setup, but the idle clock it is compared with,
  ``RedisMixin.spider_idle_start_time``, is a class attribute evaluated when
  ``scrapy_redis.spiders`` is imported: in a long-lived process (scrapyd, a
  scheduler) a spider's first idle moment already looks like hours of idling
  and it closes at once. We do not use RedisMixin; the
  :class:`~newsarchive.distributed.workers.SharedCrawlWorkers` extension keeps a
  worker open while the shared queue has requests or another worker is busy,
  and starts its own idle clock when this worker becomes idle.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from newsarchive.distributed.keys import check_name, crawl_prefix

log = logging.getLogger(__name__)

# Key templates (after the crawl prefix) for every key setting scrapy-redis reads;
# scrapy-redis fills in %(spider)s / %(name)s with the spider's name.
KEY_TEMPLATES: dict[str, str] = {
    "SCHEDULER_QUEUE_KEY": "%(spider)s:requests",  # sorted set: the shared frontier
    "SCHEDULER_DUPEFILTER_KEY": "%(spider)s:dupefilter",  # set: fingerprints of seen requests
    "REDIS_START_URLS_KEY": "%(name)s:start_urls",  # read only by RedisSpider (unused)
    "STATS_KEY": "%(spider)s:stats",  # only with scrapy_redis.stats.RedisStatsCollector
    "REDIS_ITEMS_KEY": "%(spider)s:items",  # only with scrapy_redis.pipelines.RedisPipeline
}
# Each key constant in scrapy_redis.defaults -> the setting that replaces it here.
# DUPEFILTER_KEY ("dupefilter:<timestamp>") is used only when the duplicate filter
# is built without a spider; the scheduler builds RFPDupeFilter with from_spider.
DEFAULT_KEY_SETTINGS: dict[str, str | None] = {
    "SCHEDULER_QUEUE_KEY": "SCHEDULER_QUEUE_KEY",
    "SCHEDULER_DUPEFILTER_KEY": "SCHEDULER_DUPEFILTER_KEY",
    "START_URLS_KEY": "REDIS_START_URLS_KEY",
    "STATS_KEY": "STATS_KEY",
    "PIPELINE_KEY": "REDIS_ITEMS_KEY",
    "DUPEFILTER_KEY": None,
}
WORKERS_EXTENSION = "newsarchive.distributed.workers.SharedCrawlWorkers"
WORKERS_EXTENSION_ORDER = 600
# Hands the spider's dont_filter requests to the shared filter (see filtering.py).
FILTER_MIDDLEWARE = "newsarchive.distributed.filtering.SharedFilterMiddleware"
FILTER_MIDDLEWARE_ORDER = 990
# Keeps each popped request in Redis until it is done (inflight.py): the downloader
# middleware releases a request that failed without a response...
SCHEDULER_CLASS = "newsarchive.distributed.inflight.ReliableScheduler"
RELEASE_MIDDLEWARE = "newsarchive.distributed.inflight.InflightReleaseMiddleware"
RELEASE_MIDDLEWARE_ORDER = 5
# ...and releases a request once its page went through the spider and the pipelines
# (closest to the engine: it sees every output, errback output included).
RELEASE_SPIDER_MIDDLEWARE = "newsarchive.distributed.inflight.InflightReleaseSpiderMiddleware"
RELEASE_SPIDER_MIDDLEWARE_ORDER = 10

# Seconds: heartbeat period, how long a worker stays idle before it leaves a
# finished crawl, and after how long without a heartbeat a worker counts as dead.
DEFAULT_HEARTBEAT = 1.0
DEFAULT_IDLE_GRACE = 3.0
DEFAULT_STALE_AFTER = 15.0


def key_prefix(crawl_id: str, site: str | None = None) -> str:
    """Prefix of the scrapy-redis keys of one crawl (and site, for multi-site plans)."""
    prefix = crawl_prefix(crawl_id)
    return f"{prefix}:{check_name(site, 'site name')}" if site else prefix


def project_components(name: str) -> dict[str, Any]:
    """The project's EXTENSIONS / SPIDER_MIDDLEWARES / DOWNLOADER_MIDDLEWARES dict.

    A component dict given at command-line priority replaces the project's whole
    dict, so ours is merged into a copy of it.
    """
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    return dict(settings.getdict(name))


def redis_settings(
    redis_url: str,
    crawl_id: str,
    *,
    site: str | None = None,
    base_extensions: Mapping[str, Any] | None = None,
    base_spider_middlewares: Mapping[str, Any] | None = None,
    base_downloader_middlewares: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Settings (to merge at command-line priority) for one worker of crawl ``crawl_id``."""
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"--redis expects redis://HOST:PORT/DB, got {redis_url!r}")
    prefix = key_prefix(crawl_id, site)
    extensions = dict(
        project_components("EXTENSIONS") if base_extensions is None else base_extensions
    )
    extensions[WORKERS_EXTENSION] = WORKERS_EXTENSION_ORDER
    middlewares = dict(
        project_components("SPIDER_MIDDLEWARES")
        if base_spider_middlewares is None
        else base_spider_middlewares
    )
    middlewares[FILTER_MIDDLEWARE] = FILTER_MIDDLEWARE_ORDER
    middlewares[RELEASE_SPIDER_MIDDLEWARE] = RELEASE_SPIDER_MIDDLEWARE_ORDER
    downloader = dict(
        project_components("DOWNLOADER_MIDDLEWARES")
        if base_downloader_middlewares is None
        else base_downloader_middlewares
    )
    downloader[RELEASE_MIDDLEWARE] = RELEASE_MIDDLEWARE_ORDER
    settings: dict[str, Any] = {
        "REDIS_URL": redis_url,
        "SCHEDULER": SCHEDULER_CLASS,  # scrapy-redis's, with crash-safe pops
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # Sources (robots, sitemaps, feeds) before articles before hubs, as on one machine.
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_PERSIST": True,  # a stopping worker must not delete the shared frontier
        "SCHEDULER_FLUSH_ON_START": False,  # nor a joining one
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # >0 blocks the reactor in BRPOP
        "MAX_IDLE_TIME_BEFORE_CLOSE": 0,  # RedisMixin only; its idle clock starts at import
        "EXTENSIONS": extensions,
        "SPIDER_MIDDLEWARES": middlewares,
        "DOWNLOADER_MIDDLEWARES": downloader,
        "NEWSARCHIVE_REDIS_INFLIGHT_KEY": f"{prefix}:%(spider)s:inflight",
        "NEWSARCHIVE_CRAWL_ID": crawl_id,
        "NEWSARCHIVE_REDIS_URL": redis_url,
        "NEWSARCHIVE_REDIS_KEY_PREFIX": prefix,
        "NEWSARCHIVE_STATE_BACKEND": "redis",
        "NEWSARCHIVE_REDIS_HEARTBEAT": DEFAULT_HEARTBEAT,
        "NEWSARCHIVE_REDIS_IDLE_GRACE": DEFAULT_IDLE_GRACE,
        "NEWSARCHIVE_REDIS_STALE_AFTER": DEFAULT_STALE_AFTER,
    }
    settings.update({name: f"{prefix}:{template}" for name, template in KEY_TEMPLATES.items()})
    return settings


def worker_client(settings: Any, *required: str, decode: bool = True) -> Any:
    """The Redis client of a worker component (extension, middleware).

    Raises ``NotConfigured`` (Scrapy then leaves the component out) when the crawl
    is not a Redis worker: ``NEWSARCHIVE_REDIS_URL`` or one of ``required`` unset.
    """
    from scrapy.exceptions import NotConfigured

    missing = [name for name in ("NEWSARCHIVE_REDIS_URL", *required) if not settings.get(name)]
    if missing:
        # The normal case of every crawl on one machine: said at debug level, not as the
        # warning Scrapy gives a NotConfigured with a reason.
        log.debug("not a Redis worker (%s unset): component off", ", ".join(missing))
        raise NotConfigured
    try:  # only workers need the client: a plain install has no redis package
        import redis
    except ImportError as error:
        raise RuntimeError(
            "a Redis worker needs the distributed extra: pip install 'newsarchive[distributed]'"
        ) from error
    return redis.Redis.from_url(
        settings.get("NEWSARCHIVE_REDIS_URL"), decode_responses=decode, socket_timeout=30
    )


def as_setting_strings(settings: Mapping[str, Any]) -> dict[str, str]:
    """Settings as ``NAME=VALUE`` strings for ``scrapy crawl -s`` or scrapyd's ``setting=``.

    Scrapy reads component dicts back from JSON (``Settings.getdict``) and
    booleans and numbers from their text.
    """
    import json

    return {
        name: json.dumps(value) if isinstance(value, dict | list) else str(value)
        for name, value in settings.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Print a worker's settings as ``NAME=VALUE`` lines, one per scrapyd ``setting=``.

    A scrapyd job becomes a Redis worker only with these settings, and nobody should
    have to write Python to get them: ``docs/distributed.md`` feeds the lines to curl.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m newsarchive.distributed.settings",
        description="Print the settings of a Redis worker as NAME=VALUE lines (for scrapyd).",
    )
    parser.add_argument("redis_url", help="redis://HOST:PORT/DB every worker reaches")
    parser.add_argument("crawl_id", help="the crawl id the workers share")
    parser.add_argument("--site", default=None, help="a plan's site name (its own queue)")
    args = parser.parse_args(argv)
    try:
        settings = redis_settings(args.redis_url, args.crawl_id, site=args.site)
    except ValueError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    for name, value in as_setting_strings(settings).items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
