"""CSV flattening rules: one row per article, one column per leaf field.

The rules (also in docs/schema.md):

* A scalar field is one column; ``null`` is an empty cell, booleans are
  ``true`` / ``false``.
* A nested struct becomes dotted columns (``extraction.probability``,
  ``provenance.discovered_via.type``); a ``null`` struct leaves them all empty.
* A list of strings is joined with ``" | "`` (``topics``, ``videos``); an
  empty list is an empty cell. Lossy when a string itself holds ``" | "``.
* A list of structs (``authors``, ``images``, ...) is one column of JSON text.
* A text cell a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return, after any ``'``) gets a ``'`` in front:
  a hostile page's headline ``=HYPERLINK(...)`` stays text (CSV injection).

CSV is for spreadsheets; JSON Lines and Parquet keep every value exactly.
:func:`unflatten` reverses the rules so ``newsarchive.load`` reads CSV back.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from newsarchive import schema

LIST_SEPARATOR = " | "
# What makes Excel, LibreOffice or Google Sheets read a cell as a formula; the quotes
# before it count too, so that the guard below can always be taken off again.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
FORMULA_GUARD = "'"  # spreadsheets show a cell starting with it as text


@dataclass(frozen=True)
class Column:
    """One CSV column: its dotted path in the record and how its value is written."""

    path: tuple[str, ...]
    kind: str  # "str", "int", "float", "bool", "strings" or "json"

    @property
    def name(self) -> str:
        return ".".join(self.path)


_SCALAR_KINDS = {str: "str", int: "int", float: "float", bool: "bool"}


def _columns(cls: type, prefix: tuple[str, ...]) -> list[Column]:
    hints = typing.get_type_hints(cls)
    out: list[Column] = []
    for f in dataclasses.fields(cls):
        tp, _ = schema.unwrap_optional(hints[f.name])
        path = (*prefix, f.name)
        if dataclasses.is_dataclass(tp):
            out.extend(_columns(tp, path))
        elif typing.get_origin(tp) is list:
            (item,) = typing.get_args(tp)
            out.append(Column(path, "json" if dataclasses.is_dataclass(item) else "strings"))
        else:
            out.append(Column(path, _SCALAR_KINDS[tp]))
    return out


@cache
def csv_columns() -> tuple[Column, ...]:
    """Every CSV column in schema order."""
    return tuple(_columns(schema.Article, ()))


def _get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def guard_formula(text: str) -> str:
    """``text`` with :data:`FORMULA_GUARD` in front when a spreadsheet would run it."""
    return FORMULA_GUARD + text if _FORMULA.match(text) else text


def unguard_formula(text: str) -> str:
    """The cell text :func:`guard_formula` was given."""
    return text[len(FORMULA_GUARD) :] if _FORMULA.match(text) and text[0] == FORMULA_GUARD else text


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "strings":
        joined = LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else str(value)
        return guard_formula(joined)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False) if value else ""
    return guard_formula(str(value)) if kind == "str" else str(value)


def flatten(record: dict[str, Any]) -> list[str]:
    """Cells of one (conformed) record, in :func:`csv_columns` order."""
    return [_cell(_get(record, c.path), c.kind) for c in csv_columns()]


_PARSERS = {
    "str": unguard_formula,
    "int": int,
    "float": float,
    "bool": lambda text: text.strip().lower() in ("true", "1", "yes"),
    "strings": lambda text: unguard_formula(text).split(LIST_SEPARATOR),
    "json": json.loads,
}


def unflatten(row: dict[str, str]) -> dict[str, Any]:
    """A record from one CSV row (column name -> cell); conform it afterwards.

    Raises ``ValueError`` naming the column when a cell cannot be parsed.
    """
    record: dict[str, Any] = {}
    for column in csv_columns():
        text = row.get(column.name)
        if text is None or text == "":
            continue
        try:
            value = _PARSERS[column.kind](text)
        except ValueError as error:
            raise ValueError(f"column {column.name}: cannot read {text[:80]!r}: {error}") from None
        target = record
        for key in column.path[:-1]:
            target = target.setdefault(key, {})
        target[column.path[-1]] = value
    return record
