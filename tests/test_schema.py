"""The shipped JSON Schema and docs/schema.md follow the classes; the validation pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsarchive.pipelines.validate import FAILURES_FILENAME, ValidationPipeline, validate_record

from newsarchive import schema
from newsarchive.cli import main
from newsarchive.export import schema_files
from newsarchive.export.synthetic import synthetic_record
from newsarchive.fetchfacts import CAPTURE_KEY, FetchFacts


def test_shipped_schema_matches_the_classes() -> None:
    shipped = json.loads(schema_files.SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    assert shipped == schema.json_schema(), "run `newsarchive schema --write`"
    assert shipped["required"] == list(schema.empty())
    assert shipped["version"] == schema.SCHEMA_VERSION


def test_docs_page_is_generated_from_field_docs() -> None:
    text = schema_files.DOCS_FILE.read_text(encoding="utf-8")
    assert text == schema_files.render_markdown(), "run `newsarchive schema --write`"
    for cls in schema_files.record_classes():
        for name, _, description in schema.field_docs(cls):
            assert f"| `{name}` |" in text and description.replace("|", "\\|") in text
    assert '" | "' in text and "dotted columns" in text  # the CSV flattening rules


def test_schema_check_fails_when_a_file_is_stale(
    tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--check"]) == 0
    stale = tmp_path / "article.schema.json"
    stale.write_text(schema_files.render_json_schema().replace('"headline"', '"title"'))
    monkeypatch.setattr(schema_files, "GENERATED", {stale: schema_files.render_json_schema})
    assert main(["schema", "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["schema", "--write"]) == 0
    assert main(["schema", "--check"]) == 0
    assert json.loads(stale.read_text()) == schema.json_schema()


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema.json_schema()


def test_valid_records_pass() -> None:
    assert validate_record(schema.empty()) == []
    assert validate_record(synthetic_record(1)) == []


def test_problems_are_reported_with_paths() -> None:
    record = synthetic_record(1)
    del record["headline"]
    record["surprise"] = 1
    record["topics"] = ["ok", 3]
    record["provenance"]["fetch_status"] = "200"
    record["authors"][0]["name"] = ["x"]
    record["extraction"]["probability"] = 1.5
    record["extraction"]["page_type"] = "blog"
    record["date_published"] = "yesterday"
    record["free_access"] = "yes"
    messages = validate_record(record)
    assert messages == [
        "headline: missing",
        "surprise: unknown field",
        "authors[0].name: expected string, got list",
        "topics[1]: expected string, got int",
        "free_access: expected boolean, got str",
        "provenance.fetch_status: expected integer, got str",
        "extraction.page_type: unknown value 'blog'",
        "date_published: not RFC 3339: 'yesterday'",
        "extraction.probability: 1.5 outside [0, 1]",
    ]
    assert validate_record("text") == ["record: expected object, got str"]


def test_pipeline_records_failures_and_keeps_the_record(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"NEWSARCHIVE_OUTPUT_DIR": str(tmp_path)})
    pipeline = ValidationPipeline.from_crawler(crawler)
    pipeline.open_spider()
    good = synthetic_record(2)
    bad = synthetic_record(3)
    bad["provenance"]["fetched_at"] = "2024-05-01 10:00"
    bad[CAPTURE_KEY] = FetchFacts(url=bad["url"], status=200)  # the pipelines' own: not validated
    assert pipeline.process_item(good) is good
    assert good["extraction"]["validation_messages"] == []
    out = pipeline.process_item(bad)
    pipeline.close_spider()
    message = "provenance.fetched_at: not RFC 3339: '2024-05-01 10:00'"
    assert out is bad and out["extraction"]["validation_messages"] == [message]
    assert crawler.stats.get_value("newsarchive/validation/failed") == 1
    assert crawler.stats.get_value("newsarchive/validation/field/provenance.fetched_at") == 1
    lines = (tmp_path / FAILURES_FILENAME).read_text().splitlines()
    assert [json.loads(line)["messages"] for line in lines] == [[message]]
