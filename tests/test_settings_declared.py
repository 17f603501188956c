"""Every NEWSARCHIVE_* name the code reads is declared once, with a default and a meaning."""

from __future__ import annotations

import re
from pathlib import Path

from newsarchive import settings
from newsarchive.settings_table import DOCS_FILE, declared, render

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"""["'](NEWSARCHIVE_[A-Z0-9_]+)["']""")


def names_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in ("newsarchive", "spiders", "pipelines"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "newsarchive" / "settings.py":
                continue
            for name in NAME.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_code_reads_no_undeclared_setting() -> None:
    declared_names = {name for name, _, _ in declared()}
    environment = set(settings.environment_variables)
    undeclared = {
        name: sorted(paths)
        for name, paths in names_in_code().items()
        if name not in declared_names and name not in environment
    }
    assert undeclared == {}, "declare these in newsarchive/settings.py with a comment"


def test_every_setting_says_what_it_does() -> None:
    assert [name for name, _, meaning in declared() if not meaning] == []


def test_the_settings_table_is_current() -> None:
    assert DOCS_FILE.read_text(encoding="utf-8") == render(), (
        "run: python -m newsarchive.settings_table --write"
    )


def test_the_check_finds_a_name_read_without_declaration(tmp_path: Path) -> None:
    """The scan itself works: a literal in code is found (so the first test can fail)."""
    assert "NEWSARCHIVE_EXTRACT_WORKERS" in names_in_code()
    assert NAME.findall('settings.getint("NEWSARCHIVE_NOT_DECLARED_ANYWHERE", 3)') == [
        "NEWSARCHIVE_NOT_DECLARED_ANYWHERE"
    ]
