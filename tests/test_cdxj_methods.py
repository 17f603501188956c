"""Captures of requests other than GET are indexed apart, as pywb keys them.

The ``news`` spider only sends GET requests, but the add-on archives every fetch of a
project's own spiders: a ``FormRequest`` (POST) or a HEAD. Their lines had the plain
URL's key, so replay served a HEAD's empty answer or a search form's result for a GET
of that URL. Their keys now carry ``__wb_method=`` (and a POST's body) as the IIPC
guideline for non-GET requests and pywb's ``--post-append`` write them, in the index
the crawl writes and in the one ``warc index`` rebuilds from the files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import surt
from support.crawls import run_newsarchive
from support.warcsite import RawSite, Route, http_response

pytestmark = pytest.mark.slow

SPIDER = """\
import scrapy


class Methods(scrapy.Spider):
    name = "methods"

    def __init__(self, start: str, **kwargs):
        super().__init__(**kwargs)
        self.base = start

    async def start(self):
        yield scrapy.Request(self.base + "/page.html", self.parse)
        yield scrapy.Request(self.base + "/page.html", self.parse, method="HEAD", dont_filter=True)
        yield scrapy.FormRequest(self.base + "/search", formdata={"q": "ferry tax"})

    def parse(self, response):
        yield {"url": response.url, "status": response.status}
"""
SETTINGS = """\
BOT_NAME = "methods"
SPIDER_MODULES = ["methods.spiders"]
ROBOTSTXT_OBEY = False
ADDONS = {"newsarchive.addon.NewsArchive": 100}
NEWSARCHIVE_OUTPUT_DIR = "archive"
NEWSARCHIVE_EXTRACT_WORKERS = 0
NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES = True
"""
HTML = [("Content-Type", "text/html; charset=utf-8")]


def _project(root: Path) -> Path:
    (root / "methods" / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = methods.settings\n")
    (root / "methods" / "__init__.py").write_text("")
    (root / "methods" / "settings.py").write_text(SETTINGS)
    (root / "methods" / "spiders" / "__init__.py").write_text("")
    (root / "methods" / "spiders" / "methods.py").write_text(SPIDER)
    return root


def test_head_and_post_captures_are_keyed_by_their_method(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    with RawSite() as site:
        page = b"<html><body><p>The page.</p></body></html>"
        site.routes["/page.html"] = Route(http_response("200 OK", HTML, page))
        found = b"<html><body><p>Results for ferry tax.</p></body></html>"
        site.routes["/search"] = Route(http_response("200 OK", HTML, found))
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "methods", "-a", f"start={site.base_url}"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
        )
        base = site.base_url
    assert done.returncode == 0, done.stderr[-3000:]
    methods = sorted(r.split(b" ", 1)[0].decode() for r in site.requests)
    assert methods == ["GET", "HEAD", "POST"], methods

    archive = project / "archive"
    written = (archive / "index.cdxj").read_text(encoding="utf-8").splitlines()
    lines = {json.loads(line.split(" ", 2)[2]).get("method", "GET"): line for line in written}
    assert set(lines) == {"GET", "HEAD", "POST"}, written
    # The keys pywb and cdxj-indexer compute (surt of the URL with the method query).
    assert lines["GET"].split(" ")[0] == surt.surt(f"{base}/page.html")
    assert lines["HEAD"].split(" ")[0] == surt.surt(f"{base}/page.html?__wb_method=HEAD")
    post_key = surt.surt(f"{base}/search?__wb_method=POST&q=ferry tax")
    assert lines["POST"].split(" ")[0] == post_key
    assert json.loads(lines["POST"].split(" ", 2)[2])["requestBody"] == "q=ferry tax"

    (archive / "index.cdxj").rename(archive / "crawl.cdxj")
    rebuilt = run_newsarchive("warc", "index", archive)
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert (archive / "index.cdxj").read_text(encoding="utf-8").splitlines() == sorted(written)


BODIES = [
    ("application/x-www-form-urlencoded", b"q=ferry+tax&page=2&city=K%C3%B6ln"),
    ("application/json", b'{"query": {"term": "ferry", "page": 2}, "tags": ["a", "b"], "x": null}'),
    ("application/json; charset=utf-8", b'{"a": 1}\n{"a": 2}'),
    ("text/plain", b'{"a": true}'),
    ("text/plain", b"not json at all"),
    ("application/octet-stream", bytes(range(256)) * 20),
    (None, b"raw"),
    (
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="q"'
        b'\r\n\r\nferry tax\r\n--XyZ\r\nContent-Disposition: form-data; name="n"'
        b"\r\n\r\n2\r\n--XyZ--\r\n",
    ),
]


@pytest.mark.parametrize(("content_type", "body"), BODIES)
def test_a_request_body_is_encoded_as_pywbs_indexer_encodes_it(
    content_type: str | None, body: bytes
) -> None:
    """The key of a POST must be the one pywb computes for the replayed request."""
    import io

    reference = pytest.importorskip("cdxj_indexer.postquery", reason="wacz's cdxj-indexer")
    from newsarchive.warc.cdxj import body_query

    expected = reference.query_extract(content_type, len(body), io.BytesIO(body), "http://x/")
    assert body_query(content_type, body) == expected
