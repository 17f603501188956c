"""Crawl throughput and memory: the full pipeline against bare Scrapy on a generated local site.

Serves a generated news site (``DemoSite(generate=N)``) on 127.0.0.1 from this
process and crawls it, each crawl in its own subprocess (Twisted's reactor cannot
restart, and a subprocess's peak RSS is its own):

* **full**: ``newsarchive.crawler.run_crawl`` with the project's settings (robots.txt,
  discovery, extraction, WARC, pages.jsonl, validation, dedupe, JSON Lines export)
  except politeness: no delay, no AutoThrottle, private addresses allowed, and the
  same concurrency as the bare run;
* **bare**: a Scrapy spider on Scrapy's default settings (no project pipelines,
  extensions or middlewares; same reactor and concurrency) that requests exactly
  the URLs the first full run fetched (taken from the server's request log) and
  does nothing with the responses.

Throughput rounds alternate the two (ABBA order, so drifting load on a shared
machine does not always favour one side) and report medians. Pages/s is Scrapy's
``response_received_count`` over its ``elapsed_time_seconds`` (process start-up not
counted; the extraction pool's start-up is). Memory: the full pipeline on sites of
1,000 and 4,000 articles, the peak RSS of the crawl process and, separately, of
its largest extraction worker (``getrusage`` in the crawl process; a crawl with
in-process extraction still shows a small helper child there).

    .venv/bin/python bench/crawl.py [--pages 2000] [--rounds 3] [--memory-pages 1000 4000]
        [--concurrency 16] [-s NAME=JSON ...]   # -s: extra settings for the full runs

Targets (issue 5): full >= 50% of bare; peak memory <= 400 MB and flat in the page count.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5
TARGET_PEAK_MB = 400
# Politeness off, so the crawl is CPU-bound; everything else stays the project default.
FULL_OVERRIDES: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "NEWSARCHIVE_PROGRESS": False,
    # The report re-reads the output after the crawl; the bench measures crawling (its
    # CPU-s stay comparable with runs from before the crawl wrote its own report).
    "NEWSARCHIVE_CRAWL_REPORT": False,
}
BARE_SETTINGS: dict[str, Any] = {
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
}


# --------------------------------------------------------------------------- child side


def _peak_rss_mb() -> dict[str, float]:
    """Peak RSS (MB) of this process and of its largest reaped child (an extraction worker)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mb": round(own, 1), "worker_rss_mb": round(children, 1)}


def _stats_line(stats: dict[str, Any]) -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "articles": int(stats.get("newsarchive/articles", 0)),
        "seconds": float(stats.get("elapsed_time_seconds", 0.0)),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "worker_cpu_seconds": workers.ru_utime + workers.ru_stime,
        "workers": int(stats.get("newsarchive/extraction/workers", 0)),
        **_peak_rss_mb(),
    }


def run_full(base_url: str, out: Path, concurrency: int, extra: dict[str, Any]) -> dict[str, Any]:
    """The project's crawl of ``base_url`` (in this process)."""
    from newsarchive.crawler import CrawlOptions, run_crawl

    overrides = {
        **FULL_OVERRIDES,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        **extra,
    }
    result = run_crawl(CrawlOptions([base_url + "/"], out, allow_private=True, overrides=overrides))
    return _stats_line(result.stats)


def run_bare(urls_file: Path, concurrency: int) -> dict[str, Any]:
    """Scrapy with its default settings fetching ``urls_file``'s URLs, doing nothing else."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        """Request every URL once (duplicates included, as the full crawl made them)."""

        name = "bare"

        async def start(self) -> Any:
            for url in urls_file.read_text().split():
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    settings = {
        **BARE_SETTINGS,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    return _stats_line(dict(crawler.stats.get_stats()))


def child_main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    extra = {
        name: json.loads(value) for name, _, value in (pair.partition("=") for pair in args.set)
    }
    if args.child == "full":
        line = run_full(args.base_url, Path(args.out), args.concurrency, extra)
    else:
        line = run_bare(Path(args.urls), args.concurrency)
    print(json.dumps(line))
    return 0


# --------------------------------------------------------------------------- parent side


def crawl_once(
    mode: str,
    base_url: str,
    scratch: Path,
    concurrency: int,
    settings: list[str],
    urls_file: Path | None = None,
) -> dict[str, Any]:
    """One crawl in a subprocess; its JSON stats line."""
    out = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=scratch))
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--base-url",
        base_url,
        "--out",
        str(out),
        "--concurrency",
        str(concurrency),
    ]
    command += [f"--set={pair}" for pair in settings] if mode == "full" else []
    if urls_file is not None:
        command += ["--urls", str(urls_file)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fetched_urls(site: Any) -> list[str]:
    """Every GET the server answered so far, as absolute URLs (order kept, repeats kept)."""
    return [site.url(path) for method, path, _ in site.request_log if method == "GET"]


def rate(line: dict[str, Any]) -> float:
    return line["pages"] / line["seconds"] if line["seconds"] else 0.0


def throughput(args: argparse.Namespace, scratch: Path) -> dict[str, list[dict[str, Any]]]:
    """Interleaved full / bare rounds on one generated site."""
    from newsarchive.server import DemoSite

    runs: dict[str, list[dict[str, Any]]] = {"full": [], "bare": []}
    with DemoSite(generate=args.pages) as site:
        # The first full run also tells the bare spider which URLs to fetch.
        first = crawl_once("full", site.base_url, scratch, args.concurrency, args.set)
        urls_file = scratch / "urls.txt"
        urls_file.write_text("\n".join(fetched_urls(site)) + "\n")
        for round_number in range(args.rounds):
            order = ("bare", "full") if round_number % 2 == 0 else ("full", "bare")
            for mode in order:
                if mode == "full" and round_number == 0:
                    line = first  # the URL-list run counts as round 1's full run
                else:
                    line = crawl_once(
                        mode,
                        site.base_url,
                        scratch,
                        args.concurrency,
                        args.set,
                        urls_file if mode == "bare" else None,
                    )
                runs[mode].append(line)
                print(
                    f"round {round_number + 1} {mode}: {line['pages']} pages in "
                    f"{line['seconds']:.2f}s = {rate(line):.0f} pages/s, "
                    f"{line['cpu_seconds']:.1f} CPU-s, peak RSS {line['rss_mb']:.0f} MB",
                    flush=True,
                )
    return runs


def memory(args: argparse.Namespace, scratch: Path) -> dict[int, dict[str, Any]]:
    """The full pipeline's peak RSS on sites of each size in ``--memory-pages``."""
    from newsarchive.server import DemoSite

    peaks = {}
    for pages in args.memory_pages:
        with DemoSite(generate=pages) as site:
            line = crawl_once("full", site.base_url, scratch, args.concurrency, args.set)
        peaks[pages] = line
        print(
            f"memory {pages} articles: {line['pages']} pages, crawl process "
            f"{line['rss_mb']:.0f} MB, largest worker {line['worker_rss_mb']:.0f} MB",
            flush=True,
        )
    return peaks


def print_table(
    args: argparse.Namespace,
    runs: dict[str, list[dict[str, Any]]],
    peaks: dict[int, dict[str, Any]],
) -> None:
    full = statistics.median(rate(line) for line in runs["full"])
    bare = statistics.median(rate(line) for line in runs["bare"])
    paired = statistics.median(
        rate(f) / rate(b) for f, b in zip(runs["full"], runs["bare"], strict=True)
    )
    verdict = "ok" if full / bare >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"\nthroughput: generated site of {args.pages} articles, concurrency "
        f"{args.concurrency}, median of {args.rounds} interleaved rounds"
    )
    print(f"{'crawl':<28}{'pages':>8}{'pages/s':>10}{'CPU-s':>8}")
    for mode, label in (("bare", "bare Scrapy"), ("full", "full pipeline")):
        pages = statistics.median(line["pages"] for line in runs[mode])
        cpu = statistics.median(line["cpu_seconds"] for line in runs[mode])
        print(
            f"{label:<28}{pages:>8.0f}{statistics.median(rate(x) for x in runs[mode]):>10.1f}"
            f"{cpu:>8.1f}"
        )
    print(
        f"ratio full/bare: {full / bare:.2f} of medians, {paired:.2f} median per-round "
        f"(target >= {TARGET_RATIO:.2f}: {verdict})"
    )
    if not peaks:
        return
    print(f"\npeak memory of the full pipeline (target <= {TARGET_PEAK_MB} MB, flat)")
    print(
        "(sum: crawl process + workers x largest worker; an upper bound, forked workers share "
        "pages with the crawl process)"
    )
    print(
        f"{'articles':>8}{'pages':>8}{'crawl MB':>10}{'workers':>9}{'worker MB':>11}{'sum MB':>9}"
    )
    for count, line in peaks.items():
        total = line["rss_mb"] + line["workers"] * line["worker_rss_mb"]
        print(
            f"{count:>8}{line['pages']:>8}{line['rss_mb']:>10.0f}{line['workers']:>9}"
            f"{line['worker_rss_mb']:>11.0f}{total:>9.0f}"
        )
    sizes = sorted(peaks)
    if len(sizes) >= 2:
        small, large = peaks[sizes[0]]["rss_mb"], peaks[sizes[-1]]["rss_mb"]
        print(
            f"crawl process growth {sizes[0]} -> {sizes[-1]} articles: "
            f"{large - small:+.0f} MB ({large / small:.2f}x)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="articles of the site")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-pages", type=int, nargs="*", default=[1000, 4000])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="extra setting for the full runs, e.g. NEWSARCHIVE_EXTRACT_WORKERS=0",
    )
    # Internal: one crawl in this (child) process.
    parser.add_argument("--child", choices=("full", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)
    if args.pages < 1 or args.rounds < 1:
        parser.error("--pages and --rounds must be positive")
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-crawl-") as scratch:
        runs = throughput(args, Path(scratch))
        peaks = memory(args, Path(scratch))
    print_table(args, runs, peaks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
