"""Crawl ids: safe wherever they enter, and printed (with the resume command) by every crawl.

A crawl id names folders and files (``OUTPUT/SITE/CRAWL_ID``), so ``../../x``
must never get in; and a crawl killed with ``kill -9`` prints nothing at the
end, so the id and the exact command that resumes the crawl are printed at the
start, and again on SIGINT/SIGTERM.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsarchive.crawler import CrawlOptions, build_settings, resume_command
from newsarchive.provenance import CrawlIdError, check_crawl_id, crawl_id_for, new_crawl_id
from newsarchive.server import DemoSite

GOOD_IDS = ["20261207T031900Z-ab12", "nightly.2024-05-01", "a", "A_b-9", "a~b", "x" * 128]
BAD_IDS = [
    "",
    "..",
    "../x",
    "../../../x",
    "a/b",
    "a\\b",
    "a..b",
    ".hidden",
    "-x",
    "_x",
    "x" * 129,
    "a b",
    "a\nb",
    "caf\u00e9",
    "a:b",
    "a*",
    None,
    7,
]


@pytest.mark.parametrize("crawl_id", GOOD_IDS)
def test_safe_crawl_ids_pass(crawl_id: str) -> None:
    assert check_crawl_id(crawl_id) == crawl_id


@pytest.mark.parametrize("crawl_id", BAD_IDS)
def test_unsafe_crawl_ids_are_refused_with_the_rule(crawl_id: object) -> None:
    with pytest.raises(CrawlIdError, match="letters, digits") as caught:
        check_crawl_id(crawl_id, "--crawl-id")
    assert str(caught.value).startswith("--crawl-id ") and "\n" not in str(caught.value)


def test_generated_crawl_ids_are_safe() -> None:
    for _ in range(20):
        check_crawl_id(new_crawl_id())


def test_the_setting_is_checked_where_every_component_reads_it() -> None:
    """``scrapy crawl news -s NEWSARCHIVE_CRAWL_ID=../../x`` never reaches a file name."""
    crawler = SimpleNamespace(settings={"NEWSARCHIVE_CRAWL_ID": "../../x"})
    with pytest.raises(CrawlIdError, match="NEWSARCHIVE_CRAWL_ID"):
        crawl_id_for(crawler)
    good = SimpleNamespace(settings={"NEWSARCHIVE_CRAWL_ID": "nightly-1"})
    assert crawl_id_for(good) == "nightly-1"


def test_crawl_options_from_python_are_checked(tmp_path: Path) -> None:
    options = CrawlOptions(start_urls=["http://127.0.0.1:9/"], out_dir=tmp_path, crawl_id="../x")
    with pytest.raises(CrawlIdError):
        build_settings(options)


def test_resume_command_replaces_any_crawl_id_given() -> None:
    argv = ["crawl", "--plan", "my plan.toml", "--crawl-id", "old", "--crawl-id=older", "-v"]
    assert resume_command(argv, "new-1") == (
        "newsarchive crawl --plan 'my plan.toml' -v --crawl-id new-1"
    )


# --------------------------------------------------------------------------- printed by crawls

PLAN = """\
[plan]
state = "state.sqlite"
output = "out"
[[sites]]
name = "demo"
seeds = ["{base}/"]
allow_private = true
[sites.politeness]
delay = {delay}
concurrency = 1
autothrottle = false
"""


def newsarchive(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsarchive", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def start_line(stderr: str) -> tuple[str, str]:
    """(crawl id, resume command) from the line a crawl prints first."""
    match = re.search(
        r"^newsarchive crawl: crawl id (\S+) \(.*\); resume with: (.+)$", stderr, re.M
    )
    assert match, stderr
    return match.group(1), match.group(2)


def test_a_plan_crawl_prints_its_id_and_the_command_that_resumes_it(tmp_path: Path) -> None:
    with DemoSite() as site:
        plan = tmp_path / "p.toml"
        plan.write_text(PLAN.format(base=site.base_url, delay=0))
        first = subprocess.run(
            newsarchive("crawl", "--plan", str(plan), "--max-pages", "3"),
            capture_output=True,
            text=True,
            timeout=180,
            env=env(),
        )
        assert first.returncode == 0, first.stderr[-2000:]
        crawl_id, command = start_line(first.stderr)
        assert [p.name for p in (tmp_path / "out" / "demo").iterdir()] == [crawl_id]
        assert command == shlex.join(
            [
                "newsarchive",
                "crawl",
                "--plan",
                str(plan),
                "--max-pages",
                "3",
                "--crawl-id",
                crawl_id,
            ]
        )
        # The printed command, run as given, continues the same crawl in the same folder.
        again = subprocess.run(
            [sys.executable, "-m", *shlex.split(command)],
            capture_output=True,
            text=True,
            timeout=180,
            env=env(),
        )
    assert again.returncode == 0, again.stderr[-2000:]
    assert start_line(again.stderr)[0] == crawl_id
    assert [p.name for p in (tmp_path / "out" / "demo").iterdir()] == [crawl_id]


def test_a_url_crawl_prints_its_id_first(tmp_path: Path) -> None:
    with DemoSite() as site:
        result = subprocess.run(
            newsarchive(
                "crawl", f"{site.base_url}/", "--allow-private", "--max-pages", "2",
                "--out", str(tmp_path / "o"), "-s", "NEWSARCHIVE_PROGRESS=False",
            ),
            capture_output=True,
            text=True,
            timeout=180,
            env=env(),
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    crawl_id, command = start_line(result.stderr)
    assert result.stderr.startswith("newsarchive crawl: crawl id ")  # before anything else
    assert command.endswith(f"--crawl-id {crawl_id}") and f"--out {tmp_path / 'o'}" in command
    assert f"Crawl {crawl_id} finished" in result.stdout


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_crawl_repeats_how_to_resume(tmp_path: Path, signum: int) -> None:
    """A slow crawl (2 s between requests) is interrupted once it runs."""
    with DemoSite() as site:
        plan = tmp_path / "p.toml"
        plan.write_text(PLAN.format(base=site.base_url, delay=2))
        process = subprocess.Popen(
            newsarchive(
                "crawl", "--plan", str(plan), "--crawl-id", "slow-1",
                "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2",
            ),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env(),
        )  # fmt: skip
        lines: list[str] = []
        running = threading.Event()

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)
                if line.startswith("crawl slow-1: "):  # a progress line
                    running.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            # Generous: the reactor must be up (the first progress line) before the signal.
            assert running.wait(120), "".join(lines)
            process.send_signal(signum)
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        reader.join(timeout=10)
    name = signal.Signals(signum).name
    text = "".join(lines)
    expected = f"newsarchive crawl: {name} received, stopping (send it again to stop at once); "
    assert expected + "crawl id slow-1" in text, text
    assert "resume with: newsarchive crawl --plan" in text and text.count("--crawl-id slow-1") >= 2
