"""Bound the header section of every response the crawl reads.

Twisted keeps every response header in memory until the empty line that ends the
section, and nothing but ``DOWNLOAD_TIMEOUT`` (60 s) stops a server that never
sends it: a page streaming header lines at network speed grew the crawl process by
gigabytes (1.5 GB in 10 s on 127.0.0.1) and could get the whole crawl killed for
want of memory. Past ``NEWSARCHIVE_MAX_HEADER_BYTES`` the response fails alone,
recorded in ``pages.jsonl`` with the reason.

Scrapy's HTTP/1.1 handler gives every response its ``_LenientHTTPClientParser``
(by replacing the class of the parser Twisted creates); the extension puts a
subclass that counts header bytes in that place, once per process.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.core.downloader.handlers import http11
from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

SETTING = "NEWSARCHIVE_MAX_HEADER_BYTES"
# Each line also costs Python an object and a list slot: a flood of tiny header lines
# counts at least this much per line, so their number is bounded too.
LINE_COST = 64


class ResponseHeadersTooLarge(Exception):
    """The status line and headers of a response exceed the limit."""


class BoundedHTTPClientParser(http11._LenientHTTPClientParser):
    """Scrapy's lenient parser that fails a response whose header section is too long."""

    limit = 0  # bytes; 0 = no limit (set by ResponseHeaderLimit from the crawl's setting)

    def lineReceived(self, line: bytes) -> None:
        """Count each status or header line (the body arrives in raw mode, uncounted)."""
        if self.limit:
            seen = getattr(self, "_newsarchive_header_bytes", 0) + max(len(line), LINE_COST)
            self._newsarchive_header_bytes = seen
            if seen > self.limit:
                raise ResponseHeadersTooLarge(
                    f"response headers over {SETTING} ({self.limit} bytes)"
                )
        super().lineReceived(line)


class ResponseHeaderLimit:
    """Extension: install :class:`BoundedHTTPClientParser` with the crawl's limit."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseHeaderLimit:
        install(max(crawler.settings.getint(SETTING, 0), 0))
        return cls()


def install(limit: int) -> Any:
    """Make ``limit`` the header bound of every later HTTP/1.1 response of this process."""
    BoundedHTTPClientParser.limit = limit
    http11._LenientHTTPClientParser = BoundedHTTPClientParser  # type: ignore[misc]
    log.debug("response headers limited to %d bytes", limit)
    return BoundedHTTPClientParser
