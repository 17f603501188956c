"""Grouped word alternations (patterns.py) match exactly where the flat ones do."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from newsarchive.extraction import bodylines, boilerplate, pageindex
from newsarchive.extraction.patterns import grouped, split_alternatives


def test_split_keeps_groups_classes_and_escapes_whole() -> None:
    pattern = r"a(?:b|c)d|[|x]y|e\|f|(?:g|h)[_-]+i|j"
    assert split_alternatives(pattern) == [r"a(?:b|c)d", "[|x]y", r"e\|f", r"(?:g|h)[_-]+i", "j"]
    assert "|".join(split_alternatives(pattern)) == pattern


def test_grouping_shares_first_letters_and_leaves_the_rest() -> None:
    assert (
        grouped(["nav", "navbar", "menu", "n?x", "-y", "news"]) == "n(?:av|avbar|ews)|menu|n?x|-y"
    )


def _probes(words: list[str]) -> list[str]:
    """Class strings around every word: alone, joined, cut short, glued, with digits."""
    probes = ["", "x", "-", "_", " "]
    seps = ["", " ", "-", "_", "1", "x", ".", "é"]
    for word in words:
        plain = re.sub(r"\\.|[?*+()\[\]{}|:]", "", word)
        for left, right in itertools.product(seps, seps):
            probes.append(f"{left}{plain}{right}")
        probes.extend([plain[:-1], plain.upper(), f"a {plain}-b c", f"{plain}{plain}"])
    return probes


@pytest.mark.parametrize(
    "flat, words, flags",
    [
        (
            rf"(?<![^\s_-])(?:{boilerplate._CHROME_WORDS})(?:$|[\s_-]|\d)",
            boilerplate._CHROME_WORDS,
            0,
        ),
        (boilerplate._ARTICLE_WORDS, boilerplate._ARTICLE_WORDS, 0),
        (boilerplate.CAPTION_RE.pattern, boilerplate.CAPTION_RE.pattern, 0),
        (boilerplate.NEVER_ARTICLE_RE.pattern, boilerplate.NEVER_ARTICLE_RE.pattern, re.I),
        ("|".join(map(re.escape, pageindex.CAPTION_KEYS)), None, 0),
        ("|".join(map(re.escape, pageindex.RELATED_KEYS)), None, 0),
    ],
)
def test_grouped_tables_match_exactly_where_the_flat_ones_do(
    flat: str, words: str | None, flags: int
) -> None:
    alternatives = split_alternatives(words) if words else split_alternatives(flat)
    grouped_pattern = flat.replace(words, grouped(alternatives)) if words else grouped(alternatives)
    assert grouped_pattern != flat  # something was grouped
    old, new = re.compile(flat, flags), re.compile(grouped_pattern, flags)
    probes = _probes(alternatives)
    assert len(probes) > 100
    for probe in probes:
        assert (old.search(probe) is None) == (new.search(probe) is None), probe


def test_the_walk_uses_the_grouped_tables() -> None:
    """The compiled class-name tables are the grouped forms (one branch per first letter)."""
    assert "(?:n(?:av|avbar|avigation" in boilerplate.CHROME_RE.pattern
    assert boilerplate.ARTICLE_RE.pattern.startswith("a(?:rticle")
    for table, keys in (
        (pageindex._CAPTION_KEYS_RE, pageindex.CAPTION_KEYS),
        (pageindex._RELATED_KEYS_RE, pageindex.RELATED_KEYS),
    ):
        assert len(split_alternatives(table.pattern)) < len(keys)


@pytest.mark.parametrize(
    "alternatives, parts, prefiltered, regex",
    [
        (
            split_alternatives(boilerplate._ARTICLE_WORDS),
            boilerplate._ARTICLE_WORD_PARTS,
            boilerplate._article_words,
            boilerplate.ARTICLE_RE,
        ),
        (
            list(pageindex.CAPTION_KEYS),
            ("aption", "text", "info", "bild", "legend", "ubtitle"),
            pageindex._caption_keys,
            pageindex._CAPTION_KEYS_RE,
        ),
    ],
)
def test_substring_prefilters_answer_what_their_regex_answers(
    alternatives: list[str], parts: tuple[str, ...], prefiltered: Any, regex: re.Pattern[str]
) -> None:
    """The cheap substring test before a class-word regex never hides a match: every word
    of the table holds one of the substrings (a word added without one fails here)."""
    for word in alternatives:
        plain = re.sub(r"\(\?<?!\[[^\]]*\]\)|\\.|[?*+()\[\]{}|:]", "", word)
        assert any(part in plain for part in parts), word
    probes = _probes(alternatives)
    probes += ["article-body-x", "storybody", "flex items-center caption", "no-match here"]
    for probe in probes:
        assert prefiltered(probe) == (regex.search(probe) is not None), probe


def test_every_dateline_form_needs_a_digit() -> None:
    """is_body_line asks DATELINE only of lines holding a digit: every alternative of the
    pattern must then need one (a form added without a digit fails here)."""
    alternatives = split_alternatives(bodylines.DATELINE.pattern)
    assert len(alternatives) >= 8
    for alternative in alternatives:
        assert re.search(r"(?<!\\)\\d", alternative), alternative
    for line in ("12:30 | Berlin", "vor 3 Minuten", "Lesedauer: 4 Minuten", "5 min read"):
        assert bodylines._DIGIT.search(line) and bodylines.DATELINE.search(line), line


def test_every_credit_line_label_holds_a_colon_or_the_copyright_sign() -> None:
    """What captions' test before the credit-line label pattern rests on: each label it
    reads ends in ":" or is "©", so a line holding neither never matches."""
    from newsarchive.extraction import captions

    pattern = captions._CREDIT_LINE_LABEL.pattern
    assert pattern.startswith(r"^\s*(?:©|(?:") and pattern.endswith(r")\s*:)")
    for line in ("© AFP", "Foto: dpa", "PHOTOS : Reuters", "fot. : x", "Credit:X", "Bilder:"):
        assert captions._CREDIT_LINE_LABEL.match(line), line
        bare = line.replace(":", "").replace("©", "")
        assert not captions._CREDIT_LINE_LABEL.match(bare), bare


def test_the_date_label_pattern_matches_only_pieces_the_first_letter_test_lets_through() -> None:
    """What dates' first-letter test before the label pattern rests on: for every label and
    every first character (ASCII in both cases, and the non-ASCII ones case-blind matching
    pairs with ASCII letters), a piece the pattern matches passes the test."""
    import string

    from newsarchive.extraction import dates

    labels = dates._DATE_LABELS.split("|")
    assert len(labels) >= 20
    firsts = string.printable.strip() + "\u017f\u212a\u0130\u0131\u00e9\u00c9"
    matched = 0
    for label in labels:
        for first in firsts:
            piece = first + label[1:] + ": 3. Mai 2024"
            if dates._DATE_LABEL.match(piece):
                matched += 1
                assert dates._may_be_label(piece), piece
    assert matched >= 2 * len(labels)  # each label in both cases, at least
    assert dates._DATE_LABEL.match("\u017ftand: x") and dates._may_be_label("\u017ftand: x")
    assert not dates._may_be_label("Berlin: 3. Mai 2024")


def test_every_date_form_read_before_four_digits_starts_with_a_number() -> None:
    """What parse_text_date's digit test rests on: the forms it tries before asking for
    four digits each start (after their lookbehind) with a group of digits, so a text
    without a digit matches none of them (a form added without one fails here)."""
    from newsarchive.extraction import dates

    starts_with_number = re.compile(r"^(?:\(\?<!\[[^\]]*\]\))?\(\?P<\w+>(?:\\d|\[0-3\]\?\\d)")
    for form in dates._NUMBER_FIRST_FORMS:
        assert starts_with_number.match(form.pattern), form.pattern
    assert dates.parse_text_date("28.04.2023") and dates.parse_text_date("3|5|2021")
    assert dates.parse_text_date("Stand. Mai. Juni - Juli | x / y") is None
