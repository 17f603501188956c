"""Related links: rule teasers, related blocks, 'read also' headings; never nav or self."""

from __future__ import annotations

from test_extract_body import SPUTNIK

from newsarchive.extraction import rules
from newsarchive.extraction.document import load_document
from newsarchive.extraction.related import extract_related


def test_related_blocks_and_read_also_headings():
    html = (
        "<html><head><link rel='canonical' href='/news/this-story'></head><body>"
        "<nav><a href='/news/menu-item-story'>World news menu</a></nav>"
        "<article><p>Story text.</p><p><strong>Lesen Sie auch:</strong> "
        "<a href='/news/other-story'>Die andere Geschichte des Tages</a></p>"
        "<div class='related-articles'><a href='/news/this-story#top'>This very story</a>"
        "<a href='https://example.test/news/second'>Second related story title</a>"
        "<a href='/news/other-story'>Die andere Geschichte des Tages</a></div></article>"
        "<footer><div class='related'><a href='/imprint'>Imprint of the site</a></div></footer>"
        "</body></html>"
    )
    doc = load_document(html, "https://example.test/news/this-story?ref=rss")
    assert extract_related(doc) == [
        {"url": "https://example.test/news/second", "title": "Second related story title"},
        {
            "url": "https://example.test/news/other-story",
            "title": "Die andere Geschichte des Tages",
        },
    ]


def test_sputnik_fixture_inline_teasers():
    html = SPUTNIK.read_text(encoding="utf-8").replace("{{BASE}}", "https://sputnikglobe.com")
    url = "https://sputnikglobe.com/20240526/viral-video-shows-idf-soldier-calling-for-military-coup-1118659541.html"
    doc = load_document(html, url)
    expected = [
        {
            "url": "https://sputnikglobe.com/20191229/benjamin-netanyahus-son-yair-to-uk-diplomats-you-will-be-kicked-out-of-israel-soon-1077883551.html",
            "title": "Benjamin Netanyahu’s Son Yair to UK Diplomats: ‘You Will be Kicked Out of Israel Soon’",  # noqa: E501
        },
        {
            "url": "https://sputnikglobe.com/20240128/the-end-of-israel-national-leaders-say-netanyahu-is-existential-threat-to-country-1116407915.html",
            "title": "The End of Israel? National Leaders Say Netanyahu Is ‘Existential’ Threat to Country",  # noqa: E501
        },
    ]
    assert extract_related(doc, None, rules.match(url, "2024-05-26", doc.root)) == expected
    assert extract_related(doc) == expected


def test_pages_without_links_or_url():
    doc = load_document("<html><body><p>No links here.</p></body></html>")  # no URL at all
    assert extract_related(doc) == []
    doc = load_document(
        "<html><body><div class='related'><a href='javascript:void(0)'>Open the menu now</a>"
        "<a href='/relative/only'>Relative link without a base</a></div></body></html>"
    )
    assert extract_related(doc) == []  # no absolute URL can be made: nothing is invented


def test_section_pages_in_related_blocks_are_not_related_articles():
    html = (
        "<html><body><div class='related'><a href='/world/uk/'>United Kingdom category</a>"
        "<a href='/world/uk/2024/03/07/lloyds-profit-doubles/'>Lloyd's profit doubles</a>"
        "</div></body></html>"
    )
    assert extract_related(load_document(html, "https://example.test/a/b")) == [
        {
            "url": "https://example.test/world/uk/2024/03/07/lloyds-profit-doubles/",
            "title": "Lloyd's profit doubles",
        }
    ]


def test_topic_tag_and_author_pages_are_not_related_articles():
    links = {
        "/aktuell/thema/frankfurter-polizei": "Frankfurter Polizei",
        "/tag/russia-ukraine-conflict/": "Russia-Ukraine war",
        "/autor/747/jane-roe": "Jane Roe",
        "/autoren/jane-roe/harbour-budget-doubles-after-vote": "Harbour budget doubles",
        "/people/2024/05/03/the-harbour-master-retires": "The harbour master retires",
    }
    anchors = "".join(f"<a href='{href}'>{title}</a>" for href, title in links.items())
    html = f"<html><body><div class='related'>{anchors}</div></body></html>"
    found = extract_related(load_document(html, "https://example.test/a/b"))
    assert [link["title"] for link in found] == [
        "Harbour budget doubles",
        "The harbour master retires",
    ]


def test_a_teaser_badge_or_interface_label_is_no_related_title():
    story = "/panorama/2024/04/anonymous-alcoholics-help-for-a-century.html"
    html = (
        "<html><body><div class='related'>"
        f"<a href='{story}'><span>2</span> <span>min</span></a>"
        f"<a href='{story}'>Anonymous Alcoholics have helped for a century</a>"
        "<a href='/news/2024/04/pigs-story-22071754/'>Play Video</a>"
        "<a href='/subscribe'>View more offers</a>"
        "<a href='https://policies.google.com/privacy'>Privacy Policy</a>"
        "<a href='/jobs/head-of-development-m-w-d.1459433385.html'>Head of development"
        " (m/w/d)</a><a href='/jobs/head-of-development-m-w-d.1459433385.html'>To the job"
        " market</a></div></body></html>"
    )
    found = extract_related(load_document(html, "https://example.test/a/b"))
    assert found == [
        {
            "url": f"https://example.test{story}",
            "title": "Anonymous Alcoholics have helped for a century",
        }
    ]


def test_nested_related_wrappers_read_each_link_once(count_calls):
    # 300 "related" wrappers nested in each other, each opening with a "Read also" link:
    # every such line's block listed all the links below it, 45,000 links read for 300
    # (1,500 levels took 19 s). Through extract(): the body walk notes the short lines.
    from newsarchive import extract
    from newsarchive.extraction import related

    titles = count_calls(related, "_link_title")
    depth = 300
    html = (
        "<html><body><article><p>Story text that is long enough to be the body.</p>"
        + "".join(
            f"<div class='related'><a href='/story-{i}'>Read also: story number {i}</a>"
            for i in range(depth)
        )
        + "</div>" * depth
        + "</article></body></html>"
    )
    record = extract(html, "https://example.test/a")
    assert len(record["related_links"]) == depth
    assert len(titles) <= 2 * depth
