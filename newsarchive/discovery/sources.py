"""Discovery sources: each kind of file that names article URLs, declared once.

A :class:`SourceKind` says everything the rest of the project needs to know
about one kind of source: its keys in a plan's ``[sites.sources]`` table (with
their checks and defaults; the same keys are ``scrapy crawl news -a KEY=...``
arguments), which of those keys list entry points of the crawl, the priority of
its requests, how many of its files one host may make the crawl fetch, and its
parser (bytes and URL in, a :class:`Reading` out; no network). The plan loader,
the site configuration (``newsarchive/siteconfig.py``) and the ``news`` spider
iterate :data:`SOURCE_KINDS`; none of them names a kind.

A new source is a module with its parser plus one :func:`register` call (the
built-in kinds are registered at the end of this module), and a line in
``docs/plans.md``. ``tests/test_discovery_registry.py`` shows that nothing else
needs an edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsarchive import checks
from newsarchive.checks import Field
from newsarchive.discovery.feeds import parse_feed
from newsarchive.discovery.robots import sitemaps_from_robots
from newsarchive.discovery.sitemaps import (
    MAX_FEEDS_PER_HOST,
    MAX_FILES_PER_HOST,
    MAX_INDEX_DEPTH,
    MAX_URLS_PER_HOST,
    parse_sitemap,
)

URL_LIST = Field(checks.list_of(checks.http_url), (), checks.read_url_list)
SWITCH_ON = Field(checks.boolean, True, checks.read_bool)


@dataclass
class Reading:
    """What one fetched source file names: more source files, page URLs, and problems.

    ``sources`` are ``(kind name, URL, lastmod)``; ``entries`` are ``(page URL, date
    for articles_since, discovered_via type)``.
    """

    sources: list[tuple[str, str, str | None]] = field(default_factory=list)
    entries: list[tuple[str, str | None, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileLimit:
    """At most ``default`` files of a kind per host and crawl; ``setting`` overrides it."""

    setting: str
    default: int
    noun: str  # "sitemaps": the files, as the warning names them


@dataclass(frozen=True)
class SourceKind:
    """One kind of discovery source (see the module docstring)."""

    name: str  # page_type of its files in pages.jsonl, and the key of its budget
    keys: Mapping[str, Field]  # its keys in [sites.sources]
    entry_keys: tuple[str, ...] = ()  # keys listing URLs the crawl starts from
    priority: int = 20  # sources first: the article URLs they name (with dates) go early
    read: Callable[[bytes, str], Reading] | None = None  # None: read by the page step
    max_files: FileLimit | None = None
    # Its files name more files of its kind (sitemap indexes): NEWSARCHIVE_SITEMAP_MAX_DEPTH.
    nests: bool = False


SOURCE_KINDS: dict[str, SourceKind] = {}


def register(kind: SourceKind) -> SourceKind:
    """Add a source kind; its keys must not clash with another kind's."""
    taken = {
        key for other in SOURCE_KINDS.values() if other.name != kind.name for key in other.keys
    }
    clash = taken & set(kind.keys)
    if clash:
        raise ValueError(f"source kind {kind.name}: keys {sorted(clash)} belong to another kind")
    unknown = set(kind.entry_keys) - set(kind.keys)
    if unknown:
        raise ValueError(f"source kind {kind.name}: entry keys {sorted(unknown)} are not its keys")
    SOURCE_KINDS[kind.name] = kind
    return kind


def source_fields() -> dict[str, Field]:
    """Every ``[sites.sources]`` key of every registered kind."""
    return {key: spec for kind in SOURCE_KINDS.values() for key, spec in kind.keys.items()}


def entry_points(sources: Mapping[str, Any]) -> list[tuple[SourceKind, str]]:
    """``(kind, URL)`` of every source file a site names, in registry order."""
    return [
        (kind, url)
        for kind in SOURCE_KINDS.values()
        for key in kind.entry_keys
        for url in sources.get(key) or ()
    ]


@dataclass
class SourceBudget:
    """How far sources may lead on each host: index depth, files per kind, page URLs.

    Sources are fetched before the articles they name, so an index nesting indexes
    without end (a trap) or sources naming millions of URLs (a flood) would keep a
    crawl busy forever. Depth 0 is a file a plan or robots.txt names; each index adds
    one. ``urls`` counts the page URLs of all sources together. A limit of 0 means
    none. Pure bookkeeping: the spider asks, then counts.
    """

    max_depth: int = MAX_INDEX_DEPTH
    max_urls: int = MAX_URLS_PER_HOST
    max_files: dict[str, int] = field(default_factory=dict)  # by kind; else the kind's default
    files: Counter[tuple[str, str]] = field(default_factory=Counter)
    urls: Counter[str] = field(default_factory=Counter)

    def file_refusal(self, kind: SourceKind, host: str, depth: int) -> str | None:
        """Why one more file of ``kind`` on ``host`` at ``depth`` is not fetched, or None."""
        if kind.nests and self.max_depth and depth > self.max_depth:
            setting = "NEWSARCHIVE_SITEMAP_MAX_DEPTH"
            return f"{kind.name} indexes nested deeper than {self.max_depth} ({setting})"
        limit = kind.max_files
        if limit is None:
            return None
        most = self.max_files.get(kind.name, limit.default)
        if most and self.files[kind.name, host] >= most:
            return f"more than {most} {limit.noun} of {host} ({limit.setting})"
        return None

    def url_refusal(self, host: str) -> str | None:
        """Why no more page URLs of ``host`` are taken from sources, or None."""
        if self.max_urls and self.urls[host] >= self.max_urls:
            limit = "NEWSARCHIVE_SITEMAP_MAX_URLS"
            return f"more than {self.max_urls} URLs of {host} in sitemaps and feeds ({limit})"
        return None


def host_of(url: str) -> str:
    """The budget's host: ``host:port`` as written, lower-cased."""
    return urlsplit(url).netloc.lower()


# --------------------------------------------------------------------------- built-in kinds


def read_robots(body: bytes, url: str) -> Reading:
    """robots.txt: its ``Sitemap:`` lines."""
    return Reading(sources=[("sitemap", found, None) for found in sitemaps_from_robots(body, url)])


def read_sitemap(body: bytes, url: str) -> Reading:
    """A sitemap, news sitemap or sitemap index (XML, gzip or plain text)."""
    result = parse_sitemap(body, url)
    return Reading(
        sources=[("sitemap", child.url, child.lastmod) for child in result.sitemaps],
        entries=[(entry.url, entry.date, entry.kind) for entry in result.urls],
        errors=result.errors,
    )


def read_feed(body: bytes, url: str) -> Reading:
    """An RSS, Atom or RDF feed."""
    result = parse_feed(body, url)
    return Reading(
        entries=[(entry.url, entry.date, "feed") for entry in result.entries],
        errors=result.errors,
    )


# robots.txt of each seed's origin; the spider requests it (it is also the robots.txt gate's).
ROBOTS = register(
    SourceKind("robots", {"robots_sitemaps": SWITCH_ON}, priority=30, read=read_robots)
)
SITEMAP = register(
    SourceKind(
        "sitemap",
        {"news_sitemaps": URL_LIST, "sitemaps": URL_LIST},
        entry_keys=("news_sitemaps", "sitemaps"),
        read=read_sitemap,
        max_files=FileLimit("NEWSARCHIVE_SITEMAP_MAX_FILES", MAX_FILES_PER_HOST, "sitemaps"),
        nests=True,
    )
)
# discover_feeds: feeds a hub page announces (<link rel="alternate">, found by the page step).
FEED = register(
    SourceKind(
        "feed",
        {"feeds": URL_LIST, "discover_feeds": SWITCH_ON},
        entry_keys=("feeds",),
        read=read_feed,
        max_files=FileLimit("NEWSARCHIVE_FEED_MAX_FILES", MAX_FEEDS_PER_HOST, "feeds"),
    )
)
# Links on seed and section pages: read by the page step (newsarchive/pagestep.py); the
# hub pages they lead to are requested at this priority, after everything else.
LINKS = register(SourceKind("links", {"follow_links": SWITCH_ON}, priority=0))
