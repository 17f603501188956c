"""Paper cuts a newcomer meets first: help examples on their own lines, the loopback hint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

NEWSARCHIVE = [sys.executable, "-m", "newsarchive"]


@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("plan", "newsarchive plan check plans/demo.toml"),
        ("schedule", "newsarchive schedule --plan plans/demo.toml --crontab"),
        ("replay", "newsarchive replay output/news"),
    ],
)
def test_help_keeps_each_example_on_its_own_line(command: str, example: str) -> None:
    text = subprocess.run(
        [*NEWSARCHIVE, command, "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    assert any(line.strip().startswith(example) for line in text.splitlines()), text


def test_a_loopback_crawl_names_the_flag_that_allows_it(tmp_path: Path) -> None:
    run = subprocess.run(
        [*NEWSARCHIVE, "crawl", "http://127.0.0.1:9/", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "private or loopback address" in run.stderr and "--allow-private" in run.stderr
