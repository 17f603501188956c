"""Scrapy's retry, except for a fault the server makes the same way on every fetch.

Scrapy's ``RetryMiddleware`` retries a request whose exception is an instance of one
of ``RETRY_EXCEPTIONS`` (``exceptions_to_retry``), up to ``RETRY_TIMES`` more times.
A response our parser refuses (a header name holding control characters, a header
section over ``NEWSARCHIVE_MAX_HEADER_BYTES``: :mod:`newsarchive.spiders.headerlimit`)
reaches it as ``DownloadFailedError``, Scrapy's wrapper of Twisted's ``ResponseFailed``,
which is on that list for the sake of connections that break. The server sends the
same bytes again, so each such page was fetched three times before it failed the
same way. :class:`ServerFaultAwareRetry` takes the wrapped reasons into account:
a request failed by a :data:`SERVER_FAULTS` exception is not retried; any other is
decided by Scrapy's list as before.
"""

from __future__ import annotations

from collections.abc import Iterator

from newsarchive.spiders.headerlimit import ResponseHeadersTooLarge, UnreadableHeaderName
from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from twisted.python.failure import Failure

# Deterministic faults of a response: fetching it again gives the same fault.
SERVER_FAULTS: tuple[type[BaseException], ...] = (UnreadableHeaderName, ResponseHeadersTooLarge)


def underlying(exception: BaseException) -> Iterator[BaseException]:
    """``exception``, the exceptions it wraps (``__cause__``, ``__context__``) and the
    reasons of a Twisted ``ResponseFailed`` among them (a list of failures)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exception]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]
        reasons = getattr(current, "reasons", None)
        if isinstance(reasons, list):
            pending += [r.value for r in reasons if isinstance(r, Failure)]


def is_server_fault(exception: BaseException) -> bool:
    """Whether the request failed for a reason another fetch would meet again."""
    return any(isinstance(e, SERVER_FAULTS) for e in underlying(exception))


class ServerFaultAwareRetry(RetryMiddleware):
    """Scrapy's RetryMiddleware (same settings and stats) that fails a server fault at once."""

    def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if is_server_fault(exception):
            return None  # the page fails now, with this exception as its reason
        return super().process_exception(request, exception)
