"""Run ``newsarchive`` commands in a subprocess, as a user would, for tests.

Twisted's reactor cannot restart, so every crawl a test starts runs in a process of
its own: ``python -m newsarchive ...`` with the tests' environment (plus ``tests/``
on ``PYTHONPATH`` for settings that name ``support`` classes).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from support import PYTHONPATH_ENTRY

CRAWL_TIMEOUT = 300  # seconds: a generous bound for a small local crawl on a loaded machine
QUIET = ("-s", "NEWSARCHIVE_PROGRESS=False")  # no progress lines in the captured output


def newsarchive_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment, ``tests/`` importable, plus ``extra``."""
    path = os.pathsep.join(p for p in (PYTHONPATH_ENTRY, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **(extra or {})}


def run_newsarchive(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = CRAWL_TIMEOUT,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m newsarchive ARGS`` (text output captured; the exit status is not checked)."""
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=newsarchive_env(env),
        cwd=cwd,
        check=False,
    )


def crawl_plan(plan: Path, crawl_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``newsarchive crawl --plan PLAN --crawl-id ID ARGS``, which must succeed."""
    done = run_newsarchive("crawl", "--plan", plan, "--crawl-id", crawl_id, *QUIET, *args)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done
