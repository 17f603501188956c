"""A 304 to a plan's conditional re-fetch is archived as the server sent it, as a
``revisit`` (profile server-not-modified) of the capture its validators came from,
and left out of the replay index: pywb at the 304's time serves the article's bytes
(the capture the 304 confirmed), not an empty 304.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.crawls import REFETCH, crawl_plan, local_plan
from support.redis_server import free_port
from warcio.archiveiterator import ArchiveIterator

from newsarchive.replay import ReplayError, build_collection, ensure_env, start_wayback, stop
from newsarchive.server import DemoSite
from newsarchive.state import CrawlState
from newsarchive.warc.records import NOT_MODIFIED_PROFILE

pytestmark = pytest.mark.slow

ARTICLES = 2


def records(folder: Path) -> Iterator[tuple[Path, Any]]:
    for path in sorted(folder.glob("warc/*.warc.gz")):
        with path.open("rb") as stream:
            yield from ((path, record) for record in ArchiveIterator(stream))


def article_payloads(folder: Path) -> dict[str, bytes]:
    """URL -> decoded payload of every article response under ``folder``."""
    found = {}
    for _, record in records(folder):
        url = record.rec_headers.get_header("WARC-Target-URI")
        if record.rec_type == "response" and url.endswith(".html"):
            found[url] = record.content_stream().read()
    return found


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, str]:
    """A plan crawled twice with ``refetch = "conditional"``: the second run gets 304s."""
    folder = tmp_path_factory.mktemp("not-modified")
    with DemoSite(generate=ARTICLES) as site:
        plan = folder / "plan.toml"
        text = local_plan(site.base_url + "/", name="nm", site="demo", output="out", extra=REFETCH)
        plan.write_text(text, encoding="utf-8")
        crawl_plan(plan, "run1")
        before = len(site.request_log)
        crawl_plan(plan, "run2")
        not_modified = [status for _, _, status in site.request_log[before:] if status == 304]
        base = site.base_url
    assert len(not_modified) == ARTICLES
    return folder / "out/demo/run1", folder / "out/demo/run2", folder / "state/nm.sqlite", base


def test_304_is_a_server_not_modified_revisit_of_the_confirmed_capture(
    two_runs: tuple[Path, Path, Path, str], tmp_path: Path
) -> None:
    run1, run2, state_path, _ = two_runs
    firsts = {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for _, r in records(run1)
        if r.rec_type == "response"
        and r.rec_headers.get_header("WARC-Target-URI").endswith(".html")
    }
    revisits = [
        r
        for _, r in records(run2)
        if r.http_headers is not None and r.http_headers.get_statuscode() == "304"
    ]
    assert len(revisits) == ARTICLES
    with CrawlState(state_path) as state:
        for record in revisits:
            headers = record.rec_headers
            url = headers.get_header("WARC-Target-URI")
            original = firsts[url].rec_headers
            assert record.rec_type == "revisit"
            assert headers.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
            assert headers.get_header("WARC-Refers-To") == original.get_header("WARC-Record-ID")
            assert headers.get_header("WARC-Refers-To-Target-URI") == url
            assert headers.get_header("WARC-Refers-To-Date") == original.get_header("WARC-Date")
            digest = original.get_header("WARC-Payload-Digest")
            assert headers.get_header("WARC-Payload-Digest") == digest
            # the crawl state still names the capture the revisit points at
            capture = state.last_capture(url)
            assert capture is not None and capture.status == 304
            assert capture.warc_record_id == original.get_header("WARC-Record-ID")
            assert capture.payload_digest == digest
    # replay indexes land on the full capture: the 304 has no line of its own
    index = (run2 / "index.cdxj").read_text(encoding="utf-8")
    assert '"status": "304"' not in index and ".html" not in index
    rebuilt = tmp_path / "rebuilt.cdxj"
    done = run_cli("warc", "index", str(run2), "-o", str(rebuilt))
    assert done.returncode == 0, done.stdout + done.stderr
    assert ".html" not in rebuilt.read_text(encoding="utf-8")
    # the new record form passes both checkers, and re-reading both runs finds each
    # article once (a 304 is no page of its own)
    done = run_cli("warc", "check", str(run2))
    assert done.returncode == 0, done.stdout + done.stderr
    for path in sorted(run2.glob("warc/*.warc.gz")):
        warcio = [sys.executable, "-c", "import sys; from warcio.cli import main; main()"]
        checked = subprocess.run([*warcio, "check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    out = tmp_path / "re.jsonl"
    done = run_cli("reextract", str(run1), str(run2), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == ARTICLES  # no 304 as a page


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsarchive", *args], capture_output=True, text=True, timeout=120
    )


def test_pywb_replays_the_article_at_the_304s_time(
    two_runs: tuple[Path, Path, Path, str], tmp_path: Path
) -> None:
    run1, run2, _, _ = two_runs
    try:
        tools = ensure_env()
    except ReplayError as error:
        pytest.fail(f"pywb could not be set up: {error}")
    warcs = sorted([*run1.glob("warc/*.warc.gz"), *run2.glob("warc/*.warc.gz")])
    build_collection(tmp_path, warcs, tools, "coll")
    port = free_port()
    server = start_wayback(tmp_path, tools, port=port)
    originals, replayed = article_payloads(run1), 0
    try:
        for _, record in records(run2):
            if record.rec_type not in ("response", "revisit"):
                continue
            if record.http_headers.get_statuscode() != "304":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            stamp = "".join(c for c in record.rec_headers.get_header("WARC-Date") if c.isdigit())
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/coll/{stamp[:14]}id_/{url}",
                headers={"Accept-Encoding": "gzip"},
            )
            with urllib.request.urlopen(request, timeout=20) as served:
                body = served.read()
                if served.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
            assert body == originals[url]
            replayed += 1
        assert replayed == ARTICLES
    finally:
        stop(server)


def test_warc_fixture_of_a_304_is_the_page_it_confirmed(
    two_runs: tuple[Path, Path, Path, str], tmp_path: Path
) -> None:
    """``warc fixture`` at a 304's pointer (``pages.jsonl``): the article with the original
    capture's status and headers, as replay shows it, not an empty 304 page."""
    run1, run2, _, _ = two_runs
    originals = article_payloads(run1)
    pages = [json.loads(line) for line in (run2 / "pages.jsonl").read_text().splitlines()]
    page = next(p for p in pages if p["outcome"] == "not_modified")
    where = f"{run2 / 'warc' / page['warc_filename']}:{page['warc_record_offset']}"
    done = run_cli("warc", "fixture", where, "-o", str(tmp_path / "fx"))
    assert done.returncode == 0, done.stdout + done.stderr
    meta = json.loads((tmp_path / "fx" / "meta.json").read_text(encoding="utf-8"))
    assert meta["status"] == 200
    assert meta["headers"]["Content-Type"].startswith("text/html")
    assert (tmp_path / "fx" / "body.html").read_bytes() == originals[page["url"]]
    assert json.loads((tmp_path / "fx" / "expected.json").read_text())["page_type"] == "article"
