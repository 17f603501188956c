"""The lede (standfirst, teaser, announce text): the paragraph(s) between headline and body.

Evidence, strongest first: a site rule's lede selector; a segment that repeats
the page's meta description; a segment whose class names it a lede (lead,
standfirst, intro, teaser, summary...) just after the headline; a first body
paragraph set entirely in bold. When none of them fires, the first body
paragraph is the lede (the record's documented fallback).
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.extract.segments import HEADING_TAGS, Segment
from newsarchive.extract.text import clean

LEDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lede|lead|leadtext|lead-?text|standfirst|stand-?first|intro|introduction"
    r"|summary|teaser|teaser-?text|excerpt|subtitle|sub-?title|subhead|sub-?headline|dek|deck"
    r"|announce|announce-?text|abstract|description|chapo|chapeau|entradilla|sumario|bajada"
    r"|opener|preamble|ingress|ingress-?text|perex|vorspann)(?:$|[\s_-]|\d)",
    re.IGNORECASE,
)
LEDE_MIN_CHARS = 30
LEDE_MAX_CHARS = 1500
LEDE_MAX_LINK_DENSITY = 0.3
BOLD_LEDE_MIN_CHARS = 60
SEARCH_BODY_LINES = 2  # the description may repeat in the first body paragraphs


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _same_text(a: str, b: str) -> bool:
    """Equal after normalisation, or one a truncation ("…") of the other."""
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    short, long_ = (na, nb) if len(na) < len(nb) else (nb, na)
    return len(short) >= 60 and long_.startswith(short[: max(60, len(short) - 5)])


def _classes(seg: Segment) -> str:
    owner = seg.owner
    parent = owner.getparent()
    words = " ".join(filter(None, (owner.get("class"), owner.get("id"), owner.get("itemprop"))))
    if parent is not None:
        words += " " + " ".join(filter(None, (parent.get("class"), parent.get("itemprop"))))
    return words


def _plausible(seg: Segment) -> bool:
    return (
        LEDE_MIN_CHARS <= len(seg.text) <= LEDE_MAX_CHARS
        and seg.link_density <= LEDE_MAX_LINK_DENSITY
        and seg.tag != "h1"
    )


def _rule_lede(doc: Any, rule: Any) -> str | None:
    if rule is None:
        return None
    texts = []
    for el in rule.select(doc.root, "lede"):
        text = clean(el if isinstance(el, str) else el.text_content())
        if text:
            texts.append(text)
    return "\n".join(texts) or None


def _before_body(
    segments: list[Segment], lines: list[Segment], headline: str | None
) -> list[Segment]:
    """Segments after the headline's <h1> (when found) and before the first body line."""
    first = lines[0] if lines else None
    out: list[Segment] = []
    for seg in segments:
        if seg is first:
            break
        if seg.tag == "h1" and (headline is None or _same_text(seg.text, headline)):
            out = []  # the lede follows the headline
            continue
        out.append(seg)
    return out


def find_lede(
    doc: Any,
    segments: list[Segment],
    lines: list[Segment],
    hints: dict[str, Any],
    rule: Any,
) -> tuple[str | None, list[Segment]]:
    """(lede text, body lines without it)."""
    lede = _rule_lede(doc, rule)
    if lede:
        return lede, [s for s in lines if not _same_text(s.text, lede)]
    description = clean(hints.get("description")) or doc.meta_first(
        "og:description", "description", "twitter:description"
    )
    headline = clean(hints.get("headline"))
    before = _before_body(segments, lines, headline)
    if description:
        for seg in before + lines[:SEARCH_BODY_LINES]:
            if _plausible(seg) and _same_text(seg.text, description):
                return seg.text, [s for s in lines if s is not seg]
    for seg in before[-8:]:
        if _plausible(seg) and seg.tag not in HEADING_TAGS and LEDE_CLASS.search(_classes(seg)):
            return seg.text, lines
    if lines and LEDE_CLASS.search(_classes(lines[0])) and _plausible(lines[0]):
        return lines[0].text, lines[1:]
    body = [s for s in lines if s.tag not in HEADING_TAGS]
    if body and body[0].all_bold and len(body[0].text) >= BOLD_LEDE_MIN_CHARS:
        return body[0].text, [s for s in lines if s is not body[0]]
    if body:
        return body[0].text, [s for s in lines if s is not body[0]]
    return None, lines
