"""The page step: one fetched page in, its verdict out; the crawl and ``reextract`` share it.

A crawl's spider (in an extraction worker) and ``newsarchive reextract`` (over
archived responses) both call :func:`process_page`, so one page gets one verdict
whichever way it is read: the block-page check, extraction, the outcome the
spider presets, and (for hubs) the links and feeds to follow. Provenance is
added after it by :func:`with_provenance`, the same function the crawl's
provenance pipeline uses. Nothing here imports Scrapy: the inputs are plain
bytes, a URL, headers and a status.

Block pages are judged on the whole page and the extracted article: a page that
shows bot-wall evidence (``safety.detect_block_page``) but whose extraction is a
full article (an article page type with at least ``FULL_ARTICLE_WORDS`` words
of body) is an article, and carries a ``suspected block page`` validation
message; anything else with that evidence is recorded as ``blocked``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from newsarchive import settings as project_settings
from newsarchive.extraction.surrogates import encodable
from newsarchive.fetchfacts import FetchFacts, capture_of
from newsarchive.normalize import reidentify
from newsarchive.safety import SMALL_PAGE_WORDS, detect_block_page

log = logging.getLogger(__name__)

# Only these page types are exported as articles (a live blog or gallery is recorded only).
ARTICLE_PAGE_TYPES = frozenset({"article"})
# Body words from which an extracted article outweighs bot-wall markers on its page: a
# challenge page has a few dozen words, an article with a comment-form captcha hundreds.
FULL_ARTICLE_WORDS = SMALL_PAGE_WORDS
SUSPECTED_BLOCK = "suspected block page"
# Only start tags this long can hold thousands of attributes ("a=1 " is 4 bytes); libxml2
# is quadratic in the attributes of one element (10,000: 0.2 s, 80,000: 90 s).
_LONG_TAG = re.compile(rb"<[A-Za-z][^<>]{32768,}")
# A run of separators is taken whole, with or without a name after it (only a name counts):
# a run a name never follows was otherwise tried again from each of its bytes (quadratic).
_ATTRIBUTE = re.compile(rb"""[\s/]++([^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']*))?)?""")


@dataclass
class PageOutcome:
    """What the page step decided about one page.

    ``outcome`` is preset (``blocked``, ``http_error``, ``not_modified``, ``failed``) when
    the page step decided it, else None and :func:`decide_outcome` decides from the record.
    """

    record: dict[str, Any] | None = None
    outcome: str | None = None
    error: str | None = None
    page_type: str | None = None
    links: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds on one page's extraction (settings ``NEWSARCHIVE_EXTRACT_*``; 0/None = none).

    The defaults are those of ``newsarchive.settings``; a setting that is absent from the
    given settings keeps its default, 0 switches the limit off.
    """

    timeout: float | None = project_settings.NEWSARCHIVE_EXTRACT_TIMEOUT or None
    memory_mb: int | None = project_settings.NEWSARCHIVE_EXTRACT_MEMORY_MB or None
    max_bytes: int | None = project_settings.NEWSARCHIVE_EXTRACT_MAX_BYTES or None
    max_attributes: int | None = project_settings.NEWSARCHIVE_EXTRACT_MAX_ATTRIBUTES or None

    @classmethod
    def from_settings(cls, settings: Any) -> ExtractionLimits:
        """From Scrapy settings or the ``newsarchive.settings`` module (anything with names)."""

        def value(name: str) -> Any:
            getter = getattr(settings, "get", None)
            return getter(name) if callable(getter) else getattr(settings, name, None)

        def positive(name: str, convert: Callable[[Any], Any]) -> Any:
            raw = value(name)
            if raw is None:
                raw = getattr(project_settings, name)
            try:
                number = convert(raw) if raw not in (None, "") else None
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a number >= 0, got {raw!r}") from None
            if number is not None and (number != number or number < 0):
                raise ValueError(f"{name} must be a number >= 0, got {raw!r}")
            return number or None

        return cls(
            timeout=positive("NEWSARCHIVE_EXTRACT_TIMEOUT", float),
            memory_mb=positive("NEWSARCHIVE_EXTRACT_MEMORY_MB", int),
            max_bytes=positive("NEWSARCHIVE_EXTRACT_MAX_BYTES", int),
            max_attributes=positive("NEWSARCHIVE_EXTRACT_MAX_ATTRIBUTES", int),
        )

    @property
    def memory_bytes(self) -> int | None:
        return self.memory_mb * 2**20 if self.memory_mb else None


@dataclass(frozen=True)
class Following:
    """Which of a hub page's links the caller wants (None: the page is not followed)."""

    hosts: tuple[str, ...] = ()
    links: bool = True
    feeds: bool = True
    # Feeds and links handed back per page (None: all): each costs the reactor a scope check
    # and a fingerprint, so a 32 MB page of a million bare links must not reach it.
    max_links: int | None = project_settings.NEWSARCHIVE_MAX_LINKS_PER_PAGE or None


def is_full_article(record: Mapping[str, Any] | None) -> bool:
    """An extracted article with a real body (what no bot wall has)."""
    if not record:
        return False
    extraction = record.get("extraction") or {}
    body = record.get("article_body") or ""
    return (
        extraction.get("page_type") in ARTICLE_PAGE_TYPES
        and len(body.split()) >= FULL_ARTICLE_WORDS
    )


def _note(record: dict[str, Any], message: str) -> None:
    extraction = dict(record.get("extraction") or {})
    messages = list(extraction.get("validation_messages") or [])
    if message not in messages:
        messages.append(message)
    extraction["validation_messages"] = messages
    record["extraction"] = extraction


def most_attributes(body: bytes) -> int:
    """The most attributes one start tag of ``body`` has (0 when no tag is long).

    One linear pass: only start tags over 32 KB are counted, attribute by attribute.
    """
    most = 0
    for tag in _LONG_TAG.finditer(body):
        spans = _ATTRIBUTE.finditer(body, tag.start() + 2, tag.end())
        count = sum(1 for span in spans if span.group(1))
        most = max(most, count)
    return most


def too_much_work(body: bytes, max_bytes: int | None, max_attributes: int | None) -> str | None:
    """Why parsing ``body`` would take unbounded time, checked before parsing (or None)."""
    if max_bytes and len(body) > max_bytes:
        return f"page too large to extract: {len(body)} bytes (limit {max_bytes})"
    if max_attributes and len(body) > 32768:
        attributes = most_attributes(body)
        if attributes > max_attributes:
            return (
                f"page too complex to extract: an element with {attributes} attributes "
                f"(limit {max_attributes})"
            )
    return None


def _ran_out_of_memory(record: Mapping[str, Any]) -> bool:
    """The extractor notes a stage that hit MemoryError and goes on (engine._guarded)."""
    messages = (record.get("extraction") or {}).get("validation_messages") or []
    return any(str(m).endswith("(MemoryError)") for m in messages)


def _follow(body: bytes, url: str, following: Following) -> tuple[list[str], list[str]]:
    from newsarchive.discovery.feeds import discover_feeds
    from newsarchive.discovery.links import extract_links, html_root

    root = html_root(body)  # parsed once for both
    if root is None:
        return [], []
    # One more than the cap, so the spider sees the page was cut and says so.
    keep = following.max_links + 1 if following.max_links is not None else sys.maxsize
    feeds = discover_feeds(root, url)[:keep] if following.feeds else []
    links = extract_links(root, url, allowed_hosts=following.hosts) if following.links else []
    if following.max_links is not None and len(feeds) + len(links) > keep:
        log.info("%s: %d links and feeds, the first %d kept", url, len(feeds) + len(links), keep)
    return links[: max(keep - len(feeds), 0)], feeds


def process_page(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None,
    status: int | None,
    *,
    following: Following | None = None,
    limits: ExtractionLimits | None = None,
    canonical_hosts: tuple[str, ...] = (),
    extract_function: Callable[..., dict[str, Any]] | None = None,
) -> PageOutcome:
    """Block check, extraction and preset outcome of one fetched page (``status`` None: the
    HTTP status is unknown, no block check).

    Never raises for a bad page; raises MemoryError when extraction ran out of memory, so
    that a worker with a memory limit is replaced (see ``spiders/workerpool.py``).
    ``limits``: the checks before parsing (size, attributes of one element); the time
    and memory limits are the worker pool's. ``canonical_hosts``: hosts a crawl plan
    says belong together, whose pages may name each other's URLs as canonical
    (:func:`newsarchive.normalize.reidentify`).
    ``extract_function`` replaces ``newsarchive.extraction.extract`` (tests).
    """
    if extract_function is None:
        from newsarchive.extraction import extract as extract_function

    signal = detect_block_page(status, headers, body)  # None without a status (no HTTP)
    if status is not None and status >= 400:
        if signal:
            return PageOutcome(outcome="blocked", error=signal, page_type="block_page")
        return PageOutcome(outcome="http_error", error=f"HTTP {status}")
    if status == 304:  # conditional re-fetch: the archived copy is current
        return PageOutcome(outcome="not_modified")
    refused = limits and too_much_work(body, limits.max_bytes, limits.max_attributes)
    if refused:
        return PageOutcome(outcome="failed", error=refused)
    try:
        record = extract_function(body, url, headers=headers)
    except MemoryError:
        raise
    except Exception as exc:  # extract() promises not to raise; one page must not stop a run
        log.exception("extraction failed for %s", url)
        return PageOutcome(outcome="failed", error=f"extraction: {type(exc).__name__}: {exc}")
    if _ran_out_of_memory(record):
        raise MemoryError(f"extraction of {url} ran out of memory")
    record = encodable(record)
    if canonical_hosts:
        reidentify(record, canonical_hosts)
    if signal:
        if not is_full_article(record):
            return PageOutcome(outcome="blocked", error=signal, page_type="block_page")
        _note(record, f"{SUSPECTED_BLOCK}: {signal}")
    page_type = (record.get("extraction") or {}).get("page_type")
    outcome = PageOutcome(record=record, page_type=page_type)
    if following is not None and page_type not in ARTICLE_PAGE_TYPES:
        outcome.links, outcome.feeds = _follow(body, url, following)
    return outcome


def decide_outcome(item: Mapping[str, Any], min_probability: float) -> tuple[str, str | None]:
    """``(outcome, reason)`` of one spider item; the page step may have decided already."""
    capture = capture_of(item)
    if capture is not None and capture.outcome:
        return capture.outcome, capture.error
    status = (capture.status if capture else None) or 0
    if status >= 400:
        return "http_error", f"HTTP {status}"
    extraction = item.get("extraction") or {}
    page_type = extraction.get("page_type")
    probability = float(extraction.get("probability") or 0.0)
    if page_type in ARTICLE_PAGE_TYPES and probability >= min_probability:
        return "article", None
    return "not_article", f"page_type={page_type} probability={probability:.2f}"


def with_provenance(
    record: dict[str, Any], capture: FetchFacts, crawl_id: str | None, spider: str | None
) -> dict[str, Any]:
    """Fill ``provenance``, ``capture_id``, ``requested_url`` and ``url`` from the capture."""
    from newsarchive.provenance import build_provenance, capture_id_for

    provenance = build_provenance(capture, crawl_id=crawl_id, spider=spider)
    record["provenance"] = provenance
    record["capture_id"] = capture_id_for(capture.warc, capture.url, provenance["fetched_at"])
    record["requested_url"] = capture.requested_url or record.get("requested_url")
    record["url"] = record.get("url") or capture.url
    return record
