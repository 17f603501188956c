"""A crawl talks to the hosts it crawls and to nothing else; it offers only codings it decodes.

tldextract (Scrapy's cookie handling asks it for public suffixes) downloaded the
Public Suffix List on first use; pywb's ``brotlipy`` shadows the ``brotli``
module Scrapy decodes ``br`` with, yet Scrapy kept offering ``br``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from newsarchive.spiders import compression
from newsarchive.spiders.compression import DecodableCompressionMiddleware, decodable_encodings
from scrapy import Request
from scrapy.http import Response
from scrapy.utils import _compression
from scrapy.utils.test import get_crawler
from trapsite import HostileSite, article_html, crawl, html

ARTICLE_PATH = "/news/2024-05-01-harbour-quay-opens.html"


def test_a_crawl_connects_to_nothing_but_the_crawled_host(tmp_path: Path) -> None:
    """Every connect and name lookup of the crawl process goes to the test server.

    The site sets cookies, so Scrapy's cookie handling asks for public suffixes;
    an empty tldextract cache folder makes a download attempt show if there is one.
    """
    cookie = ("Set-Cookie", "session=abc; Path=/")
    page = article_html("Harbour quay opens")
    table = {
        "/": lambda _: html(
            f'<html><body><a href="{ARTICLE_PATH}">story</a></body></html>'.encode(), cookie
        ),
        ARTICLE_PATH: lambda _: html(page, cookie),
    }
    audit = tmp_path / "sockets.jsonl"
    with HostileSite(table) as site:
        run = crawl(
            [f"{site.base}/"],
            tmp_path / "out",
            audit=audit,
            env={"TLDEXTRACT_CACHE": str(tmp_path / "tld-cache")},
        )
        port = site.port
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.articles()) == 1
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert ["connect", repr(("127.0.0.1", port))] in events
    allowed = (["connect", repr(("127.0.0.1", port))], ["lookup", "127.0.0.1"])
    elsewhere = [event for event in events if event not in allowed]
    assert elsewhere == []


def brotli_or_gzip(handler: object) -> tuple[int, list[tuple[str, str]], bytes]:
    """An article in brotli when the client offers br, in gzip otherwise."""
    import brotli  # brotlipy and Google's brotli both have compress()

    body = article_html("Ferry timetable changes")
    offered = handler.headers.get("Accept-Encoding", "")  # type: ignore[attr-defined]
    if "br" in [c.split(";")[0].strip() for c in offered.split(",")]:
        return (
            200,
            [("Content-Type", "text/html"), ("Content-Encoding", "br")],
            brotli.compress(body),
        )
    return 200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], gzip.compress(body)


def test_a_site_serving_brotli_when_offered_is_crawled_as_articles(tmp_path: Path) -> None:
    with HostileSite({ARTICLE_PATH: brotli_or_gzip}) as site:
        run = crawl([f"{site.base}{ARTICLE_PATH}"], tmp_path / "out")
        sent = [hit.headers.get("accept-encoding", "") for hit in site.hits]
    assert run.returncode == 0, run.stderr[-3000:]
    (page,) = [p for p in run.pages() if p["url"].endswith(ARTICLE_PATH)]
    assert page["outcome"] == "article", page
    assert [a["headline"] for a in run.articles()] == ["Ferry timetable changes"]
    offers_br = b"br" in decodable_encodings()
    assert all(("br" in header) is offers_br for header in sent), sent


@pytest.fixture
def fresh_detection() -> object:
    decodable_encodings.cache_clear()
    yield
    decodable_encodings.cache_clear()


def test_br_is_offered_only_when_scrapys_decoder_works(
    monkeypatch: pytest.MonkeyPatch, fresh_detection: object
) -> None:
    def broken(data: bytes, *, max_size: int = 0) -> bytes:
        raise AttributeError("'Decompressor' object has no attribute 'process'")

    monkeypatch.setattr(_compression, "_unbrotli", broken)
    assert b"br" not in decodable_encodings()
    decodable_encodings.cache_clear()
    monkeypatch.setattr(_compression, "_unbrotli", lambda data, max_size=0: compression.SAMPLE)
    assert b"br" in decodable_encodings()


def test_a_response_in_a_coding_not_offered_is_kept_as_it_came(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crawler = get_crawler(settings_dict={"COMPRESSION_ENABLED": True})
    middleware = DecodableCompressionMiddleware.from_crawler(crawler)
    middleware.offered = (b"gzip", b"deflate")
    request = Request("http://news.test/a")
    response = Response(
        "http://news.test/a", body=b"\x1b\x0bnot-really", headers={"Content-Encoding": "br"}
    )
    assert middleware.process_response(request, response) is response
