"""The page budget shared by Redis workers: one atomic reservation, dead workers' places back."""

from __future__ import annotations

import time

from support.redis_server import LocalRedis

from newsarchive.distributed.heartbeats import Heartbeat
from newsarchive.distributed.pagebudget import RedisPageCounter, budget_spent

KEY = "newsarchive:crawl:budget-test:pages"
WORKERS = "newsarchive:crawl:budget-test:workers"


def counter(client: object, worker: str) -> RedisPageCounter:
    return RedisPageCounter(client, KEY, worker, WORKERS, stale_after=15.0)


def beat(client: object, worker: str, seen: float) -> None:
    heartbeat = Heartbeat(worker, "h", 1, True, seen, seen, "x")
    client.hset(WORKERS, worker, heartbeat.to_json())  # type: ignore[attr-defined]


def test_two_workers_share_one_budget_and_a_dead_workers_places_come_back(
    redis_server: LocalRedis,
) -> None:
    client = redis_server.client()
    first, second = counter(client, "a-p1"), counter(client, "b-p2")
    beat(client, "a-p1", time.time())
    beat(client, "b-p2", time.time())
    assert [first.reserve(3), second.reserve(3), first.reserve(3)] == [1, 1, 1]
    assert second.reserve(3) == 0  # three under way: wait, one of them may fail
    first.released()  # a failed fetch gives its place back
    assert second.reserve(3) == 1
    first.answered()
    second.answered()
    assert not budget_spent(client, KEY)
    beat(client, "b-p2", time.time() - 60)  # b dies with one request under way
    assert first.reserve(3) == 0
    assert first.reap() == 1
    assert first.reserve(3) == 1
    first.answered()
    assert first.reserve(3) == -1 and budget_spent(client, KEY)
    first.close()
    assert client.hkeys(KEY) and "underway:a-p1" not in client.hkeys(KEY)
