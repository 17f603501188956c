"""A response the server will send the same way every time fails its page at once.

Scrapy's RetryMiddleware retries every exception of ``RETRY_EXCEPTIONS``; a response
whose header name holds a control character, or whose header section passes
``NEWSARCHIVE_MAX_HEADER_BYTES``, reaches it as ``DownloadFailedError`` (Twisted's
``ResponseFailed`` wrapped by Scrapy), which is on that list: the page was fetched
three times (``RETRY_TIMES`` 2) before it failed, the same way each time. A connection
that breaks is still retried.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from trapsite import article_html, crawl

pytestmark = pytest.mark.slow


def test_a_deterministic_header_fault_is_fetched_once_and_fails_its_page(tmp_path: Path) -> None:
    from support.warcsite import RawSite, Route, html_page, http_response

    html = [("Content-Type", "text/html; charset=utf-8")]
    long_header = ("X-Long", "a" * 3000)
    faults = {
        "/news/control.html": ("X-\x01Bad", "1"),
        "/news/long.html": long_header,
    }
    links = [*faults, "/news/plain.html", "/news/cut.html"]
    with RawSite() as site:
        site.routes["/"] = Route(http_response("200 OK", html, html_page("Home", links, 0)))
        for path, header in faults.items():
            body = article_html(f"Story {path[6:-5]}")
            site.routes[path] = Route(http_response("200 OK", [*html, header], body))
        plain = http_response("200 OK", html, article_html("Story plain"))
        site.routes["/news/plain.html"] = Route(plain)
        site.routes["/news/cut.html"] = Route(plain, cut_after=20)  # a broken connection
        run = crawl(
            [f"{site.base_url}/"],
            tmp_path / "out",
            settings={"NEWSARCHIVE_MAX_HEADER_BYTES": 2048, "RETRY_TIMES": 2},  # the default
        )
        fetched = [head.split(b" ", 2)[1].decode() for head in site.requests]
    assert run.returncode == 0, run.stderr[-3000:]
    assert fetched.count("/news/control.html") == 1, fetched
    assert fetched.count("/news/long.html") == 1, fetched
    assert fetched.count("/news/cut.html") == 3, fetched  # still retried (RETRY_TIMES 2)
    outcomes = {page["url"]: page for page in run.pages() if page["url"].endswith(".html")}
    for path, reason in (
        ("/news/control.html", "holds control characters"),
        ("/news/long.html", "NEWSARCHIVE_MAX_HEADER_BYTES"),
    ):
        pages = [p for url, p in outcomes.items() if url.endswith(path)]
        assert len(pages) == 1 and pages[0]["outcome"] == "failed", pages
        assert reason in pages[0]["reason"], pages
    lines = [p for p in run.pages() if p["url"].endswith("/news/control.html")]
    assert len(lines) == 1, lines
    assert [a["url"] for a in run.articles()] == [f"{site.base_url}/news/plain.html"]
