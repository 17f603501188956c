"""RSS 2.0, Atom and RDF feeds and feed discovery; hostile feeds never crash or expand."""

from __future__ import annotations

from newsarchive.discovery.feeds import discover_feeds, parse_feed

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example News</title><link>https://news.example/</link>
 <item><title>Mayor resigns</title><link>https://news.example/politics/mayor-resigns</link>
   <pubDate>Wed, 01 May 2024 10:00:00 +0200</pubDate></item>
 <item><title>Only a guid</title><guid>https://news.example/local/guid-story</guid>
   <dc:date>2024-05-02T08:00:00Z</dc:date></item>
 <item><title>Not a permalink</title><guid isPermaLink="false">tag:news.example,1</guid></item>
 <item><title>Duplicate</title><link>https://news.example/politics/mayor-resigns</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/world/">
 <title>World</title>
 <entry><title>Summit ends</title>
   <link rel="alternate" type="text/html" href="summit-ends"/>
   <link rel="enclosure" href="https://cdn.example/summit.jpg"/>
   <id>tag:news.example,2024:1</id>
   <published>2024-05-01T09:00:00+01:00</published><updated>2024-05-01T11:00:00Z</updated>
 </entry>
 <entry><title>No rel</title><link href="https://news.example/world/no-rel-story"/>
   <updated>2024-05-03T00:00:00Z</updated></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="https://news.example/"><title>RDF News</title></channel>
 <item rdf:about="https://news.example/rdf-story"><title>RDF story</title>
   <link>https://news.example/rdf-story</link><dc:date>2024-05-04</dc:date></item>
</rdf:RDF>"""


def test_rss2_entries_with_dates_and_guid_permalinks() -> None:
    result = parse_feed(RSS, "https://news.example/rss.xml")
    assert result.format == "rss" and result.title == "Example News"
    assert [(e.url, e.title, e.published) for e in result.entries] == [
        (
            "https://news.example/politics/mayor-resigns",
            "Mayor resigns",
            "2024-05-01T10:00:00+02:00",
        ),
        ("https://news.example/local/guid-story", "Only a guid", "2024-05-02T08:00:00Z"),
    ]
    assert "entry skipped: no http(s) link" in result.errors


def test_atom_entries_resolve_xml_base_and_prefer_alternate_links() -> None:
    result = parse_feed(ATOM, "https://news.example/atom.xml")
    assert result.format == "atom" and result.title == "World"
    first, second = result.entries
    assert first.url == "https://news.example/world/summit-ends"
    assert first.published == "2024-05-01T09:00:00+01:00"
    assert first.updated == "2024-05-01T11:00:00Z"
    assert second.url == "https://news.example/world/no-rel-story"
    assert second.published is None and second.date == "2024-05-03T00:00:00Z"


def test_rdf_feed() -> None:
    result = parse_feed(RDF, "https://news.example/index.rdf")
    assert result.format == "rdf"
    assert [(e.url, e.published) for e in result.entries] == [
        ("https://news.example/rdf-story", "2024-05-04")
    ]


def test_feed_without_namespaces_and_truncated() -> None:
    truncated = RSS[: RSS.index(b"<item><title>Only a guid")] + b"<item><title>Cut"
    result = parse_feed(truncated, "https://news.example/rss.xml")
    assert [e.url for e in result.entries] == ["https://news.example/politics/mayor-resigns"]
    assert result.errors
    bare_atom = b"<feed><entry><link href='/x/bare-atom-story'/></entry></feed>"
    assert parse_feed(bare_atom, "https://news.example/a").entries[0].url == (
        "https://news.example/x/bare-atom-story"
    )


def test_feed_bomb_and_xxe_are_inert(tmp_path) -> None:
    secret = tmp_path / "s.txt"
    secret.write_text("SECRET-IN-FILE")
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e0 "ha">{entities}'
        f'<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<rss><channel><title>&e9;</title>"
        "<item><title>&xxe;</title><link>https://news.example/ok-story</link></item>"
        "</channel></rss>"
    ).encode()
    result = parse_feed(body, "https://news.example/rss")
    assert [e.url for e in result.entries] == ["https://news.example/ok-story"]
    assert result.entries[0].title is None and result.title is None
    assert "SECRET" not in repr(result)


def test_not_a_feed_and_empty() -> None:
    assert parse_feed(b"", "https://x.example/f").errors == ["empty feed"]
    result = parse_feed(b"<html><body>hi</body></html>", "https://x.example/f")
    assert result.format is None and "not a feed" in result.errors[-1]
    assert parse_feed(b"\x00\x01garbage", "https://x.example/f").entries == []


def test_discover_feeds_from_link_alternate() -> None:
    html = b"""<html><head><base href="https://news.example/sub/">
    <link rel="alternate" type="application/rss+xml" title="All" href="/rss.xml">
    <link rel="Alternate" type="application/atom+xml" href="atom.xml">
    <link rel="alternate" type="application/rss+xml" href="/rss.xml">
    <link rel="alternate" hreflang="de" href="https://news.example/de/">
    <link rel="stylesheet" type="text/css" href="/a.css">
    </head><body><a href="/rss-page">RSS</a></body></html>"""
    assert discover_feeds(html, "https://news.example/") == [
        "https://news.example/rss.xml",
        "https://news.example/sub/atom.xml",
    ]
    assert discover_feeds(b"", "https://news.example/") == []
