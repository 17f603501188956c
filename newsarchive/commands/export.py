"""Convert crawl output or earlier exports to Parquet, JSON Lines or CSV, in bounded memory.

    newsarchive export output/crawl --format parquet --out articles.parquet
    newsarchive export output/crawl-a output/crawl-b --out export/ --partition-by crawl
    newsarchive export articles.parquet --format csv --out articles.csv

SRC may be a crawl output folder, a folder holding crawl folders at any depth
(a plan's OUTPUT/SITE/CRAWL_ID/: only their article batches are read, after a
check against each crawl's manifest), a folder of export files, or single
.jsonl, .jsonl.gz, .parquet or .csv files.

All or nothing: OUT appears only when the export is complete. A damaged input
file, a crawl folder whose files disagree with its manifest, a row that does
not fit the schema, an input without records or a write error (a full disk)
is reported with the file it concerns, nothing is written under OUT, and the
exit status is 1. --no-verify reads crawl folders that disagree with their
manifests (each disagreement is still printed); --keep-going skips damaged
records and files instead of failing, writes the rest, lists every skip and
still exits 1. Usage errors (unknown format, OUT exists) exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

HELP = "convert crawl output or exports to Parquet, JSON Lines or CSV (streamed, partitionable)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
        help="records per write (and Parquet row group), fewer when they hold over 64 MB "
        "of text; bounds memory",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="read crawl folders whose files disagree with their manifest.json (warned)",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="skip damaged records and files instead of failing; still exits 1",
    )


def run(args: argparse.Namespace) -> int:
    from newsarchive.export.convert import (
        ExportError,
        ExportReport,
        ExportUsageError,
        export_records,
    )
    from newsarchive.loading import LoadError, MissingSource, load
    from newsarchive.progress import Progress

    if args.batch_size < 1:
        print("--batch-size must be at least 1", file=sys.stderr)
        return 2
    report = ExportReport()

    def unreadable(message: str) -> None:
        report.skipped += 1
        report.problem(message)

    on_error = unreadable if args.keep_going else None
    try:
        readers = [
            load(source, on_error=on_error, verify=not args.no_verify) for source in args.sources
        ]
    except MissingSource as error:
        # a wrong argument, like a bad option: exit 2 as for every command
        print(f"newsarchive export: {error}", file=sys.stderr)
        return 2
    except LoadError as error:
        print(f"newsarchive export: {error}", file=sys.stderr)
        return 1
    progress = Progress("export", unit="records")

    def counted() -> Iterator[dict[str, Any]]:
        for reader in readers:
            for record in reader:
                progress.advance()
                yield record

    records = counted()
    try:
        export_records(
            records,
            args.format,
            args.out,
            partition_by=args.partition_by,
            batch_size=args.batch_size,
            overwrite=args.overwrite,
            report=report,
            conformed=True,
            keep_going=args.keep_going,
        )
    except (ExportUsageError, ImportError) as error:
        print(f"newsarchive export: {error}", file=sys.stderr)
        return 2
    except (LoadError, ExportError) as error:
        print(f"newsarchive export: {error}; nothing written to {args.out}", file=sys.stderr)
        return 1
    except OSError as error:
        print(
            f"newsarchive export: cannot write {args.out}: {error.strerror or error}; "
            "nothing written",
            file=sys.stderr,
        )
        return 1
    finally:
        progress.close()
    for problem in report.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(
        f"{report.records} records -> {len(report.files)} file(s) under {args.out}"
        + (f"; {report.skipped} skipped (see above)" if report.skipped else "")
    )
    return 1 if report.skipped else 0
