"""Sitemaps: XML url sets, sitemap indexes, Google News sitemaps, gzip and plain text.

Scrapy's sitemap helper keeps only ``loc`` and ``lastmod``; news archives need
the ``news:publication_date`` and ``news:title`` a news sitemap gives too, so
this parser keeps them. Namespaces are matched by local name because many
publishers declare them wrongly or not at all. Image and video extensions are
ignored. Truncated files yield the entries that parsed, plus an error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from newsarchive.discovery import safexml
from newsarchive.discovery.dates import normalize_date

log = logging.getLogger(__name__)

# The sitemap protocol allows 50,000 URLs per file; more is a broken or hostile file.
MAX_ENTRIES = 50_000
# Defaults of NEWSARCHIVE_SITEMAP_MAX_DEPTH, _MAX_FILES and _MAX_URLS (see sources.SourceBudget).
MAX_INDEX_DEPTH = 3
MAX_FILES_PER_HOST = 1000
MAX_URLS_PER_HOST = 200_000
MAX_FEEDS_PER_HOST = 200  # default of NEWSARCHIVE_FEED_MAX_FILES

KIND_SITEMAP = "sitemap"
KIND_NEWS_SITEMAP = "news_sitemap"


@dataclass
class SitemapEntry:
    """One URL named by a sitemap; ``kind`` is the discovery type for provenance."""

    url: str
    lastmod: str | None = None
    news_title: str | None = None
    news_publication_date: str | None = None
    news_language: str | None = None
    kind: str = KIND_SITEMAP

    @property
    def date(self) -> str | None:
        """The best date for "articles since" limits: publication date, else lastmod."""
        return self.news_publication_date or self.lastmod


@dataclass
class SitemapResult:
    """Page URLs (``urls``), child sitemaps of an index (``sitemaps``) and problems found."""

    url: str
    urls: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[SitemapEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_index(self) -> bool:
        return bool(self.sitemaps)


def absolute_http_url(raw: str | None, base: str) -> str | None:
    """``raw`` resolved against ``base`` when it is an http(s) URL with a host, else None."""
    if not raw:
        return None
    raw = raw.strip()
    url = raw if raw.startswith(("http://", "https://")) else urljoin(base, raw)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url.split("#", 1)[0]


def _news_fields(news: safexml.lxml.etree._Element | None) -> dict[str, str | None]:
    if news is None:
        return {}
    publication = safexml.child(news, "publication")
    raw_date = safexml.text_of(safexml.child(news, "publication_date"))
    language = (
        safexml.text_of(safexml.child(publication, "language")) if publication is not None else None
    )
    return {
        "news_title": safexml.text_of(safexml.child(news, "title")),
        "news_publication_date": normalize_date(raw_date),
        "news_language": language,
        "kind": KIND_NEWS_SITEMAP,
    }


def _entry(
    element: safexml.lxml.etree._Element, base: str, result: SitemapResult
) -> SitemapEntry | None:
    fields = safexml.children_by_name(element)
    loc_element = fields.get("loc")
    if loc_element is not None and safexml.has_entity_reference(loc_element):
        result.errors.append("entry skipped: <loc> uses an entity reference")
        return None
    raw_loc = safexml.text_of(loc_element)
    url = absolute_http_url(raw_loc, base)
    if url is None:
        if raw_loc:
            result.errors.append(f"entry skipped: not an http(s) URL: {raw_loc[:200]!r}")
        else:
            result.errors.append("entry skipped: no <loc>")
        return None
    raw_lastmod = safexml.text_of(fields.get("lastmod"))
    lastmod = normalize_date(raw_lastmod)
    if raw_lastmod and lastmod is None:
        result.errors.append(f"unreadable lastmod {raw_lastmod[:40]!r} for {url}")
    return SitemapEntry(url=url, lastmod=lastmod, **_news_fields(fields.get("news")))


def _parse_xml_sitemap(data: bytes, result: SitemapResult, max_entries: int) -> None:
    parsed = safexml.parse_xml(data)
    result.errors.extend(parsed.errors)
    if parsed.root is None:
        return
    root_name = safexml.local_name(parsed.root)
    if root_name == "sitemapindex":
        element_name, target = "sitemap", result.sitemaps
    elif root_name == "urlset":
        element_name, target = "url", result.urls
    else:
        result.errors.append(f"not a sitemap: root element is <{root_name}>")
        return
    seen: set[str] = set()
    for element in safexml.children(parsed.root, element_name):
        if len(target) >= max_entries:
            result.errors.append(f"more than {max_entries} entries; the rest ignored")
            break
        entry = _entry(element, result.url, result)
        if entry is not None and entry.url not in seen:
            seen.add(entry.url)
            target.append(entry)


# A plain-text sitemap is read only when this share of its first lines are URLs (of any
# scheme): an error page or a note in prose ("Service temporarily unavailable") is no sitemap.
TEXT_SITEMAP_MIN_URL_SHARE = 0.8
_TEXT_SAMPLE_LINES = 100
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def text_sitemap_url(line: str) -> str | None:
    """``line`` when it is one absolute http(s) URL with a host (no spaces, nothing else)."""
    line = line.strip().lstrip("\ufeff")
    if not line.startswith(("http://", "https://")) or any(c.isspace() for c in line):
        return None
    return absolute_http_url(line, line)


def _parse_text_sitemap(data: bytes, result: SitemapResult, max_entries: int) -> None:
    text = data.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    sample = lines[:_TEXT_SAMPLE_LINES]
    urls_in_sample = sum(1 for line in sample if _URL_LIKE.match(line.strip().lstrip("\ufeff")))
    if not sample or urls_in_sample < TEXT_SITEMAP_MIN_URL_SHARE * len(sample):
        result.errors.append("not a sitemap: text that is no list of URLs")
        return
    seen: set[str] = set()
    for line in lines:
        url = text_sitemap_url(line)
        if url is None or url in seen:
            continue
        if len(result.urls) >= max_entries:
            result.errors.append(f"more than {max_entries} entries; the rest ignored")
            break
        seen.add(url)
        result.urls.append(SitemapEntry(url=url))


def parse_sitemap(data: bytes | str, url: str, *, max_entries: int = MAX_ENTRIES) -> SitemapResult:
    """Parse a sitemap body fetched from ``url``; never raises on bad input.

    Gzip is recognised by its magic bytes (servers mislabel it), a body that
    does not start with ``<`` is read as a plain-text sitemap (one absolute URL a
    line) when it looks like one (:data:`TEXT_SITEMAP_MIN_URL_SHARE`).
    """
    result = SitemapResult(url=url)
    if not data:
        result.errors.append("empty sitemap")
        return result
    body, errors = safexml.unwrap(data)
    result.errors.extend(errors)
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        _parse_xml_sitemap(body, result, max_entries)
    else:
        _parse_text_sitemap(body, result, max_entries)
    if result.errors:
        log.debug("sitemap %s: %s", url, "; ".join(result.errors[:5]))
    return result
