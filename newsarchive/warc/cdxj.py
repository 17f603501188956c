"""CDXJ index lines as pywb and cdxj-indexer write them.

``SURT TIMESTAMP {"url", "mime", "status", "digest", "length", "offset", "filename"}``,
one line per ``response`` or ``revisit`` record (``mime`` is ``warc/revisit`` for
revisits), sorted bytewise so replay tools can binary-search the file. During a
crawl lines are appended as records are written (a crash keeps them); closing the
crawl sorts the file. ``rebuild`` makes the same index from the WARC files alone.

A capture of a request other than GET (a project's spider with the add-on can send
a ``FormRequest`` or a HEAD) is keyed as the IIPC guideline for non-GET requests and
pywb's ``--post-append`` key it: ``__wb_method=METHOD`` appended to the URL's query,
and for POST and PUT the request body too (a form decoded, JSON flattened to
``name=value`` pairs, anything else as ``__wb_post_data=`` Base64), with ``method`` and
``requestBody`` in the JSON. Without it a HEAD's empty answer or a form's result was
indexed under the plain URL, and replay served it for a GET of that URL.
"""

from __future__ import annotations

import base64
import errno
import json
import logging
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlencode

from newsarchive.atomic import write_atomic
from newsarchive.surts import surt_key as _surt_key
from newsarchive.warc.records import is_not_modified_revisit

log = logging.getLogger(__name__)
# JSON string literal (quotes, escapes, non-ASCII escaped) exactly as json.dumps writes it.
_json_string = json.encoder.encode_basestring_ascii

INDEXED_TYPES = frozenset({"response", "revisit", "resource"})
_MIME_SPLIT_RE = re.compile(r"[;\s]")
_ISO_DATE_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
MAX_BODY_QUERY = 4096  # characters of an encoded request body in the key (pywb's cap)
MAX_BODY_READ = 1 << 20  # bytes of a request body read to encode it; past it, the binary form


def surt_key(url: str) -> str:
    """The index key of ``url``: its SURT (:mod:`newsarchive.surts`), else the URL itself.

    A URL the ``surt`` package cannot read keeps its line under its own text rather than
    leaving the capture out of the index.
    """
    return _surt_key(url) or url


def timestamp14(warc_date: str) -> str:
    """``2024-01-02T03:04:05.123456Z`` -> ``20240102030405``."""
    if _ISO_DATE_RE.match(warc_date):  # the form we write: slice, no regex substitution
        d = warc_date
        return d[0:4] + d[5:7] + d[8:10] + d[11:13] + d[14:16] + d[17:19]
    digits = re.sub(r"\D", "", warc_date)
    return (digits + "0" * 14)[:14]


def mime_of(content_type: str | None) -> str:
    if not content_type:
        return "unk"
    return _MIME_SPLIT_RE.split(content_type, maxsplit=1)[0].strip().lower() or "unk"


def _flattened_json(data: bytes) -> str:
    """A JSON body as ``name=value`` pairs: every scalar under its nearest key, repeats
    numbered ``name.2_``, ``name.3_``... (one JSON document, else one per line)."""
    pairs: dict[str, str] = {}
    repeats: dict[str, int] = {}

    def add(value: object, name: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                add(item, key)
        elif isinstance(value, list):
            for item in value:
                add(item, name)
        elif name:
            if name in pairs:
                repeats[name] = repeats.get(name, 1) + 1
                name = f"{name}.{repeats[name]}_"
            pairs[name] = str(value)

    try:
        add(json.loads(data), "")
    except ValueError:
        if b"\n" not in data:
            raise
        for line in data.split(b"\n"):
            add(json.loads(line), "")
    return urlencode(pairs)


def _multipart_fields(content_type: str, data: bytes) -> str:
    """A multipart form's fields as a query string (file parts as their raw bytes)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + data)
    if not message.is_multipart():
        raise ValueError("no multipart body")
    fields: list[tuple[str, str | bytes]] = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields.append((str(name), payload))
        else:
            fields.append((str(name), payload.decode("utf-8")))
    return urlencode(fields, True)


def body_query(content_type: str | None, body: bytes) -> str:
    """A POST or PUT body as the key's query part, as pywb encodes it (capped)."""
    mime = (content_type or "").strip().lower()
    query = ""
    try:
        if len(body) > MAX_BODY_READ:
            raise ValueError("body too long to decode")
        if mime.startswith("application/x-www-form-urlencoded"):
            query = unquote_plus(body.decode("utf-8"))
        elif mime.startswith("multipart/"):
            query = _multipart_fields(content_type or "", body)
        elif mime.startswith("application/json"):
            try:
                query = _flattened_json(body)
            except (ValueError, RecursionError):
                query = ""  # pywb leaves a JSON body it cannot read out of the key
        elif mime.startswith("text/plain"):
            query = _flattened_json(body)
        else:
            raise ValueError("binary body")
    except (ValueError, UnicodeDecodeError, RecursionError):
        head = body[: MAX_BODY_QUERY * 3 // 4 + 3]  # more never reaches the capped query
        query = "__wb_post_data=" + base64.b64encode(head).decode("ascii")
    return query[:MAX_BODY_QUERY]


def method_query(method: str, content_type: str | None, body: bytes) -> tuple[str, str | None]:
    """(what a non-GET capture's key appends to its URL, its ``requestBody``).

    ``("", None)`` for GET: its key is the URL's own.
    """
    method = method.upper()
    if method == "GET":
        return "", None
    request_body = body_query(content_type, body) if method in ("POST", "PUT") else None
    suffix = f"__wb_method={method}" + (f"&{request_body}" if request_body else "")
    return suffix, request_body


@dataclass(frozen=True)
class IndexEntry:
    """One indexed record (``method`` and ``request_body`` for a request other than GET)."""

    url: str
    warc_date: str
    mime: str
    status: int | None
    digest: str | None
    length: int
    offset: int
    filename: str
    method: str | None = None
    key_suffix: str = ""
    request_body: str | None = None

    def with_request(self, method: str, content_type: str | None, body: bytes) -> IndexEntry:
        """This entry keyed for the request that got it (unchanged for GET)."""
        suffix, request_body = method_query(method, content_type, body)
        if not suffix:
            return self
        return replace(self, method=method.upper(), key_suffix=suffix, request_body=request_body)

    def key(self) -> str:
        """The SURT key: the URL's, with a non-GET request's query part appended."""
        if not self.key_suffix:
            return surt_key(self.url)
        base = self.url.split("#", 1)[0]
        return surt_key(base + ("&" if "?" in base else "?") + self.key_suffix)

    def line(self) -> str:
        """The index line; its JSON is what ``json.dumps`` writes, built without its overhead."""
        quote = _json_string
        fields = f'{{"url": {quote(self.url)}, "mime": {quote(self.mime)}'
        if self.status is not None:
            fields += f', "status": "{self.status:d}"'
        if self.digest:
            fields += f', "digest": {quote(self.digest)}'
        fields += f', "length": "{self.length:d}", "offset": "{self.offset:d}", '
        fields += f'"filename": {quote(self.filename)}'
        if self.request_body is not None:
            fields += f', "requestBody": {quote(self.request_body)}'
        if self.method is not None:
            fields += f', "method": {quote(self.method)}'
        return f"{self.key()} {timestamp14(self.warc_date)} {fields}}}\n"


@dataclass(frozen=True)
class _Request:
    """What keys a capture from its request record: method, body type, body."""

    record_id: str | None
    concurrent_to: str | None
    method: str
    content_type: str | None
    body: bytes


def _request_of(record: Any) -> _Request:
    http = record.http_headers
    body = record.raw_stream.read(MAX_BODY_READ + 1)
    return _Request(
        record.rec_headers.get_header("WARC-Record-ID"),
        record.rec_headers.get_header("WARC-Concurrent-To"),
        (http.protocol if http else "GET") or "GET",
        http.get_header("Content-Type") if http else None,
        body,
    )


def _paired(request: _Request | None, record_id: str | None, concurrent_to: str | None) -> bool:
    """Whether ``request`` and the capture ``record_id`` are one exchange."""
    if request is None:
        return False
    return bool(
        (record_id and request.concurrent_to == record_id)
        or (request.record_id and concurrent_to == request.record_id)
    )


class WarcDamaged(ValueError):
    """A WARC file with damaged stretches: its index holds the whole records around them."""

    def __init__(self, damage: list[Any]) -> None:
        super().__init__("; ".join(report.line() for report in damage))
        self.damage = damage


def entries_from_warc(path: str | Path, damage: list[Any] | None = None) -> list[IndexEntry]:
    """Index entries for every response/revisit record of one WARC file.

    A capture is keyed by the request record of its exchange (before or after it).
    A damaged file (a corrupt or cut gzip member) is indexed again record by record as
    ``reextract`` reads it (:func:`newsarchive.warc.wholerecords.whole_records`): each whole
    record keeps its line, the damage goes to ``damage`` (its ``FileDamage`` reports),
    or raises :class:`WarcDamaged` when no list is given.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from newsarchive.warc.wholerecords import whole_records

    name = Path(path).name.removesuffix(".open")
    try:
        with open(path, "rb") as stream:
            return list(_entries(_sequential(ArchiveIterator(stream)), name))
    except FileNotFoundError:
        raise
    except (ArchiveLoadFailed, ValueError, EOFError, OSError, zlib.error):  # damaged data
        found: list[Any] = []
        entries = list(_entries(whole_records(Path(path), found), name))
    if found and damage is None:
        raise WarcDamaged(found)
    if damage is not None:
        damage.extend(found)
    return entries


def _sequential(records: Any) -> Iterator[tuple[Any, int | None, int | None]]:
    """(record, offset, length) as warcio reads a sound file in one pass (a request's
    place is not needed, and asking for it would read its body away)."""
    for record in records:
        if record.format != "warc":  # warcio reads bytes that are no WARC as an ARC record
            raise ValueError(f"not a WARC record ({record.format})")
        if record.rec_type == "request":
            yield record, None, None
            continue
        offset = records.get_record_offset()
        records.read_to_end(record)
        yield record, offset, records.get_record_length()


def _entries(
    records: Iterable[tuple[Any, int | None, int | None]], name: str
) -> Iterator[IndexEntry]:
    pending: tuple[IndexEntry, str | None, str | None] | None = None
    request: _Request | None = None
    for record, offset, length in records:
        headers = record.rec_headers
        if record.rec_type == "request":
            request = _request_of(record)
            if pending is not None:
                entry, record_id, concurrent_to = pending
                if _paired(request, record_id, concurrent_to):
                    entry = entry.with_request(request.method, request.content_type, request.body)
                yield entry
                pending = None
            continue
        if pending is not None:
            yield pending[0]
            pending = None
        if record.rec_type not in INDEXED_TYPES or is_not_modified_revisit(
            record.rec_type, headers.get_header("WARC-Profile")
        ):
            continue
        assert offset is not None and length is not None
        http = record.http_headers
        status = int(http.get_statuscode()) if http and http.get_statuscode() else None
        mime = (
            "warc/revisit"
            if record.rec_type == "revisit"
            else mime_of(
                http.get_header("Content-Type") if http else headers.get_header("Content-Type")
            )
        )
        url = headers.get_header("WARC-Target-URI")
        warc_date = headers.get_header("WARC-Date")
        digest = headers.get_header("WARC-Payload-Digest")
        entry = IndexEntry(url, warc_date, mime, status, digest, length, offset, name)
        record_id = headers.get_header("WARC-Record-ID")
        concurrent_to = headers.get_header("WARC-Concurrent-To")
        if _paired(request, record_id, concurrent_to):
            assert request is not None
            yield entry.with_request(request.method, request.content_type, request.body)
        else:
            pending = (entry, record_id, concurrent_to)
        request = None
    if pending is not None:
        yield pending[0]


def line_filename(line: str) -> str | None:
    """The ``filename`` an index line points into (None for a torn or foreign line)."""
    _, sep, fields = line.partition(" {")
    if not sep:
        return None
    try:
        name = json.loads("{" + fields).get("filename")
    except (ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def sort_file(path: Path) -> None:
    """Sort an index file bytewise in place (atomically)."""
    lines = sorted(set(path.read_bytes().splitlines(keepends=True)))
    write_atomic(path, b"".join(lines))


def rebuild(
    warc_paths: Iterable[str | Path],
    out_path: str | Path,
    on_file: Callable[[Path], None] | None = None,
    damage: list[Any] | None = None,
) -> int:
    """Write a sorted index of ``warc_paths`` to ``out_path``; return the line count.

    ``on_file`` is called after each file is read (progress of a long rebuild).
    ``damage`` collects the damaged files' reports (their whole records are indexed);
    without it a damaged file raises :class:`WarcDamaged`.
    """
    found: list[str] = []
    for path in warc_paths:
        found.extend(entry.line() for entry in entries_from_warc(path, damage))
        if on_file is not None:
            on_file(Path(path))
    lines = sorted(found)
    write_atomic(Path(out_path), "".join(lines))
    return len(lines)


def cut_torn_tail(path: Path) -> None:
    """Cut a last line without its newline (a crash or a full disk tore it).

    Appended to, it would swallow the next line: both lost to every reader.
    """
    try:
        with open(path, "r+b") as handle:
            size = handle.seek(0, os.SEEK_END)
            if not size:
                return
            handle.seek(max(0, size - 65536))
            tail = handle.read()
            if tail.endswith(b"\n"):
                return
            keep = size - len(tail) + tail.rfind(b"\n") + 1 if b"\n" in tail else 0
            if keep == 0 and size > len(tail):
                keep = size - len(tail)  # a line over 64 KB is no index line: cut the tail only
            handle.truncate(keep)
            log.warning("%s: cut a torn last line (%d bytes)", path, size - keep)
    except FileNotFoundError:
        return


class CdxjAppender:
    """Appends index lines as records are written; ``close`` sorts the file.

    Lines reach the OS at least every ``flush_interval`` seconds, and all lines of a
    WARC file before that file is finished (``flush``, called by the writer on
    rotation): a crash can only lose lines of the file still ``.open``, which
    ``warc.recover`` rebuilds from the file itself.

    A write that fails (a full disk) is cut back to the last whole line and the
    appender stops: every later ``add`` is dropped and every ``flush`` raises, so the
    writer leaves each WARC file from then on ``.open`` and the next start rebuilds
    its lines. Lines are buffered here, not in a text file's buffer, which drops
    what it held when a write fails and would let a file be finished without them.
    """

    def __init__(self, path: str | Path, flush_interval: float = 1.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        cut_torn_tail(self.path)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        self._fd: int | None = os.open(self.path, flags, 0o644)
        self.flush_interval = flush_interval
        self._last_flush = time.monotonic()
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self.failed: OSError | None = None

    def add(self, entry: IndexEntry) -> None:
        """Queue one line; write the queue when it is due (raises when that write fails)."""
        with self._lock:
            if self.failed is not None:
                return
            self._pending.append(entry.line())
            if time.monotonic() - self._last_flush >= self.flush_interval:
                self._write_pending()

    def flush(self) -> None:
        """Write every queued line; raise ``OSError`` when any line since the start is lost."""
        with self._lock:
            self._write_pending()

    def _write_pending(self) -> None:
        if self.failed is not None:
            raise OSError(self.failed.errno, f"index lines lost: {self.failed.strerror}")
        self._last_flush = time.monotonic()
        if not self._pending or self._fd is None:
            return
        data = "".join(self._pending).encode("utf-8")
        start = os.fstat(self._fd).st_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                if not written:
                    raise OSError(errno.ENOSPC, "short write: 0 bytes accepted")
                view = view[written:]
        except OSError as error:
            self.failed = error
            self._pending.clear()
            try:
                os.ftruncate(self._fd, start)  # no half line for the next reader
            except OSError as truncate_error:  # pragma: no cover - depends on the file system
                log.error("could not cut back %s: %s", self.path, truncate_error)
            raise
        self._pending.clear()

    def close(self) -> None:
        """Write what is queued and sort the file (not after a failure: recovery sorts it)."""
        with self._lock:
            if self._fd is None:
                return
            try:
                if self.failed is None:
                    self._write_pending()
            finally:
                os.close(self._fd)
                self._fd = None
            if self.failed is not None:
                return
        sort_file(self.path)
        log.info("sorted CDXJ index %s", self.path)
