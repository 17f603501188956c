"""Markup inside metadata strings (JSON-LD, meta tags, alt text) is read as HTML, leniently."""

from __future__ import annotations

import json

import lxml.html
import pytest

from newsarchive.extraction import extract
from newsarchive.extraction.text import fragment_text


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        (
            "Rheinmetall ist nach <em>NDR</em>-Recherchen betroffen",
            "Rheinmetall ist nach NDR-Recherchen betroffen",
        ),
        ("<p>One paragraph.</p><p>Another.</p>", "One paragraph. Another."),
        ('<a href="/experts/jane-roe" hreflang="en">Jane Roe</a>', "Jane Roe"),
        ("Title<br>Subtitle", "Title Subtitle"),
        ("<script>track()</script>Harbour reopens", "Harbour reopens"),
        ("Q&amp;A <b>inside</b>: a<b", "Q&A inside: a<b"),
    ],
)
def test_fragments_become_their_text(fragment: str, text: str) -> None:
    assert fragment_text(fragment) == text


@pytest.mark.parametrize("prose", ["a < b and c > d", "We <3 ferries", "Q&A: a<b", "x<5", "AT&T"])
def test_prose_that_only_looks_like_markup_is_left_alone(prose: str) -> None:
    assert fragment_text(prose) == prose


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<em>Q&amp;A</em>: a<b", "Q&A: a<b"),  # lxml drops "<b" as a tag start
        ("<script>track()</script>Harbour reopens", "Harbour reopens"),  # lxml keeps the script
    ],
)
def test_fragments_lxml_mangles(fragment: str, text: str) -> None:
    """Why BeautifulSoup's lenient html.parser reads these fragments, not lxml."""
    assert lxml.html.fromstring(fragment).text_content() != text
    assert fragment_text(fragment) == text


def _page(ld: dict, description: str) -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the story about ferries and fares.</p>" for i in range(6)
    )
    return (
        "<html><head><title>Ferry fares rise</title>"
        f'<meta name="description" content="{description}">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
        f"<body><article><h1>Ferry fares rise</h1>{paragraphs}</article></body></html>"
    ).encode()


def test_markup_in_json_ld_and_meta_values_leaves_the_record() -> None:
    ld = {
        "@type": "NewsArticle",
        "headline": "Ferry fares rise",
        "author": {"@type": "Person", "name": '<a href="/authors/jane-roe">Jane Roe</a>'},
    }
    record = extract(
        _page(ld, "Fares rise after &lt;em&gt;fuel&lt;/em&gt; costs climb"),
        "https://news.example/a",
    )
    assert [author["name"] for author in record["authors"]] == ["Jane Roe"]
    assert record["description"] == "Fares rise after fuel costs climb"
