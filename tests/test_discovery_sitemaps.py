"""Sitemap parsing: news sitemaps keep their fields; broken and hostile files never crash."""

from __future__ import annotations

import gzip

from newsarchive.discovery.robots import sitemaps_from_robots
from newsarchive.discovery.sitemaps import parse_sitemap

BASE = "https://news.example/sitemap.xml"

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example/2024/05/01/council-votes-budget</loc>
    <lastmod>2024-05-01T12:30:00+02:00</lastmod>
    <news:news>
      <news:publication><news:name>Example News</news:name>
        <news:language>en</news:language></news:publication>
      <news:publication_date>2024-05-01T10:00:00Z</news:publication_date>
      <news:title>Council votes &amp; passes budget</news:title>
    </news:news>
    <image:image><image:loc>https://news.example/img/council.jpg</image:loc></image:image>
  </url>
  <url><loc>https://news.example/2024/05/02/second-story</loc><lastmod>2024-05-02</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/sitemap-news.xml</loc><lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>/sitemap-2024.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_keeps_publication_date_title_and_language() -> None:
    result = parse_sitemap(NEWS_SITEMAP, BASE)
    assert result.errors == []
    first, second = result.urls
    assert first.url == "https://news.example/2024/05/01/council-votes-budget"
    assert first.kind == "news_sitemap"
    assert first.news_title == "Council votes & passes budget"
    assert first.news_publication_date == "2024-05-01T10:00:00Z"
    assert first.news_language == "en"
    assert first.lastmod == "2024-05-01T12:30:00+02:00"
    assert first.date == "2024-05-01T10:00:00Z"
    assert second.kind == "sitemap" and second.lastmod == "2024-05-02"
    # The image extension's <image:loc> is not mistaken for a page URL.
    assert all("img" not in entry.url for entry in result.urls)


def test_sitemap_index_lists_child_sitemaps_resolved() -> None:
    result = parse_sitemap(INDEX, BASE)
    assert result.is_index and result.urls == []
    assert [s.url for s in result.sitemaps] == [
        "https://news.example/sitemap-news.xml",
        "https://news.example/sitemap-2024.xml.gz",
    ]
    assert result.sitemaps[0].lastmod == "2024-05-01"


def test_gzipped_sitemap_is_recognised_by_magic_bytes() -> None:
    result = parse_sitemap(gzip.compress(NEWS_SITEMAP), "https://news.example/s.xml")
    assert len(result.urls) == 2 and result.errors == []


def test_gzip_bomb_is_capped(monkeypatch) -> None:
    from newsarchive.discovery import safexml

    monkeypatch.setattr(safexml, "MAX_XML_BYTES", 4096)
    body = b"<urlset>" + b"<url><loc>https://a.example/x</loc></url>" * 10_000 + b"</urlset>"
    result = parse_sitemap(gzip.compress(body), BASE)
    assert any("exceeds" in e for e in result.errors)
    assert result.urls  # what fitted under the cap is still recovered


def test_missing_and_wrong_namespaces_still_parse() -> None:
    no_ns = b"<urlset><url><loc>https://news.example/a/long-story-about-things</loc></url></urlset>"
    wrong_ns = (
        b'<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url>'
        b"<loc>https://news.example/b</loc></url></urlset>"
    )
    assert [e.url for e in parse_sitemap(no_ns, BASE).urls] == [
        "https://news.example/a/long-story-about-things"
    ]
    assert [e.url for e in parse_sitemap(wrong_ns, BASE).urls] == ["https://news.example/b"]


def test_truncated_sitemap_recovers_complete_entries_and_reports() -> None:
    truncated = NEWS_SITEMAP[: NEWS_SITEMAP.index(b"second-story") + 5]
    result = parse_sitemap(truncated, BASE)
    assert result.urls[0].news_title == "Council votes & passes budget"
    assert result.errors, "truncation must be reported"


def test_billion_laughs_is_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset><url><loc>https://news.example/&lol9;</loc></url>
<url><loc>https://news.example/safe-entry-here</loc></url></urlset>"""
    result = parse_sitemap(bomb, BASE)
    assert [e.url for e in result.urls] == ["https://news.example/safe-entry-here"]
    assert any("entity" in e for e in result.errors)
    assert all(len(e.url) < 100 for e in result.urls)


def test_external_entity_is_not_read(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<urlset><url><loc>https://news.example/&xxe;</loc>"
        "<lastmod>&xxe;</lastmod></url></urlset>"
    ).encode()
    result = parse_sitemap(xxe, BASE)
    assert "TOP-SECRET" not in repr(result)
    assert result.urls == []


def test_plain_text_sitemap_keeps_only_http_urls() -> None:
    body = (
        b"https://news.example/a-story\n\nftp://x/y\njavascript:alert(1)\nhttps://news.example/b\n"
    )
    result = parse_sitemap(body, "https://news.example/sitemap.txt")
    assert [e.url for e in result.urls] == [
        "https://news.example/a-story",
        "https://news.example/b",
    ]


def test_garbage_and_empty_input_give_errors_not_exceptions() -> None:
    for body in (
        b"",
        b"\x1f\x8b\x08\x00broken",
        b"<html><body>not a sitemap</body></html>",
        b"<<<>>>",
        "<urlset><url><loc>https://ü.example/ä</loc></url></urlset>".encode(),
    ):
        result = parse_sitemap(body, BASE)
        assert isinstance(result.errors, list)
    assert parse_sitemap(b"", BASE).errors == ["empty sitemap"]
    assert "root element is <html>" in parse_sitemap(b"<html><p>x</p></html>", BASE).errors[-1]


def test_bad_lastmod_is_reported_and_entry_kept() -> None:
    body = (
        b"<urlset><url><loc>https://news.example/x</loc><lastmod>yesterday</lastmod></url></urlset>"
    )
    result = parse_sitemap(body, BASE)
    assert result.urls[0].lastmod is None
    assert "unreadable lastmod" in result.errors[0]


def test_entry_cap() -> None:
    body = (
        b"<urlset>"
        + b"".join(b"<url><loc>https://news.example/%d</loc></url>" % i for i in range(30))
        + b"</urlset>"
    )
    result = parse_sitemap(body, BASE, max_entries=10)
    assert len(result.urls) == 10 and "more than 10" in result.errors[-1]


def test_robots_sitemap_lines() -> None:
    robots = (
        b"User-agent: *\nDisallow: /private\n"
        b"Sitemap: https://news.example/sitemap-news.xml # news\n"
        b"sitemap:/sitemap-index.xml\nSITEMAP: https://news.example/sitemap-news.xml\n"
        b"Sitemap: mailto:x@y\n"
    )
    assert sitemaps_from_robots(robots, "https://news.example/robots.txt") == [
        "https://news.example/sitemap-news.xml",
        "https://news.example/sitemap-index.xml",
    ]


def test_text_input_with_a_foreign_encoding_declaration() -> None:
    text = (
        NEWS_SITEMAP.decode()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .replace("Council votes &amp; passes budget", "Gemeinderat beschließt Budget")
    )
    result = parse_sitemap(text, BASE)
    assert result.urls[0].news_title == "Gemeinderat beschließt Budget"


def test_robots_with_a_byte_order_mark() -> None:
    robots = "\ufeffSitemap: https://news.example/s.xml\n".encode()
    assert sitemaps_from_robots(robots, "https://news.example/robots.txt") == [
        "https://news.example/s.xml"
    ]


def test_a_cut_gzip_sitemap_keeps_what_inflated_and_reports() -> None:
    entries = (f"<url><loc>https://news.example/story-{n}</loc></url>" for n in range(500))
    packed = gzip.compress(f"<urlset>{''.join(entries)}</urlset>".encode())
    result = parse_sitemap(packed[: len(packed) // 2], BASE)
    assert "gzip: stream is truncated" in result.errors
    assert result.urls  # the complete entries before the cut


def test_a_gzip_sitemap_of_several_members_is_read_whole() -> None:
    """``cat a.gz b.gz`` is one valid gzip file (gzip -d reads both members)."""
    head = b"<urlset><url><loc>https://news.example/first</loc></url>"
    tail = b"<url><loc>https://news.example/second</loc></url></urlset>"
    result = parse_sitemap(gzip.compress(head) + gzip.compress(tail), BASE)
    assert [e.url for e in result.urls] == [
        "https://news.example/first",
        "https://news.example/second",
    ]
    assert result.errors == []


def test_corrupt_gzip_gives_one_message_and_no_entries() -> None:
    packed = bytearray(gzip.compress(NEWS_SITEMAP))
    packed[12:40] = b"\xff" * 28
    result = parse_sitemap(bytes(packed), BASE)
    assert result.urls == []
    assert [e for e in result.errors if e.startswith("gzip: cannot decompress (Error -3")]
