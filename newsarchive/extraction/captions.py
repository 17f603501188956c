"""Image captions with their credits split out, and the article's images.

A caption is found from the page's structure, never from one publisher's class names: in
a site rule's caption elements; else in ``<figure>`` (its own ``<figcaption>``, so a
gallery's caption is not its first image's), a lone ``<figcaption>``, a small
``<table>`` whose ``<caption>`` sits over one image, a microdata ImageObject
(``itemprop="caption"``), caption-classed text in a small wrapper with an image or just
after one (``<p><img></p><p class="caption">``), images carrying ``data-caption`` (or
inside a lightbox link carrying it) or tied to their caption by ``aria-describedby``,
small image blocks marked by a labelled credit line ("Foto: REUTERS/X"), and carousel
slides (the slide class of Swiper, Slick, Glide, Bootstrap, Flickity) holding one picture
and a description. Galleries, slideshows and carousels hold media, not page chrome; a
block holding a linked or top-level heading is a teaser's or the page's title, a figure
inside a link to another page is a teaser's picture, and a portrait in an author box,
byline or avatar is the writer's, not a caption. A caption's own controls ("toggle
caption", "Bild vergrößern") and slideshow counters are not its text.
Its credit comes, in order, from elements inside the figure named a credit by class or
itemprop (credit, copyright, source, photographer...; a ``<meta itemprop>`` gives its
``content``) or by a label opening their text, from a credit phrase inside the caption
text ("Foto: dpa", "(Photo by X/Getty Images)", "Photo by X on Unsplash", "© AP Photo /
X", "照片：新华社"), from the JSON-LD ImageObject of the same image (creditText,
copyrightHolder), or from the image's own attributes. Labels and "©" are not part of the
credit. The image is the one a reader sees: a lazy loader's address rather than its
inline placeholder, ``<amp-img>``, or the first srcset candidate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

import lxml.etree

from newsarchive.extraction import pageindex
from newsarchive.extraction import rules as site_rules
from newsarchive.extraction.boilerplate import CHROME, SCREEN_READER_ONLY, classify
from newsarchive.extraction.cleanhtml import url_resolver
from newsarchive.extraction.credits import (
    AGENCY_CREDIT,
    CREDIT_LABEL,
    DATE_OR_DURATION,
    LEADING_CREDIT,
    MAX_CREDIT_CHARS,
    TRAILING_LABEL,
    credit_parts,
    split_credit,
)
from newsarchive.extraction.patterns import grouped
from newsarchive.extraction.survey import IMAGE_TAGS, survey
from newsarchive.extraction.text import clean, fragment_text
from newsarchive.extraction.xpathsafe import attribute_owners

CREDIT_CLASS = re.compile(
    r"credit|copyright|source|author|byline|photographer|rights|attribution|fotograf|urheber"
    r"|quelle|autor|distributor|agency|licen[cs]e|lizenz",
    re.IGNORECASE,
)
MIN_CAPTION_WORDS = 2
_LINK_LABEL = re.compile(
    r"^(?:read more|more|read on|continue reading|czytaj więcej|czytaj też|czytaj dalej"
    r"|lesen sie (?:auch|mehr)|mehr|weiterlesen|lire aussi|lire la suite|leer más|seguir leyendo"
    r"|leggi anche|continua a leggere|lees meer|verder lezen|läs mer|les mer|подробнее"
    r"|читать далее)\W*$",
    re.IGNORECASE,
)
# A gallery's button or count shown where a caption would be: "Slideshow (15 images)",
# "Bildergalerie: 12 Bilder", "Galería (8 fotos)".
_GALLERY_LABEL = re.compile(
    r"(?:slideshow|gallery|photo gallery|galerie|bildergalerie|fotogalerie|fotostrecke|galería"
    r"|galeria|galleria|diashow)\W*\d{1,3}\s*(?:images?|photos?|pictures?|bilder|fotos?"
    r"|imágenes|immagini|zdjęć|zdjęcia)?\W*",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:von|by|par|por|door|av)\s+\S+.*\d{1,2}[:.]\d{2}", re.IGNORECASE)
_CAPTION_TAGS = ("figcaption",)


def _text_without(el: Any, skip: set[Any]) -> str:
    """Text of ``el`` leaving out the subtrees in ``skip`` and hidden/script parts."""
    return clean(" ".join(_visible_pieces(el, skip))) or ""


def _visible_pieces(el: Any, skip: set[Any] | frozenset[Any] = frozenset()) -> list[str]:
    """The texts and tails of ``el``'s visible parts in reading order (iterative); a
    skipped or hidden element's tail is visible text, a comment's text is not."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(el, False)]
    while stack:
        node, tail_only = stack.pop()
        if tail_only:
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        stack.append((node, True))
        if node in skip or (node is not el and _invisible(node)):
            continue
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in reversed(node):
            stack.append((child, False))
    return parts


def _invisible(node: Any) -> bool:
    """Scripts, styles, hidden parts and screen-reader-only labels; aria-hidden captions
    are visible (alt text twins)."""
    tag = node.tag
    if not isinstance(tag, str) or tag in ("script", "style", "noscript", "template", "button"):
        return True
    style = node.get("style") or ""
    if node.get("hidden") is not None or "display:none" in style.replace(" ", ""):
        return True
    cls = node.get("class")
    return bool(cls) and bool(SCREEN_READER_ONLY.search(cls.lower()))


def _ld_image_objects(doc: Any) -> list[dict[str, Any]]:
    """ImageObjects of the page's JSON-LD, including those nested in an article's ``image``."""
    found: list[dict[str, Any]] = list(doc.json_ld_objects("ImageObject"))
    # Equal objects are kept once, found by their canonical JSON: a list's "in" compared
    # each of 100,000 ImageObjects with all before it.
    seen = {_ld_key(image) for image in found}
    for obj in doc.json_ld:
        images = obj.get("image")
        for image in images if isinstance(images, list) else [images]:
            if isinstance(image, dict):
                key = _ld_key(image)
                if key not in seen:
                    seen.add(key)
                    found.append(image)
    return found


def _ld_key(obj: dict[str, Any]) -> str:
    """One string per JSON-LD object value: equal objects (in any key order) give the same."""
    return json.dumps(obj, sort_keys=True)


def _ld_captions(doc: Any, resolve: Any) -> list[dict[str, Any]]:
    """Captions the JSON-LD states for the article's images (when the markup shows none)."""
    out = []
    for obj in _ld_image_objects(doc):
        text = obj.get("caption")
        if not isinstance(text, str) or not text.strip():
            continue
        caption, credit = split_credit(text)
        credits = credit_parts(credit) or credit_parts(_ld_credit(obj))
        url = obj.get("url") or obj.get("contentUrl")
        out.append(
            {
                "text": caption,
                "credit": ", ".join(credits) or None,
                "image_url": resolve(url) if isinstance(url, str) else None,
            }
        )
    return out


def _ld_credit(obj: dict[str, Any]) -> str | None:
    credit = obj.get("creditText") or obj.get("copyrightHolder") or obj.get("author")
    if isinstance(credit, dict):
        credit = credit.get("name")
    if isinstance(credit, list):
        credit = ", ".join(c.get("name", "") if isinstance(c, dict) else str(c) for c in credit)
    return credit.strip() if isinstance(credit, str) and credit.strip() else None


def _ld_credits(doc: Any) -> dict[str, str]:
    """Image URL -> credit from JSON-LD ImageObjects."""
    credits: dict[str, str] = {}
    for obj in _ld_image_objects(doc):
        url = obj.get("url") or obj.get("contentUrl")
        credit = _ld_credit(obj)
        if isinstance(url, str) and credit:
            credits[url] = credit
    return credits


_MEDIA_WORDS = re.compile(
    r"caption|credit|copyright|image|photo|media|figure|picture|bild|foto"
    r"|galler|slideshow|carousel"
)


class _Above:
    """Whether any ancestor of an element passes ``_hit``, memoized per ancestor.

    Asking for every element of a deep page is one walk up per node, not one per element
    and level (the parser nests up to 2,047 levels: 20,000 images at the bottom of such a
    page would otherwise cost 40 million steps)."""

    def __init__(self) -> None:
        self.memo: dict[Any, bool] = {}  # node -> node or one of its ancestors hits

    def _hit(self, node: Any) -> bool:
        raise NotImplementedError

    def __call__(self, el: Any) -> bool:
        chain: list[Any] = []
        answer = False
        node = el.getparent()
        while node is not None:
            known = self.memo.get(node)
            if known is not None:
                answer = known
                break
            chain.append(node)
            if self._hit(node):
                answer = True
                break
            node = node.getparent()
        for seen in chain:  # every node below the one that decided shares its answer
            self.memo[seen] = answer
        return answer


class _ChromeAbove(_Above):
    """Whether an element sits inside navigation, teaser lists or other chrome.

    An ancestor counts when it is chrome (media wrappers do not count, nor do the
    ``wrappers`` around the article container, which the body found to be content)."""

    def __init__(self, wrappers: set[Any] | frozenset[Any] = frozenset()) -> None:
        super().__init__()
        self.wrappers = wrappers

    def _hit(self, node: Any) -> bool:
        if node in self.wrappers or node.tag in ("header", "aside") or classify(node) != CHROME:
            return False
        words = " ".join(filter(None, (node.get("class"), node.get("id"))))
        return not _MEDIA_WORDS.search(words.lower())


class _TagAbove(_Above):
    """Whether an element sits inside one of ``tags`` (a <figure>, a heading)."""

    def __init__(self, *tags: str) -> None:
        super().__init__()
        self.tags = frozenset(tags)

    def _hit(self, node: Any) -> bool:
        return node.tag in self.tags


class _TeaserAbove(_Above):
    """Whether an image belongs to a teaser: inside a block the rule drops, or inside a
    link to another page (a link to the image file itself is a lightbox)."""

    def __init__(self, dropped: set[Any]) -> None:
        super().__init__()
        self.dropped = dropped

    def _hit(self, node: Any) -> bool:
        if node in self.dropped:
            return True
        href: str = (node.get("href") or "") if node.tag == "a" else ""
        return bool(href) and not _IMAGE_FILE.search(href)


class _Taken:
    """The blocks taken as figures, and every element inside one: whether an element
    sits in a taken block is one set lookup (its parent's), not a walk of its ancestors.
    Each element is marked once; a block's walk skips the subtrees marked before it."""

    def __init__(self) -> None:
        self.blocks: set[Any] = set()
        self.inside: set[Any] = set()  # taken blocks and their descendants

    def __contains__(self, el: Any) -> bool:
        return el in self.blocks

    def add(self, block: Any) -> None:
        self.blocks.add(block)
        if block in self.inside:
            return
        self.inside.add(block)
        stack = [block]
        while stack:
            for child in stack.pop():
                if child not in self.inside:
                    self.inside.add(child)
                    stack.append(child)

    def holds(self, el: Any) -> bool:
        """True when ``el`` is a taken block or holds one among its first elements."""
        return any(node in self.inside for node in islice(el.iter(), MAX_FIGURE_ELEMENTS))

    def below(self, el: Any) -> bool:
        """True when an ancestor of ``el`` is a taken block."""
        parent = el.getparent()
        return parent is not None and parent in self.inside


# Caption classes: the page index's keywords are the one list (its walk notes them).
# Whole-page searches go to the attributes first (``//@class[...]``): libxml2 runs that
# several times faster than a predicate on every element, and finds the same elements
# (taken in Python: a ``/..`` step is quadratic in the matches, see xpathsafe).
_CAPTION_CLASS_XPATH = lxml.etree.XPath(
    "//@class[" + " or ".join(f"contains(., '{k}')" for k in pageindex.CAPTION_KEYS) + "]"
)
_CAPTION_CLASS_RE = re.compile(grouped(map(re.escape, pageindex.CAPTION_KEYS)))
# Images that carry their caption or credit in data attributes.
_DATA_CAPTION_ATTRS = ("data-caption", "data-credit", "data-copyright")
_DATA_CAPTION = ("data-caption", "data-title")
_DATA_CREDIT = ("data-credit", "data-copyright", "data-source")
MAX_FIGURE_IMAGES = 4  # images of one figure read for a credit they carry themselves
MAX_FIGURE_ELEMENTS = 200  # elements of one figure searched for its caption element
_CAPTION_ELEMENT_CLASS = re.compile(r"caption|desc|subtitle", re.IGNORECASE)
MAX_CAPTION_SCOPE_CHILDREN = 4  # a caption's parent this small is its figure
MAX_CAPTION_SCOPE_CHARS = 1000
MAX_CAPTION_SCOPE_LEVELS = 3


@dataclass
class _Block:
    """What marked a figure-like block: its caption-classed element, and the image standing
    just before a block that holds none (``<p><img></p><p class="caption">``)."""

    caption: Any = None
    image: Any = None


def _figures(
    doc: Any, rule: Any, container: Any = None, blocks: dict[Any, _Block] | None = None
) -> list[Any]:
    """Figure-like elements: rule captions, <figure>, lone <figcaption>, tables captioning
    one image, microdata ImageObjects, caption-classed text next to an image, and images
    carrying their caption in data attributes; ``blocks`` notes what marked the blocks
    found by a caption-classed element."""
    blocks = {} if blocks is None else blocks
    if rule is not None:
        found = [el for el in rule.select(doc.root, "captions") if hasattr(el, "tag")]
        if found:
            return found
    wrappers = set(container.iterancestors()) if container is not None else set()
    in_chrome = _ChromeAbove(wrappers)
    place = _Place(container, wrappers) if container is not None else None
    in_figure = _TagAbove("figure")

    def wanted(el: Any) -> bool:
        """Inside the article, or outside chrome and before its end (after it come teasers)."""
        if _invisible(el):
            return False
        if place is None:
            return not in_chrome(el)
        where = place(el)
        if where == 0:
            return True
        return where < 0 and not in_chrome(el)

    out: list[Any] = []
    chosen = _Taken()
    for el in survey(doc).figures:
        if len(out) >= MAX_CAPTIONS:  # _find_captions reads no more
            return out
        if el.tag in _IMAGE_TAGS:  # a microdata ImageObject around the image
            el = _image_object_of(el)
            if el is None or el in chosen or chosen.below(el):
                continue
        elif (el.tag == "figcaption" and in_figure(el)) or (
            el.tag == "caption" and not _image_table(el.getparent())
        ):
            continue
        if not wanted(el) or (el.tag == "figure" and _in_page_link(el)):
            continue  # (a figure inside a link to another page is a teaser card's picture)
        scope = {"figcaption": _figure_scope, "caption": _parent}.get(el.tag, _same)(el)
        if scope not in chosen:
            out.append(scope)
            chosen.add(scope)

    def add_block_of(el: Any, caption: Any = None) -> None:
        """The small wrapper holding ``el`` and an image, unless already taken."""
        if len(out) >= MAX_CAPTIONS or chosen.below(el) or not wanted(el):
            return
        scope, image = _figure_scope(el), None
        if scope in chosen:
            return
        if not _has_image(scope):
            image = _image_before(scope)
            if image is None:
                return
            parent = scope.getparent()
            if _small_wrapper(parent):  # "<article class=media>" around image and caption
                scope, image = parent, None
            if scope in chosen:
                return
        out.append(scope)
        chosen.add(scope)
        blocks[scope] = _Block(caption, image)

    for el in _caption_classed(doc, in_figure):
        add_block_of(el, caption=el)
    for img in _data_caption_images(doc, in_figure):
        if len(out) < MAX_CAPTIONS and not chosen.below(img) and wanted(img):
            out.append(img)
            chosen.add(img)
    for el in _credit_lines(doc):  # leaves: never taken themselves, never holding an image
        add_block_of(el)
    for slide in _slides(doc, in_figure):  # a slide around a figure taken is that figure
        if len(out) >= MAX_CAPTIONS:
            break
        if not chosen.below(slide) and not chosen.holds(slide) and wanted(slide):
            out.append(slide)
            chosen.add(slide)
    return out


# A carousel's slide: the class token carousel libraries give each one (Swiper's
# "swiper-slide", Slick's "slick-slide", Glide's "glide__slide", Bootstrap's
# "carousel-item", Flickity's "carousel-cell"). Candidates come from the page's class
# index (read once per page); only the first ``MAX_SLIDE_CLASSES`` are read (a page has
# as many slides as it likes).
MAX_SLIDE_CLASSES = 1000
_SLIDE_CLASS_WORDS = ("slide", "carousel-")
_SLIDE_CLASS = re.compile(r"(?:^|\s)(?:[\w-]*[-_])?slide(?:\s|$)|\bcarousel-(?:item|cell)\b", re.I)


def _slides(doc: Any, in_figure: _TagAbove) -> list[Any]:
    """Carousel slides showing one image and a caption element named by class (a
    description, a caption): a slide of a gallery outside <figure>. A slide whose caption
    element links elsewhere, or that holds a heading, is a teaser card; one of more than
    ``MAX_FIGURE_ELEMENTS`` elements is a panel, not a slide (and the bound keeps nested
    slides from each reading the page)."""
    found = []
    for el in pageindex.with_class(doc, *_SLIDE_CLASS_WORDS)[:MAX_SLIDE_CLASSES]:
        if not _SLIDE_CLASS.search(el.get("class") or "") or in_figure(el):
            continue
        elements = list(islice(el.iter(), MAX_FIGURE_ELEMENTS + 1))
        if len(elements) > MAX_FIGURE_ELEMENTS or _pictures(elements) != 1:
            continue
        if any(node.tag in _TEASER_HEADINGS or _page_link(node) for node in elements):
            continue  # a teaser card or a promotion: its title, its link elsewhere
        caption = _caption_element(el, stated=False)
        if caption is None or caption is el or _in_page_link(caption):
            continue
        # One word is a label or the image's file name ("harbour_view_8"), not a caption.
        if len(_text_without(caption, set()).split()) >= MIN_CAPTION_WORDS:
            found.append(el)
    return found


def _page_link(el: Any) -> bool:
    """A link to another page: not to an anchor of this one, nor to the image file itself
    (a lightbox)."""
    if el.tag != "a":
        return False
    href = (el.get("href") or "").strip()
    return bool(href) and not href.startswith(("#", "javascript:")) and not _IMAGE_FILE.search(href)


def _pictures(elements: list[Any]) -> int:
    """How many pictures a reader sees among ``elements``: a ``<picture>`` counts once
    with its ``<img>`` (even through ``<source>`` tags left unclosed)."""
    pictures = [el for el in elements if el.tag == "picture"]
    inside = {node for picture in pictures for node in picture.iter()}
    return len(pictures) + sum(el.tag in ("img", "amp-img") and el not in inside for el in elements)


def _data_caption_images(doc: Any, in_figure: _TagAbove | None = None) -> list[Any]:
    """Images outside <figure> with a caption or credit in data attributes (their own, or
    a lightbox link's around them) or in the element their ``aria-describedby`` names, in
    page order.

    A walk over the page's <img> elements (filtered in C) costs less than an XPath
    that tests their attributes."""
    in_figure = in_figure or _TagAbove("figure")
    return [
        img
        for img in survey(doc).images
        if (
            any(img.get(name) is not None for name in _DATA_CAPTION_ATTRS)
            or img.get("aria-describedby")
            or _lightbox_caption(img)
        )
        and not in_figure(img)
    ]


def _lightbox_caption(img: Any) -> str | None:
    """The caption a lightbox link around ``img`` shows with the enlarged image
    (``<a href="big.jpg" data-caption="...">``, the attribute Fancybox and its kin read)."""
    link = img.getparent()
    if link is None or link.tag != "a":
        return None
    return link.get("data-caption") or None


_WITH_ID = lxml.etree.XPath("//*[@id]")


class _Ids:
    """The page's elements by id, read in one walk when first asked (a page of 2,000
    described images would otherwise search the page 2,000 times)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.found: dict[str, Any] | None = None

    def get(self, name: str) -> Any:
        if self.found is None:
            self.found = {}
            for el in cast(list[Any], _WITH_ID(self.root)):
                self.found.setdefault(el.get("id"), el)  # the first of a repeated id
        return self.found.get(name)


def _described_by(img: Any, ids: _Ids) -> str | None:
    """The text of the element an image's ``aria-describedby`` names: a caption set apart
    from the image and tied to it for screen readers. A long description (an infographic's
    data table) is no caption."""
    names = (img.get("aria-describedby") or "").split()
    found = ids.get(names[0]) if names else None
    if found is None or found is img or _has_image(found):
        return None
    text = _text_without(found, set())
    return text if len(text) <= MAX_CAPTION_SCOPE_CHARS else None


# A short line that opens with a photo label ("Foto: REUTERS/X", "Photo: AFP") and
# sits beside an image marks that image's caption block even without <figure> or a
# caption class: the rest of the small wrapper is the caption.
_CREDIT_LINE_LABEL = re.compile(
    r"^\s*(?:©|(?:photos?|photographs?|fotos?|fot\.|bild|bilder|image|credits?)\s*:)",
    re.IGNORECASE,
)
_CREDIT_LINE_TAGS = ("p", "span", "div", "small")


def _credit_lines(doc: Any) -> list[Any]:
    """Leaf elements whose whole text is a labelled photo credit, in page order."""
    index = pageindex.lookup(doc)
    if index is not None:  # the body walk noted short blocks; <small> lines are inline
        small = [(el, el.text or "") for el in survey(doc).smalls]
        pairs = [*index.short_blocks, *small]
    else:
        pairs = [(el, el.text or "") for el in doc.root.iter(*_CREDIT_LINE_TAGS)]
    return [
        el
        for el, text in pairs
        if len(text) <= MAX_CREDIT_CHARS
        and (":" in text or "©" in text)  # what every label holds: most lines hold neither
        and _CREDIT_LINE_LABEL.match(text)
        and len(el) == 0
        and el.tag in _CREDIT_LINE_TAGS
    ]


_NOT_CAPTION_TAGS = frozenset({"figure", "figcaption", "h1", "h2"})
# Page containers whose class may name captions ("wp-featherlight-captions" on <body>
# turns on a lightbox): they hold the page, never one image's caption.
_CONTAINER_TAGS = frozenset({"html", "body", "main", "article", "section"})
_HEADING_TAGS = ("h1", "h2", "h3")
_TEASER_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _caption_classed(doc: Any, in_figure: _TagAbove | None = None) -> list[Any]:
    """Caption-classed elements outside <figure>: from the body walk's index when it has one."""
    in_figure = in_figure or _TagAbove("figure")
    in_heading = _TagAbove(*_HEADING_TAGS)
    index = pageindex.lookup(doc)
    if index is None:
        found = [
            el
            for el in attribute_owners(_CAPTION_CLASS_XPATH(doc.root))
            if el.tag not in _NOT_CAPTION_TAGS and not in_figure(el)
        ]
    else:
        found = [
            el
            for el in index.captions
            if el.tag not in _NOT_CAPTION_TAGS
            and _CAPTION_CLASS_RE.search(el.get("class") or "")
            and not in_figure(el)
        ]
    found = [
        el
        for el in found
        if el.tag not in _CONTAINER_TAGS
        and not in_heading(el)  # a headline's kicker
        and not _in_page_link(el)  # a teaser card's topic label
    ]
    teaser_text = _teaser_text_blocks(doc.root) if found else set()
    return [el for el in found if el not in teaser_text]


def _teaser_text_blocks(root: Any) -> set[Any]:
    """The elements that are a page's or a teaser card's title block, not a caption: they
    hold a top-level heading (``<div class="hasCaption">`` around the headline) or a
    linked one (the other story's title). A caption set as a minor heading (``<h6>`` in
    page builders) links nowhere.

    Marked from the links and headings up, in one pass: a climb ends at an element
    already marked, whose ancestors are. (Searching each caption-classed block's subtree
    cost 2,000 walks of the page for 2,000 nested blocks.)"""
    linked: set[Any] = set()  # elements holding an <a href> below them
    for link in root.iter("a"):
        if link.get("href") is not None:
            _mark_ancestors(link, linked)
    blocks: set[Any] = set()
    for heading in root.iter(*_TEASER_HEADINGS):
        if (heading.tag in ("h1", "h2") or heading in linked) and heading not in blocks:
            blocks.add(heading)
            _mark_ancestors(heading, blocks)
    return blocks


def _mark_ancestors(el: Any, marked: set[Any]) -> None:
    """Add ``el``'s ancestors to ``marked``, up to the first one already in it."""
    for anc in el.iterancestors():
        if anc in marked:
            return
        marked.add(anc)


MAX_LINK_LEVELS = 6  # a teaser card's link wraps its label closely


def _in_page_link(el: Any) -> bool:
    """True inside a link to another page (a teaser card); a link to the image file itself
    (a lightbox) or to an anchor on this page does not count."""
    for anc in islice(el.iterancestors(), MAX_LINK_LEVELS):
        if anc.tag == "a":
            return _page_link(anc)
    return False


class _Place:
    """Where an element stands against the article container: -1 before it in document
    order, 0 inside it, 1 after it.

    An element stands where its parent does, up to the container or a ``wrapper`` (an
    ancestor of the container): a child of a wrapper is before or after the container's
    branch. Answers are memoized per element, and each wrapper's children before the
    branch are listed once, so a deep or wide page costs one pass, not a climb (or a
    sibling count) per element."""

    def __init__(self, container: Any, wrappers: set[Any]) -> None:
        self.container = container
        self.wrappers = wrappers
        self.memo: dict[Any, int] = {}
        self.before: dict[Any, set[Any]] = {}  # wrapper -> its children before the branch

    def _child_place(self, child: Any, wrapper: Any) -> int:
        before = self.before.get(wrapper)
        if before is None:
            branch = next(
                a
                for a in (self.container, *self.container.iterancestors())
                if a.getparent() is wrapper
            )
            before = self.before[wrapper] = set(branch.itersiblings(preceding=True))
        return -1 if child in before else 1

    def __call__(self, el: Any) -> int:
        chain: list[Any] = []
        answer = 1
        node = el
        while node is not None:
            known = self.memo.get(node)
            if known is not None:
                answer = known
                break
            if node is self.container:
                answer = 0
                break
            if node in self.wrappers:  # the element wraps the container: it comes first
                answer = -1
                break
            chain.append(node)
            parent = node.getparent()
            if parent is not None and parent in self.wrappers:
                answer = self._child_place(node, parent)
                break
            node = parent
        for seen in chain:
            self.memo[seen] = answer
        return answer


_IMAGE_TAGS = IMAGE_TAGS
MAX_ITEMSCOPE_LEVELS = 3  # a microdata ImageObject wraps its image closely


def _image_object_of(img: Any) -> Any:
    """The microdata ImageObject (``itemtype=".../ImageObject"``) just around ``img``,
    unless that is a <figure> (read as a figure anyway); None when there is none. Found
    from the page's images, not by a search of every element's attributes."""
    for anc in islice(img.iterancestors(), MAX_ITEMSCOPE_LEVELS):
        if "ImageObject" in (anc.get("itemtype") or ""):
            return None if anc.tag == "figure" else anc
    return None


def _same(el: Any) -> Any:
    return el


def _parent(el: Any) -> Any:
    return el.getparent()


def _has_image(scope: Any) -> bool:
    return scope.tag in _IMAGE_TAGS or next(scope.iter(*_IMAGE_TAGS), None) is not None


def _image_table(table: Any) -> bool:
    """A small <table> holding an image: old CMSs' way to set a caption under a picture."""
    return (
        table is not None
        and table.tag == "table"
        and _has_image(table)
        and len(table.text_content()) <= MAX_CAPTION_SCOPE_CHARS
    )


def _image_before(el: Any) -> Any:
    """The image standing just before ``el``: a bare image, or an element holding one and
    no text (``<p><img></p>``, ``<a><img></a>``); None otherwise."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):  # comments between
        prev = prev.getprevious()
    if prev is None or not _has_image(prev):
        return None
    if prev.tag in _IMAGE_TAGS or not (prev.text_content() or "").strip():
        return prev
    return None


def _small_wrapper(el: Any) -> bool:
    """Few children and little text: a block around one image and its caption."""
    return (
        el is not None
        and el.tag not in ("body", "main")
        and _few_children(el, MAX_CAPTION_SCOPE_CHILDREN)
        and len(el.text_content()) <= MAX_CAPTION_SCOPE_CHARS
    )


def _few_children(el: Any, most: int) -> bool:
    """``len(el) <= most`` without counting every child: lxml's ``len()`` walks them all,
    and each caption beside an image asks it of its parent (a page of 10,000 of them
    under one parent would ask it 10,000 times)."""
    return next(islice(el.iterchildren(), most, None), None) is None


def _figure_scope(caption: Any) -> Any:
    """A caption outside <figure>: climb to the small wrapper that also holds its image."""
    scope = caption
    for _ in range(MAX_CAPTION_SCOPE_LEVELS):
        parent = scope.getparent()
        if parent is None or parent.tag == "article" or not _small_wrapper(parent):
            break
        scope = parent
        if _has_image(scope):
            break
    return scope


# Tags that hold a credit when they sit inside a figure: <footer>, <small>, <cite>.
_CREDIT_TAGS = frozenset({"footer", "small", "cite"})


_NAMED, _BY_TAG = 2, 1
_FEW_CHILDREN = 3  # a caption wrapper with more children is not one <small> alone


def _credit_strength(el: Any) -> int:
    """2 for an element named a credit (class/itemprop, or a credit label opening its
    text), 1 for one that is a credit only by its tag, 0 otherwise."""
    words = " ".join(filter(None, (el.get("class"), el.get("itemprop"))))
    if words and CREDIT_CLASS.search(words):
        return _NAMED
    own = (el.text or "").strip()
    if own and len(own) <= MAX_CREDIT_CHARS and len(el) == 0:
        if (
            CREDIT_LABEL.match(own)
            and CREDIT_LABEL.sub("", own, count=1).strip()
            and not LEADING_CREDIT.match(own)  # "Foto: dpa - The caption": a caption
        ):
            return _NAMED  # (but "<b>Credits:</b> X": a label only)
        if el.tag in _CREDIT_LINE_TAGS and AGENCY_CREDIT.fullmatch(own):
            return _NAMED  # a line of its own naming an agency: "AFP via Getty Images"
    return _BY_TAG if el.tag in _CREDIT_TAGS else 0


def _credit_elements(figure: Any, rule: Any) -> list[Any]:
    """The figure's credit elements. One named a credit outranks those that are credits
    only by tag: beside "<small>© Agency</small>", another <small> is the caption."""
    if rule is not None and rule.get("credits"):
        return [el for el in rule.select(figure, "credits") if hasattr(el, "tag")][:1]
    found: list[tuple[Any, int]] = []
    # Document order, not descending into a credit found (its parts are that credit) nor
    # into a <figure> nested in this one (that image's credit is its own).
    stack = list(reversed(figure))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el.tag == "figure":
            continue
        strength = _credit_strength(el)
        if strength == _NAMED or (strength == _BY_TAG and not _whole_caption(el, figure)):
            found.append((el, strength))
        else:
            stack.extend(reversed(el))
    strongest = max((strength for _, strength in found), default=0)
    return [el for el, strength in found if strength == strongest]


def _whole_caption(el: Any, figure: Any) -> bool:
    """A ``<small>`` that is all its caption's text is the caption set in small print, not
    a credit beside it (a ``<cite>`` alone names the source)."""
    if el.tag != "small":
        return False
    node = el  # climb to the <figcaption> through parents showing nothing but ``node``
    while node is not figure:
        parent = node.getparent()
        if parent is None or len(parent) > _FEW_CHILDREN or (parent.text or "").strip():
            return False
        others = [c for c in parent if c is not node]
        if any(not _invisible(c) or (c.tail or "").strip() for c in others):
            return False  # a visible sibling, or text after a hidden label
        if (node.tail or "").strip():
            return False
        if parent.tag == "figcaption":
            return True
        node = parent
    return False


def _own_caption(figure: Any) -> Any:
    """The figure's own <figcaption> (a gallery's, not one of its images'), or the
    <caption> of a table."""
    if figure.tag == "table":
        return figure.find("caption")
    for found in figure.iter(*_CAPTION_TAGS):
        if figure.tag != "figure" or next(found.iterancestors("figure"), None) is figure:
            return found
    return None


# Microdata captions inside a figure, the first few in document order. Each search walks
# the figure's subtree, so it is made only on pages that hold one (``Survey.stated_caption``):
# 2,000 nested figures around a wide subtree would otherwise cost seconds on any page.
_STATED_CAPTIONS = lxml.etree.XPath(
    f"(descendant::*[@itemprop='caption'])[position() <= {MAX_FIGURE_IMAGES}]"
)


def _caption_element(figure: Any, marked: Any = None, stated: bool = True) -> Any:
    """The element holding the caption text; ``marked`` is the caption-classed element
    that made ``figure`` a caption block (beside it sit counters, credits, buttons);
    ``stated`` False when the page holds no ``itemprop="caption"``."""
    if figure.tag == "figcaption":
        return figure
    found = _own_caption(figure)
    if found is not None:
        return found
    found = cast(list[Any], _STATED_CAPTIONS(figure)) if stated else None
    if found:  # microdata ImageObject: a visible caption before a <meta> one
        return next((el for el in found if el.tag != "meta"), found[0])
    for el in islice(figure.iter(), MAX_FIGURE_ELEMENTS):  # a caption sits near its image
        if (
            el is not figure
            and _CAPTION_ELEMENT_CLASS.search(el.get("class") or "")
            and el.find(".//img") is None
            and (el.text_content() or "").strip()
        ):
            return el
    if marked is not None:
        return marked
    # A caption block is its own caption; a figure or an ImageObject without a caption
    # element has none (its other text is a credit, a counter or a button).
    image_object = "ImageObject" in (figure.get("itemtype") or "")
    return figure if figure.tag != "figure" and not image_object else None


def _image_scope(figure: Any) -> Any:
    """Where a caption's image sits: the figure, or a lone figcaption's parent."""
    return figure.getparent() if figure.tag == "figcaption" else figure


# Where lazy loaders keep the real address while ``src`` holds a placeholder.
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-original-url")
_SRCSET = ("srcset", "data-srcset", "data-lazy-srcset")


def _img_src(img: Any) -> str | None:
    """The address an image shows: ``src`` unless it is an inline placeholder, else the
    lazy loader's attribute, else the first candidate of its srcset. (A lazy attribute
    does not outrank a real ``src``: some pages keep a URL template there.)"""
    for name in ("src", *_LAZY_SRC):
        raw = (img.get(name) or "").strip()
        if raw and not raw.startswith("data:"):
            return raw
    return _first_candidate(img)


def _first_candidate(el: Any) -> str | None:
    for name in _SRCSET:
        candidate = (el.get(name) or "").split(",")[0].split()
        if candidate and not candidate[0].startswith("data:"):
            return str(candidate[0])
    return None


def _image_url(scope: Any, resolve: Any) -> str | None:
    if scope is None:
        return None
    for img in scope.iter("img", "amp-img"):
        raw = _img_src(img)
        if raw:
            return resolve(raw)
    for source in scope.iter("source"):
        raw = _first_candidate(source)
        if raw:
            return resolve(raw)
    return None


_PLAYER_TAGS = frozenset({"video", "iframe", "object", "embed"})
_PLAYER_WORDS = re.compile(r"video|player|youtube|vimeo|kaltura|brightcove|jwplayer", re.I)


def _holds_player(scope: Any) -> bool:
    """True when ``scope`` holds a video player: a ``<video>``/``<iframe>``, or an element
    whose class, id or ``data-*`` attribute names one (players often mount by script)."""
    for el in islice(scope.iter(), MAX_FIGURE_ELEMENTS):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _PLAYER_TAGS:
            return True
        for name, value in el.items():
            if (name in ("class", "id") or name.startswith("data-")) and _PLAYER_WORDS.search(
                value
            ):
                return True
    return False


# A class or id token naming an author box, a byline or a portrait: "author", "author-box",
# "post-author-avatar", "byline", "gravatar", "autor" (German, Spanish, Polish...). Not
# "author-jane" (WordPress marks the whole post with its author's name).
_AUTHOR_WORDS = re.compile(
    r"(?:^|\s)(?:[\w-]*[-_])?(?:author|byline|g?avatar|contributor|autor|writer|columnist)"
    r"(?:[-_]{1,2}(?:box|bio|info|card|image|img|photo|pic|picture|avatar|portrait|thumb\w*"
    r"|wrap\w*|profile|details|block|meta|area|container|section|name))*(?:\s|$)",
    re.IGNORECASE,
)
MAX_AUTHOR_LEVELS = 3  # an author box wraps its portrait closely


def _author_portrait(figure: Any, scope: Any) -> bool:
    """True when the figure is a writer's portrait: its image, the figure or a close
    ancestor (below the page's containers) is named an author box, byline or avatar."""
    image = None
    if scope is not None:
        image = scope if scope.tag in _IMAGE_TAGS else next(scope.iter(*_IMAGE_TAGS), None)
    nodes = [figure, *islice(figure.iterancestors(), MAX_AUTHOR_LEVELS)]
    for node in [image, *nodes] if image is not None else nodes:
        if node.tag in _CONTAINER_TAGS:
            break
        words = " ".join(filter(None, (node.get("class"), node.get("id"))))
        if words and _AUTHOR_WORDS.search(words):
            return True
    return False


def _holds_quote(scope: Any) -> bool:
    """True when ``scope`` holds a ``<blockquote>``: ``<figure><blockquote>…</blockquote>
    <figcaption>Jane Roe, mayor</figcaption>`` is HTML's markup for an attributed quote."""
    return any(el.tag == "blockquote" for el in islice(scope.iter(), MAX_FIGURE_ELEMENTS))


def _image_credits(figure: Any) -> list[str]:
    """Credits an image carries itself: data attributes, or "caption | credit" in its title.

    Only the figure's first few images are read (``iter`` starts with an ``<img>`` figure
    itself): the credit belongs to the figure's own picture, and galleries nested in
    galleries would otherwise be read once per level.
    """
    for img in islice(figure.iter("img"), MAX_FIGURE_IMAGES):
        for attr in _DATA_CREDIT:
            if img.get(attr):
                return credit_parts(img.get(attr))
        title = img.get("title") or ""
        if " | " in title:
            return credit_parts(title.rsplit(" | ", 1)[1])
    return []


# A slideshow's position ("1/6", "2 / 6", "3 von 8"), set in an element of its own.
_COUNTER = re.compile(r"(\d{1,3})\s*(?:/|of|von|de|di|sur|z|из)\s*(\d{1,3})", re.IGNORECASE)


# A caption's own controls, set as text in an element of their own (not a <button>):
# "toggle caption", "hide caption", "Enlarge this image", "Bild vergrößern", "Zoom".
_CAPTION_CONTROL = re.compile(
    r"(?:(?:toggle|hide|show|close|open|expand|collapse)\s+(?:the\s+)?(?:caption|image|photo"
    r"|picture|gallery)|enlarge(?:\s+this)?(?:\s+(?:image|photo|picture))?|zoom(?:\s+in)?"
    r"|(?:bild|foto)?\s*vergrößern|bildunterschrift\s+(?:ein|aus)blenden|agrandir(?:\s+l.image)?"
    r"|(?:afficher|masquer)\s+la\s+légende|ampliar(?:\s+(?:la\s+)?(?:imagen|foto))?"
    r"|ingrandisci(?:\s+(?:l.)?immagine)?|vergroot(?:\s+afbeelding)?|powiększ(?:\s+zdjęcie)?"
    r"|увеличить(?:\s+фото)?)\W*",
    re.IGNORECASE,
)
_CONTROL_WORDS = re.compile(
    r"caption|image|photo|picture|gallery|enlarge|zoom|vergrößern|bildunterschrift|agrandir"
    r"|légende|ampliar|ingrandisci|vergroot|powiększ|увеличить",
    re.IGNORECASE,
)


def _caption_text(caption_el: Any, credit_els: list[Any]) -> str:
    """The caption element's visible text without its credit elements, slideshow counters
    (searched only when the text opens with a number) and the caption's own controls
    (searched only when a control's word is in it)."""
    if caption_el is None:
        return ""
    if caption_el.tag == "meta":
        return clean(caption_el.get("content")) or ""
    text = _text_without(caption_el, set(credit_els))
    if text[:1].isdigit() or _CONTROL_WORDS.search(text):
        text = _text_without(caption_el, {*credit_els, *_counters(caption_el)})
    return "" if _COUNTER.fullmatch(text) else text  # a slide's counter and nothing else


def _counters(caption_el: Any) -> list[Any]:
    """Elements inside a caption that hold only a slideshow counter (N of M, N <= M) or
    only a control's label."""
    found = []
    for el in islice(caption_el.iter(), MAX_FIGURE_ELEMENTS):
        if el is caption_el or len(el) or not isinstance(el.tag, str):
            continue
        own = (el.text or "").strip()
        match = _COUNTER.fullmatch(own)
        if (match and 0 < int(match.group(1)) <= int(match.group(2))) or (
            own and _CAPTION_CONTROL.fullmatch(own)
        ):
            found.append(el)
    return found


def _credit_text(el: Any) -> str | None:
    """A credit element's visible text (a screen-reader label such as "Credit..." or
    "Image source," is not part of it); a microdata ``<meta itemprop="creditText">``
    holds it in ``content``."""
    if el.tag == "meta":
        return clean(el.get("content"))
    return clean(_visible_text_content(el))


def _visible_text_content(el: Any) -> str:
    """``el.text_content()`` without hidden parts: pieces joined as they stand (no space
    added between inline elements, unlike ``_text_without``)."""
    return "".join(_visible_pieces(el))


def _one_caption(
    figure: Any,
    rule: Any,
    resolve: Any,
    ld_credits: dict[str, str],
    block: _Block | None = None,
    stated: bool = True,
    ids: _Ids | None = None,
) -> dict | None:
    if figure.tag == "img":  # caption and credit in the image's data attributes
        if _author_portrait(figure, figure):
            return None  # a commenter's or author's avatar tied to their name
        text = next((figure.get(a) for a in _DATA_CAPTION if figure.get(a)), "")
        if not text:
            text = _lightbox_caption(figure) or (_described_by(figure, ids) if ids else "") or ""
        caption, credit = split_credit(fragment_text(text))  # attributes may hold markup
        credits = _image_credits(figure) or credit_parts(credit)
        if not caption and not credits:
            return None
        url = resolve(_img_src(figure))
        return {"text": caption, "credit": ", ".join(credits) or None, "image_url": url}
    credit_els = _credit_elements(figure, rule)
    credit_texts = [t for t in map(_credit_text, credit_els) if t and len(t) <= MAX_CREDIT_CHARS]
    block = block or _Block()
    caption_el = _caption_element(figure, block.caption, stated)
    text = _caption_text(caption_el, credit_els)
    inline_caption, inline_credit = split_credit(text.rstrip(" /|–—-"))
    scope = _image_scope(figure) if block.image is None else block.image
    image_url = _image_url(scope, resolve)
    if image_url is None and scope is not None and (_holds_player(scope) or _holds_quote(scope)):
        return None  # a video's title or a quotation's attribution, not an image caption
    if _author_portrait(figure, scope):
        return None  # an author box: a portrait with the writer's name, not a news photo
    credits = [part for text in credit_texts for part in credit_parts(text)]
    credits.extend(credit_parts(inline_credit))
    if not credits and image_url in ld_credits:
        credits.extend(credit_parts(ld_credits[image_url]))
    if not credits:
        credits = _image_credits(figure)
    credits = list(dict.fromkeys(credits))
    caption = inline_caption
    for credit in credit_texts:  # a credit element inside the caption element
        if caption and caption.endswith(credit):
            caption = clean(caption[: -len(credit)].rstrip(" |/-–—")) or None
    label = TRAILING_LABEL.search(caption, max(0, len(caption) - 80)) if caption else None
    if caption and label:  # a label left behind by its credit element ("… Foto:")
        caption = clean(caption[: label.start()]) or None
    credits = [c for c in credits if c != caption]  # an image title repeating the caption
    if caption and (DATE_OR_DURATION.fullmatch(caption) or not any(map(str.isalnum, caption))):
        caption = None  # a video teaser's "01:43 min", the "." left before a credit
    if caption and (
        _BYLINE.match(caption) or _LINK_LABEL.match(caption) or _GALLERY_LABEL.fullmatch(caption)
    ):
        return None  # an author box with its portrait, a "read more" teaser label
    if not credits and (
        not caption or (len(caption.split()) < MIN_CAPTION_WORDS and len(caption) < 8)
    ):
        return None  # a lone word without credit is a label ("Suche"), not a caption
    return {"text": caption, "credit": ", ".join(credits) or None, "image_url": image_url}


def extract_captions(doc: Any, container: Any = None, rule: Any = None) -> list[dict[str, Any]]:
    """Captions of the article's images: ``{"text", "credit", "image_url"}`` in page order."""
    rule = rule or site_rules.for_document(doc)
    known = doc.context.captions  # extract_images asks again for the same page
    if known is not None and known[0] is rule and known[1] is container:
        return [dict(c) for c in known[2]]
    captions = _find_captions(doc, rule, container)
    doc.context.captions = (rule, container, captions)
    return [dict(c) for c in captions]


# Figures read for captions on one page: galleries hold tens to a few hundred; a crafted
# page of 200,000 would spend most of a minute on them (about 0.1-0.3 ms each).
MAX_CAPTIONS = 2000


def _find_captions(doc: Any, rule: Any, container: Any = None) -> list[dict[str, Any]]:
    resolve = url_resolver(doc)
    ld_credits = _ld_credits(doc)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str | None, str | None]] = set()
    blocks: dict[Any, _Block] = {}
    stated = survey(doc).stated_caption
    ids = _Ids(doc.root)
    for figure in islice(_figures(doc, rule, container, blocks), MAX_CAPTIONS):
        block = blocks.get(figure)
        caption = _one_caption(figure, rule, resolve, ld_credits, block, stated, ids)
        if caption is None:
            continue
        key = (caption["text"], caption["credit"])
        if key in seen:
            continue
        seen.add(key)
        out.append(caption)
    if not out:
        out = _ld_captions(doc, resolve)
    return out


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.IGNORECASE)


# Images listed for one page: an article shows tens, a gallery a few hundred; a crafted
# page of 200,000 would make a record of that many (and a minute's work downstream).
MAX_IMAGES = 2000


def extract_images(doc: Any, container: Any = None, rule: Any = None) -> list[dict[str, Any]]:
    """Images of the article: ``{"url", "alt", "caption", "credit", "is_cover"}``."""
    resolve = url_resolver(doc)
    captions = {c["image_url"]: c for c in extract_captions(doc, container, rule) if c["image_url"]}
    cover = doc.meta_first("og:image", "twitter:image")
    cover_url = resolve(cover) if cover else None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    scope = container if container is not None else doc.root
    urls = list(captions)
    alts: dict[str, str | None] = {}
    rule = rule or site_rules.for_document(doc)
    dropped = {el for el in rule.select(scope, "drop") if hasattr(el, "tag")} if rule else set()
    in_chrome = _ChromeAbove()
    in_teaser = _TeaserAbove(dropped)
    for img in scope.iter("img"):
        if len(alts) > MAX_IMAGES:  # the list keeps the first MAX_IMAGES addresses
            break
        url = resolve(_img_src(img))
        if url and not in_chrome(img) and not in_teaser(img):
            urls.append(url)
            alts.setdefault(url, clean(fragment_text(img.get("alt") or "")))
    missing = set(captions) - alts.keys()  # captioned images outside the scope: their alt
    for img in survey(doc).images if missing else ():  # (no URL resolved in vain)
        url = resolve(_img_src(img))
        if url is not None and url in missing:
            alts[url] = clean(fragment_text(img.get("alt") or ""))
            missing.discard(url)
            if not missing:
                break
    if cover_url:
        urls.insert(0, cover_url)
    for url in urls:
        if url in seen:
            continue
        if len(out) >= MAX_IMAGES:
            break
        seen.add(url)
        caption = captions.get(url, {})
        out.append(
            {
                "url": url,
                "alt": alts.get(url),
                "caption": caption.get("text"),
                "credit": caption.get("credit"),
                "is_cover": url == cover_url or (not cover_url and not out),
            }
        )
    return out
