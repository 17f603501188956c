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
_FIGURE_TAGS = frozenset({"figure", "figcaption", "caption", *IMAGE_TAGS})
_HEADING_TAGS = frozenset({"h1", "h2"})
# One C walk of the tree takes every element of these names; splitting the few found by
# name in Python costs less than a walk per list (each walk reads every node of the page).
_SURVEYED_TAGS = (*_FIGURE_TAGS, *_HEADING_TAGS, "small", "time")
# Asked of the attribute nodes (``//@x[...]``), not of every element: libxml2 runs that
# several times faster; their owners are taken in Python (xpathsafe: a ``/..`` step is
# quadratic in its matches). Every ``itemprop`` the stages ask about comes from one
# search, its values told apart in Python (one walk instead of one per value).
_ITEMPROPS = lxml.etree.XPath("//@itemprop")
_BREADCRUMB_LABELLED = lxml.etree.XPath('//@aria-label[. = "breadcrumb" or . = "Breadcrumb"]')
_AUTHOR_CASE = str.maketrans("AUTHOR", "author")  # XPath's translate(., "AUTHOR", "author")
_DATED_PROPS = frozenset({"datePublished", "dateModified"})
_AUTHOR_PROPS = frozenset({"author", "name"})
# RDFa bylines (``<span property="schema:author" typeof="schema:Person">``, Drupal's, or
# ``property="dc:creator"``): one search of the property values, the author's told apart
# in Python. A <meta property> is a head meta tag ("article:author"), read by the meta stage.
_PROPERTIES = lxml.etree.XPath("//@property")
_RDFA_AUTHOR_TERMS = frozenset(
    {
        "author",
        "creator",
        "schema:author",
        "schema:creator",
        "sdo:author",
        "dc:creator",
        "dcterms:creator",
        "dct:creator",
        "http://schema.org/author",
        "https://schema.org/author",
        "http://purl.org/dc/terms/creator",
        "http://purl.org/dc/elements/1.1/creator",
    }
)
_HEAD_TAGS = frozenset({"meta", "link"})
# RDFa's other way to mark the author: ``rel`` on the element around the author's resource
# (Drupal 8's ``<span rel="schema:author"><span property="schema:name">``, Drupal 7's
# ``rel="sioc:has_creator"`` around ``property="foaf:name"``). The author's name is the
# element whose property names a name, inside an element whose rel or property names the
# author; so the search of the property values finds it with no search of rel values.
_RDFA_NAME_TERMS = frozenset(
    {"name", "schema:name", "sdo:name", "foaf:name", "http://schema.org/name",
     "https://schema.org/name", "http://xmlns.com/foaf/0.1/name"}
)  # fmt: skip
_RDFA_CREATOR_RELS = _RDFA_AUTHOR_TERMS | {
    "sioc:has_creator",
    "http://rdfs.org/sioc/ns#has_creator",
}
_RDFA_NAME_DEPTH = 3  # the name's element sits this close to the author's


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
    # itemprop="author" or "name", <a rel="author">, RDFa property="author" (authors)
    author_marked: list[Any]
    links: list[Any]  # <a> elements (authors' author-page links)
    hrefs: list[str | None]  # their href values, read while the tree is in the caches
    # (link, its rel value) of the <a> elements with a rel attribute: author links (here),
    # category and tag links (metadata); whether any is a rel=tag one (body lines)
    link_rels: list[tuple[Any, str]]
    tag_linked: bool  # some <a rel> holds the token "tag" (split at white space; body lines)


def survey(doc: Any) -> Survey:
    """The page's :class:`Survey`, taken by the first that asks (the engine, right after
    the parse)."""
    found: Survey | None = doc.context.survey
    if found is None:
        root = doc.root
        named = list(root.iter(*_SURVEYED_TAGS))
        figures = [el for el in named if el.tag in _FIGURE_TAGS]
        props = cast(list[Any], _ITEMPROPS(root))
        # (a walk by tag name: ``//a/@rel`` lists every node of the page first)
        links = page_wide(root, list(root.iter("a")), "a")
        rels = [(link, rel) for link in links if (rel := link.get("rel")) is not None]
        found = doc.context.survey = Survey(
            headings=[el for el in named if el.tag in _HEADING_TAGS],
            figures=figures,
            images=[el for el in figures if el.tag == "img"],
            smalls=[el for el in named if el.tag == "small"],
            stated_caption="caption" in props,
            # ``//time[@datetime]`` reads the whole document: markup after ``</html>`` too
            times=[
                el
                for el in page_wide(root, [el for el in named if el.tag == "time"], "time")
                if el.get("datetime") is not None
            ],
            dated_items=[value.getparent() for value in props if value in _DATED_PROPS],
            breadcrumb_labelled=attribute_owners(_BREADCRUMB_LABELLED(root)),
            author_marked=in_document_order(
                root,
                [value.getparent() for value in props if value in _AUTHOR_PROPS],
                [link for link, rel in rels if "author" in rel.translate(_AUTHOR_CASE)],
                rdfa_authors(cast(list[Any], _PROPERTIES(root))),
            ),
            links=links,
            hrefs=[link.get("href") for link in links],
            link_rels=rels,
            tag_linked=any("tag" in rel and "tag" in rel.split() for _, rel in rels),
        )
    return found


def rdfa_authors(properties: list[Any]) -> list[Any]:
    """The elements whose RDFa ``property`` names the author or the author's name (of the
    page's property values, smart strings that know their element), in document order."""
    found = []
    for value in properties:  # most are <meta property="og:...">: the strings decide first
        author = _names_author(value)
        if not (author or _names_name(value)):
            continue
        element = value.getparent()
        if element.tag not in _HEAD_TAGS and (author or _in_rdfa_author(element)):
            found.append(element)
    return found


def rdfa_author_name(el: Any) -> bool:
    """Whether ``el`` is the RDFa name of an author (``property="schema:name"`` inside
    ``rel="schema:author"`` or ``property="author"``): its text is the name alone, without
    the job title or biography beside it in the author's element."""
    value = el.get("property")
    return value is not None and _names_name(value) and _in_rdfa_author(el)


def _names_name(value: str) -> bool:
    return any(term in _RDFA_NAME_TERMS for term in value.lower().split())


def _in_rdfa_author(el: Any) -> bool:
    """Whether ``el`` or one of its nearest ancestors marks the author by rel or property
    (``el`` itself: ``<a rel="author" property="name">``)."""
    node = el
    for _ in range(_RDFA_NAME_DEPTH + 1):
        if node is None:
            return False
        for attribute in ("rel", "property"):
            value = node.get(attribute)
            if value and any(t in _RDFA_CREATOR_RELS for t in value.lower().split()):
                return True
        node = node.getparent()
    return False


def rdfa_author(el: Any) -> bool:
    """Whether ``el``'s RDFa ``property`` names the author (its text is the byline)."""
    value = el.get("property")
    return value is not None and _names_author(value) and el.tag not in _HEAD_TAGS


def _names_author(value: str) -> bool:
    return any(term in _RDFA_AUTHOR_TERMS for term in value.lower().split())


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
