"""WarcCapture end to end: real Scrapy crawls (in subprocesses) of a byte-exact local server."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from support import WARC_CRAWL_SCRIPT
from support.warcsite import RawSite, Route, generated_routes, html_page, http_response
from warcio.archiveiterator import ArchiveIterator

from newsarchive.warc.check import check_file
from newsarchive.warc.gzipwalk import walk_members
from newsarchive.warc.naming import parse_name

pytestmark = pytest.mark.slow

PLAIN = html_page(
    "Plain", ["/gzip", "/chunked", "/cookies", "/search?q=a&b=2", "/redirect", "/missing", "/cut"]
)
GZIP_BODY = gzip.compress(html_page("Gzipped", []), mtime=0)
CHUNKED_BODY = html_page("Chunked", [], filler=5000)
CUT_BODY = b"x" * 1000
HTML = [("Content-Type", "text/html; charset=utf-8")]
HTML_BYTES = [(b"Content-Type", b"text/html; charset=utf-8")]
ROUTES = {
    "/robots.txt": Route(
        http_response("200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")
    ),
    "/": Route(http_response("200 OK", HTML, PLAIN)),
    "/gzip": Route(http_response("200 OK", [*HTML, ("Content-Encoding", "gzip")], GZIP_BODY)),
    "/chunked": Route(http_response("200 OK", HTML, CHUNKED_BODY, framing="chunked")),
    "/cookies": Route(
        http_response(
            "200 OK",
            [
                ("Set-Cookie", "a=1; Path=/"),
                ("Content-Type", "text/plain"),
                ("Set-Cookie", "b=2; Path=/"),
            ],
            b"two cookies",
        )
    ),
    "/search?q=a&b=2": Route(http_response("200 OK", HTML, html_page("Search", []))),
    "/redirect": Route(http_response("301 Moved Permanently", [("Location", "/gzip")])),
    "/missing": Route(http_response("404 Not Found", [("Content-Type", "text/plain")], b"no")),
    "/cut": Route(
        http_response("200 OK", [("Content-Type", "text/plain")], CUT_BODY), cut_after=300
    ),
}
SERVED_BODIES = {
    "/": PLAIN,
    "/gzip": GZIP_BODY,
    "/chunked": CHUNKED_BODY,
    "/cookies": b"two cookies",
}


def crawl(
    out: Path, urls: list[str], settings: dict[str, Any] | None = None, timeout: float = 120
) -> dict[str, Any]:
    """Run the minimal WARC crawl in a subprocess; return its stats."""
    args = [sys.executable, WARC_CRAWL_SCRIPT, str(out), *urls]
    args += [f"--set={name}={json.dumps(value)}" for name, value in (settings or {}).items()]
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def warc_records(out: Path) -> Iterator[tuple[Path, Any, bytes]]:
    for path in sorted((out / "warc").glob("*.warc.gz*")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                yield path, record, record.raw_stream.read()


def target_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def by_type(out: Path, rec_type: str) -> dict[str, tuple[Any, bytes]]:
    """Path+query of the target URI -> (record, stored payload) for one record type."""
    found = {}
    for _, record, payload in warc_records(out):
        if record.rec_type == rec_type:
            found[target_of(record.rec_headers.get_header("WARC-Target-URI"))] = (record, payload)
    return found


@pytest.fixture(scope="module")
def site() -> Iterator[RawSite]:
    with RawSite(dict(ROUTES)) as served:
        yield served


@pytest.fixture(scope="module")
def crawled(site: RawSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crawl")
    feed = out / "items.jsonl"
    stats = crawl(out, [site.base_url + "/"], {"FEEDS": {str(feed): {"format": "jsonlines"}}})
    assert stats["finish_reason"] == "finished"
    return out


def test_every_fetch_is_archived_as_a_linked_pair(crawled: Path) -> None:
    responses = by_type(crawled, "response")
    requests = by_type(crawled, "request")
    assert set(responses) == set(ROUTES), "robots.txt, redirects, 404s and cut bodies included"
    assert set(requests) == set(ROUTES)
    for target, (response, _) in responses.items():
        request, _ = requests[target]
        assert request.rec_headers.get_header(
            "WARC-Concurrent-To"
        ) == response.rec_headers.get_header("WARC-Record-ID")
        assert request.rec_headers.get_header("WARC-Date") == response.rec_headers.get_header(
            "WARC-Date"
        )
        assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
        assert response.rec_headers.get_header("WARC-Block-Digest")
        assert response.rec_headers.get_header("WARC-Payload-Digest")
    for path in (crawled / "warc").glob("*.warc.gz"):
        report = check_file(path)
        assert report.ok, report.problems


def test_payloads_are_byte_for_byte_as_served(crawled: Path) -> None:
    responses = by_type(crawled, "response")
    for target, body in SERVED_BODIES.items():
        record, payload = responses[target]
        assert payload == body, target
        assert record.http_headers.get_header("Transfer-Encoding") is None
    gzipped = responses["/gzip"][0].http_headers
    assert gzipped.get_header("Content-Encoding") == "gzip"
    assert gzipped.get_header("Content-Length") == str(len(GZIP_BODY))
    cookies = responses["/cookies"][0].http_headers
    assert [v for n, v in cookies.headers if n.lower() == "set-cookie"] == [
        "a=1; Path=/",
        "b=2; Path=/",
    ]
    assert responses["/redirect"][0].http_headers.statusline == "301 Moved Permanently"
    assert responses["/missing"][0].http_headers.statusline == "404 Not Found"


def test_cut_body_is_marked_truncated(crawled: Path) -> None:
    record, payload = by_type(crawled, "response")["/cut"]
    assert record.rec_headers.get_header("WARC-Truncated") == "disconnect"
    head_length = ROUTES["/cut"].raw.index(b"\r\n\r\n") + 4
    assert payload == CUT_BODY[: 300 - head_length]


def test_request_records_match_the_wire(crawled: Path, site: RawSite) -> None:
    requests = by_type(crawled, "request")
    received = {head.split(b" ", 2)[1].decode(): head for head in site.requests}
    for target, (record, _) in requests.items():
        wire = received[target].split(b"\r\n")
        archived = record.http_headers
        assert f"{archived.protocol} {archived.statusline}".encode() == wire[0]
        archived_lines = {f"{n}: {v}".encode() for n, v in archived.headers}
        assert archived_lines == {line for line in wire[1:] if line}, target
    search = requests["/search?q=a&b=2"][0]
    assert search.rec_headers.get_header("WARC-Target-URI").endswith("/search?q=a&b=2")


def assert_pointers_resolve(out: Path) -> None:
    """Every item's WARC pointer opens the response record of its URL."""
    items = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert items
    for item in items:
        pointer = item["warc"]
        assert set(pointer) >= {
            "warc_filename",
            "warc_record_offset",
            "warc_record_length",
            "warc_record_id",
            "content_digest",
            "fetched_at",
            "ip_address",
        }
        assert pointer["fetched_at"].endswith("Z") and pointer["ip_address"] == "127.0.0.1"
        data = (out / "warc" / pointer["warc_filename"]).read_bytes()
        start = pointer["warc_record_offset"]
        member = data[start : start + pointer["warc_record_length"]]
        [record] = list(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_headers.get_header("WARC-Record-ID") == pointer["warc_record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == pointer["content_digest"]


def test_pointer_reaches_the_spider_and_resolves(crawled: Path) -> None:
    assert_pointers_resolve(crawled)


def test_writer_thread_mode(site: RawSite, tmp_path: Path) -> None:
    """NEWSARCHIVE_WARC_THREAD = True writes from a thread, yet every callback has its pointer."""
    feed = tmp_path / "items.jsonl"
    crawl(
        tmp_path,
        [site.base_url + "/"],
        {"FEEDS": {str(feed): {"format": "jsonlines"}}, "NEWSARCHIVE_WARC_THREAD": True},
    )
    assert_pointers_resolve(tmp_path)
    assert set(by_type(tmp_path, "response")) == set(ROUTES)
    [path] = (tmp_path / "warc").glob("*.warc.gz")
    assert check_file(path).ok


def test_cdxj_index_is_sorted_and_complete(crawled: Path) -> None:
    lines = (crawled / "index.cdxj").read_text().splitlines()
    assert lines == sorted(lines) and len(lines) == len(ROUTES)
    entries = {json.loads(line.split(" ", 2)[2])["url"]: line for line in lines}
    gzip_line = next(line for url, line in entries.items() if url.endswith("/gzip"))
    key, stamp, fields = gzip_line.split(" ", 2)
    assert key.endswith(")/gzip") and len(stamp) == 14
    assert json.loads(fields)["mime"] == "text/html" and json.loads(fields)["status"] == "200"


def test_revisits_across_two_crawls(site: RawSite, tmp_path: Path) -> None:
    crawl(tmp_path, [site.base_url + "/"])
    first = {t: r.rec_headers for t, (r, _) in by_type(tmp_path, "response").items()}
    first_files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    crawl(tmp_path, [site.base_url + "/"])
    second_file = sorted((tmp_path / "warc").glob("*.warc.gz"))[-1]
    assert second_file not in first_files
    assert parse_name(second_file.name).serial > parse_name(first_files[-1].name).serial
    revisits = {}
    with open(second_file, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "revisit":
                revisits[record.rec_headers.get_header("WARC-Target-URI")] = record.rec_headers
    revisited = {target_of(uri) for uri in revisits}
    # 2xx complete payloads are deduplicated; the 404, the redirect and the cut body are not.
    assert revisited == {"/robots.txt", "/", "/gzip", "/chunked", "/cookies", "/search?q=a&b=2"}
    for uri, headers in revisits.items():
        original = first[target_of(uri)]
        assert headers.get_header("WARC-Refers-To") == original.get_header("WARC-Record-ID")
        assert headers.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
        assert headers.get_header("WARC-Refers-To-Target-URI") == uri
        assert headers.get_header("WARC-Payload-Digest") == original.get_header(
            "WARC-Payload-Digest"
        )
    assert check_file(second_file).ok


def test_http_cache_hits_are_not_archived(site: RawSite, tmp_path: Path) -> None:
    cache = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "cache")}
    crawl(tmp_path / "first", [site.base_url + "/"], cache)
    assert by_type(tmp_path / "first", "response")
    stats = crawl(tmp_path / "second", [site.base_url + "/"], cache)
    assert stats.get("httpcache/hit", 0) >= 5
    fetched = {t for t, _ in by_type(tmp_path / "second", "response").items()}
    # Only what the cache could not answer went over the wire (it does not store the cut body).
    assert len(fetched) == stats.get("downloader/response_count", 0) - stats["httpcache/hit"]


def test_kill_9_leaves_closed_records_readable_and_resume_starts_a_new_file(tmp_path: Path) -> None:
    with RawSite(generated_routes(400), delay=0.01) as slow:
        args = [
            sys.executable,
            WARC_CRAWL_SCRIPT,
            str(tmp_path),
            slow.base_url + "/",
            "--set=CONCURRENT_REQUESTS=4",
        ]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                open_files = list((tmp_path / "warc").glob("*.open"))
                if open_files and open_files[0].stat().st_size > 20_000:
                    break
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
        [crashed] = list((tmp_path / "warc").glob("*.open"))
        crashed_bytes = crashed.read_bytes()
        walk = walk_members(crashed)
        assert len(walk.members) > 10
        complete = crashed_bytes[: walk.complete_bytes]
        records = list(ArchiveIterator(io.BytesIO(complete), check_digests=True))
        assert records[0].rec_type == "warcinfo" and len(records) == len(walk.members)

        crawl(tmp_path, [slow.base_url + "/p/1"], {"DEPTH_LIMIT": 1})
    # The next crawl into the folder finished the crashed file: cut after its last whole
    # record, under the name its pointers use; it never appended to it.
    finished = crashed.with_name(crashed.name.removesuffix(".open"))
    assert not crashed.exists() and finished.read_bytes() == complete
    [resumed] = [p for p in (tmp_path / "warc").glob("*.warc.gz") if p != finished]
    assert parse_name(resumed.name).serial > parse_name(crashed.name).serial
    assert check_file(resumed).ok and check_file(finished).ok
    indexed = {
        json.loads(line.split(" ", 2)[2])["filename"]
        for line in (tmp_path / "index.cdxj").read_text().splitlines()
    }
    assert indexed == {finished.name, resumed.name}


@pytest.mark.parametrize("thread", [False, True], ids=["inline", "writer-thread"])
def test_full_disk_stops_the_crawl_cleanly(tmp_path: Path, thread: bool) -> None:
    """A file size limit (EFBIG, like ENOSPC) mid-crawl: clear stop, no corrupt record."""
    limit = 60_000

    def limited() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with RawSite(generated_routes(300)) as generated:
        args = [
            sys.executable,
            WARC_CRAWL_SCRIPT,
            str(tmp_path),
            generated.base_url + "/",
            f"--set=NEWSARCHIVE_WARC_THREAD={json.dumps(thread)}",
        ]
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=120, preexec_fn=limited
        )
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    assert stats["finish_reason"] == "warc_write_failed"
    assert "File too large" in stats["newsarchive/warc/error"]
    assert "WARC write failed" in result.stderr
    [path] = list((tmp_path / "warc").glob("*.warc.gz"))
    assert not list((tmp_path / "warc").glob("*.open"))
    report = check_file(path)
    assert report.ok, report.problems
    assert stats["newsarchive/warc/response_records"] * 2 + 1 == report.records


def test_identical_payloads_fetched_together_are_stored_once(tmp_path: Path) -> None:
    """Thirty URLs answering the same bytes at the same moment: one copy, 29 revisits."""
    same = html_page("Consent wall", [], filler=3000)
    routes = {f"/same/{n}": Route(http_response("200 OK", HTML, same)) for n in range(30)}
    routes["/"] = Route(http_response("200 OK", HTML, html_page("Hub", sorted(routes))))
    with RawSite(routes) as served:
        crawl(tmp_path, [served.base_url + "/"], {"ROBOTSTXT_OBEY": False})
    kinds: dict[str, list[Any]] = {"response": [], "revisit": []}
    for _, record, _ in warc_records(tmp_path):
        if record.rec_type in kinds and "/same/" in record.rec_headers["WARC-Target-URI"]:
            kinds[record.rec_type].append(record.rec_headers)
    assert len(kinds["response"]) == 1 and len(kinds["revisit"]) == 29
    original_id = kinds["response"][0].get_header("WARC-Record-ID")
    assert {h.get_header("WARC-Refers-To") for h in kinds["revisit"]} == {original_id}


def test_a_queued_full_copy_is_revisited_before_it_is_written(tmp_path: Path) -> None:
    """The writer thread may lag: a payload queued but not yet indexed is still known."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from newsarchive.warc.capture import WarcCapture
    from newsarchive.warc.records import Exchange

    crawler = SimpleNamespace(settings=Settings({"NEWSARCHIVE_CRAWL_ID": "t"}), stats=None)
    capture = WarcCapture(crawler, tmp_path)  # type: ignore[arg-type]
    capture.open("test")

    def exchange(path: str) -> Exchange:
        return Exchange(
            url=f"http://127.0.0.1:9{path}",
            method="GET",
            request_headers=[],
            request_body=b"",
            status=200,
            response_headers=HTML_BYTES,
            body=b"<p>same</p>",
            started_at=datetime.now(UTC),
        )

    first, second = capture.prepare(exchange("/a")), capture.prepare(exchange("/b"))
    first_id = first.main.record_id
    assert first.main.rec_type == "response" and second.main.rec_type == "revisit"
    assert second.main.fields.get("WARC-Refers-To") == first_id
    capture.commit(first)
    pointer = capture.commit(second)
    assert pointer["warc_record_type"] == "revisit"
    assert pointer["refers_to"]["warc_record_id"] == first_id
    third = capture.prepare(exchange("/c"))  # now found in the digest index, with its place
    assert third.archived is not None and third.archived.offset > 0
    capture.spider_closed(None, "finished")  # type: ignore[arg-type]
    [path] = (tmp_path / "warc").glob("*.warc.gz")
    assert check_file(path).ok


def test_bodies_over_download_maxsize_are_kept_truncated(tmp_path: Path) -> None:
    """Scrapy would cancel these and keep nothing; the archive keeps what arrived."""
    big = html_page("Big", [], filler=6000)
    routes = {
        "/": Route(http_response("200 OK", HTML, html_page("Hub", ["/announced", "/chunked"]))),
        "/announced": Route(http_response("200 OK", HTML, big)),  # Content-Length > limit
        "/chunked": Route(http_response("200 OK", HTML, big, framing="chunked")),
    }
    with RawSite(routes) as served:
        stats = crawl(
            tmp_path, [served.base_url + "/"], {"ROBOTSTXT_OBEY": False, "DOWNLOAD_MAXSIZE": 3000}
        )
    responses = by_type(tmp_path, "response")
    assert set(responses) == {"/", "/announced", "/chunked"}
    assert responses["/"][0].rec_headers.get_header("WARC-Truncated") is None
    for target in ("/announced", "/chunked"):
        record, payload = responses[target]
        assert record.rec_headers.get_header("WARC-Truncated") == "length", target
        assert big.startswith(payload), target
    assert responses["/announced"][1] == b""  # stopped right after the headers
    assert stats["item_scraped_count"] == 1  # the cut pages still fail, as in plain Scrapy
    [path] = (tmp_path / "warc").glob("*.warc.gz")
    assert check_file(path).ok


def test_connection_headers_the_server_sent_are_archived(tmp_path: Path) -> None:
    """Twisted files Connection, Keep-Alive, Upgrade... apart from the response's headers:
    Scrapy never saw them, so no response record held them, though its block is the
    response as received (the server's Content-Length and Transfer-Encoding stay out)."""
    sent = [
        ("Content-Type", "text/plain"),
        ("Connection", "keep-alive"),
        ("Keep-Alive", "timeout=5, max=100"),
        ("Upgrade", "h2c"),
    ]
    routes = {
        "/robots.txt": Route(http_response("404 Not Found", [], b"")),
        "/": Route(http_response("200 OK", sent, b"kept")),
        "/closed": Route(
            http_response("200 OK", [("Content-Type", "text/plain")], b"end", "close")
        ),
    }
    with RawSite(routes) as served:
        crawl(tmp_path, [served.base_url + "/", served.base_url + "/closed"])
    responses = by_type(tmp_path, "response")
    headers = responses["/"][0].http_headers.headers
    assert ("Connection", "keep-alive") in headers
    assert ("Keep-Alive", "timeout=5, max=100") in headers
    assert ("Upgrade", "h2c") in headers
    assert ("Connection", "close") in responses["/closed"][0].http_headers.headers
    assert not any(name.lower() == "transfer-encoding" for name, _ in headers)
    for path in (tmp_path / "warc").glob("*.warc.gz"):
        assert check_file(path).ok
