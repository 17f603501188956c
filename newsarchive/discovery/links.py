"""Which links on a hub page lead to articles, and which to more hubs.

URL shapes are only a prior: a date in the path, a long slug, a numeric id or
a ``.html`` slug suggest an article; tag, author, category, section, paging,
search and login paths suggest a hub; file extensions mark assets. The page
itself decides once fetched (:func:`classify_page`): JSON-LD ``NewsArticle``,
``og:type=article`` and the extractor's article probability outweigh the URL.
The spider follows hubs (within the depth limit) and emits only articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.etree
import lxml.html

ARTICLE = "article"
HUB = "hub"
ASSET = "asset"
OTHER = "other"


def _words(text: str) -> frozenset[str]:
    """A set from a space-separated table (easier to read and extend than a list literal)."""
    return frozenset(text.split())


ASSET_EXTENSIONS = _words(
    "css js mjs json xml rss atom txt csv pdf doc docx xls xlsx ppt pptx zip gz tgz rar 7z "
    "jpg jpeg png gif webp avif svg ico bmp tif tiff mp3 m4a ogg wav mp4 m4v webm mov avi "
    "woff woff2 ttf otf eot exe dmg apk"
)
HUB_SEGMENTS = _words(
    "tag tags topic topics author authors autor category categories cat section sections "
    "page pages search suche login logout signin sign-in signup register subscribe account "
    "user users profile newsletter newsletters archive archives about contact impressum "
    "privacy terms cookies feed rss amp-stories live-tv"
)
HUB_QUERY_KEYS = frozenset({"page", "q", "s", "query", "search", "tag", "category", "cat"})
# "p" is WordPress's post id (/?p=123), not a page number.
ID_QUERY_KEYS = frozenset({"id", "p", "article", "articleid", "story", "storyid", "aid"})
PAGE_EXTENSIONS = (".html", ".htm", ".shtml", ".php", ".aspx")

_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-]|$)|/(19|20)\d{6}[/-]")
_NUMERIC_ID = re.compile(r"(^|[-_/.])\d{5,}($|[-_/.])")
_WORD = re.compile(r"[a-z0-9à-ÿа-я]+", re.IGNORECASE)
_LINK_HREFS = lxml.etree.XPath("//*[self::a or self::area]/@href")

ARTICLE_LD_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
    }
)
HUB_LD_TYPES = frozenset(
    {"CollectionPage", "ItemList", "ProfilePage", "SearchResultsPage", "WebSite"}
)


def _slug_words(segment: str) -> int:
    stem = segment.rsplit(".", 1)[0] if segment.endswith(PAGE_EXTENSIONS) else segment
    if "-" not in stem and "_" not in stem:
        return 1 if stem else 0
    return len(_WORD.findall(stem))


def _extension(segment: str) -> str:
    return segment.rsplit(".", 1)[-1].lower() if "." in segment else ""


def _looks_like_article(segments: list[str], query: dict[str, str]) -> bool:
    last = segments[-1] if segments else ""
    if _NUMERIC_ID.search(last) or ID_QUERY_KEYS & set(query):
        return True
    if last.lower().endswith(PAGE_EXTENSIONS) and _slug_words(last) >= 2:
        return True
    return _slug_words(last) >= 4


def classify_url(url: str) -> str:
    """Prior guess from the URL shape alone: "article", "hub", "asset" or "other"."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return OTHER
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return OTHER
    segments = [s for s in parts.path.split("/") if s]
    query = {k.lower(): v for k, v in parse_qsl(parts.query)}
    if segments and _extension(segments[-1]) in ASSET_EXTENSIONS:
        return ASSET
    if _DATE_IN_PATH.search(parts.path) and segments and _slug_words(segments[-1]) >= 2:
        return ARTICLE
    if any(s.lower() in HUB_SEGMENTS for s in segments) or HUB_QUERY_KEYS & set(query):
        return HUB
    if _looks_like_article(segments, query):
        return ARTICLE
    return HUB


def classify_page(
    url: str,
    *,
    og_type: str | None = None,
    json_ld_types: Iterable[str] = (),
    probability: float | None = None,
) -> str:
    """Decide from page signals, with the URL shape as the tie-breaker.

    Scores: JSON-LD article type +3 (collection/profile types -3),
    ``og:type`` article +2 (website/profile -1), extractor probability
    ``(p - 0.5) * 6``, URL prior +1/-1. Positive means "article", else "hub".
    """
    prior = classify_url(url)
    if prior in (ASSET, OTHER):
        return prior
    score = 1.0 if prior == ARTICLE else -1.0
    types = set(json_ld_types)
    if types & ARTICLE_LD_TYPES:
        score += 3
    elif types & HUB_LD_TYPES:
        score -= 3
    og = (og_type or "").strip().lower()
    if og == "article" or og.startswith("article:"):
        score += 2
    elif og in ("website", "profile"):
        score -= 1
    if probability is not None:
        score += (probability - 0.5) * 6
    return ARTICLE if score > 0 else HUB


def _same_site(host: str, allowed: set[str]) -> bool:
    host = host.lower().removeprefix("www.")
    return host in allowed


def html_root(page: lxml.html.HtmlElement | bytes | str) -> lxml.html.HtmlElement | None:
    """The parsed page (parsed here when given as text), or None when it is empty or no HTML.

    Callers that read one page several ways (its links, its feeds) parse it once.
    """
    if not isinstance(page, bytes | str):
        return page
    if not page.strip():
        return None
    try:
        return lxml.html.fromstring(page)
    except (lxml.etree.ParserError, ValueError):
        return None


def extract_links(
    page: lxml.html.HtmlElement | bytes | str,
    base_url: str,
    *,
    allowed_hosts: Iterable[str] | None = None,
) -> list[str]:
    """Absolute http(s) links of a page on the same site, without fragments, de-duplicated.

    ``allowed_hosts`` (default: the host of ``base_url``) is compared without
    a leading ``www.``; links to other hosts are dropped.
    """
    root = html_root(page)
    if root is None:
        return []
    hosts = {h.lower().removeprefix("www.") for h in (allowed_hosts or ())}
    if not hosts:
        hosts = {(urlsplit(base_url).hostname or "").removeprefix("www.")}
    base_href = root.xpath("//base/@href")
    base = urljoin(base_url, base_href[0].strip()) if base_href else base_url
    found: dict[str, None] = {}
    # One path, not the union "//a/@href | //area/@href": libxml2 checks each element of
    # one set against the other (40,000 links and 40,000 areas: 10 s), same order.
    for href in _LINK_HREFS(root):
        try:
            url = urljoin(base, str(href).strip()).split("#", 1)[0]
            parts = urlsplit(url)
        except ValueError:
            continue
        if (
            parts.scheme in ("http", "https")
            and parts.hostname
            and _same_site(parts.hostname, hosts)
        ):
            found.setdefault(url, None)
    return list(found)
