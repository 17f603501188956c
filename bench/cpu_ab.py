"""CPU time of two versions of the extraction, page by page, alternating in one process.

Usage (from the repository root)::

    git archive START | tar -x -C /tmp/old_copy
    .venv/bin/python bench/cpu_ab.py /tmp/old_copy [DATA_DIR ...] [--every N] [--reps N]

The old copy's ``newsarchive`` package is loaded under another name beside this
checkout's, and every page is extracted by both, in alternating order, ``--reps``
times; each page keeps its least CPU time (``process_time``: a busy machine's other
processes do not count, and the minimum drops the collector's pauses). It prints the
median page time of each and the median of the per-page ratios new/old.

Wall-clock runs of ``bench/extraction.py`` on a machine shared by several sessions
move their ratio by more than a few per cent between runs; this comparison holds
steady to about half a per cent (two runs of the same code).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import DEFAULT_SETS, load_pages

OLD_NAME = "newsarchive_old"
_IMPORTS = re.compile(r"\bnewsarchive(?=\.| import)")


def load_old(copy: Path, into: Path) -> Callable[..., Any]:
    """``extract`` of the package in ``copy``, loaded as ``newsarchive_old``."""
    target = into / OLD_NAME
    shutil.copytree(copy / "newsarchive", target)
    for path in target.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        path.write_text(_IMPORTS.sub(OLD_NAME, source), encoding="utf-8")
    sys.path.insert(0, str(into))
    module = __import__(f"{OLD_NAME}.extraction", fromlist=["extract"])
    return module.extract


def least_times(
    versions: dict[str, Callable[..., Any]], rows: list[dict[str, Any]], reps: int
) -> dict[str, list[float]]:
    """Per page and version, the least CPU seconds of ``reps`` runs (order alternating)."""
    names = list(versions)
    best = {name: [float("inf")] * len(rows) for name in names}
    for rep in range(reps):
        for i, row in enumerate(rows):
            for name in names if (i + rep) % 2 == 0 else names[::-1]:
                start = time.process_time()
                versions[name](row["html"], row["url"])
                best[name][i] = min(best[name][i], time.process_time() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="a copy of the old checkout (git archive)")
    parser.add_argument("sets", nargs="*", type=Path, default=list(DEFAULT_SETS))
    parser.add_argument("--every", type=int, default=1, help="every Nth page of each set")
    parser.add_argument("--reps", type=int, default=3, help="runs per page and version")
    args = parser.parse_args(argv)
    if not (args.old / "newsarchive" / "extraction").is_dir():
        parser.error(f"{args.old} holds no newsarchive/extraction package")
    rows = [row for data_dir in args.sets for row in load_pages(data_dir, None, args.every)]
    from newsarchive.extraction import extract

    with tempfile.TemporaryDirectory() as tmp:
        versions = {"old": load_old(args.old, Path(tmp)), "new": extract}
        for fn in versions.values():  # imports, models and caches before timing
            for row in rows[:3]:
                fn(row["html"], row["url"])
        best = least_times(versions, rows, args.reps)
    ratios = [new / old for new, old in zip(best["new"], best["old"], strict=True) if old > 0]
    for name, values in best.items():
        print(f"{name}: median {statistics.median(values) * 1000:.2f} ms per page, "
              f"total {sum(values) * 1000:.0f} ms, {len(values)} pages")  # fmt: skip
    print(f"median of per-page ratios new/old: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
