"""Worker processes driven by the asyncio event loop: one pipe per worker, no helper threads.

``concurrent.futures.ProcessPoolExecutor`` runs a manager thread and a queue feeder
thread in the calling process; at a few hundred pages per second their GIL
hand-offs stalled the reactor thread (measured with bench/crawl.py: ~0.5 ms of
crawl-process CPU per page). Here each worker has its own pipe: the loop writes
a job to an idle worker and reads the answer when the pipe becomes readable
(``loop.add_reader``), so nothing but the reactor thread runs in the crawl process.

One job per worker at a time, so a worker that dies (EOF on its pipe) fails
exactly the job it was running; it is replaced before the next job starts.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import multiprocessing
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

JOIN_SECONDS = 5.0
# fork: workers start in ~0.1 s with the job function already imported, and the caller's
# __main__ is never re-run (spawn and forkserver re-import it, which breaks unguarded scripts).
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class WorkerDied(RuntimeError):
    """The worker process ended (crash, kill) while running the job."""


def serve(conn: Connection, parent_end: Connection, function: Callable[..., Any]) -> None:
    """Worker main loop: ``(args, kwargs)`` in, ``(ok, result or exception)`` out.

    Ends on the empty stop message or EOF. ``parent_end`` (inherited through fork) is closed
    first, so that a parent that goes away is seen as EOF here.
    """
    if START_METHOD == "fork":
        parent_end.close()
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        args, kwargs = pickle.loads(data)
        try:
            answer: tuple[bool, Any] = (True, function(*args, **kwargs))
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


class _Worker:
    """One worker process, its end of the pipe and the job it is running."""

    def __init__(self, function: Callable[..., Any]) -> None:
        context = multiprocessing.get_context(START_METHOD)
        self.conn, child_conn = context.Pipe()
        self.process = context.Process(
            target=serve,
            args=(child_conn, self.conn, function),
            name="newsarchive-extract",
            daemon=True,
        )
        self.process.start()
        child_conn.close()
        self.job: asyncio.Future[Any] | None = None

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
    """``size`` processes running ``function``; :meth:`run` awaits one call's result."""

    def __init__(self, function: Callable[..., Any], size: int) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.function = function
        self.size = size
        self.loop = asyncio.get_running_loop()
        self.workers: list[_Worker] = []
        self.waiting: collections.deque[tuple[bytes, asyncio.Future[Any]]] = collections.deque()
        self.deaths = 0
        for _ in range(size):
            self._start_worker()

    def _start_worker(self) -> None:
        worker = _Worker(self.function)
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
            try:
                worker.conn.send_bytes(payload)
            except OSError:  # died while idle: its pipe is closed
                self._replace(worker)
                return

    def _answer(self, worker: _Worker) -> None:
        try:
            ok, value = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError):
            self._replace(worker)
            return
        job, worker.job = worker.job, None
        if job is not None and not job.done():
            if ok:
                job.set_result(value)
            else:
                job.set_exception(value)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        """A worker died: fail its job, start another worker, go on with the queue."""
        self.deaths += 1
        self.loop.remove_reader(worker.conn.fileno())
        self.workers.remove(worker)
        worker.stop()
        log.warning(
            "extraction worker %s died (exit code %s); starting another",
            worker.process.pid,
            worker.process.exitcode,
        )
        job, worker.job = worker.job, None
        if job is not None and not job.done():
            job.set_exception(
                WorkerDied(
                    f"worker process died (exit code {worker.process.exitcode}) during this job"
                )
            )
        self._start_worker()
        self._dispatch()

    def close(self) -> None:
        """Stop every worker; jobs still queued are cancelled."""
        while self.waiting:
            self.waiting.popleft()[1].cancel()
        for worker in self.workers:
            if not self.loop.is_closed():
                self.loop.remove_reader(worker.conn.fileno())
            if worker.job is not None:
                worker.job.cancel()
            worker.stop()
        self.workers.clear()
