"""Generic author rules, each on small pages written for the test (no site's markup)."""

from __future__ import annotations

import json

from newsarchive.extraction import extract
from newsarchive.extraction.authors import split_names

URL = "https://news.example.org/2024/05/03/council-vote.html"
BODY = "".join(
    f"<p>Paragraph {i} of the story tells what happened in the city council on Friday "
    f"and why the vote matters for the people who live there.</p>"
    for i in range(8)
)


def page(head: str = "", body: str = "", after: str = "", lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head>{head}</head>'
        f"<body><article><h1>Council vote</h1>{body}{BODY}</article>{after}</body></html>"
    )


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def names(html: str, url: str = URL) -> list[str]:
    return [a["name"] for a in extract(html, url)["authors"]]


# --------------------------------------------------------------------------- desks


def test_a_desk_account_is_the_author_only_when_nobody_is_named() -> None:
    person = {"@type": "Person", "name": "Redaktion"}
    alone = page(ld({"@type": "NewsArticle", "author": person}))
    assert names(alone) == ["Redaktion"]
    named = page(ld({"@type": "NewsArticle", "author": person}), '<p class="byline">By Ann Lee</p>')
    assert names(named) == ["Ann Lee"]
    assert names(page(body='<span class="author">Newsdesk</span>')) == ["Newsdesk"]


def test_a_desk_label_strips_only_with_a_colon() -> None:
    assert split_names("Redaktion Harbour Ticker") == ["Redaktion Harbour Ticker"]
    assert split_names("Redaktion: Ilse Brandt") == ["Ilse Brandt"]
