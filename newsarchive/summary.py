"""Summarize a crawl's output folder: articles, field coverage, files written, failures.

Read from the files (not from in-memory counters), so the summary reports what
was really written and can be recomputed for any output folder later. An
output folder reused by several crawls (``--out``) is summarized for one crawl
only: the one named, else the one its manifest names (the last to finish).
A crawl stopped by a write error says so first, never "Failures: none".
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from newsarchive import schema
from newsarchive.crawlfolder import (
    PAGES_NAME,
    VALIDATION_NAME,
    WRITE_ERROR_STAT,
    CrawlFolder,
)
from newsarchive.report import read_jsonl  # one reader of crawl JSON Lines (dedupe uses it too)

log = logging.getLogger(__name__)

# Field coverage shown in the summary: label -> record key (a non-empty value counts).


def coverage_labels() -> dict[str, str]:
    """Label -> field of every field whose coverage the summary shows (from the schema)."""
    return {f.coverage: f.path for f in schema.fields() if f.coverage and "." not in f.path}


VALIDATION_FILENAME = VALIDATION_NAME  # written by pipelines/validate.py
FAILURE_OUTCOMES = ("http_error", "blocked", "robots_denied", "refused", "failed")


def _manifest(out_dir: Path) -> dict[str, Any]:
    try:
        return CrawlFolder(out_dir).manifest() or {}
    except ValueError:
        return {}


# Stats keys where a component records the write error that stopped the crawl.
WRITE_ERROR_STATS = (WRITE_ERROR_STAT, "newsarchive/warc/error")


def crawl_failure(stats: Mapping[str, Any] | None, out_dir: Path | None = None) -> str | None:
    """The write error that stopped a crawl (from its stats, else its manifest), if any."""
    failure = next((stats[key] for key in WRITE_ERROR_STATS if (stats or {}).get(key)), None)
    if failure and (stats or {}).get("newsarchive/warc/error") == failure:
        failure = f"cannot write the WARC files: {failure}"
    if not failure and out_dir is not None:
        failure = _manifest(out_dir).get("error")
    return str(failure) if failure else None


def _ours(line: dict[str, Any], crawl_id: str | None) -> bool:
    return crawl_id is None or line.get("crawl_id") in (None, crawl_id)


def coverage(articles: Iterable[dict[str, Any]]) -> tuple[int, dict[str, float]]:
    """``(article count, share of articles with a non-empty value per summary field)``.

    Streams: a crawl of millions of articles is summarized in constant memory.
    """
    count = 0
    labels = coverage_labels()
    found = dict.fromkeys(labels, 0)
    for article in articles:
        count += 1
        for label, key in labels.items():
            if article.get(key) not in (None, "", []):
                found[label] += 1
    return count, {label: (n / count if count else 0.0) for label, n in found.items()}


def summarize(
    out_dir: Path, crawl_id: str | None = None, stats: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The summary of one crawl in a crawl folder as a JSON-ready dict.

    ``crawl_id`` defaults to the manifest's; ``stats`` (the crawl's Scrapy
    stats) add the write error that stopped it, if one did.
    """
    out_dir = Path(out_dir)
    crawl_id = crawl_id or _manifest(out_dir).get("crawl_id")
    articles = (a for path in CrawlFolder(out_dir).batches_here(crawl_id) for a in read_jsonl(path))
    count, shares = coverage(articles)
    pages_path = out_dir / PAGES_NAME
    outcomes: Counter[str | None] = Counter()
    failures: Counter[str] = Counter()
    for page in read_jsonl(pages_path) if pages_path.exists() else ():
        if not _ours(page, crawl_id):
            continue
        outcomes[page.get("outcome")] += 1
        if page.get("outcome") in FAILURE_OUTCOMES:
            failures[f"{page['outcome']}: {page.get('reason') or '-'}"] += 1
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    invalid_path = out_dir / VALIDATION_FILENAME
    invalid = (
        sum(1 for line in read_jsonl(invalid_path) if _ours(line, crawl_id))
        if invalid_path.exists()
        else 0
    )
    return {
        "out_dir": str(out_dir),
        "crawl_id": crawl_id,
        "write_error": crawl_failure(stats, out_dir),
        "articles": count,
        "pages": sum(outcomes.values()),
        "outcomes": dict(sorted(outcomes.items(), key=lambda kv: str(kv[0]))),
        "coverage": shares,
        "failures": dict(sorted(failures.items())),
        "validation_problems": invalid,
        "files": [{"path": str(p.relative_to(out_dir)), "bytes": p.stat().st_size} for p in files],
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary in words, for the terminal."""
    lines = []
    if summary.get("write_error"):
        lines.append(f"CRAWL FAILED: {summary['write_error']} (the crawl was stopped)")
    lines += [
        f"Output: {summary['out_dir']}"
        + (f" (crawl {summary['crawl_id']})" if summary.get("crawl_id") else ""),
        f"Pages recorded: {summary['pages']} "
        + "("
        + ", ".join(f"{k}: {v}" for k, v in summary["outcomes"].items())
        + ")",
        f"Articles: {summary['articles']}",
        "Fields found (share of articles):",
    ]
    lines += [f"  {label:<14} {share:6.0%}" for label, share in summary["coverage"].items()]
    if summary.get("validation_problems"):
        lines.append(
            f"Records with validation problems: {summary['validation_problems']} "
            f"(see {VALIDATION_FILENAME})"
        )
    lines.append("Files written:")
    lines += [f"  {f['path']}  ({f['bytes']:,} bytes)" for f in summary["files"]]
    if summary.get("write_error"):
        lines.append(f"Failures: the crawl could not write its output: {summary['write_error']}")
    if summary["failures"]:
        lines.append("Failures by reason:")
    elif not summary.get("write_error"):
        lines.append("Failures: none")
    lines += [f"  {reason}  x{count}" for reason, count in summary["failures"].items()]
    return "\n".join(lines)
