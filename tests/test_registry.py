"""A new record field is one declaration in schema.py: the rest of the pipeline follows.

The test adds a throwaway field (and a field with allowed values) to the record class,
as a maintainer adding ``subtitle`` would, and checks that normalization, validation,
coverage reports, fixtures, the JSON Schema, the Arrow schema and the generated docs
all pick them up with no other edit.
"""

from __future__ import annotations

import dataclasses

import pytest

from newsarchive import schema


@dataclasses.dataclass
class WithSubtitle(schema.Article):
    subtitle: str | None = schema.doc(
        "A second headline under the first.", text_kind="line", coverage="subtitle", fixture="text"
    )
    mood: str | None = schema.doc("The article's weather.", allowed=("calm", "stormy"))


@pytest.fixture
def subtitled(monkeypatch: pytest.MonkeyPatch) -> type:
    monkeypatch.setattr(schema, "Article", WithSubtitle)
    return WithSubtitle


def _record(**fields: object) -> dict:
    return schema.conform({"url": "https://news.example/a", "headline": "A", **fields})


def test_normalization_cleans_it_by_its_text_kind(subtitled: type) -> None:
    from newsarchive.normalize import normalize_record

    record = normalize_record(_record(subtitle="  Ferries\u200b   run \u00ad late "))
    assert record["subtitle"] == "Ferries run late"


def test_validation_knows_its_allowed_values(subtitled: type) -> None:
    from newsarchive.pipelines.validate import validate_record

    assert "mood: unknown value 'sunny'" in validate_record(_record(mood="sunny"))
    assert not [e for e in validate_record(_record(mood="calm")) if e.startswith("mood")]


def test_reports_count_its_coverage(subtitled: type) -> None:
    from newsarchive.report import coverage_fields
    from newsarchive.summary import coverage_labels

    assert "subtitle" in coverage_fields()
    assert coverage_labels()["subtitle"] == "subtitle"


def test_fixtures_compare_it(subtitled: type) -> None:
    from newsarchive import fixtures

    project, check = fixtures.checks()["subtitle"]
    assert project({"subtitle": "Late ferries"}) == "Late ferries"
    assert check("Late  ferries", "Late ferries") == []
    assert check("Late ferries", "Early ferries")


def test_published_schemas_and_docs_include_it(subtitled: type) -> None:
    from newsarchive.export import arrow, schema_files

    json_schema = schema.json_schema()
    assert "subtitle" in json_schema["properties"]
    assert json_schema["properties"]["mood"]["enum"] == ["calm", "stormy", None]
    assert "| `subtitle` |" in schema_files.render_markdown()
    arrow.arrow_schema.cache_clear()
    try:
        assert "subtitle" in arrow.arrow_schema().names
    finally:
        arrow.arrow_schema.cache_clear()


def test_published_schema_has_enums_for_allowed_values() -> None:
    properties = schema.json_schema()["$defs"]["Extraction"]["properties"]
    assert "binary" in properties["page_type"]["enum"]
