"""Run ``extract()`` in worker processes, so the reactor thread keeps fetching and archiving.

Extraction is pure CPU (about 2 ms a page) and a pure function of (bytes, url,
headers), so it moves to worker processes unchanged: bytes go in, the plain
record dict comes back, and the records are identical to in-process ones. The
spider awaits the result from an ``async`` callback (asyncio reactor); the
workers are driven by the event loop itself (``spiders/workerpool.py``).

``NEWSARCHIVE_EXTRACT_WORKERS``: ``"auto"`` (the default: one per CPU, at most
:data:`AUTO_MAX_WORKERS`; one on a single CPU too, because only a worker can be
stopped by the time and memory limits), a number, or ``0`` for in-process
extraction (without limits). One per CPU rather than CPUs - 1: a worker runs one page
at a time and idles until the busy reactor hands it the next, so on 2 cores 2
workers gave ~10% more pages/s than 1 (bench/crawl.py).

One pool serves every crawl in the process (a plan's sites run side by side in
one reactor) and is started at the first page, not
before: a crawl that extracts nothing starts no process. The last crawl to
close shuts it down.

A worker that dies (a crash in a C library, the OOM killer) fails only the page
it was extracting, recorded as a failed page (:class:`WorkerCrashed`); a fresh
worker takes its place and the crawl goes on. The same holds for a page that
runs past ``NEWSARCHIVE_EXTRACT_TIMEOUT`` or allocates more than
``NEWSARCHIVE_EXTRACT_MEMORY_MB`` (:class:`ExtractionLimitExceeded`): hostile
pages can make libxml2 quadratic, and only a separate process can be stopped
in the middle of a C call. With 0 workers there are no such limits.

What a worker runs is the page step (:func:`newsarchive.pagestep.process_page`):
block check, extraction, and for hubs the links and feeds to follow, so that no
per-page parsing happens on the reactor thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import Any

from newsarchive.spiders.workerpool import JobMemoryError, JobTimeout, WorkerDied, WorkerPool

from newsarchive.extraction import extract
from newsarchive.pagestep import ExtractionLimits, Following, PageOutcome, process_page

log = logging.getLogger(__name__)

WORKERS_SETTING = "NEWSARCHIVE_EXTRACT_WORKERS"
AUTO_MAX_WORKERS = 4  # more rarely helps one crawl process, and each worker holds ~60 MB


class WorkerCrashed(RuntimeError):
    """The extraction worker died while extracting this page."""


class ExtractionLimitExceeded(WorkerCrashed):
    """The page ran past the time or memory limit; its worker was killed and replaced."""


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(value: Any) -> int:
    """Workers for a ``NEWSARCHIVE_EXTRACT_WORKERS`` value (``"auto"``, a number, 0 = none)."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        return max(1, min(AUTO_MAX_WORKERS, available_cpus()))
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

    def get(self, workers: int, limits: ExtractionLimits) -> WorkerPool:
        running = asyncio.get_running_loop()
        if self.pool is not None and self.pool.loop is not running:
            self.shutdown()  # a new event loop (tests run one per test): its own workers
        if self.pool is None:
            self.pool = WorkerPool(
                page_step,
                workers,
                timeout=limits.timeout,
                memory_limit=limits.memory_bytes,
            )
            log.info("extraction pool started: %d worker(s)", workers)
        return self.pool

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
            log.info("extraction pool stopped")


_shared = _SharedPool()


def extract_page(body: bytes, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """Extraction alone: ``extract`` looked up at call time, so tests can swap it."""
    return extract(body, url, headers=headers)


def page_step(
    body: bytes,
    url: str,
    headers: Mapping[str, str],
    status: int | None = 200,
    following: Following | None = None,
    limits: ExtractionLimits | None = None,
    canonical_hosts: tuple[str, ...] = (),
) -> PageOutcome:
    """What a worker runs: the page step with this module's ``extract`` (tests swap it)."""
    return process_page(
        body,
        url,
        headers,
        status,
        following=following,
        limits=limits,
        canonical_hosts=canonical_hosts,
        extract_function=extract_page,
    )


class ExtractionPool:
    """One crawl's handle on extraction: in-process (0 workers) or in the shared pool."""

    def __init__(self, workers: int, limits: ExtractionLimits | None = None) -> None:
        self.workers = workers
        self.limits = limits or ExtractionLimits()
        self.crashes = 0
        self.over_limit = 0
        self.closed = False
        if workers:
            _shared.users += 1

    async def process(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str],
        status: int | None = 200,
        following: Following | None = None,
        canonical_hosts: tuple[str, ...] = (),
    ) -> PageOutcome:
        """The page step's outcome for one page (in a worker when there are workers).

        Raises :class:`WorkerCrashed` when the worker died, and
        :class:`ExtractionLimitExceeded` when the page ran past a limit.
        """
        args = (
            body,
            url,
            dict(headers),
            status,
            following,
            self.limits,
            tuple(canonical_hosts),
        )
        if not self.workers or self.closed:
            return page_step(*args)
        pool = _shared.get(self.workers, self.limits)
        try:
            return await pool.run(*args)
        except JobTimeout as exc:
            self.over_limit += 1
            raise ExtractionLimitExceeded(f"extraction timeout: {exc}") from None
        except JobMemoryError as exc:
            self.over_limit += 1
            raise ExtractionLimitExceeded(f"extraction memory limit: {exc}") from None
        except WorkerDied as exc:
            self.crashes += 1
            raise WorkerCrashed(str(exc)) from None

    async def extract(self, body: bytes, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
        """The record of one page, as ``newsarchive.extraction.extract`` gives it."""
        outcome = await self.process(body, url, headers, None)
        if outcome.record is None:
            raise RuntimeError(outcome.error or "no record")
        return outcome.record

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
