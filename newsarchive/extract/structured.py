"""Helpers for reading JSON-LD article objects, whose values come in many shapes.

A JSON-LD value can be a string, a list, or an object with ``name``/``@value``/
``url``; every field extractor needs the same unwrapping, so it lives here.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from newsarchive.extract.document import Document, ld_types

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


def article_objects(doc: Document) -> list[dict[str, Any]]:
    """JSON-LD objects describing the article, most specific type first (WebPage last)."""
    found = []
    for obj in doc.json_ld:
        ranks = [_ARTICLE_RANK[t.lower()] for t in ld_types(obj) if t.lower() in _ARTICLE_RANK]
        if ranks:
            found.append((min(ranks), obj))
    found.sort(key=lambda pair: pair[0])
    objects = [obj for _, obj in found]
    objects.extend(doc.json_ld_objects(*_PAGE_TYPES))
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


def _unescape(text: str) -> str:
    """JSON-LD text with HTML entities decoded (CMSs often escape them twice)."""
    return html.unescape(text) if "&" in text else text


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
