"""Crawl the bundled demo news site end to end and print what came out.

Starts the demo site on 127.0.0.1 (a free port), crawls it with the project's
default settings (except the few overrides below), writes WARC files,
articles/*.jsonl.gz, pages.jsonl, manifest.json and report.json/.txt to the output folder, prints
a summary and stops the server. The output folder (default output/demo) is
WIPED and rewritten on every run; a folder that is not an earlier demo output
is never wiped, nor one that holds other crawls' output (a plan writing into
OUTPUT/SITE/CRAWL_ID/ below it): their WARC files are what a plan's crawl
state says is archived. The shipped plans write under output/plans/, never
where the demo does.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

HELP = "crawl the bundled demo site on 127.0.0.1 into output/demo (wiped first) and summarize"

log = logging.getLogger(__name__)

DEMO_MARKER = ".newsarchive-demo"
SERVER_LOG = "demo-server-requests.jsonl"
# The demo crawls our own server on 127.0.0.1: private addresses must be allowed,
# and politeness delays would only make a newcomer wait.
DEMO_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 0,  # the local server either answers or is broken; retries hide that
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("output/demo"),
        help="output folder, wiped and rewritten (default: output/demo)",
    )
    parser.add_argument(
        "--site",
        type=Path,
        default=None,
        help="site folder to serve (default: the bundled demo site)",
    )
    parser.add_argument("--crawl-id", default=None, help="crawl id (default: generated)")


def other_crawls(out_dir: Path) -> list[Path]:
    """Crawl folders below ``out_dir`` that the demo did not write (e.g. a plan's)."""
    from newsarchive.crawlfolder import crawl_folders_below

    return crawl_folders_below(out_dir)


def prepare_out_dir(out_dir: Path) -> None:
    """Empty ``out_dir`` if it is an earlier demo output (or empty); refuse anything else."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ValueError(f"{out_dir} exists and is not a folder")
        if any(out_dir.iterdir()) and not (out_dir / DEMO_MARKER).exists():
            raise ValueError(
                f"{out_dir} is not empty and holds no earlier demo output; "
                "not wiping it (choose another --out)"
            )
        others = other_crawls(out_dir)
        if others:
            raise ValueError(
                f"{out_dir} holds the output of other crawls ({others[0]}"
                + (f" and {len(others) - 1} more" if len(others) > 1 else "")
                + "), e.g. a plan's; not wiping it (choose another --out)"
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / DEMO_MARKER).write_text("written by `newsarchive demo`; wiped on the next run\n")


def write_server_log(out_dir: Path, request_log: list[tuple[str, str, int]]) -> Path:
    """Every request the demo server answered, so anyone can check what was fetched."""
    path = out_dir / SERVER_LOG
    with path.open("w", encoding="utf-8") as handle:
        for method, request_path, status in request_log:
            handle.write(
                json.dumps({"method": method, "path": request_path, "status": status}) + "\n"
            )
    return path


def run(args: argparse.Namespace) -> int:
    from newsarchive.crawler import CrawlOptions, run_crawl
    from newsarchive.server import DemoSite, default_site_dir
    from newsarchive.summary import crawl_failure, format_summary, summarize

    site_dir = args.site or default_site_dir()
    if not site_dir.is_dir():
        print(f"newsarchive demo: site folder not found: {site_dir}", file=sys.stderr)
        return 2
    try:
        prepare_out_dir(args.out)
    except (ValueError, OSError) as exc:
        print(f"newsarchive demo: {exc}", file=sys.stderr)
        return 2
    with DemoSite(site_dir) as site:
        print(f"Demo site {site_dir} served at {site.base_url}", file=sys.stderr)
        result = run_crawl(
            CrawlOptions(
                start_urls=[site.base_url + "/"],
                out_dir=args.out,
                crawl_id=args.crawl_id,
                allow_private=True,
                overrides=DEMO_SETTINGS,
            )
        )
        write_server_log(args.out, site.request_log)
    print(format_summary(summarize(args.out, result.crawl_id, result.stats)))
    print(
        f"Demo crawl {result.crawl_id} finished in {result.seconds:.1f}s "
        f"({result.stats.get('finish_reason', 'unknown')}); server stopped."
    )
    # As `crawl` does: a crawl that failed or fetched nothing is no successful demo.
    if crawl_failure(result.stats) or not result.stats.get("response_received_count"):
        print("newsarchive demo: the crawl did not complete (see above)", file=sys.stderr)
        return 1
    return 0
