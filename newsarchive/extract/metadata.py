"""Page-level metadata: description, publisher, canonical URL, section, topics, images.

Each field reads JSON-LD, then meta tags, then markup, from the one parsed
:class:`Document`; headline, authors, dates and language have modules of
their own because they need cross-checking and clean-up.
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.extract import structured
from newsarchive.extract.document import Document
from newsarchive.extract.text import clean

_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")
_MAX_TOPICS = 40
_VIDEO_META = ("og:video:secure_url", "og:video:url", "og:video", "twitter:player")


def description(doc: Document) -> str | None:
    return clean(
        doc.meta_first("description", "og:description", "twitter:description")
        or structured.text_of(structured.first_property(doc, "description"))
    )


def publisher(doc: Document) -> str | None:
    return clean(
        doc.meta_first("og:site_name")
        or structured.text_of(structured.first_property(doc, "publisher"))
        or doc.meta_first("application-name", "publisher", "dc.publisher")
    )


def canonical_url(doc: Document) -> str | None:
    """rel=canonical, else og:url, else the page URL; always absolute."""
    for href in (*doc.links.get("canonical", ()), doc.meta_first("og:url")):
        absolute = doc.absolute(href)
        if absolute and absolute.startswith(("http://", "https://")):
            return absolute
    return doc.url


def breadcrumbs(doc: Document) -> list[dict[str, str | None]]:
    """The trail from JSON-LD BreadcrumbList, else from breadcrumb markup."""
    for obj in doc.json_ld_objects("BreadcrumbList"):
        items = []
        elements = [e for e in structured.values(obj.get("itemListElement")) if isinstance(e, dict)]
        elements.sort(key=lambda e: e.get("position") if isinstance(e.get("position"), int) else 0)
        for element in elements:
            item = element.get("item")
            name = structured.text_of(element.get("name")) or structured.text_of(item)
            url = structured.url_of(item) if item else None
            if name:
                items.append({"url": doc.absolute(url) if url else None, "title": clean(name)})
        if items:
            return items
    nav = doc.root.xpath(
        '//*[contains(@class, "breadcrumb") or @aria-label="breadcrumb"'
        ' or @aria-label="Breadcrumb"][.//a][1]'
    )
    if nav:
        return [
            {"url": doc.absolute(a.get("href")), "title": clean(a.text_content())}
            for a in nav[0].xpath(".//a")[:12]
            if clean(a.text_content())
        ]
    return []


def section(doc: Document, trail: list[dict[str, str | None]]) -> str | None:
    value = structured.first_property(doc, "articleSection")
    text = structured.text_of(value)
    if text:
        return clean(text)
    meta = doc.meta_first("article:section", "section", "parsely-section", "sailthru.section")
    if meta:
        return clean(meta)
    if len(trail) >= 2:  # the last crumb is often the article itself; the one before is safe
        return trail[-2]["title"] if len(trail) > 2 else trail[-1]["title"]
    return None


def topics(doc: Document) -> list[str]:
    """Publisher tags: article:tag, JSON-LD keywords, news_keywords, rel=tag links."""
    found: list[str] = []
    for value in doc.meta.get("article:tag", ()):
        found.append(value)
    keywords = structured.first_property(doc, "keywords")
    for item in structured.values(keywords):
        if isinstance(item, str):
            found.extend(_KEYWORD_SPLIT.split(item))
    for value in doc.meta.get("news_keywords", ()):
        found.extend(_KEYWORD_SPLIT.split(value))
    if not found:
        found.extend(a.text_content() for a in doc.root.xpath('//a[@rel="tag"]')[:_MAX_TOPICS])
    seen: set[str] = set()
    out = []
    for topic in found:
        text = clean(topic)
        if text and text.casefold() not in seen and len(text) < 100:
            seen.add(text.casefold())
            out.append(text)
    return out[:_MAX_TOPICS]


def main_image(doc: Document) -> dict[str, Any] | None:
    url = doc.meta_first("og:image:secure_url", "og:image", "og:image:url", "twitter:image")
    alt = doc.meta_first("og:image:alt", "twitter:image:alt")
    if not url:
        url = structured.url_of(structured.first_property(doc, "image"))
    absolute = doc.absolute(url)
    if not absolute:
        return None
    return {"url": absolute, "alt": clean(alt), "caption": None, "credit": None, "is_cover": True}


def videos(doc: Document) -> list[str]:
    found = [doc.meta_first(name) for name in _VIDEO_META]
    for obj in doc.json_ld_objects("VideoObject"):
        found.append(structured.url_of(obj.get("contentUrl") or obj.get("embedUrl")))
    for obj in structured.article_objects(doc)[:1]:
        for video in structured.values(obj.get("video")):
            if isinstance(video, dict):
                found.append(structured.url_of(video.get("contentUrl") or video.get("embedUrl")))
    out: list[str] = []
    for url in found:
        absolute = doc.absolute(url)
        if absolute and absolute not in out:
            out.append(absolute)
    return out


def free_access(doc: Document) -> bool | None:
    value = structured.first_property(doc, "isAccessibleForFree")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def extract_metadata(doc: Document) -> dict[str, Any]:
    """Every page-level metadata field of the record, by schema name."""
    trail = breadcrumbs(doc)
    return {
        "description": description(doc),
        "publisher": publisher(doc),
        "canonical_url": canonical_url(doc),
        "breadcrumbs": trail,
        "section": section(doc, trail),
        "topics": topics(doc),
        "main_image": main_image(doc),
        "videos": videos(doc),
        "free_access": free_access(doc),
    }
