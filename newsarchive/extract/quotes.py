"""Direct quotations in the body, with their speakers where the sentence names one.

Quotation marks are matched as pairs from a table (English “…”, German „…“ and
»…«, French «…», straight "…", single ‚…‘ and ‘…’, CJK 「…」 and 『…』, ‹…›).
A quote left open at the end of a paragraph continues when the next paragraph
opens with a quotation mark (the print convention for multi-paragraph quotes).
Block and pull quotes are quotations as a whole.

Scare quotes are not quotations: quoted text of fewer than ``MIN_QUOTE_WORDS``
words ("Wertediktatur", "die Lösung", a title) is a term, not speech, and is
skipped.

Speakers come from the words right after the quote (``"…," he says``,
``"…," said Jane Doe``, ``sagte X``, ``so X``, ``a déclaré X``) or right before
it (``Jane Doe said: "…"``, ``According to X, "…"``, ``Laut X``, ``Selon X``). A
pronoun resolves to the last personal name (two or more capitalised words)
written before the quote.
"""

from __future__ import annotations

import re
from typing import Any

MIN_QUOTE_WORDS = 4
# Opening mark -> closing marks it accepts.
QUOTE_PAIRS: dict[str, str] = {
    "“": "”“",
    "„": '“”"',
    "«": "»",
    "»": "«»",
    '"': '"',
    "‚": "‘’",
    "「": "」",
    "『": "』",
    "‹": "›",
    "›": "‹",
    "‘": "’",
}
_OPENERS = "".join(QUOTE_PAIRS)
_LEADING_OPENER = re.compile(rf"^\s*[{re.escape(_OPENERS)}]")

_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ]"
_NAME_WORD = rf"{_CAP}[\w'’.-]*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|bin|al|el|le|la|ten|ter|zu)"
NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,3}}"
_DESCRIBED = r"(?:the|a|an|der|die|das|le|la|el)\s+[\w-]+(?:\s+[\w-]+){0,3}"
PRONOUNS = frozenset(
    {"he", "she", "they", "er", "sie", "il", "elle", "ils", "elles", "él", "ella", "lui", "hij"}
)

_VERBS_EN = (
    r"said|says|added|adds|told|tells|continued|continues|explained|explains|noted|notes"
    r"|stated|states|wrote|writes|insisted|insists|argued|argues|warned|warns|declared|declares"
    r"|asked|asks|replied|replies|recalled|recalls|claimed|claims|stressed|stresses|urged"
    r"|posted|tweeted|admitted|concluded|remarked|observed|acknowledged|announced|exclaimed"
)
_VERBS_DE = (
    r"sagte|sagt|sagten|erklärte|erklärt|betonte|betont|meinte|meint|fügte\s+hinzu|schrieb"
    r"|schreibt|warnte|warnt|kritisierte|kritisiert|fordert|forderte|ergänzte|ergänzt|räumte\s+ein"
    r"|sagte\s+auch|berichtet|berichtete|so"
)
_VERBS_FR = (
    r"a\s+déclaré|a\s+dit|a\s+affirmé|a\s+expliqué|a\s+ajouté|a\s+souligné|déclare|dit|explique"
    r"|affirme|ajoute|souligne|estime|selon"
)
_VERBS_ES = r"dijo|afirmó|explicó|añadió|señaló|aseguró|declaró|según|dice|afirma"
_VERBS = rf"(?:{_VERBS_EN}|{_VERBS_DE}|{_VERBS_FR}|{_VERBS_ES})"

# Patterns on the text after the closing mark (flags: case-insensitive for verbs only).
AFTER_PATTERNS = (
    re.compile(rf"^[\s,.;:—–-]*(?i:{_VERBS})\s+(?P<who>{NAME}|{_DESCRIBED})"),
    re.compile(rf"^[\s,.;:—–-]*(?P<who>{NAME}|(?i:he|she|they|er|sie|il|elle))\s+(?i:{_VERBS})\b"),
)
# Patterns on the text before the opening mark.
BEFORE_PATTERNS = (
    re.compile(rf"(?P<who>{NAME})\s+(?i:{_VERBS})[^.!?“„«»\"]{{0,40}}[:,]?\s*$"),
    re.compile(rf"(?i:according\s+to|laut|selon|según|zufolge)\s+(?P<who>{NAME})\s*[:,]?\s*$"),
)
_PERSON = re.compile(rf"\b{_NAME_WORD}\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD})?")
_LOOKBACK_CHARS = 600


def _spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each quotation in one paragraph; end is past the closing mark."""
    spans = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        closers = QUOTE_PAIRS.get(ch)
        if closers is None or (ch in "‘’" and i > 0 and text[i - 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j < n and text[j] not in closers:
            j += 1
        if ch == "‘":  # an apostrophe inside the quote is not its end
            while j < n and j + 1 < n and text[j + 1].isalpha():
                j += 1
                while j < n and text[j] not in closers:
                    j += 1
        if j >= n:
            spans.append((i, n, False))
            break
        spans.append((i, j + 1, True))
        i = j + 1
    return spans


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _clean_quote(text: str) -> str:
    return text.strip().strip(_OPENERS + "”“»«’‘」』›‹").strip().rstrip(",")


_QUOTED = re.compile(r"[“„«»\"‚‘「『‹›][^”“»«\"’」』›‹]*[”“»«\"’」』›‹]")


def _last_person(context: str) -> str | None:
    """The last personal name in ``context``, outside quotations (names inside are quoted)."""
    found = _PERSON.findall(_QUOTED.sub(" ", context[-_LOOKBACK_CHARS:]))
    return found[-1].strip().rstrip(".,;:") if found else None


def _resolve(who: str, context: str) -> str | None:
    who = who.strip().rstrip(".,;:")
    if who.lower() in PRONOUNS:
        return _last_person(context)
    return who or None


def _speaker(before: str, after: str, context: str) -> str | None:
    """The speaker named next to a quote; pronouns resolve to the last name in ``context``."""
    after = re.split(r"[“„«»\"]", after, maxsplit=1)[0][:120]
    for pattern in AFTER_PATTERNS:
        found = pattern.match(after)
        if found:
            return _resolve(found.group("who"), context + " " + before)
    tail = before[-160:]
    for pattern in BEFORE_PATTERNS:
        found = pattern.search(tail)
        if found:
            return _resolve(found.group("who"), context + " " + tail[: found.start()])
    return None


def extract_quotes(
    paragraphs: list[str], lang: str | None = None, blockquotes: list[str] | None = None
) -> list[dict[str, Any]]:
    """Direct quotations ``{"text", "speaker"}`` in the order they appear."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    context = ""
    pending: list[str] = []  # an open multi-paragraph quote
    pending_before = ""
    quoted_blocks = set(blockquotes or [])
    for para in paragraphs:
        spans = _spans(para)
        if pending:
            if _LEADING_OPENER.match(para) and spans:
                start, end, closed = spans[0]
                pending.append(para[start:end])
                if not closed:
                    context += " " + para
                    continue
                joined = " ".join(_clean_quote(piece) for piece in pending)
                _add(out, seen, joined, pending_before, para[end:], context)
                pending = []
                spans = spans[1:]
            else:
                pending = []
        for start, end, closed in spans:
            if not closed:
                pending, pending_before = [para[start:end]], para[:start]
                break
            _add(out, seen, para[start:end], para[:start], para[end:], context)
        if para in quoted_blocks and not spans:
            _add(out, seen, para, "", "", context)
        context += " " + para
    for block in blockquotes or []:
        if block not in paragraphs:
            _add(out, seen, block, "", "", context)
    return out


def _add(
    out: list[dict[str, Any]], seen: set[str], raw: str, before: str, after: str, context: str
) -> None:
    text = _clean_quote(raw)
    if _words(text) < MIN_QUOTE_WORDS or text in seen:
        return
    seen.add(text)
    speaker = _speaker(before, after, context)
    if speaker is None and out and out[-1]["speaker"] and _follows_quote(before):
        speaker = out[-1]["speaker"]  # "…," he says. "…" : the same voice goes on
    out.append({"text": text, "speaker": speaker})


def _follows_quote(before: str) -> bool:
    """True when only the previous quote's attribution separates this quote from it."""
    closers = '”“»«"’」』›‹'
    cut = max(before.rfind(c) for c in closers)
    return cut >= 0 and len(before) - cut < 60
