"""Authors from the page's structure, on small pages written for the test (no site's
markup): reading order of bylines, author boxes, comment threads, datelines, handles."""

from __future__ import annotations

import pytest

from newsarchive.extraction import extract
from newsarchive.extraction.authors import split_names

URL = "https://www.example-news.com/2024/05/03/council-vote.html"
BODY = "".join(
    f"<p>Paragraph {i} of the story tells what happened in the city council on Friday "
    f"and why the vote matters for the people who live there.</p>"
    for i in range(8)
)


def page(before: str = "", after: str = "", outside: str = "", lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><title>Council vote</title></head><body>'
        f'<header><a href="/">Example News</a></header><article><h1>Council vote</h1>{before}'
        f'<div class="entry-content">{BODY}</div>{after}</article>{outside}'
        f"<footer>Imprint</footer></body></html>"
    )


def names(html: str) -> list[str]:
    return [a["name"] for a in extract(html, URL)["authors"]]


@pytest.mark.parametrize(
    "raw",
    [
        "Por João Silva, de São Paulo",
        "Por Ana Ruiz, de Buenos Aires",
    ],
)
def test_a_comma_segment_led_by_in_or_from_is_the_dateline(raw: str) -> None:
    assert split_names(raw) == [raw.removeprefix("Por ").split(",")[0]]


@pytest.mark.parametrize("thread", ['<div id="comments">', '<div id="disqus_thread">'])
def test_a_comment_thread_known_by_its_id_names_no_author(thread: str) -> None:
    comments = (
        f'{thread}<div class="c-item"><span class="author-name">Max Mustermann</span>'
        "<p>Great article, thanks.</p></div></div>"
    )
    assert names(page(outside=comments)) == []
    # "respond" inside a word is no comment form's id
    box = '<div id="correspondent"><span class="author-name">Jane Doe</span></div>'
    assert names(page(before=box, outside=comments)) == ["Jane Doe"]


BIO = (
    "is a writer based in Leeds who covers local politics, housing and the courts. "
    "She joined the paper in 2015 after ten years at regional radio."
)


def test_an_author_box_names_the_author_in_its_own_element() -> None:
    box = (
        '<div class="author-box"><img src="jane.jpg" alt=""><h4>About the author</h4>'
        f"<p><strong>Jane Doe</strong> {BIO}</p><p><a href='/tw'>Twitter</a></p></div>"
    )
    assert names(page(after=box)) == ["Jane Doe"]
    # a wrapper classed as the author's, around teasers, is no author box
    teasers = "".join(
        f"<li><a href='/news/{i}'><b>Harbour Works {i}</b></a> {BIO}</li>" for i in range(6)
    )
    wrapper = f'<div class="post-author-wrap"><ul>{teasers}</ul></div>'
    assert names(page(after=wrapper)) == []
    assert names(page(after=wrapper + box)) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ('by <span class="author vcard fn">oz</span> on <abbr>May 3</abbr>', ["oz"]),
        ('Posted by <a href="/u/jdoe42">jdoe42</a> on May 3, 2024', ["jdoe42"]),
        ('Von <a href="/u/fri.juli">fri.juli</a>', ["fri.juli"]),
    ],
)
def test_a_lower_case_account_after_a_byline_label_is_the_last_resort(
    byline: str, expected: list[str]
) -> None:
    assert names(page(before=f'<p class="meta">{byline}</p>')) == expected
    # a full name elsewhere outranks the account
    full = f'<p class="meta">{byline}</p><p class="byline">By Jane Doe</p>'
    assert names(page(before=full)) == ["Jane Doe"]


def test_names_in_links_read_in_order_with_the_text_between() -> None:
    # the tail " und " of the first <strong> comes after its link's text, not before it
    byline = (
        "<p>Von <strong><a href='https://jane-doe.example'>Jane Doe</a></strong> und "
        "<strong><a href='https://roe.example'>John Roe</a></strong></p>"
    )
    assert names(page(before=byline, lang="de")) == ["Jane Doe", "John Roe"]
    # a joiner after the label, the name in its own element, is no account
    assert names(page(before="<p>Von <b><a href='/x'>Jane</a></b> und <b>ein Gast</b></p>")) == []


@pytest.mark.parametrize(
    ("sign_off", "expected"),
    [
        ("<div><span>责任编辑：张三</span></div>", ["张三"]),
        ("<p>Autor: Jane Doe</p>", ["Jane Doe"]),
    ],
)
def test_a_labelled_line_just_after_the_body_signs_it_off(
    sign_off: str, expected: list[str]
) -> None:
    html = page(after=f'<div class="share"><span>Share</span></div>{sign_off}')
    assert names(html) == expected
    # an unlabelled line after the body is the next teaser's
    teaser = page(after='<div class="share"><span>Share</span></div><p>By John Roe</p>')
    assert names(teaser) == []


def test_an_author_meta_in_catalogue_order_is_read_given_name_first() -> None:
    html = page().replace("<head>", '<head><meta name="DC.creator" content="Doe, Jane">')
    assert names(html) == ["Jane Doe"]
    # a byline's comma still ends the name: "Jane Doe, Berlin" is no "Berlin Jane Doe"
    html = page().replace("<head>", '<head><meta name="author" content="Jane Doe, Berlin">')
    assert names(html) == ["Jane Doe"]


def test_a_user_pages_avatar_names_its_account_by_its_alt_text() -> None:
    user = (
        '<div class="story-head"><img class="avatar avatar_s" alt="fri.juli" src="a.jpg">'
        "<div>fri.juli</div></div>"
    )
    assert names(page(before=user)) == ["fri.juli"]
    bare = '<div class="story-head"><img class="avatar" alt="Profilbild" src="a.jpg"></div>'
    assert names(page(before=bare)) == []


def test_the_byline_scan_skips_comment_threads_after_the_body() -> None:
    comments = (
        '<ol class="commentlist"><li id="comment-12"><p>1</p>Kommentar<small> von </small>'
        "<cite>Max Mustermann</cite><p>Sieht lecker aus</p></li></ol>"
    )
    assert names(page(outside=comments, lang="de")) == []


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ("Posted on May 3, 2024 by Jane Doe", ["Jane Doe"]),
        ("03.05.2024 von Anna Müller in <a href='/c/politik'>Politik</a>", ["Anna Müller"]),
        ("Publié le 3 mai 2024 par Jean Dupont", ["Jean Dupont"]),
    ],
)
def test_a_date_then_by_and_a_name_under_the_headline(meta: str, expected: list[str]) -> None:
    assert names(page(before=f'<div class="meta">{meta}</div>')) == expected


def body_closed_by(last: str) -> str:
    return page().replace("</div></article>", f"{last}</div></article>")


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("<p><em>Jane Doe</em></p>", ["Jane Doe"]),
        ("<p>– Jane Doe</p>", ["Jane Doe"]),
        ("<p>— Jane Doe</p>", ["Jane Doe"]),
    ],
)
def test_the_last_paragraph_alone_in_italics_or_after_a_dash_signs_the_body(
    last: str, expected: list[str]
) -> None:
    assert names(body_closed_by(last)) == expected
    assert names(body_closed_by(last + "<p>The council meets again in June.</p>")) == []


def meta_page(meta: str, lang: str, after_body: bool = False) -> str:
    line = f'<div class="meta">{meta}</div>'
    return page(after=line, lang=lang) if after_body else page(before=line, lang=lang)


@pytest.mark.parametrize(
    ("meta", "lang", "expected"),
    [
        ("Redakteur: Anna Müller", "de", ["Anna Müller"]),
        ("Gastautorin: Anna Müller", "de", ["Anna Müller"]),
        ("Penulis: Budi Santoso", "id", ["Budi Santoso"]),
        ("Autor článku: Jan Novák", "cs", ["Jan Novák"]),
        ("Автор статьи: Иван Петров", "ru", ["Иван Петров"]),
        ("كتب: محمد علي", "ar", ["محمد علي"]),
        ("מאת: דני כהן", "he", ["דני כהן"]),
        ("Published by Jane Doe", "en", ["Jane Doe"]),
        ("Submitted by Jane Doe on Fri, 05/03/2024 - 10:12", "en", ["Jane Doe"]),
        ("Eingestellt von Anna Müller um 10:00", "de", ["Anna Müller"]),
        ("Publicado por Juan Pérez en 10:00", "es", ["Juan Pérez"]),
        ("Publicat de Ion Popescu", "ro", ["Ion Popescu"]),
        ("Geschreven door Jan de Vries op 3 mei 2024", "nl", ["Jan de Vries"]),
        ("Escrito por João Silva em 3 de maio de 2024", "pt", ["João Silva"]),
    ],
)
def test_byline_labels_verbs_and_date_tails_in_more_languages(
    meta: str, lang: str, expected: list[str]
) -> None:
    assert names(meta_page(meta, lang)) == expected


@pytest.mark.parametrize(
    ("meta", "lang"),
    [
        ("Posted by Jane Doe at 10:00 AM", "en"),
        ("Geschrieben von Jane Doe am 03.05.2024", "de"),
        ("Rédigé par Jane Doe", "fr"),
        ("Skrevet af Jane Doe", "da"),
    ],
)
def test_a_led_byline_just_after_the_body_signs_it_off(meta: str, lang: str) -> None:
    assert names(meta_page(meta, lang, after_body=True)) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("meta", "lang", "expected"),
    [
        ("Napisao: Ivan Horvat", "hr", ["Ivan Horvat"]),
        ("Írta: Kovács János", "hu", ["Kovács János"]),
        ("Συντάκτης: Γιώργος Παπαδόπουλος", "el", ["Γιώργος Παπαδόπουλος"]),
        ("Γράφει ο Γιώργος Παπαδόπουλος", "el", ["Γιώργος Παπαδόπουλος"]),
        ("Автор матеріалу: Іван Петренко", "uk", ["Іван Петренко"]),
        ("Написал Иван Петров", "ru", ["Иван Петров"]),
        ("Kirjoittanut Matti Virtanen", "fi", ["Matti Virtanen"]),
        ("Skrifað af Jón Jónsson", "is", ["Jón Jónsson"]),
        ("Opublikowano przez Jan Kowalski", "pl", ["Jan Kowalski"]),
        ("Ditulis oleh Budi Santoso", "id", ["Budi Santoso"]),
        ("Contributed by Jane Doe", "en", ["Jane Doe"]),
        ("Guest post by Jane Doe", "en", ["Jane Doe"]),
        ("文/张三", "zh", ["张三"]),
        ("文｜张三", "zh", ["张三"]),
        ("著者：山田太郎", "ja", ["山田太郎"]),
        ("記者 王小明／台北報導", "zh", ["王小明"]),
        ("Jane Doe | May 3, 2024 | 5 min read", "en", ["Jane Doe"]),
    ],
)
def test_more_byline_forms_of_unseen_sites(meta: str, lang: str, expected: list[str]) -> None:
    assert names(meta_page(meta, lang)) == expected


@pytest.mark.parametrize("rel", ["Author", "author noopener", "nofollow AUTHOR"])
def test_rel_author_is_a_token_in_any_case(rel: str) -> None:
    assert names(page(before=f'<p><a rel="{rel}" href="/p/jd">Jane Doe</a></p>')) == ["Jane Doe"]


@pytest.mark.parametrize(
    "meta", ["Posted in News by Jane Doe", "This entry was posted in Politics by Jane Doe"]
)
def test_a_section_then_by_and_the_name(meta: str) -> None:
    assert names(meta_page(meta, "en")) == ["Jane Doe"]


def test_a_json_ld_author_given_as_an_identifier_alone_is_looked_up() -> None:
    graph = (
        '{"@graph":[{"@type":"NewsArticle","author":["#p1"]},'
        '{"@type":"Person","@id":"#p1","name":"Jane Doe"}]}'
    )
    head = f'<head><script type="application/ld+json">{graph}</script>'
    assert names(page().replace("<head>", head)) == ["Jane Doe"]
    unknown = head.replace('"@id":"#p1"', '"@id":"#p2"')
    assert names(page().replace("<head>", unknown)) == []  # no "#p1" as a name


def test_labelled_scan_skips_menus_and_marks_a_body_ending_in_a_figure() -> None:
    """The scan leaves out a menu's and a figure's subtree (their texts and their children's
    tails) but reads their own tails, and the body's end marker follows a left-out element
    that holds the body's last element."""
    from newsarchive.extraction.authors import _END_OF_BODY, _marked_pieces
    from newsarchive.extraction.document import load_document

    html = (
        "<html><body><nav><a>By Menu</a> tail in menu</nav>after nav"
        "<article><p>Text <b>bold</b> end</p><figure><figcaption>By Photo</figcaption>"
        "<img></figure>after figure</article><p>Autor: Jane Doe</p></body></html>"
    )
    doc = load_document(html, "https://example.org/a")
    last = doc.root.find(".//figure/img")
    pieces = list(_marked_pieces(doc.root.find("body"), last))
    assert pieces == [
        "after nav", "Text", "bold", "end", _END_OF_BODY, "after figure", "Autor: Jane Doe"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("meta", "lang", "expected"),
    [
        # the dates' month names with their "de" and a time: one reader of written dates
        ("Publicado el 3 de mayo de 2024 por Juan Pérez", "es", ["Juan Pérez"]),
        ("Publié le 3 mai 2024 à 10h15 par Jean Dupont", "fr", ["Jean Dupont"]),
        ("3 May 2024 10:15 | Jane Doe", "en", ["Jane Doe"]),
    ],
)
def test_a_written_date_with_its_time_beside_the_name(
    meta: str, lang: str, expected: list[str]
) -> None:
    assert names(page(before=f'<div class="meta">{meta}</div>', lang=lang)) == expected


@pytest.mark.parametrize(
    ("byline", "lang"),
    [
        ("Autor: <b>Jan Novák</b> a <b>Petr Svoboda</b>", "cs"),
        ("Autors: <b>Jānis Bērziņš</b> un <b>Anna Kalniņa</b>", "lv"),
    ],
)
def test_co_authors_joined_by_any_word_of_the_name_joiners(byline: str, lang: str) -> None:
    first, second = (part.split("</b>")[0] for part in byline.split("<b>")[1:])
    assert names(page(before=f"<p>{byline}</p>", lang=lang)) == [first, second]


def wordpress_comment(slug: str, name: str, by_post_author: bool) -> str:
    marker = " bypostauthor" if by_post_author else ""
    return (
        f'<li class="comment byuser comment-author-{slug}{marker} depth-1">'
        '<article class="comment-body"><footer class="comment-meta"><div class="comment-author '
        'vcard"><img alt="" src="/a.png" class="avatar avatar-32 photo">'
        f'<b class="fn"><a href="https://{slug}.example" class="url">{name}</a></b> '
        '<span class="says">says:</span></div></footer>'
        "<p>Thanks for the tip, still works today.</p></article></li>"
    )


def test_the_post_authors_own_comment_names_the_author_of_last_resort() -> None:
    reader = wordpress_comment("reader", "Max Reader", by_post_author=False)
    thread = '<div id="comments"><ol class="comment-list">{}</ol></div>'
    own = wordpress_comment("jdoe", "jdoe42", by_post_author=True)
    assert names(page(outside=thread.format(reader + own))) == ["jdoe42"]
    # readers' comments name no author; a byline outranks the reply
    assert names(page(outside=thread.format(reader))) == []
    byline = '<p class="byline">By Jane Doe</p>'
    assert names(page(before=byline, outside=thread.format(reader + own))) == ["Jane Doe"]
    # a deal site's comment: the avatar's alt text names the post's author
    deal = (
        '<div class="comment byuser comment-author-dealfan bypostauthor">'
        '<img src="/av.jpg" class="avatar" alt="Profilbild von DealFan77"><p>Noch da.</p></div>'
    )
    assert names(page(outside=thread.format(deal), lang="de")) == ["DealFan77"]


@pytest.mark.parametrize(
    "byline",
    [
        'Written by <a rel="author" href="/author/admin/">Example News</a> on May 3, 2024',
        '<span itemprop="author">Example News</span>',
        '<span class="byline">By Example News</span>',
        '<span class="article-author">Artikel von: Example News</span>',
    ],
)
def test_the_sites_name_as_the_sole_credit_of_author_markup_is_kept(byline: str) -> None:
    # the page credits its newsroom, as an author meta tag naming the site does
    assert names(page(before=f'<div class="meta">{byline}</div>')) == ["Example News"]
    # a person named anywhere outranks it
    assert names(page(before=f"<div>{byline}</div>", after="<p>Autor: Jane Doe</p>")) == [
        "Jane Doe"
    ]
    # a company's copyright link marked as the author's is no credit
    footer = '<p><a rel="author" href="/about">Example News Inc.</a> All rights reserved.</p>'
    assert names(page(outside=footer)) == []


def opening_with(paragraph: str, before: str = "") -> str:
    return page(before=before).replace(
        '<div class="entry-content">', f'<div class="entry-content"><p>{paragraph}</p>'
    )


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("Hamburg (dpa/lno) – Der Senat hat am Freitag entschieden.", "dpa/lno"),
        ("MEXICO CITY (AP) — The economy grew in the first quarter.", "AP"),
        ("PARIS (AFP) - Le gouvernement a annoncé un plan.", "AFP"),
    ],
)
def test_an_agencys_dateline_opening_the_body_credits_it_last(opening: str, expected: str) -> None:
    assert names(opening_with(opening)) == [expected]
    # a named writer outranks the agency's dateline
    assert names(opening_with(opening, '<p class="byline">By Jane Doe</p>')) == ["Jane Doe"]
    # a parenthesis naming no agency is no credit
    assert names(opening_with(opening.replace(f"({expected})", "(Kommentar)"))) == []


@pytest.mark.parametrize(
    "credit", ["Example News et AFP", "AFP/Example News", "Example News and AP"]
)
def test_the_newsrooms_credit_joined_with_an_agencys_is_one_credit(credit: str) -> None:
    ld = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":'
        f'"NewsArticle","headline":"Council vote","author":{{"@type":"Person","name":"{credit}"}}}}'
        "</script>"
    )
    assert names(page().replace("</title>", f"</title>{ld}")) == [credit]
    # a person's credit with an agency's stays two
    assert names(page(before='<p class="byline">By Jane Doe and AP</p>')) == ["Jane Doe", "AP"]


@pytest.mark.parametrize(
    ("closing", "expected"),
    [
        ("Das teilte die Polizei mit. (Example News mit dpa)", "Example News mit dpa"),
        ("Das teilte die Polizei mit. (dpa)", "dpa"),
        ("The police said so on Friday. (AP)", "AP"),
    ],
)
def test_an_agencys_credit_closing_the_body_in_parentheses(closing: str, expected: str) -> None:
    body = page().replace("</div></article>", f"<p>{closing}</p></div></article>")
    # above a desk account's credit ("Redaktion" in the author meta)
    desk = body.replace("</title>", '</title><meta name="author" content="Redaktion">')
    assert names(desk) == [expected]
    # a named writer outranks it; a parenthesis naming another site or no agency is none
    assert names(body.replace("<h1>", '<p class="byline">By Jane Doe</p><h1>')) == ["Jane Doe"]
    assert names(body.replace(f"({expected})", "(Other Paper mit dpa)")) == []
    assert names(body.replace(f"({expected})", "(Archiv)")) == []


@pytest.mark.parametrize(
    ("byline", "lang", "expected"),
    [
        ("Von unserer Korrespondentin Anna Müller", "de", ["Anna Müller"]),
        ("Von unserem Redakteur Hans Meier und Anna Müller", "de", ["Hans Meier", "Anna Müller"]),
        ("De notre envoyé spécial à Kyiv, Jean Dupont", "fr", ["Jean Dupont"]),
        ("Dal nostro inviato Mario Rossi", "it", ["Mario Rossi"]),
        ("De nuestro corresponsal Juan Pérez", "es", ["Juan Pérez"]),
        ("From our correspondent Jane Doe", "en", ["Jane Doe"]),
        ("Napisała Anna Nowak", "pl", ["Anna Nowak"]),
    ],
)
def test_a_byline_naming_the_writers_role_before_the_name(
    byline: str, lang: str, expected: list[str]
) -> None:
    assert names(page(before=f"<p>{byline}</p>", lang=lang)) == expected


@pytest.mark.parametrize(
    ("byline", "lang", "expected"),
    [
        ("Door Jan de Vries en Piet Jansen", "nl", ["Jan de Vries", "Piet Jansen"]),
        ("Door Jan de Vries en Piet Jansen", "nl-BE", ["Jan de Vries", "Piet Jansen"]),
        ("Por Juan Pérez en Buenos Aires", "es", ["Juan Pérez"]),
        ("Par Jean Dupont en Normandie", "fr", ["Jean Dupont"]),
    ],
)
def test_a_joiner_of_the_pages_language_joins_names_not_a_place(
    byline: str, lang: str, expected: list[str]
) -> None:
    html = page(before=f'<p class="byline">{byline}</p>', lang=lang)
    if lang.startswith("nl"):  # the page's text in its language, as the engine reads it
        html = html.replace(BODY, _DUTCH_BODY)
    assert names(html) == expected


_DUTCH_BODY = "".join(
    f"<p>Alinea {i} van het verhaal vertelt wat er vrijdag in de gemeenteraad is gebeurd "
    f"en waarom de stemming voor de mensen die er wonen van belang is.</p>"
    for i in range(8)
)


def _ld_page(author: str) -> str:
    ld = f'{{"@context": "https://schema.org", "@type": "NewsArticle", "author": {author}}}'
    return page().replace("</head>", f'<script type="application/ld+json">{ld}</script></head>', 1)


@pytest.mark.parametrize(
    "author",
    [
        '{"@type": "Person", "name": ["Jane Doe", "John Roe"]}',
        '[{"@type": "Person", "name": ["Jane Doe", "John Roe"]}]',
    ],
)
def test_a_json_ld_author_named_by_a_list_keeps_every_name(author: str) -> None:
    assert names(_ld_page(author)) == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize(
    ("byline", "lang"),
    [
        ("Autoren Jane Doe und John Roe", "de"),
        ("Authors Jane Doe and John Roe", "en"),
        ("Auteurs Jane Doe et John Roe", "fr"),
    ],
)
def test_a_plural_label_without_its_colon_leads_a_byline(byline: str, lang: str) -> None:
    assert names(page(before=f"<p>{byline}</p>", lang=lang)) == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize(
    "byline",
    [
        # RDFa Lite with the schema.org vocabulary, as Drupal writes it
        '<span property="schema:author" typeof="schema:Person">'
        '<span property="schema:name">Jane Doe</span></span>',
        '<div vocab="https://schema.org/"><span property="author" typeof="Person">'
        '<a href="/people/jane" property="url"><span property="name">Jane Doe</span></a>'
        "</span></div>",
        '<span property="dc:creator" typeof="foaf:Person"><span property="foaf:name">Jane Doe'
        "</span></span>",
    ],
)
def test_an_rdfa_byline_names_the_author(byline: str) -> None:
    assert names(page(outside=f"<aside>{byline}</aside>")) == ["Jane Doe"]


@pytest.mark.parametrize(
    "byline",
    [
        # Drupal 8's RDF module: rel on the element around the author's resource
        '<span rel="schema:author"><span about="/user/3" typeof="schema:Person"'
        ' property="schema:name" datatype="">Jane Doe</span></span> | Fri, 05/03/2024',
        # Drupal 7's: SIOC's creator around a FOAF name
        '<span rel="sioc:has_creator"><a href="/user/3" typeof="sioc:UserAccount"'
        ' property="foaf:name">Jane Doe</a></span> | Fri, 05/03/2024',
        # the author's element holds a picture and a biography beside the name
        '<div property="author" typeof="Person"><img src="/jane.jpg" alt="">'
        '<span property="name">Jane Doe</span><span property="description">Jane has covered'
        " the city council since 2019 and writes about housing, transport and the budget."
        "</span></div>",
    ],
)
def test_the_rdfa_name_inside_an_rdfa_author_is_the_authors_name(byline: str) -> None:
    # the names of a breadcrumb's items and of the publisher are no author's
    crumbs = (
        '<ol vocab="https://schema.org/" typeof="BreadcrumbList"><li property="itemListElement"'
        ' typeof="ListItem"><a property="item" href="/city"><span property="name">City Hall'
        '</span></a></li></ol><div property="publisher" typeof="Organization">'
        '<span property="name">Jane Roe</span></div>'
    )
    assert names(page(before=f"{crumbs}<div>{byline}</div>")) == ["Jane Doe"]
    assert names(page(outside=f"<aside>{byline}</aside>")) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("line", "lang", "expected"),
    [
        # the writer's labels: German's formal one, and text with photos by one person
        ("Verfasser: Jane Doe", "de", "Jane Doe"),
        ("Verfasserin: Jane Doe", "de", "Jane Doe"),
        ("Text & Fotos: Jane Doe", "de", "Jane Doe"),
        ("Text und Fotos: Jane Doe", "de", "Jane Doe"),
        ("Texte et photos : Jean Dupont", "fr", "Jean Dupont"),
        # a date, then the language's "by" and the name
        ("Pubblicato il 3 maggio 2024 da Mario Rossi", "it", "Mario Rossi"),
        ("Opublikowano 3 maja 2024 przez Jan Kowalski", "pl", "Jan Kowalski"),
    ],
)
def test_more_writer_labels_and_dated_bylines(line: str, lang: str, expected: str) -> None:
    assert names(page(before=f"<p>{line}</p>", lang=lang)) == [expected]
    assert names(page(after=f"<p>{line}</p>", lang=lang)) == [expected]


@pytest.mark.parametrize("placeholder", ["publisher", "Publisher"])
def test_a_field_name_in_the_author_meta_names_no_author(placeholder: str) -> None:
    html = page().replace("</head>", f'<meta name="author" content="{placeholder}"></head>')
    assert names(html) == []


@pytest.mark.parametrize("byline", ["记者王敬照", "本报记者 王敬照", "新华社记者王敬照"])
def test_a_chinese_reporters_role_glued_to_the_name_is_dropped(byline: str) -> None:
    assert split_names(byline) == ["王敬照"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a joiner between two single words names one thing, not two people
        ("Haus und Garten, Berlin", ["Haus und Garten"]),
        ("Kraut & Rüben", ["Kraut & Rüben"]),
        # ... unless they are agencies' credits, or full names
        ("dpa und AFP", ["dpa", "AFP"]),
        ("Jane Doe und John Roe", ["Jane Doe", "John Roe"]),
    ],
)
def test_a_joiner_between_two_single_words_splits_no_names(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


def test_a_sites_name_holding_a_joiner_is_not_two_people() -> None:
    html = page().replace("</head>", '<meta name="author" content="Example und News"></head>')
    assert names(html.replace("Example News", "Example und News")) == []


@pytest.mark.parametrize(
    "meta",
    [
        "Copyright Example Verlag GmbH & Co. KG - all rights reserved",
        "© 2024 Example Verlag GmbH & Co. KG. Alle Rechte vorbehalten.",
        "Example Verlag GmbH & Co. KG",
    ],
)
def test_a_companys_and_co_in_the_author_meta_is_one_credit(meta: str) -> None:
    # a company is a last resort, whole: its "& Co. KG" is no second author, and a
    # copyright notice credits its holder
    html = page().replace("</head>", f'<meta name="author" content="{meta}"></head>')
    assert names(html) == ["Example Verlag GmbH & Co. KG"]
