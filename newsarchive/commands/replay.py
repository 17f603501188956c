"""Replay a crawl's WARC files in pywb, from an environment pywb gets to itself,
or in ReplayWeb.page (``--rwp``), served from 127.0.0.1.

The first use installs pywb into its own venv under the user cache (see
``newsarchive.replay`` for why it cannot share the crawler's); later uses start at
once. The collection links the WARC files instead of copying them. With ``--rwp`` the
first use fetches ReplayWeb.page's scripts with ``npm pack`` (see
``newsarchive.replaywebpage``); the WARC files are packaged as one temporary WACZ.

Examples:

  newsarchive replay output/news                 # every *.warc.gz below the folder
  newsarchive replay a.warc.gz b.warc.gz --port 8090
  newsarchive replay --setup-only                # install pywb now, e.g. before going offline
  newsarchive replay --rwp output/news           # in ReplayWeb.page, in any browser
  newsarchive replay --rwp crawl.wacz
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HELP = "replay WARC files in pywb (installed into its own environment on first use)"
SERVER_STOP = "Ctrl-C stops the server."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="crawl folders or WARC files"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--collection", default="crawl", help="collection name in the replay URLs (default: crawl)"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder for pywb's collection and index (default: a temporary folder)",
    )
    parser.add_argument(
        "--setup-only", action="store_true", help="set up the pywb environment, then exit"
    )
    parser.add_argument(
        "--rwp",
        action="store_true",
        help="replay in ReplayWeb.page instead (a WACZ, or WARC files packaged as one)",
    )


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def run(args: argparse.Namespace) -> int:
    if not args.setup_only and not args.paths:
        print("newsarchive replay: name a crawl folder or WARC files", file=sys.stderr)
        return 2
    if not args.collection.isidentifier():
        print(
            f"newsarchive replay: --collection {args.collection!r}: use letters, digits and _",
            file=sys.stderr,
        )
        return 2
    with _signals_stop():
        if args.rwp:
            return _run_replaywebpage(args)
        return _run_pywb(args)


def _run_pywb(args: argparse.Namespace) -> int:
    from newsarchive import replay

    try:
        warcs = [] if args.setup_only else replay.warc_files(args.paths)
        tools = replay.ensure_env()
        if args.setup_only:
            print(f"pywb ready in {replay.env_dir()}")
            return 0
        earlier = _earlier_originals(warcs)
        with tempfile.TemporaryDirectory(prefix="newsarchive-replay-") as scratch:
            root = args.dir or Path(scratch)
            replay.build_collection(root, warcs + earlier, tools, args.collection)
            port = args.port or _free_port(args.host)
            added = f", {len(earlier)} earlier WARC file(s) added for revisits" if earlier else ""
            ready = (
                f"http://{args.host}:{port}/{args.collection}/  ({len(warcs)} WARC files{added})"
            )
            server = replay.start_wayback(root, tools, args.host, port)
            try:
                print(ready)
                print(SERVER_STOP, flush=True)
                _wait_for_a_stop(lambda: server.poll() is None)
            finally:
                replay.stop(server)
            return 0 if server.returncode in (0, -15, None) else 1
    except (replay.ReplayError, OSError) as error:
        print(f"newsarchive replay: {error}", file=sys.stderr)
        return 1


def _earlier_originals(warcs: list[Path]) -> list[Path]:
    """The earlier runs' WARC files holding the originals of these files' revisits.

    A later run of a plan is mostly revisits (identical payloads, 304s); pywb resolves
    one only when its original is in the collection, so a run replayed alone answered
    503 or 404 for its pages. Found as ``warc wacz`` and ``replay --rwp`` find them; a
    revisit whose original is nowhere is one warning (the other pages still replay).
    """
    from newsarchive.warc.wacz import originals_elsewhere

    return originals_elsewhere(warcs, missing_ok=True)


def _run_replaywebpage(args: argparse.Namespace) -> int:
    from newsarchive import replay, replaywebpage

    if args.setup_only:
        try:
            print(f"ReplayWeb.page ready in {replaywebpage.ensure_ui()}")
            return 0
        except (replay.ReplayError, OSError) as error:
            print(f"newsarchive replay: {error}", file=sys.stderr)
            return 1
    try:
        ui = replaywebpage.ensure_ui()
        with tempfile.TemporaryDirectory(prefix="newsarchive-rwp-") as scratch:
            archives = replaywebpage.archives_for(args.paths, Path(scratch))
            with replaywebpage.serving(archives, ui, args.host, args.port) as base:
                print(f"{base}/  ({', '.join(archives)} in ReplayWeb.page)")
                print(SERVER_STOP, flush=True)
                _wait_for_a_stop(lambda: True)
        return 0
    except (replay.ReplayError, OSError) as error:
        print(f"newsarchive replay: {error}", file=sys.stderr)
        return 1


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    """SIGTERM (kill, systemd) and SIGHUP (a closed terminal) stop the command as Ctrl-C
    does, from before any server starts: else Python dies at once and a server it
    started lives on. Each server is stopped by the ``finally`` around it."""
    previous = {number: signal.signal(number, _interrupt) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _wait_for_a_stop(running: Callable[[], bool]) -> None:
    """Sleep while ``running()``, until Ctrl-C, SIGTERM or SIGHUP (see ``_signals_stop``)."""
    try:
        while running():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _interrupt(number: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(number).name)
