"""Turn page bytes into text exactly once, carefully.

Order of evidence (after the WHATWG "encoding sniffing" rules, made robust for
archives): byte-order mark, the HTTP ``Content-Type`` charset, a ``<meta>``
declaration in the first 32 KB, then detection. A declared charset that the
bytes contradict (a header or page that says ``iso-8859-1`` but is valid
UTF-8 with non-ASCII text, a very common mismatch in saved pages and server
defaults) loses to UTF-8: multi-byte UTF-8 sequences almost never occur by
chance in single-byte text. Never raises on bad bytes: undecodable bytes
become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
# Browsers look at the first 1024 bytes; saved pages often carry large inline
# scripts and styles before the <meta charset>, so look further.
_META_SCAN_BYTES = 32 * 1024
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE)

# Labels browsers treat as another encoding (WHATWG encoding standard).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-user-defined": "cp1252",
    "unicode": "utf-8",
    "utf8": "utf-8",
}
# Python codecs that are no character encoding of web pages: they raise on ordinary bytes
# ("undefined" always, "idna" with errors="replace", "punycode" on non-ASCII bytes), escape
# text ("unicode_escape") or are a script-injection trick no browser honours ("utf-7").
# Codecs that are not text encodings at all (zlib, base64, rot13, hex, uu, bz2,
# quopri) are recognised by their CodecInfo instead.
_NOT_WEB_ENCODINGS = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "utf-7"}
)


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # _is_text_encoding is False for bytes-to-bytes codecs; bytes.decode() refuses them.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_WEB_ENCODINGS:
        return None
    return info.name


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset named by a Content-Type header (case-insensitive lookup)."""
    if not headers:
        return None
    for key, value in headers.items():
        if str(key).lower() == "content-type" and value:
            m = _HEADER_CHARSET.search(str(value))
            if m:
                return normalize_label(m.group(1))
    return None


def meta_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head[:_META_SCAN_BYTES])
    return normalize_label(m.group(1).decode("ascii", "replace")) if m else None


def _as_utf8(data: bytes) -> str | None:
    """``data`` decoded as UTF-8, or None when it is not UTF-8 (decoded only once)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a page cut mid-character is still UTF-8
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data.decode("utf-8", "replace")
        return None


_UTF16 = ("utf-16-le", "utf-16-be", "utf-16")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for BOM-less UTF-16 markup ("<\\x00h\\x00..."), else None."""
    head = data[:512]
    if head[0:1] == b"<" and head[1:2] == b"\x00" and head[1::2].count(0) > len(head) * 0.45:
        return "utf-16-le"
    if head[0:1] == b"\x00" and head[1:2] == b"<" and head[0::2].count(0) > len(head) * 0.45:
        return "utf-16-be"
    return None


def decode(data: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """Return ``(text, encoding, source)``; source is bom, header, meta, utf-8 or detected."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name, "bom"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, "replace"), utf16, "detected"
    declared_header = header_charset(headers)
    if declared_header in _UTF16:
        declared_header = None  # UTF-16 bytes were recognised above; these are not
    non_ascii = not data.isascii()
    utf8_text = _as_utf8(data) if non_ascii else None
    if utf8_text is not None:
        # Non-ASCII bytes that are valid UTF-8 are UTF-8, whatever a label claims.
        return utf8_text, "utf-8", "header" if declared_header == "utf-8" else "utf-8"
    if declared_header and declared_header != "utf-8":
        return data.decode(declared_header, "replace"), declared_header, "header"
    declared_meta = meta_charset(data)
    if declared_meta and declared_meta != "utf-8" and declared_meta not in _UTF16:
        return data.decode(declared_meta, "replace"), declared_meta, "meta"
    if not non_ascii:
        return data.decode("ascii", "replace"), "ascii", "utf-8"
    detected = _detect(data)
    return data.decode(detected, "replace"), detected, "detected"


# Legacy encodings in order of how common they are on the web: detectors often
# score several single-byte code pages the same, and the common one is the
# right guess far more often (mac_* and DOS code pages almost never are).
_WEB_ENCODINGS = (
    "cp1252",
    "cp1251",
    "shift_jis",
    "gb18030",
    "euc_kr",
    "big5",
    "cp1250",
    "euc_jp",
    "iso8859_2",
    "cp1256",
    "cp1253",
    "cp1254",
    "koi8_r",
    "cp1255",
    "cp1257",
    "tis_620",
    "iso8859_15",
    "cp874",
    "cp1258",
)
_CHAOS_TIE = 0.02


def _detect(data: bytes) -> str:
    """The most likely legacy encoding of ``data``, preferring common web encodings on ties."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return "cp1252"
    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return "cp1252"
    best_chaos = min(m.chaos for m in matches)
    tied = [normalize_label(m.encoding) for m in matches if m.chaos <= best_chaos + _CHAOS_TIE]
    for name in map(normalize_label, _WEB_ENCODINGS):
        if name and name in tied:
            return name
    for name in tied:
        if name:
            return name
    return "cp1252"
