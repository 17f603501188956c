"""``newsarchive reextract`` over damaged files (issue 13, finding 6).

A corrupt gzip member in the middle of a file, a file cut short, and files that are
no WARC at all: each costs only what it spans, is named in one line on standard
error, the exit status is 1, and every whole record is still extracted.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.warcsite import Page, archive_pages

from newsarchive.warc.writer import RecordLocation

Archive = tuple[Path, list[tuple[Page, RecordLocation]], list[str]]

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = ROOT / "fixtures" / "site"


def site_pages() -> list[Page]:
    paths = sorted(p for p in FIXTURE_SITE.rglob("*.html") if not p.name.startswith("_"))
    return [
        Page(f"http://news.test/{p.relative_to(FIXTURE_SITE).as_posix()}", p.read_bytes())
        for p in paths
    ]


def reextract(*paths: Path) -> tuple[int, list[str], list[str]]:
    """Exit status, exported URLs, error lines of one ``newsarchive reextract`` run."""
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "reextract", *map(str, paths), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    errors = [line for line in result.stderr.splitlines() if line.startswith("newsarchive")]
    return result.returncode, urls, errors


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A good WARC of the demo site's pages, its response locations and its article URLs."""
    folder = tmp_path_factory.mktemp("good")
    pages = site_pages()
    locations = archive_pages(folder, pages)
    [path] = folder.glob("*.warc.gz")
    status, urls, errors = reextract(path)
    assert status == 0 and not errors, errors
    assert len(urls) >= 5
    return path, list(zip(pages, locations, strict=True)), urls


def damaged_copy(source: Path, target: Path, change: Callable[[bytearray], bytearray]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    data = bytearray(target.read_bytes())
    target.write_bytes(bytes(change(data)))
    return target


def test_corrupt_member_mid_file_costs_one_page(archive: Archive, tmp_path: Path) -> None:
    good, placed, urls = archive
    middle = [(page, where) for page, where in placed if page.url in urls][len(urls) // 2]
    page, where = middle

    def flip(data: bytearray) -> bytearray:
        data[where.offset + where.length // 2] ^= 0x55
        return data

    corrupt = damaged_copy(good, tmp_path / "corrupt" / good.name, flip)
    status, got, errors = reextract(corrupt)
    assert status == 1
    assert got == [url for url in urls if url != page.url]
    [line] = errors[:1]
    assert str(corrupt) in line and "damaged" in line and f"offset {where.offset}" in line


def test_truncated_file_is_reported_and_what_precedes_the_cut_is_kept(
    archive: Archive,
    tmp_path: Path,
) -> None:
    good, placed, urls = archive
    last_page, last = next((p, w) for p, w in reversed(placed) if p.url in urls)
    cut = damaged_copy(
        good, tmp_path / "cut" / good.name, lambda d: d[: last.offset + last.length // 2]
    )
    status, got, errors = reextract(cut)
    assert status == 1
    assert got == [url for url in urls if url != last_page.url]
    assert len(errors) == 2 and "cut short" in errors[0] and str(cut) in errors[0]


def test_files_that_are_no_warc_are_named_and_later_files_still_read(
    archive: Archive,
    tmp_path: Path,
) -> None:
    good, _, urls = archive
    html = tmp_path / "page.warc.gz"
    html.write_bytes((FIXTURE_SITE / "_404.html").read_bytes())
    text = tmp_path / "notes.warc.gz"
    text.write_bytes(gzip.compress(b"just some notes\n" * 100))
    status, got, errors = reextract(html, text, good)
    assert status == 1
    assert got == urls  # the good file after the bad ones is read in full
    assert errors[0].startswith(f"newsarchive reextract: {html}: not a readable WARC file")
    assert errors[1].startswith(f"newsarchive reextract: {text}: not a readable WARC file")
    assert "does not hold a WARC record" in errors[1]


def test_an_uncompressed_warc_is_still_read(archive: Archive, tmp_path: Path) -> None:
    """Regression guard for the record-by-record reader: plain ``.warc`` files are valid."""
    good, _, urls = archive
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(good.read_bytes()))
    status, got, errors = reextract(plain)
    assert status == 0 and not errors and got == urls


def test_warc_index_of_a_damaged_file_keeps_every_whole_record(
    archive: Archive, tmp_path: Path
) -> None:
    """``warc index`` is what an archivist runs after damage: it stopped at the first bad
    member with a traceback and "please report" (exit 70) and wrote no index at all.
    Now the file is indexed record by record, as ``reextract`` reads it: one line names
    the damage, exit status 1, and the index holds every whole record at its place."""
    good, placed, urls = archive
    page, where = [(page, where) for page, where in placed if page.url in urls][len(urls) // 2]

    def flip(data: bytearray) -> bytearray:
        data[where.offset + where.length // 2] ^= 0x55
        return data

    folder = tmp_path / "crawl"
    corrupt = damaged_copy(good, folder / "warc" / good.name, flip)
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "warc", "index", str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("newsarchive")]
    assert str(corrupt) in line and "damaged" in line and f"offset {where.offset}" in line
    indexed = {
        (fields["url"], int(fields["offset"]), int(fields["length"]))
        for fields in (
            json.loads(text.split(" ", 2)[2])
            for text in (folder / "index.cdxj").read_text().splitlines()
        )
    }
    expected = {(p.url, w.offset, w.length) for p, w in placed if p.url != page.url}
    assert indexed == expected
