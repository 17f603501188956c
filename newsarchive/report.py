"""The crawl report: what a crawl fetched, what failed and why, and how complete the articles are.

Built from a crawl's output folder (``pages.jsonl`` and ``articles/*.jsonl.gz``),
per site: pages and articles, outcomes, failures by reason, how URLs were
discovered, and field coverage (the share of articles with a headline, lede,
captions, quotes, related links, authors, publication date). Coverage is
compared with the previous run of the same plan site (from the crawl state):
a field whose coverage dropped by more than a threshold is flagged, the usual
sign that the site changed its layout. Written as ``report.json`` and in words
as ``report.txt``.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsarchive import schema
from newsarchive.crawlfolder import PAGES_NAME, REPORT_NAMES, CrawlFolder, write_text_atomic
from newsarchive.state import CrawlState, Run

log = logging.getLogger(__name__)

REPORT_VERSION = 1


def coverage_fields() -> tuple[str, ...]:
    """Fields whose coverage is reported: those with a ``coverage`` label in the schema.

    Coverage is the share of articles where the field is present and non-empty.
    """
    return tuple(f.path for f in schema.fields() if f.coverage and "." not in f.path)


# A drop of more than this share (0.2 = 20 percentage points) flags a layout change...
DEFAULT_DROP_THRESHOLD = 0.2
# ...when both runs had at least this many articles (fewer is noise).
MIN_ARTICLES_TO_COMPARE = 5
# Outcomes that are no failure of the crawl.
# A redirect hop is followed to its target; not_modified is an archived page unchanged
# since the last run (a 304, or identical text): both are the crawl working as meant.
SUCCESS_OUTCOMES = frozenset({"article", "not_article", "redirect", "not_modified"})
FAILURE_LABELS = {"robots_denied": "denied by robots.txt", "refused": "refused"}
# Refusals with their own line in the report: code in the reason -> label.
REFUSAL_LABELS = {"url_too_long:": "URL too long"}


# --------------------------------------------------------------------------- reading the output


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines file (gzip or not); a torn last line or member is skipped."""
    opener = gzip.open if path.name.endswith((".gz", ".gz.open")) else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    log.warning("%s:%d: unreadable JSON line skipped", path, number)
                    continue
                if isinstance(record, dict):
                    yield record
    except (EOFError, OSError, zlib.error) as exc:
        log.warning("%s: stopped reading at a damaged part (%s)", path, exc)


def host_site(url: str | None) -> str:
    """Site key for crawls without a plan: the host without ``www.``."""
    host = (urlsplit(url or "").hostname or "unknown").lower()
    return host.removeprefix("www.")


def _has_value(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return value is not None


def _failure_reason(page: dict[str, Any]) -> str:
    """A short, groupable reason: "HTTP 404", "denied by robots.txt", "TimeoutError"."""
    outcome = page.get("outcome") or "unknown"
    reason = str(page.get("reason") or "")
    if outcome == "http_error":
        return reason or f"HTTP {page.get('status')}"
    if outcome == "refused":
        for code, label in REFUSAL_LABELS.items():
            if code in reason:
                return label
    if outcome in FAILURE_LABELS:
        return FAILURE_LABELS[outcome]
    if outcome == "failed":
        return reason.split(":", 1)[0] or "failed"
    return reason or outcome


# --------------------------------------------------------------------------- building


class _SiteTally:
    """Counters for one site while the output is read once."""

    def __init__(self) -> None:
        self.pages = 0
        self.outcomes: Counter[str] = Counter()
        self.page_types: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.discovered: Counter[str] = Counter()
        self.articles = 0
        self.present: Counter[str] = Counter()

    def add_page(self, page: dict[str, Any]) -> None:
        self.pages += 1
        outcome = page.get("outcome") or "unknown"
        self.outcomes[outcome] += 1
        if page.get("page_type"):
            self.page_types[str(page["page_type"])] += 1
        if page.get("page_type") == "block_page":
            self.failures["block or challenge page"] += 1
        elif outcome not in SUCCESS_OUTCOMES:
            self.failures[_failure_reason(page)] += 1
        via = page.get("discovered_via") or {}
        self.discovered[str(via.get("type") or "unknown")] += 1

    def add_article(self, article: dict[str, Any]) -> None:
        self.articles += 1
        for name in coverage_fields():
            if _has_value(article.get(name)):
                self.present[name] += 1

    def coverage(self) -> dict[str, float | None]:
        if not self.articles:
            return {name: None for name in coverage_fields()}
        return {name: round(self.present[name] / self.articles, 4) for name in coverage_fields()}


def _article_crawl_id(article: dict[str, Any]) -> str | None:
    provenance = article.get("provenance") or {}
    return provenance.get("crawl_id") if isinstance(provenance, dict) else None


def tally_output(
    out_dir: Path,
    site: str | None = None,
    crawl_id: str | None = None,
    *,
    folders: Iterable[Path] | None = None,
) -> dict[str, _SiteTally]:
    """Read ``pages.jsonl`` and the article files once; one tally per site.

    ``site`` puts everything under one plan site name (a plan crawl covers one
    site); without it pages are grouped by host. ``crawl_id`` keeps only that
    crawl's lines when an output folder is reused across runs. ``folders`` reads
    several output folders (the workers of a shared crawl) instead of ``out_dir``.
    """
    tallies: dict[str, _SiteTally] = {}
    for folder in [out_dir] if folders is None else folders:
        pages_file = folder / PAGES_NAME
        if pages_file.exists():
            for page in read_jsonl(pages_file):
                if crawl_id and page.get("crawl_id") not in (None, crawl_id):
                    continue
                key = site or host_site(page.get("url") or page.get("requested_url"))
                tallies.setdefault(key, _SiteTally()).add_page(page)
        for path in CrawlFolder(folder).batches_here():
            for article in read_jsonl(path):
                if crawl_id and _article_crawl_id(article) not in (None, crawl_id):
                    continue
                key = site or host_site(article.get("canonical_url") or article.get("url"))
                tallies.setdefault(key, _SiteTally()).add_article(article)
    return tallies


def compare_coverage(
    current: dict[str, float | None],
    previous: dict[str, float | None] | None,
    *,
    current_articles: int,
    previous_articles: int,
    threshold: float = DEFAULT_DROP_THRESHOLD,
) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """Per-field change since the previous run, and the fields that dropped by > threshold."""
    changes: dict[str, float | None] = {}
    drops: list[dict[str, Any]] = []
    comparable = (
        previous is not None
        and current_articles >= MIN_ARTICLES_TO_COMPARE
        and previous_articles >= MIN_ARTICLES_TO_COMPARE
    )
    for name in coverage_fields():
        now, before = current.get(name), (previous or {}).get(name)
        if now is None or before is None:
            changes[name] = None
            continue
        changes[name] = round(now - before, 4)
        if comparable and before - now > threshold:
            drops.append(
                {"field": name, "previous": before, "current": now, "drop": round(before - now, 4)}
            )
    return changes, drops


def site_section(tally: _SiteTally, previous: Run | None, threshold: float) -> dict[str, Any]:
    """The report of one site, compared with its previous run."""
    coverage = tally.coverage()
    previous_stats = previous.stats if previous else {}
    changes, drops = compare_coverage(
        coverage,
        previous_stats.get("coverage"),
        current_articles=tally.articles,
        previous_articles=int(previous_stats.get("articles") or 0),
        threshold=threshold,
    )
    return {
        "pages": tally.pages,
        "articles": tally.articles,
        "outcomes": dict(tally.outcomes.most_common()),
        "page_types": dict(tally.page_types.most_common()),
        "failures": dict(tally.failures.most_common()),
        "failure_count": sum(tally.failures.values()),
        "discovered_via": dict(tally.discovered.most_common()),
        "coverage": coverage,
        "previous": None
        if previous is None
        else {
            "run_id": previous.run_id,
            "started_at": previous.started_at,
            "pages": previous_stats.get("pages"),
            "articles": previous_stats.get("articles"),
            "coverage": previous_stats.get("coverage"),
        },
        "coverage_change": changes,
        "coverage_drops": drops,
        "layout_change_suspected": bool(drops),
    }


def build_report(
    out_dir: str | Path,
    *,
    site: str | None = None,
    crawl_id: str | None = None,
    previous_runs: dict[str, Run | None] | None = None,
    threshold: float = DEFAULT_DROP_THRESHOLD,
    now: datetime | None = None,
    folders: Iterable[Path] | None = None,
) -> dict[str, Any]:
    """The report of the crawl in ``out_dir`` (pure apart from reading the folder).

    ``folders``: read these output folders (a shared crawl's workers) instead.
    """
    out_dir = Path(out_dir)
    tallies = tally_output(out_dir, site, crawl_id, folders=folders)
    if site and site not in tallies:
        tallies[site] = _SiteTally()
    previous_runs = previous_runs or {}
    sites = {
        name: site_section(tally, previous_runs.get(name), threshold)
        for name, tally in sorted(tallies.items())
    }
    return {
        "report_version": REPORT_VERSION,
        "generated_at": (now or datetime.now(UTC))
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "output_dir": str(out_dir),
        "crawl_id": crawl_id,
        "drop_threshold": threshold,
        "totals": {
            "pages": sum(s["pages"] for s in sites.values()),
            "articles": sum(s["articles"] for s in sites.values()),
            "failures": sum(s["failure_count"] for s in sites.values()),
        },
        "sites": sites,
        "layout_change_suspected": sorted(
            n for n, s in sites.items() if s["layout_change_suspected"]
        ),
    }


def run_stats(section: dict[str, Any]) -> dict[str, Any]:
    """What the crawl state keeps of a site's report, for the next run's comparison."""
    keys = ("pages", "articles", "outcomes", "failures", "coverage")
    return {key: section[key] for key in keys}


# --------------------------------------------------------------------------- words


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}%"


def _change(delta: float | None) -> str:
    if delta is None:
        return ""
    points = round(delta * 100)
    return " (=)" if points == 0 else f" ({points:+d} pts)"


def render_text(report: dict[str, Any]) -> str:
    """The report in words, for the terminal and ``report.txt``."""
    totals = report["totals"]
    lines = [
        f"Crawl report for {report['output_dir']} ({report['generated_at']})",
        f"{totals['pages']} pages, {totals['articles']} articles, {totals['failures']} failures",
        "",
    ]
    for name, site in report["sites"].items():
        lines.append(
            f"{name}: {site['pages']} pages, {site['articles']} articles, "
            f"{site['failure_count']} failures"
        )
        if site["failures"]:
            reasons = ", ".join(f"{reason} x{count}" for reason, count in site["failures"].items())
            lines.append(f"  failures: {reasons}")
        if site["discovered_via"]:
            sources = ", ".join(f"{kind} {count}" for kind, count in site["discovered_via"].items())
            lines.append(f"  discovered via: {sources}")
        previous = site["previous"]
        against = (
            (
                f" (against run {previous['run_id']} of {previous['started_at']}, "
                f"{previous['articles']} articles)"
            )
            if previous
            else " (first run)"
        )
        lines.append(f"  field coverage{against}:")
        for field_name in coverage_fields():
            lines.append(
                f"    {field_name:<15} {_percent(site['coverage'][field_name]):>5}"
                f"{_change(site['coverage_change'][field_name])}"
            )
        if site["coverage_drops"]:
            fields = ", ".join(
                f"{d['field']} {_percent(d['previous'])} -> {_percent(d['current'])}"
                for d in site["coverage_drops"]
            )
            lines.append(
                f"  WARNING: coverage dropped by more than "
                f"{report['drop_threshold'] * 100:.0f} points ({fields}): "
                "the site's layout has probably changed."
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_report(report: dict[str, Any], out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.txt`` atomically (temp file + rename).

    A write error (a full disk) raises ``OSError`` and leaves no temporary file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        (REPORT_NAMES[0], json.dumps(report, indent=2, ensure_ascii=False) + "\n"),
        (REPORT_NAMES[1], render_text(report)),
    ):
        target = out_dir / name
        write_text_atomic(target, text)
        written.append(target)
    return written[0], written[1]


def report_crawl(
    out_dir: str | Path,
    *,
    state: CrawlState | None = None,
    run_id: int | None = None,
    site: str | None = None,
    crawl_id: str | None = None,
    threshold: float = DEFAULT_DROP_THRESHOLD,
) -> dict[str, Any]:
    """End of a crawl: build the report against the previous runs, write it, close the run.

    With ``state`` each site is compared with its last finished run before
    ``run_id``; with ``run_id`` too, that run is finished with the site's stats
    (so the next crawl compares with this one). Returns the report.
    """
    previous: dict[str, Run | None] = {}
    if state is not None:
        names = [site] if site else list(tally_output(Path(out_dir), None, crawl_id))
        previous = {name: state.previous_run(name, before=run_id) for name in names}
    report = build_report(
        out_dir, site=site, crawl_id=crawl_id, previous_runs=previous, threshold=threshold
    )
    try:
        write_report(report, out_dir)
    except OSError as error:
        # The crawl's own files are what matters; a report that does not fit is said, not fatal.
        report["write_error"] = f"cannot write the report in {out_dir}: {error.strerror or error}"
        log.error("%s", report["write_error"])
    if state is not None and run_id is not None and site:
        try:
            state.finish_run(run_id, run_stats(report["sites"][site]))
        except OSError as error:  # the state's disk is full: the run stays unfinished
            message = f"cannot finish the run in the crawl state: {error.strerror or error}"
            report.setdefault("write_error", message)
            log.error("%s", message)
    return report
