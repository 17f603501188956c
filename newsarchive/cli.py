"""The `newsarchive` command line.

Each subcommand lives in its own module under ``newsarchive.commands`` and
defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Subcommand modules import their heavy dependencies inside ``run`` so that
``newsarchive --help`` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import math
import pkgutil
import sys
import traceback
from typing import NoReturn

from newsarchive import commands
from newsarchive.version import __version__

REPORT_URL = "https://github.com/newsarchive/newsarchive/issues"


def _command_modules() -> list[tuple[str, object]]:
    found = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"newsarchive.commands.{info.name}")
        found.append((info.name.replace("_", "-"), module))
    return found


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (with a pointer to --help), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="newsarchive",
        description="Crawl news sites, archive them as WARC, extract clean article records.",
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in _command_modules():
        help_text = getattr(module, "HELP", "")
        p = sub.add_parser(
            name,
            help=help_text,
            description=module.__doc__ or help_text,
            formatter_class=argparse.RawDescriptionHelpFormatter,  # examples keep their lines
        )
        module.add_arguments(p)
        _checked_types(p)
        p.set_defaults(_run=module.run)
    return parser


def finite_float(text: str) -> float:
    """argparse type: a number, never inf or nan (an infinite wait would stall forever)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def port_number(text: str) -> int:
    """argparse type: a TCP port, 0-65535 (0: a free one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {value}")
    return value


def crawl_id_arg(text: str) -> str:
    """argparse type: a crawl id that is safe as a folder and file name."""
    from newsarchive.provenance import CrawlIdError, check_crawl_id

    try:
        return check_crawl_id(text)
    except CrawlIdError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _checked_types(parser: argparse.ArgumentParser) -> None:
    """Every float option of every command is finite; every crawl id argument is safe.

    Applied here, once, so no command can forget it.
    """
    for action in parser._actions:
        if action.type is float:
            action.type = finite_float
        if action.dest == "crawl_id" and action.type is None:
            action.type = crawl_id_arg
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _checked_types(child)


# Write errors that are the machine's state (a full disk, a quota, a read-only mount, a
# failing device), not a defect: one line and exit 1 from any command, never "please report".
_MACHINE_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG})


def user_error(exc: BaseException) -> str | None:
    """The one-line message for an error caused by the user's input; None for a bug.

    Input the user gave (files, plans, ids, URLs, settings) fails with one of these;
    anything else is a defect of newsarchive and keeps its traceback.
    """
    import tomllib

    from newsarchive.plan import PlanError
    from newsarchive.provenance import CrawlIdError
    from newsarchive.state import StateError

    if isinstance(exc, PlanError):
        return "; ".join(str(issue) for issue in exc.issues)
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, CrawlIdError | StateError | tomllib.TOMLDecodeError):
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args._argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno in _MACHINE_WRITE_ERRORS:
            where = f" {exc.filename}" if exc.filename else ""
            print(
                f"newsarchive {args.command}: cannot write{where}: {exc.strerror}", file=sys.stderr
            )
            return 1
        message = user_error(exc)
        if message is not None:
            print(f"newsarchive {args.command}: {message}", file=sys.stderr)
            return 2
        traceback.print_exc()
        print(
            f"newsarchive {args.command}: internal error ({type(exc).__name__}); this is a bug, "
            f"please report it with the traceback above at {REPORT_URL}",
            file=sys.stderr,
        )
        return 70
