"""One SURT everywhere: a record's url_surtkey is surt.surt(url) and its response's CDXJ key."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import surt

import newsarchive
from newsarchive.normalize import canonicalize_url
from newsarchive.surts import surt_key

URLS = [
    "http://127.0.0.1:8000/p/12",
    "https://www.Example.COM/News/2024/05/Some-Slug_12.HTML",
    "https://example.com/a/b/",
    "https://example.com/a?b=2&a=1&utm_source=x",
    "https://example.com/a;jsessionid=0123456789ABCDEF0123456789ABCDEF?x=1",
    "https://example.com/caf%C3%A9/",
    "http://[::1]:8080/a",
    "https://m.example.co.uk/p/",
]


@pytest.mark.parametrize("url", URLS)
def test_surt_key_is_the_surt_package(url: str) -> None:
    assert surt_key(url) == surt.surt(url)


@pytest.mark.slow
def test_every_record_is_keyed_as_its_capture_in_the_index(tmp_path: Path) -> None:
    crawl = subprocess.run(
        [sys.executable, "-m", "newsarchive", "demo", "--out", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    out = next(p.parent for p in (tmp_path / "demo").rglob("manifest.json"))
    index: dict[tuple[str, int], str] = {}
    for line in (out / "index.cdxj").read_text().splitlines():
        key, _stamp, fields = line.split(" ", 2)
        block = json.loads(fields)
        index[(block["filename"], int(block["offset"]))] = key
    articles = list(newsarchive.load(out))
    assert len(articles) >= 10
    for article in articles:
        provenance = article["provenance"]
        key = index[(provenance["warc_filename"], provenance["warc_record_offset"])]
        assert article["url_surtkey"] == surt.surt(article["url"]) == key, article["url"]
        expected_id = hashlib.sha256(
            surt.surt(canonicalize_url(article["canonical_url"])).encode()
        ).hexdigest()[:32]
        assert article["article_id"] == expected_id
