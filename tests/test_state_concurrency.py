"""Crawls and processes sharing one plan's SQLite crawl state never wait on each other's lock.

A plan's sites are crawled side by side in one reactor, each crawler with its own
connection to the plan's state file, and a scheduler or a second crawl may write
the same file from another process. No write may hold the file's write lock
while the reactor turns (another crawler in the same thread would wait on it
for the whole busy timeout, then lose its write), and no write may be lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.server import DemoSite
from newsarchive.state import CrawlState

# Writes 40 records, says "ready" and keeps its batch (commit_seconds is an hour) until
# told to close: the writer that held the SQLite write lock while idle.
IDLE_WRITER = """
import sys
from newsarchive.state import CrawlState
state = CrawlState(sys.argv[1], commit_every=1000, commit_seconds=3600)
for i in range(40):
    state.record_fetch(f"https://idle.example/{i}", article_id=f"idle-{i}", status=200)
print("ready", flush=True)
sys.stdin.readline()
state.close()
print("closed", flush=True)
"""
# Writes N records with a read after each (every read writes the pending batch first).
BUSY_WRITER = """
import sys
from newsarchive.state import CrawlState
name, count = sys.argv[2], int(sys.argv[3])
with CrawlState(sys.argv[1], commit_every=7) as state:
    for i in range(count):
        state.record_fetch(f"https://{name}.example/{i}", article_id=f"{name}-{i}", status=200)
        assert state.seen(f"https://{name}.example/{i}")
print("done", flush=True)
"""
# Seconds: generous bounds for subprocesses on a loaded 2-core machine, not timings.
PROCESS_TIMEOUT = 120


def python(script: str, *args: str) -> list[str]:
    return [sys.executable, "-c", script, *args]


def test_a_writer_with_an_unwritten_batch_blocks_no_other_process(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    CrawlState(path).close()
    idle = subprocess.Popen(
        python(IDLE_WRITER, str(path)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert idle.stdout is not None and idle.stdout.readline().strip() == "ready"
        # The other process's whole crawl (writes, reads, close) while the idle one holds
        # its batch: with a batch kept in an open transaction this waited for the busy
        # timeout and failed with "database is locked".
        other = subprocess.run(
            python(BUSY_WRITER, str(path), "other", "60"),
            capture_output=True,
            text=True,
            timeout=PROCESS_TIMEOUT,
            check=False,
        )
        assert other.returncode == 0, other.stderr[-2000:]
        assert "database is locked" not in other.stderr
        out, err = idle.communicate("close\n", timeout=PROCESS_TIMEOUT)
        assert idle.returncode == 0 and "closed" in out, err[-2000:]
    finally:
        if idle.poll() is None:
            idle.kill()
            idle.wait()
    with CrawlState(path) as state:
        assert state.article_count() == 100


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    CrawlState(path).close()
    writers = [
        subprocess.Popen(
            python(BUSY_WRITER, str(path), name, "400"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("one", "two")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=PROCESS_TIMEOUT)
        assert writer.returncode == 0 and "done" in out, err[-2000:]
    with CrawlState(path) as state:
        assert state.article_count() == 800
        assert len({article_id for article_id, _, _ in state.articles()}) == 800


@pytest.mark.slow
def test_a_plan_of_four_sites_crawled_at_once_records_every_article(tmp_path: Path) -> None:
    articles = 40
    with (
        DemoSite(generate=articles) as one,
        DemoSite(generate=articles) as two,
        DemoSite(generate=articles) as three,
        DemoSite(generate=articles) as four,
    ):
        sites = {"one": one, "two": two, "three": three, "four": four}
        plan = tmp_path / "plan.toml"
        plan.write_text(
            '[plan]\nname = "four"\nstate = "state/four.sqlite"\noutput = "output"\n'
            + "".join(
                f'\n[[sites]]\nname = "{name}"\nseeds = ["{site.base_url}/"]\n'
                "allow_private = true\n"
                "[sites.politeness]\ndelay = 0.0\nconcurrency = 4\nautothrottle = false\n"
                for name, site in sites.items()
            ),
            encoding="utf-8",
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "newsarchive",
                "crawl",
                "--plan",
                str(plan),
                "-s",
                "NEWSARCHIVE_PROGRESS=False",
                "-s",
                "LOG_LEVEL=INFO",
            ],
            capture_output=True,
            text=True,
            timeout=300,  # seconds: a generous bound; the old lock stall never ended
            check=False,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "database is locked" not in log
    with CrawlState(tmp_path / "state" / "four.sqlite") as state:
        assert state.article_count() == 4 * articles
        runs = state.runs()
        assert sorted(r.site for r in runs) == sorted(sites)
        assert all(r.status == "finished" for r in runs)
