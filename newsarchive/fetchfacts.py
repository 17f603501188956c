"""What the crawl knows about one fetch, carried from the spider to the pipelines.

Every item the ``news`` spider yields holds a :class:`FetchFacts` under
:data:`CAPTURE_KEY`: the requested and final URL, status, content type, the
validators kept for conditional re-fetches, how the URL was discovered, the WARC
pointer, crawl id, spider, fetch time and the outcome the spider preset (robots.txt
denial, HTTP error, failed extraction, ...). Re-extraction from WARC files builds
the same type from the archived records (``warc/reread.py``), the add-on from the
response it saw. The pipelines read it (the outcome, ``pages.jsonl``, the crawl
state, provenance), and the provenance pipeline removes it from the item, so it is
never exported.

Both types are frozen: the one pipeline that changes a verdict (the crawl state's
``not_modified``) puts :meth:`FetchFacts.decided` in the item in place of the old
facts. A misspelt field name fails where the facts are built, instead of being a
key no reader ever asks for. Nothing here imports Scrapy or warcio.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

# The item key holding the facts; the ``_`` marks it as the pipelines' own, never exported.
CAPTURE_KEY = "_capture"

# Scrapy signal (``request``, ``response``: the page holding the refresh, ``target``) sent
# by spiders/redirects.ArchivalMetaRefresh for a meta refresh followed as a redirect: a hop
# the spider never sees, which the pages pipeline records as it records an HTTP redirect.
META_REFRESH_FOLLOWED = object()

# The ``discovered_via`` block ({"type", "url", "lastmod"}, schema.DiscoveredVia) as written
# to pages.jsonl and provenance. It stays a plain dict: it travels in request.meta (JOBDIR,
# the Redis queue) and is written as it is.
Via = dict[str, Any]


def discovered_via(kind: str, source: str | None, lastmod: str | None = None) -> Via:
    """The ``discovered_via`` block: how a URL was found (type, source URL, lastmod)."""
    return {"type": kind, "url": source, "lastmod": lastmod}


@dataclass(frozen=True, slots=True, kw_only=True)
class WarcPointer:
    """Where the WARC capture extension wrote a fetch (``request.meta["newsarchive_warc"]``).

    The extension hands it over as a plain dict, because a project's own spiders read it
    there (see ``newsarchive.addon``); :meth:`from_meta` turns it into this type.
    """

    warc_filename: str
    warc_record_offset: int
    warc_record_length: int
    warc_record_id: str | None = None
    content_digest: str | None = None
    fetched_at: str | None = None  # WARC-Date as RFC 3339: when the capture started
    ip_address: str | None = None
    warc_record_type: str | None = None  # "response" or "revisit"
    refers_to: dict[str, Any] | None = None  # a revisit's original record

    @classmethod
    def from_meta(cls, pointer: Mapping[str, Any] | WarcPointer | None) -> WarcPointer | None:
        """The pointer a request's meta holds, None when the fetch was not archived."""
        if pointer is None or isinstance(pointer, WarcPointer):
            return pointer
        return cls(**pointer)


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchFacts:
    """One fetch (or a request refused before it was made), as the pipelines need it.

    ``url`` is the final URL, ``requested_url`` the one asked for before redirects;
    ``status`` and ``content_type`` are None when no response came. ``outcome`` and
    ``error`` are the verdict when the spider or the page step decided it, else None and
    ``newsarchive.pagestep.decide_outcome`` decides from the record.
    """

    url: str | None
    requested_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    # ETag / Last-Modified (lower-case names) for the crawl state's conditional re-fetch.
    headers: Mapping[str, str] = field(default_factory=dict)
    discovered_via: Via | None = None
    # A redirected page's discovered_via is the redirect; this is the block before it.
    discovered_via_original: Via | None = None
    warc: WarcPointer | None = None
    crawl_id: str | None = None
    spider: str | None = None
    fetched_at: str | None = None  # the spider's clock; the WARC pointer's time wins
    outcome: str | None = None
    error: str | None = None
    page_type: str | None = None  # robots, sitemap, feed, block_page, ... (no record)

    @classmethod
    def fetched(
        cls, url: str, redirects: Sequence[str], via: Via | None, **facts: Any
    ) -> FetchFacts:
        """The facts of a response from ``url``, reached through ``redirects`` (first first).

        A redirected page is discovered through the hop that named its URL (type
        ``redirect``, with the original lastmod); the original block is kept beside it.
        """
        if not redirects:
            return cls(url=url, requested_url=url, discovered_via=via, **facts)
        original = via or {}
        return cls(
            url=url,
            requested_url=redirects[0],
            discovered_via=discovered_via("redirect", redirects[-1], original.get("lastmod")),
            discovered_via_original=original,
            **facts,
        )

    @classmethod
    def unanswered(cls, url: str, via: Via | None, **facts: Any) -> FetchFacts:
        """A request that got no response (refused, denied, network error): no status."""
        return cls(url=url, requested_url=url, discovered_via=via, **facts)

    def decided(self, outcome: str, error: str | None) -> FetchFacts:
        """The same facts with the verdict a pipeline reached."""
        return dataclasses.replace(self, outcome=outcome, error=error)

    @property
    def fetch_time(self) -> str | None:
        """When the fetch happened: the WARC capture start when archived, else the spider's."""
        return (self.warc.fetched_at if self.warc else None) or self.fetched_at


def field_names(cls: type) -> tuple[str, ...]:
    """The declared fields of ``cls`` (:class:`FetchFacts` or :class:`WarcPointer`), in order."""
    return tuple(f.name for f in dataclasses.fields(cls))


def capture_of(item: Any) -> FetchFacts | None:
    """The facts an item carries; None for an item from another spider (no ``_capture``).

    An untyped ``_capture`` is refused: pipelines must not guess at its keys.
    """
    if not isinstance(item, dict) or CAPTURE_KEY not in item:
        return None
    facts = item[CAPTURE_KEY]
    if not isinstance(facts, FetchFacts):
        raise TypeError(f"{CAPTURE_KEY} must be a FetchFacts, got {type(facts).__name__}")
    return facts


def redirect_target(url: str, location: str) -> str | None:
    """The URL a ``Location`` header names, resolved against ``url``; None when it is no URL.

    A hostile server's ``Location: http://[::1/x`` makes ``urljoin`` raise: that redirect
    leads nowhere, and must not break the crawl's page log or a re-extraction.
    """
    try:
        return urljoin(url, location)
    except ValueError:
        return None
