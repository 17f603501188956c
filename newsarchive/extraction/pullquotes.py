"""Quotations set apart with their attribution: ``<figure><blockquote>…</blockquote>
<figcaption>Jane Roe, mayor</figcaption></figure>``, HTML's markup for a pull quote.

The body walk leaves figures out (they hold images and captions), so these quotes
are read here from the article container, and the figcaption names the speaker.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from newsarchive.extraction.text import clean, joined_text

MAX_FIGURES = 200  # figures of one article read for quotations
MAX_PULL_QUOTES = 50  # each is matched against the quotes found in the text
MAX_FIGURE_ELEMENTS = 50  # a quotation's figure is small: only this much of it is read
MAX_SPEAKER_WORDS = 5  # "Jane Roe" before the comma; a longer line is no name
_LINE_TAGS = frozenset({"div", "p", "span", "strong", "b", "cite"})
_MEDIA_TAGS = frozenset({"img", "picture", "video", "audio", "iframe", "object", "embed"})
# "— Jane Roe, mayor of Springfield", "Jane Roe (mayor)", "Jane Roe – mayor"
_SPEAKER = re.compile(r"^[\s—–\-―]*(?P<name>[^,(–—|]+)")
# '"The quotation." Jane Roe, mayor': the marks close before a short attribution line.
_MARKS = '"“”„«»‚‘’「」'
_QUOTED_THEN_NAME = re.compile(
    rf"^\s*[{_MARKS}](?P<quote>[^{_MARKS}]+)[{_MARKS}]\s*[—–\-―]?\s*(?P<who>[^{_MARKS}]{{2,120}})$"
)


def _quote_and_attribution(figure: Any) -> tuple[Any, Any] | None:
    """(blockquote, attribution element) of a figure that holds a quotation and no media:
    the figcaption, else a ``<cite>``/``<footer>`` inside the quotation."""
    quote = caption = cite = None
    for el in islice(figure.iterdescendants(), MAX_FIGURE_ELEMENTS):
        if el.tag in _MEDIA_TAGS:
            return None
        if el.tag == "blockquote" and quote is None:
            quote = el
        elif el.tag == "figcaption" and caption is None:
            caption = el
        elif el.tag in ("cite", "footer") and cite is None and quote is not None:
            cite = el
    if quote is None:
        return None
    if caption is None and cite is None:  # a figcaption placed just after the figure
        after = figure.getnext()
        caption = after if after is not None and after.tag == "figcaption" else None
    return quote, caption if caption is not None else cite


def _text_without(el: Any, skip: Any) -> str:
    """Text of ``el`` without the subtree ``skip`` (an attribution inside the quotation)."""
    if skip is None or el not in skip.iterancestors():
        return clean(joined_text(el)) or ""
    whole, left_out = joined_text(el), joined_text(skip)
    return clean(whole.replace(left_out, " ", 1)) or ""


def _first_line(attribution: Any) -> str | None:
    """The attribution's opening line: its first block's text ("<div>Jane Roe</div>
    <div>Mayor</div>" -> "Jane Roe"), else its whole text."""
    for child in attribution.iterchildren():
        text = clean(joined_text(child)) if child.tag in _LINE_TAGS else None
        if text and any(ch.isalpha() for ch in text):
            return text
    return clean(joined_text(attribution))


def speaker_of(attribution: str | None) -> str | None:
    """The name an attribution line opens with: "Wladimir Putin, Präsident" -> the name."""
    found = _SPEAKER.match(attribution or "")
    name = clean(found.group("name")) if found else None
    if not name or len(name.split()) > MAX_SPEAKER_WORDS or not name[0].isupper():
        return None
    return name


def attributed_quotes(container: Any) -> list[tuple[str, str | None]]:
    """(quotation, speaker) of each quotation figure in ``container``, in page order."""
    if container is None:
        return []
    out = []
    for figure in islice(container.iter("figure"), MAX_FIGURES):
        found = _quote_and_attribution(figure)
        if found is None:
            continue
        quote, attribution = found
        text = _text_without(quote, attribution)
        who = _first_line(attribution) if attribution is not None else None
        inline = _QUOTED_THEN_NAME.match(text) if who is None else None
        if inline:
            text, who = inline.group("quote").strip(), inline.group("who")
        if text:
            out.append((text, speaker_of(who)))
            if len(out) >= MAX_PULL_QUOTES:
                break
    return out
