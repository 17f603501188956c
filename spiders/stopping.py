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

The page counter lives where the crawl keeps its state: in memory
(:class:`LocalPageCounter`) for one process, in Redis
(:class:`newsarchive.distributed.pagebudget.RedisPageCounter`) for the workers of
a shared crawl, so two workers with ``--max-pages 10`` fetch 10 pages in all. A
worker that finds the budget spent gives its request back to the shared queue and
closes its crawl (``closespider_pagecount``); its own Scrapy ``CloseSpider`` counts
only its own responses.

The middleware watches the signals itself (:func:`on_stop_signal`), so a crawl
started any way (``newsarchive crawl``, ``scrapy crawl``, scrapyd's cancel) stops
the same. Redis workers keep Scrapy's stop: their requests are released from
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


class LocalPageCounter:
    """The page counter of one crawling process: pages answered and requests under way."""

    shared = False  # only this process frees a place: waiting requests are woken by it

    def __init__(self) -> None:
        self.answered_count = 0
        self.under_way = 0

    def reserve(self, limit: int) -> int:
        """1: counted under way, go; 0: wait for a place; -1: the budget is spent."""
        if self.answered_count >= limit:
            return -1
        if self.answered_count + self.under_way >= limit:
            return 0
        self.under_way += 1
        return 1

    def answered(self) -> None:
        self.under_way -= 1
        self.answered_count += 1

    def released(self) -> None:
        self.under_way -= 1

    def reap(self) -> int:
        return 0

    def close(self) -> None:
        return None


# Seconds between two looks at a shared page budget by a request waiting for a place.
SHARED_BUDGET_POLL = 0.25


class PromptStopMiddleware:
    """Downloader middleware: once the crawl stops, nothing more waits for its delay."""

    def __init__(self, crawler: Crawler, counter: Any = None) -> None:
        self.crawler = crawler
        self.stopping = False
        self.given_back = 0
        # CLOSESPIDER_PAGECOUNT: responses allowed; 0 for no limit
        self.page_limit = max(crawler.settings.getint("CLOSESPIDER_PAGECOUNT", 0), 0)
        self.counter = counter if counter is not None else LocalPageCounter()
        self.under_way: set[Request] = set()  # let through, not answered nor failed yet
        self._waiting: list[Deferred[None]] = []
        self._poll: Any = None  # the pending look at a shared budget
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PromptStopMiddleware:
        if crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            return cls._for_worker(crawler)
        middleware = cls(crawler)
        on_stop_signal(lambda _name: middleware.stop())
        return middleware

    @classmethod
    def _for_worker(cls, crawler: Crawler) -> PromptStopMiddleware:
        """A Redis worker: only the page budget, counted in Redis (its stop is Scrapy's)."""
        from scrapy import signals

        from newsarchive.distributed.pagebudget import RedisPageCounter

        if crawler.settings.getint("CLOSESPIDER_PAGECOUNT", 0) <= 0:
            raise NotConfigured("a Redis worker finishes the requests it took from the queue")
        middleware = cls(crawler, RedisPageCounter.from_settings(crawler.settings))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self) -> None:
        if self._poll is not None and self._poll.active():
            self._poll.cancel()
        self.counter.close()

    async def process_request(self, request: Request) -> None:
        if self.stopping:
            self._give_back(request)
            raise StoppedBeforeFetch("the crawl is stopping: left for the resume")
        if self.page_limit:
            await self._within_page_limit(request)

    async def _within_page_limit(self, request: Request) -> None:
        """Wait until ``request`` can be fetched without passing the page limit."""
        while (verdict := self.counter.reserve(self.page_limit)) <= 0:
            if verdict < 0 or self.stopping:
                self._give_back(request)
                self._close_spent()
                raise StoppedBeforeFetch("the page limit (CLOSESPIDER_PAGECOUNT) is reached")
            turn: Deferred[None] = Deferred()
            self._waiting.append(turn)
            self._look_again_later()
            await maybe_deferred_to_future(turn)
        self.under_way.add(request)

    def _look_again_later(self) -> None:
        """A shared budget's place may be freed by another process: look again soon."""
        if not self.counter.shared or (self._poll is not None and self._poll.active()):
            return
        from twisted.internet import reactor

        def look() -> None:
            self.counter.reap()
            self._wake()

        self._poll = reactor.callLater(SHARED_BUDGET_POLL, look)  # type: ignore[attr-defined]

    def _close_spent(self) -> None:
        """The budget is spent: end this crawl (a worker's own CloseSpider never fires)."""
        engine = self.crawler.engine
        if self._closing or engine is None or engine.spider is None:
            return
        self._closing = True
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason="closespider_pagecount"))

    def process_response(self, request: Request, response: Response) -> Response:
        if request in self.under_way:
            self.under_way.discard(request)
            self.counter.answered()
            self._wake()
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request in self.under_way:  # no response: its place goes to a waiting request
            self.under_way.discard(request)
            self.counter.released()
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
