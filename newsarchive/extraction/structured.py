"""Helpers for reading JSON-LD article objects, whose values come in many shapes.

A JSON-LD value can be a string, a list, or an object with ``name``/``@value``/
``url``; every field extractor needs the same unwrapping, so it lives here.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from newsarchive.extraction.document import Document, ld_types
from newsarchive.extraction.text import fragment_text

# schema.org types whose objects describe the article itself.
ARTICLE_TYPES = (
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "AskPublicNewsArticle",
    "SatiricalArticle",
    "ScholarlyArticle",
    "TechArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "Report",
)
_ARTICLE_RANK = {name.lower(): rank for rank, name in enumerate(ARTICLE_TYPES)}
_PAGE_TYPES = ("WebPage", "ItemPage", "CollectionPage")


def _url_key(url: Any) -> str | None:
    """A URL without scheme, ``www.``, query, fragment and trailing slash, for matching."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip().split("#")[0].split("?")[0].rstrip("/")
    url = url.split("://", 1)[-1]
    return url[4:] if url.startswith("www.") else url


def _about_this_page(obj: dict[str, Any], page_keys: set[str]) -> bool:
    """True when the object's url / @id / mainEntityOfPage names this page."""
    entity = obj.get("mainEntityOfPage")
    candidates = [obj.get("url"), obj.get("@id"), entity]
    if isinstance(entity, dict):
        candidates += [entity.get("@id"), entity.get("url")]
    return any(_url_key(c) in page_keys for c in candidates if isinstance(c, str))


def article_objects(doc: Document) -> list[dict[str, Any]]:
    """JSON-LD objects describing the article, most specific type first (WebPage last).

    Among objects of the same type, one whose URL names this page comes first:
    some pages also carry JSON-LD for the articles they link to. Computed once per page.
    """
    cached = doc.context.article_objects
    if cached is not None:
        return cached
    page_keys = {
        k
        for k in (
            _url_key(doc.url),
            *(_url_key(doc.absolute(h)) for h in doc.links.get("canonical", ())),
        )
        if k
    }
    found = []
    for obj in doc.json_ld:
        ranks = [_ARTICLE_RANK[t.lower()] for t in ld_types(obj) if t.lower() in _ARTICLE_RANK]
        if ranks:
            found.append((min(ranks), not _about_this_page(obj, page_keys), obj))
    found.sort(key=lambda entry: entry[:2])
    objects = [obj for *_, obj in found]
    objects.extend(doc.json_ld_objects(*_PAGE_TYPES))
    doc.context.article_objects = objects
    return objects


def values(value: Any) -> Iterator[Any]:
    """Each item of a JSON-LD value that may be a single value or a list."""
    if isinstance(value, list):
        yield from value
    elif value is not None:
        yield value


def text_of(value: Any) -> str | None:
    """The text of a JSON-LD value: a string, or an object's name / @value."""
    for item in values(value):
        if isinstance(item, str) and item.strip():
            return _unescape(item.strip())
        if isinstance(item, int | float) and not isinstance(item, bool):
            return str(item)
        if isinstance(item, dict):
            for key in ("name", "@value", "headline"):
                inner = item.get(key)
                if isinstance(inner, str) and inner.strip():
                    return _unescape(inner.strip())
    return None


def holds_html_escapes(value: Any) -> bool:
    """True when a JSON-LD text value carries HTML character references ("&#8217;").

    Such a value was copied from rendered HTML, after the CMS's typography filter
    turned the typed quotes into curly ones; plain meta tags keep the text as typed.
    """
    text = next((item for item in values(value) if isinstance(item, str)), "")
    return "&" in text and html.unescape(text) != text


def _unescape(text: str) -> str:
    """JSON-LD text with HTML entities decoded (CMSs often escape them twice), markup read."""
    return fragment_text(html.unescape(text) if "&" in text else text)


def url_of(value: Any) -> str | None:
    """A URL from a JSON-LD value: a string, or an object's url / contentUrl / @id."""
    for item in values(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            for key in ("url", "contentUrl", "@id"):
                inner = item.get(key)
                if isinstance(inner, str) and inner.strip():
                    return inner.strip()
                if isinstance(inner, list) and inner and isinstance(inner[0], str):
                    return inner[0].strip()
    return None


def first_property(doc: Document, key: str) -> Any:
    """The first non-empty value of ``key`` among the article's JSON-LD objects."""
    for obj in article_objects(doc):
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None
