"""Recovery of the ``*.warc.gz.open`` files a killed crawl leaves (issue 13, finding 1).

The crash is simulated byte for byte: the records a writer wrote, then part of the
next request/response group (what ``kill -9`` in the middle of a ``write`` leaves),
under the ``.open`` name, with an ``index.cdxj`` that lost its last lines and ends
in a torn one.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.warc import records
from newsarchive.warc.cdxj import CdxjAppender, IndexEntry
from newsarchive.warc.check import check_file
from newsarchive.warc.recover import recover_file, recover_folder
from newsarchive.warc.writer import RecordLocation, RotatingWarcWriter

PAGES = 6


def exchange(number: int) -> records.Exchange:
    body = f"<html><body><p>Page {number} ".encode() + b"x" * (300 * number) + b"</p></body></html>"
    return records.Exchange(
        url=f"http://127.0.0.1:9/news/{number}",
        method="GET",
        request_headers=[],
        request_body=b"",
        status=200,
        body=body,
        response_headers=[(b"Content-Type", b"text/html")],
        started_at=datetime(2024, 6, 1, 12, 0, number, tzinfo=UTC),
    )


def write_crawl(folder: Path, pages: int = PAGES) -> tuple[Path, list[RecordLocation]]:
    """A finished WARC of ``pages`` response+request pairs and its full index."""
    index = CdxjAppender(folder / "index.cdxj")
    locations = []
    with RotatingWarcWriter(folder / "warc", "rec") as writer:
        for number in range(pages):
            ex = exchange(number)
            response = records.response_record(ex)
            location = writer.write([response, records.request_record(ex, response.record_id)])[0]
            locations.append(location)
            index.add(
                IndexEntry(
                    ex.url,
                    response.warc_date,
                    "text/html",
                    200,
                    records.payload_digest(ex.body),
                    location.length,
                    location.offset,
                    location.filename,
                )
            )
    index.close()
    [path] = (folder / "warc").glob("*.warc.gz")
    return path, locations


def crash(path: Path, locations: list[RecordLocation], whole_pages: int) -> tuple[Path, int]:
    """Turn a finished file into what a kill -9 during page ``whole_pages`` leaves."""
    data = path.read_bytes()
    cut_group = locations[whole_pages]
    end = cut_group.offset + cut_group.length + 40  # the response whole, the request torn
    kept = cut_group.offset + cut_group.length
    opened = path.with_name(path.name + ".open")
    opened.write_bytes(data[:end])
    path.unlink()
    index = path.parent.parent / "index.cdxj"
    lines = index.read_text().splitlines(keepends=True)
    by_offset = sorted(lines, key=lambda line: int(json.loads(line.split(" ", 2)[2])["offset"]))
    # lost the lines of the last pages, and the last line written is torn in half
    survivors = by_offset[: whole_pages - 2]
    torn = by_offset[whole_pages - 2][:30]
    index.write_text("".join(survivors) + torn)
    return opened, kept


def resolves(folder: Path, filename: str, offset: int, length: int) -> str:
    """The URL of the whole record at a pointer (fails when it does not resolve)."""
    with open(folder / "warc" / filename, "rb") as stream:
        stream.seek(offset)
        raw = stream.read(length)
    [record] = list(ArchiveIterator(io.BytesIO(raw), check_digests=True))
    return record.rec_headers.get_header("WARC-Target-URI")


def test_recover_keeps_every_whole_record_and_the_pointers_resolve(tmp_path: Path) -> None:
    final, locations = write_crawl(tmp_path)
    opened, kept = crash(final, locations, whole_pages=4)

    [result] = recover_folder(tmp_path)

    assert result.final == final and not opened.exists()
    assert final.stat().st_size == kept
    assert result.records == 1 + 2 * 4 + 1  # warcinfo, four pairs, the fifth response
    assert result.cut == 40
    assert check_file(final).ok
    # every pointer handed out before the crash (pages 0-3) and the whole response of
    # page 4 resolve to their record, under the finished name
    for number, location in enumerate(locations[:5]):
        url = resolves(tmp_path, location.filename, location.offset, location.length)
        assert url == f"http://127.0.0.1:9/news/{number}"


def test_recover_repairs_the_index_lines(tmp_path: Path) -> None:
    final, locations = write_crawl(tmp_path)
    crash(final, locations, whole_pages=3)

    recover_folder(tmp_path)

    lines = (tmp_path / "index.cdxj").read_text().splitlines()
    assert lines == sorted(lines)
    pointed = []
    for line in lines:
        fields = json.loads(line.split(" ", 2)[2])
        url = resolves(tmp_path, fields["filename"], int(fields["offset"]), int(fields["length"]))
        assert url == fields["url"]
        pointed.append(url)
    # the lost lines are back, the torn one gone, none points past the cut (pages 4, 5)
    assert sorted(pointed) == [f"http://127.0.0.1:9/news/{n}" for n in range(4)]


def test_a_file_a_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path / "warc", "live")
    ex = exchange(1)
    response = records.response_record(ex)
    writer.write([response, records.request_record(ex, response.record_id)])
    live = writer.current_path
    assert live is not None
    before = live.read_bytes()
    try:
        [result] = recover_folder(tmp_path)
        assert result.skipped and live.read_bytes() == before
    finally:
        writer.close()
    assert not live.exists() and check_file(live.with_name(live.name[: -len(".open")])).ok


def test_a_file_without_a_whole_record_is_removed(tmp_path: Path) -> None:
    final, _ = write_crawl(tmp_path, pages=1)
    opened = final.with_name(final.name + ".open")
    opened.write_bytes(final.read_bytes()[:25])
    final.unlink()
    result = recover_file(opened)
    assert result.final is None and result.cut == 25 and not opened.exists()


def newsarchive(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args], capture_output=True, text=True, timeout=120
    )


def test_check_flags_open_files_and_recover_command_finishes_them(tmp_path: Path) -> None:
    final, locations = write_crawl(tmp_path)
    opened, _ = crash(final, locations, whole_pages=5)
    # the complete part alone still fails the check: the file is unfinished
    opened.write_bytes(opened.read_bytes()[: locations[5].offset + locations[5].length])

    checked = newsarchive("warc", "check", str(tmp_path))
    assert checked.returncode == 1
    assert "FAILED" in checked.stdout and "newsarchive warc recover" in checked.stdout

    recovered = newsarchive("warc", "recover", str(tmp_path))
    assert recovered.returncode == 0, recovered.stderr
    assert f"recovered  {final}  (12 records kept, 0 bytes cut)" in recovered.stdout
    assert "index repaired" in recovered.stdout

    again = newsarchive("warc", "check", str(tmp_path))
    assert again.returncode == 0 and again.stdout.startswith("ok"), again.stdout
    assert newsarchive("warc", "recover", str(tmp_path)).stdout.startswith("nothing to recover")


@pytest.mark.parametrize("damage", ["flipped", "garbage"])
def test_check_reports_damage_mid_file_and_checks_the_records_after_it(
    tmp_path: Path, damage: str
) -> None:
    final, locations = write_crawl(tmp_path)
    data = bytearray(final.read_bytes())
    bad = locations[2]
    if damage == "flipped":
        data[bad.offset + bad.length // 2] ^= 0xFF
    else:
        data[bad.offset : bad.offset + bad.length] = b"not gzip at all " * (bad.length // 16)
    final.write_bytes(bytes(data))
    report = check_file(final)
    assert not report.ok and len(report.problems) == 1, report.problems
    assert f"offset {bad.offset}:" in report.problems[0]
    # every record outside the damaged one was still read and verified
    assert report.records == 1 + 2 * PAGES - 1


def test_check_reports_a_digest_mismatch(tmp_path: Path) -> None:
    import gzip

    final, locations = write_crawl(tmp_path, pages=2)

    data = final.read_bytes()
    where = locations[1]
    member = gzip.decompress(data[where.offset : where.offset + where.length])
    altered = gzip.compress(member.replace(b"Page 1 ", b"Page 9 "))
    final.write_bytes(data[: where.offset] + altered + data[where.offset + where.length :])
    report = check_file(final)
    assert not report.ok and any("digest" in p for p in report.problems), report.problems
