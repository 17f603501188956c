"""ruff is the project's linter and formatter; the suite fails when the tree is not clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    """The ruff installed beside this Python (the pinned one), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    ruff = str(beside) if beside.exists() else shutil.which("ruff") or "ruff"
    return subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_clean() -> None:
    out = _ruff("check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_formatted() -> None:
    out = _ruff("format", "--check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_clean_on_the_extractor_and_the_schema() -> None:
    """The pure extractor, the record schema and the fetch facts type-check (not their imports)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "newsarchive/extraction",
            "newsarchive/schema.py",
            "newsarchive/fetchfacts.py",
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--no-error-summary",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
