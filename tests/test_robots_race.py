"""robots.txt is obeyed by every request queued before it arrives, and fetched once per origin.

Scrapy's RobotsTxtMiddleware shares one Deferred between the requests waiting
for robots.txt; only the first gets the parser, the rest were let through as
if everything were allowed. Here nine seeds on one host (one disallowed), a
sitemap and a feed named by the plan (both listing the disallowed page) all
start at once.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from newsarchive.spiders.robots import RobotsTxtGate, origin_of, robots_url_of
from scrapy import Request
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler
from trapsite import CrawlRun, HostileSite, article_html, crawl, html, text

ROBOTS = "User-agent: *\nDisallow: /private/\n"
PRIVATE = "/private/2024-05-02-secret-plans.html"
PUBLIC = [f"/news/2024-05-01-story-number-{n}.html" for n in range(7)]


def slow_robots(_: object) -> tuple[int, list[tuple[str, str]], bytes]:
    """robots.txt arrives late, so every seed, sitemap and feed is queued before it."""
    time.sleep(0.5)
    return text(ROBOTS)


def routes(base: str) -> dict:
    sitemap = "".join(f"<url><loc>{base}{p}</loc></url>" for p in [*PUBLIC, PRIVATE])
    items = "".join(f"<item><link>{base}{p}</link><title>t</title></item>" for p in [PRIVATE])
    table = {
        "/robots.txt": slow_robots,
        "/": lambda _: html(b"<html><body><p>Home</p></body></html>"),
        "/sitemap.xml": lambda _: text(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{sitemap}</urlset>",
            content_type="application/xml",
        ),
        "/feed.rss": lambda _: text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}'
            "</channel></rss>",
            content_type="application/rss+xml",
        ),
    }
    for path in [*PUBLIC, PRIVATE]:
        table[path] = lambda _, p=path: html(article_html(p.rsplit("/", 1)[-1]))
    return table


@pytest.fixture(scope="module")
def plan_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, list[str], str]:
    tmp_path = tmp_path_factory.mktemp("race")
    table: dict = {}
    with HostileSite(table) as site:
        table.update(routes(site.base))
        seeds = [f"{site.base}/", f"{site.base}{PRIVATE}"] + [f"{site.base}{p}" for p in PUBLIC]
        run = crawl(
            seeds,
            tmp_path / "out",
            spider_args={
                "sitemaps": [f"{site.base}/sitemap.xml"],
                "feeds": [f"{site.base}/feed.rss"],
            },
        )
        return run, site.paths(), site.base


def test_no_request_queued_before_robots_txt_bypasses_it(
    plan_crawl: tuple[CrawlRun, list[str], str],
) -> None:
    run, paths, base = plan_crawl
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(seeds_fetched := [p for p in paths if p in PUBLIC]) == len(PUBLIC), seeds_fetched
    assert PRIVATE not in paths
    assert not [a for a in run.articles() if PRIVATE in (a.get("url") or "")]
    denied = [p for p in run.pages() if p["outcome"] == "robots_denied"]
    assert {p["url"] for p in denied} == {base + PRIVATE}
    assert len(run.articles()) == len(PUBLIC)


def test_robots_txt_is_fetched_and_archived_once_per_origin(
    plan_crawl: tuple[CrawlRun, list[str], str],
) -> None:
    run, paths, base = plan_crawl
    assert run.returncode == 0, run.stderr[-3000:]
    assert paths.count("/robots.txt") == 1
    robots_records = [kind for kind, uri, _ in run.warc_records() if uri == f"{base}/robots.txt"]
    assert sorted(robots_records) == ["request", "response"]
    robots_pages = [p for p in run.pages() if p["url"] == f"{base}/robots.txt"]
    assert len(robots_pages) == 1 and robots_pages[0]["page_type"] == "robots"


def test_only_the_first_512_kib_of_a_huge_robots_txt_are_parsed(tmp_path: Path) -> None:
    """Parsed on the reactor thread and checked for every request: a 4 MB file would stall."""
    rules = "".join(f"Disallow: /p{n}/*x*y\n" for n in range(200_000))
    table = {
        "/robots.txt": lambda _: text("User-agent: *\nDisallow: /private/\n" + rules),
        PUBLIC[0]: lambda _: html(article_html("story")),
    }
    with HostileSite(table) as site:
        run = crawl(
            [f"{site.base}{PUBLIC[0]}", f"{site.base}{PRIVATE}"],
            tmp_path / "out",
            settings={"ROBOTSTXT_PARSER": "trapsite.MeasuringRobotParser"},
        )
        paths = site.paths()
    assert run.returncode == 0, run.stderr[-3000:]
    (size,) = [int(n) for n in re.findall(r"robots parser got (\d+) bytes", run.stderr)]
    assert size == 512 * 1024
    assert PUBLIC[0] in paths and PRIVATE not in paths  # rules at the start still apply


# --------------------------------------------------------------------------- the gate alone

ORIGIN = "http://news.test:80"


def gate_for(spider: object = None) -> RobotsTxtGate:
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    crawler.spider = spider
    return RobotsTxtGate.from_crawler(crawler)


def verdicts(gate: RobotsTxtGate, paths: list[str], then: Callable[[], None]) -> list[tuple]:
    """One request per path waits for ORIGIN's verdict; ``then()`` runs while they wait."""

    async def scenario() -> list[tuple]:
        waiting = [
            asyncio.ensure_future(gate.process_request(Request(f"http://news.test{path}")))
            for path in paths
        ]
        await asyncio.sleep(0.01)
        assert not any(task.done() for task in waiting)
        then()
        done = await asyncio.gather(*waiting, return_exceptions=True)
        return [
            (path, type(result).__name__ if isinstance(result, Exception) else "allowed")
            for path, result in zip(paths, done, strict=True)
        ]

    return asyncio.run(scenario())


def test_every_request_waiting_for_robots_txt_gets_the_same_verdict() -> None:
    gate = gate_for()
    fetches: list[str] = []
    gate._start_fetch = lambda origin, needed_by: fetches.append(origin)  # type: ignore[method-assign]
    parser = ProtegoRobotParser.from_crawler(gate.crawler, ROBOTS.encode())
    results = verdicts(
        gate, ["/a", "/private/b", "/c", "/private/d"], lambda: gate._settle(ORIGIN, parser)
    )
    assert fetches == [ORIGIN]  # one fetch for all four
    assert results == [
        ("/a", "allowed"),
        ("/private/b", "RobotsTxtDenied"),
        ("/c", "allowed"),
        ("/private/d", "RobotsTxtDenied"),
    ]


def test_a_robots_fetch_that_breaks_releases_its_waiters() -> None:
    class BrokenSpider:
        def robots_txt_request(self, url: str, needed_by: str) -> Request:
            raise RuntimeError("spider bug")

    gate = gate_for(BrokenSpider())

    async def scenario() -> list[object]:
        waiting = [gate.process_request(Request(f"http://news.test{p}")) for p in ("/a", "/b")]
        return await asyncio.wait_for(asyncio.gather(*waiting), timeout=30)

    assert asyncio.run(scenario()) == [None, None]  # allowed, as on a download error


def test_requests_still_waiting_when_the_crawl_closes_are_refused() -> None:
    gate = gate_for()
    gate._start_fetch = lambda origin, needed_by: None  # type: ignore[method-assign]
    assert verdicts(gate, ["/a"], gate._close) == [("/a", "IgnoreRequest")]


PLAN = """
[plan]
name = "race"
state = "state.sqlite"
output = "output"

[[sites]]
name = "race"
seeds = {seeds}
contact = "mailto:archive@example.org"
allow_private = true
sources = {{ sitemaps = ["{base}/sitemap.xml"], feeds = ["{base}/feed.rss"] }}
politeness = {{ delay = 0.0, autothrottle = false }}
"""


def test_a_plan_crawl_obeys_robots_txt_from_one_fetch(tmp_path: Path) -> None:
    """The same site through `newsarchive crawl --plan`: the way archivists run it."""
    table: dict = {}
    with HostileSite(table) as site:
        table.update(routes(site.base))
        seeds = [f"{site.base}/", f"{site.base}{PRIVATE}"] + [f"{site.base}{p}" for p in PUBLIC]
        plan = tmp_path / "race.toml"
        plan.write_text(PLAN.format(seeds=json.dumps(seeds), base=site.base))
        fast = ["-s", "NEWSARCHIVE_EXTRACT_WORKERS=0", "-s", "NEWSARCHIVE_PROGRESS=False"]
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "--plan", str(plan), *fast],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
        )
        paths = site.paths()
    assert run.returncode == 0, run.stderr[-3000:]
    assert paths.count("/robots.txt") == 1
    assert PRIVATE not in paths
    assert {p for p in paths if p in PUBLIC} == set(PUBLIC)
    (pages_file,) = (tmp_path / "output").glob("race/*/pages.jsonl")
    pages = [json.loads(line) for line in pages_file.read_text().splitlines()]
    denied = {p["url"] for p in pages if p["outcome"] == "robots_denied"}
    assert denied == {site.base + PRIVATE}


@pytest.mark.parametrize(
    ("url", "robots"),
    [
        ("http://News.Test/a", "http://news.test/robots.txt"),
        ("https://news.test:443/a", "https://news.test/robots.txt"),
        ("http://news.test:8080/a?b", "http://news.test:8080/robots.txt"),
        ("http://[::1]:8080/a", "http://[::1]:8080/robots.txt"),
        ("https://[::1]/a", "https://[::1]/robots.txt"),
    ],
)
def test_one_robots_txt_per_origin(url: str, robots: str) -> None:
    parts = urlsplit(url)
    assert robots_url_of(origin_of(parts.scheme, parts.hostname or "", parts.port)) == robots
