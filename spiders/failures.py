"""Name the outcome of a request that got no response, for ``pages.jsonl``.

A table from exception type to outcome, so a new kind of refusal is one line.
Scrapy signals robots.txt denial and off-site filtering with the same
``IgnoreRequest``; the message tells them apart.
"""

from __future__ import annotations

from newsarchive.spiders.guard import RefusedAddress
from scrapy.exceptions import IgnoreRequest, StopDownload
from twisted.python.failure import Failure

# Checked in order: the first matching exception type names the outcome.
OUTCOME_BY_EXCEPTION: tuple[tuple[type[BaseException], str], ...] = (
    (RefusedAddress, "refused"),
    (IgnoreRequest, "refused"),
)
OVERSIZE_REASON = (
    "body over DOWNLOAD_MAXSIZE: archived up to the limit (WARC-Truncated: length), not parsed"
)
# IgnoreRequest messages that mean something more specific than "refused".
OUTCOME_BY_IGNORE_MESSAGE = (("robots.txt", "robots_denied"),)


def outcome_of_failure(failure: Failure) -> tuple[str, str]:
    """``(outcome, reason)`` for a failed request: refused, robots_denied or failed."""
    exc = failure.value
    if isinstance(exc, StopDownload) and exc.fail:
        # Raised by WarcCapture at DOWNLOAD_MAXSIZE, once it kept the start of the body:
        # refused as Scrapy refuses an oversize body, with the reason an archivist needs.
        return "refused", OVERSIZE_REASON
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    for exc_type, outcome in OUTCOME_BY_EXCEPTION:
        if isinstance(exc, exc_type):
            if isinstance(exc, IgnoreRequest) and not isinstance(exc, RefusedAddress):
                for needle, special in OUTCOME_BY_IGNORE_MESSAGE:
                    if needle in str(exc):
                        return special, reason
            return outcome, reason
    return "failed", reason
