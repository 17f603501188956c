"""``newsarchive reextract`` gives back the crawl's article records from its WARC files."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsarchive.spiders.workerpool import map_in_order
from support.crawls import NO_DELAY, crawl_command, run_command
from support.warcsite import RawSite, Route, html_page, http_response

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = ROOT / "fixtures" / "site"
HTML = [("Content-Type", "text/html; charset=utf-8")]


def fixture_routes() -> dict[str, Route]:
    """The demo site's article pages under a hub, each third gzip-coded or chunked."""
    pages = sorted(p.relative_to(FIXTURE_SITE).as_posix() for p in FIXTURE_SITE.rglob("*.html"))
    routes = {
        "/": Route(
            http_response("200 OK", HTML, html_page("Home", [f"/{p}" for p in pages], filler=20))
        )
    }
    framings = ("gzip", "chunked", "length")
    for number, page in enumerate(pages):
        body = (FIXTURE_SITE / page).read_bytes()
        framing = framings[number % 3]
        if framing == "gzip":
            raw = http_response(
                "200 OK", [*HTML, ("Content-Encoding", "gzip")], gzip.compress(body, mtime=0)
            )
        else:
            raw = http_response("200 OK", HTML, body, framing=framing)
        routes[f"/{page}"] = Route(raw)
    return routes


def news_crawl(out: Path, url: str, crawl_id: str) -> None:
    """The project's real crawl (news spider + pipelines), fast settings."""
    settings = {**NO_DELAY, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
    command = crawl_command(url, out, crawl_id=crawl_id, settings=settings)
    result = run_command(command, timeout=180, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]


def crawl_articles(out: Path, crawl_id: str) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((out / "articles").glob(f"articles-{crawl_id}-*.jsonl.gz"))
        for line in gzip.open(path, "rt", encoding="utf-8")
    ]


def by_capture(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keyed = {record["capture_id"]: record for record in records}
    assert len(keyed) == len(records)
    return keyed


def reextract(*args: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "reextract", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not list(FIXTURE_SITE.rglob("*.html")):
        pytest.skip("fixtures/site has no pages yet")
    out = tmp_path_factory.mktemp("news")
    with RawSite(fixture_routes()) as site:
        news_crawl(out, site.base_url + "/", "first")
        news_crawl(out, site.base_url + "/", "second")  # same payloads: revisit records
    yield out


def test_reextract_equals_the_crawl_output(two_crawls: Path) -> None:
    crawled = crawl_articles(two_crawls, "first")
    assert len(crawled) >= 3
    first_warc = sorted((two_crawls / "warc").glob("*.warc.gz"))[0]
    again = reextract(str(first_warc), "--jobs", "2")
    # Same records with the same provenance (fetched_at included); the crawl exports in
    # the order its callbacks finished, reextract in archive order.
    assert by_capture(again) == by_capture(crawled)
    for record in again:
        assert record["provenance"]["warc_filename"] == first_warc.name
        assert record["provenance"]["crawl_id"] == "first"


def test_reextract_output_order_does_not_depend_on_jobs(two_crawls: Path) -> None:
    first_warc = sorted((two_crawls / "warc").glob("*.warc.gz"))[0]
    assert reextract(str(first_warc), "--jobs", "1") == reextract(str(first_warc), "--jobs", "2")


def test_reextract_resolves_revisits_of_an_earlier_crawl(two_crawls: Path) -> None:
    """The second crawl archived revisits only; their payloads come from the first crawl.

    (The second crawl itself exports nothing new: unchanged texts were exported by the
    first crawl into the same folder. Re-extraction gives every page's record.)
    """
    second_warc = sorted((two_crawls / "warc").glob("*.warc.gz"))[1]
    with gzip.open(second_warc, "rb") as stream:
        assert b"WARC-Type: revisit" in stream.read()
    again = reextract(str(second_warc), "--jobs", "1")
    first = {record["url"]: record for record in crawl_articles(two_crawls, "first")}
    assert sorted(record["url"] for record in again) == sorted(first)

    def content(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in ("provenance", "capture_id")}

    for record in again:
        assert content(record) == content(first[record["url"]])
        provenance = record["provenance"]
        assert provenance["warc_filename"] == second_warc.name
        assert provenance["crawl_id"] == "second"
        assert provenance["fetched_at"] > first[record["url"]]["provenance"]["fetched_at"]


def test_reextract_reports_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "reextract", str(tmp_path / "nope.warc.gz")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "no such WARC file" in result.stderr


def _square(number: int) -> int:
    return number * number


def test_ordered_map_keeps_input_order_over_processes() -> None:
    results = map_in_order(_square, range(50), 2, failed=lambda item, error: -1, window=4)
    assert list(results) == [n * n for n in range(50)]


def test_a_plan_sites_timezone_reads_its_dates_as_the_crawl_did() -> None:
    """The crawl reads a date without offset in the plan site's ``timezone``; ``reextract``
    kept only its day, so the same capture gave another ``date_published``."""
    from newsarchive.fetchfacts import FetchFacts
    from newsarchive.warc.reread import ArchivedPage, SiteRules, extract_page

    url = "http://127.0.0.1:9/news/2024/10/23/ferry.html"
    body = (
        b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        b'"headline": "Ferry fares", "datePublished": "2024-10-23T03:48:00"}</script></head>'
        b"<body><article><h1>Ferry fares</h1><p>The ferry company raised its fares.</p>"
        b"</article></body></html>"
    )
    headers = {"Content-Type": "text/html; charset=utf-8"}
    facts = FetchFacts(url=url, status=200)
    berlin = ArchivedPage(url, body, headers, facts, SiteRules(timezone="Europe/Berlin"))
    assert extract_page(berlin)["record"]["date_published"] == "2024-10-23T03:48:00+02:00"
    plain = ArchivedPage(url, body, headers, facts)
    assert extract_page(plain)["record"]["date_published"] == "2024-10-23"
