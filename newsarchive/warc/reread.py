"""Archived responses back to article records (``newsarchive reextract``).

One sequential pass reads the WARC files in order (cheap: headers and payloads),
and hands each archived HTML page to a pool of worker processes that run the
crawl's page step (:func:`newsarchive.pagestep.process_page`: block check,
extraction, outcome), so a page gets the verdict the crawl gave it, under the
crawl's time and memory limits (``spiders/workerpool.py``); results come back in
archive order, so the output is deterministic whatever the number of jobs.

Files are read member by member (``gzipwalk.iter_members``): each gzip member must
hold one whole WARC record, and after a bad member (corrupt, cut short, not gzip)
reading resumes at the next member that holds one, so damage costs the bytes it
spans and never the records after it; ``ReadState.damage`` says what was skipped.
Payloads are de-chunked and their content coding undone with the bounded inflate
(``newsarchive.inflate``): the body the crawl's spider saw after Scrapy's
HttpCompressionMiddleware, and a decompression bomb fails its page alone
(``ReadState.failures``). A ``revisit`` is resolved to the payload of the record
it refers to (seen earlier in this run, or found through the digest index the crawl
used: ``digests.sqlite`` beside the file, or the plan's, see
:mod:`newsarchive.warc.originals`); one whose original cannot be found is a failed
page with a message naming where it was looked for. Provenance is rebuilt with the
same function the crawl's provenance pipeline uses (:mod:`newsarchive.provenance`):
WARC pointer from the record's position, ``fetched_at`` from ``WARC-Date``, crawl id
and spider from the ``warcinfo``, ``discovered_via`` from the request record,
redirects from the 3xx responses that led to the page. Of a URL captured twice by one
crawl (archived before a ``kill -9``, fetched again by the resume), only the capture
the crawl folder's export holds is read (:func:`exported_captures`).
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from newsarchive.fetchfacts import CAPTURE_KEY, FetchFacts, WarcPointer, redirect_target
from newsarchive.inflate import InflateError, decode_content, max_size
from newsarchive.pagestep import ExtractionLimits
from newsarchive.warc.originals import OriginalNotFound, Originals, recorded_plan_site
from newsarchive.warc.records import SPIDER_FIELD, VIA_HEADER, rfc3339
from newsarchive.warc.wholerecords import FileDamage, read_capped, whole_records

log = logging.getLogger(__name__)

HTML_MIME_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Headers that described the body as stored, not as the extractor receives it.
DECODED_AWAY = frozenset({"content-encoding", "transfer-encoding"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_SIZE = 1 << 16


@dataclass(frozen=True)
class SiteRules:
    """What a plan site's crawl applied to its records beyond extraction.

    ``canonical_hosts`` (``scope.canonical_hosts``) decide an ``article_id`` and
    ``timezone`` the dates without offset: without them a re-extracted plan crawl gave
    other ids and dates than the crawl exported.
    """

    canonical_hosts: tuple[str, ...] = ()
    timezone: str | None = None


@dataclass
class ArchivedPage:
    """One archived HTML response, ready for extraction in a worker process."""

    url: str
    body: bytes
    headers: dict[str, str]
    capture: FetchFacts
    site: SiteRules = field(default_factory=SiteRules)


def site_rules(warc_dir: Path) -> SiteRules:
    """The rules of the plan site whose crawl (or Redis worker) wrote ``warc_dir``."""
    plan, name = recorded_plan_site(warc_dir)
    site = next((s for s in plan.sites if s.name == name), None) if plan else None
    if site is None:
        return SiteRules()
    return SiteRules(tuple(site.scope.canonical_hosts), site.timezone)


Exported = dict[tuple[str | None, str], frozenset[str]]  # (crawl id, URL) -> WARC record ids


def exported_captures(warc_dir: Path) -> Exported:
    """(crawl id, URL) -> WARC record ids of the captures the crawl folder's export holds.

    A crawl killed after archiving a page and before exporting it fetches the page
    again when resumed and exports that capture; a crawl without a state also fetches
    again pages exported before the kill and exports those captures no second time.
    Which capture of a URL the crawl exported is known only from its export (the
    folder's own batches, ``.open`` ones included); empty outside a crawl folder.
    Keyed by crawl id too: another crawl into the same folder has its own export.
    """
    from newsarchive.crawlfolder import WARC_DIRNAME, CrawlFolder, is_crawl_folder
    from newsarchive.report import read_jsonl

    folder = CrawlFolder(warc_dir.parent)
    if warc_dir.name != WARC_DIRNAME or not is_crawl_folder(folder.path):
        return {}
    captures: dict[tuple[str | None, str], set[str]] = {}
    for batch in folder.batches_here():
        for record in read_jsonl(batch):
            provenance = record.get("provenance")
            if not isinstance(provenance, dict) or not isinstance(record.get("url"), str):
                continue
            record_id = provenance.get("warc_record_id")
            if isinstance(record_id, str):
                key = (provenance.get("crawl_id"), record["url"])
                captures.setdefault(key, set()).add(record_id)
    return {key: frozenset(ids) for key, ids in captures.items()}


def _is_exported_capture(state: ReadState, warc_dir: Path, url: str, record_id: str) -> bool:
    """False for a capture of a URL its crawl exported from another capture of it."""
    if warc_dir not in state.exported:
        state.exported[warc_dir] = exported_captures(warc_dir)
    chosen = state.exported[warc_dir].get((state.warcinfo.get("isPartOf"), url))
    return chosen is None or record_id in chosen


@dataclass
class ReadState:
    """What the sequential pass remembers across records and files."""

    warcinfo: dict[str, str] = field(default_factory=dict)
    redirected_from: dict[str, str] = field(default_factory=dict)
    locations: dict[str, tuple[Path, int]] = field(default_factory=dict)
    originals: Originals = field(default_factory=Originals)  # earlier runs' captures
    sites: dict[Path, SiteRules] = field(default_factory=dict)  # by WARC folder
    exported: dict[Path, Exported] = field(default_factory=dict)  # by WARC folder
    skipped: int = 0
    damage: list[FileDamage] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, why) before extraction


def _warcinfo_fields(payload: bytes) -> dict[str, str]:
    fields = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def _joined_headers(http_headers: Any) -> dict[str, str]:
    """Headers as the spider passes them to ``extract``: repeats joined with ', ', names
    matched in any case (as Scrapy's ``Headers`` does; a head as sent keeps their case)."""
    joined: dict[str, str] = {}
    names: dict[str, str] = {}  # lower-case name -> the first spelling seen
    for name, value in http_headers.headers:
        lowered = name.lower()
        if lowered in DECODED_AWAY:
            continue
        key = names.setdefault(lowered, name)
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _original_payload(state: ReadState, path: Path, record: Any) -> bytes:
    return _original_capture(state, path, record)[0]


def _original_capture(state: ReadState, path: Path, record: Any) -> tuple[bytes, Any]:
    """Payload of the full capture a revisit refers to (:mod:`newsarchive.warc.originals`).

    Seen earlier in this read, or found through the digest index the crawl used (a
    plan's index points into its earlier runs). Raises ``OriginalNotFound`` naming
    what was searched, so a revisit is never dropped without a word.
    """
    return _located_original(state, path, record)[1]


def original_place(state: ReadState, path: Path, record: Any) -> tuple[Path, int]:
    """(file, offset) of the full capture a revisit of ``path`` refers to.

    Found as :func:`_original_capture` finds it (payload left unread): what a WACZ of
    the revisit's run must also hold to replay it. ``OriginalNotFound`` likewise.
    """
    return _located_original(state, path, record, payload=False)[0]


def _located_original(
    state: ReadState, path: Path, record: Any, payload: bool = True
) -> tuple[tuple[Path, int], tuple[bytes, Any]]:
    """Where the original of a revisit is, and its payload (b"" unless ``payload``)."""
    headers = record.rec_headers
    refers_to = headers.get_header("WARC-Refers-To")
    digest = headers.get_header("WARC-Payload-Digest")
    uri = headers.get_header("WARC-Refers-To-Target-URI")
    date = headers.get_header("WARC-Refers-To-Date")
    places: Iterable[tuple[Path, int]] = (
        [state.locations[refers_to]] if refers_to in state.locations else []
    )
    if digest:
        places = itertools.chain(places, state.originals.candidates(path, digest, uri, date))
    tried = set()
    for where in places:
        found = None if where in tried else _capture_at(*where, refers_to, digest, payload)
        if found is not None:
            return where, found
        tried.add(where)
    raise OriginalNotFound(
        f"original {refers_to or digest} ({uri} at {date}) not found: "
        f"{state.originals.searched(path)}"
    )


def revisit_payload(path: Path, record: Any) -> bytes:
    """Payload of the capture a revisit of ``path``, read on its own, refers to.

    ``OriginalNotFound`` when it is nowhere the crawl's pointers lead (see
    :func:`_original_payload`); ``InflateError`` as :func:`payload_of`.
    """
    return _original_payload(ReadState(), path, record)


def revisit_original(path: Path, record: Any) -> tuple[bytes, Any]:
    """Payload and HTTP head of the capture a revisit of ``path`` refers to: a
    server-not-modified revisit's own head is a 304, the page's is the original's."""
    return _original_capture(ReadState(), path, record)


def _capture_at(
    path: Path, offset: int, record_id: str | None, digest: str | None, payload: bool = True
) -> tuple[bytes, Any] | None:
    """Payload (b"" unless ``payload``) and HTTP head of the response at ``path:offset``
    if it is the one wanted, else None."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with open(path, "rb") as stream:
            stream.seek(offset)
            original = next(iter(ArchiveIterator(stream)), None)
            if original is None or original.rec_type != "response":
                return None
            found = original.rec_headers
            if record_id and found.get_header("WARC-Record-ID") != record_id:
                return None
            if digest and found.get_header("WARC-Payload-Digest") != digest:
                return None
            return payload_of(original) if payload else b"", original.http_headers
    except (OSError, ArchiveLoadFailed, ValueError, EOFError):
        return None


def payload_of(record: Any) -> bytes:
    """The body as the spider saw it: de-chunked, content coding undone, bounded.

    Raises ``InflateError`` (``TooLarge`` for a bomb) when it cannot be had within
    ``NEWSARCHIVE_MAX_DECOMPRESSED_SIZE``.
    """
    from warcio.bufferedreaders import ChunkedDataReader

    limit = max_size()
    raw = read_capped(record.raw_stream, limit)
    http = record.http_headers
    if http is None:
        return raw
    if (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        raw = read_capped(ChunkedDataReader(io.BytesIO(raw)), limit)
    return decode_content(raw, http.get_header("Content-Encoding"), limit)


def _redirect_chain(state: ReadState, url: str) -> list[str]:
    """URLs that redirected to ``url``, first request first."""
    chain: list[str] = []
    current = url
    while current in state.redirected_from and len(chain) < 30:
        current = state.redirected_from[current]
        chain.insert(0, current)
    return chain


def _via_of(text: str | None) -> dict[str, Any] | None:
    """The discovered_via block a request record carries; None when absent or not one.

    Archive input like any other: a foreign or damaged header costs only itself.
    """
    if not text:
        return None
    try:
        via = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return via if isinstance(via, dict) else None


def _capture_of(
    state: ReadState, record: Any, position: tuple[str, int, int], via: dict[str, Any] | None
) -> FetchFacts:
    """The fetch facts the spider would have built for this response."""
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    filename, offset, length = position
    warc_date = headers.get_header("WARC-Date")
    return FetchFacts.fetched(
        url,
        _redirect_chain(state, url),
        via,
        status=int(record.http_headers.get_statuscode()),
        content_type=record.http_headers.get_header("Content-Type"),
        crawl_id=state.warcinfo.get("isPartOf"),
        spider=state.warcinfo.get(SPIDER_FIELD),
        fetched_at=warc_date,
        warc=WarcPointer(
            warc_filename=filename,
            warc_record_offset=offset,
            warc_record_length=length,
            warc_record_id=headers.get_header("WARC-Record-ID"),
            content_digest=headers.get_header("WARC-Payload-Digest"),
            fetched_at=rfc3339_of(warc_date),
            ip_address=headers.get_header("WARC-IP-Address"),
        ),
    )


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
        target = redirect_target(source, location)
        if target is not None:  # a Location that is no URL leads to no archived page
            state.redirected_from[target.split("#", 1)[0]] = source


def read_pages(
    paths: Iterable[str | Path], state: ReadState | None = None
) -> Iterator[ArchivedPage]:
    """Every archived 200 HTML response (or revisit of one) in ``paths``, in order."""
    state = state or ReadState()
    for path in map(Path, paths):
        pending: tuple[ArchivedPage, str, Any, tuple[str, int, int]] | None = None
        for record, offset, length in whole_records(path, state.damage):
            rec_type = record.rec_type
            if rec_type == "request" and pending is not None:
                page, main_id, main, position = pending
                pending = None
                if record.rec_headers.get_header("WARC-Concurrent-To") == main_id:
                    via = _via_of(record.rec_headers.get_header(VIA_HEADER))
                    page.capture = _capture_of(state, main, position, via)
                yield page
                continue
            if pending is not None:
                yield pending[0]
                pending = None
            if rec_type == "warcinfo":
                try:
                    state.warcinfo = _warcinfo_fields(read_capped(record.raw_stream, max_size()))
                except InflateError:  # a warcinfo over the limit names nothing we can use
                    state.warcinfo = {}
                continue
            page_and_id = _page_of(state, path, record, offset, length)
            if page_and_id is not None:
                pending = (*page_and_id, record, (path.name.removesuffix(".open"), offset, length))
        if pending is not None:
            yield pending[0]


def _page_of(
    state: ReadState, path: Path, record: Any, offset: int, length: int
) -> tuple[ArchivedPage, str] | None:
    """The page of a response or revisit record, or None (not wanted, or no payload)."""
    if record.rec_type not in ("response", "revisit") or not record.http_headers:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    if record.rec_type == "response":
        state.locations[record.rec_headers.get_header("WARC-Record-ID")] = (path, offset)
    if int(record.http_headers.get_statuscode() or 0) in REDIRECT_STATUSES:
        _note_redirect(state, record)
    if not _is_wanted_page(record) or not _is_exported_capture(
        state, path.parent, url, record.rec_headers.get_header("WARC-Record-ID")
    ):
        state.skipped += 1
        return None
    try:
        body = (
            payload_of(record)
            if record.rec_type == "response"
            else _original_payload(state, path, record)
        )
    except InflateError as error:
        log.warning("%s at %s:%d: payload skipped: %s", url, path, offset, error)
        state.failures.append((url, f"payload: {error}"))
        return None
    except OriginalNotFound as error:
        log.warning("revisit of %s at %s:%d: %s", url, path, offset, error)
        state.failures.append((url, f"revisit: {error}"))
        return None
    position = (path.name.removesuffix(".open"), offset, length)
    page = ArchivedPage(
        url,
        body,
        _joined_headers(record.http_headers),
        _capture_of(state, record, position, None),
        state.sites.get(path.parent)
        or state.sites.setdefault(path.parent, site_rules(path.parent)),
    )
    return page, record.rec_headers.get_header("WARC-Record-ID")


def extract_page(page: ArchivedPage, limits: ExtractionLimits | None = None) -> dict[str, Any]:
    """The page step on one archived page, with provenance exactly as the crawl adds it.

    Returns ``{"record", "capture", "outcome", "error"}``: ``outcome`` is the page step's
    preset verdict (``blocked``, ``failed``, ...) or None when the record decides, and
    ``record`` is None whenever there is no record (``error`` then says why), so one bad
    page never stops a run.
    """
    from newsarchive.normalize import localize_dates
    from newsarchive.pagestep import process_page, with_provenance

    capture = page.capture
    outcome = process_page(
        page.body,
        page.url,
        page.headers,
        capture.status,
        limits=limits,
        canonical_hosts=page.site.canonical_hosts,
    )
    record = outcome.record
    if record is not None:
        if page.site.timezone:  # as the crawl's validation pipeline does
            record.update(localize_dates(record, page.site.timezone))
        with_provenance(record, capture, capture.crawl_id, capture.spider)
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
    state: ReadState | None = None,
    limits: ExtractionLimits | None = None,
) -> Iterator[dict[str, Any]]:
    """Article records re-extracted from archives, filtered and versioned like the crawl's.

    Same rules as the crawl's pipelines: an article page type at or over
    ``min_probability`` is exported; the same text under a second URL is dropped,
    a changed text becomes the next version, in capture order (the files' names), not
    the order ``paths`` are given in. ``state`` collects damaged files and failed pages
    for the caller's report.
    """
    state = state if state is not None else ReadState()
    from newsarchive.export.versions import VersionIndex
    from newsarchive.pagestep import decide_outcome
    from newsarchive.warc.naming import in_capture_order

    versions = VersionIndex()
    ordered = in_capture_order([Path(path) for path in paths])
    for result in extract_pages(read_pages(ordered, state), jobs, limits):
        record = result["record"]
        if record is None:
            if result["outcome"] == "failed":
                log.warning("%s: %s", result["capture"].url, result["error"])
                state.failures.append((result["capture"].url, result["error"]))
            continue
        outcome, _ = decide_outcome({**record, CAPTURE_KEY: result["capture"]}, min_probability)
        if outcome != "article":
            continue
        _, admitted = versions.admit(record)
        if admitted is not None:
            yield admitted
