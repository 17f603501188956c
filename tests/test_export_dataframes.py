"""Dataframe libraries see every column of a JSON Lines export, even values that appear late.

polars infers JSON Lines columns from the first 100 rows: a key first seen at
row 151 silently vanishes. Our writer puts every key in every record, so no
column can vanish; with ``polars_schema()`` the late values keep their types.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from newsarchive import schema
from newsarchive.export.arrow import polars_schema
from newsarchive.export.jsonl import JsonLinesBatchWriter
from newsarchive.export.synthetic import synthetic_record

ROWS = 300
LATE = 251


def _late_records() -> list[dict]:
    """Records whose optional values are all null / empty until row ``LATE``."""
    records = []
    for i in range(ROWS):
        record = synthetic_record(2 * i)  # even records have no main_image and no captions
        for name in ("topics", "quotes", "videos"):
            record[name] = []
        record["free_access"] = None
        records.append(record)
    late = records[LATE]
    late.update(
        date_modified="2024-06-01T09:00:00Z",
        topics=["late topic"],
        free_access=False,
        videos=["https://video.example.com/1"],
        article_body_html="<p>late</p>",
        main_image={"url": "https://img.example.com/late.jpg", "is_cover": True},
    )
    return records


@pytest.fixture(scope="module")
def export_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("late")
    with JsonLinesBatchWriter(directory, "articles-late", batch_size=ROWS) as writer:
        for record in _late_records():
            writer.write(record)
    return Path(writer.files[0]["path"])


def test_polars_without_every_key_would_lose_the_column(tmp_path: Path) -> None:
    """The failure the schema rule prevents (a control for the tests below)."""
    sparse = tmp_path / "sparse.jsonl"
    rows = [{"headline": str(i)} for i in range(ROWS)]
    rows[LATE]["date_modified"] = "2024-06-01T09:00:00Z"
    sparse.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert "date_modified" not in pl.read_ndjson(sparse).columns


def test_polars_with_schema_sees_every_column_and_late_values(export_file: Path) -> None:
    frame = pl.read_ndjson(export_file, schema=polars_schema())
    assert frame.columns == list(schema.empty())
    assert frame.height == ROWS
    row = frame.row(LATE, named=True)
    assert row["date_modified"] == datetime(2024, 6, 1, 9, 0, tzinfo=UTC)  # a time, not text
    assert row["topics"] == ["late topic"] and row["free_access"] is False
    assert row["main_image"]["url"] == "https://img.example.com/late.jpg"
    assert frame["date_modified"].null_count() == ROWS - 1


def test_polars_full_inference_sees_every_column(export_file: Path) -> None:
    frame = pl.read_ndjson(export_file, infer_schema_length=None)
    assert sorted(frame.columns) == sorted(schema.empty())  # full inference may reorder
    assert frame.row(LATE, named=True)["videos"] == ["https://video.example.com/1"]


def test_pandas_and_duckdb_see_every_column(export_file: Path) -> None:
    frame = pd.read_json(export_file, lines=True, dtype=False)
    assert list(frame.columns) == list(schema.empty())
    assert frame.loc[LATE, "date_modified"] is not None
    relation = duckdb.sql(f"SELECT * FROM read_json('{export_file}')")
    assert relation.columns == list(schema.empty())
    count = duckdb.sql(f"SELECT count(date_modified) FROM read_json('{export_file}')").fetchall()
    assert count == [(1,)]
