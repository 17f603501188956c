"""One site configuration: a plan, spider arguments and bare URLs give the same type,
and its scope rules (hosts, ports, www, subdomains, include/exclude, articles since)
exist once, on :class:`newsarchive.siteconfig.Site`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsarchive.spiders.guard import OutOfScope, ScopeGuard
from newsarchive.spiders.news import NewsSpider
from scrapy import Request
from scrapy.utils.test import get_crawler

from newsarchive.plan import parse_plan
from newsarchive.siteconfig import Scope, Site, site_from_arguments

NO_POOL = {"NEWSARCHIVE_EXTRACT_WORKERS": 0}

PLAN = """\
[[sites]]
name = "daily"
seeds = ["https://www.daily.example/", "https://daily.example:8443/world/"]
refetch = "conditional"
[sites.sources]
robots_sitemaps = false
news_sitemaps = ["https://daily.example/news.xml"]
feeds = ["https://feeds.example/daily", "https://daily.example/rss"]
discover_feeds = false
[sites.scope]
allowed_hosts = ["Daily.Example", "cdn.example:8080"]
include = ['/20\\d\\d/', '/world/']
exclude = ['/video/', '\\?print=']
canonical_hosts = ["daily.example", "daily-group.example"]
[sites.limits]
max_pages = 50
max_depth = 3
articles_since = "2024-05-01"
"""

ARGUMENTS = {
    "site": "daily",
    "start_urls": "https://www.daily.example/,https://daily.example:8443/world/",
    "refetch": "conditional",
    "robots_sitemaps": "no",
    "news_sitemaps": "https://daily.example/news.xml",
    "feeds": '["https://feeds.example/daily", "https://daily.example/rss"]',
    "discover_feeds": "false",
    "allowed_hosts": "Daily.Example, cdn.example:8080",
    "include": r'["/20\\d\\d/", "/world/"]',
    "exclude": r'["/video/", "\\?print="]',
    "canonical_hosts": "daily.example,daily-group.example",
    "max_pages": "50",
    "max_depth": "3",
    "articles_since": "2024-05-01",
}


def test_a_plan_and_spider_arguments_give_the_same_site() -> None:
    from_plan = parse_plan(PLAN, "plan.toml").site("daily")
    from_arguments, rest = site_from_arguments(ARGUMENTS)
    assert rest == {}
    assert from_arguments == from_plan
    assert from_plan.scope.allowed_hosts == ("daily.example", "cdn.example:8080")


def test_scrapy_crawl_strings_and_the_plan_object_reach_the_spider_alike() -> None:
    site = parse_plan(PLAN, "plan.toml").site("daily")
    given = NewsSpider.from_crawler(get_crawler(NewsSpider, NO_POOL), site_config=site)
    typed = NewsSpider.from_crawler(get_crawler(NewsSpider, NO_POOL), **ARGUMENTS)
    assert given.site_config == typed.site_config == site
    assert given.allowed_domains == typed.allowed_domains == ["cdn.example", "daily.example"]

    async def start(spider: NewsSpider) -> list[str]:
        return [r.url async for r in spider.start() if isinstance(r, Request)]

    assert asyncio.run(start(given)) == asyncio.run(start(typed))
    with pytest.raises(ValueError, match="not both"):
        NewsSpider.from_crawler(
            get_crawler(NewsSpider, NO_POOL), site_config=site, start_urls="http://a.example/"
        )


def test_newsarchive_crawl_urls_build_the_same_site(tmp_path: Path) -> None:
    from newsarchive.commands.crawl import options_from_args

    urls = ["www.daily.example", "https://daily.example/world/"]
    args = argparse.Namespace(
        urls=urls, out=tmp_path, crawl_id="c1", allow_private=False, max_pages=None, settings=[]
    )
    site = options_from_args(args).spider_kwargs()["site_config"]
    assert site == site_from_arguments({"start_urls": ",".join(urls)})[0]
    assert site.seeds == ("http://www.daily.example", "https://daily.example/world/")
    assert site.name == "daily.example"


D = "https://daily.example/"


def scoped(*seeds: str, hosts: tuple[str, ...] = (), **patterns: tuple[str, ...]) -> Site:
    return Site("s", seeds=seeds, scope=Scope(allowed_hosts=hosts, **patterns))


@pytest.mark.parametrize(
    ("site", "url", "wanted"),
    [
        # www. is dropped on both sides; subdomains belong to their host, look-alikes do not
        (scoped("https://www.daily.example/"), "https://daily.example/2024/a", True),
        (scoped(D), "https://WWW.Daily.Example/2024/a", True),
        (scoped(D), "https://cdn.daily.example/2024/a", True),
        (scoped(D), "https://notdaily.example/2024/a", False),
        (scoped(D), "https://daily.example.evil/2024/a", False),
        (scoped(D, hosts=("www.other.example",)), "https://other.example/", True),
        (scoped(D, hosts=("other.example",)), "https://daily.example/", False),
        # ports: a bare host takes the seeds' ports (and 80/443 with them), host:port just that
        (scoped("http://127.0.0.1:28417/"), "http://127.0.0.1:28417/a", True),
        (scoped("http://127.0.0.1:28417/"), "http://127.0.0.1/a", False),
        (scoped(D), "http://daily.example/a", True),
        (scoped(D), "https://daily.example:8443/a", False),
        (scoped(D, hosts=("daily.example:8443",)), "https://daily.example/a", False),
        (scoped("http://[::1]:8080/"), "http://[::1]:8080/a", True),
        (scoped("http://[::1]:8080/"), "http://[::1]/a", False),
        (scoped(D), "ftp://daily.example/a", False),
        # include and exclude are searched in the whole URL
        (scoped(D, include=("/20\\d\\d/",)), "https://daily.example/2024/a", True),
        (scoped(D, include=("/20\\d\\d/",)), "https://daily.example/about", False),
        (scoped(D, exclude=("/video/",)), "https://daily.example/video/2024", False),
        (scoped(D, exclude=("\\?print=",)), "https://daily.example/a?print=1", False),
    ],
)  # fmt: skip
def test_scope(site: Site, url: str, wanted: bool) -> None:
    assert site.wants_page(url) is wanted


def test_sources_are_checked_for_host_and_port_only() -> None:
    """Sitemaps and feeds (and redirects) are not pages: include/exclude do not apply."""
    site = scoped(D, include=("/20\\d\\d/",))
    assert site.on_allowed_host("https://daily.example/sitemap.xml")
    assert not site.wants_page("https://daily.example/sitemap.xml")


def test_redirects_are_refused_by_the_same_scope() -> None:
    crawler = get_crawler(NewsSpider, NO_POOL)
    crawler.spider = NewsSpider.from_crawler(crawler, start_urls="http://news.test:8080/")
    guard = ScopeGuard(crawler)
    hop = {"redirect_urls": ["http://news.test:8080/a"]}
    assert guard.process_request(Request("http://news.test:8080/b", meta=hop)) is None
    with pytest.raises(OutOfScope):
        guard.process_request(Request("http://news.test:9090/b", meta=hop))


def test_articles_since_a_duration_counts_from_the_crawl_start() -> None:
    site = parse_plan(
        '[[sites]]\nname = "s"\nseeds = ["https://a.example/"]\nlimits.articles_since = "7d"\n'
    ).site("s")
    at = site.at(datetime(2024, 5, 8, 12, 0, tzinfo=UTC))
    assert at.limits.articles_since == "2024-05-01T12:00:00Z"
    assert at.recent_enough("2024-05-01") and at.recent_enough(None)
    assert not at.recent_enough("2024-04-30T23:59:59Z")
    spider = NewsSpider.from_crawler(get_crawler(NewsSpider, NO_POOL), site_config=site)
    assert spider.site_config.limits.articles_since.endswith("Z")  # fixed when it started


def test_plan_show_prints_the_site_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from newsarchive.cli import main

    path = tmp_path / "papers.toml"
    path.write_text(PLAN, encoding="utf-8")
    assert main(["plan", "show", str(path)]) == 0
    shown = json.loads(capsys.readouterr().out)["daily"]
    assert shown["settings"]["CLOSESPIDER_PAGECOUNT"] == 50
    site = shown["site"]
    assert site["sources"]["feeds"] == ["https://feeds.example/daily", "https://daily.example/rss"]
    assert site["sources"]["follow_links"] is True  # defaults are shown too
    assert site["limits"]["articles_since"] == "2024-05-01"
    assert site["scope"]["effective"] == ["cdn.example:8080", "daily.example:80,443,8443"]


def test_newsarchive_crawl_plan_hands_the_plans_site_to_the_spider(tmp_path: Path) -> None:
    from newsarchive.commands.crawl import plan_crawls

    path = tmp_path / "papers.toml"
    path.write_text(PLAN, encoding="utf-8")
    args = argparse.Namespace(
        urls=[], plan=path, site=[], out=None, crawl_id="c1", settings=[], max_pages=None,
        allow_private=False,
    )  # fmt: skip
    plan, _, crawls = plan_crawls(args)
    assert crawls[0].spider_kwargs() == {"site_config": plan.site("daily")}
    assert crawls[0].overrides["CLOSESPIDER_PAGECOUNT"] == 50
