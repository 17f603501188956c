"""The `news` spider's discovery callbacks, failure outcomes and the private-address guard.

Callbacks are called directly with Scrapy response objects (no network); one test
runs a real crawl in a subprocess against a local server to prove that loopback
targets are refused and recorded unless allowed.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from newsarchive.spiders.failures import outcome_of_failure
from newsarchive.spiders.guard import PrivateAddressGuard, RefusedAddress, refusal_reason
from newsarchive.spiders.news import META_SOURCE, NewsSpider
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler
from support.crawls import crawl_command, run_command, run_newsarchive
from twisted.python.failure import Failure

from newsarchive.pagestep import process_page
from newsarchive.siteconfig import site_from_arguments

ROOT = Path(__file__).resolve().parents[1]
SITE = "http://news.test"


# Spiders here are never closed: a share of the process-wide extraction pool they took
# would stay counted and keep the pool alive for later tests.
NO_POOL = {"NEWSARCHIVE_EXTRACT_WORKERS": 0}


@pytest.fixture
def spider() -> NewsSpider:
    crawler = get_crawler(NewsSpider, {"NEWSARCHIVE_CRAWL_ID": "20260101T000000Z-abcd", **NO_POOL})
    return NewsSpider.from_crawler(crawler, start_urls=f"{SITE}/, {SITE}/world/")


def response_for(
    cls: type,
    url: str,
    body: bytes,
    meta: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Any:
    request = Request(url, meta=meta or {"newsarchive_via": {"type": "seed"}})
    return cls(
        url=url,
        body=body,
        request=request,
        status=status,
        headers=headers or {"Content-Type": "application/xml"},
    )


def collect(results: Any) -> list[Any]:
    """Everything an async callback (``parse_page``) yields."""

    async def drain() -> list[Any]:
        return [result async for result in results]

    return asyncio.run(drain())


def requests_of(results: list[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def parse_as(spider: NewsSpider, kind: str, response: Any) -> Any:
    """The spider's callback for a source file of ``kind`` (its request names the kind)."""
    response.meta[META_SOURCE] = kind
    return spider.parse_source(response)


def source_of(request: Request) -> tuple[str, Any]:
    """``(URL, what reads it)``: a source kind's name, or the callback of a page."""
    kind = request.meta.get(META_SOURCE)
    return request.url, kind if kind else request.callback


def test_arguments_as_scrapy_crawl_passes_them() -> None:
    site, rest = site_from_arguments(
        {
            "start_urls": "http://a.test/, https://b.test/x",
            "robots_sitemaps": "false",
            "feeds": "http://a.test/rss",
            "exclude": '["/video/", "/tag/(a|b),c"]',
            "max_depth": "3",
            "articles_since": "2026-01-01T00:00:00Z",
            "custom": "kept",
        }
    )
    assert site.seeds == ("http://a.test/", "https://b.test/x")
    assert site.allowed_domains == ["a.test", "b.test"]
    assert site.sources["robots_sitemaps"] is False and site.limits.max_depth == 3
    assert site.scope.exclude == ("/video/", "/tag/(a|b),c")
    assert rest == {"custom": "kept"}
    assert not site.wants_page("http://a.test/video/1-long-story-slug")
    assert not site.wants_page("http://c.test/2026/01/02/story")
    assert site.wants_page("http://www.b.test/2026/01/02/story")
    assert site.recent_enough("2026-01-02") and site.recent_enough(None)
    assert not site.recent_enough("2025-12-31T23:00:00Z")
    assert site.name == "a.test"  # no -a site=NAME: the first host names it


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("start_urls", "ftp://a.test/"),
        ("robots_sitemaps", "maybe"),
        ("include", "(unclosed"),
        ("articles_since", "last tuesday"),
        ("max_depth", "deep"),
    ],
)
def test_bad_arguments_name_the_argument(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        site_from_arguments({"start_urls": "http://a.test/", name: value})


@pytest.mark.parametrize(
    ("name", "value", "form"),
    [("max_depth", "banana", "expected an integer"), ("max_pages", "0", "integer >= 1")],
)
def test_a_bad_argument_closes_the_crawl_with_one_error_line(
    name: str, value: str, form: str, caplog: pytest.LogCaptureFixture
) -> None:
    """``-a`` strings as scrapyd passes them: one line naming the argument and the form
    it takes, and a spider that requests nothing and closes with a recorded reason."""
    crawler = get_crawler(NewsSpider, NO_POOL)
    with caplog.at_level("ERROR"):
        spider = NewsSpider.from_crawler(crawler, start_urls=f"{SITE}/", **{name: value})
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and f"{name}={value!r}" in errors[0] and form in errors[0]
    assert "\n" not in errors[0] and not any(r.exc_info for r in caplog.records)

    async def first() -> Any:
        return await anext(aiter(spider.start()))

    with pytest.raises(CloseSpider) as closed:
        asyncio.run(first())
    assert closed.value.reason == "bad_spider_argument"


def test_scrapy_crawl_with_a_bad_argument_logs_one_line_and_exits_2(tmp_path: Path) -> None:
    """The documented ``scrapy crawl news -a ...`` path, as scrapyd runs it: one line, and
    exit status 2 (bad input), so cron and CI see the failure."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "news",
            "-a", f"start_urls={SITE}/", "-a", "max_depth=banana",
            "-s", f"NEWSARCHIVE_OUTPUT_DIR={tmp_path / 'out'}",
            "-s", "NEWSARCHIVE_PROGRESS=False",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    errors = [line for line in done.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and "max_depth='banana': expected an integer" in errors[0], errors
    assert "Traceback" not in done.stderr
    assert "'finish_reason': 'bad_spider_argument'" in done.stderr
    assert done.returncode == 2, done.stderr[-2000:]


def test_spider_needs_start_urls() -> None:
    with pytest.raises(ValueError, match="start URLs"):
        NewsSpider()


def test_plan_arguments_in_process() -> None:
    """Lists and booleans as Python callers pass them (converted like -a strings)."""
    crawler = get_crawler(NewsSpider, NO_POOL)
    spider = NewsSpider.from_crawler(
        crawler,
        start_urls=[f"{SITE}/"],
        robots_sitemaps=False,
        feeds=[f"{SITE}/feed.rss"],
        sitemaps=[f"{SITE}/s.xml"],
        allowed_hosts=["news.test"],
        max_pages=None,
        site="n",
    )

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    assert [source_of(r) for r in requests] == [
        (f"{SITE}/", spider.parse_page),
        (f"{SITE}/s.xml", "sitemap"),
        (f"{SITE}/feed.rss", "feed"),
    ]
    assert all(r.callback == spider.parse_source for r in requests[1:])


def test_start_fetches_robots_once_per_origin_and_seeds_in_scope(spider: NewsSpider) -> None:
    """Without ROBOTSTXT_OBEY (get_crawler's default) the spider reads robots.txt itself."""

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    urls = [r.url for r in requests]
    assert urls == [f"{SITE}/robots.txt", f"{SITE}/", f"{SITE}/world/"]
    assert requests[0].callback == spider.parse_robots
    assert requests[0].meta["dont_obey_robotstxt"] is True
    assert requests[1].meta["newsarchive_via"]["type"] == "seed"
    assert spider.allowed_domains == ["news.test"]


def test_robots_sitemaps_in_scope_are_followed(spider: NewsSpider) -> None:
    body = (
        b"User-agent: *\nDisallow: /private/\n"
        b"Sitemap: http://news.test/sitemap-index.xml\n"
        b"Sitemap: http://elsewhere.test/sitemap.xml\n"
    )
    results = list(spider.parse_robots(response_for(TextResponse, f"{SITE}/robots.txt", body)))
    assert results[0]["_capture"].page_type == "robots"
    assert results[0]["_capture"].outcome == "not_article"
    assert [source_of(r) for r in requests_of(results)] == [
        (f"{SITE}/sitemap-index.xml", "sitemap")
    ]


def test_missing_robots_is_not_a_failure(spider: NewsSpider) -> None:
    response = response_for(TextResponse, f"{SITE}/robots.txt", b"nope", status=404)
    (item,) = list(spider.parse_robots(response))
    assert item["_capture"].outcome == "not_article"
    assert "no robots.txt" in item["_capture"].error


def test_sitemap_index_and_news_sitemap_keep_lastmod(spider: NewsSpider) -> None:
    index = b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://news.test/news-sitemap.xml</loc></sitemap>
  <sitemap><loc>http://evil.test/sitemap.xml</loc></sitemap>
</sitemapindex>"""
    children = requests_of(
        list(
            parse_as(
                spider, "sitemap", response_for(XmlResponse, f"{SITE}/sitemap-index.xml", index)
            )
        )
    )
    assert [r.url for r in children] == [f"{SITE}/news-sitemap.xml"]
    news = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>http://news.test/2026/01/02/big-story</loc>
    <news:news><news:publication><news:name>N</news:name><news:language>en</news:language>
    </news:publication><news:publication_date>2026-01-02T10:00:00Z</news:publication_date>
    <news:title>Big story</news:title></news:news></url>
</urlset>"""
    pages = requests_of(
        list(
            parse_as(spider, "sitemap", response_for(XmlResponse, f"{SITE}/news-sitemap.xml", news))
        )
    )
    assert [r.url for r in pages] == [f"{SITE}/2026/01/02/big-story"]
    assert pages[0].callback == spider.parse_page and pages[0].errback == spider.on_failure
    assert pages[0].meta["newsarchive_via"] == {
        "type": "news_sitemap",
        "url": f"{SITE}/news-sitemap.xml",
        "lastmod": "2026-01-02T10:00:00Z",
    }


def test_feed_entries_become_page_requests(spider: NewsSpider) -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>http://news.test/world/some-long-story-slug-here</link>
<pubDate>Fri, 02 Jan 2026 10:00:00 GMT</pubDate></item>
<item><title>B</title><link>http://other.test/x</link></item></channel></rss>"""
    pages = requests_of(
        list(parse_as(spider, "feed", response_for(XmlResponse, f"{SITE}/feed.rss", rss)))
    )
    assert [r.url for r in pages] == [f"{SITE}/world/some-long-story-slug-here"]
    assert pages[0].meta["newsarchive_via"]["type"] == "feed"
    assert pages[0].meta["newsarchive_via"]["lastmod"] == "2026-01-02T10:00:00Z"


def test_hub_links_and_feeds_are_followed_within_depth(spider: NewsSpider) -> None:
    html = b"""<html><head><link rel="alternate" type="application/rss+xml" href="/feed.rss">
</head><body><a href="/2026/01/02/a-long-article-slug">a</a><a href="/tag/politics/">t</a>
<a href="http://other.test/2026/01/02/offsite-story">o</a><a href="/logo.png">i</a></body></html>"""
    response = response_for(
        HtmlResponse,
        f"{SITE}/",
        html,
        headers={"Content-Type": "text/html"},
        meta={"newsarchive_depth": 0, "newsarchive_via": {"type": "seed"}},
    )

    def follow(spider: NewsSpider, depth: int) -> list[Any]:
        # The page step (in a worker in a crawl) collects the links; the spider filters them.
        outcome = process_page(
            html, response.url, {}, 200, following=spider.following(response, depth)
        )
        return list(spider.follow_hub(response, depth, outcome.links, outcome.feeds))

    followed = {r.url: r for r in follow(spider, 0)}
    assert set(followed) == {
        f"{SITE}/feed.rss",
        f"{SITE}/2026/01/02/a-long-article-slug",
        f"{SITE}/tag/politics/",
    }
    assert source_of(followed[f"{SITE}/feed.rss"]) == (f"{SITE}/feed.rss", "feed")
    assert followed[f"{SITE}/tag/politics/"].meta["newsarchive_depth"] == 1
    # each URL is requested once per crawl
    assert not follow(spider, 0)
    # at the depth limit only article-looking links are still requested
    fresh = NewsSpider.from_crawler(get_crawler(NewsSpider, NO_POOL), start_urls=f"{SITE}/")
    deeper = {r.url for r in follow(fresh, fresh.max_depth - 1)}
    assert f"{SITE}/tag/politics/" not in deeper
    assert f"{SITE}/2026/01/02/a-long-article-slug" in deeper


def test_error_status_is_recorded_without_extraction(spider: NewsSpider) -> None:
    response = response_for(
        HtmlResponse,
        f"{SITE}/gone",
        b"<html>Not found</html>",
        status=404,
        headers={"Content-Type": "text/html"},
    )
    (item,) = collect(spider.parse_page(response))
    assert set(item) == {"_capture"}
    assert item["_capture"].outcome == "http_error" and item["_capture"].status == 404


def test_bot_challenge_is_recorded_as_blocked(spider: NewsSpider) -> None:
    body = b"<html><head><title>Just a moment...</title></head><body>Checking</body></html>"
    response = response_for(
        HtmlResponse,
        f"{SITE}/2026/01/02/a-story",
        body,
        status=403,
        headers={"Content-Type": "text/html", "cf-mitigated": "challenge"},
    )
    (item,) = collect(spider.parse_page(response))
    assert set(item) == {"_capture"}
    assert item["_capture"].outcome == "blocked"
    assert "Cloudflare" in item["_capture"].error


def test_redirected_page_is_under_final_url(spider: NewsSpider) -> None:
    meta = {
        "redirect_urls": [f"{SITE}/old-path"],
        "newsarchive_via": {"type": "link", "url": f"{SITE}/", "lastmod": None},
    }
    response = response_for(
        HtmlResponse,
        f"{SITE}/new-path",
        b"<html></html>",
        meta=meta,
        headers={"Content-Type": "text/html"},
    )
    capture = spider.capture(response)
    assert capture.requested_url == f"{SITE}/old-path" and capture.url == f"{SITE}/new-path"
    assert capture.discovered_via == {
        "type": "redirect",
        "url": f"{SITE}/old-path",
        "lastmod": None,
    }
    assert capture.discovered_via_original["type"] == "link"
    assert capture.crawl_id == "20260101T000000Z-abcd"


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (IgnoreRequest("Forbidden by robots.txt"), "robots_denied"),
        (RefusedAddress("127.0.0.1 resolves to loopback address 127.0.0.1"), "refused"),
        (IgnoreRequest("Filtered offsite request to 'x.test'"), "refused"),
        (ConnectionRefusedError("connection refused"), "failed"),
    ],
)
def test_failures_are_named(spider: NewsSpider, exc: Exception, outcome: str) -> None:
    failure = Failure(exc)
    failure.request = Request(
        f"{SITE}/private/page",  # type: ignore[attr-defined]
        meta={"newsarchive_via": {"type": "link"}},
    )
    assert outcome_of_failure(failure)[0] == outcome
    (item,) = list(spider.on_failure(failure))
    assert item["_capture"].outcome == outcome
    assert item["_capture"].url == f"{SITE}/private/page"


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("127.0.0.1", "loopback"),
        ("localhost", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("169.254.169.254", "link-local"),
        ("127.1", "loopback"),
    ],
)
def test_refusal_reasons_for_hosts_as_written(host: str, words: str) -> None:
    reason = asyncio.run(refusal_reason(host))
    assert reason and words in reason


def test_public_address_is_not_refused() -> None:
    assert asyncio.run(refusal_reason("93.184.216.34")) is None


def test_guard_refuses_literal_loopback_unless_allowed() -> None:
    guard = PrivateAddressGuard.from_crawler(get_crawler())
    with pytest.raises(RefusedAddress, match="loopback"):
        asyncio.run(guard.process_request(Request("http://127.0.0.1:8080/")))
    with pytest.raises(NotConfigured):
        PrivateAddressGuard.from_crawler(
            get_crawler(settings_dict={"NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES": True})
        )


@pytest.mark.slow
def test_crawl_of_loopback_is_refused_and_recorded(tmp_path: Path) -> None:
    """A real crawl without --allow-private never reaches the local server."""
    from newsarchive.server import DemoSite

    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text("<html><body><a href='/a'>a</a></body></html>")
    out = tmp_path / "out"
    with DemoSite(site_dir) as site:
        run = run_newsarchive(
            "crawl",
            site.base_url + "/",
            "--out",
            out,
            "-s",
            "NEWSARCHIVE_WARC_ENABLED=False",
            timeout=120,
            cwd=tmp_path,
        )
        requested = site.request_log
        base = site.base_url
    assert run.returncode == 1 and "no page could be fetched" in run.stderr, run.stderr[-3000:]
    assert requested == []
    pages = [json.loads(line) for line in (out / "pages.jsonl").read_text().splitlines()]
    # Refused before robots.txt is needed: no robots.txt request either.
    assert {p["url"] for p in pages} == {base + "/"}
    assert {p["outcome"] for p in pages} == {"refused"}
    assert "loopback" in pages[0]["reason"]
    for batch in (out / "articles").glob("*.gz"):
        with gzip.open(batch) as handle:
            assert handle.read() == b""


ARTICLE_HTML = (
    """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens after repairs</title>
<meta property="og:type" content="article">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Harbour bridge reopens after repairs", "datePublished": "2026-01-02T08:00:00Z",
 "author": {"@type": "Person", "name": "Ann Example"}}</script></head>
<body><article><h1>Harbour bridge reopens after repairs</h1>
<p class="byline">By Ann Example</p><time datetime="2026-01-02T08:00:00Z">2 January 2026</time>
"""
    + "".join(
        f"<p>Paragraph {n}: the bridge carried its first traffic for three months on Friday, "
        "and engineers said the new bearings should last for another forty years of use.</p>"
        for n in range(8)
    )
    + "</article></body></html>"
)


@pytest.mark.slow
def test_article_reached_only_through_a_redirect(tmp_path: Path) -> None:
    """Requested under the old URL, exported once under the final one, hop recorded."""
    from newsarchive.server import DemoSite

    site_dir = tmp_path / "site"
    (site_dir / "2026" / "01" / "02").mkdir(parents=True)
    (site_dir / "index.html").write_text(
        "<html><body><a href='/old/bridge-story-moved-here-today'>bridge</a></body></html>"
    )
    (site_dir / "2026/01/02/harbour-bridge-reopens.html").write_text(ARTICLE_HTML)
    (site_dir / "_routes.toml").write_text(
        '[redirects]\n"/old/bridge-story-moved-here-today" = '
        '{ to = "/2026/01/02/harbour-bridge-reopens.html", status = 301 }\n'
    )
    out = tmp_path / "out"
    with DemoSite(site_dir) as site:
        base = site.base_url
        run = run_command(crawl_command(base + "/", out), timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = []
    for batch in (out / "articles").glob("*.jsonl.gz"):
        with gzip.open(batch, "rt", encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle]
    (article,) = rows
    assert article["url"] == base + "/2026/01/02/harbour-bridge-reopens.html"
    assert article["requested_url"] == base + "/old/bridge-story-moved-here-today"
    assert article["provenance"]["discovered_via"] == {
        "type": "redirect",
        "url": base + "/old/bridge-story-moved-here-today",
        "lastmod": None,
    }
    pages = [json.loads(line) for line in (out / "pages.jsonl").read_text().splitlines()]
    hop = next(p for p in pages if p["outcome"] == "redirect")
    assert hop["url"] == base + "/old/bridge-story-moved-here-today" and hop["status"] == 301


def test_plan_scope_and_since_filter_sitemap_entries() -> None:
    crawler = get_crawler(NewsSpider, NO_POOL)
    spider = NewsSpider.from_crawler(
        crawler, start_urls=f"{SITE}/", exclude=["/video/"], articles_since="2026-01-01T00:00:00Z"
    )
    body = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://news.test/2026/01/02/new-story</loc><lastmod>2026-01-02</lastmod></url>
  <url><loc>http://news.test/2025/12/30/old-story</loc><lastmod>2025-12-30</lastmod></url>
  <url><loc>http://news.test/video/2026/01/02/a-clip</loc><lastmod>2026-01-02</lastmod></url>
  <url><loc>http://news.test/2026/01/03/undated-story</loc></url>
</urlset>"""
    pages = requests_of(
        list(parse_as(spider, "sitemap", response_for(XmlResponse, f"{SITE}/sitemap.xml", body)))
    )
    assert [r.url for r in pages] == [
        f"{SITE}/2026/01/02/new-story",
        f"{SITE}/2026/01/03/undated-story",
    ]


def test_redirect_to_a_known_url_is_not_fetched_again(spider: NewsSpider) -> None:
    from newsarchive.spiders.redirects import AlreadyRequested, RedirectTargetOnce

    spider.crawler.spider = spider
    middleware = RedirectTargetOnce.from_crawler(spider.crawler)
    known = spider.page_request(f"{SITE}/2026/01/02/story", {"type": "link"}, 1, "article")
    assert known is not None
    moved = Request(f"{SITE}/2026/01/02/story", meta={"redirect_urls": [f"{SITE}/old"]})
    with pytest.raises(AlreadyRequested):
        middleware.process_request(moved)
    fresh = Request(f"{SITE}/2026/01/03/other", meta={"redirect_urls": [f"{SITE}/old2"]})
    assert middleware.process_request(fresh) is None
    # ...and the direct link found later is not requested a second time
    assert spider.page_request(f"{SITE}/2026/01/03/other", {"type": "link"}, 1, "article") is None
    assert middleware.process_request(Request(f"{SITE}/plain")) is None  # not a redirect
    failure = Failure(AlreadyRequested("x"))
    failure.request = moved  # type: ignore[attr-defined]
    assert list(spider.on_failure(failure)) == []  # the hop is recorded, not a failure


def test_a_hub_of_many_links_is_followed_up_to_the_limit() -> None:
    """A page of 2,000 article links gives the reactor at most NEWSARCHIVE_MAX_LINKS_PER_PAGE."""
    crawler = get_crawler(NewsSpider, {"NEWSARCHIVE_MAX_LINKS_PER_PAGE": 150})
    spider = NewsSpider.from_crawler(crawler, start_urls=f"{SITE}/")
    links = "".join(f'<a href="/2026/01/02/story-number-{n}-slug">s</a>' for n in range(2000))
    response = response_for(
        HtmlResponse,
        f"{SITE}/",
        f"<html><body>{links}</body></html>".encode(),
        headers={"Content-Type": "text/html"},
        meta={"newsarchive_depth": 0, "newsarchive_via": {"type": "seed"}},
    )
    try:
        requests = [r for r in collect(spider.parse_page(response)) if isinstance(r, Request)]
    finally:
        spider.close_extraction()
    assert len(requests) == 150
    assert requests[0].url == f"{SITE}/2026/01/02/story-number-0-slug"
