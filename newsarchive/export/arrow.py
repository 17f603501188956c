"""The Arrow schema of the article record, derived from ``newsarchive.schema``.

Every Parquet file gets this exact schema, whatever its rows contain, so
files from different crawls concatenate without type surprises: nested
structs stay structs and lists of structs stay lists of structs. Each field
carries its description as Arrow field metadata.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from collections.abc import Callable, Sequence
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
    inner, _ = schema._unwrap_optional(tp)
    if dataclasses.is_dataclass(inner):
        return pa.struct(_fields(inner))
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner)
        return pa.list_(arrow_type(item))
    return _SCALARS[inner]


def _fields(cls: type) -> list[pa.Field]:
    hints = typing.get_type_hints(cls)
    return [
        pa.field(
            f.name,
            arrow_type(hints[f.name]),
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
        return pa.RecordBatch.from_pylist(list(rows), schema=target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass
    good = []
    for row in rows:
        try:
            pa.RecordBatch.from_pylist([row], schema=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as error:
            if on_bad_row is None:
                raise
            on_bad_row(row, f"does not fit the Arrow schema: {error}")
            continue
        good.append(row)
    return pa.RecordBatch.from_pylist(good, schema=target)


def polars_schema() -> Any:
    """The record schema as a polars ``Schema``, for ``pl.read_ndjson(path, schema=...)``.

    polars infers JSON Lines types from the first 100 rows; a column that is
    null there (``date_modified`` on early pages) fails or comes out null.
    Giving the schema makes every column typed from the first row.
    """
    import polars as pl

    return pl.from_arrow(arrow_schema().empty_table()).schema
