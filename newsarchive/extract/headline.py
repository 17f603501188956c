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

from newsarchive.extract import structured
from newsarchive.extract.document import Document
from newsarchive.extract.text import clean

# Separators between a headline and the site name in <title> / og:title.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»:/]|::)\s+")
_KEY_DROP = re.compile(r"[\W_]+")
_MAX_HEADLINE = 400

# Source -> (weight when voting, preference when texts tie). The <h1> text is
# the publisher's visible headline, so it wins ties between equal texts.
_SOURCES = {
    "h1": 1.0,
    "json_ld": 1.0,
    "og": 1.0,
    "twitter": 0.8,
    "itemprop": 1.0,
    "title": 0.8,
}
_PREFERENCE = ("h1", "itemprop", "json_ld", "og", "twitter", "title")


@dataclass(frozen=True)
class Candidate:
    source: str
    text: str


def key(text: str) -> str:
    """Comparison key: case-folded letters and digits only."""
    return _KEY_DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


def _site_names(doc: Document, publisher: str | None) -> set[str]:
    names = {publisher or "", doc.meta_first("og:site_name", "application-name") or ""}
    if doc.url:
        host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", doc.url).split("/")[0])
        names |= {host, host.split(".")[0]}
    return {key(n) for n in names if key(n)}


def strip_site_name(title: str, site_keys: set[str]) -> list[str]:
    """``title`` variants with a leading/trailing site-name segment removed.

    The full title stays a variant: some headlines contain " - " themselves.
    """
    parts = _TITLE_SEPARATORS.split(title)
    variants = [title]
    if len(parts) < 2:
        return variants
    last, first = parts[-1], parts[0]
    if key(last) in site_keys or any(k and k in key(last) for k in site_keys):
        variants.append(title[: title.rfind(last)].rstrip(" |-–—·•»:/"))
    elif key(first) in site_keys:
        variants.append(title[len(first) :].lstrip(" |-–—·•»:/"))
    else:
        # no known site name: the shortest tail is most likely the site
        variants.append(title[: title.rfind(last)].rstrip(" |-–—·•»:/"))
    return [v for v in variants if v]


def _h1_candidates(doc: Document) -> list[str]:
    scoped = doc.root.xpath("//article//h1 | //main//h1")
    h1s = scoped or doc.root.xpath("//h1")
    out = []
    for h1 in h1s[:3]:
        text = clean(h1.text_content())
        if text and len(text) <= _MAX_HEADLINE:
            out.append(text)
    return out


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
    for text in doc.root.xpath('//*[@itemprop="headline"]')[:1]:
        add("itemprop", text.get("content") or text.text_content())
    add("json_ld", structured.text_of(structured.first_property(doc, "headline")))
    for og in (doc.meta_first("og:title"),):
        for variant in strip_site_name(clean(og) or "", site_keys) if og else ():
            add("og", variant)
    tw = doc.meta_first("twitter:title")
    for variant in strip_site_name(clean(tw) or "", site_keys) if tw else ():
        add("twitter", variant)
    titles = doc.root.xpath("//title")
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

    def rank(k: str) -> tuple[float, int]:
        best_source = min(_PREFERENCE.index(s) for s in voters[k])
        return votes[k], -best_source

    best = max(votes, key=rank)
    for source in _PREFERENCE:
        for cand in found:
            if cand.source == source and key(cand.text) == best:
                return cand.text
    return None


def extract_headline(doc: Document, publisher: str | None = None) -> str | None:
    """The article headline as the publisher wrote it."""
    return choose(candidates(doc, publisher))
