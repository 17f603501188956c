"""Two `newsarchive crawl --redis` workers share one crawl of a local site through Redis.

A real redis-server (installed with apt-get when missing and possible, else
the tests skip and say why) and a generated site of a few hundred articles,
both on 127.0.0.1. Every article must be captured exactly once across the
workers: once in the server's request log, once among the WARC response
records, once in the JSON output; also when one worker is stopped with
SIGINT mid-crawl. ``crawl-finish`` merges the index, manifest and report and leaves
no key of the crawl behind.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.crawls import (
    NEWSARCHIVE,
    HeldArticles,
    crawl_command,
    exported_articles,
    local_plan,
    run_newsarchive,
    serve_held,
    setting_args,
    start_logged,
)
from support.redis_server import LocalRedis

from newsarchive.server import DemoSite

pytestmark = pytest.mark.slow

ARTICLES = 240
WORKER_TIMEOUT = 180
# No politeness for the local site, but a small delay so that one worker cannot finish
# the whole site before the second has started (each worker has its own delay slot).
WORKER_SETTINGS = {
    "DOWNLOAD_DELAY": "0.04",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
    "AUTOTHROTTLE_ENABLED": "False",
    "NEWSARCHIVE_PROGRESS": "False",
    "NEWSARCHIVE_REDIS_IDLE_GRACE": "1.5",
    "LOG_LEVEL": "INFO",
}


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite(generate=ARTICLES) as served:
        yield served


@pytest.fixture
def held_site() -> Iterator[tuple[DemoSite, HeldArticles]]:
    """The site, holding article responses after the first 30 until the test releases them.

    The first worker cannot finish the site before the second has started (under load
    a worker's start-up can take longer than the whole crawl).
    """
    with serve_held(ARTICLES, free=30) as served:
        yield served


def inflight_of(redis_server: LocalRedis, crawl_id: str, worker: subprocess.Popen[bytes]) -> int:
    """How many requests ``worker`` holds (taken from the shared queue, not yet done)."""
    client = redis_server.client()
    pattern = f"newsarchive:crawl:{crawl_id}:*:inflight:*-p{worker.pid}"
    return sum(client.hlen(key) for key in client.scan_iter(match=pattern))


def start_second_worker(
    start: Callable[[], subprocess.Popen[bytes]],
    first: subprocess.Popen[bytes],
    redis_server: LocalRedis,
    crawl_id: str,
    out: Path,
    first_pages: int = 20,
) -> subprocess.Popen[bytes]:
    """``start()`` a second worker once ``first`` has pages; return once both hold requests.

    ``held_site`` holds article responses after its first 30, so both workers then
    wait at the server with requests taken from the shared queue: a signal sent now
    finds each of them midway, however loaded the machine. (The tests waited for pages
    on disk instead, which a loaded machine wrote after the whole site was fetched.)
    The test releases the site once it has sent its signal.
    """
    wait_for(
        lambda: (
            (out / "workers").exists()
            and sum(pages_fetched(f) for f in worker_folders(out)) >= first_pages
        ),
        "the first worker's pages",
        timeout=120,
    )
    second = start()
    wait_for(
        lambda: (
            inflight_of(redis_server, crawl_id, first) > 0
            and inflight_of(redis_server, crawl_id, second) > 0
        ),
        "requests held by both workers",
        timeout=120,
    )
    return second


def start_worker(
    site: DemoSite, redis_url: str, crawl_id: str, out: Path, log_path: Path, **extra: str
) -> subprocess.Popen[bytes]:
    settings = {**WORKER_SETTINGS, **extra}
    url = f"{site.base_url}/"
    command = crawl_command(
        url, out, "--redis", redis_url, crawl_id=crawl_id, settings=settings, verbose=True
    )
    return start_logged(command, log_path)


def finish(process: subprocess.Popen[bytes], log_path: Path) -> int:
    try:
        return process.wait(timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"worker did not finish: {log_path.read_text()[-3000:]}")


def worker_folders(out: Path) -> list[Path]:
    return sorted(p for p in (out / "workers").iterdir() if p.is_dir())


def pages_fetched(folder: Path) -> int:
    pages = folder / "pages.jsonl"
    return sum(1 for _ in pages.open(encoding="utf-8")) if pages.exists() else 0


def wait_for(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def exported_urls(folder: Path) -> list[str]:
    return [record["url"] for record in exported_articles(folder)]


def warc_response_urls(out: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    urls = []
    for path in sorted(out.glob("workers/*/warc/*.warc.gz")):
        with path.open("rb") as stream:
            urls.extend(
                record.rec_headers.get_header("WARC-Target-URI")
                for record in ArchiveIterator(stream)
                if record.rec_type == "response"
            )
    return urls


def article_urls(site: DemoSite) -> set[str]:
    from newsarchive.server.generated import generated_article

    return {f"{site.base_url}{generated_article(n).path}" for n in range(1, ARTICLES + 1)}


def assert_each_article_once(site: DemoSite, out: Path) -> list[int]:
    """Every article requested, archived and exported exactly once; per-worker export counts."""
    expected = article_urls(site)
    fetched = Counter(
        f"{site.base_url}{path}" for method, path, _ in site.request_log if method == "GET"
    )
    assert {url: fetched[url] for url in expected if fetched[url] != 1} == {}
    archived = Counter(warc_response_urls(out))
    assert {url: archived[url] for url in expected if archived[url] != 1} == {}
    per_worker = [exported_urls(folder) for folder in worker_folders(out)]
    exported = Counter(url for urls in per_worker for url in urls)
    assert set(exported) == expected
    assert max(exported.values()) == 1
    return [len(urls) for urls in per_worker]


def crawl_finish(
    redis_url: str, crawl_id: str, out: Path, *options: str
) -> tuple[int, dict[str, Any], str]:
    done = run_newsarchive(
        "crawl-finish",
        crawl_id,
        "--redis",
        redis_url,
        "--out",
        out,
        "--json",
        *options,
        timeout=120,
    )
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return done.returncode, report, done.stderr


def test_two_workers_capture_every_article_once(
    site: DemoSite, redis_server: LocalRedis, tmp_path: Path
) -> None:
    out = tmp_path / "crawl"
    crawl_id = "two-workers"
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(site, redis_server.url, crawl_id, out, log) for log in logs]
    for worker, log in zip(workers, logs, strict=True):
        assert finish(worker, log) == 0, log.read_text()[-3000:]
        # scrapy-redis 0.9's deprecated stats calls are its own, not the user's to act on
        assert "DeprecationWarning" not in log.read_text(), log.read_text()[-3000:]

    counts = assert_each_article_once(site, out)
    assert len(counts) == 2 and all(counts), f"articles per worker: {counts}"
    # A worker joining after the end finds every URL seen: it fetches nothing, exits 0.
    late_log = tmp_path / "worker-late.log"
    late = start_worker(site, redis_server.url, crawl_id, out, late_log)
    assert finish(late, late_log) == 0, late_log.read_text()[-3000:]
    assert_each_article_once(site, out)
    client = redis_server.client()
    names = list(client.scan_iter(match="*"))
    assert names, "a finished crawl keeps its keys until crawl-finish (SCHEDULER_PERSIST)"
    assert all(n.startswith(f"newsarchive:crawl:{crawl_id}:") for n in names), names

    status, report, stderr = crawl_finish(redis_server.url, crawl_id, out)
    assert status == 0, stderr
    assert report["queued_requests"] == 0
    assert report["seen_fingerprints"] >= ARTICLES
    assert report["deleted"] >= 1 and report["remaining"] == 0
    assert list(client.scan_iter(match=f"newsarchive:crawl:{crawl_id}:*")) == []

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["articles"] == ARTICLES
    assert {w["name"] for w in manifest["workers"]} == {p.name for p in worker_folders(out)}
    listed = {entry["path"] for entry in manifest["warc_files"]}
    assert listed == {p.relative_to(out).as_posix() for p in out.glob("workers/*/warc/*.warc.gz")}
    index = (out / "index.cdxj").read_text().splitlines()
    assert index == sorted(index)
    indexed_articles = {json.loads(line.split(" ", 2)[2])["url"] for line in index}
    assert article_urls(site) <= indexed_articles
    for line in index:
        assert (out / json.loads(line.split(" ", 2)[2])["filename"]).exists()
    crawl_report = json.loads((out / "report.json").read_text())
    assert crawl_report["totals"]["articles"] == ARTICLES
    assert (
        sum(
            site_report["outcomes"].get("article", 0)
            for site_report in crawl_report["sites"].values()
        )
        == ARTICLES
    )


def test_worker_stopped_with_sigint_loses_and_duplicates_nothing(
    held_site: tuple[DemoSite, HeldArticles], redis_server: LocalRedis, tmp_path: Path
) -> None:
    site, gate = held_site
    out = tmp_path / "crawl"
    crawl_id = "sigint"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(site, redis_server.url, crawl_id, out, first_log)
    second = start_second_worker(
        lambda: start_worker(site, redis_server.url, crawl_id, out, second_log),
        first,
        redis_server,
        crawl_id,
        out,
    )
    first.send_signal(signal.SIGINT)
    gate.released.set()
    finish(first, first_log)
    assert "shutting down gracefully" in first_log.read_text()
    assert finish(second, second_log) == 0, second_log.read_text()[-3000:]

    counts = assert_each_article_once(site, out)
    assert all(counts), f"articles per worker: {counts}"
    status, report, stderr = crawl_finish(redis_server.url, crawl_id, out)
    assert status == 0, stderr
    assert report["remaining"] == 0
    assert json.loads((out / "manifest.json").read_text())["counts"]["articles"] == ARTICLES


def test_requests_of_a_worker_killed_with_sigkill_are_fetched_by_the_others(
    held_site: tuple[DemoSite, HeldArticles], redis_server: LocalRedis, tmp_path: Path
) -> None:
    site, gate = held_site
    out = tmp_path / "crawl"
    crawl_id = "sigkill"
    stale = {"NEWSARCHIVE_REDIS_STALE_AFTER": "3"}
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(site, redis_server.url, crawl_id, out, first_log, **stale)
    second = start_second_worker(
        lambda: start_worker(site, redis_server.url, crawl_id, out, second_log, **stale),
        first,
        redis_server,
        crawl_id,
        out,
    )
    held = inflight_of(redis_server, crawl_id, first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    gate.released.set()
    assert finish(second, second_log) == 0, second_log.read_text()[-3000:]
    log_text = second_log.read_text()

    status, report, stderr = crawl_finish(redis_server.url, crawl_id, out, "--stale-after", "3")
    assert status == 0, stderr
    assert report["inflight_requests"] == 0 and report["remaining"] == 0
    expected = article_urls(site)
    archived = Counter(warc_response_urls(out))
    assert expected - set(archived) == set(), "articles the killed worker took were lost"
    # Fetched twice at most: what the killed worker held (fetched, not yet done) and a
    # live worker put back on the queue.
    twice = [url for url in expected if archived[url] > 1]
    requeued = sum(
        int(n) for n in re.findall(r"(\d+) of its requests back on the shared queue", log_text)
    )
    assert len(twice) <= requeued, (twice, requeued)
    # It died holding requests (the site held them), and the live worker took them over.
    assert held > 0 and requeued > 0, (held, requeued)


def test_crawl_finish_refuses_while_work_remains(redis_server: LocalRedis, tmp_path: Path) -> None:
    from newsarchive.distributed.heartbeats import Heartbeat

    client = redis_server.client()
    crawl_id = "unfinished"
    client.zadd(f"newsarchive:crawl:{crawl_id}:news:requests", {"pickled-request": 0})
    client.sadd(f"newsarchive:crawl:{crawl_id}:news:dupefilter", "fp1", "fp2")
    client.sadd("newsarchive:crawl:unfinished-other:news:dupefilter", "fp")  # another crawl
    command = ["crawl-finish", crawl_id, "--redis", redis_server.url]
    refused = run_newsarchive(*command, timeout=60)
    assert refused.returncode == 1 and "1 requests are still queued" in refused.stderr
    assert "seen fingerprints: 2" in refused.stdout
    client.delete(f"newsarchive:crawl:{crawl_id}:news:requests")
    alive = Heartbeat(
        worker="other~p1",
        host="other",
        pid=1,
        busy=True,
        seen=time.time(),
        started=time.time(),
        out_dir="x",
    )
    client.hset(f"newsarchive:crawl:{crawl_id}:workers", alive.worker, alive.to_json())
    refused = run_newsarchive(*command, timeout=60)
    assert refused.returncode == 1 and "still alive: other~p1" in refused.stderr
    forced = run_newsarchive(*command, "--force", timeout=60)
    assert forced.returncode == 0, forced.stderr
    assert list(client.scan_iter(match=f"newsarchive:crawl:{crawl_id}:*")) == []
    assert client.exists("newsarchive:crawl:unfinished-other:news:dupefilter")
    bad = run_newsarchive("crawl-finish", "x*", "--redis", redis_server.url, timeout=60)
    assert bad.returncode == 2 and "crawl id" in bad.stderr
    unreachable = run_newsarchive(
        "crawl-finish", "x", "--redis", "redis://127.0.0.1:1/0", timeout=60
    )
    assert unreachable.returncode == 2 and "cannot reach Redis" in unreachable.stderr


def test_plan_workers_share_a_site_queue_under_the_crawl_and_site(
    site: DemoSite, redis_server: LocalRedis, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.toml"
    text = local_plan(site.base_url, name="shared", site="gen", output="output")
    plan.write_text(text, encoding="utf-8")
    crawl_id = "plan-crawl"
    command = [*NEWSARCHIVE, "-v", "crawl", "--plan", str(plan), "--redis", redis_server.url]
    command += ["--crawl-id", crawl_id, "-s", "NEWSARCHIVE_PROGRESS=False"]
    command += ["-s", "NEWSARCHIVE_REDIS_IDLE_GRACE=1.5"]
    logs = [tmp_path / "plan-1.log", tmp_path / "plan-2.log"]
    workers = [start_logged(command, log) for log in logs]
    client = redis_server.client()
    queue = f"newsarchive:crawl:{crawl_id}:gen:news:requests"
    wait_for(
        lambda: client.exists(queue) or all(w.poll() is not None for w in workers),
        "the site's queue",
    )
    for worker, log in zip(workers, logs, strict=True):
        assert finish(worker, log) == 0, log.read_text()[-3000:]

    out = tmp_path / "output" / "gen" / crawl_id
    per_worker = assert_each_article_once(site, out)
    names = list(client.scan_iter(match=f"newsarchive:crawl:{crawl_id}:*"))
    assert names and all(n.startswith(f"newsarchive:crawl:{crawl_id}:gen:") for n in names)
    status, report, stderr = crawl_finish(redis_server.url, crawl_id, out)
    assert status == 0, stderr
    assert report["remaining"] == 0
    # The plan's incremental state moved to Redis: shared by the workers, one run for both,
    # and no SQLite state file written beside the plan.
    assert client.scard("newsarchive:state:shared:articles") == sum(per_worker)
    assert not (tmp_path / "state" / "shared.sqlite").exists()
    run_ids = client.zrange("newsarchive:state:shared:runs:site:gen", 0, -1)
    assert len(run_ids) == 1, run_ids


def plan_file(tmp_path: Path, site: DemoSite, name: str) -> Path:
    plan = tmp_path / f"{name}.toml"
    text = local_plan(
        site.base_url, name=name, site="gen", output="output", delay=0.08, concurrency=4
    )
    plan.write_text(text, encoding="utf-8")
    return plan


def start_plan_worker(
    plan: Path, redis_url: str, crawl_id: str, log_path: Path, **extra: str
) -> subprocess.Popen[bytes]:
    command = [*NEWSARCHIVE, "-v", "crawl", "--plan", str(plan), "--redis", redis_url]
    command += ["--crawl-id", crawl_id]
    settings = {
        "NEWSARCHIVE_PROGRESS": "False",
        "NEWSARCHIVE_REDIS_IDLE_GRACE": "1.5",
        "NEWSARCHIVE_REDIS_STALE_AFTER": "3",
        **extra,
    }
    return start_logged([*command, *setting_args(settings)], log_path, cwd=plan.parent)


def exported_records(out: Path) -> list[dict[str, Any]]:
    return exported_articles(out, "workers/*/articles/*.jsonl.gz")


@pytest.mark.parametrize(
    ("lag_order", "rebuilds"),
    [
        # Items wait before every pipeline (a busy extraction pool): the killed worker's
        # unfinished pages stay in flight, go back on the queue and the other worker
        # fetches and exports them.
        (50, False),
        # Items wait after the state, dedupe and claim pipelines, just before the export
        # (a slow disk): the other worker's copies are dropped as exported already, so
        # crawl-finish must rebuild them from the killed worker's WARC files.
        (795, True),
    ],
)
def test_sigkilled_worker_loses_and_duplicates_no_record_after_crawl_finish(
    held_site: tuple[DemoSite, HeldArticles],
    redis_server: LocalRedis,
    tmp_path: Path,
    lag_order: int,
    rebuilds: bool,
) -> None:
    """kill -9 of a worker whose pages pile up before export, then crawl-finish: each article once.

    The killed worker holds every item 1.5 s (at ``lag_order`` among the pipelines),
    so it dies with dozens of archived pages not yet exported.
    """
    site, gate = held_site
    from newsarchive.distributed.settings import project_components

    pipelines = {
        **project_components("ITEM_PIPELINES"),
        "support.redis_server.LaggingItemsPipeline": lag_order,
    }
    plan = plan_file(tmp_path, site, f"killed{lag_order}")
    crawl_id = f"plan-sigkill-{lag_order}"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_plan_worker(
        plan,
        redis_server.url,
        crawl_id,
        first_log,
        ITEM_PIPELINES=json.dumps(pipelines),
        NEWSARCHIVE_TEST_ITEM_LAG="1.5",
    )
    out = tmp_path / "output" / "gen" / crawl_id
    second = start_second_worker(
        lambda: start_plan_worker(plan, redis_server.url, crawl_id, second_log),
        first,
        redis_server,
        crawl_id,
        out,
        first_pages=25,
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    gate.released.set()
    assert finish(second, second_log) == 0, second_log.read_text()[-3000:]
    time.sleep(3.5)  # the killed worker's files must look quiet to crawl-finish (--stale-after 3)

    status, report, stderr = crawl_finish(redis_server.url, crawl_id, out, "--stale-after", "3")
    assert status == 0, stderr
    rebuilt = report["merge"]["rebuilt"]
    assert len(rebuilt) == 1, rebuilt
    assert "back on the shared queue" in second_log.read_text()
    if rebuilds:
        assert rebuilt[0]["records"] > 0, rebuilt
    exported = Counter(record["url"] for record in exported_records(out))
    expected = article_urls(site)
    assert expected - set(exported) == set(), "articles lost"
    assert {url: n for url, n in exported.items() if n > 1} == {}, "articles exported twice"
    assert set(exported) == expected
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["articles"] == ARTICLES
    # Every key of the crawl is gone, also its run link in the plan's state.
    client = redis_server.client()
    assert list(client.scan_iter(match=f"newsarchive:crawl:{crawl_id}:*")) == []
    assert list(client.scan_iter(match=f"newsarchive:state:*:{crawl_id}")) == []
    assert report["remaining"] == 0
    # The plan's state knows every article, the rebuilt ones too: the next run skips them.
    assert client.scard(f"newsarchive:state:killed{lag_order}:articles") == ARTICLES
    print(f"lag at {lag_order}: rebuilt {rebuilt}")


MAX_PAGES = 40  # above one worker's CONCURRENT_REQUESTS (16), so that both get places


def test_two_workers_with_max_pages_fetch_that_many_pages_in_all(
    redis_server: LocalRedis, tmp_path: Path
) -> None:
    """``--max-pages N`` on two workers of one crawl: N pages in all, not N per worker
    plus what each one had under way (66 requests, the whole site, before the
    budget was shared). Both leave on their own, and crawl-finish ends the crawl: what
    the spent budget left on the queue does not count as work remaining."""
    out = tmp_path / "crawl"
    crawl_id = "max-pages"
    # a delay long enough for the second worker to join before the first spent the budget
    settings = {**WORKER_SETTINGS, "DOWNLOAD_DELAY": "0.3", "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
    with DemoSite(generate=60) as small_site:
        logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
        command = crawl_command(
            f"{small_site.base_url}/",
            out,
            "--redis",
            redis_server.url,
            "--max-pages",
            str(MAX_PAGES),
            crawl_id=crawl_id,
            settings=settings,
            verbose=True,
        )
        workers = [start_logged(command, log) for log in logs]
        for worker, log in zip(workers, logs, strict=True):
            assert finish(worker, log) == 0, log.read_text()[-3000:]
        requested = [path for method, path, _ in small_site.request_log if method == "GET"]
    pages = [pages_fetched(folder) for folder in worker_folders(out)]
    print(f"two workers, --max-pages {MAX_PAGES}: {len(requested)} requests, pages {pages}")
    assert len(requested) == MAX_PAGES, requested
    assert sum(pages) == MAX_PAGES and all(pages), pages
    assert len(warc_response_urls(out)) <= MAX_PAGES
    status, report, stderr = crawl_finish(redis_server.url, crawl_id, out)
    assert status == 0, stderr
    assert report["queued_requests"] > 0  # left by the budget, not by a failed crawl
    assert report["remaining"] == 0
