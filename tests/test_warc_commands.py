"""``newsarchive warc check|index|fixture`` on archives written by the writer."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsarchive.warc import records
from newsarchive.warc.cdxj import CdxjAppender, IndexEntry, entries_from_warc
from newsarchive.warc.writer import RotatingWarcWriter

ARTICLE = (
    b"<html><head><title>Harbour vote</title></head><body><article><h1>Harbour vote"
    b"</h1><p>The council voted on Tuesday to rebuild the old harbour wall.</p>"
    b"</article></body></html>"
)


def newsarchive(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def crawl_dir(tmp_path: Path) -> Path:
    """A crawl folder with one WARC file and the CDXJ index written while writing."""
    index = CdxjAppender(tmp_path / "index.cdxj")
    with RotatingWarcWriter(tmp_path / "warc", "cmd") as writer:
        for number, (path, status, body) in enumerate(
            [("/news/harbour?id=7", 200, ARTICLE), ("/gone", 404, b"not here")]
        ):
            exchange = records.Exchange(
                url=f"http://127.0.0.1:9{path}",
                method="GET",
                request_headers=[],
                request_body=b"",
                status=status,
                body=body,
                response_headers=[(b"Content-Type", b"text/html; charset=utf-8")],
                started_at=datetime(2024, 6, 1, 12, 0, number, tzinfo=UTC),
            )
            response = records.response_record(exchange)
            request = records.request_record(exchange, response.record_id)
            location = writer.write([response, request])[0]
            index.add(
                IndexEntry(
                    exchange.url,
                    response.warc_date,
                    "text/html",
                    status,
                    records.payload_digest(body),
                    location.length,
                    location.offset,
                    location.filename,
                )
            )
    index.close()
    return tmp_path


def test_check_passes_a_good_file_and_fails_a_truncated_one(crawl_dir: Path) -> None:
    result = newsarchive("warc", "check", str(crawl_dir))
    assert result.returncode == 0 and result.stdout.startswith("ok"), result.stdout
    [path] = (crawl_dir / "warc").glob("*.warc.gz")
    cut = crawl_dir / "cut.warc.gz"
    cut.write_bytes(path.read_bytes()[:-30])
    result = newsarchive("warc", "check", str(cut))
    assert result.returncode == 1 and "cut short" in result.stdout


def test_index_rebuilds_the_crawl_index(crawl_dir: Path, tmp_path: Path) -> None:
    written_during_crawl = (crawl_dir / "index.cdxj").read_text()
    rebuilt = tmp_path / "rebuilt.cdxj"
    result = newsarchive("warc", "index", str(crawl_dir), "-o", str(rebuilt))
    assert result.returncode == 0, result.stderr
    assert rebuilt.read_text() == written_during_crawl
    lines = written_during_crawl.splitlines()
    assert len(lines) == 2 and lines == sorted(lines)
    key, stamp, fields = lines[1].split(" ", 2)
    assert key == "1,0,0,127:9)/news/harbour?id=7" and stamp == "20240601120000"
    assert json.loads(fields)["status"] == "200"
    # Without -o the index goes to OUT/index.cdxj.
    (crawl_dir / "index.cdxj").unlink()
    assert newsarchive("warc", "index", str(crawl_dir)).returncode == 0
    assert (crawl_dir / "index.cdxj").read_text() == written_during_crawl


def test_fixture_from_a_pointer(crawl_dir: Path, tmp_path: Path) -> None:
    [path] = (crawl_dir / "warc").glob("*.warc.gz")
    [article, _] = sorted(entries_from_warc(path), key=lambda e: e.offset)
    folder = tmp_path / "fixture"
    result = newsarchive("warc", "fixture", f"{path}:{article.offset}", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "body.html").read_bytes() == ARTICLE
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["url"] == "http://127.0.0.1:9/news/harbour?id=7" and meta["status"] == 200
    assert meta["warc_record_offset"] == article.offset
    assert meta["warc_record_length"] == article.length
    expected = json.loads((folder / "expected.json").read_text())
    assert expected["headline"] == "Harbour vote"

    by_url = newsarchive(
        "warc",
        "fixture",
        str(path),
        "--url",
        "http://127.0.0.1:9/gone",
        "-o",
        str(tmp_path / "gone"),
        "--no-expected",
    )
    assert by_url.returncode == 0
    assert (tmp_path / "gone" / "body.html").read_bytes() == b"not here"
    assert not (tmp_path / "gone" / "expected.json").exists()


def test_fixture_errors_are_clear(crawl_dir: Path, tmp_path: Path) -> None:
    [path] = (crawl_dir / "warc").glob("*.warc.gz")
    missing = newsarchive("warc", "fixture", str(tmp_path / "nope.warc.gz"), "-o", "x")
    assert missing.returncode == 1 and "no such WARC file" in missing.stderr
    no_url = newsarchive("warc", "fixture", str(path), "--url", "http://elsewhere/", "-o", "x")
    assert no_url.returncode == 1 and "no response record" in no_url.stderr
    warcinfo = newsarchive("warc", "fixture", f"{path}:0", "-o", "x")
    assert warcinfo.returncode == 1 and "warcinfo, not a response" in warcinfo.stderr


def test_fixture_of_an_offset_inside_a_record_is_one_line_not_a_bug_report(
    crawl_dir: Path, tmp_path: Path
) -> None:
    """A mistyped offset (or a file that is no WARC) meets warcio's ArchiveLoadFailed,
    which reached the user as a traceback and "internal error ... please report" (exit 70)."""
    # Bytes that are no WARC record, at the file's start or at an offset into it (an
    # offset inside a gzip member is not used: warcio may inflate what follows by chance).
    not_warc = tmp_path / "plan.toml"
    not_warc.write_text("[plan]\nname = 'x'\nseeds = ['http://127.0.0.1:9/']\n", encoding="utf-8")
    for spec in (str(not_warc), f"{not_warc}:9"):
        result = newsarchive("warc", "fixture", spec, "-o", str(tmp_path / "fx"))
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            f"newsarchive warc fixture: no WARC record starts at {spec}: give a WARC file, or "
            "FILE:OFFSET with the warc_record_offset of an exported article or the offset of "
            "an index.cdxj line"
        ]
        assert not (tmp_path / "fx").exists()


@pytest.mark.slow
def test_fixture_from_a_pointer_that_names_a_revisit(tmp_path: Path) -> None:
    """Two URLs serving one payload: the second capture is a revisit, and its article's
    pointer names it. ``warc fixture`` refused it ("a revisit, not a response"), so the
    page could not become a regression test; it now takes the original's payload."""
    from support import WARC_CRAWL_SCRIPT
    from support.warcsite import RawSite, Route, http_response
    from warcio.archiveiterator import ArchiveIterator

    page = [("Content-Type", "text/html; charset=utf-8")]
    routes = {
        "/robots.txt": Route(http_response("404 Not Found", [], b"")),
        "/a": Route(http_response("200 OK", page, ARTICLE)),
        "/": Route(http_response("200 OK", page, b'<a href="/a">a</a><a href="/b">b</a>')),
    }
    routes["/b"] = routes["/a"]
    with RawSite(routes) as site:
        crawl = [sys.executable, WARC_CRAWL_SCRIPT, str(tmp_path), site.base_url + "/"]
        ran = subprocess.run(crawl, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    [path] = (tmp_path / "warc").glob("*.warc.gz")
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        revisits = [records.offset for r in records if r.rec_type == "revisit"]
    assert len(revisits) == 1  # /a or /b, whichever came second
    folder = tmp_path / "fixture"
    result = newsarchive("warc", "fixture", f"{path}:{revisits[0]}", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "body.html").read_bytes() == ARTICLE
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["warc_record_offset"] == revisits[0] and meta["status"] == 200
    assert json.loads((folder / "expected.json").read_text())["headline"] == "Harbour vote"


def test_a_warc_fixture_is_a_fixture_the_fixture_tools_read(
    crawl_dir: Path, tmp_path: Path
) -> None:
    """``warc fixture -o fixtures/extraction/NAME`` wrote body.html, a meta.json without
    ``page`` and a whole record as expected.json: ``fixture diff --all`` and the fixture
    tests then failed on that folder ("meta.json: missing 'page'") instead of running it."""
    from newsarchive import fixtures

    [path] = (crawl_dir / "warc").glob("*.warc.gz")
    [article, _] = sorted(entries_from_warc(path), key=lambda e: e.offset)
    root = tmp_path / "fixtures" / "extraction"
    pointer = f"{path}:{article.offset}"
    assert newsarchive("warc", "fixture", pointer, "-o", str(root / "harbour")).returncode == 0
    fixture = fixtures.load_fixture("harbour", root)
    assert fixture.html_bytes() == ARTICLE and fixture.url == "http://127.0.0.1:9/news/harbour?id=7"
    assert fixture.expected["headline"] == "Harbour vote"
    record = fixture.extract()
    assert "body" in fixture.checked_fields()
    for name in fixture.checked_fields():
        assert not fixtures.check_field(fixture, name, record), name
