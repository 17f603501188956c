"""Each article text is exported once per crawl, whichever worker reaches it.

The dedupe pipeline (``pipelines/dedupe.py``) knows what its own process
exported. Workers fetch the same article under two URLs, and a request a killed
worker had not released is fetched again by another worker, whose dedupe
pipeline never saw the first copy. This pipeline, just before the export, claims
``article_id`` + ``content_hash`` in the crawl's Redis set
(``newsarchive:crawl:ID[:SITE]:exported``, one ``SADD``, atomic across workers) and
drops the item when another worker claimed it first.

Claimed first, written second: a worker killed in between leaves a claim
without a record; ``crawl-finish`` rebuilds that record from the worker's WARC
files (:mod:`.rebuild` compares the claim with the files, not with this set).
A Redis error lets the item through: a possible duplicate, never a loss.
"""

from __future__ import annotations

import logging
from typing import Any

from newsarchive.distributed.keys import crawl_prefix

log = logging.getLogger(__name__)

EXPORTED_PART = "exported"


def exported_key(settings: Any) -> str:
    """Set of ``ARTICLE_ID CONTENT_HASH`` claimed by the workers of one crawl (and site)."""
    prefix = settings.get("NEWSARCHIVE_REDIS_KEY_PREFIX") or crawl_prefix(
        settings.get("NEWSARCHIVE_CRAWL_ID")
    )
    return f"{prefix}:{EXPORTED_PART}"


class SharedExportPipeline:
    """Item pipeline (before the export): drop an article text another worker exported."""

    def __init__(self, client: Any, key: str, stats: Any = None) -> None:
        self.client = client
        self.key = key
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedExportPipeline:
        from newsarchive.distributed.settings import worker_client

        client = worker_client(crawler.settings, "NEWSARCHIVE_CRAWL_ID")
        key = exported_key(crawler.settings)
        return cls(client, key, crawler.stats)

    def process_item(self, item: Any) -> Any:
        from redis import RedisError
        from scrapy.exceptions import DropItem

        if not isinstance(item, dict) or not item.get("article_id"):
            return item
        text = f"{item['article_id']} {item.get('content_hash') or ''}"
        try:
            claimed = int(self.client.sadd(self.key, text))
        except RedisError as exc:
            log.warning("could not claim %s for export (%s)", item.get("url"), exc)
            return item
        if claimed:
            return item
        if self.stats is not None:
            self.stats.inc_value("newsarchive/duplicates")
        raise DropItem(
            f"article {item['article_id']} already exported by a worker of this crawl",
            log_level="INFO",
        )
