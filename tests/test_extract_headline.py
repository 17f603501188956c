"""Headline vote: the visible headline element against SEO titles, kickers, ties."""

from __future__ import annotations

import json

from newsarchive.extraction import extract
from newsarchive.extraction.document import load_document
from newsarchive.extraction.headline import candidates, choose

URL = "https://news.example.org/politik/2024/05/03/story-123.html"
BODY = "".join(
    f"<p>Paragraph {i} of the story tells what happened in the city council on Friday "
    f"and why the vote matters for the people who live there.</p>"
    for i in range(8)
)
SEO = "Council budget 2024: everything you need to know about the vote"
VISIBLE = "Council approves budget after all-night session"


def ld_headline(text: str) -> str:
    obj = {"@type": "NewsArticle", "headline": text}
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def og(text: str) -> str:
    return f'<meta property="og:title" content="{text}">'


def page(head: str, before_article: str = "", article_head: str = "") -> str:
    return (
        f"<!doctype html><html><head>{head}</head><body>{before_article}"
        f"<article>{article_head}{BODY}</article></body></html>"
    )


def headline_of(html: str) -> str | None:
    return extract(html, URL)["headline"]


BREADCRUMB = f'<nav class="breadcrumb"><ol><li>Politik</li><li><h1>{SEO}</h1></li></ol></nav>'


def test_breadcrumb_h1_loses_to_the_visible_headline_that_og_repeats() -> None:
    html = page(
        ld_headline(SEO) + f"<title>{SEO}</title>" + og(VISIBLE),
        BREADCRUMB,
        f'<header><h2 itemprop="headline">{VISIBLE}</h2></header>',
    )
    assert headline_of(html) == VISIBLE


def test_headline_class_span_is_found_when_h1_is_a_breadcrumb() -> None:
    html = page(
        ld_headline(SEO) + og(VISIBLE),
        BREADCRUMB,
        f'<h2><span class="title__kicker">Budget</span>'
        f'<span class="title__headline">{VISIBLE}</span></h2>',
    )
    assert headline_of(html) == VISIBLE


def test_visible_headline_without_corroboration_does_not_beat_json_ld() -> None:
    html = page(ld_headline(SEO) + og(SEO), BREADCRUMB, f"<h2>{VISIBLE}</h2>")
    assert headline_of(html) == SEO


def test_marked_h1_that_og_repeats_beats_a_different_json_ld_headline() -> None:
    html = page(
        ld_headline(SEO) + f"<title>{SEO}</title>" + og(VISIBLE),
        article_head=f'<h1 class="article-headline">{VISIBLE}</h1>',
    )
    assert headline_of(html) == VISIBLE


def test_plain_h1_with_og_does_not_outvote_json_ld_and_title() -> None:
    html = page(
        ld_headline(SEO) + f"<title>{SEO}</title>" + og(VISIBLE),
        article_head=f"<h1>{VISIBLE}</h1>",
    )
    assert headline_of(html) == SEO


def test_headline_shared_behind_different_kickers_drops_both_kickers() -> None:
    html = page(
        og(f"Town hall: {VISIBLE}") + f"<title>Town hall: {VISIBLE}</title>",
        article_head=(
            f'<h1 class="article-headline"><span class="overline">Late vote</span> - '
            f"<span>{VISIBLE}</span></h1>"
        ),
    )
    assert headline_of(html) == VISIBLE


def test_kicker_kept_when_only_a_split_heading_lacks_it() -> None:
    full = f"Town hall: {VISIBLE}"
    html = page(
        ld_headline(full) + og(full),
        f'<nav class="breadcrumb"><h1>{full}</h1></nav>',
        f'<h2 class="headline">{VISIBLE}</h2>',
    )
    assert headline_of(html) == full


def test_tie_goes_to_what_the_page_shows() -> None:
    html = page(
        ld_headline(SEO) + og(VISIBLE) + f'<meta name="twitter:title" content="{VISIBLE}">',
        article_head=f"<h1>{VISIBLE}</h1>",
    )
    doc = load_document(html, URL)
    found = candidates(doc, None)
    assert {c.source for c in found} >= {"h1", "json_ld", "og", "twitter"}
    # json_ld 3.0 against h1 0.5 + og 1 + twitter 1 + 0.5 title-less: 2.5, so no tie yet
    assert choose(found) == SEO
    tied = page(
        ld_headline(SEO) + og(VISIBLE) + f'<meta name="twitter:title" content="{VISIBLE}">'
        f"<title>{VISIBLE}</title>",
        article_head=f"<h1>{VISIBLE}</h1>",
    )
    assert headline_of(tied) == VISIBLE


def test_thousands_of_nested_headline_elements_stay_fast() -> None:
    """Each display candidate costs its subtree's text: only the first few are read."""
    import time

    nest = '<h2 class="headline">ab ' * 2000 + "x" + "</h2>" * 2000
    html = f'<html><body><nav class="breadcrumb"><h1>{SEO}</h1></nav>{nest}</body></html>'
    began = time.perf_counter()
    record = extract(html, URL)
    assert time.perf_counter() - began < 2.0
    assert record["headline"] == SEO


# ----------------------------------------------------------------------- spelling


def test_json_ld_copied_from_rendered_html_gives_way_to_the_typed_og_spelling() -> None:
    # A typography filter curled the quotes of <h1> and, escaped, of JSON-LD;
    # og:title keeps the headline as typed.
    typed = "Storm hits the coast, closes 'all' schools"
    html = page(
        ld_headline("Storm hits the coast, closes &#8216;all&#8217; schools") + og(typed),
        article_head="<h1>Storm hits the coast, closes \u2018all\u2019 schools</h1>",
    )
    assert headline_of(html) == typed


def test_json_ld_without_html_escapes_keeps_its_curly_quotes_over_og() -> None:
    curly = "Storm hits the coast, closes \u2018all\u2019 schools"
    html = page(
        ld_headline(curly) + og("Storm hits the coast, closes 'all' schools"),
        article_head=f"<h1>{curly}</h1>",
    )
    assert headline_of(html) == curly


def test_meta_title_spelling_wins_among_sources_with_the_same_words() -> None:
    typed = "Singer calls \u2018The Album\u2019 her 'best work'"
    html = page(
        ld_headline("Singer calls &#8216;The Album&#8217; her &#8216;best work&#8217;")
        + og("Singer calls 'The Album' her 'best work'")
        + f'<meta name="title" content="{typed} | Example News">'
        + '<meta property="og:site_name" content="Example News">',
        article_head="<h1>Singer calls \u2018The Album\u2019 her \u2018best work\u2019</h1>",
    )
    assert headline_of(html) == typed


def test_meta_title_is_a_candidate_without_its_site_suffix() -> None:
    doc = load_document(
        page('<meta name="title" content="Storm closes schools - Example News">'), URL
    )
    found = [(c.source, c.text) for c in candidates(doc, None)]
    assert ("meta_title", "Storm closes schools") in found


def test_a_title_field_in_capitals_does_not_spell_the_headline() -> None:
    html = page(
        og("Storm closes schools on the coast")
        + '<meta name="title" content="STORM CLOSES SCHOOLS ON THE COAST">',
        article_head="<h1>Storm closes schools on the coast</h1>",
    )
    assert headline_of(html) == "Storm closes schools on the coast"
    shouted = page(og("STORM CLOSES SCHOOLS ON THE COAST"))
    assert headline_of(shouted) == "STORM CLOSES SCHOOLS ON THE COAST"


def test_meta_title_repeating_the_seo_title_does_not_outvote_the_visible_headline() -> None:
    html = page(
        f"<title>{SEO} | Example News</title>"
        f'<meta name="title" content="{SEO}">'
        '<meta property="og:site_name" content="Example News">',
        article_head=f"<h1>{VISIBLE}</h1>",
    )
    assert headline_of(html) == VISIBLE
