"""What a plan's next run does for its earlier Redis crawls, before it fetches.

Their killed workers' ``.open`` files are finished with ``crawl-finish``'s own code
(:mod:`.merge`, :mod:`.recovery`), and articles of runs deleted since are forgotten in
the shared state, as the SQLite state's run start does (:mod:`newsarchive.statesync`).
Kept apart from :mod:`.recovery`, which the merge itself uses.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def finish_killed_workers(
    client: Any,
    root: Path,
    current: Path,
    stale_after: float,
    clock: Callable[[], float] = time.time,
) -> list[str]:
    """Finish the files of earlier crawls' dead workers under a plan's output ``root``.

    A plan's next run does for its killed Redis workers what it does for a killed
    local run: nobody may ever run ``crawl-finish`` for that crawl, and its ``.open``
    files would stay unreadable to ``warc check``, replay and ``index.cdxj``. The work
    is ``crawl-finish``'s own (:func:`~newsarchive.distributed.merge.recover_stopped_workers`:
    a worker whose heartbeat is younger than ``stale_after``, or whose files were written
    in the last ``stale_after`` seconds, is left alone; no manifest is written, so a later
    ``crawl-finish`` still rebuilds its unexported articles). ``current`` is the crawl
    folder of this run (``ROOT/SITE/CRAWL_ID``): its peers are running. One message per
    finished file.
    """
    from newsarchive.crawlfolder import WORKERS_DIRNAME, CrawlFolder
    from newsarchive.distributed.inventory import live_worker_folders
    from newsarchive.distributed.merge import recover_stopped_workers

    messages: list[str] = []
    for workers in sorted(root.glob(f"*/*/{WORKERS_DIRNAME}")):
        out = workers.parent
        folders = [p for p in workers.iterdir() if p.is_dir()]
        if out.resolve() == current.resolve() or not any(
            CrawlFolder(p).unfinished_files() for p in folders
        ):
            continue
        try:
            live = live_worker_folders(client, out.name, stale_after, clock())
        except ValueError:  # a folder name no crawl id can have: not a Redis crawl
            continue
        with recovery_lock(client, out.name) as mine:
            if mine:
                recover_stopped_workers(out, live, stale_after, messages)
    return messages


# Release the lock only while it still holds our token (it may have expired and been retaken).
_RELEASE_IF_OURS = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)
RECOVERY_LOCK_SECONDS = 600  # expires on its own if its holder dies while recovering


@contextmanager
def recovery_lock(client: Any, crawl_id: str) -> Iterator[bool]:
    """Whether this process may finish the crawl's dead workers' files now.

    Workers of a plan's next run start together, often on several machines: two of them
    renaming the same ``.open`` file or rewriting the same ``index.cdxj`` at once would
    fail or lose lines. One at a time, the others skip (it is being done).
    """
    from newsarchive.distributed.keys import crawl_prefix

    key, token = f"{crawl_prefix(crawl_id)}:recovering", uuid.uuid4().hex
    mine = bool(client.set(key, token, nx=True, ex=RECOVERY_LOCK_SECONDS))
    try:
        yield mine
    finally:
        if mine:
            client.eval(_RELEASE_IF_OURS, 1, key, token)


def reconcile_worker_state(
    state: Any,
    root: Path,
    current: Path,
    stale_after: float,
    *,
    forget: bool = True,
    clock: Callable[[], float] = time.time,
) -> list[str]:
    """What a plan run's start does for the Redis state, as ``reconcile_state`` does for SQLite.

    Earlier crawls' dead workers' ``.open`` files are finished (:func:`finish_killed_workers`),
    then archived articles no WARC file under ``root`` holds any more (a deleted run) are
    forgotten, so this run fetches and archives them again (not with ``forget=False``:
    ``NEWSARCHIVE_REDIS_FORGET_GONE``, for machines without one shared file system). A
    live peer's captures are safe: fetches of the last ``stale_after`` seconds are kept
    (its index line may follow its state write by a second) and each deletion is a
    compare-and-delete. Returns the forgotten URLs.
    """
    from newsarchive.state import rfc3339
    from newsarchive.statesync import forget_gone

    finish_killed_workers(state.client, root, current, stale_after, clock)
    if not forget:
        return []
    since = rfc3339(datetime.fromtimestamp(clock() - stale_after, UTC))
    return forget_gone(state, root, fetched_before=since)
