"""The WARC response record holds the status line and header lines as the server sent them.

Scrapy's response keeps neither the reason phrase nor the case of header names, and
groups repeated headers by name; the records were rebuilt from it (``HTTP/1.1 200 OK``
and ``X-Custom-Thing`` for ``HTTP/1.1 200 Okay then`` and ``x-Custom-THING``). A raw
socket server sends known heads here; the real crawl archives them, and each record's
head must be those bytes (the chunked framing's ``Transfer-Encoding`` aside), with
digests that hold, a CDXJ line, and pywb replaying the page.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import urllib.request
import zlib
from pathlib import Path

import pytest
from support.redis_server import free_port
from support.warcsite import RawSite, Route, chunked
from trapsite import crawl

from newsarchive.warc.check import check_file

pytestmark = pytest.mark.slow

CRLF = b"\r\n"


def page(title: str) -> bytes:
    return f"<!doctype html><html><head><title>{title}</title></head><body><p>{title}</p>".encode()


def sent(head: list[bytes], body: bytes = b"", length: bool = True) -> bytes:
    """A response: ``head`` lines (status first) as given, ``Content-Length`` last."""
    lines = [*head, b"Content-Length: %d" % len(body)] if length else head
    return CRLF.join(lines) + CRLF + CRLF + body


def archived_heads(out: Path) -> dict[str, list[bytes]]:
    """Target URI -> the HTTP heads of its response records, byte for byte."""
    return {
        uri: [block[: block.index(CRLF + CRLF) + 4] for block in blocks]
        for uri, blocks in archived_blocks(out).items()
    }


def archived_blocks(out: Path) -> dict[str, list[bytes]]:
    """Target URI -> the blocks (HTTP head and payload) of its response records."""
    blocks: dict[str, list[bytes]] = {}
    for path in sorted((out / "warc").glob("*.warc.gz")):
        data = path.read_bytes()
        while data:
            member = zlib.decompressobj(31)
            record = member.decompress(data)
            data = member.unused_data
            fields, _, block = record.partition(CRLF + CRLF)
            if b"\r\nWARC-Type: response\r\n" not in fields:
                continue
            uri = fields.split(b"\r\nWARC-Target-URI: ", 1)[1].split(CRLF, 1)[0].decode()
            blocks.setdefault(uri, []).append(block.removesuffix(CRLF + CRLF))
    return blocks


def assert_valid_files(out: Path) -> None:
    """``newsarchive warc check`` and ``warcio check`` both accept every file."""
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert files
    for path in files:
        report = check_file(path)
        assert report.ok, report.problems
    warcio = Path(sys.executable).parent / "warcio"
    checked = subprocess.run(
        [str(warcio), "check", "-v", *map(str, files)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]


GZIPPED = gzip.compress(page("Chunked and gzipped") * 40, mtime=0)
HEADS = {
    "/odd": [
        b"HTTP/1.1 200 Okay then",
        b"x-Custom-THING: 1",
        b"content-type: text/html; charset=utf-8",
        b"Set-Cookie: a=1; Path=/",
        b"X-Between: x",
        b"set-cookie: b=2; Path=/",
        b"SET-COOKIE: c=3",
    ],
    "/old": [b"HTTP/1.0 200 OK", b"content-type: text/html", b"x-served-BY: an old box"],
    "/chunked": [
        b"HTTP/1.1 200 OK",
        b"Content-Type: text/html",
        b"content-encoding: gzip",
        b"Transfer-Encoding: chunked",
        b"Vary: accept-encoding",
    ],
    "/moved": [b"HTTP/1.1 301 Gone Elsewhere", b"location: /landing", b"Cache-control: no-store"],
    "/landing": [b"HTTP/1.1 200 Here", b"Content-type: text/html"],
}
BODIES = {"/odd": page("Odd"), "/old": page("Old"), "/moved": b"", "/landing": page("Landed")}


def test_response_heads_are_archived_as_sent(tmp_path: Path) -> None:
    routes = {path: Route(sent(HEADS[path], body)) for path, body in BODIES.items()}
    routes["/chunked"] = Route(sent(HEADS["/chunked"], length=False) + chunked(GZIPPED))
    with RawSite(routes) as site:
        run = crawl(
            [f"{site.base_url}{path}" for path in ("/odd", "/old", "/chunked", "/moved")],
            tmp_path / "out",
        )
    assert run.returncode == 0, run.stderr[-3000:]
    heads = archived_heads(tmp_path / "out")
    expected = {
        path: [sent(HEADS[path], body)[: -len(body) or None]] for path, body in BODIES.items()
    }
    assert {path: heads[f"{site.base_url}{path}"] for path in BODIES} == expected
    # The chunk framing is gone from the payload, so its header is gone from the head.
    unchunked = CRLF.join(h for h in HEADS["/chunked"] if not h.startswith(b"Transfer"))
    assert heads[f"{site.base_url}/chunked"] == [unchunked + CRLF + CRLF]
    # The payload is the de-chunked, still gzip-coded body.
    block = archived_blocks(tmp_path / "out")[f"{site.base_url}/chunked"][0]
    assert block.partition(CRLF + CRLF)[2] == GZIPPED
    assert_valid_files(tmp_path / "out")


HOSTILE = {
    "/latin": sent([b"HTTP/1.1 200 Tr\xe8s bien", b"Content-Type: text/html"], page("Latin")),
    "/utf8": sent([b"HTTP/1.1 200 Tr\xc3\xa8s bien", b"Content-Type: text/html"], page("Utf8")),
    "/bare": sent([b"HTTP/1.1 200", b"Content-Type: text/html"], page("Bare")),
    # The protocol name in lower or mixed case, which Twisted, warcio, pywb and browsers take.
    "/lower": sent([b"http/1.1 200 OK", b"Content-Type: text/html"], page("Lower")),
    "/mixed": sent([b"Http/1.0 200 Fine", b"Content-Type: text/html"], page("Mixed")),
    "/tight": sent(
        [
            b"HTTP/1.1 200 OK",
            b"Content-Type:text/html",
            b"X-Trailing: spaced   ",
            b"X-Folded: one",
            b"  two",
            b"\tthree",
            b"Bad Header: spaced name",
            b"X-Caf\xe9: latin name",
            b"X-Mark: \xe2\x9c\x93 checked",
        ],
        page("Tight"),
    ),
}
# Lines ended by a bare LF, which Twisted takes: each ends with CRLF in the record.
LF_ONLY = [b"HTTP/1.1 200 Fine", b"content-TYPE: text/html", b"Content-Length: 16"]
# An informational answer before the response: Twisted skips it, so does the record.
EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
HINTED = sent([b"HTTP/1.1 200 After hints", b"Content-Type: text/html"], page("Hinted"))
# Heads no reader agrees on: archived rebuilt, with a logged reason.
UNSAFE = {
    "/cr": sent([b"HTTP/1.1 200 OK", b"Content-Type: text/html", b"X-Split: a\rb"], page("Cr")),
    "/cr-refused": sent(
        [b"HTTP/1.1 200 OK", b"Content-Type: text/html", b"Bad Name: a\rb"], page("Refused")
    ),
    "/control": sent([b"HTTP/1.1 200 O\x01K", b"Content-Type: text/html"], page("Control")),
    # Twisted takes any protocol name; warcio refuses a record whose line is not HTTP/1.x.
    "/protocol": sent([b"HTXP/1.1 200 OK", b"Content-Type: text/html"], page("Protocol")),
    # pywb reads it as UTF-8 and cannot send a status line beyond Latin-1.
    "/check": sent([b"HTTP/1.1 200 OK \xe2\x9c\x93", b"Content-Type: text/html"], page("Check")),
}


def replay_bodies(out: Path, base: str, paths: list[str]) -> dict[str, bytes]:
    """Each page's payload as pywb (indexed by our CDXJ indexer) replays it."""
    from newsarchive.replay import build_collection, ensure_env, start_wayback, stop, warc_files

    tools = ensure_env()
    root = out.parent / "pywb"
    build_collection(root, warc_files([out]), tools, "coll")
    port = free_port()
    server = start_wayback(root, tools, port=port)
    bodies = {}
    try:
        for path in paths:
            url = f"http://127.0.0.1:{port}/coll/2id_/{base}{path}"
            with urllib.request.urlopen(url, timeout=30) as answer:
                bodies[path] = answer.read()
    finally:
        stop(server)
    return bodies


def test_hostile_heads_give_valid_records_or_the_rebuilt_head(tmp_path: Path) -> None:
    routes = {path: Route(raw) for path, raw in {**HOSTILE, **UNSAFE}.items()}
    routes["/lf"] = Route(b"\n".join(LF_ONLY) + b"\n\n" + b"<p>bare LF</p>\n\n")
    routes["/hints"] = Route(EARLY_HINTS + HINTED)
    with RawSite(routes) as site:
        run = crawl([f"{site.base_url}{path}" for path in routes], tmp_path / "out")
    assert run.returncode == 0, run.stderr[-3000:]
    base = site.base_url
    heads = archived_heads(tmp_path / "out")
    for path, raw in HOSTILE.items():
        assert heads[f"{base}{path}"] == [raw[: raw.index(CRLF + CRLF) + 4]], path
    assert heads[f"{base}/lf"] == [CRLF.join(LF_ONLY) + CRLF + CRLF]
    assert heads[f"{base}/hints"] == [HINTED[: HINTED.index(CRLF + CRLF) + 4]]
    for path in UNSAFE:
        head = heads[f"{base}{path}"][0]
        assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head
        assert b"\r" not in head.replace(CRLF, b""), head  # the rebuilt head is safe too
        assert f"{base}{path}: response head archived as rebuilt" in run.stderr
    assert_valid_files(tmp_path / "out")
    index = (tmp_path / "out" / "index.cdxj").read_text(encoding="utf-8")
    for path in routes:
        assert f'"url": "{base}{path}", "mime": "text/html", "status": "200"' in index, path
    folded = {uri: rec for kind, uri, rec in run.warc_records() if kind == "response"}
    assert folded[f"{base}/tight"].http_headers.get_header("x-folded") == "one  two\tthree"
    replayed = replay_bodies(tmp_path / "out", base, list(routes))
    for path, raw in routes.items():
        body = raw.raw.split(CRLF + CRLF)[-1] if path != "/lf" else b"<p>bare LF</p>\n\n"
        assert replayed[path] == body, path


def test_reextract_joins_repeated_headers_in_any_case() -> None:
    """A head as sent keeps ``set-cookie`` and ``Set-Cookie`` apart; the spider got them
    joined under one name from Scrapy, so re-extraction joins them the same way."""
    from warcio.statusandheaders import StatusAndHeaders

    from newsarchive.warc.reread import _joined_headers

    head = StatusAndHeaders(
        "200 OK",
        [("content-type", "text/html"), ("Set-Cookie", "a=1"), ("SET-COOKIE", "b=2")],
        protocol="HTTP/1.1",
    )
    assert _joined_headers(head) == {"content-type": "text/html", "Set-Cookie": "a=1, b=2"}
