"""Article body, lede and sections: which text on the page is the article's own.

Layered: a site rule's container and drop selectors when one applies, then a
generic extractor. The generic one cuts the page into text segments (one
iterative walk, chrome skipped), weighs each segment by its non-link text
(JSON-LD ``articleBody`` confirms or demotes segments), sums the weights up the
tree in one reverse pass, and walks down from ``<body>`` while one child holds
nearly all the weight. The paragraphs of that container, in document order,
minus teaser/byline/"read more" lines, are the body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from newsarchive.extraction import pageindex
from newsarchive.extraction import rules as site_rules
from newsarchive.extraction.bodylines import MAX_LINK_DENSITY, is_body_line
from newsarchive.extraction.boilerplate import attr_words, never_article
from newsarchive.extraction.cleanhtml import clean_html
from newsarchive.extraction.headline import site_name_keys
from newsarchive.extraction.lede import find_lede, word_key
from newsarchive.extraction.pageindex import ClassIndex, Walked
from newsarchive.extraction.segments import HEADING_TAGS, Segment, segment_page
from newsarchive.extraction.sitenames import key as name_key
from newsarchive.extraction.survey import survey
from newsarchive.extraction.text import clean

log = logging.getLogger(__name__)

# How much a segment's text counts towards its container, by owner tag.
TAG_WEIGHT = {
    "p": 1.0, "div": 0.8, "section": 0.6, "article": 0.6, "td": 0.5, "dd": 0.5,
    "blockquote": 0.7, "li": 0.35, "pre": 0.4, "span": 0.6, "font": 0.6, "center": 0.6,
}  # fmt: skip
MIN_SEGMENT_CHARS = 20  # shorter segments are labels, not paragraphs (for weighing only)
DESCEND_SHARE = 0.85  # walk into a child that holds this share of its parent's weight
LD_MATCH_BOOST = 3.0  # segment found in JSON-LD articleBody
LD_MISS_FACTOR = 0.25  # segment absent from a long JSON-LD articleBody
RELEASE_SHARE = 0.5  # a "chrome" wrapper holding this share of the page's weight is content
INNER_RELEASE_SHARE = 0.15  # ... or this share of the chosen container's weight
LOST_SHARE = 0.05  # below this share of the page's weight outside chrome, release more
REPEATED_MIN_COUNT = 3  # a short text seen this often on one page is a placeholder or label
REPEATED_MAX_CHARS = 300
SHORT_BLOCK = 200  # short blocks are noted for the related-links headings
LD_FALLBACK_RATIO = 0.3  # DOM body shorter than this share of JSON-LD articleBody: use the latter

# Direct children of the container that are text themselves, kept even when short.
_TEXT_BRANCH_TAGS = HEADING_TAGS | {"p", "blockquote", "ul", "ol"}
_SIBLING_TEXT_TAGS = frozenset({"p", "h2", "h3", "h4", "blockquote"})


@dataclass
class BodyResult:
    """What :func:`extract_body` found (see docs/ARCHITECTURE.md)."""

    lede: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    node: Any = None
    headings: set[str] = field(default_factory=set)
    blockquotes: list[str] = field(default_factory=list)


def _repeated_texts(segments: list[Segment]) -> set[str]:
    """Short texts the page repeats: placeholders ("External content not available"),
    labels and prompts, never an article's own sentences."""
    counts: dict[str, int] = {}
    for seg in segments:
        if len(seg.text) <= REPEATED_MAX_CHARS:
            counts[seg.text] = counts.get(seg.text, 0) + 1
    return {text for text, n in counts.items() if n >= REPEATED_MIN_COUNT}


def _ld_article_body(doc: Any) -> str | None:
    for obj in doc.json_ld:
        body = obj.get("articleBody")
        if isinstance(body, str) and len(body) > 200:
            return word_key(body)
    return None


def _ld_fallback(doc: Any, lede: str | None, paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """The JSON-LD articleBody when the markup shows only a fraction of it (pages rendered
    by JavaScript ship their text in structured data only)."""
    shown = len(lede or "") + sum(len(p) for p in paragraphs)
    for obj in doc.json_ld:
        body = obj.get("articleBody")
        if not isinstance(body, str) or len(body) <= 200 or shown >= LD_FALLBACK_RATIO * len(body):
            continue
        parts = [line for line in (clean(x) for x in body.splitlines()) if line]
        if parts:
            log.debug("body from JSON-LD articleBody (%d of %d chars shown)", shown, len(body))
            description = doc.meta_first("og:description", "description")
            if lede and description and word_key(lede) == word_key(description):
                return lede, parts  # a standfirst the page does show
            return parts[0], parts[1:]
    return lede, paragraphs


BLOB_CHARS = 100  # ASCII text this long without a space is a token, not prose


def _blob(text: str) -> bool:
    """Base64 payloads, hashes, long URLs: ASCII without a space (CJK prose has none
    either, which is why the test is for ASCII)."""
    head = text[:BLOB_CHARS]
    return len(head) == BLOB_CHARS and " " not in head and head.isascii()


def _weigh(seg: Segment) -> float:
    """The segment's prose weight (a soft ``<header>`` segment's too: see _open_headers)."""
    if seg.tag in HEADING_TAGS or seg.tag == "h1":
        return 0.0
    length = len(seg.text)
    if length < MIN_SEGMENT_CHARS or seg.link_density > MAX_LINK_DENSITY:
        return 0.0
    if length >= BLOB_CHARS and _blob(seg.text):
        return 0.0
    return length * (1.0 - seg.link_density) * TAG_WEIGHT.get(seg.tag, 0.5)


def _in_ld_body(seg: Segment, ld_body: str) -> bool:
    probe = word_key(seg.text)[:80]
    return bool(probe) and probe in ld_body


def _ld_weights(segments: list[Segment], weights: list[float], ld_body: str) -> list[float]:
    """Weights confirmed or demoted by the JSON-LD ``articleBody``: a segment found in it
    counts LD_MATCH_BOOST times, one absent LD_MISS_FACTOR times, unless it sits in a
    block of the same kind (tag and class) as those holding the ``articleBody``'s text: a
    CMS that cuts the article into ``<div class="paragraph">`` blocks may put only the
    first block in its structured data. Each segment is looked up once."""
    found = [
        bool(w) and _in_ld_body(seg, ld_body) for seg, w in zip(segments, weights, strict=True)
    ]
    keys: dict[Any, Any] = {}
    parent_keys = {
        _memo_key(parent, keys)
        for seg, hit in zip(segments, found, strict=True)
        if hit and (parent := seg.owner.getparent()) is not None
    }
    out: list[float] = []
    for seg, weight, hit in zip(segments, weights, found, strict=True):
        if weight and not hit:
            parent = seg.owner.getparent()
            if not (
                parent is not None
                and parent.get("class")
                and _memo_key(parent, keys) in parent_keys
            ):
                weight *= LD_MISS_FACTOR
        out.append(weight * LD_MATCH_BOOST if hit else weight)
    return out


# Teaser cards: blocks of other stories, each a linked title with a short excerpt.
TEASER_MIN_CARDS = 3  # a grid or list of other stories has at least this many cards
TEASER_CARD_CHARS = 600  # a card is short: title, date, kicker and a sentence or two
LONG_CARD_FACTOR = 2  # in a list of short cards, one with a longer excerpt is a card too
TITLE_MIN_WORDS = 3
TITLE_LINK_DENSITY = 0.9


def _title_link(seg: Segment) -> bool:
    """A segment that is one link of a few words: another story's title."""
    if seg.link_density < TITLE_LINK_DENSITY or len(seg.text.split()) < TITLE_MIN_WORDS:
        return False
    hrefs = set()
    for a in seg.owner.iter("a"):
        hrefs.add(a.get("href"))
        if len(hrefs) > 1:
            return False  # (a menu's block links many pages: no need to read them all)
    if not hrefs:
        link = next(seg.owner.iterancestors("a"), None)
        hrefs = {link.get("href")} if link is not None else set()
    if len(hrefs) != 1:
        return False
    href = hrefs.pop()
    return bool(href) and not href.startswith(("#", "javascript:"))  # not an in-page anchor


def _teaser_cards(segments: list[Segment]) -> set[Any]:
    """Elements inside teaser cards: three or more blocks under one parent, each the
    largest block around one linked title (a link to another page, not an in-page anchor)
    and short (title, date, kicker, an excerpt). The excerpts are unlinked prose, so
    without this a list of other stories weighs like paragraphs, and a chrome "related"
    wrapper around it may be released as content. A ``<p>`` is never a card: a box the
    parser nested into a paragraph shares it with the paragraph's own text."""
    chars: dict[Any, int] = {}
    title_owners: list[Any] = []
    for seg in segments:
        chars[seg.owner] = chars.get(seg.owner, 0) + len(seg.text)
        if _title_link(seg):
            title_owners.append(seg.owner)
    if len(title_owners) < TEASER_MIN_CARDS:
        return set()
    titles: dict[Any, int] = {}  # titles inside an ancestor, counted up to two
    for owner in title_owners:
        for el in owner.iterancestors():
            count = titles.get(el, 0)
            if count >= 2:
                break  # and so do all its ancestors: each element is counted twice at most
            titles[el] = count + 1
    grids: dict[Any, list[Any]] = {}
    for owner in title_owners:
        card = owner
        parent = card.getparent()
        while parent is not None and titles.get(parent) == 1:
            card, parent = parent, parent.getparent()
        if card is owner or parent is None or card.tag == "p":
            continue
        size = sum(chars.get(el, 0) for el in card.iter())
        if size <= LONG_CARD_FACTOR * TEASER_CARD_CHARS:
            grids.setdefault(parent, []).append((card, size))
    found: set[Any] = set()
    for cards in grids.values():
        if sum(size <= TEASER_CARD_CHARS for _, size in cards) >= TEASER_MIN_CARDS:
            for card, _ in cards:
                found.update(card.iter())
    return found


def _open_headers(segments: list[Segment], weights: list[float]) -> list[float]:
    """Weights with the ``<header>`` segments zeroed, except in headers that hold most of
    the page's prose: a template that wraps the page in ``<header>``, or never closes one
    (a forum's per-post header then holds each post: headers of one class count together),
    has its article there, and those segments lose their soft mark."""
    held: dict[Any, float] = {}
    soft: list[tuple[int, Any]] = []
    keys: dict[Any, Any] = {}
    for i, seg in enumerate(segments):
        if seg.header is not None:
            key = _memo_key(seg.header, keys)
            soft.append((i, key))
            held[key] = held.get(key, 0.0) + weights[i]
    if not soft:
        return weights
    bar = RELEASE_SHARE * sum(weights)
    for i, key in soft:
        if held[key] and held[key] >= bar:
            segments[i].soft = False
        else:
            weights[i] = 0.0
    return weights


# A class word ending in a serial number or hash ("element-5180d118", "post-2496").
# (It starts where a word does: a match found mid-word would start at the word's start.)
_NUMBERED_CLASS = re.compile(r"(?<!\S)\S*[-_](?=[0-9a-f]*\d)[0-9a-f]{4,}(?!\S)")


# State words a script toggles on one block of a series (the slide shown, the open tab).
_STATE_CLASS = re.compile(
    r"(?<!\S)(?:is-)?(?:hidden|active|current|selected|visible|show|shown|open)(?!\S)"
)


def _group_key(wrapper: Any) -> Any:
    """Wrappers of one tag and class count together; a class word ending in a number or
    hash is an id a page builder gives each block ("element-5180d118"), not its kind, and a
    state word ("hidden", "is-active") is the block's state: a slideshow's shown slide is
    one of its slides."""
    cls = wrapper.get("class")
    if not cls:
        return wrapper
    cls = _STATE_CLASS.sub("", _NUMBERED_CLASS.sub("", cls))
    return wrapper.tag, " ".join(cls.split())


def _memo_key(wrapper: Any, keys: dict[Any, Any]) -> Any:
    """:func:`_group_key`, kept in ``keys`` (segments share their wrappers)."""
    key = keys.get(wrapper)
    if key is None:
        key = keys[wrapper] = _group_key(wrapper)
    return key


def _released_chrome(segments: list[Segment], weights: list[float]) -> set[Any]:
    """Chrome wrappers that hold most of the page's text: they wrap the article itself.

    Wrappers of the same tag and class count together: an article cut into a run of
    "article-widget" blocks is released as a whole, however its text is split. When
    that leaves next to no text outside chrome (a page builder calls every block a
    "widget"), every group holding a fair share is released: an article among chrome
    is better than none. Text of consent dialogs, which are never released, does not
    count towards the page's total.
    """
    keyed: list[tuple[float, list[Any]]] = []
    members: dict[Any, set[Any]] = {}
    key_of: dict[Any, Any] = {}
    page_total = bare = 0.0  # bare: weight of segments under no chrome wrapper at all
    for seg, weight in zip(segments, weights, strict=True):
        if not weight:
            continue
        if not seg.chrome:
            page_total += weight
            bare += weight
            continue
        keys = []
        for wrapper in seg.chrome:
            key = key_of.get(wrapper)
            if key is None:
                key = key_of[wrapper] = _group_key(wrapper)
                members.setdefault(key, set()).add(wrapper)
            keys.append(key)
        keyed.append((weight, keys))
    never = {key for key, group in members.items() if never_article(attr_words(next(iter(group))))}
    held: dict[Any, float] = {}
    for weight, keys in keyed:
        if never.isdisjoint(keys):
            page_total += weight
            for key in keys:
                held[key] = held.get(key, 0.0) + weight
    released = _groups_over(held, members, RELEASE_SHARE * page_total)
    if bare >= LOST_SHARE * page_total:
        return released
    outside = sum(
        w for s, w in zip(segments, weights, strict=True) if w and not _is_chrome(s, released)
    )
    if outside < LOST_SHARE * page_total:
        released = _groups_over(held, members, INNER_RELEASE_SHARE * page_total)
    return released


def _groups_over(held: dict[Any, float], members: dict[Any, set[Any]], bar: float) -> set[Any]:
    released: set[Any] = set()
    for key, value in held.items():
        if value >= bar:
            released |= members[key]
    return released


def _is_chrome(seg: Segment, released: set[Any]) -> bool:
    """Under a chrome wrapper that was not released."""
    return not released.issuperset(seg.chrome)


def _totals(
    start: Any, segments: list[Segment], order: list[Any], weights: list[float]
) -> dict[Any, float]:
    """Each element's summed segment weight, in one reverse pass over document order."""
    total: dict[Any, float] = {}
    for seg, weight in zip(segments, weights, strict=True):
        if weight:
            total[seg.owner] = total.get(seg.owner, 0.0) + weight
    for el in reversed(order):
        value = total.get(el)
        if value and el is not start:
            parent = el.getparent()
            if parent is not None:
                total[parent] = total.get(parent, 0.0) + value
    return total


def _released_inside(
    inside: set[Any], segments: list[Segment], raw: list[float], released: set[Any]
) -> set[Any]:
    """Chrome wrappers inside the article container that hold a real share of its prose
    (text split over several "widget" blocks, a "u-overflow-hidden" layout wrapper)."""
    held: dict[Any, float] = {}
    container_total = 0.0
    for seg, weight in zip(segments, raw, strict=True):
        if weight and seg.owner in inside:
            container_total += weight
            for wrapper in seg.chrome:
                if wrapper in inside and wrapper not in released:
                    held[wrapper] = held.get(wrapper, 0.0) + weight
    return {
        el
        for el, value in held.items()
        if value >= INNER_RELEASE_SHARE * container_total and _may_hold_article(el)
    }


# An author box ("author-bio", "about-author", "description_auteur"): a note on the writer.
_AUTHOR_BOX = re.compile(r"auth?or|auteur", re.IGNORECASE)


# Wrappers that name other content: other stories, the readers' comments, prompts.
_OTHER_CONTENT = re.compile(
    r"(?<![^\s_-])(?:related|recommend|more-?stories|read-?more|also-?read|see-?also|comments?"
    r"(?![a-z])|newsletter|subscri|outbrain|taboola|most-?(?:read|popular)|trending|teaser-?list"
    r"|promo|sponsor)",
    re.IGNORECASE,
)


def _may_hold_article(el: Any) -> bool:
    """False for wrappers inside the article that never hold its text however short it
    is: consent dialogs, the article's own ``<footer>`` (tags, post metadata, the
    author's note), author boxes and wrappers naming other content (related stories,
    comments, newsletter prompts)."""
    if el.tag == "footer":
        return False
    words = attr_words(el)
    return not (never_article(words) or _AUTHOR_BOX.search(words) or _OTHER_CONTENT.search(words))


def _choose_container(start: Any, segments: list[Segment], order: list[Any], weights: list[float]):
    """Sum weights up the tree, then walk down while one child holds nearly everything."""
    total = _totals(start, segments, order, weights)
    node = start
    while True:
        node_total = total.get(node, 0.0)
        best, best_total = None, 0.0
        for child in node:
            value = total.get(child, 0.0)
            if value > best_total:
                best, best_total = child, value
        if best is None or best_total < DESCEND_SHARE * node_total:
            return (*_with_text_siblings(node, start, total), total)
        node = best


LIGHT_SIBLING_SHARE = 0.01  # a sibling block this light beside the container is a byline


def _with_text_siblings(
    node: Any, start: Any, total: dict[Any, float]
) -> tuple[Any, list[Any], set[Any]]:
    """Climb to the parent when the container's weighted siblings are paragraphs themselves:
    an intro <p> beside the <div> holding the rest is part of the article. Sibling blocks
    that weigh next to nothing (the byline's box between the intro and the rest) do not
    stop the climb to an intro above the container; they are returned, to be left out of
    the container, with the nodes climbed from past them (whose blocks without a paragraph
    are left out as the container's are)."""
    light: set[Any] = set()
    climbed: list[Any] = []
    while node is not start:
        parent = node.getparent()
        if parent is None:
            break
        others = [c for c in parent if c is not node and total.get(c)]
        bar = LIGHT_SIBLING_SHARE * total.get(node, 0.0)
        parts = _first_parts(parent, node)
        blocks = [c for c in others if c.tag not in _SIBLING_TEXT_TAGS and c not in parts]
        if len(blocks) == len(others) or any(total[c] >= bar for c in blocks):
            break
        if blocks and _text_after(parent, node, total):
            break  # past light blocks, only an intro above the container joins it
        light.update(blocks)
        climbed.append(node)
        node = parent
    return node, (climbed if light else []), light


def _wrapped_heading(branch: Any) -> bool:
    """A block whose only text is one subheading (``<div class="headline"><h4>``): page
    builders wrap each heading of the article in a block of its own."""
    found = None
    for heading in branch.iter(*HEADING_TAGS):
        if found is not None:
            return False
        found = heading
    if found is None:
        return False
    return clean(found.text_content()) == clean(branch.text_content())


def _wrapped_label(branch: Any) -> bool:
    """A block whose whole text is one short line (a label such as "Zum Weiterlesen:",
    not a box of links under its label)."""
    words = (clean(branch.text_content()) or "").split()
    return 0 < len(words) <= CLOSING_HEADING_WORDS


def _first_parts(parent: Any, node: Any) -> set[Any]:
    """Blocks before ``node`` of its tag whose class words are some of its own: the free
    first part of a text whose rest sits in a "walled" block of the same kind."""
    words = set((node.get("class") or "").split())
    found: set[Any] = set()
    if not words:
        return found
    for child in parent:
        if child is node:
            break
        cls = child.get("class")
        if child.tag == node.tag and cls and set(cls.split()) <= words:
            found.add(child)
    return found


def _text_after(parent: Any, node: Any, total: dict[Any, float]) -> bool:
    """Whether a weighted text sibling follows ``node`` (a note or a DOI line under it)."""
    seen = False
    for child in parent:
        if child is node:
            seen = True
        elif seen and total.get(child) and child.tag in _SIBLING_TEXT_TAGS:
            return True
    return False


def _leave_out_empty_blocks(
    branches: list[Any],
    total: dict[Any, float],
    inside: set[Any],
    left_out: set[Any],
    html_drop: set[Any],
) -> None:
    """Take the container's blocks that hold no single real paragraph out of ``inside``
    (into ``html_drop``; one-line labels into ``left_out`` too)."""
    for i, branch in enumerate(branches):
        if branch.tag not in _TEXT_BRANCH_TAGS and not total.get(branch):
            if _wrapped_heading(branch) and any(total.get(b) for b in branches[i + 1 :]):
                continue  # a subheading in a block of its own, text follows
            if branch.find(".//pre") is not None:
                continue  # a short code block in its highlighter's wrapper
            inside.difference_update(branch.iter())  # no single real paragraph in it
            if _wrapped_label(branch):
                left_out.update(branch.iter())
            html_drop.add(branch)


def _rule_container(doc: Any, rule: Any) -> tuple[Any, set[Any]]:
    container = None
    if rule is not None:
        found = [el for el in rule.select(doc.root, "body") if hasattr(el, "tag")]
        container = found[0] if found else None
    drop: set[Any] = set()
    if rule is not None:
        scope = container if container is not None else doc.root
        drop = {el for el in rule.select(scope, "drop") if hasattr(el, "tag")}
    return container, drop


def _rejected_blocks(chosen: list[Segment], lines: list[Segment]) -> set[Any]:
    """Blocks of the container whose text did not make the body (bylines, labels, the lede),
    except those that also hold body lines."""
    kept = {s.owner for s in lines}
    holders: set[Any] = set()
    for owner in kept:
        for anc in owner.iterancestors():
            if anc in holders:
                break
            holders.add(anc)
    return {s.owner for s in chosen if s.owner not in kept and s.owner not in holders}


def _sections(paragraphs: list[str], headings: set[str]) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = [{"headline": None, "paragraphs": []}]
    for text in paragraphs:
        if text in headings:
            sections.append({"headline": text, "paragraphs": []})
        else:
            sections[-1]["paragraphs"].append(text)
    return [s for s in sections if s["headline"] or s["paragraphs"]]


# Headings that close an article and open the site's own lists ("More TechCrunch",
# "Most read", "Read next", "Weitere Meldungen", "Articles similaires"), or its comments
# and category lists: what follows them is other stories' teasers or the readers' voice.
_CLOSING_HEADING = re.compile(
    r"^(?:more\s+(?:from|on|stories|news|articles)\b|most\s+(?:read|popular|viewed|shared)"
    r"|read\s+next|trending(?:\s+now)?$|latest\s+(?:news|stories)$|top\s+stories$"
    r"|recommended(?:\s+for\s+you)?$|you\s+(?:may|might)\s+also\s+like|meistgelesen"
    r"|related\s+(?:articles|posts|stories|news|content)$|leave\s+a\s+(?:comment|reply)"
    r"|(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|reacties)$"
    r"|categories$|kategorien$|catégories$|categorías$"
    r"|weitere\s+(?:meldungen|artikel|beiträge|nachrichten|news|themen|aktuelle)"
    r"|verwandte\s+(?:beiträge|artikel)|schon\s+gelesen|lesen\s+sie\s+auch|auch\s+interessant"
    r"|ähnliche\s+(?:beiträge|artikel)|das\s+könnte\s+sie\s+auch|zum\s+weiterlesen"
    r"|mehr\s+zum\s+thema|kommentar\s+(?:erstellen|schreiben)|empfehlungen\s+aus"
    r"|les\s+plus\s+lus|à\s+lire\s+aussi|sur\s+le\s+même\s+sujet|articles\s+similaires"
    r"|lo\s+más\s+leído|(?:noticias|notas|artículos)\s+relacionad[oa]s|(?:también\s+)?te\s+puede\s+interesar"
    r"|articoli\s+correlati|potrebbe\s+interessarti|leia\s+também|notícias\s+relacionadas"
    r"|gerelateerde\s+artikelen"
    # "Artikel und Videos zum Thema", "Audios et vidéos sur le sujet": media on the topic.
    r"|(?:(?:artikel|beiträge|audios?|videos?|articles|vidéos)\s+(?:und|et|and|y)\s+)?"
    r"(?:artikel|beiträge|audios?|videos?|articles|vidéos|stories)\s+"
    r"(?:zum\s+thema|sur\s+le\s+sujet|on\s+(?:the|this)\s+(?:topic|subject)|sobre\s+el\s+tema)$"
    # Notes after the text: where to read on, whom to ask, what it drew on.
    r"|(?:weitere|zusatz)\s*informationen|zum\s+weiterlesen|quellenangaben|kontakt:?$"
    r"|więcej\s+informacji|further\s+reading|more\s+information:?$|más\s+información:?$"
    # The author's note under the text.
    r"|about\s+the\s+authors?$|über\s+(?:den\s+autor|die\s+autorin|die\s+autoren)|zur\s+person$"
    r"|à\s+propos\s+de\s+l.auteur|sobre\s+(?:el\s+autor|la\s+autora)|o\s+autorze"
    # The same lists in scripts without spaces and in Slavic languages.
    r"|関連(?:記事|ニュース)$|あわせて読みたい$|おすすめ記事$|相[关關](?:新[闻聞]|[阅閱][读讀]|文章|[报報]道)$"
    r"|推荐阅读$|延伸[阅閱][读讀]$|관련\s*기사$|많이\s*본\s*기사$|похожие\s+(?:статьи|новости)$"
    r"|другие\s+новости$|zobacz\s+(?:też|także|również)$|przeczytaj\s+(?:też|także|również)$"
    r"|související\s+články$|přečtěte\s+si\s+také$)",
    re.IGNORECASE,
)
# "More TechCrunch", "Mehr Kolumnen auf MeinMMO:", "Auch auf <site>": more of the site itself.
_MORE_OF_SITE = re.compile(
    r"^(?:(?:more|mehr|plus)(?:\s+\S+){0,2}?\s+(?:on|at|from|auf|bei|von|sur|de)"
    r"|(?:more|mehr|plus)|(?:also|auch|aussi|también)\s+(?:on|auf|sur|en|bei))\s+(?P<site>.+?):?$",
    re.IGNORECASE,
)
# Blocks a template styles as a heading without a heading tag ("<div class=title>").
_LABEL_TAGS = frozenset({"div", "span", "strong", "b", "dt", "li", "p"})
CLOSING_HEADING_SHARE = 0.6  # only once this share of the body text lies above it
CLOSING_HEADING_WORDS = 6
_HEADING_BRACKETS = "【】[]〔〕「」《》<> "


def _closing_heading(text: str, site_keys: set[str]) -> bool:
    """ "Most read", "Read next", or "More <the site's name>"."""
    if len(text.split()) > CLOSING_HEADING_WORDS:
        return False
    # "Schon gelesen?", "【関連記事】" ("Kategorien:" labels a line of links: its colon stays)
    text = text.rstrip(" ?!.…").strip(_HEADING_BRACKETS)
    if _CLOSING_HEADING.match(text):
        return True
    more = _MORE_OF_SITE.match(text)
    return more is not None and name_key(more.group("site")) in site_keys


def _before_closing_heading(
    lines: list[Segment], doc: Any, labels: list[Segment], segments: list[Segment]
) -> list[Segment]:
    """``lines`` up to a closing heading that comes after most of the article's text.

    ``labels``: headings of the container's blocks that hold no paragraph (left out of
    the body, "<div class=title>Zum Weiterlesen:</div>"), which close the article too.
    """
    total = sum(len(s.text) for s in lines)
    extra = {id(seg) for seg in labels}
    merged = lines
    if labels:
        position = {id(seg): i for i, seg in enumerate(segments)}
        merged = sorted(lines + labels, key=lambda seg: position[id(seg)])
    site_keys: set[str] | None = None
    seen = 0
    for i, seg in enumerate(merged):
        if (
            (seg.tag in HEADING_TAGS or seg.tag in _LABEL_TAGS)
            and seen >= CLOSING_HEADING_SHARE * total
            and len(seg.text.split()) <= CLOSING_HEADING_WORDS  # (before the site's names)
        ):
            site_keys = site_name_keys(doc) if site_keys is None else site_keys
            if _closing_heading(seg.text, site_keys):
                return [s for s in merged[:i] if id(s) not in extra]
        if id(seg) not in extra:
            seen += len(seg.text)
    return lines


_HEADED_CONTENT = frozenset({"figure", "table"})  # a heading over these titles content


LINKED_MIN_WORDS = 12
LINKED_MIN_LINKS = 2
_SENTENCE_END = (".", "!", "?", "…", '"', "”", "»", "“", "。")


def _with_linked_sentences(
    chosen: list[Segment], lines: list[Segment], headline: str | None
) -> list[Segment]:
    """``lines`` with the paragraphs left out only for their links that sit between body
    paragraphs of the same parent: a sentence whose names all link to topic pages is
    prose (a teaser's excerpt stands apart, after the text)."""
    kept = {id(s) for s in lines}
    owners = {s.owner for s in lines if s.tag == "p"}
    out: list[Segment] = []
    for seg in chosen:
        linked = id(seg) not in kept and _linked_sentence(seg, owners)
        if id(seg) in kept or (linked and is_body_line(seg, headline, links=False)):
            out.append(seg)
    return out if len(out) > len(lines) else lines


def _linked_sentence(seg: Segment, owners: set[Any]) -> bool:
    if seg.tag != "p" or seg.link_density <= MAX_LINK_DENSITY:
        return False
    text = seg.text
    if len(text.split()) < LINKED_MIN_WORDS or not text.endswith(_SENTENCE_END):
        return False
    if sum(1 for _ in seg.owner.iter("a")) < LINKED_MIN_LINKS:
        return False
    before, after = _sibling_element(seg.owner, -1), _sibling_element(seg.owner, 1)
    return before in owners or after in owners


def _sibling_element(el: Any, step: int) -> Any:
    found = el.getprevious() if step < 0 else el.getnext()
    while found is not None and not isinstance(found.tag, str):
        found = found.getprevious() if step < 0 else found.getnext()
    return found


def _without_trailing_headings(lines: list[Segment]) -> list[Segment]:
    """``lines`` without the headings that end them and head something the body left out
    (a box of other stories, a form): a block follows them in the markup. The last block of
    the text (a paywall cuts an article after a subheading) and the title of a table or
    figure stay."""
    end = len(lines)
    while end and lines[end - 1].tag in HEADING_TAGS:
        following = _next_element(lines[end - 1].owner)
        if following is None or following.tag in _HEADED_CONTENT:
            break
        end -= 1
    return lines[:end] if end else lines


def _next_element(el: Any) -> Any:
    following = el.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()  # comments, processing instructions
    return following


def extract_body(doc: Any, hints: dict[str, Any] | None = None) -> BodyResult:
    """Find the article container and split its text into lede, paragraphs and sections."""
    hints = hints or {}
    rule = hints.get("rule") or site_rules.for_document(doc)
    start = _walk_start(doc)
    rule_container, drop = _rule_container(doc, rule)
    result = _extract_from(doc, hints, rule, start, rule_container, drop)
    if rule_container is None:
        shown = _shown_chars(result)
        if shown < NOSCRIPT_FALLBACK_CHARS:
            fallback = _prose_noscript(start, shown)
            if fallback is not None:
                log.debug("body from <noscript> (%d chars shown outside it)", shown)
                return _extract_from(doc, hints, rule, fallback, None, drop, remember=False)
    return result


def _walk_start(doc: Any) -> Any:
    """Where the walk starts: the page's ``<body>``, else its root."""
    start = doc.root.find("body")
    return doc.root if start is None else start


def walk_page(doc: Any) -> None:
    """The body's walk taken ahead (the engine asks right after the parse), with the
    page's class index read on the way: the index is asked for before the body stage
    (metadata, dates, rules), and a pass of its own would read every element again. The
    body stage takes the walk when it walks the same subtree with nothing dropped."""
    start = _walk_start(doc)
    classes = Walked(start)
    page = segment_page(start, None, classes)
    doc.context.walk = (start, page)
    if doc.context.classes is None:
        doc.context.classes = ClassIndex(doc.root, classes)


NOSCRIPT_FALLBACK_CHARS = 300  # a body shorter than this may be one a script fills in
NOSCRIPT_GAIN = 3  # ... from the <noscript> copy holding this many times its text


def _shown_chars(result: BodyResult) -> int:
    return len(result.lede or "") + sum(len(p) for p in result.paragraphs)


def _prose_noscript(start: Any, shown: int) -> Any:
    """The ``<noscript>`` holding the article when the page shows next to nothing without
    scripts: pages that render their text by JavaScript give readers without it a copy."""
    best, best_chars = None, max(NOSCRIPT_FALLBACK_CHARS, NOSCRIPT_GAIN * shown)
    for noscript in start.iter("noscript"):
        chars = len(clean(noscript.text_content()) or "")
        if chars > best_chars:
            best, best_chars = noscript, chars
    return best


def _extract_from(
    doc: Any,
    hints: dict[str, Any],
    rule: Any,
    start: Any,
    rule_container: Any,
    drop: set[Any],
    remember: bool = True,
) -> BodyResult:
    """:func:`extract_body` on the subtree ``start`` (the page's ``<body>`` or a fallback)."""
    headline = clean(hints.get("headline"))
    ahead, doc.context.walk = doc.context.walk, None
    if ahead is not None and ahead[0] is start and not drop and remember:
        page = ahead[1]
    else:
        page = segment_page(start, drop)
    if remember:
        pageindex.remember(doc, page.index)
    segments = page.segments
    page.index.short_blocks = [(s.owner, s.text) for s in segments if len(s.text) <= SHORT_BLOCK]
    repeated = _repeated_texts(segments)
    html_drop = set(drop)  # subtrees the cleaned HTML leaves out
    if rule_container is not None:
        container = rule_container
        inside = set(container.iter())
        released = set()
        chosen = [s for s in segments if s.owner in inside and not s.soft]
    else:
        ld_body = _ld_article_body(doc)
        teasers = _teaser_cards(segments)
        raw = [0.0 if s.text in repeated or s.owner in teasers else _weigh(s) for s in segments]
        if ld_body is not None:
            raw = _ld_weights(segments, raw, ld_body)
        raw = _open_headers(segments, raw)
        released = _released_chrome(segments, raw)
        weights = [
            0.0 if _is_chrome(s, released) else w for s, w in zip(segments, raw, strict=True)
        ]
        container, climbed, light, total = _choose_container(start, segments, page.order, weights)
        if not total.get(container):
            return BodyResult(node=None)
        inside = set(container.iter())
        for block in light:
            inside.difference_update(block.iter())
            html_drop.add(block)
        inner = _released_inside(inside, segments, raw, released)
        if inner:
            released |= inner
            weights = [
                0.0 if _is_chrome(s, released) else w for s, w in zip(segments, raw, strict=True)
            ]
            total = _totals(start, segments, page.order, weights)
        left_out: set[Any] = set()
        for node in (container, *climbed):
            _leave_out_empty_blocks(list(node), total, inside, left_out, html_drop)
        chosen = [
            s
            for s in segments
            if s.owner in inside
            and not s.soft
            and not _is_chrome(s, released)
            and s.owner not in teasers
        ]
        labels = [
            s
            for s in segments
            if s.owner in left_out
            and (s.tag in HEADING_TAGS or s.tag in _LABEL_TAGS)
            and not s.soft
            and not _is_chrome(s, released)
        ]
    tagged = survey(doc).tag_linked
    lines = [
        s for s in chosen if s.text not in repeated and is_body_line(s, headline, tag_linked=tagged)
    ]
    if rule_container is None:
        lines = _with_linked_sentences(chosen, lines, headline)
        lines = _before_closing_heading(lines, doc, labels, segments)
        lines = _without_trailing_headings(lines)
    headings = {s.text for s in lines if s.tag in HEADING_TAGS}
    lede, lines = find_lede(doc, segments, lines, hints, rule)
    paragraphs = [s.text for s in lines]
    if rule_container is None:
        lede, paragraphs = _ld_fallback(doc, lede, paragraphs)
    return BodyResult(
        lede=lede,
        paragraphs=paragraphs,
        sections=_sections(paragraphs, headings),
        html=clean_html(container, html_drop | _rejected_blocks(chosen, lines), doc, released),
        node=container,
        headings=headings,
        blockquotes=[s.text for s in lines if s.quote],
    )
