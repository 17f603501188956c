"""Fetch a redirect's target only when this crawl has not requested that URL yet.

The spider's requests are ``dont_filter`` (it keeps its own memory of what it
requested, see ``NewsSpider.first_time``), and Scrapy's RedirectMiddleware copies
that flag onto the follow-up request. Without this middleware an old URL that
redirects to an article the crawl already fetched (or has queued) would fetch it
twice. The redirect hop itself is still archived and recorded in pages.jsonl.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

log = logging.getLogger(__name__)


class AlreadyRequested(IgnoreRequest):
    """The redirect target was requested before in this crawl: nothing new to fetch."""


class RedirectTargetOnce:
    """Downloader middleware: drop redirected requests whose URL the spider requested."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectTargetOnce:
        return cls(crawler)

    def process_request(self, request: Request) -> Any:
        spider = self.crawler.spider
        first_time = getattr(spider, "first_time", None)
        if not request.meta.get("redirect_urls") or first_time is None:
            return None
        if first_time(request):
            return None
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsarchive/redirect_to_known_url")
        log.debug(
            "not fetched again: %s (redirected from %s)",
            request.url,
            request.meta["redirect_urls"][-1],
        )
        raise AlreadyRequested(f"{request.url} was requested before")
