"""Fetch facts (the spider items' ``_capture``) for tests that feed pipelines by hand."""

from __future__ import annotations

from typing import Any

from newsarchive.fetchfacts import CAPTURE_KEY, FetchFacts, WarcPointer

HTML = "text/html; charset=utf-8"
WARC_POINTER = WarcPointer(
    warc_filename="newsarchive-20260101000000-00000-host.warc.gz",
    warc_record_offset=1234,
    warc_record_length=567,
    warc_record_id="<urn:uuid:0f0e0d0c-0000-4000-8000-000000000001>",
    content_digest="sha1:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    fetched_at="2026-01-01T00:00:00Z",
    ip_address="127.0.0.1",
)


def fetched(url: str, **facts: Any) -> FetchFacts:
    """A 200 HTML response from ``url`` with no redirect; ``facts`` override any field."""
    return FetchFacts(
        **{"requested_url": url, "status": 200, "content_type": HTML, **facts}, url=url
    )


def unanswered(url: str, outcome: str, error: str, **facts: Any) -> FetchFacts:
    """A request without a response, with the outcome the spider preset."""
    return FetchFacts.unanswered(url, facts.pop("via", None), outcome=outcome, error=error, **facts)


def item(capture: FetchFacts, record: dict[str, Any] | None = None) -> dict[str, Any]:
    """A spider item: the record (none for a page without one) with its fetch facts."""
    return {**(record or {}), CAPTURE_KEY: capture}
