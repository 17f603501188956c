"""One crawl of a plan's site at a time, however it was started.

The schedule's ``flock`` on the plan keeps scheduled runs apart, but a
``newsarchive crawl --plan`` typed by hand while a scheduled run of the same site
is going would crawl beside it: both ask the crawl state before either has
recorded an article, so both fetch and export it. Each site's crawl holds an
exclusive ``flock`` on a lock file of its own beside the plan's state while it
runs; the kernel releases it when the process ends, ``kill -9`` included, so a
stale lock never blocks the next run. Sites of one plan still run side by side
(the per-minute check starts every due site), and Redis workers of one crawl,
which share their work through Redis, take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.plan import Plan, Site


# Lock descriptors this process holds. A forked child (an extraction worker) drops its
# copies at once: a worker still parsing a page after its crawl was killed with ``kill -9``
# would otherwise keep the site locked, and the next scheduled run would be skipped.
_HELD: set[int] = set()


def _drop_inherited_locks() -> None:
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)  # the child's copy only: the parent keeps its lock
    _HELD.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)


class SiteBusy(Exception):
    """Another process is crawling this site of the plan."""


def site_lock_path(plan: Plan, site: Site) -> Path:
    """``state/PLAN.SITE.crawl.lock``: beside the state every run of the plan shares."""
    return plan.state_path.with_name(f"{plan.name}.{site.name}.crawl.lock")


@contextlib.contextmanager
def holding_site_locks(plan: Plan, sites: list[Site]) -> Iterator[None]:
    """Hold every site's lock for the block; :class:`SiteBusy` names a site already held."""
    descriptors: list[int] = []
    try:
        for site in sites:
            path = site_lock_path(plan, site)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            descriptors.append(fd)
            _HELD.add(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SiteBusy(
                    f"site {site.name} of plan {plan.name} is being crawled by another "
                    f"process (it holds {path}); not starting a second crawl of it"
                ) from None
        yield
    finally:
        for fd in descriptors:
            _HELD.discard(fd)
            os.close(fd)  # closing releases the lock
