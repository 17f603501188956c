"""Captions with credits split out, and images."""

from __future__ import annotations

import pytest
from test_extract_body import SPUTNIK

from newsarchive.extraction import rules
from newsarchive.extraction.captions import (
    credit_parts,
    extract_captions,
    extract_images,
    split_credit,
)
from newsarchive.extraction.document import load_document


def test_split_credit_phrases():
    # The caption keeps its own final period: it is the publisher's sentence.
    assert split_credit("Firefighters at work. Foto: dpa") == ("Firefighters at work.", "dpa")
    assert split_credit("Smoke over the city (Photo by Jane Roe/Getty Images)") == (
        "Smoke over the city",
        "Jane Roe/Getty Images",
    )
    # "©" is a label like "Foto:": the credit is who made the picture.
    assert split_credit("The minister speaks. © AP Photo / Ariel Schalit") == (
        "The minister speaks.",
        "AP Photo / Ariel Schalit",
    )
    assert split_credit("A protest in 2022. Uncredited/AP/dpa") == (
        "A protest in 2022.",
        "Uncredited/AP/dpa",
    )
    assert split_credit("Just a caption without credit.") == (
        "Just a caption without credit.",
        None,
    )


def test_credit_parts_drop_labels_and_split_on_bars():
    assert credit_parts("Foto: © dpa | Jens Kalaene") == ["dpa", "Jens Kalaene"]
    assert credit_parts("(c) Harbour Herald") == ["Harbour Herald"]
    assert credit_parts("Photograph: Jane Roe; Getty Images") == ["Jane Roe", "Getty Images"]
    assert credit_parts("Bild: SN/APA/KEYSTONE/CYRIL ZINGARO") == ["SN/APA/KEYSTONE/CYRIL ZINGARO"]
    assert credit_parts("picture alliance / prisma") == ["picture alliance / prisma"]


def test_figure_caption_credit_element_and_image():
    html = (
        "<html><body><article><p>Text of the story is here.</p>"
        "<figure><img src='/img/a.jpg' alt='A'><figcaption>Crowds gather at the square."
        "<span class='image-credit'>Photo: Reuters</span></figcaption></figure>"
        "<nav><figure><img src='/logo.png'><figcaption>Site logo caption</figcaption></figure></nav>"  # noqa: E501
        "</article></body></html>"
    )
    doc = load_document(html, "https://example.test/a/story")
    assert extract_captions(doc) == [
        {
            "text": "Crowds gather at the square.",
            "credit": "Reuters",
            "image_url": "https://example.test/img/a.jpg",
        }
    ]
    images = extract_images(doc)
    assert images[0]["url"] == "https://example.test/img/a.jpg"
    assert images[0]["credit"] == "Reuters" and images[0]["is_cover"] is True


def test_json_ld_image_credit_fills_a_missing_credit():
    html = (
        "<html><head><script type='application/ld+json'>"
        '{"@type": "ImageObject", "url": "https://example.test/b.jpg", "creditText": "Jane Roe"}'
        "</script></head><body><figure><img src='https://example.test/b.jpg'>"
        "<figcaption>The harbour at dawn.</figcaption></figure></body></html>"
    )
    (caption,) = extract_captions(load_document(html, "https://example.test/"))
    assert caption["credit"] == "Jane Roe" and caption["text"] == "The harbour at dawn."


def test_sputnik_fixture_caption_with_rule_and_without():
    html = SPUTNIK.read_text(encoding="utf-8").replace("{{BASE}}", "https://sputnikglobe.com")
    url = "https://sputnikglobe.com/20240526/viral-video.html"
    doc = load_document(html, url)
    expected = {
        "text": "Israeli soldiers are briefed after coming back from the Gaza Strip at a staging "
        "area in southern Israel, Sunday, Dec. 17, 2023",
        "credit": "AP Photo / Ariel Schalit",
        "image_url": "https://sputnikglobe.com/img/07e7/0c/11/1115733366_0-160-3072-1888_1920x0_80_0_0.png",
    }
    assert extract_captions(doc, None, rules.match(url, "2024-05-26", doc.root)) == [expected]
    assert extract_captions(doc) == [expected]


def test_more_credit_conventions():
    assert split_credit("The minister at the port. — Picture by Jane Roe") == (
        "The minister at the port.",
        "Jane Roe",
    )
    assert split_credit("시장이 연설하고 있다. [사진 출처 = 연합뉴스]") == (
        "시장이 연설하고 있다.",
        "연합뉴스",
    )
    assert split_credit("代表の選手たち（Ｃ）共同通信社") == ("代表の選手たち", "共同通信社")
    assert credit_parts("(Foto: Pool via REUTERS)") == ["Pool via REUTERS"]
    assert split_credit("The lodge reopened in June. Supplied") == (
        "The lodge reopened in June.",
        "Supplied",
    )
    assert credit_parts("Copyright Jane Roe/AP") == ["Jane Roe/AP"]


def test_aria_hidden_caption_twin_and_labels_are_handled():
    html = (
        "<html><body><figure><img src='/a.jpg' alt='Rescue teams search the forest.'>"
        "<figcaption><span aria-hidden='true'>Rescue teams search the forest.</span>"
        "<span class='image-byline'>Foto: Rescue Photo</span></figcaption></figure>"
        "<div class='teaser'><img src='/b.jpg'><span class='caption'>Read more</span></div>"
        "</body></html>"
    )
    assert extract_captions(load_document(html, "https://example.test/")) == [
        {
            "text": "Rescue teams search the forest.",
            "credit": "Rescue Photo",
            "image_url": "https://example.test/a.jpg",
        }
    ]


def test_pages_without_figures_give_nothing():
    doc = load_document("<html><body><p>Text only, no images at all.</p></body></html>")
    assert extract_captions(doc) == [] and extract_images(doc) == []


def test_credit_in_figure_footer_small_or_label_led_span():
    html = (
        "<html><body>"
        "<figure><img src='/1.jpg'><figcaption>Demonstrators in the square.</figcaption>"
        "<footer>Jane Roe/Agency</footer></figure>"
        "<figure><img src='/2.jpg'><figcaption>The harbour at night.<small>© Port Authority"
        "</small></figcaption></figure>"
        "<figure><img src='/3.jpg'><figcaption><span>The new ferry.</span>"
        "<span>Foto: Erik Lund, Harbour Herald</span></figcaption></figure>"
        "</body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [(c["text"], c["credit"]) for c in captions] == [
        ("Demonstrators in the square.", "Jane Roe/Agency"),
        ("The harbour at night.", "Port Authority"),
        ("The new ferry.", "Erik Lund, Harbour Herald"),
    ]


@pytest.mark.parametrize(
    "label_class", ["sr-only", "h-offscreen", "visually-hidden", "screen-reader-text"]
)
def test_screen_reader_labels_are_not_caption_text(label_class: str) -> None:
    html = (
        "<html><body><article><figure><img src='/a.jpg'>"
        f"<figcaption><span class='{label_class}'>Legende:</span>"
        "<span class='media-caption__description'>Rescue teams search the forest.</span>"
        "</figcaption></figure></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [c["text"] for c in captions] == ["Rescue teams search the forest."]


def test_trailing_names_set_off_after_the_caption_are_credits():
    assert split_credit("The striker gets past a defender. (Edu Luque)") == (
        "The striker gets past a defender.",
        "Edu Luque",
    )
    assert split_credit("Police raid in the old town / Lorenzo Marina") == (
        "Police raid in the old town",
        "Lorenzo Marina",
    )
    # One word in brackets is a note about the picture, a lone "/" part of the text.
    assert split_credit("A member of the brigade at a rally. (Archive)") == (
        "A member of the brigade at a rally. (Archive)",
        None,
    )
    assert split_credit("Rates and/or fees rise") == ("Rates and/or fees rise", None)


def test_dates_and_durations_in_a_credit_slot_are_not_credits():
    assert credit_parts("26.10.2025 | 2:43 min") == []
    assert credit_parts("dpa | 05.09.2024") == ["dpa"]


def test_a_caption_set_in_small_print_is_the_caption_not_a_credit():
    html = (
        "<html><body><article><figure><img src='/a.jpg'><figcaption><small>The tanker, "
        "formerly the Bella 1: escorts were sent to protect it. (Source: Harbour Herald)"
        "</small></figcaption></figure>"
        "<figure><img src='/b.jpg'><figcaption><cite>jane roe - stock.example</cite>"
        "</figcaption></figure></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [(c["text"], c["credit"]) for c in captions] == [
        ("The tanker, formerly the Bella 1: escorts were sent to protect it.", "Harbour Herald"),
        (None, "jane roe - stock.example"),
    ]


def test_a_licence_span_is_the_credit():
    html = (
        "<html><body><article><figure><img src='/a.jpg'><figcaption>Baking bread in 1950."
        "<span class='media-license-caption'>Jane Roe (CC BY 4.0)</span></figcaption>"
        "</figure></article></body></html>"
    )
    (caption,) = extract_captions(load_document(html, "https://example.test/"))
    assert (caption["text"], caption["credit"]) == ("Baking bread in 1950.", "Jane Roe (CC BY 4.0)")


def test_a_labelled_credit_line_beside_an_image_marks_its_caption():
    html = (
        "<html><body><article><div class='media'><picture><img src='/m.jpg' alt='M'></picture>"
        "<p class='article--media--lead'>Friedrich Merz</p>"
        "<p class='image--author'>Foto: REUTERS/Nadja Wohlleben</p></div>"
        "<p>Body text of the article that is long enough to be a paragraph.</p>"
        "<p>Foto: a line in the text with no image anywhere near it.</p>"
        "</article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert captions == [
        {
            "text": "Friedrich Merz",
            "credit": "REUTERS/Nadja Wohlleben",
            "image_url": "https://example.test/m.jpg",
        }
    ]


def test_a_container_whose_class_names_captions_is_not_a_caption():
    # WordPress lightbox plugins put "...-captions" on <body>; its comments' authors
    # must not become one giant credit of the site logo.
    html = (
        "<html><body class='single wp-featherlight-captions'><header><img src='/logo.svg'>"
        "</header><article><p>Story text that is long enough to count as the body.</p>"
        "</article><ol class='comments'><li><span class='comment-author'>Ann says:</span>"
        " First!</li></ol></body></html>"
    )
    assert extract_captions(load_document(html, "https://example.test/")) == []


def test_a_bold_label_before_the_credit_is_not_the_credit():
    html = (
        "<html><body><article><figure><img src='/a.jpg'><figcaption>"
        "<strong>Image Credits:</strong> Strava</figcaption></figure>"
        "<figure><img src='/b.jpg'><figcaption>The new dark mode. "
        "<strong>Image Credits:</strong> Strava</figcaption></figure></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [(c["text"], c["credit"]) for c in captions] == [
        (None, "Strava"),
        ("The new dark mode.", "Strava"),
    ]


def test_a_labelled_small_credit_outranks_the_small_caption_beside_it():
    html = (
        "<html><body><article><p>Story text long enough to be the body of the page.</p>"
        "<div><img src='/s.jpg' alt='x'><div><small> The head teacher welcomed 14 of 75 "
        "pupils </small><small> © Tristach School </small></div></div></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert captions == [
        {
            "text": "The head teacher welcomed 14 of 75 pupils",
            "credit": "Tristach School",
            "image_url": "https://example.test/s.jpg",
        }
    ]


def test_an_image_blocks_info_line_is_its_caption_and_a_duration_is_not():
    html = (
        "<html><body><article><p>Story text long enough to be the body of the page.</p>"
        "<div class='absatzbild'><img src='/p.jpg' title='Everton celebrate | Jane Roe/Agency'>"
        "<div class='absatzbild__info'><p class='absatzbild__info__text'>Everton celebrate the "
        "winning goal</p></div></div>"
        "<div class='teaser'><img src='/v.jpg'><div class='teaser_image-info'>"
        "<span>01:43 min</span></div></div></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [(c["text"], c["credit"]) for c in captions] == [
        ("Everton celebrate the winning goal", "Jane Roe/Agency")
    ]


def test_a_kicker_inside_the_headline_is_not_a_caption():
    html = (
        "<html><body><article><div class='header'><img src='/avatar.png' alt='Author'>"
        "<h1><span class='teaser__subtitle'>Breakpoint: </span>Help, they are coming!</h1>"
        "<span class='byline'>Jane Roe</span></div>"
        "<p>Story text long enough to be the body of the page.</p></article></body></html>"
    )
    assert extract_captions(load_document(html, "https://example.test/")) == []


@pytest.mark.parametrize(
    "player",
    [
        "<video src='/clip.mp4'></video>",
        "<iframe src='https://video.example.test/embed/1'></iframe>",
        "<div class='video-wrapper'><div id='video-0_x1'></div></div>",
        "<div data-module-id='VideoKalturaPlayerModule'></div>",
    ],
)
def test_the_title_of_a_video_is_not_an_image_caption(player: str) -> None:
    html = (
        "<html><body><article><p>Story text long enough to be the body of the page.</p>"
        f"<figure>{player}<figcaption>Minister pledges aid for the harbour"
        "</figcaption></figure>"
        "<figure><img src='/p.jpg'><figcaption>The harbour at dawn. Foto: Jane Roe"
        "</figcaption></figure></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [(c["text"], c["credit"]) for c in captions] == [("The harbour at dawn.", "Jane Roe")]


def test_a_caption_classed_label_of_a_teaser_card_is_not_a_caption() -> None:
    card = (
        "<a href='/article/{n}'><img src='/t{n}.jpg'><div><span class='text-sub-caption'>"
        "Street poll</span><h3>Another story of the site</h3></div></a>"
    )
    html = (
        "<html><body><article><p>Story text long enough to be the body of the page.</p>"
        "<div><img src='/p.jpg'><span class='image-caption'>The harbour at dawn.</span></div>"
        f"<aside>{card.format(n=1)}{card.format(n=2)}</aside>"
        "<a href='/big/p2.jpg'><img src='/p2.jpg'><span class='caption'>The quay at night."
        "</span></a></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [c["text"] for c in captions] == ["The harbour at dawn.", "The quay at night."]


def test_a_figure_whose_image_is_not_found_keeps_its_caption() -> None:
    html = (
        "<html><body><article><p>Story text long enough to be the body of the page.</p>"
        "<figure><div class='lazy' data-bg='/p.jpg'></div><figcaption>The harbour at dawn."
        " Foto: Jane Roe</figcaption></figure></article></body></html>"
    )
    captions = extract_captions(load_document(html, "https://example.test/"))
    assert [(c["text"], c["credit"]) for c in captions] == [("The harbour at dawn.", "Jane Roe")]


def test_credit_clean_up_does_bounded_work_on_hostile_brackets(count_calls):
    # 20,000 nested brackets: each bracket layer costs a scan of the whole string, so the
    # number of layers examined must not grow with the input (it was 20,000 scans, 30 s).
    from newsarchive.extraction import credits

    scans = count_calls(credits, "_balanced")
    assert credit_parts("(" * 20_000 + "dpa" + ")" * 20_000) != ["dpa"]
    assert len(scans) <= 2 * (credits.MAX_LAYERS + 1) ** 2  # a constant, not 20,000
    scans.clear()
    assert credit_parts("((Foto: © dpa))") == ["dpa"]


def test_a_small_print_caption_behind_a_hidden_label_is_still_the_caption():
    html = (
        "<html><body><article><figure><img src='/a.jpg'><figcaption>"
        "<span class='sr-only'>Caption:</span><small>Rescue teams search the forest.</small>"
        "</figcaption></figure></article></body></html>"
    )
    (caption,) = extract_captions(load_document(html, "https://example.test/"))
    assert (caption["text"], caption["credit"]) == ("Rescue teams search the forest.", None)


def test_chrome_ancestry_is_looked_up_once_per_node_on_deep_pages(count_calls):
    # 1,000 nested caption-classed blocks: asking "is an ancestor chrome?" for each by
    # walking all its ancestors classified half a million nodes (9 s at 3,000 levels).
    from newsarchive.extraction import captions

    calls = count_calls(captions, "classify")
    depth = 1_000
    html = (
        "<html><body><article>"
        + "<div class='caption'><div class='caption'>x</div>" * depth
        + "</div>" * depth
        + "</article></body></html>"
    )
    extract_captions(load_document(html, "https://example.test/"))
    assert 0 < len(calls) <= 5 * depth


def test_figures_nested_in_figures_are_each_read_once(count_calls):
    # 300 figures nested in each other: every figure used to walk every figure below it
    # (and each element its ancestors), cubic: 3,000 levels took over five minutes.
    from newsarchive.extraction import captions

    calls = count_calls(captions, "_credit_strength")
    depth = 300
    html = (
        "<html><body><article>"
        + "<figure><img src='/a.jpg'>" * depth
        + "<figcaption>The harbour at dawn.</figcaption>"
        + "</figure>" * depth
        + "</article></body></html>"
    )
    captions_found = extract_captions(load_document(html, "https://example.test/"))
    assert [c["text"] for c in captions_found] == ["The harbour at dawn."]
    assert len(calls) <= 5 * depth
