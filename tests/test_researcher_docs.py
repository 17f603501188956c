"""What the researcher documentation says about exports, checked against what they hold."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from newsarchive.export.arrow import arrow_schema

ROOT = Path(__file__).resolve().parents[1]


def timestamp_paths(fields: list[pa.Field], prefix: str = "") -> list[str]:
    found: list[str] = []
    for field in fields:
        if pa.types.is_timestamp(field.type):
            found.append(prefix + field.name)
        elif pa.types.is_struct(field.type):
            found.extend(timestamp_paths(list(field.type), prefix + field.name + "."))
    return found


def test_the_parquet_docs_name_every_timestamp_column() -> None:
    """docs/schema.md listed three of the four times Parquet stores as UTC timestamps:
    ``provenance.discovered_via.lastmod`` (a sitemap's date) was missing, so a researcher
    comparing it with the string the sitemap gave saw another value unannounced."""
    paths = timestamp_paths(list(arrow_schema()))
    assert "provenance.discovered_via.lastmod" in paths
    formats = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8").split("**Parquet**")[1]
    formats = formats.split("**CSV**")[0]
    assert all(f"`{path}`" in formats for path in paths)
