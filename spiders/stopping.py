"""A first Ctrl-C (or SIGTERM) stops a polite crawl in seconds, not in queue length x delay.

Scrapy's graceful stop waits until every request the engine handed to the
downloader is done, and the downloader holds up to ``CONCURRENT_REQUESTS`` of
them, waiting in each host's slot for the politeness delay: with 10 s per host,
sixteen waiting requests kept a stopped crawl fetching for nearly three minutes.

On the stop, :class:`PromptStopMiddleware` (the downloader middleware closest to
the download) takes the requests still waiting for their slot out of it, and
refuses every request that reaches it afterwards (a robots.txt verdict releasing
its waiters, a redirect). Each such request goes back to the scheduler, which a
JOBDIR crawl saves for its resume (without JOBDIR the resume finds them again from
the entry points), and fails with :class:`StoppedBeforeFetch`, which the spider
does not record: nothing was fetched. Pages being downloaded finish, their records
are extracted and exported, and the WARC file is closed as usual.

The same middleware makes ``CLOSESPIDER_PAGECOUNT`` (``--max-pages``, a plan's
``limits.max_pages``) exact: Scrapy's ``CloseSpider`` stops the crawl once that many
responses came, but every request already handed to the downloader (up to
``CONCURRENT_REQUESTS``) was still fetched, archived and exported: ``--max-pages 10``
fetched 21 pages of a local site. A request is now let through only while the
responses so far plus the requests under way stay below the limit; the others wait
for one under way to end (a failed fetch gives its place back) and, once the limit
is reached, are left for the resume as on a stop.

The middleware watches the signals itself (:func:`on_stop_signal`), so a crawl
started any way (``newsarchive crawl``, ``scrapy crawl``, scrapyd's cancel) stops
the same. Redis workers keep Scrapy's behaviour: their requests are released from
the shared queue as they finish (``newsarchive.distributed.inflight``).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

from newsarchive.spiders.robots import META_KEY as ROBOTS_META  # made again on every start
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signal(callback: Callable[[str], object]) -> None:
    """Call ``callback(signal name)`` on the first SIGINT/SIGTERM, then the earlier handler.

    Scrapy installs its shutdown handlers (graceful stop; a second signal stops at
    once) when the reactor starts; they are wrapped right after. The callback runs
    in the reactor thread, never inside the signal handler (where writing to a
    stream can fail).
    """
    from twisted.internet import reactor

    def wrap() -> None:
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue

            def handler(num: int, frame: Any, previous: Callable[..., Any] = previous) -> None:
                reactor.callFromThread(callback, signal.Signals(num).name)  # type: ignore[attr-defined]
                previous(num, frame)

            try:
                signal.signal(signum, handler)
            except ValueError:  # not the main thread (a crawl run from a thread): no signals
                return

    reactor.callWhenRunning(lambda: reactor.callLater(0, wrap))  # type: ignore[attr-defined]


class StoppedBeforeFetch(IgnoreRequest):
    """The crawl was stopping before this request's turn came: kept for the resume."""


class PromptStopMiddleware:
    """Downloader middleware: once the crawl stops, nothing more waits for its delay."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stopping = False
        self.given_back = 0
        # CLOSESPIDER_PAGECOUNT: responses allowed; 0 for no limit
        self.page_limit = max(crawler.settings.getint("CLOSESPIDER_PAGECOUNT", 0), 0)
        self.answered = 0  # responses that came back through this middleware
        self.under_way: set[Request] = set()  # let through, not answered nor failed yet
        self._waiting: list[Deferred[None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PromptStopMiddleware:
        if crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured("a Redis worker finishes the requests it took from the queue")
        middleware = cls(crawler)
        on_stop_signal(lambda _name: middleware.stop())
        return middleware

    async def process_request(self, request: Request) -> None:
        if self.stopping:
            self._give_back(request)
            raise StoppedBeforeFetch("the crawl is stopping: left for the resume")
        if self.page_limit:
            await self._within_page_limit(request)

    async def _within_page_limit(self, request: Request) -> None:
        """Wait until ``request`` can be fetched without passing the page limit."""
        while self.answered + len(self.under_way) >= self.page_limit:
            if self.answered >= self.page_limit or self.stopping:
                self._give_back(request)
                raise StoppedBeforeFetch("the page limit (CLOSESPIDER_PAGECOUNT) is reached")
            turn: Deferred[None] = Deferred()
            self._waiting.append(turn)
            await maybe_deferred_to_future(turn)
        self.under_way.add(request)

    def process_response(self, request: Request, response: Response) -> Response:
        if request in self.under_way:
            self.under_way.discard(request)
            self.answered += 1
            self._wake()
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request in self.under_way:  # no response: its place goes to a waiting request
            self.under_way.discard(request)
            self._wake()

    def _wake(self) -> None:
        """Let every waiting request look again at the page limit."""
        waiting, self._waiting = self._waiting, []
        for turn in waiting:
            turn.callback(None)

    def stop(self) -> int:
        """Take the waiting requests out of the downloader's slots; returns how many."""
        if self.stopping:
            return 0
        self.stopping = True
        self._wake()  # requests waiting for the page limit are left for the resume too
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        taken = []
        for slot in getattr(downloader, "slots", {}).values():
            while slot.queue:
                taken.append(slot.queue.popleft())
        for request, waiting in taken:
            self._give_back(request)
            waiting.errback(Failure(StoppedBeforeFetch("the crawl is stopping")))
        if taken:
            log.info(
                "stopping: %d request(s) waiting for their politeness delay left for the resume",
                len(taken),
            )
        return len(taken)

    def _give_back(self, request: Request) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None or request.meta.get(ROBOTS_META):
            return
        try:
            engine.crawl(request.replace(dont_filter=True))
        except Exception as exc:  # the scheduler may be closing already: rediscovery finds it
            log.debug("not queued again: %s (%s)", request.url, exc)
            return
        self.given_back += 1
