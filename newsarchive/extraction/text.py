"""Shared text clean-up for every extracted field.

Publishers leave invisible characters (soft hyphens, zero-width spaces, BOMs)
and odd whitespace in their markup; researchers compare strings, so every field
goes through the same small set of helpers here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Soft hyphen, zero-width space/joiners, word joiner, BOM, bidi marks, C0 controls.
_INVISIBLE = re.compile(
    "[\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


def strip_invisible(text: str) -> str:
    """Drop characters that render as nothing but break string comparison."""
    return _INVISIBLE.sub("", text)


def clean(text: str | None) -> str | None:
    """NFC, invisible characters removed, whitespace collapsed; None for blank text."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        # No invisible character is printable, and the space is the only printable
        # whitespace (tests/test_extraction_shortcuts.py checks every code point): most
        # texts are then clean as they are, and splitting them only copies each word.
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            text = " ".join(text.split())
        return text or None
    # str.split() splits at exactly the characters ``\s`` matches, and is much faster
    text = " ".join(strip_invisible(text).split())
    return text or None


# A tag or comment opening, as markup starts ("<p>", "</em>", "<a href=", "<br/>", "<!--"),
# not a lone "<" in prose ("a < b", "<3").
_MARKUP = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|!--)")
_BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote")


def fragment_text(text: str) -> str:
    """The text of a metadata string that holds an HTML fragment, else the string as is.

    CMSs put markup into JSON-LD and meta values ("<p>Die frühen 1970er...",
    "nach <em>NDR</em>-Recherchen", an author named '<a href="/experts/x">Jane Roe</a>').
    Such a fragment is read with BeautifulSoup's lenient ``html.parser``, which keeps
    prose that only looks like markup ("Q&A: a<b", where lxml drops "<b") and leaves
    script and style out; blocks and line breaks become spaces.
    """
    if "<" not in text or not _MARKUP.search(text):
        return text
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for hidden in soup.find_all(list(_INVISIBLE_TAGS)):
        hidden.decompose()
    for block in soup.find_all(["br", *_BLOCK_TAGS]):
        block.insert_after(" ")
    return " ".join(soup.get_text("").split())


def clean_lines(text: str | None) -> str | None:
    """Like :func:`clean` but keeps line breaks between non-empty lines."""
    if text is None:
        return None
    lines = (clean(line) for line in text.splitlines())
    joined = "\n".join(line for line in lines if line)
    return joined or None


_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})


def visible_texts(root: object) -> Iterator[str]:
    """Text pieces of ``root`` in document order, skipping script/style content.

    A lazy, iterative walk: callers stop early, and deep trees cost no recursion.
    """
    for el in root.iter():  # type: ignore[attr-defined]
        # (each read of .text or .tail builds a new string from the tree's: read once)
        text = el.text
        if text and el.tag not in _INVISIBLE_TAGS:
            yield text
        tail = el.tail
        if tail and el is not root:
            yield tail


def joined_text(el: object) -> str:
    """Text of ``el`` with a space where an element boundary separates two words.

    ``<h1><span>Kicker</span><span>Headline</span></h1>`` renders as two lines,
    while ``text_content()`` glues them into "KickerHeadline". A space goes in
    only where the next piece starts with a capital letter, so "<b>W</b>ord"
    and "Mayor<i>'s</i>" stay intact.
    """
    out: list[str] = []
    for piece in el.itertext():  # type: ignore[attr-defined]
        if out and out[-1] and piece:
            left, right = out[-1][-1], piece[0]
            if not left.isspace() and right.isupper() and (left.isalnum() or left in ".!?"):
                out.append(" ")
        out.append(piece)
    return "".join(out)
