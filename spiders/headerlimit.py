"""Bound the header section of every response the crawl reads.

Twisted keeps every response header in memory until the empty line that ends the
section, and nothing but ``DOWNLOAD_TIMEOUT`` (60 s) stops a server that never
sends it: a page streaming header lines at network speed grew the crawl process by
gigabytes (1.5 GB in 10 s on 127.0.0.1) and could get the whole crawl killed for
want of memory. Past ``NEWSARCHIVE_MAX_HEADER_BYTES`` the response fails alone,
recorded in ``pages.jsonl`` with the reason.

The same parser also hands Scrapy the connection headers the server sent
(``Connection``, ``Keep-Alive``, ``Upgrade``, ...): Twisted files them apart from
the response's headers, so they never reached ``response.headers`` and every WARC
response record lacked them, though the WARC block is the response as received.
``Content-Length`` and ``Transfer-Encoding`` stay Twisted's: Scrapy rebuilds the one
from the body length, and the other describes chunk framing the WARC record drops.

A header name Twisted refuses (not an RFC 9110 token: a space, ``@``, ``(``, a byte
over 127) failed the whole page after three retries with a Twisted traceback as its
reason, and nothing of it was archived. Browsers, Heritrix and warcprox take such a
line as sent, so the parser keeps it as sent: the page is
archived and extracted with it. Only a name holding control characters, which no
reader can take for a header, fails its page, with a reason naming the header.

The parser also keeps the response head as it came off the wire (status line and
header lines, bytes in order, case and spacing as sent, folded lines as they came),
which Twisted and Scrapy parse away (the reason phrase, header-name case, repeats
grouped by name). It travels on Twisted's response, and :class:`WireHeadAgent` hands
it on with the Scrapy ``Response`` built from it, for ``WarcCapture`` to archive
(:func:`wire_head_of`). It costs what the header limit already bounds; with the limit
off (``0``) the copy stops at :data:`WIRE_HEAD_MAX_BYTES`, counted the same way, and
the record gets the head rebuilt from Scrapy's response, so a server streaming
headers cannot make the copy grow as well.

Scrapy's HTTP/1.1 handler gives every response its ``_LenientHTTPClientParser``
(by replacing the class of the parser Twisted creates) and builds each Scrapy
``Response`` in its ``_ScrapyAgent``; the extension (and ``WarcCapture``, through
:func:`install_parser`) puts a subclass in each place, once per process.
"""

from __future__ import annotations

import logging
from typing import Any
from weakref import WeakKeyDictionary

from scrapy.core.downloader.handlers import http11
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response

try:
    from twisted.web.http_headers import InvalidHeaderName
except ImportError:  # Twisted before 24.7 takes any header name
    InvalidHeaderName = ValueError  # type: ignore[misc,assignment]

log = logging.getLogger(__name__)

SETTING = "NEWSARCHIVE_MAX_HEADER_BYTES"
# Connection-control headers Twisted keeps out of ``response.headers`` that a WARC keeps.
ARCHIVED_CONNECTION_HEADERS = frozenset(
    {b"connection", b"keep-alive", b"te", b"trailers", b"upgrade", b"proxy-connection"}
)
# Each line also costs Python an object and a list slot: a flood of tiny header lines
# counts at least this much per line, so their number is bounded too.
LINE_COST = 64
# The head as sent is kept up to this many bytes (lines counted as for the limit) when
# NEWSARCHIVE_MAX_HEADER_BYTES is 0; past it the WARC record gets the rebuilt head.
WIRE_HEAD_MAX_BYTES = 4 * 1024 * 1024
# Attribute of Twisted's response holding its wire head (a tuple of lines, status first),
# or a string saying why none was kept.
WIRE_HEAD_ATTR = "_newsarchive_wire_head"
WireHead = tuple[bytes, ...]
# Scrapy response -> its wire head (or why none was kept). Scrapy's ``Response`` has
# ``__slots__``, so no attribute can ride on it; each entry is keyed by the one response
# object it belongs to and goes with it (weak key), so nothing carries over to another
# request.
_WIRE_HEADS: WeakKeyDictionary[Response, WireHead | str] = WeakKeyDictionary()


class ResponseHeadersTooLarge(Exception):
    """The status line and headers of a response exceed the limit."""


class UnreadableHeaderName(Exception):
    """A response header name holds control characters: no reader takes it for a header."""


def readable_header_name(name: bytes) -> bool:
    """A name a reader can take as one: not empty, no control character but tab."""
    return bool(name.strip()) and not any((c < 0x20 and c != 0x09) or c == 0x7F for c in name)


class BoundedHTTPClientParser(http11._LenientHTTPClientParser):
    """Scrapy's lenient parser that fails a response whose header section is too long."""

    limit = 0  # bytes; 0 = no limit (set by ResponseHeaderLimit from the crawl's setting)

    def lineReceived(self, line: bytes) -> None:
        """Count each status or header line (the body arrives in raw mode, uncounted),
        and keep it as sent (its line end aside) for the WARC record."""
        cost = max(len(line), LINE_COST)
        if self.limit:
            seen = getattr(self, "_newsarchive_header_bytes", 0) + cost
            self._newsarchive_header_bytes = seen
            if seen > self.limit:
                raise ResponseHeadersTooLarge(
                    f"response headers over {SETTING} ({self.limit} bytes)"
                )
        self._keep_wire_line(line.removesuffix(b"\r"), cost)
        super().lineReceived(line)

    def _keep_wire_line(self, sent: bytes, cost: int) -> None:
        """Add a line to the head as sent; without a limit, drop the copy past the cap."""
        if self.state == http11.STATUS:  # a new head (a 1xx answer starts another)
            self._newsarchive_wire: list[bytes] | None = [sent]
            self._newsarchive_wire_bytes = cost
            return
        if not sent or self._newsarchive_wire is None:
            return
        self._newsarchive_wire_bytes += cost
        if not self.limit and self._newsarchive_wire_bytes > WIRE_HEAD_MAX_BYTES:
            self._newsarchive_wire = None  # Twisted's own headers are all a record gets
            return
        self._newsarchive_wire.append(sent)

    def allHeadersReceived(self) -> None:
        """Hand the head as sent (or why it was not kept) to Twisted's response before
        anyone reads it."""
        if hasattr(self, "_newsarchive_wire"):
            wire = self._newsarchive_wire
            kept: WireHead | str = (
                tuple(wire)
                if wire is not None
                else f"head as sent over {WIRE_HEAD_MAX_BYTES} bytes, not kept ({SETTING} is 0)"
            )
            setattr(self.response, WIRE_HEAD_ATTR, kept)
        super().allHeadersReceived()

    def headerReceived(self, name: bytes, value: bytes) -> None:
        """Twisted's filing, plus a copy of a connection header among the response's own."""
        try:
            super().headerReceived(name, value)
        except InvalidHeaderName:
            self._keep_as_sent(name, value)
            return
        lowered = name.lower()
        if lowered in ARCHIVED_CONNECTION_HEADERS and self.isConnectionControlHeader(lowered):
            self.headers.addRawHeader(lowered, value)

    def _keep_as_sent(self, name: bytes, value: bytes) -> None:
        """A name Twisted refuses, kept among the response's headers as the server sent it.

        Twisted's ``Headers`` checks every name it is given, so the pair goes into its
        table directly, its value with a bare CR made a space as ``Headers`` makes it (a
        rebuilt WARC head must not hold one); Scrapy's ``Headers`` later cases the name as
        it cases every name.
        """
        if not readable_header_name(name):
            raise UnreadableHeaderName(
                f"response header name {name[:80]!r} holds control characters"
            ) from None
        self.headers._rawHeaders.setdefault(name, []).append(value.replace(b"\r", b" "))


class WireHeadAgent(http11._ScrapyAgent):
    """Scrapy's agent that files each response's wire head under the Scrapy response."""

    def _cb_bodydone(self, result: Any, url: str) -> Response:
        wire = getattr(result["txresponse"], WIRE_HEAD_ATTR, None)
        try:
            response = super()._cb_bodydone(result, url)
        except StopDownload as stop:  # stopped at DOWNLOAD_MAXSIZE: its part is archived
            if wire is not None and stop.response is not None:
                _WIRE_HEADS[stop.response] = wire
            raise
        if wire is not None:
            _WIRE_HEADS[response] = wire
        return response


def wire_head_of(response: Response) -> WireHead | str | None:
    """The status and header lines of ``response`` as the server sent them (line ends
    removed), or why they were not kept, taken out of the table; None for a response
    our HTTP/1.1 parser did not read (HTTP/2, a cache, another download handler)."""
    return _WIRE_HEADS.pop(response, None)


class ResponseHeaderLimit:
    """Extension: install :class:`BoundedHTTPClientParser` with the crawl's limit."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseHeaderLimit:
        install(max(crawler.settings.getint(SETTING, 0), 0))
        return cls()


def install(limit: int) -> Any:
    """Make ``limit`` the header bound of every later HTTP/1.1 response of this process."""
    BoundedHTTPClientParser.limit = limit
    log.debug("response headers limited to %d bytes", limit)
    return install_parser()


def install_parser() -> Any:
    """Parse every later HTTP/1.1 response of this process with our parser (limit unchanged),
    and build its Scrapy response with our agent (which passes on the wire head)."""
    http11._LenientHTTPClientParser = BoundedHTTPClientParser  # type: ignore[misc]
    http11._ScrapyAgent = WireHeadAgent  # type: ignore[misc]
    return BoundedHTTPClientParser
