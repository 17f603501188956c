"""Which subtrees of a page are never article text.

Tables, not branches: tags that never hold body text, class/id words that mark
page chrome (navigation, sharing, comments, promos...), and words that mark the
article itself (so a wrapper like ``<div class="article-body share-enabled">``
is not thrown away for its "share").
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.extraction.patterns import grouped, split_alternatives

# Tags whose subtree is never body text.
DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "button", "select", "option", "input",
        "textarea", "iframe", "svg", "canvas", "figure", "figcaption", "picture", "video",
        "audio", "object", "embed", "dialog", "map", "link", "meta", "head", "title", "math",
        "rt",
    }
)  # fmt: skip
# Tags that usually wrap chrome, but that some templates wrap the whole article in.
CHROME_TAGS = frozenset({"nav", "footer", "aside", "menu", "header"})
_CHROME_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "dialog"})

# Class/id words of page chrome; matched at word boundaries inside the attribute.
_CHROME_WORDS = (
    r"nav|navbar|navigation|menu|breadcrumbs?|share|sharing|shares|sharebar|social|socials"
    r"|newsletter|subscribe|subscription|signup|sign-up|login|register|comments?"
    r"|commenting|disqus|related\w*|recommend\w*|more-?stories|read-?more|read-?also|readalso"
    r"|tooltip|whatsapp\w*"
    r"|also-?read|see-?also|promo\w*|advert\w*|ads?|ad-\w+|adv|adslot|sponsor\w*|banner"
    r"|sidebar|side-?bar|widget|footer|masthead|toolbar|cookie\w*|consent|popup|modal"
    r"|overlay|outbrain|taboola|byline|author-?box|author-?bio|authors?|autor|autoren|signature"
    r"|meta|tags?|tag-?list|keywords"
    r"|caption|credits?|copyright|gallery|slideshow|carousel|video|player|print|rating"
    r"|teaser-?list|most-?read|most-?popular|trending|hidden|visually-?hidden|sr-only"
    r"|screen-?reader\w*|skip-?link|article-?meta|post-?meta|entry-?meta|meta-?data"
    r"|dateline|timestamp|pagination|pager|infobox|donat\w*|app-?promo|follow-?us|lightbox|embed\w*"
)
# The patterns below are matched against lower-cased words (see chrome_words): a
# case-insensitive search of this alternation costs three times as much, and it
# runs on every distinct class string of every page. Grouped by first letter (the same
# words; see patterns.py), it is tried once per position instead of once per word.
CHROME_RE = re.compile(
    rf"(?<![^\s_-])(?:{grouped(split_alternatives(_CHROME_WORDS))})(?:$|[\s_-]|\d)"
)

# Screen-reader-only text ("Box aufklappen", "Image caption", "opens in a new window"):
# read out to blind readers, never shown, so neither article text nor a caption.
SCREEN_READER_ONLY = re.compile(
    r"(?:^|[\s_-])(?:sr-only|visually-?hidden|hidden-?visually|screen-?reader\w*|offscreen|a11y-?hidden)"
    r"(?:$|[\s_-])"
)

# Captions wear many class names ("newsCaption", "bildunterschrift"); never body text.
CAPTION_RE = re.compile(
    r"caption|bildunterschrift|image-?text|img-?text|(?:media|bild|image|img|photo|foto)[_-]+info"
    r"|media-?rights|bildrechte"
    # "image-description", "imageDescription", "img-desc", "photo_description", "image-subtitle"
    r"|(?:image|img|photo|foto|picture|bild)[_-]?(?:desc(?:ription)?|subtitle|beschreibung)(?![a-z])"
)


def _caption_words(lower: str) -> bool:
    """CAPTION_RE on lower-cased class words, after the substrings each of its matches
    holds: most class strings have none, and these tests cost far less than the regex."""
    return (
        "caption" in lower
        or "bild" in lower
        or "text" in lower
        or "info" in lower
        or "rights" in lower
        or "desc" in lower
        or "subtitle" in lower
        or "beschreibung" in lower
    ) and CAPTION_RE.search(lower) is not None


# Class/id words of the article text itself: these protect a wrapper from CHROME_RE.
_ARTICLE_WORDS = (
    r"article-?body|articlebody|article-?text|article-?content|story-?body|story-?content"
    r"|entry-?content|post-?content|post-?body|main-?content|body-?text|text-?body"
    r"|rich-?text|article__body|article__text|content-?body|field-?body|paywall-?content"
    r"|(?<![\w-])hentry(?![\w-])"  # microformats' blog entry (whose "tag-x" words are its tags)
)
ARTICLE_RE = re.compile(grouped(split_alternatives(_ARTICLE_WORDS)))
# Every article word holds one of these (tests/test_extraction_patterns.py checks it).
_ARTICLE_WORD_PARTS = ("body", "text", "content", "hentry")


def _article_words(lower: str) -> bool:
    """ARTICLE_RE on lower-cased class words, after the substrings each of its words holds:
    most class strings hold none, and these tests cost a fraction of the regex."""
    return (
        "body" in lower or "text" in lower or "content" in lower or "hentry" in lower
    ) and ARTICLE_RE.search(lower) is not None


# Chrome that never wraps an article, however much text it holds (consent dialogs hold pages
# of legal text).
NEVER_ARTICLE_RE = re.compile(
    r"cookie|consent|onetrust|gdpr|dsgvo|rgpd|privacy|cmp-|didomi|usercentrics", re.I
)


def never_article(words: str) -> bool:
    """True for wrappers (cookie/consent dialogs) that must stay chrome even when large."""
    return bool(words) and bool(NEVER_ARTICLE_RE.search(words))


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# Wrappers never dropped for their class names (a page may put anything on <body>).
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})
_ANCHOR_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_ID_WORD = re.compile(r"[^\W\d_]{3,}")
ANCHOR_MIN_WORDS = 2


def _slug_of_text(ident: str, heading: Any) -> bool:
    """A heading's id made of its own words ("nav_nur_die_folie__1" on "Nur die Folie
    bleibt zurück"): the anchor of a table of contents, not a name of the block's kind."""
    words = {w.lower() for w in _ID_WORD.findall(ident)}
    if len(words) < ANCHOR_MIN_WORDS:
        return False
    text = {w.lower() for w in _ID_WORD.findall(heading.text_content())}
    return len(words & text) >= ANCHOR_MIN_WORDS and len(words - text) <= 1


def attr_words(el: Any) -> str:
    """The element's class and id, one string (empty when it has neither)."""
    cls = el.get("class")
    ident = el.get("id")
    if cls and ident:
        return f"{cls} {ident}"
    return cls or ident or ""


def is_hidden(el: Any) -> bool:
    """Hidden by attribute or inline style: template strings and screen-reader chrome."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def is_dropped(el: Any) -> bool:
    """True for subtrees that never hold visible article text (scripts, media, hidden)."""
    tag = el.tag
    if not isinstance(tag, str):
        return True  # comments, processing instructions, entities
    return tag in DROP_TAGS or is_hidden(el)


# camelCase class names ("paidBannerContainer", "shareButton_x1") split into words.
_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD_KIND_MEMO: dict[str, int] = {}
_MEMO_MAX = 8192  # class strings repeat within and across pages of a site


def _word_kind(words: str) -> int:
    """CONTENT, CHROME or DROPPED (screen-reader-only) for class/id words (memoized)."""
    known = _WORD_KIND_MEMO.get(words)
    if known is None:
        lower = words.lower()
        if lower != words:  # camelCase humps only where there are capitals
            lower = _CAMEL_HUMP.sub("-", words).lower()
        # (every SCREEN_READER_ONLY match holds one of these substrings: a cheap test first)
        if (
            "hidden" in lower or "sr-only" in lower or "screen" in lower or "a11y" in lower
        ) and SCREEN_READER_ONLY.search(lower):
            known = DROPPED
        elif (CHROME_RE.search(lower) or _caption_words(lower)) and not _article_words(lower):
            known = CHROME
        else:
            known = CONTENT
        if len(_WORD_KIND_MEMO) >= _MEMO_MAX:
            _WORD_KIND_MEMO.clear()
        _WORD_KIND_MEMO[words] = known
    return known


def chrome_words(words: str) -> bool:
    """True when class/id words mark chrome and do not also mark the article text."""
    return _word_kind(words) != CONTENT


def is_chrome_wrapper(el: Any) -> bool:
    """True when tag, role or class words mark chrome (callers may overrule for big wrappers)."""
    tag = el.tag
    if tag in CHROME_TAGS or el.get("role") in _CHROME_ROLES:
        return True
    if tag in _NEVER_CHROME:
        return False
    words = attr_words(el)
    return bool(words) and chrome_words(words)


CONTENT, CHROME, DROPPED = 0, 1, 2


def classify(el: Any) -> int:
    """CONTENT, CHROME (a chrome wrapper) or DROPPED: the walk's one test per element."""
    return classify_words(el)[0]


def _parenthesized_ruby(rt: Any) -> bool:
    """A ruby reading the page puts in ``<rp>`` parentheses reads "base (reading)" as
    plain text; without them it would run into the base text ("子こども")."""
    parent = rt.getparent()
    return parent is not None and parent.find("rp") is not None


def classify_words(el: Any) -> tuple[int, str | None, str | None]:
    """:func:`classify` plus the element's class/id words (None when it has neither) and,
    unless DROPPED, its class attribute (None when it has none: the walk keeps the page's
    class attributes for :class:`pageindex.ClassIndex`).

    Hidden elements (``hidden``, ``display:none``) count as CHROME here, not DROPPED:
    the walk keeps their text aside in case they hold the (paywalled) article.

    Reads the attribute names once (``keys()``, one C call) and fetches only the
    attributes present: this runs once per element of every page.
    """
    tag = el.tag
    if (tag.__class__ is not str or tag in DROP_TAGS) and (
        tag != "rt" or not _parenthesized_ruby(el)
    ):
        return DROPPED, None, None
    keys = el.keys()
    if not keys:
        return (CHROME if tag in CHROME_TAGS else CONTENT), None, None
    get = el.get
    if "aria-hidden" in keys and get("aria-hidden") == "true":
        return DROPPED, None, None  # decorative twins of visible text
    cls = get("class") if "class" in keys else None
    ident = get("id") if "id" in keys else None
    if ident and tag in _ANCHOR_TAGS and _slug_of_text(ident, el):
        ident = None
    words = f"{cls} {ident}" if cls and ident else cls or ident
    # Hidden by attribute or style: chrome, which the body extractor overrules when the
    # hidden block holds most of the text (paywalled articles ship their text hidden).
    if "hidden" in keys or ("style" in keys and _HIDDEN_STYLE.search(get("style") or "")):
        return CHROME, words, cls
    if tag in CHROME_TAGS or ("role" in keys and get("role") in _CHROME_ROLES):
        return CHROME, words, cls
    if tag in _NEVER_CHROME:
        return CONTENT, words, cls
    kind = _word_kind(words) if words else CONTENT
    return (DROPPED, None, None) if kind == DROPPED else (kind, words, cls)


def is_chrome(el: Any) -> bool:
    """Dropped or chrome: the strict test for small fragments (captions, cleaned HTML)."""
    return is_dropped(el) or is_chrome_wrapper(el)
