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

from newsarchive.warc.reread import ordered_map
from newsarchive.warc.testing import RawSite, Route, html_page, http_response

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = ROOT / "fixtures" / "site"
HTML = [("Content-Type", "text/html; charset=utf-8")]


def fixture_routes() -> dict[str, Route]:
    """The demo site's article pages under a hub, each third gzip-coded or chunked."""
    pages = sorted(p.relative_to(FIXTURE_SITE).as_posix() for p in FIXTURE_SITE.rglob("*.html"))
    routes = {"/": Route(http_response("200 OK", HTML,
                                       html_page("Home", [f"/{p}" for p in pages], filler=20)))}
    framings = ("gzip", "chunked", "length")
    for number, page in enumerate(pages):
        body = (FIXTURE_SITE / page).read_bytes()
        framing = framings[number % 3]
        if framing == "gzip":
            raw = http_response("200 OK", [*HTML, ("Content-Encoding", "gzip")],
                                gzip.compress(body, mtime=0))
        else:
            raw = http_response("200 OK", HTML, body, framing=framing)
        routes[f"/{page}"] = Route(raw)
    return routes


def news_crawl(out: Path, url: str, crawl_id: str) -> None:
    """The project's real crawl (news spider + pipelines), fast settings."""
    args = [sys.executable, "-m", "newsarchive", "crawl", url, "--out", str(out),
            "--allow-private", "--crawl-id", crawl_id, "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]


def crawl_articles(out: Path, crawl_id: str) -> list[dict[str, Any]]:
    return [json.loads(line)
            for path in sorted((out / "articles").glob(f"articles-{crawl_id}-*.jsonl.gz"))
            for line in gzip.open(path, "rt", encoding="utf-8")]


def reextract(*args: str) -> list[dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "newsarchive", "reextract", *args],
                            capture_output=True, text=True, timeout=180, cwd=ROOT)
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
    assert again == crawled  # same records, same order, same provenance (fetched_at included)
    for record in again:
        assert record["provenance"]["warc_filename"] == first_warc.name
        assert record["provenance"]["crawl_id"] == "first"


def test_reextract_resolves_revisits_of_an_earlier_crawl(two_crawls: Path) -> None:
    second_warc = sorted((two_crawls / "warc").glob("*.warc.gz"))[1]
    with gzip.open(second_warc, "rb") as stream:
        assert b"WARC-Type: revisit" in stream.read()
    crawled = crawl_articles(two_crawls, "second")
    again = reextract(str(second_warc), "--jobs", "1")
    assert again == crawled and len(again) >= 3


def test_reextract_reports_a_missing_file(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "newsarchive", "reextract",
                             str(tmp_path / "nope.warc.gz")], capture_output=True, text=True)
    assert result.returncode == 2 and "no such WARC file" in result.stderr


def _square(number: int) -> int:
    return number * number


def test_ordered_map_keeps_input_order_over_processes() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as executor:
        assert list(ordered_map(_square, range(50), executor, window=4)) == \
            [n * n for n in range(50)]
