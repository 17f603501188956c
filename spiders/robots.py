"""robots.txt fetched once per host: the spider's own fetch also decides what is allowed.

The spider reads each seed's robots.txt as a discovery source (its ``Sitemap:``
lines) and records it like any page. Scrapy's ``RobotsTxtMiddleware`` would
fetch the same file again for the first request to the host, so every host
got two robots.txt requests and the archive two copies (the second a revisit).
:class:`SharedRobotsTxtMiddleware` replaces it at the same place: when the
spider's robots.txt request (``meta["newsarchive_robots_txt"]``) is the first
request to its host, the host's parser slot waits for that response instead of
a second download; the requests queued behind it wait exactly as they do on
Scrapy's own robots.txt fetch. It is parsed the way Scrapy parses its own: any
status, after redirects and retries; a download error allows everything, as
Scrapy's does. If the response has not arrived after
``NEWSARCHIVE_ROBOTS_ADOPT_TIMEOUT`` seconds (a redirect loop, whose error never
passes this middleware), Scrapy's own fetch takes over, so no request can wait
forever.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

META_KEY = "newsarchive_robots_txt"  # set by the spider on its robots.txt requests
_HOST_META = "newsarchive_robots_host"  # the host whose parser slot the response fills
ADOPT_TIMEOUT = 300.0  # default of NEWSARCHIVE_ROBOTS_ADOPT_TIMEOUT


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """``RobotsTxtMiddleware`` that adopts the spider's own robots.txt fetch (see module doc)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._adopted: dict[str, Any] = {}  # host -> timer of the fallback fetch
        self.adopt_timeout = crawler.settings.getfloat(
            "NEWSARCHIVE_ROBOTS_ADOPT_TIMEOUT", ADOPT_TIMEOUT
        )
        crawler.signals.connect(self._stop_timers, signal=signals.spider_closed)

    def _stop_timers(self) -> None:
        """A closed crawl fetches nothing more: no fallback fetch after it."""
        for timer in self._adopted.values():
            if timer.active():
                timer.cancel()
        self._adopted.clear()

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get(META_KEY):
            self._adopt(request)
            return None
        return await super().process_request(request)

    def _adopt(self, request: Request) -> None:
        host = request.meta.get(_HOST_META) or urlparse_cached(request).netloc
        if host in self._parsers:
            return  # Scrapy's own fetch (or an earlier one of ours) is already there
        from twisted.internet import reactor

        self._parsers[host] = Deferred()
        request.meta[_HOST_META] = host
        self._adopted[host] = reactor.callLater(
            self.adopt_timeout, self._fall_back, host, urlparse_cached(request).scheme
        )

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        host = request.meta.get(_HOST_META)
        if host and host in self._adopted:
            try:
                parser = self._parser_for(response, request)
            except Exception:  # the waiting requests must still be released
                log.exception("robots.txt of %s could not be parsed: everything allowed", host)
                parser = None
            self._settle(host, parser)
        return response

    def process_exception(
        self, request: Request, exception: BaseException, spider: Any = None
    ) -> None:
        host = request.meta.get(_HOST_META)
        if host and host in self._adopted:
            log.info(
                "robots.txt of %s failed (%s): everything allowed, as Scrapy does", host, exception
            )
            self.crawler.stats.inc_value(f"robotstxt/exception_count/{type(exception)}")
            self._settle(host, None)
        return None

    def _parser_for(self, response: Response, request: Request) -> Any:
        self.crawler.stats.inc_value("robotstxt/request_count")
        self.crawler.stats.inc_value("robotstxt/response_count")
        self.crawler.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        parser = build_from_crawler(self._parserimpl, self.crawler, response.body)
        self.crawler.signals.send_catch_log(
            signal=signals.robots_parsed, robotparser=parser, request=request
        )
        return parser

    def _settle(self, host: str, parser: Any) -> None:
        """Fill the host's parser slot and release the requests waiting on it."""
        timer = self._adopted.pop(host)
        if timer.active():
            timer.cancel()
        waiting = self._parsers.get(host)
        self._parsers[host] = parser
        if isinstance(waiting, Deferred) and not waiting.called:
            waiting.callback(parser)

    def _fall_back(self, host: str, scheme: str) -> None:
        """The adopted response never came: fetch robots.txt the way Scrapy does."""
        if self._adopted.pop(host, None) is None:
            return
        log.warning(
            "robots.txt of %s did not arrive in %.0f s: fetching it again", host, self.adopt_timeout
        )
        waiting = self._parsers.pop(host)
        fetched = deferred_from_coro(self.robot_parser(Request(f"{scheme}://{host}/")))

        def hand_over(parser: Any) -> None:
            if isinstance(waiting, Deferred) and not waiting.called:
                waiting.callback(parser if not hasattr(parser, "trap") else None)

        fetched.addBoth(hand_over)
