"""One iterative pass over a page that cuts its visible text into block segments.

Every block element (p, div, li, h2...) starts a new segment; inline elements add
their text to the segment of their nearest block. Subtrees that never hold text
(scripts, media, hidden elements) are skipped. Chrome wrappers (nav, aside,
"share"/"related"/... classes) are walked, and each segment remembers the chrome
wrappers around it: the body extractor overrules a "chrome" wrapper that turns
out to hold most of the page's text (templates wrap whole articles in a
``sidebar-layout`` or an ``<aside>``). ``<header>`` segments are marked ``soft``:
they hold the headline and standfirst, never body text.

The walk uses ``lxml.etree.iterwalk`` (no recursion), so a DOM nested 10,000
levels deep is just a long loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import lxml.etree

from newsarchive.extraction import pageindex
from newsarchive.extraction.boilerplate import CHROME, CONTENT, DROPPED, classify_words
from newsarchive.extraction.pageindex import PageIndex, Walked
from newsarchive.extraction.text import clean

BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "td", "th",
        "tbody", "thead", "tfoot", "caption", "form", "center", "address", "details",
        "summary", "body", "hgroup", "fieldset", "header", "figure", "figcaption", "footer",
        "nav", "aside", "menu",
    }
)  # fmt: skip
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_SOFT_TAGS = frozenset({"header"})
MAX_CHROME_NESTING = 32  # deeper chrome wrappers add nothing but cost
_BOLD_TAGS = frozenset({"b", "strong"})
_SPACE_TAGS = frozenset({"br", "hr", "img", "td", "th", "wbr"})


@dataclass(eq=False)
class Segment:
    """A run of text owned by one block element."""

    owner: Any
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    bold_chars: int = 0
    raw_chars: int = 0
    soft: bool = False
    quote: bool = False
    chrome: tuple[Any, ...] = ()
    text: str = ""
    header: Any = None  # the outermost <header> around a soft segment

    @property
    def tag(self) -> str:
        return self.owner.tag

    @property
    def link_density(self) -> float:
        return self.link_chars / self.raw_chars if self.raw_chars else 0.0

    @property
    def all_bold(self) -> bool:
        return self.raw_chars > 0 and self.bold_chars >= 0.9 * self.raw_chars


@dataclass
class PageText:
    """The segments of a page and the visited elements in document order."""

    segments: list[Segment]
    order: list[Any]
    dropped: set[Any]
    index: PageIndex


def _start_segment(owner: Any, header: Any, quote: int, chrome: tuple[Any, ...]) -> Segment:
    return Segment(
        owner=owner, soft=header is not None, quote=quote > 0, chrome=chrome, header=header
    )


def segment_page(
    start: Any, extra_drop: set[Any] | None = None, classes: Walked | None = None
) -> PageText:
    """Cut the visible text under ``start`` into segments (one iterative walk).

    This loop runs for every element of every page, so the text collection and the
    segment hand-over are written inline (no helper calls, plain local variables).
    ``classes`` (for ``start``) collects the class attributes of the subtree on the way,
    those of the subtrees left out too: the page's class index need not read them again.
    """
    extra_drop = extra_drop or set()
    segments: list[Segment] = []
    order: list[Any] = []
    dropped: set[Any] = set()
    index = PageIndex()
    hints = pageindex.HINT_MEMO
    owners: list[Any] = [start]
    append_owner = owners.append
    link_depth = bold_depth = soft_depth = quote_depth = 0
    header = None  # the outermost open <header>
    chrome: tuple[Any, ...] = ()
    chrome_stack: list[Any] = []
    current = _start_segment(start, None, 0, chrome)
    parts = current.parts

    walker = lxml.etree.iterwalk(start, events=("start", "end"))
    skipped = None
    for event, el in walker:
        if event == "start":
            kind, words, cls = classify_words(el)
            if el is start:
                kind, cls = CONTENT, el.get("class")
            if kind == DROPPED or (extra_drop and el in extra_drop):
                walker.skip_subtree()
                skipped = el
                dropped.add(el)
                if classes is not None:
                    classes.read(el.iter(lxml.etree.Element))
                continue
            if cls is not None and classes is not None:
                classes.elements.append(el)
                classes.values.append(cls)
            tag = el.tag
            order.append(el)
            bits = 0
            if words:
                known = hints.get(words)
                bits = known if known is not None else pageindex.hint(words)
                if bits:
                    index.note(el, bits)
            if kind == CHROME and tag not in _SOFT_TAGS and len(chrome_stack) < MAX_CHROME_NESTING:
                chrome_stack.append(el)
                chrome = (*chrome, el)
                if bits & pageindex.CAPTION and not parts and tag not in BLOCK_TAGS:
                    # An inline caption (<span class="newsCaption">) opening a block's
                    # text: the segment is the caption's, not the block's.
                    current.chrome = chrome
            if tag in BLOCK_TAGS:
                if tag in _SOFT_TAGS:
                    soft_depth += 1
                    if header is None:
                        header = el
                elif tag == "blockquote":
                    quote_depth += 1
                if parts:
                    current = _handover(current, el, segments, header, quote_depth, chrome)
                    parts = current.parts
                else:  # nothing collected: the segment is reused for this block
                    current.owner, current.header, current.chrome = el, header, chrome
                    current.soft, current.quote = header is not None, quote_depth > 0
                append_owner(el)
            elif tag == "a":
                link_depth += 1
            elif tag in _BOLD_TAGS:
                bold_depth += 1
            elif tag in _SPACE_TAGS and parts:
                parts.append(" ")
                current.raw_chars += 1
                if link_depth:
                    current.link_chars += 1
                if bold_depth:
                    current.bold_chars += 1
            text = el.text
        else:
            if el is skipped:
                skipped = None
            else:
                tag = el.tag
                if chrome_stack and chrome_stack[-1] is el:
                    chrome_stack.pop()
                    chrome = chrome[:-1]
                if tag in BLOCK_TAGS and el is not start:
                    owners.pop()
                    if tag in _SOFT_TAGS:
                        soft_depth -= 1
                        if not soft_depth:
                            header = None
                    elif tag == "blockquote":
                        quote_depth -= 1
                    if parts:
                        current = _handover(
                            current, owners[-1], segments, header, quote_depth, chrome
                        )
                        parts = current.parts
                    else:
                        current.owner, current.header, current.chrome = owners[-1], header, chrome
                        current.soft, current.quote = header is not None, quote_depth > 0
                elif tag == "a":
                    link_depth -= 1
                elif tag in _BOLD_TAGS:
                    bold_depth -= 1
            text = el.tail if el is not start else None
        # Text of the current block; whitespace between tags is layout, not text: it
        # keeps words apart but does not count (an indented link would seem a sentence).
        if text:
            if text.isspace():
                if parts:
                    parts.append(text)
            else:
                parts.append(text)
                n = len(text)
                current.raw_chars += n
                if link_depth:
                    current.link_chars += n
                if bold_depth:
                    current.bold_chars += n
    _handover(current, start, segments, None, 0, ())
    return PageText(segments=segments, order=order, dropped=dropped, index=index)


def _handover(
    current: Segment,
    owner: Any,
    segments: list[Segment],
    header: Any,
    quote_depth: int,
    chrome: tuple[Any, ...],
) -> Segment:
    """Close ``current`` (kept when it has text) and return the segment for ``owner``.

    A segment that collected nothing is reused for the next block.
    """
    if not current.parts:
        current.owner, current.header = owner, header
        current.soft, current.quote, current.chrome = header is not None, quote_depth > 0, chrome
        return current
    current.text = clean("".join(current.parts)) or ""
    if current.text:
        segments.append(current)
    return Segment(
        owner=owner, soft=header is not None, quote=quote_depth > 0, chrome=chrome, header=header
    )
