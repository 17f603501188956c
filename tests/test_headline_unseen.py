"""Headline on sites never seen: a stated title that is the shown headline plus a tail.

Title fields often repeat the headline the page shows and append words to it: an SEO
keyword ("... przepis", recipe), a place (", Thailand"), a tagline the template glues on
without a space. The reader's headline is the shown one. A tail set off by a separator,
brackets or a date is another matter (site names, sections, recipe notes) and keeps the
vote's answer.
"""

from __future__ import annotations

from newsarchive.extraction import extract

URL = "https://news.example.org/2024/05/03/story-123.html"
BODY = "".join(
    f"<p>Paragraph {i} of the story tells what happened in the harbour on Friday "
    f"and why the new quay matters for the people who live there.</p>"
    for i in range(6)
)


def headline_of(stated: str, shown: str, lang: str = "en") -> str | None:
    # twitter:title as news pages have it: the stated title is the page's own statement
    # (without it a lone <h1> wins, see test_the_lone_h1_beats_the_seo_title...).
    html = (
        f"<!doctype html><html lang='{lang}'><head><title>{stated}</title>"
        f"<meta property='og:title' content='{stated}'>"
        f"<meta name='twitter:title' content='{stated}'></head><body><article>"
        f"<h1>{shown}</h1>{BODY}</article></body></html>"
    )
    return extract(html, URL)["headline"]


def test_an_seo_keyword_appended_to_the_shown_headline_is_left_out() -> None:
    shown = "Pierogi z dynią w sosie szałwiowym"
    assert headline_of(f"{shown} przepis", shown, "pl") == shown


def test_a_place_appended_after_a_comma_is_left_out() -> None:
    shown = "Frei erfunden: Bote fliegt nach Singapur"
    assert headline_of(f"{shown}, Thailand", shown, "de") == shown


def test_a_tagline_glued_on_with_a_capital_is_left_out() -> None:
    shown = "Truckwash an der A31"
    stated = f"{shown}Das etwas andere Branchenbuch für Firmen"
    assert headline_of(stated, shown, "de") == shown


def test_a_tail_in_brackets_keeps_the_stated_title() -> None:
    # "(okra stir fry)" belongs to the recipe's name (a guard: without the bracket
    # exception the shorter heading would win).
    stated = "Bhindi masala with onions (okra stir fry)"
    assert headline_of(stated, "Bhindi masala with onions") == stated


def test_a_short_shown_label_does_not_cut_a_stated_title() -> None:
    # A two-word heading (a section or a product name) that opens the title is no
    # evidence that the rest is appended.
    assert headline_of("Harbour news today from the quay", "Harbour news") == (
        "Harbour news today from the quay"
    )


def test_a_shared_end_behind_longer_openings_is_no_headline() -> None:
    # "Long title (5 Examples) | Topics" shown, "Long title | Topics" stated: the shared
    # end is a subtitle, not a headline behind two kickers (a kicker is the shorter part).
    stated = "Change the font size of a plot in R | Axis text and legend"
    shown = "Change the font size of a plot in R (5 Examples) | Axis text and legend"
    assert headline_of(stated, shown) == stated


def test_a_kicker_the_title_fields_add_before_the_shown_heading_is_left_out() -> None:
    # og:title and <title> put a topic before the headline the <h1> shows alone; no
    # kicker element or label line marks it on the page. The reader's headline is the
    # heading's.
    shown = "Warum der neue Kai für den Hafen zählt"
    assert headline_of(f"Hafenwirtschaft: {shown}", shown, "de") == shown


def test_a_display_heading_does_not_take_the_kicker_off() -> None:
    # A guard: an <h2> (no <h1> on the page) that shows the rest of a stated "Topic:
    # Headline" is often one line of a split headline; the stated title stays.
    stated = "Landtagswahl im Norden: Die Koalition verliert ihre Mehrheit"
    html = (
        f"<!doctype html><html lang='de'><head><title>{stated}</title>"
        f"<meta property='og:title' content='{stated}'></head><body><article>"
        f"<h2>Die Koalition verliert ihre Mehrheit</h2>{BODY}</article></body></html>"
    )
    assert extract(html, URL)["headline"] == stated


def seo_page(head: str, h1s: str) -> str:
    return (
        f"<!doctype html><html lang='de'><head>{head}</head><body><article>"
        f"{h1s}{BODY}</article></body></html>"
    )


SEO_TITLE = "Wärmepumpe im Altbau - Wann es sich lohnt"
SEO_HEAD = f"<title>{SEO_TITLE}</title><meta property='og:title' content='{SEO_TITLE}'>"
SHOWN = "Eignet sich eine Wärmepumpe im Altbau?"


def test_the_lone_h1_beats_the_seo_title_of_a_page_that_states_no_headline() -> None:
    # <title> and og:title (an SEO plugin's pair) agree on a search-result title; the
    # page states no headline of its own (no JSON-LD, microdata or twitter:title).
    assert extract(seo_page(SEO_HEAD, f"<h1>{SHOWN}</h1>"), URL)["headline"] == SHOWN


def test_a_stated_headline_or_a_short_or_second_h1_keeps_the_seo_title() -> None:
    # Guards: a twitter:title or a JSON-LD headline states the headline (the news
    # sites' case); a two-word heading is a label; two <h1>s say nothing of which is it.
    twitter = f"<meta name='twitter:title' content='{SEO_TITLE}'>"
    ld = (
        '<script type="application/ld+json">'
        f'{{"@type": "Article", "headline": "{SEO_TITLE}"}}</script>'
    )
    for head, h1s in (
        (SEO_HEAD + twitter, f"<h1>{SHOWN}</h1>"),
        (SEO_HEAD + ld, f"<h1>{SHOWN}</h1>"),
        (SEO_HEAD, "<h1>Heizung Ratgeber</h1>"),
        (SEO_HEAD, f"<h1>{SHOWN}</h1><h1>Weitere Ratgeber zum Thema Heizen</h1>"),
    ):
        assert extract(seo_page(head, h1s), URL)["headline"] == SEO_TITLE, h1s


def test_a_kicker_on_the_lone_h1_still_goes() -> None:
    # The heading's kicker glued on with a colon: the stated title without it wins.
    title = "Impfen und Boostern ist bis Ende Februar noch möglich"
    head = f"<title>{title}</title>"
    h1 = f"<h1>Medienmitteilung der Direktion: {title}</h1>"
    assert extract(seo_page(head, h1), URL)["headline"] == title
