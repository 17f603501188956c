"""A server that never ends its response headers fails that page alone.

Twisted keeps response headers in memory until the empty line that ends them; only
``DOWNLOAD_TIMEOUT`` (60 s) stopped a server streaming header lines, and in that time
the crawl process grew by gigabytes (1.5 GB in 10 s on 127.0.0.1). The server here
stops by itself after ``CAP`` bytes, so without the limit the test ends quickly too
(the crawl then reads them all: the byte count fails it).
"""

from __future__ import annotations

import socket
import socketserver
import threading
from pathlib import Path
from typing import Any

import pytest
from trapsite import article_html, crawl

pytestmark = pytest.mark.slow

CAP = 24 * 1024 * 1024  # the server gives up after this many header bytes
LIMIT = 4 * 1024 * 1024  # NEWSARCHIVE_MAX_HEADER_BYTES's default
# Bytes the server may still push after the crawl gave up: the kernel's socket buffers.
SLACK = 12 * 1024 * 1024
LINES = {"/flood": b"X-Junk: " + b"a" * 1000 + b"\r\n", "/tiny": b"a:1\r\n"}


class FloodingServer(socketserver.ThreadingTCPServer):
    """``/flood`` and ``/tiny`` stream header lines; ``/story`` is an article."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.sent: dict[str, int] = {}
        super().__init__(("127.0.0.1", 0), FloodHandler)


class FloodHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: FloodingServer = self.server  # type: ignore[assignment]
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            request += chunk
        path = request.split(b" ", 2)[1].decode()
        if path == "/story":
            body = article_html("The quay opens")
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            self.request.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            return
        line = LINES.get(path)
        if line is None:
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        sent = 0
        try:
            self.request.sendall(b"HTTP/1.1 200 OK\r\n")
            block = line * (65536 // len(line))
            while sent < CAP:
                self.request.sendall(block)
                sent += len(block)
        except OSError:  # the crawl hung up
            pass
        finally:
            server.sent[path] = max(server.sent.get(path, 0), sent)
            self.request.shutdown(socket.SHUT_RDWR)


def test_endless_response_headers_fail_their_page_alone(tmp_path: Path) -> None:
    server = FloodingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        run = crawl([f"{base}/story", f"{base}/flood", f"{base}/tiny"], tmp_path / "out")
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 0, run.stderr[-3000:]
    assert [a["url"] for a in run.articles()] == [f"{base}/story"]
    outcomes = {page["url"]: page for page in run.pages()}
    for path in LINES:
        page = outcomes[f"{base}{path}"]
        assert page["outcome"] == "failed", page
        assert "NEWSARCHIVE_MAX_HEADER_BYTES" in page["reason"], page
        # The crawl hung up near the limit, not after the server's whole flood.
        assert server.sent[path] < LIMIT + SLACK, (path, server.sent)


def test_a_header_name_twisted_refuses_is_archived_as_sent(tmp_path: Path) -> None:
    """Twisted refuses a header name that is no RFC 9110 token (``Bad Header``, a byte over
    127): the page failed after three retries, nothing of it archived, its reason a Twisted
    traceback line. Browsers and Heritrix take such a line; the page is now archived with it
    and extracted. A name holding a control character fails its page alone, and says so."""
    from support.warcsite import RawSite, Route, html_page, http_response

    html = [("Content-Type", "text/html; charset=utf-8")]
    pages = {
        "/news/spaced.html": ("Bad Header", "one"),
        "/news/latin.html": ("X-Caf\xe9", "two"),
        "/news/control.html": ("X-\x01Bad", "three"),
        "/news/plain.html": ("X-Plain", "four"),
    }
    with RawSite() as site:
        site.routes["/"] = Route(http_response("200 OK", html, html_page("Home", [*pages], 0)))
        for path, header in pages.items():
            body = article_html(f"Story {path[6:-5]}")
            site.routes[path] = Route(http_response("200 OK", [*html, header], body))
        run = crawl([f"{site.base_url}/"], tmp_path / "out")
    assert run.returncode == 0, run.stderr[-3000:]
    base = site.base_url
    exported = sorted(a["url"] for a in run.articles())
    assert exported == [f"{base}{p}" for p in sorted(pages) if p != "/news/control.html"]
    outcomes = {page["url"]: page for page in run.pages()}
    control = outcomes[f"{base}/news/control.html"]
    assert control["outcome"] == "failed"
    assert "response header name b'X-\\x01Bad' holds control characters" in control["reason"]

    responses = {uri: record for kind, uri, record in run.warc_records() if kind == "response"}
    for path, (name, value) in pages.items():
        if path == "/news/control.html":
            continue
        headers = responses[f"{base}{path}"].http_headers
        assert headers.get_header(name) == value, (path, headers.headers)


def parsed_head(limit: int, header_bytes: int) -> tuple[Any, int]:
    """Our parser fed a status line, ``header_bytes`` of 1 KB header lines and a short
    body; (what it handed Twisted's response as the head as sent, the most bytes its
    copy of the head held meanwhile)."""
    from newsarchive.spiders import headerlimit
    from twisted.internet.testing import StringTransport
    from twisted.web._newclient import Request
    from twisted.web.http_headers import Headers

    class Parser(headerlimit.BoundedHTTPClientParser):
        pass

    Parser.limit = limit  # this parser only: the crawl's installed one is left alone
    request = Request(b"GET", b"/", Headers({b"host": [b"x"]}), None)
    parser = Parser(request, lambda rest: None)
    parser.makeConnection(StringTransport())
    parser.dataReceived(b"HTTP/1.1 200 OK\r\n")
    block = (b"X-Junk: " + b"a" * 1000 + b"\r\n") * 64
    held = 0
    for _ in range(header_bytes // len(block)):
        parser.dataReceived(block)
        held = max(held, sum(map(len, parser._newsarchive_wire or [])))
    parser.dataReceived(b"Content-Length: 2\r\n\r\nok")
    return getattr(parser.response, headerlimit.WIRE_HEAD_ATTR), held


def test_without_a_header_limit_the_head_kept_for_the_warc_is_bounded() -> None:
    """``NEWSARCHIVE_MAX_HEADER_BYTES = 0``: Twisted reads any header section, but the copy
    of the head as sent stops at ``WIRE_HEAD_MAX_BYTES``, and says why it was dropped."""
    from newsarchive.spiders.headerlimit import WIRE_HEAD_MAX_BYTES

    kept, held = parsed_head(0, WIRE_HEAD_MAX_BYTES + 2 * 1024 * 1024)
    assert held <= WIRE_HEAD_MAX_BYTES
    assert kept == f"head as sent over {WIRE_HEAD_MAX_BYTES} bytes, not kept (" + (
        "NEWSARCHIVE_MAX_HEADER_BYTES is 0)"
    )
    # Under the cap the head is kept as sent, without a limit as with one.
    kept, _ = parsed_head(0, 1024 * 1024)
    assert isinstance(kept, tuple), kept
    assert (kept[0], kept[-1], len(kept)) == (b"HTTP/1.1 200 OK", b"Content-Length: 2", 1026)


def test_a_huge_head_without_a_header_limit_is_archived_rebuilt(tmp_path: Path) -> None:
    """End to end: a 6 MB header section, no limit: the page is archived and extracted,
    its record holds the head rebuilt from Scrapy's response, and the log says why."""
    from newsarchive.spiders.headerlimit import WIRE_HEAD_MAX_BYTES
    from support.warcsite import RawSite, Route, http_response

    junk = [(f"X-Junk-{n}", "a" * 1000) for n in range(6 * 1024)]
    body = article_html("The big head")
    with RawSite() as site:
        site.routes["/story"] = Route(
            http_response("200 Fine", [("Content-Type", "text/html"), *junk], body)
        )
        url = f"{site.base_url}/story"
        run = crawl([url], tmp_path / "out", settings={"NEWSARCHIVE_MAX_HEADER_BYTES": 0})
    assert run.returncode == 0, run.stderr[-3000:]
    assert [a["url"] for a in run.articles()] == [url]
    reason = f"head as sent over {WIRE_HEAD_MAX_BYTES} bytes, not kept"
    assert f"{url}: response head archived as rebuilt: {reason}" in run.stderr
    (record,) = [r for kind, uri, r in run.warc_records() if kind == "response" and uri == url]
    assert record.http_headers.statusline == "200 OK"  # the standard phrase: rebuilt
    assert record.http_headers.get_header("X-Junk-6143") == "a" * 1000
