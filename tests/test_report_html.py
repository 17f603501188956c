"""report.html: the plan's runs as charts, checked as markup and in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.browser import chromium as debian_chromium
from support.crawls import local_plan, run_newsarchive

from newsarchive.report_html import render
from newsarchive.state import Run

COVERAGE = {
    "headline": 1.0,
    "lede": 0.9,
    "captions": 0.5,
    "quotes": 0.4,
    "related_links": 0.8,
    "authors": 0.9,
    "date_published": 1.0,
}


def _run(run_id: int, articles: int, failures: dict[str, int], **coverage: float) -> Run:
    stats = {
        "pages": articles + sum(failures.values()),
        "articles": articles,
        "failures": failures,
        "coverage": {**COVERAGE, **coverage},
    }
    return Run(run_id, "herald", f"2026-12-0{run_id}T00:00:00Z", None, "finished", stats)


def _values(page: str, css_class: str, attribute: str = "data-value") -> list[str]:
    pattern = rf'<[a-z]+ class="{css_class}[^"]*"[^>]*?{attribute}="([^"]*)"'
    return re.findall(pattern, page)


def test_each_run_is_a_bar_and_each_failure_reason_a_segment() -> None:
    runs = [_run(1, 12, {}), _run(2, 30, {"HTTP 503": 4, "timeout": 1}), _run(3, 7, {})]
    page = render("papers", runs)
    assert _values(page, "bar") == ["12", "30", "7"]
    assert _values(page, "failure", "data-reason") == ["HTTP 503", "timeout"]
    assert _values(page, "failure") == ["4", "1"]
    assert len(_values(page, "point")) == 3 * len(COVERAGE)


def test_a_coverage_drop_is_flagged_on_its_run() -> None:
    runs = [_run(1, 20, {}), _run(2, 20, {}, authors=0.2)]
    page = render("papers", runs)
    assert "authors 90% &rarr; 20%" in page
    dropped = re.findall(r'class="point drop"[^>]*data-run="(\d+)" data-field="(\w+)"', page)
    assert dropped == [("2", "authors")]


def test_strings_from_the_network_are_escaped_and_the_page_has_no_script() -> None:
    hostile = '<script>alert(1)</script>" onmouseover="x'
    runs = [_run(1, 5, {hostile: 2})]
    page = render("papers", runs)
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert 'onmouseover="x' not in page
    assert "http://" not in page and "https://" not in page  # nothing loaded from anywhere


def test_unfinished_runs_are_counted_not_drawn() -> None:
    crashed = Run(2, "herald", "2026-12-02T00:00:00Z", None, "interrupted", {})
    page = render("papers", [_run(1, 5, {}), crashed])
    assert "1 finished runs, 1 unfinished" in page
    assert _values(page, "bar") == ["5"]


# --------------------------------------------------------------------------- in a browser


@pytest.mark.slow
def test_report_page_renders_in_chromium_with_the_numbers_of_report_json(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    from newsarchive.server import DemoSite

    chromium = debian_chromium()
    with DemoSite() as site:
        (tmp_path / "plan.toml").write_text(local_plan(site.base_url))
        for crawl_id in ("20260101T000000Z-aaaa", "20260102T000000Z-bbbb"):
            crawl = run_newsarchive(
                *("crawl", "--plan", "plan.toml", "--site", "herald", "--crawl-id", crawl_id),
                timeout=180,
                cwd=tmp_path,
            )
            assert crawl.returncode == 0, crawl.stderr[-3000:]
            assert "Report of every run:" in crawl.stdout
    page_path = tmp_path / "out" / "report.html"
    assert page_path.read_text().count('class="bar"') == 2  # the crawl wrote it, both runs
    written = run_newsarchive("report", "--plan", "plan.toml", timeout=60, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    page_path = tmp_path / "out" / "report.html"
    reports = sorted(tmp_path.rglob("report.json"), key=lambda p: p.parent.name)
    expected = [json.loads(p.read_text())["sites"]["herald"] for p in reports]
    assert len(expected) == 2

    problems: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(request.url))
            page.goto(page_path.as_uri())
            bars = page.eval_on_selector_all(
                'rect.bar[data-site="herald"]', "els => els.map(e => +e.dataset.value)"
            )
            points = page.eval_on_selector_all(
                'circle.point[data-site="herald"]',
                "els => els.map(e => [e.dataset.field, +e.dataset.value])",
            )
            drawn = page.eval_on_selector_all(
                'rect.bar[data-site="herald"]',
                "els => els.map(e => e.getBoundingClientRect().height)",
            )
        finally:
            browser.close()
    assert problems == []
    assert bars == [site["articles"] for site in expected]
    assert expected[0]["articles"] > 0  # the second run is incremental: 0 new articles
    assert [height > 0 for height in drawn] == [value > 0 for value in bars]
    for field, share in expected[-1]["coverage"].items():
        if share is not None:
            assert [value for name, value in points if name == field][-1] == share, field
