"""Crawl news sites from their home pages: sitemaps from robots.txt, feeds, article links.

Each crawl writes to its own folder (default: NEWSARCHIVE_OUTPUT_DIR/CRAWL_ID), so
nothing earlier is overwritten: WARC files, articles/*.jsonl.gz, pages.jsonl,
manifest.json and report.json/report.txt. A summary is printed at the end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HELP = "crawl news sites (URLs of home/section pages) into WARC + JSON Lines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL", help="home or section page URLs")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: NEWSARCHIVE_OUTPUT_DIR/CRAWL_ID)")
    parser.add_argument("--crawl-id", default=None,
                        help="crawl id for file names and provenance (default: generated)")
    parser.add_argument("--allow-private", action="store_true",
                        help="allow private/loopback/link-local targets (local test sites)")
    parser.add_argument("--max-pages", type=positive_int, default=None,
                        help="stop after this many responses")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="override a Scrapy/newsarchive setting")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_setting_overrides(pairs: list[str]) -> dict[str, str]:
    """``["NAME=VALUE", ...]`` -> dict; Scrapy converts the strings where settings are read."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def options_from_args(args: argparse.Namespace) -> Any:
    """The crawl options the command line asks for (plans will add theirs here)."""
    from scrapy.settings import Settings

    from newsarchive.crawler import CrawlOptions
    from newsarchive.provenance import new_crawl_id
    from newsarchive.spiders.options import as_url_list

    urls = as_url_list(args.urls)
    if not urls:
        raise ValueError("give at least one URL to crawl")
    crawl_id = args.crawl_id or new_crawl_id()
    out_dir = args.out
    if out_dir is None:
        settings = Settings()
        settings.setmodule("newsarchive.settings")
        out_dir = Path(settings.get("NEWSARCHIVE_OUTPUT_DIR")) / crawl_id
    return CrawlOptions(
        start_urls=urls,
        out_dir=out_dir,
        crawl_id=crawl_id,
        allow_private=args.allow_private,
        max_pages=args.max_pages,
        overrides=parse_setting_overrides(args.settings),
    )


def run(args: argparse.Namespace) -> int:
    from newsarchive.crawler import run_crawl, write_crawl_report
    from newsarchive.summary import format_summary, summarize

    try:
        options = options_from_args(args)
    except ValueError as exc:
        print(f"newsarchive crawl: {exc}", file=sys.stderr)
        return 2
    result = run_crawl(options)
    write_crawl_report(result)
    print(format_summary(summarize(result.out_dir)))
    print(f"Crawl {result.crawl_id} finished in {result.seconds:.1f}s "
          f"({result.stats.get('finish_reason', 'unknown')})")
    if not result.stats.get("response_received_count"):
        print("newsarchive crawl: no page could be fetched (see Failures above)", file=sys.stderr)
        return 1  # schedulers and monitoring see a crawl that reached nothing
    return 0
