"""Long commands show progress: a bar on a terminal, periodic plain lines otherwise."""

from __future__ import annotations

import io

from newsarchive.progress import Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_come_every_interval_and_a_summary_at_the_end() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress("reextract", total=60, stream=stream, interval=10, clock=clock)
    for _ in range(60):
        clock.now += 0.5  # 30 s of work, 2 records a second
        progress.advance(bad=0)
    progress.advance(0, bad=2)
    progress.finish("reextract: 60 records, 2 bad")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "reextract: 20/60 records (33%), 2/s, bad 0",
        "reextract: 40/60 records (67%), 2/s, bad 0",
        "reextract: 60/60 records (100%), 2/s, bad 0",
        "reextract: 60 records, 2 bad",
    ]
    assert "\r" not in stream.getvalue()  # no carriage returns in a log file


def test_a_terminal_gets_a_bar_and_the_summary() -> None:
    stream = Terminal()
    with Progress("export", total=50, unit="records", stream=stream) as progress:
        for _ in range(50):
            progress.advance()
        progress.finish()
    text = stream.getvalue()
    assert "export:" in text and "50/50" in text and "%|" in text  # tqdm's bar
    assert text.rstrip().splitlines()[-1].startswith("export: 50/50 records (100%)")


def test_unknown_total_counts_without_a_share() -> None:
    progress = Progress("warc check", unit="records", stream=io.StringIO(), clock=FakeClock())
    progress.advance(7)
    assert progress.line().startswith("warc check: 7 records, ")


def test_long_commands_print_progress_lines_and_a_summary(tmp_path) -> None:
    """`warc check` and `warc index` as a cron job sees them: plain lines, then a summary."""
    import os
    import subprocess
    import sys

    from support.warcsite import Page, archive_pages

    for number in range(3):
        archive_pages(
            tmp_path / "warc",
            [Page(f"http://127.0.0.1:9/{number}.html", b"<html><p>x</p></html>")],
            prefix=f"part{number}",
        )
    env = {**os.environ, "NEWSARCHIVE_PROGRESS_INTERVAL": "0"}
    for command, summary in (
        (["warc", "check", str(tmp_path / "warc")], "warc check: 3 files, 9 records, 0 FAILED"),
        (["warc", "index", str(tmp_path)], "3 index lines from 3 WARC files"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "newsarchive", *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        lines = (run.stderr + run.stdout).splitlines()
        assert [line for line in lines if "/3 files (" in line], lines
        assert any(line.startswith(summary) for line in lines), lines


def test_the_crawl_line_shows_the_queue_and_the_recent_rate() -> None:
    from newsarchive.crawler import progress_line

    counts = {"pages": 10, "articles": 7, "errors": 3}
    assert progress_line(counts, 5.0, queued=120, recent_rate=3.5) == (
        "pages 10  articles 7  errors 3  queued 120  2.0 pages/s (now 3.5)  5s"
    )


def test_a_running_crawl_reports_its_queue(tmp_path) -> None:
    import subprocess
    import sys

    from newsarchive.server import DemoSite

    with DemoSite(generate=60) as site:
        run = subprocess.run(
            [
                *(sys.executable, "-m", "newsarchive", "crawl", f"{site.base_url}/"),
                *("--out", str(tmp_path / "out"), "--allow-private"),
                *("-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2", "-s", "DOWNLOAD_DELAY=0.02"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("progress: ")]
    assert any(" queued " in line and " pages/s (now " in line for line in lines), lines
