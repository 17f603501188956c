"""What a plan run's start records in its crawl state from the plan's article batches.

Unit by unit (no crawl; tests/test_state_reconcile.py kills a real one): which
batches a start reads (only those the state has not fully recorded), which records
it records (only those a WARC file still holds), and how (both URLs of a redirect,
a canonical URL only when it gave the article id).
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from newsarchive.export.jsonl import JsonLinesBatchWriter
from newsarchive.normalize import article_id
from newsarchive.state import CrawlState
from newsarchive.statesync import note_in_state, reconcile_state
from newsarchive.surts import surt_key

SITE = "http://news.test"


def record(path: str, **extra: Any) -> dict[str, Any]:
    url = f"{SITE}{path}"
    return {
        "url": url,
        "article_id": article_id(surt_key(url)),
        "content_hash": f"hash of {path}",
        "capture_id": f"capture of {path}",
        "article_version": 1,
        "provenance": {"fetch_status": 200, "fetched_at": "2026-01-01T00:00:00Z"},
        **extra,
    }


def crawl_folder(root: Path, crawl_id: str, records: list[dict[str, Any]]) -> Path:
    """A finished crawl folder: its batch, its WARC file and the index lines naming it."""
    folder = root / "herald" / crawl_id
    writer = JsonLinesBatchWriter(folder / "articles", f"articles-{crawl_id}", 100)
    for one in records:
        writer.write(one)
    writer.close()
    add_archived(folder, [one["url"] for one in records])
    return folder


def add_archived(folder: Path, urls: list[str], warc: str = "w-1.warc.gz") -> None:
    (folder / "warc").mkdir(exist_ok=True)
    (folder / "warc" / warc).touch()
    with (folder / "index.cdxj").open("a", encoding="utf-8") as index:
        for url in urls:
            index.write(f"key 20260101000000 {json.dumps({'url': url, 'filename': warc})}\n")


def test_a_start_reads_only_the_batches_the_state_has_not_fully_recorded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = [record("/2026/01/a.html"), record("/2026/01/b.html")]
    crawl_folder(out, "run1", first)
    with CrawlState(tmp_path / "s.sqlite") as state:
        done = reconcile_state(state, out)
        assert (done.batches_read, done.noted) == (1, 2)
        assert not state.fetch_decision(first[0]["url"]).fetch
        assert state.exported_version(first[1]["article_id"]) == (
            "hash of /2026/01/b.html",
            "capture of /2026/01/b.html",
            1,
        )
        assert reconcile_state(state, out).batches_read == 0  # consistent: nothing read
        crawl_folder(out, "run2", [record("/2026/01/c.html")])
        again = reconcile_state(state, out)
        assert (again.batches_read, again.noted) == (1, 1)  # the new batch alone


def test_an_article_no_warc_file_holds_is_not_recorded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    kept, gone = record("/2026/01/kept.html"), record("/2026/01/gone.html")
    folder = crawl_folder(out, "run1", [kept])
    writer = JsonLinesBatchWriter(folder / "articles", "articles-run1", 100)
    writer.write(gone)  # exported, but its WARC record was deleted since
    writer.close()
    with CrawlState(tmp_path / "s.sqlite") as state:
        done = reconcile_state(state, out)
        assert (done.noted, done.forgotten) == (1, [])
        assert state.fetch_decision(gone["url"]).fetch  # fetched (and archived) again
        assert reconcile_state(state, out).batches_read == 0


def test_a_live_crawls_batches_are_read_but_not_marked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = crawl_folder(out, "run1", [record("/2026/01/a.html")])
    live = folder / "warc" / "w-2.warc.gz.open"
    with live.open("wb") as held:  # a crawl writing there holds its WARC file's lock
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with CrawlState(tmp_path / "s.sqlite") as state:
            assert reconcile_state(state, out).noted == 1
            # it may still add records to the batch: read again next time
            assert reconcile_state(state, out).batches_read == 1
    assert live.exists(), "a live crawl's WARC file was touched"


def test_noting_records_both_urls_of_a_redirect_and_no_foreign_canonical(tmp_path: Path) -> None:
    """The crawl's state pipeline marks a canonical URL only when it gave the article
    id; crawl-finish's noting marked any (a page on one site claiming another site's
    article made the next run skip that article)."""
    url = f"{SITE}/2026/01/moved.html"
    noted = record(
        "/2026/01/moved.html",
        requested_url=f"{SITE}/old/moved",
        canonical_url="http://elsewhere.test/their-story",
    )
    with CrawlState(tmp_path / "s.sqlite") as state:
        note_in_state(state, noted)
        assert not state.fetch_decision(url).fetch
        assert not state.fetch_decision(f"{SITE}/old/moved").fetch
        assert state.fetch_decision("http://elsewhere.test/their-story").fetch
