"""Scoring rules of the extraction benchmark (../shared/bench/README.md), written once.

Body and lede: 4-token shingle multisets over ``\\w+`` tokens; dataset precision
is the mean over pages with a prediction, recall the mean over all pages.
Headline: exact after NFC and whitespace normalization. Authors: set F1 of
lower-cased names. Published: same calendar day in the expected value's offset.
Captions and credits: set F1 over normalized strings (NFC, whitespace; case and
punctuation kept). Snippets (the trafilatura-eval set): a page passes when its text
holds every must-contain snippet and no must-not-contain one; snippet F1 is computed
from found / missed / leaked counts summed over all pages.

Self-check: ``.venv/bin/python -m doctest bench/scoring.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_TOKEN = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
SHINGLE = 4


def tokens(text: str | None) -> list[str]:
    """``\\w+`` tokens after dropping soft hyphens and zero-width characters (case kept)."""
    if not text:
        return []
    return _TOKEN.findall(_INVISIBLE.sub("", text))


def shingles(text: str | None) -> Counter[tuple[str, ...]]:
    """Multiset of 4-token shingles; 1-3 tokens make one shingle, no tokens none.

    >>> sorted(shingles("a b c d e").values()), shingles("x y"), shingles("")
    ([1, 1], Counter({('x', 'y'): 1}), Counter())
    >>> shingles("Ver\u00adfas\u200bsung a b c")[("Verfassung", "a", "b", "c")]
    1
    """
    toks = tokens(text)
    if not toks:
        return Counter()
    if len(toks) < SHINGLE:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1))


def page_precision_recall(predicted: str | None, expected: str | None) -> tuple[float, float]:
    """Shingle precision and recall of one page (1.0 where there is nothing to get wrong).

    >>> page_precision_recall("a b c d e f", "a b c d e")  # 3 predicted, 2 right
    (0.6666666666666666, 1.0)
    >>> page_precision_recall("", "")
    (1.0, 1.0)
    >>> page_precision_recall("", "a b c d")
    (1.0, 0.0)
    """
    pred, exp = shingles(predicted), shingles(expected)
    tp = sum((pred & exp).values())
    fp = sum(pred.values()) - tp
    fn = sum(exp.values()) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class TextScore:
    """Accumulates page scores into the dataset precision/recall/F1 of one text field."""

    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)

    def add(self, predicted: str | None, expected: str | None) -> tuple[float, float]:
        precision, recall = page_precision_recall(predicted, expected)
        self.add_page(precision, recall, bool(tokens(predicted)))
        return precision, recall

    def add_page(self, precision: float, recall: float, predicted: bool) -> None:
        """One page's scores; its precision counts only when the tool predicted text.

        >>> score = TextScore()
        >>> score.add_page(1.0, 0.0, False); score.add_page(0.5, 1.0, True)
        >>> score.precision, score.recall
        (0.5, 0.5)
        """
        if predicted:
            self.precisions.append(precision)
        self.recalls.append(recall)

    @property
    def precision(self) -> float:
        return sum(self.precisions) / len(self.precisions) if self.precisions else 0.0

    @property
    def recall(self) -> float:
        return sum(self.recalls) / len(self.recalls) if self.recalls else 0.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def normalize(text: str | None) -> str:
    """NFC, invisible characters dropped, whitespace collapsed (case kept)."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def headline_exact(predicted: str | None, expected: str | None) -> float:
    """Exact match after NFC and whitespace normalization, case kept.

    >>> headline_exact(" Cafe\u0301  news ", "Café news"), headline_exact("café news", "Café news")
    (1.0, 0.0)
    """
    return float(bool(normalize(expected)) and normalize(predicted) == normalize(expected))


def set_f1(predicted: Iterable[str], expected: Iterable[str]) -> float:
    """F1 of two sets (both empty = 1).

    >>> set_f1([], []), set_f1(["a"], []), set_f1(["a", "b"], ["a"])
    (1.0, 0.0, 0.6666666666666666)
    """
    pred, exp = set(predicted), set(expected)
    if not pred and not exp:
        return 1.0
    tp = len(pred & exp)
    if not tp:
        return 0.0
    return f1(tp / len(pred), tp / len(exp))


def author_key(name: str) -> str:
    return normalize(name).lower()


def authors_f1(predicted: Iterable[str], expected: Iterable[str]) -> float:
    return set_f1(
        {author_key(n) for n in predicted if normalize(n)},
        {author_key(n) for n in expected if normalize(n)},
    )


def caption_key(text: str | None) -> str:
    """Caption/credit comparison key: normalized as headlines are (NFC, invisible
    characters dropped, whitespace collapsed), case and punctuation kept.

    The README asks for "normalized caption texts" and defines no other folding, so
    a caption that loses its final period or a credit spaced differently misses.

    >>> caption_key(" Foto:  dpa\u200b "), caption_key("Photo."), caption_key("photo")
    ('Foto: dpa', 'Photo.', 'photo')
    """
    return normalize(text)


def caption_texts_f1(predicted: Iterable[str | None], expected: Iterable[str | None]) -> float:
    return set_f1(
        {k for k in map(caption_key, predicted) if k},
        {k for k in map(caption_key, expected) if k},
    )


def split_credits(credit: str | None) -> list[str]:
    """One credit string as the list the truth data uses (comma-separated parts)."""
    return [part for part in (credit or "").split(",") if part.strip()]


# Credits are compared exactly as caption texts are.
credits_f1 = caption_texts_f1


def parse_time(value: str | None) -> dt.datetime | dt.date | None:
    """An ISO 8601 / RFC 3339 value as a datetime (or a date for a date-only value)."""
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def same_day(predicted: str | None, expected: str | None) -> float:
    """1.0 when ``predicted`` falls on the expected calendar day in the expected offset.

    >>> same_day("2024-05-02T23:30:00Z", "2024-05-03T08:00:00+02:00")  # 01:30 local
    1.0
    >>> same_day("2024-05-03T23:30:00Z", "2024-05-03T08:00:00+02:00")  # next day local
    0.0
    >>> same_day("2024-05-03", "2024-05-03T00:00:00"), same_day(None, "2024-05-03")
    (1.0, 0.0)
    """
    exp, pred = parse_time(expected), parse_time(predicted)
    if exp is None or pred is None:
        return 0.0
    exp_day = exp.date() if isinstance(exp, dt.datetime) else exp
    if not isinstance(pred, dt.datetime):
        return float(pred == exp_day)
    if isinstance(exp, dt.datetime) and exp.tzinfo and pred.tzinfo:
        pred = pred.astimezone(exp.tzinfo)
    return float(pred.date() == exp_day)


def snippet_counts(
    text: str | None, must_contain: Iterable[str], must_not_contain: Iterable[str]
) -> tuple[int, int, int]:
    """(found, missed, leaked) snippets of one page; text and snippets whitespace-normalized.

    >>> snippet_counts("Main  text. More\ttext", ["Main text.", "absent"], ["More text", "menu"])
    (1, 1, 1)
    >>> snippet_counts(None, ["a"], ["b"])
    (0, 1, 0)
    """
    haystack = normalize(text)
    wanted = [k for k in map(normalize, must_contain) if k]
    unwanted = [k for k in map(normalize, must_not_contain) if k]
    found = sum(1 for snippet in wanted if snippet in haystack)
    leaked = sum(1 for snippet in unwanted if snippet in haystack)
    return found, len(wanted) - found, leaked


@dataclass
class SnippetScore:
    """Snippet pass rate and snippet F1 over pages (counts summed before dividing)."""

    found: int = 0
    missed: int = 0
    leaked: int = 0
    passed: int = 0
    pages: int = 0

    def add_page(self, found: int, missed: int, leaked: int) -> None:
        """One page's counts; it passes with nothing missed and nothing leaked.

        >>> score = SnippetScore()
        >>> score.add_page(3, 0, 0); score.add_page(2, 1, 1)
        >>> score.pass_rate, score.precision, score.recall
        (0.5, 0.8333333333333334, 0.8333333333333334)
        """
        self.found += found
        self.missed += missed
        self.leaked += leaked
        self.passed += int(not missed and not leaked)
        self.pages += 1

    @property
    def pass_rate(self) -> float:
        return self.passed / self.pages if self.pages else 0.0

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.leaked) if self.found + self.leaked else 0.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 0.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)
