"""One Ctrl-C stops a crawl with a long politeness delay promptly, and it resumes.

Scrapy's graceful stop waited for every request already handed to the downloader,
and up to ``CONCURRENT_REQUESTS`` (16) wait there in the site's slot, one per
politeness delay: at ``DELAY`` seconds per request the stopped crawl went on
fetching for about 15 x ``DELAY`` seconds. Now the waiting requests go back to the
JOBDIR queue and only the page being downloaded is finished.

The bound is not a timing flake: the old code cannot exit before its ~15 waiting
requests were each fetched ``DELAY`` seconds apart (about 90 s), while the new code
waits for no delay at all (a local page, the close and the summary: a few seconds
on a loaded machine); ``STOP_BOUND`` lies far from both. The server's request log
checks the same thing by counting: no article is requested after the signal but
the one in flight.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from support.crawls import (
    QUIET,
    crawl_command,
    exported_articles,
    newsarchive_env,
    run_command,
)

pytestmark = pytest.mark.slow

ARTICLES = 30
DELAY = 6.0  # seconds between two requests to the site, as a plan's politeness delay
STOP_BOUND = 5 * DELAY  # the old code needs ~15 x DELAY; the new one no delay at all


def article_gets(log: list[tuple[str, str, int]]) -> list[str]:
    return [path for method, path, _ in log if method == "GET" and path.endswith(".html")]


def test_a_first_sigint_stops_a_polite_crawl_promptly_and_it_resumes(tmp_path: Path) -> None:
    from newsarchive.server import DemoSite
    from newsarchive.server.generated import generated_article

    out = tmp_path / "out"
    settings = {
        **QUIET,
        "JOBDIR": tmp_path / "job",
        "DOWNLOAD_DELAY": DELAY,
        "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": False,
    }
    with DemoSite(generate=ARTICLES) as site:
        command = crawl_command(
            site.base_url + "/", out, crawl_id="20260101T000000Z-stop", settings=settings
        )
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=newsarchive_env(),
            cwd=tmp_path,
        )
        try:
            # robots.txt, the home page, then the first article one delay later: by then the
            # home page's links fill the downloader's slot, waiting for their delay.
            deadline = time.monotonic() + 10 * DELAY
            while not article_gets(site.request_log) and time.monotonic() < deadline:
                assert process.poll() is None, process.communicate()[1][-3000:]
                time.sleep(0.05)
            assert article_gets(site.request_log), "the crawl fetched no article"
            before = len(article_gets(site.request_log))
            signalled = time.monotonic()
            process.send_signal(signal.SIGINT)
            try:
                stdout, stderr = process.communicate(timeout=STOP_BOUND)
            except subprocess.TimeoutExpired:
                pytest.fail(f"one SIGINT did not stop the crawl within {STOP_BOUND:.0f}s")
            stopped_in = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        after_stop = len(article_gets(site.request_log))
        assert after_stop - before <= 1, "articles were fetched after the stop"
        assert "SIGINT received" in stderr and "resume with:" in stderr
        assert "Traceback" not in stderr, stderr[-3000:]
        assert not list(out.rglob("*.open")), "an unfinished file is left"
        assert (out / "manifest.json").exists()
        assert len(exported_articles(out)) == after_stop, "a fetched article was not exported"

        resumed = run_command(
            crawl_command(
                site.base_url + "/",
                out,
                crawl_id="20260101T000000Z-stop",
                settings={**settings, "DOWNLOAD_DELAY": 0},
            ),
            cwd=tmp_path,
        )
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        fetched = Counter(article_gets(site.request_log))

    expected = {generated_article(n).path for n in range(1, ARTICLES + 1)}
    assert set(fetched) == expected, "the resume did not fetch what the stop left"
    assert {path: n for path, n in fetched.items() if n > 1} == {}, "fetched twice"
    urls = [record["url"] for record in exported_articles(out)]
    assert len(urls) == len(set(urls)) == ARTICLES
    print(f"stopped {stopped_in:.1f}s after SIGINT; {len(stdout.splitlines())} summary lines")


def test_max_pages_fetches_exactly_that_many_pages(tmp_path: Path) -> None:
    """``--max-pages N`` (``CLOSESPIDER_PAGECOUNT``) stopped after N responses, but every
    request already handed to the downloader (up to 16) was still fetched, archived and
    exported: ``--max-pages 10`` fetched 21 pages of this site. Now exactly N."""
    from support.crawls import NO_DELAY, QUIET, crawl_command, exported_articles, run_command
    from warcio.archiveiterator import ArchiveIterator

    from newsarchive.server import DemoSite

    out = tmp_path / "out"
    with DemoSite(generate=60) as site:
        command = crawl_command(
            site.base_url + "/", out, "--max-pages", "10", settings={**NO_DELAY, **QUIET}
        )
        done = run_command(command)
        requested = list(site.request_log)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(requested) == 10, requested
    assert len((out / "pages.jsonl").read_text(encoding="utf-8").splitlines()) == 10
    responses = 0
    for path in (out / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            responses += sum(r.rec_type in ("response", "revisit") for r in ArchiveIterator(stream))
    assert responses == 10
    assert 0 < len(exported_articles(out)) <= 10
