"""Decompression bombs fail their page alone, in bounded memory (issue 14, finding 3).

The bomb is a real 1 GiB gzip stream of zeros (about 1 MB; ``gzip_bomb`` repeats one
deflated MiB, so building it inflates nothing). Each command runs in a subprocess
that reports its own peak RSS (``ru_maxrss``) and counts every byte zlib inflated
for it: the bounds below are generous (the default limit is 50 MB) and far under
the gigabyte an unbounded inflate produces.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from support.warcsite import Page, archive_pages, gzip_bomb

from newsarchive import inflate

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (
    ROOT
    / "fixtures"
    / "site"
    / "2024"
    / "05"
    / "24"
    / "fishermen-protest-new-quotas"
    / "index.html"
)
MAX_RSS_KB = 450 * 1024  # peak memory allowed for one command (the bomb is 1 GiB)
MAX_INFLATED = 200 << 20  # bytes one command may inflate in all (the limit is 50 MB)
# Runs ``newsarchive ARGS`` and reports its peak RSS and every byte zlib inflated for it
# (``zlib.decompressobj`` is wrapped: warcio, gzip and our own walk all go through it).
MEASURED = """
import resource, sys, zlib
real = zlib.decompressobj
inflated = 0
class Counting:
    def __init__(self, *args, **kwargs):
        self._inner = real(*args, **kwargs)
    def decompress(self, *args, **kwargs):
        global inflated
        out = self._inner.decompress(*args, **kwargs)
        inflated += len(out)
        return out
    def flush(self, *args):
        global inflated
        out = self._inner.flush(*args)
        inflated += len(out)
        return out
    def __getattr__(self, name):
        return getattr(self._inner, name)
zlib.decompressobj = Counting
from newsarchive.cli import main
code = main(sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"MAXRSS {peak} INFLATED {inflated}\\n")
sys.exit(code)
"""


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = gzip_bomb(1)
    assert len(data) < 2_000_000
    return data


def measured(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, int, int]:
    """Exit status, stdout, stderr, peak RSS (KB) and bytes inflated of ``newsarchive ARGS``."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    peak, _, inflated = result.stderr.rsplit("MAXRSS ", 1)[1].split()[:3]
    return result.returncode, result.stdout, result.stderr, int(peak), int(inflated)


def test_inflate_stops_every_coding_at_the_limit(bomb: bytes) -> None:
    import brotli
    from backports import zstd

    limit = 8 << 20
    zeros = bytes(64 << 20)
    deflater = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    bombs = {
        "gzip": bomb,
        "deflate": deflater.compress(zeros) + deflater.flush(),
        "br": brotli.compress(zeros),
        "zstd": zstd.compress(zeros),
    }
    for coding, data in bombs.items():
        pieces = inflate.iter_inflate([data], coding, limit)
        produced = 0
        with pytest.raises(inflate.TooLarge, match="decompressed size exceeds 8,388,608"):
            for piece in pieces:
                produced += len(piece)
        assert produced <= limit, coding  # stopped at the limit, not after inflating it all
    page = b"<p>fine</p>" * 1000
    assert inflate.decode_content(gzip.compress(zstd.compress(page)), "zstd, gzip") == page


def test_extract_fails_the_bomb_file_alone(bomb: bytes, tmp_path: Path) -> None:
    bomb_file = tmp_path / "page.html.gz"
    bomb_file.write_bytes(bomb)
    good = tmp_path / "good.html.gz"
    good.write_bytes(gzip.compress(ARTICLE.read_bytes()))

    status, out, err, peak, inflated = measured("extract", str(bomb_file), str(good))

    assert status == 1 and "Traceback" not in err
    assert f"cannot read {bomb_file}: decompressed size exceeds" in err
    assert len(out.splitlines()) == 1  # the good file was extracted
    assert peak < MAX_RSS_KB, f"peak RSS {peak} KB"
    assert inflated < MAX_INFLATED, f"{inflated} bytes inflated"


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(ARTICLE.read_bytes()))
    status, _, err, _, _ = measured(
        "extract", str(page), env={"NEWSARCHIVE_MAX_DECOMPRESSED_SIZE": "1000"}
    )
    assert status == 1 and "decompressed size exceeds 1,000 bytes" in err


@pytest.fixture(scope="module")
def bomb_warc(bomb: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bomb")
    html = (("Content-Type", "text/html; charset=utf-8"),)
    archive_pages(
        folder,
        [
            Page("http://news.test/bomb.html", bomb, (*html, ("Content-Encoding", "gzip"))),
            Page("http://news.test/good.html", ARTICLE.read_bytes()),
        ],
    )
    [path] = folder.glob("*.warc.gz")
    return path


def test_reextract_fails_the_bomb_page_alone(bomb_warc: Path) -> None:
    status, out, err, peak, inflated = measured("reextract", str(bomb_warc), "--jobs", "1")

    assert status == 1 and "Traceback" not in err
    assert "page failed: http://news.test/bomb.html: payload: decompressed size exceeds" in err
    assert [line for line in out.splitlines() if "news.test/good.html" in line]
    assert peak < MAX_RSS_KB, f"peak RSS {peak} KB"
    assert inflated < MAX_INFLATED, f"{inflated} bytes inflated"


def test_warc_check_never_inflates_payloads(bomb_warc: Path) -> None:
    status, out, _, peak, inflated = measured("warc", "check", str(bomb_warc))

    assert status == 0 and out.startswith("ok"), out  # a bomb, archived faithfully, is no damage
    assert peak < MAX_RSS_KB, f"peak RSS {peak} KB"
    assert inflated < MAX_INFLATED, f"{inflated} bytes inflated"


def test_warc_fixture_refuses_a_bomb(bomb_warc: Path, tmp_path: Path) -> None:
    status, _, err, peak, inflated = measured(
        "warc",
        "fixture",
        f"{bomb_warc}",
        "--url",
        "http://news.test/bomb.html",
        "-o",
        str(tmp_path / "fx"),
    )

    assert status == 1 and "Traceback" not in err
    assert "newsarchive warc fixture: decompressed size exceeds" in err
    assert peak < MAX_RSS_KB, f"peak RSS {peak} KB"
    assert inflated < MAX_INFLATED, f"{inflated} bytes inflated"
