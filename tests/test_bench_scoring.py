"""The benchmark's scoring rules (bench/scoring.py) and its grouping and deltas
(bench/extraction.py), on tiny synthetic pages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


scoring = _load("scoring")
bench = _load("extraction")


def test_snippets_are_matched_whitespace_normalized_and_case_kept() -> None:
    text = "The  council voted\non Tuesday.\nShare this article"
    found, missed, leaked = scoring.snippet_counts(
        text,
        ["council voted on Tuesday", "the council voted", "absent"],
        ["Share this article", "Newsletter"],
    )
    assert (found, missed, leaked) == (1, 2, 1)


def test_snippet_score_sums_counts_over_pages_before_dividing() -> None:
    score = scoring.SnippetScore()
    score.add_page(3, 0, 0)  # passes
    score.add_page(1, 2, 0)  # misses two
    score.add_page(2, 0, 2)  # leaks two
    assert score.pass_rate == pytest.approx(1 / 3)
    assert score.precision == pytest.approx(6 / 8)
    assert score.recall == pytest.approx(6 / 8)
    assert score.f1 == pytest.approx(0.75)


def test_a_page_without_text_misses_every_snippet_and_leaks_none() -> None:
    assert scoring.snippet_counts(None, ["a b", "c"], ["menu"]) == (0, 2, 0)
    assert scoring.snippet_counts("", [" "], []) == (0, 0, 0)  # blank snippets do not count


def test_summary_of_a_snippet_set_and_of_a_field_set() -> None:
    tool = bench.Tool("t", lambda h, u: None, lambda o: o, frozenset(bench.FIELDS))
    snippet_row = {"must_contain": ["Main text here"], "must_not_contain": ["Menu"]}
    field_row = {"lede": "Lede words are here", "body": "Body words are here and more"}
    pages = [
        bench.score_page(
            tool, {"body": "Main text here. Menu"}, bench.expected_fields(snippet_row)
        ),
        bench.score_page(
            tool,
            {"lede": "Lede words are here", "body": "Lede words are here\nBody words are here"},
            bench.expected_fields(field_row),
        ),
    ]
    for page in pages:
        page["ms"] = 1.0
    summary = bench.summarize(pages)
    assert summary["snippet_pass"] == 0.0 and summary["snippet_f1"] == pytest.approx(2 / 3)
    assert summary["lede_f1"] == 1.0
    assert summary["body_precision"] == 1.0 and summary["body_recall"] < 1.0
    assert "headline" not in summary  # neither truth names a headline


def test_publisher_reads_archive_captures_and_second_level_domains() -> None:
    assert bench.publisher("https://news.example.co.uk/a/b") == "example.co.uk"
    assert bench.publisher("https://www.example.de/x") == "example.de"
    assert bench.publisher("https://web.archive.org/web/2020/http://www.example.org/x") == (
        "example.org"
    )
    assert bench.publisher("hard::blog.example.net-title.html") == "example.net"


def test_held_out_pages_exclude_the_development_sets_publishers() -> None:
    rows = [
        {"set": bench.DEVELOPMENT_SET, "publisher": "seen.com"},
        {"set": "other", "publisher": "seen.com"},
        *({"set": "other", "publisher": f"new{i}.com"} for i in range(30)),
    ]
    bench.assign_groups(rows)
    assert rows[0]["groups"] == [bench.DEVELOPMENT_SET]
    assert rows[1]["groups"] == ["other"]
    held = [r for r in rows if bench.HELD_OUT in r["groups"]]
    blind = [r for r in held if bench.BLIND in r["groups"]]
    assert len(held) == 30 and 0 < len(blind) < 30
    again = [dict(r, groups=None) for r in rows]
    bench.assign_groups(again)
    assert [r["groups"] for r in again] == [r["groups"] for r in rows]  # stable split


def _run(date_score: float, headline: float) -> dict:
    scores = {"date": date_score, "headline": headline, "ms": 5.0}
    page = {"id": "p", "set": "s", "groups": ["s"], "tools": {"ours": {"scores": scores}}}
    return {
        "meta": {"commit": "abc"},
        "summary": {"s": {"ours": bench.summarize([scores])}},
        "pages": [page],
    }


def test_compare_prints_per_field_deltas_and_pages_moved() -> None:
    text = bench.compare(_run(0.0, 1.0), _run(1.0, 1.0))
    assert "date (same day) 0.000 -> 1.000 (+1.000; pages +1/-0)" in text
    assert "headline" not in text  # unchanged fields are left out
    assert "s (1 pages): unchanged" in bench.compare(_run(1.0, 1.0), _run(1.0, 1.0))
