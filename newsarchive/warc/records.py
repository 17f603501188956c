"""HTTP request, response and revisit records, from what Scrapy and the wire saw.

* Response head as sent: the status line and header lines our HTTP/1.1 parser
  read off the wire (``spiders/headerlimit.py``), bytes in order, with their reason
  phrase, case, spacing, folded lines and repeats, each line ended by CRLF. One
  change only: the chunk framing is gone from the payload, so ``Transfer-Encoding``
  goes, and with it any ``Content-Length`` sent beside it (which Twisted ignored, as
  RFC 9112 asks). ``Content-Length`` is otherwise as sent, and none is added.
* Response head rebuilt, when no head as sent is at hand (HTTP/2, another download
  handler) or it cannot be written safely (:func:`wire_head_problem`): the response's
  HTTP/1.x version (HTTP/1.1 for HTTP/2, plus ``WARC-Protocol: h2``), the code, and
  the standard reason phrase (Scrapy drops the server's phrase); every value of
  every header in the order received, so two ``Set-Cookie`` stay two. Scrapy
  title-cases header names (``content-type`` arrives as ``Content-Type``) and
  rebuilds ``Content-Length`` first, from the body length (``0`` for 204 and 304).
  Connection headers (``Connection``, ``Keep-Alive``, ...) are there because our
  response parser hands them over. ``Transfer-Encoding`` is dropped because the chunk
  framing is already gone; ``Content-Encoding`` stays because the body is still
  content-encoded at ``response_downloaded``.
* Request: the request line keeps path and query; the headers are the ones
  Scrapy passed to Twisted plus what Twisted adds on the wire: ``Content-Length``
  for a body and ``Host`` (Scrapy's pool is persistent, so no ``Connection``).

Header bytes are kept exactly as built here (latin-1, never re-serialised), and
records are plain ``WarcRecord`` data written by ``serialize``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from http import HTTPStatus
from urllib.parse import SplitResult, urlsplit

from newsarchive.warc.serialize import WarcRecord, new_record_id, sha1_label

# Fields newsarchive adds to its records, read back by reextract (which must not load Scrapy).
SPIDER_FIELD = "newsarchive-spider"  # warcinfo field: lets reextract name the spider
# Extension field on request records: how the URL was found (JSON), for reextract.
VIA_HEADER = "WARC-Newsarchive-Discovered-Via"

HeaderList = list[tuple[bytes, bytes]]
# Status line then header lines of a response as sent, line ends removed.
WireHead = tuple[bytes, ...]

# Response flags set by Scrapy's download handler -> WARC-Truncated reason.
TRUNCATION_BY_FLAG: Mapping[str, str] = {
    "dataloss": "disconnect",  # connection lost before Content-Length was reached
    "download_stopped": "length",  # a StopDownload cut the body (e.g. our size cap)
}
# Headers that describe the transfer framing Scrapy already removed.
HOP_BY_HOP_DROPPED = frozenset({b"transfer-encoding"})
DEFAULT_PORTS: Mapping[str, int] = {"http": 80, "https": 443}
# scheme://netloc, then path and query (no whitespace), then an optional fragment.
_PLAIN_REQUEST_URL_RE = re.compile(
    r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#\s]+)([^#\s]*)(?:#.*)?", re.DOTALL
)
WARC_DATE_MICROS = "%Y-%m-%dT%H:%M:%S.%fZ"
WARC_DATE_SECONDS = "%Y-%m-%dT%H:%M:%SZ"
PROTOCOL_BY_SCRAPY: Mapping[str, str] = {"HTTP/2": "h2", "HTTP/2.0": "h2", "h2": "h2"}
# A status line every WARC reader takes: the versions warcio and pywb expect, three digits,
# then an optional reason of tab, space, visible and non-ASCII bytes (RFC 9112). The name
# ``HTTP`` in any case: RFC 9112 spells it upper-case, but Twisted takes any name, warcio
# compares the line's upper-cased start (pywb reads with warcio and sends only the code and
# reason), and ReplayWeb.page's parser takes the first word as it is, as browsers do.
_WIRE_STATUS_RE = re.compile(rb"(?i:HTTP)/1\.[01] ([0-9]{3})(?: [\t\x20-\x7e\x80-\xff]*)?")
# Framing headers of a chunked response, gone with the chunks.
CHUNKED_FRAMING = frozenset({b"transfer-encoding", b"content-length"})


@dataclass
class Exchange:
    """One HTTP fetch as needed for its WARC records (plain data, no Scrapy objects)."""

    url: str
    method: str
    request_headers: HeaderList
    request_body: bytes
    status: int
    response_headers: HeaderList
    body: bytes
    started_at: datetime
    protocol: str | None = None
    ip_address: str | None = None
    truncated: str | None = None
    wire_head: WireHead | None = None  # the head as sent, when our parser read it
    extra_warc_headers: dict[str, str] = field(default_factory=dict)
    request_warc_headers: dict[str, str] = field(default_factory=dict)

    @property
    def warc_protocol(self) -> str | None:
        return PROTOCOL_BY_SCRAPY.get(self.protocol or "")

    @cached_property
    def warc_date(self) -> str:
        """``WARC-Date`` of every record of this fetch (formatted once)."""
        return warc_date(self.started_at)

    @cached_property
    def shared_warc_fields(self) -> dict[str, str]:
        """Named fields all records of this fetch carry (built once for the pair)."""
        fields = {"WARC-Target-URI": self.url, "WARC-Date": self.warc_date}
        if self.ip_address:
            fields["WARC-IP-Address"] = self.ip_address
        if self.warc_protocol:
            fields["WARC-Protocol"] = self.warc_protocol
        fields.update(self.extra_warc_headers)
        return fields


def payload_digest(body: bytes) -> str:
    """``sha1:BASE32`` as in ``WARC-Payload-Digest`` (same form warcio writes)."""
    return sha1_label(hashlib.sha1(body).digest())


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date, UTC, ``Z``, with microseconds unless they are zero (as warcio)."""
    utc = moment.astimezone(UTC)
    return utc.strftime(WARC_DATE_MICROS if utc.microsecond else WARC_DATE_SECONDS)


def rfc3339(moment: datetime) -> str:
    """RFC 3339 UTC with ``Z`` (what provenance ``fetched_at`` holds)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@lru_cache(maxsize=256)
def status_line(status: int) -> str:
    """``CODE PHRASE`` with the standard phrase (just ``CODE`` when the code is unknown)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    return b"".join(name + b": " + value + b"\r\n" for name, value in headers)


def http_version(protocol: str | None) -> str:
    """Version for the status line: HTTP/1.0 stays 1.0, everything else is written 1.1."""
    return "HTTP/1.0" if protocol == "HTTP/1.0" else "HTTP/1.1"


def wire_head_problem(lines: WireHead, status: int) -> str | None:
    """Why the head as sent cannot be archived as it is, or None when it can.

    A WARC reader must find the status and every header where the server put them: a
    CR inside a line would end it early for some readers and not for others.
    """
    if not lines:
        return "no status line"
    match = _WIRE_STATUS_RE.fullmatch(lines[0])
    if match is None:
        return f"status line {lines[0][:80]!r} is not 'HTTP/1.x CODE REASON'"
    if int(match.group(1)) != status:
        return f"status line {lines[0][:80]!r} does not give status {status}"
    if not lines[0].isascii() and not _latin1_once_read(lines[0]):
        return f"status line {lines[0][:80]!r} has UTF-8 beyond Latin-1, which pywb cannot send"
    joined = b"".join(lines)
    if b"\r" in joined or b"\n" in joined:
        line = next(line for line in lines if b"\r" in line or b"\n" in line)
        return f"header line {line[:80]!r} holds a bare CR or LF"
    return None


def _latin1_once_read(line: bytes) -> bool:
    """Whether warcio's reading of ``line`` (UTF-8 when it decodes, else Latin-1) stays
    in Latin-1: pywb sends the status line it read as Latin-1 and fails otherwise."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return all(ord(char) < 0x100 for char in text)


def _wire_name(line: bytes) -> bytes:
    """The lower-case name of a header line, as Twisted reads it."""
    return line.split(b":", 1)[0].lower()


def wire_response_head(lines: WireHead) -> bytes:
    """The head as sent, minus the chunked framing's headers (folded lines follow theirs)."""
    status, fields = lines[0], lines[1:]
    chunked = b"transfer-encoding" in b"\n".join(fields).lower() and any(
        _wire_name(line) == b"transfer-encoding" for line in fields
    )
    if not chunked:
        return b"\r\n".join(lines) + b"\r\n\r\n"
    kept = [status]
    dropping = False
    for line in fields:
        if not line.startswith((b" ", b"\t")):
            dropping = _wire_name(line) in CHUNKED_FRAMING
        if not dropping:
            kept.append(line)
    return b"\r\n".join(kept) + b"\r\n\r\n"


def response_head(exchange: Exchange) -> bytes:
    """Status line and headers of the response block: as sent, else rebuilt."""
    if exchange.wire_head:
        return wire_response_head(exchange.wire_head)
    kept = [(n, v) for n, v in exchange.response_headers if n.lower() not in HOP_BY_HOP_DROPPED]
    version = http_version(exchange.protocol)
    line = status_line(exchange.status)
    return f"{version} {line}\r\n".encode("latin-1") + _header_lines(kept) + b"\r\n"


def host_header(url: str | SplitResult) -> bytes:
    """The ``Host`` value Twisted computes: host as written, plus a non-default port."""
    parts = urlsplit(url) if isinstance(url, str) else url
    host = parts.netloc.rpartition("@")[2]
    port = parts.port
    if port is not None:
        host = host[: host.rfind(":")]
    if port is not None and DEFAULT_PORTS.get(parts.scheme) != port:
        host = f"{host}:{port}"
    return host.encode("ascii", "replace")


def request_target(url: str | SplitResult) -> str:
    """Path and query as sent on the request line (fragment never sent)."""
    parts = urlsplit(url) if isinstance(url, str) else url
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@lru_cache(maxsize=1024)
def _origin_host(scheme: str, netloc: str) -> bytes:
    """``Host`` value of an origin (computed once per origin)."""
    return host_header(SplitResult(scheme, netloc, "/", "", ""))


def target_and_host(url: str) -> tuple[str, bytes]:
    """Request target and ``Host`` value of ``url``.

    A plain ``scheme://netloc/path?query`` URL (what Scrapy requests) is cut with one
    regex match, its ``Host`` cached per origin; anything else goes through ``urlsplit``.
    """
    match = _PLAIN_REQUEST_URL_RE.fullmatch(url)
    if match is None:
        parts = urlsplit(url)
        return request_target(parts), host_header(parts)
    scheme, netloc, rest = match.groups()
    return (rest if rest.startswith("/") else "/" + rest), _origin_host(scheme.lower(), netloc)


def request_head(exchange: Exchange) -> bytes:
    """Request line and headers as they went on the wire."""
    headers = exchange.request_headers
    target, host = target_and_host(exchange.url)
    wire: HeaderList = []
    if exchange.request_body:
        wire.append((b"Content-Length", str(len(exchange.request_body)).encode("ascii")))
    wire.extend(headers)
    if not any(n.lower() == b"host" for n, _ in headers):
        wire.append((b"Host", host))
    line = f"{exchange.method} {target}"
    return f"{line} HTTP/1.1\r\n".encode() + _header_lines(wire) + b"\r\n"


REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
EMPTY_PAYLOAD_DIGEST = sha1_label(hashlib.sha1(b"").digest())


def _common_warc_headers(exchange: Exchange, record_type: str) -> dict[str, str]:
    """Headers every record of one fetch shares; type and id first for readability."""
    return {
        "WARC-Type": record_type,
        "WARC-Record-ID": new_record_id(),
        **exchange.shared_warc_fields,
    }


def response_record(exchange: Exchange, digest: str | None = None) -> WarcRecord:
    """The ``response`` record: the HTTP response as received, body still content-encoded."""
    warc_headers = _common_warc_headers(exchange, "response")
    warc_headers["WARC-Payload-Digest"] = digest or payload_digest(exchange.body)
    if exchange.truncated:
        warc_headers["WARC-Truncated"] = exchange.truncated
    return WarcRecord("response", warc_headers, response_head(exchange), exchange.body)


@dataclass(frozen=True)
class Original:
    """The earlier capture a revisit points at."""

    uri: str
    warc_date: str
    record_id: str | None = None


def revisit_record(
    exchange: Exchange, digest: str, original: Original, profile: str = REVISIT_PROFILE
) -> WarcRecord:
    """A ``revisit``: response headers only, payload elsewhere.

    ``profile`` identical-payload-digest (a 200 whose payload is archived already), or
    server-not-modified (a 304 to a conditional request: the block is the 304 as sent,
    ``digest`` the payload of the capture its validators came from).
    """
    warc_headers = _common_warc_headers(exchange, "revisit")
    if profile == REVISIT_PROFILE:
        # The block stops after the headers; Heritrix and the IIPC notes mark that as length.
        warc_headers["WARC-Truncated"] = "length"
    if original.record_id:
        warc_headers["WARC-Refers-To"] = original.record_id
    warc_headers["WARC-Profile"] = profile
    warc_headers["WARC-Refers-To-Target-URI"] = original.uri
    warc_headers["WARC-Refers-To-Date"] = original.warc_date
    warc_headers["WARC-Payload-Digest"] = digest
    return WarcRecord("revisit", warc_headers, response_head(exchange))


def is_not_modified_revisit(rec_type: str, profile: str | None) -> bool:
    """A server-not-modified revisit: left out of replay indexes, which then land on the
    full capture it confirmed (pywb would answer its 304 head, with no page)."""
    return rec_type == "revisit" and (profile or "").endswith("/revisit/server-not-modified")


def request_record(exchange: Exchange, concurrent_to: str) -> WarcRecord:
    """The ``request`` record, linked to its response with ``WARC-Concurrent-To``."""
    warc_headers = _common_warc_headers(exchange, "request")
    warc_headers["WARC-Concurrent-To"] = concurrent_to
    body = exchange.request_body
    warc_headers["WARC-Payload-Digest"] = payload_digest(body) if body else EMPTY_PAYLOAD_DIGEST
    warc_headers.update(exchange.request_warc_headers)
    return WarcRecord("request", warc_headers, request_head(exchange), body)
