"""Every discovery path against the demo news site on 127.0.0.1 (robots, sitemaps, feeds, links)."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

from newsarchive.discovery.feeds import discover_feeds, parse_feed
from newsarchive.discovery.links import classify_url, extract_links
from newsarchive.discovery.robots import sitemaps_from_robots
from newsarchive.discovery.sitemaps import parse_sitemap


def _get(url: str) -> bytes:
    assert urlsplit(url).hostname == "127.0.0.1"  # never anywhere else
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_robots_to_sitemap_index_to_news_sitemap(demo_server: str) -> None:
    sitemaps = sitemaps_from_robots(_get(f"{demo_server}/robots.txt"), f"{demo_server}/robots.txt")
    assert sitemaps == [f"{demo_server}/sitemap_index.xml"]
    index = parse_sitemap(_get(sitemaps[0]), sitemaps[0])
    assert index.is_index and index.errors == []
    children = [entry.url for entry in index.sitemaps]
    assert f"{demo_server}/sitemap-news.xml" in children
    news = parse_sitemap(_get(f"{demo_server}/sitemap-news.xml"), f"{demo_server}/sitemap-news.xml")
    assert news.errors == [] and news.urls
    for entry in news.urls:
        assert entry.url.startswith(demo_server + "/")
        assert entry.kind == "news_sitemap"
        assert entry.news_title and entry.news_publication_date
        assert classify_url(entry.url) == "article"


def test_feeds_announced_on_the_home_page(demo_server: str) -> None:
    home = _get(f"{demo_server}/")
    feeds = discover_feeds(home, f"{demo_server}/")
    assert feeds and all(url.startswith(demo_server) for url in feeds)
    entries = []
    for feed_url in feeds:
        result = parse_feed(_get(feed_url), feed_url)
        assert result.format in ("rss", "atom", "rdf") and result.errors == []
        entries += result.entries
    assert entries and all(entry.url.startswith(demo_server) for entry in entries)
    assert any(entry.published for entry in entries)


def test_home_page_links_split_into_articles_and_hubs(demo_server: str) -> None:
    links = extract_links(_get(f"{demo_server}/"), f"{demo_server}/")
    assert links and len(links) == len(set(links))
    assert all(url.startswith(demo_server) and "#" not in url for url in links)
    kinds = {url: classify_url(url) for url in links}
    assert "article" in kinds.values() and "hub" in kinds.values()
    assert kinds.get(f"{demo_server}/world/", "hub") == "hub"
