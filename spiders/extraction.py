"""Run ``extract()`` in worker processes, so the reactor thread keeps fetching and archiving.

Extraction is pure CPU (about 2 ms a page) and a pure function of (bytes, url,
headers), so it moves to worker processes unchanged: bytes go in, the plain
record dict comes back, and the records are identical to in-process ones. The
spider awaits the result from an ``async`` callback (asyncio reactor); the
workers are driven by the event loop itself (``spiders/workerpool.py``).

``NEWSARCHIVE_EXTRACT_WORKERS``: ``"auto"`` (the default: one per CPU, at most
:data:`AUTO_MAX_WORKERS`; none on a single CPU), a number, or ``0`` for
in-process extraction. One per CPU rather than CPUs - 1: a worker runs one page
at a time and idles until the busy reactor hands it the next, so on 2 cores 2
workers gave ~10% more pages/s than 1 (bench/crawl.py).

One pool serves every crawl in the process (a plan's sites run side by side in
one reactor) and is started at the first page, not
before: a crawl that extracts nothing starts no process. The last crawl to
close shuts it down.

A worker that dies (a crash in a C library, the OOM killer) fails only the page
it was extracting, recorded as a failed page (:class:`WorkerCrashed`); a fresh
worker takes its place and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import Any

from newsarchive.spiders.workerpool import WorkerDied, WorkerPool

from newsarchive.extraction import extract

log = logging.getLogger(__name__)

WORKERS_SETTING = "NEWSARCHIVE_EXTRACT_WORKERS"
AUTO_MAX_WORKERS = 4  # more rarely helps one crawl process, and each worker holds ~60 MB


class WorkerCrashed(RuntimeError):
    """The extraction worker died while extracting this page."""


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(value: Any) -> int:
    """Workers for a ``NEWSARCHIVE_EXTRACT_WORKERS`` value (``"auto"``, a number, 0 = none)."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        cpus = available_cpus()
        return min(AUTO_MAX_WORKERS, cpus) if cpus > 1 else 0
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{WORKERS_SETTING} must be 'auto' or a number >= 0, got {value!r}"
        ) from None
    if count < 0:
        raise ValueError(f"{WORKERS_SETTING} must be 'auto' or a number >= 0, got {count}")
    return count


class _SharedPool:
    """The process-wide worker pool: started at first use, on the running event loop."""

    def __init__(self) -> None:
        self.pool: WorkerPool | None = None
        self.users = 0

    def get(self, workers: int) -> WorkerPool:
        running = asyncio.get_running_loop()
        if self.pool is not None and self.pool.loop is not running:
            self.shutdown()  # a new event loop (tests run one per test): its own workers
        if self.pool is None:
            self.pool = WorkerPool(extract_page, workers)
            log.info("extraction pool started: %d worker(s)", workers)
        return self.pool

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
            log.info("extraction pool stopped")


_shared = _SharedPool()


def extract_page(body: bytes, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """What a worker runs: looked up at call time, so tests can swap ``extract``."""
    return extract(body, url, headers=headers)


class ExtractionPool:
    """One crawl's handle on extraction: in-process (0 workers) or in the shared pool."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.crashes = 0
        self.closed = False
        if workers:
            _shared.users += 1

    async def extract(self, body: bytes, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
        """The record of one page, as ``newsarchive.extraction.extract`` gives it."""
        if not self.workers or self.closed:
            return extract(body, url, headers=headers)
        pool = _shared.get(self.workers)
        try:
            return await pool.run(body, url, dict(headers))
        except WorkerDied as exc:
            self.crashes += 1
            raise WorkerCrashed(str(exc)) from None

    def close(self) -> None:
        """This crawl is done; the last crawl to close stops the workers."""
        if self.closed or not self.workers:
            self.closed = True
            return
        self.closed = True
        _shared.users -= 1
        if _shared.users <= 0:
            _shared.users = 0
            _shared.shutdown()
