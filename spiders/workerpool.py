"""Worker processes driven by the asyncio event loop: one pipe per worker, no helper threads.

``concurrent.futures.ProcessPoolExecutor`` runs a manager thread and a queue feeder
thread in the calling process; at a few hundred pages per second their GIL
hand-offs stalled the reactor thread (measured with bench/crawl.py: ~0.5 ms of
crawl-process CPU per page). Here each worker has its own pipe: the loop writes
a job to an idle worker and reads the answer when the pipe becomes readable
(``loop.add_reader``), so nothing but the reactor thread runs in the crawl process.

One job per worker at a time, so a worker that dies (EOF on its pipe) fails
exactly the job it was running; it is replaced before the next job starts.

Limits, because the jobs read pages from hostile sites: a job that runs past the
pool's ``timeout`` (seconds of wall-clock time) has its worker killed and fails
with :class:`JobTimeout`; a worker may grow its address space by ``memory_limit``
bytes over what it inherited (``RLIMIT_AS``), and a job that runs out fails with
:class:`JobMemoryError` and its worker is replaced (a heap that hit the limit is
not trusted with the next job). Either way the next job gets a fresh worker.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

JOIN_SECONDS = 5.0
# fork: workers start in ~0.1 s with the job function already imported, and the caller's
# __main__ is never re-run (spawn and forkserver re-import it, which breaks unguarded scripts).
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class WorkerDied(RuntimeError):
    """The worker process ended (crash, kill) while running the job."""


class JobTimeout(WorkerDied):
    """The job ran past the pool's time limit; its worker was killed."""


class JobMemoryError(WorkerDied):
    """The job ran out of the worker's memory limit; the worker was replaced."""


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), None where unknown."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def limit_memory(extra_bytes: int | None) -> bool:
    """Cap this process's address space at its current size plus ``extra_bytes``.

    Counted from the current size because a forked worker inherits the crawl process's
    mappings (libraries, thread arenas) that it never touches. False when not possible.
    """
    if not extra_bytes:
        return False
    try:
        import resource
    except ImportError:  # not on POSIX
        return False
    current = _address_space()
    if current is None:
        return False
    limit = current + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return False
    return True


def serve(
    conn: Connection,
    parent_end: Connection,
    function: Callable[..., Any],
    memory_limit: int | None = None,
) -> None:
    """Worker main loop: ``(args, kwargs)`` in, ``(ok, result or exception)`` out.

    Ends on the empty stop message or EOF, and after a job that ran out of memory.
    ``parent_end`` (inherited through fork) is closed first, so that a parent that goes
    away is seen as EOF here.
    """
    if START_METHOD == "fork":
        parent_end.close()
    limit_memory(memory_limit)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        args, kwargs = pickle.loads(data)
        out_of_memory = False
        try:
            answer: tuple[bool, Any] = (True, function(*args, **kwargs))
        except MemoryError:
            out_of_memory = True
            megabytes = (memory_limit or 0) // 2**20
            answer = (False, JobMemoryError(f"over the {megabytes} MB memory limit"))
        except Exception as exc:  # the caller decides what a failed job means
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception
            data = pickle.dumps((False, RuntimeError(f"unpicklable answer: {exc!r}")))
        try:
            conn.send_bytes(data)
        except OSError:  # the crawl process is gone (killed): nobody wants the answer
            return
        if out_of_memory:
            return  # the parent sees EOF and starts a fresh worker


class _Worker:
    """One worker process, its end of the pipe and the job it is running."""

    def __init__(self, function: Callable[..., Any], memory_limit: int | None = None) -> None:
        context = multiprocessing.get_context(START_METHOD)
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=serve,
            args=(child_conn, self.conn, function, memory_limit),
            name="newsarchive-extract",
            daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.job: asyncio.Future[Any] | None = None
        self.timer: asyncio.TimerHandle | None = None

    def kill(self) -> None:
        """End a worker that is busy (past its time limit) at once."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(JOIN_SECONDS)
        self.conn.close()

    def stop(self) -> None:
        # Workers forked later hold a copy of this pipe end, so closing it is no EOF for the
        # worker: it is told to stop.
        with contextlib.suppress(OSError):  # already gone
            self.conn.send_bytes(b"")
        self.conn.close()
        self.process.join(JOIN_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(JOIN_SECONDS)


class WorkerPool:
    """``size`` processes running ``function``; :meth:`run` awaits one call's result.

    ``timeout``: seconds one job may run before its worker is killed (None: no limit);
    ``memory_limit``: bytes a worker may allocate over its inherited size (None: no limit).
    ``loop``: the event loop driving the workers (default: the running one).
    """

    def __init__(
        self,
        function: Callable[..., Any],
        size: int,
        *,
        timeout: float | None = None,
        memory_limit: int | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.function = function
        self.size = size
        self.timeout = timeout if timeout and timeout > 0 else None
        self.memory_limit = memory_limit if memory_limit and memory_limit > 0 else None
        self.timeouts = 0
        self.loop = loop or asyncio.get_running_loop()
        self.workers: list[_Worker] = []
        self.waiting: collections.deque[tuple[bytes, asyncio.Future[Any]]] = collections.deque()
        self.deaths = 0
        for _ in range(size):
            self._start_worker()

    def _start_worker(self) -> None:
        worker = _Worker(self.function, self.memory_limit)
        self.loop.add_reader(worker.conn.fileno(), self._answer, worker)
        self.workers.append(worker)

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` in a worker; its exception re-raised here."""
        job: asyncio.Future[Any] = self.loop.create_future()
        self.waiting.append((pickle.dumps((args, kwargs), pickle.HIGHEST_PROTOCOL), job))
        self._dispatch()
        return await job

    def _dispatch(self) -> None:
        for worker in self.workers:
            if not self.waiting:
                return
            if worker.job is not None:
                continue
            payload, job = self.waiting.popleft()
            while job.cancelled() and self.waiting:
                payload, job = self.waiting.popleft()
            if job.cancelled():
                return
            worker.job = job
            if self.timeout is not None:
                worker.timer = self.loop.call_later(self.timeout, self._expire, worker, job)
            try:
                worker.conn.send_bytes(payload)
            except OSError:  # died while idle: its pipe is closed
                self._replace(worker)
                return

    def _expire(self, worker: _Worker, job: asyncio.Future[Any]) -> None:
        """A job ran past the time limit: kill its worker, fail the job, start another."""
        if worker.job is not job or worker not in self.workers:
            return
        self.timeouts += 1
        log.warning(
            "extraction worker %s ran past the %g s time limit; killing it",
            worker.process.pid,
            self.timeout,
        )
        self._replace(worker, JobTimeout(f"over the {self.timeout:g} s time limit"))

    def _cancel_timer(self, worker: _Worker) -> None:
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None

    def _answer(self, worker: _Worker) -> None:
        try:
            ok, value = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError):
            self._replace(worker)
            return
        self._cancel_timer(worker)
        job, worker.job = worker.job, None
        if job is not None and not job.done():
            if ok:
                job.set_result(value)
            else:
                job.set_exception(value)
        if not ok and isinstance(value, JobMemoryError):
            self._replace(worker, value)  # it exits after such an answer: start another now
            return
        self._dispatch()

    def _replace(self, worker: _Worker, reason: WorkerDied | None = None) -> None:
        """A worker died or was killed (``reason``): fail its job, start another, go on."""
        self._cancel_timer(worker)
        self.loop.remove_reader(worker.conn.fileno())
        self.workers.remove(worker)
        job, worker.job = worker.job, None
        if reason is not None:
            worker.kill()
        else:
            worker.stop()
            self.deaths += 1
            log.warning(
                "extraction worker %s died (exit code %s); starting another",
                worker.process.pid,
                worker.process.exitcode,
            )
            reason = WorkerDied(
                f"worker process died (exit code {worker.process.exitcode}) during this job"
            )
        if job is not None and not job.done():
            job.set_exception(reason)
        self._start_worker()
        self._dispatch()

    def close(self) -> None:
        """Stop every worker; jobs still queued are cancelled."""
        while self.waiting:
            self.waiting.popleft()[1].cancel()
        for worker in self.workers:
            self._cancel_timer(worker)
            if not self.loop.is_closed():
                self.loop.remove_reader(worker.conn.fileno())
            if worker.job is not None:
                worker.job.cancel()
                worker.kill()  # busy: it would not read the stop message before finishing
            else:
                worker.stop()
        self.workers.clear()


def map_in_order(
    function: Callable[[T], R],
    items: Iterable[T],
    size: int,
    *,
    failed: Callable[[T, WorkerDied], R],
    window: int = 64,
    timeout: float | None = None,
    memory_limit: int | None = None,
) -> Iterator[R]:
    """``map(function, items)`` in ``size`` worker processes, results in input order.

    For synchronous callers (``newsarchive reextract``): a private event loop drives the
    pool, with at most ``window`` items in flight. An item whose worker died, timed out or
    ran out of memory gives ``failed(item, error)`` instead, and the map goes on.
    """
    loop = asyncio.new_event_loop()
    pool: WorkerPool | None = None
    in_flight: collections.deque[tuple[T, asyncio.Task[R]]] = collections.deque()

    def settle(item: T, task: asyncio.Task[R]) -> R:
        try:
            return loop.run_until_complete(task)
        except WorkerDied as error:
            return failed(item, error)

    try:
        pool = WorkerPool(function, size, timeout=timeout, memory_limit=memory_limit, loop=loop)
        for item in items:
            in_flight.append((item, loop.create_task(pool.run(item))))
            if len(in_flight) >= max(1, window):
                yield settle(*in_flight.popleft())
        while in_flight:
            yield settle(*in_flight.popleft())
    finally:
        for _, task in in_flight:
            task.cancel()
        if pool is not None:
            pool.close()
        if in_flight:
            loop.run_until_complete(
                asyncio.gather(*(t for _, t in in_flight), return_exceptions=True)
            )
        loop.close()
