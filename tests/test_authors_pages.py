"""Generic author rules for general web pages (blogs, associations, magazines), each on
small pages written for the test (no site's markup)."""

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


def names(html: str, url: str = URL) -> list[str]:
    return [a["name"] for a in extract(html, url)["authors"]]


def teasers(cls: str, people: list[str]) -> str:
    """A list of other articles, each teaser credited in an element of class ``cls``."""
    items = "".join(
        f'<li><div class="card"><a href="/story-{i}.html"><h3>Story {i} of the week</h3>'
        f'<div class="badge"><div class="{cls}">Von {who}</div></div></a></div></li>'
        for i, who in enumerate(people)
    )
    return f"<section><h2>Mehr zum Thema</h2><ul>{items}</ul></section>"


# --------------------------------------------------------------------------- teaser lists


def test_a_byline_class_repeated_in_a_list_of_teasers_is_not_the_byline() -> None:
    people = ["Olga Brandt", "Kurt Weiler", "Sina Albers"]
    html = (
        "<html><body><article><h1>Council vote</h1><p>Von Lea Hoffner</p>"
        f"{BODY}{teasers('teaser__author', people)}</article></body></html>"
    )
    assert names(html) == ["Lea Hoffner"]
    # nothing else names an author: better none than a teaser's
    unsigned = f"<html><body><article><h1>Council vote</h1>{BODY}</article>"
    assert names(unsigned + teasers("teaser__author", people) + "</body></html>") == []


def test_one_byline_class_for_co_authors_in_one_block_is_still_the_byline() -> None:
    people = ("Ann Lee", "Bo Ray", "Cy Dunn")
    byline = "".join(f'<span class="author">{who}</span> ' for who in people)
    html = f"<html><body><article><h1>Vote</h1><p>{byline}</p>{BODY}</article></body></html>"
    assert names(html)[0] == "Ann Lee"


# --------------------------------------------------------------------------- meta tags


def test_a_written_by_pair_of_the_twitter_card_names_the_author() -> None:
    head = (
        '<meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="9 minutes">'
        '<meta name="twitter:label2" content="Verfasst von">'
        '<meta name="twitter:data2" content="Hanna Vogt">'
    )
    html = f"<html><head>{head}</head><body><article><h1>Vote</h1>{BODY}</article></body></html>"
    assert names(html) == ["Hanna Vogt"]
    filed = head.replace("Verfasst von", "Filed under").replace("Hanna Vogt", "City Hall")
    html = f"<html><head>{filed}</head><body><article><h1>Vote</h1>{BODY}</article></body></html>"
    assert names(html) == []  # a label that is no byline's


# --------------------------------------------------------------------------- labelled lines


def test_a_byline_after_a_separator_in_its_own_element_is_read() -> None:
    meta = '<div class="meta">05.02.2020 <span>-&nbsp;Redaktion: Ina Vogt (Sprecherin)</span></div>'
    html = f"<html><body><main><h1>Vote</h1>{meta}{BODY}</main></body></html>"
    assert names(html) == ["Ina Vogt"]
    topic = '<div class="meta">05.02.2020 <span>- Stadtrat</span></div>'
    assert names(f"<html><body><main><h1>Vote</h1>{topic}{BODY}</main></body></html>") == []


# --------------------------------------------------------------------------- navigation


def test_the_sites_navigation_holds_no_byline() -> None:
    menu = (
        '<nav><ul><li><a href="/authors/">Authors</a></li>'
        '<li><a href="/latest">Latest Activity</a></li>'
        '<li><a href="/journalisten/termine">Termine</a></li></ul></nav>'
    )
    html = f"<html><body>{menu}<article><h1>Vote</h1>{BODY}</article></body></html>"
    assert names(html) == []
    signed = f"<html><body>{menu}<article><h1>Vote</h1><p>By Tom Hale</p>{BODY}</article>"
    assert names(signed + "</body></html>") == ["Tom Hale"]
    after_menu = f"<html><body>{menu}By Tom Hale<article><h1>Vote</h1>{BODY}</article>"
    assert names(after_menu + "</body></html>") == ["Tom Hale"]  # the menu's tail is outside


# --------------------------------------------------------------------------- junk


def test_a_name_written_twice_in_a_row_is_one_name() -> None:
    assert split_names("Olivier Marin Olivier Marin") == ["Olivier Marin"]
    assert split_names("Anna Anna") == ["Anna Anna"]  # one word twice: leave it


def test_a_bold_lead_in_ending_with_a_colon_is_no_signature() -> None:
    html = f"<html><body><main><h1>Vote</h1>{BODY}<p><b>Aus der Einladung:</b></p></main>"
    assert names(html + "</body></html>") == []


# --------------------------------------------------------------------------- forums


def test_a_forum_threads_posting_names_the_one_who_opened_it() -> None:
    thread = {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "headline": "My cat sheds black crumbs",
        "author": {"@type": "Person", "name": "Catlady77"},
        "comment": [{"@type": "Comment", "author": {"@type": "Person", "name": "Vet Anna"}}],
    }
    head = f'<script type="application/ld+json">{json.dumps(thread)}</script>'
    html = f"<html><head>{head}</head><body><main><h1>Crumbs</h1>{BODY}</main></body></html>"
    assert names(html) == ["Catlady77"]


def test_the_first_posters_username_of_a_forum_page_is_the_author() -> None:
    posts = "".join(
        f'<div class="post"><p class="author">von <a class="username" href="/u{i}">{who}</a></p>'
        f"<div class='content'>{BODY}</div></div>"
        for i, who in enumerate(("lupa", "wolfsfreund", "lupa"))
    )
    html = f"<html><body><h1>Forum rules</h1>{posts}</body></html>"
    assert names(html) == ["lupa"]
    signed = f"<html><body><h1>Rules</h1><p>By Ann Lee</p>{posts}</body></html>"
    assert names(signed) == ["Ann Lee"]  # a last resort


def test_a_labelled_date_under_the_headline_is_no_name() -> None:
    meta = "<p><span>Last Update : 30.04.2024 - 16:49</span></p>"
    html = f"<html><body><main><h1>Vote</h1>{meta}{BODY}</main></body></html>"
    assert names(html) == []


def test_a_first_name_after_a_byline_lead_is_the_author_of_last_resort() -> None:
    meta = '<div class="postdata"><span class="category">Posted by Konrad</span></div>'
    html = f"<html><body><main><h1>Vote</h1>{meta}{BODY}</main></body></html>"
    assert names(html) == ["Konrad"]
    prose = "<p><b>von Säure</b></p>"  # a bare "von" before one word: prose or a brand
    assert names(f"<html><body><main><h1>Vote</h1>{prose}{BODY}</main></body></html>") == []


def test_a_credit_naming_another_sites_domain_is_the_web_agencys() -> None:
    head = '<meta name="author" content="Pixel Works GmbH www.pixel-works.de">'
    html = f"<html><head>{head}</head><body><main><h1>Vote</h1>{BODY}</main></body></html>"
    assert names(html) == []
    own = '<meta name="author" content="Example GmbH www.example.org">'  # the site's own
    html = f"<html><head>{own}</head><body><main><h1>Vote</h1>{BODY}</main></body></html>"
    assert names(html, "https://www.example.org/2024/vote.html") == ["Example GmbH www.example.org"]
