"""WACZ packages through the ``wacz`` package (optional extra ``replay``).

Run as a subprocess: the ``wacz`` tool configures logging and exits on errors,
which must not take the caller down with it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


class WaczUnavailable(RuntimeError):
    """The ``wacz`` package is not installed."""


def _wacz(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        import wacz  # noqa: F401
    except ImportError as error:
        raise WaczUnavailable(
            "the wacz package is missing: pip install 'newsarchive[replay]'"
        ) from error
    return subprocess.run(
        [sys.executable, "-m", "wacz", *args], capture_output=True, text=True, check=False
    )


def create(warc_paths: Sequence[Path], out: Path, title: str | None = None) -> Path:
    """Package ``warc_paths`` (index and pages detected by ``wacz``) into ``out``."""
    if not warc_paths:
        raise ValueError("no WARC files to package")
    args = ["create", "-o", str(out), "--detect-pages"]
    if title:
        args += ["--title", title]
    result = _wacz([*args, *map(str, warc_paths)])
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"wacz create failed: {result.stderr.strip()[-2000:]}")
    return out


def validate(path: Path) -> tuple[bool, str]:
    """``wacz validate``: (passed, its output)."""
    result = _wacz(["validate", "-f", str(path)])
    return result.returncode == 0, (result.stdout + result.stderr).strip()
