"""robots.txt: fetched once per host and obeyed from that fetch, even when it redirects."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from scrapy.robotstxt import ProtegoRobotParser
from support.crawls import NO_DELAY, QUIET, crawl_command, run_command

from newsarchive.server import DemoSite

ARTICLE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<article><h1>{title}</h1><p>{text}</p><p>{text}</p></article></body></html>"""


def write_site(folder: Path, robots_routes: str) -> Path:
    (folder / "news").mkdir(parents=True)
    (folder / "private").mkdir()
    (folder / "index.html").write_text(
        '<!doctype html><html><body><a href="/news/2024-05-01-harbour-opens.html">Harbour</a>'
        '<a href="/private/2024-05-02-secret-plans.html">Secret</a></body></html>'
    )
    text = "The harbour opened on Monday after three years of building work. " * 4
    for path, title in (
        ("news/2024-05-01-harbour-opens.html", "Harbour opens"),
        ("private/2024-05-02-secret-plans.html", "Secret plans"),
    ):
        (folder / path).write_text(ARTICLE.format(title=title, text=text))
    (folder / "robots-real.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (folder / "_routes.toml").write_text(f"[redirects]\n{robots_routes}\n")
    return folder


class ExplodingRobotParser(ProtegoRobotParser):
    """A robots.txt parser that fails on any real file (the empty check at start-up passes)."""

    @classmethod
    def from_crawler(cls, crawler: Any, robotstxt_body: bytes) -> ProtegoRobotParser:
        if robotstxt_body:
            raise ValueError("unparseable robots.txt")
        return super().from_crawler(crawler, robotstxt_body)


def crawl(site: DemoSite, out: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    """A crawl of ``site`` with ``NAME=VALUE`` settings (``tests/`` importable, for support)."""
    named = dict(setting.split("=", 1) for setting in settings)
    command = crawl_command(f"{site.base_url}/", out, settings={**NO_DELAY, **QUIET, **named})
    return run_command(command, timeout=180)


def fetched(site: DemoSite) -> list[str]:
    return [path for method, path, _ in site.request_log if method == "GET"]


def test_a_redirected_robots_txt_is_fetched_once_and_obeyed(tmp_path: Path) -> None:
    folder = write_site(tmp_path / "site", '"/robots.txt" = { to = "/robots-real.txt" }')
    with DemoSite(str(folder)) as site:
        run = crawl(site, tmp_path / "out")
        paths = fetched(site)
    assert run.returncode == 0, run.stderr[-3000:]
    assert paths.count("/robots.txt") == 1 and paths.count("/robots-real.txt") == 1
    assert "/news/2024-05-01-harbour-opens.html" in paths
    assert "/private/2024-05-02-secret-plans.html" not in paths


@pytest.mark.slow
def test_a_robots_txt_redirect_loop_neither_hangs_nor_blocks_the_crawl(tmp_path: Path) -> None:
    # Longer than REDIRECT_MAX_TIMES: the download of robots.txt ends in an error.
    hops = ['"/robots.txt" = { to = "/hop/1" }'] + [
        f'"/hop/{n}" = {{ to = "/hop/{n + 1}" }}' for n in range(1, 30)
    ]
    folder = write_site(tmp_path / "site", "\n".join(hops))
    with DemoSite(str(folder)) as site:
        run = crawl(site, tmp_path / "out")
        paths = fetched(site)
    assert run.returncode == 0, run.stderr[-3000:]
    # The loop ends in the redirect middleware's error, which settles the verdict at once.
    assert "failed (max redirections reached): everything allowed" in run.stderr
    # No robots.txt could be read: everything is allowed, as Scrapy does.
    assert "/news/2024-05-01-harbour-opens.html" in paths
    assert "/private/2024-05-02-secret-plans.html" in paths


def test_a_robots_txt_redirecting_to_itself_allows_everything(tmp_path: Path) -> None:
    folder = write_site(tmp_path / "site", '"/robots.txt" = { to = "/robots.txt" }')
    with DemoSite(str(folder)) as site:
        run = crawl(site, tmp_path / "out")
        paths = fetched(site)
    assert run.returncode == 0, run.stderr[-3000:]
    assert paths.count("/robots.txt") == 1  # the hop back to a requested URL is not followed
    assert "/private/2024-05-02-secret-plans.html" in paths


def test_a_robots_txt_the_parser_cannot_read_allows_everything_without_waiting(
    tmp_path: Path,
) -> None:
    folder = write_site(tmp_path / "site", '"/robots.txt" = { to = "/robots-real.txt" }')
    with DemoSite(str(folder)) as site:
        # Requests wait on the parser slot: unsettled, they would wait the full 300 s.
        run = crawl(
            site, tmp_path / "out", "ROBOTSTXT_PARSER=test_robots_once.ExplodingRobotParser"
        )
        paths = fetched(site)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "could not be parsed: everything allowed" in run.stderr
    assert "/news/2024-05-01-harbour-opens.html" in paths
