"""Metadata fields of the extraction engine, each on small pages written for the test."""

from __future__ import annotations

import json

import pytest

from newsarchive.extraction import extract
from newsarchive.extraction.authors import split_names
from newsarchive.extraction.dates import parse_date, parse_text_date
from newsarchive.extraction.headline import strip_site_name
from newsarchive.extraction.language import guess_from_text, normalize_tag

URL = "https://news.example.org/politik/2024/05/03/story-123.html"
BODY = "".join(
    f"<p>Paragraph {i} of the story tells what happened in the city council on Friday "
    f"and why the vote matters for the people who live there.</p>"
    for i in range(8)
)


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head>{head}</head>'
        f"<body><article>{body}{BODY}</article></body></html>"
    )


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# --------------------------------------------------------------------------- headline


def test_headline_agreement_beats_a_kicker_in_h1() -> None:
    # twitter:title: the page states its headline (without a statement of its own, a
    # lone <h1> outweighs the SEO title pair: tests/test_headline_unseen.py)
    html = page(
        "<title>Council approves budget - Example News</title>"
        '<meta property="og:title" content="Council approves budget">'
        '<meta name="twitter:title" content="Council approves budget">'
        '<meta property="og:site_name" content="Example News">',
        "<h1>Breaking: Council approves budget after long night</h1>",
    )
    assert extract(html, URL)["headline"] == "Council approves budget"


def test_headline_prefers_json_ld_text_and_keeps_its_punctuation() -> None:
    html = page(
        ld({"@type": "NewsArticle", "headline": "Mayor&#8217;s plan: “No new taxes”"})
        + "<title>Mayor’s plan: “No new taxes” | Example News</title>",
        '<h1>Mayor\'s plan: "No new taxes"</h1>',
    )
    assert extract(html, URL)["headline"] == "Mayor’s plan: “No new taxes”"


def test_headline_from_title_without_site_suffix_when_nothing_else() -> None:
    html = page(
        "<title>Storm closes schools | Example News</title>"
        '<meta property="og:site_name" content="Example News">'
    )
    assert extract(html, URL)["headline"] == "Storm closes schools"


def test_strip_site_name_drops_site_and_date_segments() -> None:
    variants = strip_site_name("Vote delayed – DW – 28.04.2023", {"dw"})
    assert variants == ["Vote delayed"]
    assert strip_site_name("Left - Right", set()) == ["Left - Right", "Left"]


# --------------------------------------------------------------------------- authors


def names(record: dict) -> list[str]:
    return [a["name"] for a in record["authors"]]


def test_authors_from_json_ld_people_with_given_and_family_names() -> None:
    html = page(
        ld(
            {
                "@type": "NewsArticle",
                "author": [
                    {"@type": "Person", "givenName": "Anna Maria", "familyName": "Berg"},
                    {"@type": "Person", "name": "By Tom Lee"},
                ],
            }
        )
    )
    assert names(extract(html, URL)) == ["Anna Maria Berg", "Tom Lee"]


def test_authors_follow_graph_id_references() -> None:
    graph = {
        "@graph": [
            {"@type": "Article", "author": {"@id": "#p1"}},
            {"@type": "Person", "@id": "#p1", "name": "Chris Park"},
        ]
    }
    assert names(extract(page(ld(graph)), URL)) == ["Chris Park"]


def test_graph_references_resolve_by_index_not_by_scanning_the_graph() -> None:
    # One article citing 2,000 people of its @graph: each reference scanned the whole
    # graph (50,000 people took 70 s). Resolution must read the graph a fixed number of times.
    from newsarchive.extraction.document import Document, load_document

    people = [
        {"@type": "Person", "@id": f"#p{i}", "name": f"Reporter Number{i}"} for i in range(2000)
    ]
    article = {"@type": "NewsArticle", "author": [{"@id": f"#p{i}"} for i in range(2000)]}
    doc = load_document(page(ld({"@graph": [*people, article]})), URL)

    class CountingList(list):
        scans = 0

        def __iter__(self):
            CountingList.scans += 1
            return super().__iter__()

    doc.json_ld = CountingList(doc.json_ld)
    for i in (0, 1999, 1000):
        assert Document.json_ld_node(doc, {"@id": f"#p{i}"})["name"] == f"Reporter Number{i}"
    assert Document.json_ld_node(doc, {"@id": "#nobody"}) == {"@id": "#nobody"}
    assert CountingList.scans <= 1


def test_site_name_author_gives_way_to_the_byline() -> None:
    html = page(
        '<meta property="og:site_name" content="Example News">'
        + ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example News"}}),
        '<h1>Title</h1><p class="byline">Von Jana Novak und Peter Brandt</p>',
    )
    assert names(extract(html, URL)) == ["Jana Novak", "Peter Brandt"]


def test_site_name_is_the_author_when_there_is_no_one_else() -> None:
    html = page(
        '<meta name="author" content="Example News">'
        '<meta property="og:site_name" content="Example News">'
    )
    assert names(extract(html, URL)) == ["Example News"]


def test_a_cms_account_named_after_a_desk_is_no_author() -> None:
    # WordPress shows the posting account's display name; "Nachrichten" ("News") is not a
    # person, while a named desk such as "BR24 Redaktion" is a credit worth keeping.
    generic = page(
        '<meta name="author" content="Nachrichten">'
        + ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Nachrichten"}})
    )
    assert names(extract(generic, URL)) == []
    desk = page('<meta name="author" content="BR24 Redaktion">')
    assert names(extract(desk, URL)) == ["BR24 Redaktion"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe, John Roe & Mary Major", ["Jane Doe", "John Roe", "Mary Major"]),
        ("Von Klaus Weber und Ute Kamp", ["Klaus Weber", "Ute Kamp"]),
        ("Autor: Jan Novák", ["Jan Novák"]),
        ("Par Claire Dubois", ["Claire Dubois"]),
        ("Jane Doe, Senior Correspondent", ["Jane Doe"]),
        ("Elena Ober (obe)", ["Elena Ober"]),
        ("Sam Hill | 03.05.2024", ["Sam Hill"]),
        ("jane-doe", []),
        ("Jane Doe/John Roe", ["Jane Doe", "John Roe"]),
        ("Helen Davidson in Taipei", ["Helen Davidson"]),
        ("Von Anna Müller, Berlin", ["Anna Müller"]),
        ("Jane Doe, Reuters", ["Jane Doe", "Reuters"]),
        ("BR24 Redaktion", ["BR24 Redaktion"]),
        ("Associated Press in Valencia", ["Associated Press"]),
    ],
)
def test_split_names(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


def test_people_come_before_agencies() -> None:
    html = page('<meta name="author" content="dpa, Lena Hofer">')
    assert names(extract(html, URL)) == ["Lena Hofer", "dpa"]


def test_citation_author_family_given_order_is_reversed() -> None:
    html = page('<meta name="citation_author" content="Brazil, Rachel">')
    assert names(extract(html, URL)) == ["Rachel Brazil"]


# --------------------------------------------------------------------------- dates


def test_date_published_keeps_the_page_offset_and_raw_value() -> None:
    html = page(
        ld(
            {
                "@type": "NewsArticle",
                "datePublished": "2024-05-03T15:47:42+02:00",
                "dateModified": "2024-05-04T08:00:00+02:00",
            }
        )
    )
    record = extract(html, URL)
    assert record["date_published"] == "2024-05-03T15:47:42+02:00"
    assert record["date_published_raw"] == "2024-05-03T15:47:42+02:00"
    assert record["date_published_source"] == "json_ld"
    assert record["date_modified"] == "2024-05-04T08:00:00+02:00"


def test_date_from_meta_then_time_element_then_url() -> None:
    meta = page('<meta property="article:published_time" content="2024-05-03T10:00:00Z">')
    assert extract(meta, URL)["date_published"] == "2024-05-03T10:00:00Z"
    timed = page(body='<time datetime="2024-05-02T09:30:00-04:00">May 2</time>')
    record = extract(timed, URL)
    assert (record["date_published"], record["date_published_source"]) == (
        "2024-05-02T09:30:00-04:00",
        "time_element",
    )
    record = extract(page(), URL)
    assert (record["date_published"], record["date_published_source"]) == ("2024-05-03", "url")


def test_a_time_element_in_the_article_beats_one_in_the_page_chrome() -> None:
    # A teaser's <time> comes first in the page; the article's own, however deeply its
    # <article> sits in other <article> elements, is the one that dates the story.
    html = (
        "<!doctype html><html><head></head><body>"
        '<div class="teaser"><time datetime="2019-01-01T00:00:00Z">old</time></div>'
        + "<article>" * 50
        + f'<time datetime="2024-05-02T09:30:00Z">May 2</time>{BODY}'
        + "</article>" * 50
        + "</body></html>"
    )
    assert extract(html, URL)["date_published"] == "2024-05-02T09:30:00Z"


def test_date_only_value_takes_the_offset_the_page_states_elsewhere() -> None:
    html = page(
        ld({"@type": "NewsArticle", "datePublished": "2024-05-03"})
        + '<meta property="article:modified_time" content="2024-05-04T12:00:00+02:00">'
    )
    assert extract(html, URL)["date_published"] == "2024-05-03T00:00:00+02:00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T19:20:36+02:00"),
        ("Mon, 22 Apr 2024 15:26:46 GMT", "2024-04-22T15:26:46Z"),
        ("2024-04-22 15:26:46.863+0000", "2024-04-22T15:26:46Z"),
        ("28.04.2023, 18:16 Uhr", "2023-04-28T18:16:00"),
        ("20240422", "2024-04-22"),
    ],
)
def test_parse_date_formats(raw: str, expected: str) -> None:
    found = parse_date(raw, "meta")
    assert found is not None and found.value == expected


def test_unparseable_date_is_none() -> None:
    assert parse_date("yesterday evening", "meta") is None
    assert parse_date("2024-13-45", "meta") is None


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de_DE", "de-DE"),
        ("en-gb", "en-GB"),
        ("EN", "en"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("", None),
        ("??", None),
    ],
)
def test_normalize_tag(value: str, expected: str | None) -> None:
    assert normalize_tag(value) == expected


def test_language_from_markup_and_from_text() -> None:
    assert extract('<html lang="de-at"><p>Kurz.</p></html>', URL)["in_language"] == "de-AT"
    german = (
        "<html><body><p>Die Stadt und das Land haben sich auf einen Plan geeinigt, der nicht "
        "mit den Wünschen der Bürger übereinstimmt, sagt die Sprecherin von dem Verein für "
        "die Umwelt. Es ist ein Kompromiss, auf den sich alle einigen konnten.</p></body></html>"
    )
    assert extract(german, URL)["in_language"] == "de"
    assert guess_from_text("the cat and the dog") is None  # too little evidence


# --------------------------------------------------------------------------- other metadata


def test_canonical_publisher_section_topics_image_access() -> None:
    html = page(
        '<link rel="canonical" href="/politik/story-123">'
        '<meta property="og:site_name" content="Example News">'
        '<meta property="article:section" content="Politik">'
        '<meta property="article:tag" content="Budget"><meta property="article:tag" content="City">'
        '<meta property="og:image" content="/img/lead.jpg">'
        + ld({"@type": "NewsArticle", "keywords": "City, Council", "isAccessibleForFree": False})
    )
    record = extract(html, URL)
    assert record["canonical_url"] == "https://news.example.org/politik/story-123"
    assert record["publisher"] == "Example News"
    assert record["section"] == "Politik"
    assert record["topics"] == ["Budget", "City", "Council"]
    assert record["main_image"]["url"] == "https://news.example.org/img/lead.jpg"
    assert record["free_access"] is False
    assert record["source_domain"] == "news.example.org"


def test_breadcrumbs_from_json_ld() -> None:
    crumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 2, "name": "Politik", "item": "/politik"},
            {"@type": "ListItem", "position": 1, "name": "Home", "item": "/"},
        ],
    }
    record = extract(page(ld(crumbs)), URL)
    assert record["breadcrumbs"] == [
        {"url": "https://news.example.org/", "title": "Home"},
        {"url": "https://news.example.org/politik", "title": "Politik"},
    ]


def test_extraction_metadata_and_article_page_type() -> None:
    html = page(
        ld(
            {
                "@type": "NewsArticle",
                "headline": "Council approves budget",
                "datePublished": "2024-05-03T10:00:00Z",
            }
        ),
        "<h1>Council approves budget</h1>",
    )
    extraction = extract(html, URL)["extraction"]
    assert extraction["extractor"] == "newsarchive"
    assert extraction["extractor_version"]
    assert extraction["page_type"] == "article"
    assert extraction["probability"] > 0.8


def test_live_blog_and_hub_get_low_probability() -> None:
    live = page(ld({"@type": "LiveBlogPosting", "headline": "Election night live"}))
    assert extract(live, URL)["extraction"]["page_type"] == "liveblog"
    hub = (
        '<html><head><meta property="og:type" content="website"><title>News</title></head><body>'
        + "".join(f'<a href="/story-{i}">Story {i}</a>' for i in range(50))
        + "</body></html>"
    )
    record = extract(hub, "https://news.example.org/")
    assert record["extraction"]["page_type"] == "hub"
    assert record["extraction"]["probability"] < 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thursday 30 May 2024", "2024-05-30"),
        ("27. Mai 2024, 10:15 Uhr", "2024-05-27T10:15:00"),
        ("May 30, 2024 at 9:15", "2024-05-30T09:15:00"),
        ("le 29 mai 2024 à 18h02", "2024-05-29T18:02:00"),
        ("5 de junio de 2024", "2024-06-05"),
        ("Do 25.04.24 | 14:07 Uhr", "2024-04-25T14:07:00"),
    ],
)
def test_dates_written_for_readers(text: str, expected: str) -> None:
    found = parse_text_date(text)
    assert found is not None and found.value == expected


def test_dateline_and_author_class_on_a_page_without_structured_data() -> None:
    html = page(
        body='<h1>Ferry fares rise</h1><p class="dateline">Thursday 30 May 2024</p>'
        '<div class="artikel-meta"><span class="autor">Autor: Lukas Brandner</span></div>'
    )
    record = extract(html, "https://news.example.org/story")
    assert record["date_published"] == "2024-05-30"
    assert record["date_published_source"] == "text"  # the dateline below the headline
    assert names(record) == ["Lukas Brandner"]


def test_kicker_before_the_headline_is_not_part_of_it() -> None:
    html = page(
        ld({"@type": "NewsArticle", "headline": "Harbour strike: Dockers walk out over pay"})
        + '<meta property="og:title" content="Dockers walk out over pay">',
        "<h1>Harbour strike: Dockers walk out over pay</h1>",
    )
    assert extract(html, URL)["headline"] == "Dockers walk out over pay"


def test_topics_skip_cms_junk_and_fall_back_to_tag_links() -> None:
    html = page(
        '<meta property="article:tag" content="3f2a9c1e-b4f7-4929-adc1-e860c6f03636">'
        '<meta property="article:tag" content="Category: Travel">'
        '<meta property="article:tag" content="Harbour">'
    )
    assert extract(html, URL)["topics"] == ["Harbour"]
    tagged = page(
        body='<ul class="tags"><li><a href="/t/ferries">Ferries</a></li>'
        '<li><a href="/t/fuel">Fuel prices</a></li></ul>'
    )
    assert extract(tagged, URL)["topics"] == ["Ferries", "Fuel prices"]
    stuffed = page('<meta name="keywords" content="' + ", ".join(f"k{i}" for i in range(30)) + '">')
    assert extract(stuffed, URL)["topics"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 25, 2024 4:10 PM GMT", "2024-05-25T16:10:00Z"),
        ("May 25, 2024 12:05 a.m.", "2024-05-25T00:05:00"),
        ("30 May 2024 - 16:45 CEST", "2024-05-30T16:45:00+02:00"),
        ("June 3, 2024 9:00 AM EDT", "2024-06-03T09:00:00-04:00"),
    ],
)
def test_written_dates_with_clock_and_zone(text: str, expected: str) -> None:
    found = parse_text_date(text)
    assert found is not None and found.value == expected


def test_local_time_takes_the_offset_the_page_states_elsewhere() -> None:
    html = page(
        '<meta property="article:published_time" content="2024-05-03T10:00:00">'
        '<meta property="article:modified_time" content="2024-05-03T12:00:00+02:00">'
    )
    assert extract(html, URL)["date_published"] == "2024-05-03T10:00:00+02:00"


def test_template_default_language_loses_to_clearly_different_text() -> None:
    german = (
        "Die Stadt und das Land haben sich auf einen Plan geeinigt, der nicht mit den Wünschen "
        "der Bürger übereinstimmt, sagt die Sprecherin von dem Verein für die Umwelt. "
    ) * 4
    html = f'<html lang="en"><body><p>{german}</p></body></html>'
    assert extract(html, URL)["in_language"] == "de"
    english = f'<html lang="en-GB"><body><p>{BODY}</p></body></html>'
    assert extract(english, URL)["in_language"] == "en-GB"


def test_labelled_byline_beats_a_site_name_in_meta() -> None:
    html = page(
        '<meta name="author" content="Harbour Herald (www.harbour-herald.example.com)">',
        "<h1>Title</h1><ul><li><strong>Datum</strong> 28.04.2023</li>"
        "<li><strong>Autorin/Autor</strong> Roman Berger</li></ul>",
    )
    assert names(extract(html, URL)) == ["Roman Berger"]


def test_plain_by_line_without_markup() -> None:
    html = page(body="<h1>Title</h1><div>By Alice Walker and Bob Stone</div>")
    assert names(extract(html, URL)) == ["Alice Walker", "Bob Stone"]


def test_author_with_e_mail_address_is_a_person() -> None:
    html = page('<meta name="author" content="Jane Doe (jane.doe@news.example.com)">')
    assert names(extract(html, URL)) == ["Jane Doe"]


def test_h1_pieces_in_separate_elements_keep_a_space() -> None:
    html = page(body="<h1><span>Harbour strike</span><span>Dockers walk out</span></h1>")
    assert extract(html, URL)["headline"] == "Harbour strike Dockers walk out"
    html = page(body="<h1>Mayor<i>'s</i> <b>W</b>ord</h1>")
    assert extract(html, URL)["headline"] == "Mayor's Word"


def test_breadcrumb_markup_gives_trail_and_section() -> None:
    html = page(
        body='<div class="crumbs"><a href="/">Home</a> &gt; <a href="/world/">World</a></div>'
    )
    record = extract(html, URL)
    assert [c["title"] for c in record["breadcrumbs"]] == ["Home", "World"]
    assert record["section"] == "World"


def test_image_video_and_description_from_json_ld() -> None:
    html = page(
        ld(
            {
                "@type": "NewsArticle",
                "description": "What the council decided.",
                "image": {"@type": "ImageObject", "url": "https://cdn.example.org/lead.jpg"},
                "video": {"@type": "VideoObject", "contentUrl": "/media/clip.mp4"},
            }
        )
    )
    record = extract(html, URL)
    assert record["description"] == "What the council decided."
    assert record["main_image"]["url"] == "https://cdn.example.org/lead.jpg"
    assert record["main_image"]["is_cover"] is True
    assert record["videos"] == ["https://news.example.org/media/clip.mp4"]


def test_json_ld_inside_a_web_page_main_entity() -> None:
    wrapped = {
        "@type": "WebPage",
        "mainEntity": {
            "@type": "NewsArticle",
            "headline": "Wrapped headline",
            "author": {"@type": "Person", "name": "Nora Field"},
            "datePublished": "2024-04-26T20:44:00+02:00",
        },
    }
    record = extract(page(ld(wrapped)), URL)
    assert record["headline"] == "Wrapped headline"
    assert names(record) == ["Nora Field"]
    assert record["date_published"] == "2024-04-26T20:44:00+02:00"


def test_bold_subheading_deep_in_the_body_is_not_a_byline() -> None:
    paragraphs = "".join(f"<p>Paragraph {i} with ordinary words in it.</p>" for i in range(6))
    html = (
        '<html lang="en"><body><article><h1>Title</h1><div class="content">'
        f"{paragraphs}<p><strong>Second Operation</strong></p>{paragraphs}"
        "</div></article></body></html>"
    )
    assert names(extract(html, URL)) == []


def test_labelled_date_beats_teaser_dates() -> None:
    html = page(
        body='<aside><span class="date">24.04.2023</span> Older teaser</aside>'
        "<h1>Title</h1><ul><li><strong>Datum</strong> 28.04.2023</li></ul>"
    )
    record = extract(html, "https://news.example.org/story")
    assert record["date_published"] == "2023-04-28"
    published = page(body="<h1>Title</h1><p>Published: May 3, 2024 at 9:15</p>")
    found = extract(published, "https://news.example.org/s")
    # no offset anywhere on the page: the day is kept (RFC 3339), the time stays in the raw
    assert found["date_published"] == "2024-05-03"
    assert found["date_published_raw"] == "May 3, 2024 at 9:15"


def test_by_line_of_a_teaser_after_the_body_is_not_the_byline() -> None:
    html = (
        '<html lang="en"><body><article><h1>Title</h1>'
        f"{BODY}</article><aside><p>Other story teaser text.</p>"
        "<h6>By Ben Black and Yi Lee</h6></aside></body></html>"
    )
    assert names(extract(html, URL)) == []


def test_json_ld_organization_named_like_the_site_is_no_author() -> None:
    html = page(
        '<meta property="og:site_name" content="Example News">'
        + ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example News"}})
    )
    assert names(extract(html, URL)) == []


def test_section_from_category_links_and_rubric_labels() -> None:
    wordpress = page(
        body='<span class="cat-links"><a href="/c/x/" rel="category tag">Community</a></span>'
    )
    assert extract(wordpress, URL)["section"] == "Community"
    rubric = page(
        body='<div class="rubric"><a href="/ru/obshchestvo/">Общество</a></div><h1>T</h1>'
    )
    assert extract(rubric, URL)["section"] == "Общество"


def test_numbers_are_not_names() -> None:
    from newsarchive.extraction.authors import looks_like_name

    assert looks_like_name("BR24 Redaktion")
    assert not looks_like_name("12.05.2024")
    assert not looks_like_name("Seite 3")


def test_json_ld_of_this_page_wins_over_a_linked_articles() -> None:
    other = {"@type": "NewsArticle", "headline": "Other story", "url": "https://news.example.org/o"}
    this = {
        "@type": "NewsArticle",
        "headline": "This story",
        "mainEntityOfPage": {"@id": URL},
        "datePublished": "2024-05-03T10:00:00Z",
    }
    record = extract(page(ld(other) + ld(this)), URL)
    assert record["headline"] == "This story"
    assert record["date_published"] == "2024-05-03T10:00:00Z"


# --------------------------------------------------------------------------- generic byline rules


def test_comment_authors_and_comment_form_labels_are_no_byline() -> None:
    comments = (
        '<aside><ul><li><span class="comment-author-link">Mara Quist</span></li></ul>'
        '<form><p class="comment-form-author"><label>Name *</label><input></p></form></aside>'
    )
    assert names(extract(page(body="<h1>Title</h1>" + comments), URL)) == []


def test_author_page_link_labels_are_stripped_or_dropped() -> None:
    html = page(
        body='<h1>Title</h1><p class="author"><a href="/team">Alle Artikel von Lena Vogt</a></p>'
    )
    assert names(extract(html, URL)) == ["Lena Vogt"]
    html = page(body='<h1>Title</h1><p class="author-links"><a href="/x">More Posts</a></p>')
    assert names(extract(html, URL)) == []


def test_a_one_word_name_in_explicit_author_markup_is_the_last_resort() -> None:
    handle = '<a rel="author" href="/u/paddy">Paddy</a>'
    assert names(extract(page(body=f"<h1>Title</h1><p>{handle}</p>"), URL)) == ["Paddy"]
    full = '<div class="byline">Patrick Lind</div>'
    html = page(body=f"<h1>Title</h1><p>{handle}</p>{full}")
    assert names(extract(html, URL)) == ["Patrick Lind"]  # a full name is worth more


def test_a_desk_code_after_a_slash_is_dropped_an_agency_kept() -> None:
    assert split_names("Peter Maahn/SP-X") == ["Peter Maahn"]
    assert split_names("Jane Doe / dpa") == ["Jane Doe", "dpa"]


def test_a_byline_after_a_date_and_a_labelled_line_in_the_text() -> None:
    posted = '<div class="post-meta-author">Posted on May 3, 2024 by Adele Stroud</div>'
    assert names(extract(page(body=f"<h1>Title</h1>{posted}"), URL)) == ["Adele Stroud"]
    labelled = "<h1>Title</h1><p>Autoren: Jelka Dorn und Jutta Brink</p>"
    assert names(extract(page(body=labelled), URL)) == ["Jelka Dorn", "Jutta Brink"]
