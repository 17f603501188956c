"""Serve the bundled demo news site (or a folder, or a generated site) on 127.0.0.1.

Prints the base URL on one line, then serves until Ctrl-C. The port is free
and random unless --port is given.
"""

from __future__ import annotations

import argparse
import sys
import time

HELP = "serve the demo news site (or a folder / a generated site) on 127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir", nargs="?", default=None, help="folder to serve (default: the bundled demo site)"
    )
    from newsarchive.cli import port_number

    parser.add_argument("--port", type=port_number, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--generate",
        type=int,
        metavar="N",
        default=None,
        help="serve a generated site of N deterministic articles instead of a folder",
    )


def run(args: argparse.Namespace) -> int:
    from newsarchive.server import DemoSite

    if args.generate is not None and args.dir:
        print("newsarchive serve: give either DIR or --generate, not both", file=sys.stderr)
        return 2
    if args.generate is not None and args.generate < 1:
        print("newsarchive serve: --generate needs a positive number of articles", file=sys.stderr)
        return 2
    try:
        site = DemoSite(args.dir, generate=args.generate, host=args.host, port=args.port)
        site.start()
    except (OSError, ValueError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(
            f"newsarchive serve: cannot serve on {args.host}:{args.port}: {detail}", file=sys.stderr
        )
        return 2
    print(site.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        site.stop()
