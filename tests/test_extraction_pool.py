"""Extraction in worker processes (spiders/extraction.py): same records, crashes contained."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

import pytest
from newsarchive.spiders import extraction
from newsarchive.spiders.extraction import ExtractionPool, WorkerCrashed, worker_count
from newsarchive.spiders.news import NewsSpider
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsarchive.extraction import extract
from newsarchive.server.generated import generated_article

BASE = "http://gazette.test"
CRASH_MARKER = "/crash-the-worker/"


def crash_on_marker(
    html: bytes | str, url: str | None = None, *, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``extract`` that kills its worker process on marked URLs (a segfault stand-in)."""
    if url and CRASH_MARKER in url and os.getpid() != PARENT_PID:
        os._exit(70)
    return extract(html, url, headers=headers)


PARENT_PID = os.getpid()


def pages() -> list[tuple[bytes, str, dict[str, str]]]:
    found = []
    for number in (1, 2, 3, 17):
        article = generated_article(number)
        found.append(
            (
                article.render(BASE).encode(),
                BASE + article.path,
                {"Content-Type": "text/html; charset=utf-8"},
            )
        )
    found.append((b"", BASE + "/empty", {}))
    png = b"\x89PNG\r\n\x1a\n\x00\x00binary"
    found.append((png, BASE + "/image", {"Content-Type": "image/png"}))
    return found


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def pool() -> Any:
    made = ExtractionPool(1)
    yield made
    made.close()


@pytest.mark.parametrize(("value", "expected"), [("0", 0), (0, 0), ("3", 3), (" 2 ", 2)])
def test_worker_count_numbers(value: Any, expected: int) -> None:
    assert worker_count(value) == expected


def test_worker_count_auto_is_one_per_cpu_and_one_on_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # One worker even on one CPU: only a worker process can be stopped at the time limit.
    for cpus, expected in ((1, 1), (2, 2), (3, 3), (64, extraction.AUTO_MAX_WORKERS)):
        monkeypatch.setattr(extraction, "available_cpus", lambda cpus=cpus: cpus)
        assert worker_count("auto") == expected
        assert worker_count(None) == expected


@pytest.mark.parametrize("value", ["-1", "many", "1.5"])
def test_worker_count_rejects_bad_values(value: str) -> None:
    with pytest.raises(ValueError, match="NEWSARCHIVE_EXTRACT_WORKERS"):
        worker_count(value)


def test_pool_gives_the_same_records_as_in_process(pool: ExtractionPool) -> None:
    async def both() -> list[tuple[dict[str, Any], dict[str, Any]]]:
        results = []
        for body, url, headers in pages():
            results.append(
                (await pool.extract(body, url, headers), extract(body, url, headers=headers))
            )
        return results

    results = run(both())
    assert extraction._shared.pool is not None  # really went through a worker
    for pooled, local in results:
        assert pooled == local
    assert results[0][0]["extraction"]["page_type"] == "article"
    assert results[0][0]["headline"] == generated_article(1).headline


def test_zero_workers_extract_in_process() -> None:
    local = ExtractionPool(0)
    body, url, headers = pages()[0]
    assert run(local.extract(body, url, headers)) == extract(body, url, headers=headers)
    local.close()


def test_crashed_worker_fails_the_page_and_a_fresh_pool_goes_on(
    pool: ExtractionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extraction, "extract", crash_on_marker)
    body, url, headers = pages()[0]

    async def crash_then_normal() -> tuple[BaseException | None, dict[str, Any]]:
        crash: BaseException | None = None
        try:
            await pool.extract(body, BASE + CRASH_MARKER + "x.html", headers)
        except WorkerCrashed as exc:
            crash = exc
        return crash, await pool.extract(body, url, headers)

    crash, record = run(crash_then_normal())
    assert isinstance(crash, WorkerCrashed)
    assert pool.crashes == 1
    assert extraction._shared.pool is not None and extraction._shared.pool.deaths == 1
    assert record == extract(body, url, headers=headers)


def test_spider_records_a_crashed_worker_as_a_failed_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extraction, "extract", crash_on_marker)
    crawler = get_crawler(NewsSpider, {"NEWSARCHIVE_EXTRACT_WORKERS": 1})
    spider = NewsSpider.from_crawler(crawler, start_urls=f"{BASE}/")
    assert spider.extraction.workers == 1
    body, _, _ = pages()[0]
    url = BASE + CRASH_MARKER + "story.html"
    response = HtmlResponse(
        url=url,
        body=body,
        request=Request(url),
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )

    async def drain() -> list[Any]:
        return [item async for item in spider.parse_page(response)]

    try:
        (item,) = run(drain())
    finally:
        spider.close_extraction()
    assert set(item) == {"_capture"}
    assert item["_capture"].outcome == "failed"
    assert "WorkerCrashed" in item["_capture"].error


def test_last_crawl_to_close_stops_the_shared_pool() -> None:
    first, second = ExtractionPool(1), ExtractionPool(1)
    body, url, headers = pages()[0]
    run(first.extract(body, url, headers))
    shared = extraction._shared.pool
    assert shared is not None
    first.close()
    first.close()  # twice is harmless and does not release the other crawl's share
    assert extraction._shared.pool is shared
    second.close()
    assert extraction._shared.pool is None
    assert all(not worker.process.is_alive() for worker in shared.workers) and not shared.workers


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc")
def test_workers_end_when_the_crawl_process_is_killed(tmp_path: Any) -> None:
    import signal
    import subprocess
    import sys
    import time

    from newsarchive.server import DemoSite

    out = tmp_path / "out"
    with DemoSite(generate=3000) as site:
        crawl = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsarchive",
                "crawl",
                site.base_url + "/",
                "--out",
                str(out),
                "--allow-private",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "NEWSARCHIVE_EXTRACT_WORKERS=2",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            workers: list[int] = []
            while time.monotonic() < deadline and len(workers) < 2:
                time.sleep(0.2)
                children = f"/proc/{crawl.pid}/task/{crawl.pid}/children"
                with open(children) as handle:
                    workers = [int(pid) for pid in handle.read().split()]
            assert len(workers) == 2, "the crawl never started its two extraction workers"
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=10)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
                time.sleep(0.2)
            assert not any(_alive(pid) for pid in workers), "orphaned extraction workers"
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
