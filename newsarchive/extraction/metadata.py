"""Page-level metadata: description, publisher, canonical URL, section, topics, images.

Each field reads JSON-LD, then meta tags, then markup, from the one parsed
:class:`Document`; headline, authors, dates and language have modules of
their own because they need cross-checking and clean-up.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from newsarchive.extraction import pageindex, structured
from newsarchive.extraction.document import Document
from newsarchive.extraction.survey import survey
from newsarchive.extraction.text import clean
from newsarchive.extraction.xpathsafe import in_document_order

_KEYWORD_SPLIT = re.compile(r"[,;]")  # parts are cleaned later; no \s* (quadratic on long blanks)
_MAX_TOPICS = 40
_MAX_PLAIN_KEYWORDS = 15
# Internal ids, "Category: X" labels and URLs that CMSs put among tags.
_JUNK_TOPIC = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-|^[\w ]{2,30}:\s|^https?://|^[\w.-]+\.(?:com|de|org|net)$",
    re.IGNORECASE,
)
# Whole-page searches: class substrings are looked up in the page's class index
# (pageindex.with_class: its class attributes read once); the other attributes are
# attribute steps (``//a/@rel[...]``), which libxml2 runs several times faster than
# testing every element; xpathsafe merges both in document order.
# Tag/topic lists: a cheap class test finds candidates, a class-token pattern confirms them.
_TAG_BOX_WORDS = ("tag", "topic", "keyword", "schlagw", "themen")
_TAG_BOX_TAGS = frozenset({"ul", "ol", "div", "nav", "section", "footer", "p"})
_TAG_BOX_CLASS = re.compile(r"(?:^|\s)tags(?:\s|$)|tag-list|tags__|topics|keywords|schlagw|themen")
# Section labels in markup: WordPress category links and "rubric"/"ressort" labels.
_SECTION_LABEL_WORDS = ("rubric", "ressort", "article-section", "section-name")
_XML_SPACE = re.compile("[ \t\r\n]+")  # what XPath's normalize-space() collapses
_MAX_SECTION_CHARS = 40
# rel="tag" links (WordPress marks its category links "category tag": those are sections).
# Both from the survey's rel values of the page's links (one search for every stage).
_VIDEO_META = ("og:video:secure_url", "og:video:url", "og:video", "twitter:player")


def _category_links(doc: Document) -> list[Any]:
    """Links whose rel holds the token "category": what
    ``//a[contains(concat(" ", normalize-space(@rel), " "), " category ")]`` selects."""
    return [
        link
        for link, rel in survey(doc).link_rels
        if "category" in rel and "category" in _XML_SPACE.split(rel)
    ]


def _rel_tag_links(doc: Document) -> list[Any]:
    """Links whose rel contains "tag": what ``//a[contains(@rel, "tag")]`` selects."""
    return [link for link, rel in survey(doc).link_rels if "tag" in rel]


def _elements(owners: list[Any], doc: Document, *class_words: str) -> list[Any]:
    """``owners`` and the elements whose class contains one of ``class_words``, in
    document order (merged in Python: see xpathsafe)."""
    return in_document_order(doc.root, pageindex.with_class(doc, *class_words), owners)


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


def _list_position(element: dict[str, Any]) -> int:
    position = element.get("position")
    return position if isinstance(position, int) else 0


def breadcrumb_elements(doc: Document) -> list[Any]:
    """Breadcrumb markup in document order: "rumb" in the class, or the aria-label."""
    classed = pageindex.with_class(doc, "rumb")
    labelled = survey(doc).breadcrumb_labelled
    return in_document_order(doc.root, classed, labelled)


# Breadcrumbs and videos a record keeps: a hostile page's JSON-LD may list 100,000 of
# either (bench pages: 12 breadcrumbs and 3 videos at most).
MAX_TRAIL = 12
MAX_VIDEOS = 20


def breadcrumbs(doc: Document) -> list[dict[str, str | None]]:
    """The trail from JSON-LD BreadcrumbList, else from breadcrumb markup."""
    for obj in doc.json_ld_objects("BreadcrumbList"):
        items: list[dict[str, str | None]] = []
        elements = [e for e in structured.values(obj.get("itemListElement")) if isinstance(e, dict)]
        elements.sort(key=_list_position)
        for element in elements:
            if len(items) == MAX_TRAIL:
                break
            item = element.get("item")
            name = structured.text_of(element.get("name")) or structured.text_of(item)
            url = structured.url_of(item) if item else None
            if name:
                items.append({"url": doc.absolute(url) if url else None, "title": clean(name)})
        if items:
            return items
    for nav in breadcrumb_elements(doc)[:10]:
        links = list(itertools.islice(nav.iterdescendants("a"), MAX_TRAIL))
        if links:
            return [
                {"url": doc.absolute(a.get("href")), "title": clean(a.text_content())}
                for a in links
                if clean(a.text_content())
            ]
    return []


def section(doc: Document, trail: list[dict[str, str | None]]) -> str | None:
    """articleSection, section meta tags, the breadcrumb trail, then section labels."""
    value = structured.first_property(doc, "articleSection")
    text = structured.text_of(value)
    if text:
        return clean(text)
    meta = doc.meta_first("article:section", "section", "parsely-section", "sailthru.section")
    if meta:
        return clean(meta)
    if len(trail) >= 2:  # the last crumb is often the article itself; the one before is safe
        return trail[-2]["title"] if len(trail) > 2 else trail[-1]["title"]
    for label in _elements(_category_links(doc), doc, *_SECTION_LABEL_WORDS)[:3]:
        text = clean(label.text_content())
        if text and len(text) <= _MAX_SECTION_CHARS and len(text.split()) <= 4:
            return text
    return None


def _keyword_values(doc: Document) -> list[str]:
    """Tags the publisher declares: article:tag, JSON-LD keywords, news_keywords, keywords."""
    found: list[str] = list(doc.meta.get("article:tag", ()))
    for item in structured.values(structured.first_property(doc, "keywords")):
        if isinstance(item, str):
            found.extend(_KEYWORD_SPLIT.split(item))
    for value in doc.meta.get("news_keywords", ()):
        found.extend(_KEYWORD_SPLIT.split(value))
    if not found:
        # Plain meta keywords only when short: long lists are SEO stuffing, not topics.
        plain = [k for v in doc.meta.get("keywords", ()) for k in _KEYWORD_SPLIT.split(v)]
        found = plain if len(plain) <= _MAX_PLAIN_KEYWORDS else []
    return found


def _tag_links(doc: Document) -> list[str]:
    """Link texts of rel=tag links or of a tag/topic list in the page."""
    links = [
        a
        for a in _rel_tag_links(doc)
        if "tag" in (rel := a.get("rel", "").lower().split()) and "category" not in rel
    ][:_MAX_TOPICS]
    if not links:
        boxes = (
            el
            for el in pageindex.with_class(doc, *_TAG_BOX_WORDS)
            if el.tag in _TAG_BOX_TAGS and _TAG_BOX_CLASS.search(el.get("class", ""))
        )
        for box in itertools.islice(boxes, 3):
            links = [a for a in box.iterdescendants("a") if len(a.text_content()) < 60]
            links = links[:_MAX_TOPICS]
            if links:
                break
    return [a.text_content() for a in links]


def topics(doc: Document) -> list[str]:
    """Publisher tags: declared keywords first, else tag links on the page."""
    found = _keyword_values(doc) or _tag_links(doc)
    seen: set[str] = set()
    out = []
    for topic in found:
        text = clean(topic)
        if not text or len(text) >= 100 or _JUNK_TOPIC.search(text):
            continue
        if text.casefold() not in seen:
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
    # A dict keeps the first of each URL in page order; a list's "in" made a page of
    # 100,000 video objects cost 100,000 x 100,000 comparisons.
    out = dict.fromkeys(filter(None, map(doc.absolute, found)))
    return list(itertools.islice(out, MAX_VIDEOS))


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
