"""Crawler traps and floods from hostile sites on 127.0.0.1: each stays within its limit.

Nested sitemap indexes without end, sitemaps naming too many URLs, 20,000
Set-Cookie headers, prose served as a plain-text sitemap, URLs on other ports,
redirects out of scope and over-long URLs. Every crawl has CLOSESPIDER_PAGECOUNT
as a safety net, so a trap that still works fails the test instead of hanging it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from newsarchive.spiders.cookies import BoundedCookiesMiddleware
from newsarchive.spiders.news import NewsSpider, validators_of
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from trapsite import HostileSite, Reply, article_html, crawl, html, text

from newsarchive.pagestep import process_page
from newsarchive.siteconfig import Scope, Site

SAFETY_NET = {"CLOSESPIDER_PAGECOUNT": 150}
ARTICLES = [f"/news/2024-05-0{n}-harbour-story-number-{n}.html" for n in range(1, 4)]


def xml(body: str) -> Reply:
    return text('<?xml version="1.0"?>' + body, content_type="application/xml")


def urlset(base: str, paths: list[str]) -> Reply:
    locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')


def index(base: str, paths: list[str]) -> Reply:
    locs = "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>" for p in paths)
    return xml(
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
    )


def articles_routes() -> dict:
    return {p: (lambda _, p=p: html(article_html(p.rsplit("/", 1)[-1]))) for p in ARTICLES}


def sitemap_fetches(site: HostileSite) -> list[str]:
    return [p for p in site.paths() if p.startswith("/sitemaps/")]


# --------------------------------------------------------------------------- sitemaps


def endless_index(base: str) -> object:
    """/sitemaps/tree-N.xml is an index of two deeper indexes, forever; the top also names
    a real sitemap of articles."""

    def serve(handler: object) -> Reply:
        name = handler.path.rsplit("/", 1)[-1]  # type: ignore[attr-defined]
        if name == "articles.xml":
            return urlset(base, ARTICLES)
        level = name.removeprefix("tree-").removesuffix(".xml")
        children = [f"/sitemaps/tree-{level}{branch}.xml" for branch in "ab"]
        if level == "":
            children.append("/sitemaps/articles.xml")
        return index(base, children)

    return serve


class PrefixRoutes(dict):
    """Routes where every path under /sitemaps/ (or /feeds/) goes to one handler."""

    def get(self, path: str, default: object = None) -> object:
        for folder in ("/sitemaps/", "/feeds/"):
            if path.startswith(folder) and folder in self:
                return self[folder]
        return super().get(path, default)


def test_endless_nested_sitemap_indexes_stop_at_the_depth_limit(tmp_path: Path) -> None:
    routes = PrefixRoutes(articles_routes())
    with HostileSite(routes) as site:
        routes["/sitemaps/"] = endless_index(site.base)
        run = crawl(
            [f"{site.base}/news/"],
            tmp_path / "out",
            spider_args={"sitemaps": [f"{site.base}/sitemaps/tree-.xml"]},
            settings={**SAFETY_NET, "NEWSARCHIVE_SITEMAP_MAX_DEPTH": 2},
        )
        fetched = sitemap_fetches(site)
    assert run.returncode == 0, run.stderr[-3000:]
    # depth 0: tree-.xml; 1: tree-a, tree-b, articles.xml; 2: four more. Nothing deeper.
    levels = ["", "a", "b", "aa", "ab", "ba", "bb"]
    expected = {f"/sitemaps/tree-{level}.xml" for level in levels} | {"/sitemaps/articles.xml"}
    assert sorted(fetched) == sorted(expected)
    assert len(run.articles()) == len(ARTICLES)
    assert "NEWSARCHIVE_SITEMAP_MAX_DEPTH" in run.stderr


def test_sitemap_files_per_host_stop_at_the_count_limit(tmp_path: Path) -> None:
    routes = PrefixRoutes(articles_routes())
    with HostileSite(routes) as site:
        wide = [f"/sitemaps/part-{n}.xml" for n in range(60)]
        routes["/sitemaps/"] = lambda h: (
            index(site.base, wide) if h.path.endswith("index.xml") else urlset(site.base, ARTICLES)
        )
        run = crawl(
            [f"{site.base}/news/"],
            tmp_path / "out",
            spider_args={"sitemaps": [f"{site.base}/sitemaps/index.xml"]},
            settings={**SAFETY_NET, "NEWSARCHIVE_SITEMAP_MAX_FILES": 5},
        )
        fetched = sitemap_fetches(site)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(fetched) == 5, fetched
    assert run.stats.get("newsarchive/over_limit", 0) >= 1


def test_page_urls_per_host_from_sitemaps_stop_at_their_limit(tmp_path: Path) -> None:
    many = [f"/news/2024-05-01-flood-story-number-{n}.html" for n in range(40)]
    routes = PrefixRoutes({p: (lambda _, p=p: html(article_html(p[-20:]))) for p in many})
    with HostileSite(routes) as site:
        routes["/sitemaps/"] = lambda _: urlset(site.base, many)
        run = crawl(
            [f"{site.base}/news/"],
            tmp_path / "out",
            spider_args={"sitemaps": [f"{site.base}/sitemaps/flood.xml"]},
            settings={**SAFETY_NET, "NEWSARCHIVE_SITEMAP_MAX_URLS": 7},
        )
        stories = [p for p in site.paths() if "flood-story" in p]
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(stories) == 7, stories


def test_feeds_and_their_entries_per_host_stop_at_their_limits(tmp_path: Path) -> None:
    """A hub page announcing 30 feeds of 20 entries each: 4 feeds, 25 URLs taken."""
    feeds = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/feeds/{n}.xml">'
        for n in range(30)
    )

    def feed(handler: object) -> Reply:
        number = handler.path.rsplit("/", 1)[-1].removesuffix(".xml")  # type: ignore[attr-defined]
        items = "".join(
            f"<item><link>/news/2024-05-01-feed-{number}-story-{n}.html</link></item>"
            for n in range(20)
        )
        return text(
            f'<rss version="2.0"><channel><title>f</title>{items}</channel></rss>',
            content_type="application/rss+xml",
        )

    routes = PrefixRoutes({"/": lambda _: html(f"<html><head>{feeds}</head></html>".encode())})
    routes["/feeds/"] = feed
    with HostileSite(routes) as site:
        run = crawl(
            [f"{site.base}/"],
            tmp_path / "out",
            settings={
                **SAFETY_NET,
                "NEWSARCHIVE_FEED_MAX_FILES": 4,
                "NEWSARCHIVE_SITEMAP_MAX_URLS": 25,
            },
        )
        paths = site.paths()
    assert run.returncode == 0, run.stderr[-3000:]
    assert len([p for p in paths if p.startswith("/feeds/")]) == 4
    assert len([p for p in paths if "-story-" in p]) == 25


def test_prose_served_as_a_plain_text_sitemap_names_no_url(tmp_path: Path) -> None:
    routes = {
        "/sitemap.txt": lambda _: text(
            "Service temporarily unavailable\nPlease try again later.\n"
        ),
        **articles_routes(),
    }
    with HostileSite(routes) as site:
        run = crawl(
            [f"{site.base}/news/"],
            tmp_path / "out",
            spider_args={"sitemaps": [f"{site.base}/sitemap.txt"]},
            settings=SAFETY_NET,
        )
        paths = site.paths()
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(set(paths)) == ["/news/", "/robots.txt", "/sitemap.txt"], paths


# --------------------------------------------------------------------------- cookies


def test_a_cookie_flood_does_not_reach_later_requests(tmp_path: Path) -> None:
    flood = [("Set-Cookie", f"c{n}={'x' * 60}; Path=/") for n in range(20_000)]
    links = "".join(f'<a href="{p}">story</a>' for p in ARTICLES)
    routes = {
        "/": lambda _: html(f"<html><body>{links}</body></html>".encode(), *flood),
        **articles_routes(),
    }
    with HostileSite(routes) as site:
        run = crawl([f"{site.base}/"], tmp_path / "out", settings=SAFETY_NET)
        sent = {hit.path: hit.headers.get("cookie", "") for hit in site.hits}
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.articles()) == len(ARTICLES)
    for path in ARTICLES:
        assert 0 < len(sent[path]) <= 8192, (path, len(sent[path]))
        assert sent[path].count("=") <= 50
    requests = [r for kind, uri, r in run.warc_records() if kind == "request"]
    assert max(r.length for r in requests) < 16_384


# --------------------------------------------------------------------------- scope


def test_urls_on_other_ports_of_the_same_host_are_out_of_scope(tmp_path: Path) -> None:
    audit = tmp_path / "sockets.jsonl"
    with HostileSite(articles_routes()) as other:
        routes = PrefixRoutes(articles_routes())
        with HostileSite(routes) as site:
            elsewhere = [f"{other.base}{p}" for p in ARTICLES] + ["http://127.0.0.1/news/x.html"]
            routes["/sitemaps/"] = lambda _: xml(
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<url><loc>{u}</loc></url>" for u in elsewhere)
                + "".join(f"<url><loc>{site.base}{p}</loc></url>" for p in ARTICLES)
                + "</urlset>"
            )
            run = crawl(
                [f"{site.base}/news/"],
                tmp_path / "out",
                spider_args={"sitemaps": [f"{site.base}/sitemaps/s.xml"]},
                settings=SAFETY_NET,
                audit=audit,
            )
            port = site.port
        assert other.hits == []
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.articles()) == len(ARTICLES)
    connects = {e[1] for e in map(json.loads, audit.read_text().splitlines()) if e[0] == "connect"}
    assert connects == {repr(("127.0.0.1", port))}


def test_a_redirect_out_of_scope_is_refused_and_recorded(tmp_path: Path) -> None:
    with HostileSite(articles_routes()) as other:
        routes = {
            "/": lambda _: html(
                b'<html><body><a href="/go/2024-05-01-moved-story.html">m</a></body></html>'
            ),
            "/go/2024-05-01-moved-story.html": lambda _: (
                301,
                [("Location", f"{other.base}{ARTICLES[0]}")],
                b"",
            ),
        }
        with HostileSite(routes) as site:
            run = crawl([f"{site.base}/"], tmp_path / "out", settings=SAFETY_NET)
        assert other.hits == []
    assert run.returncode == 0, run.stderr[-3000:]
    (refused,) = [p for p in run.pages() if p["url"] == f"{other.base}{ARTICLES[0]}"]
    assert refused["outcome"] == "refused" and "scope" in refused["reason"]


def test_a_location_that_is_no_url_fails_its_redirect_alone(tmp_path: Path) -> None:
    """``Location: http://[::1/x`` (a bad IPv6 literal) made ``urljoin`` raise: a traceback
    in the crawl's page log handler, and ``reextract`` of the whole crawl stopped at that
    record with an internal error (exit 70) instead of re-extracting every article."""
    from support.crawls import run_newsarchive

    links = "".join(f'<a href="{p}">story</a>' for p in [*ARTICLES, "/go/2024-05-01-bad.html"])
    routes = {
        "/": lambda _: html(f"<html><body>{links}</body></html>".encode()),
        "/go/2024-05-01-bad.html": lambda _: (302, [("Location", "http://[::1/x")], b""),
        **articles_routes(),
    }
    with HostileSite(routes) as site:
        run = crawl([f"{site.base}/"], tmp_path / "out", settings=SAFETY_NET)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    (redirect,) = [p for p in run.pages() if p["outcome"] == "redirect"]
    assert redirect["url"].endswith("/go/2024-05-01-bad.html")
    assert "http://[::1/x" in redirect["reason"]
    assert len(run.articles()) == len(ARTICLES)

    again = run_newsarchive("reextract", run.out, "--out", tmp_path / "again.jsonl")
    assert again.returncode == 0, again.stderr[-3000:]
    lines = (tmp_path / "again.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(ARTICLES)


def refreshing(title: str, content: str) -> object:
    """An article whose ``<head>`` holds ``<meta http-equiv="refresh" content=CONTENT>``."""
    meta = f'<meta http-equiv="refresh" content="{content}"></head>'.encode()
    return lambda _: html(article_html(title).replace(b"</head>", meta))


def test_an_article_with_a_meta_refresh_is_extracted_and_each_refresh_hop_recorded(
    tmp_path: Path,
) -> None:
    """A live blog reloading itself every minute, and an article sending its reader home
    after 30 s, are the pages they show: Scrapy followed both refreshes as redirects, to
    URLs the crawl had requested, so both articles were archived but neither extracted nor
    listed in pages.jsonl. An immediate refresh is a redirect, recorded like an HTTP one."""
    live, homeward, stub = ARTICLES[0], ARTICLES[1], "/old/2024-05-03-moved.html"
    links = "".join(f'<a href="{p}">story</a>' for p in (live, homeward, stub))
    with HostileSite({}) as site:
        site.routes = {  # type: ignore[misc]
            "/": lambda _: html(f"<html><body>{links}</body></html>".encode()),
            live: refreshing("Live: the harbour storm", f"60; url={site.base}{live}"),
            homeward: refreshing("The harbour quay opens", "30; url=/"),
            stub: lambda _: html(
                f'<html><head><meta http-equiv="refresh" content="0; url={ARTICLES[2]}">'.encode()
            ),
            ARTICLES[2]: articles_routes()[ARTICLES[2]],
        }
        run = crawl([f"{site.base}/"], tmp_path / "out", settings=SAFETY_NET)
    assert run.returncode == 0, run.stderr[-3000:]
    exported = {a["url"].removeprefix(site.base) for a in run.articles()}
    assert exported == {live, homeward, ARTICLES[2]}
    (hop,) = [p for p in run.pages() if p["outcome"] == "redirect"]
    assert hop["url"] == f"{site.base}{stub}" and hop["status"] == 200
    assert hop["reason"] == f"meta refresh -> {site.base}{ARTICLES[2]}"


def too_slow(_: object) -> Reply:
    """An answer after the crawl's DOWNLOAD_TIMEOUT (1 s here): a network error for it."""
    import time

    time.sleep(3)
    return text("User-agent: *\nAllow: /\n")


@pytest.mark.parametrize(
    ("robots", "why"),
    [
        (lambda _: text("overloaded", status=503), "HTTP 503"),
        (too_slow, "DownloadTimeoutError"),
    ],
    ids=["503", "timeout"],
)
def test_an_unreachable_robots_txt_disallows_its_origin(
    tmp_path: Path, robots: object, why: str
) -> None:
    """RFC 9309 2.3.1.4: a robots.txt answering 5xx, or not at all, means "disallow all";
    Scrapy read it as "allow all", so a site answering 503 under load was crawled in full."""
    links = "".join(f'<a href="{p}">story</a>' for p in ARTICLES)
    routes = {
        "/robots.txt": robots,
        "/": lambda _: html(f"<html><body>{links}</body></html>".encode()),
        **articles_routes(),
    }
    with HostileSite(routes) as site:  # type: ignore[arg-type]
        settings = {**SAFETY_NET, "DOWNLOAD_TIMEOUT": 1}
        run = crawl([f"{site.base}/"], tmp_path / "out", settings=settings)
        fetched = set(site.paths())
    assert fetched == {"/robots.txt"}
    (seed,) = [p for p in run.pages() if p["url"] == f"{site.base}/"]
    assert seed["outcome"] == "robots_denied"
    assert f"robots.txt unreachable ({why}): everything disallowed" in seed["reason"]


# --------------------------------------------------------------------------- URL length


def test_over_long_urls_are_recorded_as_failures_not_dropped(tmp_path: Path) -> None:
    """A discovered URL over the limit is recorded as refused; an over-long *seed* never gets
    this far: the crawl refuses it up front, naming it (tests/test_cli_errors.py)."""
    long_path = "/news/2024-05-01-" + "very-long-slug-" * 200 + ".html"  # about 3,000 characters
    routes = PrefixRoutes(articles_routes())
    with HostileSite(routes) as site:
        routes["/sitemaps/"] = lambda _: urlset(site.base, [long_path, *ARTICLES])
        run = crawl(
            [f"{site.base}/news/"],
            tmp_path / "out",
            spider_args={"sitemaps": [f"{site.base}/sitemaps/s.xml"]},
            settings=SAFETY_NET,
        )
        paths = site.paths()
    assert run.returncode == 0, run.stderr[-3000:]
    assert not [p for p in paths if "very-long-slug" in p]
    too_long = [p for p in run.pages() if (p["reason"] or "").startswith("url_too_long")]
    assert len(too_long) == 1  # the sitemap's entry
    assert {p["outcome"] for p in too_long} == {"refused"}
    assert all(len(p["url"]) <= 2083 for p in too_long)
    (site_report,) = run.report()["sites"].values()
    assert site_report["failures"].get("URL too long") == 1, site_report["failures"]
    assert len(run.articles()) == len(ARTICLES)


def test_a_body_over_the_size_limit_is_recorded_with_that_reason(tmp_path: Path) -> None:
    """The page is archived up to the limit (WARC-Truncated: length) and fails alone; the
    report must say why, not "StopDownload" (the exception the capture raises)."""
    big = "/news/2024-05-09-harbour-story-number-9.html"
    routes = articles_routes()
    routes[big] = lambda _: html(article_html("huge") + b"<!--" + b"x" * 200_000 + b"-->")
    routes["/news/"] = lambda _: html(
        "".join(f'<a href="{p}">story</a> ' for p in [*ARTICLES, big]).encode()
    )
    with HostileSite(routes) as site:
        run = crawl(
            [f"{site.base}/news/"],
            tmp_path / "out",
            settings={**SAFETY_NET, "DOWNLOAD_MAXSIZE": 100_000},
        )
    assert run.returncode == 0, run.stderr[-3000:]
    [page] = [p for p in run.pages() if p["url"].endswith(big)]
    assert page["outcome"] == "refused", page
    assert "DOWNLOAD_MAXSIZE" in page["reason"] and "WARC-Truncated" in page["reason"], page
    assert len(run.articles()) == len(ARTICLES)


# --------------------------------------------------------------------------- hub pages


def hub_spider(settings: dict | None = None, **arguments: object) -> NewsSpider:
    # No extraction workers: the spider is never closed here, its pool share never released.
    defaults = {"NEWSARCHIVE_CRAWL_ID": "20260101T000000Z-abcd", "NEWSARCHIVE_EXTRACT_WORKERS": 0}
    crawler = get_crawler(NewsSpider, {**defaults, **(settings or {})})
    return NewsSpider.from_crawler(crawler, **arguments)


def hub_page(url: str, hrefs: list[str]) -> HtmlResponse:
    links = "".join(f'<a href="{href}">story</a>' for href in hrefs)
    return HtmlResponse(url, body=f"<html><body>{links}</body></html>".encode(), encoding="utf-8")


def follow_hub(spider: NewsSpider, response: HtmlResponse, depth: int = 0) -> list[Any]:
    """What the crawl does with a hub: the page step collects links, the spider filters."""
    following = spider.following(response, depth)
    outcome = process_page(response.body, response.url, {}, 200, following=following)
    return list(spider.follow_hub(response, depth, outcome.links, outcome.feeds))


def test_a_host_allowed_with_its_port_keeps_that_ports_links_only() -> None:
    spider = hub_spider(start_urls="http://news.test:8080/", allowed_hosts="news.test:8080")
    same, other = (f"http://news.test:{port}/2024/05/01/harbour-quay-opens" for port in (8080, 80))
    requests = follow_hub(spider, hub_page("http://news.test:8080/", [same, other]))
    assert [r.url for r in requests] == [same]


def test_a_hub_page_adds_at_most_the_link_limit() -> None:
    spider = hub_spider({"NEWSARCHIVE_MAX_LINKS_PER_PAGE": 10}, start_urls="http://news.test/")
    hrefs = [f"/2024/05/01/harbour-story-number-{n}" for n in range(50)]
    requests = follow_hub(spider, hub_page("http://news.test/", hrefs))
    assert len(requests) == 10
    later = hub_page("http://news.test/world/", hrefs[10:12])
    assert len(follow_hub(spider, later)) == 2  # links beyond the cut were not marked


def test_cookies_are_bounded_in_number_size_and_header_length() -> None:
    crawler = get_crawler(settings_dict={"COOKIES_ENABLED": True})
    middleware = BoundedCookiesMiddleware.from_crawler(crawler)
    first = Request("http://news.test/")
    set_cookies = [f"huge={'h' * 100_000}"] + [f"c{n}={'v' * 300}" for n in range(120)]
    middleware.process_response(first, Response(first.url, headers={"Set-Cookie": set_cookies}))
    kept = list(middleware.jars[None].jar)
    assert len(kept) <= 50 and all(c.name != "huge" for c in kept)
    later = Request("http://news.test/story")
    middleware.process_request(later)
    header = later.headers.get("Cookie") or b""
    assert 0 < len(header) <= 8192
    assert all(pair.count(b"=") == 1 for pair in header.split(b"; "))  # whole cookies only


def test_a_huge_etag_is_not_kept_for_the_next_run() -> None:
    """It would come back as If-None-Match on every later run's request."""
    headers = {"ETag": '"' + "e" * 100_000 + '"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}
    response = HtmlResponse("http://news.test/a", body=b"<html></html>", headers=headers)
    assert validators_of(response) == {"last-modified": "Wed, 01 May 2024 10:00:00 GMT"}


@pytest.mark.parametrize(
    ("seeds", "allowed", "url", "in_scope"),
    [
        (["http://127.0.0.1:28417/"], [], "http://127.0.0.1:28417/a", True),
        (["http://127.0.0.1:28417/"], [], "http://127.0.0.1/a", False),
        (["http://127.0.0.1:28417/"], [], "https://127.0.0.1/a", False),
        (["http://127.0.0.1:28417/"], [], "http://127.0.0.1:28418/a", False),
        (["https://www.news.test/"], [], "http://news.test/a", True),
        (["https://www.news.test/"], [], "https://cdn.news.test/a", True),
        (["https://www.news.test/"], [], "https://news.test:8443/a", False),
        (["https://news.test/"], ["news.test:8443", "news.test"], "https://news.test:8443/a", True),
        (["http://[::1]:8080/"], [], "http://[::1]:8080/a", True),
        (["http://[::1]:8080/"], [], "http://[::1]/a", False),
    ],
)
def test_scope_knows_ports(seeds: list[str], allowed: list[str], url: str, in_scope: bool) -> None:
    site = Site("x", seeds=tuple(seeds), scope=Scope(allowed_hosts=tuple(allowed)))
    assert site.on_allowed_host(url) is in_scope
