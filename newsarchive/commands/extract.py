"""Extract article records from saved pages: one JSON line per input file.

PATH may be ``-`` for standard input; ``.gz`` files are decompressed first, to at
most ``NEWSARCHIVE_MAX_DECOMPRESSED_SIZE`` bytes (a gzip bomb fails that file only).
A file that cannot be read is reported on standard error and the others are
still extracted (exit status 1 when any failed).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from newsarchive.inflate import InflateError, inflate

HELP = "extract article records (JSON lines) from saved HTML pages"
log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="HTML file(s), .gz, or -")
    parser.add_argument("--url", help="the page URL (resolves relative links, canonical URL)")
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="K:V",
        help="an HTTP response header, e.g. 'Content-Type: text/html; charset=latin-1'",
    )


def parse_headers(pairs: list[str]) -> dict[str, str]:
    """``["K: V", ...]`` -> ``{"K": "V"}``; raises ValueError for a pair without a colon."""
    headers = {}
    for pair in pairs:
        key, sep, value = pair.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"header must look like 'Name: value', got {pair!r}")
        headers[key.strip()] = value.strip()
    return headers


def read_input(path: str) -> bytes:
    """The bytes of ``path`` (``-`` is standard input), gunzipped when it is gzip data."""
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    if path.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = inflate(data, "gzip")
    return data


def run(args: argparse.Namespace) -> int:
    from newsarchive.extraction import extract

    try:
        headers = parse_headers(args.header)
    except ValueError as exc:
        print(f"newsarchive extract: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for path in args.paths:
        try:
            data = read_input(path)
        except (OSError, InflateError) as exc:
            print(f"newsarchive extract: cannot read {path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        record = extract(data, args.url, headers=headers)
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 1 if failed else 0
