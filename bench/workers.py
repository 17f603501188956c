"""Pages/s of one and of two Redis-shared crawl workers on a local generated site; Redis memory.

Starts a private redis-server and ``newsarchive serve --generate N`` (its own
process) on 127.0.0.1, then crawls the site with one ``newsarchive crawl
--redis`` worker and again (fresh crawl id, fresh output) with two. The rate
is responses divided by the crawl window: first to last ``WARC-Date`` over all
workers' WARC files (microsecond dates; process start-up and the idle grace
at the end are left out). After each crawl, before ``crawl-finish`` deletes
its keys, it reads Redis's memory: bytes per seen-request fingerprint, and
bytes per queued request (the site's article requests, serialised as the
workers serialise them, pushed into a scratch queue), extrapolated to one
million URLs.

    .venv/bin/python bench/workers.py [--articles 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NO_POLITENESS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSARCHIVE_PROGRESS": "False",
    "NEWSARCHIVE_REDIS_IDLE_GRACE": "1.0",
    "LOG_LEVEL": "WARNING",
}
MILLION = 1_000_000


def start_site(articles: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "serve", "--generate", str(articles)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        server.kill()
        raise RuntimeError(f"newsarchive serve printed {base_url!r}")
    return server, base_url


def run_workers(count: int, base_url: str, redis_url: str, crawl_id: str, out: Path) -> float:
    """Run ``count`` workers of one crawl to the end; return the wall time."""
    command = [
        sys.executable,
        "-m",
        "newsarchive",
        "crawl",
        f"{base_url}/",
        "--redis",
        redis_url,
        "--crawl-id",
        crawl_id,
        "--out",
        str(out),
        "--allow-private",
    ]
    for name, value in NO_POLITENESS.items():
        command += ["-s", f"{name}={value}"]
    started = time.monotonic()
    workers = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    for worker in workers:
        _, errors = worker.communicate()
        if worker.returncode:
            raise RuntimeError(f"worker failed ({worker.returncode}): {errors[-2000:]}")
    return time.monotonic() - started


def crawl_window(out: Path) -> tuple[int, float]:
    """(response records, seconds from the first to the last WARC-Date) over all workers."""
    from datetime import datetime

    from warcio.archiveiterator import ArchiveIterator

    dates = []
    for path in out.glob("workers/*/warc/*.warc.gz"):
        with path.open("rb") as stream:
            dates.extend(
                datetime.fromisoformat(r.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            )
    if len(dates) < 2:
        return len(dates), 0.0
    return len(dates), (max(dates) - min(dates)).total_seconds()


def queue_bytes_per_request(client: Any, base_url: str, articles: int) -> float:
    """Memory of the site's article requests in a scrapy-redis priority queue, per request."""
    from newsarchive.spiders.news import META_DEPTH, META_VIA, NewsSpider, discovered_via
    from scrapy import Request
    from scrapy_redis import picklecompat
    from scrapy_redis.queue import PriorityQueue

    from newsarchive.server.generated import generated_article

    spider = NewsSpider(start_urls=[f"{base_url}/"])
    key = "newsarchive:crawl:bench-scratch:news:requests"
    queue = PriorityQueue(client, spider, key, serializer=picklecompat)
    via = discovered_via("sitemap", f"{base_url}/sitemaps/articles-1.xml", "2024-01-01T06:00:00Z")
    for number in range(1, articles + 1):
        queue.push(
            Request(
                f"{base_url}{generated_article(number).path}",
                callback=spider.parse_page,
                errback=spider.on_failure,
                priority=10,
                meta={META_VIA: via, META_DEPTH: 1},
            )
        )
    per_request = client.memory_usage(key, samples=0) / client.zcard(key)
    client.delete(key)
    return float(per_request)


def measure(count: int, base_url: str, redis: Any, work: Path, articles: int) -> dict[str, Any]:
    crawl_id = f"bench-{count}-workers"
    out = work / crawl_id
    wall = run_workers(count, base_url, redis.url, crawl_id, out)
    responses, window = crawl_window(out)
    client = redis.client()
    dupefilter = f"newsarchive:crawl:{crawl_id}:news:dupefilter"
    fingerprints = client.scard(dupefilter)
    result = {
        "workers": count,
        "responses": responses,
        "crawl_window_s": round(window, 2),
        "wall_s": round(wall, 2),
        "pages_per_s": round(responses / window, 1) if window else None,
        "fingerprints": fingerprints,
        "bytes_per_fingerprint": round(
            client.memory_usage(dupefilter, samples=0) / max(fingerprints, 1), 1
        ),
        "used_memory_bytes": client.info("memory")["used_memory"],
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "newsarchive",
            "crawl-finish",
            crawl_id,
            "--redis",
            redis.url,
            "--out",
            str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="size of the generated site")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/support
    from support.redis_server import LocalRedis, check_python_packages

    check_python_packages()
    server, base_url = start_site(args.articles)
    try:
        with LocalRedis() as redis, tempfile.TemporaryDirectory(prefix="bench-workers-") as work:
            one = measure(1, base_url, redis, Path(work), args.articles)
            two = measure(2, base_url, redis, Path(work), args.articles)
            per_request = queue_bytes_per_request(redis.client(), base_url, args.articles)
    finally:
        server.terminate()
        server.wait()
    ratio = (
        two["pages_per_s"] / one["pages_per_s"]
        if one["pages_per_s"] and two["pages_per_s"]
        else None
    )
    per_fingerprint = max(one["bytes_per_fingerprint"], two["bytes_per_fingerprint"])
    figures = {
        "articles": args.articles,
        "one_worker": one,
        "two_workers": two,
        "ratio_two_to_one": round(ratio, 2) if ratio else None,
        "bytes_per_queued_request": round(per_request, 1),
        "mb_per_million_fingerprints": round(per_fingerprint * MILLION / 2**20, 1),
        "mb_per_million_queued_requests": round(per_request * MILLION / 2**20, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    for label, row in (("1 worker ", one), ("2 workers", two)):
        print(
            f"{label}: {row['responses']} responses in {row['crawl_window_s']} s "
            f"= {row['pages_per_s']} pages/s (wall {row['wall_s']} s)"
        )
    print(f"ratio 2/1: {figures['ratio_two_to_one']}")
    print(
        f"Redis: {per_fingerprint} B per fingerprint, {figures['bytes_per_queued_request']} B "
        f"per queued request -> {figures['mb_per_million_fingerprints']} MB per million seen "
        f"URLs, {figures['mb_per_million_queued_requests']} MB per million queued requests"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
