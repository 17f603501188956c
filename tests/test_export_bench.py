"""bench/export.py still runs: a small export through the benchmark's own code path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_export", ROOT / "bench" / "export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_exports_every_generated_record() -> None:
    bench = _bench_module()
    result = bench.run_one(300, batch_size=100, fmt="parquet", source="jsonl")
    assert result["records"] == 300 and result["skipped"] == 0
    assert result["records_per_s"] > 0
    assert result["peak_rss_mb"] >= result["baseline_rss_mb"] > 0
