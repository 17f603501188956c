"""A crawl's WACZ opens on its articles: every one listed, headline as title, capture time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import newsarchive
from newsarchive.warc.wacz import listed_pages

pytestmark = pytest.mark.slow


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_wacz_lists_every_article_of_the_crawl(tmp_path: Path) -> None:
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    crawl = _run("demo", "--out", "demo", cwd=tmp_path)
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    out = next(path.parent for path in (tmp_path / "demo").rglob("manifest.json"))
    articles = list(newsarchive.load(out))
    assert len(articles) >= 10

    packed = _run("warc", "wacz", str(out), "-o", "crawl.wacz", cwd=tmp_path)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    assert f"{len(articles)} articles listed, validated" in packed.stdout

    pages = listed_pages(tmp_path / "crawl.wacz")
    assert {page["url"] for page in pages} == {article["url"] for article in articles}
    titles = {page["url"]: page["title"] for page in pages}
    for article in articles:
        assert titles[article["url"]] == article["headline"]
    captured = {a["url"]: a["provenance"]["fetched_at"] for a in articles}
    for page in pages:  # the capture time, as the spec's RFC 3339 "ts", to the second
        assert page["ts"][:19] == captured[page["url"]][:19], page


def test_crawl_wacz_ends_with_one_validated_file_listing_the_articles(tmp_path: Path) -> None:
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    from newsarchive.server import DemoSite

    with DemoSite() as site:
        run = _run(
            "crawl",
            f"{site.base_url}/",
            "--out",
            "out",
            "--allow-private",
            "--crawl-id",
            "20260101T000000Z-wacz",
            "--wacz",
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    package = tmp_path / "out" / "20260101T000000Z-wacz.wacz"
    articles = list(newsarchive.load(tmp_path / "out"))
    assert f"{len(articles)} of {len(articles)} articles listed)" in run.stdout
    assert {page["url"] for page in listed_pages(package)} == {a["url"] for a in articles}


def test_a_wacz_the_validator_rejects_is_not_called_validated(tmp_path: Path) -> None:
    """``python -m wacz`` exits 0 whatever its verdict: the verdict must still count."""
    import zipfile

    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    from newsarchive.warc.wacz import validate

    broken = tmp_path / "broken.wacz"
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("datapackage.json", '{"profile": "data-package", "resources": []}')
    passed, output = validate(broken)
    assert not passed, output


def test_warc_file_names_are_valid_wacz_resource_names() -> None:
    """WACZ (Frictionless) resource names are ``[-a-z0-9._/]`` (py-wacz lowercases them):
    a ``~`` or ``_`` in our file names made every package we built fail the validator."""
    import re
    from datetime import UTC, datetime

    from newsarchive.warc.naming import host_part, new_name, safe_part

    name = new_name(Path("/nonexistent"), "my prefix~x", datetime(2024, 5, 1, tzinfo=UTC))
    for text in (name.closed_name, host_part(1234), safe_part("Web Host_1~a")):
        assert re.fullmatch(r"[-a-z0-9._/]+", text.lower()), text


def test_a_crawl_of_a_site_serving_brotli_is_packaged(tmp_path: Path) -> None:
    """Most CDNs answer ``Accept-Encoding: br`` with brotli. warcio 1.8 could not decode it
    with brotli 1.2 (Scrapy's), so ``wacz create`` failed on the first such response and
    ``crawl --wacz`` / ``warc wacz`` wrote no package ("'brotli.Decompressor' object has
    no attribute 'unused_data'"). A br bomb in the crawl fails only its own payload."""
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    import brotli
    from trapsite import HostileSite, article_html, crawl

    def brotli_page(body: bytes):  # type: ignore[no-untyped-def]
        def serve(handler):  # type: ignore[no-untyped-def]
            if "br" not in handler.headers.get("Accept-Encoding", ""):
                return 200, [("Content-Type", "text/html; charset=utf-8")], body
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")]
            return 200, headers, brotli.compress(body)

        return serve

    paths = [f"/news/2024-05-0{n}-brotli-story-{n}.html" for n in (1, 2)]
    links = "".join(f'<a href="{p}">story</a>' for p in [*paths, "/news/bomb.html"]).encode()
    routes = {
        "/": brotli_page(b"<html><body>" + links + b"</body></html>"),
        **{p: brotli_page(article_html(p[6:])) for p in paths},
        "/news/bomb.html": brotli_page(b"<p>" + b"a" * (60 << 20)),  # past the 50 MB cap
    }
    with HostileSite(routes) as site:
        run = crawl([f"{site.base}/"], tmp_path / "out")
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.articles()) == len(paths)
    packed = _run("warc", "wacz", str(run.out), "-o", "crawl.wacz", cwd=tmp_path)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    assert "validated" in packed.stdout + packed.stderr
    assert len(listed_pages(tmp_path / "crawl.wacz")) == len(paths)


def test_the_sites_of_one_plan_run_write_warc_files_of_their_own_names(tmp_path: Path) -> None:
    """A plan crawls its sites in one process: each site's first file was opened in the same
    second with serial 00000 and the same HOST-pPID, so two sites' files had one name. A
    WACZ of the run held two entries of that name and failed validation, ``replay`` of the
    plan's output refused ("two WARC files are named ..."), and a row's
    ``provenance.warc_filename`` (with its crawl id) named two files."""
    pytest.importorskip("wacz", reason="wacz is not installed (pip install 'newsarchive[replay]')")
    from support.crawls import crawl_plan, local_plan

    from newsarchive.server import DemoSite

    plan = tmp_path / "plan.toml"
    with DemoSite(generate=3) as one, DemoSite(generate=3) as two:
        second = f'[[sites]]\nname = "two"\nseeds = ["{two.base_url}/"]\nallow_private = true\n'
        text = local_plan(one.base_url, site="one") + "\n" + second
        plan.write_text(text, encoding="utf-8")
        crawl_plan(plan, "run1")
    folders = [tmp_path / "out" / site / "run1" for site in ("one", "two")]
    names = [p.name for folder in folders for p in (folder / "warc").glob("*.warc.gz")]
    assert len(names) == 2 and len(set(names)) == 2, names
    packed = _run("warc", "wacz", *map(str, folders), "-o", "run1.wacz", cwd=tmp_path)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    assert len(listed_pages(tmp_path / "run1.wacz")) == 6
