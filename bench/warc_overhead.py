"""What WARC writing costs a crawl: pages per second with and without ``WarcCapture``.

Crawls a generated local site (default 2,000 pages of ~20 KB, half of them
gzip-coded, linked ten per page) with settings that make the crawl CPU-bound
(no delay, no AutoThrottle, robots.txt off, 32 concurrent requests), alternating
runs with and without WARC writing (ABBA order), and prints the median and best
pages/s of each and their ratio (the best run is the least disturbed by other
load), and the median of the per-round ratios (each round's two runs are back to
back, so they share the machine's load). Both runs use the same settings apart
from ``NEWSARCHIVE_WARC_ENABLED`` (and ``--set`` values, given to the WARC runs).
Target: WARC writing costs at most 10% of throughput.

    .venv/bin/python bench/warc_overhead.py [--pages 2000] [--rounds 5] [--page-bytes 20000]

Each crawl runs in its own process (Twisted's reactor cannot restart); the site is
served from this process on 127.0.0.1. Pages/s is Scrapy's own count of responses
over its elapsed time, so process start-up is not counted. Pages per CPU-second
(responses over the crawler process's CPU time, all threads) is also printed: on a
shared machine the wall clock swings with other load, CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# The local raw-HTTP site and the minimal crawler are test scaffolding (tests/support).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support import WARC_CRAWL_SCRIPT
from support.warcsite import RawSite, generated_routes

BENCH_SETTINGS = {
    "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "LOG_LEVEL": "ERROR",
}


def crawl_once(
    base_url: str, out: Path, warc: bool, extra: dict[str, object] | None = None
) -> dict[str, float]:
    """One crawl in a subprocess; pages, seconds and bytes written."""
    args = [sys.executable, WARC_CRAWL_SCRIPT, str(out), base_url + "/"]
    settings = {**BENCH_SETTINGS, **(extra or {})}
    args += [f"--set={name}={json.dumps(value)}" for name, value in settings.items()]
    if not warc:
        args.append("--no-warc")
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    warc_bytes = sum(p.stat().st_size for p in (out / "warc").glob("*.warc.gz")) if warc else 0
    return {
        "pages": float(stats["response_received_count"]),
        "seconds": float(stats["elapsed_time_seconds"]),
        "cpu_seconds": float(stats["cpu_seconds"]),
        "warc_bytes": float(warc_bytes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--page-bytes", type=int, default=20_000, help="characters of article text per page"
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="setting for the WARC runs, e.g. NEWSARCHIVE_WARC_THREAD=false",
    )
    args = parser.parse_args(argv)
    extra = {
        name: json.loads(value) for name, _, value in (pair.partition("=") for pair in args.set)
    }

    routes = generated_routes(args.pages, page_bytes=args.page_bytes)
    served = sum(len(route.raw) for path, route in routes.items() if path.startswith("/p/"))
    rates: dict[bool, list[float]] = {True: [], False: []}
    cpu_rates: dict[bool, list[float]] = {True: [], False: []}
    with RawSite(routes) as site, tempfile.TemporaryDirectory() as scratch:
        for round_number in range(args.rounds):
            # ABBA order: which run goes first alternates, so a drift in machine load
            # between the two runs of a round does not always favour the same side.
            for warc in (False, True) if round_number % 2 == 0 else (True, False):
                out = Path(scratch) / f"round{round_number}-{'warc' if warc else 'plain'}"
                result = crawl_once(site.base_url, out, warc, extra if warc else None)
                if result["pages"] < args.pages:
                    print(f"warning: only {result['pages']:.0f} pages crawled", file=sys.stderr)
                rate = result["pages"] / result["seconds"]
                cpu_rate = result["pages"] / result["cpu_seconds"]
                rates[warc].append(rate)
                cpu_rates[warc].append(cpu_rate)
                size = f", WARC {result['warc_bytes'] / 1e6:.1f} MB" if warc else ""
                print(
                    f"round {round_number + 1} {'with   ' if warc else 'without'} WARC: "
                    f"{result['pages']:.0f} pages in {result['seconds']:.2f}s = "
                    f"{rate:.0f} pages/s, {cpu_rate:.0f} pages per CPU-second{size}",
                    flush=True,
                )
    print(f"\nsite: {args.pages} pages, {served / 1e6:.1f} MB as served")
    for label, table in (
        ("pages/s (wall clock)", rates),
        ("pages per CPU-second of the crawler", cpu_rates),
    ):
        for summary, pick in (("median", statistics.median), ("best", max)):
            without, with_warc = pick(table[False]), pick(table[True])
            ratio = with_warc / without
            print(
                f"{label}, {summary} of {args.rounds}: without WARC {without:.0f}, "
                f"with WARC {with_warc:.0f}, ratio {ratio:.3f} "
                f"(cost {100 * (1 - ratio):.1f}%, target <= 10%)"
            )
    # Paired: each round's two runs ran back to back under the same load.
    for label, table in (
        ("pages/s (wall clock)", rates),
        ("pages per CPU-second of the crawler", cpu_rates),
    ):
        paired = statistics.median(w / p for w, p in zip(table[True], table[False], strict=True))
        print(
            f"{label}, median of the {args.rounds} per-round ratios: {paired:.3f} "
            f"(cost {100 * (1 - paired):.1f}%)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
