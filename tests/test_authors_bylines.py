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


# --------------------------------------------------------------------------- handles


def test_a_one_word_author_page_link_is_the_author_when_nothing_else_names_one() -> None:
    links = (
        '<p class="meta">Posted in <a href="/author/mira/">Mira</a> · 3 May</p>'
        '<aside><a href="/author/mira/">More</a> <a href="/author/olaf/">Olaf</a></aside>'
    )
    assert names(page(body=links)) == ["Mira"]  # the first link; the rest label other posts
    site = (
        '<meta name="author" content="Harbour Herald">'
        '<meta property="og:site_name" content="Harbour Herald">'
    )
    assert names(page(site, body=links)) == ["Harbour Herald"]  # the site's own credit first


def test_a_lower_case_handle_in_author_markup_is_a_name() -> None:
    handle = (
        '<span class="meta">By <a rel="author" href="/members/harbourfox">harbourfox</a></span>'
    )
    assert names(page(body=handle)) == ["harbourfox"]
    microdata = '<span itemprop="author">k.lind-99</span>'
    assert names(page(body=microdata)) == ["k.lind-99"]


# --------------------------------------------------------------------------- the site, companies


def test_a_company_in_the_author_meta_gives_way_to_the_byline() -> None:
    meta = '<meta name="author" content="Verein der Hafenfreunde e.V.">'
    byline = "<p>Von Tilda Marek</p>"
    assert names(page(meta, byline)) == ["Tilda Marek"]
    assert names(page(meta)) == ["Verein der Hafenfreunde e.V."]  # nobody else: kept


def test_a_site_name_with_an_ampersand_is_no_pair_of_people() -> None:
    byline = '<p class="byline">By Jo Park</p>'
    ampersand = '<meta name="author" content="Docks & Cranes">'
    site = '<meta property="og:site_name" content="Docks & Cranes">'
    assert names(page(site + ampersand, byline), "https://dc.example/a/1") == ["Jo Park"]


def test_the_site_name_after_an_article_is_the_site() -> None:
    byline = '<p class="byline">By Jo Park</p>'
    article = '<meta name="author" content="Die HAFENPOST">'
    assert names(page(article, byline), "https://www.hafenpost.example/a/1") == ["Jo Park"]


# --------------------------------------------------------------------------- byline blocks


def test_author_links_far_from_the_byline_are_other_posts() -> None:
    byline = (
        '<div class="meta"><span>By <a href="/author/ines-roth/">Ines Roth</a> and '
        '<a href="/author/lev-ott/">Lev Ott</a></span></div>'
    )
    teasers = "".join(
        f'<section><div><h3>Teaser {i}</h3><p><span>by <a href="/author/p{i}/">Pia Nord{i}'
        f"</a></span></p></div></section>"
        for i in "ABC"
    )
    assert names(page(body=byline + teasers)) == ["Ines Roth", "Lev Ott"]


def test_text_pieces_of_a_byline_are_words_apart() -> None:
    link = (
        '<div class="author-box"><a href="/author/heike-sand/"><span>Show all articles of'
        "</span>Heike Sand</a></div>"
    )
    assert names(page(body=link)) == ["Heike Sand"]


# --------------------------------------------------------------------------- byline labels


def test_a_genre_or_verb_before_by_is_a_label_in_many_languages() -> None:
    assert split_names("Eine Kolumne von Lotte Brenner") == ["Lotte Brenner"]
    assert split_names("Un article de Jean Roy") == ["Jean Roy"]
    assert split_names("Un artículo de Ana Ruiz") == ["Ana Ruiz"]
    assert split_names("Blog Beitrag von Mila Hart") == ["Mila Hart"]
    assert split_names("Di Stefano Marco") == ["Di Stefano Marco"]  # "di" alone opens a name


def test_a_label_piece_followed_by_the_name_in_its_own_element() -> None:
    article = '<div class="info">Ein Artikel von <strong>Rosa Winter</strong> | 27.01.2022</div>'
    assert names(page(body=article, lang="de")) == ["Rosa Winter"]
    written = '<p><em>Written by: <a href="https://elsewhere.example/x">Omar Quint</a></em></p>'
    assert names(page(body=written)) == ["Omar Quint"]


def test_a_first_name_in_structured_data_is_completed_by_the_byline() -> None:
    head = ld({"@type": "BlogPosting", "author": {"@type": "Person", "name": "Nele"}})
    assert names(page(head, "<p><strong>Eine Kolumne von Nele Vogt</strong></p>")) == ["Nele Vogt"]
    assert names(page(head, '<p class="byline">By Ruth Lind</p>')) == ["Nele"]  # someone else
    korean = ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "김혜진"}})
    assert names(page(korean, '<p class="byline">김혜진 기자</p>', lang="ko")) == ["김혜진"]


def test_a_handle_after_the_name_is_dropped() -> None:
    assert split_names("Rafael Ortega @rortega_news") == ["Rafael Ortega"]


# --------------------------------------------------------------------------- labelled lines


def test_a_byline_after_a_long_navigation_is_found() -> None:
    menu = "<nav><ul>" + "".join(f"<li><a>Topic {i}</a></li>" for i in range(700)) + "</ul></nav>"
    html = (
        f"<html><body>{menu}<main><h1>Council vote</h1><p>von Lina Sommer</p>{BODY}</main>"
        "</body></html>"
    )
    assert names(html) == ["Lina Sommer"]


def test_a_label_far_past_the_article_is_another_pages() -> None:
    footer = "".join(f"<p>Footer link {i}</p>" for i in range(150))
    html = page(after=f"<footer>{footer}<p>Autor:</p><p>Kurt Ambros</p></footer>")
    assert names(html) == []


def test_a_bold_name_closing_the_article_signs_it() -> None:
    closing = BODY + "<p><b><i>Jonas Falk</i></b></p>"
    html = f"<html><body><article><h1>Council vote</h1>{closing}</article></body></html>"
    assert names(html) == ["Jonas Falk"]
    subheading = BODY + "<p><strong>Côte du Nord</strong></p><p>The last paragraph follows.</p>"
    html = f"<html><body><article><h1>Council vote</h1>{subheading}</article></body></html>"
    assert names(html) == []


def test_chinese_byline_labels_name_the_author() -> None:
    html = page(body="<div>责任编辑： <br>王小明</div>", lang="zh")
    assert names(html) == ["王小明"]
    assert split_names("作者：李华") == ["李华"]


def test_a_meta_line_of_date_and_name_at_the_headline() -> None:
    below = (
        '<html><body><main><h1>Council vote</h1><p class="muted">11.12.2019 - Amelie Roos</p>'
        f"{BODY}</main></body></html>"
    )
    assert names(below) == ["Amelie Roos"]
    above = (
        "<html><body><main><small>04.02.2022 | 13:10 Uhr | Uta Berg</small><h1>Council vote</h1>"
        f"{BODY}</main></body></html>"
    )
    assert names(above) == ["Uta Berg"]
    topic = (
        "<html><body><main><h1>Council vote</h1><p>11.12.2019 | City Hall | Budget</p>"
        f"{BODY}</main></body></html>"
    )
    assert names(topic) == []  # two segments besides the date: a topic line


def test_an_interview_byline_names_both_sides() -> None:
    assert split_names("Ida Brenner im Gespräch mit Paul Lenz") == ["Ida Brenner", "Paul Lenz"]
    assert split_names("Ana Ruiz in conversation with Tom Hale") == ["Ana Ruiz", "Tom Hale"]
