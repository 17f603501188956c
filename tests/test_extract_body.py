"""Body, lede, sections and cleaned HTML on small pages written for these tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.etree
import pytest

from newsarchive.extraction.body import extract_body
from newsarchive.extraction.document import load_document

SPUTNIK = (
    Path(__file__).parent.parent
    / "fixtures/site/20240526"
    / "viral-video-shows-idf-soldier-calling-for-military-coup-1118659541.html"
)
PARA = "This is a real paragraph of the article with enough words to count as body text, {}."


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


# Four body paragraphs: the article text most lede and chrome tests put around their case.
FOUR = "".join(f"<p>{PARA.format(i)}</p>" for i in range(4))
FOUR_TEXTS = [PARA.format(i) for i in range(4)]
# Eight more, for tests of chrome between paragraphs: a chrome wrapper holding a fair
# share of a short page's text is released as content, so the page needs its length.
EIGHT_MORE_TEXTS = [PARA.format(i) for i in range(4, 12)]
EIGHT_MORE = "".join(f"<p>{text}</p>" for text in EIGHT_MORE_TEXTS)


def body_of(html: str, headline: str | None = None) -> Any:
    """extract_body() of ``html`` with the headline the engine would pass."""
    return extract_body(load_document(html), {"headline": headline} if headline else {})


def article_page() -> str:
    paragraphs = "".join(f"<p>{PARA.format(i)}</p>" for i in range(6))
    return page(
        "<nav><ul><li><a href='/a'>Home</a></li><li><a href='/b'>World news</a></li></ul></nav>"
        "<div class='layout'><article><h1>Big Headline</h1>"
        "<p class='article-lead'>The standfirst says what happened and why it matters today.</p>"
        f"<div class='article-body'>{paragraphs}"
        "<figure><img src='/x.jpg' alt='alt text'><figcaption>A caption. Photo: Reuters"
        "</figcaption></figure>"
        "<h2>What comes next</h2><p>After the subheading, the story goes on for a while.</p>"
        "<div class='share-tools'><a href='/s'>Share on X</a> Share this article</div>"
        "<div class='related-articles'><a href='/r1'>Another long story headline here</a></div>"
        "<p style='display:none'>Hidden template string</p>"
        "</div></article>"
        "<aside class='sidebar'><p>Most read: something else entirely different, long text.</p>"
        "</aside></div><footer><p>Copyright 2024 The Publisher. All rights reserved.</p></footer>"
    )


def test_generic_body_lede_and_sections():
    doc = load_document(article_page(), "https://example.test/story")
    result = extract_body(doc, {"headline": "Big Headline", "description": None, "rule": None})
    assert result.lede == "The standfirst says what happened and why it matters today."
    assert result.paragraphs[0] == PARA.format(0)
    assert "What comes next" in result.paragraphs
    assert result.paragraphs[-1] == "After the subheading, the story goes on for a while."
    text = "\n".join(result.paragraphs)
    for chrome in ("Share", "Hidden template", "Most read", "Copyright", "A caption", "Home"):
        assert chrome not in text
    assert [s["headline"] for s in result.sections] == [None, "What comes next"]
    assert result.sections[1]["paragraphs"] == [
        "After the subheading, the story goes on for a while."
    ]


def test_cleaned_html_keeps_structure_only():
    doc = load_document(article_page(), "https://example.test/story")
    html = extract_body(doc, {}).html
    assert html is not None
    assert "<h2>What comes next</h2>" in html
    assert "class=" not in html and "style=" not in html and "<script" not in html
    assert '<figure><img src="https://example.test/x.jpg"' in html
    assert "Share this article" not in html


def test_lede_from_meta_description_and_first_paragraph_fallback():
    body = (
        "<div class='content'>" + "".join(f"<p>{PARA.format(i)}</p>" for i in range(4)) + "</div>"
    )
    described = page(body, f"<meta name='description' content='{PARA.format(0)}'>")
    result = extract_body(load_document(described), {})
    assert result.lede == PARA.format(0)
    assert PARA.format(0) not in result.paragraphs
    plain = extract_body(load_document(page(body)), {})
    assert plain.lede == PARA.format(0)
    assert plain.paragraphs == [PARA.format(i) for i in range(1, 4)]


@pytest.mark.parametrize("tag", ["h2", "p"])
def test_a_classed_standfirst_beats_a_first_paragraph_the_description_repeats(tag: str) -> None:
    standfirst = "The mayor and her deputy nearly doubled the budget for the harbour works"
    html = page(
        f"<article><h1>Harbour budget doubles</h1><{tag} class='article-excerpt'>{standfirst}"
        f"</{tag}><div class='content'>{FOUR}</div></article>",
        f"<meta name='description' content='{PARA.format(0)}'>",
    )
    result = body_of(html, "Harbour budget doubles")
    assert result.lede == standfirst
    assert result.paragraphs == FOUR_TEXTS


STANDFIRST = (
    "Again and again we hear that the city is the region's biggest port. "
    "But how big is the trade really? And what say does the council have?"
)
REWORDED = (
    "Again we hear the city is the biggest port of the region. "
    "How big is the trade? And what say does the mayor have?"
)


def test_a_standfirst_above_the_body_matches_a_reworded_description() -> None:
    html = page(
        f"<header><h1>Port trade</h1><div class='byline'>By Jane Roe</div><p>{STANDFIRST}</p>"
        f"</header><article>{FOUR}</article>",
        f"<meta name='description' content=\"{REWORDED}\">",
    )
    result = body_of(html, "Port trade")
    assert result.lede == STANDFIRST
    assert result.paragraphs == FOUR_TEXTS


@pytest.mark.parametrize(
    "wrapper",
    [
        "<figure><img src='/p.jpg'><figcaption>{}</figcaption></figure>",
        "<div class='caption'>{}</div>",
    ],
)
def test_a_caption_above_the_body_resembling_the_description_is_no_standfirst(wrapper: str) -> None:
    caption = "Again and again the city is called the biggest port of the region, the mayor says"
    html = page(
        f"<header><h1>Port trade</h1>{wrapper.format(caption)}</header><article>{FOUR}</article>",
        f"<meta name='description' content=\"{REWORDED}\">",
    )
    assert body_of(html, "Port trade").lede == PARA.format(0)


def test_a_heading_sharing_the_description_words_is_no_standfirst() -> None:
    heading = "The city is the biggest port of the region and the trade grows"
    html = page(
        f"<header><h1>Port trade</h1><h2>{heading}</h2></header><article>{FOUR}</article>",
        f"<meta name='description' content=\"{REWORDED} The trade grows.\">",
    )
    result = body_of(html, "Port trade")
    assert result.lede == PARA.format(0)


def test_a_standfirst_of_several_marked_paragraphs_after_a_subheading() -> None:
    lead = ["Hanna went missing on Tuesday.", "The police have opened a special inquiry."]
    marked = "".join(f"<p data-test-tag='lead-text'>{text}</p>" for text in lead)
    html = page(
        f"<article><h1>Hanna missing</h1><div class='content'><h2>Police ask for tips</h2>"
        f"{marked}{FOUR}</div></article>"
    )
    result = body_of(html, "Hanna missing")
    assert result.lede == "\n".join(lead)
    assert result.paragraphs == ["Police ask for tips", *FOUR_TEXTS]


def test_a_wrapper_class_naming_an_intro_marks_one_lede_paragraph_not_the_whole_text() -> None:
    html = page(
        f"<article><h1>Hanna missing</h1><div class='story-intro-body'>{FOUR}</div></article>"
    )
    result = body_of(html, "Hanna missing")
    assert result.lede == PARA.format(0)
    assert result.paragraphs == FOUR_TEXTS[1:]


def test_a_body_paragraph_the_description_repeats_beats_a_marked_one_past_a_heading() -> None:
    html = page(
        "<article><h1>Hanna missing</h1><div class='content'><h2>Read on now!</h2>"
        "<p class='paywall__description'>For 0.99 euros you can buy this article today.</p>"
        f"{FOUR}</div></article>",
        f"<meta name='description' content='{PARA.format(0)}'>",
    )
    result = body_of(html, "Hanna missing")
    assert result.lede == PARA.format(0)


@pytest.mark.parametrize(
    "prompt",
    [
        "To participate in the discussion log in or register",
        "Follow Harbour-Herald.example on Twitter and Facebook for the latest news updates.",
        "Got a story? Get in touch with our news team by email.",
        "This site is protected by reCAPTCHA and the Google Privacy Policy and Terms apply.",
        "Zum Kommentieren anmelden",
        "Never miss a story from the Harbour Herald: sign up to our morning briefing.",
        "For the latest stories and updates download the Harbour Herald app.",
        "Stay up-to-date with the harbour: our weekly letter.",
        "If you enjoyed reading this post, please consider supporting us.",
        "Abonnez-vous pour lire la suite de nos enquêtes.",
        "Hazte miembro y disfruta de beneficios exclusivos.",
        "To view the full story, please subscribe to the Harbour Herald.",
        "If you’re already a subscriber, please log in to read on.",
        "Sie sind bereits Abonnent? Hier anmelden.",
        "Déjà abonné ? Connectez-vous pour lire la suite.",
        "Zapraszamy też do subskrypcji naszego tygodnika w wersji cyfrowej.",
        "Do you want to be informed of the harbour council's next steps? Sign up here.",
    ],
)
def test_reader_prompts_under_the_article_are_not_body(prompt: str) -> None:
    html = page(f"<article><div class='content'>{FOUR}<p>{prompt}</p></div></article>")
    result = body_of(html)
    assert prompt not in result.paragraphs
    assert result.paragraphs[-1] == PARA.format(3)


@pytest.mark.parametrize(
    "stamp",
    [
        "Stand: 22.04.2024, 06:00 Uhr",
        "Publié le 30/04/2024 - 16:00",
        "Updated: 2024-04-30 10:00",
        "Sendung: Antenne Brandenburg, 24.04.2024, 15:10 Uhr",
        "Dieses Thema im Programm: MDR THÜRINGEN - Das Radio | Nachrichten | 28. April 2023",
        "Publiziert: 14.05.2024, 09:12",
    ],
)
def test_publication_and_update_stamps_are_not_body(stamp: str) -> None:
    html = page(f"<article><div class='content'>{FOUR}<p>{stamp}</p>{FOUR}</div></article>")
    assert body_of(html).paragraphs == FOUR_TEXTS[1:] + FOUR_TEXTS


def test_a_short_sentence_opening_with_a_stamp_word_stays() -> None:
    line = "Published in 1999, the report was forgotten."
    html = page(f"<article><div class='content'>{FOUR}<p>{line}</p></div></article>")
    assert body_of(html).paragraphs[-1] == line


def test_screen_reader_only_labels_are_not_body_text() -> None:
    html = page(
        "<article><div class='content'><h2 class='visually-hidden'>Article text</h2>"
        f"<p>{PARA.format(0)}</p><div class='box'><span class='expand'><span class='h-offscreen'>"
        "Box aufklappen</span><span class='sr-only'>Box zuklappen</span></span>"
        f"<p>{PARA.format(1)}</p></div><p>{PARA.format(2)}<span class='screen-reader-text'>"
        f" (opens in a new window)</span></p><p>{PARA.format(3)}</p></div></article>"
    )
    assert body_of(html).paragraphs == FOUR_TEXTS[1:]


def test_an_inline_caption_after_an_image_is_not_body_text() -> None:
    figure = (
        "<div class='image'><p><img src='/p.jpg'></p><span class='newsCaption'>The harbour"
        " at dawn, the day the ferries stopped <span class='caption'>(Image: Getty)</span>"
        "</span></div>"
    )
    html = page(f"<article><div class='text'>{FOUR}{figure}{FOUR}</div></article>")
    assert body_of(html).paragraphs == FOUR_TEXTS[1:] + FOUR_TEXTS


def test_a_paragraph_opening_with_a_chrome_classed_link_stays() -> None:
    line = (
        "<p><a class='tag' href='/berlin'>Berlin</a> - The senate voted on Friday to close it.</p>"
    )
    html = page(f"<article><div class='text'>{FOUR}{line}</div></article>")
    assert body_of(html).paragraphs[-1] == "Berlin - The senate voted on Friday to close it."


def test_an_indented_link_line_counts_as_a_link_not_as_prose() -> None:
    teaser = (
        "<p>\n      <a href='/other'>Another story of the site, told in a title</a>" + " " * 200
    )
    html = page(f"<article><div class='text'>{FOUR}{teaser}\n    </p></div></article>")
    assert body_of(html).paragraphs == FOUR_TEXTS[1:]


def test_camel_case_class_names_are_read_as_words() -> None:
    banner = (
        "<div class='paidBannerContainer_pw0kmle'><div>Members only: sign up to read the"
        " whole of this story and all the others on the site today</div></div>"
    )
    html = page(
        f"<main><div class='mainContent'><div class='storyText'>{FOUR}</div>{banner}</div></main>"
    )
    assert body_of(html).paragraphs == FOUR_TEXTS[1:]


def test_embeds_and_their_consent_placeholders_are_not_body_text() -> None:
    embeds = (
        "<div class='embed-twitter'><blockquote>It is still early in the season, says the"
        " boss of the team. pic.twitter.com/x</blockquote></div>"
        "<div class='box do-display-embed'><div class='info-box'><p>At this point you find"
        " external content from YouTube that adds to the article.</p><p>I agree that content"
        " from YouTube is shown to me.</p></div></div>"
    )
    html = page(f"<article><div class='text'>{FOUR}{embeds}{EIGHT_MORE}</div></article>")
    assert body_of(html).paragraphs == FOUR_TEXTS[1:] + EIGHT_MORE_TEXTS


def test_an_image_info_block_is_not_body_text() -> None:
    info = (
        "<div class='teaserImage'><img src='/p.jpg'></div><div class='mediaInfo'>"
        "<span class='mediaSubtitle'>Workers cut up the carcasses in the hall by hand.</span>"
        "<span class='mediaRights'>Bildrechte: MDR/Jane Roe</span></div>"
    )
    html = page(f"<article><div class='text'>{FOUR}{info}{EIGHT_MORE}</div></article>")
    assert body_of(html).paragraphs == FOUR_TEXTS[1:] + EIGHT_MORE_TEXTS


def test_the_wire_staff_line_is_not_body_text() -> None:
    staff = (
        "Reporting by Jane Roe in Beirut, John Doe in The Hague and Ann Lee in London;"
        " Writing by Ann Lee; Editing by Tom Miller and Sam Poe"
    )
    html = page(f"<article><div class='text'>{FOUR}<p>{staff}</p></div></article>")
    assert body_of(html).paragraphs == FOUR_TEXTS[1:]


def test_a_sentence_that_starts_like_a_prompt_stays() -> None:
    line = "Follow the money on Twitter, the senator told reporters on Friday."
    html = page(f"<article><div class='content'>{FOUR}<p>{line}</p></div></article>")
    assert body_of(html).paragraphs[-1] == line


def test_a_subheading_above_the_body_is_no_standfirst() -> None:
    html = page(
        "<article><h1>Harbour budget doubles</h1>"
        "<h3 class='summary'>What the council decided on the harbour works this week</h3>"
        f"<div class='content'>{FOUR}</div></article>"
    )
    result = body_of(html, "Harbour budget doubles")
    assert result.lede == PARA.format(0)


@pytest.mark.parametrize("opening", ["AFP, MANILA", "AUBURN, Wash. —", "Jane Roe"])
def test_a_dateline_or_credit_opening_the_text_is_neither_lede_nor_body(opening: str) -> None:
    paragraphs = "".join(f"<p>{PARA.format(i)}</p>" for i in range(4))
    html = page(f"<div class='content'><p>{opening}</p>{paragraphs}</div>")
    result = extract_body(load_document(html), {})
    assert result.lede == PARA.format(0)
    assert result.paragraphs == [PARA.format(i) for i in range(1, 4)]


def test_a_short_first_sentence_is_still_the_lede():
    paragraphs = "".join(f"<p>{PARA.format(i)}</p>" for i in range(4))
    first = "Hanna went missing on Tuesday."
    html = page(f"<div class='content'><p>{first}</p>{paragraphs}</div>")
    result = extract_body(load_document(html), {})
    assert result.lede == first


TEASERS = "".join(
    f"<p>Teaser {i}: another story of the site, told in a sentence long enough to count.</p>"
    for i in range(4)
)


@pytest.mark.parametrize(
    "heading",
    [
        "More Harbour Herald",
        "Most read",
        "Read next",
        "Mehr Kolumnen auf Harbour Herald:",
        "More columns from Harbour Herald",
        "Auch auf Harbour Herald",
    ],
)
def test_a_closing_heading_ends_the_article(heading: str) -> None:
    story = "".join(f"<p>{PARA.format(i)}</p>" for i in range(8))
    html = page(
        f"<div class='content'>{story}<h2>{heading}</h2>{TEASERS}</div>",
        "<meta property='og:site_name' content='Harbour Herald'>",
    )
    result = extract_body(load_document(html, "https://www.harbourherald.test/a/story"), {})
    assert result.paragraphs[-1] == PARA.format(7)
    assert "Teaser" not in (result.html or "")


def test_a_subheading_that_only_sounds_like_one_keeps_what_follows() -> None:
    # "More ..." that is not the site's name, and a closing heading above most of the text
    # (a list of "Most read" links opening a page), are the article's own.
    story = "".join(f"<p>{PARA.format(i)}</p>" for i in range(6))
    late = page(f"<div class='content'>{story}<h2>More trouble ahead</h2>{TEASERS}</div>")
    result = extract_body(load_document(late, "https://www.harbourherald.test/a/story"), {})
    assert result.paragraphs[-1].startswith("Teaser 3")
    early = page(f"<div class='content'><p>{PARA.format(0)}</p><h2>Read next</h2>{story}</div>")
    result = extract_body(load_document(early, "https://www.harbourherald.test/a/story"), {})
    assert result.paragraphs[-1] == PARA.format(5)


def test_chrome_class_wrapper_holding_the_article_is_kept():
    body = (
        "<div class='sidebar-layout'><div class='story'>"
        + "".join(f"<p>{PARA.format(i)}</p>" for i in range(5))
        + "</div></div><div class='related'><p>Short teaser text that is related.</p></div>"
    )
    result = extract_body(load_document(page(body)), {})
    assert len(result.paragraphs) == 4
    assert "teaser" not in " ".join(result.paragraphs)


def test_json_ld_article_body_picks_the_container():
    real = [f"Real sentence number {i} of the reported story, told at length." for i in range(4)]
    fake = [f"Comment number {i} from a reader who writes quite long comments." for i in range(6)]
    ld = json.dumps({"@type": "NewsArticle", "articleBody": " ".join(real * 3)})
    body = (
        "<div id='story'>" + "".join(f"<p>{t}</p>" for t in real) + "</div>"
        "<div id='reader-forum'>" + "".join(f"<p>{t}</p>" for t in fake) + "</div>"
    )
    result = extract_body(
        load_document(page(body, f"<script type='application/ld+json'>{ld}</script>")), {}
    )
    assert [result.lede, *result.paragraphs] == real


def test_empty_and_textless_pages_give_empty_result():
    result = extract_body(load_document(page("<div><a href='/'>Home</a></div>")), {})
    assert result.paragraphs == [] and result.node is None


def test_very_deep_dom_does_not_crash():
    # Built node by node: the HTML parser itself caps nesting, our walks must not need to.
    doc = load_document(page("<div id='top'></div>"))
    node = doc.root.get_element_by_id("top")
    for _ in range(10_000):
        node = lxml.etree.SubElement(node, "div")
    for i in range(3):
        lxml.etree.SubElement(node, "p").text = PARA.format(i)
    result = extract_body(doc, {})
    assert [result.lede, *result.paragraphs] == [PARA.format(i) for i in range(3)]
    assert result.html is not None and result.html.count("<p>") == len(result.paragraphs) == 2


@pytest.mark.skipif(not SPUTNIK.exists(), reason="demo site fixture not present")
def test_sputnik_fixture_body_free_of_chrome():
    html = SPUTNIK.read_text(encoding="utf-8").replace("{{BASE}}", "https://sputnikglobe.com")
    doc = load_document(html, "https://sputnikglobe.com/20240526/viral-video.html")
    result = extract_body(doc, {"headline": None, "description": None, "rule": None})
    assert result.lede == (
        "The viral clip is evidence that many Israeli reservists reject international calls "
        "for Palestinian control over Gaza and the West Bank."
    )
    assert result.paragraphs[0].startswith("A viral video appearing to show an Israeli soldier")
    assert result.paragraphs[-1].startswith("Recent polling suggests younger Israelis")
    text = "\n".join(result.paragraphs)
    for chrome in (
        "To participate in the discussion",
        "log in or register",
        "Заголовок открываемого материала",
        "Sputnik International, 1920",
        "Benjamin Netanyahu’s Son Yair to UK Diplomats",
        "© AP Photo",
        "Share on",
    ):
        assert chrome not in text
    assert "“Change the record" in text  # the pull quote is article text
    html = result.html or ""
    # div-based text blocks become <p>; the pull quote is a <blockquote>
    assert html.count("<p>") + html.count("<blockquote>") == len(result.paragraphs)
    assert "Sputnik International, 1920" not in html and "Share on" not in html


def test_pages_without_body_or_text_and_huge_pages():
    no_body = load_document("<title>x</title><p>" + PARA.format(7) + "</p>")
    assert PARA.format(7) in [extract_body(no_body, {}).lede]
    empty = extract_body(load_document("<html><body></body></html>"), {})
    assert empty.lede is None and empty.paragraphs == [] and empty.html is None
    # About 5 MB of article text: one pass, no quadratic step.
    big = page(
        "<article>" + "".join(f"<p>{PARA.format(i)}</p>" for i in range(55_000)) + "</article>"
    )
    assert len(big) > 5_000_000
    result = extract_body(load_document(big), {})
    assert len(result.paragraphs) == 55_000 - 1


def test_hidden_paywalled_text_is_kept_but_hidden_template_strings_are_not():
    teaser = PARA.format("open")
    locked = [PARA.format(i) for i in range(6)]
    html = page(
        f"<article><p>{teaser}</p><div class='locked' hidden>"
        + "".join(f"<p>{t}</p>" for t in locked)
        + "</div><div style='display: none'><p>Headline of the material being opened</p></div>"
        "</article>"
    )
    result = extract_body(load_document(html), {})
    assert [result.lede, *result.paragraphs] == [teaser, *locked]


def test_article_cut_into_same_class_widgets_and_repeated_placeholders():
    widgets = "".join(
        f"<div class='article-widget article-widget-text'><p>{PARA.format(i)}</p></div>"
        "<div class='embed'><p>External content not available.</p></div>"
        for i in range(4)
    )
    result = extract_body(load_document(page(f"<div class='article-widgets'>{widgets}</div>")), {})
    assert [result.lede, *result.paragraphs] == [PARA.format(i) for i in range(4)]


def test_json_ld_article_body_when_the_markup_shows_almost_nothing():
    text = [f"Sentence group {i} of a page that only JavaScript would render." for i in range(8)]
    ld = json.dumps({"@type": "NewsArticle", "articleBody": "\n".join(text)})
    html = page(
        "<div id='app'><p>Loading the article now...</p></div>",
        f"<script type='application/ld+json'>{ld}</script>",
    )
    result = extract_body(load_document(html), {})
    assert [result.lede, *result.paragraphs] == text


def test_standfirst_of_several_lines_stops_at_the_byline():
    html = page(
        "<article><header><h1>Big Headline</h1><div class='standfirst'>"
        "<p>The first line of the standfirst says what happened.</p>"
        "<p>The second line of the standfirst adds why it matters.</p>"
        "<p>By Jane Roe, 5 March 2024</p></div></header>"
        + "".join(f"<p>{PARA.format(i)}</p>" for i in range(4))
        + "</article>"
    )
    result = extract_body(load_document(html), {"headline": "Big Headline"})
    assert result.lede == (
        "The first line of the standfirst says what happened.\n"
        "The second line of the standfirst adds why it matters."
    )
    assert result.paragraphs == [PARA.format(i) for i in range(4)]


# Pages where everything, or the article, sits in a wrapper read as chrome or as the
# page header: a body must still come out (trafilatura-eval, issue 15).
SIX = [PARA.format(i) for i in range(6)]


def _texts(result: Any) -> list[str]:
    return [t for t in (result.lede, *result.paragraphs) if t]


def test_a_header_wrapping_the_whole_page_holds_the_article() -> None:
    # A template that never closes its <header>: the article ends up inside it.
    html = page(
        "<header><div class='brand'><a href='/'>Harbour Herald</a></div>"
        "<div class='content'><h1>Port trade</h1>"
        + "".join(f"<p>{t}</p>" for t in SIX)
        + "</div></header>"
    )
    assert _texts(body_of(html)) == SIX


def test_a_real_header_still_gives_no_body_text() -> None:
    html = page(
        f"<header><h1>Port trade</h1><p>{PARA.format('header')}</p></header>"
        f"<article>{FOUR}</article>"
    )
    assert PARA.format("header") not in _texts(body_of(html))


def test_an_ascii_blob_without_spaces_is_no_prose() -> None:
    blob = "PGRpdiBjbGFzcz0ic3AtZHNndm8gc3AtZHNndm8tZW1iZWRkaW5n" * 40  # base64, no spaces
    html = page(
        f"<div class='data'><div>{blob}</div></div><div class='story'>"
        + "".join(f"<p>{t}</p>" for t in SIX)
        + "</div>"
    )
    result = body_of(html)
    assert _texts(result) == SIX
    assert result.node.get("class") == "story"  # not the page around the blob and story


def test_prose_without_spaces_in_cjk_still_counts() -> None:
    sentence = (
        "子どもへの虐待をなくすための法律ができて、親が子どもを教育するために禁止することになりました。"
        * 3
    )
    html = page(f"<div class='nav-links'><a href='/a'>Home</a></div><div><p>{sentence}</p></div>")
    assert _texts(body_of(html)) == [sentence]


def test_blocks_numbered_by_a_page_builder_count_as_one_group() -> None:
    # Each text block is a "widget" with its own serial class; together they are the
    # article, and a short intro outside them is not the whole story.
    blocks = "".join(
        f"<div class='builder-widget builder-widget-{i}f3a9c2{i}'><p>{t}</p></div>"
        for i, t in enumerate(SIX)
    )
    intro = "A short line of plain text that is not in any widget at all here."
    html = page(f"<div class='page'><p>{intro}</p>{blocks}</div>")
    assert _texts(body_of(html))[-6:] == SIX


def test_when_chrome_holds_all_text_the_largest_groups_are_released() -> None:
    # Three different "widget" kinds, none holding half the page: an article among
    # chrome is better than no article.
    kinds = ("text-widget", "quote-widget", "list-widget")
    blocks = "".join(f"<div class='{kinds[i % 3]}'><p>{t}</p></div>" for i, t in enumerate(SIX))
    html = page(f"<div class='page'>{blocks}</div>")
    assert _texts(body_of(html)) == SIX


def test_consent_dialog_text_does_not_count_against_the_article() -> None:
    legal = " ".join(
        f"Purpose {i}: statistics and analysis of the website's use." for i in range(60)
    )
    intro = "A short line of plain text that is not in any widget at all here, longer."
    html = page(
        f"<div class='privacy-overlay'><p>{legal}</p></div><p>{intro}</p>"
        "<div class='widget-area'>" + "".join(f"<p>{t}</p>" for t in SIX) + "</div>"
    )
    assert _texts(body_of(html))[-6:] == SIX


def test_a_gdpr_dialog_in_other_languages_is_never_the_article() -> None:
    legal = " ".join(f"Zweck {i}: statistische Auswertung unserer Website." for i in range(60))
    html = page(f"<div class='dsgvo-popup'><p>{legal}</p></div><div class='story'>{FOUR}</div>")
    assert _texts(body_of(html)) == FOUR_TEXTS


def test_a_blog_entry_marked_hentry_is_content_despite_its_tag_classes() -> None:
    # "tag-sailing" reads as a tag list; "hentry" (microformats) marks the entry. Comments
    # and related posts, chrome, hold more text together than the entry.
    comments = "".join(
        f"<div class='comment'><p>Reader {i} writes a long comment about the post.</p></div>"
        for i in range(4)
    )
    related = "".join(
        f"<li class='related-post'><p>Another post {i} of this blog, with its excerpt.</p></li>"
        for i in range(4)
    )
    html = page(
        "<div class='post hentry tag-sailing tag-berlin'>"
        + "".join(f"<p>{t}</p>" for t in SIX[:4])
        + f"</div><div class='comments-area'>{comments}</div>"
        f"<ul class='related-posts'>{related}</ul>"
    )
    assert _texts(body_of(html)) == SIX[:4]


@pytest.mark.parametrize(
    "closing",
    [
        "<h3>Weitere Meldungen</h3>",
        "<h2>Ähnliche Beiträge</h2>",
        "<h3>Articles similaires</h3>",
        "<h2>Noticias relacionadas</h2>",
        "<h3>Leave a Reply</h3>",
        "<h3>12 Comments</h3>",
        "<div class='title'>Das könnte Sie auch interessieren</div>",
        "<h3>NOTAS RELACIONADAS</h3>",
        "<h2>Schon gelesen?</h2>",
        "<h3>Zur Person</h3>",
        "<h2>About the author</h2>",
        "<h4>Über die Autorin</h4>",
        "<h3>À propos de l’auteur</h3>",
        "<h3>Weitere Informationen zum Hafen:</h3>",
        "<h4>Zusatzinformationen:</h4>",
        "<h2>Quellenangaben:</h2>",
        "<div class='title'>Zum Weiterlesen:</div>",
        "<h3>Kontakt:</h3>",
        "<strong>Więcej informacji:</strong>",
        "<h2>Further reading</h2>",
        "<h3>関連ニュース</h3>",
        "<h2>相关阅读</h2>",
        "<h3>[관련기사]</h3>",
        "<h3>Похожие статьи</h3>",
        "<h3>Přečtěte si také</h3>",
        # A paragraph that is nothing but the label closes the article as a heading does.
        "<p>【関連記事】</p>",
        "<p>Zum Weiterlesen:</p>",
        "<p><strong>Schon gelesen?</strong></p>",
        "<p>Zobacz też</p>",
        "<h3>Artikel und Videos zum Thema</h3>",
        "<h4>Audios et vidéos sur le sujet</h4>",
    ],
)
def test_closing_headings_in_many_languages_end_the_article(closing: str) -> None:
    texts = [PARA.format(i) for i in range(8)]
    story = "".join(f"<p>{t}</p>" for t in texts)
    html = page(f"<div class='content'>{story}{closing}{TEASERS}</div>")
    assert _texts(body_of(html)) == texts


@pytest.mark.parametrize(
    "line", ["<p>Comments on the plan came from all sides.</p>", "<div>Kategorien:</div>"]
)
def test_a_closing_word_in_a_sentence_or_line_label_is_no_closing_heading(line: str) -> None:
    story = "".join(f"<p>{t}</p>" for t in SIX)
    html = page(f"<div class='content'>{story}{line}{TEASERS}</div>")
    assert _texts(body_of(html))[-1].startswith("Teaser 3")


def test_ruby_readings_without_parentheses_do_not_run_into_the_text() -> None:
    sentence = (
        "<ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rt>ぎゃくたい</rt></ruby>"
        "をなくすための法律ができました。"
    )
    html = page(f"<div class='story'><p>{sentence * 3}</p></div>")
    assert _texts(body_of(html)) == ["子どもへの虐待をなくすための法律ができました。" * 3]


def test_ruby_readings_the_page_puts_in_parentheses_stay() -> None:
    sentence = (
        "韓国の<ruby>尹錫悦<rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>"
        "大統領は談話を出した。"
    )
    html = page(f"<div class='story'><p>{sentence * 3}</p></div>")
    assert _texts(body_of(html)) == ["韓国の尹錫悦（ユンソンニョル）大統領は談話を出した。" * 3]


def test_a_subheading_in_a_block_of_its_own_stays_in_the_body() -> None:
    # Page builders wrap each element: <div class="headline-block"><div><h4>.
    first, rest = SIX[:3], SIX[3:]
    html = page(
        "<div class='story'>"
        + "".join(f"<div class='text-block'><p>{t}</p></div>" for t in first)
        + "<div class='headline-block'><div><h4>What the family inherits</h4></div></div>"
        + "".join(f"<div class='text-block'><p>{t}</p></div>" for t in rest)
        + "<div class='tools'><div><h4>Print this page</h4></div></div></div>"
    )
    result = body_of(html)
    assert _texts(result) == [*first, "What the family inherits", *rest]
    assert result.sections[1]["headline"] == "What the family inherits"


def test_posts_inside_per_post_headers_of_one_class_are_the_text() -> None:
    # A forum template whose per-post <header> swallows the post: no single header holds
    # half the page, the headers of that class together do.
    posts = "".join(
        f"<article class='message'><header class='message-attribution'><a href='/u{i}'>user{i}"
        f"</a><div class='message-content'><p>{t}</p></div></header></article>"
        for i, t in enumerate(SIX[:4])
    )
    html = page(
        "<header class='site-header'><a href='/'>Forum</a></header>"
        f"<div class='thread'>{posts}</div>"
    )
    assert _texts(body_of(html)) == SIX[:4]


def test_text_directly_in_an_articles_footer_is_not_body() -> None:
    # A blog post's <footer> holds its post metadata as bare text (no <p> of its own):
    # the footer is a block of its own, so that text does not join the article's text.
    meta = "This entry was filed under Travel and tagged harbour, boats by Jo Roe."
    html = page(
        f"<article><p>{FOUR_TEXTS[0]}</p><div class='entry-content'>"
        + "".join(f"<p>{text}</p>" for text in FOUR_TEXTS[1:])
        + f"</div><footer>{meta}</footer></article>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS


def test_a_short_posts_author_box_is_not_released_into_the_body() -> None:
    # The author's note holds a fair share of a short post's text, yet is no article text.
    bio = (
        "Jo Roe writes about harbours, boats and the people who live by the sea; she has "
        "sailed the coast for twenty years and runs a small museum of old maps."
    )
    html = page(
        "<article><div class='entry-content'>"
        f"<p>{PARA.format(0)}</p><p>{PARA.format(1)}</p>"
        f"<div class='about-author'><h2>About Jo Roe</h2><p>{bio}</p></div>"
        "</div></article>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS[:2]


def test_a_page_its_script_fills_in_gives_the_text_of_its_noscript_copy() -> None:
    # Only a loading note shows without scripts; the <noscript> copy holds the article.
    html = page(
        "<div id='app'><p>Loading…</p></div>"
        f"<noscript><div class='fallback'><h1>Title</h1>{FOUR}</div></noscript>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS


def test_a_noscript_note_beside_a_shown_article_stays_out() -> None:
    note = "Please enable JavaScript to view the comments powered by a service. " * 3
    html = page(f"<article>{FOUR}</article><noscript><p>{note}</p></noscript>")
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS


def test_a_line_linking_the_sites_categories_and_tags_is_post_metadata() -> None:
    # "rel=tag" marks taxonomy links in any language; the line around them is metadata.
    meta = (
        "Dieser Eintrag erschien am Montag und wurde unter "
        "<a href='/c/reisen' rel='category tag'>Reisen</a> und "
        "<a href='/t/hafen' rel='tag'>Hafen</a> abgelegt. Du kannst die Antworten "
        "zu diesem Eintrag über den Feed verfolgen."
    )
    html = page(f"<article><div class='entry'>{FOUR}<p class='small'>{meta}</p></div></article>")
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS


def test_a_paragraph_with_an_ordinary_link_stays() -> None:
    line = "Dieser Eintrag erschien am Montag, <a href='/x'>hier</a> mit mehr Wörtern im Satz."
    html = page(f"<article><div class='entry'>{FOUR}<p>{line}</p></div></article>")
    assert body_of(html).paragraphs[-1].startswith("Dieser Eintrag erschien")


@pytest.mark.parametrize(
    "cls", ["image-description", "imageDescription", "img-desc", "photo_description"]
)
def test_an_image_description_block_is_a_caption_not_body(cls: str) -> None:
    caption = "The old pier at dawn, seen from the harbour office across the water. AFP / Jane Roe"
    html = page(
        f"<article><div class='entry'>{FOUR}<div><img src='/p.jpg'>"
        f"<p class='{cls}'>{caption}</p></div>{EIGHT_MORE}</div></article>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS + EIGHT_MORE_TEXTS


def test_a_related_posts_list_inside_the_article_stays_out_however_long() -> None:
    # A plugin's related posts with long excerpts inside the entry: a chrome wrapper
    # holding a fair share of the container's text is released only when its name does
    # not say it holds other content.
    excerpt = "An earlier post of this blog about the harbour, with a long excerpt of it. " * 4
    related = "".join(f"<li>{excerpt}{i}</li>" for i in range(3))
    html = page(
        f"<article><div class='entry'>{FOUR}{EIGHT_MORE}"
        f"<ul class='related_post wp_rp'>{related}</ul></div></article>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS + EIGHT_MORE_TEXTS


def test_a_line_ending_in_a_copyright_credit_is_a_caption() -> None:
    # A caption the template set as a paragraph, credit last; a sentence mentioning the
    # sign ends with its own period and stays.
    caption = "Der Schulleiter empfing am Montag nur 14 von 75 Kindern © VS Hafenstadt"
    sentence = "Das Zeichen © steht seit 1990 auf jedem Plakat der Hafenbehörde der Stadt."
    html = page(
        f"<article><div class='entry'>{FOUR}<p>{caption}</p><p>{sentence}</p></div></article>"
    )
    assert body_of(html).paragraphs[-2:] == [PARA.format(3), sentence]


@pytest.mark.parametrize(
    "line",
    [
        "Die Fähre legt am Morgen an der alten Mole an (Foto: Jane Roe/dpa)",
        "Birgit Roe (Bild: Facebook)",
        "(Credit: Jane Roe / Harbour Herald)",
        "(Quelle: APA/dpa)",
        "Torschütze Jane Roe erzielte das 2:0 für die Gäste. Foto: City-Press",
        "Love thine enemy. Photo: Jane Roe/AFP via Getty Images",
        "Beitragsbild: Jane Roe",
        "Photo Credit: Harbour Pictures",
        "Bildquelle: Jane Roe",
    ],
)
def test_a_line_ending_in_a_bracketed_image_credit_is_a_caption(line: str) -> None:
    # A source named after a sentence is the article's attribution and stays.
    source = "Die Ermittlungen zum Fall an der Mole gehen weiter. (Quelle: Hafenpolizei)"
    html = page(f"<article><div class='entry'>{FOUR}<p>{line}</p><p>{source}</p></div></article>")
    assert body_of(html).paragraphs[-2:] == [PARA.format(3), source]


@pytest.mark.parametrize(
    "line",
    [
        "Vergrößern Die alte Mole im Morgenlicht, vom Hafenamt aus gesehen.",
        "Enlarge this image The old pier at dawn, seen from the harbour office.",
        "(Noch keine Bewertungen) Loading...",
        "Rating: 5.0/5 (1 vote cast)",
        "Schlagworte: Hafen, Stadtrat",
        "Tags: harbour, council",
        "Posted by Jane Roe @ 12:00 am",
        "Geschrieben von:",
        "12.12.2025, 05:07 Uhr",
        "06. 01. 2026, 14:59 Uhr Lesedauer: 4 Minuten",
        "Reading time: 5 min",
        "With reporting by Associated Press writer Jane Roe",
        "Mit Agenturmaterial.",
        "Don't have an account? Create Account",
        "Sign In or Create an Account",
        "– additional reporting by Jane Roe",
        "Additional reporting from PA",
        "Jetzt weiterlesen! !",
        "Sie sind bereits Kunde?",
        "Für 0.99 € können Sie diesen Artikel erwerben.",
        "Click to Read More and View Comments",
        "For more stories like this, check our news page.",
        "Table of Contents",
        "___",
        "aja/PAP",
        "(dpa)",
        "HARBOURNEWS.COM",
        "News date : 04/21/2022 Category : Press Releases",
        "Get the latest news straight to your phone with the Harbour Herald app.",
        "Quellen ausblenden",
        "Vorschau auf den nächsten Artikel",
        "Rezept drucken Bei Pinterest speichern",
        "If you buy through this link, I may receive a small commission at no extra cost.",
        "Dieser Beitrag enthält Affiliate-Links: kaufst du darüber, ändert sich der Preis nicht.",
        "Les opinions exprimées dans les blogs du Port n'engagent que leurs auteurs.",
        "The Harbour Herald is not responsible for the opinions of its contributors.",
    ],
)
def test_lightbox_labels_ratings_tags_and_post_bylines_are_not_body(line: str) -> None:
    # "Vergrößern Sie ..." addresses the reader in a sentence and stays.
    sentence = "Vergrößern Sie das Bild, um die Mole und die neuen Poller im Detail zu sehen."
    html = page(f"<article><div class='entry'>{FOUR}<p>{line}</p><p>{sentence}</p></div></article>")
    assert body_of(html).paragraphs[-2:] == [PARA.format(3), sentence]


def test_a_contact_line_linking_its_address_stays() -> None:
    # A mailto:/tel: link showing the address is the address to read, not a link away
    # from the article; an editor's initials linked to a mailbox are a signature.
    lines = [
        "<a href='mailto:hafen.info@example.org'>hafen.info@example.org</a>",
        "Telefon: <a href='tel:+49301234567'>030 123 45 67</a>",
        "(<a href='mailto:dmk@example.org'>dmk</a>)",
    ]
    html = page(
        f"<article><div class='entry'>{FOUR}"
        + "".join(f"<p>{line}</p>" for line in lines)
        + "</div></article>"
    )
    assert body_of(html).paragraphs[-2:] == ["hafen.info@example.org", "Telefon: 030 123 45 67"]


def test_a_sentence_set_as_a_heading_above_the_body_is_the_standfirst() -> None:
    # The standfirst sits in a block of its own before the body's block, styled as <h2>,
    # with a byline and a date between them.
    standfirst = "The harbour council votes tonight on a plan that would close the old pier."
    html = page(
        "<article><h1>Pier plan</h1>"
        f"<div class='block-a'><h2>{standfirst}</h2></div>"
        "<ul><li>By Jo Roe</li><li>12.03.2024</li></ul>"
        f"<div class='text-block'>{FOUR}</div></article>"
    )
    result = body_of(html, headline="Pier plan")
    assert result.lede == standfirst
    assert result.paragraphs == FOUR_TEXTS


def test_a_paragraph_in_a_block_of_its_own_above_the_body_is_the_standfirst() -> None:
    # A page builder's intro block before the text block: the standfirst is a <p>, with
    # the author's line between it and the body.
    standfirst = "The harbour council votes tonight on a plan that would close the old pier."
    html = page(
        "<article><h1>Pier plan</h1>"
        f"<div class='block-a'><p>{standfirst}</p></div><p>By Jo Roe</p>"
        f"<div class='text-block'>{FOUR}{EIGHT_MORE}</div></article>"
    )
    result = body_of(html, headline="Pier plan")
    assert result.lede == standfirst
    assert result.paragraphs == FOUR_TEXTS + EIGHT_MORE_TEXTS


def test_the_headline_in_an_h2_with_its_kicker_is_no_standfirst() -> None:
    headline = "Why the old pier on the harbour front has to close this year"
    html = page(
        f"<article><div class='head'><h2><span>Harbour</span> {headline}</h2></div>"
        f"<div class='text-block'>{FOUR}</div></article>"
    )
    assert body_of(html, headline=headline).lede == FOUR_TEXTS[0]


@pytest.mark.parametrize(
    "credit", ["Titelbild: Jo Roe / Hafenarchiv", "Fotos: Jo Roe", "Photos: Jo Roe / Harbour"]
)
def test_a_photo_credit_line_under_the_article_is_not_body(credit: str) -> None:
    html = page(f"<article><div class='content'>{FOUR}<p>{credit}</p></div></article>")
    assert body_of(html).paragraphs[-1] == PARA.format(3)


def test_blocks_like_the_one_json_ld_holds_are_not_demoted_when_its_article_body_is_short() -> None:
    # The structured data holds only the first of the article's "paragraph" blocks; the
    # blocks after it are the same kind and still the article.
    first = [PARA.format(f"first block {i}") for i in range(6)]
    later = [
        f"Later on, the story goes on with more words about the harbour, {i}." for i in range(6)
    ]
    ld = json.dumps({"@type": "NewsArticle", "articleBody": " ".join(first)})
    html = page(
        "<div class='story'>"
        + "<div class='paragraph'>"
        + "".join(f"<p>{t}</p>" for t in first)
        + "</div>"
        + "<h2>What comes next</h2>"
        + "<div class='paragraph'>"
        + "".join(f"<p>{t}</p>" for t in later)
        + "</div>"
        + "</div><div class='comments'><p>"
        + PARA.format("a reader")
        + "</p></div>",
        head=f"<script type='application/ld+json'>{ld}</script>",
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == [*first, "What comes next", *later]


@pytest.mark.parametrize(
    "bar", ["Impressum | Datenschutz | Kontakt", "Comments feed | Comments closed | Trackback URL"]
)
def test_a_bar_of_short_items_between_pipes_is_not_body(bar: str) -> None:
    html = page(f"<article><div class='content'>{FOUR}<p>{bar}</p></div></article>")
    assert body_of(html).paragraphs[-1] == PARA.format(3)


@pytest.mark.parametrize(
    "line",
    [
        "items.select { |item| item } | first | last",
        "Sie kam. | Sie sah. | Sie siegte.",
        "Zwei Wörter | drei",
    ],
)
def test_code_sentences_and_short_pipe_lines_stay(line: str) -> None:
    html = page(f"<article><div class='content'>{FOUR}<p>{line}</p></div></article>")
    assert body_of(html).paragraphs[-1] == line


def test_the_shown_slide_of_a_slideshow_article_counts_with_its_hidden_slides() -> None:
    # A script shows one slide at a time: only the state word ("hidden") differs between
    # the shown slide and the others, so they are one group, released together.
    slides = [PARA.format(f"slide {i}") for i in range(8)]
    html = page(
        "<div class='story'>"
        + "".join(
            f"<div class='gallery-section{' hidden' if i else ''}'><p>{text}</p></div>"
            for i, text in enumerate(slides)
        )
        + "</div>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == slides


@pytest.mark.parametrize("name", ["visually-hidden", "u-hiddenVisually", "hidden-visually"])
def test_visually_hidden_text_stays_out(name: str) -> None:
    html = page(f"<article>{FOUR}<span class='{name}'>Opens in a new window</span>")
    assert "Opens in a new window" not in body_of(html).paragraphs


def _card(i: int, href: str) -> str:
    return (
        f"<div class='card'><span>12.03.2024</span><a href='{href}'><h3>Another story number {i}"
        f" of the site</h3></a><p>The excerpt of that other story, a sentence long enough to"
        f" weigh like a paragraph of text, number {i}.</p></div>"
    )


def test_teaser_cards_stay_out_of_the_body_and_anchored_sections_stay_in() -> None:
    # Three sibling cards, each one linked title over a short excerpt: other stories. The
    # article's own sections under headings linked to in-page anchors are not cards.
    sections = "".join(
        f"<div class='section'><h2><a href='#part-{i}'>Part {i} of this story</a></h2>"
        f"<p>{PARA.format(f'section {i}')}</p></div>"
        for i in range(3)
    )
    grid = "".join(_card(i, f"/news/story-{i}") for i in range(3))
    html = page(f"<article><div class='content'>{FOUR}{sections}<div>{grid}</div></div></article>")
    result = body_of(html)
    text = "\n".join([result.lede or "", *result.paragraphs])
    assert "The excerpt of that other story" not in text
    assert "Another story number" not in text
    for i in range(3):
        assert PARA.format(f"section {i}") in result.paragraphs


def test_teaser_cards_do_not_release_the_chrome_wrapper_around_them() -> None:
    # A short post's footer holds a grid of related stories with excerpts: as prose those
    # outweighed the post, and the footer was released as content.
    grid = "".join(_card(i, f"https://example.org/news/story-{i}") for i in range(4))
    html = page(
        f"<main><article><h1>Short post</h1><p>{PARA.format('only')}</p>"
        f"<footer class='post-footer'><h2>Similar posts</h2><ul>"
        + "".join(f"<li>{_card(i, f'/n/{i}')}</li>" for i in range(4))
        + f"</ul>{grid}</footer></article></main>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == [PARA.format("only")]


def test_a_card_with_a_longer_excerpt_in_a_list_of_short_cards_is_a_card() -> None:
    long_excerpt = " ".join(PARA.format(f"excerpt {i}") for i in range(8))
    cards = "".join(_card(i, f"/news/story-{i}") for i in range(3)) + (
        f"<div class='card'><a href='/news/long'><h3>A story with a long excerpt</h3></a>"
        f"<p>{long_excerpt}</p></div>"
    )
    html = page(
        f"<article><div class='content'>{FOUR}{EIGHT_MORE}<div>{cards}</div></div></article>"
    )
    result = body_of(html)
    assert [result.lede, *result.paragraphs] == FOUR_TEXTS + EIGHT_MORE_TEXTS


def test_a_subheading_whose_anchor_id_holds_a_chrome_word_stays() -> None:
    # A table of contents links to each subheading by an id made of its words; "nav_"
    # there is the anchor's prefix, not a navigation block. An id that names the block's
    # kind ("related-posts") still marks chrome.
    html = page(
        f"<article><div class='content'>{FOUR}"
        "<h3 id='nav_why_the_harbour_matters__1'>Why the harbour matters</h3>"
        f"{EIGHT_MORE}<h3 id='related-posts'>More stories</h3></div></article>"
    )
    result = body_of(html)
    assert "Why the harbour matters" in result.paragraphs
    assert "More stories" not in result.paragraphs


def test_a_closing_label_in_a_block_of_its_own_ends_the_article() -> None:
    # The label holds no paragraph, so its block is left out of the body: it still
    # closes the article, and what follows it goes too.
    texts = [PARA.format(i) for i in range(8)]
    story = "".join(f"<p>{t}</p>" for t in texts)
    html = page(
        f"<div class='content'>{story}<div class='x'><b>Zum Weiterlesen:</b></div>{TEASERS}</div>"
    )
    assert _texts(body_of(html)) == texts


@pytest.mark.parametrize(
    "caption",
    [
        "Abbildung 4: Die klassische Schwachschicht im Schneeprofil.",
        "Abb. 2: Der Hafen im Jahr 1910.",
        "Figure 3: The pier before the storm.",
    ],
)
def test_a_numbered_figure_caption_between_paragraphs_is_not_body(caption: str) -> None:
    html = page(f"<article><div class='content'>{FOUR}<p>{caption}</p>{EIGHT_MORE}</div></article>")
    assert caption not in body_of(html).paragraphs


def test_a_short_code_block_in_its_highlighter_wrapper_stays() -> None:
    # One short command is too light to weigh as a paragraph, and its wrapper holds
    # nothing else: the block is still part of the post.
    html = page(
        f"<article><div class='post'>{FOUR}"
        "<div class='highlight'><pre><code>$ make harbour</code></pre></div>"
        f"{EIGHT_MORE}</div></article>"
    )
    assert "$ make harbour" in body_of(html).paragraphs


def test_an_intro_above_the_container_joins_it_past_a_light_byline_box() -> None:
    # The article's first paragraphs sit beside the block holding the rest (a paywall's
    # wrapper), with the byline's box between headline and intro: the byline weighs next
    # to nothing and must not keep the intro out.
    intro = [
        f"The opening paragraph number {i} of the story, set above the rest of it."
        for i in range(2)
    ]
    rest = [PARA.format(i) for i in range(30)]
    html = page(
        "<article><h1>Pier plan</h1><div class='line'>By Jo Roe, 12.03.2024</div>"
        + "".join(f"<p>{text}</p>" for text in intro)
        + "<div class='rest'>"
        + "".join(f"<p>{text}</p>" for text in rest)
        + "</div><div class='tools'>Share</div></article>"
    )
    result = body_of(html, headline="Pier plan")
    assert [result.lede, *result.paragraphs] == intro + rest


def test_a_heading_over_a_box_the_body_leaves_out_does_not_end_the_text() -> None:
    # The post ends with a heading over a sign-up box (its text too short to be a paragraph):
    # with nothing of the box in the body, the heading heads nothing.
    html = page(
        f"<article><div class='entry'>{FOUR}<h3>Rather not ride alone?</h3>"
        "<div><a href='/club'>Join the club</a></div></div></article>"
    )
    assert body_of(html).paragraphs == FOUR_TEXTS[1:]
    # But a paywall cuts an article after a subheading, and a table's title heads the table.
    cut = page(f"<article><div class='entry'>{FOUR}<h3>What the council said</h3></div></article>")
    table = page(
        f"<article><div class='entry'>{FOUR}<h3>Fees at a glance</h3>"
        "<table><tr><td>1 GBP</td><td>2 GBP</td></tr></table></div></article>"
    )
    assert body_of(cut).paragraphs[-1] == "What the council said"
    assert body_of(table).paragraphs[-1] == "Fees at a glance"


def test_the_free_first_part_of_a_text_joins_its_walled_rest() -> None:
    # A paywalled article: its first paragraphs in a block of the same kind as the one
    # holding the rest, which adds a class word of its own.
    free = [PARA.format(f"free {i}") for i in range(2)]
    walled = [PARA.format(i) for i in range(30)]
    html = page(
        "<article><h1>Pier plan</h1><div class='toolbar'><a href='/s'>Share</a></div>"
        "<div class='text-part'>"
        + "".join(f"<p>{text}</p>" for text in free)
        + "</div><div class='text-part walled'>"
        + "".join(f"<p>{text}</p>" for text in walled)
        + "</div></article>"
    )
    result = body_of(html, headline="Pier plan")
    assert [result.lede, *result.paragraphs] == free + walled


def test_a_sentence_whose_names_all_link_stays_between_paragraphs() -> None:
    # Most of the sentence's words are links to topic pages; it sits among the article's
    # paragraphs. A teaser of the same shape after the text stays out.
    linked = (
        "<a href='/t/roe'>Councillor Jo Roe of the harbour party</a> met "
        "<a href='/t/doe'>the mayor Jane Doe and the port authority</a> on Tuesday."
    )
    teaser = (
        "<a href='/s/1'>Another story about the old harbour front and its pier</a> and "
        "<a href='/s/2'>one more story about the city council</a>."
    )
    html = page(
        f"<article><div class='entry'>{FOUR}<p>{linked}</p>{EIGHT_MORE}</div>"
        f"<div class='more'><p>{teaser}</p></div></article>"
    )
    text = (
        "Councillor Jo Roe of the harbour party met the mayor Jane Doe and the port authority"
        " on Tuesday."
    )
    assert body_of(html).paragraphs == [*FOUR_TEXTS[1:], text, *EIGHT_MORE_TEXTS]
