"""Test support for WARC capture: a byte-exact local server and a minimal crawl.

``RawSite`` serves prepared HTTP responses byte for byte on 127.0.0.1 (any
framing: Content-Length, chunked, gzip, repeated headers, a body cut short), so a
test can compare the archived payload with exactly what went on the wire.

``archive_pages`` writes pages straight into a WARC file (no crawl) and
``gzip_bomb`` builds a small gzip member that inflates to gigabytes, for tests of
damaged files and decompression limits.

``python tests/support/warcsite.py OUT URL...`` runs a link-following spider with
only ``WarcCapture`` enabled (used by tests in a subprocess, because Twisted's
reactor cannot restart, and by ``bench/warc_overhead.py``).
"""

from __future__ import annotations

import argparse
import gzip
import random
import socketserver
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

CRLF = b"\r\n"


def http_response(
    status: str, headers: list[tuple[str, str]], body: bytes = b"", framing: str = "length"
) -> bytes:
    """Raw HTTP/1.1 response bytes. ``framing``: ``length``, ``chunked`` or ``close``."""
    lines = [f"HTTP/1.1 {status}".encode()]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
    if framing == "length":
        lines.append(f"Content-Length: {len(body)}".encode())
        payload = body
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        payload = chunked(body)
    else:
        lines.append(b"Connection: close")
        payload = body
    return CRLF.join(lines) + CRLF + CRLF + payload


def chunked(body: bytes, size: int = 700) -> bytes:
    """``body`` in chunked transfer coding (several chunks, then the last-chunk)."""
    parts = [
        f"{len(body[i : i + size]):x}".encode() + CRLF + body[i : i + size] + CRLF
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0" + CRLF + CRLF


@dataclass
class Route:
    """What one request target answers: raw response bytes, optionally cut short."""

    raw: bytes
    cut_after: int | None = None  # close the connection after this many bytes

    @property
    def wire(self) -> bytes:
        return self.raw if self.cut_after is None else self.raw[: self.cut_after]


@dataclass
class RawSite:
    """Serves ``routes`` (request target -> Route) on 127.0.0.1 at a free port."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[bytes] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before each answer (slow site for crash tests)

    def __post_init__(self) -> None:
        site = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                while True:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        byte = self.rfile.read(1)
                        if not byte:
                            return
                        head += byte
                    site.requests.append(head)
                    target = head.split(b" ", 2)[1].decode("latin-1")
                    route = (
                        site.routes.get(target)
                        or site.routes.get("*")
                        or Route(
                            http_response("404 Not Found", [("Content-Type", "text/plain")], b"no")
                        )
                    )
                    if site.delay:
                        time.sleep(site.delay)
                    self.wfile.write(route.wire)
                    self.wfile.flush()
                    if route.cut_after is not None or b"Connection: close" in route.raw[:4096]:
                        return

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RawSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def html_page(title: str, links: list[str], filler: int = 2000) -> bytes:
    """A small HTML page with links (``filler`` bytes of text make bodies realistic)."""
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    text = ("Lorem ipsum dolor sit amet, " * (filler // 28 + 1))[:filler]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p><ul>{anchors}</ul></body></html>"
    ).encode()


_WORDS = (
    "harbour",
    "council",
    "vote",
    "ferry",
    "price",
    "storm",
    "coast",
    "minister",
    "budget",
    "report",
    "fishing",
    "quota",
    "school",
    "police",
    "court",
    "market",
    "energy",
    "rail",
    "port",
    "workers",
    "strike",
    "weather",
    "museum",
    "festival",
    "election",
    "health",
    "hospital",
    "water",
    "bridge",
    "road",
    "city",
    "village",
)


def article_text(seed: int, size: int) -> str:
    """``size`` characters of varied prose (compresses like real text, not like filler)."""
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(_WORDS) + (str(rng.randrange(1000)) if rng.random() < 0.1 else "")
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def generated_routes(pages: int, fanout: int = 10, page_bytes: int = 2000) -> dict[str, Route]:
    """A site of ``pages`` HTML pages (``/p/N``) reachable from ``/`` by links.

    Even pages are sent gzip-coded, odd ones plain, like a real mix of servers.
    """
    routes: dict[str, Route] = {}
    for number in range(pages):
        children = [
            f"/p/{child}"
            for child in range(number * fanout + 1, min(pages, number * fanout + fanout + 1))
        ]
        html = html_page(f"Page {number}", children, filler=0).replace(
            b"<p></p>", f"<p>{article_text(number, page_bytes)}</p>".encode()
        )
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if number % 2 == 0:
            html = gzip.compress(html, compresslevel=6, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        routes[f"/p/{number}"] = Route(http_response("200 OK", headers, html))
    routes["/"] = routes["/p/0"]
    routes["/robots.txt"] = Route(
        http_response("200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")
    )
    return routes


# --------------------------------------------------------------------------- crawl


@dataclass(frozen=True)
class Page:
    """One page to archive directly: URL, body as sent, extra response headers."""

    url: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=utf-8"),)
    via: str | None = None  # the request record's discovered_via header, as written


def archive_pages(folder: Any, pages: list[Page], prefix: str = "test") -> list[Any]:
    """Write ``pages`` as response + request pairs into one WARC file under ``folder``.

    Returns each response's ``RecordLocation``; the file is ``folder/*.warc.gz``.
    """
    from datetime import UTC, datetime, timedelta

    from newsarchive.warc import records
    from newsarchive.warc.writer import STORED, RotatingWarcWriter

    start = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    locations = []
    with RotatingWarcWriter(folder, prefix) as writer:
        for number, page in enumerate(pages):
            headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in page.headers]
            coded = any(n.lower() == b"content-encoding" for n, _ in headers)
            exchange = records.Exchange(
                url=page.url,
                method="GET",
                request_headers=[(b"User-Agent", b"test")],
                request_body=b"",
                status=200,
                response_headers=headers,
                body=page.body,
                started_at=start + timedelta(seconds=number),
                request_warc_headers={records.VIA_HEADER: page.via} if page.via else {},
            )
            response = records.response_record(exchange)
            request = records.request_record(exchange, response.record_id)
            levels = [STORED if coded else 1, None]
            locations.append(writer.write([response, request], levels=levels)[0])
    return locations


def gzip_bomb(gigabytes: int = 1) -> bytes:
    """A valid gzip member of ``gigabytes`` GiB of zeros, about 1 MB per GiB, built cheaply.

    One MiB of zeros is deflated once and its blocks repeated (a full flush makes
    them independent of what came before), so no gigabyte is ever held or deflated.
    """
    import struct
    import zlib

    mib = bytes(1 << 20)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflater.compress(mib) + deflater.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    count = gigabytes << 10
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (count << 20) & 0xFFFFFFFF)
    return header + block * count + final + trailer


def crawl_settings(
    out_dir: str, warc: bool = True, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Fast local settings: no delays or throttling, only the WARC extension."""
    settings: dict[str, Any] = {
        "NEWSARCHIVE_OUTPUT_DIR": out_dir,
        "NEWSARCHIVE_WARC_ENABLED": warc,
        "NEWSARCHIVE_WARC_PREFIX": "test",
        "EXTENSIONS": {
            "newsarchive.warc.capture.WarcCapture": 100,
            "scrapy.extensions.telnet.TelnetConsole": None,
        },
        "DOWNLOADER_MIDDLEWARES": {"newsarchive.warc.capture.WarcPointerMiddleware": 10},
        "ITEM_PIPELINES": {},
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "LOG_LEVEL": "WARNING",
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "DOWNLOAD_FAIL_ON_DATALOSS": False,
        "RETRY_ENABLED": False,
        "USER_AGENT": "newsarchive-test/1.0",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    settings.update(extra or {})
    return settings


def link_spider_class() -> type:
    """A spider that fetches its start URLs and follows every same-host link."""
    from urllib.parse import urlsplit

    import scrapy

    class LinkSpider(scrapy.Spider):
        name = "warctest"

        def __init__(self, urls: str = "", **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.start_urls = [u for u in urls.split(",") if u]
            self.hosts = {urlsplit(u).netloc for u in self.start_urls}

        def parse(self, response: Any) -> Iterator[Any]:
            yield {
                "url": response.url,
                "status": response.status,
                "warc": response.meta.get("newsarchive_warc"),
            }
            if not hasattr(response, "css"):
                return
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if urlsplit(url).netloc in self.hosts:
                    yield scrapy.Request(url, callback=self.parse)

    return LinkSpider


def run_crawl(
    out_dir: str, urls: list[str], warc: bool = True, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Crawl in this process (call once per process); return Scrapy's stats."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(crawl_settings(out_dir, warc, extra), install_root_handler=True)
    crawler = process.create_crawler(link_spider_class())
    process.crawl(crawler, urls=",".join(urls))
    cpu_before = time.process_time()
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    stats["cpu_seconds"] = time.process_time() - cpu_before  # all threads of this process
    return stats


def main(argv: list[str] | None = None) -> int:
    import json

    parser = argparse.ArgumentParser(description="minimal crawl with WARC capture")
    parser.add_argument("out")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--no-warc", action="store_true")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=JSON")
    args = parser.parse_args(argv)
    extra = {
        name: json.loads(value) for name, _, value in (pair.partition("=") for pair in args.set)
    }
    stats = run_crawl(args.out, args.urls, warc=not args.no_warc, extra=extra)
    print(json.dumps(stats, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
