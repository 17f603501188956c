"""Run ``extract()`` in worker processes, so the reactor thread keeps fetching and archiving.

Extraction is pure CPU (a few ms a page) and a pure function of (bytes, url,
headers), so it moves to a ``ProcessPoolExecutor`` unchanged: bytes go in, the
plain record dict comes back, and the records are identical to in-process ones.
The spider awaits the result from an ``async`` callback (asyncio reactor).

``NEWSARCHIVE_EXTRACT_WORKERS``: ``"auto"`` (the default: CPUs - 1, at most
:data:`AUTO_MAX_WORKERS`; none on a single CPU), a number, or ``0`` for
in-process extraction. One pool serves every crawl in the process (a plan's
sites run side by side in one reactor) and is started at the first page, not
before: a crawl that extracts nothing starts no process. The last crawl to
close shuts it down.

A worker that dies (a crash in a C library, the OOM killer) breaks the whole
pool: the page is tried once more in a fresh pool, and if that breaks too the
page is a recorded failure (:class:`WorkerCrashed`), never a dead crawl.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newsarchive.extract import extract

log = logging.getLogger(__name__)

WORKERS_SETTING = "NEWSARCHIVE_EXTRACT_WORKERS"
AUTO_MAX_WORKERS = 4  # more rarely helps one crawl process, and each worker holds ~60 MB
ATTEMPTS = 2  # a page whose pool broke is tried once more in a fresh pool
# fork: workers start in ~0.1 s with the extractor already imported, and the caller's
# __main__ is never re-run (spawn and forkserver re-import it, which breaks unguarded scripts).
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class WorkerCrashed(RuntimeError):
    """The extraction worker died while extracting this page (twice)."""


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(value: Any) -> int:
    """Workers for a ``NEWSARCHIVE_EXTRACT_WORKERS`` value (``"auto"``, a number, 0 = none)."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        return max(0, min(AUTO_MAX_WORKERS, available_cpus() - 1))
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{WORKERS_SETTING} must be 'auto' or a number >= 0, "
                         f"got {value!r}") from None
    if count < 0:
        raise ValueError(f"{WORKERS_SETTING} must be 'auto' or a number >= 0, got {count}")
    return count


class _SharedExecutor:
    """The process-wide worker pool: started at first use, replaced when broken."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.workers = 0
        self.users = 0

    def get(self, workers: int) -> ProcessPoolExecutor:
        if self.executor is None:
            self.workers = workers
            context = multiprocessing.get_context(START_METHOD)
            self.executor = ProcessPoolExecutor(workers, mp_context=context)
            log.info("extraction pool started: %d worker(s)", workers)
        return self.executor

    def discard(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, however many pages saw it break)."""
        if self.executor is broken:
            self.executor = None
            broken.shutdown(wait=False, cancel_futures=True)
            log.warning("extraction worker died; starting a fresh pool")

    def shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
            log.info("extraction pool stopped")


_shared = _SharedExecutor()


class ExtractionPool:
    """One crawl's handle on extraction: in-process (0 workers) or in the shared pool."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.crashes = 0
        self.closed = False
        if workers:
            _shared.users += 1

    async def extract(self, body: bytes, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
        """The record of one page, as ``newsarchive.extract.extract`` gives it."""
        if not self.workers or self.closed:
            return extract(body, url, headers=headers)
        for attempt in range(1, ATTEMPTS + 1):
            executor = _shared.get(self.workers)
            try:
                return await asyncio.wrap_future(
                    executor.submit(extract, body, url, headers=dict(headers)))
            except BrokenProcessPool:
                self.crashes += 1
                _shared.discard(executor)
                if attempt == ATTEMPTS:
                    raise WorkerCrashed(
                        f"extraction worker died {ATTEMPTS} times on this page") from None
        raise AssertionError("unreachable")

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
