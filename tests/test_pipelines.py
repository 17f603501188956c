"""Item pipelines: page outcomes, provenance, dedupe and export, alone and chained."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from newsarchive.pipelines.dedupe import DedupePipeline
from newsarchive.pipelines.export import ArticleExportPipeline
from newsarchive.pipelines.pages import PageOutcomePipeline, decide_outcome
from newsarchive.pipelines.provenance import ProvenancePipeline
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from support.captures import WARC_POINTER, fetched, item, unanswered

from newsarchive import schema
from newsarchive.fetchfacts import CAPTURE_KEY, FetchFacts, WarcPointer
from newsarchive.provenance import build_provenance, capture_id_for, new_crawl_id


def make_record(
    url: str,
    *,
    page_type: str = "article",
    probability: float = 0.9,
    status: int = 200,
    article_id: str = "a1",
    content_hash: str = "h1",
    warc: WarcPointer | None = None,
) -> dict[str, Any]:
    record = schema.empty()
    record.update(
        url=url, headline=f"Headline of {url}", article_id=article_id, content_hash=content_hash
    )
    record["extraction"].update(page_type=page_type, probability=probability)
    via = {"type": "sitemap", "url": "http://site.test/sitemap.xml", "lastmod": "2026-01-01"}
    capture = fetched(
        url, status=status, discovered_via=via, warc=warc, crawl_id="c1", spider="news"
    )
    return item(capture, record)


def outcome_item(url: str, outcome: str, error: str) -> dict[str, Any]:
    return item(unanswered(url, outcome, error, via={"type": "link", "url": None}))


@pytest.fixture
def crawler(tmp_path: Path) -> Any:
    return get_crawler(
        settings_dict={
            "NEWSARCHIVE_OUTPUT_DIR": str(tmp_path),
            "NEWSARCHIVE_CRAWL_ID": "20260101T000000Z-test",
            "NEWSARCHIVE_MIN_ARTICLE_PROBABILITY": 0.5,
        }
    )


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_outcome_decision_table() -> None:
    assert decide_outcome(make_record("http://s/a"), 0.5) == ("article", None)
    assert decide_outcome(make_record("http://s/a", probability=0.2), 0.5)[0] == "not_article"
    # a live blog is recorded, never exported as an article, whatever its probability
    assert decide_outcome(make_record("http://s/l", page_type="liveblog"), 0.5)[0] == "not_article"
    assert decide_outcome(make_record("http://s/x", status=404), 0.5) == ("http_error", "HTTP 404")
    assert decide_outcome(outcome_item("http://s/r", "robots_denied", "robots"), 0.5) == (
        "robots_denied",
        "robots",
    )


def test_page_outcomes_are_recorded_and_only_articles_pass(crawler: Any, tmp_path: Path) -> None:
    pipeline = PageOutcomePipeline.from_crawler(crawler)
    pipeline.open_spider()
    article = make_record("http://s/2026/01/01/a-story", warc=WARC_POINTER)
    assert pipeline.process_item(article) is article
    for dropped in (
        make_record("http://s/section", page_type="hub", probability=0.1),
        outcome_item("http://s/private/x", "robots_denied", "Forbidden by robots.txt"),
        make_record("http://s/missing", status=404),
    ):
        with pytest.raises(DropItem):
            pipeline.process_item(dropped)
    pipeline.close_spider()
    lines = read_lines(tmp_path / "pages.jsonl")
    assert [(p["url"], p["outcome"]) for p in lines] == [
        ("http://s/2026/01/01/a-story", "article"),
        ("http://s/section", "not_article"),
        ("http://s/private/x", "robots_denied"),
        ("http://s/missing", "http_error"),
    ]
    assert lines[0]["warc_record_offset"] == 1234 and lines[0]["probability"] == 0.9
    assert lines[2]["reason"] == "Forbidden by robots.txt"
    assert crawler.stats.get_value("newsarchive/pages/not_article") == 1


def test_redirect_hops_are_recorded_from_the_download_signal(crawler: Any, tmp_path: Path) -> None:
    from scrapy import Request
    from scrapy.http import Response

    pipeline = PageOutcomePipeline.from_crawler(crawler)
    pipeline.open_spider()
    request = Request(
        "http://s/old", meta={"newsarchive_via": {"type": "link", "url": "http://s/"}}
    )
    moved = Response("http://s/old", status=301, headers={"Location": "/new"}, request=request)
    pipeline.response_downloaded(moved, request)
    served = Response("http://s/new", status=200, request=request)
    pipeline.response_downloaded(served, request)  # not a redirect: left to the spider
    pipeline.close_spider()
    (line,) = read_lines(tmp_path / "pages.jsonl")
    assert line["outcome"] == "redirect" and line["status"] == 301
    assert line["reason"] == "HTTP 301 -> http://s/new"
    assert line["discovered_via"]["type"] == "link"


def test_provenance_from_capture(crawler: Any) -> None:
    pipeline = ProvenancePipeline.from_crawler(crawler)
    record = make_record("http://s/final", warc=WARC_POINTER)
    record[CAPTURE_KEY] = replace(record[CAPTURE_KEY], requested_url="http://s/old")
    out = pipeline.process_item(record)
    assert CAPTURE_KEY not in out
    prov = out["provenance"]
    assert set(prov) == set(schema.empty(schema.Provenance))
    assert prov["crawl_id"] == "20260101T000000Z-test"
    assert prov["warc_record_offset"] == 1234
    assert prov["fetch_status"] == 200 and prov["content_mime_type"] == "text/html"
    assert prov["discovered_via"]["type"] == "sitemap"
    assert out["requested_url"] == "http://s/old" and out["url"] == "http://s/final"
    # the capture id depends on the WARC record only, so re-extraction finds the same id
    assert out["capture_id"] == capture_id_for(WARC_POINTER, "http://other", None)
    assert len(out["capture_id"]) == 32


def test_provenance_without_warc_uses_fetch_time() -> None:
    prov = build_provenance(
        FetchFacts(url="http://s/a", status=200, fetched_at="2026-01-02T03:04:05Z"),
        crawl_id="c",
        spider="news",
    )
    assert prov["fetched_at"] == "2026-01-02T03:04:05Z" and prov["warc_filename"] is None
    a = capture_id_for(None, "http://s/a", "2026-01-02T03:04:05Z")
    assert a == capture_id_for(None, "http://s/a", "2026-01-02T03:04:05Z")
    assert a != capture_id_for(None, "http://s/b", "2026-01-02T03:04:05Z")


def test_crawl_id_shape() -> None:
    import re

    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{4}", new_crawl_id())


def test_dedupe_keeps_first_copy_and_new_versions(crawler: Any) -> None:
    pipeline = DedupePipeline.from_crawler(crawler)
    first = make_record("http://s/a", article_id="x", content_hash="1")
    first["capture_id"] = "cap-1"
    assert pipeline.process_item(first)["article_version"] == 1
    with pytest.raises(DropItem):
        pipeline.process_item(make_record("http://s/a?utm=1", article_id="x", content_hash="1"))
    changed = pipeline.process_item(make_record("http://s/a", article_id="x", content_hash="2"))
    assert changed["article_version"] == 2 and changed["previous_capture_id"] == "cap-1"
    assert crawler.stats.get_value("newsarchive/duplicates") == 1


def test_export_writes_every_schema_key_and_a_manifest(crawler: Any, tmp_path: Path) -> None:
    provenance = ProvenancePipeline.from_crawler(crawler)
    export = ArticleExportPipeline.from_crawler(crawler)
    export.open_spider()
    for n in range(3):
        record = make_record(f"http://s/story-{n}", article_id=str(n), warc=WARC_POINTER)
        del record["quotes"]  # a record missing a key is still exported with every key
        record["unexpected"] = "dropped"
        export.process_item(provenance.process_item(record))
    export.close_spider()
    export.write_manifest()
    files = list((tmp_path / "articles").iterdir())
    assert [f.name for f in files] == ["articles-20260101T000000Z-test-00000.jsonl.gz"]
    with gzip.open(files[0], "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    assert [r["url"] for r in rows] == [f"http://s/story-{n}" for n in range(3)]
    for row in rows:
        assert list(row) == list(schema.empty())
        assert row["quotes"] == []
        assert row["provenance"]["warc_filename"] == WARC_POINTER.warc_filename
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["crawl_id"] == "20260101T000000Z-test"
    assert manifest["counts"]["articles"] == 3


def test_a_crawl_stopped_by_a_warc_write_error_leaves_its_batch_open(
    crawler: Any, tmp_path: Path
) -> None:
    """On a full disk the WARC file, its index or the batch may fail first: whichever it
    is, the open batch is left for the next start to finish, never named complete."""
    export = ArticleExportPipeline.from_crawler(crawler)
    export.open_spider()
    export.process_item(make_record("http://s/story", article_id="1", warc=WARC_POINTER))
    crawler.stats.set_value("newsarchive/warc/error", "WARC write failed (No space left)")
    export.close_spider()
    assert [p.name for p in (tmp_path / "articles").iterdir()] == [
        "articles-20260101T000000Z-test-00000.jsonl.gz.open"
    ]
    assert export.writer.files == []
