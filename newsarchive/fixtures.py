"""Extraction fixtures: pages with the output their author knows to be true.

A fixture is a folder ``fixtures/extraction/<name>/`` holding

* ``meta.json``: ``{"page": path under fixtures/, "url": ..., "base": ...,
  "headers": {...}}``. ``{{BASE}}`` in the page is replaced by ``base``, as the
  demo server does with its own address.
* ``expected.json``: the truth, one key per checked field (see :func:`checks`).
  Only the keys present are checked, so a fixture may leave a field unjudged.

Each field has its own comparison, written to accept what is equivalent
(whitespace, case of tags, a quote's trailing comma) and nothing else.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from newsarchive import schema

log = logging.getLogger(__name__)

FIXTURES_ROOT = Path(__file__).resolve().parents[1] / "fixtures"
EXTRACTION_DIR = FIXTURES_ROOT / "extraction"
BASE_PLACEHOLDER = b"{{BASE}}"
ARTICLE_THRESHOLD = 0.5  # same cut as NEWSARCHIVE_MIN_ARTICLE_PROBABILITY

Record = dict[str, Any]


class FixtureError(ValueError):
    """A fixture folder is missing or malformed."""


# --------------------------------------------------------------------------- loading


@dataclass
class Fixture:
    name: str
    folder: Path
    page: Path
    url: str
    base: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @cached_property
    def expected(self) -> dict[str, Any]:
        path = self.folder / "expected.json"
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FixtureError(f"{path}: invalid JSON: {exc}") from exc

    def html_bytes(self) -> bytes:
        """The page as a server would send it (``{{BASE}}`` replaced)."""
        data = self.page.read_bytes()
        if self.base:
            data = data.replace(BASE_PLACEHOLDER, self.base.rstrip("/").encode("ascii"))
        return data

    def extract(self) -> Record:
        from newsarchive.extraction import extract

        return extract(self.html_bytes(), self.url, headers=self.headers)

    def checked_fields(self) -> list[str]:
        """The fields this fixture's expected.json judges, in table order."""
        return [name for name in checks() if name in self.expected]


def fixture_names(root: Path | None = None) -> list[str]:
    root = root or EXTRACTION_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "meta.json").is_file())


def load_fixture(name: str, root: Path | None = None) -> Fixture:
    """The fixture ``name``; its page path in meta.json is relative to ``root``'s parent."""
    root = root or EXTRACTION_DIR
    folder = root / name
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        known = ", ".join(fixture_names(root)) or "none"
        raise FixtureError(f"no fixture named {name!r} (known: {known})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{meta_path}: invalid JSON: {exc}") from exc
    for key in ("page", "url"):
        if not meta.get(key):
            raise FixtureError(f"{meta_path}: missing {key!r}")
    page = (root.parent / meta["page"]).resolve()
    if not page.is_file():
        raise FixtureError(f"{meta_path}: page not found: {page}")
    return Fixture(
        name=name,
        folder=folder,
        page=page,
        url=meta["url"],
        base=meta.get("base"),
        headers=dict(meta.get("headers") or {}),
    )


def all_fixtures(root: Path | None = None) -> list[Fixture]:
    return [load_fixture(name, root) for name in fixture_names(root)]


# --------------------------------------------------------------------------- normalizing

_SPACES = re.compile(r"\s+")
_QUOTE_MARKS = "\"'“”„‟«»‹›‚‘’「」『』"
_EDGE_PUNCTUATION = ",.;:"


def norm_text(value: Any) -> str | None:
    """NFC, whitespace runs collapsed to one space (newlines included), trimmed."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
    return text or None


def norm_quote(value: Any) -> str | None:
    """A quote's words: quotation marks and the punctuation at its edges don't count.

    “Think carefully,” he says -> the quote is "Think carefully" whether or not
    the extractor keeps the comma that belongs to the speech tag.
    """
    text = norm_text(value)
    if text is None:
        return None
    previous = None
    while previous != text:
        previous = text
        text = text.strip(_QUOTE_MARKS + _EDGE_PUNCTUATION + " \u00a0\u202f")
    return text or None


# Words that announce a credit without being part of it ("Photo: Reuters" credits Reuters).
CREDIT_LABELS = (
    "photograph",
    "photo",
    "photos",
    "picture",
    "image",
    "credit",
    "source",
    "bild",
    "foto",
    "fotos",
    "quelle",
    "фото",
    "снимок",
    "crédit",
    "crédits",
)
_CREDIT_LABEL = re.compile(r"^(?:" + "|".join(CREDIT_LABELS) + r")\s*:\s*", re.IGNORECASE)


def norm_credit(value: Any) -> str | None:
    """A credit without its announcing label: "Bild: SN/APA" and "SN/APA" agree."""
    text = norm_text(value)
    return _CREDIT_LABEL.sub("", text) or None if text else None


def norm_caption(value: Any) -> str | None:
    """A caption's text; a final full stop is punctuation, not content."""
    text = norm_text(value)
    return text.rstrip(".").rstrip() or None if text else None


def paragraphs_of(record: Record) -> list[str]:
    body = record.get("article_body") or ""
    return [p for p in (norm_text(line) for line in body.split("\n")) if p]


# --------------------------------------------------------------------------- actual values


def _authors(record: Record) -> list[str]:
    return [a.get("name") for a in record.get("authors") or []]


def _captions(record: Record) -> list[dict[str, Any]]:
    return _pick(record.get("captions"), "text", "credit", "image_url")


def _pick(items: list[dict[str, Any]] | None, *keys: str) -> list[dict[str, Any]]:
    return [{k: item.get(k) for k in keys} for item in items or []]


def _quotes(record: Record) -> list[dict[str, Any]]:
    return _pick(record.get("quotes"), "text", "speaker")


def _links(record: Record) -> list[dict[str, Any]]:
    return _pick(record.get("related_links"), "url", "title")


def _probability(record: Record) -> float:
    return float((record.get("extraction") or {}).get("probability") or 0.0)


# --------------------------------------------------------------------------- comparing
# Each check returns the list of problems (empty: the field is right).


def _exact_text(expected: Any, actual: Any) -> list[str]:
    if norm_text(expected) == norm_text(actual):
        return []
    return [f"expected {expected!r}, got {actual!r}"]


def _exact(expected: Any, actual: Any) -> list[str]:
    return [] if expected == actual else [f"expected {expected!r}, got {actual!r}"]


def _language(expected: Any, actual: Any) -> list[str]:
    """BCP 47 tags, case-insensitive; "fr" and "fr-FR" agree (a page may declare
    either in different places), "en-GB" and "en-US" do not."""
    want = (expected or "").lower().replace("_", "-")
    got = (actual or "").lower().replace("_", "-")
    prefix = bool(want and got) and (want.startswith(got + "-") or got.startswith(want + "-"))
    same = want == got or prefix
    return [] if same else [f"expected {expected!r}, got {actual!r}"]


def _date(expected: str | None, actual: str | None) -> list[str]:
    """Same instant; a date-only expectation only fixes the calendar day."""
    if expected is None or actual is None:
        return _exact(expected, actual)
    try:
        actual_dt = datetime.fromisoformat(actual.replace("Z", "+00:00"))
    except ValueError:
        return [f"not an RFC 3339 time: {actual!r}"]
    if len(expected) == 10:
        ok = actual_dt.date().isoformat() == expected
    else:
        expected_dt = datetime.fromisoformat(expected.replace("Z", "+00:00"))
        ok = actual_dt.tzinfo is not None and actual_dt == expected_dt
    return [] if ok else [f"expected {expected}, got {actual}"]


def _body(expected: list[str], actual: list[str]) -> list[str]:
    """Every expected paragraph is a body paragraph, in the expected order."""
    problems = []
    position = 0
    for paragraph in expected:
        want = norm_text(paragraph)
        if want not in actual:
            problems.append(f"missing paragraph: {want[:90]!r}")
            continue
        found = actual.index(want)
        if found < position:
            problems.append(f"paragraph out of order: {want[:90]!r}")
        position = max(position, found)
    return problems


def _body_forbidden(forbidden: list[str], actual: list[str]) -> list[str]:
    """None of the page's chrome strings appears anywhere in the body."""
    text = "\n".join(norm_text(p) or "" for p in actual)
    return [f"chrome in body: {s!r}" for s in forbidden if norm_text(s) in text]


def _topics(expected: list[str], actual: list[str]) -> list[str]:
    want = {t.casefold() for t in expected}
    got = {str(t).casefold() for t in actual}
    problems = [f"missing topic {t!r}" for t in sorted(want - got)]
    problems += [f"unexpected topic {t!r}" for t in sorted(got - want)]
    return problems


def _record_list(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], keys: dict[str, Callable]
) -> list[str]:
    """Lists of small records compared in order, each key with its own normalizer."""

    def shape(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [tuple(norm(item.get(k)) for k, norm in keys.items()) for item in items]

    want, got = shape(expected), shape(actual)
    if want == got:
        return []
    problems = [f"missing {dict(zip(keys, w, strict=True))}" for w in want if w not in got]
    problems += [f"unexpected {dict(zip(keys, g, strict=True))}" for g in got if g not in want]
    return problems or [f"order differs: expected {want}, got {got}"]


def _links_check(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[str]:
    """Related links as a set: (url, title) pairs, order free, duplicates ignored."""

    def shape(items: list[dict[str, Any]]) -> set[tuple[Any, Any]]:
        return {(i.get("url"), norm_text(i.get("title"))) for i in items}

    want, got = shape(expected), shape(actual)
    problems = [f"missing {w}" for w in sorted(want - got, key=str)]
    problems += [f"unexpected {g}" for g in sorted(got - want, key=str)]
    return problems


def _identity(value: Any) -> Any:
    return value


Check = Callable[[Any, Any], list[str]]
Project = Callable[[Record], Any]


def _field(name: str) -> Project:
    return lambda record: record.get(name)


# How a record field declared with ``fixture=KIND`` in newsarchive/schema.py is read from
# the record (None: the field itself) and compared with expected.json.
FIELD_KINDS: dict[str, tuple[Project | None, Check]] = {
    "text": (None, _exact_text),
    "exact": (None, _exact),
    "date": (None, _date),
    "language": (None, _language),
    "topics": (lambda r: list(r.get("topics") or []), _topics),
    "authors": (
        _authors,
        lambda e, a: _exact([norm_text(x) for x in e], [norm_text(x) for x in a]),
    ),
    "captions": (
        _captions,
        lambda e, a: _record_list(
            e, a, {"text": norm_caption, "credit": norm_credit, "image_url": _identity}
        ),
    ),
    "quotes": (
        _quotes,
        lambda e, a: _record_list(e, a, {"text": norm_quote, "speaker": norm_text}),
    ),
    "links": (_links, _links_check),
}
# Checks of things that are no single record field.
DERIVED: dict[str, tuple[Project, Check]] = {
    "page_type": (lambda r: (r.get("extraction") or {}).get("page_type"), _exact),
    "is_article": (lambda r: _probability(r) >= ARTICLE_THRESHOLD, _exact),
    "body": (paragraphs_of, _body),
    "body_forbidden": (paragraphs_of, _body_forbidden),
}


def checks() -> dict[str, tuple[Project, Check]]:
    """Every checkable fixture key: the derived ones, then the schema's fixture fields."""
    found = dict(DERIVED)
    for info in schema.fields():
        if info.fixture and "." not in info.path:
            project, check = FIELD_KINDS[info.fixture]
            found[info.name] = (project or _field(info.name), check)
    return found


def first_expected(record: Record) -> dict[str, Any]:
    """An ``expected.json`` from today's output: every checked field, no forbidden string yet.

    ``fixture add`` and ``warc fixture`` both start a fixture with it; its author then
    corrects it from the page.
    """
    expected = {name: project(record) for name, (project, _) in checks().items()}
    expected["body_forbidden"] = []
    return expected


def check_field(fixture: Fixture, name: str, record: Record) -> list[str]:
    """Problems with field ``name`` of ``record`` against the fixture's truth."""
    project, check = checks()[name]
    return check(fixture.expected[name], project(record))


def actual_values(fixture: Fixture, record: Record) -> dict[str, Any]:
    """The record projected onto the fixture's checked fields (the forbidden list is kept)."""
    values = {}
    for name in fixture.checked_fields():
        project = checks()[name][0]
        values[name] = fixture.expected[name] if name == "body_forbidden" else project(record)
    return values
