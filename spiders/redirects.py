"""Fetch a redirect's target only when this crawl has not requested that URL yet.

The spider's requests are ``dont_filter`` (it keeps its own memory of what it
requested, see ``NewsSpider.first_time``), and Scrapy's RedirectMiddleware copies
that flag onto the follow-up request. Without this middleware an old URL that
redirects to an article the crawl already fetched (or has queued) would fetch it
twice. The redirect hop itself is still archived and recorded in pages.jsonl.

``ArchivalMetaRefresh`` replaces Scrapy's meta refresh middleware: a page whose
``<meta http-equiv="refresh">`` names its own URL (a live blog reloading itself) is
that page, not a redirect, and a refresh followed is announced with
:data:`META_REFRESH_FOLLOWED`, so that pages.jsonl records the hop as it records an
HTTP redirect. Scrapy turned the self-refresh into a request for a URL the crawl had
requested, which ``RedirectTargetOnce`` dropped: the article was archived but never
extracted, exported or listed.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urldefrag

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from newsarchive.fetchfacts import META_REFRESH_FOLLOWED

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


def _same_page(a: str, b: str) -> bool:
    return urldefrag(a)[0] == urldefrag(b)[0]


class ArchivalMetaRefresh(MetaRefreshMiddleware):
    """Scrapy's meta refresh redirects (delay under ``METAREFRESH_MAXDELAY``), except to the
    page itself; each one followed is announced for pages.jsonl."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivalMetaRefresh:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if not isinstance(result, Request):
            return result
        if _same_page(result.url, response.url):
            return response  # a page reloading itself is the page
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(
                META_REFRESH_FOLLOWED, request=request, response=response, target=result.url
            )
        return result
