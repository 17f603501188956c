"""``report.html``: a plan's crawls over time, one self-contained page per plan.

``report.txt`` compares a run with the one before it; a site that changes its layout
shows as a trend over many runs, so this page draws, per site, the articles of every
finished run, its failures by reason and its field coverage, and flags each run whose
coverage dropped (the same rule as ``report.txt``: :func:`newsarchive.report.compare_coverage`).

Inline SVG and CSS only: no script and nothing from the network, so the page opens
from a file, a mail attachment or an archive. Every mark carries its number in
``data-*`` attributes and a ``<title>`` tooltip, so the charts can be read back (the
browser test does) and by screen readers.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsarchive.atomic import write_atomic
from newsarchive.report import DEFAULT_DROP_THRESHOLD, compare_coverage, coverage_fields
from newsarchive.state import CrawlState, Run

WIDTH, HEIGHT, PAD = 560, 120, 28  # one chart's SVG box and its left/bottom margin
SPARK_WIDTH, SPARK_HEIGHT = 170, 48  # one field's coverage line
REASON_COLOURS = ("#c0392b", "#e67e22", "#8e44ad", "#2c3e50", "#16a085", "#7f8c8d")
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}.chart h3{font-size:1em;margin:.5em 0}
.sparks{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.5em}
.bar{fill:#2e86de}.axis{stroke:#999}.line{fill:none;stroke:#2e86de;stroke-width:1.5}
.point{fill:#2e86de}.point.drop{fill:#c0392b}.drops{color:#c0392b}
text{font-size:10px;fill:#555}.legend span{display:inline-block;margin-right:1em}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _x(index: int, count: int, width: int = WIDTH, pad: int = PAD) -> float:
    """Left edge of run ``index`` of ``count`` in a chart ``width`` wide."""
    return pad + index * (width - pad) / max(count, 1)


def _axis(height: int = HEIGHT, width: int = WIDTH, pad: int = PAD) -> str:
    return (
        f'<line class="axis" x1="{pad}" y1="{height - pad}" x2="{width}" y2="{height - pad}"/>'
        f'<line class="axis" x1="{pad}" y1="0" x2="{pad}" y2="{height - pad}"/>'
    )


def _run_label(run: Run) -> str:
    return f"run {run.run_id} ({run.started_at})"


def articles_chart(site: str, runs: Sequence[Run]) -> str:
    """Bars: the articles of each run."""
    values = [int(run.stats.get("articles") or 0) for run in runs]
    top = max(values, default=0) or 1
    slot = (WIDTH - PAD) / max(len(runs), 1)
    parts = [_axis(), f'<text x="2" y="10">{top}</text>']
    for index, (run, value) in enumerate(zip(runs, values, strict=True)):
        height = (HEIGHT - PAD - 12) * value / top
        parts.append(
            f'<rect class="bar" data-site="{_e(site)}" data-run="{run.run_id}" '
            f'data-value="{value}" x="{_x(index, len(runs)) + 1:.1f}" '
            f'y="{HEIGHT - PAD - height:.1f}" width="{max(slot - 2, 1):.1f}" '
            f'height="{height:.1f}"><title>{_e(_run_label(run))}: {value} articles</title></rect>'
        )
    return _svg("articles", "Articles per run", parts)


def failures_chart(site: str, runs: Sequence[Run]) -> str:
    """Stacked bars: each run's failures by reason, with a legend of the reasons."""
    reasons: list[str] = []
    for run in runs:
        for reason in run.stats.get("failures") or {}:
            if reason not in reasons:
                reasons.append(reason)
    totals = [sum((run.stats.get("failures") or {}).values()) for run in runs]
    top = max(totals, default=0) or 1
    slot = (WIDTH - PAD) / max(len(runs), 1)
    parts = [_axis(), f'<text x="2" y="10">{top}</text>']
    for index, run in enumerate(runs):
        bottom = float(HEIGHT - PAD)
        for number, reason in enumerate(reasons):
            value = int((run.stats.get("failures") or {}).get(reason) or 0)
            if not value:
                continue
            height = (HEIGHT - PAD - 12) * value / top
            bottom -= height
            parts.append(
                f'<rect class="failure" data-site="{_e(site)}" data-run="{run.run_id}" '
                f'data-reason="{_e(reason)}" data-value="{value}" '
                f'fill="{REASON_COLOURS[number % len(REASON_COLOURS)]}" '
                f'x="{_x(index, len(runs)) + 1:.1f}" y="{bottom:.1f}" '
                f'width="{max(slot - 2, 1):.1f}" height="{height:.1f}">'
                f"<title>{_e(_run_label(run))}: {value} x {_e(reason)}</title></rect>"
            )
    legend = "".join(
        f'<span><i class="swatch" style="background:{REASON_COLOURS[n % len(REASON_COLOURS)]}">'
        f"</i>{_e(reason)}</span>"
        for n, reason in enumerate(reasons)
    )
    note = f'<p class="legend">{legend}</p>' if reasons else "<p>No failures.</p>"
    return _svg("failures", "Failures per run, by reason", parts) + note


def coverage_sparks(site: str, runs: Sequence[Run], drops: dict[int, set[str]]) -> str:
    """One small line per field: its coverage (0-100%) over the runs; drops in red."""
    cells = []
    for name in coverage_fields():
        points = []
        marks = []
        for index, run in enumerate(runs):
            share = (run.stats.get("coverage") or {}).get(name)
            if share is None:
                continue
            x = _x(index, len(runs), SPARK_WIDTH, 4) + 4
            y = 4 + (SPARK_HEIGHT - 8) * (1 - float(share))
            points.append(f"{x:.1f},{y:.1f}")
            dropped = name in drops.get(run.run_id, set())
            marks.append(
                f'<circle class="point{" drop" if dropped else ""}" data-site="{_e(site)}" '
                f'data-run="{run.run_id}" data-field="{_e(name)}" data-value="{share}" '
                f'cx="{x:.1f}" cy="{y:.1f}" r="{3.5 if dropped else 2.5}">'
                f"<title>{_e(_run_label(run))}: {name} {float(share) * 100:.0f}%"
                f"{' (dropped)' if dropped else ''}</title></circle>"
            )
        line = f'<polyline class="line" points="{" ".join(points)}"/>' if points else ""
        cells.append(
            f'<div><svg role="img" aria-label="{_e(name)} coverage" width="{SPARK_WIDTH}" '
            f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">'
            f"{line}{''.join(marks)}</svg><br>{_e(name)}</div>"
        )
    return f'<div class="sparks">{"".join(cells)}</div>'


def _svg(kind: str, title: str, parts: list[str]) -> str:
    return (
        f'<div class="chart"><h3>{_e(title)}</h3><svg class="{kind}" role="img" '
        f'aria-label="{_e(title)}" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">{"".join(parts)}</svg></div>'
    )


def coverage_drops(runs: Sequence[Run], threshold: float) -> dict[int, list[dict[str, Any]]]:
    """Per run id, the fields whose coverage fell by more than ``threshold`` since the last run."""
    found: dict[int, list[dict[str, Any]]] = {}
    for before, run in itertools.pairwise(runs):
        _, drops = compare_coverage(
            run.stats.get("coverage") or {},
            before.stats.get("coverage"),
            current_articles=int(run.stats.get("articles") or 0),
            previous_articles=int(before.stats.get("articles") or 0),
            threshold=threshold,
        )
        if drops:
            found[run.run_id] = drops
    return found


def site_section(site: str, runs: Sequence[Run], unfinished: int, threshold: float) -> str:
    drops = coverage_drops(runs, threshold)
    flagged = [
        f"<li>{_e(_run_label(run))}: "
        + ", ".join(
            f"{_e(d['field'])} {d['previous'] * 100:.0f}% &rarr; {d['current'] * 100:.0f}%"
            for d in drops[run.run_id]
        )
        + "</li>"
        for run in runs
        if run.run_id in drops
    ]
    warning = (
        f'<div class="drops"><p>Coverage fell by more than {threshold * 100:.0f} points '
        f"(the site's layout has probably changed):</p><ul>{''.join(flagged)}</ul></div>"
        if flagged
        else ""
    )
    extra = f", {unfinished} unfinished (crashed or running)" if unfinished else ""
    return (
        f'<section data-site="{_e(site)}"><h2>{_e(site)}</h2>'
        f"<p>{len(runs)} finished runs{extra}.</p>{warning}"
        f'<div class="charts">{articles_chart(site, runs)}{failures_chart(site, runs)}</div>'
        f"<h3>Field coverage per run</h3>"
        f"{coverage_sparks(site, runs, {r: {d['field'] for d in ds} for r, ds in drops.items()})}"
        "</section>"
    )


def render(
    plan_name: str,
    runs: Sequence[Run],
    threshold: float = DEFAULT_DROP_THRESHOLD,
    now: datetime | None = None,
) -> str:
    """The page for one plan from its runs (as :meth:`CrawlState.runs` lists them)."""
    sites: dict[str, list[Run]] = {}
    unfinished: dict[str, int] = {}
    for run in runs:
        if run.status == "finished" and run.stats:
            sites.setdefault(run.site, []).append(run)
        else:
            sites.setdefault(run.site, [])
            unfinished[run.site] = unfinished.get(run.site, 0) + 1
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds").replace("+00:00", "Z")
    body = "".join(
        site_section(name, sites[name], unfinished.get(name, 0), threshold)
        for name in sorted(sites)
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>newsarchive: plan {_e(plan_name)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Plan {_e(plan_name)}</h1><p>Generated {_e(stamp)} from the crawl state.</p>"
        f"{body or '<p>No runs yet.</p>'}</body></html>\n"
    )


def write(state: CrawlState, plan_name: str, path: Path) -> Path:
    """Write the plan's page to ``path`` (a temporary file, then renamed: never half a page).

    The temporary name is unique, so two workers of a shared crawl can both write it.
    """
    text = render(plan_name, state.runs())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text, unique=True)
    return path
