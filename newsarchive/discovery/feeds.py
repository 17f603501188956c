"""RSS 2.0, Atom and RDF (RSS 1.0) feeds, and feed discovery in HTML pages.

Feeds are parsed with the same safe XML parser as sitemaps (no entity
expansion, no network). Elements are matched by local name so a feed with a
missing or wrong namespace still yields its entries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from newsarchive.discovery import safexml
from newsarchive.discovery.dates import normalize_date
from newsarchive.discovery.links import html_root
from newsarchive.discovery.sitemaps import absolute_http_url

log = logging.getLogger(__name__)

MAX_FEED_ENTRIES = 10_000
FEED_MIME_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/x-rss+xml": "rss",
}
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass
class FeedEntry:
    """One feed item: the article URL and what the feed says about it (dates RFC 3339)."""

    url: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None

    @property
    def date(self) -> str | None:
        return self.published or self.updated


@dataclass
class FeedResult:
    """Entries of a feed; ``format`` is rss, atom, rdf or None when it is no feed."""

    url: str
    format: str | None = None
    title: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _first_text(element: lxml.etree._Element, *names: str) -> str | None:
    for name in names:
        value = safexml.text_of(safexml.child(element, name))
        if value:
            return value
    return None


def _rss_item_url(item: lxml.etree._Element, base: str) -> str | None:
    url = absolute_http_url(_first_text(item, "link"), base)
    if url:
        return url
    guid = safexml.child(item, "guid")
    if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
        return absolute_http_url(safexml.text_of(guid), base)
    return None


def _rss_entry(item: lxml.etree._Element, base: str) -> FeedEntry | None:
    url = _rss_item_url(item, base)
    if url is None:
        return None
    return FeedEntry(
        url=url,
        title=_first_text(item, "title"),
        published=normalize_date(_first_text(item, "pubdate", "date", "published")),
        updated=normalize_date(_first_text(item, "updated", "modified")),
    )


def _atom_entry_url(entry: lxml.etree._Element, base: str) -> str | None:
    base = urljoin(base, entry.get(_XML_BASE, ""))
    links = safexml.children(entry, "link")
    alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
    for link in alternates or links:
        url = absolute_http_url(link.get("href"), base)
        if url:
            return url
    return absolute_http_url(_first_text(entry, "id"), base)


def _atom_entry(entry: lxml.etree._Element, base: str) -> FeedEntry | None:
    url = _atom_entry_url(entry, base)
    if url is None:
        return None
    return FeedEntry(
        url=url,
        title=_first_text(entry, "title"),
        published=normalize_date(_first_text(entry, "published", "issued", "created")),
        updated=normalize_date(_first_text(entry, "updated", "modified")),
    )


def _feed_layout(root: lxml.etree._Element) -> tuple[str, lxml.etree._Element, str] | None:
    """(format, element holding the items, item tag) for a feed root, None for no feed."""
    name = safexml.local_name(root)
    if name == "rss":
        channel = safexml.child(root, "channel")
        return ("rss", channel, "item") if channel is not None else ("rss", root, "item")
    if name == "feed":
        return "atom", root, "entry"
    if name == "rdf":
        return "rdf", root, "item"
    if name == "channel":
        return "rss", root, "item"
    return None


_ENTRY_READERS = {"rss": _rss_entry, "rdf": _rss_entry, "atom": _atom_entry}


def parse_feed(data: bytes | str, url: str, *, max_entries: int = MAX_FEED_ENTRIES) -> FeedResult:
    """Parse a feed body fetched from ``url``; never raises on bad input."""
    result = FeedResult(url=url)
    if not data:
        result.errors.append("empty feed")
        return result
    body, errors = safexml.unwrap(data)
    result.errors.extend(errors)
    parsed = safexml.parse_xml(body)
    result.errors.extend(parsed.errors)
    if parsed.root is None:
        return result
    layout = _feed_layout(parsed.root)
    if layout is None:
        result.errors.append(f"not a feed: root element is <{safexml.local_name(parsed.root)}>")
        return result
    result.format, container, item_tag = layout
    channel = safexml.child(parsed.root, "channel")
    result.title = _first_text(channel if channel is not None else parsed.root, "title")
    base = urljoin(url, parsed.root.get(_XML_BASE, ""))
    # RDF items sit beside the channel; RSS 0.9x sometimes too: read both places.
    items = safexml.children(container, item_tag)
    if container is not parsed.root:
        items += safexml.children(parsed.root, item_tag)
    read = _ENTRY_READERS[result.format]
    seen: set[str] = set()
    for item in items:
        if len(result.entries) >= max_entries:
            result.errors.append(f"more than {max_entries} entries; the rest ignored")
            break
        entry = read(item, base)
        if entry is None:
            result.errors.append("entry skipped: no http(s) link")
        elif entry.url not in seen:
            seen.add(entry.url)
            result.entries.append(entry)
    return result


def discover_feeds(page: lxml.html.HtmlElement | bytes | str, base_url: str) -> list[str]:
    """Feed URLs announced by ``<link rel="alternate" type="application/rss+xml|atom+xml">``."""
    root = html_root(page)
    if root is None:
        return []
    base_href = root.xpath("//base/@href")
    base = urljoin(base_url, base_href[0].strip()) if base_href else base_url
    found: list[str] = []
    for link in root.xpath("//link[@href]"):
        rel_tokens = (link.get("rel") or "").lower().split()
        mime = (link.get("type") or "").split(";", 1)[0].strip().lower()
        if "alternate" not in rel_tokens or mime not in FEED_MIME_TYPES:
            continue
        url = absolute_http_url(link.get("href"), base)
        if url and url not in found:
            found.append(url)
    return found
