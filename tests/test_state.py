"""Crawl state: what was archived, conditional headers, runs; batched, crash-safe, fast."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsarchive.state import CrawlState, StateError


def test_only_archived_articles_count_as_seen(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        state.record_fetch("https://a.example/world/", status=200)  # a hub: no article id
        state.record_fetch(
            "https://a.example/2024/05/01/story?utm=x",
            canonical_url="https://a.example/2024/05/01/story",
            article_id="art-1",
            payload_digest="sha1:AAA",
            content_hash="h1",
            status=200,
        )
        state.record_fetch("https://a.example/2024/05/02/broken", article_id="art-2", status=503)
        assert state.seen("https://a.example/2024/05/01/story?utm=x")
        assert state.seen("https://a.example/2024/05/01/story")  # canonical URL
        assert not state.seen("https://a.example/world/")  # hubs are re-read every run
        assert not state.seen("https://a.example/2024/05/02/broken")  # failures are retried
        assert not state.seen("https://a.example/never")
        assert state.seen_article("art-1") and state.content_hash("art-1") == "h1"
        assert state.article_count() == 1  # the 503 is not archived


def test_conditional_headers_and_304_keep_the_capture(tmp_path: Path) -> None:
    url = "https://a.example/story"
    with CrawlState(tmp_path / "s.sqlite") as state:
        assert state.conditional_headers(url) == {}
        state.record_fetch(
            url,
            article_id="a",
            etag='"v1"',
            last_modified="Wed, 01 May 2024 10:00:00 GMT",
            payload_digest="sha1:ORIG",
            status=200,
            warc_record_id="<urn:uuid:1>",
            fetched_at="2024-05-01T10:00:00Z",
        )
        assert state.conditional_headers(url) == {
            "If-None-Match": '"v1"',
            "If-Modified-Since": "Wed, 01 May 2024 10:00:00 GMT",
        }
        state.record_fetch(url, article_id="a", status=304)
        capture = state.last_capture(url)
        assert capture is not None
        assert capture.payload_digest == "sha1:ORIG"
        assert capture.warc_record_id == "<urn:uuid:1>"
        assert capture.fetched_at == "2024-05-01T10:00:00Z"
        assert capture.etag == '"v1"' and capture.fetch_count == 2
        state.record_fetch(url, article_id="a", etag='"v2"', payload_digest="sha1:NEW", status=200)
        assert state.payload_digest(url) == "sha1:NEW"
        assert state.conditional_headers(url)["If-None-Match"] == '"v2"'


def test_writes_are_batched_and_committed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    state = CrawlState(path, commit_every=1000, commit_seconds=3600)
    for i in range(10):
        state.record_fetch(f"https://a.example/{i}", article_id=str(i), status=200)
    other = sqlite3.connect(path)
    assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0
    state.close()
    assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 10
    other.close()


def test_batch_commits_after_n_records(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    state = CrawlState(path, commit_every=5, commit_seconds=3600)
    for i in range(12):
        state.record_fetch(f"https://a.example/{i}", status=200)
    other = sqlite3.connect(path)
    assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 10
    other.close()
    state.close()


KILLED_WRITER = """
import os, signal, sys
from newsarchive.state import CrawlState
state = CrawlState(sys.argv[1], commit_every=100, commit_seconds=3600)
run = state.start_run("demo")
for i in range(250):
    state.record_fetch(f"https://a.example/{i}", article_id=str(i), status=200)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_mid_crawl_keeps_committed_batches_and_a_usable_database(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], capture_output=True)
    assert proc.returncode == -9
    with CrawlState(path) as state:
        assert state.article_count() == 200  # two full batches; the open one rolled back
        assert state.seen("https://a.example/199") and not state.seen("https://a.example/200")
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The killed run is found open and marked interrupted by the next one.
        state.start_run("demo")
        assert [r.status for r in state.runs("demo")] == ["interrupted", "running"]


def test_runs_and_previous_run(tmp_path: Path) -> None:
    clock = iter(datetime(2024, 5, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(100))
    with CrawlState(tmp_path / "s.sqlite", clock=lambda: next(clock)) as state:
        assert state.previous_run("demo") is None
        first = state.start_run("demo")
        state.finish_run(first, {"articles": 10, "coverage": {"headline": 1.0}})
        other = state.start_run("other")
        state.finish_run(other, {"articles": 1})
        second = state.start_run("demo")
        previous = state.previous_run("demo", before=second)
        assert previous is not None and previous.run_id == first
        assert previous.stats == {"articles": 10, "coverage": {"headline": 1.0}}
        assert previous.started_at == "2024-05-01T00:00:00Z"
        state.finish_run(second, {"articles": 12})
        latest = state.previous_run("demo")
        assert latest is not None and latest.run_id == second and latest.stats["articles"] == 12
        with pytest.raises(KeyError):
            state.finish_run(999, {})


def test_schedule_slots_persist(tmp_path: Path) -> None:
    slot = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    with CrawlState(tmp_path / "s.sqlite") as state:
        assert state.last_slot("demo") is None
        state.set_last_slot("demo", slot)
    with CrawlState(tmp_path / "s.sqlite") as state:
        assert state.last_slot("demo") == slot


def test_bad_files_give_a_clear_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="cannot open crawl state"):
        CrawlState(garbage)
    newer = tmp_path / "newer.sqlite"
    CrawlState(newer).close()
    db = sqlite3.connect(newer)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="newer newsarchive"):
        CrawlState(newer)


def test_fast_enough_for_a_crawl(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        started = time.perf_counter()
        for i in range(20_000):
            url = f"https://a.example/2024/05/01/story-{i}"
            if not state.seen(url):
                state.record_fetch(url, url, f"id-{i}", '"e"', None, "sha1:X", "h", 200)
        elapsed = time.perf_counter() - started
    # About 20k fetches/s on a laptop; a crawl does a few hundred per second at most.
    assert elapsed < 10, f"20,000 seen+record_fetch took {elapsed:.1f}s"


def test_fetch_decision_by_refetch_policy(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        url = "https://a.example/2024/05/01/story"
        new = state.fetch_decision(url, "never")
        assert new.fetch and new.reason == "new" and new.headers == {}
        state.record_fetch(url, article_id="a", etag='"v1"', status=200)
        assert state.fetch_decision(url, "never").fetch is False
        again = state.fetch_decision(url, "conditional")
        assert again.fetch and again.reason == "conditional"
        assert again.headers == {"If-None-Match": '"v1"'}
        state.record_fetch("https://a.example/no-validators", article_id="b", status=200)
        assert (
            state.fetch_decision("https://a.example/no-validators", "conditional").reason
            == "refetch"
        )
        with pytest.raises(ValueError, match="refetch must be one of"):
            state.fetch_decision(url, "always")


def test_a_resumed_crawl_continues_its_run(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        run = state.start_run("demo")
    with CrawlState(tmp_path / "s.sqlite") as state:  # the process was killed and resumed
        assert state.start_run("demo", resume_run_id=run) == run
        state.finish_run(run, {"articles": 3})
        # A finished run cannot be resumed: a new one starts.
        assert state.start_run("demo", resume_run_id=run) != run
        assert [r.status for r in state.runs("demo")] == ["finished", "running"]


def test_maybe_commit_releases_an_idle_batch(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    state = CrawlState(path, commit_every=1000, commit_seconds=0.05)
    state.record_fetch("https://a.example/1", article_id="1", status=200)
    state.maybe_commit()  # too young: still open
    other = sqlite3.connect(path)
    assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0
    time.sleep(0.06)
    state.maybe_commit()
    assert other.execute("SELECT count(*) FROM fetches").fetchone()[0] == 1
    other.close()
    state.close()


def test_usable_from_several_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with CrawlState(tmp_path / "s.sqlite", commit_every=7) as state:

        def work(i: int) -> bool:
            state.record_fetch(f"https://a.example/{i}", article_id=str(i), status=200)
            return state.seen(f"https://a.example/{i}")

        with ThreadPoolExecutor(4) as pool:
            assert all(pool.map(work, range(200)))
        assert state.article_count() == 200
        assert len(state.articles()) == 200
