"""The headline, chosen by agreement between the places a page states it.

``<h1>``, og:title, twitter:title, JSON-LD ``headline`` and ``<title>`` (minus
the site-name suffix) each get it wrong on some sites (a section name in the
``<h1>``, a shortened social title, a site name glued on), but they agree on
the real headline far more often than any single source is right.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any

from newsarchive.extraction import sitenames, structured
from newsarchive.extraction.boilerplate import SCREEN_READER_ONLY
from newsarchive.extraction.document import Document
from newsarchive.extraction.sitenames import key
from newsarchive.extraction.survey import survey
from newsarchive.extraction.text import clean, joined_text

# Separators between a headline and the site name in <title> / og:title: spaced
# punctuation, full-width and box-drawing bars, a bar without spaces ("SITE|Headline")
# and a dash or underscore between CJK characters ("标题-新华网"). Written for speed:
# the pattern opens with the separator's first character, so the regex engine skips
# to the candidates instead of trying every position, and each branch checks behind
# that character which of the readable alternatives it is:
#   \s+(?:[|\-–—·•»«›‹/:]|::)\s+ | \s*[｜：│]\s* | (?<=\S)\|(?=\S)
#   | (?<=[CJK or CJK punctuation])[-_–—](?=[CJK])
# (tests/test_extract_headline.py checks that both find the same separators).
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_CJK_BEFORE = f"{_CJK}\u3000-\u303f\uff01-\uff5e"
_TITLE_SEPARATORS = re.compile(
    r"[\s｜：│|\-_–—](?:(?<=\s)\s*(?:(?:[|\-–—·•»«›‹/:]|::)\s+|[｜：│]\s*)|(?<=[｜：│])\s*"
    rf"|(?<=\S\|)(?=\S)|(?<=[{_CJK_BEFORE}][-_–—])(?=[{_CJK}]))"
)
_KICKER_END = re.compile(r"\S\s*(?::\s*|\s[-–—|]\s+)$")
_KICKER_SPLIT = re.compile(r"(?<=\S)(?::|\s[-–—|])\s+")
_DATE_SEGMENT = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_MAX_HEADLINE = 400

# Source -> weight when voting. The JSON-LD headline is the one the publisher
# declares explicitly, so it outweighs the others unless they all agree
# elsewhere; <h1> often carries a kicker or a display variant, <title> an SEO
# variant, so they count less alone. Sources:
#   h1         an <h1> outside navigation, h1_marked one marked as the headline
#              (itemprop="headline" or a "headline" class);
#   h1_nav     an <h1> in a breadcrumb or <nav>: templates put the SEO title there;
#   h1_site    an <h1> naming the site (the logo of blog templates): no vote;
#   display    the headline element of a page whose <h1> is missing or a breadcrumb;
#   json_ld_html  a JSON-LD headline holding HTML character references ("&#8217;"):
#              copied from rendered HTML, so it votes like JSON-LD but its spelling
#              is the CMS's typography filter's, not the one typed (see _PREFERENCE);
#   meta_title <meta name="title">: the CMS's title field, as typed; it spells the
#              headline but does not vote (it mostly repeats <title>, already counted);
#   shared     the part a visible heading and a stated title share behind two
#              different kickers (votes only by kicker transfer).
_SOURCES = {
    "h1": 0.5,
    "h1_marked": 0.5,
    "h1_nav": 0.5,
    "h1_site": 0.0,
    "display": 0.5,
    "json_ld": 3.0,
    "json_ld_html": 3.0,
    "og": 1.0,
    "twitter": 1.0,
    "itemprop": 1.0,
    "title": 0.5,
    "meta_title": 0.0,
    "shared": 0.0,
}
# A visible headline element that a social/microdata title repeats is what the
# reader sees and what the page shares: that agreement (bonus per visible source)
# outweighs a different SEO headline in JSON-LD. Measured on fundus-dev: a plain
# <h1> agreeing with og:title is right as often as wrong, so it gets no bonus.
_SOCIAL = frozenset({"og", "twitter", "itemprop"})
_CORROBORATED = {"display": 3.6, "h1_marked": 2.1}
_VISIBLE = frozenset({"h1", "h1_marked", "display"})
# Sources that state a headline as text of their own (not a split of page markup).
_STATED = frozenset({"json_ld", "json_ld_html", "og", "twitter", "itemprop", "title", "shared"})
# Sources that carry a headline alone when another source puts a kicker before it: the
# stated ones and a whole ``<h1>`` (the heading the reader sees, without the topic line
# the title fields add). Not a display heading: an ``<h2>`` stands beside a kicker.
_ALONE = _STATED | {"h1", "h1_marked"}
# Sources in which a page states a headline of its own, beside the <title>/og:title pair
# an SEO plugin fills from one field (see _favour_lone_heading).
_OWN_STATEMENT = frozenset({"json_ld", "json_ld_html", "twitter", "itemprop"})
# Lifts a lone <h1> (0.5) over og:title and <title> agreeing on another text (1.5).
_LONE_HEADING_BONUS = 1.1
# Picks the exact text (quote style, spacing) among candidates with the same key:
# the text as the newsroom typed it first (JSON-LD, the plain title field, og:title),
# rendered markup (curly quotes a typography filter put in) after the stated meta.
# On fundus-dev every <meta name="title"> sharing the chosen key is spelled as expected.
_PREFERENCE = (
    "json_ld",
    "meta_title",
    "og",
    "json_ld_html",
    "h1",
    "h1_marked",
    "display",
    "itemprop",
    "twitter",
    "h1_nav",
    "title",
    "shared",
    "h1_site",
)
_RANK = {source: i for i, source in enumerate(_PREFERENCE)}


# Typographic marks a stated title (typed in a plain form field) writes in ASCII.
# Curly apostrophes are left out: on fundus-dev the straight one of og:title is
# the expected spelling (TechCrunch, AP), so they do not make a visible spelling win.
_PLAIN_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "..."})


@dataclass(frozen=True)
class Candidate:
    """One headline text and the source (key of ``_SOURCES``) that states it."""

    source: str
    text: str


def site_name_keys(doc: Document, publisher: str | None = None) -> set[str]:
    """Comparison keys of the site's names: publisher, og:site_name, host and its first label."""
    return _site_name_keys(doc, publisher, sitenames.host(doc.url))


def _site_name_keys(doc: Document, publisher: str | None, site_host: str) -> set[str]:
    names = {publisher or "", doc.meta_first("og:site_name", "application-name") or ""}
    names |= {site_host, site_host.split(".")[0]}
    return {k for k in map(key, names) if k}


class _SiteNames:
    """The keys of the site's names around a title, for one page.

    :func:`site_name_keys`, each part of a stated site name ("Example |
    example.com"), the registered domain name ("example" in news.example.co.uk;
    an archived page's original host) and, read only when a title has a segment
    none of those names, the texts of the links back to the home page (the logo).
    """

    def __init__(self, doc: Document, publisher: str | None, title: str) -> None:
        site_host = sitenames.host(doc.url)
        keys = _site_name_keys(doc, publisher, site_host)
        keys |= sitenames.name_keys(publisher)
        keys |= sitenames.name_keys(doc.meta_first("og:site_name"))
        keys |= sitenames.domain_keys(site_host) | {key(site_host)} - {""}
        # A CMS that fills the site's name with the page's title (``title``) names no site.
        self._not_names = {key(title)}
        self.keys = {s for k in keys - self._not_names for s in sitenames.spellings(k)}
        self._test = _SiteTest(self.keys)
        self._doc = doc
        self._links_read = False

    @functools.cached_property
    def homes(self) -> frozenset[str]:
        """:func:`sitenames.home_hrefs` of the page: needed only where a heading holds a
        link or a title segment is unexplained."""
        return sitenames.home_hrefs(self._doc.url)

    def _read_links(self) -> bool:
        """Add the home links' names (once); True when that was done now."""
        if self._links_read:
            return False
        self._links_read = True
        names = sitenames.home_link_names(self._doc.root, self.homes) - self._not_names
        self.keys = self.keys | {s for k in names for s in sitenames.spellings(k)}
        self._test = _SiteTest(self.keys)
        return True

    def strip(self, title: str, guess: bool = True) -> list[str]:
        """:func:`strip_site_name` with the page's names, its home links when needed."""
        variants = _strip(title, self._test, guess)
        # Two variants: a guess between separated segments; one: the title, with or
        # without separators.
        unknown = len(variants) > 1 or (variants == [title] and _has_separator(title))
        if unknown and self._read_links():
            variants = _strip(title, self._test, guess)
        return variants

    def named_by(self, heading: Any, text: str) -> bool:
        """True for a heading that names the site: its text, or a link home in it (logo)."""
        if not sitenames.spellings(key(text)).isdisjoint(self.keys):
            return True
        return any(sitenames.links_home(a, self.homes) for a in heading.iter("a"))


class _SiteTest:
    """Whether a title segment names the site, for one set of site keys.

    A page's titles repeat their segments (``<title>``, og:title, twitter:title),
    so each segment's answer is kept.
    """

    def __init__(self, site_keys: set[str]) -> None:
        self.keys = site_keys
        # The names looked for inside a longer segment, longest first (see __call__).
        self._long = sorted((site for site in site_keys if len(site) > 3), key=len, reverse=True)
        self._known: dict[str, bool] = {}

    def __call__(self, segment: str) -> bool:
        known = self._known.get(segment)
        if known is None:
            known = self._known[segment] = self._names_site(segment)
        return known

    def _names_site(self, segment: str) -> bool:
        """True for a title segment naming the site ("Example News", "example.com") or a date.

        A site name inside a longer segment counts when it is at least half of it
        ("Example News Online"), not inside a sentence ("New maps on example.com").
        """
        k = key(segment)
        if not k:
            return False
        if bool(_DATE_SEGMENT.fullmatch(segment.strip())):
            return True
        for spelling in sitenames.spellings(k):
            if spelling in self.keys:
                return True
            for site in self._long:
                if 2 * len(site) < len(spelling):
                    break  # the rest are shorter still
                if site in spelling:
                    return True
        return False


def _has_separator(title: str) -> bool:
    return _TITLE_SEPARATORS.search(title) is not None


def _split_title(title: str) -> tuple[list[str], list[str]]:
    """The segments of ``title`` and the separators between them (one pass)."""
    parts: list[str] = []
    seps: list[str] = []
    start = 0
    for match in _TITLE_SEPARATORS.finditer(title):
        parts.append(title[start : match.start()])
        seps.append(match.group())
        start = match.end()
    parts.append(title[start:])
    return parts, seps


def strip_site_name(title: str, site_keys: set[str], guess: bool = True) -> list[str]:
    """``title`` variants with leading/trailing site-name (and date) segments removed.

    When no segment is a known site name, both the full title (some headlines
    contain " - " themselves) and the title without its last segment (most
    likely the site) are offered, and the other sources decide.
    """
    return _strip(title, _SiteTest(site_keys), guess)


def _strip(title: str, is_site: _SiteTest, guess: bool) -> list[str]:
    """:func:`strip_site_name` with the segment test of a page."""
    if len(title) > 2 * _MAX_HEADLINE:
        return [title]  # no headline is left once a site name is cut off (bounds the work)
    parts, seps = _split_title(title)
    if len(parts) < 2:
        return [title]
    site = [is_site(part) for part in parts]
    # The first site segment after the headline ends it: what follows is a tagline
    # ("Headline | example.org | The best of ..."); symbol-only segments go with it.
    end = next((i for i in range(1, len(parts)) if site[i]), len(parts))
    while len(parts) > end > 1 and not key(parts[end - 1]):
        end -= 1
    start = 1 if end == len(parts) and site[0] else 0
    known = (start, end) != (0, len(parts))
    if not known:
        if not guess:
            return [title]
        end -= 1
    rebuilt = parts[start]
    for i in range(start + 1, end):
        rebuilt += seps[i - 1] + parts[i]
    rebuilt = rebuilt.strip()
    if known:
        return [rebuilt or title]
    return [v for v in (title, rebuilt) if v]


def _class_words(el: Any) -> str:
    """Lower-cased class and id of ``el``: where templates name what an element is."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()


def _in_navigation(el: Any) -> bool:
    """True inside ``<nav>`` or a breadcrumb trail: a heading there is the page's SEO
    title repeated for search engines, not the headline a reader sees.

    ``<body>`` and ``<html>`` hold no trail: their classes are page-wide flags
    (a theme's "breadcrumbs-visible"), not a container's name.
    """
    for node in (el, *el.iterancestors()):
        if node.tag == "nav":
            return True
        if node.tag in ("body", "html"):
            return False
        # "breadcrumb" in the class or the id (as in _class_words, read one at a time)
        for name in ("class", "id"):
            value = node.get(name)
            if value and "breadcrumb" in value.lower():
                return True
    return False


def _heading_text(el: Any) -> str | None:
    """The heading's text (without the CSS or script a component put inside it)."""
    if next(el.iter("style", "script"), None) is not None:
        el = copy.deepcopy(el)
        for node in list(el.iter("style", "script")):
            node.drop_tree()
    text = clean(joined_text(el))
    return text if text and len(text) <= _MAX_HEADLINE else None


def _h1_source(h1: Any, text: str, site: _SiteNames) -> str:
    """``h1_site`` naming the site, ``h1_nav`` in navigation, ``h1_marked`` when marked up
    as the headline, else ``h1``."""
    if site.named_by(h1, text):
        return "h1_site"
    if _in_navigation(h1):
        return "h1_nav"
    return "h1_marked" if _display_tier(h1) in (0, 1) else "h1"


# Class words of a kicker element inside the headline ("Topic" above "Headline").
_KICKER_CLASS = re.compile(
    r"kicker|overline|dachzeile|roofline|topline|toptitle|supertitle|spitzmarke|eyebrow|pretitle|label"
)
_KICKER_LEAD = re.compile(r"^[\s:|\-–—]+")


def _without_marked_kicker(h1: Any, text: str) -> str | None:
    """``text`` without the kicker element that opens the ``<h1>``, or None.

    ``<h1><span class="kicker">Topic</span> Headline</h1>``: a label set apart from
    the headline. A screen-reader-only separator after it ("Topic<span
    class="visually-hidden">:</span> Headline") tells that the page reads the two
    as one headline, so that kicker stays.
    """
    for el in h1.iterdescendants():
        if not isinstance(el.tag, str) or el.tag in ("style", "script"):
            continue
        if el.tag != "small" and not _KICKER_CLASS.search(_class_words(el)):
            continue
        kicker = clean(joined_text(el))
        if not kicker or not text.startswith(kicker):
            continue
        after = el.getnext()
        if after is not None and _screen_reader_only(after):
            return None
        rest = _KICKER_LEAD.sub("", text[len(kicker) :])
        return rest if len(key(rest)) >= 10 else None
    return None


def _h1_candidates(h1s: list[Any], site: _SiteNames) -> list[tuple[str, str]]:
    """(source, text) of the first ``<h1>`` elements, those in ``<article>``/``<main>``
    first; a kicker element marked in the heading is left out of its text.

    An ``<h1>`` inside navigation or a breadcrumb trail votes only as weakly as
    ``<title>`` (source ``h1_nav``), one naming the site (its logo) not at all
    (``h1_site``); the page's visible headline is then looked for elsewhere
    (:func:`_display_heading`).
    """
    scoped = []
    for h1 in h1s:
        if next(h1.iterancestors("article", "main"), None) is not None:
            scoped.append(h1)
            if len(scoped) == 3:
                break  # only the first three are read
    out = []
    for h1 in (scoped or h1s)[:3]:
        text = _heading_text(h1)
        if text:
            source = _h1_source(h1, text, site)
            unkicked = _without_marked_kicker(h1, text) if source in ("h1", "h1_marked") else None
            out.append((source, unkicked or text))
    return out


_MAX_DISPLAY_CANDIDATES = 40


def _display_tier(el: Any) -> int | None:
    """How surely ``el`` is a headline element: 0 microdata, 1 a headline class, 2 ``<h2>``."""
    if el.get("itemprop") == "headline":
        return 0
    if "headline" in (el.get("class") or "").lower():
        return 1
    return 2 if el.tag == "h2" else None


def _screen_reader_only(el: Any) -> bool:
    """A heading only screen readers get ("Main content", "Navigation"): a landmark label."""
    words = _class_words(el)
    return "text-hide" in words or bool(SCREEN_READER_ONLY.search(words))


def _display_heading(doc: Document) -> str | None:
    """The visible headline of a page whose ``<h1>`` is a breadcrumb or missing.

    Such templates show the headline in an element marked as the headline
    (``itemprop="headline"``, a class naming a headline) or an ``<h2>``, inside
    the article when there is one; the first of the surest kind wins.
    """
    body = doc.root.find("body")
    best: tuple[int, str] | None = None
    examined = 0
    for el in body.iter("h2", "span", "div", "p") if body is not None else ():
        tier = _display_tier(el)
        if tier is None:
            continue
        if best is not None and tier >= best[0]:
            if best[0] == 0:
                break  # nothing is surer than microdata
            continue
        if tier == 2 and next(el.iterancestors("article", "main"), None) is None:
            continue
        examined += 1
        if examined > _MAX_DISPLAY_CANDIDATES:
            break  # each costs a subtree and an ancestor walk: bounded on hostile nests
        text = _heading_text(el)
        if text and len(text) >= 10 and not _in_navigation(el) and not _screen_reader_only(el):
            best = (tier, text)
    return best[1] if best else None


_MAX_TITLE_HEADINGS = 60
_MIN_PIECE = 8  # a key shorter than this ("News", "Home") is a label, not a headline
_MAX_PIECE_PARTS = 8  # runs of segments grow with the square of their number


def _title_pieces(found: list[Candidate], site_keys: set[str]) -> set[str]:
    """Keys of every run of segments of the stated titles ("A | B | C": A, AB, B, BC, ...)."""
    pieces: set[str] = set()
    for cand in found:
        if cand.source not in _STATED and cand.source != "meta_title":
            continue
        parts = _TITLE_SEPARATORS.split(cand.text)[:_MAX_PIECE_PARTS]
        for i in range(len(parts)):
            for j in range(i + 1, len(parts) + 1):
                k = key(" ".join(parts[i:j]))
                if len(k) >= _MIN_PIECE and k not in site_keys:
                    pieces.add(k)
    return pieces


def _title_heading(doc: Document, pieces: set[str]) -> str | None:
    """The first heading that shows a part of the stated title: the article's own heading.

    Blog templates put the site's name in the ``<h1>`` and the post's title in an
    ``<h2>`` that the ``<title>`` repeats beside a label ("Blog Archive » Title").
    """
    body = doc.root.find("body")
    for count, el in enumerate(body.iter("h1", "h2", "h3") if body is not None else ()):
        if count >= _MAX_TITLE_HEADINGS:
            break
        text = _heading_text(el)
        if text and key(text) in pieces and not _in_navigation(el):
            return text
    return None


def _itemprop_headline(doc: Document, headings: list[Any]) -> str | None:
    """Microdata headline: a ``<meta itemprop>`` or a heading marked ``itemprop="headline"``
    (``headings``: the page's ``<h1>`` and ``<h2>`` elements)."""
    meta = doc.meta_first("headline")
    if meta:
        return meta
    for heading in headings:
        if heading.get("itemprop") == "headline":
            return heading.text_content()
    return None


def candidates(doc: Document, publisher: str | None) -> list[Candidate]:
    """Every headline candidate the page offers, with where it came from."""
    found: list[Candidate] = []
    title_element = page_title(doc)
    title_text = title_element.text_content() if title_element is not None else ""
    site = _SiteNames(doc, publisher, title_text)
    headings = survey(doc).headings  # the <h1> and <h2> elements the sources below read

    def add(source: str, text: str | None) -> None:
        text = clean(text)
        if text and len(text) <= _MAX_HEADLINE:
            found.append(Candidate(source, text))

    h1s = _h1_candidates([h for h in headings if h.tag == "h1"], site)
    for source, text in h1s:
        add(source, text)
    if not any(source in ("h1", "h1_marked") for source, *_ in h1s):
        add("display", _display_heading(doc))
    add("itemprop", _itemprop_headline(doc, headings))
    ld_value = structured.first_property(doc, "headline")
    ld_headline = clean(structured.text_of(ld_value))
    if ld_headline:
        source = "json_ld_html" if structured.holds_html_escapes(ld_value) else "json_ld"
        add(source, site.strip(ld_headline, guess=False)[-1])
    meta_title = doc.meta_first("title")
    for variant in site.strip(clean(meta_title) or "") if meta_title else ():
        add("meta_title", variant)
    for og in (doc.meta_first("og:title"),):
        for variant in site.strip(clean(og) or "") if og else ():
            add("og", variant)
    tw = doc.meta_first("twitter:title")
    for variant in site.strip(clean(tw) or "") if tw else ():
        add("twitter", variant)
    if title_element is not None:
        title = clean(title_text) or ""
        for variant in site.strip(title) if title else ():
            add("title", variant)
    if not any(source in ("h1", "h1_marked") for source, *_ in h1s):
        pieces = _title_pieces(found, site.keys)
        if not any(c.source == "display" and key(c.text) in pieces for c in found):
            add("display", _title_heading(doc, pieces))
    return found


def page_title(doc: Document) -> Any:
    """The page's ``<title>`` element, or None: the first in ``<head>`` (or right under
    ``<html>``), else the first anywhere.

    A page whose markup puts the ``<title>`` after body content has it in ``<body>``
    once parsed; it still names the page. Read child by child, not with an XPath
    ("/html/head/title | /html/title"): the title is near the top of the tree.
    """
    root = doc.root
    if root.tag == "html" and root.getparent() is None:
        for child in root:
            if child.tag == "title":
                return child
            if child.tag == "head":
                title = next(child.iterchildren("title"), None)
                if title is not None:
                    return title
    return next(root.iter("title"), None)


def title_text(doc: Document) -> str:
    """The text of :func:`page_title` as written ("" without one)."""
    title = page_title(doc)
    return title.text_content() if title is not None else ""


def choose(found: list[Candidate]) -> str | None:
    """The candidate text most sources agree on.

    Ties go to the candidate a visible heading shows, then to the most trusted source.
    """
    if not found:
        return None
    found = found + _shared_tails(found)
    votes: dict[str, float] = {}
    voters: dict[str, set[str]] = {}
    for cand in found:
        k = key(cand.text)
        if not k:
            continue
        if cand.source not in voters.setdefault(k, set()):
            voters[k].add(cand.source)
            votes[k] = votes.get(k, 0.0) + _SOURCES[cand.source]
    if not votes:
        return None
    _favour_lone_heading(found, votes)
    _transfer_kicker_votes(found, votes, voters)
    for k, sources in voters.items():
        for visible, bonus in _CORROBORATED.items():
            if visible in sources and sources & _SOCIAL:
                votes[k] += bonus

    def rank(k: str) -> tuple[float, bool, int]:
        best_source = min(_RANK[s] for s in voters[k])
        return round(votes[k], 6), bool(voters[k] & _VISIBLE), -best_source

    best = max(votes, key=rank)
    spellings = [c for c in found if key(c.text) == best]
    # A source in capitals (an SEO field, a display variant) spells only when all do.
    spellings = [c for c in spellings if not c.text.isupper()] or spellings
    first = min(spellings, key=lambda c: _RANK[c.source])
    # The reader's typography: a visible heading with the quotes and dashes that the
    # stated title typed in ASCII („…“ for "...", – for -) spells the headline.
    for cand in spellings:
        if cand.source in _VISIBLE and cand.text.translate(_PLAIN_TYPOGRAPHY) == first.text:
            return cand.text
    return _shown_without_tail(first.text, found)


# What a stated title may add after the visible headline and still be that headline
# plus a tail: a space or comma and a few words, or a tagline glued on with a capital
# ("Truckwash A31Das andere Branchenbuch"); not a separator, brackets or a date.
_ADDED_TAIL = re.compile(r"(?:[ ,]\s*|(?=[A-ZÀ-ÖØ-Þ]))(?![|»«›‹·•/:(\[\-–—\d])\S.*")
_MAX_TAIL_WORDS = 8
_MIN_SHOWN_WORDS = 3


def _shown_without_tail(chosen: str, found: list[Candidate]) -> str:
    """The visible heading when the chosen (stated) text is that heading plus a short tail.

    A title field that repeats the shown headline and appends words to it - an SEO
    keyword ("... przepis"), a place (", Thailand"), a tagline the template glues on -
    states the headline the page shows; the appended words are not part of it.
    """
    best = chosen
    for cand in found:
        text = cand.text
        if (
            cand.source not in _VISIBLE
            or len(text) >= len(chosen)
            or not chosen.startswith(text)
            or len(text.split()) < _MIN_SHOWN_WORDS
        ):
            continue
        tail = chosen[len(text) :]
        added = _ADDED_TAIL.fullmatch(tail) and len(tail.split()) <= _MAX_TAIL_WORDS
        if added and (best is chosen or len(text) > len(best)):
            best = text
    return best


def _favour_lone_heading(found: list[Candidate], votes: dict[str, float]) -> None:
    """On a page that states no headline of its own, its one ``<h1>`` outweighs the SEO title.

    Without a JSON-LD or microdata headline and without twitter:title, og:title is the
    ``<title>`` an SEO plugin wrote for search results ("Wärmepumpe im Altbau - Wann es
    sich lohnt"), not a second statement of the headline; the page's single ``<h1>`` is
    the one its author gave the text. A heading of one or two words is a section label
    ("Betriebliche Altersvorsorge", "Details"), not such a headline. A kicker the
    heading carries still goes to the stated text (_transfer_kicker_votes runs after).
    """
    headings = [c for c in found if c.source in ("h1", "h1_marked")]
    if len(headings) != 1 or len(headings[0].text.split()) < _MIN_SHOWN_WORDS:
        return
    if any(c.source in _OWN_STATEMENT for c in found):
        return
    k = key(headings[0].text)
    if k not in votes:  # a heading of punctuation alone has no key and no votes
        return
    votes[k] += _LONE_HEADING_BONUS


def _tails(text: str) -> dict[str, str]:
    """Comparison key -> text of ``text`` without each of its leading kicker segments."""
    return {key(text[m.end() :]): text[m.end() :] for m in _KICKER_SPLIT.finditer(text)}


def _shared_tails(found: list[Candidate]) -> list[Candidate]:
    """The headline a visible heading and a stated title share behind different kickers.

    ``<h1>`` "Topic A - Headline" and og:title "Topic B: Headline": a kicker that
    changes between the page's sources is a topic label, not part of the headline,
    so the shared rest (the longest) is offered as a candidate of its own. Only for
    a heading whose full text no stated source repeats.
    """
    stated = [c for c in found if c.source in _STATED]
    stated_keys = {key(c.text) for c in stated}
    tails: dict[str, Candidate] = {}
    tails_of: dict[str, dict[str, str]] = {}  # _tails of each stated text, read once
    for heading in found:
        heading_key = key(heading.text)
        if heading.source not in _VISIBLE or heading_key in stated_keys:
            continue
        heading_tails = _tails(heading.text)
        for other in stated:
            other_key = key(other.text)
            if heading_key.endswith(other_key) or other_key.endswith(heading_key):
                continue
            if other.text not in tails_of:
                tails_of[other.text] = _tails(other.text)
            other_tails = tails_of[other.text]
            shared = [
                k
                for k in other_tails
                if k in heading_tails
                and len(k) >= 10
                # a kicker is shorter than its headline: behind a longer opening the
                # shared end is a subtitle or a site's segment ("Long title | Topics")
                and 2 * len(heading_tails[k]) > len(heading.text)
                and 2 * len(other_tails[k]) > len(other.text)
            ]
            if shared:
                longest = max(shared, key=len)
                tails.setdefault(longest, Candidate("shared", heading_tails[longest]))
    return [c for k, c in tails.items() if k not in stated_keys]


def _transfer_kicker_votes(
    found: list[Candidate], votes: dict[str, float], voters: dict[str, set[str]]
) -> None:
    """A candidate that is another one plus a kicker ("Topic: Headline") supports the shorter.

    Pages put a topic line before the headline in ``<h1>``, JSON-LD or ``<title>``
    while another source carries the headline alone; the kicker is not part of it.
    A source carries it alone when it states the headline as text, or is the page's
    ``<h1>`` (``<h1>Headline</h1>`` against og:title "Topic: Headline", also with the
    kicker element marked inside the heading or shown as a line before it). A display
    heading (an ``<h2>``) does not: it is often one part of a split headline.
    """
    # A text of punctuation alone ("—", "***") has no key and gets no votes.
    texts = {k: c.text for c in found if (k := key(c.text))}
    for long_key, long_text in texts.items():
        for short_key, short_text in texts.items():
            if short_key == long_key or not long_text.endswith(short_text):
                continue
            kicker = long_text[: -len(short_text)]
            if not voters[short_key] & _ALONE:
                continue
            if _KICKER_END.search(kicker) and len(short_key) >= 10:
                votes[short_key] += votes[long_key]
                voters[short_key] |= voters[long_key]


def from_rule(doc: Document, rule: Any) -> str | None:
    """The headline a site rule's selector points at (rules beat the generic vote)."""
    if rule is None or not rule.get("headline"):
        return None
    for found in rule.select(doc.root, "headline"):
        text = clean(found if isinstance(found, str) else found.text_content())
        if text:
            return text
    return None


def extract_headline(doc: Document, publisher: str | None = None, rule: Any = None) -> str | None:
    """The article headline as the publisher wrote it."""
    return from_rule(doc, rule) or choose(candidates(doc, publisher))
