"""Archived responses back to article records (``newsarchive reextract``).

One sequential pass reads the WARC files in order (cheap: headers and payloads),
and hands each archived HTML page to a pool of worker processes that run the
crawl's page step (:func:`newsarchive.pagestep.process_page`: block check,
extraction, outcome), so a page gets the verdict the crawl gave it, under the
crawl's time and memory limits (``spiders/workerpool.py``); results come back in
archive order, so the output is deterministic whatever the number of jobs.

Payloads are read with warcio's ``content_stream()``: the de-chunked body with
its content coding undone, which is what the crawl's spider saw after Scrapy's
HttpCompressionMiddleware. A ``revisit`` is resolved to the payload of the record
it refers to (seen earlier in this run, or found through ``digests.sqlite`` beside
the file). Provenance is rebuilt with the same function the crawl's provenance
pipeline uses (:mod:`newsarchive.provenance`): WARC pointer from the record's
position, ``fetched_at`` from ``WARC-Date``, crawl id and spider from the
``warcinfo``, ``discovered_via`` from the request record, redirects from the 3xx
responses that led to the page.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from newsarchive.pagestep import ExtractionLimits
from newsarchive.warc.capture import SPIDER_FIELD, VIA_HEADER
from newsarchive.warc.digests import DigestIndex
from newsarchive.warc.records import rfc3339

log = logging.getLogger(__name__)

HTML_MIME_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Headers that described the body as stored, not as the extractor receives it.
DECODED_AWAY = frozenset({"content-encoding", "transfer-encoding"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class ArchivedPage:
    """One archived HTML response, ready for extraction in a worker process."""

    url: str
    body: bytes
    headers: dict[str, str]
    capture: dict[str, Any]


@dataclass
class ReadState:
    """What the sequential pass remembers across records and files."""

    warcinfo: dict[str, str] = field(default_factory=dict)
    redirected_from: dict[str, str] = field(default_factory=dict)
    locations: dict[str, tuple[Path, int]] = field(default_factory=dict)
    skipped: int = 0


def _warcinfo_fields(payload: bytes) -> dict[str, str]:
    fields = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def _joined_headers(http_headers: Any) -> dict[str, str]:
    """Headers as the spider passes them to ``extract`` (repeats joined with ', ')."""
    joined: dict[str, str] = {}
    for name, value in http_headers.headers:
        if name.lower() in DECODED_AWAY:
            continue
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _original_payload(state: ReadState, path: Path, record: Any) -> bytes | None:
    """Payload of the full capture a revisit refers to, or None when it cannot be found."""
    from warcio.archiveiterator import ArchiveIterator

    refers_to = record.rec_headers.get_header("WARC-Refers-To")
    where = state.locations.get(refers_to) if refers_to else None
    if where is None:
        digests_path = path.parent / "digests.sqlite"
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if digests_path.exists() and digest:
            index = DigestIndex(digests_path)
            try:
                entry = index.lookup(digest)
            finally:
                index.close()
            if entry is not None:
                where = (path.parent / entry.filename, entry.offset)
    if where is None or not where[0].exists():
        return None
    with open(where[0], "rb") as stream:
        stream.seek(where[1])
        for original in ArchiveIterator(stream):
            return original.content_stream().read()
    return None


def _redirect_chain(state: ReadState, url: str) -> list[str]:
    """URLs that redirected to ``url``, first request first."""
    chain: list[str] = []
    current = url
    while current in state.redirected_from and len(chain) < 30:
        current = state.redirected_from[current]
        chain.insert(0, current)
    return chain


def _capture_of(
    state: ReadState, record: Any, position: tuple[str, int, int], via: dict[str, Any] | None
) -> dict[str, Any]:
    """The ``_capture`` block the spider would have built for this response."""
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    filename, offset, length = position
    redirects = _redirect_chain(state, url)
    if redirects:
        via = {"type": "redirect", "url": redirects[-1], "lastmod": (via or {}).get("lastmod")}
    warc_date = headers.get_header("WARC-Date")
    return {
        "url": url,
        "requested_url": redirects[0] if redirects else url,
        "status": int(record.http_headers.get_statuscode()),
        "content_type": record.http_headers.get_header("Content-Type"),
        "discovered_via": via,
        "crawl_id": state.warcinfo.get("isPartOf"),
        "spider": state.warcinfo.get(SPIDER_FIELD),
        "fetched_at": warc_date,
        "warc": {
            "warc_filename": filename,
            "warc_record_offset": offset,
            "warc_record_length": length,
            "warc_record_id": headers.get_header("WARC-Record-ID"),
            "content_digest": headers.get_header("WARC-Payload-Digest"),
            "fetched_at": rfc3339_of(warc_date),
            "ip_address": headers.get_header("WARC-IP-Address"),
        },
    }


def rfc3339_of(warc_date: str) -> str:
    """``WARC-Date`` as provenance ``fetched_at`` (the same string the crawl wrote)."""
    from warcio.timeutils import iso_date_to_datetime

    return rfc3339(iso_date_to_datetime(warc_date).replace(tzinfo=UTC))


def _is_wanted_page(record: Any) -> bool:
    """A 200 HTML response or revisit: what the crawl's spider extracted."""
    if record.rec_type not in ("response", "revisit") or not record.http_headers:
        return False
    status = int(record.http_headers.get_statuscode() or 0)
    return (
        status == 200 and _mime(record.http_headers.get_header("Content-Type")) in HTML_MIME_TYPES
    )


def _note_redirect(state: ReadState, record: Any) -> None:
    location = record.http_headers.get_header("Location")
    if location:
        source = record.rec_headers.get_header("WARC-Target-URI")
        state.redirected_from[urljoin(source, location).split("#", 1)[0]] = source


def read_pages(
    paths: Iterable[str | Path], state: ReadState | None = None
) -> Iterator[ArchivedPage]:
    """Every archived 200 HTML response (or revisit of one) in ``paths``, in order."""
    from warcio.archiveiterator import ArchiveIterator

    state = state or ReadState()
    for path in map(Path, paths):
        pending: tuple[ArchivedPage, str, Any, tuple[str, int, int]] | None = None
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                rec_type = record.rec_type
                wanted = _is_wanted_page(record)
                # Read the payload before asking for the offset: warcio reads to the end then.
                reads_payload = rec_type == "warcinfo" or (wanted and rec_type == "response")
                body = record.content_stream().read() if reads_payload else None
                offset, length = records.get_record_offset(), records.get_record_length()
                if rec_type == "request" and pending is not None:
                    page, main_id, main, position = pending
                    pending = None
                    if record.rec_headers.get_header("WARC-Concurrent-To") == main_id:
                        via_text = record.rec_headers.get_header(VIA_HEADER)
                        page.capture = _capture_of(
                            state, main, position, json.loads(via_text) if via_text else None
                        )
                    yield page
                    continue
                if pending is not None:
                    yield pending[0]
                    pending = None
                if rec_type == "warcinfo":
                    state.warcinfo = _warcinfo_fields(body or b"")
                    continue
                if rec_type not in ("response", "revisit") or not record.http_headers:
                    continue
                if rec_type == "response":
                    state.locations[record.rec_headers.get_header("WARC-Record-ID")] = (
                        path,
                        offset,
                    )
                if int(record.http_headers.get_statuscode() or 0) in REDIRECT_STATUSES:
                    _note_redirect(state, record)
                if not wanted:
                    state.skipped += 1
                    continue
                if body is None:
                    body = _original_payload(state, path, record)
                if body is None:
                    log.warning(
                        "revisit of %s at %s:%d: original payload not found, skipped",
                        record.rec_headers.get_header("WARC-Target-URI"),
                        path,
                        offset,
                    )
                    state.skipped += 1
                    continue
                position = (path.name.removesuffix(".open"), offset, length)
                page = ArchivedPage(
                    record.rec_headers.get_header("WARC-Target-URI"),
                    body,
                    _joined_headers(record.http_headers),
                    _capture_of(state, record, position, None),
                )
                pending = (page, record.rec_headers.get_header("WARC-Record-ID"), record, position)
            if pending is not None:
                yield pending[0]


def extract_page(page: ArchivedPage, limits: ExtractionLimits | None = None) -> dict[str, Any]:
    """The page step on one archived page, with provenance exactly as the crawl adds it.

    Returns ``{"record", "capture", "outcome", "error"}``: ``outcome`` is the page step's
    preset verdict (``blocked``, ``failed``, ...) or None when the record decides, and
    ``record`` is None whenever there is no record (``error`` then says why), so one bad
    page never stops a run.
    """
    from newsarchive.pagestep import process_page, with_provenance

    capture = page.capture
    outcome = process_page(page.body, page.url, page.headers, capture.get("status"), limits=limits)
    record = outcome.record
    if record is not None:
        with_provenance(record, capture, capture.get("crawl_id"), capture.get("spider"))
    return {
        "record": record,
        "capture": capture,
        "outcome": outcome.outcome,
        "error": outcome.error,
    }


def _failed_page(page: ArchivedPage, error: Exception) -> dict[str, Any]:
    """The result of a page whose worker was killed (time or memory limit) or died."""
    return {"record": None, "capture": page.capture, "outcome": "failed", "error": str(error)}


def extract_pages(
    pages: Iterable[ArchivedPage], jobs: int = 1, limits: ExtractionLimits | None = None
) -> Iterator[dict[str, Any]]:
    """:func:`extract_page` over ``pages`` in worker processes, results in archive order.

    The workers have the crawl's per-page limits (``limits``, default: the
    ``NEWSARCHIVE_EXTRACT_*`` settings), so a hostile archived page fails alone instead
    of stalling the run; only without time and memory limits and with one job is it
    run in-process.
    """
    from newsarchive import settings
    from newsarchive.spiders.workerpool import map_in_order

    limits = limits or ExtractionLimits.from_settings(settings)
    function = functools.partial(extract_page, limits=limits)
    if jobs <= 1 and not (limits.timeout or limits.memory_mb):
        yield from map(function, pages)
        return
    yield from map_in_order(
        function,
        pages,
        max(1, jobs),
        failed=_failed_page,
        window=max(1, jobs) * 16,
        timeout=limits.timeout,
        memory_limit=limits.memory_bytes,
    )


def reextract(
    paths: Iterable[str | Path],
    jobs: int = 1,
    min_probability: float = 0.5,
    limits: ExtractionLimits | None = None,
) -> Iterator[dict[str, Any]]:
    """Article records re-extracted from archives, filtered and versioned like the crawl's.

    Same rules as the crawl's pipelines: an article page type at or over
    ``min_probability`` is exported; the same text under a second URL is dropped,
    a changed text becomes the next version.
    """
    from newsarchive.export.versions import VersionIndex
    from newsarchive.pagestep import decide_outcome

    versions = VersionIndex()
    for result in extract_pages(read_pages(paths), jobs, limits):
        record = result["record"]
        if record is None:
            if result["outcome"] == "failed":
                log.warning("%s: %s", result["capture"].get("url"), result["error"])
            continue
        outcome, _ = decide_outcome({**record, "_capture": result["capture"]}, min_probability)
        if outcome != "article":
            continue
        _, admitted = versions.admit(record)
        if admitted is not None:
            yield admitted
