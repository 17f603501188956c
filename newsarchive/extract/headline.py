"""The headline, chosen by agreement between the places a page states it.

``<h1>``, og:title, twitter:title, JSON-LD ``headline`` and ``<title>`` (minus
the site-name suffix) each get it wrong on some sites (a section name in the
``<h1>``, a shortened social title, a site name glued on), but they agree on
the real headline far more often than any single source is right.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from newsarchive.extract import structured
from newsarchive.extract.document import Document
from newsarchive.extract.text import clean, joined_text

# Separators between a headline and the site name in <title> / og:title.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»:/]|::)\s+|\s*[｜：]\s*")
_KICKER_END = re.compile(r"\S\s*(?::|\s[-–—|])\s+$")
_DATE_SEGMENT = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_KEY_DROP = re.compile(r"[\W_]+")
_MAX_HEADLINE = 400
# <title> sits in <head>; the direct path avoids a scan of the whole tree (callers fall
# back to //title for the rare page that puts it in <body>).
TITLE_XPATH = "/html/head/title | /html/title"

# Source -> weight when voting. The JSON-LD headline is the one the publisher
# declares explicitly, so it outweighs the others unless they all agree
# elsewhere; the <h1> often carries a kicker or a display variant, <title> an
# SEO variant, so they count less. _PREFERENCE picks the exact text (quote
# style, spacing) among candidates with the same comparison key.
_SOURCES = {
    "h1": 0.5,
    "json_ld": 3.0,
    "og": 1.0,
    "twitter": 1.0,
    "itemprop": 1.0,
    "title": 0.5,
}
_PREFERENCE = ("json_ld", "og", "h1", "itemprop", "twitter", "title")


@dataclass(frozen=True)
class Candidate:
    """One headline text and the source (key of ``_SOURCES``) that states it."""

    source: str
    text: str


def key(text: str) -> str:
    """Comparison key: case-folded letters and digits only."""
    return _KEY_DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


def _site_names(doc: Document, publisher: str | None) -> set[str]:
    """Comparison keys of the site's names: publisher, og:site_name, host and its first label."""
    names = {publisher or "", doc.meta_first("og:site_name", "application-name") or ""}
    if doc.url:
        host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", doc.url).split("/")[0])
        names |= {host, host.split(".")[0]}
    return {key(n) for n in names if key(n)}


def _is_site_segment(segment: str, site_keys: set[str]) -> bool:
    """True for a title segment naming the site ("Example News", "example.com") or a date."""
    k = key(segment)
    return bool(k) and (
        k in site_keys
        or any(len(site) > 3 and site in k for site in site_keys)
        or bool(_DATE_SEGMENT.fullmatch(segment.strip()))
    )


def strip_site_name(title: str, site_keys: set[str], guess: bool = True) -> list[str]:
    """``title`` variants with leading/trailing site-name (and date) segments removed.

    When no segment is a known site name, both the full title (some headlines
    contain " - " themselves) and the title without its last segment (most
    likely the site) are offered, and the other sources decide.
    """
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return [title]
    seps = _TITLE_SEPARATORS.findall(title)
    end = len(parts)
    while end > 1 and _is_site_segment(parts[end - 1], site_keys):
        end -= 1
    start = 1 if end == len(parts) and _is_site_segment(parts[0], site_keys) else 0
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


def _h1_candidates(doc: Document) -> list[str]:
    """Texts of the first ``<h1>`` elements, those inside ``<article>``/``<main>`` first."""
    h1s = list(doc.root.iter("h1"))
    scoped = [h for h in h1s if next(h.iterancestors("article", "main"), None) is not None]
    h1s = scoped or h1s
    out = []
    for h1 in h1s[:3]:
        text = clean(joined_text(h1))
        if text and len(text) <= _MAX_HEADLINE:
            out.append(text)
    return out


def _itemprop_headline(doc: Document) -> str | None:
    """Microdata headline: a ``<meta itemprop>`` or a heading marked ``itemprop="headline"``."""
    meta = doc.meta_first("headline")
    if meta:
        return meta
    for heading in doc.root.iter("h1", "h2"):
        if heading.get("itemprop") == "headline":
            return heading.text_content()
    return None


def candidates(doc: Document, publisher: str | None) -> list[Candidate]:
    """Every headline candidate the page offers, with where it came from."""
    found: list[Candidate] = []
    site_keys = _site_names(doc, publisher)

    def add(source: str, text: str | None) -> None:
        text = clean(text)
        if text and len(text) <= _MAX_HEADLINE:
            found.append(Candidate(source, text))

    for text in _h1_candidates(doc):
        add("h1", text)
    add("itemprop", _itemprop_headline(doc))
    ld_headline = clean(structured.text_of(structured.first_property(doc, "headline")))
    if ld_headline:
        add("json_ld", strip_site_name(ld_headline, site_keys, guess=False)[-1])
    for og in (doc.meta_first("og:title"),):
        for variant in strip_site_name(clean(og) or "", site_keys) if og else ():
            add("og", variant)
    tw = doc.meta_first("twitter:title")
    for variant in strip_site_name(clean(tw) or "", site_keys) if tw else ():
        add("twitter", variant)
    titles = doc.root.xpath(TITLE_XPATH) or doc.root.xpath("//title")[:1]
    if titles:
        title = clean(titles[0].text_content()) or ""
        for variant in strip_site_name(title, site_keys) if title else ():
            add("title", variant)
    return found


def choose(found: list[Candidate]) -> str | None:
    """The candidate text most sources agree on; ties go to the most trusted source."""
    if not found:
        return None
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
    _transfer_kicker_votes(found, votes, voters)

    def rank(k: str) -> tuple[float, int]:
        best_source = min(_PREFERENCE.index(s) for s in voters[k])
        return votes[k], -best_source

    best = max(votes, key=rank)
    for source in _PREFERENCE:
        for cand in found:
            if cand.source == source and key(cand.text) == best:
                return cand.text
    return None


def _transfer_kicker_votes(
    found: list[Candidate], votes: dict[str, float], voters: dict[str, set[str]]
) -> None:
    """A candidate that is another one plus a kicker ("Topic: Headline") supports the shorter.

    Pages put a topic line before the headline in ``<h1>``, JSON-LD or ``<title>``
    while another source carries the headline alone; the kicker is not part of it.
    """
    texts = {key(c.text): c.text for c in found}
    for long_key, long_text in texts.items():
        for short_key, short_text in texts.items():
            if short_key == long_key or not long_text.endswith(short_text):
                continue
            kicker = long_text[: -len(short_text)]
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
