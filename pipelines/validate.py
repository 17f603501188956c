"""Validate every record against the schema and record what failed; never drop a record.

The check walks the dataclass types of ``newsarchive.schema`` (the same source
as the shipped JSON Schema, so the two cannot disagree) plus the value rules
the types cannot say: RFC 3339 dates, a probability in [0, 1], the known
page types and date sources. A small walker instead of the ``jsonschema``
package: it costs no dependency and reports dotted paths researchers can read.

A record that fails keeps flowing to the export: its problems are appended to
``extraction.validation_messages``, counted in the crawl stats
(``newsarchive/validation/failed``, ``newsarchive/validation/field/<path>``) and
written as one line to ``OUT/validation_failures.jsonl``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import typing
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from newsarchive import schema
from newsarchive.normalize import is_rfc3339

log = logging.getLogger(__name__)

FAILURES_FILENAME = "validation_failures.jsonl"

_TYPE_CHECKS: dict[Any, tuple[Callable[[Any], bool], str]] = {
    str: (lambda v: isinstance(v, str), "string"),
    int: (lambda v: isinstance(v, int) and not isinstance(v, bool), "integer"),
    float: (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "number"),
    bool: (lambda v: isinstance(v, bool), "boolean"),
}


# A checker returns the problems of one value, each as "<path suffix>: problem" relative to
# the value (": expected string, got int", ".name: missing", "[2].url: ..."), so the dotted
# path is only built for values that fail. Checkers are compiled once per schema type:
# walking the type hints for every record cost more than half a millisecond per article.
Checker = Callable[[Any], list[str]]


@functools.cache
def _checker(tp: Any) -> Checker:
    inner, optional = schema._unwrap_optional(tp)
    if dataclasses.is_dataclass(inner):
        fields_checker = _object_checker(inner)

        def check_value(value: Any) -> list[str]:
            if not isinstance(value, dict):
                return [f": expected object, got {type(value).__name__}"]
            return ["." + error for error in fields_checker(value)]
    elif typing.get_origin(inner) is list:
        (item_tp,) = typing.get_args(inner)
        item_checker = _checker(item_tp)

        def check_value(value: Any) -> list[str]:
            if not isinstance(value, list):
                return [f": expected array, got {type(value).__name__}"]
            errors = []
            for index, item in enumerate(value):
                errors += [f"[{index}]{error}" for error in item_checker(item)]
            return errors
    else:
        is_valid, name = _TYPE_CHECKS[inner]

        def check_value(value: Any) -> list[str]:
            return [] if is_valid(value) else [f": expected {name}, got {type(value).__name__}"]

    def check(value: Any) -> list[str]:
        if value is None:
            return [] if optional else [": null where a value is required"]
        return check_value(value)

    return check


@functools.cache
def _object_checker(cls: type) -> Callable[[dict[str, Any]], list[str]]:
    hints = schema._hints(cls)  # cached type hints
    field_checkers = [(f.name, _checker(hints[f.name])) for f in dataclasses.fields(cls)]

    def check(data: dict[str, Any]) -> list[str]:
        missing, invalid = [], []
        for name, field_checker in field_checkers:
            if name not in data:
                missing.append(f"{name}: missing")
                continue
            problems = field_checker(data[name])
            if problems:
                invalid += [name + problem for problem in problems]
        unknown = [f"{key}: unknown field" for key in data if key not in hints]
        return missing + unknown + invalid

    return check


def _get(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


# dotted path -> values allowed there (besides null)
ALLOWED_VALUES: dict[str, frozenset[str]] = {
    "extraction.page_type": frozenset(
        {"article", "hub", "liveblog", "gallery", "error", "block_page", "empty", "binary"}
    ),
    "date_published_source": frozenset(
        {
            "json_ld",
            "meta",
            "microdata",
            "time_element",
            "url",
            "htmldate",
            "text",
            "sitemap",
            "feed",
        }
    ),
    "provenance.discovered_via.type": frozenset(
        {"seed", "sitemap", "news_sitemap", "feed", "link", "redirect"}
    ),
}
RFC3339_FIELDS = (
    "date_published",
    "date_modified",
    "provenance.fetched_at",
    "provenance.discovered_via.lastmod",
)


def _value_errors(record: dict[str, Any]) -> list[str]:
    errors = []
    for path, allowed in ALLOWED_VALUES.items():
        value = _get(record, path)
        if isinstance(value, str) and value not in allowed:
            errors.append(f"{path}: unknown value {value!r}")
    for path in RFC3339_FIELDS:
        value = _get(record, path)
        if isinstance(value, str) and not is_rfc3339(value):
            errors.append(f"{path}: not RFC 3339: {value!r}")
    probability = _get(record, "extraction.probability")
    if isinstance(probability, int | float) and not 0.0 <= probability <= 1.0:
        errors.append(f"extraction.probability: {probability} outside [0, 1]")
    return errors


def validate_record(record: Any) -> list[str]:
    """Every problem of ``record`` against the schema, as ``path: problem`` strings."""
    if not isinstance(record, dict):
        return [f"record: expected object, got {type(record).__name__}"]
    errors = _object_checker(schema.Article)(record)
    return errors + _value_errors(record)


def with_messages(record: dict[str, Any], messages: list[str]) -> dict[str, Any]:
    """``record`` with ``messages`` appended (once) to ``extraction.validation_messages``."""
    extraction = record.get("extraction")
    extraction = (
        dict(extraction) if isinstance(extraction, dict) else schema.empty(schema.Extraction)
    )
    existing = extraction.get("validation_messages")
    existing = list(existing) if isinstance(existing, list) else []
    extraction["validation_messages"] = existing + [m for m in messages if m not in existing]
    record["extraction"] = extraction
    return record


class ValidationPipeline:
    """Append validation problems to the record, count them, and log them to a file."""

    def __init__(self, output_dir: str | Path | None, stats: Any = None) -> None:
        self.path = Path(output_dir) / FAILURES_FILENAME if output_dir else None
        self.stats = stats
        self.file: IO[str] | None = None
        self.failed = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidationPipeline:
        return cls(crawler.settings.get("NEWSARCHIVE_OUTPUT_DIR"), crawler.stats)

    def open_spider(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.path.open("a", encoding="utf-8")

    def close_spider(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        if self.failed:
            log.warning("%d record(s) failed validation; see %s", self.failed, self.path)

    def _count(self, messages: list[str]) -> None:
        self.failed += 1
        if self.stats is None:
            return
        self.stats.inc_value("newsarchive/validation/failed")
        for field in {m.split(":", 1)[0].split("[", 1)[0] for m in messages}:
            self.stats.inc_value(f"newsarchive/validation/field/{field}")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        # keys the spider adds for later pipelines are not part of the record
        record = {k: v for k, v in item.items() if not k.startswith("_")}
        messages = validate_record(record)
        if not messages:
            return item
        self._count(messages)
        with_messages(item, messages)
        log.debug("validation failed for %s: %s", item.get("url"), messages)
        if self.file is not None:
            line = {
                "url": item.get("url"),
                "capture_id": item.get("capture_id"),
                "article_id": item.get("article_id"),
                "messages": messages,
            }
            self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.file.flush()
        return item
