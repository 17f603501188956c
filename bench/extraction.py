"""Extraction benchmark: our extractor beside trafilatura and readability-lxml, one run.

Usage (from the repository root)::

    .venv/bin/python bench/extraction.py [DATA_DIR] [--only ours,trafilatura,...]
        [--limit N] [--json OUT] [--show FIELD]

DATA_DIR has the layout of ../shared/bench/fundus-dev (``pages/<id>.html.gz`` and
``truth.jsonl``); scoring follows ../shared/bench/README.md (see scoring.py).
Every tool gets the same input: the page decoded to ``str`` once, before timing;
only the extraction call is timed, and tools run interleaved page by page so
machine load affects them alike. ``--json`` writes every page's predictions
and scores, which is where to look for failure patterns.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scoring

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "bench" / "fundus-dev"
log = logging.getLogger("bench.extraction")

FIELDS = ("body", "headline", "lede", "authors", "date", "captions", "credits")


# --------------------------------------------------------------------------- tools


@dataclass
class Tool:
    """A competitor: ``call`` is timed, ``convert`` maps its output to our field names."""

    name: str
    call: Callable[[str, str], Any]
    convert: Callable[[Any], dict[str, Any]]
    fields: frozenset[str]


def _ours_call(html: str, url: str) -> Any:
    from newsarchive.extraction import extract

    return extract(html, url)


def _ours_convert(record: dict[str, Any]) -> dict[str, Any]:
    captions = record.get("captions") or []
    return {
        "headline": record.get("headline"),
        "lede": record.get("lede"),
        "body": "\n".join(t for t in (record.get("lede"), record.get("article_body")) if t),
        "authors": [a.get("name") or "" for a in record.get("authors") or []],
        "date": record.get("date_published"),
        "captions": [c.get("text") for c in captions],
        "credits": [p for c in captions for p in scoring.split_credits(c.get("credit"))],
        "page_type": (record.get("extraction") or {}).get("page_type"),
    }


def _trafilatura_call(fast: bool) -> Callable[[str, str], Any]:
    import trafilatura

    def call(html: str, url: str) -> Any:
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, fast=fast)

    return call


def _trafilatura_convert(doc: Any) -> dict[str, Any]:
    if doc is None:
        return {}
    data = doc if isinstance(doc, dict) else doc.as_dict()
    authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
    return {
        "headline": data.get("title"),
        "body": data.get("text"),
        "authors": authors,
        "date": data.get("date"),
    }


def _readability_call(html: str, url: str) -> Any:
    from readability import Document

    doc = Document(html, url=url)
    return doc.title(), doc.summary(html_partial=True)


def _readability_convert(out: Any) -> dict[str, Any]:
    import lxml.html

    title, summary = out
    text = None
    if summary and summary.strip():
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
        blocks = root.xpath(".//p|.//h1|.//h2|.//h3|.//h4|.//li|.//blockquote")
        text = "\n".join(b.text_content() for b in blocks) or root.text_content()
    return {"headline": title, "body": text}


def build_tools() -> dict[str, Tool]:
    tools = {
        "ours": Tool("ours", _ours_call, _ours_convert, frozenset(FIELDS)),
    }
    try:
        tools["trafilatura"] = Tool(
            "trafilatura",
            _trafilatura_call(False),
            _trafilatura_convert,
            frozenset({"body", "headline", "authors", "date"}),
        )
        tools["trafilatura-fast"] = Tool(
            "trafilatura-fast",
            _trafilatura_call(True),
            _trafilatura_convert,
            frozenset({"body", "headline", "authors", "date"}),
        )
    except ImportError:
        log.warning("trafilatura not installed (pip install -e '.[bench]')")
    try:
        import readability  # noqa: F401

        tools["readability"] = Tool(
            "readability", _readability_call, _readability_convert, frozenset({"body", "headline"})
        )
    except ImportError:
        log.warning("readability-lxml not installed (pip install -e '.[bench]')")
    return tools


# --------------------------------------------------------------------------- data


def load_pages(data_dir: Path, limit: int | None) -> list[dict[str, Any]]:
    """Truth rows with the page decoded as the README says (UTF-8 first, then declared)."""
    rows = []
    with open(data_dir / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    rows = rows[:limit] if limit else rows
    loaded = []
    for row in rows:
        path = data_dir / "pages" / f"{row['id']}.html.gz"
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as exc:
            log.warning("skipping %s: %s", row["id"], exc)
            continue
        try:
            row["html"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            from newsarchive.extraction.decode import decode

            row["html"] = decode(raw)[0]
        loaded.append(row)
    return loaded


def expected_fields(row: dict[str, Any]) -> dict[str, Any]:
    captions = row.get("captions")
    return {
        "headline": row.get("headline"),
        "lede": row.get("lede"),
        "body": "\n".join(t for t in (row.get("lede"), row.get("body")) if t),
        "authors": row.get("authors"),
        "date": row.get("published"),
        "captions": None if captions is None else [c.get("text") for c in captions],
        "credits": None
        if captions is None
        else [p for c in captions for p in (c.get("credits") or [])],
    }


# --------------------------------------------------------------------------- scoring


@dataclass
class ToolResult:
    """Scores and timings of one tool over the data set."""

    body: scoring.TextScore = field(default_factory=scoring.TextScore)
    lede: scoring.TextScore = field(default_factory=scoring.TextScore)
    values: dict[str, list[float]] = field(default_factory=dict)
    millis: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, name: str, value: float) -> None:
        self.values.setdefault(name, []).append(value)

    def mean(self, name: str) -> float | None:
        vals = self.values.get(name)
        return sum(vals) / len(vals) if vals else None


def score_page(tool: Tool, pred: dict[str, Any], exp: dict[str, Any], res: ToolResult) -> dict:
    """Add one page's scores to ``res``; return them for the per-page report."""
    page: dict[str, Any] = {}
    if "body" in tool.fields:
        p, r = res.body.add(pred.get("body"), exp["body"])
        page["body_p"], page["body_r"] = round(p, 3), round(r, 3)
    if "lede" in tool.fields and exp["lede"]:
        p, r = res.lede.add(pred.get("lede"), exp["lede"])
        page["lede_f1"] = round(scoring.f1(p, r), 3)
    if "headline" in tool.fields:
        page["headline"] = scoring.headline_exact(pred.get("headline"), exp["headline"])
    if "authors" in tool.fields and exp["authors"] is not None:
        page["authors"] = scoring.authors_f1(pred.get("authors") or [], exp["authors"])
    if "date" in tool.fields and exp["date"]:
        page["date"] = scoring.same_day(pred.get("date"), exp["date"])
    if "captions" in tool.fields and exp["captions"] is not None:
        page["captions"] = scoring.caption_texts_f1(pred.get("captions") or [], exp["captions"])
    if "credits" in tool.fields and exp["credits"] is not None:
        page["credits"] = scoring.credits_f1(pred.get("credits") or [], exp["credits"])
    for key in ("headline", "authors", "date", "captions", "credits"):
        if key in page:
            res.add(key, page[key])
    return page


def run_page(tool: Tool, row: dict[str, Any], res: ToolResult, page_report: dict) -> None:
    """Time one tool on one page and score its output."""
    start = time.perf_counter()
    try:
        out = tool.call(row["html"], row["url"])
    except Exception as exc:  # a competitor's crash is a scored failure, not ours
        log.warning("%s failed on %s: %s", tool.name, row["id"], exc)
        out, res.errors = None, res.errors + 1
    res.millis.append((time.perf_counter() - start) * 1000)
    pred = tool.convert(out) if out is not None else {}
    scores = score_page(tool, pred, expected_fields(row), res)
    page_report["tools"][tool.name] = {"scores": scores, "prediction": pred}


def run_all(
    tools: dict[str, Tool], rows: list[dict[str, Any]], report: list
) -> dict[str, ToolResult]:
    """Every tool on every page, interleaved page by page (tool order rotating), so a
    busy machine slows every tool alike and the time ratios stay fair."""
    results = {name: ToolResult() for name in tools}
    order = list(tools.values())
    for tool in order:
        tool.call(rows[0]["html"], rows[0]["url"])  # warm-up: imports and caches
    for i, (row, page_report) in enumerate(zip(rows, report, strict=True)):
        shift = i % len(order)
        for tool in order[shift:] + order[:shift]:
            run_page(tool, row, results[tool.name], page_report)
    return results


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(tools: dict[str, Tool], results: dict[str, ToolResult]) -> str:
    """The per-field table: one row per metric, one column per tool."""
    names = list(results)
    fast = results.get("trafilatura-fast")
    fast_ms = statistics.median(fast.millis) if fast and fast.millis else None
    rows: list[tuple[str, list[str]]] = []

    def metric(label: str, fld: str, getter: Callable[[ToolResult], float | None]) -> None:
        rows.append(
            (label, [_fmt(getter(results[n])) if fld in tools[n].fields else "-" for n in names])
        )

    metric("body precision", "body", lambda r: r.body.precision)
    metric("body recall", "body", lambda r: r.body.recall)
    metric("body F1", "body", lambda r: r.body.f1)
    metric("headline exact", "headline", lambda r: r.mean("headline"))
    metric("lede F1", "lede", lambda r: r.lede.f1)
    metric("authors F1", "authors", lambda r: r.mean("authors"))
    metric("date (same day)", "date", lambda r: r.mean("date"))
    metric("captions F1", "captions", lambda r: r.mean("captions"))
    metric("credits F1", "credits", lambda r: r.mean("credits"))
    rows.append(("median ms/page", [f"{statistics.median(results[n].millis):.1f}" for n in names]))
    rows.append(
        (
            "time / trafilatura-fast",
            [
                f"{statistics.median(results[n].millis) / fast_ms:.2f}x" if fast_ms else "-"
                for n in names
            ],
        )
    )
    rows.append(("errors", [str(results[n].errors) for n in names]))
    width = max(len(label) for label, _ in rows)
    cols = [max(len(n), 8) for n in names]
    lines = [" | ".join([" " * width, *(n.rjust(c) for n, c in zip(names, cols, strict=True))])]
    lines.append("-+-".join(["-" * width, *("-" * c for c in cols)]))
    for label, cells in rows:
        padded = (v.rjust(c) for v, c in zip(cells, cols, strict=True))
        lines.append(" | ".join([label.ljust(width), *padded]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", help="comma-separated tools: ours,trafilatura,...")
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    parser.add_argument("--json", type=Path, help="write per-page predictions and scores here")
    parser.add_argument(
        "--show",
        choices=sorted(_SHOW_SCORES),
        help="after the table, list our pages that miss on this field (expected vs. ours)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("readability").setLevel(logging.CRITICAL)

    tools = build_tools()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in tools]
        if unknown:
            parser.error(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(tools)}")
        tools = {n: tools[n] for n in wanted}
    rows = load_pages(args.data_dir, args.limit)
    report = [{"id": row["id"], "url": row["url"], "tools": {}} for row in rows]
    results = run_all(tools, rows, report)
    print(f"{len(rows)} pages from {args.data_dir}")
    print(table(tools, results))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.show and "ours" in results:
        print(misses(args.show, rows, report))
    return 0


# Field shown by --show -> the page score that marks a miss (below 1.0).
_SHOW_SCORES = {
    "body": "body_r",
    "lede": "lede_f1",
    "headline": "headline",
    "authors": "authors",
    "date": "date",
    "captions": "captions",
    "credits": "credits",
}


def misses(field_name: str, rows: list[dict[str, Any]], report: list[dict[str, Any]]) -> str:
    """Our pages scoring below 1.0 on ``field_name``, with the expected and predicted values."""
    score_key = _SHOW_SCORES[field_name]
    lines = []
    for row, page in zip(rows, report, strict=True):
        ours = page["tools"].get("ours") or {}
        score = ours.get("scores", {}).get(score_key)
        if score is None or score >= 1.0:
            continue
        expected = expected_fields(row)[field_name]
        predicted = ours["prediction"].get(field_name)
        lines.append(f"{row['id']}  {score_key}={score:.2f}")
        lines.append(f"    expected: {_short(expected)}")
        lines.append(f"    ours:     {_short(predicted)}")
    return "\n".join(lines) or f"no misses on {field_name}"


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
