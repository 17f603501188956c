"""HTTP request, response and revisit records, rebuilt from what Scrapy saw.

Scrapy hands us a parsed response, so the blocks are reassembled:

* Status line: the response's HTTP/1.x version (HTTP/1.1 for HTTP/2, plus
  ``WARC-Protocol: h2``), the code, and the standard reason phrase (Scrapy drops
  the server's phrase).
* Headers: every value of every header in the order received, so two
  ``Set-Cookie`` stay two. Scrapy title-cases header names (``content-type``
  arrives as ``Content-Type``) and rebuilds ``Content-Length`` first, from the
  body length (``0`` for 204 and 304). Connection headers (``Connection``,
  ``Keep-Alive``, ...) are there because our response parser hands them over
  (``spiders/headerlimit.py``). ``Transfer-Encoding`` is dropped because the chunk
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


def response_head(exchange: Exchange) -> bytes:
    """Status line and headers of the response block."""
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
