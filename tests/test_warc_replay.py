"""The real proof: pywb replays our WARC files byte for byte, revisits included,
and the WACZ package passes the ``wacz`` validator."""

from __future__ import annotations

import contextlib
import gzip
import subprocess
import sys
import time
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import WARC_CRAWL_SCRIPT
from support.crawls import crawl_twice_refetching
from support.redis_server import free_port
from support.warcsite import RawSite, Route, html_page, http_response
from warcio.archiveiterator import ArchiveIterator

from newsarchive.replay import (
    ReplayError,
    ReplayTools,
    build_collection,
    ensure_env,
    start_wayback,
    stop,
    warc_files,
)
from newsarchive.server import DemoSite

pytestmark = pytest.mark.slow

PLAIN = html_page("Plain", ["/gzip", "/chunked", "/deflate"])
GZIPPED = html_page("Gzipped page", [], filler=4000)
CHUNKED = html_page("Chunked page", [], filler=6000)
DEFLATED = html_page("Deflated page", [], filler=3000)
HTML = [("Content-Type", "text/html; charset=utf-8")]
ROUTES = {
    "/robots.txt": Route(http_response("200 OK", [("Content-Type", "text/plain")], b"")),
    "/": Route(http_response("200 OK", HTML, PLAIN)),
    "/gzip": Route(
        http_response(
            "200 OK", [*HTML, ("Content-Encoding", "gzip")], gzip.compress(GZIPPED, mtime=0)
        )
    ),
    "/chunked": Route(http_response("200 OK", HTML, CHUNKED, framing="chunked")),
    "/deflate": Route(
        http_response("200 OK", [*HTML, ("Content-Encoding", "deflate")], zlib.compress(DEFLATED))
    ),
}
SERVED = {"/": PLAIN, "/gzip": GZIPPED, "/chunked": CHUNKED, "/deflate": DEFLATED}
DECODERS = {
    None: lambda data: data,
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,
}


def crawl(out: Path, url: str) -> None:
    result = subprocess.run(
        [sys.executable, WARC_CRAWL_SCRIPT, str(out), url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("replay-crawl")
    with RawSite(dict(ROUTES)) as site:
        crawl(out, site.base_url + "/")
        time.sleep(1.1)  # distinct 14-digit timestamps, so replay can ask for each capture
        crawl(out, site.base_url + "/")  # second crawl: every payload is a revisit
        return out, site.base_url


@pytest.fixture(scope="module")
def pywb_tools() -> ReplayTools:
    """pywb from its own venv (installed on first use, then cached), as users get it."""
    try:
        return ensure_env()
    except ReplayError as error:
        pytest.fail(f"pywb could not be set up: {error}")


@pytest.fixture(scope="module")
def wayback(
    archives: tuple[Path, str], pywb_tools: ReplayTools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    out, _ = archives
    root = tmp_path_factory.mktemp("pywb")
    build_collection(root, warc_files([out]), pywb_tools, "coll")
    port = free_port()
    server = start_wayback(root, pywb_tools, port=port)
    try:
        yield f"http://127.0.0.1:{port}/coll"
    finally:
        stop(server)


def replay(url: str) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return answer.read(), answer.headers.get("Content-Encoding")


def warc_timestamps(out: Path) -> list[str]:
    """14-digit capture times of the two crawls (one per WARC file)."""
    stamps = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with gzip.open(path, "rb") as stream:
            text = stream.read(4000).decode("latin-1")
        date = text.split("WARC-Date: ", 1)[1][:19]
        stamps.append("".join(ch for ch in date if ch.isdigit()))
    return stamps


@pytest.mark.parametrize("target", sorted(SERVED))
def test_pywb_replays_each_page_as_served(
    wayback: str, archives: tuple[Path, str], target: str
) -> None:
    out, base = archives
    stamps = warc_timestamps(out)
    assert len(set(stamps)) == 2
    for stamp in stamps:  # the full capture, then the revisit
        body, coding = replay(f"{wayback}/{stamp}id_/{base}{target}")
        assert coding in DECODERS, coding
        assert DECODERS[coding](body) == SERVED[target], (target, stamp, coding)


def test_wacz_package_validates(archives: tuple[Path, str], tmp_path: Path) -> None:
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    out, _ = archives
    package = tmp_path / "crawl.wacz"
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "warc", "wacz", str(out), "-o", str(package)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validated" in result.stdout
    names = zipfile.ZipFile(package).namelist()
    assert "datapackage.json" in names
    assert len([n for n in names if n.startswith("archive/")]) == 2
    assert any(n.startswith("indexes/") for n in names)


@contextlib.contextmanager
def replay_command(folder: Path) -> Iterator[tuple[int, str]]:
    """`newsarchive replay FOLDER` running: its port and the first line it printed.

    Stopped with SIGTERM, as `kill` or systemd stop it; no pywb server may outlive it.
    """
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "replay", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline() if server.stdout else ""
        assert first.startswith(f"http://127.0.0.1:{port}/crawl/"), first + (
            server.stderr.read() if server.poll() is not None and server.stderr else ""
        )
        yield port, first
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert wayback_processes(port) == [], "the pywb server outlived `newsarchive replay`"


def test_replay_command_serves_a_crawl_folder(
    pywb_tools: ReplayTools, archives: tuple[Path, str]
) -> None:
    """`newsarchive replay OUT` as an archivist runs it: the page comes back as served."""
    out, base = archives
    with replay_command(out) as (port, first):
        assert "2 WARC files" in first
        stamp = warc_timestamps(out)[0]
        body, coding = replay(f"http://127.0.0.1:{port}/crawl/{stamp}id_/{base}/gzip")
        assert DECODERS[coding](body) == GZIPPED


def wayback_processes(port: int) -> list[int]:
    """Process ids of pywb's ``wayback`` servers listening on ``port`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"wayback") for a in argv) and str(port).encode() in argv:
            found.append(int(entry.name))
    return found


def test_replay_command_refuses_an_empty_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "replay", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no *.warc.gz files found" in result.stderr
    assert "Traceback" not in result.stderr


def test_replay_of_a_later_run_alone_serves_the_pages_its_revisits_confirm(
    pywb_tools: ReplayTools, demo_site: DemoSite, tmp_path: Path
) -> None:
    """`newsarchive replay RUN2` of a plan's later run: its revisits' originals come along.

    The second run re-fetched every article with an identical payload (stored as revisits
    of the first run's records); replayed alone, pywb found no original and answered
    503 for each, as ``warc wacz`` and ``replay --rwp`` (which add the earlier files)
    did not.
    """
    _, run2 = crawl_twice_refetching(tmp_path, demo_site.base_url)
    revisits = []
    for path in sorted((run2 / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            revisits += [
                (r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"))
                for r in ArchiveIterator(stream)
                if r.rec_type == "revisit" and "/20" in r.rec_headers.get_header("WARC-Target-URI")
            ]
    assert revisits, "the second run re-fetched no article"
    with replay_command(run2) as (port, first):
        assert "earlier WARC file(s) added for revisits" in first
        url, date = revisits[0]
        stamp = "".join(ch for ch in date if ch.isdigit())[:14]
        body, coding = replay(f"http://127.0.0.1:{port}/crawl/{stamp}id_/{url}")
        assert b"<html" in DECODERS[coding](body).lower()
