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
