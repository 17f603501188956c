"""Convert crawl output or earlier exports to Parquet, JSON Lines or CSV, in bounded memory.

    newsarchive export output/crawl --format parquet --out articles.parquet
    newsarchive export output/crawl-a output/crawl-b --out export/ --partition-by crawl
    newsarchive export articles.parquet --format csv --out articles.csv

SRC may be a crawl output folder (its articles/ are read), a folder of export
files, or single .jsonl, .jsonl.gz, .parquet or .csv files. Records that cannot
be read or do not fit the schema are skipped and listed; the exit status is 1
when any were skipped, so scripts notice.
"""

from __future__ import annotations

import argparse
import sys

HELP = "convert crawl output or exports to Parquet, JSON Lines or CSV (streamed, partitionable)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the examples' lines
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="SRC",
        help="crawl output folders, export folders or export files",
    )
    parser.add_argument(
        "--format",
        choices=["parquet", "jsonl", "csv"],
        default="parquet",
        help="output format (default: parquet)",
    )
    parser.add_argument("--out", required=True, help="output file, or folder with --partition-by")
    parser.add_argument(
        "--partition-by", choices=["crawl"], help="write OUT/crawl_id=ID/part-0.EXT (hive style)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=10_000,
        help="records per write (and Parquet row group); bounds memory",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")


def run(args: argparse.Namespace) -> int:
    from newsarchive.export.convert import ExportError, ExportReport, export_records
    from newsarchive.loading import LoadError, load

    if args.batch_size < 1:
        print("--batch-size must be at least 1", file=sys.stderr)
        return 2
    report = ExportReport()

    def unreadable(message: str) -> None:
        report.skipped += 1
        report.problem(message)

    try:
        readers = [load(source, on_error=unreadable) for source in args.sources]
        records = (record for reader in readers for record in reader)
        export_records(
            records,
            args.format,
            args.out,
            partition_by=args.partition_by,
            batch_size=args.batch_size,
            overwrite=args.overwrite,
            report=report,
            conformed=True,
        )
    except (ExportError, LoadError, ImportError) as error:
        print(f"newsarchive export: {error}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(
        f"{report.records} records -> {len(report.files)} file(s) under {args.out}"
        + (f"; {report.skipped} skipped" if report.skipped else "")
    )
    return 1 if report.skipped else 0
