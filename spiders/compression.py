"""Offer only the content codings this process can decode.

Scrapy's ``HttpCompressionMiddleware`` always sends ``Accept-Encoding: gzip,
deflate, br, zstd`` and decodes ``br`` with whatever module is called
``brotli``. ``brotlipy`` (pulled in by pywb) installs a different module under
that name, without the ``Decompressor.process`` API Scrapy calls: every page
served with brotli then failed with ``AttributeError``. At start-up
:func:`decodable_encodings` decodes a tiny known stream of each coding through
the very functions Scrapy uses; :class:`DecodableCompressionMiddleware` offers
only those that work and leaves a response in a coding it cannot decode as it
came (recorded as a page that is no article, never a crash).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Request, Response

log = logging.getLogger(__name__)

SAMPLE = b"newsarchive"
# SAMPLE in each coding Scrapy may offer besides gzip and deflate (zlib is in the stdlib).
SAMPLES = {
    b"br": b"\x1b\n\x00\x00\xa4\xcb\xdc\xe6\xeeD)\x81\xc9\x01",
    b"zstd": b"(\xb5/\xfd \x0bY\x00\x00newsarchive",
}
ALWAYS = (b"gzip", b"deflate")


def _decodes(coding: bytes) -> bool:
    """True when Scrapy's own decoder for ``coding`` turns the sample back into SAMPLE."""
    try:
        from scrapy.utils import _compression

        decoder = {b"br": "_unbrotli", b"zstd": "_unzstd"}[coding]
        return bool(getattr(_compression, decoder)(SAMPLES[coding]) == SAMPLE)
    except Exception as exc:  # ImportError, AttributeError (brotlipy), a broken build
        log.warning(
            "%s responses cannot be decoded here (%s: %s): not offered in Accept-Encoding",
            coding.decode(),
            type(exc).__name__,
            exc,
        )
        return False


@cache
def decodable_encodings() -> tuple[bytes, ...]:
    """The codings to offer, in Scrapy's order: gzip, deflate, then br and zstd if they work."""
    return ALWAYS + tuple(coding for coding in SAMPLES if _decodes(coding))


def undecodable(response: Response, offered: tuple[bytes, ...]) -> list[bytes]:
    """The codings of ``response`` this process cannot decode (x-gzip is gzip)."""
    known = {*offered, b"x-gzip", b"identity"}
    codings = [
        part.strip().lower()
        for value in response.headers.getlist("Content-Encoding")
        for part in value.split(b",")
    ]
    return [c for c in codings if c and c not in known]


class DecodableCompressionMiddleware(HttpCompressionMiddleware):
    """``HttpCompressionMiddleware`` that offers and decodes only what works (module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = decodable_encodings()
        self.accept_encoding = b", ".join(self.offered)

    def process_request(self, request: Request, spider: Any = None) -> None:
        request.headers.setdefault("Accept-Encoding", self.accept_encoding)
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        unknown = undecodable(response, self.offered)
        if unknown and request.method != "HEAD":
            log.warning(
                "%s came in a coding this process cannot decode (%s): kept as it came",
                response.url,
                b", ".join(unknown).decode("latin-1"),
            )
            return response
        return super().process_response(request, response)
