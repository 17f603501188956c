"""Extraction benchmark: our extractor beside trafilatura, readability-lxml and htmldate.

Usage (from the repository root)::

    .venv/bin/python bench/extraction.py [SET_DIR ...] [--only ours,trafilatura,...]
        [--every N] [--limit N] [--json OUT] [--compare OLD.json] [--show FIELD]

Without SET_DIR both development sets of ../shared/bench run together
(fundus-dev and trafilatura-eval); scoring follows ../shared/bench/README.md
(see scoring.py). A set whose truth has ``must_contain`` snippets is scored
by snippets, any other by fields (body, lede, captions...).

Every tool gets the same input: the page decoded to ``str`` once, before
timing; only the extraction call is timed, and tools run interleaved page by
page (rotating order) so machine load affects them alike.

The **generalization check** scores the pages of publishers the engine was
not developed on: every set but fundus-dev (where all rules so far were
developed), without the publishers fundus-dev also holds. One publisher in
three of those is *blind*: ``--show`` never lists its pages, so that part stays
unseen while the rest of trafilatura-eval is used for development.

``--json`` writes the summary and every page's predictions and scores;
``--compare OLD.json`` prints our per-field deltas against such a file (the
figures for a commit message), with the number of pages up and down.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scoring

REPO_ROOT = Path(__file__).resolve().parent.parent
SETS_ROOT = REPO_ROOT.parent / "shared" / "bench"
DEVELOPMENT_SET = "fundus-dev"  # every rule up to December 2026 was developed on it
DEFAULT_SETS = (SETS_ROOT / DEVELOPMENT_SET, SETS_ROOT / "trafilatura-eval")
HELD_OUT = "held-out"
BLIND = "held-out, blind third"
BLIND_SHARE = 3  # one publisher in BLIND_SHARE is never shown by --show
log = logging.getLogger("bench.extraction")

FIELDS = ("body", "headline", "lede", "authors", "date", "captions", "credits")
# Summary keys in print order, with their labels.
METRICS = {
    "body_precision": "body precision",
    "body_recall": "body recall",
    "body_f1": "body F1 (lede + body)",
    "snippet_pass": "snippet pass",
    "snippet_f1": "snippet F1",
    "headline": "headline exact",
    "lede_f1": "lede F1",
    "authors": "authors F1",
    "date": "date (same day)",
    "captions": "captions F1",
    "credits": "credits F1",
}
_MEAN_KEYS = ("headline", "authors", "date", "captions", "credits")


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
        "language": record.get("in_language"),
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
    return doc.short_title(), doc.summary(html_partial=True)


def _readability_convert(out: Any) -> dict[str, Any]:
    import lxml.html

    title, summary = out
    text = None
    if summary and summary.strip():
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
        blocks = root.xpath(".//p|.//h1|.//h2|.//h3|.//h4|.//li|.//blockquote")
        text = "\n".join(b.text_content() for b in blocks) or root.text_content()
    return {"headline": title, "body": text}


def _htmldate_call(html: str, url: str) -> Any:
    """htmldate as trafilatura runs it by default: extensive search, original date."""
    from htmldate import find_date

    return find_date(html, url=url, original_date=True, extensive_search=True)


def build_tools() -> dict[str, Tool]:
    tools = {
        "ours": Tool("ours", _ours_call, _ours_convert, frozenset(FIELDS)),
    }
    text_meta = frozenset({"body", "headline", "authors", "date"})
    try:
        tools["trafilatura"] = Tool(
            "trafilatura", _trafilatura_call(False), _trafilatura_convert, text_meta
        )
        tools["trafilatura-fast"] = Tool(
            "trafilatura-fast", _trafilatura_call(True), _trafilatura_convert, text_meta
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
    try:
        import htmldate  # noqa: F401

        tools["htmldate"] = Tool(
            "htmldate", _htmldate_call, lambda d: {"date": d}, frozenset({"date"})
        )
    except ImportError:
        log.warning("htmldate not installed (pip install -e .)")
    return tools


# --------------------------------------------------------------------------- data

_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})
_ARCHIVED = re.compile(r"^/web/[^/]+/(?P<url>.+)$")


def publisher(url: str) -> str:
    """The publisher of a page: its registrable domain, read through web.archive.org
    captures and the ``hard::host-name.html`` ids of trafilatura-eval.

    >>> publisher("https://www.bbc.co.uk/news/x"), publisher("hard::blog.python.org.html")
    ('bbc.co.uk', 'python.org')
    >>> publisher("https://web.archive.org/web/2019/https://www.zeit.de/a")
    'zeit.de'
    """
    if url.startswith("hard::"):
        host = url[len("hard::") :].removesuffix(".html").split("-")[0]
    else:
        parts = urlsplit(url)
        host = parts.hostname or ""
        archived = _ARCHIVED.match(parts.path) if host == "web.archive.org" else None
        if archived:
            inner = archived.group("url")
            return publisher(inner if "//" in inner else "http://" + inner)
    labels = host.lower().removeprefix("www.").split(".")
    second_level = len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL
    return ".".join(labels[-3:] if second_level else labels[-2:])


def is_blind(publisher_key: str) -> bool:
    """Whether a held-out publisher belongs to the blind part (stable across runs)."""
    digest = hashlib.sha256(publisher_key.encode("utf-8")).digest()
    return digest[0] % BLIND_SHARE == 0


def load_pages(data_dir: Path, limit: int | None = None, every: int = 1) -> list[dict[str, Any]]:
    """Truth rows with the page decoded as the README says (UTF-8 first, then declared).

    ``every`` keeps every Nth page (a quick subset while iterating), ``limit`` the first N.
    """
    rows = []
    with open(data_dir / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    rows = rows[::every]
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
        row["set"] = data_dir.name
        row["publisher"] = publisher(row["url"])
        loaded.append(row)
    return loaded


def assign_groups(rows: list[dict[str, Any]]) -> None:
    """Tag each row with the groups it is scored in: its set, and held-out / blind.

    Held out: a page outside the development set whose publisher the
    development set does not hold either.
    """
    developed = {row["publisher"] for row in rows if row["set"] == DEVELOPMENT_SET}
    for row in rows:
        groups = [row["set"]]
        if row["set"] != DEVELOPMENT_SET and row["publisher"] not in developed:
            groups.append(HELD_OUT)
            if is_blind(row["publisher"]):
                groups.append(BLIND)
        row["groups"] = groups


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
        "must_contain": row.get("must_contain"),
        "must_not_contain": row.get("must_not_contain"),
    }


# --------------------------------------------------------------------------- scoring


def _round(value: float) -> float:
    return round(value, 4)


def _score_text(tool: Tool, pred: dict[str, Any], exp: dict[str, Any], page: dict) -> None:
    """Body (shingles or snippets) and lede scores of one page."""
    if "body" not in tool.fields:
        return
    if exp["must_contain"] is not None:
        found, missed, leaked = scoring.snippet_counts(
            pred.get("body"), exp["must_contain"], exp["must_not_contain"] or []
        )
        page["snippets"] = [found, missed, leaked]
    elif exp["body"]:
        p, r = scoring.page_precision_recall(pred.get("body"), exp["body"])
        page["body"] = [_round(p), _round(r), bool(scoring.tokens(pred.get("body")))]
    if "lede" in tool.fields and exp["lede"]:
        p, r = scoring.page_precision_recall(pred.get("lede"), exp["lede"])
        page["lede"] = [_round(p), _round(r), bool(scoring.tokens(pred.get("lede")))]


def score_page(tool: Tool, pred: dict[str, Any], exp: dict[str, Any]) -> dict[str, Any]:
    """One page's scores, in a form :func:`summarize` adds up over any group of pages."""
    page: dict[str, Any] = {}
    _score_text(tool, pred, exp, page)
    if "headline" in tool.fields and exp["headline"]:
        page["headline"] = scoring.headline_exact(pred.get("headline"), exp["headline"])
    if "authors" in tool.fields and exp["authors"] is not None:
        page["authors"] = scoring.authors_f1(pred.get("authors") or [], exp["authors"])
    if "date" in tool.fields and exp["date"]:
        page["date"] = scoring.same_day(pred.get("date"), exp["date"])
    if "captions" in tool.fields and exp["captions"] is not None:
        page["captions"] = scoring.caption_texts_f1(pred.get("captions") or [], exp["captions"])
    if "credits" in tool.fields and exp["credits"] is not None:
        page["credits"] = scoring.credits_f1(pred.get("credits") or [], exp["credits"])
    return {k: _round(v) if isinstance(v, float) else v for k, v in page.items()}


def summarize(pages: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Dataset scores of one tool over page score dicts (as :func:`score_page` makes them).

    >>> summarize([{"date": 1.0, "snippets": [3, 0, 0], "ms": 2.0},
    ...            {"date": 0.0, "snippets": [1, 1, 1], "ms": 4.0}])["snippet_pass"]
    0.5
    """
    body, lede, snippets = scoring.TextScore(), scoring.TextScore(), scoring.SnippetScore()
    means: dict[str, list[float]] = {}
    millis, errors, count = [], 0, 0
    for page in pages:
        count += 1
        millis.append(page["ms"])
        errors += int(bool(page.get("error")))
        if "body" in page:
            body.add_page(*page["body"])
        if "lede" in page:
            lede.add_page(*page["lede"])
        if "snippets" in page:
            snippets.add_page(*page["snippets"])
        for key in _MEAN_KEYS:
            if key in page:
                means.setdefault(key, []).append(page[key])
    out: dict[str, Any] = {"pages": count, "errors": errors}
    if millis:
        out["ms_median"] = statistics.median(millis)
    if body.recalls:
        out.update(body_precision=body.precision, body_recall=body.recall, body_f1=body.f1)
    if snippets.pages:
        out.update(snippet_pass=snippets.pass_rate, snippet_f1=snippets.f1)
    if lede.recalls:
        out["lede_f1"] = lede.f1
    for key, values in means.items():
        out[key] = sum(values) / len(values)
    return out


def run_page(tool: Tool, row: dict[str, Any]) -> dict[str, Any]:
    """Time one tool on one page; its scores and prediction for the report."""
    error = None
    start = time.perf_counter()
    try:
        out = tool.call(row["html"], row["url"])
    except Exception as exc:  # a tool's crash is a scored failure of that page
        log.warning("%s failed on %s: %s", tool.name, row["id"], exc)
        out, error = None, f"{type(exc).__name__}: {exc}"
    millis = (time.perf_counter() - start) * 1000
    pred = tool.convert(out) if out is not None else {}
    scores = score_page(tool, pred, expected_fields(row))
    scores["ms"] = round(millis, 3)
    if error:
        scores["error"] = error
    return {"scores": scores, "prediction": pred}


# A page that declares no language: the first one costs the language model's loading.
_WARM_UP_PAGE = (
    "<html><body><h1>Warm-up</h1><p>"
    + "This paragraph is read once before timing starts, so that nothing is loaded late. " * 5
    + "</p></body></html>"
)


def run_all(tools: dict[str, Tool], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every tool on every page, interleaved page by page (tool order rotating), so a
    busy machine slows every tool alike and the time ratios stay fair."""
    order = list(tools.values())
    for tool in order:  # warm-up: imports, caches, models loaded on first use
        tool.call(rows[0]["html"], rows[0]["url"])
        tool.call(_WARM_UP_PAGE, "https://example.org/warm-up")
    report = []
    for i, row in enumerate(rows):
        shift = i % len(order)
        page = {k: row[k] for k in ("id", "set", "publisher", "groups", "url")}
        page["tools"] = {}
        for tool in order[shift:] + order[:shift]:
            page["tools"][tool.name] = run_page(tool, row)
        report.append(page)
    return report


def group_names(report: list[dict[str, Any]]) -> list[str]:
    """Sets in input order, then held-out and blind."""
    names: list[str] = []
    for page in report:
        names.extend(g for g in page["groups"] if g not in names and g not in (HELD_OUT, BLIND))
    present = {g for page in report for g in page["groups"]}
    return names + [g for g in (HELD_OUT, BLIND) if g in present]


def summaries(report: list[dict[str, Any]], tools: Iterable[str]) -> dict[str, Any]:
    """{group: {tool: summary}} for every set, held-out and blind part, and "all"."""
    out: dict[str, Any] = {}
    for group in [*group_names(report), "all"]:
        pages = [p for p in report if group == "all" or group in p["groups"]]
        out[group] = {
            name: summarize(p["tools"][name]["scores"] for p in pages if name in p["tools"])
            for name in tools
        }
    return out


# --------------------------------------------------------------------------- printing


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _grid(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    width = max(len(label) for label, _ in rows)
    cols = [max(len(h), 8, *(len(cells[i]) for _, cells in rows)) for i, h in enumerate(header)]
    lines = [" | ".join([" " * width, *(h.rjust(c) for h, c in zip(header, cols, strict=True))])]
    lines.append("-+-".join(["-" * width, *("-" * c for c in cols)]))
    for label, cells in rows:
        padded = (v.rjust(c) for v, c in zip(cells, cols, strict=True))
        lines.append(" | ".join([label.ljust(width), *padded]))
    return "\n".join(lines)


def table(summary: dict[str, dict[str, Any]], fast_ms: float | None) -> str:
    """One group's table: a row per metric any tool has, a column per tool."""
    names = list(summary)
    rows = [
        (label, [_fmt(summary[n].get(key)) for n in names])
        for key, label in METRICS.items()
        if any(key in summary[n] for n in names)
    ]
    rows.append(("median ms/page", [f"{summary[n].get('ms_median', 0):.1f}" for n in names]))
    if fast_ms:
        ratios = [f"{summary[n].get('ms_median', 0) / fast_ms:.2f}x" for n in names]
        rows.append(("time / trafilatura-fast", ratios))
    rows.append(("errors", [str(summary[n]["errors"]) for n in names]))
    return _grid(names, rows)


def _competitor(key: str, summary: dict[str, dict[str, Any]]) -> str | None:
    """The tool ours is held against on a field: trafilatura, or htmldate for dates."""
    for name in (("htmldate",) if key == "date" else ()) + ("trafilatura", "trafilatura-fast"):
        if key in summary.get(name, {}):
            return name
    return None


def generalization(summaries_: dict[str, Any]) -> str:
    """Per field: ours on the development set, on held-out publishers, and the lead there."""
    dev = summaries_.get(DEVELOPMENT_SET, {}).get("ours", {})
    held = summaries_.get(HELD_OUT, {})
    blind = summaries_.get(BLIND, {})
    if "ours" not in held:
        return "generalization check: no held-out pages in this run"
    rows = []
    for key, label in METRICS.items():
        ours_held = held["ours"].get(key)
        if ours_held is None and dev.get(key) is None:
            continue
        rival = _competitor(key, held)
        rival_held = held[rival].get(key) if rival else None
        ours_blind = blind.get("ours", {}).get(key)
        rival_blind = blind.get(rival, {}).get(key) if rival else None
        rows.append(
            (
                label,
                [
                    _fmt(dev.get(key)),
                    _fmt(ours_held),
                    rival or "-",
                    _fmt(rival_held),
                    _delta(ours_held, rival_held),
                    _fmt(ours_blind),
                    _delta(ours_blind, rival_blind),
                ],
            )
        )
    header = ["dev: ours", "held: ours", "vs", "theirs", "lead", "blind: ours", "lead"]
    title = (
        f"generalization check: ours on {DEVELOPMENT_SET} (dev) and on "
        f"{held['ours']['pages']} held-out pages ({blind.get('ours', {}).get('pages', 0)} blind)"
    )
    return title + "\n" + _grid(header, rows)


def _delta(new: float | None, old: float | None) -> str:
    return "-" if new is None or old is None else f"{new - old:+.3f}"


def speed(summaries_: dict[str, Any]) -> str:
    """Median ms/page over all pages and the ratio to trafilatura-fast (same interleaved run)."""
    every = summaries_["all"]
    fast = every.get("trafilatura-fast", {}).get("ms_median")
    parts = []
    for name, summary in every.items():
        ratio = f" = {summary['ms_median'] / fast:.2f}x fast" if fast else ""
        parts.append(f"{name} {summary['ms_median']:.1f} ms{ratio}")
    return f"speed, all {every['ours']['pages'] if 'ours' in every else '?'} pages: " + "; ".join(
        parts
    )


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Our per-field deltas against an older ``--json`` file, per group, with pages up/down.

    Only changed fields are listed; a group without changes says so in one line.
    """
    old_pages = {(p["set"], p["id"]): p for p in old.get("pages", [])}
    lines = [f"deltas of ours against {old.get('meta', {}).get('commit') or 'the old run'}:"]
    for group, tools in new["summary"].items():
        before = old.get("summary", {}).get(group, {}).get("ours")
        after = tools.get("ours")
        if group == "all" or not before or not after:
            continue
        moved = _pages_moved(old_pages, new["pages"], group)
        cells = []
        for key, label in METRICS.items():
            up, down = moved.get(key, (0, 0))
            if key in after and key in before and (up or down or before[key] != after[key]):
                change = f"{before[key]:.3f} -> {after[key]:.3f} ({after[key] - before[key]:+.3f}"
                cells.append(f"{label} {change}; pages +{up}/-{down})")
        speed_ = f"median {before.get('ms_median', 0):.1f} -> {after.get('ms_median', 0):.1f} ms"
        lines.append(f"  {group} ({after['pages']} pages): {'; '.join(cells) or 'unchanged'}")
        lines.append(f"      {speed_}")
    return "\n".join(lines)


def _page_value(scores: dict[str, Any], key: str) -> float | None:
    """One page's value of a summary metric (body and lede as page F1)."""
    source = {"body_f1": "body", "lede_f1": "lede", "snippet_f1": "snippets"}.get(key, key)
    value = scores.get(source)
    if key in ("body_f1", "lede_f1") and value is not None:
        return scoring.f1(value[0], value[1])
    if key == "body_precision" and scores.get("body"):
        return scores["body"][0]
    if key == "body_recall" and scores.get("body"):
        return scores["body"][1]
    if key in ("snippet_pass", "snippet_f1") and scores.get("snippets"):
        found, missed, leaked = scores["snippets"]
        if key == "snippet_pass":
            return float(not missed and not leaked)
        return scoring.f1(
            found / (found + leaked) if found + leaked else 0.0,
            found / (found + missed) if found + missed else 0.0,
        )
    return value if isinstance(value, float) else None


def _pages_moved(
    old_pages: dict[tuple[str, str], Any], pages: list[dict[str, Any]], group: str
) -> dict[str, tuple[int, int]]:
    """Per metric: how many pages of ``group`` scored higher and lower than before."""
    moved: dict[str, tuple[int, int]] = {}
    for page in pages:
        previous = old_pages.get((page["set"], page["id"]))
        if (group != "all" and group not in page["groups"]) or not previous:
            continue
        new_scores = page["tools"].get("ours", {}).get("scores", {})
        old_scores = previous["tools"].get("ours", {}).get("scores", {})
        for key in METRICS:
            a, b = _page_value(old_scores, key), _page_value(new_scores, key)
            if a is None or b is None or abs(a - b) < 1e-9:
                continue
            up, down = moved.get(key, (0, 0))
            moved[key] = (up + (b > a), down + (b < a))
    return moved


# --------------------------------------------------------------------------- main


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=list(DEFAULT_SETS))
    parser.add_argument("--only", help="comma-separated tools: ours,trafilatura,...")
    parser.add_argument("--every", type=int, default=1, help="score every Nth page of each set")
    parser.add_argument("--limit", type=int, help="score only the first N pages of each set")
    parser.add_argument("--json", type=Path, help="write summary, predictions and scores here")
    parser.add_argument("--compare", type=Path, help="print our deltas against this --json file")
    parser.add_argument(
        "--show",
        choices=sorted(_SHOW_SCORES),
        help="after the tables, list our misses on this field (never on blind pages)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("trafilatura", "readability", "htmldate", "courlan"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    if args.every < 1:
        parser.error("--every must be at least 1")
    old = None
    if args.compare:
        try:
            old = json.loads(args.compare.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            parser.error(f"cannot read --compare file {args.compare}: {exc}")
    for data_dir in args.sets:
        if not (data_dir / "truth.jsonl").is_file():
            parser.error(f"{data_dir} has no truth.jsonl")

    tools = build_tools()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in tools]
        if unknown:
            parser.error(f"unknown tool(s): {', '.join(unknown)}; known: {', '.join(tools)}")
        tools = {n: tools[n] for n in wanted}
    rows = [row for d in args.sets for row in load_pages(d, args.limit, args.every)]
    if not rows:
        parser.error("no pages to score")
    assign_groups(rows)
    report = run_all(tools, rows)
    result = {
        "meta": {"commit": _commit(), "every": args.every, "limit": args.limit},
        "summary": summaries(report, tools),
        "pages": report,
    }
    for group in (g for g in group_names(report) if g not in (HELD_OUT, BLIND)):
        summary = result["summary"][group]
        fast_ms = summary.get("trafilatura-fast", {}).get("ms_median")
        print(f"\n{group}: {summary[next(iter(tools))]['pages']} pages")
        print(table(summary, fast_ms))
    print()
    print(generalization(result["summary"]))
    print(speed(result["summary"]))
    if old is not None:
        print()
        print(compare(old, result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    if args.show and "ours" in tools:
        print(misses(args.show, rows, report))
    return 0


# Field shown by --show -> the page score that marks a miss (below 1.0).
_SHOW_SCORES = {
    "body": "body_recall",
    "snippets": "snippet_pass",
    "lede": "lede_f1",
    "headline": "headline",
    "authors": "authors",
    "date": "date",
    "captions": "captions",
    "credits": "credits",
}


def misses(field_name: str, rows: list[dict[str, Any]], report: list[dict[str, Any]]) -> str:
    """Our pages below 1.0 on ``field_name``, expected vs. predicted; blind pages never."""
    key = _SHOW_SCORES[field_name]
    lines = []
    for row, page in zip(rows, report, strict=True):
        if BLIND in row["groups"]:
            continue
        ours = page["tools"].get("ours") or {}
        score = _page_value(ours.get("scores", {}), key)
        if score is None or score >= 1.0:
            continue
        exp = expected_fields(row)
        if field_name == "snippets":
            expected: Any = {"must": exp["must_contain"], "not": exp["must_not_contain"]}
            predicted = (ours["prediction"].get("body") or "")[:300]
        else:
            expected, predicted = exp[field_name], ours["prediction"].get(field_name)
        lines.append(f"{row['set']}/{row['id']}  {key}={score:.2f}  {row['url']}")
        lines.append(f"    expected: {_short(expected)}")
        lines.append(f"    ours:     {_short(predicted)}")
    return "\n".join(lines) or f"no misses on {field_name}"


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
