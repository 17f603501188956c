"""Crawl news sites: bare home/section page URLs, or the sites of a crawl plan.

With URLs: sitemaps from robots.txt, feeds from <link rel="alternate">, article
links from the pages themselves; the output goes to NEWSARCHIVE_OUTPUT_DIR/CRAWL_ID
(or --out). With --plan: each site (or only --site NAME) with the plan's sources,
scope, limits and politeness, into OUTPUT/SITE/CRAWL_ID; the plan's crawl state
makes the run incremental (archived articles are not fetched again) and the
report compares field coverage with the site's previous run.

Nothing earlier is overwritten: WARC files, articles/*.jsonl.gz, pages.jsonl,
manifest.json and report.json/report.txt. A summary is printed at the end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = "crawl news sites (URLs of home/section pages, or a plan) into WARC + JSON Lines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="home or section page URLs")
    parser.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="crawl plan (TOML, see docs/plans.md) instead of URLs",
    )
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="NAME",
        help="with --plan: crawl only this site (repeatable; default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: NEWSARCHIVE_OUTPUT_DIR/CRAWL_ID; "
        "with --plan: the plan's OUTPUT/SITE/CRAWL_ID)",
    )
    parser.add_argument(
        "--crawl-id",
        default=None,
        help="crawl id for file names and provenance: 1-128 letters, digits, '.', '_', '~', '-' "
        "(default: generated; give the earlier one to resume into its folder)",
    )
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="allow private/loopback/link-local targets (local test sites)",
    )
    parser.add_argument(
        "--max-pages",
        type=positive_int,
        default=None,
        help="stop after exactly this many responses (further requests are left for a resume; "
        "a Redis worker still fetches those already handed to its downloader)",
    )
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy/newsarchive setting",
    )
    parser.add_argument(
        "--wacz",
        action="store_true",
        help="end each crawl with OUT/CRAWL_ID.wacz (every WARC, its articles as the page list)",
    )
    parser.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="run as one worker of a crawl shared through Redis "
        "(needs --crawl-id; see newsarchive.distributed)",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_setting_overrides(pairs: list[str]) -> dict[str, str]:
    """``["NAME=VALUE", ...]`` -> dict; Scrapy converts the strings where settings are read.

    A user agent given here must name a contact, as a plan's must.
    """
    from newsarchive.plan import contact_error

    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {pair!r}")
        if name.strip() == "NEWSARCHIVE_CRAWL_ID":
            raise ValueError("give the crawl id with --crawl-id ID, not -s NEWSARCHIVE_CRAWL_ID")
        if name.strip() == "USER_AGENT":
            error = contact_error(value)
            if error:
                raise ValueError(f"-s USER_AGENT={value!r}: {error}")
        overrides[name.strip()] = value
    return overrides


def options_from_args(args: argparse.Namespace) -> Any:
    """The crawl options for bare URLs on the command line."""
    from scrapy.settings import Settings

    from newsarchive.checks import http_url, read_url_list
    from newsarchive.crawler import CrawlOptions
    from newsarchive.provenance import new_crawl_id
    from newsarchive.siteconfig import site_from_arguments

    urls = read_url_list(args.urls)
    if not urls:
        raise ValueError("give at least one URL to crawl, or --plan FILE")
    for url in urls:  # each bad URL named as the user wrote it
        _, error = http_url(url)
        if error:
            raise ValueError(error)
    site, _ = site_from_arguments({"start_urls": urls})
    crawl_id = args.crawl_id or new_crawl_id()
    out_dir = args.out
    if out_dir is None:
        settings = Settings()
        settings.setmodule("newsarchive.settings")
        out_dir = Path(settings.get("NEWSARCHIVE_OUTPUT_DIR")) / crawl_id
    return CrawlOptions(
        start_urls=(),
        site=site,
        out_dir=out_dir,
        crawl_id=crawl_id,
        allow_private=args.allow_private,
        max_pages=args.max_pages,
        overrides=parse_setting_overrides(args.settings),
    )


def plan_crawls(args: argparse.Namespace) -> tuple[Any, list[Any], list[Any]]:
    """``(plan, sites, crawl options)`` for ``--plan`` (and ``--site``)."""
    from newsarchive.crawler import CrawlOptions
    from newsarchive.plan import load_plan, site_output_dir, site_settings
    from newsarchive.provenance import new_crawl_id

    if args.urls:
        raise ValueError("give URLs or --plan, not both")
    plan = load_plan(args.plan)
    sites = [plan.site(name) for name in args.site] if args.site else list(plan.sites)
    crawl_id = args.crawl_id or new_crawl_id()
    overrides = parse_setting_overrides(args.settings)
    crawls = []
    for site in sites:
        out_dir = (
            args.out / site.name / crawl_id if args.out else site_output_dir(plan, site, crawl_id)
        )
        # The run's report is written below (run_plan), compared with the previous run.
        site_overrides = {**site_settings(plan, site), "NEWSARCHIVE_CRAWL_REPORT": False}
        site_overrides.update(overrides)
        if "JOBDIR" in overrides:  # one JOBDIR per crawler, or they would share a queue
            site_overrides["JOBDIR"] = str(Path(overrides["JOBDIR"]) / site.name)
        crawls.append(
            CrawlOptions(
                start_urls=(),
                site=site,
                out_dir=out_dir,
                crawl_id=crawl_id,
                allow_private=args.allow_private or site.allow_private,
                max_pages=args.max_pages,
                overrides=site_overrides,
            )
        )
    return plan, sites, crawls


def as_worker(args: argparse.Namespace, options: Any, site: str | None = None) -> Any:
    """With ``--redis``: the options of one worker of a crawl shared through Redis."""
    if not args.redis:
        return options
    from newsarchive.distributed.worker import worker_options

    if not args.crawl_id:
        raise ValueError("a Redis worker needs --crawl-id (the id every worker shares)")
    return worker_options(options, args.redis, site=site)


def announce(args: argparse.Namespace, crawl_id: str, where: str) -> Any:
    """Print (stderr) and log the crawl id and the exact command that resumes this crawl.

    Printed at the start, because a crawl killed with ``kill -9`` prints nothing
    afterwards; the returned callback repeats it on SIGINT/SIGTERM.
    """
    import logging

    from newsarchive.crawler import resume_command

    command = resume_command(getattr(args, "_argv", None) or sys.argv[1:], crawl_id)

    def say(event: str) -> None:
        line = f"newsarchive crawl: {event}crawl id {crawl_id} ({where}); resume with: {command}"
        print(line, file=sys.stderr, flush=True)
        logging.getLogger("newsarchive.crawl").info("%s", line)

    say("")
    # The pages being fetched are finished and exported; requests waiting for their
    # politeness delay are left for the resume. A second signal stops at once.
    return lambda signame: say(f"{signame} received, stopping (send it again to stop at once); ")


def reconcile_plan_output(state: Any, plan: Any, crawl: Any) -> None:
    """Make the plan's state agree with its output before a run (killed runs finished,
    deleted runs forgotten): the local run's ``reconcile_state``, or a Redis worker's."""
    from newsarchive.crawlfolder import WORKERS_DIRNAME
    from newsarchive.statesync import reconcile_state

    folder = Path(crawl.out_dir)  # OUTPUT/SITE/CRAWL_ID, or its workers/HOST-pPID
    if folder.parent.name != WORKERS_DIRNAME or "REDIS_URL" not in crawl.overrides:
        # A killed run's manifest records the plan.
        reconcile_state(state, folder.parent.parent, plan_file=plan.path)
        return
    from newsarchive.crawler import build_settings
    from newsarchive.distributed.nextrun import reconcile_worker_state

    settings = build_settings(crawl)  # the settings this worker's crawl runs with
    current = folder.parent.parent
    reconcile_worker_state(
        state,
        current.parent.parent,
        current,
        settings.getfloat("NEWSARCHIVE_REDIS_STALE_AFTER"),
        forget=settings.getbool("NEWSARCHIVE_REDIS_FORGET_GONE"),
    )


def run_plan(
    plan: Any, sites: list[Any], crawls: list[Any], args: argparse.Namespace | None = None
) -> int:
    """Crawl a plan's sites side by side; each run is opened and closed in the crawl state."""
    from newsarchive import report_html
    from newsarchive.crawler import run_crawls
    from newsarchive.distributed.state import open_crawl_state
    from newsarchive.report import report_crawl
    from newsarchive.summary import crawl_failure, format_summary, summarize

    # The plan's SQLite state, or in worker mode the Redis state all workers share; there
    # every worker joins the one run of its crawl instead of marking its peers' interrupted.
    settings = {"NEWSARCHIVE_STATE_PATH": str(plan.state_path), **crawls[0].overrides}
    with open_crawl_state(settings) as state:
        reconcile_plan_output(state, plan, crawls[0])
        run_ids = [
            state.run_for_crawl(site.name, crawl.crawl_id)
            for site, crawl in zip(sites, crawls, strict=True)
        ]
        where = f"plan {plan.name}, output {args.out if args and args.out else plan.output_dir}"
        on_signal = announce(args, crawls[0].crawl_id, where) if args else None
        results = run_crawls(crawls, on_signal=on_signal)
        failed = 0
        for site, run_id, result, crawl in zip(sites, run_ids, results, crawls, strict=True):
            report = report_crawl(
                result.out_dir, state=state, run_id=run_id, site=site.name, crawl_id=result.crawl_id
            )
            print(f"== site {site.name} ==")
            print(format_summary(summarize(result.out_dir, result.crawl_id, result.stats)))
            failed += bool(crawl_failure(result.stats))
            hint = private_address_hint(result.stats, in_plan=True)
            if hint:
                print(hint.replace("newsarchive crawl:", f"newsarchive crawl: site {site.name}:"))
            if args is not None and args.wacz:
                failed += not package_wacz(result.out_dir, result.crawl_id)
            for drop in report["sites"].get(site.name, {}).get("coverage_drops", []):
                print(
                    f"Coverage of {drop['field']} dropped from {drop['previous']:.0%} to "
                    f"{drop['current']:.0%} since the last run: has the layout changed?"
                )
            # A Redis worker may find every URL of the site taken by its peers.
            if not result.stats.get("response_received_count") and (
                "REDIS_URL" not in crawl.overrides
            ):
                failed += 1
                print(
                    f"newsarchive crawl: site {site.name}: no page could be fetched",
                    file=sys.stderr,
                )
        root = Path(args.out) if args is not None and args.out else plan.output_dir
        try:
            page = report_html.write(state, plan.name, root / "report.html")
            print(f"Report of every run: {page}")
        except OSError as error:  # a full disk: the crawl has said so; this file is extra
            failed += 1
            print(f"newsarchive crawl: cannot write {root / 'report.html'}: {error.strerror}")
    print(
        f"Crawl {results[0].crawl_id} of plan {plan.name}: {len(sites)} site(s) "
        f"in {results[0].seconds:.1f}s"
    )
    return 1 if failed else 0


def record_unrecorded_exports(options: Any) -> None:
    """A crawl of URLs with a state (``-s NEWSARCHIVE_STATE_PATH=``): before it starts, the
    state records the articles an earlier, killed run exported into its folder but never
    saved (a plan run does this over the plan's whole output, see ``run_plan``)."""
    from newsarchive.distributed.state import open_crawl_state
    from newsarchive.statesync import reconcile_state

    if not options.overrides.get("NEWSARCHIVE_STATE_PATH"):
        return
    with open_crawl_state(options.overrides) as state:
        # Only this folder is known here: what the state holds of others stays.
        reconcile_state(state, options.out_dir, forget=False)


def package_wacz(out_dir: Any, crawl_id: str) -> bool:
    """``OUT/CRAWL_ID.wacz`` from a finished crawl folder, validated; False (said) on failure."""
    from newsarchive.warc import wacz

    folder = Path(out_dir)
    target = folder / f"{crawl_id}.wacz"
    warcs = sorted((folder / "warc").glob("*.warc.gz"))
    try:
        packaged = wacz.package_crawl([folder], warcs, target, title=crawl_id)
        passed, output = wacz.validate(target)
    except (wacz.WaczUnavailable, RuntimeError, ValueError, OSError) as error:
        print(f"newsarchive crawl: no WACZ written: {error}", file=sys.stderr)
        return False
    if not passed:
        print(f"newsarchive crawl: {target} failed validation: {output[-500:]}", file=sys.stderr)
        return False
    # A run that exported no article (a plan's later run) lists the pages pywb detects.
    listed, articles = packaged.listed, packaged.articles
    what = f"{listed} of {articles} articles listed" if articles else f"{listed} pages detected"
    print(f"WACZ: {target} ({len(warcs)} WARC files, {what}{wacz.added_note(packaged)})")
    return True


def private_address_hint(stats: dict[str, Any], in_plan: bool) -> str | None:
    """What to do when the crawl refused private or loopback targets (a local site)."""
    refused = int(stats.get("newsarchive/refused", 0) or 0)
    if not refused:
        return None
    how = "allow_private = true for the site in the plan" if in_plan else "--allow-private"
    return (
        f"newsarchive crawl: {refused} request(s) refused: private or loopback address; "
        f"to crawl a local or intranet site, use {how}"
    )


def run(args: argparse.Namespace) -> int:
    """A crawl; a plan's sites are locked first, so a second crawl of a site is refused."""
    import contextlib

    from newsarchive.plan import PlanError, load_plan
    from newsarchive.schedule import LOCK_TAKEN_EXIT
    from newsarchive.sitelock import SiteBusy, holding_site_locks

    with contextlib.ExitStack() as locks:  # held from before any folder is made to the end
        if args.plan is not None and not args.redis:  # workers share one crawl by design
            try:
                plan = load_plan(args.plan)
                sites = [plan.site(name) for name in args.site] if args.site else plan.sites
                locks.enter_context(holding_site_locks(plan, list(sites)))
            except SiteBusy as busy:
                print(f"newsarchive crawl: {busy}", file=sys.stderr)
                return LOCK_TAKEN_EXIT
            except (PlanError, KeyError):
                pass  # reported by _run with every other plan error
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from newsarchive.crawler import check_crawls, run_crawl
    from newsarchive.plan import PlanError, state_file_problem
    from newsarchive.summary import crawl_failure, format_summary, summarize

    try:
        if args.plan is not None:
            plan, sites, crawls = plan_crawls(args)
            crawls = [as_worker(args, c, site.name) for c, site in zip(crawls, sites, strict=True)]
        else:
            crawls = [as_worker(args, options_from_args(args))]
        check_crawls(crawls)
    except PlanError as exc:
        for issue in exc.issues:
            print(f"newsarchive crawl: {issue}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"newsarchive crawl: {exc.args[0]}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"newsarchive crawl: {exc}", file=sys.stderr)
        return 2
    if args.plan is not None:
        problem = None if args.redis else state_file_problem(plan)
        if problem:
            print(f"newsarchive crawl: {problem}", file=sys.stderr)
            return 2
        return run_plan(plan, sites, crawls, args)
    options = crawls[0]
    if not args.redis:
        from newsarchive.state import StateError

        try:
            record_unrecorded_exports(options)
        except StateError as error:
            print(f"newsarchive crawl: {error}", file=sys.stderr)
            return 2
    on_signal = announce(args, options.crawl_id, f"output {options.out_dir}")
    result = run_crawl(options, on_signal=on_signal)  # its report written as it closed
    print(format_summary(summarize(result.out_dir, result.crawl_id, result.stats)))
    print(
        f"Crawl {result.crawl_id} finished in {result.seconds:.1f}s "
        f"({result.stats.get('finish_reason', 'unknown')})"
    )
    hint = private_address_hint(result.stats, in_plan=False)
    if hint:
        print(hint, file=sys.stderr)
    if args.wacz and not package_wacz(result.out_dir, result.crawl_id):
        return 1
    if crawl_failure(result.stats):
        return 1  # the output is incomplete: schedulers must see it
    if not result.stats.get("response_received_count") and not args.redis:
        print("newsarchive crawl: no page could be fetched (see Failures above)", file=sys.stderr)
        return 1  # schedulers and monitoring see a crawl that reached nothing
    # A Redis worker may find every URL taken by its peers (or the crawl already done).
    return 0
