"""Turn page bytes into text exactly once, carefully.

Order of evidence (after the WHATWG "encoding sniffing" rules, made robust for
archives): byte-order mark, the HTTP ``Content-Type`` charset, a ``<meta>``
declaration in the first 4 KB, then detection. A declared charset that the
bytes contradict (a page that says ``iso-8859-1`` but is valid UTF-8 with
non-ASCII text, a very common mismatch in saved pages) loses to UTF-8. Never
raises on bad bytes: undecodable bytes become U+FFFD.
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


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


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
    m = _META_CHARSET.search(head[:4096])
    return normalize_label(m.group(1).decode("ascii", "replace")) if m else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a page cut mid-character is still UTF-8
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def decode(data: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """Return ``(text, encoding, source)``; source is bom, header, meta, utf-8 or detected."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), name, "bom"
    declared_header = header_charset(headers)
    if declared_header and (declared_header != "utf-8" or _is_utf8(data)):
        return data.decode(declared_header, "replace"), declared_header, "header"
    declared_meta = meta_charset(data)
    non_ascii = not data.isascii()
    if non_ascii and _is_utf8(data):
        return data.decode("utf-8", "replace"), "utf-8", "utf-8"
    if declared_meta and declared_meta not in ("utf-8", "utf-16-le", "utf-16-be"):
        return data.decode(declared_meta, "replace"), declared_meta, "meta"
    if not non_ascii:
        return data.decode("ascii", "replace"), "ascii", "utf-8"
    detected = _detect(data)
    return data.decode(detected, "replace"), detected, "detected"


def _detect(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return "cp1252"
    best = from_bytes(data[:200_000]).best()
    return normalize_label(best.encoding) if best and best.encoding else "cp1252"
