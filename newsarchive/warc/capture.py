"""``WarcCapture``: the Scrapy extension that archives every fetch as WARC.

Why an extension on signals and not a downloader middleware: ``response_downloaded``
fires right after the download handler, before any middleware, so the body is
still content-encoded and HTTP-cache hits (answered by a middleware, never by the
download handler) never reach it. ``request_reached_downloader`` gives the capture
start used as ``WARC-Date`` (it fires when the request enters the downloader
slot, so a per-slot download delay counts as part of the capture).

Every fetch Scrapy makes is archived: pages, robots.txt, sitemaps, feeds,
redirects and error pages. A 2xx payload already archived (this crawl or an
earlier one into the same output directory) is written as a ``revisit``.

Where the work happens (measured with ``bench/warc_overhead.py``: 2,000 pages of
~20 KB, half gzip-coded, CPU-bound, on a shared 2-core machine whose load swings the
figures by +-5%): by default everything runs inline in the reactor thread, ~0.15 ms
of CPU per request + response pair when timed alone (was ~0.39 ms), 0.13-0.3 ms per
page inside the crawl: a 6-14% cost in CPU pages/s medians of 5-7 rounds (was 15-20%,
same machine, same day). Per page,
timed inside a crawl: payload and block SHA-1 ~20 us each, deflating a plain 20 KB
payload ~60 us (ISA-L), records built and serialised ~50 us, the write ~14 us,
CDXJ line ~18 us, digest index ~8 us. ``NEWSARCHIVE_WARC_THREAD = True`` builds the
records in the reactor and leaves serialising, compressing, writing and indexing to
one writer thread (order kept): that overlaps with crawling only when a core is
free and otherwise costs more CPU (GIL hand-offs, wake-ups), so it is not the default.

The pointer in ``request.meta["newsarchive_warc"]`` is there before the spider
callback runs: inline it is set at once; with the writer thread
``WarcPointerMiddleware`` (closest to the engine) holds each response until its
records are written, so no exported item can point at a record a crash lost.

Payloads that arrive content-encoded (gzip, br, ...) are stored in a gzip member
without recompression (they would not shrink); plain payloads and request records use
gzip level ``NEWSARCHIVE_WARC_GZIP_LEVEL`` (default 1, ISA-L; see ``serialize``).

Truncation: a body cut by a lost connection (``dataloss`` flag) is written with
``WARC-Truncated: disconnect``. A body over ``DOWNLOAD_MAXSIZE`` would be cancelled by
Scrapy and lost; this extension stops it at the limit itself (``StopDownload`` from
``headers_received`` / ``bytes_received``) and ``WarcPointerMiddleware`` archives the
part received with ``WARC-Truncated: length``. The request still fails, as before.

The response head is archived as the server sent it (status line and header lines,
kept by our HTTP/1.1 parser, ``spiders/headerlimit.py``), minus the chunked framing;
without it (HTTP/2, another download handler, a head unsafe to write) it is rebuilt
from Scrapy's response, which title-cases header names, groups repeated headers by
name and drops the reason phrase (``records``).

Known limit: ``WARC-Date`` is taken when the request enters the downloader slot, so a
download delay counts as capture time.

A write failure (disk full) closes the spider with reason ``warc_write_failed``.

Crash recovery: when the extension opens an output folder it first finishes the
``*.open`` files a killed crawl left there (``warc.recover``: cut after the last whole
record, renamed to the name every pointer already uses, ``index.cdxj`` repaired),
unless ``NEWSARCHIVE_WARC_RECOVER`` is off.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from newsarchive.distributed.digests import open_digest_index
from newsarchive.spiders.headerlimit import install_parser, wire_head_of
from newsarchive.version import __version__
from newsarchive.warc import records
from newsarchive.warc.cdxj import CdxjAppender, IndexEntry, mime_of
from newsarchive.warc.digests import ArchivedPayload, PayloadIndex
from newsarchive.warc.recover import recover_folder
from newsarchive.warc.serialize import WarcRecord
from newsarchive.warc.writer import (
    STORED,
    RecordLocation,
    RotatingWarcWriter,
    WarcWriteError,
)

log = logging.getLogger(__name__)

META_KEY = "newsarchive_warc"
CLOSE_REASON = "warc_write_failed"
# gzip level for payloads sent without content coding: level 1 deflates ~3x faster than
# 6 for ~15-20% larger members; most news sites send gzip/br bodies, stored as they are.
CRAWL_GZIP_LEVEL = 1
# Content codings whose payload would not shrink when deflated again.
COMPRESSED_CODINGS = frozenset({b"gzip", b"x-gzip", b"br", b"deflate", b"zstd", b"compress"})
WARC_SUBDIR = "warc"
INDEX_NAME = "index.cdxj"
DIGESTS_NAME = "digests.sqlite"
VIA_META_KEY = "newsarchive_via"  # the spider's discovered_via block for the URL
# Payload digest of the capture a conditional request's validators came from: a 304
# answer becomes a server-not-modified revisit of that capture.
CONFIRMS_META_KEY = "newsarchive_confirms"
RECORD_BYTES_STAT = "newsarchive/warc/record_bytes"
STATS_EVERY = 100  # records counted locally before Scrapy's stats are updated (cheaper)
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def _header_pairs(headers: Any) -> records.HeaderList:
    """Every (name, value) of a Scrapy ``Headers``, repeated headers kept.

    Scrapy's ``Headers`` is a dict of normalised name -> list of byte values; reading it
    as a plain dict skips ``Headers.items``' per-name ``getlist`` look-up.
    """
    pairs = dict.items(headers) if isinstance(headers, dict) else headers.items()
    return [(bytes(name), bytes(value)) for name, values in pairs for value in values]


def truncation_of(response: Response) -> str | None:
    for flag in response.flags:
        if flag in records.TRUNCATION_BY_FLAG:
            return records.TRUNCATION_BY_FLAG[flag]
    return None


def wire_head(response: Response, url: str) -> records.WireHead | None:
    """The response head as the server sent it, when it can be archived as it is.

    None when our HTTP/1.1 parser did not read the response (HTTP/2, another download
    handler) or the head cannot be written safely: the record then has the rebuilt
    head, and the reason is logged.
    """
    lines = wire_head_of(response)
    if lines is None:
        return None
    if isinstance(lines, str):  # not kept (too long without a header limit)
        problem: str | None = lines
    else:
        problem = records.wire_head_problem(lines, response.status)
    if problem is not None:
        log.warning("%s: response head archived as rebuilt: %s", url, problem)
        return None
    return lines


def exchange_of(request: Request, response: Response, started_at: datetime) -> records.Exchange:
    """The plain-data view of one Scrapy fetch."""
    via = request.meta.get(VIA_META_KEY)
    url = response.url.split("#", 1)[0]
    return records.Exchange(
        url=url,
        method=request.method,
        request_headers=_header_pairs(request.headers),
        request_body=request.body or b"",
        status=response.status,
        response_headers=_header_pairs(response.headers),
        body=response.body,
        started_at=started_at,
        protocol=response.protocol,
        ip_address=str(response.ip_address) if response.ip_address else None,
        truncated=truncation_of(response),
        wire_head=wire_head(response, url),
        request_warc_headers={records.VIA_HEADER: json.dumps(via, sort_keys=True)} if via else {},
    )


def warcinfo_fields(settings: Any, crawl_id: str) -> dict[str, str]:
    """Fields of the ``warcinfo`` record that opens every file."""
    from importlib.metadata import version

    import scrapy

    warcio_version = version("warcio")

    return {
        "software": f"newsarchive/{__version__} (Scrapy/{scrapy.__version__}; "
        f"warcio/{warcio_version})",
        "format": "WARC File Format 1.1",
        "conformsTo": CONFORMS_TO,
        "operator": settings.get("NEWSARCHIVE_WARC_OPERATOR") or "",
        "hostname": socket.gethostname(),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
        "isPartOf": crawl_id,
    }


@dataclass
class WriteJob:
    """The records of one fetch, built and waiting to be written."""

    exchange: records.Exchange
    digest: str
    main: WarcRecord  # response or revisit record
    request: WarcRecord
    original: records.Original | None  # what a revisit refers to
    archived: ArchivedPayload | None  # where that original is, when the index knows


def _first_header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name`` (lower case) among ``headers``, or None."""
    return next((v.decode("latin-1") for n, v in headers if n.lower() == name), None)


class WarcCapture:
    """Writes a request + response (or revisit) pair for every downloaded response."""

    def __init__(self, crawler: Crawler, output_dir: Path) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.output_dir = output_dir
        self.warc_dir = output_dir / WARC_SUBDIR
        self.prefix = settings.get("NEWSARCHIVE_WARC_PREFIX") or "newsarchive"
        site = settings.get("NEWSARCHIVE_SITE_NAME")
        if site:  # a plan crawls its sites in one process, each file opened in the same second
            self.prefix = f"{self.prefix}-{site}"
        self.max_size = settings.getint("NEWSARCHIVE_WARC_MAX_SIZE", 1_000_000_000)
        self.gzip_level = settings.getint("NEWSARCHIVE_WARC_GZIP_LEVEL", CRAWL_GZIP_LEVEL)
        self._started: WeakKeyDictionary[Request, datetime] = WeakKeyDictionary()
        self._writer: RotatingWarcWriter | None = None
        self._digests: PayloadIndex | None = None
        self._index: CdxjAppender | None = None
        self.failed: WarcWriteError | None = None
        # Writes are queued to one thread (order kept); WarcPointerMiddleware waits for them.
        self._pool: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
            if settings.getbool("NEWSARCHIVE_WARC_THREAD", False)
            else None
        )
        self._pending: WeakKeyDictionary[Request, Future[dict[str, Any]]] = WeakKeyDictionary()
        self.pointer_middleware = False  # set by WarcPointerMiddleware when it is enabled
        # DOWNLOAD_MAXSIZE: Scrapy would cancel an oversize download and keep nothing; we stop
        # it ourselves at the limit so the part received is archived as WARC-Truncated: length.
        self.default_maxsize = settings.getint("DOWNLOAD_MAXSIZE", 0)
        self._received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()
        # Full copies queued for the writer but not yet in the digest index, by digest.
        # (site, digest) -> original written but not indexed yet (see _archived_copy)
        self._queued: dict[tuple[str, str], records.Original] = {}
        self._counts: dict[str, int] = {}  # stats not yet added to Scrapy's (see _count)
        self._uncounted = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_WARC_ENABLED"):
            raise NotConfigured("NEWSARCHIVE_WARC_ENABLED is off")
        output_dir = Path(settings.get("NEWSARCHIVE_OUTPUT_DIR") or "output/crawl")
        # Our response parser and agent: the head as sent, and the connection headers
        # Twisted keeps apart.
        install_parser()
        capture = cls(crawler, output_dir)
        capture.open(crawler.spidercls.name)
        crawler.signals.connect(capture.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(capture.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(capture.spider_closed, signal=signals.spider_closed)
        if capture.default_maxsize:
            crawler.signals.connect(capture.headers_received, signal=signals.headers_received)
            crawler.signals.connect(capture.bytes_received, signal=signals.bytes_received)
        return capture

    # ----------------------------------------------------------------- signals
    def _maxsize(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize", self.default_maxsize) or 0)

    def headers_received(
        self, headers: Any, body_length: int, request: Request, spider: Spider
    ) -> None:
        """An announced body over the limit: stop now, keep the headers (truncated)."""
        limit = self._maxsize(request)
        try:  # a chunked response announces twisted UNKNOWN_LENGTH, a str: nothing to check
            announced = int(body_length)
        except (TypeError, ValueError):
            return
        if limit and announced > limit:
            raise StopDownload(fail=True)

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        """A body growing over the limit: stop at the limit, keep what arrived (truncated)."""
        limit = self._maxsize(request)
        if not limit:
            return
        received = self._received.get(request, 0) + len(data)
        self._received[request] = received
        if received > limit:
            raise StopDownload(fail=True)

    def archive_stopped(self, request: Request, response: Response) -> None:
        """Archive a download stopped at DOWNLOAD_MAXSIZE (the request itself still fails)."""
        if self.failed or self._writer is None:
            return
        started_at = self._started.pop(request, None) or datetime.now(UTC)
        exchange = exchange_of(request, response, started_at)
        exchange.truncated = "length"
        job = self.prepare(exchange)
        if self._pool is None:
            try:
                self.commit(job)
            except WarcWriteError as error:
                self._stop(error)
            return
        self._pool.submit(self.commit, job).add_done_callback(
            partial(self._written_in_thread, request)
        )

    def request_reached(self, request: Request, spider: Spider) -> None:
        self._started[request] = datetime.now(UTC)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.failed or self._writer is None:
            return
        started_at = self._started.pop(request, None) or datetime.now(UTC)
        job = self.prepare(
            exchange_of(request, response, started_at), request.meta.get(CONFIRMS_META_KEY)
        )
        if self._pool is None:
            try:
                request.meta[META_KEY] = self.commit(job)
            except WarcWriteError as error:
                self._stop(error)
            return
        future = self._pool.submit(self.commit, job)
        self._pending[request] = future
        future.add_done_callback(partial(self._written_in_thread, request))

    def _written_in_thread(self, request: Request, future: Future[dict[str, Any]]) -> None:
        """Writer thread -> reactor: store the pointer, or stop the crawl on failure."""
        from twisted.internet import reactor

        error = future.exception()
        if isinstance(error, WarcWriteError):
            reactor.callFromThread(self._stop, error)
        elif error is not None:
            log.error("WARC writing failed: %r", error)
        elif not self.pointer_middleware:  # else the middleware stores it, one wake-up less
            reactor.callFromThread(request.meta.__setitem__, META_KEY, future.result())

    def pointer_of(self, request: Request) -> Future[dict[str, Any]] | None:
        """The queued write of this request's response (for WarcPointerMiddleware)."""
        return self._pending.pop(request, None)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # every queued record reaches the file
        self._flush_counts()
        for part in (self._writer, self._digests, self._index):
            if part is not None:
                try:
                    part.close()
                except (OSError, sqlite3.Error) as error:  # a full disk: said, no traceback
                    log.error("closing %s failed: %s", type(part).__name__, error)
                except Exception:
                    log.exception("closing %s failed", type(part).__name__)

    def open(self, spider_name: str) -> None:
        """Set up writer, digest index and CDXJ index; errors here stop the crawl early."""
        from newsarchive.provenance import crawl_id_for

        settings = self.crawler.settings
        if settings.getbool("NEWSARCHIVE_WARC_RECOVER", True):
            # Finish what a killed crawl left here, before this crawl adds a file or a line.
            recover_folder(self.output_dir, WARC_SUBDIR)
        fields = warcinfo_fields(settings, crawl_id_for(self.crawler))
        fields[records.SPIDER_FIELD] = spider_name
        self._index = CdxjAppender(self.output_dir / INDEX_NAME)
        # Request records (and warcinfo) use the crawl's level too: at the writer's default
        # (6) zlib spent more on setting up each small request's member than on its bytes.
        self._writer = RotatingWarcWriter(
            self.warc_dir,
            self.prefix,
            max_size=self.max_size,
            warcinfo=fields,
            gzip_level=self.gzip_level,
            on_close=self._index.flush,
        )
        # The plan's index (beside its state, or in Redis for workers), else OUT/warc's.
        self._digests = open_digest_index(settings, self.warc_dir)

    # ------------------------------------------------------------------ writing
    def archive(self, exchange: records.Exchange) -> dict[str, Any]:
        """Write the records of one fetch now; return the pointer for ``request.meta``."""
        return self.commit(self.prepare(exchange))

    def prepare(self, exchange: records.Exchange, confirms: str | None = None) -> WriteJob:
        """Build the records (reactor thread): digest, revisit decision, record ids.

        ``confirms``: the payload digest a conditional request's validators stand for.
        """
        assert self._writer is not None and self._digests is not None
        if exchange.status == 304 and confirms:
            job = self._not_modified(exchange, confirms)
            if job is not None:
                return job
        digest = records.payload_digest(exchange.body)
        original = archived = None
        dedupable = self._dedupable(exchange)
        if dedupable:
            original, archived = self._archived_copy(digest, exchange.url)
        if original is not None:
            main = records.revisit_record(exchange, digest, original)
        else:
            main = records.response_record(exchange, digest)
            if dedupable:
                self._queued[self._site_digest(digest, exchange.url)] = records.Original(
                    exchange.url, main.warc_date, main.record_id
                )
        request = records.request_record(exchange, main.record_id)
        return WriteJob(exchange, digest, main, request, original, archived)

    def _site_digest(self, digest: str, url: str) -> tuple[str, str]:
        """(site of ``url`` in the digest index's scope, digest): what originals are kept by."""
        assert self._digests is not None
        return self._digests.scope.site_of(url), digest

    def _archived_copy(
        self, digest: str, url: str
    ) -> tuple[records.Original | None, ArchivedPayload | None]:
        """The full capture of payload ``digest`` by the site of ``url``: from the digest
        index, else still in the writer queue (not indexed yet); ``(None, None)`` when
        there is none."""
        assert self._digests is not None
        archived = self._digests.lookup(digest, url)
        if archived is not None:
            return records.Original(archived.uri, archived.warc_date, archived.record_id), archived
        return self._queued.get(self._site_digest(digest, url)), None

    def _not_modified(self, exchange: records.Exchange, digest: str) -> WriteJob | None:
        """A 304 as a server-not-modified revisit of the capture it confirmed, so replay
        and re-reading find the page; None (kept as the 304 ``response``) when that
        capture is no longer where the digest index leads."""
        original, archived = self._archived_copy(digest, exchange.url)
        if original is None:
            log.info("304 for %s: confirmed capture %s not found, kept as is", exchange.url, digest)
            return None
        main = records.revisit_record(exchange, digest, original, records.NOT_MODIFIED_PROFILE)
        request = records.request_record(exchange, main.record_id)
        return WriteJob(exchange, digest, main, request, original, archived)

    def commit(self, job: WriteJob) -> dict[str, Any]:
        """Write a prepared pair, then index it (writer thread, or inline)."""
        assert self._writer is not None and self._digests is not None
        exchange = job.exchange
        location = self._writer.write(
            [job.main, job.request], levels=[self._level_for(exchange), None]
        )[0]
        warc_date = job.main.warc_date
        try:  # the index line first: a record without its line is lost to replay
            if not records.is_not_modified_revisit(
                job.main.rec_type, job.main.fields.get("WARC-Profile")
            ):
                self._record_index(exchange, job.main.rec_type, warc_date, job.digest, location)
            if job.original is None and self._dedupable(exchange):
                self._digests.add(
                    ArchivedPayload(
                        job.digest,
                        exchange.url,
                        warc_date,
                        location.record_id,
                        location.filename,
                        location.offset,
                        location.length,
                    )
                )
                self._queued.pop(self._site_digest(job.digest, exchange.url), None)
        except (OSError, sqlite3.Error) as error:  # a full disk: the crawl stops like a write
            reason = getattr(error, "strerror", None) or error
            message = f"indexing a record of {location.filename} failed ({reason})"
            raise WarcWriteError(message) from error
        self._count(job.main.rec_type, location)
        return self._pointer(
            exchange, job.digest, location, job.main.rec_type, job.original, job.archived
        )

    def _level_for(self, exchange: records.Exchange) -> int | None:
        """gzip level of the response member: stored when the payload is compressed."""
        coding = (
            next((v for n, v in exchange.response_headers if n.lower() == b"content-encoding"), b"")
            .strip()
            .lower()
        )
        return STORED if coding in COMPRESSED_CODINGS else self.gzip_level

    @staticmethod
    def _dedupable(exchange: records.Exchange) -> bool:
        """Only complete, non-empty 2xx payloads stand in for each other."""
        return bool(exchange.body) and 200 <= exchange.status < 300 and not exchange.truncated

    def _record_index(
        self,
        exchange: records.Exchange,
        rec_type: str,
        warc_date: str,
        digest: str,
        location: RecordLocation,
    ) -> None:
        if self._index is None:
            return
        content_type = _first_header(exchange.response_headers, b"content-type")
        mime = "warc/revisit" if rec_type == "revisit" else mime_of(content_type)
        entry = IndexEntry(
            exchange.url,
            warc_date,
            mime,
            exchange.status,
            digest,
            location.length,
            location.offset,
            location.filename,
        )
        if exchange.method.upper() != "GET":  # keyed apart, so replay never serves it for a GET
            request_type = _first_header(exchange.request_headers, b"content-type")
            entry = entry.with_request(exchange.method, request_type, exchange.request_body)
        self._index.add(entry)

    def _count(self, rec_type: str, location: RecordLocation) -> None:
        """Count locally; Scrapy's stats get the sums every ``STATS_EVERY`` records and at close."""
        counts = self._counts
        key = f"newsarchive/warc/{rec_type}_records"
        counts[key] = counts.get(key, 0) + 1
        counts[RECORD_BYTES_STAT] = counts.get(RECORD_BYTES_STAT, 0) + location.length
        self._uncounted += 1
        if self._uncounted >= STATS_EVERY:
            self._flush_counts()

    def _flush_counts(self) -> None:
        stats = self.crawler.stats
        if stats is not None:
            for key, value in self._counts.items():
                stats.inc_value(key, value)
        self._counts.clear()
        self._uncounted = 0

    @staticmethod
    def _pointer(
        exchange: records.Exchange,
        digest: str,
        location: RecordLocation,
        rec_type: str,
        original: records.Original | None,
        archived: ArchivedPayload | None,
    ) -> dict[str, Any]:
        pointer: dict[str, Any] = {
            "warc_filename": location.filename,
            "warc_record_offset": location.offset,
            "warc_record_length": location.length,
            "warc_record_id": location.record_id,
            "content_digest": digest,
            "fetched_at": records.rfc3339(exchange.started_at),
            "ip_address": exchange.ip_address,
            "warc_record_type": rec_type,
        }
        if original is not None:
            pointer["refers_to"] = {
                "warc_filename": archived.filename if archived else None,
                "warc_record_offset": archived.offset if archived else None,
                "warc_record_length": archived.length if archived else None,
                "warc_record_id": original.record_id,
            }
        return pointer

    def _stop(self, error: WarcWriteError) -> None:
        if self.failed is not None:
            return  # queued writes fail the same way after the first failure
        self.failed = error
        log.error("%s; closing the spider (%s)", error, CLOSE_REASON)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsarchive/warc/error", str(error))
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))


class StoppedDownloadArchiver:
    """Downloader middleware part that archives a download stopped at DOWNLOAD_MAXSIZE."""

    def __init__(self, capture: WarcCapture | None) -> None:
        self.capture = capture

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A download WarcCapture stopped at DOWNLOAD_MAXSIZE: archive what arrived."""
        response = getattr(exception, "response", None)
        if self.capture and isinstance(exception, StopDownload) and response is not None:
            self.capture.archive_stopped(request, response)


class WarcPointerMiddleware(StoppedDownloadArchiver):
    """Downloader middleware that holds a response until its WARC records are written.

    Placed closest to the engine (order 10: its ``process_response`` runs last), so
    the spider callback always finds ``request.meta["newsarchive_warc"]`` although
    the records are written by ``WarcCapture``'s writer thread. When records are
    written inline (the default) the pointer is set before any middleware runs, so
    ``from_crawler`` returns a ``StoppedDownloadArchiver`` instead: no
    ``process_response`` hop for every response.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoppedDownloadArchiver:
        extensions = getattr(crawler, "extensions", None)
        found = [m for m in getattr(extensions, "middlewares", ()) if isinstance(m, WarcCapture)]
        if not found:
            raise NotConfigured("WarcCapture is not enabled")
        if found[0]._pool is None:
            return StoppedDownloadArchiver(found[0])
        found[0].pointer_middleware = True
        return cls(found[0])

    def process_response(self, request: Request, response: Response) -> Any:
        future = self.capture.pointer_of(request) if self.capture else None
        if future is None:
            return response
        if future.done():
            self._store(request, future)
            return response
        from twisted.internet import reactor
        from twisted.internet.defer import Deferred

        waiting: Deferred[Response] = Deferred()

        def written(done: Future[dict[str, Any]]) -> None:
            reactor.callFromThread(self._release, waiting, request, response, done)

        future.add_done_callback(written)
        return waiting

    def _release(
        self, waiting: Any, request: Request, response: Response, future: Future[dict[str, Any]]
    ) -> None:
        self._store(request, future)
        waiting.callback(response)

    @staticmethod
    def _store(request: Request, future: Future[dict[str, Any]]) -> None:
        if future.exception() is None:
            request.meta[META_KEY] = future.result()
