"""Elements worth a second look, noted during the body's one walk over the page.

Captions and related links look for elements by class name ("caption",
"related", "lesen-sie-auch"...). Scanning every element again costs as much as
the body walk itself, so the walk notes the elements whose class or id contains
one of the cheap keywords below; :mod:`captions` and :mod:`related` then apply
their precise tests to those few. The index holds the last page walked only
(extraction handles one page at a time); a page that was not walked gets
``None`` and the callers scan it themselves.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import lxml.etree

from newsarchive.extraction.patterns import grouped

if TYPE_CHECKING:
    from newsarchive.extraction.document import Document

# Lower-case substrings that make an element a candidate (precise regexes come later).
CAPTION_KEYS = (
    "aption", "ubtitle", "infotext", "bildunterschrift", "legend", "image-text", "img-text",
    # "<p class='absatzbild__info__text'>": the info line of an image block
    "bild__info", "bild-info", "image-info", "image__info", "img-info", "photo-info",
    "foto-info", "media-info", "media__info",
)  # fmt: skip
RELATED_KEYS = (
    "relat", "recommend", "read", "more", "also", "lire", "lesen", "mehr", "weitere",
    "inject", "teaser",
)  # fmt: skip
# Grouped by first letter: tried once per position, not once per key (see patterns.py).
_CAPTION_KEYS_RE = re.compile(grouped(map(re.escape, CAPTION_KEYS)))
_RELATED_KEYS_RE = re.compile(grouped(map(re.escape, RELATED_KEYS)))
CAPTION, RELATED = 1, 2
HINT_MEMO: dict[str, int] = {}  # class/id string -> bits: a pure memo (see below)
_CACHE_MAX = 8192


def _caption_keys(lower: str) -> bool:
    """A caption key in ``lower``, after the substrings every key holds (one of these,
    checked in tests/test_extraction_patterns.py): most class strings hold none."""
    return (
        "aption" in lower
        or "text" in lower
        or "info" in lower
        or "bild" in lower
        or "legend" in lower
        or "ubtitle" in lower
    ) and _CAPTION_KEYS_RE.search(lower) is not None


def hint(words: str) -> int:
    """CAPTION | RELATED bits for a class/id string (memoized: class strings repeat)."""
    known = HINT_MEMO.get(words)
    if known is None:
        lower = words.lower()
        known = (CAPTION if _caption_keys(lower) else 0) | (
            RELATED if _RELATED_KEYS_RE.search(lower) else 0
        )
        if len(HINT_MEMO) >= _CACHE_MAX:
            HINT_MEMO.clear()
        HINT_MEMO[words] = known
    return known


@dataclass
class PageIndex:
    """Candidate elements of one page, in document order."""

    captions: list[Any] = field(default_factory=list)
    related: list[Any] = field(default_factory=list)
    # (block element, its text) of short text blocks: "Read also:" style headings.
    short_blocks: list[tuple[Any, str]] = field(default_factory=list)

    def note(self, el: Any, bits: int) -> None:
        """Record ``el`` under the candidate lists its :func:`hint` bits name."""
        if bits & CAPTION:
            self.captions.append(el)
        if bits & RELATED:
            self.related.append(el)


def remember(doc: Document, index: PageIndex) -> None:
    """Keep ``index`` as the index of ``doc``, for the modules that read it after the walk."""
    doc.context.index = index


def lookup(doc: Document) -> PageIndex | None:
    """The index of ``doc`` once its body was walked, else None."""
    return doc.context.index


@dataclass
class Walked:
    """The class attributes of the subtree under ``start``, read by the body's walk:
    the elements holding one in document order, and their values."""

    start: Any
    elements: list[Any] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def read(self, elements: Any) -> None:
        """Note the class attributes of ``elements`` (a subtree the walk leaves out)."""
        for el in elements:
            value = el.get("class")
            if value is not None:
                self.elements.append(el)
                self.values.append(value)


class ClassIndex:
    """The class attributes of one page, read in one pass over the tree.

    Metadata, dates and authors each look for elements whose class contains one
    of a few substrings ("rumb", "tag", "date", "uthor"...). An XPath
    ``//@class[contains(., ...)]`` copies every class string of the page once per
    ``contains``; here the page's distinct class strings (a few hundred) are tested
    in Python and only the matching elements are fetched.

    The pass is lxml's ``iter()`` over the top-level elements (a page's markup after
    ``</html>`` becomes a second one, which ``//@class`` reads too), not the XPath
    ``//@class``: its smart strings (one object per attribute, holding its element)
    cost more in place, though fewer instructions.
    """

    def __init__(self, root: Any, walked: Walked | None = None) -> None:
        self._elements: list[Any] = []
        self._values: list[str] = []
        top = root.getroottree().getroot()
        trees = (*reversed(list(top.itersiblings(preceding=True))), top, *top.itersiblings())
        if walked is None:
            for start in trees:
                self._read(start.iter(lxml.etree.Element))
        else:
            self._around(trees, walked)
        self._distinct = list(dict.fromkeys(self._values))
        # The distinct values joined by NULs, and where each starts: a search for words
        # without NUL runs once over them (no match spans two values), not once per value.
        self._joined = "\0".join(self._distinct)
        self._starts = list(itertools.accumulate((len(v) + 1 for v in self._distinct), initial=0))

    def _read(self, elements: Any) -> None:
        elements_append, values_append = self._elements.append, self._values.append
        for el in elements:
            value = el.get("class")
            if value is not None:
                elements_append(el)
                values_append(value)

    def _around(self, trees: tuple[Any, ...], walked: Walked) -> None:
        """The class attributes of the page, those under the walked subtree as the walk
        read them: the elements before it in document order, its own, those after it."""
        start = walked.start
        outer = start
        while (parent := outer.getparent()) is not None:
            outer = parent
        for tree in trees:
            if tree is not outer:
                self._read(tree.iter(lxml.etree.Element))
                continue
            self._read(
                itertools.takewhile(lambda el: el is not start, tree.iter(lxml.etree.Element))
            )
            self._elements += walked.elements
            self._values += walked.values
            node = start
            while node is not outer:  # (the top's siblings are the other trees)
                for sibling in node.itersiblings():
                    self._read(sibling.iter(lxml.etree.Element))
                node = node.getparent()

    def contains(self, word: str) -> bool:
        """Whether some class attribute of the page contains ``word`` (without NUL)."""
        return word in self._joined

    def _matching(self, words: tuple[str, ...]) -> set[str]:
        """The distinct values that contain one of ``words`` (without NUL).

        Each word is looked for with ``str.find`` (a substring search in C): a regex
        alternation of the words would try every word at every position."""
        joined, starts, distinct = self._joined, self._starts, self._distinct
        hits: set[str] = set()
        if not distinct:
            return hits
        for word in words:
            at = joined.find(word)
            while at >= 0:
                which = bisect.bisect_right(starts, at) - 1
                hits.add(distinct[which])
                at = joined.find(word, starts[which + 1])  # on from the next value
        return hits

    def having(self, words: tuple[str, ...]) -> list[Any]:
        """Elements whose class contains one of ``words``, in document order: what
        ``//@class[contains(., w1) or contains(., w2) ...]/..`` selects."""
        hits = self._matching(words)
        if not hits:
            return []
        return [el for el, value in zip(self._elements, self._values, strict=True) if value in hits]


def class_index(doc: Document) -> ClassIndex:
    """The :class:`ClassIndex` of ``doc``, read by the first that asks."""
    index = doc.context.classes
    if index is None:
        index = doc.context.classes = ClassIndex(doc.root)
    return index


def with_class(doc: Document, *words: str) -> list[Any]:
    """Elements of ``doc`` whose class contains one of ``words`` (case-sensitive
    substrings, as XPath ``contains``), in document order; the page's class
    attributes are read once, by the first search."""
    return class_index(doc).having(words)
