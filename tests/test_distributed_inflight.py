"""Requests a worker holds stay in Redis until done, and go back on the queue when it dies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.redis_server import LocalRedis

CRAWL = "newsarchive:crawl:inflight-test"
QUEUE = f"{CRAWL}:news:requests"
INFLIGHT = f"{CRAWL}:news:inflight"
WORKERS = f"{CRAWL}:workers"


@pytest.fixture
def client(redis_server: LocalRedis) -> Iterator[Any]:
    import redis

    connection = redis.Redis.from_url(redis_server.url)
    connection.flushdb()
    yield connection
    connection.flushdb()


def scheduler_for(redis_server: LocalRedis, worker: str) -> Any:
    """A ReliableScheduler opened as worker ``worker`` of the test crawl."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newsarchive.distributed.inflight import ReliableScheduler
    from newsarchive.distributed.settings import redis_settings

    crawler = get_crawler(Spider, redis_settings(redis_server.url, "inflight-test"))
    spider = Spider.from_crawler(crawler, name="news")
    scheduler = ReliableScheduler.from_crawler(crawler)
    scheduler.worker_id = worker
    scheduler.open(spider)
    return scheduler


def beat(client: Any, worker: str, seen: float) -> None:
    from newsarchive.distributed.heartbeats import Heartbeat

    client.hset(WORKERS, worker, Heartbeat(worker, "h", 1, True, seen, seen, "").to_json())


def test_a_popped_request_waits_in_flight_until_released(
    redis_server: LocalRedis, client: Any
) -> None:
    from scrapy import Request, Spider
    from scrapy.http import HtmlResponse

    from newsarchive.distributed.inflight import (
        META_KEY,
        InflightReleaseMiddleware,
        InflightReleaseSpiderMiddleware,
    )

    scheduler = scheduler_for(redis_server, "a~p1")
    assert scheduler.enqueue_request(Request("http://site.test/1", priority=5))
    assert scheduler.enqueue_request(Request("http://site.test/2", priority=1))
    first = scheduler.next_request()
    assert first.url == "http://site.test/1"  # priority order kept
    assert client.zcard(QUEUE) == 1
    held = client.hgetall(f"{INFLIGHT}:a~p1")
    assert list(held) == [first.meta[META_KEY].encode()]

    release = InflightReleaseMiddleware(client, f"{CRAWL}:%(spider)s:inflight", "a~p1")
    spider = Spider(name="news")
    assert release.process_response(first, "response", spider) == "response"
    assert client.hlen(f"{INFLIGHT}:a~p1") == 1  # downloaded and archived is not done

    # Done: the spider's output is consumed and each item has left the pipelines.
    done = InflightReleaseSpiderMiddleware(release)
    done.spider = spider
    response = HtmlResponse(first.url, body=b"<p>page</p>", request=first)
    item = {"url": first.url}
    output = list(done.process_spider_output(response, [item, Request("http://site.test/3")]))
    assert len(output) == 2
    assert client.hlen(f"{INFLIGHT}:a~p1") == 1  # its item is still in the pipelines
    done.item_through(item, response=response, spider=spider)
    assert client.hlen(f"{INFLIGHT}:a~p1") == 0
    assert done.pending == {}

    second = scheduler.next_request()
    release.process_exception(second, TimeoutError(), spider)
    assert client.hlen(f"{INFLIGHT}:a~p1") == 0
    assert scheduler.next_request() is None


def test_a_retry_replaces_its_original_in_flight(redis_server: LocalRedis, client: Any) -> None:
    from scrapy import Request

    scheduler = scheduler_for(redis_server, "a~p1")
    scheduler.enqueue_request(Request("http://site.test/flaky"))
    popped = scheduler.next_request()
    retry = popped.replace(dont_filter=True)  # what RetryMiddleware hands back: meta copied
    assert scheduler.enqueue_request(retry)
    assert client.hlen(f"{INFLIGHT}:a~p1") == 0
    assert client.zcard(QUEUE) == 1


def test_requests_of_a_dead_worker_go_back_with_their_priority(
    redis_server: LocalRedis, client: Any
) -> None:
    from scrapy import Request

    from newsarchive.distributed.inflight import requeue_dead_workers

    dead = scheduler_for(redis_server, "dead~p1")
    alive = scheduler_for(redis_server, "alive~p2")
    for number, priority in ((1, 9), (2, 3), (3, 0)):
        dead.enqueue_request(Request(f"http://site.test/{number}", priority=priority))
    now = time.time()
    beat(client, "dead~p1", now - 60)
    beat(client, "alive~p2", now)
    assert dead.next_request().url.endswith("/1")
    assert dead.next_request().url.endswith("/2")
    assert alive.next_request().url.endswith("/3")
    assert client.zcard(QUEUE) == 0

    kwargs = dict(
        inflight_prefix=INFLIGHT, queue_key=QUEUE, workers_key=WORKERS, stale_after=15.0, now=now
    )
    assert requeue_dead_workers(client, **kwargs) == 2
    assert client.hlen(f"{INFLIGHT}:alive~p2") == 1  # a live worker keeps what it holds
    assert not client.exists(f"{INFLIGHT}:dead~p1")
    assert [alive.next_request().url for _ in range(2)] == [
        "http://site.test/1",
        "http://site.test/2",
    ]
    assert requeue_dead_workers(client, **kwargs) == 0  # nothing twice
    beat(client, "alive~p2", now - 60)  # its own heartbeat late: it is still alive to itself
    assert requeue_dead_workers(client, **kwargs, me="alive~p2") == 0
    assert requeue_dead_workers(client, **kwargs) == 3  # /3, /1 and /2, never released


def test_a_worker_killed_before_its_first_heartbeat_counts_as_dead(
    redis_server: LocalRedis, client: Any
) -> None:
    from scrapy import Request

    from newsarchive.distributed.inflight import requeue_dead_workers

    early = scheduler_for(redis_server, "early~p9")
    early.enqueue_request(Request("http://site.test/early"))
    early.next_request()
    assert (
        requeue_dead_workers(
            client, inflight_prefix=INFLIGHT, queue_key=QUEUE, workers_key=WORKERS, stale_after=15.0
        )
        == 1
    )
    assert client.zcard(QUEUE) == 1


def test_a_clean_close_leaves_nothing_in_flight(redis_server: LocalRedis, client: Any) -> None:
    from scrapy import Request

    scheduler = scheduler_for(redis_server, "a~p1")
    scheduler.enqueue_request(Request("http://site.test/ignored"))
    scheduler.next_request()  # e.g. refused by robots.txt before the download
    scheduler.close("finished")
    assert not client.exists(f"{INFLIGHT}:a~p1")
