"""Turn a crawl's options into one worker's options: Redis settings and its own folder.

Workers of one crawl share the crawl's output folder ``OUT`` and each writes
under ``OUT/workers/HOST-pPID/`` (WARC files, articles, pages.jsonl, its own
manifest and CDXJ index): nothing is ever appended to by two processes.
:func:`newsarchive.distributed.merge.merge_crawl` then writes ``OUT/index.cdxj``
and ``OUT/manifest.json`` over every worker's files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from newsarchive.crawlfolder import WORKERS_DIRNAME
from newsarchive.distributed.settings import redis_settings


def worker_dir(out_dir: str | Path, worker_id: str | None = None) -> Path:
    """``OUT/workers/HOST-pPID`` for this process (or for ``worker_id``)."""
    from newsarchive.warc.naming import host_part

    return Path(out_dir) / WORKERS_DIRNAME / (worker_id or host_part())


def check_worker_mode(redis_url: str) -> None:
    """ValueError (a clear message, not a traceback) when worker mode cannot start here."""
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        raise ValueError(
            f"worker mode needs the distributed extra (missing {exc.name}): "
            "pip install -e '.[distributed]'"
        ) from None
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=10).ping()
    except (redis.RedisError, ValueError) as exc:
        raise ValueError(f"cannot reach Redis at {redis_url}: {exc}") from None


def worker_options(
    options: Any, redis_url: str, *, site: str | None = None, check: bool = True
) -> Any:
    """A copy of ``CrawlOptions`` that runs as a worker of ``options.crawl_id``.

    The crawl id is required: it is what workers on other machines share.
    Settings the caller overrides (``-s NAME=VALUE``) still win over ours.
    ``check`` first makes sure scrapy-redis is installed and Redis answers.
    """
    if not options.crawl_id:
        raise ValueError("a Redis worker needs --crawl-id (the id every worker shares)")
    if check:
        check_worker_mode(redis_url)
    overrides = {
        **redis_settings(redis_url, options.crawl_id, site=site),
        **dict(options.overrides),
    }
    return dataclasses.replace(options, out_dir=worker_dir(options.out_dir), overrides=overrides)
