"""The page language as a BCP 47 tag, from markup first and a text classifier last.

Markup (``<html lang>``, Content-Language, og:locale, JSON-LD ``inLanguage``)
is right almost always; for pages without it, py3langid (the classifier
trafilatura uses: character n-grams) reads the text, which tells
apart languages that share a script (Ukrainian, Bulgarian and Russian; Persian,
Urdu and Arabic). Counting function words stays for one job: noticing a
declared language that the text clearly contradicts (a template default).
"""

from __future__ import annotations

import re
from collections import Counter

import py3langid

from newsarchive.extraction import structured
from newsarchive.extraction.document import Document

_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?\b")
_WORD = re.compile(r"\w+")
# A dozen frequent function words per language: distinctive enough for a guess.
_STOPWORDS = {
    "en": "the and of to in is that for it was on with as said by",
    "de": "der die und das ist nicht mit den von sich auf ein eine für dem",
    "fr": "le la les et des est une dans pour que qui pas sur du",
    "es": "el la los las y que del por una con para es se al",
    "it": "il di che la per non una sono della con del gli le è",
    "pt": "o de que não uma para com os da do em as é no",
    "nl": "de het een en van is dat op te niet zijn met voor",
    "sv": "och att det som är på för med en av inte har till",
    "da": "og at det er en til på for med af ikke som har den",
    "no": "og det er til på for med av som ikke har en at",
    "pl": "i w na nie się z że do to jest jak o dla",
    "cs": "a je se na v že to s do není jsou jako by",
    "tr": "ve bir bu için ile de da olarak çok daha gibi olan",
    "ru": "и в не на что с по это как из он к",
}
_STOPWORD_SETS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
# word -> languages it is a function word of: one dict lookup per word when counting.
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORD_SETS.items():
    for _word in _words:
        _WORD_LANGS[_word] = (*_WORD_LANGS.get(_word, ()), _lang)
_SAMPLE_CHARS = 3000  # about 450 words: enough for a confident count
# Below this many bytes of letters a guess is noise ("Hello world" reads as Fulfulde).
# Bytes, not characters: a Chinese character (3 bytes) tells as much as a short word.
_MIN_LETTER_BYTES = 40
_LETTER = re.compile(r"[^\W\d_]")


def normalize_tag(value: str | None) -> str | None:
    """``de_DE`` / ``de-de`` / ``EN`` -> ``de-DE`` / ``de-DE`` / ``en``; None if not a tag."""
    if not value:
        return None
    m = _TAG.match(value.strip())
    if not m:
        return None
    lang, script, region = m.groups()
    parts = [lang.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def _counts(text: str) -> tuple[Counter[str], int]:
    """Function-word hits per language, and the number of words looked at."""
    counts: Counter[str] = Counter()
    words = _WORD.findall(text[:_SAMPLE_CHARS].lower())
    for word in words:
        langs = _WORD_LANGS.get(word)
        if langs:
            for lang in langs:
                counts[lang] += 1
    return counts, len(words)


def guess_from_text(text: str) -> str | None:
    """The language py3langid reads in the first ``_SAMPLE_CHARS`` of ``text``.

    None for too little text: a few words are no evidence.
    """
    sample = text[:_SAMPLE_CHARS]
    if len("".join(_LETTER.findall(sample)).encode("utf-8")) < _MIN_LETTER_BYTES:
        return None
    lang, _score = py3langid.classify(sample)
    return normalize_tag(lang)


def _contradicted(tag: str, text: str) -> str | None:
    """The text's language when it clearly is not the declared one (a template default).

    Only for languages the word lists cover, and only on strong evidence: the
    other language has 20+ hits and at least four times the declared one's.
    """
    declared = tag.split("-")[0]
    if declared not in _STOPWORD_SETS:
        return None
    counts, _ = _counts(text)
    if not counts:
        return None
    (best, hits), *_ = counts.most_common(1)
    if best != declared and hits >= 20 and counts[declared] * 4 <= hits:
        return best
    return None


def _paragraph_sample(doc: Document) -> str:
    """The first ``_SAMPLE_CHARS`` or so of the page's paragraph text."""
    pieces: list[str] = []
    size = 0
    for paragraph in doc.root.iter("p"):
        pieces.append(paragraph.text_content())
        size += len(pieces[-1])
        if size > _SAMPLE_CHARS:
            break
    return " ".join(pieces)


def extract_language(doc: Document, text: str | None = None) -> str | None:
    """The language of the page: markup first (unless the text clearly disagrees), then a guess.

    ``text`` is the article text when known; otherwise the page's paragraphs are read.
    """
    declared = (
        doc.lang,
        structured.text_of(structured.first_property(doc, "inLanguage")),
        doc.meta_first("content-language", "language", "dc.language"),
        doc.headers.get("content-language", "").split(",")[0],
        doc.meta_first("og:locale"),
    )
    if not text:
        text = _paragraph_sample(doc)
    for value in declared:
        tag = normalize_tag(value)
        if tag:
            return _contradicted(tag, text) or tag
    return guess_from_text(text)
