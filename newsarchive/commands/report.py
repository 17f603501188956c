"""Write a plan's report.html: every site's runs as small charts (articles, failures, coverage).

    newsarchive report --plan plans/demo.toml            # writes OUTPUT/report.html
    newsarchive report --plan plans/demo.toml -o r.html

A plan crawl writes it too, after each run. The page is self-contained (inline SVG,
no scripts, nothing from the network).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write a plan's report.html (runs over time, per site, as small charts)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", required=True, help="the crawl plan (TOML)")
    parser.add_argument(
        "-o", "--out", type=Path, default=None, help="file to write (default: OUTPUT/report.html)"
    )


def run(args: argparse.Namespace) -> int:
    from newsarchive.plan import PlanError, load_plan
    from newsarchive.report_html import write
    from newsarchive.state import CrawlState, StateError

    try:
        plan = load_plan(args.plan)
    except PlanError as error:
        print(error, file=sys.stderr)
        return 1
    if not plan.state_path.exists():
        print(f"{plan.path}: no crawl state yet ({plan.state_path}); crawl first", file=sys.stderr)
        return 1
    target = args.out or plan.output_dir / "report.html"
    try:
        with CrawlState(plan.state_path) as state:
            written = write(state, plan.name, target)
    except (OSError, StateError) as error:
        print(f"newsarchive report: {error}", file=sys.stderr)
        return 1
    print(written)
    return 0
