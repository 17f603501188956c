"""Show when a plan's sites are crawled, print crontab or systemd units, or run the schedule.

    newsarchive schedule --plan plans/demo.toml --next 5
    newsarchive schedule --plan plans/demo.toml --crontab     # append to `crontab -e`
    newsarchive schedule --plan plans/demo.toml --systemd     # writes nothing; prints units
    newsarchive schedule --plan plans/demo.toml --run         # foreground scheduler
    newsarchive schedule --plan plans/demo.toml --tick        # start what is due now, wait
    newsarchive schedule --plan plans/demo.toml --launch SITE # crawl SITE now, logged

Times are UTC, on any machine: the crontab is one per-minute --tick line
(Debian's cron ignores CRON_TZ), systemd timers name UTC. Two crawls of one site
never overlap: the cron check runs under a per-plan ``flock -n`` lock, every crawl of a
plan's site holds that site's lock (a systemd unit finding it taken exits 75), the
foreground scheduler never starts a site that is still running, and a run missed during
downtime runs once. Each scheduled crawl logs to its own file in the logs/
folder beside the plan's state.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.plan import Plan

HELP = "show a plan's next runs; print crontab/systemd lines; or run the schedule in the foreground"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", required=True, help="the crawl plan (TOML)")
    parser.add_argument(
        "--next",
        type=int,
        default=5,
        metavar="N",
        help="how many upcoming runs to show per site (default 5)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--crontab", action="store_true", help="print crontab lines")
    mode.add_argument(
        "--systemd", action="store_true", help="print a .service and a .timer unit per site"
    )
    mode.add_argument(
        "--run",
        action="store_true",
        help="run in the foreground, starting crawls when they are due",
    )
    mode.add_argument(
        "--tick",
        action="store_true",
        help="start the sites due now and wait for them (the crontab's per-minute line)",
    )
    mode.add_argument(
        "--launch",
        metavar="SITE",
        default=None,
        help="crawl SITE now, its output in a log file (the systemd unit's command)",
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="with --run: how often to check running crawls (default 30)",
    )


def _show_next(plan: Plan, count: int) -> None:
    from datetime import UTC, datetime

    from newsarchive.schedule import upcoming

    now = datetime.now(UTC)
    runs = upcoming(plan, now, count)
    for site in plan.sites:
        times = runs[site.name]
        if not times:
            print(f"{site.name}: no schedule")
            continue
        print(f"{site.name} ({site.schedule}, UTC):")
        for moment in times:
            print(f"  {moment.strftime('%Y-%m-%d %H:%M %a')}")


def run(args: argparse.Namespace) -> int:
    from newsarchive.plan import PlanError, load_plan, state_file_problem
    from newsarchive.schedule import (
        Scheduler,
        SubprocessLauncher,
        SystemClock,
        crontab_lines,
        lock_path,
        log_dir,
        run_due,
        systemd_units,
        wait_for,
    )

    if args.next < 1:
        print("--next must be at least 1", file=sys.stderr)
        return 2
    try:
        plan = load_plan(args.plan)
    except PlanError as exc:
        for issue in exc.issues:
            print(f"newsarchive schedule: {issue}", file=sys.stderr)
        return 2
    if args.crontab or args.systemd:
        # flock creates the lock file but not its folder.
        lock_path(plan).parent.mkdir(parents=True, exist_ok=True)
        log_dir(plan).mkdir(parents=True, exist_ok=True)
    if args.crontab:
        print("\n".join(crontab_lines(plan)))
    elif args.systemd:
        for name, text in systemd_units(plan).items():
            print(f"# ---- {name}\n{text}")
    elif args.tick:
        return run_due(Scheduler(plan, SubprocessLauncher(plan)))
    elif args.launch:
        site = next((s for s in plan.sites if s.name == args.launch), None)
        if site is None:
            names = ", ".join(s.name for s in plan.sites)
            print(f"{plan.path}: no site {args.launch!r} (sites: {names})", file=sys.stderr)
            return 2
        return wait_for({site.name: SubprocessLauncher(plan)(site)}, SystemClock())
    elif args.run:
        problem = state_file_problem(plan)
        if problem:
            print(f"newsarchive schedule: {problem}", file=sys.stderr)
            return 2
        scheduler = Scheduler(plan, SubprocessLauncher(plan), poll_seconds=args.poll)
        try:
            scheduler.run()
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
    else:
        _show_next(plan, args.next)
    return 0
