"""A plan's next run of Redis workers mends what earlier runs left, as a local run does.

A killed worker's ``.open`` files are finished (the crawl was never ``crawl-finish``ed,
and nobody resumes it), and articles whose run folder was deleted are forgotten by the
Redis state, so they are fetched and archived again; a live worker is never touched.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.crawls import exported_articles, run_newsarchive, setting_args
from support.redis_server import LocalRedis
from test_distributed_crawl import (
    finish,
    pages_fetched,
    plan_file,
    start_plan_worker,
    wait_for,
    worker_folders,
)
from test_warc_writer import exchange, write_pair

from newsarchive.server import DemoSite

WARCIO = str(Path(sys.executable).with_name("warcio"))
STALE_AFTER = "3"  # seconds: a killed worker is dead, and its files quiet, 3 s after the kill


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite(generate=120) as served:
        yield served


def next_run(plan: Path, redis_url: str, crawl_id: str) -> subprocess.CompletedProcess[str]:
    """One worker of the plan's next run (a crawl id of its own), to the end."""
    settings = {
        "NEWSARCHIVE_PROGRESS": "False",
        "NEWSARCHIVE_REDIS_IDLE_GRACE": "1.5",
        "NEWSARCHIVE_REDIS_STALE_AFTER": STALE_AFTER,
    }
    command = ["-v", "crawl", "--plan", plan, "--redis", redis_url, "--crawl-id", crawl_id]
    return run_newsarchive(*command, *setting_args(settings), cwd=plan.parent, timeout=300)


def whole_members(paths: list[Path]) -> int:
    from newsarchive.warc.gzipwalk import walk_members

    return sum(len(walk_members(path).members) for path in paths)


def response_urls(paths: list[Path]) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    urls = []
    for path in paths:
        with path.open("rb") as stream:
            urls += [
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            ]
    return urls


@pytest.mark.slow
def test_plan_next_run_finishes_a_killed_workers_open_files(
    site: DemoSite, redis_server: LocalRedis, tmp_path: Path
) -> None:
    """Two workers, one killed with SIGKILL mid-record, no crawl-finish: the next run
    finishes its files (valid for warcio and ``warc check``), every whole record kept."""
    from newsarchive.warc.check import check_file

    plan = plan_file(tmp_path, site, "nextrun")
    first = start_plan_worker(
        plan, redis_server.url, "run-1", tmp_path / "first.log", NEWSARCHIVE_REDIS_STALE_AFTER="3"
    )
    out = tmp_path / "output" / "gen" / "run-1"
    wait_for(
        lambda: (out / "workers").exists() and sum(map(pages_fetched, worker_folders(out))) >= 20,
        "the first worker's pages",
        timeout=120,
    )
    second_log = tmp_path / "second.log"
    second = start_plan_worker(plan, redis_server.url, "run-1", second_log)
    wait_for(
        lambda: len(worker_folders(out)) == 2 and min(map(pages_fetched, worker_folders(out))) >= 5,
        "the second worker's pages",
        timeout=120,
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert finish(second, second_log) == 0, second_log.read_text()[-3000:]
    [killed] = [f for f in worker_folders(out) if f.name.endswith(f"-p{first.pid}")]
    opened = sorted(killed.glob("warc/*.warc.gz.open"))
    assert opened, "the killed worker left no open WARC file"
    kept = whole_members(sorted(killed.glob("warc/*.warc.gz")) + opened)
    # The kill's torn record: the first bytes of one more gzip member.
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 4000)
    with opened[-1].open("ab") as handle:
        handle.write(torn[: len(torn) // 2])
    time.sleep(float(STALE_AFTER) + 0.5)  # its heartbeat stale, its files quiet

    done = next_run(plan, redis_server.url, "run-2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(killed.rglob("*.open")) == []
    finished = sorted(killed.glob("warc/*.warc.gz"))
    for path in finished:
        checked = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert check_file(path).ok, check_file(path)
    assert whole_members(finished) == kept
    # Its index lists each of its responses (replay and the state read it).
    index = (killed / "index.cdxj").read_text(encoding="utf-8")
    assert all(f'"url": "{url}"' in index for url in response_urls(finished))
    # No manifest: a later crawl-finish still rebuilds what it archived but never exported.
    assert not (killed / "manifest.json").exists()


@pytest.mark.slow
def test_plan_next_run_fetches_again_the_articles_of_a_deleted_run(
    site: DemoSite, redis_server: LocalRedis, tmp_path: Path
) -> None:
    """Redis state: a deleted run's articles are archived (in full) and exported again."""
    import shutil

    plan = plan_file(tmp_path, site, "deleted")
    first = next_run(plan, redis_server.url, "del-1")
    assert first.returncode == 0, first.stderr[-3000:]
    run1 = tmp_path / "output" / "gen" / "del-1"
    articles = {r["url"] for r in exported_articles(run1, "workers/*/articles/*.jsonl.gz")}
    assert len(articles) == 120
    shutil.rmtree(run1)

    second = next_run(plan, redis_server.url, "del-2")
    assert second.returncode == 0, second.stderr[-3000:]
    run2 = tmp_path / "output" / "gen" / "del-2"
    exported = [r["url"] for r in exported_articles(run2, "workers/*/articles/*.jsonl.gz")]
    assert sorted(exported) == sorted(articles)
    archived = response_urls(sorted(run2.glob("workers/*/warc/*.warc.gz")))
    assert articles <= set(archived), "articles archived as revisits of deleted records"
    assert "no longer in any WARC file" in second.stderr


def test_forgetting_spares_a_capture_a_peer_changed_or_just_made(
    redis_server: LocalRedis,
) -> None:
    """The compare-and-delete keeps a fetch rewritten since it was read, and recent fetches."""
    from newsarchive.distributed.state import RedisCrawlState

    state = RedisCrawlState(redis_server.client(), "forgetting")
    for n, fetched in ((1, "2026-01-01T00:00:00Z"), (2, "2026-01-01T00:00:00Z")):
        state.record_fetch(
            f"http://a.test/{n}", article_id=f"id{n}", status=200, fetched_at=fetched
        )
    state.record_fetch("http://a.test/3", article_id="id3", status=200)  # fetched now
    snapshot = state._archived_fetches()
    # A peer archives /2 again after the snapshot was read.
    state.record_fetch(
        "http://a.test/2", article_id="id2", status=200, fetched_at="2026-01-02T00:00:00Z"
    )
    state._archived_fetches = lambda: snapshot  # type: ignore[method-assign]
    forgotten = state.forget_missing(lambda url: False, fetched_before="2026-06-01T00:00:00Z")
    assert forgotten == ["http://a.test/1"]
    assert not state.seen("http://a.test/1") and not state.seen_article("id1")
    assert state.seen("http://a.test/2") and state.seen("http://a.test/3")


def test_finishing_earlier_runs_leaves_a_live_worker_alone(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """Only a worker without a fresh heartbeat is finished, by one process at a time;
    the current crawl is skipped."""
    from newsarchive.distributed.heartbeats import Heartbeat
    from newsarchive.distributed.nextrun import finish_killed_workers
    from newsarchive.warc.writer import RotatingWarcWriter

    root = tmp_path / "output"
    folders = {
        name: root / "gen" / crawl / "workers" / name
        for name, crawl in (("dead", "old"), ("live", "old"), ("peer", "now"))
    }
    made = tmp_path / "made"
    with RotatingWarcWriter(made, "w") as writer:
        write_pair(writer, exchange("/a"))
    [warc] = made.glob("*.warc.gz")
    long_ago = time.time() - 600
    for folder in folders.values():
        (folder / "warc").mkdir(parents=True)
        target = folder / "warc" / f"{warc.name}.open"
        target.write_bytes(warc.read_bytes())
        os.utime(target, (long_ago, long_ago))
    client = redis_server.client()
    beat = Heartbeat("live", "h", 1, True, time.time(), long_ago, str(folders["live"]))
    client.hset("newsarchive:crawl:old:gen:workers", "live", beat.to_json())

    # Another worker of the new run is finishing that crawl's files: this one skips them.
    client.set("newsarchive:crawl:old:recovering", "another", ex=60)
    finish_killed_workers(client, root, root / "gen" / "now", stale_after=3)
    assert (folders["dead"] / "warc" / f"{warc.name}.open").exists()
    client.delete("newsarchive:crawl:old:recovering")

    finish_killed_workers(client, root, root / "gen" / "now", stale_after=3)
    assert not client.exists("newsarchive:crawl:old:recovering")  # released
    assert [p.name for p in (folders["dead"] / "warc").iterdir()] == [warc.name]
    assert (folders["live"] / "warc" / f"{warc.name}.open").exists()
    assert (folders["peer"] / "warc" / f"{warc.name}.open").exists()


def test_workers_without_a_shared_file_system_can_keep_what_they_cannot_see(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """``NEWSARCHIVE_REDIS_FORGET_GONE = False``: files out of sight forget nothing."""
    from newsarchive.distributed.nextrun import reconcile_worker_state
    from newsarchive.distributed.state import RedisCrawlState

    state = RedisCrawlState(redis_server.client(), "elsewhere")
    state.record_fetch("http://a.test/1", article_id="id1", status=200, fetched_at="2026-01-01")
    root, current = tmp_path / "output", tmp_path / "output" / "gen" / "now"
    assert reconcile_worker_state(state, root, current, 3.0, forget=False) == []
    assert state.seen("http://a.test/1")
    assert reconcile_worker_state(state, root, current, 3.0) == ["http://a.test/1"]
    assert not state.seen("http://a.test/1")
