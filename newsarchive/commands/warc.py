"""Work with a crawl's WARC files.

check FILE...              digests (as `warcio check`) plus a walk over every gzip member,
                           which catches a truncated tail `warcio check` misses
recover OUT|FILE...        finish the *.open files a killed crawl left: cut after the
                           last whole record, rename, repair OUT/index.cdxj; for a crawl
                           folder also its article batches and a missing manifest.json
index OUT|FILE... [-o F]   rebuild the sorted CDXJ index (default OUT/index.cdxj)
wacz OUT -o crawl.wacz     package the crawl's WARC files as WACZ (needs the replay extra)
fixture FILE[:OFFSET] -o DIR [--url URL]
                           turn an archived response into a test fixture folder
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from newsarchive.crawlfolder import warc_files_of

HELP = "check, recover, index, package (WACZ) WARC files, or turn a record into a fixture"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="warc_command", metavar="ACTION", required=True)

    check = sub.add_parser("check", help="verify digests and gzip members")
    check.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    check.set_defaults(_action=run_check)

    recover = sub.add_parser("recover", help="finish .open files a killed crawl left")
    recover.add_argument("paths", nargs="+", type=Path, metavar="OUT_OR_FILE")
    recover.set_defaults(_action=run_recover)

    index = sub.add_parser("index", help="rebuild the CDXJ index from WARC files")
    index.add_argument("paths", nargs="+", type=Path, metavar="OUT_OR_FILE")
    index.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="index file (default: OUT/index.cdxj for a crawl folder)",
    )
    index.set_defaults(_action=run_index)

    wacz = sub.add_parser("wacz", help="package a crawl's WARC files as a WACZ")
    wacz.add_argument("paths", nargs="+", type=Path, metavar="OUT_OR_FILE")
    wacz.add_argument("-o", "--out", type=Path, required=True, help="WACZ file to write")
    wacz.add_argument("--title", default=None)
    wacz.add_argument("--no-validate", action="store_true", help="skip `wacz validate`")
    wacz.set_defaults(_action=run_wacz)

    fixture = sub.add_parser("fixture", help="archived response -> test fixture folder")
    fixture.add_argument(
        "record",
        metavar="FILE[:OFFSET]",
        help="WARC file, with the record offset from an export's pointer",
    )
    fixture.add_argument("-o", "--out", type=Path, required=True, help="fixture folder")
    fixture.add_argument("--url", default=None, help="first response for this URL")
    fixture.add_argument(
        "--no-expected", action="store_true", help="do not run the extractor to write expected.json"
    )
    fixture.set_defaults(_action=run_fixture)


def run_check(args: argparse.Namespace) -> int:
    from newsarchive.progress import Progress
    from newsarchive.warc.check import check_file

    failed = records = 0
    paths = warc_files_of(args.paths)
    progress = Progress("warc check", total=len(paths), unit="files")
    with progress:
        for path in paths:
            report = check_file(path)
            members = len(report.walk.members) if report.walk else 0
            status = "ok" if report.ok else "FAILED"
            progress.note(f"{status}  {path}  ({report.records} records, {members} gzip members)")
            for problem in report.problems:
                progress.note(f"    {problem}")
            failed += not report.ok
            records += report.records
            progress.advance(failed=int(not report.ok))
    progress.finish(f"warc check: {len(paths)} files, {records} records, {failed} FAILED")
    return 1 if failed else 0


def run_recover(args: argparse.Namespace) -> int:
    """One line per ``.open`` file: records kept and bytes cut (or why it was left).

    A crawl folder is finished whole, as its resume would: WARC files and index, article
    batches, and the manifest it never wrote, so that ``export`` and ``load`` read it.
    """
    from newsarchive.crawlfolder import find_crawl_folders, is_crawl_folder
    from newsarchive.statesync import finish_killed_crawl
    from newsarchive.warc.recover import Recovered, crawl_folder_of, recover_file, repair_index

    # a crawl folder, or a folder holding crawl folders at any depth (a plan's OUTPUT);
    # anything else (WARC files, a folder of them) is recovered file by file
    folders: list[Path] = []
    others: list[Path] = []
    for path in args.paths:
        found = [f.path for f in find_crawl_folders(path)] if path.is_dir() else []
        if is_crawl_folder(path) or found:
            folders += found or [path]
        else:
            others.append(path)
    failed = done = 0
    for folder in folders:
        for line in finish_killed_crawl(folder):
            print(line)
            done += 1
            failed += line.startswith("skipped")
    paths = [p for p in warc_files_of(others) if p.name.endswith(".open")] if others else []
    if not paths:
        if not done:
            print("nothing to recover: no *.open file")
        return 1 if failed else 0
    by_folder: dict[Path | None, list[Recovered]] = {}
    for path in paths:
        try:
            result = recover_file(path)
        except OSError as error:
            print(f"FAILED  {path}  ({error.strerror or error})")
            failed += 1
            continue
        print(result.line())
        failed += bool(result.skipped)
        by_folder.setdefault(crawl_folder_of(path), []).append(result)
    for folder, results in by_folder.items():
        if folder is not None:
            lines = repair_index(folder / "index.cdxj", results)
            print(f"index repaired: {folder / 'index.cdxj'} ({lines} lines)")
    return 1 if failed else 0


def run_index(args: argparse.Namespace) -> int:
    from newsarchive.progress import Progress
    from newsarchive.warc.cdxj import rebuild

    paths = warc_files_of(args.paths)
    out = args.out
    if out is None:
        folder = args.paths[0]
        if not folder.is_dir():
            print("newsarchive warc index: give -o FILE when indexing files", file=sys.stderr)
            return 2
        out = (folder.parent if folder.name == "warc" else folder) / "index.cdxj"
    merged = _merged_crawl(args)
    if merged is not None and args.out is None:
        return _index_merged_crawl(merged, paths, out)
    progress = Progress("warc index", total=len(paths), unit="files")
    damage: list[Any] = []
    with progress:
        count = rebuild(paths, out, on_file=lambda _path: progress.advance(), damage=damage)
    progress.finish(f"{count} index lines from {len(paths)} WARC files -> {out}")
    for report in damage:  # indexed record by record: the whole records around it kept
        print(f"newsarchive warc index: {report.line()}", file=sys.stderr)
    return 1 if damage else 0


def _merged_crawl(args: argparse.Namespace) -> Path | None:
    """The folder of Redis workers' crawl (``OUT/workers/W/warc``) being indexed, if so:
    its index names each file relative to it, as ``crawl-finish --out`` wrote it."""
    from newsarchive.crawlfolder import WARC_DIRNAME, WORKERS_DIRNAME

    folder = args.paths[0]
    if len(args.paths) == 1 and folder.is_dir() and not (folder / WARC_DIRNAME).is_dir():
        return folder if (folder / WORKERS_DIRNAME).is_dir() else None
    return None


def _index_merged_crawl(folder: Path, paths: list[Path], out: Path) -> int:
    """Rebuild a Redis workers' crawl index as ``crawl-finish --out`` writes it (each
    ``filename`` relative to the folder, so replay tools pointed at it find the files)."""
    from newsarchive.atomic import write_atomic
    from newsarchive.distributed.merge import index_lines

    warnings: list[str] = []
    lines = index_lines(paths, folder, warnings)
    write_atomic(out, "".join(lines))
    for warning in warnings:
        print(f"newsarchive warc index: {warning}", file=sys.stderr)
    print(f"{len(lines)} index lines from {len(paths)} WARC files -> {out}")
    return 1 if warnings else 0


def run_wacz(args: argparse.Namespace) -> int:
    from newsarchive.warc import wacz

    paths = [p for p in warc_files_of(args.paths) if not p.name.endswith(".open")]
    size = sum(p.stat().st_size for p in paths)
    print(
        f"warc wacz: packaging {len(paths)} WARC files ({size / 1e6:,.1f} MB) into {args.out}...",
        file=sys.stderr,
        flush=True,
    )
    try:
        packaged = wacz.package_crawl(args.paths, paths, args.out, title=args.title)
    except wacz.MissingOriginals as error:
        print(f"newsarchive warc wacz: no WACZ written: {error}", file=sys.stderr)
        return 1
    except (wacz.WaczUnavailable, RuntimeError, ValueError) as error:
        print(f"newsarchive warc wacz: {error}", file=sys.stderr)
        return 1
    listed, articles = packaged.listed, packaged.articles
    if articles and listed < articles:
        print(
            f"newsarchive warc wacz: {articles - listed} of {articles} articles have no "
            "capture in these WARC files and are not listed",
            file=sys.stderr,
        )
    if not args.no_validate:
        passed, output = wacz.validate(args.out)
        if not passed:
            print(f"newsarchive warc wacz: validation failed:\n{output}", file=sys.stderr)
            return 1
    what = f"{listed} articles listed" if articles else f"{listed} pages detected"
    validated = "" if args.no_validate else ", validated"
    added = wacz.added_note(packaged)
    print(f"{args.out} ({len(paths)} WARC files, {what}{added}{validated})")
    return 0


def run_fixture(args: argparse.Namespace) -> int:
    from newsarchive.inflate import InflateError
    from newsarchive.warc.fixture import RecordNotFound, RecordSpec, write_fixture
    from newsarchive.warc.originals import OriginalNotFound

    try:
        folder = write_fixture(
            RecordSpec.parse(args.record, args.url), args.out, with_expected=not args.no_expected
        )
    except (RecordNotFound, FileNotFoundError, InflateError, OriginalNotFound) as error:
        print(f"newsarchive warc fixture: {error}", file=sys.stderr)
        return 1
    print(f"fixture written: {folder}")
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return int(args._action(args))
    except FileNotFoundError as error:
        print(f"newsarchive warc: {error}", file=sys.stderr)
        return 2
