"""Discovery: which URLs to fetch, and how we found them.

Pure parsers with no network access: sitemaps (including Google News sitemaps
and indexes), robots.txt sitemap lines, RSS/Atom/RDF feeds, feed discovery in
HTML, and article-URL classification with link extraction from hub pages.
The spider fetches the bytes; these modules only read them. Which kinds of
source a crawl reads, with their plan keys, priorities and limits, is declared
once in :mod:`newsarchive.discovery.sources` (the registry).
"""

from newsarchive.discovery.feeds import FeedEntry, FeedResult, discover_feeds, parse_feed
from newsarchive.discovery.links import classify_page, classify_url, extract_links
from newsarchive.discovery.robots import sitemaps_from_robots
from newsarchive.discovery.sitemaps import SitemapEntry, SitemapResult, parse_sitemap

__all__ = [
    "FeedEntry",
    "FeedResult",
    "SitemapEntry",
    "SitemapResult",
    "classify_page",
    "classify_url",
    "discover_feeds",
    "extract_links",
    "parse_feed",
    "parse_sitemap",
    "sitemaps_from_robots",
]
