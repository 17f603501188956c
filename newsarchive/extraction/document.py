"""One parsed view of a page, shared by every field extractor.

A page is decoded once and parsed once; JSON-LD, meta tags and ``<link>``
relations are read once here. Field extractors take a :class:`Document` and
never parse again.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from newsarchive.extraction.decode import decode
from newsarchive.extraction.surrogates import LONE_SURROGATES, encodable
from newsarchive.extraction.text import fragment_text

if TYPE_CHECKING:
    from newsarchive.extraction.pageindex import ClassIndex, PageIndex
    from newsarchive.extraction.rules import SiteRule
    from newsarchive.extraction.survey import Survey


# lxml drops anything past this many bytes in a text node; big pages are fine.
# The decoded text is handed to libxml2 as UTF-8 bytes with the encoding fixed:
# unlike str input this accepts NUL/control characters and XML declarations,
# and it costs no more than parsing the str.
_PARSER = lxml.html.HTMLParser(
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
    huge_tree=True,
    default_doctype=False,  # type: ignore[call-arg]  # lxml >= 4.x; lxml-stubs lag behind
)
# Every element is a plain HtmlElement, chosen in C: lxml.html's own lookup (special
# classes for <form>, <input>... that extraction never uses) is a Python call for each
# element proxy, and the body walk creates a proxy for every element of the page.
_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(element=HtmlElement))
_BASE_HREF = lxml.etree.XPath("/html/head/base/@href")
_HTML_LANG = lxml.etree.XPath("/html/@lang | /html/@xml:lang")
# C0 control bytes (not tab/LF/CR): libxml2 keeps them in text, and lxml then
# refuses to write such text into any tree built from it. They never occur
# inside multi-byte UTF-8 sequences, so deleting them from the bytes is safe.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.05  # of the first 4 KB; random bytes have ~12%, HTML ~0%
_MIN_CONTROLS = 32  # a few stray control characters in a short page are still text


class NotHTML(ValueError):
    """The input is not an HTML page (empty, or binary such as PDF or PNG)."""


_BINARY_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "riff"),
    (b"\x00\x00\x00", "binary"),
)


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 text (with or without BOM): NULs in every other byte around ASCII markup."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    even, odd = sample[0::2], sample[1::2]
    return any(
        half.count(0) > len(half) * 0.9 and other.lstrip(b"\r\n\t ").startswith(b"<")
        for half, other in ((even, odd), (odd, even))
    )


def sniff_binary(data: bytes) -> str | None:
    """Name of the binary format of ``data``, or None when it looks like text."""
    head = data[:1024].lstrip()
    for magic, name in _BINARY_MAGIC:
        if head.startswith(magic):
            return name
    sample = data[:4096]
    if not sample:
        return None
    # NULs, or compressed/random bytes without a magic number (a brotli body served
    # without its Content-Encoding, say): about one byte in eight is a control byte, in
    # text almost none in any charset but UTF-16, whose NULs are told apart last.
    nuls = sample.count(b"\x00")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    suspicious = nuls > len(sample) // 100 + 1 or controls > max(
        _MIN_CONTROLS, len(sample) * _MAX_CONTROL_SHARE
    )
    return "binary" if suspicious and not _looks_utf16(sample) else None


@dataclass
class PageContext:
    """What the field modules work out once per page and share, set by the first that asks.

    It lives on the page's :class:`Document`, never in a module: two pages (threads,
    interleaved calls) can never see each other's rule, index or captions.
    """

    article_objects: list[dict[str, Any]] | None = None  # structured.article_objects
    rule_chosen: bool = False  # rules.for_document has run for this page
    rule: SiteRule | None = None
    rule_date: str | None = None  # the publication date the rule was chosen with
    index: PageIndex | None = None  # the body walk's caption and related-link candidates
    classes: ClassIndex | None = None  # pageindex.with_class: the page's class attributes
    headline_h1_found: bool = False  # dates: the story's <h1> was looked for ...
    headline_h1: Any = None  # ... is this: the one the title names, else the first (None: none)
    story_times: list[Any] | None = None  # dates: the story's <time datetime> elements
    # captions.extract_captions: (rule, container) it ran with, and what it found
    captions: tuple[Any, Any, list[dict[str, Any]]] | None = None
    survey: Survey | None = None  # survey.survey: whole-page element lists
    walk: tuple[Any, Any] | None = None  # body.walk_page: (start, PageText) taken ahead


@dataclass
class Document:
    """A decoded, parsed page and the structured data found in it."""

    url: str | None
    html: str
    encoding: str
    encoding_source: str
    root: HtmlElement
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    # Derived views computed once per page by the field modules (see PageContext).
    context: PageContext = field(default_factory=PageContext, repr=False, compare=False)

    @functools.cached_property
    def base_url(self) -> str | None:
        """The URL relative links resolve against (``<base href>`` or the page URL)."""
        base = cast(list[str], _BASE_HREF(self.root))
        if base and self.url:
            return urljoin(self.url, base[0].strip())
        return self.url

    def absolute(self, href: str | None) -> str | None:
        """An absolute URL for ``href`` (None for javascript:, data: or empty links)."""
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("javascript:", "data:", "mailto:", "#")):
            return None
        base = self.base_url
        try:
            return urljoin(base, href) if base else href
        except ValueError:
            return None

    def meta_first(self, *names: str) -> str | None:
        """First non-empty value among meta tags ``names`` (name/property/itemprop, lower-case)."""
        for name in names:
            for value in self.meta.get(name.lower(), ()):
                value = fragment_text(value.strip())
                if value:
                    return value
        return None

    def json_ld_objects(self, *types: str) -> Iterator[dict[str, Any]]:
        """JSON-LD objects whose @type is one of ``types`` (all when none given)."""
        wanted = {t.lower() for t in types}
        for obj in self.json_ld:
            if not wanted or wanted & {t.lower() for t in ld_types(obj)}:
                yield obj

    @functools.cached_property
    def _json_ld_by_id(self) -> dict[str, dict[str, Any]]:
        """JSON-LD objects by ``@id`` (the first of each), so resolving references is a
        lookup: a graph of 50,000 people cited by one article took 70 s with a scan each."""
        by_id: dict[str, dict[str, Any]] = {}
        for obj in self.json_ld:
            node_id = obj.get("@id")
            if isinstance(node_id, str):
                by_id.setdefault(node_id, obj)
        return by_id

    def json_ld_node(self, value: Any) -> Any:
        """``value`` itself, or the JSON-LD object it points to by ``{"@id": ...}`` only."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            node_id = value["@id"]
            if isinstance(node_id, str):
                return self._json_ld_by_id.get(node_id, value)
        return value

    @property
    def lang(self) -> str | None:
        for value in cast(list[str], _HTML_LANG(self.root)):
            if value.strip():
                return value.strip()
        return None


def ld_types(obj: Mapping[str, Any]) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t.rsplit("/", 1)[-1]]
    if isinstance(t, list):
        return [str(x).rsplit("/", 1)[-1] for x in t]
    return []


def _flatten_ld(node: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            _flatten_ld(item, out, depth + 1)
    elif isinstance(node, dict):
        graph = node.get("@graph")
        if isinstance(graph, list):
            _flatten_ld(graph, out, depth + 1)
        if "@type" in node:
            out.append(node)
        # A WebPage often wraps the article as its mainEntity.
        entity = node.get("mainEntity")
        if isinstance(entity, dict | list):
            _flatten_ld(entity, out, depth + 1)


def _load_json_ld(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().rstrip(";")
    try:
        data = json.loads(raw)
    except ValueError:
        # Common publisher mistakes: raw newlines/tabs inside strings, trailing commas.
        cleaned = re.sub(r"[\r\n\t]+", " ", raw)
        cleaned = re.sub(r",\s*([}\]])", r"\1", cleaned)
        data = json.loads(cleaned)
    # An escaped surrogate ("\ud800") may decode alone: no later stage could encode it.
    return encodable(data) if "\\ud" in raw or "\\uD" in raw else data


def parse_json_ld(root: HtmlElement, messages: list[str]) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, ``@graph`` and ``mainEntity`` flattened."""
    out: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text or ""
        if not text.strip():
            continue
        try:
            _flatten_ld(_load_json_ld(text), out)
        except (ValueError, RecursionError):
            messages.append("invalid JSON-LD block ignored")
    return out


def _collect_meta(root: HtmlElement) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(content)
    return meta


def _collect_links(root: HtmlElement) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for el in root.iter("link"):
        href = el.get("href")
        rel = (el.get("rel") or "").lower().split()
        if not href:
            continue
        for r in rel:
            links.setdefault(r, []).append(href.strip())
    return links


def parse(html: str, utf8: bytes | None = None) -> HtmlElement:
    """Parse HTML text into an lxml tree; an unparseable page raises :class:`NotHTML`.

    ``utf8``: ``html`` in UTF-8 when the caller holds it (the page's own bytes), so
    the text is not encoded again."""
    if not html or html.isspace():  # (``strip()`` would copy the whole page)
        raise NotHTML("empty document")
    if utf8 is not None:
        data = utf8
    else:
        try:
            data = html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (rare): checked only when encoding fails
            data = LONE_SURROGATES.sub("\ufffd", html).encode("utf-8")
    data = data.translate(None, _CONTROL_BYTES)
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NotHTML(f"unparseable HTML: {exc}") from exc
    if root is None:
        raise NotHTML("unparseable HTML")
    return root


def _header_text(value: Any) -> str:
    """A header name or value as text: Scrapy gives bytes, or lists of bytes."""
    if isinstance(value, list | tuple):
        return ", ".join(_header_text(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return str(value)


def _decoded_losslessly(text: str, encoding: str, source: str) -> bool:
    """Whether ``text`` is its page's bytes read as UTF-8 (or ASCII) with nothing lost, so
    those bytes are the text in UTF-8: no byte-order mark cut off, and no U+FFFD, which
    the decoder puts where bytes are not UTF-8 (a page that writes one keeps the copy).
    """
    return encoding in ("utf-8", "ascii") and source != "bom" and "\ufffd" not in text


def load_document(
    data: bytes | str, url: str | None = None, headers: Mapping[str, str] | None = None
) -> Document:
    """Decode and parse ``data`` once. Raises :class:`NotHTML` for empty or binary input."""
    hdrs = {_header_text(k).lower(): _header_text(v) for k, v in (headers or {}).items()}
    if isinstance(data, bytes):
        if not data or data.isspace():
            raise NotHTML("empty document")
        kind = sniff_binary(data)
        if kind:
            raise NotHTML(f"binary content ({kind})")
        text, encoding, source = decode(data, hdrs)
        utf8 = data if _decoded_losslessly(text, encoding, source) else None
    else:
        text, encoding, source, utf8 = data, "unicode", "str", None
    root = parse(text, utf8)
    messages: list[str] = []
    return Document(
        url=url,
        html=text,
        encoding=encoding,
        encoding_source=source,
        root=root,
        json_ld=parse_json_ld(root, messages),
        meta=_collect_meta(root),
        links=_collect_links(root),
        headers=hdrs,
        messages=messages,
    )
