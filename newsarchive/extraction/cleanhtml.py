"""Cleaned HTML of the article container: structure and links kept, chrome dropped.

Only a small vocabulary survives (paragraphs, subheadings, lists, quotes, links,
emphasis, figures); every other tag is unwrapped (its text kept) and every
attribute except ``href``, ``src`` and ``alt`` is dropped. Built in one
iterative walk, so deep trees cannot overflow the stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from newsarchive.extraction.boilerplate import DROP_TAGS, is_chrome_wrapper, is_hidden

# Source tag -> tag written to the cleaned HTML.
KEEP_TAGS = {
    "p": "p", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4",
    "ul": "ul", "ol": "ol", "li": "li", "blockquote": "blockquote", "a": "a",
    "em": "em", "i": "em", "strong": "strong", "b": "strong",
    "figure": "figure", "img": "img", "figcaption": "figcaption",
}  # fmt: skip
# Source blocks that become <p> when no other block sits inside them (div-based templates).
_TEXT_BOX_TAGS = frozenset({"div", "section", "article", "td", "dd"})
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "table", "figure", "pre", "dl"}
)  # fmt: skip
# Chrome tags that the cleaned HTML keeps anyway (figures are part of the article).
_FIGURE_TAGS = frozenset({"figure", "figcaption", "picture", "img"})

# Characters lxml refuses to write into a tree (C0 controls but tab/LF/CR, U+FFFE, U+FFFF):
# a page's bytes have their control bytes dropped before parsing, but a character
# reference ("&#1;", "&#xFFFF;") puts them in the parsed text, and writing such a text
# into the cleaned copy failed the whole body stage.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` as lxml accepts it: refused characters dropped (a search first: rare)."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


class _TextSink:
    """Text for the cleaned tree, joined once per text slot.

    A piece goes to the output parent's text, or to its last child's tail. Adding
    each piece to the slot at once (``tail = tail + piece``) copies the slot's text
    every time: quadratic in a paragraph of 100,000 unwrapped ``<span>`` elements.
    Pieces wait here instead and are joined when the slot changes: a slot that was
    left never gets text again (its element has a child after it, or was closed).
    """

    def __init__(self) -> None:
        self._element: Any = None  # the slot: this element's text, or its tail ...
        self._tail = False  # ... when this is True
        self._pieces: list[str] = []

    def add(self, parent: Any, text: str | None) -> None:
        if not text:
            return
        if len(parent):
            element, tail = parent[-1], True
        else:
            element, tail = parent, False
        if element is not self._element or tail is not self._tail:
            self.flush()
            self._element, self._tail = element, tail
        self._pieces.append(text)

    def flush(self) -> None:
        """Write the waiting pieces into their slot."""
        el = self._element
        if el is None:
            return
        joined = _xml_text("".join(self._pieces))
        if self._tail:
            el.tail = (el.tail or "") + joined
        else:
            el.text = (el.text or "") + joined
        self._element, self._tail, self._pieces = None, False, []


def url_resolver(doc: Any) -> Callable[[str | None], str | None]:
    """A function making hrefs absolute against the page's base URL (computed once)."""
    base = doc.base_url if doc is not None else None
    joined: dict[str, str | None] = {}  # a page repeats its image and link URLs

    def resolve(href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("javascript:", "data:", "mailto:", "#")):
            return None
        if href.startswith(("https://", "http://")):
            return href  # already absolute: urljoin would return it unchanged, slowly
        if href in joined:
            return joined[href]
        try:
            url = urljoin(base, href) if base else href
        except ValueError:
            url = None
        joined[href] = url
        return url

    return resolve


def _copy_attributes(src: Any, dst: Any, resolve: Callable[[str | None], str | None]) -> None:
    if dst.tag == "a":
        href = resolve(src.get("href"))
        if href:
            dst.set("href", _xml_text(href))
    elif dst.tag == "img":
        raw = src.get("src") or src.get("data-src") or src.get("data-original")
        url = resolve(raw)
        if url:
            dst.set("src", _xml_text(url))
        if src.get("alt"):
            dst.set("alt", _xml_text(src.get("alt")))


def _leaf_text_boxes(container: Any) -> set[Any]:
    """<div>-like elements holding text but no other block: they are paragraphs.

    One bottom-up pass (reverse document order), so a 10,000-level nest stays linear.
    """
    elements = list(container.iter())
    has_block: set[Any] = set()
    for el in reversed(elements):
        parent = el.getparent()
        if parent is not None and (el.tag in _BLOCKS or el in has_block):
            has_block.add(parent)
    return {
        el
        for el in elements
        if el.tag in _TEXT_BOX_TAGS
        and el not in has_block
        and el is not container
        and (el.text or "").strip()
    }


def _dropped_or_chrome(el: Any, tag: str) -> bool:
    """:func:`is_chrome` for a visible element (``is_hidden`` false), figures kept."""
    if tag in _FIGURE_TAGS:
        return False
    return not tag or tag in DROP_TAGS or is_chrome_wrapper(el)


def clean_html(
    container: Any, drop: set[Any] | None = None, doc: Any = None, keep: set[Any] | None = None
) -> str | None:
    """Serialized cleaned copy of ``container`` (None when it holds no text).

    ``drop`` elements are left out; ``keep`` holds chrome-looking wrappers that
    the body extractor found to wrap the article, so they stay.
    """
    if container is None:
        return None
    drop = drop or set()
    keep = keep or set()
    resolve = url_resolver(doc)
    boxes = _leaf_text_boxes(container)
    out_root = lxml.etree.Element("div")
    sink = _TextSink()
    stack = [out_root]  # output parent for each open source element
    walker = lxml.etree.iterwalk(container, events=("start", "end"))
    skipped = None
    for event, el in walker:
        tag = el.tag
        if tag.__class__ is not str:
            tag = ""
        if event == "start":
            # (is_chrome's hidden test is is_hidden's, already answered for ``el``)
            if el is not container and (
                el in drop
                or (el not in keep and (is_hidden(el) or _dropped_or_chrome(el, tag)))
                or tag in ("h1", "")
            ):
                walker.skip_subtree()
                skipped = el
                continue
            out_tag = KEEP_TAGS.get(tag) or ("p" if el in boxes else None)
            if out_tag and el is not container:
                node = lxml.etree.SubElement(stack[-1], out_tag)
                _copy_attributes(el, node, resolve)
                stack.append(node)
            else:
                stack.append(stack[-1])
            sink.add(stack[-1], el.text)
            continue
        if el is skipped:
            skipped = None
        else:
            stack.pop()
        if el is not container:
            sink.add(stack[-1], el.tail)
    sink.flush()
    if not any(text.strip() for text in out_root.itertext()):
        return None
    # The children with their tails, serialized in one call: the wrapper's own tags cut
    # off; its leading text goes in as it is.
    lead, out_root.text = out_root.text or "", None
    inner = str(lxml.html.tostring(out_root, encoding="unicode"))[len("<div>") : -len("</div>")]
    return (lead + inner).strip() or None
