"""The lede (standfirst, teaser, announce text): the paragraph(s) between headline and body.

Evidence, strongest first: a site rule's lede selector; a segment above the body
that repeats the page's meta description; a segment whose class (or id, itemprop,
``data-*`` value) names it a lede (lead, standfirst, intro, teaser, excerpt...; an
``<h2>`` too) just after the headline or opening the body, with the paragraphs after
it marked the same way; a sentence set as an ``<h2>``/``<h3>`` or a ``<p>`` of its
own right above the body (past bylines and dates); a body paragraph the meta
description repeats; a marked paragraph after the body's opening subheadings; a first
body paragraph set entirely in bold. When none of them fires, the first body
paragraph is the lede (the record's documented fallback).
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.extraction.bodylines import BYLINE, is_body_line
from newsarchive.extraction.segments import HEADING_TAGS, Segment
from newsarchive.extraction.text import clean

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
SEARCH_BODY_LINES = 6  # the description may repeat in the first body paragraphs
DESCRIPTION_OVERLAP = 0.8  # share of words a segment and the description must have in common
LEDE_MIN_WORDS = 8
EDITED_MIN_WORDS = 8  # distinct words both a reworded description and its standfirst need
MAX_MARKED_LINES = 5  # paragraphs of one standfirst marked as such


_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"\w+")


def word_key(text: str) -> str:
    """``text`` as lower-case words joined by single spaces: two texts that differ only in
    case, punctuation or spacing get the same key (the body stage compares with it too)."""
    return _NON_WORD.sub(" ", text).strip().lower()


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


class _Compared:
    """Normalised forms and word sets of the texts one :func:`find_lede` call compares,
    each worked out once: every segment above the body meets up to four descriptions."""

    def __init__(self) -> None:
        self._norms: dict[str, str] = {}
        self._tokens: dict[str, set[str]] = {}

    def norm(self, text: str) -> str:
        found = self._norms.get(text)
        if found is None:
            found = self._norms[text] = word_key(text)
        return found

    def tokens(self, text: str) -> set[str]:
        found = self._tokens.get(text)
        if found is None:
            found = self._tokens[text] = _tokens(text)
        return found


def _same_text(a: str, b: str, compared: _Compared | None = None) -> bool:
    """Equal after normalisation, or one a truncation ("…") of the other."""
    na, nb = (compared.norm(a), compared.norm(b)) if compared else (word_key(a), word_key(b))
    if not na or not nb:
        return False
    if na == nb:
        return True
    short, long_ = (na, nb) if len(na) < len(nb) else (nb, na)
    return len(short) >= 60 and long_.startswith(short[: max(60, len(short) - 5)])


def _matches_description(text: str, description: str, edited: bool, compared: _Compared) -> bool:
    """The segment says what the description says (equal, truncated, or nearly the same words).

    ``edited`` also accepts a description that is the segment shortened or reworded
    ("sei der wichtigste" -> "sei wichtigster"): most words of the shorter of the two in
    the longer, which is at most twice as long. Only for prose above the body, where
    nothing but the standfirst says the same as the description.
    """
    if _same_text(text, description, compared):
        return True
    a, b = compared.tokens(text), compared.tokens(description)
    if len(a) < 6 or len(b) < 6:
        return False
    shared = len(a & b)
    if shared >= DESCRIPTION_OVERLAP * max(len(a), len(b)):
        return True
    small, large = sorted((len(a), len(b)))
    return (
        edited
        and small >= EDITED_MIN_WORDS
        and 2 * small >= large
        and shared >= DESCRIPTION_OVERLAP * small
    )


# Headings below <h2> are subheadings; an <h2> that a class names a standfirst under
# the headline ("article-excerpt", "dek") is the lede set large.
_MINOR_HEADINGS = HEADING_TAGS - {"h2"}
FIRST_PROSE_LINES = 3
OPENING_LABEL_WORDS = 5
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\b")
_DATELINE = re.compile(r"\d{1,2}[:.]\d{2}|\||©")


def _sentence_like(text: str) -> bool:
    """Prose, not a dateline, byline, duration or price tag."""
    words = text.split()
    if len(words) < LEDE_MIN_WORDS:
        return False
    digits = sum(ch.isdigit() for ch in text)
    return digits <= 0.1 * len(text) and not (len(words) < 15 and _DATELINE.search(text))


_SENTENCE_END = (".", "!", "?", "…", '"', "”", "»", "“", "。", "！", "？")


def _opening_label(text: str) -> bool:
    """A few words without a sentence end opening the text: a dateline ("AUBURN, Wash. —"),
    an agency and place ("AFP, MANILA"), a byline name or a counter, not the first paragraph."""
    return len(text.split()) <= OPENING_LABEL_WORDS and not text.rstrip().endswith(_SENTENCE_END)


_MAX_DATA_VALUE = 60  # data-* values naming a role are short; longer ones are payloads


def _own_words(el: Any) -> str:
    """Where the markup names what a block is: its class, id, itemprop and short ``data-*``
    values (``data-test-tag="lead-text"``)."""
    words = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"))))
    for name, value in el.items():
        if name.startswith("data-") and len(value) <= _MAX_DATA_VALUE:
            words += " " + value
    return words


def _classes(seg: Segment) -> str:
    """The block's own words (:func:`_own_words`) and its parent's class and itemprop."""
    owner = seg.owner
    parent = owner.getparent()
    words = _own_words(owner)
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


def _with_followers(first: Segment, head: list[Segment]) -> str:
    """The lede and the standfirst lines right after it that sit beside it in the markup
    (several <p> or bullet points under one wrapper), joined by newlines."""
    parent = first.owner.getparent()
    texts = [first.text]
    for seg in head[head.index(first) + 1 :]:
        same_box = seg.owner.getparent() is parent or seg.owner.getparent() is first.owner
        if (
            not same_box
            or len(seg.text) < 20
            or not is_body_line(seg, None)
            or BYLINE.match(seg.text)
            or _CLOCK.search(seg.text)
        ):
            break  # a byline, dateline or link under the standfirst ends it
        texts.append(seg.text)
    return "\n".join(texts)


# Where templates put a standfirst outside the body's container: a heading, or a
# paragraph of its own (a page builder's intro block above the text block).
_STANDFIRST_TAGS = frozenset({"h2", "h3", "p"})
STANDFIRST_MIN_CHARS = 60  # a block this long, and a sentence, is a standfirst
BETWEEN_MAX_CHARS = 60  # bylines, dates and labels between a standfirst and the body


def _standfirst_above(before: list[Segment], headline: str | None) -> Segment | None:
    """A sentence set as a heading (``<h2>``, ``<h3>``) or a paragraph right above the
    body, past only bylines, dates and chrome: templates put the standfirst outside the
    body's container (a page builder's block of its own). Not the headline itself in an
    ``<h2>`` (with its kicker)."""
    for seg in reversed(before[-SEARCH_BODY_LINES:]):
        if seg.chrome or seg.soft:
            continue
        if seg.tag == "p" and len(seg.text) < STANDFIRST_MIN_CHARS:
            continue  # a byline or date line in a paragraph
        if seg.tag in _STANDFIRST_TAGS:
            if headline and word_key(headline) in word_key(seg.text):
                return None
            long_enough = len(seg.text) >= STANDFIRST_MIN_CHARS
            return seg if long_enough and _plausible(seg) and _sentence_like(seg.text) else None
        if len(seg.text) > BETWEEN_MAX_CHARS:
            return None
    return None


def _marked_opening(lines: list[Segment], past_headings: bool = False) -> list[Segment]:
    """The body's first paragraph when the markup names it a lede, with the paragraphs
    right after it marked the same way (a standfirst of several ``<p>``).

    ``past_headings``: the first paragraph after subheadings opening the body.
    """
    body = [s for s in lines if s.tag not in HEADING_TAGS] if past_headings else lines[:1]
    if not body or not _plausible(body[0]) or not LEDE_CLASS.search(_classes(body[0])):
        return []
    run = [body[0]]
    for seg in lines[lines.index(body[0]) + 1 : lines.index(body[0]) + MAX_MARKED_LINES]:
        # Each further line names itself a lede: a wrapper's class ("article-intro" around
        # the whole text) marks every paragraph in it, not a standfirst.
        if seg.tag in HEADING_TAGS or not LEDE_CLASS.search(_own_words(seg.owner)):
            break
        run.append(seg)
    return run


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
    descriptions = [
        d
        for d in dict.fromkeys(
            (
                clean(hints.get("description")),
                doc.meta_first("og:description"),
                doc.meta_first("description"),
                doc.meta_first("twitter:description"),
            )
        )
        if d
    ]
    headline = clean(hints.get("headline"))
    compared = _Compared()
    first = lines[0] if lines else None
    head = []
    for seg in segments:
        if seg is first:
            break
        head.append(seg)
    # A standfirst beats a body paragraph that a meta description repeats: first one
    # above the body that the description repeats, then one a class names (above the
    # body or as its first line).
    plausible = [seg for seg in head if _plausible(seg)]
    for description in descriptions:
        for seg in plausible:
            prose = not seg.chrome and seg.tag not in HEADING_TAGS and _sentence_like(seg.text)
            if _matches_description(seg.text, description, prose, compared):
                return _with_followers(seg, head), lines
    before = _before_body(segments, lines, headline)
    for seg in before[-8:]:
        if (
            _plausible(seg)
            and seg.tag not in _MINOR_HEADINGS
            and _sentence_like(seg.text)
            and LEDE_CLASS.search(_classes(seg))
        ):
            return _with_followers(seg, head), lines
    standfirst = _standfirst_above(before, headline)
    if standfirst is not None:
        return standfirst.text, lines
    marked = _marked_opening(lines)
    if not marked:
        for description in descriptions:
            for seg in lines[:SEARCH_BODY_LINES]:
                if _plausible(seg) and _matches_description(seg.text, description, False, compared):
                    return seg.text, [s for s in lines if s is not seg]
        marked = _marked_opening(lines, past_headings=True)
    if marked:
        return "\n".join(s.text for s in marked), [s for s in lines if s not in marked]
    body = [s for s in lines if s.tag not in HEADING_TAGS]
    if body and body[0].all_bold and len(body[0].text) >= BOLD_LEDE_MIN_CHARS:
        return body[0].text, [s for s in lines if s is not body[0]]
    # The first paragraph, past a dateline or credit line ("AFP, MANILA") opening the
    # text; such labels are not article prose and leave the body with it.
    first = next((s for s in body[:FIRST_PROSE_LINES] if not _opening_label(s.text)), None)
    if first is not None:
        skipped = set(body[: body.index(first) + 1])
        return first.text, [s for s in lines if s not in skipped]
    if body:
        return body[0].text, [s for s in lines if s is not body[0]]
    return None, lines
