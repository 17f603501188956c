"""Dates written for readers, on hand-written pages whose markup states none."""

from __future__ import annotations

import re

import pytest

from newsarchive.extraction import extract
from newsarchive.extraction.dates import parse_text_date

URL = "https://chem.example.org/news/helium-nuclei"


def _page(body: str) -> str:
    return (
        "<html><head><title>Helium nuclei</title></head><body><article>"
        "<h1>Helium nuclei found in tin atoms</h1>"
        "<p>Researchers report a clustering of helium nuclei at the surface of heavy tin"
        " isotopes; the study appeared in Science on 15 January 2021 after review.</p>"
        f"{body}</article></body></html>"
    )


def test_a_date_ending_a_sentence_is_read() -> None:
    found = parse_text_date("Zuletzt geprüft am 17.01.2021.")
    assert found is not None and found.value == "2021-01-17"
    assert parse_text_date("Version 1.2.2021.5") is None  # a version number, not a date


def test_a_label_with_its_preposition_dates_the_page() -> None:
    """'Aktualisiert am' / 'Published on' + date, after the text, beats a date inside it."""
    for label in ("Aktualisiert am", "Published on", "Publié le"):
        paragraphs = "".join(f"<p>Paragraph {i} of the report.</p>" for i in range(12))
        html = _page(f"{paragraphs}<p><span>{label}</span> <span>17.01.2021.</span></p>")
        record = extract(html, URL)
        assert record["date_published"] == "2021-01-17", label


def test_text_without_a_year_or_dots_skips_the_month_name_patterns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Most text pieces of a page hold no date: a piece without a four-digit year never
    runs the month-name patterns (their search is the costly part of the text scan), one
    without a dot never runs the dd.mm.yy pattern; pieces with them still give their dates."""
    from newsarchive.extraction import dates

    searched: list[str] = []

    class Counting:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def search(self, text: str) -> re.Match[str] | None:
            searched.append(text)
            return self.pattern.search(text)

    for name in ("_DOTTED", "_DAY_MONTH_YEAR", "_MONTH_DAY_YEAR"):
        monkeypatch.setattr(dates, name, Counting(getattr(dates, name)))
    for text in ("Share this story on May", "Mai 12 Kommentare", "Follow us: 24/7 news"):
        assert parse_text_date(text) is None
    assert searched == []
    assert parse_text_date("Posted May 3, 2024").value == "2024-05-03"
    assert parse_text_date("3. Mai 2024, 18.16 Uhr").value == "2024-05-03T18:16:00"
    assert parse_text_date("28.04.23 um 18:16").value.startswith("2023-04-28T18:16")
