"""The whole-page walks the stages need, taken once right after the parse.

A walk over every element of the page costs several times as much once the body walk
has run (and even after the metadata stage) as right after the parse, when the freshly
built tree is still in the CPU's caches (bench/RESULTS.md, "Speed, fifth pass"). So
the lists of elements the later stages read from the whole page are taken here, in
document order, and the stages read the lists. Extraction never changes the tree, so
the lists stay true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import lxml.etree

from newsarchive.extraction.xpathsafe import attribute_owners, in_document_order

IMAGE_TAGS = ("img", "picture", "amp-img")
# Asked of the attribute nodes (``//@x[...]``), not of every element: libxml2 runs that
# several times faster; their owners are taken in Python (xpathsafe: a ``/..`` step is
# quadratic in its matches). A name test is cheap: <time> elements are found element first.
_STATED_CAPTION = lxml.etree.XPath("boolean(//@itemprop[. = 'caption'])")
_DATED_TIMES = lxml.etree.XPath("//time[@datetime]")
_DATED_ITEMS = lxml.etree.XPath('//@itemprop[. = "datePublished" or . = "dateModified"]')
_BREADCRUMB_LABELLED = lxml.etree.XPath('//@aria-label[. = "breadcrumb" or . = "Breadcrumb"]')
_AUTHOR_ITEMPROPS = lxml.etree.XPath('//@itemprop[. = "author" or . = "name"]')
_AUTHOR_RELS = lxml.etree.XPath('//a/@rel[contains(translate(., "AUTHOR", "author"), "author")]')


@dataclass
class Survey:
    """Elements of one page, each list in document order."""

    headings: list[Any]  # <h1> and <h2> (headline, dates)
    figures: list[Any]  # <figure>, <figcaption>, <caption> and image elements (captions)
    images: list[Any]  # the <img> among them (captions, images)
    smalls: list[Any]  # <small> (captions' credit lines)
    stated_caption: bool  # some element states itemprop="caption" (captions)
    times: list[Any]  # <time> elements with a datetime attribute (dates)
    dated_items: list[Any]  # elements with itemprop="datePublished" or "dateModified" (dates)
    breadcrumb_labelled: list[Any]  # elements with aria-label="breadcrumb" (metadata)
    author_marked: list[Any]  # itemprop="author" or "name", <a rel="author"> (authors)


def survey(doc: Any) -> Survey:
    """The page's :class:`Survey`, taken by the first that asks (the engine, right after
    the parse)."""
    found: Survey | None = doc.context.survey
    if found is None:
        root = doc.root
        figures = list(root.iter("figure", "figcaption", "caption", *IMAGE_TAGS))
        found = doc.context.survey = Survey(
            headings=list(root.iter("h1", "h2")),
            figures=figures,
            images=[el for el in figures if el.tag == "img"],
            smalls=list(root.iter("small")),
            stated_caption=bool(_STATED_CAPTION(root)),
            times=cast(list[Any], _DATED_TIMES(root)),
            dated_items=attribute_owners(_DATED_ITEMS(root)),
            breadcrumb_labelled=attribute_owners(_BREADCRUMB_LABELLED(root)),
            author_marked=in_document_order(
                root,
                attribute_owners(_AUTHOR_ITEMPROPS(root)),
                attribute_owners(_AUTHOR_RELS(root)),
            ),
        )
    return found


def page_wide(root: Any, found: list[Any], *tags: str) -> list[Any]:
    """``found`` (``root``'s elements of ``tags``, in document order) with those of the
    top-level elements beside ``root``, in document order: markup after ``</html>``
    makes a second ``<html>`` element, which ``//tag`` reads too."""
    before = list(root.itersiblings(preceding=True))
    after = list(root.itersiblings())
    if not before and not after:
        return found
    return [
        *(el for top in reversed(before) for el in top.iter(*tags)),
        *found,
        *(el for top in after for el in top.iter(*tags)),
    ]
