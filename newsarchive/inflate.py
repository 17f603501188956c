"""Bounded decompression: every place that inflates bytes from the network goes through here.

A 1 MB gzip body can inflate to gigabytes (a "bomb"); ``gzip.decompress`` or warcio's
``content_stream().read()`` would hold all of it in memory. Here output is produced in
steps of at most ``STEP`` bytes and counted, and decompression stops with
``TooLarge`` as soon as the total passes the limit, so peak memory stays near the
limit whatever the input. The limit is ``NEWSARCHIVE_MAX_DECOMPRESSED_SIZE``
(``newsarchive/settings.py``; the environment variable of the same name overrides it
for the command line tools).

Codings: ``gzip``/``x-gzip`` (several members in a row too), ``deflate`` (zlib-wrapped
or raw, as servers send both), ``br`` (Google's ``brotli`` module; with brotlipy or
brotlicffi, which cannot cap output, input is fed in small pieces instead),
``zstd`` (``compression.zstd`` or ``backports.zstd``) and ``identity``.
"""

from __future__ import annotations

import importlib
import os
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

STEP = 1 << 20  # most output produced per decompressor call
ENV_NAME = "NEWSARCHIVE_MAX_DECOMPRESSED_SIZE"
GZIP_MAGIC = b"\x1f\x8b"
KNOWN_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "identity"})
_FEED_PIECE = 256  # input piece for brotli modules that cannot cap their output


class InflateError(ValueError):
    """The bytes could not be inflated: corrupt, unknown coding, or over the limit."""


class CutShort(InflateError):
    """The compressed stream ends before its end marker (a dropped connection, a cut file)."""


class TooLarge(InflateError):
    """Decompressed output passed the limit (a decompression bomb, or a huge page)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"decompressed size exceeds {limit:,} bytes "
            f"(limit {ENV_NAME}; a decompression bomb or a huge payload)"
        )
        self.limit = limit


def max_size() -> int:
    """The limit in bytes: the environment variable, else the project setting."""
    from newsarchive import settings

    raw = os.environ.get(ENV_NAME)
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            pass
    return int(settings.NEWSARCHIVE_MAX_DECOMPRESSED_SIZE)


class _Inflater(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> None: ...


class _Zlib:
    """zlib/gzip/raw deflate; ``multi`` continues into a following gzip member."""

    def __init__(self, wbits: int, multi: bool = False) -> None:
        self._wbits = wbits
        self._multi = multi
        self._d = zlib.decompressobj(wbits)
        self._done = False
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while (data or self._pending()) and not self._done:
            try:
                out = self._d.decompress(data, STEP)
            except zlib.error as error:
                raise InflateError(f"corrupt compressed data ({error})") from error
            self._started = True
            if out:
                yield out
            if self._d.eof:
                data = self._d.unused_data
                if self._multi and data.startswith(GZIP_MAGIC):
                    self._d = zlib.decompressobj(self._wbits)
                    continue
                self._done = True  # bytes after the stream are ignored, as browsers do
                return
            data = self._d.unconsumed_tail
            self._last = len(out)

    def _pending(self) -> bool:
        """Output may still sit in zlib's state when the last call filled a whole step."""
        return getattr(self, "_last", 0) == STEP and not self._d.eof

    def finish(self) -> None:
        if not self._done and self._started:
            raise CutShort("compressed data cut short")


class _Deflate:
    """HTTP ``deflate``: zlib-wrapped per the RFC, raw deflate from some servers."""

    def __init__(self) -> None:
        self._inner: _Zlib | None = None
        self._head = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inner is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inner = _Zlib(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        yield from self._inner.feed(data)

    def finish(self) -> None:
        if self._inner is not None:
            self._inner.finish()


def _brotli_module() -> tuple[str, Any]:
    """Google's module (it caps output) when importable, else brotlipy or brotlicffi."""
    candidates = []
    for name in ("brotli", "_brotli", "brotlicffi"):
        try:
            candidates.append(importlib.import_module(name))
        except ImportError:
            continue
    decoders = [m for m in candidates if hasattr(m, "Decompressor")]
    for module in decoders:  # brotlipy shadows Google's ``brotli`` when both are installed
        if hasattr(module.Decompressor(), "process"):
            return "google", module
    if decoders:
        return "cffi", decoders[0]
    raise InflateError("cannot decode br: no brotli module installed")


class _Brotli:
    def __init__(self) -> None:
        self._kind, module = _brotli_module()
        self._d = module.Decompressor()
        self._error = getattr(module, "error", Exception)

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            if self._kind == "google":
                yield self._d.process(data, output_buffer_limit=STEP)
                while not self._d.can_accept_more_data():
                    yield self._d.process(b"", output_buffer_limit=STEP)
            else:
                for start in range(0, len(data), _FEED_PIECE):
                    yield self._d.decompress(data[start : start + _FEED_PIECE])
        except self._error as error:
            raise InflateError(f"corrupt brotli data ({error})") from error

    def finish(self) -> None:
        finished = getattr(self._d, "is_finished", None)
        if finished is not None and not finished():
            raise CutShort("brotli data cut short")


class _Zstd:
    def __init__(self) -> None:
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            try:
                from backports import zstd  # type: ignore[no-redef]
            except ImportError as error:
                raise InflateError("cannot decode zstd: no zstd module installed") from error
        self._module = zstd
        self._d = zstd.ZstdDecompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while True:
                yield self._d.decompress(data, STEP)
                data = b""
                if self._d.eof:
                    rest = self._d.unused_data
                    if not rest:
                        return
                    self._d = self._module.ZstdDecompressor()
                    data = rest
                elif self._d.needs_input:
                    return
        except self._module.ZstdError as error:
            raise InflateError(f"corrupt zstd data ({error})") from error

    def finish(self) -> None:
        if not self._d.eof:
            raise CutShort("zstd data cut short")


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def finish(self) -> None:
        return None


def _inflater(coding: str) -> _Inflater:
    coding = coding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16, multi=True)
    if coding == "deflate":
        return _Deflate()
    if coding == "br":
        return _Brotli()
    if coding == "zstd":
        return _Zstd()
    if coding in ("identity", ""):
        return _Identity()
    raise InflateError(f"unknown content coding {coding!r}")


def iter_inflate(chunks: Iterable[bytes], coding: str, limit: int | None = None) -> Iterator[bytes]:
    """Decompressed pieces of ``chunks`` (one coding); raises ``TooLarge`` past ``limit``."""
    limit = max_size() if limit is None else limit
    inflater = _inflater(coding)
    total = 0
    for chunk in chunks:
        for piece in inflater.feed(chunk):
            total += len(piece)
            if total > limit:
                raise TooLarge(limit)
            if piece:
                yield piece
    inflater.finish()


def inflate(data: bytes, coding: str = "gzip", limit: int | None = None) -> bytes:
    """``data`` decompressed with one coding, at most ``limit`` bytes of it."""
    return b"".join(iter_inflate([data], coding, limit))


def inflate_head(
    data: bytes, coding: str = "gzip", limit: int | None = None
) -> tuple[bytes, InflateError | None]:
    """The first ``limit`` bytes ``data`` inflates to, and what stopped it (None: nothing).

    For documents worth reading in part (a sitemap cut by a dropped connection, or
    bigger than the limit): what inflated before the problem is kept, never more
    than ``limit`` bytes of it, and the problem is returned instead of raised.
    """
    limit = max_size() if limit is None else limit
    inflater = _inflater(coding)
    head = bytearray()
    try:
        for piece in inflater.feed(data):
            room = limit - len(head)
            if len(piece) > room:
                head += piece[:room]
                return bytes(head), TooLarge(limit)
            head += piece
        inflater.finish()
    except InflateError as error:
        return bytes(head), error
    return bytes(head), None


def codings_of(content_encoding: str | None) -> list[str]:
    """The codings a ``Content-Encoding`` value lists, in the order they were applied."""
    return [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]


def decode_content(body: bytes, content_encoding: str | None, limit: int | None = None) -> bytes:
    """An HTTP body with its ``Content-Encoding`` undone (last applied, first undone).

    An unknown coding stops the decoding and leaves the body as it is from there, as
    Scrapy's ``HttpCompressionMiddleware`` does during a crawl.
    """
    for coding in reversed(codings_of(content_encoding)):
        if coding not in KNOWN_CODINGS:
            break
        body = inflate(body, coding, limit)
    return body


class WarcioBrotli:
    """warcio's decompressor interface (``decompress``, ``unused_data``, ``flush``) for ``br``.

    warcio 1.8 sets an attribute on ``brotli.Decompressor()``, which brotli 1.2 (the one
    Scrapy decodes with) refuses, so every reader of a ``br`` payload through warcio
    failed: ``wacz create`` stopped on the first brotli response of a crawl, and
    ``crawl --wacz`` of any site serving ``br`` wrote no package. Output stops at
    :func:`max_size` (warcio reports the error and gives the record no more content).
    """

    unused_data = b""  # one record's payload is one brotli stream: nothing follows it

    def __init__(self) -> None:
        self._inflater = _inflater("br")
        self._limit = max_size()
        self._total = 0

    def decompress(self, data: bytes) -> bytes:
        out = []
        for piece in self._inflater.feed(data):
            self._total += len(piece)
            if self._limit and self._total > self._limit:
                raise TooLarge(self._limit)
            out.append(piece)
        return b"".join(out)

    def flush(self) -> bytes:
        return b""


def install_warcio_brotli() -> None:
    """Make warcio decode ``br`` payloads with :class:`WarcioBrotli`."""
    from warcio.bufferedreaders import BufferedReader

    BufferedReader.DECOMPRESSORS["br"] = WarcioBrotli
