"""Byline formats of news sites in many languages, on small pages written for the test
(no site's markup): joiners, roles, outlets and agencies around the names."""

from __future__ import annotations

import pytest

from newsarchive.extraction import extract
from newsarchive.extraction.authors import looks_like_name, split_names
from newsarchive.extraction.credits import credit_parts, split_credit

URL = "https://news.example.org/2024/05/03/council-vote.html"
BODY = "".join(
    f"<p>Paragraph {i} of the story tells what happened in the city council on Friday "
    f"and why the vote matters for the people who live there.</p>"
    for i in range(8)
)


def page(body: str, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head></head>'
        f"<body><article><h1>Council vote</h1>{body}{BODY}</article></body></html>"
    )


def names(html: str) -> list[str]:
    return [a["name"] for a in extract(html, URL)["authors"]]


def byline(text: str, lang: str = "en") -> list[str]:
    return names(page(f'<p class="byline">{text}</p>', lang))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane A Doe", ["Jane A Doe"]),  # a middle initial, not Czech "a"
        ("Von Jane E Doe und John Roe", ["Jane E Doe", "John Roe"]),
        ("Por Ana Y Ruiz y Juan Pérez", ["Ana Y Ruiz", "Juan Pérez"]),
        ("Anna I Berg i Jan Nowak", ["Anna I Berg", "Jan Nowak"]),
    ],
)
def test_a_capital_letter_between_names_is_an_initial_not_a_conjunction(
    raw: str, expected: list[str]
) -> None:
    assert split_names(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jean Dupont avec l'AFP", ["Jean Dupont", "AFP"]),
        ("Juan Pérez con información de EFE", ["Juan Pérez", "EFE"]),
        ("Von Jane Doe mit Material von dpa", ["Jane Doe", "dpa"]),
        ("By Jane Doe with John Roe", ["Jane Doe", "John Roe"]),
        ("Jane Doe with additional reporting by Reuters", ["Jane Doe", "Reuters"]),
    ],
)
def test_with_joins_a_writer_and_a_source(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


def test_with_joins_names_only_when_both_sides_are_names() -> None:
    assert split_names("Jane Doe mit Material von Reuters") == ["Jane Doe", "Reuters"]
    for prose in (
        "Reisen nach Asien mit oder ohne Flug",
        "Heute reden wir wieder mit Christian Drosten",
        "Von Harbour Voice mit osAlliance zur Allmenda",
    ):
        assert not any(looks_like_name(n) for n in split_names(prose)), prose


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe · 5 min read", ["Jane Doe"]),
        ("Jane Doe • Reporter", ["Jane Doe"]),
        ("Jane Doe – Correspondent", ["Jane Doe"]),
        ("João Silva - Repórter", ["João Silva"]),
        ("Mario Rossi — inviato", ["Mario Rossi"]),
        ("Иван Петров — корреспондент", ["Иван Петров"]),
    ],
)
def test_a_role_after_a_dash_or_a_dot_is_not_part_of_the_name(
    raw: str, expected: list[str]
) -> None:
    assert byline(raw) == expected


def test_only_a_role_is_cut_at_a_dash() -> None:
    assert split_names("Jane Doe – Senior Correspondent") == ["Jane Doe"]
    assert split_names("Jane Doe-Roe") == ["Jane Doe-Roe"]
    assert split_names("Jane Doe – Berlin Mitte") == ["Jane Doe – Berlin Mitte"]  # no role


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe for The Daily Planet", ["Jane Doe"]),
        ("Jean Dupont pour Le Monde Diplomatique", ["Jean Dupont"]),
        ("Jane Doe for BBC News", ["Jane Doe"]),
    ],
)
def test_the_outlet_a_piece_was_written_for_is_not_a_name(raw: str, expected: list[str]) -> None:
    assert byline(raw) == expected


def test_an_organisation_named_for_its_field_keeps_its_name() -> None:
    assert split_names("Jane Doe for The Harbour Herald") == ["Jane Doe"]
    assert split_names("Bundesamt für Wirtschaft") == ["Bundesamt für Wirtschaft"]
    assert split_names("Department for Education") == ["Department for Education"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("di Mario Rossi e Luigi Bianchi", ["Mario Rossi", "Luigi Bianchi"]),
        ("A cura di Mario Rossi", ["Mario Rossi"]),
        ("de Ion Popescu", ["Ion Popescu"]),
        ("Του Γιώργου Παπαδόπουλου", ["Γιώργου Παπαδόπουλου"]),
    ],
)
def test_by_in_italian_romanian_and_greek(raw: str, expected: list[str]) -> None:
    assert byline(raw) == expected


def test_capitalized_particles_still_open_names() -> None:
    assert split_names("di Stefano Rossi") == ["Stefano Rossi"]
    assert split_names("Di Stefano Rossi") == ["Di Stefano Rossi"]
    assert split_names("de Vries") == ["de Vries"]  # no full name after it: not "by"


def test_a_lower_case_italian_by_line_in_the_text_is_a_byline() -> None:
    assert names(page("<p>di Mario Rossi</p>", "it")) == ["Mario Rossi"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Juan Pérez (EFE)", ["Juan Pérez", "EFE"]),
        ("Von Jane Doe (dpa)", ["Jane Doe", "dpa"]),
        ("By JANE DOE Associated Press", ["JANE DOE", "Associated Press"]),
        ("Jane Doe AFP", ["Jane Doe", "AFP"]),
    ],
)
def test_an_agency_beside_the_writer_is_a_second_credit(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


def test_a_name_ending_like_an_agency_is_one_name() -> None:
    assert split_names("Jane Doe AP") == ["Jane Doe", "AP"]
    assert split_names("Jane Doe Reuters") == ["Jane Doe Reuters"]  # no agency's spelling
    assert split_names("Jane Doe (Berlin)") == ["Jane Doe"]
    assert split_names("Mary Ann Press") == ["Mary Ann Press"]  # not an agency's spelling


def test_labelled_parts_split_at_a_slash() -> None:
    assert byline("Text: Jane Doe / Fotos: John Roe", "de") == ["Jane Doe"]
    assert byline("Von Jane Doe · Fotos: John Roe", "de") == ["Jane Doe"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("홍길동 기자", ["홍길동"]),
        ("홍길동 기자 hong@example.com", ["홍길동"]),
        ("김민수 특파원", ["김민수"]),
        ("记者 张三", ["张三"]),
    ],
)
def test_korean_and_chinese_reporter_lines(line: str, expected: list[str]) -> None:
    assert names(page(f"<p>{line}</p>", "ko")) == expected


def test_a_desk_in_more_languages_gives_way_to_a_named_writer() -> None:
    desk = '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Redação"}}'
    html = page(
        f'<script type="application/ld+json">{desk}</script><p>Redação</p>'
        '<p class="byline">Por João Silva</p>',
        "pt",
    )
    assert names(html) == ["João Silva"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Standish", ["Jane Standish"]),  # "Stand" opens a surname, not "Stand: <date>"
        ("Constanze Stand", ["Constanze Stand"]),
        ("Tom Updatedson", ["Tom Updatedson"]),
        ("Par Jean Dupont Publié le 03/05/2024 à 12h00", ["Jean Dupont"]),
        ("di Mario Rossi pubblicato il 3 maggio 2024", ["Mario Rossi"]),
        ("Por Juan Pérez Actualizado: 03/05/2024", ["Juan Pérez"]),
    ],
)
def test_a_date_label_ends_the_name_only_as_a_whole_word(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Foto: John Roe",
        "Fotos: John Roe",
        "Photo: John Roe for The Herald",
        "Bild: John Roe/dpa",
        "By John Roe / Getty Images",
        "John Roe/Shutterstock",
    ],
)
def test_a_photo_credit_names_no_author(raw: str) -> None:
    assert split_names(raw) == []


@pytest.mark.parametrize(
    "raw",
    ["Fotoğraf: Ali Veli", "Снимка: Иван Петров", "Ảnh: Nguyễn Văn An", "Bildquelle: John Roe"],
)
def test_a_caption_credit_label_names_no_author_in_a_byline(raw: str) -> None:
    # bylines and captions read picture labels from one table (credits.PICTURE_WORDS)
    assert split_names(raw) == []


@pytest.mark.parametrize(
    "label", ["Video", "Kamera", "Fotografías", "Immagini", "Zdjęcia", "Grafiken", "Photography"]
)
def test_a_byline_picture_label_leads_a_caption_credit_too(label: str) -> None:
    caption, credit = split_credit(f"The harbour at dawn. {label}: John Roe")
    assert (caption, credit) == ("The harbour at dawn.", "John Roe")
    assert credit_parts(f"{label}: John Roe") == ["John Roe"]


def test_a_photo_credit_in_a_byline_box_gives_way_to_the_writer() -> None:
    html = page('<div class="author">Foto: John Roe</div><p>By Jane Doe</p>')
    assert names(html) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Doe Senior Editor", ["Jane Doe"]),
        ("Jane Doe Staff Writer", ["Jane Doe"]),
        ("Anna Müller Redakteurin", ["Anna Müller"]),
        ("Juan Pérez Periodista", ["Juan Pérez"]),
    ],
)
def test_a_job_title_glued_to_the_name_is_cut(raw: str, expected: list[str]) -> None:
    html = page(
        f'<div class="byline"><a href="/author/x">{raw.split()[0]} {raw.split()[1]}</a>'
        f"{' '.join(raw.split()[2:])}</div>"
    )
    assert split_names(raw) == expected
    if len(expected[0].split()) > 1 and expected != [raw]:
        assert names(html) == expected


def test_a_role_word_ending_a_short_name_is_its_family_name() -> None:
    assert split_names("Jane Doe Staff Writer") == ["Jane Doe"]
    assert split_names("Mary Anne Writer") == ["Mary Anne Writer"]  # no modifier before it
    assert split_names("Jane Reporter") == ["Jane Reporter"]  # a given name alone would be left


def test_agencies_unnamed_after_a_slash_leave_the_writer() -> None:
    assert split_names("Juan Pérez / Agencias") == ["Juan Pérez"]


def test_a_title_after_a_comma_stays_cut_whole() -> None:
    assert split_names("By Jane Doe, Local Democracy Reporter") == ["Jane Doe"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Text & Fotos: Ivan Petrov", ["Ivan Petrov"]),  # the writer took the pictures too
        ("Autor/in: Jane Doe", ["Jane Doe"]),
        ("Text und Bild: Jane Doe", ["Jane Doe"]),
    ],
)
def test_a_label_of_several_roles_including_the_writing(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


def test_a_shown_labelled_byline_outweighs_an_unseen_meta_author() -> None:
    html = page(
        '<table><tr><td class="authorbold"><b>Text &amp; Fotos:</b> Ivan Petrov</td></tr></table>'
    ).replace("<head></head>", '<head><meta name="author" content="Motor Weekly"></head>')
    assert names(html) == ["Ivan Petrov"]


def test_a_lower_case_v_abbreviates_von() -> None:
    assert looks_like_name("John v. Berenberg-Gossler")
    assert not looks_like_name("vom Support Team")


def test_a_paid_post_label_is_nobodys_name() -> None:
    html = page('<p class="byline">Anzeige</p>').replace(
        "<head></head>", '<head><meta name="author" content="Sponsored Content"></head>'
    )
    assert names(html) == []


@pytest.mark.parametrize(
    "href",
    ["/auteur/jean-dupont", "/yazar/ahmet-yilmaz", "/avtor/ivan-petrov", "/penulis/budi-santoso"],
)
def test_author_page_links_in_many_languages(href: str) -> None:
    who = href.rsplit("/", 1)[-1].replace("-", " ").title()
    html = page(f'<p class="meta">Mis en ligne par <a href="{href}">{who}</a></p>')
    assert names(html) == [who]


def test_a_licence_link_is_no_author_page() -> None:
    html = page(
        '<p><a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></p>'
        '<p class="meta"><a href="/auteur/jean-dupont">Jean Dupont</a></p>'
    )
    assert names(html) == ["Jean Dupont"]


def test_a_recipe_or_video_page_names_its_author_in_the_work() -> None:
    recipe = (
        '{"@type": "Recipe", "name": "Pierogi", "author": {"@type": "Person", "name": "Ola Nowak"}}'
    )
    html = page(f'<script type="application/ld+json">{recipe}</script>', "pl")
    assert names(html) == ["Ola Nowak"]
    video = '{"@type": "VideoObject", "author": {"@type": "Person", "name": "Ann Lee"}}'
    html = page(f'<script type="application/ld+json">{video}</script>')
    assert names(html) == ["Ann Lee"]


def test_an_article_object_outranks_a_work_on_the_page() -> None:
    objects = (
        '[{"@type": "VideoObject", "author": {"@type": "Person", "name": "Ann Lee"}},'
        ' {"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}}]'
    )
    html = page(f'<script type="application/ld+json">{objects}</script><p>Ann Lee</p>')
    assert names(html) == ["Jane Doe"]
    recipe = '{"@type": "Recipe", "author": {"@type": "Person", "name": "Ola Nowak"}}'
    assert names(page(f'<script type="application/ld+json">{recipe}</script>')) == ["Ola Nowak"]


@pytest.mark.parametrize(
    "cls", ["article-auteur", "firma-articulo", "news-yazar", "post-writer", "penulis"]
)
def test_author_classes_in_many_languages(cls: str) -> None:
    assert names(page(f'<div class="{cls}">Jean Dupont</div>', "fr")) == ["Jean Dupont"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Av Anna Andersson", "Anna Andersson"),
        ("Af Mette Hansen", "Mette Hansen"),
        ("Tekst: Ola Nordmann", "Ola Nordmann"),
        ("Teksti: Matti Virtanen", "Matti Virtanen"),
        ("Szöveg: Kovács János", "Kovács János"),
        ("Yazan: Ahmet Yılmaz", "Ahmet Yılmaz"),
        ("Автор: Иван Петров", "Иван Петров"),
        ("Autorka: Anna Nowak", "Anna Nowak"),
        ("Autora: María López", "María López"),
        ("Avtor: Janez Novak", "Janez Novak"),
        ("Autorius: Jonas Jonaitis", "Jonas Jonaitis"),
        ("Piše: Ivan Horvat", "Ivan Horvat"),
        ("Redação: João Silva", "João Silva"),
        ("Rédaction : Jean Dupont", "Jean Dupont"),
        ("Reporter: Jane Doe", "Jane Doe"),
        ("Tác giả: Nguyễn Văn An", "Nguyễn Văn An"),
        ("Oleh Budi Santoso", "Budi Santoso"),
        ("بقلم محمد علي", "محمد علي"),
        ("نویسنده: علی رضایی", "علی رضایی"),
        ("โดย สมชาย ใจดี", "สมชาย ใจดี"),
        ("Του Γιώργου Παπαδόπουλου", "Γιώργου Παπαδόπουλου"),
    ],
)
def test_a_labelled_line_in_many_languages(line: str, expected: str) -> None:
    assert names(page(f"<p>{line}</p>")) == [expected]


def test_a_label_in_its_own_element_in_more_languages() -> None:
    html = page('<div class="meta"><span>Yazan:</span> <span>Ahmet Yılmaz</span></div>', "tr")
    assert names(html) == ["Ahmet Yılmaz"]


@pytest.mark.parametrize(
    "line",
    [
        "Av de tjugo deltagarna kom Anna Andersson först i mål.",
        "Oleh karena itu Budi Santoso pergi ke pasar.",
        "Haber merkezi",
    ],
)
def test_prose_opening_with_a_by_word_names_nobody(line: str) -> None:
    assert names(page(f"<p>{line}</p><p>Av Anna Andersson</p>")) == ["Anna Andersson"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ion Popescu și Maria Ionescu", ["Ion Popescu", "Maria Ionescu"]),
        ("Jonas Jonaitis ir Ona Onaitė", ["Jonas Jonaitis", "Ona Onaitė"]),
        ("Jānis Bērziņš un Anna Liepa", ["Jānis Bērziņš", "Anna Liepa"]),
        ("Γιώργος Παπαδόπουλος και Μαρία Νικολάου", ["Γιώργος Παπαδόπουλος", "Μαρία Νικολάου"]),
        ("Budi Santoso dan Siti Aminah", ["Budi Santoso", "Siti Aminah"]),
        ("Nguyễn Văn An và Trần Thị Bình", ["Nguyễn Văn An", "Trần Thị Bình"]),
        ("Олена Коваль і Іван Шевченко", ["Олена Коваль", "Іван Шевченко"]),
        ("محمد علي و أحمد حسن", ["محمد علي", "أحمد حسن"]),
        ("张三、李四", ["张三", "李四"]),
    ],
)
def test_and_in_more_languages(raw: str, expected: list[str]) -> None:
    assert split_names(raw) == expected


def test_given_names_that_spell_a_conjunction_stay_in_the_name() -> None:
    assert split_names("Budi Santoso dan Siti Aminah") == ["Budi Santoso", "Siti Aminah"]
    assert split_names("Jane Dan Doe") == ["Jane Dan Doe"]
    assert split_names("Kim Un Yong") == ["Kim Un Yong"]


@pytest.mark.parametrize(
    "picture",
    [
        '<figure><img src="a.jpg"><figcaption>By John Roe</figcaption></figure>',
        '<figure><img src="a.jpg"><figcaption>The hall <span>By John Roe</span></figcaption>'
        "</figure>",
        '<div class="media"><img src="a.jpg"><span class="photo-author">John Roe</span></div>',
    ],
)
def test_a_pictures_credit_is_not_the_byline(picture: str) -> None:
    assert names(page(f"{picture}<p>By Jane Doe</p>")) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe May 3, 2024", "Jane Doe"),
        ("Von Jane Doe 3. Mai 2024", "Jane Doe"),
        ("Par Jean Dupont le 3 mai 2024", "Jean Dupont"),
        ("Por Juan Pérez el 3 de mayo de 2024", "Juan Pérez"),
        ("By Jane Doe 10:45 AM EST", "Jane Doe"),
        ("Jane Doe 5 min read", "Jane Doe"),
        ("Von Jane Doe 3 Min. Lesezeit", "Jane Doe"),
        ("Posted by Jane Doe @ 12:00 am", "Jane Doe"),
        ("Jane Doe Follow", "Jane Doe"),
        ("By Jane Doe Share Tweet", "Jane Doe"),
    ],
)
def test_a_date_time_or_button_glued_to_the_name(raw: str, expected: str) -> None:
    assert byline(raw) == [expected]


def test_month_names_inside_a_name_stay() -> None:
    assert split_names("June Smith 3 June 2024") == ["June Smith"]
    assert split_names("Jane May Doe") == ["Jane May Doe"]


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="meta"><span class="author">Jane Doe</span> and '
        '<span class="author">John Roe</span></div>',
        '<div class="authors"><div class="author-name">Jane Doe</div>'
        '<div class="author-name">John Roe</div></div>',
        '<ul class="article-authors"><li>Jane Doe</li><li>John Roe</li></ul>',
    ],
)
def test_co_authors_in_bylines_of_one_class(markup: str) -> None:
    assert names(page(markup)) == ["Jane Doe", "John Roe"]


def test_bylines_of_one_class_in_other_blocks_are_not_co_authors() -> None:
    html = page(
        '<div class="meta"><span class="author">Jane Doe</span> '
        '<span class="author">Senior Editor</span></div>'
        '<ul><li><span class="author">Ann Lee</span></li><li><span class="author">Bob Ray</span>'
        "</li></ul>"
    )
    assert names(html) == ["Jane Doe"]
    two = '<span class="author">Jane Doe</span> and <span class="author">John Roe</span>'
    assert names(page(f'<div class="meta">{two}</div>')) == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Analysis by Stephen Collinson", "Stephen Collinson"),
        ("Opinion by Jane Doe", "Jane Doe"),
        ("Pressemitteilung von Katja Berg", "Katja Berg"),
        ("Ein Gastkommentar von Jane Doe", "Jane Doe"),
        ("Análisis de Juan Pérez", "Juan Pérez"),
    ],
)
def test_a_genre_before_by_leads_the_byline(raw: str, expected: str) -> None:
    assert split_names(raw) == [expected]
