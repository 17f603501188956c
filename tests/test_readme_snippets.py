"""The README's researcher snippets run, exactly as written, against an export made here.

The section is read from README.md ("## For researchers"). Its ``newsarchive`` shell
commands run through the CLI, then every ``python`` block runs in a folder
holding ``output/crawl`` (a crawl's JSON Lines) and what the commands made.
"""

from __future__ import annotations

import os
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsarchive.cli import main
from newsarchive.export.jsonl import JsonLinesBatchWriter
from newsarchive.export.manifest import write_crawl_manifest
from newsarchive.export.synthetic import synthetic_record

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## For researchers"
RECORDS = 40
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def researchers_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(HEADING) + len(HEADING) :]
    following = re.search(r"^## ", section, re.MULTILINE)
    return section[: following.start()] if following else section


def blocks(language: str) -> list[str]:
    return [code for lang, code in _BLOCK.findall(researchers_section()) if lang == language]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("researcher")
    records = [synthetic_record(i, "crawl-1") for i in range(RECORDS)]
    records[RECORDS - 1]["date_modified"] = "2024-06-01T09:00:00Z"  # first non-null, late
    with JsonLinesBatchWriter(
        root / "output/crawl/articles", "articles-crawl-1", batch_size=15
    ) as writer:
        for record in records:
            writer.write(record)
    # as a crawl leaves it: the manifest that load and export check the batches against
    write_crawl_manifest(root / "output/crawl", "crawl-1", run_counts={"articles": RECORDS})
    return root


@pytest.fixture(scope="module")
def ran_commands(workdir: Path) -> Path:
    commands = [
        line.strip()
        for code in blocks("sh")
        for line in code.splitlines()
        if line.strip().startswith("newsarchive ")
    ]
    assert any("--format parquet" in c for c in commands)
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        for command in commands:
            assert main(shlex.split(command)[1:]) == 0, command
    finally:
        os.chdir(previous)
    return workdir


def _run(code: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(workdir)
    namespace: dict = {"__name__": "__snippet__"}
    exec(compile(code, "researchers-snippet", "exec"), namespace)
    return namespace


def _block_using(module: str) -> str:
    found = [code for code in blocks("python") if f"import {module}" in code]
    assert found, f"the researchers section has no {module} example"
    return found[0]


def test_every_python_block_runs(ran_commands: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(blocks("python")) >= 4
    for code in blocks("python"):
        _run(code, ran_commands, monkeypatch)


def test_plain_python_snippet(
    ran_commands: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = next(c for c in blocks("python") if "newsarchive.load" in c)
    _run(code, ran_commands, monkeypatch)
    assert len(capsys.readouterr().out.strip().splitlines()) == RECORDS


def test_pandas_snippet(ran_commands: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = _run(_block_using("pandas"), ran_commands, monkeypatch)
    articles = namespace["articles"]
    assert len(articles) == RECORDS
    assert set(articles["crawl_id"].astype(str)) == {"crawl-1"}
    assert set(namespace["authors"]["author"]) >= {"Reporter 0", "Reporter 1"}


def test_polars_snippet(ran_commands: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = _run(_block_using("polars"), ran_commands, monkeypatch)
    assert namespace["articles"].height == RECORDS
    crawl = namespace["crawl"]
    assert crawl.height == RECORDS
    # With the schema, JSON Lines times come out as UTC timestamps, as from Parquet.
    assert crawl["date_modified"].drop_nulls().to_list() == [datetime(2024, 6, 1, 9, tzinfo=UTC)]
    may = namespace["may"]  # the README's filter compares instants, not text
    assert may.height and (may["date_published"] >= datetime(2024, 5, 15, tzinfo=UTC)).all()


def test_duckdb_snippet(ran_commands: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = _run(_block_using("duckdb"), ran_commands, monkeypatch)
    assert int(namespace["authors"]["articles"].sum()) == RECORDS
