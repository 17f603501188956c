"""The date a page shows its readers below the headline, against the structured data.

Hand-written pages: a revised guide whose JSON-LD keeps the first publication
while the page shows only its update, and a relaunched page whose meta tag
holds a re-save time.
"""

from __future__ import annotations

from newsarchive.extraction import extract

URL = "https://garden.example.org/guides/pruning-roses"


def _page(head: str, byline: str, more: str = "") -> str:
    paragraphs = "".join(
        f"<p>Step {i}: cut above an outward-facing bud, at a slant, with clean shears.</p>"
        for i in range(6)
    )
    return (
        f"<html><head><title>Pruning roses</title>{head}</head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/guides'>Guides</a></nav></header>"
        f"<article><h1>How to prune roses in late winter</h1><div class='meta'>{byline}</div>"
        f"{paragraphs}{more}</article></body></html>"
    )


REVISED_LD = (
    '<script type="application/ld+json">{"@type": "Article",'
    ' "headline": "How to prune roses in late winter",'
    ' "datePublished": "2019-10-15T16:59:59Z", "dateModified": "2020-03-12T14:42:17Z"}</script>'
)


def test_a_page_showing_only_its_update_is_dated_by_it() -> None:
    html = _page(REVISED_LD, "<span>Updated Mar 12, 2020 @ 10:42 am</span>")
    record = extract(html, URL)
    assert record["date_published"] == "2020-03-12T14:42:17Z"  # the stated modification time
    assert record["date_modified"] == "2020-03-12T14:42:17Z"
    # the stated publication stays when the page shows its day too
    shown_too = "<p class='history'>First published on 15 October 2019.</p>"
    html = _page(REVISED_LD, "<span>Updated Mar 12, 2020 @ 10:42 am</span>", shown_too)
    assert extract(html, URL)["date_published"] == "2019-10-15T16:59:59Z"


def test_a_shown_date_beats_a_re_save_time_and_keeps_the_page_offset() -> None:
    head = '<meta property="article:published_time" content="2022-11-17T10:33:13+01:00">'
    record = extract(_page(head, "<time>09.03.2022</time>"), URL)
    assert record["date_published"] == "2022-03-09T00:00:00+01:00"
    assert record["date_published_source"] == "text"
    # a date in a sentence below the headline is no byline
    sentence = "<p>The society's show on 9 March 2022 judged the best pruned beds.</p>"
    record = extract(_page(head, "<span>By the garden desk</span>" + sentence), URL)
    assert record["date_published"] == "2022-11-17T10:33:13+01:00"


def test_a_utc_moment_on_another_day_than_the_permalink_takes_the_permalink_day() -> None:
    """An evening article west of UTC: its UTC time lies on the next day."""
    head = '<meta property="article:published_time" content="2021-06-04T03:15:00+00:00">'
    html = _page(head, "<span>By the garden desk</span>")
    record = extract(html, "https://garden.example.org/2021/06/03/pruning-roses/")
    assert record["date_published"] == "2021-06-03"
    assert record["date_published_raw"] == "2021-06-04T03:15:00+00:00"
    # a permalink days away from the moment is an old draft's date, not the local day
    record = extract(html, "https://garden.example.org/2021/05/28/pruning-roses/")
    assert record["date_published"] == "2021-06-04T03:15:00Z"


def test_a_date_below_the_headline_is_found_after_a_long_menu() -> None:
    """The page states no date in markup; its byline line sits after 450 menu entries."""
    menu = "".join(f"<li><a href='/club/{i}'>Team {i}</a></li>" for i in range(450))
    html = (
        f"<html><head><title>Cup preview</title></head><body><nav><ul>{menu}</ul></nav>"
        "<main><h1>Brothers meet in the cup quarter-final</h1>"
        "<p class='subtitle'>Club news \u2022 02.02.2022</p>"
        "<p>Both clubs expect a full hall on Saturday, the board said.</p></main></body></html>"
    )
    record = extract(html, "https://club.example.org/news/cup-preview")
    assert record["date_published"] == "2022-02-02"
    assert record["date_published_source"] == "text"


def test_a_time_element_of_another_story_does_not_date_the_article() -> None:
    """Related stories in <article> cards of their own carry their own <time>."""
    cards = "".join(
        f"<article><h3><a href='/news/{i}'>Older story {i}</a></h3>"
        f"<time datetime='2020-12-0{i} 07:32:49'>{i}. Dezember 2020</time></article>"
        for i in range(1, 4)
    )
    html = (
        "<html><head><title>New director</title></head><body>"
        "<article><h1>New director at the broadcaster</h1>"
        "<p class='byline'>von Redaktion \u00b7 <span class='published'>31. Oktober 2023</span></p>"
        "<p>The broadcasting council appointed a new director on Monday evening.</p></article>"
        f"<section class='related'>{cards}</section></body></html>"
    )
    record = extract(html, "https://city.example.org/new-director")
    assert record["date_published"] == "2023-10-31"
    # in the headline's own <article>, a <time> still dates it
    own = html.replace("<p>The broadcasting", "<time datetime='2023-10-31 18:00:00'></time><p>The")
    record = extract(own, "https://city.example.org/new-director")
    assert record["date_published"] == "2023-10-31"
    assert record["date_published_source"] == "time_element"


def test_a_generic_date_tag_after_the_shown_date_is_the_last_change() -> None:
    """<meta name="date"> names no event; a day after the byline's date it is an edit."""
    head = '<meta name="date" content="2020-04-29T11:52:23">'
    later_list = "<ul class='more'><li>Earlier report on pruning, 29.04.2020</li></ul>"
    html = _page(head, "<span>Stand: 28.04.2020 18:00 Uhr</span>", later_list)
    assert extract(html, URL)["date_published"] == "2020-04-28"
    # a shown date after the tag's is no evidence the tag is an edit: the tag stays
    html = _page(head, "<span>Stand: 30.04.2020 18:00 Uhr</span>", later_list)
    assert extract(html, URL)["date_published"] == "2020-04-29"


def test_a_page_showing_only_its_update_far_below_the_headline_is_dated_by_it() -> None:
    ld = REVISED_LD.replace("2019-10-15T16:59:59Z", "2020-03-11T23:00:00Z")
    notes = "".join(f"<p>Note {i}.</p>" for i in range(12))  # far below the headline
    footer = notes + "<p class='stand'>Last reviewed: 12 March 2020</p>"
    html = _page(ld, "<span>By the garden desk</span>", footer)
    assert extract(html, URL)["date_published"] == "2020-03-12T14:42:17Z"
    # both days shown: the stated publication stays
    both = footer + "<p>First published on 11 March 2020.</p>"
    assert extract(_page(ld, "<span>By the garden desk</span>", both), URL)["date_published"] == (
        "2020-03-11T23:00:00Z"
    )
