"""Which subtrees of a page are never article text.

Tables, not branches: tags that never hold body text, class/id words that mark
page chrome (navigation, sharing, comments, promos...), and words that mark the
article itself (so a wrapper like ``<div class="article-body share-enabled">``
is not thrown away for its "share").
"""

from __future__ import annotations

import re
from typing import Any

# Tags whose subtree is never body text.
DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "footer", "aside", "header",
        "button", "select", "option", "input", "textarea", "iframe", "svg", "canvas",
        "figure", "figcaption", "picture", "video", "audio", "object", "embed", "dialog",
        "menu", "map", "link", "meta", "head", "title", "math",
    }
)  # fmt: skip

# Class/id words of page chrome; matched at word boundaries inside the attribute.
_CHROME_WORDS = (
    r"nav|navbar|navigation|menu|breadcrumbs?|share|sharing|shares|sharebar|social|socials"
    r"|newsletter|subscribe|subscription|signup|sign-up|login|register|paywall|comments?"
    r"|commenting|disqus|related|recommend\w*|more-?stories|read-?more|read-?also|readalso"
    r"|also-?read|see-?also|promo\w*|advert\w*|ads?|ad-\w+|adv|adslot|sponsor\w*|banner"
    r"|sidebar|side-?bar|widget|footer|masthead|toolbar|cookie\w*|consent|popup|modal"
    r"|overlay|outbrain|taboola|byline|author-?box|author-?bio|tags?|tag-?list|keywords"
    r"|caption|credits?|copyright|gallery|slideshow|carousel|video|player|print|rating"
    r"|teaser-?list|most-?read|most-?popular|trending|hidden|visually-?hidden|sr-only"
    r"|screen-?reader\w*|skip-?link|article-?meta|post-?meta|entry-?meta|meta-?data"
    r"|dateline|timestamp|pagination|pager|infobox|donat\w*|app-?promo|follow-?us|lightbox"
)
CHROME_RE = re.compile(rf"(?:^|[\s_-])(?:{_CHROME_WORDS})(?:$|[\s_-]|\d)", re.IGNORECASE)

# Class/id words of the article text itself: these protect a wrapper from CHROME_RE.
ARTICLE_RE = re.compile(
    r"article-?body|articlebody|article-?text|article-?content|story-?body|story-?content"
    r"|entry-?content|post-?content|post-?body|main-?content|body-?text|text-?body"
    r"|rich-?text|article__body|article__text|content-?body|field-?body|paywall-?content",
    re.IGNORECASE,
)

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# Wrappers never dropped for their class names (a page may put anything on <body>).
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})


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


def is_chrome(el: Any) -> bool:
    """True when the element's tag, attributes or class words mark page chrome."""
    tag = el.tag
    if not isinstance(tag, str):
        return True  # comments, processing instructions, entities
    if tag in DROP_TAGS:
        return True
    if is_hidden(el):
        return True
    if el.get("role") in ("navigation", "complementary", "banner", "contentinfo", "dialog"):
        return True
    if tag in _NEVER_CHROME:
        return False
    words = attr_words(el)
    if not words or not CHROME_RE.search(words):
        return False
    return not ARTICLE_RE.search(words)
