"""The add-on in a bare Scrapy project: its own spider and items, plus WARC and article records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.server import DemoSite

pytestmark = pytest.mark.slow

SCRAPY_CRAWL = [sys.executable, "-m", "scrapy", "crawl", "headlines"]
SETTINGS = """\
BOT_NAME = "plain"
SPIDER_MODULES = ["plain.spiders"]
ROBOTSTXT_OBEY = False
ADDONS = {"newsarchive.addon.NewsArchive": 100}
NEWSARCHIVE_OUTPUT_DIR = "archive"
NEWSARCHIVE_EXTRACT_WORKERS = 0
"""
SPIDER = """\
import scrapy


class Headlines(scrapy.Spider):
    name = "headlines"

    def __init__(self, start: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response):
        yield {"kind": "title", "url": response.url, "title": response.css("title::text").get()}
        for href in response.css("a::attr(href)").getall()[:40]:
            if href.endswith(".html") or href.endswith("/"):
                yield response.follow(href, self.parse)
"""


def _project(root: Path) -> Path:
    (root / "plain" / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = plain.settings\n")
    (root / "plain" / "__init__.py").write_text("")
    (root / "plain" / "settings.py").write_text(SETTINGS)
    (root / "plain" / "spiders" / "__init__.py").write_text("")
    (root / "plain" / "spiders" / "headlines.py").write_text(SPIDER)
    return root


def test_addon_archives_and_extracts_in_a_bare_scrapy_project(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    with DemoSite() as site:
        result = subprocess.run(
            [
                *SCRAPY_CRAWL,
                "-a",
                f"start={site.base_url}/",
                "-O",
                "items.jsonl",
                "-s",
                "CLOSESPIDER_PAGECOUNT=40",
            ],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    items = [json.loads(line) for line in (project / "items.jsonl").read_text().splitlines()]
    own = [item for item in items if item.get("kind") == "title"]
    articles = [item for item in items if item.get("_newsarchive") == "article"]
    assert own, "the project's own items still flow"
    assert articles, result.stderr[-3000:]
    warcs = {path.name: path for path in (project / "archive" / "warc").glob("*.warc.gz")}
    assert warcs
    for article in articles:
        assert article["headline"] and article["article_id"]
        provenance = article["provenance"]
        path = warcs[provenance["warc_filename"]]
        with open(path, "rb") as stream:
            stream.seek(provenance["warc_record_offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == article["url"]
