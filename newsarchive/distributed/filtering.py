"""Spider middleware: every request the spider yields goes through the shared Redis filter.

The ``news`` spider marks its requests ``dont_filter`` and keeps its own
per-process set of requested fingerprints (so that a single crawl killed with
``kill -9`` rediscovers what its JOBDIR queue lost). With several workers that
set is per process: two workers reading the same hub page would both queue
its articles. In worker mode this middleware clears ``dont_filter`` on what
the spider yields, so scrapy-redis's duplicate filter (one ``SADD`` per
request, atomic across workers) decides. Retries and redirects are made by
downloader middlewares, not the spider, and keep Scrapy's usual handling.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

log = logging.getLogger(__name__)


class SharedFilterMiddleware(BaseSpiderMiddleware):
    """Clear ``dont_filter`` on spider requests (start and callback output)."""

    def get_processed_request(self, request: Request, response: Any) -> Request | None:
        if not request.dont_filter:
            return request
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsarchive/distributed/filter_restored")
        return request.replace(dont_filter=False)
