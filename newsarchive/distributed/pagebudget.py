"""The page budget (``--max-pages``) of a crawl shared by Redis workers, counted in Redis.

:class:`~newsarchive.spiders.stopping.PromptStopMiddleware` lets a request through
only while the pages answered plus the requests under way stay below the limit.
On one machine it counts in memory; workers count in one Redis hash per crawl
(and site), ``newsarchive:crawl:ID[:SITE]:pages``, so that two workers with
``--max-pages 10`` fetch 10 pages in all:

* ``limit`` - the budget (each worker writes its own ``--max-pages``);
* ``answered`` - responses received by every worker;
* ``underway:WORKER`` - requests a worker let through that are not answered nor failed.

Reserving a place is one Lua script (read both counts, add one under way), so two
workers never take the last place together. A response moves its place from
``underway`` to ``answered``; a failure gives it back. A worker killed with
requests under way would hold their places for ever: :meth:`RedisPageCounter.reap`
drops the ``underway`` count of every worker whose heartbeat is stale or gone.
``crawl-finish`` deletes the hash with the crawl's other keys.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from newsarchive.distributed.heartbeats import read_heartbeats
from newsarchive.distributed.keys import crawl_prefix, workers_key

log = logging.getLogger(__name__)

PAGES_PART = "pages"
UNDERWAY = "underway:"

# KEYS[1] the budget hash; ARGV[1] limit, ARGV[2] this worker's underway field.
# Returns 1 (go: counted under way), 0 (wait: others under way may fail) or -1 (spent).
_RESERVE = """
local limit = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'limit', limit)
local answered = tonumber(redis.call('HGET', KEYS[1], 'answered') or '0')
if answered >= limit then return -1 end
local taken = answered
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 9) == 'underway:' then taken = taken + tonumber(fields[i + 1]) end
end
if taken >= limit then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
return 1
"""
# KEYS[1] the budget hash; ARGV[1] this worker's underway field, ARGV[2] 1 when answered.
_SETTLE = """
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
end
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'answered', 1) end
return 1
"""


def budget_key(settings: Any) -> str:
    """The page budget hash of one crawl (and site): beside its queue."""
    prefix = settings.get("NEWSARCHIVE_REDIS_KEY_PREFIX") or crawl_prefix(
        settings.get("NEWSARCHIVE_CRAWL_ID")
    )
    return f"{prefix}:{PAGES_PART}"


def budget_spent(client: Any, key: str) -> bool:
    """Whether the budget in ``key`` is used up (every place answered): the crawl is over."""
    values = client.hmget(key, "limit", "answered")
    limit, answered = (int(value or 0) for value in values)
    return limit > 0 and answered >= limit


class RedisPageCounter:
    """The page counter of :class:`PromptStopMiddleware`, shared by the workers of a crawl."""

    shared = True  # another process may free a place: a waiting request looks again now and then

    def __init__(
        self, client: Any, key: str, worker_id: str, workers: str, stale_after: float
    ) -> None:
        self.client = client
        self.key = key
        self.field = f"{UNDERWAY}{worker_id}"
        self.worker_id = worker_id
        self.workers_key = workers
        self.stale_after = stale_after
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)

    @classmethod
    def from_settings(cls, settings: Any) -> RedisPageCounter:
        from newsarchive.distributed.settings import worker_client
        from newsarchive.warc.naming import host_part

        client = worker_client(settings, "NEWSARCHIVE_CRAWL_ID")
        prefix = settings.get("NEWSARCHIVE_REDIS_KEY_PREFIX") or crawl_prefix(
            settings.get("NEWSARCHIVE_CRAWL_ID")
        )
        stale_after = settings.getfloat("NEWSARCHIVE_REDIS_STALE_AFTER", 15.0)
        return cls(client, budget_key(settings), host_part(), workers_key(prefix), stale_after)

    def reserve(self, limit: int) -> int:
        """1: counted under way, go; 0: wait for a place; -1: the budget is spent."""
        return int(self._reserve(keys=[self.key], args=[limit, self.field]))

    def answered(self) -> None:
        self._settle(keys=[self.key], args=[self.field, 1])

    def released(self) -> None:
        self._settle(keys=[self.key], args=[self.field, 0])

    def reap(self) -> int:
        """Give back the places of dead workers (stale or no heartbeat); how many workers."""
        now = time.time()
        alive = {
            beat.worker
            for beat in read_heartbeats(self.client, self.workers_key)
            if now - beat.seen <= self.stale_after
        } | {self.worker_id}
        dead = [
            name
            for name in self.client.hkeys(self.key)
            if name.startswith(UNDERWAY) and name[len(UNDERWAY) :] not in alive
        ]
        if dead:
            self.client.hdel(self.key, *dead)
            log.warning("page budget: places held by dead worker(s) given back: %s", dead)
        return len(dead)

    def close(self) -> None:
        """A worker that leaves has nothing under way."""
        self.client.hdel(self.key, self.field)
