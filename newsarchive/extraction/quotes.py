"""Direct quotations in the body, with their speakers where the sentence names one.

Quotation marks are matched as pairs from a table (English “…”, German „…“ and
»…«, French «…», straight "…", single ‚…‘ and ‘…’, CJK 「…」 and 『…』, ‹…›).
A quote left open at the end of a paragraph continues when the next paragraph
opens with a quotation mark (the print convention for multi-paragraph quotes).
Block and pull quotes are quotations as a whole.

Scare quotes are not quotations: quoted text of fewer than ``MIN_QUOTE_WORDS``
words ("Wertediktatur", "die Lösung", a title) is a term, not speech, and is
skipped; in scripts written without spaces (Japanese, Chinese) the measure is
``MIN_CJK_QUOTE_CHARS`` characters instead.

Speakers come from the words right after the quote (``"…," he says``,
``"…," said Jane Doe``, ``sagte X``, ``so X``, ``a déclaré X``) or right before
it (``Jane Doe said: "…"``, ``According to X, "…"``, ``Laut X``, ``Selon X``). A
pronoun resolves to the last personal name (two or more capitalised words)
written before the quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

MIN_QUOTE_WORDS = 4
FOLLOW_MAX_CHARS = 150  # attribution between two quotes of one speaker
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
_NAME_WORD = rf"{_CAP}(?:\.|[\w'’-]*\w|)"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|bin|al|el|le|la|ten|ter|zu)"
NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,3}}"
_DESCRIBED = r"(?:the|a|an|der|die|das|le|la|el)\s+[\w-]+(?:\s+[\w-]+){0,3}"
PRONOUNS = frozenset(
    {"he", "she", "they", "er", "sie", "il", "elle", "ils", "elles", "él", "ella", "lui", "hij",
     "он", "она", "они"}
)  # fmt: skip
_PRONOUN = "|".join(sorted(PRONOUNS, key=len, reverse=True))

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
_VERBS_RU = (
    r"сказал|сказала|сказали|заявил|заявила|заявили|отметил|отметила|добавил|добавила"
    r"|пояснил|пояснила|подчеркнул|подчеркнула|говорит|считает"
)
_VERBS = rf"(?:{_VERBS_EN}|{_VERBS_DE}|{_VERBS_FR}|{_VERBS_ES}|{_VERBS_RU}|adding)"

_LEAD = r"^[\s,.;:—–-]*"
# After the closing mark: "said NAME", "NAME said", "said he", "said the chief executive, NAME".
AFTER_VERB_FIRST = re.compile(rf"{_LEAD}(?i:{_VERBS})\b\s*(?P<rest>.*)", re.DOTALL)
AFTER_NAME_FIRST = re.compile(rf"{_LEAD}(?P<who>{NAME}|(?i:{_PRONOUN}))\s+(?i:{_VERBS})\b")
# Any attribution at all ("one of the officials said"): then no other guess is made.
AFTER_ANY = re.compile(rf"{_LEAD}(?:[^\s.!?]+\s+){{0,6}}?(?i:{_VERBS})\b")
# Before the opening mark.
BEFORE_PATTERNS = (
    re.compile(
        rf"(?i:according\s+to|laut|selon|según|zufolge|по\s+словам)\s+(?P<who>{NAME})\s*[:,]?\s*$"
    ),
)
_VERB_IN = re.compile(rf"\b(?i:{_VERBS})\b")
_PERSON = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{1,3}}")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_LOWER_WORD = re.compile(r"\b[^\W\d_A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ][\w'’-]*")
MAX_WORDS_BEFORE_SUBJECT = 4  # "Retired engineer Malcolm Reed said": a subject opens its sentence
MAX_DESCRIPTOR_WORDS = 8  # "said the authority's chief executive, Ruth Pemberton"
SUBJECT_SENTENCES_BACK = 2
_LOOKBACK_CHARS = 600
# Characters around a quote that its attribution is read from: bounded, so a page with
# megabytes of text in one paragraph costs linear time, not quadratic.
NEARBY_CHARS = 2000  # before the quote (>= _LOOKBACK_CHARS and FOLLOW_MAX_CHARS)
AFTER_CHARS = 200  # after the closing mark


_ALL_MARKS = re.compile("[" + re.escape(_OPENERS + "".join(QUOTE_PAIRS.values())) + "]")


def _spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each quotation in one paragraph; end is past the closing mark.

    Only the positions of quotation marks are visited (a regex finds them), not every
    character of the text.
    """
    marks = [(m.start(), m.group()) for m in _ALL_MARKS.finditer(text)]
    spans = []
    n = len(text)
    k = 0
    while k < len(marks):
        i, ch = marks[k]
        closers = QUOTE_PAIRS.get(ch)
        if closers is None or (ch in "‘’" and i > 0 and text[i - 1].isalnum()):
            k += 1
            continue
        k += 1
        while k < len(marks):
            j, close = marks[k]
            # an apostrophe inside a ‘…’ quote ("don’t") is not its end
            apostrophe = ch == "‘" and j + 1 < n and text[j + 1].isalpha()
            if close in closers and not apostrophe:
                break
            k += 1
        if k >= len(marks):
            spans.append((i, n, False))
            break
        spans.append((i, marks[k][0] + 1, True))
        k += 1
    return spans


_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
MIN_CJK_QUOTE_CHARS = 8  # scripts without spaces: count characters, not words


def _is_term(text: str) -> bool:
    """A scare-quoted term or title, not speech: too few words (or CJK characters)."""
    if _has_words(text, MIN_QUOTE_WORDS):
        return False
    return len(_CJK.findall(text)) < MIN_CJK_QUOTE_CHARS


_WORD = re.compile(r"\w+")


def _has_words(text: str, count: int) -> bool:
    """Whether ``text`` holds ``count`` words or more (read only up to the count)."""
    return next(islice(_WORD.finditer(text), count - 1, None), None) is not None


def _clean_quote(text: str) -> str:
    return text.strip().strip(_OPENERS + "”“»«’‘」』›‹").strip().rstrip(",")


_QUOTED = re.compile(r"[“„«»\"‚‘「『‹›][^”“»«\"’」』›‹]*[”“»«\"’」』›‹]")


def _name(raw: str) -> str | None:
    """A person's name without the titles in front: "Prime Minister Benjamin Netanyahu" ->
    "Benjamin Netanyahu" (the last two capitalised words, with particles and initials)."""
    words = raw.strip().rstrip(".,;:").split()
    if not words:
        return None
    keep = 2
    while keep < len(words) and (
        re.fullmatch(_PARTICLE, words[-keep]) or re.fullmatch(r"\w\.", words[-keep])
    ):
        keep += 1  # "Ursula von der Leyen", "Joe R. Biden"
    return " ".join(words[-keep:])


def _people(text: str) -> list[str]:
    """Full names (two or more capitalised words) written in ``text``, in order."""
    return [full for full in (_name(found) for found in _PERSON.findall(text)) if full]


@dataclass
class _Context:
    """What the text before a quote says about who speaks, kept small as the text grows.

    ``recent`` is the last ``_LOOKBACK_CHARS`` characters read (pronoun referents);
    ``nearby`` is the text just before the quote in its paragraph. The surname ->
    full name index of everything read is built only when a lone surname needs it
    (most quotes never ask), from the paragraphs read since the last ask.
    """

    recent: str = ""
    nearby: str = ""
    unread: list[str] = field(default_factory=list)
    people: dict[str, list[str]] = field(default_factory=dict)  # surname -> full names
    named: dict[str, str] = field(default_factory=dict)  # quote -> the speaker it names
    lower: set[str] = field(default_factory=set)  # words the text writes in lower case

    def read(self, text: str) -> None:
        """Take in one more paragraph."""
        self.recent = (self.recent + " " + text)[-_LOOKBACK_CHARS:]
        self.unread.append(text)

    def plus(self, before: str) -> _Context:
        """This context followed by the words before a quote (last ``NEARBY_CHARS``)."""
        window = before[-NEARBY_CHARS:]
        recent = (self.recent + " " + window)[-_LOOKBACK_CHARS:]
        return _Context(recent, window, self.unread, self.people, self.named, self.lower)

    def full_name(self, surname: str) -> str | None:
        """The full name first written with ``surname`` in the paragraphs read: a person is
        introduced in full ("Kevin Holland-Moritz"), later named by title ("Chef
        Holland-Moritz"). A "name" whose first word the text also writes in lower case
        is a sentence opening ("Auch Andrij", "As Enslin"), not a given name."""
        self._index()
        return next((full for full in self.people.get(surname, ()) if self.given(full)), None)

    def given(self, full: str) -> bool:
        """True when ``full`` opens with a given name, not a word the text writes in lower
        case ("Auch Andrij": "auch")."""
        self._index()
        first = full.split()[0].lower()
        if first in self.lower:
            return False
        return re.search(rf"(?<!\w){re.escape(first)}(?!\w)", self.nearby) is None

    def _index(self) -> None:
        """Read the paragraphs not yet indexed: full names by surname, lower-case words."""
        for text in self.unread:
            self.lower.update(_LOWER_WORD.findall(text))
            for full in _people(text):
                if " " in full:
                    names = self.people.setdefault(full.rsplit(" ", 1)[1], [])
                    if full not in names:
                        names.append(full)
        self.unread.clear()


def _full_name(name: str, context: _Context) -> str:
    """A lone surname ("Haddad said") as the full name written earlier ("Amira Haddad")."""
    if " " in name:
        return name
    for full in reversed(_people(context.nearby)):
        if full.endswith(" " + name) and context.given(full):
            return full
    return context.full_name(name) or name


def _subject(sentence: str) -> str | None:
    """The person a sentence opens with ("Marion Clegg, who chairs ..., said")."""
    found = _PERSON.search(sentence)
    if found is None or len(sentence[: found.start()].split()) > MAX_WORDS_BEFORE_SUBJECT:
        return None
    return _name(found.group())


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(_QUOTED.sub(" ", text)) if s.strip()]


def _referent(context: _Context) -> str | None:
    """Who a pronoun means: the subject of one of the last sentences, if a named person."""
    for sentence in reversed(_sentences(context.recent)[-SUBJECT_SENTENCES_BACK:]):
        subject = _subject(sentence)
        if subject:
            return subject
    return None


def _resolve(who: str, context: _Context) -> str | None:
    who = who.strip().rstrip(".,;:")
    if who.lower() in PRONOUNS:
        return _referent(context)
    name = _name(who)
    return _full_name(name, context) if name else None


def _after_speaker(after: str, context: _Context) -> tuple[bool, str | None]:
    """(attribution found, speaker) from the words after the closing mark."""
    found = AFTER_NAME_FIRST.match(after)
    if found:
        return True, _resolve(found.group("who"), context)
    found = AFTER_VERB_FIRST.match(after)
    if found:
        clause = re.split(r"[.!?;]\s", found.group("rest"), maxsplit=1)[0]
        pronoun = re.match(rf"(?i:{_PRONOUN})\b", clause)
        if pronoun:
            return True, _resolve(pronoun.group(), context)
        person = _PERSON.search(clause)
        if person and len(clause[: person.start()].split()) <= MAX_DESCRIPTOR_WORDS:
            return True, _resolve(person.group(), context)
        # "…", so Kirsch: a lone surname right after the verb, when the text named the
        # person in full before ("said Tuesday" names nobody written so).
        lone = re.match(rf"\s*({_NAME_WORD})(?=[\s,.;]|$)", clause)
        full = _full_name(lone.group(1), context) if lone else ""
        return True, full if " " in full else None  # "said the anonymous soldier": nobody
    return bool(AFTER_ANY.match(after)), None


def _speaker(before: str, after: str, context: _Context) -> str | None:
    """The speaker a quote's sentence names; None when it names nobody."""
    after = re.split(r"[“„«»\"]", after, maxsplit=1)[0][:AFTER_CHARS]
    attributed, speaker = _after_speaker(after, context.plus(before))
    if attributed:
        return speaker
    tail = before[-200:]
    for pattern in BEFORE_PATTERNS:
        found = pattern.search(tail)
        if found:
            return _resolve(found.group("who"), context.plus(tail[: found.start()]))
    lead_in = _sentences(tail)[-1:] if tail.strip() else []
    if lead_in and (_VERB_IN.search(lead_in[0]) or lead_in[0].rstrip().endswith(":")):
        opener = re.match(rf"\s*(?i:{_PRONOUN})\b", lead_in[0])
        if opener:
            return _referent(context)
        return _subject(lead_in[0])  # "Malcolm Reed, who led the work, said the team ..."
    return None


def extract_quotes(
    paragraphs: list[str],
    lang: str | None = None,
    blockquotes: list[str] | None = None,
    attributed: list[tuple[str, str | None]] | None = None,
) -> list[dict[str, Any]]:
    """Direct quotations ``{"text", "speaker"}`` in the order they appear.

    ``attributed``: pull quotes set apart with the speaker's name (see
    :mod:`pullquotes`); the name they carry beats one guessed from the text.
    Each quote reads a bounded window of text around it and a context that grows by
    one small update per paragraph: the time is linear in the length of the text.
    """
    out: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}  # a quote's _same() key -> its entry in ``out``
    named = {_same(_clean_quote(text)): who for text, who in attributed or [] if who}
    context = _Context(named=named)
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
                    context.read(para)
                    continue
                joined = " ".join(_clean_quote(piece) for piece in pending)
                _add(out, seen, joined, pending_before, _after(para, end), context)
                pending = []
                spans = spans[1:]
            else:
                pending = []
        for start, end, closed in spans:
            if not closed:
                pending, pending_before = [para[start:end]], _before(para, start)
                break
            _add(out, seen, para[start:end], _before(para, start), _after(para, end), context)
        if para in quoted_blocks and not spans:
            _add(out, seen, para, "", "", context)
        context.read(para)
    paragraph_set = set(paragraphs)
    for block in blockquotes or []:
        if block not in paragraph_set:
            _add(out, seen, block, "", "", context)
    for text, who in attributed or []:
        # A pull quote repeats part of a quote in the text: that quote gets its speaker.
        same = _same(_clean_quote(text))
        host = next((q for q in out if same and same in q["text"]), None)
        if host is None:
            _add(out, seen, text, "", "", context)
        elif host["speaker"] is None:
            host["speaker"] = who
    return out


def _before(para: str, start: int) -> str:
    """The words before a quote that its attribution may use (bounded window)."""
    return para[max(0, start - NEARBY_CHARS) : start]


def _after(para: str, end: int) -> str:
    """The words after a quote that its attribution may use (bounded window)."""
    return para[end : end + AFTER_CHARS]


def _add(
    out: list[dict[str, Any]],
    seen: dict[str, dict[str, Any]],
    raw: str,
    before: str,
    after: str,
    context: _Context,
) -> None:
    text = _clean_quote(raw)
    same = _same(text)
    if _is_term(text):
        return
    known = seen.get(same)
    if known is not None and known["speaker"] is not None:
        return
    speaker = context.named.get(same) or _speaker(before, after, context)
    if speaker is None and out and out[-1]["speaker"] and _follows_quote(before):
        speaker = out[-1]["speaker"]  # "…," he says. "…" : the same voice goes on
    if known is not None:  # the same quote again, where the text names who says it
        known["speaker"] = speaker
        return
    seen[same] = entry = {"text": text, "speaker": speaker}
    out.append(entry)


def _same(text: str) -> str:
    """What two copies of one quote share: a pull quote drops or keeps the final period."""
    return text.rstrip(" .,;:!?…")


def _follows_quote(before: str) -> bool:
    """True when only the previous quote's attribution separates this quote from it."""
    closers = '”“»«"’」』›‹'
    cut = max(before.rfind(c) for c in closers)
    if cut < 0:
        return False
    between = before[cut + 1 :]
    return len(between) < FOLLOW_MAX_CHARS and len(re.findall(r"[.!?]\s", between)) <= 1
