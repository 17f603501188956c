"""HTTP behaviour of the demo server: encodings, framing, validators, HEAD.

The site decides *what* a path holds (:class:`~newsarchive.server.resources.Resource`);
this module decides *how* it travels: gzip (or the path's ``encoding``) when the
client accepts it, chunked
framing where the route table asks for it, ETag / Last-Modified with 304s.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import logging
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from newsarchive.server.resources import Resource, Site

log = logging.getLogger(__name__)

CHUNK_SIZE = 2048  # small, so even short pages travel as several chunks
# ETag of a coded variant differs from the identity one (RFC 9110 8.8.3): "-CODING" appended.
CODED_TAG_SUFFIX = re.compile(r'-(?:gzip|br)"$')


class SiteServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one :class:`Site`, logging every request."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: Site) -> None:
        super().__init__(address, SiteRequestHandler)
        self.site = site
        self.request_log: list[tuple[str, str, int]] = []  # (method, path, status)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a crawl killed mid-request) is no error of the site."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def accepts_coding(accept_encoding: str | None, coding: str) -> bool:
    """True when an Accept-Encoding header allows ``coding`` (q > 0, directly or via ``*``)."""
    if not accept_encoding:
        return False
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        qualities[name.strip().lower()] = q
    if coding in qualities:
        return qualities[coding] > 0
    return qualities.get("*", 0) > 0


def encode(body: bytes, coding: str) -> bytes:
    """``body`` in content coding ``gzip`` or ``br`` (reproducible: gzip without a time)."""
    if coding == "br":
        import brotli  # Scrapy's dependency for decoding br; the demo server encodes with it

        return brotli.compress(body)
    return gzip.compress(body, mtime=0)


def entity_tag(body: bytes) -> str:
    """Strong ETag of the identity body."""
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'


def _tag_core(tag: str) -> str:
    """An entity tag compared weakly and across encodings (W/ and -gzip, -br dropped)."""
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return CODED_TAG_SUFFIX.sub('"', tag)


def etag_matches(if_none_match: str, etag: str) -> bool:
    tags = [t for t in if_none_match.split(",") if t.strip()]
    return any(t.strip() == "*" or _tag_core(t) == _tag_core(etag) for t in tags)


def not_modified_since(if_modified_since: str, last_modified: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return since is not None and int(last_modified) <= since.timestamp()


class SiteRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsarchive-demo/1.0"
    timeout = 30  # idle keep-alive connections end instead of holding a thread
    # Headers and body are separate writes; with Nagle's algorithm on, a keep-alive
    # client waits for the delayed ACK (~40 ms) on every response.
    disable_nagle_algorithm = True
    server: SiteServer

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path or "/"
        try:
            resource = self.server.site.resolve(path, self.server.base_url)
        except Exception:
            log.exception("failed to serve %s", path)
            resource = Resource(status=500, body=b"<h1>Internal error</h1>")
        self._send(resource, send_body, path)

    def _record(self, path: str, status: int) -> None:
        """Log the request before any byte is sent, so a client that has its
        response can rely on the log already holding it."""
        self.server.request_log.append((self.command, path, status))

    def _send(self, resource: Resource, send_body: bool, path: str) -> None:
        headers: dict[str, str] = {"Content-Type": resource.content_type}
        body = resource.body
        etag = entity_tag(body)
        if resource.is_text:
            headers["Vary"] = "Accept-Encoding"
        coding = resource.encoding
        coded = (
            coding != "identity"
            and resource.is_text
            and bool(body)
            and accepts_coding(self.headers.get("Accept-Encoding"), coding)
        )
        if resource.status == 200:
            headers["ETag"] = etag[:-1] + f'-{coding}"' if coded else etag
            if resource.last_modified is not None:
                headers["Last-Modified"] = email.utils.formatdate(
                    resource.last_modified, usegmt=True
                )
            if self._is_not_modified(etag, resource.last_modified):
                self._record(path, 304)
                self.send_response(304)
                for name in ("ETag", "Last-Modified", "Vary"):
                    if name in headers:
                        self.send_header(name, headers[name])
                self.end_headers()
                return
        headers.update(resource.headers)
        if coded:
            body = encode(body, coding)
            headers["Content-Encoding"] = coding
        chunked = resource.chunked and self.request_version == "HTTP/1.1"
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(len(body))
        self._record(path, resource.status)
        self.send_response(resource.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self._write_body(body, chunked)

    def _is_not_modified(self, etag: str, last_modified: float | None) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # takes precedence over If-Modified-Since
            return etag_matches(if_none_match, etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since and last_modified is not None:
            return not_modified_since(if_modified_since, last_modified)
        return False

    def _write_body(self, body: bytes, chunked: bool) -> None:
        if not chunked:
            self.wfile.write(body)
            return
        for start in range(0, len(body), CHUNK_SIZE):
            piece = body[start : start + CHUNK_SIZE]
            self.wfile.write(f"{len(piece):x}\r\n".encode("ascii") + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")
