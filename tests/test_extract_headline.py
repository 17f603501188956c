"""Headline vote: the visible headline element against SEO titles, kickers, ties."""

from __future__ import annotations

import json
import random
import re

from newsarchive.extraction import extract, headline, sitenames
from newsarchive.extraction.document import load_document
from newsarchive.extraction.headline import candidates, choose, site_name_keys, strip_site_name

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


def test_a_page_wide_breadcrumb_flag_on_body_puts_no_h1_in_navigation() -> None:
    # WordPress themes flag the page (<body class="theme-breadcrumbs-visible">); the <h1>
    # is still the visible, marked headline that og:title repeats and outweighs JSON-LD.
    html = page(
        ld_headline(SEO) + f"<title>{SEO}</title>" + og(VISIBLE),
        article_head=f'<h1 class="article-headline">{VISIBLE}</h1>',
    ).replace("<body>", '<body class="single-post theme-breadcrumbs-visible">')
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
    began = time.process_time()
    record = extract(html, URL)
    assert time.process_time() - began < 2.0
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


# ------------------------------------------------------------- the site's own name


def bare(head: str, body: str = "", url: str = URL) -> str | None:
    """The headline of a page with ``head`` and ``body`` and the article text after it."""
    html = f"<!doctype html><html><head>{head}</head><body>{body}<div>{BODY}</div></body></html>"
    return extract(html, url)["headline"]


def test_site_suffix_after_an_angle_quote_is_stripped() -> None:
    suffixed = f"{VISIBLE} › news.example.org"
    assert bare(f"<title>{suffixed}</title>" + og(suffixed)) == VISIBLE


def test_cjk_site_suffix_after_a_dash_is_stripped_when_the_logo_link_names_it() -> None:
    head = "<title>市议会通过预算：通宵会议之后-河畔日报</title>"
    logo = '<header><a href="https://news.example.org/">河畔日报</a></header>'
    assert bare(head, logo) == "市议会通过预算：通宵会议之后"


def test_site_name_bar_without_spaces_before_the_headline_is_stripped() -> None:
    head = (
        f"<title>RIVERSIDE EASY|{VISIBLE}</title>"
        '<meta property="og:site_name" content="RIVERSIDE EASY">'
    )
    assert bare(head) == VISIBLE


def test_tagline_after_the_site_name_goes_with_it() -> None:
    head = (
        f"<title>{VISIBLE} | Riverside Daily | Stories from the valley since 1901</title>"
        '<meta property="og:site_name" content="Riverside Daily">'
    )
    assert bare(head) == VISIBLE


def test_symbols_and_parts_of_a_stated_site_name_are_stripped() -> None:
    site = "★★★ - Riverside Daily - News of the valley"
    head = f"<title>{VISIBLE} » {site}</title>" + f'<meta property="og:site_name" content="{site}">'
    assert bare(head) == VISIBLE


def test_a_site_name_inside_a_sentence_segment_does_not_make_it_the_site() -> None:
    title = "Outdoor news - New snow maps for every valley on riverside-daily.com"
    assert title in strip_site_name(title, {"riversidedaily"})
    assert strip_site_name(f"{VISIBLE} - Riverside-Daily.com Online", {"riversidedaily"}) == [
        VISIBLE
    ]


def test_a_site_name_with_accents_matches_its_ascii_host() -> None:
    url = "https://www.cafe-riviere.fr/2024/story"
    assert bare(f"<title>{VISIBLE} │ Café Rivière</title>", url=url) == VISIBLE
    url = "https://www.fischerhuette.de/2024/story"
    assert bare(f"<title>{VISIBLE} - Fischerhütte</title>", url=url) == VISIBLE


def test_an_archived_page_strips_its_original_host() -> None:
    url = "https://web.archive.org/web/20200101000000/https://www.riverside-daily.com/2020/story"
    assert bare(f"<title>{VISIBLE} | riverside-daily.com</title>", url=url) == VISIBLE


def test_an_archived_page_has_the_site_names_of_its_original_address() -> None:
    # One host reading for every user of the site's names (the body's closing headings too).
    live = "https://www.riverside-daily.com:8443/2020/story"
    archived = "https://web.archive.org/web/20200101000000/" + live
    keys = site_name_keys(load_document("<html><body><p>x</p></body></html>", archived))
    assert keys == {"riversidedailycom", "riversidedaily"}
    assert site_name_keys(load_document("<p>x</p>", live)) == keys


def test_logo_h1_linking_to_the_home_page_is_not_the_headline() -> None:
    logo = '<header><h1><a href="https://news.example.org/">Riverside Daily</a></h1></header>'
    assert bare(f"<title>{VISIBLE} | Riverside Daily</title>", logo) == VISIBLE
    # the same logo link on an archived copy of the page
    url = "https://web.archive.org/web/20200101000000/https://news.example.org/2020/story"
    home = "/web/20200101000000/https://news.example.org/"
    archived = f'<header><h1><a href="{home}">Riverside Daily</a></h1></header>'
    assert bare(f"<title>{VISIBLE} | Riverside Daily</title>", archived, url) == VISIBLE
    # a CMS that fills og:site_name with the page's title: the <h1> still votes
    head = (
        f'<title>{VISIBLE}</title><meta property="og:site_name" content="{VISIBLE}">'
        f'<meta name="twitter:title" content="{SEO}">'
    )
    assert bare(head, f"<h1>{VISIBLE}</h1>") == VISIBLE


def test_the_heading_that_shows_part_of_the_title_beats_a_blog_label() -> None:
    # "Blog Archive » Headline": no <h1>, the post's title in an <h2> outside <article>
    post = f'<div class="post"><h2><a href="/2020/story">{VISIBLE}</a></h2></div>'
    assert bare(f"<title>Blog Archive » {VISIBLE}</title>", post) == VISIBLE


def test_a_screen_reader_heading_is_not_the_display_headline() -> None:
    main = f'<main><h2 class="sr-only">Main content</h2><h2>{VISIBLE}</h2></main>'
    assert bare(f"<title>{VISIBLE}</title>", main) == VISIBLE


def test_styles_inside_the_h1_are_not_its_text() -> None:
    html = page(
        og(VISIBLE),
        article_head=f"<h1><style>.t{{color:red}}</style><span class=t>{VISIBLE}</span></h1>",
    )
    found = [(c.source, c.text) for c in candidates(load_document(html, URL), None)]
    assert ("h1", VISIBLE) in found


def test_a_kicker_glued_by_a_colon_gives_its_votes_to_the_headline() -> None:
    # "Press release:Headline" (the space was in a hidden element) against a section label
    html = page(
        og("Press releases") + f"<title>{VISIBLE}</title>",
        article_head=f"<h1>Press release of the council<span>:</span>{VISIBLE}</h1>",
    )
    assert headline_of(html) == VISIBLE


# ------------------------------------------------------------------ kicker element


def test_a_kicker_element_in_the_h1_is_not_part_of_the_headline() -> None:
    stated = f"Budget: {VISIBLE}"
    html = page(
        og(stated) + f"<title>{stated}</title>",
        article_head=(
            f'<h1><span class="dachzeile">After the vote</span> <span>{VISIBLE}</span></h1>'
        ),
    )
    assert headline_of(html) == VISIBLE
    small = page(
        og(VISIBLE), article_head=f'<h1 class="headline"><small>Budget</small> {VISIBLE}</h1>'
    )
    assert headline_of(small) == VISIBLE
    # a kicker the page reads out with the headline (a hidden colon after it) stays
    html = page(
        og(stated) + ld_headline(stated),
        article_head=(
            f'<h1><span class="kicker">Budget</span><span class="visually-hidden">:</span> '
            f"<span>{VISIBLE}</span></h1>"
        ),
    )
    assert headline_of(html) == stated


def test_the_stated_kicker_shown_as_a_line_before_the_h1_is_not_part_of_the_headline() -> None:
    stated = f"Budget: {VISIBLE}"
    head = og(stated) + ld_headline(stated) + f"<title>{stated}</title>"
    html = page(head, article_head=f'<div class="keyword">Budget</div><h1>{VISIBLE}</h1>')
    assert headline_of(html) == VISIBLE
    # another line before the heading, or none: the <h1> still shows the headline
    # without the kicker the title fields add (see test_headline_unseen.py)
    other = page(head, article_head=f'<div class="keyword">Politics</div><h1>{VISIBLE}</h1>')
    assert headline_of(other) == VISIBLE


# --------------------------------------------------------------- reader's typography


def test_visible_quotes_and_dashes_spell_the_headline_over_the_typed_ascii() -> None:
    shown = "Council approves \u201egreen\u201c budget \u2013 after all-night session"
    html = page(
        "<meta property='og:title' "
        "content='Council approves \"green\" budget - after all-night session'>",
        article_head=f"<h1>{shown}</h1>",
    )
    assert headline_of(html) == shown
    # curly apostrophes do not count: og:title's typed one spells (fundus-dev)
    typed = "Council's budget passes after all-night session"
    html = page(
        og(typed), article_head="<h1>Council\u2019s budget passes after all-night session</h1>"
    )
    assert headline_of(html) == typed


# The readable form of headline._TITLE_SEPARATORS (written there for speed).
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_READABLE_SEPARATORS = re.compile(
    r"\s+(?:[|\-–—·•»«›‹/:]|::)\s+|\s*[｜：│]\s*|(?<=\S)\|(?=\S)"
    rf"|(?<=[{_CJK}\u3000-\u303f\uff01-\uff5e])[-_–—](?=[{_CJK}])"
)


def test_title_separators_are_those_of_the_readable_pattern() -> None:
    pieces = [*" \t\n\u00a0\u3000|-–—·•»«›‹/:｜：│_ab", "中", "。", "！", "ア", "한", "::"]
    rng = random.Random(15)
    samples = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    samples += ["Headline | Site", "标题-新华网", "A|B", "A｜B", "Kicker: Headline – Site"]
    for text in samples:
        expected = [m.span() for m in _READABLE_SEPARATORS.finditer(text)]
        assert [m.span() for m in headline._TITLE_SEPARATORS.finditer(text)] == expected, text


def test_a_comparison_key_is_worked_out_once_per_text(monkeypatch) -> None:
    # A page compares the same titles and names dozens of times: each text is folded once.
    calls = []
    normalize = sitenames.unicodedata.normalize

    def counting(form: str, text: str) -> str:
        calls.append(text)
        return normalize(form, text)

    monkeypatch.setattr(sitenames.unicodedata, "normalize", counting)
    text = "Ein Text, der nur hier vorkommt: 7f3a"
    assert sitenames.key(text) == sitenames.key(text) == "eintextdernurhiervorkommt7f3a"
    assert calls == [text]
    long_text = "x" * 5000  # long texts are folded again rather than kept
    sitenames.key(long_text), sitenames.key(long_text)
    assert calls.count(long_text) == 2


def test_the_display_heading_search_stops_at_a_microdata_headline(monkeypatch) -> None:
    # Nothing is surer than itemprop="headline": the elements after it are not ranked.
    ranked = []
    tier = headline._display_tier
    monkeypatch.setattr(headline, "_display_tier", lambda el: ranked.append(el) or tier(el))
    teasers = "".join(f"<h2>Teaser number {i} of the page</h2>" for i in range(300))
    html = page(
        og(VISIBLE),
        BREADCRUMB,
        f'<h2 itemprop="headline">{VISIBLE}</h2>{teasers}',
    )
    assert headline._display_heading(load_document(html, URL)) == VISIBLE
    assert len(ranked) < 20


def test_a_heading_of_punctuation_alone_does_not_break_the_vote() -> None:
    # "<h1>—</h1>" and a title ending in "—": the dash has no comparison key.
    title = "Council approves budget after all-night session —"
    assert bare(f"<title>{title}</title>" + og(title), "<h1>—</h1>") == title
