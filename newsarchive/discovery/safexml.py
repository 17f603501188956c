"""Parse untrusted XML (sitemaps, feeds) without expanding entities or touching the network.

Every sitemap and feed comes from a server we do not control. The parser
never resolves entities (no billion-laughs expansion, no XXE file or network
reads), never loads a DTD, refuses huge text nodes, and caps the input and
decompressed sizes (gzip bombs). It recovers what parsed from truncated
documents, and every problem is returned as a message, never raised.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import lxml.etree

from newsarchive.inflate import GZIP_MAGIC, CutShort, TooLarge, inflate_head

# The sitemap protocol caps a file at 50 MB uncompressed; feeds are far smaller.
MAX_XML_BYTES = 50 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DOCTYPE_END = re.compile(rb"[^\[>]*(\[.*?\]\s*)?>", re.DOTALL)
# A DOCTYPE must come before the root element; an internal subset larger than this is hostile.
_PROLOGUE_BYTES = 64 * 1024


def _parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )


@dataclass
class ParsedXml:
    """The root element (None when nothing parsed) and the problems found."""

    root: lxml.etree._Element | None
    errors: list[str] = field(default_factory=list)


def gunzip_capped(data: bytes, limit: int | None = None) -> tuple[bytes, list[str]]:
    """Decompress gzip ``data`` up to ``limit`` bytes; a bigger or broken stream is reported.

    The bounded inflater is :mod:`newsarchive.inflate`'s; what inflated before a cut
    or the limit is kept, so the parser recovers the complete entries in it. Corrupt
    data gives nothing: its output cannot be trusted.
    """
    limit = limit or MAX_XML_BYTES
    out, problem = inflate_head(data, "gzip", limit)
    if problem is None:
        return out, []
    if isinstance(problem, TooLarge):
        return out, [f"gzip: decompressed size exceeds {limit} bytes; truncated"]
    if isinstance(problem, CutShort):
        return out, ["gzip: stream is truncated"]
    return b"", [f"gzip: cannot decompress ({problem.__cause__ or problem})"]  # nothing trusted


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def unwrap(data: bytes | str, limit: int | None = None) -> tuple[bytes, list[str]]:
    """Gunzip ``data`` when its magic bytes say gzip, and cap its size.

    Text (``response.text``) is re-encoded as UTF-8 without its XML
    declaration, whose encoding no longer applies.
    """
    limit = limit or MAX_XML_BYTES
    errors: list[str] = []
    if isinstance(data, str):
        data = _XML_DECLARATION.sub("", data, count=1).encode("utf-8")
    if data[:2] == GZIP_MAGIC:
        data, errors = gunzip_capped(data, limit)
    if len(data) > limit:
        errors.append(f"document exceeds {limit} bytes; truncated")
        data = data[:limit]
    return data, errors


def strip_doctype(data: bytes) -> tuple[bytes, list[str]]:
    """Remove the DOCTYPE (and its internal subset of entity declarations) from ``data``.

    Sitemaps and feeds have no use for a DTD; entity declarations in one are
    how billion-laughs and XXE documents work. libxml2 aborts a whole document
    on excessive amplification even without expanding, so the declarations are
    cut out and the references left unresolved.
    """
    start = _DOCTYPE.search(data, 0, _PROLOGUE_BYTES)
    if start is None:
        return data, []
    end = _DOCTYPE_END.match(data, start.end(), start.end() + _PROLOGUE_BYTES)
    if end is None:
        return b"", ["xml: DOCTYPE too long or unterminated; document refused"]
    errors = (
        ["xml: DOCTYPE ignored (entities are never expanded)"]
        if b"<!ENTITY" in (data[start.start() : end.end()].upper())
        else []
    )
    return data[: start.start()] + data[end.end() :], errors


def parse_xml(data: bytes) -> ParsedXml:
    """Parse ``data`` safely; a document that does not parse gives ``root=None`` and a message."""
    data, errors = strip_doctype(data)
    if not data.strip():
        return ParsedXml(None, [*errors, "xml: empty document"])
    parser = _parser()
    try:
        root = lxml.etree.fromstring(data, parser)
    except (lxml.etree.XMLSyntaxError, ValueError) as exc:
        return ParsedXml(None, [*errors, f"xml: {exc}"])
    for entry in parser.error_log:
        if entry.level_name in ("ERROR", "FATAL"):
            errors.append(f"xml line {entry.line}: {entry.message}")
            if len(errors) >= 20:
                break
    if root is None:
        errors.append("xml: no element could be parsed")
    return ParsedXml(root, errors)


@functools.lru_cache(maxsize=512)
def _strip_namespace(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def local_name(element: lxml.etree._Element) -> str:
    """Tag name without namespace, lower-cased ('' for comments and entities)."""
    tag = element.tag
    return _strip_namespace(tag) if isinstance(tag, str) else ""


def children(element: lxml.etree._Element, name: str) -> list[lxml.etree._Element]:
    """Direct children named ``name`` in any namespace (or none: publishers get it wrong)."""
    return [child for child in element if local_name(child) == name]


def child(element: lxml.etree._Element, name: str) -> lxml.etree._Element | None:
    for candidate in element:
        if local_name(candidate) == name:
            return candidate
    return None


def children_by_name(element: lxml.etree._Element) -> dict[str, lxml.etree._Element]:
    """The first direct child of each local name (one pass instead of one per field)."""
    found: dict[str, lxml.etree._Element] = {}
    for candidate in element:
        found.setdefault(local_name(candidate), candidate)
    return found


def has_entity_reference(element: lxml.etree._Element) -> bool:
    """True when the element holds an unexpanded entity (its text would be incomplete)."""
    return any(node.tag is lxml.etree.Entity for node in element.iter(lxml.etree.Entity))


def text_of(element: lxml.etree._Element | None) -> str | None:
    """Stripped text of an element; None when empty or when it holds an entity reference."""
    if element is None or has_entity_reference(element):
        return None
    text = "".join(element.itertext()).strip()
    return text or None
