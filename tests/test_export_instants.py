"""Times are timestamps in Parquet: filters compare instants, the string as found stays beside."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import newsarchive  # noqa: E402
from newsarchive import schema  # noqa: E402
from newsarchive.export.convert import export_records  # noqa: E402

VALUES = {
    "a": ("2024-10-23T03:48:00+02:00", datetime(2024, 10, 23, 1, 48, tzinfo=UTC)),
    "b": ("2024-10-23T01:00:00Z", datetime(2024, 10, 23, 1, 0, tzinfo=UTC)),
    "c": ("2024-10-23", datetime(2024, 10, 23, 0, 0, tzinfo=UTC)),
    "d": (None, None),
}


def _records() -> list[dict]:
    rows = []
    for key, (value, _) in VALUES.items():
        row = schema.empty()
        row.update(
            url=f"https://news.example/{key}",
            headline=key,
            date_published=value,
            date_published_raw=value and f"raw {value}",
            provenance={"fetched_at": "2024-10-24T10:00:00Z"},
        )
        rows.append(schema.conform(row))
    return rows


def test_parquet_stores_times_as_utc_timestamps(tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    export_records(_records(), "parquet", out)
    table = pq.read_table(out)
    assert table.schema.field("date_published").type == pa.timestamp("us", tz="UTC")
    fetched = table.schema.field("provenance").type.field("fetched_at").type
    assert fetched == pa.timestamp("us", tz="UTC")
    got = dict(zip(table["headline"].to_pylist(), table["date_published"].to_pylist(), strict=True))
    assert got == {key: moment for key, (_, moment) in VALUES.items()}
    later = table.filter(pa.compute.greater_equal(table["date_published"], VALUES["a"][1]))
    assert later["headline"].to_pylist() == ["a"]  # 01:48 UTC, not the text "03:48"
    assert table["date_published_raw"].to_pylist()[0] == "raw 2024-10-23T03:48:00+02:00"


def test_loading_parquet_gives_rfc3339_strings_back(tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    export_records(_records(), "parquet", out)
    loaded = {r["headline"]: r for r in newsarchive.load(out, verify=False)}
    assert loaded["a"]["date_published"] == "2024-10-23T01:48:00Z"
    assert loaded["d"]["date_published"] is None
    assert loaded["a"]["provenance"]["fetched_at"] == "2024-10-24T10:00:00Z"
    json.dumps(list(loaded.values()))  # plain JSON again, as from JSON Lines
