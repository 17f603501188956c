"""Hostile pages against the extraction rules: each page may only fail itself.

Every byte of a page is the site's to choose, so each rule that loops over links,
cards, captions or text must stay linear in the page. The pages here are built to hit
one rule's worst case. Where the work can be counted it is; else a time bound states
why it is generous: an ordinary page of the same size extracts in about a second on
a busy machine, the quadratic forms these pages used to hit took 20 s and more, and
the engine gives a page ``NEWSARCHIVE_EXTRACT_TIMEOUT`` (60 s) before failing it.
"""

from __future__ import annotations

import time

from newsarchive.extraction import extract

URL = "https://news.example.org/a/story.html"
BOUND = 12  # seconds; see the module docstring
ARTICLE = (
    "<article><h1>A story about the council budget</h1>"
    + "<p>The council met again to discuss the budget in some detail today.</p>" * 5
    + "</article>"
)


def page(head: str = "", body: str = "") -> str:
    return (
        f"<html><head><title>A story about the council budget</title>{head}</head>"
        f"<body>{ARTICLE}{body}</body></html>"
    )


def timed_extract(html: str) -> tuple[dict, float]:
    start = time.perf_counter()
    record = extract(html.encode(), URL)
    return record, time.perf_counter() - start


def test_caption_classed_elements_under_one_wide_parent_stay_linear() -> None:
    """Each caption-classed element asks whether its parent is a small wrapper around an
    image; counting all of a parent's children for it made 60,000 captions under one
    <div> cost 60,000 x 60,000 steps."""
    body = "<div>" + '<b class="caption">x</b>' * 60_000 + "</div>"
    record, seconds = timed_extract(page(body=body))
    assert record["headline"] == "A story about the council budget"
    assert seconds < BOUND
