"""Re-run extraction over archived responses and write the article records as JSON Lines.

Reads response (and revisit) records with warcio's content_stream(), extracts
every 200 HTML page in parallel, adds the same provenance the crawl adds (WARC
pointer, fetched_at from WARC-Date, status, MIME type, IP address) and keeps the
pages the crawl would have exported as articles. Files are read in capture order
(the time in their names), whatever order they are given in, and the output
follows it, whatever --jobs is: article versions count as the crawl counted them
when every run of a site is given (OUTPUT/SITE/*); a later run's folder alone starts
each article at version 1. This is how a better extractor is applied to old
archives.

Damaged files are read record by record: a corrupt or cut gzip member, or a file
that is no WARC at all, costs what it spans; every whole record is still
extracted. Each damaged file gets one line on standard error, each page that
failed (a decompression bomb, an extraction error) one too, and the exit status
is 1 when there was any.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO

HELP = "re-extract article records from WARC files (parallel, JSON Lines)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "warcs",
        nargs="+",
        type=Path,
        metavar="WARC",
        help="WARC files, crawl folders (OUT) or folders holding *.warc.gz (OUT/warc)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON Lines file to write (default: standard output)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    parser.add_argument(
        "--min-probability",
        type=float,
        default=None,
        help="article probability threshold (default: the crawl setting)",
    )


def run(args: argparse.Namespace) -> int:
    import json

    from newsarchive import schema, settings
    from newsarchive.atomic import replacing
    from newsarchive.crawlfolder import warc_files_of
    from newsarchive.progress import Progress
    from newsarchive.warc.reread import ReadState, reextract

    try:
        paths = warc_files_of(args.warcs)
    except FileNotFoundError as error:
        print(f"newsarchive reextract: {error}", file=sys.stderr)
        return 2
    threshold = (
        args.min_probability
        if args.min_probability is not None
        else settings.NEWSARCHIVE_MIN_ARTICLE_PROBABILITY
    )
    state = ReadState()
    progress = Progress("reextract", unit="articles")

    def write_all(out: IO[str]) -> int:
        count = 0
        for record in reextract(
            paths, jobs=max(1, args.jobs), min_probability=threshold, state=state
        ):
            out.write(
                json.dumps(schema.conform(record), ensure_ascii=False, separators=(",", ":")) + "\n"
            )
            count += 1
            progress.advance()
        return count

    try:
        if args.out is None:
            count = write_all(sys.stdout)
        else:  # --out appears complete or not at all (a full disk, a Ctrl-C)
            with replacing(args.out) as temporary, temporary.open("w", encoding="utf-8") as out:
                count = write_all(out)
    except BrokenPipeError:
        raise  # `reextract ... | head`: the reader has what it wanted
    except OSError as error:
        where = args.out if args.out is not None else "standard output"
        print(f"newsarchive reextract: cannot write {where}: {error.strerror or error}; "
              "nothing written", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        progress.close()
    for damaged in state.damage:
        print(f"newsarchive reextract: {damaged.line()}", file=sys.stderr)
    for url, why in state.failures:
        print(f"newsarchive reextract: page failed: {url}: {why}", file=sys.stderr)
    print(f"{count} article records from {len(paths)} WARC files", file=sys.stderr)
    if state.damage or state.failures:
        print(
            f"newsarchive reextract: {len(state.damage)} damaged file(s), "
            f"{len(state.failures)} failed page(s)",
            file=sys.stderr,
        )
        return 1
    return 0
