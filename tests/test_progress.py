"""Long commands show progress: a bar on a terminal, periodic plain lines otherwise."""

from __future__ import annotations

import io

from support.crawls import crawl_command, run_command

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
        "reextract: 20/60 records (33%), 2.0/s, 10s, ~20s left, bad 0",
        "reextract: 40/60 records (67%), 2.0/s (now 2.0), 20s, ~10s left, bad 0",
        "reextract: 60/60 records (100%), 2.0/s (now 2.0), 30s, bad 0",
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


def crawler_with(stats: dict[str, int]):
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={"NEWSARCHIVE_CRAWL_ID": "c1"})
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    return crawler


def test_the_crawl_shows_its_stats_on_the_same_display_as_the_commands() -> None:
    """One display: the crawl's plain line is ``Progress.line`` with the crawl's figures."""
    from newsarchive.crawler import CrawlProgress

    crawler = crawler_with({"response_received_count": 10, "newsarchive/articles": 7})
    stream, clock = io.StringIO(), FakeClock()
    extension = CrawlProgress(crawler, stream=stream)
    extension.progress = Progress("crawl c1", unit="pages", stream=stream, clock=clock)
    clock.now += 5
    extension.show()
    crawler.stats.set_value("response_received_count", 45)
    clock.now += 5
    extension.show()
    assert stream.getvalue().splitlines() == [
        "crawl c1: 10 pages, 2.0/s, 5s, articles 7, errors 0",
        "crawl c1: 45 pages, 4.5/s (now 7.0), 10s, articles 7, errors 0",
    ]


def test_the_crawl_gets_the_bar_on_a_terminal_and_a_summary_at_the_end() -> None:
    from newsarchive.crawler import CrawlProgress

    crawler = crawler_with({"response_received_count": 12, "newsarchive/pages/failed": 2})
    stream = Terminal()
    extension = CrawlProgress(crawler, stream=stream)
    extension.show()
    assert "crawl c1: 12 pages [" in stream.getvalue() and "errors=2" in stream.getvalue()
    extension.spider_closed()
    last = stream.getvalue().rstrip().splitlines()[-1]
    assert last.startswith("crawl c1: 12 pages, ") and last.endswith(", articles 0, errors 2")


def test_a_log_message_wipes_the_bar_first() -> None:
    """On a terminal a log line must not start in the middle of the bar (any command)."""
    import logging

    stream = Terminal()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with Progress("reextract", total=10, stream=stream) as progress:
            progress.advance(3)
            before = len(stream.getvalue())
            logging.getLogger("newsarchive.test").warning("a page failed")
            written = stream.getvalue()[before:]
        logging.getLogger("newsarchive.test").warning("after the bar")
    finally:
        root.removeHandler(handler)
    wiped, _ = written.split("a page failed")
    assert wiped.startswith("\r") and wiped.strip() == ""  # the bar cleared, then the message
    assert stream.getvalue().endswith("after the bar\n")
    assert not handler.filters  # the bar took its filter with it


def test_a_running_crawl_reports_its_queue(tmp_path) -> None:

    from newsarchive.server import DemoSite

    with DemoSite(generate=60) as site:
        settings = {"NEWSARCHIVE_PROGRESS_INTERVAL": 0.2, "DOWNLOAD_DELAY": 0.02}
        run = run_command(crawl_command(f"{site.base_url}/", tmp_path / "out", settings=settings))
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stderr.splitlines() if line.startswith("crawl ")]
    assert any(", queued " in line and "/s (now " in line for line in lines), lines
