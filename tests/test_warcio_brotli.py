"""warcio's own tools on the WARC files of a crawl of a site serving ``br``.

Most CDNs answer ``Accept-Encoding: br`` with brotli. warcio 1.8.1 set an attribute
on Google's ``brotli.Decompressor()``, which brotli 1.2 (Scrapy's) refuses, so
``warcio check`` (as docs/warc.md suggests) and any ``content_stream()`` stopped with a
traceback at the first such response. warcio 1.8.2 decodes ``br`` only with
brotlicffi and leaves it encoded otherwise; ``newsarchive.inflate.install_warcio_brotli``
(what ``warc wacz`` runs) makes it decode with newsarchive's capped decoder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BODY = b"<html><body><h1>Ferry fares</h1><p>" + b"The ferry raised its fares. " * 60 + b"</p>"


def brotli_crawl(tmp_path: Path) -> list[Path]:
    import brotli
    from trapsite import HostileSite, crawl

    def serve(handler):  # type: ignore[no-untyped-def]
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")]
        return 200, headers, brotli.compress(BODY)

    with HostileSite({"/": serve}) as site:
        run = crawl([f"{site.base}/"], tmp_path / "out")
    assert run.returncode == 0, run.stderr[-3000:]
    return sorted((tmp_path / "out" / "warc").glob("*.warc.gz"))


def test_warcio_check_passes_a_crawl_of_brotli_pages(tmp_path: Path) -> None:
    warcs = brotli_crawl(tmp_path)
    warcio = Path(sys.executable).parent / "warcio"
    checked = subprocess.run(
        [str(warcio), "check", "-v", *map(str, warcs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "Traceback" not in checked.stderr
    assert "digest pass" in checked.stdout


def test_warcio_content_stream_decodes_brotli_with_our_decoder(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    from newsarchive.inflate import install_warcio_brotli

    [warc] = brotli_crawl(tmp_path)
    install_warcio_brotli()
    with warc.open("rb") as stream:
        pages = [
            record.content_stream().read()
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
            and record.http_headers.get_statuscode() == "200"
            and record.http_headers.get_header("Content-Encoding") == "br"
        ]
    assert pages == [BODY]
