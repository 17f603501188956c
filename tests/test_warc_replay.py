"""The real proof: pywb replays our WARC files byte for byte, revisits included,
and the WACZ package passes the ``wacz`` validator."""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.warc.testing import RawSite, Route, html_page, http_response

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
WB_MANAGER, WAYBACK = BIN / "wb-manager", BIN / "wayback"
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def crawl(out: Path, url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive.warc.testing", str(out), url],
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
def wayback(archives: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not WB_MANAGER.exists() or not WAYBACK.exists():
        pytest.skip("pywb is not installed (pip install 'newsarchive[replay]')")
    out, _ = archives
    root = tmp_path_factory.mktemp("pywb")
    warcs = sorted(str(p) for p in (out / "warc").glob("*.warc.gz"))
    subprocess.run([str(WB_MANAGER), "init", "coll"], cwd=root, check=True, capture_output=True)
    subprocess.run(
        [str(WB_MANAGER), "add", "coll", *warcs], cwd=root, check=True, capture_output=True
    )
    port = free_port()
    server = subprocess.Popen(
        [str(WAYBACK), "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"wayback exited: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/coll"
    finally:
        server.terminate()
        server.wait(timeout=10)


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
