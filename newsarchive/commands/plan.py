"""Check a crawl plan: every problem with its file, line and field; or show what a site runs with.

newsarchive plan check plans/demo.toml
newsarchive plan show plans/demo.toml --site demo
"""

from __future__ import annotations

import argparse
import json
import sys

HELP = "check a crawl plan file (errors with file, line and field) or show a site's settings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["check", "show"],
        help="check: validate the plan; show: print each site's Scrapy settings "
        "and site configuration (what the news spider is given) as JSON",
    )
    parser.add_argument("file", help="the plan (TOML)")
    parser.add_argument("--site", help="site to show (default: every site)")


def run(args: argparse.Namespace) -> int:
    from newsarchive.plan import PlanError, load_plan, site_settings

    try:
        plan = load_plan(args.file)
    except PlanError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        if len(exc.issues) > 1:
            print(f"{args.file}: {len(exc.issues)} problems", file=sys.stderr)
        return 1
    try:
        sites = [plan.site(args.site)] if args.site else list(plan.sites)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    if args.action == "check":
        names = ", ".join(site.name for site in sites)
        print(f"{args.file}: OK: plan {plan.name!r}, {len(sites)} site(s): {names}")
        return 0
    shown = {
        site.name: {
            "settings": site_settings(plan, site),
            "site": site.describe(),
        }
        for site in sites
    }
    print(json.dumps(shown, indent=2))
    return 0
