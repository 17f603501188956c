"""The WARC writer: file layout, rotation, serials, full disk, and the gzip member walk."""

from __future__ import annotations

import errno
import io
import random
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.warc import records
from newsarchive.warc.check import check_file
from newsarchive.warc.gzipwalk import walk_members
from newsarchive.warc.naming import parse_name
from newsarchive.warc.writer import RotatingWarcWriter, WarcWriteError

WARCIO = str(Path(sys.executable).with_name("warcio"))


def exchange(path: str = "/a?b=1", body: bytes = b"<p>hello</p>", **overrides) -> records.Exchange:
    values = {
        "url": f"http://127.0.0.1:8080{path}",
        "method": "GET",
        "request_headers": [(b"Accept", b"*/*"), (b"User-Agent", b"t/1")],
        "request_body": b"",
        "status": 200,
        "response_headers": [
            (b"Content-Type", b"text/html"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
            (b"Transfer-Encoding", b"chunked"),
        ],
        "body": body,
        "started_at": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        "ip_address": "127.0.0.1",
    }
    values.update(overrides)
    return records.Exchange(**values)


def write_pair(writer: RotatingWarcWriter, ex: records.Exchange):
    response = records.response_record(ex)
    request = records.request_record(ex, response.record_id)
    return writer.write([response, request])


def read_all(path: Path) -> list:
    out = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            out.append(
                (record.rec_type, record.rec_headers, record.http_headers, record.raw_stream.read())
            )
    return out


def test_file_layout_warcinfo_first_and_pointers_resolve(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, "crawl", warcinfo={"operator": "Test Archive"})
    locations = write_pair(writer, exchange())
    open_files = list(tmp_path.glob("*.warc.gz.open"))
    assert len(open_files) == 1 and not list(tmp_path.glob("*.warc.gz"))
    writer.close()
    [path] = tmp_path.glob("*.warc.gz")
    assert not list(tmp_path.glob("*.open"))
    name = parse_name(path.name)
    assert name and name.prefix == "crawl" and name.serial == 0 and "-p" in name.host

    found = read_all(path)
    assert [t for t, *_ in found] == ["warcinfo", "response", "request"]
    info_headers = found[0][1]
    assert info_headers.get_header("WARC-Filename") == path.name
    assert b"operator: Test Archive" in found[0][3]
    info_id = info_headers.get_header("WARC-Record-ID")
    for _, headers, *_ in found[1:]:
        assert headers.get_header("WARC-Warcinfo-ID") == info_id
        assert headers.protocol == "WARC/1.1"

    # Each location is one gzip member holding exactly that record.
    data = path.read_bytes()
    for location, (rec_type, _, _, _) in zip(locations, found[1:], strict=True):
        assert location.filename == path.name
        member = data[location.offset : location.offset + location.length]
        [record] = list(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_type == rec_type
        assert record.rec_headers.get_header("WARC-Record-ID") == location.record_id

    result = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert check_file(path).ok


def test_response_and_request_blocks(tmp_path: Path) -> None:
    with RotatingWarcWriter(tmp_path, "t") as writer:
        write_pair(writer, exchange(protocol="HTTP/2", status=404, body=b"gone"))
    [path] = tmp_path.glob("*.warc.gz")
    found = read_all(path)
    _, resp_headers, resp_http, resp_body = found[1]
    _, req_headers, req_http, _ = found[2]
    assert resp_http.protocol == "HTTP/1.1" and resp_http.statusline == "404 Not Found"
    assert resp_http.get_header("Transfer-Encoding") is None
    assert [v for n, v in resp_http.headers if n == "Set-Cookie"] == ["a=1", "b=2"]
    assert resp_body == b"gone"
    assert resp_headers.get_header("WARC-Protocol") == "h2"
    assert resp_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert resp_headers.get_header("WARC-Date") == "2024-05-06T07:08:09.123456Z"
    assert req_headers.get_header("WARC-Date") == resp_headers.get_header("WARC-Date")
    assert req_headers.get_header("WARC-Concurrent-To") == resp_headers.get_header("WARC-Record-ID")
    assert (req_http.protocol, req_http.statusline) == ("GET", "/a?b=1 HTTP/1.1")
    assert req_http.get_header("Host") == "127.0.0.1:8080"
    assert req_headers.get_header("WARC-Target-URI") == "http://127.0.0.1:8080/a?b=1"


def test_unknown_status_and_revisit_record(tmp_path: Path) -> None:
    assert records.status_line(299) == "299"
    assert records.status_line(301) == "301 Moved Permanently"
    ex = exchange()
    digest = records.payload_digest(ex.body)
    with RotatingWarcWriter(tmp_path, "t") as writer:
        revisit = records.revisit_record(
            ex,
            digest,
            records.Original("http://127.0.0.1:8080/first", "2024-01-01T00:00:00Z", "<urn:uuid:x>"),
        )
        writer.write([revisit])
    [path] = tmp_path.glob("*.warc.gz")
    rec_type, headers, http, block_rest = read_all(path)[1]
    assert rec_type == "revisit" and block_rest == b""
    assert http.get_statuscode() == "200"  # the response headers are kept, the payload not
    assert headers.get_header("WARC-Profile").endswith("/warc/1.1/revisit/identical-payload-digest")
    assert headers.get_header("WARC-Refers-To") == "<urn:uuid:x>"
    assert headers.get_header("WARC-Refers-To-Target-URI") == "http://127.0.0.1:8080/first"
    assert headers.get_header("WARC-Refers-To-Date") == "2024-01-01T00:00:00Z"
    assert headers.get_header("WARC-Payload-Digest") == digest
    assert headers.get_header("WARC-Truncated") == "length"
    assert check_file(path).ok


def test_rotation_serials_and_never_appending(tmp_path: Path) -> None:
    with RotatingWarcWriter(tmp_path, "rot", max_size=12_000) as writer:
        for n in range(8):  # random bytes do not compress: ~4 KB per record
            write_pair(writer, exchange(f"/p{n}", body=random.Random(n).randbytes(4000)))
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    serials = [parse_name(f.name).serial for f in files]
    assert serials == sorted(serials) and len(set(serials)) == len(serials)
    for path in files:
        assert read_all(path)[0][0] == "warcinfo"
        assert check_file(path).ok

    # A crashed file left behind: the next writer takes a higher serial and leaves it alone.
    crashed = tmp_path / files[-1].name.replace(f"-{serials[-1]:05d}-", f"-{serials[-1] + 1:05d}-")
    crashed = crashed.with_name(crashed.name + ".open")
    crashed.write_bytes(files[0].read_bytes()[:100])
    with RotatingWarcWriter(tmp_path, "rot") as writer:
        [location, _] = write_pair(writer, exchange("/after"))
    assert parse_name(location.filename).serial == serials[-1] + 2
    assert crashed.read_bytes() == files[0].read_bytes()[:100]


class FullDisk(io.RawIOBase):
    """A file that accepts ``room`` bytes and then fails like a full disk."""

    def __init__(self, raw: BinaryIO, room: int) -> None:
        self.raw, self.room = raw, room

    def write(self, data) -> int:
        if len(data) > self.room:
            accepted = self.raw.write(bytes(data[: self.room]))  # a partial write first
            self.room = 0
            if not accepted:
                raise OSError(errno.ENOSPC, "No space left on device")
            return accepted
        self.room -= len(data)
        return self.raw.write(data)

    def fileno(self) -> int:
        return self.raw.fileno()

    def close(self) -> None:
        self.raw.close()


def test_full_disk_cuts_back_to_last_complete_record(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, "full", file_wrapper=lambda raw: FullDisk(raw, room=3000))
    written = []
    with pytest.raises(WarcWriteError, match="No space left on device"):
        for n in range(50):
            written += write_pair(writer, exchange(f"/p{n}", body=bytes(range(256)) * 4))
    with pytest.raises(WarcWriteError, match="earlier failure"):
        write_pair(writer, exchange("/late"))
    writer.close()
    [path] = tmp_path.glob("*.warc.gz")  # closed and renamed, not left .open
    assert not list(tmp_path.glob("*.open"))
    report = check_file(path)
    assert report.ok, report.problems
    assert report.records == 1 + len(written)
    assert path.stat().st_size == written[-1].offset + written[-1].length


def test_full_disk_with_a_real_file_size_limit(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse writes (EFBIG), as a full disk would."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
        from test_warc_writer import exchange, write_pair
        from newsarchive.warc.writer import RotatingWarcWriter, WarcWriteError
        writer = RotatingWarcWriter({str(tmp_path)!r}, "lim")
        try:
            for n in range(100):
                write_pair(writer, exchange(f"/p{{n}}", body=bytes(range(256)) * 8))
        except WarcWriteError as error:
            print("STOPPED:", error)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert "STOPPED:" in result.stdout, result.stdout + result.stderr
    assert "File too large" in result.stdout
    [path] = tmp_path.glob("*.warc.gz")
    assert 0 < path.stat().st_size <= 20000
    assert check_file(path).ok


def test_gzip_walk_catches_a_truncated_tail_warcio_misses(tmp_path: Path) -> None:
    with RotatingWarcWriter(tmp_path, "walk") as writer:
        for n in range(3):
            write_pair(writer, exchange(f"/p{n}"))
    [path] = tmp_path.glob("*.warc.gz")
    good = walk_members(path)
    assert good.ok and len(good.members) == 7 and good.complete_bytes == path.stat().st_size

    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(path.read_bytes()[:-25])
    warcio_result = subprocess.run([WARCIO, "check", str(cut)], capture_output=True, text=True)
    assert warcio_result.returncode == 0  # the blind spot this walk exists for
    walk = walk_members(cut)
    assert not walk.ok and "cut short" in walk.problems[0]
    assert len(walk.members) == 6
    assert not check_file(cut).ok

    garbage = tmp_path / "garbage.warc.gz"
    garbage.write_bytes(path.read_bytes() + b"not gzip at all")
    assert "not a valid gzip member" in walk_members(garbage).problems[0]


def test_a_file_whose_index_lines_could_not_be_written_stays_open(tmp_path: Path) -> None:
    """The CDXJ appender flushes a file's lines before the file gets its final name; when
    that fails (a full disk), the name stays ``.open``, so the next start's recovery
    rebuilds the lost lines from the file (a finished name would keep them lost)."""

    def index_flush() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    writer = RotatingWarcWriter(tmp_path, "test", on_close=index_flush)
    write_pair(writer, exchange())
    writer.close()
    assert [p.name.endswith(".warc.gz.open") for p in tmp_path.iterdir()] == [True]
    assert writer.closed_files == []
