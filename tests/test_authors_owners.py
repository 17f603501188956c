"""Author rules for pages whose byline is the site itself, a CMS account or a long
author box, each on small pages written for the test (no site's markup)."""

from __future__ import annotations

import json
import time

from newsarchive.extraction import extract
from newsarchive.extraction.authors import looks_like_name, split_names

BODY = "".join(
    f"<p>Paragraph {i} of the post tells what happened in the garden this spring "
    f"and why the roses came back after the long and cold winter.</p>"
    for i in range(8)
)


def names(html: str, url: str) -> list[str]:
    return [a["name"] for a in extract(html, url)["authors"]]


def page(head: str, body: str = "") -> str:
    article = f"<article><h1>Roses</h1>{body}{BODY}</article>"
    return f"<html><head>{head}</head><body>{article}</body></html>"


# --------------------------------------------------------------------------- personal sites


def test_a_personal_site_named_after_its_owner_is_the_owners() -> None:
    url = "https://www.jane-roeder.net/garden/roses/"
    titled = page('<meta property="og:site_name" content="Dr. Jane Roeder">')
    assert names(titled, url) == ["Jane Roeder"]
    possessive = page("<title>Jane Roeder's Digital Garden | Roses</title>")
    assert names(possessive, "https://janeroeder.com/blog/roses") == ["Jane Roeder"]


def test_a_two_word_brand_on_its_own_domain_is_no_owner() -> None:
    # nothing marks "Golf Post" as a person: a brand, not the author of the page
    brand = page(
        '<meta property="og:site_name" content="Golf Post"><title>Roses | Golf Post</title>'
    )
    assert names(brand, "https://www.golfpost.de/roses") == []
    # the owner's name on another host is no owner of this site
    other = page('<meta property="og:site_name" content="Dr. Jane Roeder">')
    assert names(other, "https://gardens.example.org/roses") == []


# --------------------------------------------------------------------------- CMS accounts


def ld_author(name: str) -> str:
    data = {
        "@type": "BlogPosting",
        "headline": "Roses",
        "author": {"@type": "Person", "name": name},
    }
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_a_structured_author_the_page_never_shows_gives_way_to_the_visible_byline() -> None:
    url = "https://magazine.example.org/garden/roses"
    byline = '<p class="byline">Von Lea Hoffner</p>'
    assert names(page(ld_author("Paul Poster"), byline), url) == ["Lea Hoffner"]


def test_a_structured_author_the_page_shows_stays_the_author() -> None:
    url = "https://magazine.example.org/garden/roses"
    # shown in capitals in the page's own byline; a teaser's byline names another
    shown = '<p class="byline">PAUL POSTER</p><aside><p class="byline">Von Lea Hoffner</p></aside>'
    assert names(page(ld_author("Paul Poster"), shown), url) == ["Paul Poster"]
    # no visible byline at all: the structured author stands
    assert names(page(ld_author("Paul Poster")), url) == ["Paul Poster"]


def test_a_name_deep_inside_a_long_script_is_not_shown_and_one_after_it_is() -> None:
    # The script's opening tag lies kilobytes before the name: the check must find it
    # however far back it is, and must not take text after the script for script.
    url = "https://magazine.example.org/garden/roses"
    state = "var state = {" + "'key': 'value', " * 1000
    hidden_in_script = f"<script>{state} 'html': '<b>Roses</b> by Paul Poster'}};</script>"
    byline = '<p class="byline">Von Lea Hoffner</p>'
    assert names(page(ld_author("Paul Poster"), hidden_in_script + byline), url) == ["Lea Hoffner"]
    after_script = f"<script>{state}}};</script>" + "<div>x</div>" * 800
    shown = f'{after_script}<p class="byline">Paul Poster</p><aside>{byline}</aside>'
    assert names(page(ld_author("Paul Poster"), shown), url) == ["Paul Poster"]


def test_a_label_alone_names_the_author_in_many_languages() -> None:
    url = "https://revue.example.org/fr/2024/05/entretien"
    for label in ("Auteur", "Autore", "Författare", "Yazar"):
        link = '<a href="/equipe/jm/">Jeanne Martin</a>'
        box = f'<dl class="meta"><dt>{label}</dt><dd>{link}</dd></dl>'
        assert names(page("", box), url) == ["Jeanne Martin"], label


# --------------------------------------------------------------------------- author boxes


def test_the_name_an_author_links_address_spells_in_a_long_author_box() -> None:
    url = "https://magazine.example.org/garden/roses"
    pad = " " * 200  # a template's indentation: the box is longer than any byline
    box = (
        f'<a href="/autoren/kathrin-fuehres-684124">{pad}<img src="k.jpg" alt="">'
        f'<span class="credit">© Kathrin Führes</span>{pad}<span>Kathrin\n   Führes</span>'
        f"{pad}<span>Redakteurin für Wald und Wild</span></a>"
    )
    assert names(page("", box), url) == ["Kathrin Führes"]
    # an address naming nobody on the box: too long to read as a byline
    other = box.replace("kathrin-fuehres-684124", "684124")
    assert names(page("", other), url) == []


def test_the_name_a_link_to_the_authors_articles_spells_in_a_long_author_box() -> None:
    url = "https://magazine.example.org/garden/roses"
    pad = " " * 200
    box = (
        f'<div class="sidebar-box author">{pad}<div class="name">Johanna Kreuzer</div>{pad}'
        '<a href="/suche/?q=johanna-kreuzer&amp;in=author">Alle Artikel</a></div>'
    )
    assert names(page("", box), url) == ["Johanna Kreuzer"]
    # a tag link spelling another piece of the box names no author
    tagged = box.replace("/suche/?q=johanna-kreuzer&amp;in=author", "/tag/johanna-kreuzer")
    assert names(page("", tagged), url) == []


def test_an_interview_or_words_credit_names_the_author() -> None:
    url = "https://magazine.example.org/story/interview-with-a-gardener/"
    for label in ("Interview", "Words"):
        credits = f'<div class="credits"><div>{label}</div><div>SVEN MARTENS</div></div>'
        assert names(page("", credits), url) == ["SVEN MARTENS"], label


def test_a_one_word_byline_its_link_spells_is_the_accounts_name() -> None:
    url = "https://games.example.org/previews,id1085,0,harbour.html"
    byline = '<span class="author"><a href="/user,profile,30,lars.html">Lars</a></span>'
    assert names(page("", byline), url) == ["Lars"]
    # the same first name linking elsewhere: a stray word, not a byline
    stray = '<span class="author"><a href="/team.html">Lars</a></span>'
    assert names(page("", stray), url) == []


# --------------------------------------------------------------------------- press releases


def test_a_press_contact_whose_address_spells_the_name_is_the_author_of_last_resort() -> None:
    url = "https://verband.example.org/presse/mitteilung-42.html"
    block = (
        "<p><strong>Pressekontakt</strong><br>Dr. Jana Roeder<br>Pressesprecherin<br>"
        'Tel. 030 1234567<br><a href="mailto:j.roeder@example.org">j.roeder@example.org</a></p>'
    )
    assert names(page("", block), url) == ["Dr. Jana Roeder"]
    # an address block under "Kontakt": a place, not a person
    address = (
        "<p><strong>Kontakt</strong><br>Stadthalle Nord<br>Tel. 030 1234567<br>"
        '<a href="mailto:info@example.org">info@example.org</a></p>'
    )
    assert names(page("", address), url) == []


def test_a_caseless_name_needs_letters() -> None:
    assert looks_like_name("王小明")
    assert not looks_like_name("=")
    assert not looks_like_name("— · —")


# --------------------------------------------------------------------------- signatures


def signed(closing: str) -> str:
    return f"<html><body><article><h1>Roses</h1>{BODY}{closing}</article></body></html>"


def test_a_signature_closing_the_body_names_the_author() -> None:
    url = "https://verband.example.org/detail.php?id=765"
    role = "<p>Jana Roeder<br> Vorsitzende des Verbandes</p>"
    assert names(signed(role), url) == ["Jana Roeder"]
    dated = "<p>Benni<br> 10. September 2017</p>"
    assert names(signed(dated), url) == ["Benni"]
    prose = "The last words of the post, as they always end, with thanks to all readers."
    closing = f"<p>{prose}<br><em>Jana Roeder</em></p>"
    assert names(signed(closing), url) == ["Jana Roeder"]


def test_a_fact_sheet_closing_the_body_is_no_signature() -> None:
    url = "https://denkmal.example.org/objekte/studentendorf"
    facts = "<p><strong>Aktuelle Nutzung</strong><br> Studentenwohnanlage</p>"
    assert names(signed(facts), url) == []
    linked = '<p>Weinakademie Rust<br><a href="https://weinakademie.example.at">weinakademie.example.at</a></p>'
    assert names(signed(linked), url) == []
    first_name = "<p>Benni<br> Vorsitzender</p>"  # one word: only a date makes it a signature
    assert names(signed(first_name), url) == []


def test_a_title_in_its_own_element_between_label_and_name() -> None:
    url = "https://recht.example.org/urteile/wohngeld-722430"
    line = '<p>Autor: <a href="/rechtsanwalt/">Rechtsanwalt</a> Sebastian Einhorn</p>'
    assert names(page("", line), url) == ["Sebastian Einhorn"]
    # any other word there is no title: the label names nobody
    other = '<p>Autor: <a href="/forum/">Forum</a> Erweiterte Suche</p>'
    assert names(page("", other), url) == []


def test_a_dateline_between_two_names_keeps_the_second() -> None:
    assert split_names("Markus M. Haefner, London, Beat Brunner") == [
        "Markus M. Haefner",
        "Beat Brunner",
    ]
    assert split_names("Jane Doe, Berlin") == ["Jane Doe"]
    assert split_names("Jane Doe, Senior Reporter, John Roe") == ["Jane Doe"]


# --------------------------------------------------------------------------- user content


def test_the_first_avatar_names_the_poster_of_a_user_tip() -> None:
    url = "https://recipes.example.org/tipp/1918/tomaten-schneiden.html"
    avatar = '<img src="m.jpg" alt="Benutzerbild von Mara77">'
    box = f'<div class="userbox"><a href="/user/Mara77.html">{avatar}</a></div>'
    assert names(page("", box), url) == ["Mara77"]
    # the first avatar a comment's: the page names no poster
    comment = f'<div class="comments"><div class="comment">{box}</div></div>'
    assert names(page("", comment), url) == []


def test_an_author_link_without_a_name_names_the_one_its_address_spells_beside_it() -> None:
    url = "https://network.example.org/pulse/ich-war-am-wochenende"
    more = (
        '<div class="related"><h3>More from Inga Holtmann</h3>'
        '<a href="/today/author/ingaholtmann?trk=x">9 articles</a></div>'
    )
    assert names(page("", more), url) == ["Inga Holtmann"]
    # the address spelling nobody beside it: no author
    other = more.replace("ingaholtmann", "jdoe")
    assert names(page("", other), url) == []


def test_a_name_in_a_scripts_markup_fragment_is_not_shown() -> None:
    url = "https://magazine.example.org/garden/roses"
    data = {
        "@type": "BlogPosting",
        "headline": "Roses",
        "author": {"@type": "Person", "name": "Paul Poster"},
        "articleBody": "<p>Roses</p> and a note by Paul Poster",  # markup inside the JSON
    }
    script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    hidden = '<div title="Paul Poster"></div><p class="byline">Von Lea Hoffner</p>'
    assert names(page(script, hidden), url) == ["Lea Hoffner"]


# --------------------------------------------------------------------------- crafted pages

# An ordinary page of the same size extracts in about a second on a busy machine; the
# quadratic forms these pages hit took half a minute and more (see test_extract_hostile).
BOUND = 12  # seconds


def timed_names(html: str, url: str) -> tuple[list[str], float]:
    start = time.process_time()
    found = names(html, url)
    return found, time.process_time() - start


def test_a_long_run_of_digits_in_an_author_links_address_stays_linear() -> None:
    """The id at the end of an author page's address was cut by a regex anchored at the
    end, which backtracks over a run of digits from every start: 20,000 digits took 29 s."""
    url = "https://magazine.example.org/garden/roses"
    pad = " " * 200
    for run in ("1" * 40_000 + "x", "-" * 40_000 + "x"):
        box = f'<a href="/autoren/{run}">{pad}<span>Kathrin Fuehres</span>{pad}</a>'
        found, seconds = timed_names(page("", box), url)
        assert found == ["Kathrin Fuehres"]  # the name in its own element of the long link
        assert seconds < BOUND


def test_a_closing_paragraph_of_many_elements_stays_linear() -> None:
    """A signature's lines were built by adding each element's text to a growing string."""
    url = "https://verband.example.org/detail.php?id=765"
    closing = "<p>" + "<b>x</b>" * 100_000 + "</p>"
    found, seconds = timed_names(signed(closing), url)
    assert found == []
    assert seconds < BOUND
