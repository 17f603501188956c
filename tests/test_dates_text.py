"""Dates written for readers, on hand-written pages whose markup states none."""

from __future__ import annotations

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
