"""The crawl report: counts, failures by reason, coverage and layout-change flags."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from newsarchive.report import build_report, read_jsonl, render_text, report_crawl
from newsarchive.state import CrawlState


def _article(
    i: int, *, lede: bool = True, host: str = "news.example", crawl_id: str = "c2"
) -> dict[str, Any]:
    return {
        "url": f"https://{host}/2024/05/01/story-{i}",
        "headline": f"Story {i}",
        "lede": "What happened." if lede else "  ",
        "captions": [{"text": "A photo"}] if i % 2 == 0 else [],
        "quotes": [],
        "related_links": [{"url": "https://news.example/x"}],
        "authors": [{"name": "Jane Doe"}],
        "date_published": "2024-05-01T10:00:00Z" if i != 0 else None,
        "provenance": {"crawl_id": crawl_id},
    }


def _page(
    url: str,
    outcome: str,
    status: int | None = 200,
    reason: str | None = None,
    page_type: str | None = "article",
    via: str = "sitemap",
    crawl_id: str = "c2",
) -> dict[str, Any]:
    return {
        "url": url,
        "status": status,
        "outcome": outcome,
        "reason": reason,
        "page_type": page_type,
        "discovered_via": {"type": via, "url": None},
        "crawl_id": crawl_id,
    }


def _write_output(out: Path, articles: list[dict[str, Any]], pages: list[dict[str, Any]]) -> None:
    (out / "articles").mkdir(parents=True)
    (out / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
    half = len(articles) // 2
    with (out / "articles" / "articles-c2-00001.jsonl.gz").open("wb") as f:
        for article in articles[:half]:  # one gzip member per record, as the exporter writes
            f.write(gzip.compress((json.dumps(article) + "\n").encode()))
    # The file still being written when the crawl died: its last member is torn.
    members = b"".join(gzip.compress((json.dumps(a) + "\n").encode()) for a in articles[half:])
    torn = gzip.compress(b'{"url": "https://news.example/torn"}\n')[:-12]
    (out / "articles" / "articles-c2-00002.jsonl.gz.open").write_bytes(members + torn)


def _crawl(out: Path, *, ledes: bool) -> None:
    articles = [_article(i, lede=ledes) for i in range(10)]
    pages = [_page(a["url"], "article") for a in articles]
    pages += [
        _page("https://news.example/", "not_article", page_type="hub", via="seed"),
        _page("https://news.example/gone", "http_error", 404, "HTTP 404", "error", via="link"),
        _page("https://news.example/gone2", "http_error", 404, "HTTP 404", "error", via="link"),
        _page(
            "https://news.example/private",
            "robots_denied",
            None,
            "IgnoreRequest: Forbidden by robots.txt",
            None,
            via="link",
        ),
        _page("https://news.example/slow", "failed", None, "TimeoutError: took too long", None),
        _page("https://news.example/wall", "not_article", 403, None, "block_page"),
        _page("https://news.example/old", "article", crawl_id="c1"),  # an earlier crawl's line
    ]
    _write_output(out, articles, pages)


def test_counts_failures_and_coverage(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _crawl(out, ledes=True)
    report = build_report(out, site="news", crawl_id="c2")
    site = report["sites"]["news"]
    assert site["pages"] == 16 and site["articles"] == 10
    assert site["outcomes"]["article"] == 10 and site["outcomes"]["http_error"] == 2
    assert site["failures"] == {
        "HTTP 404": 2,
        "denied by robots.txt": 1,
        "TimeoutError": 1,
        "block or challenge page": 1,
    }
    assert site["discovered_via"]["sitemap"] == 12
    assert site["coverage"] == {
        "headline": 1.0,
        "lede": 1.0,
        "captions": 0.5,
        "quotes": 0.0,
        "related_links": 1.0,
        "authors": 1.0,
        "date_published": 0.9,
    }
    assert site["previous"] is None and site["coverage_drops"] == []
    assert report["totals"] == {"pages": 16, "articles": 10, "failures": 5}


def test_without_a_site_name_pages_are_grouped_by_host(tmp_path: Path) -> None:
    out = tmp_path / "out"
    articles = [_article(1), _article(2, host="www.other.example")]
    _write_output(out, articles, [_page(a["url"], "article") for a in articles])
    report = build_report(out)
    assert sorted(report["sites"]) == ["news.example", "other.example"]
    assert report["sites"]["other.example"]["articles"] == 1


def test_second_run_compares_with_the_first_and_flags_a_layout_change(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "state.sqlite") as state:
        first_run = state.start_run("news")
        _crawl(tmp_path / "run1", ledes=True)
        first = report_crawl(
            tmp_path / "run1", state=state, run_id=first_run, site="news", crawl_id="c2"
        )
        assert first["layout_change_suspected"] == []
        assert state.previous_run("news").stats["coverage"]["lede"] == 1.0

        second_run = state.start_run("news")
        _crawl(tmp_path / "run2", ledes=False)  # the lede selector broke
        second = report_crawl(
            tmp_path / "run2", state=state, run_id=second_run, site="news", crawl_id="c2"
        )
    site = second["sites"]["news"]
    assert site["previous"]["run_id"] == first_run
    assert site["coverage_change"]["lede"] == -1.0 and site["coverage_change"]["headline"] == 0
    assert site["coverage_drops"] == [
        {"field": "lede", "previous": 1.0, "current": 0.0, "drop": 1.0}
    ]
    assert second["layout_change_suspected"] == ["news"]
    text = (tmp_path / "run2" / "report.txt").read_text()
    assert "WARNING: coverage dropped by more than 20 points (lede 100% -> 0%)" in text
    assert "lede" in text and "(-100 pts)" in text
    saved = json.loads((tmp_path / "run2" / "report.json").read_text())
    assert saved["sites"]["news"]["layout_change_suspected"] is True


def test_small_samples_are_not_flagged(tmp_path: Path) -> None:
    from newsarchive.report import compare_coverage

    changes, drops = compare_coverage(
        {"lede": 0.0}, {"lede": 1.0}, current_articles=2, previous_articles=100
    )
    assert changes["lede"] == -1.0 and drops == []


def test_empty_or_missing_output_gives_an_empty_report(tmp_path: Path) -> None:
    report = build_report(tmp_path / "nothing", site="news")
    assert report["sites"]["news"]["pages"] == 0
    assert report["sites"]["news"]["coverage"]["headline"] is None
    assert "news: 0 pages, 0 articles" in render_text(report)


def test_damaged_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text('{"url": "a"}\nnot json\n[1, 2]\n{"url": "b"}\n{"url": "c", "tr')
    assert [r["url"] for r in read_jsonl(path)] == ["a", "b"]
    garbage = tmp_path / "x.jsonl.gz"
    garbage.write_bytes(b"not gzip at all")
    assert list(read_jsonl(garbage)) == []


def test_redirect_hops_and_unchanged_pages_are_not_failures(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pages = [
        _page("https://news.example/old", "redirect", status=301, reason="HTTP 301 -> /new"),
        _page("https://news.example/new", "article"),
        _page("https://news.example/same", "not_modified", status=304),
        _page("https://news.example/gone", "http_error", status=404, reason="HTTP 404"),
    ]
    _write_output(out, [_article(1)], pages)
    site = build_report(out, site="news", crawl_id="c2")["sites"]["news"]
    assert site["outcomes"]["redirect"] == 1 and site["outcomes"]["not_modified"] == 1
    assert site["failures"] == {"HTTP 404": 1}
