"""The Arrow schema of the article record, derived from ``newsarchive.schema``.

Every Parquet file gets this exact schema, whatever its rows contain, so
files from different crawls concatenate without type surprises: nested
structs stay structs and lists of structs stay lists of structs. Each field
carries its description as Arrow field metadata. Times (fields marked
``instant`` in the schema) are UTC timestamps, so a filter compares instants;
a date known only to the day is stored as its midnight UTC, and the string as
found stays in the ``*_raw`` field beside it.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pyarrow as pa

from newsarchive import schema

log = logging.getLogger(__name__)

_SCALARS: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
}


def arrow_type(tp: Any) -> pa.DataType:
    """Arrow type of one annotation of the record dataclasses."""
    inner, _ = schema.unwrap_optional(tp)
    if dataclasses.is_dataclass(inner):
        return pa.struct(_fields(inner))
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner)
        return pa.list_(arrow_type(item))
    return _SCALARS[inner]


INSTANT = pa.timestamp("us", tz="UTC")


def _fields(cls: type) -> list[pa.Field]:
    hints = typing.get_type_hints(cls)
    return [
        pa.field(
            f.name,
            INSTANT if f.metadata.get("instant") else arrow_type(hints[f.name]),
            nullable=True,
            metadata={"description": f.metadata.get("doc", "")},
        )
        for f in dataclasses.fields(cls)
    ]


@cache
def arrow_schema() -> pa.Schema:
    """The fixed Arrow schema of an exported article (schema version in the metadata)."""
    return pa.schema(
        _fields(schema.Article), metadata={"newsarchive.schema_version": schema.SCHEMA_VERSION}
    )


def instant_paths() -> tuple[tuple[str, ...], ...]:
    """Where the record holds times: ``("date_published",)``, ``("provenance", "fetched_at")``."""
    return tuple(tuple(f.path.split(".")) for f in schema.fields() if f.instant)


def to_instant(value: Any) -> datetime | None:
    """An RFC 3339 time (or full-date: its midnight UTC) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:  # a full-date (normalization gives times an offset)
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-12:00: a row that does not fit, not a crash
        raise ValueError(f"{value!r} is outside the years a UTC timestamp holds") from None


def from_instant(value: Any) -> Any:
    """A timestamp read back from Parquet as the RFC 3339 UTC string records hold."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat().replace("+00:00", "Z")
    return value


def _convert(row: dict[str, Any], how: Callable[[Any], Any]) -> dict[str, Any]:
    out = dict(row)
    for path in instant_paths():
        holder: Any = out
        for key in path[:-1]:
            inner = holder.get(key) if isinstance(holder, dict) else None
            if not isinstance(inner, dict):
                holder = None
                break
            holder[key] = inner = dict(inner)
            holder = inner
        if isinstance(holder, dict) and path[-1] in holder:
            holder[path[-1]] = how(holder[path[-1]])
    return out


def with_instants(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its time strings as datetimes, for :func:`arrow_schema`."""
    return _convert(row, to_instant)


def without_instants(row: dict[str, Any]) -> dict[str, Any]:
    """A row read from Parquet with its timestamps back as RFC 3339 strings."""
    return _convert(row, from_instant)


def record_batch(
    rows: Sequence[dict[str, Any]],
    on_bad_row: Callable[[dict[str, Any], str], None] | None = None,
) -> pa.RecordBatch:
    """Rows (already conformed) as one RecordBatch of :func:`arrow_schema`.

    A row whose values do not fit the schema (a string where a number
    belongs) is left out and reported to ``on_bad_row``; the others are kept.
    """
    target = arrow_schema()
    try:
        return pa.RecordBatch.from_pylist([with_instants(row) for row in rows], schema=target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass
    good = []
    for row in rows:
        try:
            converted = with_instants(row)
            pa.RecordBatch.from_pylist([converted], schema=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as error:
            if on_bad_row is None:
                raise
            on_bad_row(row, f"does not fit the Arrow schema: {error}")
            continue
        good.append(converted)
    return pa.RecordBatch.from_pylist(good, schema=target)


def polars_schema() -> Any:
    """The record schema as a polars ``Schema``, for ``pl.read_ndjson(path, schema=...)``.

    polars infers JSON Lines types from the first 100 rows; a column that is
    null there (``date_modified`` on early pages) fails or comes out null.
    Giving the schema makes every column typed from the first row.
    """
    import polars as pl

    return pl.from_arrow(arrow_schema().empty_table()).schema
