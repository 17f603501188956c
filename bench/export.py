"""Export benchmark: N generated articles to Parquet; records/s and peak memory.

Usage (from the repository root)::

    .venv/bin/python bench/export.py [--records 10000 100000 1000000] [--batch-size 10000]
        [--format parquet] [--source generated|jsonl]

Each size runs in its own child process, so every peak is measured from a
fresh interpreter. Memory is the process's peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``): it counts Arrow's C++ buffers
and zstd's work memory, which ``tracemalloc`` cannot see. The Arrow memory
pool's own peak is printed beside it. ``baseline`` is the RSS after imports
and generating the record templates, before the export starts.

``--source generated`` streams records made in memory (1,000 distinct
synthetic articles, each repeated with new ids), so only the export is timed.
``--source jsonl`` first writes the records as a crawl's gzipped JSON Lines
(not timed), then times ``newsarchive.load`` + export, the whole
``newsarchive export`` path.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TEMPLATES = 1000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def generated(count: int) -> Iterator[dict[str, Any]]:
    """``count`` records cycling over distinct templates, each with its own ids and URL."""
    from newsarchive.export.synthetic import synthetic_record

    templates = [synthetic_record(i, crawl_id=f"crawl-{i % 3}") for i in range(TEMPLATES)]
    for i in range(count):
        record = dict(templates[i % TEMPLATES])
        record["article_id"] = f"{i:032x}"
        record["capture_id"] = f"{i:032x}"
        record["url"] = f"{record['url']}-{i}"
        yield record


def run_one(count: int, batch_size: int, fmt: str, source: str) -> dict[str, Any]:
    """Export ``count`` records once in this process; return the measurements."""
    import pyarrow as pa

    from newsarchive.export.convert import export_records

    with tempfile.TemporaryDirectory() as tmp:
        records: Iterator[dict[str, Any]]
        records = generated(count)
        conformed = source == "jsonl"  # load() conforms; generated records get conformed once
        if source == "jsonl":
            from newsarchive.export.jsonl import JsonLinesBatchWriter
            from newsarchive.export.manifest import write_crawl_manifest
            from newsarchive.loading import load

            with JsonLinesBatchWriter(
                Path(tmp) / "crawl/articles", "articles-b", batch_size=50_000
            ) as writer:
                for record in records:
                    writer.write(record)
            write_crawl_manifest(Path(tmp) / "crawl", "b", run_counts={"articles": count})
            records = load(Path(tmp) / "crawl")  # checks the manifest now, before the timer
        else:
            first = next(records)  # build the templates before timing
            records = _chain(first, records)
        baseline = _rss_mb()
        out = Path(tmp) / f"out.{fmt}"
        start = time.perf_counter()
        report = export_records(records, fmt, out, batch_size=batch_size, conformed=conformed)
        seconds = time.perf_counter() - start
        size = out.stat().st_size
    return {
        "records": report.records,
        "seconds": round(seconds, 2),
        "records_per_s": round(report.records / seconds),
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(_rss_mb(), 1),
        "arrow_pool_peak_mb": round(pa.default_memory_pool().max_memory() / 2**20, 1),
        "output_mb": round(size / 2**20, 1),
        "skipped": report.skipped,
    }


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--format", default="parquet", choices=["parquet", "jsonl", "csv"])
    parser.add_argument("--source", default="generated", choices=["generated", "jsonl"])
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.records[0], args.batch_size, args.format, args.source)))
        return 0
    header = (
        "records",
        "seconds",
        "records/s",
        "baseline RSS MB",
        "peak RSS MB",
        "Arrow pool peak MB",
        "output MB",
    )
    print(f"format={args.format} source={args.source} batch_size={args.batch_size}")
    print(" | ".join(header))
    for count in args.records:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                "--records",
                str(count),
                "--batch-size",
                str(args.batch_size),
                "--format",
                args.format,
                "--source",
                args.source,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        m = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            " | ".join(
                str(v)
                for v in (
                    m["records"],
                    m["seconds"],
                    m["records_per_s"],
                    m["baseline_rss_mb"],
                    m["peak_rss_mb"],
                    m["arrow_pool_peak_mb"],
                    m["output_mb"],
                )
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
