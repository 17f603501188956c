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

    from newsarchive.warc.testing import Page, archive_pages

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
