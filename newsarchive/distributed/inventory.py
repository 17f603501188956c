"""What a crawl left in Redis: its keys with their types and sizes, and their removal.

Keys are found with ``SCAN`` (never ``KEYS``, which blocks the server) over the
crawl's prefix. Sizes are element counts (queue length, fingerprints seen,
registered workers) plus ``MEMORY USAGE`` bytes where the server supports it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from newsarchive.distributed.keys import NAMESPACE, crawl_pattern

log = logging.getLogger(__name__)

# Redis type -> command giving its number of elements.
SIZE_COMMANDS = {
    "zset": "ZCARD",
    "set": "SCARD",
    "hash": "HLEN",
    "list": "LLEN",
    "string": "STRLEN",
    "stream": "XLEN",
}
# Key name suffix -> what it holds, for the report.
ROLES = {
    ":requests": "queued requests",
    ":dupefilter": "seen request fingerprints",
    ":workers": "registered workers",
    ":stats": "shared stats",
    ":items": "queued items",
    ":start_urls": "start URLs",
    ":digests": "payload digests (revisits)",
    ":pages": "page budget (--max-pages)",
}
SCAN_BATCH = 1000


@dataclass(frozen=True)
class KeyInfo:
    """One key of a crawl."""

    name: str
    type: str
    size: int
    memory_bytes: int | None
    role: str


INFLIGHT_PART = ":inflight:"  # + worker id: requests a worker holds (inflight.py)


def role_of(name: str) -> str:
    if INFLIGHT_PART in name:
        return "in-flight requests"
    if ":crawl_run:" in name:
        return "run of the crawl in the plan state"
    return next((role for suffix, role in ROLES.items() if name.endswith(suffix)), "other")


def crawl_key_names(client: Any, crawl_id: str) -> list[str]:
    """Every key of the crawl: its own prefix, and its runs in the plans' states."""
    names = client.scan_iter(match=crawl_pattern(crawl_id), count=SCAN_BATCH)
    return sorted([*names, *(key for key, _, _ in crawl_run_keys(client, crawl_id))])


def crawl_run_keys(client: Any, crawl_id: str) -> list[tuple[str, str, str]]:
    """``(key, plan, site)`` of each ``newsarchive:state:PLAN:crawl_run:SITE:CRAWL_ID``.

    These map a crawl's site to the run its workers share in the plan's state
    (:meth:`~newsarchive.distributed.state.RedisCrawlState.run_for_crawl`); they
    belong to the crawl, the run they name to the plan. Names are split and checked,
    since a ``*`` of the pattern also matches inside a stored URL's key.
    """
    pattern = f"{NAMESPACE}:state:*:crawl_run:*:{crawl_id}"
    found = []
    for name in client.scan_iter(match=pattern, count=SCAN_BATCH):
        key = name.decode() if isinstance(name, bytes) else name
        parts = key.split(":")
        if len(parts) == 6 and parts[3] == "crawl_run" and parts[5] == crawl_id:
            found.append((key, parts[2], parts[4]))
    return sorted(found)


def memory_usage(client: Any, name: str) -> int | None:
    from redis import RedisError

    try:
        value = client.memory_usage(name)
    except RedisError:  # MEMORY USAGE missing (old server) or disabled
        return None
    return int(value) if value is not None else None


def crawl_keys(client: Any, crawl_id: str) -> list[KeyInfo]:
    """Every key of ``crawl_id`` with its type, element count and memory."""
    infos = []
    for name in crawl_key_names(client, crawl_id):
        kind = client.type(name)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "none":  # removed between SCAN and TYPE
            continue
        command = SIZE_COMMANDS.get(kind)
        size = int(client.execute_command(command, name)) if command else 0
        infos.append(KeyInfo(name, kind, size, memory_usage(client, name), role_of(name)))
    return infos


def delete_crawl_keys(client: Any, crawl_id: str) -> int:
    """Delete every key of ``crawl_id`` (``UNLINK``: freed in the background); return the count."""
    deleted = 0
    names = crawl_key_names(client, crawl_id)
    for start in range(0, len(names), SCAN_BATCH):
        deleted += int(client.unlink(*names[start : start + SCAN_BATCH]))
    log.info("crawl %s: %d Redis keys deleted", crawl_id, deleted)
    return deleted


def crawl_heartbeats(client: Any, crawl_id: str) -> list[tuple[str, Any]]:
    """``(workers key, heartbeat)`` of every worker registered in the crawl (live or stale)."""
    from newsarchive.distributed.heartbeats import read_heartbeats

    return [
        (name, beat)
        for name in sorted(client.scan_iter(match=f"{crawl_pattern(crawl_id)}workers"))
        if role_of(name) == "registered workers"
        for beat in read_heartbeats(client, name)
    ]


def live_worker_folders(client: Any, crawl_id: str, stale_after: float, now: float) -> set[str]:
    """Folder names (``HOST-pPID``) of the crawl's workers whose heartbeat is younger than
    ``stale_after``: the files of these workers are never finished by another process."""
    from pathlib import Path

    from newsarchive.distributed.heartbeats import is_alive

    return {
        Path(beat.out_dir).name
        for _, beat in crawl_heartbeats(client, crawl_id)
        if is_alive(beat, now, stale_after)
    }
