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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PromptStopMiddleware:
        if crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured("a Redis worker finishes the requests it took from the queue")
        middleware = cls(crawler)
        on_stop_signal(lambda _name: middleware.stop())
        return middleware

    def process_request(self, request: Request) -> None:
        if self.stopping:
            self._give_back(request)
            raise StoppedBeforeFetch("the crawl is stopping: left for the resume")

    def stop(self) -> int:
        """Take the waiting requests out of the downloader's slots; returns how many."""
        if self.stopping:
            return 0
        self.stopping = True
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
