"""The names a site goes by, to tell them from a headline in titles and headings.

Templates glue the site's name onto every ``<title>`` and og:title ("Headline ›
example.org", "Headline | Example (EX) | Tagline") and many put it in an ``<h1>``
as the logo. The name shows in og:site_name, in the host, and as the text of the
links back to the site's home page (the logo link, the first breadcrumb).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

# A page kept by the Wayback Machine: its URL and links carry the archive's prefix
# before the original address, whose host is the site's.
_ARCHIVE_PREFIX = re.compile(r"^(?:https?://web\.archive\.org)?/web/\d+[a-z_]*/", re.I)
_KEY_DROP = re.compile(r"[\W_]+")
_WWW = re.compile(r"^www\d*\.")
# Second-level labels under which the registered name is the third label (example.co.uk).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "or", "ne", "edu"})
# Separators inside a stated site name ("Example | example.com", "Example - Tagline").
_NAME_SEPARATORS = re.compile(r"\s+[|\-–—·•»›:/]\s+")
_MAX_LINKS = 400  # home links sit in the header and footer: bounded on pages of links
_MAX_BRAND = 80
_MAX_NAMES = 16  # each name is checked against every title segment


# key() -> its result for short texts: a page compares the same few titles, names and
# headings dozens of times (a pure memo, cleared when full; long texts are not kept).
_KEY_MEMO: dict[str, str] = {}
_KEY_MEMO_MAX = 8192
_KEY_MEMO_TEXT = 300


def key(text: str) -> str:
    """Comparison key: case-folded letters and digits only."""
    known = _KEY_MEMO.get(text)
    if known is not None:
        return known
    folded = _KEY_DROP.sub("", unicodedata.normalize("NFKC", text).casefold())
    if len(text) <= _KEY_MEMO_TEXT:
        if len(_KEY_MEMO) >= _KEY_MEMO_MAX:
            _KEY_MEMO.clear()
        _KEY_MEMO[text] = folded
    return folded


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


_SPELLINGS_MEMO: dict[str, frozenset[str]] = {}  # spellings() of non-ASCII keys, as key()'s


def spellings(name_key: str) -> frozenset[str]:
    """``name_key`` and its ASCII spellings: a host writes "Nestlé" as "nestle" and
    "Fischerhütte" as "fischerhuette"."""
    if name_key.isascii():
        return frozenset((name_key,))
    known = _SPELLINGS_MEMO.get(name_key)
    if known is None:
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", name_key) if not unicodedata.combining(c)
        )
        known = frozenset((name_key, plain, name_key.translate(_GERMAN)))
        if len(name_key) <= _KEY_MEMO_TEXT:
            if len(_SPELLINGS_MEMO) >= _KEY_MEMO_MAX:
                _SPELLINGS_MEMO.clear()
            _SPELLINGS_MEMO[name_key] = known
    return known


def original_url(url: str) -> str:
    """``url`` without a web archive's prefix (the address the page was first served at)."""
    return _ARCHIVE_PREFIX.sub("", url.strip())


def host(url: str | None) -> str:
    """Lower-case host of ``url`` (an archived page's original host) without ``www.``."""
    if not url:
        return ""
    original = original_url(url)
    if "://" not in original:
        original = "http://" + original
    try:
        netloc = urlsplit(original).hostname or ""
    except ValueError:
        return ""
    return _WWW.sub("", netloc)


def domain_keys(host_name: str) -> set[str]:
    """Keys of the registered name in ``host_name``: "example" and "examplecouk"."""
    labels = [label for label in host_name.split(".") if label]
    if len(labels) < 2:
        return set()
    cut = 3 if len(labels) > 2 and labels[-2] in _SECOND_LEVEL else 2
    registered = labels[-cut:]
    return {k for k in (key(registered[0]), key(".".join(registered))) if k}


def name_keys(name: str | None) -> set[str]:
    """Keys of a stated site name and of each of its parts ("Example | example.com")."""
    if not name:
        return set()
    return {k for k in (key(p) for p in [name, *_NAME_SEPARATORS.split(name)]) if k}


def home_hrefs(url: str | None) -> frozenset[str]:
    """The spellings of a link to the home page of ``url``'s site (lower case, without a
    final slash); empty on the home page itself, whose links to itself name what it shows."""
    site_host = host(url)
    if not site_host:
        return frozenset()
    hosts = (site_host, "www." + site_host)
    roots = {""} | {f"{scheme}{h}" for scheme in ("http://", "https://", "//") for h in hosts}
    homes = frozenset(root + page for root in roots for page in ("", "/index.html", "/index.php"))
    return frozenset() if _normal_href(url or "") in homes else homes


def _normal_href(href: str) -> str:
    href = href.strip()
    if href.startswith("/web/") or "web.archive.org/" in href:
        href = original_url(href)
    return href.rstrip("/").lower()


def links_home(link: Any, homes: frozenset[str]) -> bool:
    """True for an ``<a>`` that points at the home page (``homes`` from :func:`home_hrefs`)."""
    href = link.get("href")
    return bool(href and href.strip()) and _normal_href(href) in homes


def home_link_names(root: Any, homes: frozenset[str]) -> set[str]:
    """Keys of the texts (or logo ``alt``) of links to the site's home page.

    The logo link and the first crumb of a breadcrumb name the site; a headline is
    never a link to the home page.
    """
    body = root.find("body")
    names: set[str] = set()
    if not homes or body is None:
        return names
    for link in itertools.islice(body.iter("a"), _MAX_LINKS):
        # links_home(link, homes), inlined: this loop runs over every link of the page
        href = link.get("href")
        if not href or not href.strip() or _normal_href(href) not in homes:
            continue
        text = link.text_content().strip()
        if not text:
            text = " ".join(img.get("alt") or "" for img in link.iter("img")).strip()
        if text and len(text) <= _MAX_BRAND:
            names |= name_keys(text)
            if len(names) >= _MAX_NAMES:
                break
    return names
