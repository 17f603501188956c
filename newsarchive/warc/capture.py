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

Records are written synchronously in the reactor thread: ``bench/warc_overhead.py``
measures the cost (a few percent of throughput on a CPU-bound local crawl), and
writing inline keeps the pointer in ``request.meta["newsarchive_warc"]`` exact
and available before the spider callback runs.

A write failure (disk full) closes the spider with reason ``warc_write_failed``.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from newsarchive import __version__
from newsarchive.warc import records
from newsarchive.warc.cdxj import CdxjAppender, IndexEntry, mime_of
from newsarchive.warc.digests import ArchivedPayload, DigestIndex
from newsarchive.warc.writer import RecordLocation, RotatingWarcWriter, WarcWriteError

log = logging.getLogger(__name__)

META_KEY = "newsarchive_warc"
CLOSE_REASON = "warc_write_failed"
WARC_SUBDIR = "warc"
INDEX_NAME = "index.cdxj"
DIGESTS_NAME = "digests.sqlite"
SPIDER_FIELD = "newsarchive-spider"  # warcinfo field: lets reextract name the spider
VIA_META_KEY = "newsarchive_via"  # the spider's discovered_via block for the URL
# Extension field on request records: how the URL was found (JSON), for reextract.
VIA_HEADER = "WARC-Newsarchive-Discovered-Via"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def _header_pairs(headers: Any) -> records.HeaderList:
    """Every (name, value) of a Scrapy ``Headers``, repeated headers kept."""
    return [(bytes(name), bytes(value)) for name, values in headers.items() for value in values]


def truncation_of(response: Response) -> str | None:
    for flag in response.flags:
        if flag in records.TRUNCATION_BY_FLAG:
            return records.TRUNCATION_BY_FLAG[flag]
    return None


def exchange_of(request: Request, response: Response, started_at: datetime) -> records.Exchange:
    """The plain-data view of one Scrapy fetch."""
    via = request.meta.get(VIA_META_KEY)
    return records.Exchange(
        url=response.url.split("#", 1)[0],
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
        request_warc_headers={VIA_HEADER: json.dumps(via, sort_keys=True)} if via else {},
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


class WarcCapture:
    """Writes a request + response (or revisit) pair for every downloaded response."""

    def __init__(self, crawler: Crawler, output_dir: Path) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.output_dir = output_dir
        self.warc_dir = output_dir / WARC_SUBDIR
        self.prefix = settings.get("NEWSARCHIVE_WARC_PREFIX") or "newsarchive"
        self.max_size = settings.getint("NEWSARCHIVE_WARC_MAX_SIZE", 1_000_000_000)
        self._started: WeakKeyDictionary[Request, datetime] = WeakKeyDictionary()
        self._writer: RotatingWarcWriter | None = None
        self._digests: DigestIndex | None = None
        self._index: CdxjAppender | None = None
        self.failed: WarcWriteError | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_WARC_ENABLED"):
            raise NotConfigured("NEWSARCHIVE_WARC_ENABLED is off")
        output_dir = Path(settings.get("NEWSARCHIVE_OUTPUT_DIR") or "output/crawl")
        capture = cls(crawler, output_dir)
        capture.open(crawler.spidercls.name)
        crawler.signals.connect(capture.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(capture.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(capture.spider_closed, signal=signals.spider_closed)
        return capture

    # ----------------------------------------------------------------- signals
    def request_reached(self, request: Request, spider: Spider) -> None:
        self._started[request] = datetime.now(UTC)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if self.failed or self._writer is None:
            return
        started_at = self._started.pop(request, None) or datetime.now(UTC)
        exchange = exchange_of(request, response, started_at)
        try:
            request.meta[META_KEY] = self.archive(exchange)
        except WarcWriteError as error:
            self._stop(error)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for part in (self._writer, self._digests, self._index):
            if part is not None:
                try:
                    part.close()
                except Exception:
                    log.exception("closing %s failed", type(part).__name__)

    def open(self, spider_name: str) -> None:
        """Set up writer, digest index and CDXJ index; errors here stop the crawl early."""
        from newsarchive.provenance import crawl_id_for

        settings = self.crawler.settings
        fields = warcinfo_fields(settings, crawl_id_for(self.crawler))
        fields[SPIDER_FIELD] = spider_name
        self._writer = RotatingWarcWriter(
            self.warc_dir, self.prefix, max_size=self.max_size, warcinfo=fields)
        self._digests = DigestIndex(self.warc_dir / DIGESTS_NAME)
        self._index = CdxjAppender(self.output_dir / INDEX_NAME)

    # ------------------------------------------------------------------ writing
    def archive(self, exchange: records.Exchange) -> dict[str, Any]:
        """Write the records of one fetch; return the pointer for ``request.meta``."""
        assert self._writer is not None and self._digests is not None
        builder = self._writer.builder
        digest = records.payload_digest(exchange.body)
        original = self._digests.lookup(digest) if self._dedupable(exchange) else None
        if original is not None:
            main = records.revisit_record(builder, exchange, digest, records.Original(
                original.uri, original.warc_date, original.record_id))
        else:
            main = records.response_record(builder, exchange, digest)
        main_id = main.rec_headers.get_header("WARC-Record-ID")
        request = records.request_record(builder, exchange, main_id)
        location = self._writer.write([main, request])[0]
        warc_date = main.rec_headers.get_header("WARC-Date")
        if original is None and self._dedupable(exchange):
            self._digests.add(ArchivedPayload(
                digest, exchange.url, warc_date, location.record_id, location.filename,
                location.offset, location.length))
        self._record_index(exchange, main.rec_type, warc_date, digest, location)
        self._count(main.rec_type, location)
        return self._pointer(exchange, digest, location, main.rec_type, original)

    @staticmethod
    def _dedupable(exchange: records.Exchange) -> bool:
        """Only complete, non-empty 2xx payloads stand in for each other."""
        return bool(exchange.body) and 200 <= exchange.status < 300 and not exchange.truncated

    def _record_index(self, exchange: records.Exchange, rec_type: str, warc_date: str,
                      digest: str, location: RecordLocation) -> None:
        if self._index is None:
            return
        content_type = next((v.decode("latin-1") for n, v in exchange.response_headers
                             if n.lower() == b"content-type"), None)
        mime = "warc/revisit" if rec_type == "revisit" else mime_of(content_type)
        self._index.add(IndexEntry(exchange.url, warc_date, mime, exchange.status, digest,
                                   location.length, location.offset, location.filename))

    def _count(self, rec_type: str, location: RecordLocation) -> None:
        stats = self.crawler.stats
        if stats is None:
            return
        stats.inc_value(f"newsarchive/warc/{rec_type}_records")
        stats.inc_value("newsarchive/warc/record_bytes", location.length)

    @staticmethod
    def _pointer(exchange: records.Exchange, digest: str, location: RecordLocation,
                 rec_type: str, original: ArchivedPayload | None) -> dict[str, Any]:
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
                "warc_filename": original.filename,
                "warc_record_offset": original.offset,
                "warc_record_length": original.length,
                "warc_record_id": original.record_id,
            }
        return pointer

    def _stop(self, error: WarcWriteError) -> None:
        self.failed = error
        log.error("%s; closing the spider (%s)", error, CLOSE_REASON)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("newsarchive/warc/error", str(error))
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
