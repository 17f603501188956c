"""The plans the repository ships (and the README names) pass `plan check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("plan", sorted(p.name for p in (ROOT / "plans").glob("*.toml")))
def test_shipped_plan_passes_plan_check(plan: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "plan", "check", str(ROOT / "plans" / plan)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_plan_the_docs_name_exists() -> None:
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for word in doc.read_text(encoding="utf-8").split():
            if word.startswith("plans/") and word.endswith(".toml"):
                assert (ROOT / word).is_file(), f"{doc.name} names {word}, which is missing"


def test_every_doc_the_code_names_exists() -> None:
    for source in [*(ROOT / "newsarchive").rglob("*.py"), *(ROOT / "spiders").glob("*.py")]:
        for word in source.read_text(encoding="utf-8").replace("(", " ").split():
            word = word.strip("`).,;:'\"")
            if word.startswith("docs/") and word.endswith(".md"):
                assert (ROOT / word).is_file(), f"{source.name} names {word}, which is missing"
