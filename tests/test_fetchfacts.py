"""The fetch facts (``_capture``) the spider hands the pipelines: one typed record."""

from __future__ import annotations

import json
import pickle
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from newsarchive.pipelines.pages import PageOutcomePipeline, page_line
from scrapy.utils.test import get_crawler
from support.captures import WARC_POINTER, item
from support.warccapture import capture_in, html_exchange

from newsarchive.fetchfacts import CAPTURE_KEY, FetchFacts, WarcPointer, capture_of, field_names

# pages.jsonl columns that are not fetch facts: the verdict and the record's own values.
VERDICT_COLUMNS = {"outcome", "reason"}
RECORD_COLUMNS = {"probability", "article_id"}


def every_field_set() -> FetchFacts:
    """Facts with a distinct value in every field, so a column can only match its own."""
    values: dict[str, Any] = {f.name: f"<{f.name}>" for f in fields(FetchFacts)}
    values.update(
        status=299,
        headers={"etag": '"x"'},
        discovered_via={"type": "link", "url": "http://s/", "lastmod": None},
        discovered_via_original={"type": "feed", "url": "http://s/feed", "lastmod": None},
        warc=replace(WARC_POINTER, fetched_at="<warc fetched_at>"),
    )
    return FetchFacts(**values)


def test_pages_jsonl_columns_follow_from_the_fetch_facts() -> None:
    """Every column but the verdict and the record's own is a FetchFacts or WarcPointer field.

    A column named like a pointer field comes from the pointer (its fetched_at, the WARC
    capture time, wins over the spider's clock); a page without a record shows the
    page_type the spider preset.
    """
    facts = every_field_set()
    line = page_line(item(facts, {"article_id": "a1"}), "not_article", "why")
    assert facts.warc is not None
    for column, value in line.items():
        if column in VERDICT_COLUMNS | RECORD_COLUMNS:
            continue
        if column in field_names(WarcPointer):
            assert value == getattr(facts.warc, column), column
        else:
            assert column in field_names(FetchFacts), f"pages.jsonl column {column} has no field"
            assert value == getattr(facts, column), column
    assert line["fetched_at"] == "<warc fetched_at>"
    unarchived = page_line(item(replace(facts, warc=None)), "not_article", None)
    assert unarchived["fetched_at"] == "<fetched_at>" and unarchived["warc_filename"] is None


def test_a_misspelt_field_fails_where_the_facts_are_built() -> None:
    with pytest.raises(TypeError, match="staus"):
        FetchFacts(url="http://s/a", staus=404)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="warc_record_ofset"):
        WarcPointer.from_meta({**_pointer_dict(), "warc_record_ofset": 1})


def test_the_pipelines_refuse_an_untyped_capture(tmp_path: Path) -> None:
    """A hand-made ``_capture`` dict with a misspelt key no longer becomes a wrong line.

    Read as a dict, ``{"staus": 404}`` gave a pages.jsonl line with status null and
    outcome not_article; now the pipeline says what is wrong before writing anything.
    """
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_OUTPUT_DIR": str(tmp_path)})
    pipeline = PageOutcomePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        with pytest.raises(TypeError, match="_capture must be a FetchFacts, got dict"):
            pipeline.process_item({CAPTURE_KEY: {"url": "http://s/gone", "staus": 404}})
    finally:
        pipeline.close_spider()
    assert (tmp_path / "pages.jsonl").read_bytes() == b""
    assert capture_of({"url": "http://s/a"}) is None  # another spider's item: left alone


def _pointer_dict() -> dict[str, Any]:
    return {name: getattr(WARC_POINTER, name) for name in field_names(WarcPointer)}


def test_every_pointer_the_capture_extension_writes_converts(tmp_path: Path) -> None:
    """The extension's pointer (a dict in request.meta) has exactly the WarcPointer fields."""
    capture = capture_in(tmp_path, {"NEWSARCHIVE_CRAWL_ID": "pointers"})
    try:
        first = capture.archive(html_exchange("http://127.0.0.1:9/a", b"<p>same</p>"))
        revisit = capture.archive(html_exchange("http://127.0.0.1:9/b", b"<p>same</p>"))
    finally:
        capture.spider_closed(None, "finished")
    for pointer in (first, revisit):
        typed = WarcPointer.from_meta(pointer)
        assert typed is not None
        assert {name: getattr(typed, name) for name in pointer} == pointer
    assert WarcPointer.from_meta(revisit).refers_to["warc_record_id"] == first["warc_record_id"]  # type: ignore[union-attr]


def test_facts_cross_process_boundaries_and_serialize_as_their_fields() -> None:
    """Pickled to reextract's workers and back; a feed exporter writes them as a dict."""
    from scrapy.utils.serialize import ScrapyJSONEncoder

    facts = every_field_set()
    assert pickle.loads(pickle.dumps(facts)) == facts
    exported = json.loads(ScrapyJSONEncoder().encode(facts))
    assert list(exported) == list(field_names(FetchFacts))
    assert exported["warc"]["warc_record_offset"] == WARC_POINTER.warc_record_offset


def test_a_redirected_fetch_is_discovered_through_its_last_hop() -> None:
    via = {"type": "news_sitemap", "url": "http://s/sitemap.xml", "lastmod": "2026-01-01"}
    facts = FetchFacts.fetched("http://s/c", ["http://s/a", "http://s/b"], via, status=200)
    assert facts.requested_url == "http://s/a" and facts.url == "http://s/c"
    assert facts.discovered_via == {
        "type": "redirect",
        "url": "http://s/b",
        "lastmod": "2026-01-01",
    }
    assert facts.discovered_via_original is via
    plain = FetchFacts.fetched("http://s/c", [], via)
    assert plain.requested_url == "http://s/c" and plain.discovered_via is via


def test_a_decided_outcome_replaces_the_verdict_only() -> None:
    facts = every_field_set()
    decided = facts.decided("not_modified", "same text")
    assert (decided.outcome, decided.error) == ("not_modified", "same text")
    assert replace(decided, outcome=facts.outcome, error=facts.error) == facts
    with pytest.raises(AttributeError):
        facts.outcome = "article"  # type: ignore[misc]


def test_reextract_reads_a_foreign_or_damaged_discovered_via_header_as_unknown(
    tmp_path: Path,
) -> None:
    """The request record's discovered_via header is archive input: a bad one costs itself.

    Not JSON, JSON but no object, or nested past the parser's depth: the page is still
    extracted, discovered through an unknown way (None), and the run goes on.
    """
    from support.warcsite import Page, archive_pages

    from newsarchive.server.generated import generated_article
    from newsarchive.warc.reread import extract_page, read_pages

    base = "http://news.test"
    good = {"lastmod": None, "type": "sitemap", "url": f"{base}/sitemap.xml"}
    headers = [json.dumps(good), "not json {", "[1, 2]", "[" * 100_000]
    pages = [
        Page(
            f"{base}{generated_article(n).path}", generated_article(n).render(base).encode(), via=v
        )
        for n, v in enumerate(headers)
    ]
    archive_pages(tmp_path, pages)
    facts = [page.capture for page in read_pages(sorted(tmp_path.glob("*.warc.gz")))]
    assert [f.discovered_via for f in facts] == [good, None, None, None]
    record = extract_page(read_pages(sorted(tmp_path.glob("*.warc.gz"))).__next__())["record"]
    assert record is not None and record["provenance"]["discovered_via"]["type"] == "sitemap"
