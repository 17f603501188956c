"""Where our extractor spends its time: median and mean milliseconds per stage.

Usage (from the repository root)::

    .venv/bin/python bench/stages.py [DATA_DIR ...] [--every N] [--limit N]

Both development sets by default (as ``bench/extraction.py`` scores them).

Each stage function the engine calls is wrapped with a timer for the run
(nothing in the package changes); the total is the whole ``extract()`` call.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import DEFAULT_SETS, load_pages

# (module, function) pairs the engine calls; missing ones are skipped.
STAGES = (
    ("engine", "load_document"),
    ("metadata", "extract_metadata"),
    ("headline", "extract_headline"),
    ("dates", "extract_dates"),
    ("language", "extract_language"),
    ("authors", "extract_authors"),
    ("pagetype", "classify"),
    ("body", "extract_body"),
    ("captions", "extract_captions"),
    ("captions", "extract_images"),
    ("quotes", "extract_quotes"),
    ("related", "extract_related"),
    ("engine", "_finish"),
    ("engine", "_match_rule"),
    ("engine", "_body_parts"),
)


def _timed(func: Callable[..., Any], sink: list[float]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            sink.append((time.perf_counter() - start) * 1000)

    return wrapper


def instrument() -> dict[str, list[float]]:
    """Wrap every stage function with a timer; returns the per-stage sample lists."""
    samples: dict[str, list[float]] = defaultdict(list)
    for module_name, func_name in STAGES:
        try:
            module = importlib.import_module(f"newsarchive.extraction.{module_name}")
        except ImportError:
            continue
        func = getattr(module, func_name, None)
        if func is not None:
            setattr(module, func_name, _timed(func, samples[f"{module_name}.{func_name}"]))
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, default=list(DEFAULT_SETS))
    parser.add_argument("--every", type=int, default=1, help="every Nth page of each set")
    parser.add_argument("--limit", type=int, help="the first N pages of each set")
    args = parser.parse_args(argv)
    rows = [row for data_dir in args.sets for row in load_pages(data_dir, args.limit, args.every)]
    samples = instrument()
    from newsarchive.extraction import engine

    engine.run(rows[0]["html"], rows[0]["url"])  # warm-up
    for values in samples.values():
        values.clear()
    totals = []
    for row in rows:
        start = time.perf_counter()
        engine.run(row["html"], row["url"])
        totals.append((time.perf_counter() - start) * 1000)
    print(f"{len(rows)} pages; extract() median {statistics.median(totals):.2f} ms")
    print(f"{'stage':32} {'median':>8} {'mean':>8}")
    ranked = sorted(samples.items(), key=lambda kv: -statistics.mean(kv[1] or [0]))
    for name, values in ranked:
        if values:
            median, mean = statistics.median(values), statistics.mean(values)
            print(f"{name:32} {median:8.2f} {mean:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
