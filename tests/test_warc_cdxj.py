"""CDXJ keys: the fast SURT path gives exactly what the ``surt`` package (pywb) gives."""

from __future__ import annotations

import pytest

from newsarchive.warc.cdxj import surt_key, timestamp14

URLS = [
    "http://127.0.0.1:8000/p/12",
    "http://127.0.0.1:80/p/12/",
    "https://www.Example.COM/News/2024/05/Some-Slug_12.HTML",
    "https://www2.example.com/a/b/",
    "https://example.com",
    "https://example.com/",
    "https://example.com:443/x",
    "http://example.com:8080/x",
    "https://user:pw@example.com/x",
    "https://example.com/a/./b",
    "https://example.com/a/../b",
    "https://example.com//a",
    "https://example.com/.well-known/x",
    "https://example.com/a%20b",
    "https://example.com/a?b=2&a=1",
    "https://example.com/a#frag",
    "https://example.com/café",
    "https://EXAMPLE.com./a",
    "http://[::1]:8080/a",
    "http://2130706433/a",
    "https://sub.domain.example.co.uk/Path/To/Page~1.html",
    "https://example.com/a/b.",
    "https://example.com/a.b/c..d",
    "https://example.com/shop/(S(abcdefghijklmnopqrstuvwx))/page.aspx",
]


@pytest.mark.parametrize("url", URLS)
def test_surt_key_equals_the_surt_package(url: str) -> None:
    surt = pytest.importorskip("surt")
    assert surt_key(url) == surt.surt(url)


def test_timestamp14() -> None:
    assert timestamp14("2024-01-02T03:04:05.123456Z") == "20240102030405"
    assert timestamp14("2024-01-02T03:04:05Z") == "20240102030405"
    assert timestamp14("2024-01-02") == "20240102000000"


@pytest.mark.parametrize("status, digest", [(200, "sha1:ABC"), (None, None), (404, "")])
def test_index_line_json_is_what_json_dumps_writes(status: int | None, digest: str | None) -> None:
    import json

    from newsarchive.warc.cdxj import IndexEntry

    entry = IndexEntry(
        'http://127.0.0.1:9/caf\u00e9?q="x"\\',
        "2024-01-02T03:04:05Z",
        "text/html",
        status,
        digest,
        123,
        456,
        "a-\u00e9.warc.gz",
    )
    key, stamp, payload = entry.line().rstrip("\n").split(" ", 2)
    expected = {"url": entry.url, "mime": "text/html"}
    if status is not None:
        expected["status"] = str(status)
    if digest:
        expected["digest"] = digest
    expected.update(length="123", offset="456", filename=entry.filename)
    assert payload == json.dumps(expected)
    assert (key, stamp) == (surt_key(entry.url), "20240102030405")
