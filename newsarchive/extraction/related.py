"""Related / recommended / "read also" links of an article.

Sources, in page order: a site rule's ``related`` selector; blocks whose class or
id names them (related, recommended, read-also, more-on...); blocks introduced
by a heading such as "Read more", "Lesen Sie auch", "Mehr zum Thema",
"À lire aussi"; and "Read also:" lines inside the body. Navigation, header and
footer links never count, nor does a link back to the article itself.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urldefrag, urlsplit

from newsarchive.extraction import pageindex
from newsarchive.extraction import rules as site_rules
from newsarchive.extraction.cleanhtml import url_resolver
from newsarchive.extraction.credits import DATE_OR_DURATION
from newsarchive.extraction.text import clean

RELATED_WORDS = re.compile(
    r"related|recommend|read-?also|readalso|also-?read|read-?more|more-?on|more-?stories"
    r"|see-?also|further-?reading|mehr-?zum-?thema|lesen-?sie-?auch|weitere-?artikel"
    r"|a-?lire|lire-?aussi|inject|teaser-?inline|inline-?teaser"
    r"|(?:^|[\s_-])more(?:$|[\s_-])",
    re.IGNORECASE,
)
RELATED_HEADING = re.compile(
    r"^(?:related|read more|read also|also read|more on this|more from|recommended|see also"
    r"|further reading|you may also like|lesen sie auch|lesen sie mehr|mehr zum thema|mehr dazu"
    r"|auch interessant|weitere artikel|zum thema|à lire aussi|lire aussi|à lire également"
    r"|voir aussi|sur le même sujet|lee también|te puede interesar|leggi anche|lees ook"
    r"|läs också|les også|читайте также|czytaj także|czytaj też"
    r"|(?:more|mehr|plus|más|meer|ещё|еще)\s*:)",
    re.IGNORECASE,
)
_NEVER_INSIDE = frozenset({"nav", "footer", "header", "menu"})
_JOB_AD = re.compile(r"\((?:[mwdf]\s*[/|]\s*){2}[mwdfx]\)", re.IGNORECASE)
_LENGTH = re.compile(r"\d+\s*(?:min|mins|minuten|minutes?|sek|sec|std|h)\.?", re.IGNORECASE)
# Link labels of the page's interface, not headlines: "Play video", "View more offers".
_UI_LABEL = re.compile(
    r"^(?:play\s+video|watch\s+video|view\s+more\s+offers|privacy\s+policy|terms\s+of\s+"
    r"(?:service|use)|cookie\s+(?:policy|settings)|sign\s+(?:in|up)|log\s+in|subscribe\b"
    r"|read\s+more|weiterlesen|mehr\s+(?:ähnliche\s+)?(?:nachrichten|artikel|lesen))",
    re.IGNORECASE,
)
MIN_TITLE_WORDS = 2
MAX_SECTION_DEPTH = 2  # '/world/uk/' is a section; articles carry a long slug or an id
SECTION_SLUG_MAX = 20
MAX_HEADING_LINE = 200  # a heading, or a one-line 'Read also: <a>title</a>'
_TITLE_CLASS = re.compile(r"title|headline|heading", re.IGNORECASE)
_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span", "div")


def _outside_page_chrome(el: Any) -> bool:
    return not any(anc.tag in _NEVER_INSIDE for anc in el.iterancestors())


def _link_title(a: Any) -> str | None:
    """The teaser headline of a link: its title-classed child, else its text."""
    for el in a.iter():
        if el is not a and _TITLE_CLASS.search(el.get("class") or ""):
            text = clean(el.text_content())
            if text:
                return text
    return clean(a.text_content()) or clean(a.get("title"))


_RELATED_WORDS_MEMO: dict[str, bool] = {}
_MEMO_MAX = 8192  # class strings repeat within and across pages of a site


def _related_words(words: str) -> bool:
    known = _RELATED_WORDS_MEMO.get(words)
    if known is None:
        known = bool(RELATED_WORDS.search(words))
        if len(_RELATED_WORDS_MEMO) >= _MEMO_MAX:
            _RELATED_WORDS_MEMO.clear()
        _RELATED_WORDS_MEMO[words] = known
    return known


def _blocks_by_class(root: Any, doc: Any = None) -> list[Any]:
    blocks: list[Any] = []
    chosen: set[Any] = set()
    index = pageindex.lookup(doc) if doc is not None else None
    for el in index.related if index is not None else root.iter():
        words = el.get("class") or el.get("id")
        if not words or not _related_words(words):
            continue
        if not isinstance(el.tag, str) or el.tag in ("a", "html", "body"):
            continue
        if chosen and any(anc in chosen for anc in el.iterancestors()):
            continue
        blocks.append(el)
        chosen.add(el)
    return blocks


def _heading_candidates(root: Any, doc: Any) -> list[tuple[Any, str]]:
    """(element, text) pairs that may be a 'Read also' heading: from the body walk's index
    when the page was walked, else every heading-like element."""
    index = pageindex.lookup(doc) if doc is not None else None
    if index is not None:
        return index.short_blocks
    return [(el, (el.text or "").strip()) for el in root.iter(*_HEADING_TAGS)]


def _blocks_by_heading(root: Any, doc: Any = None) -> list[Any]:
    """The element after (or around) a 'Read also'-style heading."""
    blocks = []
    for el, text in _heading_candidates(root, doc):
        if not text or len(text) > MAX_HEADING_LINE or not RELATED_HEADING.match(text):
            continue
        if el.find(".//a[@href]") is not None:
            blocks.append(el)  # "Lesen Sie auch: <a>…</a>" on one line
            continue
        following = el.getnext()
        if following is not None:
            blocks.append(following)
        else:
            parent = el.getparent()
            if parent is not None:
                blocks.append(parent)
    return blocks


# Folders of topic, tag and author pages: "/thema/frankfurter-polizei", "/autor/747/jane-roe".
_TAXONOMY = frozenset(
    {
        "tag", "tags", "topic", "topics", "category", "categories", "thema", "themen",
        "schlagwort", "schlagworte", "author", "authors", "autor", "autoren", "sujet",
        "sujets", "tema", "temas", "theme", "themes", "people", "person",
    }
)  # fmt: skip


def _is_section(url: str) -> bool:
    """A section, topic, tag or author page, not an article: a short folder path
    ("/world/uk/"), or a taxonomy folder and one name ("/tag/russia-ukraine-conflict/").
    "/autoren/der-freitag/<article-slug>" files an article under its author: kept."""
    path = urlsplit(url).path or "/"
    parts = [p for p in path.split("/") if p]
    if (
        path.endswith("/")
        and len(parts) <= MAX_SECTION_DEPTH
        and all(len(p) <= SECTION_SLUG_MAX for p in parts)
    ):
        return True
    for i, part in enumerate(parts):
        if part.lower() in _TAXONOMY:
            ids = [p for p in parts[i + 1 :] if p.isdigit()]
            return len(parts) - i - 1 - len(ids) <= 1 and len(ids) <= 1  # a date is no id
    return False


def extract_related(doc: Any, container: Any = None, rule: Any = None) -> list[dict[str, Any]]:
    """Related links ``{"url", "title"}``: absolute, deduplicated, never the article itself."""
    rule = rule or site_rules.for_document(doc)
    resolve = url_resolver(doc)
    own = {
        urldefrag(u)[0]
        for u in (doc.url, *(resolve(c) for c in doc.links.get("canonical", ())))
        if u
    }
    anchors: list[Any] = []
    if rule is not None:
        anchors.extend(a for a in rule.select(doc.root, "related") if hasattr(a, "tag"))
    if not anchors:
        body = doc.root.find("body")
        root = body if body is not None else doc.root
        taken: set[Any] = set()
        for block in _blocks_by_class(root, doc) + _blocks_by_heading(root, doc):
            # A block inside one already taken adds nothing (and nested "related" wrappers
            # would otherwise list every link once per level).
            if block in taken or any(anc in taken for anc in block.iterancestors()):
                continue
            if _outside_page_chrome(block):
                taken.add(block)
                anchors.extend(block.iter("a") if block.tag != "a" else [block])
    out: list[dict[str, Any]] = []
    seen: set[str] = set(own)
    for a in anchors:
        url = resolve(a.get("href"))
        if not url or not url.startswith(("http://", "https://")):
            continue
        url = urldefrag(url)[0]
        title = _link_title(a)
        if url in seen or not title or len(title.split()) < MIN_TITLE_WORDS or _is_section(url):
            continue
        if DATE_OR_DURATION.fullmatch(title) or _LENGTH.fullmatch(title) or _UI_LABEL.match(title):
            continue  # a teaser's "2 min" badge (its headline link may follow), a UI label
        if _JOB_AD.search(title):
            seen.add(url)  # "Leiter Entwicklung (m/w/d)": a job listing, whatever its label
            continue
        seen.add(url)
        out.append({"url": url, "title": title})
    return out
